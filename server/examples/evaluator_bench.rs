//! Evaluator throughput: requirements decided per second against a role with
//! realistic policies (wildcards, NotAction, conditions, a boundary).
//!
//!     cargo run --release -p iamlens --example evaluator_bench [REQUIREMENTS]

use iamlens::evaluator::{check_requirements, PolicyDocument, PolicySet, RolePolicies};
use iamlens::model::Requirement;
use serde_json::json;
use std::time::Instant;

fn role() -> RolePolicies {
    let mut identity = Vec::new();
    for p in 0..10 {
        let mut statements = Vec::new();
        for s in 0..10 {
            statements.push(json!({
                "Sid": format!("S{p}x{s}"),
                "Effect": "Allow",
                "Action": [format!("s3:Get*"), format!("sqs:Send*"), format!("dynamodb:{}Item", ["Get", "Put", "Query"][s % 3])],
                "Resource": [format!("arn:aws:s3:::bucket-{p}-{s}/*"), format!("arn:aws:sqs:us-east-1:123456789012:queue-{p}-{s}"),
                             format!("arn:aws:dynamodb:us-east-1:123456789012:table/t{p}{s}*")],
                "Condition": if s % 4 == 0 { json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}) } else { json!({}) }
            }));
        }
        statements.push(json!({"Effect": "Deny", "NotAction": ["s3:*", "sqs:*", "dynamodb:*", "kms:*"], "Resource": "*"}));
        let doc = json!({"Version": "2012-10-17", "Statement": statements});
        identity.push(PolicyDocument::from_value(&format!("policy-{p}"), &doc).expect("valid"));
    }
    let boundary = PolicyDocument::from_value(
        "boundary",
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sqs:*", "dynamodb:*"], "Resource": "*"}]}),
    )
    .expect("valid");
    RolePolicies {
        role_name: "bench".into(),
        role_arn: "arn:aws:iam::123456789012:role/bench".into(),
        policies: PolicySet { identity, boundary: Some(boundary) },
    }
}

fn requirements(n: usize) -> Vec<Requirement> {
    (0..n)
        .map(|i| {
            let (p, s) = (i % 10, (i / 10) % 12);
            let (action, resource) = match i % 4 {
                0 => ("s3:GetObject".to_string(), format!("arn:aws:s3:::bucket-{p}-{s}/data/*")),
                1 => ("sqs:SendMessage".to_string(), format!("arn:aws:sqs:us-east-1:123456789012:queue-{p}-{s}")),
                2 => ("dynamodb:PutItem".to_string(), format!("arn:aws:dynamodb:us-east-1:123456789012:table/t{p}{s}")),
                _ => ("s3:PutObject".to_string(), format!("arn:aws:s3:::bucket-{p}-{s}/out/*.csv")),
            };
            Requirement {
                action,
                resources: vec![resource],
                conditions: vec![],
                access_level: None,
                arn_templates: vec![],
                note: None,
                call_index: i,
            }
        })
        .collect()
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let role = role();
    let reqs = requirements(n);
    let statements: usize = role.policies.identity.iter().map(|d| d.statements.len()).sum();
    let mut best = f64::MAX;
    let mut verdicts = [0usize; 3];
    for _ in 0..5 {
        let start = Instant::now();
        let out = check_requirements(&reqs, &role);
        best = best.min(start.elapsed().as_secs_f64());
        verdicts = [0; 3];
        for o in &out {
            verdicts[match o.decision.verdict() {
                "allowed" => 0,
                "denied" => 1,
                _ => 2,
            }] += 1;
        }
    }
    println!(
        "{n} requirements x {statements} statements (+ boundary): best of 5 {:.1} ms, {:.1} µs/requirement ({} allowed, {} denied, {} depend)",
        best * 1e3,
        best * 1e6 / n as f64,
        verdicts[0],
        verdicts[1],
        verdicts[2]
    );
}
