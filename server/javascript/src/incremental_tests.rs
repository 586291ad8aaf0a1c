//! Reuse of the previous analysis after an edit: always what a fresh
//! analysis of the final text gives (targeted cases, then properties with
//! random edit sequences), and reused where nothing it read changed.

use crate::document::{Dialect, JsDocument};
use crate::incremental::REUSED;
use crate::index::ProjectIndex;
use iamlens_engine::front_end::{AnalysisOptions, SourceDocument};
use iamlens_engine::model::FileAnalysis;

/// A module whose statements depend on each other: module clients, a
/// factory and a factory through it, class fields, constructor parameter
/// properties, `this.x = ...` in a method, static members, parameters
/// known from their callers, a lazily assigned client, destructuring, v2.
const LINKED: &str = "import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';\n\
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n\
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';\n\
const AWS = require('aws-sdk');\n\
const REGION = 'eu-west-1';\n\
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/1/jobs';\n\
const s3 = new S3Client({ region: REGION });\n\
let lazy;\n\
\n\
function makeQueue() {\n  return new SQSClient({});\n}\n\
\n\
function viaOther() {\n  return makeQueue();\n}\n\
\n\
export class Store {\n  private readonly db = new DynamoDBClient({});\n  static shared = new S3Client({});\n  constructor(private readonly q: SQSClient) {}\n\
  async get(key: string) {\n    await this.db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: key } } }));\n    await this.q.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: key }));\n  }\n\
  reset() {\n    this.cache = new AWS.S3();\n  }\n\
  drop() {\n    this.cache.deleteObject({ Bucket: 'cache', Key: 'k' });\n  }\n}\n\
\n\
export async function put(client, key) {\n  await client.send(new PutObjectCommand({ Bucket: 'b', Key: key }));\n}\n\
\n\
export async function handler(event) {\n  await put(s3, event.key);\n  await s3.send(new GetObjectCommand({ Bucket: `data-${event.day}`, Key: 'k' }));\n  await viaOther().send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'm' }));\n  await Store.shared.send(new GetObjectCommand({ Bucket: 'static', Key: 'k' }));\n}\n\
\n\
export const arrow = async () => {\n  lazy ??= new SQSClient({});\n  await lazy.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'x' }));\n};\n\
\n\
export async function plain(key) {\n  const { Bucket } = { Bucket: 'plain' };\n  await s3.send(new GetObjectCommand({ Bucket, Key: key }));\n}\n";

/// Valid edits, each changing something another statement reads: (text to find, replacement).
const SWAPS: &[(&str, &str)] = &[
    ("new S3Client({ region: REGION })", "new SQSClient({ region: REGION })"),
    ("new SQSClient({ region: REGION })", "new S3Client({ region: REGION })"),
    ("const REGION = 'eu-west-1'", "const REGION = 'us-east-2'"),
    ("const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/1/jobs'", "const QUEUE = 'q2'"),
    ("return new SQSClient({});", "return new S3Client({});"),
    ("return new S3Client({});", "return new SQSClient({});"),
    ("return makeQueue();", "return s3;"),
    ("return s3;", "return makeQueue();"),
    ("private readonly db = new DynamoDBClient({});", "private readonly db = new S3Client({});"),
    ("private readonly db = new S3Client({});", "private readonly db = new DynamoDBClient({});"),
    ("this.cache = new AWS.S3();", "this.cache = new AWS.SQS();"),
    ("this.cache = new AWS.SQS();", "this.cache = new AWS.S3();"),
    ("await put(s3, event.key);", "await put(new SQSClient({}), event.key);"),
    ("await put(new SQSClient({}), event.key);", "await put(s3, event.key);"),
    ("function makeQueue()", "function makeQueue2()"),
    ("function makeQueue2()", "function makeQueue()"),
    ("static shared = new S3Client({});", "static shared = new SQSClient({});"),
    ("lazy ??= new SQSClient({});", "lazy ??= new S3Client({});"),
    ("let lazy;", "let lazy = s3;"),
    ("\nexport async function plain", "\nexport async function added() {\n  await put(makeQueue(), 'z');\n}\n\nexport async function plain"),
    ("export async function added() {\n  await put(makeQueue(), 'z');\n}\n", ""),
    ("{ Bucket: 'plain' }", "{ Bucket: `p-${REGION}` }"),
    ("GetObjectCommand({ Bucket: 'static'", "GetObjectCommandd({ Bucket: 'static'"),
    ("GetObjectCommandd({ Bucket: 'static'", "GetObjectCommand({ Bucket: 'static'"),
    ("\n\n", "\n\n// note\n"),
    ("\nfunction viaOther() {\n  return makeQueue();\n}\n", ""),
    ("\nexport class Store", "\nfunction viaOther() {\n  return new S3Client({});\n}\n\nexport class Store"),
    ("import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';", "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqss';"),
    ("import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqss';", "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';"),
    ("const s3 = ", "const s3x = "),
    ("const s3x = ", "const s3 = "),
    ("  drop() {", "  put() {\n    this.q.send(new SendMessageCommand({ QueueUrl: 'own', MessageBody: 'p' }));\n  }\n  drop() {"),
];

/// Half-typed text, as a buffer holds it between keystrokes.
const TYPING: &[&str] = &["(", ")", "{", "}", "`", "'", "s3.send(new ", "\n", "const x = ", "é", ";", "this.", "class C ", "//"];

fn doc(text: &str) -> JsDocument {
    JsDocument::parse_as(text.to_string(), Dialect::TypeScript)
}

fn json(fa: &FileAnalysis) -> String {
    serde_json::to_string(fa).unwrap_or_default()
}

fn analyze(doc: &JsDocument) -> FileAnalysis {
    doc.analyze(&ProjectIndex::new(), &AnalysisOptions::default())
}

/// What a fresh document of the same text gives, analysed once.
fn fresh(doc: &JsDocument) -> FileAnalysis {
    JsDocument::parse_as(doc.text().to_string(), doc.dialect()).analyze_once(&ProjectIndex::new(), &AnalysisOptions::default())
}

fn reused_by(f: impl FnOnce() -> FileAnalysis) -> (usize, FileAnalysis) {
    let before = REUSED.with(|n| n.get());
    let fa = f();
    (REUSED.with(|n| n.get()) - before, fa)
}

fn ops(fa: &FileAnalysis) -> Vec<String> {
    fa.calls.iter().map(|c| format!("{}:{}@{}", c.service, c.operation, c.span.start.line)).collect()
}

#[test]
fn the_linked_module_resolves_every_kind_of_dependency() {
    let fa = fresh(&doc(LINKED));
    let ops: Vec<String> = fa.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect();
    assert_eq!(
        ops,
        [
            "dynamodb:GetItem",
            "sqs:SendMessage",
            "s3:DeleteObject",
            "s3:PutObject",
            "s3:GetObject",
            "sqs:SendMessage",
            "s3:GetObject",
            "sqs:SendMessage",
            "s3:GetObject"
        ],
        "the module must exercise each dependency the tests edit"
    );
}

#[test]
fn typing_in_a_call_argument_reuses_every_other_statement() {
    let mut doc = doc(LINKED);
    analyze(&doc);
    let statements = doc.tree().map_or(0, |t| t.root_node().named_child_count());
    let at = doc.text().find("'plain'").unwrap_or(0) + 2;
    doc.edit(at, at, "z");
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(json(&fa), json(&fresh(&doc)));
    assert_eq!(reused, statements - 1, "only the edited statement is classified again");
    // Lines added above shift what is reused.
    doc.edit(0, 0, "// header\n\n");
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(json(&fa), json(&fresh(&doc)));
    assert!(reused >= statements - 1, "{reused}");
    assert_eq!(fa.calls.last().map(|c| c.span.start.line), fresh(&doc).calls.last().map(|c| c.span.start.line));
}

#[test]
fn a_changed_binding_reclassifies_the_statements_that_read_it() {
    let mut doc = doc(LINKED);
    analyze(&doc);
    let statements = doc.tree().map_or(0, |t| t.root_node().named_child_count());
    assert!(doc.replace_nth("new S3Client({ region: REGION })", "new S3Client({ region: 'us-west-2' })", 0));
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(json(&fa), json(&fresh(&doc)));
    let in_region: Vec<String> = fa.calls.iter().filter(|c| c.region.as_deref() == Some("us-west-2")).map(|c| c.operation.clone()).collect();
    assert_eq!(in_region, ["PutObject", "GetObject", "GetObject"], "{:?}", ops(&fa));
    // `s3` is read by `handler`, `plain` and `put` (through its caller): the others are reused.
    assert_eq!(reused, statements - 4);
    // A factory's return changes what its callers' callers get.
    assert!(doc.replace_nth("return new SQSClient({});", "return new S3Client({});", 0));
    let fa = analyze(&doc);
    assert_eq!(json(&fa), json(&fresh(&doc)));
    // A caller's argument changes what a parameter is.
    assert!(doc.replace_nth("await put(s3, event.key);", "await put(new SQSClient({}), event.key);", 0));
    let fa = analyze(&doc);
    assert_eq!(json(&fa), json(&fresh(&doc)));
}

#[test]
fn range_analysis_reuses_without_consuming_the_snapshot() {
    let mut doc = doc(LINKED);
    let index = ProjectIndex::new();
    let opts = AnalysisOptions::default();
    analyze(&doc);
    let at = doc.text().find("'static'").unwrap_or(0) + 2;
    doc.edit(at, at, "x");
    let whole = fresh(&doc);
    let start = doc.text().find("export async function handler").unwrap_or(0);
    let (_, part) = reused_by(|| doc.analyze_range(&index, &opts, start..start + 40));
    let expected: Vec<_> = whole.calls.iter().filter(|c| c.span.start_byte < start + 40 && start < c.span.end_byte).collect();
    assert_eq!(part.calls.iter().collect::<Vec<_>>(), expected);
    // The whole-file analysis after it still finds the snapshot.
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert!(reused > 0);
    assert_eq!(json(&fa), json(&whole));
}

#[test]
fn syntax_errors_and_cycles_still_give_a_fresh_analysis() {
    let mut doc = doc(LINKED);
    analyze(&doc);
    let at = doc.text().find("export async function put").unwrap_or(0);
    doc.edit(at, at, "function broken( {\n");
    assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)));
    doc.edit(at, at + "function broken( {\n".len(), "");
    assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)));
    // A value built from itself: evaluation order then matters, and nothing is reused.
    doc.edit(at, at, "let a = b; let b = a;\nfunction loop(x) { return loop(x); }\nexport function u() { s3.send(new GetObjectCommand({ Bucket: a, Key: loop(1) })); }\n");
    assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)));
    let end = doc.text().len();
    doc.edit(end, end, "\nexport function v() { s3.send(new GetObjectCommand({ Bucket: b, Key: 'v' })); }\n");
    assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)));
}

#[test]
fn another_index_generation_reuses_nothing() {
    let mut doc = doc(LINKED);
    let opts = AnalysisOptions::default();
    let mut index = ProjectIndex::new();
    doc.analyze(&index, &opts);
    index.insert(std::path::Path::new("lib/other.ts"), crate::index::ModuleExports::default());
    doc.edit(0, 0, "\n");
    let (reused, _) = reused_by(|| doc.analyze(&index, &opts));
    assert_eq!(reused, 0);
    // Inserting the same exports again keeps the generation.
    index.insert(std::path::Path::new("lib/other.ts"), crate::index::ModuleExports::default());
    doc.edit(0, 0, "\n");
    let (reused, _) = reused_by(|| doc.analyze(&index, &opts));
    assert!(reused > 0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Valid edits that change bindings, factories, fields, callers,
        /// imports and the layout: after each, the edited document's analysis
        /// (reusing the previous one) equals a fresh analysis of its text.
        #[test]
        fn reused_results_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..SWAPS.len(), 0usize..8), 1..16)) {
            let mut doc = doc(LINKED);
            analyze(&doc);
            for (swap, nth) in steps {
                let (from, to) = SWAPS[swap];
                if !doc.replace_nth(from, to, nth) {
                    continue;
                }
                prop_assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)), "after {:?} -> {:?} in\n{}", from, to, doc.text());
            }
        }

        /// Valid edits mixed with half-typed text at random places (sometimes
        /// deleted again right after, as typing does); the viewport's range
        /// analysis in between must not disturb what the next whole-file one reuses.
        #[test]
        fn reused_results_survive_half_typed_code(steps in proptest::collection::vec((0usize..3, 0usize..64, 0usize..4000), 1..16)) {
            let mut doc = doc(LINKED);
            analyze(&doc);
            for (kind, pick, at) in steps {
                match kind {
                    0 => {
                        let (from, to) = SWAPS[pick % SWAPS.len()];
                        doc.replace_nth(from, to, at);
                    }
                    _ => {
                        let typed = TYPING[pick % TYPING.len()];
                        let mut at = at % (doc.text().len() + 1);
                        while !doc.text().is_char_boundary(at) {
                            at -= 1;
                        }
                        doc.edit(at, at, typed);
                        if kind == 2 {
                            let whole = fresh(&doc);
                            let range = at.saturating_sub(200)..at + 200;
                            let part = doc.analyze_range(&ProjectIndex::new(), &AnalysisOptions::default(), range.clone());
                            let expected: Vec<_> = whole.calls.iter().filter(|c| c.span.start_byte < range.end && range.start < c.span.end_byte).collect();
                            prop_assert_eq!(part.calls.iter().collect::<Vec<_>>(), expected, "range {:?} in\n{}", range, doc.text());
                            let in_range = |f: &&iamlens_engine::model::Finding| {
                                f.kind == iamlens_engine::model::FindingKind::SyntaxError || (f.span.start_byte < range.end && range.start < f.span.end_byte.max(f.span.start_byte + 1))
                            };
                            let expected: Vec<_> = whole.findings.iter().filter(in_range).collect();
                            prop_assert_eq!(part.findings.iter().collect::<Vec<_>>(), expected, "findings in range {:?} in\n{}", range, doc.text());
                            doc.edit(at, at + typed.len(), "");
                        }
                    }
                }
                prop_assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)), "in\n{}", doc.text());
            }
        }
    }
}
