//! What the server shows: each feature turns a document's report into LSP
//! items. Pure functions over a [`DocumentView`]; no protocol I/O here.

pub mod code_actions;
pub mod code_lens;
pub mod commands;
pub mod diagnostics;
#[cfg(test)]
pub mod fixture;
pub mod hover;
pub mod inlay_hints;

use super::positions::Encoding;
use super::state::DocumentView;
use super::types::Range;
use iamlens_engine::model::{Requirement, SdkCall, Span};

/// The LSP range of an engine span.
pub fn range_of(view: &DocumentView, span: &Span, enc: Encoding) -> Range {
    Range { start: view.lines.position(&view.text, span.start_byte, enc), end: view.lines.position(&view.text, span.end_byte, enc) }
}

/// Calls grouped by source call expression: one source call can perform
/// several operations (`upload_file`), all sharing a span.
pub struct CallSite<'r> {
    pub span: Span,
    pub calls: Vec<(usize, &'r SdkCall)>,
    pub requirements: Vec<&'r Requirement>,
}

impl CallSite<'_> {
    /// Distinct actions, in the engine's order (primary first).
    pub fn actions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.requirements {
            if !out.contains(&r.action.as_str()) {
                out.push(&r.action);
            }
        }
        out
    }
}

pub fn call_sites(report: &iamlens_engine::FileReport) -> Vec<CallSite<'_>> {
    call_sites_ending_in(report, 0..=usize::MAX)
}

/// The call sites whose call ends at a byte in `ends` (those a range of lines shows).
pub fn call_sites_ending_in(report: &iamlens_engine::FileReport, ends: std::ops::RangeInclusive<usize>) -> Vec<CallSite<'_>> {
    let mut sites: Vec<CallSite<'_>> = Vec::new();
    let mut by_span: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for (i, call) in report.analysis.calls.iter().enumerate() {
        if !ends.contains(&call.span.end_byte) {
            continue;
        }
        let key = (call.span.start_byte, call.span.end_byte);
        let slot = *by_span.entry(key).or_insert_with(|| {
            sites.push(CallSite { span: call.span, calls: Vec::new(), requirements: Vec::new() });
            sites.len() - 1
        });
        sites[slot].calls.push((i, call));
    }
    for req in &report.requirements {
        if let Some(call) = report.analysis.calls.get(req.call_index) {
            if let Some(&slot) = by_span.get(&(call.span.start_byte, call.span.end_byte)) {
                sites[slot].requirements.push(req);
            }
        }
    }
    sites
}

/// One line of markdown describing a requirement's resources and conditions.
pub fn requirement_markdown(r: &Requirement) -> String {
    let mut s = format!("`{}`", r.action);
    if let Some(level) = &r.access_level {
        s.push_str(&format!(" ({level})"));
    }
    let resources: Vec<String> = r.resources.iter().map(|x| format!("`{x}`")).collect();
    if !resources.is_empty() {
        s.push_str(" on ");
        s.push_str(&resources.join(", "));
    }
    for (op, key, values) in &r.conditions {
        s.push_str(&format!(" — if `{op}` `{key}` = `{}`", values.join("`, `")));
    }
    s
}
