//! The Python front-end over the shared fixture corpus (tests/fixtures/python),
//! with the embedded knowledge base: what each kind of program must yield.

use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CallVia, FileAnalysis, FindingKind, Value};
use iamlens_python::{analyze_python, ProjectIndex, PythonDocument};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/python")
}

fn analyze_file(name: &str) -> FileAnalysis {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture");
    analyze_python(&PythonDocument::parse(text), &ProjectIndex::new(), &AnalysisOptions::default())
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

#[test]
fn every_fixture_analyses_without_panicking_and_aws_ones_find_calls() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    names.sort();
    assert!(names.len() > 20, "fixture corpus missing? {names:?}");
    for n in names {
        let a = analyze_file(&n);
        if n.starts_with("no_aws") {
            assert!(!a.imports_aws_sdk && a.calls.is_empty() && a.findings.is_empty(), "{n}: {:?}", ops(&a));
        } else {
            assert!(a.imports_aws_sdk, "{n}");
            assert!(!a.calls.is_empty() || !a.findings.is_empty(), "{n}: nothing found");
        }
    }
}

#[test]
fn typo_fixture_reports_the_typo_and_keeps_the_good_call() {
    let a = analyze_file("typo_method.py");
    assert_eq!(ops(&a), ["s3:HeadObject"]);
    assert!(matches!(&a.findings[0].kind, FindingKind::UnknownMethod { method, suggestions, .. }
        if method == "get_objekt" && suggestions.first().map(String::as_str) == Some("get_object")));
}

#[test]
fn half_typed_file_keeps_the_calls_that_parse_and_names_the_broken_line() {
    let a = analyze_file("syntax_error_partial.py");
    assert_eq!(ops(&a), ["sqs:SendMessage"]);
    let err = a.findings.iter().find(|f| f.kind == FindingKind::SyntaxError).expect("syntax finding");
    assert!(err.message.contains("line 11"), "{}", err.message);
}

#[test]
fn resource_cleanup_fixture_maps_identifiers_to_members() {
    let a = analyze_file("s3_resource_cleanup.py");
    assert_eq!(ops(&a), ["s3:ListObjects", "s3:DeleteObject"]);
    assert!(a.calls.iter().all(|c| c.arg("Bucket") == Some(&Value::literal("acme-uploads"))));
    assert_eq!(a.calls[1].via, CallVia::Resource { resource: "ObjectSummary".into(), action: "delete".into() });
}

#[test]
fn copy_fixture_keeps_copy_source_as_a_dict_or_string() {
    let a = analyze_file("s3_copy_object.py");
    let source = a.calls[0].arg("CopySource").expect("CopySource");
    assert_eq!(source.get("Bucket"), Some(&Value::literal("acme-builds-staging")));
    assert_eq!(a.calls[1].arg("CopySource").and_then(Value::as_exact_str).as_deref(), Some("acme-builds-staging/builds/latest.txt"));
}
