//! The AccessDenied corpus: every `tests/denied/NN-name.txt` is a message as a
//! user would paste it; `NN-name.json` is the expected report (the remedy
//! reduced to its kind; summaries and steps are prose, tested elsewhere);
//! `NN-name.opts.json` optionally sets `account`, `region`, `resource_override`.
//! Expectations were reviewed by hand. `IAMLENS_BLESS=1` rewrites them from the
//! current output, for review with `git diff`.

use iamlens_engine::denied::{analyze, DenialOptions, DenialParseError};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/denied")
}

fn options(path: &Path) -> DenialOptions {
    let Ok(text) = std::fs::read_to_string(path) else { return DenialOptions::default() };
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    DenialOptions { account: s("account"), region: s("region"), resource_override: s("resource_override") }
}

fn actual(message: &str, opts: &DenialOptions) -> Value {
    match analyze(message, opts) {
        Ok(report) => {
            let mut v = serde_json::to_value(&report).unwrap();
            let kind = v["Remedy"]["Kind"].clone();
            v["Remedy"] = json!({ "Kind": kind });
            v
        }
        Err(DenialParseError::Empty) => json!({"Error": "Empty"}),
        Err(DenialParseError::NotAnAwsError) => json!({"Error": "NotAnAwsError"}),
        Err(DenialParseError::BadResourceOverride(_)) => json!({"Error": "BadResourceOverride"}),
    }
}

#[test]
fn corpus_matches_the_reviewed_expectations() {
    let bless = std::env::var_os("IAMLENS_BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/denied exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 50, "the corpus must hold at least 50 messages, found {}", cases.len());
    let mut failures = Vec::new();
    for txt in &cases {
        let stem = txt.file_stem().unwrap().to_string_lossy().to_string();
        let message = std::fs::read_to_string(txt).unwrap();
        let got = actual(&message, &options(&txt.with_file_name(format!("{stem}.opts.json"))));
        let expected_path = txt.with_extension("json");
        if bless {
            std::fs::write(&expected_path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
            continue;
        }
        let expected: Value = match std::fs::read_to_string(&expected_path) {
            Ok(t) => serde_json::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
            Err(_) => {
                failures.push(format!("{stem}: no expectation file {}", expected_path.display()));
                continue;
            }
        };
        if got != expected {
            failures.push(format!(
                "{stem}:\n  expected {}\n  got      {}",
                serde_json::to_string(&expected).unwrap(),
                serde_json::to_string(&got).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} corpus cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Over the whole corpus: only an implicit identity-based denial can be
/// applied, and no explicit deny, organisation policy, boundary, session or
/// endpoint policy, bucket setting or non-policy error ever gets an Allow.
#[test]
fn only_implicit_identity_denials_get_an_applicable_allow() {
    use iamlens_engine::denied::{Denial, PolicyType, RemedyKind};
    let mut applicable = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let opts = options(&path.with_file_name(format!("{stem}.opts.json")));
        let Ok(report) = analyze(&std::fs::read_to_string(&path).unwrap(), &opts) else { continue };
        if report.can_apply() {
            applicable += 1;
            assert_eq!((report.denial, report.policy_type), (Denial::Implicit, PolicyType::IdentityBased), "{stem}");
            assert!(report.inline_policy_name().is_some_and(|n| n.starts_with("iamlens-")), "{stem}");
        }
        let allow_is_wrong = report.denial == Denial::Explicit
            || matches!(
                report.policy_type,
                PolicyType::ServiceControlPolicy
                    | PolicyType::ResourceControlPolicy
                    | PolicyType::PermissionsBoundary
                    | PolicyType::SessionPolicy
                    | PolicyType::VpcEndpointPolicy
                    | PolicyType::BucketSetting
                    | PolicyType::NotAPolicy
                    | PolicyType::Unknown
            );
        if allow_is_wrong {
            assert!(report.proposed_policy.is_none(), "{stem}: {:?}", report.proposed_policy);
            assert_ne!(report.remedy.kind, RemedyKind::AddIdentityPolicyStatement, "{stem}");
        }
        assert!(!report.remedy.summary.is_empty() && !report.remedy.steps.is_empty(), "{stem}: every plan says what to do");
    }
    assert!(applicable >= 15, "the corpus exercises the apply path ({applicable} cases)");
}
