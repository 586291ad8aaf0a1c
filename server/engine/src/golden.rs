//! The golden-policy harness every front-end's test suite shares (feature
//! `test-support`): each fixture (a file, or a directory analysed as one
//! project) is run through the engine with `--region us-east-1 --account
//! 123456789012` and compared with `<expected>/<name>.json`, reviewed by hand.
//! `IAMLENS_UPDATE_GOLDEN=1` writes the goldens instead; review the diff.

use crate::front_end::FrontEnd;
use crate::model::RequirementSettings;
use crate::{analyze_paths, generate, EngineOptions, FileReport, PolicyOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One language's fixture corpus and its goldens.
pub struct GoldenCorpus {
    /// `tests/fixtures/<language>`.
    pub fixtures: PathBuf,
    /// `tests/fixtures/expected[-<language>]`.
    pub expected: PathBuf,
    /// Extensions of the fixture files (directories are always fixtures).
    pub extensions: &'static [&'static str],
    pub front_ends: &'static [&'static dyn FrontEnd],
}

/// The repository root seen from a crate under `server/` (`env!("CARGO_MANIFEST_DIR")`).
pub fn repo_root(manifest_dir: &str) -> PathBuf {
    Path::new(manifest_dir).join("../..").canonicalize().expect("the repository root")
}

fn options() -> EngineOptions {
    EngineOptions {
        requirements: RequirementSettings {
            region: Some("us-east-1".into()),
            account: Some("123456789012".into()),
            ..RequirementSettings::default()
        },
        service_hints: vec![],
        environment: Default::default(),
    }
}

impl GoldenCorpus {
    /// Every fixture, sorted.
    pub fn fixtures(&self) -> Vec<PathBuf> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&self.fixtures)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", self.fixtures.display()))
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.is_dir() || p.extension().and_then(|e| e.to_str()).is_some_and(|e| self.extensions.contains(&e)))
            .collect();
        entries.sort();
        entries
    }

    /// The reports of one fixture.
    pub fn reports(&self, fixture: &Path) -> Vec<FileReport> {
        analyze_paths(std::slice::from_ref(&fixture.to_path_buf()), self.front_ends, &options()).expect("fixture is readable")
    }

    /// What a golden file holds: the policies exactly, and each warning's
    /// file, line and kind (the wording belongs to the front-end and may improve).
    pub fn actual_for(&self, fixture: &Path) -> Value {
        let output = generate(&self.reports(fixture), &PolicyOptions::default());
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

    pub fn golden_path(&self, fixture: &Path) -> PathBuf {
        let name = fixture.file_stem().expect("named fixture").to_string_lossy().into_owned();
        self.expected.join(format!("{name}.json"))
    }

    /// Fixtures whose output differs from their golden, with a short diff
    /// (with `IAMLENS_UPDATE_GOLDEN` set, the goldens are written instead).
    pub fn differences(&self) -> Vec<String> {
        let update = std::env::var_os("IAMLENS_UPDATE_GOLDEN").is_some();
        let mut failures = Vec::new();
        for fixture in self.fixtures() {
            let actual = serde_json::to_string_pretty(&self.actual_for(&fixture)).expect("serialisable") + "\n";
            let golden = self.golden_path(&fixture);
            if update {
                std::fs::write(&golden, &actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", golden.display()));
                continue;
            }
            match std::fs::read_to_string(&golden) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!("{}:\n{}", fixture.display(), line_diff(&expected, &actual))),
                Err(_) => failures.push(format!("{}: no golden at {} (write and review one)", fixture.display(), golden.display())),
            }
        }
        failures
    }

    /// Goldens without a fixture.
    pub fn orphans(&self) -> Vec<PathBuf> {
        let names: Vec<PathBuf> = self.fixtures().iter().map(|f| self.golden_path(f)).collect();
        std::fs::read_dir(&self.expected)
            .expect("the expected directory exists")
            .map(|e| e.expect("readable").path())
            .filter(|p| !names.contains(p))
            .collect()
    }

    /// Cross-check with the evaluator: fixtures whose policy does not allow
    /// every requirement it came from, or grants an action none needs.
    pub fn unverified(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for fixture in self.fixtures() {
            let reports = self.reports(&fixture);
            let output = generate(&reports, &PolicyOptions::default());
            let policies: Vec<Value> = output.policies.iter().map(|p| serde_json::to_value(p).expect("serialisable")).collect();
            let requirements: Vec<_> = reports.iter().flat_map(|r| r.requirements.iter().cloned()).collect();
            let report = crate::evaluator::verify(&policies, &requirements);
            if !report.ok() {
                problems.push(format!("{}: {}", fixture.display(), report.problems().join("; ")));
            }
        }
        problems
    }
}

impl GoldenCorpus {
    /// Negative fixtures (`no_aws_*`) that yield a statement or a warning:
    /// code that never uses an AWS SDK must give nothing at all.
    pub fn noisy_negatives(&self) -> Vec<String> {
        let negative = |f: &PathBuf| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("no_aws"));
        let mut out = Vec::new();
        for fixture in self.fixtures().into_iter().filter(negative) {
            let actual = self.actual_for(&fixture);
            let statements =
                actual["Policies"].as_array().into_iter().flatten().filter_map(|p| p["Policy"]["Statement"].as_array()).flatten().count();
            if statements > 0 || actual["Warnings"] != json!([]) {
                out.push(format!("{}: {actual}", fixture.display()));
            }
        }
        out
    }
}

/// The golden tests of a front-end crate: `golden_tests!(corpus(), minimum fixtures)`.
#[macro_export]
macro_rules! golden_tests {
    ($corpus:expr, $minimum:expr) => {
        #[test]
        fn corpus_is_large_enough() {
            let n = $corpus.fixtures().len();
            assert!(n >= $minimum, "the corpus must keep at least {} programs, has {n}", $minimum);
        }

        #[test]
        fn every_fixture_matches_its_reviewed_golden_policy() {
            let differences = $corpus.differences();
            assert!(differences.is_empty(), "{} fixture(s) differ from their golden policy:\n{}", differences.len(), differences.join("\n"));
        }

        #[test]
        fn no_golden_is_orphaned() {
            let orphans = $corpus.orphans();
            assert!(orphans.is_empty(), "goldens without a fixture (delete them or restore the fixture): {orphans:?}");
        }

        /// Cross-check with the evaluator: each fixture's policy allows every
        /// requirement it came from and grants no action none of them needs.
        #[test]
        fn every_fixture_policy_allows_exactly_what_its_calls_need() {
            let problems = $corpus.unverified();
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }

        #[test]
        fn negative_fixtures_yield_nothing() {
            let noisy = $corpus.noisy_negatives();
            assert!(noisy.is_empty(), "{}", noisy.join("\n"));
        }
    };
}

/// A short line diff, enough to see what moved.
fn line_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for line in e.iter().filter(|l| !a.contains(l)) {
        out.push_str(&format!("  - {line}\n"));
    }
    for line in a.iter().filter(|l| !e.contains(l)) {
        out.push_str(&format!("  + {line}\n"));
    }
    if out.is_empty() {
        out.push_str("  (same lines, different order)\n");
    }
    out
}
