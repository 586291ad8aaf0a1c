//! `iamlens deploy-policy`: its help, its envelope, and its errors. What the
//! policy holds is tested on hand-built deployments in iamlens-functions
//! (`deploy::tests`) and end to end in tests/e2e/test_deploy_policy.py.

use serde_json::Value;
use std::process::{Command, Output};

fn deploy_policy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlens")).arg("deploy-policy").args(args).output().expect("run iamlens")
}

#[test]
fn help_names_every_flag() {
    let out = deploy_policy(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("The policy the deploying principal (sam deploy, cdk deploy, terraform apply) needs"), "{text}");
    for flag in [
        "<TEMPLATE-or-DIR>...",
        "-r, --region <REGION>",
        "-a, --account <ACCOUNT>",
        "--stack-name <NAME>",
        "--artifact-bucket <BUCKET>",
        "-p, --pretty",
    ] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = deploy_policy(&["no/such/template.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "iamlens: no/such/template.yaml: no such file or directory");
}

#[test]
fn a_directory_without_templates_prints_an_empty_envelope_and_says_why() {
    let dir = std::env::temp_dir().join(format!("iamlens-deploy-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "no templates here").unwrap();
    let out = deploy_policy(&[dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["Policies"], Value::Array(vec![]));
    let warnings = v["Warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["Kind"], "NoResources");
    assert_eq!(warnings[0]["Message"], "no template was found in the given paths");
}
