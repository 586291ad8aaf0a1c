//! The engine facade over the front-ends of this build: files walked,
//! projects analysed in order, reports, explanations, requirement reuse.

use iamlens_engine::*;
use iamlens_python::{ProjectIndex, PythonDocument, PythonFrontEnd};
use std::fs;
use std::path::{Path, PathBuf};

/// A scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("iamlens-engine-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn walks_directories_recursively_honouring_gitignore() {
    let dir = Scratch::new("walk");
    dir.write(".gitignore", "build/\n");
    let a = dir.write("app/handler.py", "");
    let b = dir.write("app/lib/util.py", "");
    dir.write("build/gen.py", "");
    dir.write("README.md", "");
    let files = collect_source_files(std::slice::from_ref(&dir.0), iamlens_languages::front_ends()).unwrap();
    assert_eq!(files, vec![a, b]);
}

#[test]
fn keeps_files_as_given_even_without_a_python_extension() {
    let dir = Scratch::new("given");
    let script = dir.write("deploy", "import boto3\n");
    let files = collect_source_files(&[script.clone(), script.clone()], iamlens_languages::front_ends()).unwrap();
    assert_eq!(files, vec![script]);
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let err = collect_source_files(&[PathBuf::from("/no/such/dir/app.py")], iamlens_languages::front_ends()).unwrap_err();
    assert_eq!(err, EngineError::NotFound { path: PathBuf::from("/no/such/dir/app.py") });
    let text = err.to_string();
    assert!(text.contains("/no/such/dir/app.py") && text.contains("pass existing"), "{text}");
}

#[test]
fn module_paths_are_relative_to_the_directory_argument() {
    let dir = Scratch::new("modpath");
    let file = dir.write("pkg/aws.py", "");
    assert_eq!(module_path(&file, std::slice::from_ref(&dir.0)), PathBuf::from("pkg/aws.py"));
    assert_eq!(module_path(Path::new("x/y.py"), &[PathBuf::from("x/y.py")]), PathBuf::from("x/y.py"));
}

#[test]
fn analyze_paths_returns_one_report_per_file_in_order() {
    let dir = Scratch::new("analyze");
    let names: Vec<String> = (0..7).map(|i| format!("m{i}.py")).collect();
    for n in &names {
        dir.write(n, "import boto3\n");
    }
    let reports = analyze_paths(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &EngineOptions::default()).unwrap();
    let got: Vec<String> = reports.iter().map(|r| r.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(got, names);
}

#[test]
fn large_projects_reparse_and_still_find_every_call() {
    let dir = Scratch::new("large");
    dir.write("shared.py", "import boto3\nBUCKET = 'acme-shared'\n");
    for i in 0..(iamlens_python::KEEP_TREES_UP_TO + 6) {
        dir.write(&format!("m{i:03}.py"), &format!("import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket='b{i}', Key='k')\n"));
    }
    let reports = analyze_paths(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &EngineOptions::default()).unwrap();
    let with_calls: Vec<&FileReport> = reports.iter().filter(|r| !r.requirements.is_empty()).collect();
    assert_eq!(with_calls.len(), iamlens_python::KEEP_TREES_UP_TO + 6);
    for (i, report) in with_calls.iter().enumerate() {
        let get = report.requirements.iter().find(|r| r.action == "s3:GetObject").expect("GetObject found");
        assert_eq!(get.resources, vec![format!("arn:aws:s3:::b{i}/k")]);
    }
}

fn us_east_1() -> EngineOptions {
    EngineOptions {
        requirements: iamlens_engine::model::RequirementSettings {
            region: Some("us-east-1".into()),
            account: Some("123456789012".into()),
            ..Default::default()
        },
        service_hints: vec![],
        environment: Default::default(),
    }
}

const TWO_CALLS: &str =
    "import boto3\n\ns3 = boto3.client('s3')\ns3.get_object(Bucket='in', Key='a.csv')\ns3.put_object(Bucket='out', Key='b.csv', Body=b'')\n";

#[test]
fn explain_matches_action_globs_case_insensitively() {
    let report = report_for_source(Path::new("job.py"), TWO_CALLS, &PythonFrontEnd, &ProjectIndex::new(), &us_east_1());
    let found = explain(std::slice::from_ref(&report), &["S3:get*".to_string()]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].action, "s3:GetObject");
    assert_eq!(found[0].file, "job.py");
    assert_eq!(found[0].line, 4);
    assert_eq!(found[0].operation, "s3.GetObject");
    assert_eq!(found[0].resources, vec!["arn:aws:s3:::in/a.csv".to_string()]);
    assert!(found[0].call.contains("get_object"));
    let all = explain(std::slice::from_ref(&report), &["*".to_string()]);
    assert!(all.iter().any(|e| e.action == "s3:PutObject"));
    assert!(explain(std::slice::from_ref(&report), &["sqs:*".to_string()]).is_empty());
}

#[test]
fn requirement_call_indexes_point_at_their_calls() {
    let report = report_for_source(Path::new("job.py"), TWO_CALLS, &PythonFrontEnd, &ProjectIndex::new(), &us_east_1());
    assert!(!report.requirements.is_empty());
    for req in &report.requirements {
        let call = &report.analysis.calls[req.call_index];
        let service = req.action.split(':').next().unwrap();
        assert!(service == "s3" || service == "kms", "{} from {}", req.action, call.operation);
    }
}

#[test]
fn service_hints_drop_other_services_calls() {
    let source = "import boto3\nboto3.client('s3').get_object(Bucket='b', Key='k')\nboto3.client('sqs').send_message(QueueUrl='https://sqs.us-east-1.amazonaws.com/1/q', MessageBody='x')\n";
    let opts = EngineOptions { service_hints: vec!["sqs".into()], ..us_east_1() };
    let report = report_for_source(Path::new("h.py"), source, &PythonFrontEnd, &ProjectIndex::new(), &opts);
    assert!(report.analysis.calls.iter().all(|c| c.service == "sqs"), "{:?}", report.analysis.calls);
    assert!(report.requirements.iter().any(|r| r.action == "sqs:SendMessage"));
    assert!(!report.requirements.iter().any(|r| r.action.starts_with("s3:")));
}

#[test]
fn generate_envelope_carries_warnings_sorted_by_file_and_line() {
    let dynamic = "import boto3, os\nboto3.client('s3').get_object(Bucket=os.environ['B'], Key='k')\n";
    let a = report_for_source(Path::new("b.py"), dynamic, &PythonFrontEnd, &ProjectIndex::new(), &us_east_1());
    let b = report_for_source(Path::new("a.py"), dynamic, &PythonFrontEnd, &ProjectIndex::new(), &us_east_1());
    let out = generate(&[a, b], &PolicyOptions::default());
    let where_: Vec<(String, u32, String)> = out.warnings.iter().map(|w| (w.file.clone(), w.line, w.kind.clone())).collect();
    assert_eq!(where_, vec![("a.py".to_string(), 2, "DynamicResource".to_string()), ("b.py".to_string(), 2, "DynamicResource".to_string())]);
    assert!(out.warnings[0].to_string().starts_with("a.py:2: "));
    assert!(out.explanations.is_none());
}

#[test]
fn clashing_module_names_resolve_to_the_later_argument_every_run() {
    let first = Scratch::new("clash-first");
    let second = Scratch::new("clash-second");
    first.write("app/aws.py", "BUCKET = 'first-bucket'\n");
    second.write("app/aws.py", "BUCKET = 'second-bucket'\n");
    second.write("app/job.py", "import boto3\nfrom app.aws import BUCKET\nboto3.client('s3').get_object(Bucket=BUCKET, Key='k')\n");
    for _ in 0..5 {
        let reports = analyze_paths(&[first.0.clone(), second.0.clone()], iamlens_languages::front_ends(), &EngineOptions::default()).unwrap();
        let resources: Vec<&String> =
            reports.iter().flat_map(|r| &r.requirements).filter(|r| r.action == "s3:GetObject").flat_map(|r| &r.resources).collect();
        assert_eq!(resources, vec!["arn:aws:s3:::second-bucket/k"]);
    }
}

/// Property: a report that takes over an earlier report's requirements equals
/// a fresh one, whatever the edits between them (calls added, removed,
/// changed, moved; several operations per source call; dynamic resources).
mod reuse {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "import boto3\nimport os\ns3 = boto3.client('s3')\nsqs = boto3.client('sqs')\nBUCKET = 'data'\n\n\
def a(key):\n    s3.get_object(Bucket=BUCKET, Key=key)\n    s3.upload_file('f', BUCKET, 'k')\n\n\
def b():\n    sqs.send_message(QueueUrl='https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody='m')\n\n\
def c(name):\n    s3.put_object(Bucket=os.environ['B'], Key=name, Body=b'')\n    s3.upload_file('g', 'other', name)\n";

    const SWAPS: &[(&str, &str)] = &[
        ("Key=key)", "Key='fixed')"),
        ("Key='fixed')", "Key=key)"),
        ("get_object", "head_object"),
        ("head_object", "get_object"),
        ("s3.upload_file('f', BUCKET, 'k')", "s3.download_file(BUCKET, 'k', 'f')"),
        ("s3.download_file(BUCKET, 'k', 'f')", "s3.upload_file('f', BUCKET, 'k')"),
        ("\ndef b():", "\ndef z():\n    s3.list_buckets()\n\ndef b():"),
        ("    s3.list_buckets()\n", ""),
        ("'other'", "BUCKET"),
        ("BUCKET = 'data'", "BUCKET = 'logs'"),
        ("/q'", "/jobs'"),
        ("\n\n", "\n\n# moved\n"),
        ("    sqs.send_message", "    s3.upload_file('h', 'x', 'y')\n    sqs.send_message"),
    ];

    /// Replace the `nth` (modulo the count) occurrence of `from` with `to`;
    /// false when `from` does not occur.
    fn replace_nth(doc: &mut PythonDocument, from: &str, to: &str, nth: usize) -> bool {
        let found: Vec<usize> = doc.text().match_indices(from).map(|(i, _)| i).collect();
        let Some(&at) = found.get(nth % found.len().max(1)) else { return false };
        doc.edit(at, at + from.len(), to);
        true
    }

    fn json(r: &FileReport) -> (String, String) {
        (serde_json::to_string(&r.requirements).unwrap(), serde_json::to_string(&r.analysis).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_report_taking_over_requirements_equals_a_fresh_one(steps in proptest::collection::vec((0usize..SWAPS.len(), 0usize..4), 1..10)) {
            let path = Path::new("/w/app.py");
            let (index, opts) = (ProjectIndex::new(), EngineOptions::default());
            let mut doc = PythonDocument::parse(BASE.to_string());
            let mut previous = report_for_document(path, &doc, &index, &opts);
            for (swap, nth) in steps {
                let (from, to) = SWAPS[swap];
                if !replace_nth(&mut doc, from, to, nth) {
                    continue;
                }
                let after = report_for_document_after(path, &doc, &index, &opts, Some(previous));
                let fresh = report_for_source(path, doc.text(), &PythonFrontEnd, &index, &opts);
                prop_assert_eq!(json(&after), json(&fresh), "after {:?} -> {:?} in\n{}", from, to, doc.text());
                previous = after;
            }
        }
    }
}

#[test]
fn a_walk_past_its_limits_stops_with_an_error_naming_the_path() {
    let dir = Scratch::new("limits");
    for i in 0..5 {
        dir.write(&format!("pkg/m{i}.py"), "import boto3\n");
    }
    let limits = WalkOptions { limits: WalkLimits { max_files: 3, max_time: std::time::Duration::from_secs(60) }, include_tests: false };
    let err = analyze_paths_within(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &EngineOptions::default(), &limits).unwrap_err();
    assert!(matches!(&err, EngineError::TooLarge { path, .. } if path == &dir.0), "{err:?}");
    assert!(err.to_string().contains("more than 3 source files"), "{err}");
    let roomy = WalkOptions { limits: WalkLimits { max_files: 5, ..limits.limits }, ..limits };
    let (reports, _) =
        analyze_paths_within(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &EngineOptions::default(), &roomy).unwrap();
    assert_eq!(reports.len(), 5);
}

#[test]
fn directory_runs_leave_tests_out_unless_asked_and_say_which() {
    let dir = Scratch::new("tests-out");
    let app = dir.write("app/handler.py", "import boto3\n");
    let mut tests = vec![
        dir.write("tests/test_handler.py", "import boto3\n"),
        dir.write("app/handler_test.py", "import boto3\n"),
        dir.write("app/conftest.py", "import boto3\n"),
        dir.write("app/test_util.py", "import boto3\n"),
    ];
    tests.sort();
    let walked = walk_source_files(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &WalkOptions::default()).unwrap();
    assert_eq!(walked.files, vec![app]);
    let mut skipped = walked.skipped_tests.clone();
    skipped.sort();
    assert_eq!(skipped, tests);
    let all = walk_source_files(
        std::slice::from_ref(&dir.0),
        iamlens_languages::front_ends(),
        &WalkOptions { include_tests: true, ..WalkOptions::default() },
    )
    .unwrap();
    assert_eq!(all.files.len(), 5);
    assert!(all.skipped_tests.is_empty());
    // A test file given by name is read: the user asked for it.
    let given = walk_source_files(std::slice::from_ref(&tests[0]), iamlens_languages::front_ends(), &WalkOptions::default()).unwrap();
    assert_eq!(given.files, vec![tests[0].clone()]);
}

#[test]
fn files_in_languages_this_build_does_not_read_are_reported_not_dropped() {
    let dir = Scratch::new("unread");
    let app = dir.write("app/handler.py", "import boto3\n");
    let ruby = dir.write("jobs/report.rb", "require 'aws-sdk-s3'\n");
    dir.write("README.md", "");
    let walked = walk_source_files(std::slice::from_ref(&dir.0), iamlens_languages::front_ends(), &WalkOptions::default()).unwrap();
    assert_eq!(walked.files, vec![app]);
    assert_eq!(walked.unread, vec![ruby.clone()]);
    assert_eq!(unread_language(&ruby), Some("Ruby"));
}
