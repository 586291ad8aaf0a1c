//! Inlay hints: at the end of each resolved call, the actions it needs
//! (`s3:GetObject`, or `s3:GetObject +2`, then `← OrdersTable` when the
//! template that deploys the code names its resource), with a markdown tooltip listing
//! each action, its resource ARN as bound from the code, and conditions.
//!
//! Clients that resolve tooltips lazily (`inlayHint/resolve`) get hints
//! without them and a `data` naming the call; the tooltip is built when the
//! user hovers the hint.

use super::{call_sites, call_sites_ending_in, range_of, requirement_markdown, CallSite};
use crate::positions::Encoding;
use crate::state::DocumentView;
use crate::types::{InlayHint, InlayHintLabel, InlayHintTooltip, MarkupContent, MarkupKind, Range, Uri};
use serde::{Deserialize, Serialize};

/// What a lazily resolved hint carries: the document version and the call's
/// byte span it was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HintData {
    pub uri: Uri,
    pub version: i32,
    pub start: usize,
    pub end: usize,
}

/// How tooltips are delivered.
#[derive(Debug, Clone, Copy)]
pub enum Tooltips<'u> {
    /// In every hint.
    Inline,
    /// Left out; `inlayHint/resolve` adds them (hints of document `uri`).
    OnResolve(&'u Uri),
}

fn tooltip(site: &CallSite<'_>) -> InlayHintTooltip {
    let lines: Vec<String> = site.requirements.iter().map(|r| format!("- {}", requirement_markdown(r))).collect();
    InlayHintTooltip::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: format!("**IAM permissions for this call**\n\n{}", lines.join("\n")),
    })
}

/// `inlayHint/resolve`: the tooltip of the call `data` names, when `view` is
/// the version the hint came from; otherwise the hint as it was (stale).
pub fn resolve(view: &DocumentView, mut hint: InlayHint, data: &HintData) -> InlayHint {
    if hint.tooltip.is_some() || view.version != data.version {
        return hint;
    }
    if let Some(site) = call_sites(&view.report).iter().find(|s| s.span.start_byte == data.start && s.span.end_byte == data.end) {
        hint.tooltip = Some(tooltip(site));
    }
    hint
}

pub fn inlay_hints(view: &DocumentView, range: Range, enc: Encoding, tooltips: Tooltips<'_>) -> Vec<InlayHint> {
    let mut hints = Vec::new();
    // Whole lines around the range first (cheap byte comparisons), the exact
    // position check below.
    let line_start = |line: u32| view.lines.offset(&view.text, crate::types::Position { line, character: 0 }, enc);
    let window = line_start(range.start.line)..=line_start(range.end.line.saturating_add(1));
    for site in call_sites_ending_in(&view.report, window) {
        let actions = site.actions();
        let Some(first) = actions.first() else { continue };
        let position = range_of(view, &site.span, enc).end;
        if position < range.start || position > range.end {
            continue;
        }
        let mut label = match actions.len() {
            1 => first.to_string(),
            n => format!("{first} +{}", n - 1),
        };
        // The resource the deploying template wires to an environment read: `← OrdersTable`.
        let origins: Vec<&str> = view
            .report
            .environment
            .iter()
            .filter(|u| view.report.analysis.calls.get(u.call_index).is_some_and(|c| c.span == site.span))
            .filter_map(|u| u.origin.as_deref())
            .collect();
        if let Some(origin) = origins.first() {
            label.push_str(&format!(" ← {origin}"));
        }
        let (tooltip, data) = match tooltips {
            Tooltips::Inline => (Some(tooltip(&site)), None),
            Tooltips::OnResolve(uri) => {
                let data = HintData { uri: uri.clone(), version: view.version, start: site.span.start_byte, end: site.span.end_byte };
                (None, serde_json::to_value(data).ok())
            }
        };
        hints.push(InlayHint {
            position,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip,
            padding_left: Some(true),
            padding_right: None,
            data,
        });
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::fixture::*;
    use crate::types::Position;
    use iamlens_engine::model::FileAnalysis;

    fn everything() -> Range {
        Range { start: Position { line: 0, character: 0 }, end: Position { line: 9999, character: 0 } }
    }

    #[test]
    fn one_hint_per_call_at_its_end_in_utf16_with_a_count_of_extra_actions() {
        let text = "import boto3\r\nname = 'héllo😀'; s3.get_object(Bucket='b', Key='k')\r\ns3.upload_file('f', 'b', 'k')\r\n";
        let get = call(text, "s3.get_object(Bucket='b', Key='k')", "get_object", "s3", "GetObject", None);
        let up1 = call(text, "s3.upload_file('f', 'b', 'k')", "upload_file", "s3", "PutObject", None);
        let up2 = call(text, "s3.upload_file('f', 'b', 'k')", "upload_file", "s3", "CreateMultipartUpload", None);
        let analysis = FileAnalysis { imports_aws_sdk: true, calls: vec![get, up1, up2], ..FileAnalysis::default() };
        let reqs = vec![
            requirement(0, "s3:GetObject", "arn:aws:s3:::b/k"),
            requirement(1, "s3:PutObject", "arn:aws:s3:::b/k"),
            requirement(2, "s3:PutObject", "arn:aws:s3:::b/k"),
            requirement(2, "s3:AbortMultipartUpload", "arn:aws:s3:::b/k"),
        ];
        let v = view(text, analysis, reqs);
        let hints = inlay_hints(&v, everything(), Encoding::Utf16, Tooltips::Inline);
        assert_eq!(hints.len(), 2);
        let label = |h: &InlayHint| match &h.label {
            InlayHintLabel::String(s) => s.clone(),
            _ => panic!("string label"),
        };
        assert_eq!(label(&hints[0]), "s3:GetObject");
        // "name = 'héllo😀'; " is 18 UTF-16 units; the call is 34 characters.
        assert_eq!(hints[0].position, Position { line: 1, character: 18 + 34 });
        assert_eq!(label(&hints[1]), "s3:PutObject +1");
        assert_eq!(hints[1].position, Position { line: 2, character: 29 });
        let Some(InlayHintTooltip::MarkupContent(tip)) = &hints[1].tooltip else { panic!("markdown tooltip") };
        assert!(tip.value.contains("`s3:AbortMultipartUpload` (Read) on `arn:aws:s3:::b/k`"), "{}", tip.value);
    }

    #[test]
    fn lazy_tooltips_come_from_resolve_for_the_same_version_only() {
        let text = "s3.get_object(Bucket='b', Key='k')\n";
        let c = call(text, "s3.get_object(Bucket='b', Key='k')", "get_object", "s3", "GetObject", None);
        let v = view(text, FileAnalysis { calls: vec![c], ..FileAnalysis::default() }, vec![requirement(0, "s3:GetObject", "arn:aws:s3:::b/k")]);
        let uri: Uri = "file:///w/app.py".parse().unwrap();
        let [hint] = &inlay_hints(&v, everything(), Encoding::Utf16, Tooltips::OnResolve(&uri))[..] else { panic!("one hint") };
        assert!(hint.tooltip.is_none());
        let data: HintData = serde_json::from_value(hint.data.clone().unwrap()).unwrap();
        assert_eq!(data, HintData { uri: uri.clone(), version: v.version, start: 0, end: 34 });
        let resolved = resolve(&v, hint.clone(), &data);
        let Some(InlayHintTooltip::MarkupContent(tip)) = &resolved.tooltip else { panic!("markdown tooltip") };
        assert!(tip.value.contains("`s3:GetObject` (Read) on `arn:aws:s3:::b/k`"), "{}", tip.value);
        let stale = HintData { version: v.version - 1, ..data };
        assert!(resolve(&v, hint.clone(), &stale).tooltip.is_none());
    }

    #[test]
    fn hints_outside_the_requested_range_are_left_out() {
        let text = "a.get_object()\nb.get_object()\n";
        let c1 = call(text, "a.get_object()", "get_object", "s3", "GetObject", None);
        let c2 = call(text, "b.get_object()", "get_object", "s3", "GetObject", None);
        let v = view(
            text,
            FileAnalysis { calls: vec![c1, c2], ..FileAnalysis::default() },
            vec![requirement(0, "s3:GetObject", "*"), requirement(1, "s3:GetObject", "*")],
        );
        let second_line = Range { start: Position { line: 1, character: 0 }, end: Position { line: 1, character: 99 } };
        let hints = inlay_hints(&v, second_line, Encoding::Utf16, Tooltips::Inline);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].position.line, 1);
    }

    #[test]
    fn calls_without_requirements_get_no_hint() {
        let text = "s3.get_object()\n";
        let c = call(text, "s3.get_object()", "get_object", "s3", "GetObject", None);
        let v = view(text, FileAnalysis { calls: vec![c], ..FileAnalysis::default() }, vec![]);
        assert!(inlay_hints(&v, everything(), Encoding::Utf16, Tooltips::Inline).is_empty());
    }
}
