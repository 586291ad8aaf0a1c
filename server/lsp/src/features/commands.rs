//! `workspace/executeCommand`: the commands editors and the MCP endpoint call.
//!
//! - `iamlens.generatePolicy` `{scope: "function"|"file"|"workspace", uri?, position?, merged?}`
//!   → the same JSON envelope as `iamlens generate-policies`: for the
//!   workspace, one policy per function its templates deploy (`merged`: one union).
//! - `iamlens.explain` `{uri, position}` → the calls at that spot with their
//!   actions, resources, templates, conditions and notes.
//! - `iamlens.fixAccessDenied` `{message, apply?: false, resourceOverride?}` → the parsed denial and the plan.
//! - `iamlens.uploadPolicy` `{scope?, uri?, position?, prefix?, update?, dryRun?, attachRole?}` → what was created in IAM.
//! - `iamlens.addToRolePolicy` `{action, resources, role?, apply?: false}` → the statement a
//!   `role-denies` diagnostic calls for; written to the role's inline policy only with `apply: true`.
//!
//! The last three talk to AWS and live in `lsp::aws_link`.
//!
//! Arguments are one JSON object (the first element of `arguments`).

use super::code_lens::in_scope;
use super::hover::calls_at;
use crate::state::{uri_to_path, ReportError, State, StillIndexing};
use crate::types::{invalid_params, request_failed, Position, RpcError, Uri};
use iamlens_engine::model::ScopeKind;
use iamlens_engine::{self as engine, FileReport, PolicyOptions, Warning};
use serde::Deserialize;
use serde_json::{json, Value as Json};

pub const GENERATE_POLICY: &str = "iamlens.generatePolicy";
pub const EXPLAIN: &str = "iamlens.explain";
pub const FIX_ACCESS_DENIED: &str = "iamlens.fixAccessDenied";
pub const UPLOAD_POLICY: &str = "iamlens.uploadPolicy";
pub const ADD_TO_ROLE_POLICY: &str = "iamlens.addToRolePolicy";
pub const CHECK_ROLE: &str = "iamlens.checkRole";

pub fn all() -> Vec<String> {
    [GENERATE_POLICY, EXPLAIN, FIX_ACCESS_DENIED, UPLOAD_POLICY, ADD_TO_ROLE_POLICY, CHECK_ROLE].iter().map(|s| s.to_string()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Function,
    File,
    Workspace,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeArgs {
    pub scope: Option<Scope>,
    pub uri: Option<Uri>,
    pub position: Option<Position>,
    /// Workspace scope with templates: one union policy instead of one per function.
    #[serde(default)]
    pub merged: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixArgs {
    pub message: String,
    #[serde(default)]
    pub apply: bool,
    pub resource_override: Option<String>,
    /// The id a preview (`apply: false`) returned: apply exactly that plan.
    pub plan_id: Option<String>,
}

/// The single argument object of a command; absent means `{}`.
pub fn argument<T: serde::de::DeserializeOwned>(command: &str, arguments: &[Json]) -> Result<T, RpcError> {
    let arg = arguments.first().cloned().unwrap_or_else(|| json!({}));
    serde_json::from_value(arg).map_err(|e| invalid_params(format!("{command}: bad arguments ({e}); expected {}", usage(command))))
}

fn usage(command: &str) -> &'static str {
    match command {
        GENERATE_POLICY => r#"{"scope": "function"|"file"|"workspace", "uri"?: string, "position"?: {"line", "character"}, "merged"?: bool}"#,
        EXPLAIN => r#"{"uri": string, "position": {"line", "character"}}"#,
        FIX_ACCESS_DENIED => r#"{"message": string, "apply"?: false, "resourceOverride"?: string}"#,
        UPLOAD_POLICY => {
            r#"{"scope"?: "function"|"file"|"workspace", "uri"?: string, "position"?: {...}, "prefix"?: string, "update"?: bool, "dryRun"?: bool, "attachRole"?: string}"#
        }
        ADD_TO_ROLE_POLICY => r#"{"action": "service:Action", "resources": [string], "role"?: string, "apply"?: false}"#,
        CHECK_ROLE => {
            r#"{"role"?: string, "scope"?: "function"|"file"|"workspace", "uri"?: string, "position"?: {...}, "allow"?: ["service:Action"]}"#
        }
        _ => "{}",
    }
}

impl ScopeArgs {
    /// The scope asked for: a file when only a URI is given, else the workspace.
    pub fn scope(&self) -> Scope {
        self.scope.unwrap_or(if self.uri.is_some() { Scope::File } else { Scope::Workspace })
    }
}

/// The reports a scope covers. The workspace scope answers from the index as
/// it is: callers wait for a running index first (`IndexGate::wait`) and say
/// so when it is still running. Blocking (CPU).
pub fn scoped_reports(state: &State, args: &ScopeArgs) -> Result<Vec<FileReport>, RpcError> {
    match args.scope() {
        // With templates, each function's files bound to its own environment (a file two functions run comes twice).
        Scope::Workspace => Ok(match state.live_project_now(None) {
            Some(project) => project.reports().into_owned(),
            None => state.live_reports_now(None),
        }),
        Scope::File => Ok(vec![file_report(state, need_uri(args)?)?]),
        Scope::Function => {
            let uri = need_uri(args)?;
            let position = args.position.ok_or_else(|| invalid_params("scope \"function\" needs a position inside the function"))?;
            let view = match state.document_view(uri) {
                Ok(view) => view,
                Err(ReportError::NotOpen) => {
                    return Err(invalid_params(format!("{} is not open; scope \"function\" works on open documents", uri.as_str())))
                }
                Err(ReportError::ContentModified) => return Err(content_modified()),
            };
            let offset = view.lines.offset(&view.text, position, state.encoding());
            let report = &view.report;
            let scope = report
                .analysis
                .scopes
                .iter()
                .filter(|s| s.kind != ScopeKind::Module && s.span.contains_byte(offset))
                .min_by_key(|s| s.span.end_byte - s.span.start_byte)
                .ok_or_else(|| {
                    invalid_params(format!(
                        "no function or class with AWS calls at line {}, character {}; use scope \"file\"",
                        position.line + 1,
                        position.character
                    ))
                })?;
            let mut only = (**report).clone();
            only.requirements.retain(|r| report.analysis.calls.get(r.call_index).is_some_and(|c| in_scope(c, scope)));
            only.analysis.findings.retain(|f| scope.span.start_byte <= f.span.start_byte && f.span.end_byte <= scope.span.end_byte);
            Ok(vec![only])
        }
    }
}

fn need_uri(args: &ScopeArgs) -> Result<&Uri, RpcError> {
    args.uri.as_ref().ok_or_else(|| invalid_params("this scope needs the document's \"uri\""))
}

pub fn content_modified() -> RpcError {
    RpcError { code: crate::types::ErrorCode::ServerError(-32801), message: "content modified; ask again".into(), data: None }
}

/// An open document's live report, else the file as saved on disk.
fn file_report(state: &State, uri: &Uri) -> Result<FileReport, RpcError> {
    match state.document_view(uri) {
        Ok(view) => Ok((*view.report).clone()),
        Err(ReportError::ContentModified) => Err(content_modified()),
        Err(ReportError::NotOpen) => {
            let path = uri_to_path(uri);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| invalid_params(format!("{}: cannot be read ({e}); open it or pass an existing file", path.display())))?;
            let opts = state.engine_options();
            let front_end = iamlens_languages::for_path(&path).unwrap_or(iamlens_languages::front_ends()[0]);
            Ok(state.workspace.with_index(front_end, |index| engine::report_for_source(&path, &text, front_end, index, &opts)))
        }
    }
}

pub fn policy_options(state: &State) -> PolicyOptions {
    let settings = state.settings();
    PolicyOptions { resource_cutoff: settings.resource_cutoff, resource_account: settings.account.clone(), ..PolicyOptions::default() }
}

/// `iamlens.generatePolicy`. Blocking (CPU). A workspace scope answered while
/// the index is still running carries an `IndexIncomplete` warning.
/// For the workspace, the templates' functions each get their own policy,
/// as `generate-policies` prints them.
pub fn generate_policy(state: &State, args: &ScopeArgs) -> Result<Json, RpcError> {
    let policy = policy_options(state);
    let project = if args.scope() == Scope::Workspace { state.live_project_now(None) } else { None };
    let (mut output, project) = match project {
        Some(project) => (project.output(&policy, args.merged, &[]), Some(project)),
        None => (engine::generate(&scoped_reports(state, args)?, &policy), None),
    };
    if args.scope() == Scope::Workspace {
        if let Some(still) = state.workspace.gate.still_indexing() {
            output.warnings.insert(0, index_incomplete_warning(state, still));
        }
    }
    match project {
        Some(project) => Ok(project.envelope(&output, &policy, args.merged)),
        None => serde_json::to_value(output).map_err(|e| request_failed(format!("cannot serialise the policy: {e}"))),
    }
}

fn index_incomplete_warning(state: &State, still: StillIndexing) -> Warning {
    let folders: Vec<String> = state.workspace.folders().iter().map(|f| f.display().to_string()).collect();
    Warning {
        file: folders.join(", "),
        line: 0,
        kind: "IndexIncomplete".into(),
        message: format!(
            "{still}: this policy covers the open files and the files indexed so far only; run the command again when indexing finishes"
        ),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExplainArgs {
    pub uri: Uri,
    pub position: Position,
}

/// `iamlens.explain`: the calls at a position. Blocking (CPU).
pub fn explain(state: &State, args: &ExplainArgs) -> Result<Json, RpcError> {
    let view = match state.document_view(&args.uri) {
        Ok(view) => view,
        Err(ReportError::NotOpen) => return Err(invalid_params(format!("{} is not open; open it first", args.uri.as_str()))),
        Err(ReportError::ContentModified) => return Err(content_modified()),
    };
    let offset = view.lines.offset(&view.text, args.position, state.encoding());
    let calls: Vec<Json> = calls_at(&view.report, offset)
        .into_iter()
        .map(|(index, call)| {
            let actions: Vec<Json> = view
                .report
                .requirements
                .iter()
                .filter(|r| r.call_index == index)
                .map(|r| {
                    json!({
                        "Action": r.action,
                        "AccessLevel": r.access_level,
                        "Resources": r.resources,
                        "ArnTemplates": r.arn_templates,
                        "Conditions": r.conditions.iter().map(|(op, key, values)| json!({"Operator": op, "Key": key, "Values": values})).collect::<Vec<_>>(),
                        "Note": r.note,
                    })
                })
                .collect();
            json!({
                "Service": call.service,
                "Operation": call.operation,
                "Call": call.text,
                "Line": call.span.start.line + 1,
                "Confidence": call.confidence,
                "Via": call.via,
                "Actions": actions,
            })
        })
        .collect();
    Ok(json!({"Calls": calls}))
}
