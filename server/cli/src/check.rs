//! `iamlens check --role NAME [PATHS]`: would this role allow what the code
//! does? Reads the role's policies and boundary from IAM, then decides every
//! call site locally. Exit 0 when nothing is denied, 1 when a call would be
//! denied, 2 on bad usage, paths or AWS errors.

use super::CheckArgs;
use iamlens_aws::{load_role_policies, load_sdk_config, AwsOptions};
use iamlens_engine::evaluator::RolePolicies;
use iamlens_engine::role_check::{check_reports, role_engine_options, CallCheck};
use iamlens_engine::{self as engine, EngineOptions};
use std::process::ExitCode;

pub fn run(args: CheckArgs) -> ExitCode {
    if args.role.trim().is_empty() || args.role.starts_with("arn:") {
        return super::fail(2, format!("--role {:?}: pass the role name (the part after role/ in its ARN)", args.role));
    }
    if let Some(missing) = args.paths.iter().find(|p| !p.exists()) {
        return super::fail(2, format!("{}: no such file or directory; pass existing source files or directories", missing.display()));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::fail(2, format!("cannot start the async runtime: {e}")),
    };
    let aws = AwsOptions { profile: args.profile.clone(), region: args.region.clone(), ..Default::default() };
    let (sdk, role) = match runtime.block_on(async {
        let sdk = load_sdk_config(&aws).await;
        let role = load_role_policies(&args.role, &sdk).await;
        (sdk, role)
    }) {
        (sdk, Ok(role)) => (sdk, role),
        (_, Err(e)) => return super::fail(2, e),
    };
    let opts = engine_options(&args, &role, sdk.region().map(|r| r.as_ref().to_string()));
    let paths = if args.paths.is_empty() { vec![std::path::PathBuf::from(".")] } else { args.paths.clone() };
    let reports = match engine::analyze_paths(&paths, iamlens_languages::front_ends(), &opts) {
        Ok(reports) => reports,
        Err(err) => return super::fail(2, err),
    };
    let region = opts.requirements.region.clone();
    let checks = check_reports(&reports, &role, region.as_deref());
    let denied = checks.iter().filter(|c| c.decision.is_denied()).count();
    let out = if args.json {
        let json = serde_json::json!({"Role": role.role_arn, "Models": engine::role_check::MODELLED, "Calls": checks});
        format!("{}\n", serde_json::to_string_pretty(&json).unwrap_or_default())
    } else {
        render(&checks, &role)
    };
    // A closed pipe (`| head`) is not worth a panic.
    super::write_stdout(&out);
    if denied > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Requirements are bound to the role's account and partition, and to the
/// region the code runs in (`--region`, else the configured one), so ARNs
/// compare like for like with the role's policies.
fn engine_options(args: &CheckArgs, role: &RolePolicies, configured_region: Option<String>) -> EngineOptions {
    role_engine_options(role, args.region.clone().or(configured_region))
}

fn render(checks: &[CallCheck], role: &RolePolicies) -> String {
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!("{}:{}:{}: {} {}\n", c.file, c.line, c.column, c.verdict, c.call));
        for a in &c.actions {
            for r in &a.resources {
                out.push_str(&format!("    {} {} on {}: {}\n", r.decision.verdict(), a.action, r.resource, r.decision));
            }
        }
    }
    let count = |v: &str| checks.iter().filter(|c| c.verdict == v).count();
    out.push_str(&format!(
        "role {}: {} call(s) allowed, {} denied, {} depend on run-time values\n",
        role.role_arn,
        count("allowed"),
        count("denied"),
        count("depends")
    ));
    out.push_str(&format!("(iamlens {})\n", engine::role_check::MODELLED));
    out
}
