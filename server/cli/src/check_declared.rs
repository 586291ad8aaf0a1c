//! `iamlens check` against the policies the infrastructure code declares,
//! per function: each deployed function's calls (its handler's files, its
//! environment bound) against the policies its role is granted in the
//! templates (SAM `Policies` and policy templates, `AWS::IAM::Role`/`Policy`/
//! `ManagedPolicy`, CDK grants, Terraform and Serverless statements).
//!
//! Used when neither `--role` nor `--policy` is given. Missing permissions
//! are located at the call, excess grants at the template line of the
//! statement. Policies whose content the templates do not hold (AWS managed
//! policies, roles from elsewhere) are listed as not checked.

use super::check_declared_output::{self, FunctionCheck};
use super::{CheckArgs, CheckFormat, FailOn};
use iamlens_engine::evaluator::{PolicyDocument, PolicySet};
use iamlens_engine::settings::{Setting, Settings};
use iamlens_engine::{self as engine, WalkOptions};
use iamlens_functions::{Deployment, Framework, Function, FunctionPolicies, IacOptions};

use std::path::PathBuf;
use std::process::ExitCode;

/// What a check against declared policies reads, said wherever its verdicts are shown.
pub const MODELLED_DECLARED: &str = "reads the identity policies the templates declare for each function's role; \
AWS managed policies and roles declared elsewhere are not read (listed as not checked), nor permissions boundaries, \
service and resource control policies, resource-based policies and session policies, which can still deny";

pub fn run(args: &CheckArgs, allow: &[String]) -> ExitCode {
    let settings = Settings { region: args.region.clone(), account: args.account.clone(), ..Settings::default() };
    if let Err(err) = settings.engine_options() {
        let flag = if err.setting == Setting::Region { "--region" } else { "--account" };
        return super::fail(2, format!("{flag}: {err}"));
    }
    let iac = match iac_options(args) {
        Ok(iac) => iac,
        Err(why) => return super::fail(2, why),
    };
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut opts = None;
    let bind = |deployment: &Deployment| {
        let (region, account) = named_by_declared(deployment);
        let inferred = Settings { region: args.region.clone().or(region), account: args.account.clone().or(account), ..Settings::default() };
        // What the ARNs name may not be a region or account after all: then only what was given.
        let chosen = inferred.engine_options().or_else(|_| settings.engine_options()).unwrap_or_default();
        opts = Some(chosen.clone());
        chosen
    };
    let project = match iamlens_functions::run_project_bound(&paths, iamlens_languages::front_ends(), &WalkOptions::default(), &iac, bind) {
        Ok(project) => project,
        Err(err) => return super::fail(2, err),
    };
    let opts = opts.unwrap_or_default();
    if !project.has_functions() {
        let read = if project.deployment.templates.is_empty() {
            "no template (SAM, CloudFormation, cdk.out, Terraform, serverless.yml) was found"
        } else {
            "the templates found declare no function"
        };
        return super::fail(
            2,
            format!("nothing to check against: no --role or --policy, and {read}; pass --role NAME, --policy FILE, or --iac TEMPLATE"),
        );
    }
    for warning in project.warnings() {
        eprintln!("warning: {}:{}: {}", warning.file, warning.line, warning.message);
    }
    let known = engine::drift::account_context(opts.requirements.account.as_deref());
    let region = opts.requirements.region.clone();
    let mut checks = Vec::new();
    let mut unbound_files = 0usize;
    for group in &project.groups {
        let Some(deployed) = project.function(group) else {
            unbound_files += group.reports.iter().filter(|r| !r.analysis.calls.is_empty()).count();
            continue;
        };
        let function = &deployed.function;
        let found = declared_for(&project.deployment, function);
        let declared = found.cloned().unwrap_or_else(|| FunctionPolicies {
            function: function.id.clone(),
            file: function.declared_at.file.clone(),
            role: function.role.clone(),
            notes: vec!["iamlens does not read the policies of this function's role (a Terraform registry module, or a plan)".into()],
            ..FunctionPolicies::default()
        });
        let mut set = PolicySet::default();
        let mut errors = Vec::new();
        for policy in &declared.policies {
            match PolicyDocument::from_value(&policy.name, &policy.document) {
                Ok(doc) => set.identity.push(doc),
                Err(e) => errors.push(format!("{}:{}: {e}", policy.declared_at.file.display(), policy.declared_at.line)),
            }
        }
        let code_unread = group.reports.is_empty() && !deployed.notes.is_empty();
        // A role with no policy at all is checked (everything is missing), and
        // so is one with only the logs policy; a role whose policies are all
        // unknown, or no known role, is not.
        let unknown = declared.opaque.iter().any(|o| !o.is_basic_execution_role());
        let nothing_known = set.identity.is_empty() && (found.is_none() || declared.role.is_none() || unknown);
        let drift = if code_unread || nothing_known {
            None
        } else {
            Some(engine::drift::check_drift_known(&group.reports, &set, &known, region.as_deref(), allow))
        };
        checks.push(FunctionCheck { function: function.clone(), declared, code_notes: deployed.notes.clone(), errors, drift });
    }
    // Functions whose code no file of the run holds have no group.
    for deployed in &project.functions {
        if !checks.iter().any(|c| c.function.id == deployed.function.id && c.function.declared_at.file == deployed.function.declared_at.file) {
            let declared = declared_for(&project.deployment, &deployed.function).cloned().unwrap_or_default();
            checks.push(FunctionCheck {
                function: deployed.function.clone(),
                declared,
                code_notes: if deployed.notes.is_empty() {
                    vec!["none of its files is among the paths checked".into()]
                } else {
                    deployed.notes.clone()
                },
                errors: vec![],
                drift: None,
            });
        }
    }
    let format = if args.json { CheckFormat::Json } else { args.format };
    super::write_stdout(&check_declared_output::render(format, &checks, unbound_files));
    let missing: usize = checks.iter().filter_map(|c| c.drift.as_ref()).map(|d| d.summary.missing).sum();
    let excess: usize = checks.iter().filter_map(|c| c.drift.as_ref()).map(|d| d.summary.excess).sum();
    if missing > 0 || (args.fail_on == FailOn::Excess && excess > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The policies the templates grant `function`: declared beside it, or for a
/// Terraform function read from a plan, by the configuration of the same
/// root module (a plan holds resolved values, not the policies' structure).
fn declared_for<'d>(deployment: &'d Deployment, function: &Function) -> Option<&'d FunctionPolicies> {
    let same_file = deployment.declared.iter().find(|d| d.function == function.id && d.file == function.declared_at.file);
    same_file.or_else(|| {
        let dir = function.declared_at.file.parent();
        deployment.declared.iter().find(|d| d.function == function.id && d.file.parent() == dir && function.framework == Framework::Terraform)
    })
}

/// `--iac` (else the templates in the given directories, or in the current
/// one when only files are given), `--stack-name`, `--stage`,
/// `--parameter-overrides`, and the region and account the templates'
/// pseudo parameters take.
fn iac_options(args: &CheckArgs) -> Result<IacOptions, String> {
    let context = crate::deployed::IacFlags {
        iac: &args.iac,
        stack_name: &args.stack_name,
        stage: &args.stage,
        region: &args.region,
        account: &args.account,
        parameter_overrides: &args.parameter_overrides,
    }
    .context()?;
    // Only files (a pre-commit hook's changed files): the templates are those of the current directory.
    let only_files = !args.paths.is_empty() && args.paths.iter().all(|p| p.is_file());
    let explicit = if args.iac.is_empty() && only_files { vec![PathBuf::from(".")] } else { args.iac.clone() };
    Ok(IacOptions { off: false, explicit, context })
}

/// The region and account the declared policies' ARNs name, each when
/// exactly one is named (a CDK stack's environment, `--parameter-overrides`):
/// the code's ARNs are bound to them so they compare like for like.
fn named_by_declared(deployment: &Deployment) -> (Option<String>, Option<String>) {
    let mut fields: [std::collections::BTreeSet<String>; 2] = Default::default();
    let mut arns = Vec::new();
    for policy in deployment.declared.iter().flat_map(|d| &d.policies) {
        collect_strings(&policy.document, &mut arns);
    }
    for arn in arns {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() < 6 || parts[0] != "arn" {
            continue;
        }
        for (set, value) in fields.iter_mut().zip([parts[3], parts[4]]) {
            if !value.is_empty() && !value.contains(['*', '?', '$']) && value != "aws" {
                set.insert(value.to_string());
            }
        }
    }
    let [region, account] = fields.map(|set| if set.len() == 1 { set.into_iter().next() } else { None });
    (region, account)
}

fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(obj) => obj.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
