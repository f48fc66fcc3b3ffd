//! MemoryStore against the public conformance suite, through the public API
//! only, the way a third-party store would run it (`--features testing`).

use std::sync::Arc;

use cinetpay_core::testing::{cases, run_case, run_conformance};
use cinetpay_core::{MemoryStore, PaymentStore};

fn fresh() -> Arc<dyn PaymentStore> {
    Arc::new(MemoryStore::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_passes_every_case() {
    let report = run_conformance(|| async { fresh() }).await;
    assert_eq!(report.cases_run(), cases().len());
    assert!(report.case_names().contains(&"race_claim_one_winner"));
}

#[tokio::test]
async fn cases_run_one_by_one_on_a_current_thread_runtime() {
    for case in cases() {
        assert!(run_case(case.name, fresh()).await, "{}", case.name);
    }
    assert!(!run_case("no_such_case", fresh()).await);
}

#[test]
fn the_suite_runs_outside_tokio_too() {
    // No runtime: the races fall back to polling the tasks together.
    let report = futures_executor_block_on(run_conformance(|| async { fresh() }));
    assert_eq!(report.cases_run(), cases().len());
}

/// A minimal executor, so that this test really has no tokio runtime around it.
fn futures_executor_block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}
