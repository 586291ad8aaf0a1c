//! `generate_application_policies` (peer-compatible): source files or
//! directories → the least-privilege policy envelope of `generate-policies`.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_engine::{self as engine, EngineOptions, PolicyOptions};

use super::{schemas, settings, ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateInput {
    /// Absolute paths of source files or directories (walked recursively, .gitignore honoured); in an
    /// editor-embedded server, relative paths resolve against the first workspace folder.
    pub source_files: Vec<String>,
    /// AWS region for resource ARNs, e.g. `us-east-1` (default `*`).
    #[serde(default)]
    pub region: Option<String>,
    /// 12-digit AWS account id for resource ARNs (default `*`).
    #[serde(default)]
    pub account: Option<String>,
    /// Keep only calls to these services (`s3`, `dynamodb`); actions those calls truly need (KMS, PassRole) stay.
    #[serde(default)]
    pub service_hints: Option<Vec<String>>,
    /// More ARNs than this for one action collapse to a wildcard (default 4).
    #[serde(default)]
    pub resource_cutoff: Option<usize>,
    /// Group statements by resource across services (fewer, larger statements).
    #[serde(default)]
    pub minimize_policy_size: Option<bool>,
    /// Explain why actions matching these IAM globs (`s3:Get*`, `*`) are needed: file, line, call.
    #[serde(default)]
    pub explain: Option<Vec<String>>,
    /// Infrastructure code beside the sources (SAM, CloudFormation, cdk.out, Terraform,
    /// serverless.yml) is read by default, giving one policy per deployed function; false
    /// reads the code alone.
    #[serde(default)]
    pub read_templates: Option<bool>,
    /// One policy for every function together instead of one per function.
    #[serde(default)]
    pub merged: Option<bool>,
    /// The CloudFormation stack name, which starts every generated resource name.
    #[serde(default)]
    pub stack_name: Option<String>,
}

pub fn output_schema() -> Value {
    schemas::generate_output()
}

/// Validated engine inputs.
pub struct GenerateJob {
    pub paths: Vec<PathBuf>,
    pub engine: EngineOptions,
    pub policy: PolicyOptions,
    pub explain: Vec<String>,
    pub iac: iamlens_functions::IacOptions,
    pub merged: bool,
}

pub fn validate(input: GenerateInput, base: Option<&std::path::Path>) -> Result<GenerateJob, ToolError> {
    if input.source_files.is_empty() {
        return Err(ToolError::bad("SourceFiles", "is empty: list the source files or directories to analyse"));
    }
    let mut paths = Vec::new();
    for raw in &input.source_files {
        let path = PathBuf::from(raw.trim());
        if raw.trim().is_empty() {
            return Err(ToolError::bad("SourceFiles", "contains an empty path"));
        }
        if path.is_absolute() {
            paths.push(path);
        } else if let Some(base) = base {
            paths.push(base.join(path));
        } else {
            return Err(ToolError::bad(
                "SourceFiles",
                format!("`{raw}` is relative: give absolute paths (the server does not share your working directory)"),
            ));
        }
    }
    let requirements = settings::requirement_settings(input.region.as_deref(), input.account.as_deref())?;
    let policy = settings::policy_options(input.resource_cutoff, input.minimize_policy_size, requirements.account.clone())?;
    let service_hints: Vec<String> =
        input.service_hints.unwrap_or_default().into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    Ok(GenerateJob {
        paths,
        engine: EngineOptions { requirements, service_hints, environment: Default::default() },
        iac: iamlens_functions::IacOptions {
            off: input.read_templates == Some(false),
            explicit: Vec::new(),
            context: iamlens_functions::Context {
                stack_name: input.stack_name.filter(|s| !s.trim().is_empty()),
                region: policy_region(&input.region),
                account: policy.resource_account.clone(),
                ..Default::default()
            },
        },
        merged: input.merged.unwrap_or(false),
        policy,
        explain: input.explain.unwrap_or_default(),
    })
}

fn policy_region(region: &Option<String>) -> Option<String> {
    region.as_deref().map(str::trim).filter(|r| !r.is_empty() && *r != "*").map(str::to_string)
}

/// Blocking: reads and analyses every file.
pub fn run(job: GenerateJob) -> ToolResult {
    let project = iamlens_functions::run_project(&job.paths, iamlens_languages::front_ends(), &job.engine, &super::WALK_LIMITS, &job.iac)
        .map_err(|e| ToolError::failed(e.to_string()))?;
    let output = project.output(&job.policy, job.merged, &job.explain);
    Ok(project.envelope(&output, &job.policy, job.merged))
}

/// The envelope for finished reports (also used for the live workspace).
pub fn envelope(reports: &[engine::FileReport], policy: &PolicyOptions, explain: &[String]) -> Value {
    let mut output = engine::generate(reports, policy);
    if !explain.is_empty() {
        output.explanations = Some(engine::explain(reports, explain));
    }
    serde_json::to_value(&output).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(files: &[&str]) -> GenerateInput {
        GenerateInput {
            source_files: files.iter().map(|s| s.to_string()).collect(),
            region: None,
            account: None,
            service_hints: None,
            resource_cutoff: None,
            minimize_policy_size: None,
            explain: None,
            read_templates: None,
            merged: None,
            stack_name: None,
        }
    }

    #[test]
    fn relative_paths_are_rejected_standalone_and_resolved_in_a_workspace() {
        assert!(matches!(validate(input(&["app.py"]), None), Err(ToolError::BadArgument { argument: "SourceFiles", .. })));
        let job = validate(input(&["app.py"]), Some(std::path::Path::new("/ws"))).unwrap();
        assert_eq!(job.paths, vec![PathBuf::from("/ws/app.py")]);
    }

    #[test]
    fn empty_source_files_and_zero_cutoff_are_bad_arguments() {
        assert!(matches!(validate(input(&[]), None), Err(ToolError::BadArgument { argument: "SourceFiles", .. })));
        let mut zero = input(&["/a.py"]);
        zero.resource_cutoff = Some(0);
        assert!(matches!(validate(zero, None), Err(ToolError::BadArgument { argument: "ResourceCutoff", .. })));
    }

    #[test]
    fn missing_file_is_a_tool_failure_naming_it() {
        let job = validate(input(&["/nonexistent/iamlens/app.py"]), None).unwrap();
        match run(job) {
            Err(ToolError::Failed(message)) => assert!(message.contains("/nonexistent/iamlens/app.py"), "{message}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn analyses_a_real_file_into_the_envelope() {
        let dir = std::env::temp_dir().join(format!("iamlens-mcp-generate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.py");
        std::fs::write(&file, "import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='reports', Key='a.csv')\n").unwrap();
        let out = run(validate(input(&[file.to_str().unwrap()]), None).unwrap()).unwrap();
        let text = out["Policies"].to_string();
        assert!(text.contains("s3:GetObject"), "{out}");
        assert!(text.contains("arn:aws:s3:::reports/"), "{out}");
        assert!(out["Warnings"].is_array(), "{out}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
