use super::*;

fn req(action: &str, resources: &[&str]) -> Requirement {
    Requirement {
        action: action.to_string(),
        resources: resources.iter().map(|s| s.to_string()).collect(),
        conditions: vec![],
        access_level: None,
        arn_templates: vec![],
        note: None,
        call_index: 0,
    }
}

fn kms(via: &str) -> Requirement {
    Requirement {
        conditions: vec![("StringEquals".into(), "kms:ViaService".into(), vec![via.to_string()])],
        ..req("kms:Decrypt", &["arn:aws:kms:us-east-1:1:key/*"])
    }
}

#[test]
fn groups_actions_with_the_same_resources_per_service() {
    let reqs = [
        req("s3:PutObject", &["arn:aws:s3:::b/*"]),
        req("s3:GetObject", &["arn:aws:s3:::b/*"]),
        req("s3:ListBucket", &["arn:aws:s3:::b"]),
        req("sqs:SendMessage", &["arn:aws:sqs:r:1:q"]),
    ];
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st.len(), 3);
    assert_eq!(st[0].action, vec!["s3:ListBucket"]);
    assert_eq!(st[0].resource, vec!["arn:aws:s3:::b"]);
    assert_eq!(st[1].action, vec!["s3:GetObject", "s3:PutObject"]);
    assert_eq!(st[2].action, vec!["sqs:SendMessage"]);
}

#[test]
fn merges_resources_of_one_action_and_drops_covered_ones() {
    let reqs = [
        req("s3:GetObject", &["arn:aws:s3:::b/logs/*.json"]),
        req("s3:GetObject", &["arn:aws:s3:::b/*"]),
        req("s3:GetObject", &["arn:aws:s3:::c/x"]),
    ];
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].resource, vec!["arn:aws:s3:::b/*", "arn:aws:s3:::c/x"]);
}

#[test]
fn star_swallows_everything() {
    let reqs = [req("s3:GetObject", &["arn:aws:s3:::b/k"]), req("s3:GetObject", &["*"])];
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st[0].resource, vec!["*"]);
}

#[test]
fn cutoff_collapses_to_the_narrowest_wildcard() {
    let reqs: Vec<Requirement> = ["a", "b", "c", "d", "e"].iter().map(|b| req("s3:GetObject", &[&format!("arn:aws:s3:::{b}/k")])).collect();
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st[0].resource, vec!["arn:aws:s3:::*/k"]);
    let four = build_statements(&reqs[..4], &PolicyOptions::default());
    assert_eq!(four[0].resource.len(), 4);
    let st = build_statements(&reqs, &PolicyOptions { resource_cutoff: 10, minimize_policy_size: false, resource_account: None });
    assert_eq!(st[0].resource.len(), 5);
}

#[test]
fn conditions_are_kept_apart_and_merged_per_key() {
    let reqs = [kms("s3.us-east-1.amazonaws.com"), kms("sqs.us-east-1.amazonaws.com"), req("kms:Decrypt", &["arn:aws:kms:us-east-1:1:key/k"])];
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st.len(), 2);
    let conditional = st.iter().find(|s| s.condition.is_some()).unwrap();
    let values = &conditional.condition.as_ref().unwrap()["StringEquals"]["kms:ViaService"];
    assert_eq!(values, &vec!["s3.us-east-1.amazonaws.com".to_string(), "sqs.us-east-1.amazonaws.com".to_string()]);
}

#[test]
fn minimize_groups_across_services() {
    let reqs = [req("s3:ListAllMyBuckets", &["*"]), req("sts:GetSessionToken", &["*"])];
    assert_eq!(build_statements(&reqs, &PolicyOptions::default()).len(), 2);
    let st = build_statements(&reqs, &PolicyOptions { resource_cutoff: 4, minimize_policy_size: true, resource_account: None });
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].action, vec!["s3:ListAllMyBuckets", "sts:GetSessionToken"]);
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let mut reqs = vec![
        req("sqs:SendMessage", &["arn:aws:sqs:r:1:q"]),
        req("s3:GetObject", &["arn:aws:s3:::b/*"]),
        req("dynamodb:GetItem", &["arn:aws:dynamodb:r:1:table/T"]),
    ];
    let a = serde_json::to_string(&synthesize(&reqs, &PolicyOptions::default())).unwrap();
    reqs.reverse();
    let b = serde_json::to_string(&synthesize(&reqs, &PolicyOptions::default())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn splits_policies_under_the_size_limit() {
    let reqs: Vec<Requirement> = (0..400)
        .map(|i| req(&format!("svc{i}:DoSomethingFairlyLongNamed"), &[&format!("arn:aws:svc{i}:us-east-1:123456789012:thing/name-{i}")]))
        .collect();
    let policies = synthesize(&reqs, &PolicyOptions::default());
    assert!(policies.len() > 1);
    let total: usize = policies.iter().map(|p| p.policy.statement.len()).sum();
    assert_eq!(total, 400);
    for p in &policies {
        let len = json_len(&p.policy);
        assert!(len <= MAX_POLICY_CHARS, "policy of {len} chars");
        assert_eq!(p.policy.id, POLICY_ID);
        assert_eq!(p.policy_type, "Identity");
    }
}

#[test]
fn envelope_serialises_with_the_peer_spelling() {
    let json = serde_json::to_value(synthesize(&[kms("s3.us-east-1.amazonaws.com")], &PolicyOptions::default())).unwrap();
    let st = &json[0]["Policy"]["Statement"][0];
    assert_eq!(json[0]["PolicyType"], "Identity");
    assert_eq!(json[0]["Policy"]["Version"], "2012-10-17");
    assert_eq!(st["Effect"], "Allow");
    assert_eq!(st["Condition"]["StringEquals"]["kms:ViaService"][0], "s3.us-east-1.amazonaws.com");
    assert!(st.get("Sid").is_none());
}

mod properties {
    use super::super::wildcard::{matches, narrowest_common};
    use proptest::prelude::*;

    fn arn() -> impl Strategy<Value = String> {
        let segment = "[a-c]{0,3}[-.]?[a-c*]{0,2}";
        (
            prop::sample::select(vec!["s3", "sqs", "dynamodb"]),
            prop::sample::select(vec!["", "us-east-1", "eu-west-1"]),
            prop::sample::select(vec!["", "123456789012"]),
            prop::collection::vec((segment, prop::sample::select(vec!['/', ':'])), 1..4),
        )
            .prop_map(|(svc, region, account, segs)| {
                let mut resource = String::new();
                for (i, (s, sep)) in segs.iter().enumerate() {
                    if i > 0 {
                        resource.push(*sep);
                    }
                    resource.push_str(s);
                }
                format!("arn:aws:{svc}:{region}:{account}:{resource}")
            })
    }

    proptest! {
        /// The collapsed wildcard grants every ARN it replaces (it may be wider, never narrower).
        #[test]
        fn narrowest_common_matches_every_input(arns in prop::collection::vec(arn(), 1..7)) {
            let wide = narrowest_common(&arns);
            for a in &arns {
                // A `*` inside an input is itself a pattern: compare it as text.
                prop_assert!(matches(&wide, a), "{} does not match {}", wide, a);
            }
        }
    }
}

#[test]
fn an_oversized_statement_is_split_so_that_every_policy_uploads() {
    let huge: Vec<String> = (0..400).map(|i| format!("arn:aws:s3:::bucket-{i:04}-with-a-long-name/key")).collect();
    let refs: Vec<&str> = huge.iter().map(String::as_str).collect();
    let reqs = [req("s3:GetObject", &refs), req("sqs:SendMessage", &["arn:aws:sqs:r:1:q"])];
    let policies = synthesize(&reqs, &PolicyOptions { resource_cutoff: 1000, minimize_policy_size: false, resource_account: None });
    assert!(policies.len() >= 3, "{} policies", policies.len());
    assert!(policies.iter().all(|p| json_len(&p.policy) <= MAX_POLICY_CHARS));
    let s3: Vec<&String> =
        policies.iter().flat_map(|p| &p.policy.statement).filter(|s| s.action == ["s3:GetObject"]).flat_map(|s| &s.resource).collect();
    assert_eq!(s3.len(), 400, "every bucket still granted, none twice");
}

#[test]
fn the_cutoff_reports_what_it_merged_and_into_what() {
    let reqs: Vec<Requirement> = ["orders-a", "orders-b", "orders-c", "orders-d", "orders-e"]
        .iter()
        .map(|t| req("dynamodb:GetItem", &[&format!("arn:aws:dynamodb:us-east-1:123456789012:table/{t}")]))
        .collect();
    let (statements, widenings) = build_statements_reporting(&reqs, &PolicyOptions::default());
    assert_eq!(statements[0].resource, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/orders-*"], "every shared field kept");
    let [widening] = widenings.as_slice() else { panic!("{widenings:?}") };
    assert_eq!(widening.action, "dynamodb:GetItem");
    assert_eq!(widening.merged.len(), 5);
    assert_eq!(widening.pattern, "arn:aws:dynamodb:us-east-1:123456789012:table/orders-*");
    let (_, none) = build_statements_reporting(&reqs[..4], &PolicyOptions::default());
    assert!(none.is_empty(), "within the cutoff nothing is widened");
}

/// Every (action, resource, condition) a set of statements grants.
fn grants(statements: &[Statement]) -> BTreeSet<(String, String, String)> {
    statements
        .iter()
        .flat_map(|s| {
            let condition = serde_json::to_string(&s.condition).unwrap();
            s.action.iter().flat_map(move |a| {
                s.resource.iter().map({
                    let condition = condition.clone();
                    move |r| (a.clone(), r.clone(), condition.clone())
                })
            })
        })
        .collect()
}

#[test]
fn a_statement_too_large_for_one_policy_is_split_into_policies_that_fit() {
    let resources: Vec<String> = (0..400).map(|i| format!("arn:aws:s3:::bucket-with-a-long-name-{i:04}/reports/daily/*")).collect();
    let actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
    let statement = Statement {
        sid: None,
        effect: "Allow".into(),
        action: actions.iter().map(|a| a.to_string()).collect(),
        resource: resources.clone(),
        condition: None,
    };
    let policies = split_into_policies(vec![statement.clone()]);
    assert!(policies.len() > 1);
    for p in &policies {
        assert!(json_len(&p.policy) <= MAX_POLICY_CHARS, "{}", json_len(&p.policy));
    }
    let split: Vec<Statement> = policies.into_iter().flat_map(|p| p.policy.statement).collect();
    assert_eq!(grants(&split), grants(&[statement]));
}

mod splitting {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever the requirements, every policy fits IAM's limit and the
        /// policies together grant exactly the pairs the statements grant.
        #[test]
        fn every_policy_fits_and_grants_the_same_pairs(
            spec in proptest::collection::vec((0usize..40, 0usize..60, 10usize..300), 1..120),
            cutoff in 1usize..500,
        ) {
            let reqs: Vec<Requirement> = spec
                .iter()
                .map(|(action, resource, len)| {
                    let name = format!("{resource}-{}", "x".repeat(*len));
                    req(&format!("s3:Action{action}"), &[&format!("arn:aws:s3:::b{resource}/{name}")])
                })
                .collect();
            let statements = build_statements(&reqs, &PolicyOptions { resource_cutoff: cutoff, minimize_policy_size: false, resource_account: None });
            let policies = split_into_policies(statements.clone());
            for p in &policies {
                prop_assert!(json_len(&p.policy) <= MAX_POLICY_CHARS, "policy of {} chars", json_len(&p.policy));
            }
            let split: Vec<Statement> = policies.into_iter().flat_map(|p| p.policy.statement).collect();
            prop_assert_eq!(grants(&split), grants(&statements));
        }
    }
}

#[test]
fn the_writer_uses_the_evaluators_exact_matcher() {
    // `a*` also stands for `a`, which `a*?` does not match: neither may replace the other.
    assert!(!wildcard::covers("arn:aws:s3:::b/a*?", "arn:aws:s3:::b/a*"));
    assert!(wildcard::covers("arn:aws:s3:::b/a*", "arn:aws:s3:::b/a*?"));
    let reqs = [req("s3:GetObject", &["arn:aws:s3:::b/a*?"]), req("s3:GetObject", &["arn:aws:s3:::b/a*"])];
    let st = build_statements(&reqs, &PolicyOptions::default());
    assert_eq!(st[0].resource, vec!["arn:aws:s3:::b/a*"], "the narrower pattern is covered, the wider one kept");
}

#[test]
fn a_hostile_pattern_cannot_stall_the_matcher() {
    let hostile = format!("arn:aws:s3:::b/{}", "*a".repeat(40));
    let request = format!("arn:aws:s3:::b/{}", "*?".repeat(40));
    // Past the size cap the answer is "not covered": the safe side.
    // (Without the cap this subset construction does not finish.)
    assert!(!wildcard::covers(&hostile, &request));
}

#[test]
fn widened_s3_buckets_stay_inside_the_known_account() {
    let reqs: Vec<Requirement> = ["a", "b", "c", "d", "e"].iter().map(|b| req("s3:GetObject", &[&format!("arn:aws:s3:::acme-{b}/k")])).collect();
    let opts = PolicyOptions { resource_account: Some("123456789012".into()), ..PolicyOptions::default() };
    let st = build_statements(&reqs, &opts);
    assert_eq!(st[0].resource, vec!["arn:aws:s3:::acme-*/k"]);
    let condition = st[0].condition.as_ref().expect("aws:ResourceAccount");
    assert_eq!(condition["StringEquals"]["aws:ResourceAccount"], vec!["123456789012".to_string()]);
    // Exact buckets, or no known account: no condition.
    assert!(build_statements(&reqs[..4], &opts)[0].condition.is_none());
    assert!(build_statements(&reqs, &PolicyOptions::default())[0].condition.is_none());
    // A widened table name carries its account in the ARN already.
    let tables: Vec<Requirement> =
        ["a", "b", "c", "d", "e"].iter().map(|t| req("dynamodb:GetItem", &[&format!("arn:aws:dynamodb:r:123456789012:table/t-{t}")])).collect();
    assert!(build_statements(&tables, &opts)[0].condition.is_none());
}
