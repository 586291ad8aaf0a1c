//! `iamlens fix-access-denied` as a user runs it: the JSON shape, the human
//! plan, standard input, exit codes and messages for bad input. No AWS access
//! is needed for any of these.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const IDENTITY: &str = "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::123456789012:assumed-role/ReportsApp/i-0abc is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::acme-reports/2024/q3/summary.csv\" because no identity-based policy allows the s3:GetObject action";
const SCP: &str = "User: arn:aws:iam::123456789012:user/ops/deployer is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/* with an explicit deny in a service control policy: arn:aws:organizations::999988887777:policy/o-abc/service_control_policy/p-123 (DenyBigInstances)";

fn iamlens(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamlens"))
        .arg("fix-access-denied")
        .args(args)
        // Nothing here may reach AWS: any attempt fails fast and visibly.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("iamlens runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn json_output_has_exactly_the_documented_keys() {
    let out = iamlens(&["--json", IDENTITY], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["Principal", "PrincipalKind", "Account", "Action", "Resource", "Operation", "Denial", "PolicyType", "PolicyArn", "Remedy", "ProposedPolicy"]
    );
    let remedy_keys: Vec<&str> = v["Remedy"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(remedy_keys, ["Kind", "Summary", "Steps"]);
    assert_eq!(v["Remedy"]["Kind"], "add-identity-policy-statement");
    assert_eq!(v["ProposedPolicy"]["Statement"][0]["Resource"], "arn:aws:s3:::acme-reports/2024/q3/summary.csv");
    let steps = v["Remedy"]["Steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s.as_str().unwrap().contains("arn:aws:s3:::acme-reports/2024/q3/*")), "bucket-prefix form offered: {steps:?}");
}

#[test]
fn human_plan_states_the_same_facts() {
    let out = iamlens(&[SCP], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    for fact in [
        "arn:aws:iam::123456789012:user/ops/deployer (user)",
        "ec2:RunInstances",
        "arn:aws:ec2:us-east-1:123456789012:instance/*",
        "explicit deny in a service control policy",
        "p-123",
        "DenyBigInstances",
        "administrator",
    ] {
        assert!(plan.contains(fact), "missing {fact:?} in:\n{plan}");
    }
    assert!(!plan.contains("Proposed policy"), "an SCP denial gets no Allow:\n{plan}");
}

#[test]
fn message_is_read_from_standard_input() {
    for args in [vec!["--json"], vec!["--json", "-"]] {
        let out = iamlens(&args, Some(&format!("{IDENTITY}\n")));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["Action"], "s3:GetObject");
    }
}

#[test]
fn without_terminal_or_yes_the_plan_is_printed_and_nothing_applied() {
    let out = iamlens(&[IDENTITY], None);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("re-run with --yes") && err.contains("iamlens-ReportsApp"), "{err}");
    assert!(!err.contains("cannot reach"), "no AWS call without --yes: {err}");
}

#[test]
fn yes_on_a_denial_that_an_allow_cannot_fix_changes_nothing() {
    let out = iamlens(&["--yes", SCP], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("nothing applied") && err.contains("service control policy"), "{err}");
    assert!(!err.contains("cannot reach"), "no AWS call for an SCP denial: {err}");
}

#[test]
fn bad_input_gets_one_clear_message_and_exit_2() {
    let cases: [(&[&str], Option<&str>, &str); 3] = [
        (&["--json"], Some("   \n"), "empty"),
        (&["hello world"], None, "no AWS access-denied error"),
        (&["--resource-override", "my-bucket", IDENTITY], None, "--resource-override `my-bucket` is not an ARN"),
    ];
    for (args, stdin, needle) in cases {
        let out = iamlens(args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn resource_override_replaces_the_resource() {
    let out = iamlens(&["--json", "--resource-override", "arn:aws:s3:::acme-reports/2024/*", IDENTITY], None);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Resource"], "arn:aws:s3:::acme-reports/2024/*");
    assert_eq!(v["ProposedPolicy"]["Statement"][0]["Resource"], "arn:aws:s3:::acme-reports/2024/*");
}

#[test]
fn account_and_region_turn_a_bare_secret_name_into_an_arn() {
    let msg = "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no identity-based policy allows the secretsmanager:GetSecretValue action";
    let bare = iamlens(&["--json", msg], None);
    let v: Value = serde_json::from_slice(&bare.stdout).unwrap();
    assert_eq!(v["Resource"], "prod/db");
    assert!(v["Remedy"]["Steps"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().contains("bare name")));
    let built = iamlens(&["--json", "--region", "eu-west-1", "--account", "123456789012", msg], None);
    let v: Value = serde_json::from_slice(&built.stdout).unwrap();
    assert_eq!(v["Resource"], "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????");
}

#[test]
fn decode_without_an_encoded_message_says_so() {
    let out = iamlens(&["--decode", IDENTITY], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no encoded authorization failure message"));
}
