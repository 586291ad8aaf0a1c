//! `iamlens generate-policies` as users run it: flags, exit codes, envelope.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

fn fixture(name: &str) -> String {
    repo_root().join("tests/fixtures/python").join(name).display().to_string()
}

fn iamlens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlens")).args(args).output().expect("iamlens runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}): {}\nstderr: {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn statements(v: &Value) -> Vec<Value> {
    v["Policies"].as_array().unwrap().iter().flat_map(|p| p["Policy"]["Statement"].as_array().unwrap().clone()).collect()
}

fn actions(v: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        statements(v).iter().flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string())).collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn envelope_has_the_peer_shape() {
    let out = iamlens(&["generate-policies", &fixture("secrets_loader.py"), "--region", "us-east-1", "--account", "123456789012"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let policy = &v["Policies"][0];
    assert_eq!(policy["PolicyType"], "Identity");
    assert_eq!(policy["Policy"]["Id"], "IamPolicyAutopilot");
    assert_eq!(policy["Policy"]["Version"], "2012-10-17");
    assert!(v["Warnings"].is_array());
    let st = statements(&v);
    let secret = st.iter().find(|s| s["Action"][0] == "secretsmanager:GetSecretValue").expect("GetSecretValue granted");
    assert_eq!(secret["Resource"][0], "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-??????");
    // Compact unless --pretty.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn pretty_prints_on_several_lines() {
    let out = iamlens(&["generate-policies", &fixture("secrets_loader.py"), "--pretty"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 5);
}

#[test]
fn region_and_account_default_to_wildcards() {
    let out = iamlens(&["generate-policies", &fixture("class_order_repository.py")]);
    let v = json(&out);
    let resources: Vec<String> =
        statements(&v).iter().flat_map(|s| s["Resource"].as_array().unwrap().clone()).map(|r| r.as_str().unwrap().to_string()).collect();
    assert!(resources.contains(&"arn:aws:dynamodb:*:*:table/OrderHistory".to_string()), "{resources:?}");
}

#[test]
fn directories_are_walked_honouring_gitignore() {
    let dir = std::env::temp_dir().join(format!("iamlens-cli-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app/jobs")).unwrap();
    std::fs::create_dir_all(dir.join("build")).unwrap();
    std::fs::write(dir.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(dir.join("app/jobs/export.py"), "import boto3\nboto3.client('s3').put_object(Bucket='exports', Key='a.csv', Body=b'')\n").unwrap();
    std::fs::write(
        dir.join("app/notify.py"),
        "import boto3\nboto3.client('sns').publish(TopicArn='arn:aws:sns:us-east-1:123456789012:t', Message='m')\n",
    )
    .unwrap();
    std::fs::write(dir.join("build/generated.py"), "import boto3\nboto3.client('iam').delete_user(UserName='x')\n").unwrap();
    let out = iamlens(&["generate-policies", &dir.display().to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let acts = actions(&json(&out));
    assert!(acts.contains(&"s3:PutObject".to_string()) && acts.contains(&"sns:Publish".to_string()), "{acts:?}");
    assert!(!acts.iter().any(|a| a.starts_with("iam:")), "the git-ignored build/ file was analysed: {acts:?}");
}

#[test]
fn service_hints_keep_only_those_services() {
    let all = json(&iamlens(&["generate-policies", &fixture("lambda_s3_to_dynamodb_etl.py")]));
    assert!(actions(&all).iter().any(|a| a.starts_with("dynamodb:")));
    let only_s3 = json(&iamlens(&["generate-policies", &fixture("lambda_s3_to_dynamodb_etl.py"), "--service-hints", "s3"]));
    let acts = actions(&only_s3);
    assert!(acts.iter().any(|a| a.starts_with("s3:")), "{acts:?}");
    assert!(!acts.iter().any(|a| a.starts_with("dynamodb:")), "{acts:?}");
}

#[test]
fn explain_names_file_line_and_call() {
    let out = iamlens(&["generate-policies", &fixture("sqs_worker.py"), "--explain", "sqs:Delete*"]);
    assert!(out.status.success());
    let v = json(&out);
    let explanations = v["Explanations"].as_array().expect("Explanations present with --explain");
    assert_eq!(explanations.len(), 1, "{explanations:?}");
    let e = &explanations[0];
    assert_eq!(e["Action"], "sqs:DeleteMessage");
    assert!(e["File"].as_str().unwrap().ends_with("sqs_worker.py"));
    assert_eq!(e["Line"], 29);
    assert!(e["Call"].as_str().unwrap().contains("delete_message"));
    assert_eq!(e["Operation"], "sqs.DeleteMessage");
}

#[test]
fn no_explanations_key_without_explain() {
    let v = json(&iamlens(&["generate-policies", &fixture("sqs_worker.py")]));
    assert!(v.get("Explanations").is_none());
}

#[test]
fn dynamic_values_are_warnings_on_stderr_and_in_the_envelope() {
    let out = iamlens(&["generate-policies", &fixture("env_configured_bucket.py")]);
    assert!(out.status.success(), "warnings are not failures");
    let v = json(&out);
    let warnings = v["Warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w["Kind"] == "DynamicResource" && w["Line"] == 11), "{warnings:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("env_configured_bucket.py:11"), "{stderr}");
}

#[test]
fn missing_paths_exit_2_with_one_clear_line() {
    let out = iamlens(&["generate-policies", "/no/such/place.py"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/no/such/place.py") && stderr.contains("no such file"), "{stderr}");
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["generate-policies", "x.py", "--language", "cobol"],
        vec!["generate-policies", "x.py", "--account", "abc"],
        vec!["generate-policies", "x.py", "--region", "US East"],
        vec!["generate-policies"],
        vec!["generate-policies", "x.py", "--resource-cutoff", "many"],
    ] {
        let out = iamlens(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn code_without_an_aws_sdk_yields_no_policy_statements() {
    let v = json(&iamlens(&["generate-policies", &fixture("no_aws_lookalikes.py"), &fixture("no_aws_settings_cache.py")]));
    assert!(statements(&v).is_empty(), "{v}");
}

#[test]
fn resource_cutoff_collapses_to_the_narrowest_wildcard() {
    let v = json(&iamlens(&["generate-policies", &fixture("s3_copy_object.py"), &fixture("lambda_s3_thumbnail.py"), "--resource-cutoff", "1"]));
    let put = statements(&v).into_iter().find(|s| s["Action"].as_array().unwrap().iter().any(|a| a == "s3:PutObject")).unwrap();
    assert_eq!(put["Resource"], serde_json::json!(["arn:aws:s3:::acme-*/*/*"]));
    // Never silently: a warning names the action, the pattern and how many ARNs it replaced.
    let warning = v["Warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["Kind"] == "ResourceCutoff" && w["Message"].as_str().unwrap().starts_with("s3:PutObject"))
        .unwrap_or_else(|| panic!("no ResourceCutoff warning for s3:PutObject: {}", v["Warnings"]));
    let message = warning["Message"].as_str().unwrap();
    assert!(message.contains("`arn:aws:s3:::acme-*/*/*`") && message.contains("instead of the 3 resources"), "{message}");
    assert!(warning["File"].as_str().unwrap().ends_with(".py") && warning["Line"].as_u64().unwrap() > 0, "{warning}");
}

#[test]
fn verify_checks_the_generated_policy() {
    let out = iamlens(&["generate-policies", &fixture("sqs_worker.py"), "--verify", "--region", "us-east-1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert!(v["Verification"]["Checked"].as_u64().unwrap() > 0, "{}", v["Verification"]);
    assert_eq!(v["Verification"]["NotAllowed"], serde_json::json!([]));
    assert_eq!(v["Verification"]["Unneeded"], serde_json::json!([]));
}

#[test]
fn kms_via_service_can_be_left_out() {
    let with = actions(&json(&iamlens(&["generate-policies", &fixture("sqs_worker.py")])));
    let without = actions(&json(&iamlens(&["generate-policies", &fixture("sqs_worker.py"), "--no-kms-via-service"])));
    assert!(!without.iter().any(|a| a.starts_with("kms:")), "{without:?}");
    assert!(with.len() >= without.len());
}

#[test]
fn minimize_policy_size_groups_by_resource_across_services() {
    let files = [fixture("cloudwatch_metrics.py"), fixture("rekognition_labels.py")];
    let per_service = json(&iamlens(&["generate-policies", &files[0], &files[1]]));
    assert_eq!(statements(&per_service).len(), 2);
    let minimized = json(&iamlens(&["generate-policies", &files[0], &files[1], "--minimize-policy-size"]));
    let st = statements(&minimized);
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!(st[0]["Action"], serde_json::json!(["cloudwatch:PutMetricData", "rekognition:DetectLabels"]));
    assert_eq!(st[0]["Resource"], serde_json::json!(["*"]));
}

#[test]
fn the_whole_corpus_splits_into_policies_under_the_managed_policy_limit() {
    let out = iamlens(&[
        "generate-policies",
        &repo_root().join("tests/fixtures/python").display().to_string(),
        "--region",
        "us-east-1",
        "--account",
        "123456789012",
    ]);
    assert!(out.status.success());
    let v = json(&out);
    for policy in v["Policies"].as_array().unwrap() {
        let compact = serde_json::to_string(&policy["Policy"]).unwrap();
        assert!(compact.len() <= 6144, "a policy of {} characters", compact.len());
    }
}
