//! `iamlens generate-policies`: the peer's command of that name, same flags and
//! JSON envelope, over the engine. Exit 0 on success (warnings included),
//! 1 when `--verify` or `--upload-policies` fails, 2 on bad usage or paths.

use super::GenerateArgs;
use iamlens_engine::settings::{Setting, Settings};
use iamlens_engine::{self as engine, EngineOptions, FileReport, GenerateOutput, PolicyOptions};
use serde_json::Value;
use std::process::ExitCode;

pub fn run(args: GenerateArgs) -> ExitCode {
    if let Err(message) = super::policy_formats::validate(&args) {
        return super::fail(2, message);
    }
    let opts = match engine_options(&args) {
        Ok(opts) => opts,
        Err(message) => return super::fail(2, message),
    };
    let front_ends: Vec<&'static dyn engine::front_end::FrontEnd> = match &args.language {
        Some(language) => iamlens_languages::for_language(language).into_iter().collect(),
        None => iamlens_languages::front_ends().to_vec(),
    };
    let iac = match super::deployed::iac_options(&args) {
        Ok(iac) => iac,
        Err(message) => return super::fail(2, message),
    };
    let walk = engine::WalkOptions { include_tests: args.include_tests, ..Default::default() };
    let project = match iamlens_functions::run_project(&args.paths, &front_ends, &opts, &walk, &iac) {
        Ok(project) => project,
        Err(err) => return super::fail(2, err),
    };
    let walked = &project.walked;
    let split = project.has_functions() && !args.merged;
    let reports = project.reports();
    if !walked.skipped_tests.is_empty() {
        let n = walked.skipped_tests.len();
        eprintln!("iamlens: left out {n} test file{} (tests/, test_*, *_test, ...); --include-tests reads them", if n == 1 { "" } else { "s" });
    }
    if !walked.ignored.is_empty() {
        let shown: Vec<String> = walked.ignored.iter().take(5).map(|p| p.display().to_string()).collect();
        let more = if walked.ignored.len() > 5 { format!(" and {} more", walked.ignored.len() - 5) } else { String::new() };
        eprintln!("iamlens: left out what ignore rules exclude and git does not track: {}{more}; name a path to read it anyway", shown.join(", "));
    }
    let mut unread: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for path in &walked.unread {
        *unread.entry(engine::unread_language(path).unwrap_or("other")).or_default() += 1;
    }
    for (language, n) in &unread {
        eprintln!(
            "warning: left out {n} {language} file{}: iamlens does not read {language} yet, so AWS calls in them are not in the policy",
            if *n == 1 { "" } else { "s" }
        );
    }
    if reports.is_empty() {
        let languages: Vec<&str> = front_ends.iter().map(|f| f.language()).collect();
        eprintln!("iamlens: no source files ({}) found in the given paths; the policy is empty", languages.join(", "));
    }
    let policy = PolicyOptions {
        resource_cutoff: args.resource_cutoff,
        minimize_policy_size: args.minimize_policy_size,
        resource_account: opts.requirements.account.clone(),
    };
    let output = project.output(&policy, args.merged, &args.explain);
    let mut json = project.envelope(&output, &policy, args.merged);
    print_warnings(&output.warnings, args.full_output);
    if split && args.format.is_some_and(|f| f != super::policy_formats::PolicyFormat::Json) {
        return super::fail(2, "--format prints one policy: with templates, add --merged for the union of every function's permissions, or use --format json for one policy per function");
    }
    if split && args.upload_policies.is_some() {
        return super::fail(2, "--upload-policies writes one set of policies: with templates, add --merged (or --no-iac) to upload the union of every function's permissions");
    }
    if args.full_output {
        json["Files"] = full_output(&reports);
    }
    let mut code = ExitCode::SUCCESS;
    let mut verified = true;
    if args.verify && split {
        let (report, ok) = verify_per_function(&project, &policy);
        json["Verification"] = report;
        verified = ok;
        if !ok {
            code = ExitCode::from(1);
        }
    } else if args.verify {
        let (report, ok) = verify(&output, &reports, policy.resource_account.as_deref());
        json["Verification"] = report;
        verified = ok;
        if !ok {
            code = ExitCode::from(1);
        }
    }
    if let Some(prefix) = &args.upload_policies {
        let doubts = upload_doubts(&output, verified);
        if !doubts.is_empty() && !args.force {
            eprintln!("iamlens: nothing uploaded: {}; fix that, or pass --force to upload anyway", doubts.join("; "));
            super::policy_formats::print(&json, &args);
            return ExitCode::from(1);
        }
        match upload_policies(prefix, &output, &args) {
            Ok(uploaded) => json["UploadedPolicies"] = uploaded,
            Err(message) => {
                eprintln!("iamlens: {message}");
                code = ExitCode::from(1);
            }
        }
    }
    super::policy_formats::print(&json, &args);
    code
}

/// Warnings on stderr: each one, except run-time resources, which are summed
/// up per file when a file has several (`--full-output` prints each; the JSON
/// `Warnings` always has them all).
fn print_warnings(warnings: &[engine::Warning], full: bool) {
    let dynamic = |w: &&engine::Warning| w.kind == "DynamicResource";
    let mut per_file: std::collections::BTreeMap<&str, Vec<u32>> = std::collections::BTreeMap::new();
    for w in warnings.iter().filter(dynamic) {
        per_file.entry(w.file.as_str()).or_default().push(w.line);
    }
    for warning in warnings {
        let summed = !full && dynamic(&warning) && per_file.get(warning.file.as_str()).is_some_and(|lines| lines.len() > 1);
        if !summed {
            eprintln!("warning: {warning}");
        }
    }
    for (file, lines) in per_file.iter().filter(|(_, lines)| !full && lines.len() > 1) {
        let list: Vec<String> = lines.iter().map(u32::to_string).collect();
        eprintln!(
            "warning: {file}: {} calls are granted wildcard resources because a name is only known at run time (lines {}); --full-output prints each",
            lines.len(),
            list.join(", ")
        );
    }
}

/// Flags → engine options; bad values are usage errors naming the flag.
fn engine_options(args: &GenerateArgs) -> Result<EngineOptions, String> {
    if let Some(language) = &args.language {
        if iamlens_languages::for_language(language).is_none() {
            let known: Vec<&str> = iamlens_languages::front_ends().iter().map(|f| f.language()).collect();
            return Err(format!("--language {language} is not supported; use one of {} (or leave it out)", known.join(", ")));
        }
    }
    let settings = Settings {
        region: args.region.clone(),
        account: args.account.clone(),
        service_hints: args.service_hints.clone(),
        kms_via_service: !args.no_kms_via_service,
    };
    settings.engine_options().map_err(|err| {
        let flag = match err.setting {
            Setting::Region => "--region",
            Setting::Account => "--account",
            Setting::Allow => "--allow",
        };
        format!("{flag}: {err}")
    })
}

/// `--full-output`: every call found, with the actions it needs.
fn full_output(reports: &[FileReport]) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .filter(|r| !r.analysis.calls.is_empty())
        .map(|r| {
            let calls: Vec<Value> = r
                .analysis
                .calls
                .iter()
                .enumerate()
                .map(|(i, call)| {
                    let actions: Vec<&str> = r.requirements.iter().filter(|req| req.call_index == i).map(|req| req.action.as_str()).collect();
                    serde_json::json!({
                        "Line": call.span.start.line + 1,
                        "Call": call.text,
                        "Operation": format!("{}.{}", call.service, call.operation),
                        "Confidence": call.confidence,
                        "Actions": actions,
                    })
                })
                .collect();
            serde_json::json!({"File": r.path.display().to_string(), "Calls": calls})
        })
        .collect();
    Value::Array(files)
}

/// `--verify` for each function's policies against that function's requirements.
fn verify_per_function(project: &iamlens_functions::ProjectRun, policy: &PolicyOptions) -> (Value, bool) {
    let mut all_ok = true;
    let mut out = Vec::new();
    for group in project.groups.iter().filter(|g| g.reports.iter().any(|r| !r.requirements.is_empty())) {
        let output = engine::generate(&group.reports, policy);
        let (report, ok) = verify(&output, &group.reports, policy.resource_account.as_deref());
        all_ok &= ok;
        out.push(serde_json::json!({"Function": project.function_json(group), "Report": report}));
    }
    (Value::Array(out), all_ok)
}

/// `--verify`: evaluate the generated policies against every requirement
/// (each allowed, nothing extra). Returns the report and whether it passed.
fn verify(output: &GenerateOutput, reports: &[FileReport], account: Option<&str>) -> (Value, bool) {
    let policies: Vec<Value> = output.policies.iter().filter_map(|p| serde_json::to_value(p).ok()).collect();
    let requirements: Vec<iamlens_engine::model::Requirement> = reports.iter().flat_map(|r| r.requirements.iter().cloned()).collect();
    let report = iamlens_engine::evaluator::verify_in_account(&policies, &requirements, account);
    let ok = report.ok();
    for problem in report.problems() {
        eprintln!("verify: {problem}");
    }
    for note in report.notes() {
        eprintln!("verify: note: {note}");
    }
    (serde_json::to_value(&report).unwrap_or(Value::Null), ok)
}

/// Why the policies may not be what the code needs, so that uploading them
/// would deploy a policy that fails at run time: the analysis was partial, or
/// `--verify` failed. Empty when there is no doubt.
fn upload_doubts(output: &GenerateOutput, verified: bool) -> Vec<String> {
    let count = |kind: &str| output.warnings.iter().filter(|w| w.kind == kind).count();
    let mut doubts = Vec::new();
    if !verified {
        doubts.push("--verify found the policies do not match the calls".to_string());
    }
    for (kind, what) in [
        ("SyntaxError", "region(s) of code did not parse, so calls in them may be missing"),
        ("UnresolvedCall", "call(s) that look like AWS calls were left out"),
        ("UnmappedOperation", "operation(s) need permissions iamlens cannot name"),
    ] {
        let n = count(kind);
        if n > 0 {
            doubts.push(format!("{n} {what} ({kind} warnings above)"));
        }
    }
    doubts
}

/// `--upload-policies [PREFIX]` (+ `--update`, `--attach-role/-user`,
/// `--dry-run`, `--account` guard): the AWS side lives in `iamlens_aws::upload`;
/// this prints what it did (or would do) and returns it for the JSON output.
fn upload_policies(prefix: &str, output: &GenerateOutput, args: &GenerateArgs) -> Result<Value, String> {
    use iamlens_aws::{load_sdk_config, AwsOptions};
    let policies: Vec<Value> = output.policies.iter().filter_map(|p| serde_json::to_value(p).ok()).collect();
    let opts = args.upload_options(prefix);
    let aws = AwsOptions { region: args.region.clone().filter(|r| r != "*"), ..Default::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let report = runtime
        .block_on(async {
            let sdk = load_sdk_config(&aws).await;
            iamlens_aws::upload_policies(&policies, &opts, &sdk).await
        })
        .map_err(|failure| failure.to_string())?;
    if report.dry_run {
        for call in &report.calls {
            eprintln!("dry run: would call {call}");
        }
    }
    for line in report.summary() {
        eprintln!("{line}");
    }
    serde_json::to_value(&report).map_err(|e| format!("could not serialise the upload report: {e}"))
}
