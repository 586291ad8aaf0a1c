//! Test fixtures: a document view over real text with a hand-made report, so
//! the presentation rules are tested independently of the analysis.

use crate::positions::LineIndex;
use crate::state::DocumentView;
use iamlens_engine::model::*;
use iamlens_engine::FileReport;
use std::path::PathBuf;
use std::sync::Arc;

pub fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    span(text, start, start + needle.len())
}

pub fn span(text: &str, start: usize, end: usize) -> Span {
    let pos = |b: usize| {
        let line = text[..b].matches('\n').count() as u32;
        let col = (b - text[..b].rfind('\n').map_or(0, |i| i + 1)) as u32;
        Position { line, column: col }
    };
    Span { start_byte: start, end_byte: end, start: pos(start), end: pos(end) }
}

/// A call whose whole expression is `call_text` and whose name is `method`.
pub fn call(text: &str, call_text: &str, method: &str, service: &str, operation: &str, scope: Option<&str>) -> SdkCall {
    let whole = span_of(text, call_text);
    let rel = call_text.find(method).expect("method in call");
    SdkCall {
        span: whole,
        name_span: span(text, whole.start_byte + rel, whole.start_byte + rel + method.len()),
        service: service.into(),
        operation: operation.into(),
        via: CallVia::Client,
        text: call_text.into(),
        args: vec![],
        confidence: Confidence::High,
        scope: scope.map(String::from),
        region: None,
    }
}

pub fn requirement(call_index: usize, action: &str, resource: &str) -> Requirement {
    Requirement {
        action: action.into(),
        resources: vec![resource.into()],
        conditions: vec![],
        access_level: Some("Read".into()),
        arn_templates: vec![],
        note: None,
        call_index,
    }
}

pub fn view(text: &str, analysis: FileAnalysis, requirements: Vec<Requirement>) -> DocumentView {
    DocumentView {
        version: 1,
        text: Arc::from(text),
        lines: LineIndex::new(text),
        report: Arc::new(FileReport { path: PathBuf::from("/w/app.py"), analysis, requirements, environment: Vec::new() }),
    }
}
