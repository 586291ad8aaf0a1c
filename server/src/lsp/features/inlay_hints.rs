//! Inlay hints: at the end of each resolved call, the actions it needs
//! (`s3:GetObject`, or `s3:GetObject +2`), with a markdown tooltip listing
//! each action, its resource ARN as bound from the code, and conditions.

use super::{call_sites, range_of, requirement_markdown};
use crate::lsp::positions::Encoding;
use crate::lsp::state::DocumentView;
use crate::lsp::types::{InlayHint, InlayHintLabel, InlayHintTooltip, MarkupContent, MarkupKind, Range};

pub fn inlay_hints(view: &DocumentView, range: Range, enc: Encoding) -> Vec<InlayHint> {
    let mut hints = Vec::new();
    for site in call_sites(&view.report) {
        let actions = site.actions();
        let Some(first) = actions.first() else { continue };
        let position = range_of(view, &site.span, enc).end;
        if position < range.start || position > range.end {
            continue;
        }
        let label = match actions.len() {
            1 => first.to_string(),
            n => format!("{first} +{}", n - 1),
        };
        let tooltip: Vec<String> = site.requirements.iter().map(|r| format!("- {}", requirement_markdown(r))).collect();
        hints.push(InlayHint {
            position,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!("**IAM permissions for this call**\n\n{}", tooltip.join("\n")),
            })),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    hints
}
