//! Code lenses: on each function, class and module that makes AWS calls, a
//! summary (`IAM: 5 actions · 3 services`) bound to the generate-policy
//! command for that scope.

use super::range_of;
use crate::positions::Encoding;
use crate::state::DocumentView;
use crate::types::{CodeLens, Command, Uri};
use iamlens_engine::model::{CodeScope, ScopeKind, SdkCall};
use iamlens_engine::FileReport;
use serde_json::json;
use std::collections::BTreeSet;

pub const GENERATE_POLICY: &str = "iamlens.generatePolicy";

/// True when `call` is inside `scope` (a function's nested defs included).
pub fn in_scope(call: &SdkCall, scope: &CodeScope) -> bool {
    match (&scope.name, &call.scope) {
        (None, _) => true,
        (Some(name), Some(call_scope)) => call_scope == name || (call_scope.starts_with(name.as_str()) && call_scope[name.len()..].starts_with('.')),
        (Some(_), None) => false,
    }
}

/// Distinct actions needed by the calls of a scope.
pub fn scope_actions<'r>(report: &'r FileReport, scope: &CodeScope) -> BTreeSet<&'r str> {
    report
        .requirements
        .iter()
        .filter(|r| report.analysis.calls.get(r.call_index).is_some_and(|c| in_scope(c, scope)))
        .map(|r| r.action.as_str())
        .collect()
}

pub fn summary(actions: &BTreeSet<&str>) -> String {
    let services: BTreeSet<&str> = actions.iter().filter_map(|a| a.split(':').next()).collect();
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    format!("IAM: {} · {}", plural(actions.len(), "action"), plural(services.len(), "service"))
}

pub fn code_lenses(view: &DocumentView, uri: &Uri, enc: Encoding) -> Vec<CodeLens> {
    let report = &view.report;
    let mut lenses = Vec::new();
    for scope in &report.analysis.scopes {
        let actions = scope_actions(report, scope);
        if actions.is_empty() {
            continue;
        }
        let range = range_of(view, &scope.name_span, enc);
        let argument = match scope.kind {
            ScopeKind::Module => json!({"scope": "file", "uri": uri.as_str()}),
            ScopeKind::Function | ScopeKind::Class => json!({"scope": "function", "uri": uri.as_str(), "position": range.start}),
        };
        lenses.push(CodeLens {
            range,
            command: Some(Command { title: summary(&actions), command: GENERATE_POLICY.into(), arguments: Some(vec![argument]) }),
            data: None,
        });
    }
    lenses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_actions_and_services_with_plurals() {
        let a: BTreeSet<&str> = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"].into_iter().collect();
        assert_eq!(summary(&a), "IAM: 3 actions · 2 services");
        let one: BTreeSet<&str> = ["s3:GetObject"].into_iter().collect();
        assert_eq!(summary(&one), "IAM: 1 action · 1 service");
    }
}
