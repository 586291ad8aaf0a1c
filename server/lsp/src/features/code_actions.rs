//! Code actions: quick fixes for the diagnostics (replace a typo'd method or
//! service name with the nearest real one), and the policy actions
//! "Generate IAM policy for this function / file / workspace" and
//! "Upload policy to IAM…", and for each `role-denies` diagnostic
//! "Add <action> on <resource> to a policy" (shows the statement) with its
//! confirmed form that writes it to the role's inline policy.

use super::code_lens::GENERATE_POLICY;
use super::commands::{ADD_TO_ROLE_POLICY, UPLOAD_POLICY};
use super::range_of;
use crate::positions::Encoding;
use crate::state::DocumentView;
use crate::types::{CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, NumberOrString, Range, TextEdit, Uri, WorkspaceEdit};
use iamlens_engine::model::{FindingKind, ScopeKind};
use serde_json::json;
use std::collections::HashMap;

pub fn policy_kind() -> CodeActionKind {
    CodeActionKind::new("source.iamlens")
}

pub fn code_actions(view: &DocumentView, uri: &Uri, range: Range, context: &[Diagnostic], enc: Encoding) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    quick_fixes(view, uri, range, context, enc, &mut out);
    role_actions(range, context, &mut out);
    policy_actions(view, uri, range, enc, &mut out);
    out
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn quick_fixes(view: &DocumentView, uri: &Uri, range: Range, context: &[Diagnostic], enc: Encoding, out: &mut Vec<CodeActionOrCommand>) {
    for finding in &view.report.analysis.findings {
        let (wrong, suggestions) = match &finding.kind {
            FindingKind::UnknownMethod { method, suggestions, .. } => (method, suggestions),
            FindingKind::UnknownService { name, suggestions } => (name, suggestions),
            _ => continue,
        };
        let finding_range = range_of(view, &finding.span, enc);
        if !overlaps(finding_range, range) {
            continue;
        }
        // The name's own bytes inside the finding's span: the last occurrence,
        // since the method name follows the receiver.
        let text = view.text.get(finding.span.start_byte..finding.span.end_byte).unwrap_or("");
        let Some(rel) = text.rfind(wrong.as_str()) else { continue };
        let start = finding.span.start_byte + rel;
        let name_range = Range { start: view.lines.position(&view.text, start, enc), end: view.lines.position(&view.text, start + wrong.len(), enc) };
        let diagnostics: Vec<Diagnostic> = context.iter().filter(|d| d.range == finding_range).cloned().collect();
        for (i, suggestion) in suggestions.iter().enumerate() {
            let edit = TextEdit { range: name_range, new_text: suggestion.clone() };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Change `{wrong}` to `{suggestion}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(diagnostics.clone()),
                edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), vec![edit])])), ..WorkspaceEdit::default() }),
                is_preferred: Some(i == 0),
                ..CodeAction::default()
            }));
        }
    }
}

/// For each `role-denies` diagnostic at the range: the statement it calls
/// for (nothing written), and the same with `apply: true`, titled so the user
/// knows choosing it writes to IAM.
fn role_actions(range: Range, context: &[Diagnostic], out: &mut Vec<CodeActionOrCommand>) {
    for diagnostic in context {
        if diagnostic.code != Some(NumberOrString::String("role-denies".into())) || !overlaps(diagnostic.range, range) {
            continue;
        }
        let Some(data) = &diagnostic.data else { continue };
        let (Some(action), Some(role)) = (data.get("action").and_then(|a| a.as_str()), data.get("role").and_then(|r| r.as_str())) else { continue };
        let resources: Vec<&str> = data.get("resources").and_then(|r| r.as_array()).into_iter().flatten().filter_map(|r| r.as_str()).collect();
        if resources.is_empty() {
            continue;
        }
        let on = resources.join(", ");
        let policy = iamlens_engine::denied::inline_policy_name(role);
        for (title, apply) in [
            (format!("Add {action} on {on} to a policy"), false),
            (format!("Add {action} on {on} to inline policy {policy} of role `{role}` (writes to IAM)"), true),
        ] {
            let argument = json!({"action": action, "resources": resources, "role": role, "apply": apply});
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                command: Some(Command { title, command: ADD_TO_ROLE_POLICY.into(), arguments: Some(vec![argument]) }),
                ..CodeAction::default()
            }));
        }
    }
}

fn policy_actions(view: &DocumentView, uri: &Uri, range: Range, enc: Encoding, out: &mut Vec<CodeActionOrCommand>) {
    if !view.report.analysis.imports_aws_sdk {
        return; // Code that cannot call AWS gets no policy actions.
    }
    let offset = view.lines.offset(&view.text, range.start, enc);
    let function = view
        .report
        .analysis
        .scopes
        .iter()
        .filter(|s| s.kind != ScopeKind::Module && s.span.contains_byte(offset))
        .min_by_key(|s| s.span.end_byte - s.span.start_byte);
    let mut push = |title: String, command: &str, argument: serde_json::Value| {
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: title.clone(),
            kind: Some(policy_kind()),
            command: Some(Command { title, command: command.into(), arguments: Some(vec![argument]) }),
            ..CodeAction::default()
        }));
    };
    if let Some(scope) = function {
        let what = if scope.kind == ScopeKind::Class { "class" } else { "function" };
        let name = scope.name.as_deref().unwrap_or("?");
        push(
            format!("Generate IAM policy for {what} `{name}`"),
            GENERATE_POLICY,
            json!({"scope": "function", "uri": uri.as_str(), "position": range.start}),
        );
    }
    push("Generate IAM policy for this file".into(), GENERATE_POLICY, json!({"scope": "file", "uri": uri.as_str()}));
    push("Generate IAM policy for the workspace".into(), GENERATE_POLICY, json!({"scope": "workspace"}));
    push("Upload policy to IAM…".into(), UPLOAD_POLICY, json!({"scope": "file", "uri": uri.as_str()}));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_denies_diagnostic_gets_a_preview_and_a_confirmed_add_to_policy_action() {
        let at = |line| Range { start: Position { line, character: 4 }, end: Position { line, character: 30 } };
        let denied = Diagnostic {
            range: at(3),
            code: Some(NumberOrString::String("role-denies".into())),
            data: Some(json!({"action": "s3:GetObject", "resources": ["arn:aws:s3:::b/k"], "role": "app"})),
            ..Diagnostic::default()
        };
        let typo = Diagnostic { range: at(3), code: Some(NumberOrString::String("unknown-method".into())), ..Diagnostic::default() };
        let mut out = Vec::new();
        role_actions(at(3), &[typo, denied.clone()], &mut out);
        let mut elsewhere = Vec::new();
        role_actions(at(7), std::slice::from_ref(&denied), &mut elsewhere);
        assert!(elsewhere.is_empty(), "only at the diagnostic's range");
        let actions: Vec<&CodeAction> = out
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a,
                _ => panic!(),
            })
            .collect();
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[0].title, "Add s3:GetObject on arn:aws:s3:::b/k to a policy");
        assert_eq!(actions[0].diagnostics.as_deref(), Some(&[denied][..]));
        let args = |a: &CodeAction| a.command.as_ref().unwrap().arguments.as_ref().unwrap()[0].clone();
        assert_eq!(args(actions[0]), json!({"action": "s3:GetObject", "resources": ["arn:aws:s3:::b/k"], "role": "app", "apply": false}));
        assert!(actions[1].title.ends_with("to inline policy iamlens-app of role `app` (writes to IAM)"), "{}", actions[1].title);
        assert_eq!(args(actions[1])["apply"], json!(true));
    }
    use crate::features::fixture::*;
    use crate::types::Position;
    use iamlens_engine::model::{CodeScope, FileAnalysis, Finding};

    #[test]
    fn unknown_method_gets_one_quick_fix_per_suggestion_replacing_just_the_name() {
        let text = "import boto3\ns3 = boto3.client('s3')\ndef run():\n    s3.get_objects(Bucket='b')\n";
        let finding = Finding {
            span: span_of(text, "s3.get_objects(Bucket='b')"),
            kind: FindingKind::UnknownMethod {
                service: "s3".into(),
                method: "get_objects".into(),
                suggestions: vec!["get_object".into(), "list_objects".into()],
            },
            message: "s3 has no method get_objects".into(),
        };
        let scope = CodeScope {
            kind: ScopeKind::Function,
            name: Some("run".into()),
            span: span_of(text, "def run():\n    s3.get_objects(Bucket='b')"),
            name_span: span_of(text, "run"),
        };
        let v = view(text, FileAnalysis { imports_aws_sdk: true, findings: vec![finding], scopes: vec![scope], ..FileAnalysis::default() }, vec![]);
        let uri: Uri = "file:///w/app.py".parse().unwrap();
        let at = Range { start: Position { line: 3, character: 8 }, end: Position { line: 3, character: 8 } };
        let actions = code_actions(&v, &uri, at, &[], Encoding::Utf16);
        let CodeActionOrCommand::CodeAction(first) = &actions[0] else { panic!() };
        assert_eq!(first.title, "Change `get_objects` to `get_object`");
        assert_eq!(first.is_preferred, Some(true));
        let edits = &first.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        assert_eq!(edits[0].range, Range { start: Position { line: 3, character: 7 }, end: Position { line: 3, character: 18 } });
        assert_eq!(edits[0].new_text, "get_object");
        let titles: Vec<&str> = actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.as_str(),
                CodeActionOrCommand::Command(c) => c.title.as_str(),
            })
            .collect();
        assert_eq!(titles[1], "Change `get_objects` to `list_objects`");
        assert!(titles.contains(&"Generate IAM policy for function `run`"), "{titles:?}");
        assert!(titles.contains(&"Generate IAM policy for this file"));
        assert!(titles.contains(&"Generate IAM policy for the workspace"));
        assert!(titles.contains(&"Upload policy to IAM…"));
    }
}
