//! The local IAM policy evaluator against the rules of the IAM policy
//! evaluation logic documentation (identity-based policies + permissions
//! boundary), plus the "depends" answers iamlens gives for what is only known
//! at run time.

use iamlens_engine::evaluator::{
    check_requirements, check_requirements_for_role, check_requirements_in, evaluate, verify, verify_in_account, verify_with_catalog, Context,
    Decision, PolicyDocument, PolicySet, Request, RolePolicies,
};
use iamlens_engine::model::Requirement;
use serde_json::json;

fn doc(name: &str, v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_value(name, &v).expect("valid policy")
}

fn policy(statements: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(action: &str, resource: &str) -> serde_json::Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}

fn deny(action: &str, resource: &str) -> serde_json::Value {
    json!({"Effect": "Deny", "Action": action, "Resource": resource})
}

fn set(identity: Vec<serde_json::Value>) -> PolicySet {
    PolicySet { identity: identity.into_iter().enumerate().map(|(i, v)| doc(&format!("p{}", i + 1), v)).collect(), boundary: None }
}

fn decide_in(set: &PolicySet, action: &str, resource: &str, ctx: &Context) -> Decision {
    evaluate(set, &Request { action, resource, context: ctx })
}

fn decide(set: &PolicySet, action: &str, resource: &str) -> Decision {
    decide_in(set, action, resource, &Context::new())
}

fn depends_text(d: &Decision) -> String {
    match d {
        Decision::Depends { on } => on.join(" | "),
        other => panic!("expected depends, got {other:?}"),
    }
}

const OBJ: &str = "arn:aws:s3:::bucket/key.txt";

// ---- Basic allow / implicit deny / explicit deny -------------------------

#[test]
fn exact_allow_allows() {
    let s = set(vec![policy(json!([allow("s3:GetObject", OBJ)]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
}

#[test]
fn nothing_matching_is_an_implicit_deny() {
    let s = set(vec![policy(json!([allow("s3:GetObject", OBJ)]))]);
    assert_eq!(decide(&s, "s3:PutObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn no_policies_at_all_is_an_implicit_deny() {
    assert_eq!(decide(&PolicySet::default(), "s3:GetObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn explicit_deny_wins_over_allow_in_the_same_policy() {
    let s = set(vec![policy(json!([allow("s3:*", "*"), {"Sid": "NoGet", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]))]);
    match decide(&s, "s3:GetObject", OBJ) {
        Decision::ExplicitDeny { by } => assert_eq!(by.sid.as_deref(), Some("NoGet")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn explicit_deny_in_another_policy_wins() {
    let s = set(vec![policy(json!([allow("s3:GetObject", OBJ)])), policy(json!([deny("s3:*", "*")]))]);
    match decide(&s, "s3:GetObject", OBJ) {
        Decision::ExplicitDeny { by } => {
            assert_eq!(by.policy, "p2");
            assert_eq!(by.index, 0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn deny_for_another_action_does_not_affect_the_request() {
    let s = set(vec![policy(json!([allow("s3:*", "*"), deny("s3:DeleteObject", "*")]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert!(matches!(decide(&s, "s3:DeleteObject", OBJ), Decision::ExplicitDeny { .. }));
}

#[test]
fn allowed_names_the_statement_that_allowed() {
    let s = set(vec![policy(json!([allow("sqs:SendMessage", "*"), {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJ}]))]);
    match decide(&s, "s3:GetObject", OBJ) {
        Decision::Allowed { by } => assert_eq!(by.sid.as_deref(), Some("Read")),
        other => panic!("{other:?}"),
    }
}

// ---- Action matching ------------------------------------------------------

#[test]
fn actions_match_case_insensitively() {
    let s = set(vec![policy(json!([allow("S3:getobject", OBJ)]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
}

#[test]
fn action_wildcard_matches_the_prefix_only() {
    let s = set(vec![policy(json!([allow("s3:Get*", "*")]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert!(decide(&s, "s3:GetBucketPolicy", "arn:aws:s3:::bucket").is_allowed());
    assert_eq!(decide(&s, "s3:PutObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn action_question_mark_matches_one_character() {
    let s = set(vec![policy(json!([allow("s3:?etObject", "*")]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert_eq!(decide(&s, "s3:PutObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn star_action_allows_every_service() {
    let s = set(vec![policy(json!([allow("*", "*")]))]);
    assert!(decide(&s, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/t").is_allowed());
}

#[test]
fn action_list_is_ored() {
    let s = set(vec![policy(json!([{"Effect": "Allow", "Action": ["sqs:SendMessage", "s3:GetObject"], "Resource": "*"}]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert!(decide(&s, "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q").is_allowed());
}

#[test]
fn service_prefix_must_match_too() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "*")]))]);
    assert_eq!(decide(&s, "s3express:GetObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn not_action_allow_grants_everything_else() {
    let s = set(vec![policy(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert_eq!(decide(&s, "iam:CreateRole", "arn:aws:iam::1:role/r"), Decision::ImplicitDeny);
}

#[test]
fn not_action_deny_denies_everything_else() {
    let s = set(vec![policy(json!([allow("*", "*"), {"Effect": "Deny", "NotAction": ["s3:*", "sts:*"], "Resource": "*"}]))]);
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert!(matches!(decide(&s, "ec2:RunInstances", "*"), Decision::ExplicitDeny { .. }));
}

#[test]
fn not_action_is_case_insensitive_too() {
    let s = set(vec![policy(json!([{"Effect": "Allow", "NotAction": "IAM:*", "Resource": "*"}]))]);
    assert_eq!(decide(&s, "iam:PassRole", "*"), Decision::ImplicitDeny);
}

// ---- Resource matching ----------------------------------------------------

#[test]
fn resources_match_case_sensitively() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::Bucket/*")]))]);
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/k"), Decision::ImplicitDeny);
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::Bucket/k").is_allowed());
}

#[test]
fn resource_wildcard_spans_slashes_and_colons() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::bucket/*")]))]);
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/a/b/c:d").is_allowed());
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket2/a"), Decision::ImplicitDeny);
}

#[test]
fn resource_question_mark_matches_exactly_one_character() {
    let s = set(vec![policy(json!([allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue?")]))]);
    assert!(decide(&s, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue1").is_allowed());
    assert_eq!(decide(&s, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue12"), Decision::ImplicitDeny);
    assert_eq!(decide(&s, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue"), Decision::ImplicitDeny);
}

#[test]
fn not_resource_allow_excludes_the_listed_resources() {
    let s = set(vec![policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::bucket/secret/*"}]))]);
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/public/a").is_allowed());
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/secret/a"), Decision::ImplicitDeny);
}

#[test]
fn not_resource_deny_protects_everything_but_the_listed_resources() {
    let s = set(vec![policy(
        json!([allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::mine", "arn:aws:s3:::mine/*"]}]),
    )]);
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::mine/k").is_allowed());
    assert!(matches!(decide(&s, "s3:GetObject", "arn:aws:s3:::theirs/k"), Decision::ExplicitDeny { .. }));
}

#[test]
fn action_without_resource_level_permissions_needs_a_star_resource() {
    let star = set(vec![policy(json!([allow("s3:ListAllMyBuckets", "*")]))]);
    assert!(decide(&star, "s3:ListAllMyBuckets", "*").is_allowed());
    let scoped = set(vec![policy(json!([allow("s3:ListAllMyBuckets", "arn:aws:s3:::*")]))]);
    assert_eq!(decide(&scoped, "s3:ListAllMyBuckets", "*"), Decision::ImplicitDeny);
}

#[test]
fn statement_without_resource_matches_nothing() {
    let s = set(vec![policy(json!([{"Effect": "Allow", "Action": "s3:GetObject"}]))]);
    assert_eq!(decide(&s, "s3:GetObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn partly_known_resource_is_allowed_when_the_policy_covers_every_value() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::bucket/*")]))]);
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/*").is_allowed());
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/reports/*.csv").is_allowed());
}

#[test]
fn partly_known_resource_depends_when_the_policy_covers_some_values() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::bucket/data/*")]))]);
    let why = depends_text(&decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/*"));
    assert!(why.contains("arn:aws:s3:::bucket/data/*"), "{why}");
}

#[test]
fn partly_known_resource_is_denied_when_no_value_can_match() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::other/*")]))]);
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::bucket/*"), Decision::ImplicitDeny);
}

// ---- Policy variables -----------------------------------------------------

#[test]
fn unresolved_policy_variable_is_reported_as_such() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]))]);
    let why = depends_text(&decide(&s, "s3:GetObject", "arn:aws:s3:::home/alice/notes"));
    assert!(why.contains("${aws:username}"), "{why}");
}

#[test]
fn policy_variable_that_cannot_match_is_still_a_deny() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]))]);
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::elsewhere/x"), Decision::ImplicitDeny);
}

#[test]
fn known_policy_variable_is_substituted() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]))]);
    let ctx = Context::new().with("aws:username", "alice");
    assert!(decide_in(&s, "s3:GetObject", "arn:aws:s3:::home/alice/notes", &ctx).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", "arn:aws:s3:::home/bob/notes", &ctx), Decision::ImplicitDeny);
}

#[test]
fn policy_variables_are_literal_text_in_version_2008() {
    let old = json!({"Version": "2008-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]});
    let s = set(vec![old]);
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::home/alice/notes"), Decision::ImplicitDeny);
}

#[test]
fn escaped_star_variable_is_a_literal_star() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::b/${*}")]))]);
    assert_eq!(decide(&s, "s3:GetObject", "arn:aws:s3:::b/anything"), Decision::ImplicitDeny);
}

#[test]
fn absent_variable_uses_its_default() {
    let s = set(vec![policy(json!([allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*")]))]);
    let ctx = Context::new().without("aws:PrincipalTag/team");
    assert!(decide_in(&s, "s3:GetObject", "arn:aws:s3:::b/shared/x", &ctx).is_allowed());
}

// ---- Conditions -----------------------------------------------------------

fn with_condition(condition: serde_json::Value) -> PolicySet {
    set(vec![policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]))])
}

#[test]
fn condition_on_unknown_key_depends_on_it() {
    let s = with_condition(json!({"StringEquals": {"aws:SourceVpc": "vpc-111"}}));
    let why = depends_text(&decide(&s, "s3:GetObject", OBJ));
    assert!(why.contains("StringEquals aws:SourceVpc"), "{why}");
}

#[test]
fn condition_with_known_matching_value_allows() {
    let s = with_condition(json!({"StringEquals": {"aws:SourceVpc": "vpc-111"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceVpc", "vpc-111")).is_allowed());
}

#[test]
fn condition_with_known_other_value_denies() {
    let s = with_condition(json!({"StringEquals": {"aws:SourceVpc": "vpc-111"}}));
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceVpc", "vpc-222")), Decision::ImplicitDeny);
}

#[test]
fn condition_key_names_are_case_insensitive_values_are_not() {
    let s = with_condition(json!({"StringEquals": {"AWS:SourceVPC": "vpc-111"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:sourcevpc", "vpc-111")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:sourcevpc", "VPC-111")), Decision::ImplicitDeny);
}

#[test]
fn values_of_one_key_are_ored() {
    let s = with_condition(json!({"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:RequestedRegion", "eu-west-1")).is_allowed());
}

#[test]
fn keys_and_operators_are_anded() {
    let s = with_condition(json!({
        "StringEquals": {"aws:RequestedRegion": "us-east-1"},
        "Bool": {"aws:SecureTransport": true}
    }));
    let both = Context::new().with("aws:RequestedRegion", "us-east-1").with("aws:SecureTransport", "true");
    assert!(decide_in(&s, "s3:GetObject", OBJ, &both).is_allowed());
    let one = Context::new().with("aws:RequestedRegion", "us-east-1").with("aws:SecureTransport", "false");
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &one), Decision::ImplicitDeny);
}

#[test]
fn string_equals_does_not_treat_star_as_a_wildcard() {
    let s = with_condition(json!({"StringEquals": {"s3:prefix": "home/*"}}));
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "home/alice")), Decision::ImplicitDeny);
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "home/*")).is_allowed());
}

#[test]
fn string_like_uses_wildcards() {
    let s = with_condition(json!({"StringLike": {"s3:prefix": ["home/*", "pub?ic"]}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "home/alice")).is_allowed());
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "public")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "private")), Decision::ImplicitDeny);
}

#[test]
fn string_equals_ignore_case() {
    let s = with_condition(json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Data"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:PrincipalTag/team", "DATA")).is_allowed());
}

#[test]
fn negated_string_operator_is_true_when_the_key_is_absent() {
    let s = with_condition(json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().without("aws:PrincipalOrgID")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:PrincipalOrgID", "o-123")), Decision::ImplicitDeny);
}

#[test]
fn positive_operator_is_false_when_the_key_is_absent_unless_if_exists() {
    let plain = with_condition(json!({"StringEquals": {"ec2:InstanceType": "t3.micro"}}));
    let ctx = Context::new().without("ec2:InstanceType");
    assert_eq!(decide_in(&plain, "s3:GetObject", OBJ, &ctx), Decision::ImplicitDeny);
    let if_exists = with_condition(json!({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}));
    assert!(decide_in(&if_exists, "s3:GetObject", OBJ, &ctx).is_allowed());
}

#[test]
fn numeric_operators_compare_numbers() {
    let s = with_condition(json!({"NumericLessThanEquals": {"s3:max-keys": "10"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:max-keys", "10")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:max-keys", "11")), Decision::ImplicitDeny);
}

#[test]
fn date_operators_compare_iso_dates_and_epochs() {
    let s = with_condition(json!({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:CurrentTime", "2026-11-28T17:00:00Z")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:CurrentTime", "2025-12-31T23:59:59Z")), Decision::ImplicitDeny);
    // 1767225600 is 2026-01-01T00:00:00Z: not greater than itself.
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:CurrentTime", "1767225600")), Decision::ImplicitDeny);
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:CurrentTime", "2026-01-01T01:00:00+00:30")).is_allowed());
}

#[test]
fn bool_operator_reads_json_booleans() {
    let s = with_condition(json!({"Bool": {"aws:MultiFactorAuthPresent": true}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:MultiFactorAuthPresent", "true")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:MultiFactorAuthPresent", "false")), Decision::ImplicitDeny);
}

#[test]
fn ip_address_operators_use_cidr_ranges() {
    let s = with_condition(json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceIp", "203.0.113.77")).is_allowed());
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceIp", "2001:db8:1::5")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceIp", "198.51.100.1")), Decision::ImplicitDeny);
    let not = with_condition(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}));
    assert!(decide_in(&not, "s3:GetObject", OBJ, &Context::new().with("aws:SourceIp", "198.51.100.1")).is_allowed());
}

#[test]
fn arn_like_matches_each_arn_part_separately() {
    let s = with_condition(json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:topic-*"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic-a")).is_allowed());
    assert_eq!(
        decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceArn", "arn:aws:sns:us-east-1:999999999999:topic-a")),
        Decision::ImplicitDeny
    );
    // A `*` in the region part cannot swallow the account part's colon.
    let t = with_condition(json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}));
    assert_eq!(decide_in(&t, "s3:GetObject", OBJ, &Context::new().with("aws:SourceArn", "arn:aws:sns:us-east-1:1:topic")), Decision::ImplicitDeny);
}

#[test]
fn null_operator_tests_presence() {
    let s = with_condition(json!({"Null": {"aws:TokenIssueTime": "true"}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().without("aws:TokenIssueTime")).is_allowed());
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:TokenIssueTime", "2026-01-01T00:00:00Z")), Decision::ImplicitDeny);
}

#[test]
fn for_all_values_is_true_for_an_absent_key_and_requires_every_value_to_match() {
    let s = with_condition(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}));
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().without("aws:TagKeys")).is_allowed());
    let mut ok = Context::new();
    ok.set("aws:TagKeys", vec!["env".into(), "team".into()]);
    assert!(decide_in(&s, "s3:GetObject", OBJ, &ok).is_allowed());
    let mut extra = Context::new();
    extra.set("aws:TagKeys", vec!["env".into(), "cost".into()]);
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &extra), Decision::ImplicitDeny);
}

#[test]
fn for_any_value_is_false_for_an_absent_key_and_needs_one_match() {
    let s = with_condition(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}));
    assert_eq!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().without("aws:TagKeys")), Decision::ImplicitDeny);
    let mut one = Context::new();
    one.set("aws:TagKeys", vec!["cost".into(), "env".into()]);
    assert!(decide_in(&s, "s3:GetObject", OBJ, &one).is_allowed());
}

#[test]
fn deny_with_unknown_condition_makes_the_answer_depend_on_it() {
    let s = set(vec![policy(json!([
        allow("s3:*", "*"),
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    ]))]);
    let why = depends_text(&decide(&s, "s3:GetObject", OBJ));
    assert!(why.contains("may deny") && why.contains("aws:SecureTransport"), "{why}");
    assert!(decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SecureTransport", "true")).is_allowed());
}

#[test]
fn unsupported_condition_operator_depends_instead_of_guessing() {
    let s = with_condition(json!({"StringFuzzy": {"aws:SourceVpc": "vpc-1"}}));
    let why = depends_text(&decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("aws:SourceVpc", "vpc-1")));
    assert!(why.contains("StringFuzzy"), "{why}");
}

#[test]
fn policy_variable_in_a_condition_value_depends_when_unknown() {
    let s = with_condition(json!({"StringEquals": {"s3:prefix": "home/${aws:username}"}}));
    let why = depends_text(&decide_in(&s, "s3:GetObject", OBJ, &Context::new().with("s3:prefix", "home/alice")));
    assert!(why.contains("${aws:username}"), "{why}");
}

// ---- Permissions boundaries -----------------------------------------------

fn with_boundary(identity: serde_json::Value, boundary: serde_json::Value) -> PolicySet {
    let mut s = set(vec![identity]);
    s.boundary = Some(doc("boundary", boundary));
    s
}

#[test]
fn boundary_intersects_with_identity_policies() {
    let s = with_boundary(policy(json!([allow("s3:*", "*")])), policy(json!([allow("s3:GetObject", "*")])));
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
    assert_eq!(decide(&s, "s3:PutObject", OBJ), Decision::DeniedByBoundary { boundary: "boundary".into() });
}

#[test]
fn boundary_alone_grants_nothing() {
    let s = with_boundary(policy(json!([allow("sqs:*", "*")])), policy(json!([allow("*", "*")])));
    assert_eq!(decide(&s, "s3:GetObject", OBJ), Decision::ImplicitDeny);
}

#[test]
fn deny_in_boundary_is_an_explicit_deny() {
    let s = with_boundary(policy(json!([allow("*", "*")])), policy(json!([allow("*", "*"), deny("iam:*", "*")])));
    match decide(&s, "iam:CreateUser", "arn:aws:iam::1:user/u") {
        Decision::ExplicitDeny { by } => assert_eq!(by.policy, "boundary"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn boundary_resource_scope_applies() {
    let s = with_boundary(policy(json!([allow("s3:GetObject", "*")])), policy(json!([allow("s3:*", "arn:aws:s3:::allowed/*")])));
    assert!(decide(&s, "s3:GetObject", "arn:aws:s3:::allowed/x").is_allowed());
    assert!(matches!(decide(&s, "s3:GetObject", "arn:aws:s3:::other/x"), Decision::DeniedByBoundary { .. }));
}

// ---- Documents ------------------------------------------------------------

#[test]
fn single_statement_object_and_string_fields_are_accepted() {
    let d = PolicyDocument::parse("one", r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#)
        .expect("parses");
    let s = PolicySet { identity: vec![d], boundary: None };
    assert!(decide(&s, "s3:GetObject", OBJ).is_allowed());
}

#[test]
fn malformed_documents_give_one_clear_message() {
    let cases = [
        ("not json", "not valid JSON"),
        (r#"{"Version":"2012-10-17"}"#, "no Statement"),
        (r#"{"Statement":[{"Action":"s3:*","Resource":"*"}]}"#, "statement 1 has no Effect"),
        (r#"{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#, "use \"Allow\" or \"Deny\""),
        (r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#, "neither Action nor NotAction"),
        (r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}"#, "both Action and NotAction"),
    ];
    for (text, expected) in cases {
        let e = PolicyDocument::parse("inline:bad", text).expect_err(text);
        let msg = e.to_string();
        assert!(msg.starts_with("policy inline:bad: ") && msg.contains(expected), "{text}: {msg}");
    }
}

// ---- Requirements: check against a role, verify generated policies ---------

fn requirement(action: &str, resources: &[&str], call_index: usize) -> Requirement {
    Requirement {
        action: action.into(),
        resources: resources.iter().map(|r| r.to_string()).collect(),
        conditions: vec![],
        access_level: None,
        arn_templates: vec![],
        note: None,
        call_index,
    }
}

fn role(statements: serde_json::Value) -> RolePolicies {
    RolePolicies { role_name: "app".into(), role_arn: "arn:aws:iam::123456789012:role/app".into(), policies: set(vec![policy(statements)]) }
}

#[test]
fn check_requirements_decides_each_call_and_each_resource() {
    let r = role(json!([allow("s3:GetObject", "arn:aws:s3:::in/*")]));
    let reqs = vec![
        requirement("s3:GetObject", &["arn:aws:s3:::in/a"], 0),
        requirement("s3:GetObject", &["arn:aws:s3:::in/a", "arn:aws:s3:::out/b"], 1),
        requirement("s3:PutObject", &["arn:aws:s3:::in/a"], 2),
    ];
    let out = check_requirements(&reqs, &r);
    assert_eq!(out.len(), 3);
    assert!(out[0].decision.is_allowed());
    assert_eq!(out[1].call_index, 1);
    assert_eq!(out[1].decision, Decision::ImplicitDeny, "one denied resource denies the call");
    assert!(out[1].resources[0].decision.is_allowed());
    assert_eq!(out[2].decision.verdict(), "denied");
}

#[test]
fn requirement_conditions_become_the_request_context() {
    let r = role(json!([{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]));
    let mut req = requirement("kms:Decrypt", &["arn:aws:kms:us-east-1:1:key/*"], 0);
    req.conditions = vec![("StringEquals".into(), "kms:ViaService".into(), vec!["s3.us-east-1.amazonaws.com".into()])];
    assert!(check_requirements_in(&[req.clone()], &r.policies, &Context::new())[0].decision.is_allowed());
    req.conditions = vec![("StringEquals".into(), "kms:ViaService".into(), vec!["sqs.us-east-1.amazonaws.com".into()])];
    assert_eq!(check_requirements_in(&[req], &r.policies, &Context::new())[0].decision, Decision::ImplicitDeny);
}

#[test]
fn verify_accepts_a_policy_that_grants_exactly_the_requirements() {
    let generated = json!({"Policy": policy(json!([
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": ["*"]}
    ])), "PolicyType": "Identity"});
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::b/*"], 0), requirement("s3:ListAllMyBuckets", &["*"], 1)];
    let report = verify(&[generated], &reqs);
    assert!(report.ok(), "{:?}", report.problems());
    assert_eq!(report.checked, 2);
}

#[test]
fn verify_reports_requirements_the_policy_does_not_allow() {
    let generated = policy(json!([allow("s3:GetObject", "arn:aws:s3:::b/data/*")]));
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::b/*"], 0), requirement("s3:PutObject", &["arn:aws:s3:::b/x"], 1)];
    let report = verify(&[generated], &reqs);
    assert!(!report.ok());
    assert_eq!(report.not_allowed.len(), 2);
    assert_eq!(report.not_allowed[1].action, "s3:PutObject");
    assert_eq!(report.not_allowed[1].decision, Decision::ImplicitDeny);
    assert!(matches!(report.not_allowed[0].decision, Decision::Depends { .. }));
}

#[test]
fn verify_reports_actions_no_requirement_needed() {
    let generated = policy(json!([{"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*"}]));
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::b/k"], 0)];
    let report = verify(&[generated], &reqs);
    assert_eq!(report.unneeded.len(), 1);
    assert_eq!(report.unneeded[0].actions, vec!["sqs:SendMessage".to_string()]);
    assert!(report.problems()[0].contains("sqs:SendMessage"));
}

#[test]
fn verify_expands_action_wildcards_to_show_what_they_grant_beyond_the_need() {
    let generated = policy(json!([allow("s3:GetObject*", "*")]));
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::b/k"], 0)];
    let catalog =
        |prefix: &str| (prefix == "s3").then(|| vec!["s3:GetObject".to_string(), "s3:GetObjectTagging".to_string(), "s3:PutObject".to_string()]);
    let report = verify_with_catalog(&[generated], &reqs, &catalog);
    assert_eq!(report.unneeded.len(), 1);
    let extra = &report.unneeded[0].actions;
    assert!(extra.iter().any(|a| a == "s3:GetObjectTagging"), "{extra:?}");
    assert!(!extra.iter().any(|a| a.eq_ignore_ascii_case("s3:GetObject")), "{extra:?}");
    assert!(!extra.iter().any(|a| a == "s3:PutObject"), "{extra:?}");
}

#[test]
fn verify_reports_a_wildcard_it_cannot_expand_only_when_no_requirement_matches_it() {
    let none = |_: &str| None;
    let needed = policy(json!([allow("s3:Get*", "*")]));
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::b/k"], 0)];
    assert!(verify_with_catalog(&[needed], &reqs, &none).unneeded.is_empty());
    let unrelated = policy(json!([allow("s3:GetObject", "*"), allow("sqs:*", "*")]));
    let report = verify_with_catalog(&[unrelated], &reqs, &none);
    assert_eq!(report.unneeded.len(), 1);
    assert_eq!(report.unneeded[0].pattern, "sqs:*");
}

#[test]
fn verify_reports_unreadable_policies() {
    let report = verify(&[json!({"Version": "2012-10-17"})], &[requirement("s3:GetObject", &["*"], 0)]);
    assert!(!report.ok());
    assert!(report.errors[0].contains("policy 1"), "{:?}", report.errors);
}

#[test]
fn a_role_knows_who_is_calling_and_which_region_its_arns_name() {
    let r = role(json!([{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*", "Condition": {
        "StringEquals": {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalAccount": "123456789012"},
        "Bool": {"aws:SecureTransport": "true"}
    }}]));
    let in_eu = requirement("sqs:SendMessage", &["arn:aws:sqs:eu-west-1:123456789012:q"], 0);
    let in_us = requirement("sqs:SendMessage", &["arn:aws:sqs:us-east-1:123456789012:q"], 1);
    let unknown = requirement("sqs:SendMessage", &["arn:aws:sqs:*:123456789012:q"], 2);
    let out = check_requirements(&[in_eu.clone(), in_us, unknown.clone()], &r);
    assert!(out[0].decision.is_allowed(), "{:?}", out[0].decision);
    assert_eq!(out[1].decision, Decision::ImplicitDeny);
    assert!(depends_text(&out[2].decision).contains("aws:RequestedRegion"));
    let out = check_requirements_for_role(&[unknown], &r, Some("eu-west-1"));
    assert!(out[0].decision.is_allowed(), "the code's region fills in what the ARN leaves open");
}

#[test]
fn a_resource_named_without_an_account_is_in_the_roles_account() {
    // What the language server analysed without an account setting decides
    // as `check --role` (which analyses with the role's account) does.
    let r = role(json!([allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/orders")]));
    let open = requirement("dynamodb:GetItem", &["arn:aws:dynamodb:us-east-1:*:table/orders"], 0);
    let other = requirement("dynamodb:GetItem", &["arn:aws:dynamodb:us-east-1:999999999999:table/orders"], 1);
    let out = check_requirements_for_role(&[open.clone(), other], &r, Some("us-east-1"));
    assert!(out[0].decision.is_allowed(), "{:?}", out[0].decision);
    assert_eq!(out[0].resources[0].resource, "arn:aws:dynamodb:us-east-1:123456789012:table/orders");
    assert_eq!(out[1].decision, Decision::ImplicitDeny, "an ARN naming another account keeps it");
    let bound = r.bind_requirements(&[requirement("s3:GetObject", &["arn:aws:s3:::b/k", "*"], 0)]);
    assert_eq!(bound[0].resources, vec!["arn:aws:s3:::b/k", "*"], "ARNs without an account field, and `*`, are left alone");
}

#[test]
fn global_services_do_not_take_the_code_region() {
    let r = role(json!([{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]));
    let out = check_requirements_for_role(&[requirement("iam:GetRole", &["arn:aws:iam::123456789012:role/x"], 0)], &r, Some("eu-west-1"));
    assert!(matches!(out[0].decision, Decision::Depends { .. }), "{:?}", out[0].decision);
}

#[test]
fn kms_on_the_callers_behalf_is_a_depends_not_a_denial_when_checking_a_role() {
    let r = role(json!([allow("s3:GetObject", "*")]));
    let mut kms = requirement("kms:Decrypt", &["arn:aws:kms:us-east-1:123456789012:key/*"], 0);
    kms.conditions = vec![("StringEquals".into(), "kms:ViaService".into(), vec!["s3.us-east-1.amazonaws.com".into()])];
    kms.note = Some("only when the data uses a customer-managed KMS key".into());
    let out = check_requirements(&[requirement("s3:GetObject", &["arn:aws:s3:::b/k"], 0), kms.clone()], &r);
    assert!(out[0].decision.is_allowed());
    let why = depends_text(&out[1].decision);
    assert!(why.contains("kms:Decrypt is needed only when the data uses a customer-managed KMS key"), "{why}");
    // The generated policy itself must still grant it: verify stays strict.
    let report = verify(&[policy(json!([allow("s3:GetObject", "*")]))], &[kms]);
    assert_eq!(report.not_allowed.len(), 1);
}

#[test]
fn partly_known_condition_values_are_matched_like_partly_known_resources() {
    let mut kms = requirement("kms:Decrypt", &["arn:aws:kms:*:*:key/*"], 0);
    kms.conditions = vec![("StringLike".into(), "kms:ViaService".into(), vec!["s3.*.amazonaws.com".into()])];
    let with = |op: &str, value: &str| {
        policy(json!([{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {op: {"kms:ViaService": value}}}]))
    };
    // The generator's own condition covers the requirement it came from.
    assert!(verify(&[with("StringLike", "s3.*.amazonaws.com")], &[kms.clone()]).ok());
    assert!(verify(&[with("StringLike", "*.amazonaws.com")], &[kms.clone()]).ok());
    // A narrower condition holds only for some regions; an unrelated one never.
    let narrow = verify(&[with("StringEquals", "s3.us-east-1.amazonaws.com")], &[kms.clone()]);
    let why = depends_text(&narrow.not_allowed[0].decision);
    assert!(why.contains("run-time value of kms:ViaService"), "{why}");
    let other = verify(&[with("StringLike", "sqs.*.amazonaws.com")], &[kms]);
    assert_eq!(other.not_allowed[0].decision, Decision::ImplicitDeny);
}

#[test]
fn verify_says_which_grants_are_broader_than_what_they_serve() {
    let reqs = vec![
        requirement("dynamodb:GetItem", &["arn:aws:dynamodb:us-east-1:1:table/orders-a"], 0),
        requirement("dynamodb:GetItem", &["arn:aws:dynamodb:us-east-1:1:table/orders-b"], 1),
        requirement("sqs:SendMessage", &["arn:aws:sqs:us-east-1:1:jobs"], 2),
    ];
    let policies = vec![policy(json!([
        allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/orders-*"),
        allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:jobs"),
    ]))];
    let report = verify(&policies, &reqs);
    assert!(report.ok(), "broader is said, not failed: {:?}", report.problems());
    assert_eq!(report.broader.len(), 1, "{:?}", report.broader);
    assert_eq!(report.broader[0].granted, "arn:aws:dynamodb:us-east-1:1:table/orders-*");
    assert_eq!(report.broader[0].needed, "arn:aws:dynamodb:us-east-1:1:table/orders-a");
    assert!(report.notes()[0].contains("broader than"));
}

fn bucket_in_account(account: &str) -> serde_json::Value {
    policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*",
        "Condition": {"StringEquals": {"aws:ResourceAccount": account}}}]))
}

#[test]
fn verify_in_account_takes_account_less_arns_to_be_in_that_account() {
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::data/report.csv"], 0)];
    let generated = bucket_in_account("123456789012");
    assert!(verify_in_account(std::slice::from_ref(&generated), &reqs, Some("123456789012")).ok());
    let elsewhere = verify_in_account(std::slice::from_ref(&generated), &reqs, Some("999999999999"));
    assert_eq!(elsewhere.not_allowed[0].decision, Decision::ImplicitDeny, "{:?}", elsewhere.problems());
    let unknown = verify(&[generated], &reqs);
    assert!(matches!(unknown.not_allowed[0].decision, Decision::Depends { .. }), "no account known: it depends");
}

#[test]
fn role_checks_take_account_less_arns_to_be_in_the_roles_account() {
    let mut r = role(json!([]));
    r.policies = set(vec![bucket_in_account("123456789012")]);
    let reqs = vec![requirement("s3:GetObject", &["arn:aws:s3:::data/report.csv"], 0)];
    assert!(check_requirements_for_role(&reqs, &r, None)[0].decision.is_allowed());
    let mut other = r.clone();
    other.role_arn = "arn:aws:iam::999999999999:role/app".into();
    assert_eq!(check_requirements_for_role(&reqs, &other, None)[0].decision, Decision::ImplicitDeny);
}

#[test]
fn an_arn_that_names_its_account_is_checked_against_that_account() {
    let generated = policy(json!([{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}}]));
    let ours = requirement("sqs:SendMessage", &["arn:aws:sqs:us-east-1:123456789012:jobs"], 0);
    let theirs = requirement("sqs:SendMessage", &["arn:aws:sqs:us-east-1:999999999999:jobs"], 1);
    let report = verify_in_account(&[generated], &[ours, theirs], Some("123456789012"));
    assert_eq!(report.not_allowed.len(), 1, "{:?}", report.problems());
    assert_eq!(report.not_allowed[0].call_index, 1);
}
