//! Open documents: text as the editor has it (unsaved edits included), its
//! line index, and the analysis last computed for it, tagged with the version
//! it was computed for so a stale result is never shown for a newer text.

use super::positions::{Encoding, LineIndex};
use super::types::{Range, TextDocumentContentChangeEvent, Uri};
use crate::analysis::python::PythonDocument;
use crate::engine::FileReport;
use dashmap::DashMap;
use std::sync::Arc;

pub struct Document {
    pub version: i32,
    pub language_id: String,
    pub source: PythonDocument,
    pub lines: LineIndex,
    /// The analysis of `version`, if computed.
    pub report: Option<(i32, Arc<FileReport>)>,
}

impl Document {
    pub fn new(text: String, version: i32, language_id: String) -> Document {
        let lines = LineIndex::new(&text);
        Document { version, language_id, source: PythonDocument::parse(text), lines, report: None }
    }

    pub fn text(&self) -> &str {
        self.source.text()
    }

    /// Apply the editor's changes in order. Ranged changes become incremental
    /// tree edits; a change without a range replaces the whole text.
    pub fn apply_changes(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let (start, end) = self.byte_range(range, enc);
                    self.source.edit(start, end, &change.text);
                }
                None => self.source = PythonDocument::parse(change.text),
            }
            self.lines = LineIndex::new(self.source.text());
        }
        self.version = version;
        self.report = None;
    }

    /// Byte range of an LSP range, clamped into the text and ordered.
    pub fn byte_range(&self, range: Range, enc: Encoding) -> (usize, usize) {
        let text = self.source.text();
        let a = self.lines.offset(text, range.start, enc);
        let b = self.lines.offset(text, range.end, enc);
        (a.min(b), a.max(b))
    }

    /// The report for the current version, if it has been computed.
    pub fn current_report(&self) -> Option<Arc<FileReport>> {
        match &self.report {
            Some((v, r)) if *v == self.version => Some(r.clone()),
            _ => None,
        }
    }
}

/// The open documents, keyed by URI.
#[derive(Default)]
pub struct Documents {
    map: DashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: Uri, doc: Document) {
        self.map.insert(uri, doc);
    }

    pub fn close(&self, uri: &Uri) -> Option<Document> {
        self.map.remove(uri).map(|(_, d)| d)
    }

    pub fn with<R>(&self, uri: &Uri, f: impl FnOnce(&Document) -> R) -> Option<R> {
        self.map.get(uri).map(|d| f(&d))
    }

    pub fn with_mut<R>(&self, uri: &Uri, f: impl FnOnce(&mut Document) -> R) -> Option<R> {
        self.map.get_mut(uri).map(|mut d| f(&mut d))
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.map.iter().map(|e| e.key().clone()).collect()
    }

    pub fn contains(&self, uri: &Uri) -> bool {
        self.map.contains_key(uri)
    }
}
