//! `iamlens check (--role NAME | --policy FILE...) [PATHS]`: does what the
//! code does match what it is granted? One comparison ([`engine::drift`])
//! whatever the source of the grants: a live role (its policies and boundary
//! read from IAM) or policy files. Both directions: **missing** (a call that
//! would be denied) and **excess** (a grant no call read needs).
//!
//! Exit 0 when nothing is missing, 1 when a call would be denied (or, with
//! `--fail-on excess`, when something is granted that no call needs), 2 on
//! bad usage, paths, policy files or AWS errors.

use super::check_config;
use super::check_output::{self, Granted};
use super::policy_files;
use super::{CheckArgs, CheckFormat, FailOn};
use iamlens_aws::{load_role_policies, load_sdk_config, AwsOptions};
use iamlens_engine::evaluator::RolePolicies;
use iamlens_engine::model::RequirementSettings;
use iamlens_engine::role_check::role_engine_options;
use iamlens_engine::{self as engine, EngineOptions};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

/// What a check against policy files reads, said wherever its verdicts are shown.
pub const MODELLED_FILES: &str = "reads the given policy documents as the identity policies the code runs with; \
permissions boundaries, service and resource control policies, resource-based policies and session policies are not read, and can still deny";

pub fn run(args: CheckArgs) -> ExitCode {
    if let Some(missing) = args.paths.iter().find(|p| !p.exists()) {
        return super::fail(2, format!("{}: no such file or directory; pass existing source files or directories", missing.display()));
    }
    let config = match check_config::load(args.config.as_deref(), Path::new(".")) {
        Ok(config) => config,
        Err(why) => return super::fail(2, why),
    };
    let mut allow = config.allow.clone();
    for glob in &args.allow {
        match check_config::action_glob(glob) {
            Ok(glob) => allow.push(glob),
            Err(why) => return super::fail(2, format!("--allow: {why}")),
        }
    }
    if args.role.is_none() && args.policy.is_empty() {
        return super::check_declared::run(&args, &allow);
    }
    let (granted, opts) = match &args.role {
        Some(role) => match from_role(role, &args) {
            Ok(found) => found,
            Err(why) => return super::fail(2, why),
        },
        None => match from_files(&args) {
            Ok(found) => found,
            Err(why) => return super::fail(2, why),
        },
    };
    let paths = if args.paths.is_empty() { vec![std::path::PathBuf::from(".")] } else { args.paths.clone() };
    let reports = match engine::analyze_paths(&paths, iamlens_languages::front_ends(), &opts) {
        Ok(reports) => reports,
        Err(err) => return super::fail(2, err),
    };
    if reports.is_empty() {
        let languages: Vec<&str> = iamlens_languages::front_ends().iter().map(|f| f.language()).collect();
        eprintln!("iamlens: no source files ({}) found in the given paths; no call is checked", languages.join(", "));
    }
    let region = opts.requirements.region.clone();
    let drift = match &granted {
        Granted::Role(role) => engine::drift::check_drift(&reports, role, region.as_deref(), &allow),
        Granted::Files(files) => {
            let known = engine::drift::account_context(opts.requirements.account.as_deref());
            engine::drift::check_drift_known(&reports, &files.policies.policies, &known, region.as_deref(), &allow)
        }
    };
    let format = if args.json { CheckFormat::Json } else { args.format };
    // A closed pipe (`| head`) is not worth a panic.
    super::write_stdout(&check_output::render(format, &drift, &granted));
    let failed = drift.summary.missing > 0 || (args.fail_on == FailOn::Excess && drift.summary.excess > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--role NAME`: the role's policies and boundary from IAM. Requirements are
/// bound to the role's account and partition, and to the region the code
/// runs in (`--region`, else the configured one), so ARNs compare like for
/// like with the role's policies.
fn from_role(role: &str, args: &CheckArgs) -> Result<(Granted, EngineOptions), String> {
    if !args.policy.is_empty() {
        return Err("pass either --role or --policy, not both".to_string());
    }
    // A name or an ARN, read as the language server and MCP read it.
    let role = &engine::role_check::role_name(role).map_err(|why| format!("--role: {why}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let aws = AwsOptions { profile: args.profile.clone(), region: args.region.clone(), ..Default::default() };
    let (sdk, policies) = runtime.block_on(async {
        let sdk = load_sdk_config(&aws).await;
        let role = load_role_policies(role, &sdk).await;
        (sdk, role)
    });
    let policies = policies.map_err(|e| e.to_string())?;
    let configured = sdk.region().map(|r| r.as_ref().to_string());
    let opts = role_engine_options(&policies, args.region.clone().or(configured));
    Ok((Granted::Role(policies), opts))
}

/// `--policy FILE...`: requirements are bound to `--account`/`--region`, else
/// to the one account, region and partition the policies' ARNs name (when
/// they name exactly one), so ARNs compare like for like.
fn from_files(args: &CheckArgs) -> Result<(Granted, EngineOptions), String> {
    let files = policy_files::read(&args.policy)?;
    let (partition, region, account) = named_by_arns(&files.policies);
    let region = args.region.clone().or(region).filter(|r| r != "*");
    let account = args.account.clone().or(account).filter(|a| a != "*");
    if let Some(account) = &account {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("--account {account:?}: an AWS account id is 12 digits"));
        }
    }
    let opts = EngineOptions {
        requirements: RequirementSettings { region, account, partition: partition.unwrap_or_else(|| "aws".to_string()), kms_via_service: true },
        service_hints: Vec::new(),
        environment: Default::default(),
    };
    Ok((Granted::Files(files), opts))
}

/// The partition, region and account the Allow statements' resource ARNs
/// name, each when exactly one is named (wildcards and empty fields aside).
fn named_by_arns(policies: &RolePolicies) -> (Option<String>, Option<String>, Option<String>) {
    let mut fields: [BTreeSet<String>; 3] = Default::default();
    for doc in &policies.policies.identity {
        for st in &doc.statements {
            let Some(resources) = st.resources.as_ref().filter(|r| !r.negated) else { continue };
            for arn in &resources.patterns {
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                if parts.len() < 6 || parts[0] != "arn" {
                    continue;
                }
                for (set, value) in fields.iter_mut().zip([parts[1], parts[3], parts[4]]) {
                    if !value.is_empty() && !value.contains(['*', '?', '$']) {
                        set.insert(value.to_string());
                    }
                }
            }
        }
    }
    let [partition, region, account] = fields.map(|set| if set.len() == 1 { set.into_iter().next() } else { None });
    (partition, region, account)
}
