//! Open documents: text as the editor has it (unsaved edits included), its
//! line index, and the analysis last computed for it, tagged with the version
//! it was computed for so a stale result is never shown for a newer text.

use super::positions::{Encoding, LineIndex};
use super::types::{Range, TextDocumentContentChangeEvent, Uri};
use dashmap::DashMap;
use iamlens_engine::carry_over::{edit_is_inert, shift, Before};
use iamlens_engine::front_end::{ByteEdit, FrontEnd, SourceDocument};
use iamlens_engine::FileReport;
use std::sync::Arc;

pub struct Document {
    pub version: i32,
    pub language_id: String,
    /// The front-end that reads this document (by its language id).
    pub front_end: &'static dyn FrontEnd,
    pub source: Box<dyn SourceDocument>,
    pub lines: LineIndex,
    /// The analysis of `version`, if computed.
    pub report: Option<(i32, Arc<FileReport>)>,
    /// The settings generation `report` was computed with.
    pub report_generation: u64,
    /// The last whole-file report of an earlier version and its settings
    /// generation, for the next one to take unchanged calls' requirements
    /// over from.
    pub previous_report: Option<(u64, Arc<FileReport>)>,
    /// The text of `version`, shared with the views given out (made on first use).
    text_of_version: std::sync::OnceLock<Arc<str>>,
    /// Inlay hints of this version were given from an unsettled tree (see
    /// [`SourceDocument::edit_unsettled`]): once the settled report exists,
    /// the client is asked to fetch them again.
    pub hints_before_settled: std::sync::atomic::AtomicBool,
}

impl Document {
    /// A document of `language_id` without a path (tests, untitled buffers).
    pub fn new(text: String, version: i32, language_id: String) -> Document {
        Document::open(text, version, language_id, None)
    }

    /// A document the editor opened: its front-end by language id, else by
    /// the path's extension, else the first front-end's; `module_path` (the
    /// path the workspace index knows it by) lets relative imports resolve.
    pub fn open(text: String, version: i32, language_id: String, module_path: Option<&std::path::Path>) -> Document {
        let lines = LineIndex::new(&text);
        let front_end = iamlens_languages::for_language_id(&language_id)
            .or_else(|| module_path.and_then(iamlens_languages::for_path))
            .unwrap_or(iamlens_languages::front_ends()[0]);
        let source = front_end.parse_document(text, module_path, Some(&language_id));
        Document {
            version,
            language_id,
            front_end,
            source,
            lines,
            report: None,
            report_generation: 0,
            previous_report: None,
            text_of_version: Default::default(),
            hints_before_settled: Default::default(),
        }
    }

    /// The current text as a shared string (copied once per version).
    pub fn shared_text(&self) -> Arc<str> {
        self.text_of_version.get_or_init(|| Arc::from(self.text())).clone()
    }

    pub fn text(&self) -> &str {
        self.source.text()
    }

    /// Apply the editor's changes in order. Ranged changes become incremental
    /// tree edits, parsed once for the whole batch and left unsettled (a tree
    /// with syntax errors is re-parsed from scratch only when a whole-file
    /// report needs it); a change without a range replaces the whole text.
    ///
    /// An edit confined to a comment or docstring keeps the current report
    /// (spans shifted) instead of forcing a re-analysis; otherwise the report
    /// becomes `previous_report`. Returns the report that replaced, for the
    /// caller to drop away from the request path (freeing a large file's
    /// report takes longer than the edit).
    #[must_use = "drop the stale report off the request path"]
    pub fn apply_changes(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) -> Option<Arc<FileReport>> {
        let mut stale = None;
        // Taken out so the carried report is usually the only owner and is
        // shifted in place rather than copied.
        let mut carried = match self.report.take() {
            Some((v, report)) if v == self.version => Some(report),
            other => {
                stale = other.map(|(_, report)| report);
                None
            }
        };
        // One ranged change may keep the report (typing in a comment); a batch
        // (multi-cursor, replace-all, a formatter) is parsed once, at the end,
        // and analysed again (unchanged definitions are reused).
        let batch = changes.len() > 1;
        for change in changes {
            match change.range {
                Some(range) if batch => {
                    let (start, end) = self.byte_range(range, enc);
                    if let Some(report) = carried.take() {
                        stale = Some(report);
                    }
                    let (start, end) = self.source.edit_deferred(start, end, &change.text);
                    self.lines.apply_edit(self.source.text(), start, end, change.text.len());
                }
                Some(range) => {
                    let (start, end) = self.byte_range(range, enc);
                    let edit = ByteEdit { start, old_end: end, new_len: change.text.len() };
                    let before = carried.take().and_then(|r| Some((r, Before::capture(self.source.tree()?, self.source.text(), edit))));
                    let (start, end) = self.source.edit_unsettled(start, end, &change.text);
                    self.lines.apply_edit(self.source.text(), start, end, change.text.len());
                    carried = before.and_then(|(report, before)| {
                        if !edit_is_inert(&before, self.source.as_ref(), edit) {
                            stale = Some(report);
                            return None;
                        }
                        let mut owned = Arc::try_unwrap(report).unwrap_or_else(|shared| (*shared).clone());
                        shift(&mut owned, self.source.as_ref(), edit);
                        Some(Arc::new(owned))
                    });
                }
                None => {
                    self.source.replace_all(change.text);
                    self.lines = LineIndex::new(self.source.text());
                    stale = stale.or(carried.take());
                }
            }
        }
        self.source.parse_deferred();
        self.version = version;
        self.text_of_version = Default::default();
        self.hints_before_settled = Default::default();
        self.report = carried.map(|r| (version, r));
        match stale {
            Some(report) => self.previous_report.replace((self.report_generation, report)).map(|(_, r)| r),
            None => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Position;

    fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range { start: Position { line: sl, character: sc }, end: Position { line: el, character: ec } }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_utf16_edits_on_crlf_text_land_on_the_right_bytes() {
        let mut d = Document::new("x = '😀é'\r\ns3.get_objects()\r\n".into(), 1, "python".into());
        // Replace "objects" → "object" on line 1, then insert after the emoji (UTF-16 col 7).
        let _ = d.apply_changes(2, vec![change(1, 3, 1, 14, "get_object"), change(0, 7, 0, 7, "ü")], Encoding::Utf16);
        assert_eq!(d.text(), "x = '😀üé'\r\ns3.get_object()\r\n");
        assert_eq!(d.version, 2);
        assert!(!d.source.has_syntax_errors());
        // A range past the end appends; a reversed range is ordered.
        let _ = d.apply_changes(3, vec![change(99, 0, 99, 0, "print(1)\r\n"), change(1, 3, 1, 0, "")], Encoding::Utf16);
        assert_eq!(d.text(), "x = '😀üé'\r\nget_object()\r\nprint(1)\r\n");
    }

    fn sexp(d: &Document) -> String {
        d.source.tree().unwrap().root_node().to_sexp()
    }

    #[test]
    fn a_batch_of_changes_is_parsed_once_like_a_fresh_parse() {
        let text =
            "import boto3\ns3 = boto3.client('s3')\n\ndef f():\n    s3.get_object(Bucket='a', Key='k')\n    s3.get_object(Bucket='b', Key='k')\n";
        let mut d = Document::new(text.into(), 1, "python".into());
        let parses = iamlens_engine::syntax::parses_on_this_thread;
        let before = parses();
        // Two cursors renaming both buckets, then a line added at the top.
        let batch = vec![change(4, 26, 4, 27, "x"), change(5, 26, 5, 27, "y"), change(0, 0, 0, 0, "# head\n"), change(6, 4, 6, 6, "(")];
        let _ = d.apply_changes(2, batch, Encoding::Utf16);
        assert_eq!(parses() - before, 1, "one parse for the batch");
        assert_eq!(d.text(), "# head\nimport boto3\ns3 = boto3.client('s3')\n\ndef f():\n    s3.get_object(Bucket='x', Key='k')\n    (.get_object(Bucket='y', Key='k')\n");
        assert_eq!(d.lines.line_count(), 8);
        let mut settled = Document::new(d.text().to_string(), 2, "python".into());
        d.source.settle();
        settled.source.settle();
        assert_eq!(sexp(&d), sexp(&settled));
        // Back to valid code in one batch: settled without a full parse.
        let _ = d.apply_changes(3, vec![change(6, 4, 6, 5, "s3"), change(0, 0, 1, 0, "")], Encoding::Utf16);
        assert!(d.source.is_settled());
        assert_eq!(sexp(&d), sexp(&Document::new(d.text().to_string(), 3, "python".into())));
    }

    #[test]
    fn a_change_without_range_replaces_everything_and_drops_the_old_report() {
        let mut d = Document::new("a = 1\n".into(), 1, "python".into());
        let _ = d.apply_changes(5, vec![TextDocumentContentChangeEvent { range: None, range_length: None, text: "b = 2\n".into() }], Encoding::Utf16);
        assert_eq!(d.text(), "b = 2\n");
        assert!(d.current_report().is_none());
        assert_eq!(d.lines.line_count(), 2);
    }
}
