//! `workspace_policy` (embedded mode only): the least-privilege policy for
//! the live workspace as the editor has it (unsaved edits included), or for
//! one folder of it. Reports come from the language server, computed with
//! the editor's settings (region, account, service hints).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{LiveProject, LiveWorkspace};
use iamlens_engine::PolicyOptions;

use super::{generate, schemas, settings, ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct WorkspacePolicyInput {
    /// A folder of the workspace (absolute, or relative to the first workspace folder); default: the whole workspace.
    #[serde(default)]
    pub folder: Option<String>,
    /// More ARNs than this for one action collapse to a wildcard (default 4).
    #[serde(default)]
    pub resource_cutoff: Option<usize>,
    /// Group statements by resource across services (fewer, larger statements).
    #[serde(default)]
    pub minimize_policy_size: Option<bool>,
    /// Explain why actions matching these IAM globs (`s3:Get*`, `*`) are needed: file, line, call.
    #[serde(default)]
    pub explain: Option<Vec<String>>,
    /// When the workspace's templates deploy functions: one policy for every function together
    /// instead of one per function.
    #[serde(default)]
    pub merged: Option<bool>,
}

pub fn output_schema() -> Value {
    let mut schema = schemas::generate_output();
    schema["required"] = json!(["Policies", "Warnings", "Files"]);
    schema["properties"]["Files"] = json!({"type": "array", "items": {"type": "string"}});
    schema["properties"]["Folder"] = json!({"type": ["string", "null"]});
    schema["properties"]["Incomplete"] = json!({
        "type": ["string", "null"],
        "description": "Why the policy may miss files (the workspace index was still running); null when complete."
    });
    schema
}

pub struct WorkspaceJob {
    pub folder: Option<PathBuf>,
    pub policy: PolicyOptions,
    pub explain: Vec<String>,
    pub merged: bool,
}

pub fn validate(input: WorkspacePolicyInput, roots: &[PathBuf]) -> Result<WorkspaceJob, ToolError> {
    let folder = match input.folder.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(raw) => {
            let path = Path::new(raw);
            let path = if path.is_absolute() {
                path.to_path_buf()
            } else {
                match roots.first() {
                    Some(root) => root.join(path),
                    None => return Err(ToolError::bad("Folder", "is relative but the editor opened no workspace folder")),
                }
            };
            if !roots.iter().any(|root| path.starts_with(root)) {
                let open: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
                return Err(ToolError::bad(
                    "Folder",
                    format!("`{raw}` is not inside the workspace ({})", if open.is_empty() { "no folders open".into() } else { open.join(", ") }),
                ));
            }
            Some(path)
        }
    };
    let policy = settings::policy_options(input.resource_cutoff, input.minimize_policy_size, None)?;
    Ok(WorkspaceJob { folder, policy, explain: input.explain.unwrap_or_default(), merged: input.merged.unwrap_or(false) })
}

/// Blocking: the language server computes reports for open documents.
pub fn run(job: WorkspaceJob, workspace: &dyn LiveWorkspace) -> ToolResult {
    if let Some(folder) = &job.folder {
        if !folder.is_dir() {
            return Err(ToolError::failed(format!("{} is not a folder: give a folder of the workspace", folder.display())));
        }
    }
    let policy = PolicyOptions { resource_account: job.policy.resource_account.clone().or_else(|| workspace.account()), ..job.policy.clone() };
    let (mut out, files, incomplete) = match workspace.per_function(job.folder.as_deref()) {
        // The path `generate-policies` takes: one policy per function, each with its own environment bound.
        Some(LiveProject { project, incomplete }) => {
            let output = project.output(&policy, job.merged, &job.explain);
            let files: std::collections::BTreeSet<PathBuf> = project.reports().iter().map(|r| r.path.clone()).collect();
            (project.envelope(&output, &policy, job.merged), files.into_iter().collect(), incomplete)
        }
        None => {
            let live = workspace.reports(job.folder.as_deref());
            let files: Vec<PathBuf> = live.reports.iter().map(|r| r.path.clone()).collect();
            (generate::envelope(&live.reports, &policy, &job.explain), files, live.incomplete)
        }
    };
    out["Files"] = json!(files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>());
    out["Folder"] = json!(job.folder.map(|f| f.display().to_string()));
    out["Incomplete"] = json!(incomplete);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamlens_engine::FileReport;

    fn input(folder: Option<&str>) -> WorkspacePolicyInput {
        WorkspacePolicyInput { folder: folder.map(str::to_string), resource_cutoff: None, minimize_policy_size: None, explain: None, merged: None }
    }

    #[test]
    fn folders_must_be_inside_the_workspace() {
        let roots = vec![PathBuf::from("/ws")];
        assert_eq!(validate(input(Some("src")), &roots).unwrap().folder, Some(PathBuf::from("/ws/src")));
        assert_eq!(validate(input(Some("/ws/lib")), &roots).unwrap().folder, Some(PathBuf::from("/ws/lib")));
        assert!(validate(input(None), &roots).unwrap().folder.is_none());
        assert!(matches!(validate(input(Some("/etc")), &roots), Err(ToolError::BadArgument { argument: "Folder", .. })));
        assert!(matches!(validate(input(Some("src")), &[]), Err(ToolError::BadArgument { argument: "Folder", .. })));
    }

    struct Fixed(Vec<FileReport>, Option<&'static str>);

    impl LiveWorkspace for Fixed {
        fn roots(&self) -> Vec<PathBuf> {
            vec![PathBuf::from("/ws")]
        }
        fn reports(&self, folder: Option<&Path>) -> crate::LiveReports {
            crate::LiveReports {
                reports: self.0.iter().filter(|r| folder.is_none_or(|f| r.path.starts_with(f))).cloned().collect(),
                incomplete: self.1.map(str::to_string),
            }
        }
    }

    #[test]
    fn lists_the_files_it_used() {
        let report = |p: &str| FileReport { path: PathBuf::from(p), analysis: Default::default(), requirements: vec![], environment: vec![] };
        let ws = Fixed(vec![report("/ws/a.py"), report("/ws/b.py")], None);
        let out = run(validate(input(None), &ws.roots()).unwrap(), &ws).unwrap();
        assert_eq!(out["Files"], json!(["/ws/a.py", "/ws/b.py"]));
        assert_eq!(out["Folder"], Value::Null);
        assert_eq!(out["Incomplete"], Value::Null);
        assert!(out["Policies"].is_array());
    }

    #[test]
    fn an_answer_from_a_partial_index_says_so() {
        let report = |p: &str| FileReport { path: PathBuf::from(p), analysis: Default::default(), requirements: vec![], environment: vec![] };
        let ws = Fixed(vec![report("/ws/a.py")], Some("the workspace index is still running (10/900 files)"));
        let out = run(validate(input(None), &ws.roots()).unwrap(), &ws).unwrap();
        assert_eq!(out["Incomplete"], json!("the workspace index is still running (10/900 files)"));
        assert_eq!(out["Files"], json!(["/ws/a.py"]));
        let schema = output_schema();
        assert!(jsonschema_accepts(&schema, &out));
    }

    /// The declared output schema admits the value (required keys and the types of the top-level properties).
    fn jsonschema_accepts(schema: &Value, value: &Value) -> bool {
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        required.iter().all(|k| value.get(k.as_str().unwrap_or_default()).is_some())
            && schema["properties"]["Incomplete"]["type"].as_array().is_some_and(|t| t.contains(&json!("string")))
    }
}
