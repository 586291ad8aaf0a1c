//! The excess direction of a drift check: statements that grant more actions
//! or broader resources than the requirements need, the narrower grant, and
//! grants recorded as needed for reasons the code does not show.

use iamlens_engine::evaluator::{excess_grants, excess_grants_with_catalog, ExcessGrant, PolicyDocument, PolicySet};
use iamlens_engine::model::Requirement;
use serde_json::json;

fn requirement(action: &str, resources: &[&str]) -> Requirement {
    Requirement {
        action: action.into(),
        resources: resources.iter().map(|r| r.to_string()).collect(),
        conditions: vec![],
        access_level: None,
        arn_templates: vec![],
        note: None,
        call_index: 0,
    }
}

fn policies(statements: serde_json::Value) -> PolicySet {
    let doc = PolicyDocument::from_value("p", &json!({"Version": "2012-10-17", "Statement": statements})).expect("valid policy");
    PolicySet { identity: vec![doc], boundary: None }
}

/// A small catalog: what `s3:*` and `s3:Get*` match.
fn catalog(prefix: &str) -> Option<Vec<String>> {
    match prefix {
        "s3" => Some(["s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:DeleteObject"].iter().map(|a| a.to_string()).collect()),
        "logs" => Some(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"].iter().map(|a| a.to_string()).collect()),
        _ => None,
    }
}

fn excess(statements: serde_json::Value, reqs: &[Requirement], allowed: &[&str]) -> Vec<ExcessGrant> {
    let allowed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
    excess_grants_with_catalog(&policies(statements), reqs, &allowed, &catalog)
}

const INVOICES: &str = "arn:aws:s3:::invoices/*";

#[test]
fn an_exact_grant_is_not_excess() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    assert!(excess(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": INVOICES}]), &reqs, &[]).is_empty());
    // Case of the action does not matter; an action without resource-level permissions on `*` is exact.
    let reqs = [requirement("sts:GetCallerIdentity", &["*"])];
    assert!(excess(json!([{"Effect": "Allow", "Action": "STS:getcalleridentity", "Resource": "*"}]), &reqs, &[]).is_empty());
}

#[test]
fn a_wildcard_grant_names_the_narrower_one() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let found = excess(json!([{"Sid": "Data", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]), &reqs, &[]);
    assert_eq!(found.len(), 1);
    let e = &found[0];
    assert_eq!(e.statement.sid.as_deref(), Some("Data"));
    assert_eq!(e.unneeded_actions, ["s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObject"]);
    assert_eq!(e.broader_resources.len(), 1);
    assert_eq!(e.broader_resources[0].granted, "*");
    assert_eq!(e.broader_resources[0].needed, [INVOICES]);
    assert_eq!(e.needed_actions, ["s3:GetObject"]);
    assert_eq!(e.needed_resources, [INVOICES]);
    assert!(!e.unused());
    let text = e.summary();
    assert!(text.contains("grants s3:* on *"), "{text}");
    assert!(text.ends_with("narrower: s3:GetObject on arn:aws:s3:::invoices/*"), "{text}");
}

#[test]
fn a_statement_no_call_needs_is_unused() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let found = excess(
        json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": INVOICES},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::archive/*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
        ]),
        &reqs,
        &[],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].statement.index, 1);
    assert!(found[0].unused());
    assert!(found[0].summary().contains("which no call in the code read needs"));
}

#[test]
fn a_resource_pattern_matching_nothing_needed_is_reported() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let found = excess(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [INVOICES, "arn:aws:s3:::archive/*"]}]), &reqs, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].unused_resources, ["arn:aws:s3:::archive/*"]);
    assert!(found[0].broader_resources.is_empty());
}

#[test]
fn broader_is_per_action() {
    // `*` is exact for sts:GetCallerIdentity but broader than the bucket s3:GetObject needs.
    let reqs = [requirement("s3:GetObject", &[INVOICES]), requirement("sts:GetCallerIdentity", &["*"])];
    let found = excess(json!([{"Effect": "Allow", "Action": ["s3:GetObject", "sts:GetCallerIdentity"], "Resource": "*"}]), &reqs, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].broader_resources[0].needed, ["*", INVOICES]);
    // A dynamic bucket name needs every bucket: `*/*` is no narrower than that.
    let reqs = [requirement("s3:GetObject", &["arn:aws:s3:::*/*"])];
    assert!(excess(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}]), &reqs, &[]).is_empty());
}

#[test]
fn allowed_globs_excuse_grants_the_code_does_not_show() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let logs = json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": INVOICES},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
    ]);
    assert_eq!(excess(logs.clone(), &reqs, &[]).len(), 1);
    assert!(excess(logs.clone(), &reqs, &["logs:*"]).is_empty());
    // Excusing one action leaves the others.
    let partial = excess(logs, &reqs, &["logs:CreateLogGroup"]);
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0].unneeded_actions, ["logs:CreateLogStream", "logs:PutLogEvents"]);
    // An excused action's resources are not judged: `s3:*` on `*` is then no excess at all.
    let broad = json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]);
    assert_eq!(excess(broad.clone(), &reqs, &["s3:Put*"]).len(), 1);
    assert!(excess(broad, &reqs, &["s3:*"]).is_empty());
    // A pattern the IAM data cannot expand is excused only by a glob that covers it.
    let star = json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]);
    assert_eq!(excess(star.clone(), &reqs, &[])[0].unneeded_actions, ["*"]);
    assert!(excess(star, &[], &["*"]).is_empty());
}

#[test]
fn not_action_and_not_resource_are_broader_than_any_list() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let found = excess(json!([{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]), &reqs, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].unneeded_actions, ["every action but iam:*"]);
    assert_eq!(found[0].broader_resources[0].granted, "every resource but arn:aws:s3:::secret/*");
    assert_eq!(found[0].granted_actions, ["NotAction iam:*"]);
}

#[test]
fn the_embedded_iam_data_lists_what_a_service_wildcard_grants() {
    let reqs = [requirement("s3:GetObject", &[INVOICES])];
    let found = excess_grants(&policies(json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": INVOICES}])), &reqs, &[]);
    assert_eq!(found.len(), 1);
    assert!(found[0].unneeded_actions.iter().all(|a| a.starts_with("s3:Get")), "{:?}", found[0].unneeded_actions);
    assert!(found[0].unneeded_actions.contains(&"s3:GetObjectTagging".to_string()));
    assert!(!found[0].unneeded_actions.contains(&"s3:GetObject".to_string()));
}
