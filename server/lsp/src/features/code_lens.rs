//! Code lenses: on each function, class and module that makes AWS calls, a
//! summary (`IAM: 5 actions · 3 services`) bound to the generate-policy
//! command for that scope. In a file the workspace's templates deploy, the
//! summary names the functions that run it and the resources their
//! environment gives the scope's calls (`· GetOrderFunction ← OrdersTable`);
//! functions that bind them differently are each named with their own, as
//! none of them is the answer for the file.

use super::range_of;
use crate::deployed::RunningFunction;
use crate::positions::Encoding;
use crate::state::DocumentView;
use crate::types::{CodeLens, Command, Uri};
use iamlens_engine::environment::Environment;
use iamlens_engine::model::{CodeScope, ScopeKind, SdkCall, TextPart};
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

/// Which functions run a scope and what their environments give its calls:
/// `GetOrderFunction ← OrdersTable`, `A, B ← OrdersTable` when they agree,
/// `differs by function: A ← OrdersTable; B ← ArchiveTable` when not.
/// `None` for code no function of the templates runs.
pub fn deployment_note(report: &FileReport, scope: &CodeScope, running: &[RunningFunction]) -> Option<String> {
    if running.is_empty() {
        return None;
    }
    let mut variables: Vec<&str> = Vec::new();
    for used in &report.environment {
        let in_this_scope = report.analysis.calls.get(used.call_index).is_some_and(|c| in_scope(c, scope));
        if in_this_scope && !variables.contains(&used.variable.as_str()) {
            variables.push(&used.variable);
        }
    }
    // Functions grouped by what they bind the scope's variables to, in the templates' order.
    let mut groups: Vec<(Vec<&str>, Vec<String>)> = Vec::new();
    for function in running {
        let bound: Vec<String> = variables.iter().map(|v| bound_to(&function.environment, v)).collect();
        match groups.iter_mut().find(|(_, b)| *b == bound) {
            Some((ids, _)) => ids.push(&function.id),
            None => groups.push((vec![&function.id], bound)),
        }
    }
    let group = |(ids, bound): &(Vec<&str>, Vec<String>)| {
        let mut distinct: Vec<&str> = Vec::new();
        for b in bound {
            if !distinct.contains(&b.as_str()) {
                distinct.push(b);
            }
        }
        match distinct.is_empty() {
            true => ids.join(", "),
            false => format!("{} ← {}", ids.join(", "), distinct.join(", ")),
        }
    };
    Some(match groups.as_slice() {
        [one] => group(one),
        many => format!("differs by function: {}", many.iter().map(group).collect::<Vec<_>>().join("; ")),
    })
}

/// How a lens names what a function's `variable` holds: the resource it
/// comes from, else its value (`*` where the templates do not know it).
fn bound_to(environment: &Environment, variable: &str) -> String {
    match environment.get(variable) {
        Some(bound) => match &bound.origin {
            Some(origin) => origin.clone(),
            None => {
                let value: String = bound
                    .value
                    .iter()
                    .map(|p| match p {
                        TextPart::Literal(s) => s.as_str(),
                        _ => "*",
                    })
                    .collect();
                format!("{variable}={value}")
            }
        },
        None => format!("{variable} unset"),
    }
}

pub fn code_lenses(view: &DocumentView, uri: &Uri, enc: Encoding, running: &[RunningFunction]) -> Vec<CodeLens> {
    let report = &view.report;
    let mut lenses = Vec::new();
    for scope in &report.analysis.scopes {
        let actions = scope_actions(report, scope);
        if actions.is_empty() {
            continue;
        }
        let title = match deployment_note(report, scope, running) {
            Some(note) => format!("{} · {note}", summary(&actions)),
            None => summary(&actions),
        };
        let range = range_of(view, &scope.name_span, enc);
        let argument = match scope.kind {
            ScopeKind::Module => json!({"scope": "file", "uri": uri.as_str()}),
            ScopeKind::Function | ScopeKind::Class => json!({"scope": "function", "uri": uri.as_str(), "position": range.start}),
        };
        lenses.push(CodeLens {
            range,
            command: Some(Command { title, command: GENERATE_POLICY.into(), arguments: Some(vec![argument]) }),
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

    use super::super::fixture::{call, requirement, span_of, view};
    use iamlens_engine::environment::{BoundVariable, EnvironmentUse};
    use iamlens_engine::model::FileAnalysis;

    const APP: &str = "import os, boto3\ndef handler(e, c):\n    boto3.client('dynamodb').get_item(TableName=os.environ['TABLE'], Key={})\n";

    /// `app.py` with one call reading `TABLE`, in function `handler`.
    fn lenses_with(running: &[RunningFunction]) -> Vec<String> {
        let call =
            call(APP, "boto3.client('dynamodb').get_item(TableName=os.environ['TABLE'], Key={})", "get_item", "dynamodb", "GetItem", Some("handler"));
        let module = CodeScope { kind: ScopeKind::Module, name: None, span: span_of(APP, APP), name_span: span_of(APP, "import") };
        let function =
            CodeScope { kind: ScopeKind::Function, name: Some("handler".into()), span: span_of(APP, APP), name_span: span_of(APP, "handler") };
        let analysis = FileAnalysis { calls: vec![call], scopes: vec![module, function], ..Default::default() };
        let mut v = view(APP, analysis, vec![requirement(0, "dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*")]);
        let used = EnvironmentUse { call_index: 0, member: "TableName".into(), variable: "TABLE".into(), bound: false, origin: None };
        std::sync::Arc::get_mut(&mut v.report).unwrap().environment = vec![used];
        let uri: Uri = "file:///w/app.py".parse().unwrap();
        code_lenses(&v, &uri, Encoding::Utf16, running).into_iter().map(|l| l.command.unwrap().title).collect()
    }

    fn function(id: &str, table: Option<(&str, Option<&str>)>) -> RunningFunction {
        let mut environment = Environment::new();
        if let Some((value, origin)) = table {
            let value = vec![TextPart::Literal(value.into())];
            environment.set("TABLE", BoundVariable { value, origin: origin.map(str::to_string) });
        }
        RunningFunction { id: id.into(), environment }
    }

    #[test]
    fn lenses_name_the_function_and_the_resource_its_environment_binds() {
        let titles = lenses_with(&[function("GetOrderFunction", Some(("dev-orders", Some("OrdersTable"))))]);
        assert_eq!(titles, vec!["IAM: 1 action · 1 service · GetOrderFunction ← OrdersTable"; 2]);
    }

    #[test]
    fn functions_that_agree_are_named_together() {
        let same = Some(("dev-orders", Some("OrdersTable")));
        let titles = lenses_with(&[function("GetOrderFunction", same), function("AuditFunction", same)]);
        assert_eq!(titles[0], "IAM: 1 action · 1 service · GetOrderFunction, AuditFunction ← OrdersTable");
    }

    #[test]
    fn functions_that_bind_differently_are_each_named_with_their_own() {
        let titles = lenses_with(&[
            function("GetOrderFunction", Some(("dev-orders", Some("OrdersTable")))),
            function("ArchiveFunction", Some(("archive", None))),
            function("ReplayFunction", None),
        ]);
        assert_eq!(
            titles[0],
            "IAM: 1 action · 1 service · differs by function: GetOrderFunction ← OrdersTable; ArchiveFunction ← TABLE=archive; ReplayFunction ← TABLE unset"
        );
    }

    #[test]
    fn code_no_function_runs_keeps_the_plain_summary() {
        assert_eq!(lenses_with(&[]), vec!["IAM: 1 action · 1 service"; 2]);
    }
}
