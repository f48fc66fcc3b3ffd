//! One account's bearer token: cached until shortly before it expires, and
//! fetched by one caller at a time while the others wait (single flight).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Lifetime assumed when the login answer has no `expires_in` (as the PHP SDK does).
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// The longest margin before expiry at which a token is renewed.
const MAX_MARGIN: Duration = Duration::from_secs(300);

/// A token and when it stops being used.
struct Token {
    value: String,
    renew_at: Instant,
    /// Which login made it, so that a caller told "expired" drops only the
    /// token it used, not a newer one another caller fetched meanwhile.
    serial: u64,
}

/// The cache of one account's token.
#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Option<Token>>,
    logins: AtomicU64,
}

/// A token handed to a caller.
pub(crate) struct Lease {
    pub(crate) value: String,
    pub(crate) serial: u64,
}

/// When to stop using a token that lives `lifetime`.
pub(crate) fn renewal_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MAX_MARGIN)
}

impl TokenCache {
    /// How many logins this cache made.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// The cached token, or a new one from `login` (run by one caller while
    /// the others wait for its result).
    pub(crate) async fn get<F, Fut, E>(&self, login: F) -> Result<Lease, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Option<Duration>), E>>,
    {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref()
            && Instant::now() < token.renew_at
        {
            return Ok(Lease {
                value: token.value.clone(),
                serial: token.serial,
            });
        }
        let (value, lifetime) = login().await?;
        let serial = self.logins.fetch_add(1, Ordering::Relaxed) + 1;
        let lifetime = lifetime.unwrap_or(DEFAULT_LIFETIME);
        let renew_at = Instant::now() + lifetime.saturating_sub(renewal_margin(lifetime));
        *current = Some(Token {
            value: value.clone(),
            renew_at,
            serial,
        });
        tracing::debug!(lifetime_s = lifetime.as_secs(), "CinetPay token obtained");
        Ok(Lease { value, serial })
    }

    /// Drops the token of login `serial` (CinetPay said it is invalid or
    /// expired); a newer one stays.
    pub(crate) async fn invalidate(&self, serial: u64) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.serial == serial) {
            *current = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn margins() {
        assert_eq!(
            renewal_margin(Duration::from_secs(86_400)),
            Duration::from_secs(300)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(300)),
            Duration::from_secs(30)
        );
        assert_eq!(renewal_margin(Duration::ZERO), Duration::ZERO);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_makes_one_login_and_invalidation_drops_only_the_old_token() {
        let cache = Arc::new(TokenCache::default());
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(("t1".to_owned(), Some(Duration::from_secs(86_400))))
                    })
                    .await
                    .unwrap()
                    .serial
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.logins(), 1);
        cache.invalidate(1).await;
        let again = cache
            .get(|| async { Ok::<_, ()>(("t2".to_owned(), None)) })
            .await
            .unwrap();
        assert_eq!((again.value.as_str(), again.serial), ("t2", 2));
        // A late caller told that token 1 expired does not drop token 2.
        cache.invalidate(1).await;
        let kept = cache
            .get(|| async { Err::<(String, Option<Duration>), _>("no second login") })
            .await
            .unwrap();
        assert_eq!(kept.serial, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_renewed_before_it_expires() {
        let cache = TokenCache::default();
        let login = |n: &'static str| {
            move || async move { Ok::<_, ()>((n.to_owned(), Some(Duration::from_secs(100)))) }
        };
        assert_eq!(cache.get(login("a")).await.unwrap().value, "a");
        tokio::time::advance(Duration::from_secs(89)).await;
        assert_eq!(cache.get(login("b")).await.unwrap().value, "a");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(cache.get(login("b")).await.unwrap().value, "b");
    }
}
