//! Golden policies for the fixture corpus (tests/fixtures/java): every
//! fixture (a file, or a directory analysed as one project) is run through
//! the engine with `--region us-east-1 --account 123456789012` and compared
//! with tests/fixtures/expected-java/<name>.json, which was reviewed by hand.
//!
//! To see what changed, run this test; to accept a reviewed change, run it
//! with IAMLENS_UPDATE_GOLDEN=1 and review `git diff tests/fixtures/expected-java` against the
//! AWS Service Authorization Reference.

use iamlens_engine::model::RequirementSettings;
use iamlens_engine::{self as engine, EngineOptions, PolicyOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

static JAVA: iamlens_java::JavaFrontEnd = iamlens_java::JavaFrontEnd;
static FRONT_ENDS: [&dyn iamlens_engine::front_end::FrontEnd; 1] = [&JAVA];

fn front_ends() -> &'static [&'static dyn iamlens_engine::front_end::FrontEnd] {
    &FRONT_ENDS
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

fn fixtures() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/fixtures/java");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "java"))
        .collect();
    entries.sort();
    entries
}

fn options() -> EngineOptions {
    EngineOptions {
        requirements: RequirementSettings {
            region: Some("us-east-1".into()),
            account: Some("123456789012".into()),
            ..RequirementSettings::default()
        },
        service_hints: vec![],
    }
}

/// What a golden file holds: the policies exactly, and each warning's file,
/// line and kind (the wording belongs to the front-end and may improve).
fn actual_for(fixture: &Path) -> Value {
    let reports = engine::analyze_paths(&[fixture.to_path_buf()], front_ends(), &options()).expect("fixture is readable");
    let output = engine::generate(&reports, &PolicyOptions::default());
    let base = if fixture.is_dir() { fixture } else { fixture.parent().expect("file has a parent") };
    let warnings: Vec<Value> = output
        .warnings
        .iter()
        .map(|w| {
            let file = Path::new(&w.file).strip_prefix(base).map(|p| p.display().to_string()).unwrap_or_else(|_| w.file.clone());
            json!({"File": file, "Line": w.line, "Kind": w.kind})
        })
        .collect();
    json!({"Policies": output.policies, "Warnings": warnings})
}

fn golden_path(fixture: &Path) -> PathBuf {
    let name = fixture.file_stem().expect("named fixture").to_string_lossy().into_owned();
    repo_root().join("tests/fixtures/expected-java").join(format!("{name}.json"))
}

/// A short line diff, enough to see what moved.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for line in &e {
        if !a.contains(line) {
            out.push_str(&format!("  - {line}\n"));
        }
    }
    for line in &a {
        if !e.contains(line) {
            out.push_str(&format!("  + {line}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("  (same lines, different order)\n");
    }
    out
}

#[test]
fn corpus_is_large_enough() {
    assert!(fixtures().len() >= 20, "the corpus must keep at least 20 programs, has {}", fixtures().len());
}

#[test]
fn every_fixture_matches_its_reviewed_golden_policy() {
    let update = std::env::var_os("IAMLENS_UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let actual = serde_json::to_string_pretty(&actual_for(&fixture)).expect("serialisable") + "\n";
        let golden = golden_path(&fixture);
        if update {
            std::fs::write(&golden, &actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", golden.display()));
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!("{}:\n{}", fixture.display(), diff(&expected, &actual))),
            Err(_) => failures.push(format!("{}: no golden at {} (write and review one)", fixture.display(), golden.display())),
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) differ from their golden policy:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn no_golden_is_orphaned() {
    let names: Vec<PathBuf> = fixtures().iter().map(|f| golden_path(f)).collect();
    for entry in std::fs::read_dir(repo_root().join("tests/fixtures/expected-java")).expect("expected/ exists") {
        let path = entry.expect("readable").path();
        assert!(names.contains(&path), "{} has no fixture; delete it or restore the fixture", path.display());
    }
}

/// Cross-check with the evaluator: each fixture's generated policy allows
/// every requirement it came from and grants no action none of them needs.
#[test]
fn every_fixture_policy_allows_exactly_what_its_calls_need() {
    let mut problems = Vec::new();
    for fixture in fixtures() {
        let reports = engine::analyze_paths(std::slice::from_ref(&fixture), front_ends(), &options()).expect("fixture is readable");
        let output = engine::generate(&reports, &PolicyOptions::default());
        let policies: Vec<Value> = output.policies.iter().map(|p| serde_json::to_value(p).expect("serialisable")).collect();
        let requirements: Vec<_> = reports.iter().flat_map(|r| r.requirements.iter().cloned()).collect();
        let report = iamlens_engine::evaluator::verify(&policies, &requirements);
        if !report.ok() {
            problems.push(format!("{}: {}", fixture.display(), report.problems().join("; ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
