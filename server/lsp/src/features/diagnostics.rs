//! Diagnostics from the analysis findings: unknown method on a resolved client
//! (error, with the nearest names for a quick fix), unknown service (error),
//! ambiguous receiver (information, listing candidates), resource left as a
//! wildcard because a value is dynamic (hint), and a file that only partly parsed.

use super::range_of;
use crate::positions::Encoding;
use crate::state::DocumentView;
use crate::types::{Diagnostic, DiagnosticSeverity, NumberOrString};
use iamlens_engine::model::FindingKind;
use serde_json::json;

pub const SOURCE: &str = "iamlens";

pub fn diagnostics(view: &DocumentView, enc: Encoding) -> Vec<Diagnostic> {
    view.report
        .analysis
        .findings
        .iter()
        .map(|f| {
            let (severity, code, data) = match &f.kind {
                FindingKind::UnknownMethod { method, suggestions, .. } => {
                    (DiagnosticSeverity::ERROR, "unknown-method", Some(json!({"replace": method, "suggestions": suggestions})))
                }
                FindingKind::UnknownService { name, suggestions } => {
                    (DiagnosticSeverity::ERROR, "unknown-service", Some(json!({"replace": name, "suggestions": suggestions})))
                }
                FindingKind::Ambiguous { candidates, .. } => {
                    (DiagnosticSeverity::INFORMATION, "ambiguous-receiver", Some(json!({"candidates": candidates})))
                }
                FindingKind::DynamicResource { .. } => (DiagnosticSeverity::HINT, "dynamic-resource", None),
                FindingKind::SyntaxError => (DiagnosticSeverity::INFORMATION, "syntax-error", None),
                // Left out of the policy: a permission may be missing at run time.
                FindingKind::UnresolvedCall { candidates, .. } => {
                    (DiagnosticSeverity::WARNING, "unresolved-call", Some(json!({"candidates": candidates})))
                }
            };
            Diagnostic {
                range: range_of(view, &f.span, enc),
                severity: Some(severity),
                code: Some(NumberOrString::String(code.into())),
                source: Some(SOURCE.into()),
                message: f.message.clone(),
                data,
                ..Diagnostic::default()
            }
        })
        .collect()
}
