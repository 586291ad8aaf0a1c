//! `iamlens lookup`: the built binary, its text and JSON output, and its errors.

use serde_json::Value;
use std::process::{Command, Output};

fn lookup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlens")).arg("lookup").args(args).output().expect("run iamlens")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn text_names_operation_method_actions_arns_and_condition_keys() {
    let out = lookup(&["s3", "get_object"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("s3 GetObject  (boto3: s3.get_object)"), "{text}");
    assert!(text.contains("  s3:GetObject  [Read]"), "{text}");
    assert!(text.contains("arn:${Partition}:s3:::${BucketName}/${ObjectName}   (BucketName ← Bucket, ObjectName ← Key)"), "{text}");
    assert!(text.contains("condition keys: s3:AccessGrantsInstanceArn"), "{text}");
    assert!(!text.contains("GetObjectLegalHold") && !text.contains("s3-object-lambda"), "no over-grant: {text}");
}

#[test]
fn json_has_the_documented_shape() {
    let out = lookup(&["sqs", "SendMessageBatch", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["Service"], "sqs");
    assert_eq!(v["Operation"], "SendMessageBatch");
    assert_eq!(v["Method"], "send_message_batch");
    let actions = v["Actions"].as_array().unwrap();
    assert_eq!(actions[0]["Action"], "sqs:SendMessage");
    assert_eq!(actions[0]["Resources"][0], "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}");
    assert!(actions[0]["ConditionKeys"].as_array().unwrap().iter().any(|k| k == "aws:ResourceTag/${TagKey}"));
    let kms = actions.iter().find(|a| a["Action"] == "kms:GenerateDataKey").expect("KMS on the caller's behalf");
    assert_eq!(kms["Condition"]["StringEquals"]["kms:ViaService"][0], "sqs.${Region}.amazonaws.com");
}

#[test]
fn accepts_an_iam_prefix_and_api_operation_names() {
    let out = lookup(&["states", "StartExecution", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["Service"].as_str(), v["Method"].as_str()), (Some("stepfunctions"), Some("start_execution")));
    assert_eq!(v["Actions"][0]["Action"], "states:StartExecution");
}

#[test]
fn actions_without_resource_types_take_a_wildcard() {
    let v: Value = serde_json::from_slice(&lookup(&["sqs", "list_queues", "--json"]).stdout).unwrap();
    assert_eq!(v["Actions"][0]["Resources"], serde_json::json!(["*"]));
}

#[test]
fn operations_without_iam_say_so() {
    let out = lookup(&["sts", "get_caller_identity"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("needs no IAM permission"), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&lookup(&["sts", "get_caller_identity", "--json"]).stdout).unwrap();
    assert_eq!(v["Actions"], serde_json::json!([]));
    assert_eq!(v["RequiresIam"], false);
}

#[test]
fn injected_methods_list_the_operations_they_perform() {
    let v: Value = serde_json::from_slice(&lookup(&["s3", "upload_file", "--json"]).stdout).unwrap();
    assert_eq!(v["Method"], "upload_file");
    assert!(v["Operations"].as_array().unwrap().iter().any(|o| o == "CreateMultipartUpload"));
    assert_eq!(v["Actions"][0]["Action"], "s3:PutObject");
}

#[test]
fn unknown_service_exits_2_with_suggestions() {
    let out = lookup(&["dynamdb", "put_item"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "`dynamdb` is unknown to this version of the knowledge base (misspelt, or newer than its botocore data); did you mean `dynamodb`"
        ),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn unknown_method_exits_2_with_suggestions() {
    let out = lookup(&["s3", "get_objekt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("s3 has no method or operation `get_objekt`; did you mean `get_object`"), "{err}");
}

#[test]
fn nothing_close_gets_an_example_instead() {
    let out = lookup(&["zzzzqqq", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected e.g. `iamlens lookup s3 get_object`"), "{}", stderr(&out));
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    // `iamlens lookup s3 get_object | head -1`: the pipe closes before we write.
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamlens"))
        .args(["lookup", "s3", "get_object", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("iamlens starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("iamlens ends");
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "stderr: {err}");
    assert!(out.status.success(), "status {:?}, stderr: {err}", out.status);
}

#[test]
fn version_names_the_knowledge_pins() {
    let out = Command::new(env!("CARGO_BIN_EXE_iamlens")).arg("--version").output().expect("run iamlens");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.starts_with(&format!("iamlens {} (knowledge: ", env!("CARGO_PKG_VERSION"))), "{text}");
    assert!(text.contains("botocore ") && text.contains("iam-data "), "{text}");
    // The IAM data's publication date, read from its version (`0.21.20260926x`).
    let date = text.split("IAM data of ").nth(1).map(|rest| &rest[..10]).unwrap_or_default();
    assert!(date.len() == 10 && date.starts_with("20") && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-', "{text}");
}
