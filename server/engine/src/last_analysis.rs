//! What a document's last whole-file analysis left for the next one: shared
//! by the document's clones (diagnostics and a hint request for the same
//! version both reuse it) and held under its lock only to copy or replace it.

use std::sync::{Arc, Mutex};

/// A document's remembered analysis; `Default` is empty.
#[derive(Debug)]
pub struct LastAnalysis<T>(Arc<Mutex<Option<Arc<T>>>>);

impl<T> Default for LastAnalysis<T> {
    fn default() -> Self {
        LastAnalysis(Arc::default())
    }
}

/// Clones share one slot.
impl<T> Clone for LastAnalysis<T> {
    fn clone(&self) -> Self {
        LastAnalysis(self.0.clone())
    }
}

impl<T> LastAnalysis<T> {
    /// The remembered analysis, if any (it stays remembered).
    pub fn get(&self) -> Option<Arc<T>> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }

    /// Remember `snapshot` (or forget, with `None`).
    pub fn keep(&self, snapshot: Option<T>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = snapshot.map(Arc::new);
        }
    }
}
