//! Unit tests of the Go front-end: values, receivers, negatives, syntax
//! errors, unresolved calls, cross-file facts and range analysis.

use crate::document::GoDocument;
use crate::index::GoIndex;
use crate::GoFrontEnd;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, SourceDocument, SourceFile};
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, FindingKind, SdkCall, TextPart, Value};
use std::path::{Path, PathBuf};

fn analyze(src: &str) -> FileAnalysis {
    GoFrontEnd.analyze_source(src, &AnalysisOptions::default())
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn call<'a>(a: &'a FileAnalysis, op: &str) -> &'a SdkCall {
    a.calls.iter().find(|c| c.operation == op).unwrap_or_else(|| panic!("no {op} in {:?}", ops(a)))
}

fn lit(s: &str) -> Value {
    Value::literal(s)
}

const HEADER: &str = r#"package app

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)
"#;

fn with_header(body: &str) -> String {
    format!("{HEADER}\n{body}")
}

#[test]
fn values_of_literals_constants_and_helpers() {
    let a = analyze(&with_header(
        r#"
const bucket = "acme-" + "data"
const prefix = "in"

func f(ctx context.Context, c *s3.Client, name string) {
	key := fmt.Sprintf("%s/%d/%s.json", prefix, 7, name)
	raw := `raw\n`
	c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: &key})
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(os.Getenv("B")), Key: aws.String(raw + "x")})
}
"#,
    ));
    let get = call(&a, "GetObject");
    assert_eq!(get.arg("Bucket"), Some(&lit("acme-data")));
    assert_eq!(get.arg("Key"), Some(&Value::Text(vec![TextPart::Literal("in/7/".into()), TextPart::Unknown, TextPart::Literal(".json".into())])));
    let put = call(&a, "PutObject");
    assert_eq!(put.arg("Bucket"), Some(&Value::Text(vec![TextPart::Env("B".into())])));
    assert_eq!(put.arg("Key"), Some(&lit("raw\\nx")));
}

#[test]
fn lookup_env_gives_its_first_result_and_other_multi_value_calls_nothing() {
    let a = analyze(&with_header(
        r#"
var queue, _ = os.LookupEnv("QUEUE")

func f(ctx context.Context, c *s3.Client, name string) {
	bucket, ok := os.LookupEnv("BUCKET")
	if !ok {
		return
	}
	key, err := strconv.Unquote(name)
	_ = err
	c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(queue), Key: aws.String("k")})
}
"#,
    ));
    let put = call(&a, "PutObject");
    assert_eq!(put.arg("Bucket"), Some(&Value::Text(vec![TextPart::Env("BUCKET".into())])));
    assert!(!matches!(put.arg("Key"), Some(Value::Text(parts)) if parts.iter().any(|p| matches!(p, TextPart::Literal(_)))));
    assert_eq!(call(&a, "GetObject").arg("Bucket"), Some(&Value::Text(vec![TextPart::Env("QUEUE".into())])));
}

#[test]
fn values_of_path_joins_and_smithy_pointers() {
    let src = r#"package app

import (
	"context"
	"path"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/ptr"
)

func f(ctx context.Context, c *s3.Client, day string) {
	c.GetObject(ctx, &s3.GetObjectInput{Bucket: ptr.String("logs"), Key: ptr.String(path.Join("reports", day, strconv.Itoa(3)+".csv"))})
}
"#;
    let a = analyze(src);
    let get = call(&a, "GetObject");
    assert_eq!(get.arg("Bucket"), Some(&lit("logs")));
    assert_eq!(get.arg("Key"), Some(&Value::Text(vec![TextPart::Literal("reports/".into()), TextPart::Unknown, TextPart::Literal("/3.csv".into())])));
    assert_eq!(get.scope.as_deref(), Some("f"));
    assert_eq!(get.confidence, Confidence::High);
}

#[test]
fn nested_struct_literals_become_dicts_and_lists() {
    let a = analyze(&with_header(
        r#"
func f(ctx context.Context, c *s3.Client) {
	c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String("b"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k1")}, {Key: aws.String("k2")}}},
	})
}
"#,
    ));
    let del = call(&a, "DeleteObjects");
    let objects = del.arg("Delete").and_then(|d| d.get("Objects")).cloned();
    assert_eq!(objects, Some(Value::List(vec![Value::Dict(vec![("Key".into(), lit("k1"))]), Value::Dict(vec![("Key".into(), lit("k2"))])])));
}

#[test]
fn receivers_fields_package_vars_and_embedded_clients() {
    let a = analyze(&with_header(
        r#"
var shared = dynamodb.NewFromConfig(aws.Config{})

type Repo struct {
	db *dynamodb.Client
}

type Blobs struct {
	*s3.Client
}

func (r *Repo) Save(ctx context.Context) {
	r.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t1")})
	shared.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t2")})
}

func (b Blobs) Drop(ctx context.Context) {
	b.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("old")})
}
"#,
    ));
    assert_eq!(ops(&a), ["dynamodb:PutItem", "dynamodb:DeleteItem", "s3:DeleteBucket"]);
    assert_eq!(call(&a, "PutItem").scope.as_deref(), Some("Repo.Save"));
    assert_eq!(call(&a, "DeleteItem").arg("TableName"), Some(&lit("t2")));
    assert_eq!(a.scopes.len(), 2);
}

#[test]
fn paginators_waiters_presigners_and_transfer_manager() {
    let src = r#"package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func f(ctx context.Context, c *s3.Client) {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("pb")})
	for p.HasMorePages() {
		p.NextPage(ctx)
	}
	s3.NewBucketExistsWaiter(c).Wait(ctx, &s3.HeadBucketInput{Bucket: aws.String("wb")}, 0)
	s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sb"), Key: aws.String("k")})
	manager.NewUploader(c).Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("ub"), Key: aws.String("k")})
}
"#;
    let a = analyze(src);
    assert_eq!(
        ops(&a),
        [
            "s3:ListObjectsV2",
            "s3:HeadBucket",
            "s3:GetObject",
            "s3:PutObject",
            "s3:CreateMultipartUpload",
            "s3:UploadPart",
            "s3:CompleteMultipartUpload",
            "s3:AbortMultipartUpload"
        ]
    );
    assert_eq!(call(&a, "ListObjectsV2").arg("Bucket"), Some(&lit("pb")));
    assert_eq!(call(&a, "HeadBucket").via, CallVia::Waiter { name: "BucketExists".into() });
    assert_eq!(call(&a, "AbortMultipartUpload").arg("Bucket"), Some(&lit("ub")));
}

#[test]
fn sdk_v1_method_forms() {
    let src = r#"package app

import (
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/sqs"
	"github.com/aws/aws-sdk-go/service/sqs/sqsiface"
)

func f(ctx aws.Context, api sqsiface.SQSAPI) {
	svc := sqs.New(session.Must(session.NewSession()))
	svc.SendMessageWithContext(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/1/q")})
	req, _ := svc.DeleteQueueRequest(&sqs.DeleteQueueInput{QueueUrl: aws.String("u")})
	_ = req
	api.ListQueuesPages(&sqs.ListQueuesInput{}, func(p *sqs.ListQueuesOutput, last bool) bool { return true })
}
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sqs:SendMessage", "sqs:DeleteQueue", "sqs:ListQueues"]);
    assert_eq!(call(&a, "SendMessage").arg("QueueUrl"), Some(&lit("https://sqs.us-east-1.amazonaws.com/1/q")));
}

#[test]
fn no_sdk_import_yields_nothing() {
    let src = r#"package app

import "github.com/minio/minio-go/v7"

func f(ctx context.Context, c *minio.Client, s3 *minio.Client) {
	c.GetObject(ctx, "bucket", "key", minio.GetObjectOptions{})
	s3.PutObject(ctx, "bucket", "key", nil, 0, minio.PutObjectOptions{})
}
"#;
    let a = analyze(src);
    assert!(!a.imports_aws_sdk);
    assert!(a.calls.is_empty() && a.findings.is_empty());
}

#[test]
fn lookalikes_in_sdk_files_are_not_calls() {
    let a = analyze(&with_header(
        r#"
type Tags struct{}

func (t *Tags) DeleteTags(keys ...string) {}

func f(ctx context.Context, c *minio.Client, r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
	}
	t := &Tags{}
	t.DeleteTags("a")
	var n strings.Builder
	n.WriteString("x")
	pool := pgxpool.MustConnect(ctx)
	pool.Query(ctx, "SELECT 1")
	pool.Scan(ctx, 42)
}
"#,
    ));
    assert!(a.calls.is_empty(), "{:?}", ops(&a));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn foreign_wrappers_count_only_with_sdk_inputs() {
    let src = r#"package app

import (
	"context"

	"github.com/acme/awskit"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

func f(ctx context.Context, kit *awskit.S3, mc *minio.Client) {
	kit.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kit")})
	mc.GetObject(ctx, "bucket", "key", minio.GetObjectOptions{})
	mc.ListBuckets(ctx)
}
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:GetObject"]);
    assert_eq!(call(&a, "GetObject").confidence, Confidence::Medium);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn typos_on_a_client_are_reported_with_suggestions() {
    let a = analyze(&with_header("func f(ctx context.Context, c *s3.Client) { c.GetObjekt(ctx, nil) }\n"));
    assert!(a.calls.is_empty());
    let [finding] = a.findings.as_slice() else { panic!("{:?}", a.findings) };
    match &finding.kind {
        FindingKind::UnknownMethod { service, method, suggestions } => {
            assert_eq!((service.as_str(), method.as_str()), ("s3", "GetObjekt"));
            assert_eq!(suggestions.first().map(String::as_str), Some("GetObject"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unresolved_receivers_warn_and_typed_inputs_resolve() {
    let src = with_header(
        r#"
func f(ctx context.Context, clients map[string]any) {
	clients["a"].(interface{}).ListTables(ctx, nil)
	clients["b"].GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("typed")})
}
"#,
    );
    let a = analyze(&src);
    assert_eq!(ops(&a), ["s3:GetObject"]);
    assert_eq!(call(&a, "GetObject").confidence, Confidence::Medium);
    let [finding] = a.findings.as_slice() else { panic!("{:?}", a.findings) };
    match &finding.kind {
        FindingKind::UnresolvedCall { method, candidates } => {
            assert_eq!(method, "ListTables");
            assert_eq!(candidates, &["dynamodb"], "narrowed to the imported services");
        }
        other => panic!("{other:?}"),
    }
    assert!(finding.message.contains("ListTables") && finding.message.contains("not known"), "{}", finding.message);
    // A service hint settles it, with low confidence.
    let hinted = GoFrontEnd.analyze_source(&src, &AnalysisOptions { service_hints: vec!["dynamodb".into()] });
    assert_eq!(ops(&hinted), ["dynamodb:ListTables", "s3:GetObject"]);
    assert_eq!(call(&hinted, "ListTables").confidence, Confidence::Low);
}

#[test]
fn syntax_errors_are_findings_and_never_panic() {
    let src = with_header(
        "func f(ctx context.Context, c *s3.Client) {\n\tc.ListBuckets(ctx, &s3.ListBucketsInput{})\n\tc.GetObject(ctx, &s3.GetObjectInput{\n}\n",
    );
    let a = analyze(&src);
    assert!(a.findings.iter().any(|f| f.kind == FindingKind::SyntaxError));
    assert!(ops(&a).contains(&"s3:ListBuckets".to_string()), "{:?}", ops(&a));
    // Every prefix of a real file: no panic, and no calls without the SDK import.
    let fixture = include_str!("../../../tests/fixtures/go/dynamodb_order_store.go");
    for end in (0..fixture.len()).step_by(7).filter(|e| fixture.is_char_boundary(*e)) {
        let a = analyze(&fixture[..end]);
        if !fixture[..end].contains("aws-sdk-go") {
            assert!(a.calls.is_empty());
        }
    }
}

#[test]
fn deeply_nested_generated_code_does_not_overflow() {
    let long = vec!["\"x\""; 20_000].join(" + ");
    let parens = format!("{}c{}", "(".repeat(5_000), ")".repeat(5_000));
    let nested_calls = format!("s3.NewFromConfig({}cfg{})", "f(".repeat(3_000), ")".repeat(3_000));
    let src = with_header(&format!(
        "var big = {long}\n\nfunc g(c *s3.Client) {{ {parens}.ListBuckets(nil, nil); {nested_calls}.ListBuckets(nil, nil) }}\n\nfunc f(ctx context.Context, c *s3.Client) {{\n\tc.ListBuckets(ctx, &s3.ListBucketsInput{{}})\n}}\n"
    ));
    let out = std::thread::Builder::new().stack_size(2 << 20).spawn(move || ops(&analyze(&src))).map(|h| h.join());
    assert!(matches!(out, Ok(Ok(ref calls)) if calls == &["s3:ListBuckets", "s3:ListBuckets"]), "{out:?}");
}

#[test]
fn range_analysis_equals_the_whole_file_on_the_range() {
    let src = include_str!("../../../tests/fixtures/go/dynamodb_order_store.go");
    let doc = GoDocument::parse(src.to_string());
    let index = GoIndex::new();
    let opts = AnalysisOptions::default();
    let whole = SourceDocument::analyze(&doc, &index, &opts);
    assert_eq!(whole.calls.len(), 3);
    for (start, end) in [(0, src.len()), (0, 10), (src.find("func (s *Store) Get").unwrap_or(0), src.find("func (s *Store) ByCustomer").unwrap_or(0))]
    {
        let part = doc.analyze_range(&index, &opts, start..end);
        let expected: Vec<&SdkCall> = whole.calls.iter().filter(|c| c.span.start_byte < end && start < c.span.end_byte).collect();
        assert_eq!(part.calls.iter().collect::<Vec<_>>(), expected);
        assert!(part.scopes.is_empty());
    }
}

#[test]
fn files_of_a_project_see_each_other() {
    let files = vec![
        SourceFile {
            path: PathBuf::from("internal/aws/clients.go"),
            text: "package aws\n\nimport \"github.com/aws/aws-sdk-go-v2/service/sqs\"\n\nconst Queue = \"https://sqs.us-east-1.amazonaws.com/1/jobs\"\n\nfunc NewQueue() *sqs.Client { return sqs.New(sqs.Options{}) }\n".into(),
        },
        SourceFile {
            path: PathBuf::from("cmd/main.go"),
            text: "package main\n\nimport (\n\t\"example.com/app/internal/aws\"\n\t\"github.com/aws/aws-sdk-go-v2/service/sqs\"\n)\n\nfunc main() {\n\tq := aws.NewQueue()\n\tq.PurgeQueue(nil, &sqs.PurgeQueueInput{QueueUrl: &aws.Queue})\n}\n".into(),
        },
    ];
    let out = GoFrontEnd.analyze_files(&files, &AnalysisOptions::default());
    assert_eq!(out.len(), 2);
    assert!(out[0].calls.is_empty());
    assert_eq!(ops(&out[1]), ["sqs:PurgeQueue"]);
    assert_eq!(out[1].calls[0].arg("QueueUrl"), Some(&lit("https://sqs.us-east-1.amazonaws.com/1/jobs")));
}

#[test]
fn large_projects_parse_twice_with_the_same_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/go/project_shared_client");
    let files: Vec<SourceFile> = ["internal/awsclients/clients.go", "internal/store/events.go", "internal/store/lookup.go", "cmd/ingest/main.go"]
        .iter()
        .map(|p| SourceFile { path: PathBuf::from(p), text: std::fs::read_to_string(root.join(p)).unwrap_or_default() })
        .collect();
    let run = |keep| {
        let out = crate::project::analyze_sources_keeping(&files, None, &AnalysisOptions::default(), iamlens_engine::catalog::embedded(), keep);
        out.iter().map(ops).collect::<Vec<_>>()
    };
    let kept = run(true);
    assert_eq!(kept, run(false));
    assert_eq!(kept[3], ["sqs:ReceiveMessage", "s3:HeadObject"]);
    assert_eq!(kept[2], ["dynamodb:GetItem"]);
}

#[test]
fn the_language_index_serves_documents() {
    let store = "package store\n\nimport \"github.com/aws/aws-sdk-go-v2/service/dynamodb\"\n\ntype Store struct{ db *dynamodb.Client }\n";
    let user = "package store\n\nimport (\n\t\"context\"\n\t\"github.com/aws/aws-sdk-go-v2/service/dynamodb\"\n)\n\nfunc (s *Store) Drop(ctx context.Context) {\n\ts.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{})\n}\n";
    let mut index = GoFrontEnd.new_index();
    let store_doc = GoFrontEnd.parse(store.into());
    let user_doc = GoFrontEnd.parse(user.into());
    let opts = AnalysisOptions::default();
    // Before indexing, `Store` is unknown: only the typed input settles the call, with less confidence.
    let confidence = |index: &dyn LanguageIndex| user_doc.analyze(index, &opts).calls.iter().map(|c| c.confidence).collect::<Vec<_>>();
    assert_eq!(confidence(index.as_ref()), [Confidence::Medium]);
    index.update_file(Path::new("store/store.go"), store_doc.as_ref());
    index.update_file(Path::new("store/drop.go"), user_doc.as_ref());
    assert_eq!(index.len(), 2);
    assert_eq!(ops(&user_doc.analyze(index.as_ref(), &opts)), ["dynamodb:DeleteTable"]);
    assert_eq!(confidence(index.as_ref()), [Confidence::High]);
    index.remove_file(Path::new("store/store.go"));
    assert_eq!(confidence(index.as_ref()), [Confidence::Medium]);
}

#[test]
fn front_end_basics() {
    assert_eq!(GoFrontEnd.language(), "go");
    assert!(GoFrontEnd.may_use_aws(b"import \"github.com/aws/aws-sdk-go-v2/service/s3\""));
    assert!(!GoFrontEnd.may_use_aws(b"import \"github.com/minio/minio-go/v7\""));
    assert_eq!(GoFrontEnd.services_named(HEADER), ["s3", "dynamodb"]);
    assert!(crate::is_test_file(Path::new("pkg/store_test.go")));
    assert!(!crate::is_test_file(Path::new("pkg/store.go")));
}

#[test]
fn analysis_runs_against_any_catalog() {
    use iamlens_engine::catalog::fake::FakeCatalog;
    let catalog = FakeCatalog::from_ops(&[("s3", &[("GetObject", &["Bucket", "Key"])])]);
    let src = with_header("func f(ctx context.Context, c *s3.Client) {\n\tc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(\"b\")})\n\tc.PutObject(ctx, nil)\n}\n");
    let out = crate::analyze_sources_with(&[SourceFile { path: PathBuf::from("a.go"), text: src }], &AnalysisOptions::default(), &catalog);
    assert_eq!(ops(&out[0]), ["s3:GetObject"]);
    assert!(matches!(&out[0].findings[0].kind, FindingKind::UnknownMethod { method, .. } if method == "PutObject"));
}

mod edits {
    use super::*;
    use proptest::prelude::*;

    fn calls_of(doc: &dyn SourceDocument) -> Vec<SdkCall> {
        doc.analyze(&GoIndex::new(), &AnalysisOptions::default()).calls
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Any edits (even mid-character, out of range, half-typed): no panic,
        /// and the analysis is the one a fresh parse of the text gives.
        #[test]
        fn edited_documents_analyse_like_fresh_ones(edits in proptest::collection::vec((0usize..3000, 0usize..40, "[a-z(){}\"&.:= \n]{0,6}"), 1..6)) {
            let src = include_str!("../../../tests/fixtures/go/s3_transfer_manager.go");
            let mut doc = GoDocument::parse(src.to_string());
            for (start, len, text) in edits {
                doc.edit_unsettled(start, start + len, &text);
                let fresh = GoDocument::parse(doc.text().to_string());
                prop_assert_eq!(calls_of(&doc), calls_of(&fresh));
            }
        }
    }
}

#[test]
fn helpers_that_build_inputs_and_regions_given_in_constructors() {
    let src = r#"package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"

type Jobs struct{ q *sqs.Client }

func NewJobs(ctx context.Context) *Jobs {
	cfg, _ := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	return &Jobs{q: sqs.NewFromConfig(cfg)}
}

func sendInput(body string) *sqs.SendMessageInput {
	in := &sqs.SendMessageInput{QueueUrl: aws.String(queue)}
	in.MessageBody = aws.String(body)
	return in
}

func (j *Jobs) Send(ctx context.Context, body string) {
	j.q.SendMessage(ctx, sendInput(body))
}
"#;
    let a = analyze(src);
    let send = call(&a, "SendMessage");
    assert_eq!(send.arg("QueueUrl"), Some(&lit("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")));
    assert_eq!(send.region.as_deref(), Some("eu-west-1"));
    // Two constructors that disagree: no region is claimed.
    let two = src.replace("func (j *Jobs) Send", "func Other() *Jobs {\n\tcfg, _ := config.LoadDefaultConfig(nil, config.WithRegion(\"us-west-2\"))\n\treturn &Jobs{q: sqs.NewFromConfig(cfg)}\n}\n\nfunc (j *Jobs) Send");
    assert_eq!(call(&analyze(&two), "SendMessage").region, None);
}
