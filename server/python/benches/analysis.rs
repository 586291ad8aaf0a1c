//! Python front-end speed: `cargo bench -p iamlens-python --bench analysis`.
//!
//! Measures, on generated realistic code (clients, resources, classes,
//! f-strings; one AWS call per ten lines):
//! - cold: parse + analyse one 5,000-line file with 500 calls;
//! - re-analysis of that file (the tree is reused, as the language server does);
//! - one keystroke (p50/p99): incremental edit + re-parse + re-analysis, at five
//!   kinds of places (function body, call argument, method body, `(`, module
//!   binding); and the same for the statements around it only, as the
//!   language server answers a viewport;
//! - a definition pasted mid-file and deleted again: the whole-file re-analysis;
//! - a project of 1,000 files (200 lines each) through `FrontEnd::analyze_files` on all cores.

use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, SourceFile};
use iamlens_python::{analyze_python, analyze_python_range, ProjectIndex, PythonDocument};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A module of `blocks` × 10 lines, one AWS call per block.
fn module(blocks: usize, seed: usize) -> String {
    let mut s = String::from("import os\nimport boto3\n\nBUCKET = os.environ['BUCKET']\ns3 = boto3.client('s3')\nddb = boto3.resource('dynamodb')\ntable = ddb.Table('orders')\n\n");
    for i in 0..blocks {
        let n = seed * 100_000 + i;
        match i % 5 {
            0 => s.push_str(&format!("def get_{n}(key):\n    \"\"\"Fetch one object.\"\"\"\n    prefix = 'data/{n}'\n    path = f\"{{prefix}}/{{key}}.json\"\n    if not key:\n        return None\n    result = s3.get_object(Bucket=BUCKET, Key=path)\n    body = result['Body'].read()\n    return body.decode('utf-8')\n\n")),
            1 => s.push_str(&format!("def put_{n}(item):\n    record = dict(item)\n    record['id'] = '{n}'\n    record['ts'] = 1\n    values = [v for v in record.values()]\n    if len(values) > 3:\n        pass\n    table.put_item(Item=record)\n    return record\n\n")),
            2 => s.push_str(&format!("class Worker{n}:\n    def __init__(self):\n        self.sqs = boto3.client('sqs')\n        self.url = os.getenv('URL')\n\n    def run(self, body):\n        text = str(body)\n        self.sqs.send_message(QueueUrl=self.url, MessageBody=text)\n        return text\n\n")),
            3 => s.push_str(&format!("def list_{n}():\n    out = []\n    paginator = s3.get_paginator('list_objects_v2')\n    for page in paginator.paginate(Bucket=BUCKET, Prefix='p{n}/'):\n        for obj in page.get('Contents', []):\n            out.append(obj['Key'])\n    out.sort()\n    total = len(out)\n    return out, total\n\n")),
            _ => s.push_str(&format!("def helper_{n}(a, b):\n    x = a + b\n    y = x * 2\n    z = [i for i in range(y)]\n    data = {{'a': a, 'b': b}}\n    data.update(c=z)\n    print(data)\n    log = 'value %s' % x\n    return s3.head_object(Bucket=BUCKET, Key=log)\n\n")),
        }
    }
    s
}

/// Median and 99th percentile.
fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let p99 = ((v.len() * 99).div_ceil(100)).saturating_sub(1).min(v.len() - 1);
    (v[v.len() / 2], v[p99])
}

fn samples<R>(runs: usize, mut f: impl FnMut() -> R) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        samples.push(t.elapsed());
    }
    samples
}

fn time<R>(runs: usize, f: impl FnMut() -> R) -> Duration {
    percentiles(samples(runs, f)).0
}

/// Type one character at `at` and delete it again, analysing after each
/// keystroke (as the language server does): p50 and p99 over `runs` keystrokes.
fn keystrokes(doc: &mut PythonDocument, at: usize, typed: &str, runs: usize, index: &ProjectIndex, opts: &AnalysisOptions) -> (Duration, Duration) {
    let mut flip = false;
    percentiles(samples(runs, || {
        flip = !flip;
        if flip {
            doc.edit(at, at, typed);
        } else {
            doc.edit(at, at + 1, "");
        }
        analyze_python(doc, index, opts)
    }))
}

/// As [`keystrokes`], the way the language server answers a viewport: the
/// edit is not settled and only the statements within `window` bytes of it
/// are analysed (`analyze_python_range`).
fn viewport_keystrokes(
    doc: &mut PythonDocument,
    at: usize,
    typed: &str,
    runs: usize,
    window: usize,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
) -> (Duration, Duration) {
    let mut flip = false;
    percentiles(samples(runs, || {
        flip = !flip;
        if flip {
            doc.edit_unsettled(at, at, typed);
        } else {
            doc.edit_unsettled(at, at + 1, "");
        }
        analyze_python_range(doc, index, opts, at.saturating_sub(window)..at + window)
    }))
}

fn main() {
    // `ANALYSIS_BENCH=keystroke` runs only the keystroke measures (for profiling).
    let only = std::env::var("ANALYSIS_BENCH").unwrap_or_default();
    let run = |what: &str| only.is_empty() || only == what;
    let opts = AnalysisOptions::default();
    let index = ProjectIndex::new();
    let big = module(500, 1);
    let lines = big.lines().count();

    // Warm the knowledge base (lazy per-service decode) so it is not billed to the first sample.
    let warm = analyze_python(&PythonDocument::parse(big.clone()), &index, &opts);
    let calls = warm.calls.len();
    println!("file: {lines} lines, {calls} SdkCalls");

    if run("cold") {
        let cold = time(20, || analyze_python(&PythonDocument::parse(big.clone()), &index, &opts));
        println!("cold parse + analyse (median of 20): {cold:?}");
    }
    if run("keystroke") || only == "reuse" {
        let doc = PythonDocument::parse(big.clone());
        let reanalysis = time(50, || analyze_python(&doc, &index, &opts));
        println!("re-analysis, text unchanged (median of 50): {reanalysis:?}");
        let mid_call = big.find("Prefix='p100253/").unwrap_or(0);
        let edits = [
            ("in a string of the first function", big.find("data/").unwrap_or(0) + 5, "x"),
            ("in a call's argument, middle of the file", mid_call + 9, "x"),
            ("in a method body (class attributes)", big.find("text = str(body)").unwrap_or(0) + 4, "x"),
            ("`(` in a call mid-file (syntax error while typing)", mid_call, "("),
            ("in a module-level binding (full re-walk)", big.find("'orders'").unwrap_or(0) + 2, "x"),
        ];
        // `ANALYSIS_BENCH=reuse`: only the edits that reuse other definitions' results.
        let kinds = if only == "reuse" { 4 } else { edits.len() };
        for (what, at, typed) in edits.into_iter().take(kinds) {
            let mut doc = PythonDocument::parse(big.clone());
            analyze_python(&doc, &index, &opts);
            let (p50, p99) = keystrokes(&mut doc, at, typed, 400, &index, &opts);
            println!("one keystroke {what}: edit + incremental parse + analyse (400): p50 {p50:?}, p99 {p99:?}");
            // 100 lines of this module are about 3,000 bytes.
            let (p50, p99) = viewport_keystrokes(&mut doc, at, typed, 400, 1_500, &index, &opts);
            println!("  same, viewport only (unsettled edit + range analysis of ~100 lines): p50 {p50:?}, p99 {p99:?}");
        }
    }
    if run("definitions") {
        // A definition pasted mid-file and deleted again (undo): the whole-file
        // re-analysis after each, the parse not counted.
        let mut doc = PythonDocument::parse(big.clone());
        analyze_python(&doc, &index, &opts);
        let at = big[big.len() / 2..].find("\ndef ").map_or(0, |i| big.len() / 2 + i + 1);
        let pasted = "def pasted(key):\n    s3.delete_object(Bucket=BUCKET, Key=key)\n\n";
        let mut times = Vec::new();
        for n in 0..200 {
            if n % 2 == 0 {
                doc.edit(at, at, pasted);
            } else {
                doc.edit(at, at + pasted.len(), "");
            }
            let t = Instant::now();
            std::hint::black_box(analyze_python(&doc, &index, &opts));
            times.push(t.elapsed());
        }
        let (p50, p99) = percentiles(times);
        println!("a definition pasted mid-file / deleted again, whole-file re-analysis (200): p50 {p50:?}, p99 {p99:?}");
    }
    if run("project") {
        let files: Vec<SourceFile> = (0..1000).map(|i| SourceFile { path: PathBuf::from(format!("pkg/m{i}.py")), text: module(20, i) }).collect();
        let project_lines: usize = files.iter().map(|f| f.text.lines().count()).sum();
        let fe = iamlens_python::PythonFrontEnd;
        let project = time(5, || fe.analyze_files(&files, &opts));
        println!("project: 1000 files, {project_lines} lines, analyze_files (median of 5): {project:?}");
    }
}
