//! The account's store as the session reaches it. SQLite blocks: a write waits for the disk,
//! and while the command line holds the file, for up to the store's 5 s busy timeout. Done on
//! an async worker thread, that wait would stall everything else scheduled there: the stream's
//! own task (socket reads, keepalives, acknowledgements), the other accounts' sessions and the
//! window's subscription. So every write goes through [`StoreHandle::write`] or
//! [`StoreHandle::transaction`], which run it under `tokio::task::block_in_place`: for the
//! call's duration the runtime hands this thread's other tasks to another worker. Reads
//! ([`StoreHandle::read`]) never wait for a writer in WAL mode and run in place.
//!
//! Why not a store thread or `spawn_blocking`: the session waits for every store call anyway
//! (a message is stored before it is shown as sent, a burst before the next is read), so doing
//! the work on another thread gains the session nothing, while a closure sent there must own
//! copies of everything it touches (every burst, every address). `block_in_place` gives the
//! rest of the runtime the same relief with borrowed arguments (docs/decisions.md).

use crate::store::{Store, StoreError};
use std::path::Path;
use tokio::runtime::{Handle, RuntimeFlavor};

pub(super) struct StoreHandle {
    store: Store,
    /// Only a multi-threaded runtime has another thread to hand work to; on a current-thread
    /// runtime (a test's, say) `block_in_place` would panic, and the call runs as it is.
    hand_off: bool,
}

impl StoreHandle {
    /// Open (and migrate) the store off the async threads too: a migration may take a while.
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        let hand_off = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread);
        let store = blocking(hand_off, || Store::open(path))?;
        Ok(Self { store, hand_off })
    }

    /// A query. In WAL mode a reader never waits for a writer, so reads run in place: each
    /// is an indexed look-up of microseconds, and handing the thread off costs more (a
    /// 5,000-message catch-up took 0.3 CPU-s more and 17 MB more memory when every call did).
    pub(super) fn read<R>(&self, work: impl FnOnce(&Store) -> R) -> R {
        work(&self.store)
    }

    /// A write of one statement, which may wait for the command line's lock.
    pub(super) fn write<R>(&self, work: impl FnOnce(&Store) -> R) -> R {
        blocking(self.hand_off, || work(&self.store))
    }

    /// A write in a transaction, which needs the store to itself.
    pub(super) fn transaction<R>(&mut self, work: impl FnOnce(&mut Store) -> R) -> R {
        let store = &mut self.store;
        blocking(self.hand_off, || work(store))
    }

    /// Names the store's file in an error about it (no disk work).
    pub(super) fn locate(&self, e: StoreError) -> StoreError {
        self.store.locate(e)
    }
}

fn blocking<R>(hand_off: bool, work: impl FnOnce() -> R) -> R {
    if hand_off { tokio::task::block_in_place(work) } else { work() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    const ACCOUNT: &str = "alice@example.org";

    /// A slow store call must not hold up the runtime's other tasks: on a one-thread runtime,
    /// a ticking task keeps ticking while a session task sits in a long store call.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_long_store_call_leaves_other_tasks_running() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.sqlite3");
        let ticks = Arc::new(AtomicUsize::new(0));
        let counter = ticks.clone();
        let ticker = tokio::spawn(async move {
            loop {
                counter.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        // Spawned, so it runs on the runtime's one worker thread, beside the ticker.
        let session = tokio::spawn(async move {
            let mut store = StoreHandle::open(&path).expect("store");
            assert!(store.hand_off);
            let ticked_meanwhile = store.transaction(|store| {
                let before = ticks.load(Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(300));
                store.set_state(ACCOUNT, "probe", "written").expect("written");
                ticks.load(Ordering::Relaxed) - before
            });
            (ticked_meanwhile, store.read(|store| store.get_state(ACCOUNT, "probe")))
        });
        let (ticked_meanwhile, stored) = session.await.expect("the session task");
        ticker.abort();
        assert!(ticked_meanwhile >= 10, "the other task ticked {ticked_meanwhile} times in 300 ms");
        assert_eq!(stored.expect("read").as_deref(), Some("written"));
    }

    #[tokio::test]
    async fn on_a_current_thread_runtime_calls_run_in_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = StoreHandle::open(&dir.path().join("store.sqlite3")).expect("store");
        assert!(!store.hand_off);
        assert_eq!(store.read(|store| store.get_state(ACCOUNT, "probe")).expect("read"), None);
    }
}
