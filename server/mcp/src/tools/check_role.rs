//! `check_role`: would this IAM role allow what the code does, and does it
//! grant more than the code needs? Reads the role's policies and permissions
//! boundary from IAM (read-only), then decides every call site locally with
//! the evaluator and finds the grants no call needs, like `iamlens check
//! --role` (the same engine call, the same allow rules: `Allow` and the
//! project's `.iamlens.toml`).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_engine::evaluator::RolePolicies;
use iamlens_engine::role_check::{check_role, role_engine_options};
use iamlens_engine::{self as engine, project_config, settings, FileReport};

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
    /// Action globs granted for reasons the code does not show (`logs:CreateLogGroup`, `xray:*`), never excess; added to the `[check] allow` of the `.iamlens.toml` found from the first source file (or workspace folder) upwards.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
}

pub fn output_schema() -> Value {
    let decision = json!({"type": "object", "required": ["Decision"], "properties": {"Decision": {"type": "string"}}});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    json!({
        "type": "object",
        "required": ["Role", "Summary", "Calls", "Missing", "Excess", "Allowed", "ExcessIsRelative"],
        "properties": {
            "Role": {"type": "string"},
            "Models": {"type": "string", "description": "What the check reads, and what it does not (which can still deny)."},
            "Incomplete": {
                "type": ["string", "null"],
                "description": "Why the check may miss calls (the workspace index was still running); null when complete."
            },
            "Summary": {
                "type": "object",
                "required": ["Allowed", "Denied", "Depends", "Missing", "Excess"],
                "properties": {
                    "Allowed": {"type": "integer"}, "Denied": {"type": "integer"}, "Depends": {"type": "integer"},
                    "Missing": {"type": "integer", "description": "Denied actions on resources, call by call."},
                    "Excess": {"type": "integer", "description": "Statements granting more than the calls read need."}
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
            }},
            "Missing": {"type": "array", "description": "Each action on each resource a call needs that the role does not allow.", "items": {
                "type": "object",
                "required": ["File", "Line", "Column", "Call", "Action", "Resource", "Decision"],
                "properties": {
                    "File": {"type": "string"},
                    "Line": {"type": "integer", "minimum": 1},
                    "Column": {"type": "integer", "minimum": 1},
                    "Call": {"type": "string"},
                    "Action": {"type": "string"},
                    "Resource": {"type": "string"},
                    "Decision": decision
                }
            }},
            "Excess": {"type": "array", "description": "Each Allow statement granting actions or resources no call read needs, with the narrower grant (NeededActions on NeededResources; both empty: no call needs the statement).", "items": {
                "type": "object",
                "required": ["Statement", "GrantedActions", "GrantedResources", "UnneededActions", "BroaderResources", "UnusedResources", "NeededActions", "NeededResources"],
                "properties": {
                    "Statement": {
                        "type": "object",
                        "required": ["Policy", "Sid", "Index"],
                        "properties": {"Policy": {"type": "string"}, "Sid": {"type": ["string", "null"]}, "Index": {"type": "integer", "minimum": 0}}
                    },
                    "GrantedActions": strings.clone(),
                    "GrantedResources": strings.clone(),
                    "UnneededActions": strings.clone(),
                    "BroaderResources": {"type": "array", "items": {
                        "type": "object",
                        "required": ["Granted", "Needed"],
                        "properties": {"Granted": {"type": "string"}, "Needed": strings.clone()}
                    }},
                    "UnusedResources": strings.clone(),
                    "NeededActions": strings.clone(),
                    "NeededResources": strings.clone()
                }
            }},
            "Allowed": {"description": "The action globs granted for reasons the code does not show (Allow and .iamlens.toml), never excess.", "type": "array", "items": {"type": "string"}},
            "ExcessIsRelative": {"type": "string", "description": "What excess is relative to: the code that was read."}
        }
    })
}

/// What to check, validated.
pub struct CheckJob {
    pub role_name: String,
    /// `None`: the live workspace.
    pub paths: Option<Vec<PathBuf>>,
    pub region: Option<String>,
    /// The action globs given with the call (validated); the project's
    /// `.iamlens.toml` adds its own when the check runs.
    pub allow: Vec<String>,
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
    let mut allow = Vec::new();
    for glob in input.allow.unwrap_or_default() {
        allow.push(settings::action_glob(&glob).map_err(|why| ToolError::bad("Allow", why.to_string()))?);
    }
    Ok(CheckJob { role_name, paths, region, allow })
}

/// The action globs the check allows: the `.iamlens.toml` found from the
/// first of `paths` (the source files, else the workspace folders) upwards,
/// then the job's own.
pub fn allowed(job: &CheckJob, paths: &[PathBuf]) -> Result<Vec<String>, ToolError> {
    let config = project_config::load_for(paths).map_err(ToolError::failed)?;
    project_config::allowed(&config, &job.allow).map_err(|why| ToolError::bad("Allow", why.to_string()))
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

pub fn result(role: &RolePolicies, reports: &[FileReport], region: Option<&str>, allowed: &[String]) -> ToolResult {
    Ok(json!(check_role(reports, role, region, allowed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, files: Option<Vec<&str>>) -> CheckRoleInput {
        CheckRoleInput { role_name: role.into(), source_files: files.map(|f| f.into_iter().map(str::to_string).collect()), region: None, allow: None }
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

    #[test]
    fn allow_takes_action_globs_and_adds_the_projects() {
        let with = |globs: &[&str]| CheckRoleInput { allow: Some(globs.iter().map(|g| g.to_string()).collect()), ..input("r", Some(vec!["/a.py"])) };
        assert_eq!(validate(with(&[" logs:CreateLogGroup", "xray:*"]), false).unwrap().allow, ["logs:CreateLogGroup", "xray:*"]);
        match validate(with(&["logs"]), false) {
            Err(ToolError::BadArgument { argument: "Allow", why }) => assert!(why.contains("\"logs\" is not an action glob"), "{why}"),
            _ => panic!("a bad glob is a bad Allow argument"),
        }
        let dir = std::env::temp_dir().join(format!("iamlens-mcp-allow-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join(".iamlens.toml"), "[check]\nallow = [\"logs:*\"]\n").unwrap();
        let job = validate(with(&["xray:*"]), false).unwrap();
        assert_eq!(allowed(&job, &[dir.join("app.py")]).unwrap(), ["logs:*", "xray:*"]);
        std::fs::write(dir.join(".iamlens.toml"), "[check]\nallow = \"logs:*\"\n").unwrap();
        assert!(
            matches!(allowed(&job, &[dir.join("app.py")]), Err(ToolError::Failed(why)) if why.contains(".iamlens.toml: [check] allow must be a list"))
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
