//! The Python front-end over the fixture corpus (tests/fixtures/python), with
//! the embedded knowledge base.

use iamlens::analysis::python::{analyze_python, ProjectIndex, PythonDocument};
use iamlens::analysis::AnalysisOptions;
use iamlens::model::FileAnalysis;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/python")
}

fn analyze_file(name: &str) -> FileAnalysis {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture");
    analyze_python(&PythonDocument::parse(text), &ProjectIndex::new(), &AnalysisOptions::default())
}

#[test]
#[ignore]
fn dump_fixture_analyses() {
    let mut names: Vec<_> = std::fs::read_dir(fixtures()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".py")).collect();
    names.sort();
    for n in names {
        let a = analyze_file(&n);
        println!("== {n} sdk={}", a.imports_aws_sdk);
        for c in &a.calls {
            let args: Vec<String> = c.args.iter().map(|(k, v)| format!("{k}={}", v.as_pattern().unwrap_or_else(|| "?".into()))).collect();
            println!("  {}:{} L{} {:?} {:?} scope={:?} [{}]", c.service, c.operation, c.span.start.line + 1, c.via, c.confidence, c.scope, args.join(", "));
        }
        for f in &a.findings {
            println!("  ! L{} {}", f.span.start.line + 1, f.message);
        }
    }
}

#[test]
#[ignore]
fn dump_resource_model() {
    let kb = iamlens_knowledge::KnowledgeBase::embedded();
    let s = kb.service(&std::env::var("SVC").unwrap_or("s3".into())).unwrap();
    let m = s.resources.as_ref().unwrap();
    println!("{}", serde_json::to_string_pretty(&m.service).unwrap());
    if let Ok(r) = std::env::var("RES") { println!("{}", serde_json::to_string_pretty(&m.resources[&r]).unwrap()); }
}
