//! `check_role`: would this IAM role allow what the code does? Reads the
//! role's policies and permissions boundary from IAM (read-only), then decides
//! every call site locally with the evaluator, like `iamlens check --role`.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_engine::evaluator::RolePolicies;
use iamlens_engine::role_check::{check_role, role_engine_options};
use iamlens_engine::{self as engine, FileReport};

use super::{ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CheckRoleInput {
    /// The role the code runs as: its name (`app-role`) or ARN.
    pub role_name: String,
    /// Absolute paths of source files or directories. In an editor-embedded server, default: the live workspace.
    #[serde(default)]
    pub source_files: Option<Vec<String>>,
    /// Region the code runs in (default: the configured one).
    #[serde(default)]
    pub region: Option<String>,
}

pub fn output_schema() -> Value {
    let decision = json!({"type": "object", "required": ["Decision"], "properties": {"Decision": {"type": "string"}}});
    json!({
        "type": "object",
        "required": ["Role", "Summary", "Calls"],
        "properties": {
            "Role": {"type": "string"},
            "Models": {"type": "string", "description": "What the check reads, and what it does not (which can still deny)."},
            "Incomplete": {
                "type": ["string", "null"],
                "description": "Why the check may miss calls (the workspace index was still running); null when complete."
            },
            "Summary": {
                "type": "object",
                "required": ["Allowed", "Denied", "Depends"],
                "properties": {
                    "Allowed": {"type": "integer"}, "Denied": {"type": "integer"}, "Depends": {"type": "integer"}
                }
            },
            "Calls": {"type": "array", "items": {
                "type": "object",
                "required": ["File", "Line", "Column", "Call", "Verdict", "Decision", "Actions"],
                "properties": {
                    "File": {"type": "string"},
                    "Line": {"type": "integer", "minimum": 1},
                    "Column": {"type": "integer", "minimum": 1},
                    "Call": {"type": "string"},
                    "Verdict": {"enum": ["allowed", "denied", "depends"]},
                    "Decision": decision,
                    "Actions": {"type": "array", "items": {
                        "type": "object",
                        "required": ["Action", "Decision", "Resources"],
                        "properties": {
                            "Action": {"type": "string"},
                            "Decision": decision,
                            "Resources": {"type": "array"}
                        }
                    }}
                }
            }}
        }
    })
}

/// What to check, validated.
pub struct CheckJob {
    pub role_name: String,
    /// `None`: the live workspace.
    pub paths: Option<Vec<PathBuf>>,
    pub region: Option<String>,
}

pub fn validate(input: CheckRoleInput, embedded: bool) -> Result<CheckJob, ToolError> {
    let role_name = role_name(&input.role_name)?;
    let paths = match input.source_files {
        Some(files) if !files.is_empty() => {
            let mut paths = Vec::new();
            for raw in files {
                let path = PathBuf::from(raw.trim());
                if !path.is_absolute() {
                    return Err(ToolError::bad("SourceFiles", format!("`{raw}` is relative: give absolute paths")));
                }
                paths.push(path);
            }
            Some(paths)
        }
        _ if embedded => None,
        _ => return Err(ToolError::bad("SourceFiles", "is required: list the source files or directories the role runs")),
    };
    let region = input.region.map(|r| r.trim().to_string()).filter(|r| !r.is_empty() && r != "*");
    Ok(CheckJob { role_name, paths, region })
}

/// `app-role` or `arn:aws:iam::123456789012:role/path/app-role` → `app-role`.
fn role_name(raw: &str) -> Result<String, ToolError> {
    iamlens_engine::role_check::role_name(raw).map_err(|why| ToolError::bad("RoleName", why))
}

/// Blocking: analyse the files for this role.
pub fn analyze(paths: &[PathBuf], role: &RolePolicies, region: Option<&str>) -> Result<Vec<FileReport>, ToolError> {
    engine::analyze_paths_within(paths, iamlens_languages::front_ends(), &role_engine_options(role, region.map(str::to_string)), &super::WALK_LIMITS)
        .map(|(reports, _)| reports)
        .map_err(|e| ToolError::failed(e.to_string()))
}

pub fn result(role: &RolePolicies, reports: &[FileReport], region: Option<&str>) -> ToolResult {
    Ok(json!(check_role(reports, role, region)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, files: Option<Vec<&str>>) -> CheckRoleInput {
        CheckRoleInput { role_name: role.into(), source_files: files.map(|f| f.into_iter().map(str::to_string).collect()), region: None }
    }

    #[test]
    fn role_names_and_arns_are_accepted() {
        assert_eq!(validate(input("app-role", Some(vec!["/a.py"])), false).unwrap().role_name, "app-role");
        let arn = "arn:aws:iam::123456789012:role/service/app-role";
        assert_eq!(validate(input(arn, Some(vec!["/a.py"])), false).unwrap().role_name, "app-role");
        assert!(matches!(validate(input("arn:aws:s3:::b", Some(vec!["/a.py"])), false), Err(ToolError::BadArgument { argument: "RoleName", .. })));
        assert!(matches!(validate(input(" ", Some(vec!["/a.py"])), false), Err(ToolError::BadArgument { argument: "RoleName", .. })));
    }

    #[test]
    fn source_files_are_required_unless_embedded() {
        assert!(matches!(validate(input("r", None), false), Err(ToolError::BadArgument { argument: "SourceFiles", .. })));
        assert!(validate(input("r", None), true).unwrap().paths.is_none());
        assert!(matches!(validate(input("r", Some(vec!["a.py"])), true), Err(ToolError::BadArgument { argument: "SourceFiles", .. })));
    }
}
