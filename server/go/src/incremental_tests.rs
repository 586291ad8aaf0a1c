//! Reuse of the previous analysis after an edit: always what a fresh
//! analysis of the final text gives (targeted cases, then properties with
//! random edit sequences), and reused where the package level is unchanged.

use crate::document::GoDocument;
use crate::incremental::REUSED;
use crate::index::GoIndex;
use iamlens_engine::front_end::{AnalysisOptions, SourceDocument};
use iamlens_engine::model::FileAnalysis;

/// A file whose declarations depend on its package level: package clients,
/// struct fields, a constructor giving a region, a helper building an input,
/// constants, an embedded client, a factory function.
const LINKED: &str = r#"package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"

var shared = dynamodb.NewFromConfig(aws.Config{})

type Jobs struct {
	q  *sqs.Client
	db *dynamodb.Client
}

type Blobs struct {
	*s3.Client
}

func NewJobs(ctx context.Context) *Jobs {
	cfg, _ := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	return &Jobs{q: sqs.NewFromConfig(cfg)}
}

func sendInput(body string) *sqs.SendMessageInput {
	in := &sqs.SendMessageInput{QueueUrl: aws.String(queue)}
	in.MessageBody = aws.String(body)
	return in
}

func storage() *s3.Client {
	return s3.New(s3.Options{})
}

func (j *Jobs) Send(ctx context.Context, body string) {
	j.q.SendMessage(ctx, sendInput(body))
	j.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("jobs")})
}

func (b Blobs) Drop(ctx context.Context) {
	b.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("old")})
}

func Plain(ctx context.Context, key string) {
	shared.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t-" + key)})
	storage().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String(key)})
}
"#;

/// Valid edits, each changing something a declaration reads: (text to find, replacement).
const SWAPS: &[(&str, &str)] = &[
    ("var shared = dynamodb.NewFromConfig(aws.Config{})", "var shared = sqs.NewFromConfig(aws.Config{})"),
    ("var shared = sqs.NewFromConfig(aws.Config{})", "var shared = dynamodb.NewFromConfig(aws.Config{})"),
    ("const queue = \"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\"", "const queue = \"q2\""),
    ("\tq  *sqs.Client", "\tq  *s3.Client"),
    ("\tq  *s3.Client", "\tq  *sqs.Client"),
    ("config.WithRegion(\"eu-west-1\")", "config.WithRegion(\"us-east-2\")"),
    ("config.WithRegion(\"us-east-2\")", "config.WithRegion(\"eu-west-1\")"),
    ("return s3.New(s3.Options{})", "return nil"),
    ("return nil", "return s3.New(s3.Options{})"),
    ("func storage() *s3.Client", "func storage() *sqs.Client"),
    ("func storage() *sqs.Client", "func storage() *s3.Client"),
    ("in.MessageBody = aws.String(body)", "in.DelaySeconds = 3"),
    ("\t*s3.Client\n", "\t*dynamodb.Client\n"),
    ("\t*dynamodb.Client\n", "\t*s3.Client\n"),
    ("aws.String(\"plain\")", "aws.String(\"plainer\")"),
    (
        "\nfunc Plain",
        "\nfunc Added(ctx context.Context) {\n\tshared.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(\"added\")})\n}\n\nfunc Plain",
    ),
    ("func Added(ctx context.Context) {\n\tshared.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(\"added\")})\n}\n\n", ""),
    ("GetItem(ctx", "GetItems(ctx"),
    ("GetItems(ctx", "GetItem(ctx"),
    ("\n\n", "\n\n// note\n"),
    ("\t\"github.com/aws/aws-sdk-go-v2/service/sqs\"\n", ""),
    (
        "\t\"github.com/aws/aws-sdk-go-v2/service/s3\"\n",
        "\t\"github.com/aws/aws-sdk-go-v2/service/s3\"\n\t\"github.com/aws/aws-sdk-go-v2/service/sqs\"\n",
    ),
    ("type Blobs struct {\n\t*s3.Client\n}\n", ""),
    ("\nfunc NewJobs", "\ntype Blobs struct {\n\t*s3.Client\n}\n\nfunc NewJobs"),
    // A region from a constant: the constructor's text stays, its region changes.
    ("config.WithRegion(\"eu-west-1\")", "config.WithRegion(home)"),
    ("const queue =", "const home = \"ap-south-1\"\n\nconst queue ="),
    ("const home = \"ap-south-1\"", "const home = \"sa-east-1\""),
    ("const home = \"sa-east-1\"", "const home = \"ap-south-1\""),
];

/// Half-typed text, as a buffer holds it between keystrokes.
const TYPING: &[&str] = &["(", ")", "{", "}", "\"", "`", "shared.", "\n", "x := ", "é", "func ", "//", "&s3."];

fn doc(text: &str) -> GoDocument {
    GoDocument::parse(text.to_string())
}

fn json(fa: &FileAnalysis) -> String {
    serde_json::to_string(fa).unwrap_or_default()
}

fn analyze(doc: &GoDocument) -> FileAnalysis {
    doc.analyze(&GoIndex::new(), &AnalysisOptions::default())
}

/// What a fresh document of the same text gives, analysed once.
fn fresh(doc: &GoDocument) -> FileAnalysis {
    GoDocument::parse(doc.text().to_string()).analyze_once(&GoIndex::new(), &AnalysisOptions::default())
}

fn reused_by(f: impl FnOnce() -> FileAnalysis) -> (usize, FileAnalysis) {
    let before = REUSED.with(|n| n.get());
    let fa = f();
    (REUSED.with(|n| n.get()) - before, fa)
}

fn declarations(doc: &GoDocument) -> usize {
    doc.tree().map_or(0, |t| t.root_node().named_child_count())
}

#[test]
fn the_linked_file_resolves_every_kind_of_dependency() {
    let fa = fresh(&doc(LINKED));
    let ops: Vec<String> = fa.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect();
    assert_eq!(ops, ["sqs:SendMessage", "dynamodb:GetItem", "s3:DeleteBucket", "dynamodb:DeleteItem", "s3:GetObject"]);
    assert_eq!(fa.calls[0].region.as_deref(), Some("eu-west-1"));
}

#[test]
fn typing_in_a_function_body_reuses_every_other_declaration() {
    let mut doc = doc(LINKED);
    analyze(&doc);
    let at = doc.text().find("\"plain\"").unwrap_or(0) + 2;
    doc.edit(at, at, "z");
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(json(&fa), json(&fresh(&doc)));
    assert_eq!(reused, declarations(&doc) - 1, "only the edited function is walked again");
    // Lines added above shift what is reused.
    let at = doc.text().find("const queue").unwrap_or(0);
    doc.edit(at, at, "// header\n\n");
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(json(&fa), json(&fresh(&doc)));
    assert!(reused >= declarations(&doc) - 2, "{reused}");
}

#[test]
fn a_changed_package_level_fact_walks_every_declaration() {
    let mut doc = doc(LINKED);
    analyze(&doc);
    // A constructor's region is a fact of the struct field: its methods change.
    assert!(doc.replace_nth("config.WithRegion(\"eu-west-1\")", "config.WithRegion(\"us-east-2\")", 0));
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert_eq!(reused, 0);
    assert_eq!(json(&fa), json(&fresh(&doc)));
    assert_eq!(fa.calls[0].region.as_deref(), Some("us-east-2"));
    for (from, to) in
        [("var shared = dynamodb", "var shared = sqs"), ("\tq  *sqs.Client", "\tq  *s3.Client"), ("return s3.New(s3.Options{})", "return nil")]
    {
        assert!(doc.replace_nth(from, to, 0));
        assert_eq!(json(&analyze(&doc)), json(&fresh(&doc)), "after {from} -> {to}");
    }
}

#[test]
fn range_analysis_reuses_without_consuming_the_snapshot() {
    let mut doc = doc(LINKED);
    let (index, opts) = (GoIndex::new(), AnalysisOptions::default());
    analyze(&doc);
    let at = doc.text().find("\"old\"").unwrap_or(0) + 2;
    doc.edit(at, at, "x");
    let whole = fresh(&doc);
    let start = doc.text().find("func Plain").unwrap_or(0);
    let (reused, part) = reused_by(|| doc.analyze_range(&index, &opts, start..start + 40));
    assert_eq!(reused, 1);
    let expected: Vec<_> = whole.calls.iter().filter(|c| c.span.start_byte < start + 40 && start < c.span.end_byte).collect();
    assert_eq!(part.calls.iter().collect::<Vec<_>>(), expected);
    let (reused, fa) = reused_by(|| analyze(&doc));
    assert!(reused > 0);
    assert_eq!(json(&fa), json(&whole));
}

#[test]
fn another_index_generation_reuses_nothing() {
    let mut doc = doc(LINKED);
    let opts = AnalysisOptions::default();
    let mut index = GoIndex::new();
    doc.analyze(&index, &opts);
    index.insert(std::path::Path::new("lib/other.go"), crate::facts::FileFacts::default());
    doc.edit(0, 0, "\n");
    let (reused, _) = reused_by(|| doc.analyze(&index, &opts));
    assert_eq!(reused, 0);
    doc.edit(0, 0, "\n");
    let (reused, _) = reused_by(|| doc.analyze(&index, &opts));
    assert!(reused > 0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Valid edits that change package clients, field types, constructors,
        /// helpers, imports and the layout: after each, the edited document's
        /// analysis (reusing the previous one) equals a fresh analysis of its text.
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
        /// deleted again right after, as typing does), and the viewport's
        /// range analysis in between.
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
                            let part = doc.analyze_range(&GoIndex::new(), &AnalysisOptions::default(), range.clone());
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
