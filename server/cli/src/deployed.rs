//! `generate-policies` over infrastructure code: the templates next to the
//! code, read into deployed functions, and each function's policy tagged
//! with the function it is for.

use super::GenerateArgs;
use iamlens_engine::{self as engine, FileReport};
use iamlens_functions::{DeployedFunction, Deployment, DiscoverOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Every template the run should read: `--iac` paths, else those found in
/// the directories given; nothing with `--no-iac`.
pub fn discover(args: &GenerateArgs) -> Result<Deployment, String> {
    if args.no_iac {
        return Ok(Deployment::default());
    }
    let mut context = iamlens_functions::Context { stack_name: args.stack_name.clone(), stage: args.stage.clone(), ..Default::default() };
    context.region = args.region.clone().filter(|r| r != "*");
    context.account = args.account.clone().filter(|a| a != "*");
    for pair in &args.parameter_overrides {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--parameter-overrides: `{pair}` is not NAME=VALUE"));
        };
        context.parameters.insert(name.trim().to_string(), value.to_string());
    }
    let mut deployment = Deployment::default();
    if !args.iac.is_empty() {
        for path in &args.iac {
            if !path.exists() {
                return Err(format!("--iac: {} does not exist", path.display()));
            }
        }
        let options = DiscoverOptions { explicit: args.iac.clone(), context };
        deployment.extend(iamlens_functions::discover(Path::new("."), &options));
        return Ok(deployment);
    }
    let options = DiscoverOptions { explicit: Vec::new(), context };
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in args.paths.iter().filter(|p| p.is_dir()) {
        let found = iamlens_functions::discover(dir, &options);
        for template in &found.templates {
            let canonical = std::fs::canonicalize(template).unwrap_or_else(|_| template.clone());
            if !seen.contains(&canonical) {
                seen.push(canonical);
            }
        }
        deployment.extend(found);
    }
    dedup_functions(&mut deployment);
    Ok(deployment)
}

/// Overlapping directories (`src` and `.`) find a template twice.
fn dedup_functions(deployment: &mut Deployment) {
    let mut seen: Vec<(PathBuf, String)> = Vec::new();
    deployment.functions.retain(|f| {
        let key = (std::fs::canonicalize(&f.declared_at.file).unwrap_or_else(|_| f.declared_at.file.clone()), f.id.clone());
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
}

/// The template warnings and each function's notes, as `generate-policies` warnings.
pub fn warnings(deployment: &Deployment, functions: &[DeployedFunction], outside: Option<&[FileReport]>) -> Vec<engine::Warning> {
    let mut out: Vec<engine::Warning> = deployment
        .warnings
        .iter()
        .map(|w| engine::Warning {
            file: w.at.file.display().to_string(),
            line: w.at.line as u32,
            kind: "Template".into(),
            message: w.message.clone(),
        })
        .collect();
    for f in functions {
        for note in &f.notes {
            out.push(engine::Warning {
                file: f.function.declared_at.file.display().to_string(),
                line: f.function.declared_at.line as u32,
                kind: "FunctionCode".into(),
                message: format!("function {}: {note}; its policy holds nothing from code", f.function.id),
            });
        }
    }
    if let Some(outside) = outside {
        let with_calls: Vec<&FileReport> = outside.iter().filter(|r| !r.requirements.is_empty()).collect();
        if let Some(first) = with_calls.first() {
            let names: Vec<String> = with_calls.iter().take(5).map(|r| r.path.display().to_string()).collect();
            let more = if with_calls.len() > 5 { format!(" and {} more", with_calls.len() - 5) } else { String::new() };
            out.push(engine::Warning {
                file: first.path.display().to_string(),
                line: 1,
                kind: "OutsideFunctions".into(),
                message: format!(
                    "{} file{} with AWS calls belong{} to no function of the templates ({}{more}); their permissions are in the policy with \"Function\": null",
                    with_calls.len(),
                    if with_calls.len() == 1 { "" } else { "s" },
                    if with_calls.len() == 1 { "s" } else { "" },
                    names.join(", ")
                ),
            });
        }
    }
    out
}

/// How a policy names the function it is for.
pub fn function_json(function: Option<&DeployedFunction>) -> Value {
    let Some(f) = function else { return Value::Null };
    let f = &f.function;
    let mut out = json!({
        "Id": f.id,
        "Template": f.declared_at.file.display().to_string(),
        "Line": f.declared_at.line,
    });
    if let Some(role) = &f.role {
        out["Role"] = json!(role);
    }
    if let Some(handler) = &f.handler {
        out["Handler"] = json!(handler);
    }
    out
}
