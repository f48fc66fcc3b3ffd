//! Merchant code that panics (a fulfiller, a quote) is reported once, by the
//! engine, as one `error` line with the panic's message and location; std's
//! panic hook does not print its own "thread … panicked at" message (and
//! backtrace, with `RUST_BACKTRACE`) for it as well.
//!
//! How: the first [`Checkout`](super::Checkout) built installs a panic hook
//! that wraps the one in place (the application's, or std's). While the
//! engine polls merchant code, a thread-local flag is set; a panic raised
//! under it is recorded (message and location) for the engine's log line
//! instead of being printed. Every other panic goes to the wrapped hook as
//! before. A hook the application installs later replaces this one: its
//! panics are then printed by it, and still caught and reported by the engine.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Once;
use std::task::Poll;

use futures_util::FutureExt;

thread_local! {
    /// Set while this thread polls merchant code under [`caught`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic of this thread was raised.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the wrapping hook, once per process.
pub(crate) fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info.location().map(ToString::to_string);
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// A panic of merchant code, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panicked {
    /// The panic's message (`"(no message)"` for a payload that is not text).
    pub(crate) message: String,
    /// `file:line:column`, when the hook saw it.
    pub(crate) location: Option<String>,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(at) => write!(f, "{} (at {at})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Sets [`QUIET`] for one poll, and restores what was there (polls nest when
/// merchant code polls a future that calls the engine).
struct QuietPoll(bool);

impl QuietPoll {
    fn enter() -> Self {
        QuietPoll(QUIET.with(|q| q.replace(true)))
    }
}

impl Drop for QuietPoll {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(self.0));
    }
}

/// Runs `work`, catching its panic; the panic is not printed by the hook
/// [`install_hook`] put in place.
pub(crate) async fn caught<F: Future>(work: F) -> Result<F::Output, Panicked> {
    let mut work = std::pin::pin!(AssertUnwindSafe(work).catch_unwind());
    let result = std::future::poll_fn(|cx| {
        let _quiet = QuietPoll::enter();
        match work.as_mut().poll(cx) {
            Poll::Ready(Err(payload)) => {
                let location = LOCATION.with(|l| l.borrow_mut().take());
                Poll::Ready(Err((payload, location)))
            }
            Poll::Ready(Ok(out)) => Poll::Ready(Ok(out)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await;
    result.map_err(|(payload, location)| Panicked {
        message: message(&*payload),
        location,
    })
}

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_caught_panic_keeps_its_message_and_location() {
        install_hook();
        let panicked = caught(async {
            tokio::task::yield_now().await;
            panic!("the warehouse is on fire");
        })
        .await
        .unwrap_err();
        assert_eq!(panicked.message, "the warehouse is on fire");
        let at = panicked.location.clone().unwrap();
        assert!(
            at.starts_with("cinetpay-core/src/engine/panics.rs:"),
            "{at}"
        );
        assert!(
            panicked
                .to_string()
                .contains("(at cinetpay-core/src/engine/panics.rs:")
        );
        assert!(!QUIET.with(Cell::get), "the flag is cleared after the poll");
        assert_eq!(caught(async { 7 }).await, Ok(7));
        let formatted = caught(async { panic!("{} crates", 3) }).await.unwrap_err();
        assert_eq!(formatted.message, "3 crates");
        let payload = caught(async { std::panic::panic_any(42u8) })
            .await
            .unwrap_err();
        assert_eq!(payload.message, "(no message)");
    }
}
