//! `explain_code`: a file (or pasted source) → every AWS call in it with its
//! location, operation, the IAM actions it needs and the resources they are
//! bound to, plus the findings (typos, ambiguous calls, dynamic resources).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use iamlens_engine::model::{CallVia, Confidence};
use iamlens_engine::{self as engine, EngineOptions, FileReport};

use super::{schemas, settings, ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ExplainCodeInput {
    /// Absolute path of a source file. Give this or `Source`.
    #[serde(default)]
    pub path: Option<String>,
    /// Source text to analyse instead of a file (e.g. code you are about to write).
    #[serde(default)]
    pub source: Option<String>,
    /// Language of `Source`: `python` (the default), `javascript`, `typescript`, `go`, `java`, or an LSP id.
    #[serde(default)]
    pub language: Option<String>,
    /// AWS region for resource ARNs (default `*`).
    #[serde(default)]
    pub region: Option<String>,
    /// 12-digit AWS account id for resource ARNs (default `*`).
    #[serde(default)]
    pub account: Option<String>,
}

pub fn output_schema() -> Value {
    let position = json!({"type": "integer", "minimum": 1});
    json!({
        "type": "object",
        "required": ["File", "ImportsAwsSdk", "Calls", "Findings"],
        "properties": {
            "File": {"type": "string"},
            "ImportsAwsSdk": {"type": "boolean"},
            "Calls": {"type": "array", "items": {
                "type": "object",
                "required": ["Line", "Column", "EndLine", "EndColumn", "Call", "Service", "Operation", "Via", "Confidence", "Actions"],
                "properties": {
                    "Line": position, "Column": position, "EndLine": position, "EndColumn": position,
                    "Call": {"type": "string"},
                    "Service": {"type": "string"},
                    "Operation": {"type": "string"},
                    "Via": {"type": "string"},
                    "Confidence": {"enum": ["High", "Medium", "Low"]},
                    "Scope": {"type": ["string", "null"]},
                    "Actions": {"type": "array", "items": {
                        "type": "object",
                        "required": ["Action", "Resources"],
                        "properties": {
                            "Action": {"type": "string"},
                            "Resources": {"type": "array", "items": {"type": "string"}},
                            "Conditions": {"type": "object"},
                            "AccessLevel": {"type": ["string", "null"]},
                            "Note": {"type": ["string", "null"]}
                        }
                    }}
                }
            }},
            "Findings": {"type": "array", "items": schemas::warning()}
        }
    })
}

/// What to analyse, validated.
pub enum Target {
    File(PathBuf),
    Source { name: PathBuf, text: String },
}

pub struct ExplainJob {
    pub target: Target,
    pub options: EngineOptions,
}

/// The `Language` values this build reads, for messages: "`python`" or
/// "`python`, `typescript` or `go`".
fn supported_languages() -> String {
    let names: Vec<String> = iamlens_languages::front_ends().iter().map(|f| format!("`{}`", f.language())).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

pub fn validate(input: ExplainCodeInput, base: Option<&Path>) -> Result<ExplainJob, ToolError> {
    let requirements = settings::requirement_settings(input.region.as_deref(), input.account.as_deref())?;
    let options = EngineOptions { requirements, service_hints: Vec::new(), environment: Default::default() };
    let front_end = match input.language.as_deref() {
        Some(language) => match iamlens_languages::for_language(language) {
            Some(front_end) => Some(front_end),
            None => return Err(ToolError::bad("Language", format!("`{language}` is not supported: use {}", supported_languages()))),
        },
        None => None,
    };
    let source_name = format!("<source>.{}", front_end.map_or("py", |f| f.file_extensions()[0]));
    let target = match (input.path, input.source) {
        (Some(_), Some(_)) => return Err(ToolError::bad("Source", "give either `Path` or `Source`, not both")),
        (None, None) => return Err(ToolError::bad("Path", "is required (or give the code as `Source`)")),
        (None, Some(text)) => Target::Source { name: PathBuf::from(source_name), text },
        (Some(raw), None) => {
            let path = PathBuf::from(raw.trim());
            if path.is_absolute() {
                Target::File(path)
            } else if let Some(base) = base {
                Target::File(base.join(path))
            } else {
                return Err(ToolError::bad("Path", format!("`{raw}` is relative: give an absolute path")));
            }
        }
    };
    Ok(ExplainJob { target, options })
}

/// Blocking. `live` is the editor's report for the file when it is open in
/// an embedded server's workspace (unsaved edits included).
pub fn run(job: ExplainJob, live: Option<FileReport>) -> ToolResult {
    let report = match (job.target, live) {
        (Target::File(_), Some(live)) => live,
        (Target::File(path), None) => {
            if path.is_dir() {
                return Err(ToolError::failed(format!(
                    "{} is a directory: explain_code takes one file (use generate_application_policies for a directory)",
                    path.display()
                )));
            }
            let mut reports =
                engine::analyze_paths_within(std::slice::from_ref(&path), iamlens_languages::front_ends(), &job.options, &super::WALK_LIMITS)
                    .map(|(reports, _)| reports)
                    .map_err(|e| ToolError::failed(e.to_string()))?;
            match reports.pop() {
                Some(report) => report,
                None => return Err(ToolError::failed(format!("{} is not a source file iamlens analyses (Python `.py` today)", path.display()))),
            }
        }
        (Target::Source { name, text }, _) => {
            let front_end = iamlens_languages::for_path(&name).unwrap_or(iamlens_languages::front_ends()[0]);
            engine::report_for_source(&name, &text, front_end, front_end.new_index().as_ref(), &job.options)
        }
    };
    Ok(report_json(&report))
}

pub fn report_json(report: &FileReport) -> Value {
    let calls: Vec<Value> = report
        .analysis
        .calls
        .iter()
        .enumerate()
        .map(|(index, call)| {
            let actions: Vec<Value> = report
                .requirements
                .iter()
                .filter(|r| r.call_index == index)
                .map(|r| {
                    let mut conditions = Map::new();
                    for (operator, key, values) in &r.conditions {
                        let entry = conditions.entry(operator.clone()).or_insert_with(|| json!({}));
                        entry[key.as_str()] = json!(values);
                    }
                    json!({
                        "Action": r.action,
                        "Resources": r.resources,
                        "Conditions": conditions,
                        "AccessLevel": r.access_level,
                        "Note": r.note,
                    })
                })
                .collect();
            json!({
                "Line": call.span.start.line + 1,
                "Column": call.span.start.column + 1,
                "EndLine": call.span.end.line + 1,
                "EndColumn": call.span.end.column + 1,
                "Call": call.text,
                "Service": call.service,
                "Operation": call.operation,
                "Via": via_name(&call.via),
                "Confidence": confidence_name(call.confidence),
                "Scope": call.scope,
                "Actions": actions,
            })
        })
        .collect();
    let findings = engine::warnings(std::slice::from_ref(report));
    json!({
        "File": report.path.display().to_string(),
        "ImportsAwsSdk": report.analysis.imports_aws_sdk,
        "Calls": calls,
        "Findings": findings,
    })
}

fn via_name(via: &CallVia) -> String {
    match via {
        CallVia::Client => "Client".into(),
        CallVia::Paginator { method } => format!("Paginator({method})"),
        CallVia::Waiter { name } => format!("Waiter({name})"),
        CallVia::Injected { method } => format!("Injected({method})"),
        CallVia::Resource { resource, action } => format!("Resource({resource}.{action})"),
    }
}

fn confidence_name(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "High",
        Confidence::Medium => "Medium",
        Confidence::Low => "Low",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: Option<&str>, source: Option<&str>) -> ExplainCodeInput {
        ExplainCodeInput { path: path.map(str::to_string), source: source.map(str::to_string), language: None, region: None, account: None }
    }

    #[test]
    fn needs_exactly_one_of_path_and_source() {
        assert!(matches!(validate(input(None, None), None), Err(ToolError::BadArgument { argument: "Path", .. })));
        assert!(matches!(validate(input(Some("/a.py"), Some("x")), None), Err(ToolError::BadArgument { argument: "Source", .. })));
        assert!(matches!(validate(input(Some("a.py"), None), None), Err(ToolError::BadArgument { argument: "Path", .. })));
    }

    #[test]
    fn unsupported_language_is_named() {
        let mut i = input(None, Some("x"));
        i.language = Some("cobol".into());
        assert!(matches!(validate(i, None), Err(ToolError::BadArgument { argument: "Language", .. })));
    }

    #[test]
    fn code_without_an_aws_import_has_no_calls() {
        let job = validate(input(None, Some("db.get_item(Key={'id': 1})\n")), None).unwrap();
        let out = run(job, None).unwrap();
        assert_eq!(out["ImportsAwsSdk"], false);
        assert_eq!(out["Calls"], json!([]));
    }

    #[test]
    fn missing_file_is_a_failure_naming_it() {
        let job = validate(input(Some("/nonexistent/iamlens/x.py"), None), None).unwrap();
        assert!(matches!(run(job, None), Err(ToolError::Failed(m)) if m.contains("/nonexistent/iamlens/x.py")));
    }
}
