//! Whether the workspace index is being built, so that requests covering the
//! whole workspace (a workspace policy, an upload, the MCP `workspace_policy`)
//! wait for it instead of silently answering from a half-built index.
//!
//! Waiting is bounded; the async wait is also cancellable (dropping the
//! future stops it), the blocking one is for callers already on a blocking
//! thread (the MCP endpoint).

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Default)]
pub struct IndexGate {
    state: Mutex<Passes>,
    finished_blocking: Condvar,
    finished_async: Notify,
}

#[derive(Debug, Default, Clone, Copy)]
struct Passes {
    running: usize,
    done: usize,
    total: usize,
}

/// An indexing pass still running after the wait: how far it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StillIndexing {
    pub done: usize,
    pub total: usize,
}

impl std::fmt::Display for StillIndexing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.total == 0 {
            write!(f, "the workspace index is still listing files")
        } else {
            write!(f, "the workspace index is still running ({}/{} files)", self.done, self.total)
        }
    }
}

impl IndexGate {
    fn passes(&self) -> std::sync::MutexGuard<'_, Passes> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A pass starts. Call before handing the work to another task, so a
    /// request arriving right after cannot miss it; pair with [`Self::end`].
    pub fn begin(&self) {
        let mut p = self.passes();
        p.running += 1;
        p.done = 0;
        p.total = 0;
    }

    pub fn progress(&self, done: usize, total: usize) {
        let mut p = self.passes();
        p.done = done;
        p.total = total;
    }

    pub fn end(&self) {
        let mut p = self.passes();
        p.running = p.running.saturating_sub(1);
        if p.running == 0 {
            drop(p);
            self.finished_blocking.notify_all();
            self.finished_async.notify_waiters();
        }
    }

    /// `None` when no pass is running.
    pub fn still_indexing(&self) -> Option<StillIndexing> {
        let p = self.passes();
        (p.running > 0).then_some(StillIndexing { done: p.done, total: p.total })
    }

    /// Wait up to `bound` for every pass to finish. Blocking.
    pub fn wait_blocking(&self, bound: Duration) -> Result<(), StillIndexing> {
        let deadline = Instant::now() + bound;
        let mut p = self.passes();
        while p.running > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StillIndexing { done: p.done, total: p.total });
            }
            p = self.finished_blocking.wait_timeout(p, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        Ok(())
    }

    /// Wait up to `bound` for every pass to finish; cancelled by dropping.
    pub async fn wait(&self, bound: Duration) -> Result<(), StillIndexing> {
        let finished = async {
            loop {
                let notified = self.finished_async.notified();
                tokio::pin!(notified);
                // Registered before checking, so an `end` in between is not lost.
                notified.as_mut().enable();
                if self.still_indexing().is_none() {
                    return;
                }
                notified.await;
            }
        };
        match tokio::time::timeout(bound, finished).await {
            Ok(()) => Ok(()),
            Err(_) => self.still_indexing().map_or(Ok(()), Err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn blocking_wait_returns_when_the_pass_ends_and_reports_progress_on_timeout() {
        let gate = Arc::new(IndexGate::default());
        assert_eq!(gate.wait_blocking(Duration::ZERO), Ok(()));
        gate.begin();
        gate.progress(64, 200);
        assert_eq!(gate.wait_blocking(Duration::from_millis(10)), Err(StillIndexing { done: 64, total: 200 }));
        let ender = gate.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            ender.end();
        });
        assert_eq!(gate.wait_blocking(Duration::from_secs(30)), Ok(()));
        t.join().unwrap();
        assert!(gate.still_indexing().is_none());
    }

    #[test]
    fn overlapping_passes_finish_when_the_last_one_ends() {
        let gate = IndexGate::default();
        gate.begin();
        gate.begin();
        gate.end();
        assert!(gate.still_indexing().is_some());
        gate.end();
        assert!(gate.still_indexing().is_none());
        gate.end(); // an extra end never underflows
        assert!(gate.still_indexing().is_none());
    }

    #[tokio::test]
    async fn async_wait_wakes_on_end_and_times_out_while_running() {
        let gate = Arc::new(IndexGate::default());
        gate.begin();
        assert!(gate.wait(Duration::from_millis(10)).await.is_err());
        let ender = gate.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            ender.end();
        });
        assert_eq!(gate.wait(Duration::from_secs(30)).await, Ok(()));
    }
}
