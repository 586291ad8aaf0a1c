//! `iamlens fix-access-denied`: explain a pasted AccessDenied message, propose
//! the fix that can work, and apply it (implicit identity-based denials only)
//! with `--yes` or after confirmation on a terminal.

use super::FixAccessDeniedArgs;
use iamlens_aws::inline_fix::{apply_fix, decode_authorization_message, ConfiguredAccount};
use iamlens_aws::AwsOptions;
use iamlens_engine::denied::{analyze, DenialOptions, DeniedReport};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

pub fn run(args: FixAccessDeniedArgs) -> ExitCode {
    let message = match read_message(args.message.as_deref()) {
        Ok(m) => m,
        Err(e) => return super::fail(2, e),
    };
    let opts = DenialOptions { account: args.account.clone(), region: args.region.clone(), resource_override: args.resource_override.clone() };
    let mut report = match analyze(&message, &opts) {
        Ok(r) => r,
        Err(e) => return super::fail(2, e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::fail(1, format!("cannot start the async runtime: {e}")),
    };
    let aws = AwsOptions { region: args.region.clone(), ..Default::default() };
    if args.decode && report.details.encoded_message.is_none() {
        return super::fail(
            2,
            "--decode: the message has no encoded authorization failure message (it follows `Encoded authorization failure message:` in EC2 errors)",
        );
    }
    if args.decode {
        match decode(&runtime, &report, &opts, &aws) {
            Ok(decoded) => report = decoded,
            Err(e) => return super::fail(1, e),
        }
    }
    let shown = if args.json { format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()) } else { render_plan(&report) };
    // A closed pipe (`| head`) is not an error worth a panic.
    super::write_stdout(&shown);
    if !report.can_apply() {
        if args.yes {
            eprintln!("iamlens: nothing applied: {}", report.apply_blocker().unwrap_or_default());
        }
        return ExitCode::SUCCESS;
    }
    if !args.yes && !confirm(&report) {
        return ExitCode::SUCCESS;
    }
    if let Some(risk) = report.unattended_apply_blocker() {
        // `--yes` is not consent to this: a person must name the risk.
        if !confirm_risk(&report, &risk) {
            return ExitCode::SUCCESS;
        }
    }
    let configured = ConfiguredAccount::new(args.account.as_deref(), "--account");
    match runtime.block_on(apply_fix(&report, &aws, configured.as_ref())) {
        Ok(outcome) => {
            eprintln!("{}", outcome.describe());
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(1, e),
    }
}

/// The message from the argument, or standard input for `-` / no argument.
fn read_message(arg: Option<&str>) -> Result<String, String> {
    match arg {
        Some(m) if m != "-" => Ok(m.to_string()),
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("Paste the error message, then press Ctrl-D:");
            }
            let mut buf = String::new();
            std::io::stdin().read_to_string(&mut buf).map_err(|e| format!("cannot read the message from standard input: {e}"))?;
            Ok(buf)
        }
    }
}

/// Replace an encoded EC2 message by what sts:DecodeAuthorizationMessage says.
fn decode(runtime: &tokio::runtime::Runtime, report: &DeniedReport, opts: &DenialOptions, aws: &AwsOptions) -> Result<DeniedReport, String> {
    let Some(encoded) = report.details.encoded_message.as_deref() else {
        return Err(
            "--decode: the message has no encoded authorization failure message (it follows `Encoded authorization failure message:` in EC2 errors)"
                .into(),
        );
    };
    let decoded = runtime.block_on(decode_authorization_message(encoded, aws)).map_err(|e| e.to_string())?;
    let mut out = analyze(&decoded, opts).map_err(|e| format!("the decoded message could not be analysed: {e}"))?;
    if out.operation.is_none() {
        out.operation = report.operation.clone();
    }
    Ok(out)
}

/// Ask on the terminal; without one, explain how to apply and do nothing.
fn confirm(r: &DeniedReport) -> bool {
    let target = r.details.fix_target.as_ref().map(|t| t.describe()).unwrap_or_default();
    let policy = r.inline_policy_name().unwrap_or_default();
    let Some(mut input) = terminal_input() else {
        eprintln!("Not applied (no terminal to confirm on): re-run with --yes to merge the statement into inline policy {policy} of {target}.");
        return false;
    };
    eprint!("Apply: merge the statement into inline policy {policy} of {target}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if input.read_line(&mut answer).is_err() {
        return false;
    }
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !yes {
        eprintln!("Not applied.");
    }
    yes
}

/// The terminal the person sits at, when there is one (stdin, else /dev/tty).
fn terminal_input() -> Option<Box<dyn std::io::BufRead>> {
    let interactive = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    if !interactive {
        None
    } else if std::io::stdin().is_terminal() {
        Some(Box::new(std::io::stdin().lock()))
    } else {
        std::fs::File::open("/dev/tty").ok().map(|f| Box::new(std::io::BufReader::new(f)) as Box<dyn std::io::BufRead>)
    }
}

/// A grant that can raise privileges is applied only when a person at a
/// terminal types its action name; `--yes` alone never does it.
fn confirm_risk(r: &DeniedReport, risk: &str) -> bool {
    let action = r.action.clone().unwrap_or_default();
    let Some(mut input) = terminal_input() else {
        eprintln!("iamlens: nothing applied: {risk}. Run the command on a terminal to confirm it, or attach the statement by hand.");
        return false;
    };
    eprint!("Caution: {risk}.\nType the action name ({action}) to grant it anyway: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if input.read_line(&mut answer).is_err() || answer.trim() != action {
        eprintln!("Not applied.");
        return false;
    }
    true
}

/// The human plan: who, what, why, the fix and its steps.
pub fn render_plan(r: &DeniedReport) -> String {
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| out.push_str(&format!("{label:<10} {value}\n"));
    let principal = match (&r.principal, r.principal_kind) {
        (Some(p), Some(k)) => format!("{p} ({})", serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
        (Some(p), None) => p.clone(),
        (None, _) => "unknown (not in the message)".into(),
    };
    line(&mut out, "Principal:", principal);
    line(&mut out, "Action:", r.action.clone().unwrap_or_else(|| "unknown".into()));
    line(
        &mut out,
        "Resource:",
        r.resource.clone().unwrap_or_else(|| if r.details.resource_unnamed { "not named in the message".into() } else { "unknown".into() }),
    );
    if let Some(op) = &r.operation {
        line(&mut out, "Operation:", op.clone());
    }
    let mut cause = r.cause();
    if let Some(arn) = &r.policy_arn {
        cause.push_str(&format!(" ({arn}"));
        if let Some(name) = &r.details.policy_name {
            cause.push_str(&format!(", {name}"));
        }
        cause.push(')');
    }
    line(&mut out, "Cause:", cause);
    out.push('\n');
    out.push_str(&format!("Fix: {}\n", r.remedy.summary));
    for (i, step) in r.remedy.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {step}\n", i + 1));
    }
    if let Some(policy) = &r.proposed_policy {
        out.push_str("\nProposed policy:\n");
        out.push_str(&serde_json::to_string_pretty(policy).unwrap_or_default());
        out.push('\n');
    }
    out
}
