//! `iamlens deploy-policy PATHS… [-r REGION] [-a ACCOUNT] [--stack-name NAME]
//! [--artifact-bucket BUCKET] [--pretty]`: read the templates and print the
//! policy the principal that deploys them needs, in the `generate-policies`
//! envelope (`{"Policies": [...], "Warnings": [...]}`). Terraform coverage goes
//! to stderr as well. Exit 0 with the policy (and warnings), 2 for a path
//! that does not exist.

use super::DeployPolicyArgs;
use iamlens_engine::Warning;
use iamlens_functions::{deploy_policy, discover, Context, DeployOptions, Deployment, DiscoverOptions};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: DeployPolicyArgs) -> ExitCode {
    if let Some(missing) = args.paths.iter().find(|p| !p.exists()) {
        return super::fail(2, format!("{}: no such file or directory", missing.display()));
    }
    let context = Context { stack_name: args.stack_name.clone(), region: args.region.clone(), account: args.account.clone(), ..Context::default() };
    let mut deployment = Deployment::default();
    for path in &args.paths {
        let options = DiscoverOptions { explicit: vec![path.clone()], context: context.clone() };
        deployment.extend(discover(Path::new(""), &options));
    }
    let options = DeployOptions {
        stack_name: args.stack_name.clone(),
        region: args.region.clone(),
        account: args.account.clone(),
        artifact_bucket: args.artifact_bucket.clone(),
    };
    let policy = deploy_policy(&deployment, &options);
    let mut warnings: Vec<Warning> = deployment
        .warnings
        .iter()
        .map(|w| Warning { file: w.at.file.display().to_string(), line: w.at.line as u32, kind: "Template".into(), message: w.message.clone() })
        .collect();
    warnings.extend(policy.warnings.iter().cloned());
    if deployment.is_empty() {
        let read: Vec<String> = deployment.templates.iter().map(|t| t.display().to_string()).collect();
        let message = if read.is_empty() {
            "no template was found in the given paths".to_string()
        } else {
            format!("no resource was read from the templates ({}): nothing to deploy, or a reader that does not read them yet", read.join(", "))
        };
        let file = read.first().cloned().unwrap_or_default();
        warnings.push(Warning { file, line: 1, kind: "NoResources".into(), message });
    }
    warnings.sort();
    warnings.dedup();
    if policy.terraform.seen() > 0 {
        eprintln!("iamlens: {}", policy.terraform.summary());
    }
    let envelope = json!({ "Policies": policy.policies, "Warnings": warnings });
    let text = if args.pretty { serde_json::to_string_pretty(&envelope) } else { serde_json::to_string(&envelope) };
    super::write_stdout(&format!("{}\n", text.unwrap_or_default()));
    ExitCode::SUCCESS
}
