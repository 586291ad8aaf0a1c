//! Unit tests of the whole front-end on small sources: values, receivers,
//! negatives, syntax errors, unresolved calls, ranges, the project index.

use crate::{is_test_file, services_named, JavaDocument, JavaFrontEnd, JavaIndex};
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, SourceFile};
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, FindingKind, SdkCall, TextPart, Value};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn analyze(src: &str) -> FileAnalysis {
    JavaFrontEnd.analyze_source(src, &AnalysisOptions::default())
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn arg<'c>(c: &'c SdkCall, member: &str) -> &'c Value {
    c.arg(member).unwrap_or_else(|| panic!("{member} missing from {:?}", c.args))
}

const S3_IMPORTS: &str = "import software.amazon.awssdk.services.s3.S3Client;\nimport software.amazon.awssdk.regions.Region;\n";

fn s3_file(body: &str) -> String {
    format!("{S3_IMPORTS}\nclass Job {{\n{body}\n}}\n")
}

#[test]
fn values_constants_concatenation_format_and_environment() {
    let a = analyze(&s3_file(
        r#"
    private static final String BUCKET = "acme-" + "data";
    private static final String ENV = System.getenv("STAGE");
    @org.springframework.beans.factory.annotation.Value("${app.prefix}") private String prefix;
    private final S3Client s3 = S3Client.create();
    void run(String id, int n) {
        String key = String.format("exports/%s/%d.json", id, 7);
        s3.getObject(r -> r.bucket(BUCKET).key(key));
        s3.putObject(r -> r.bucket(BUCKET + "-" + ENV).key(prefix + "/x"), null);
        s3.deleteObject(r -> r.bucket("b").key("n" + n));
    }"#,
    ));
    assert_eq!(ops(&a), ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    assert_eq!(arg(&a.calls[0], "Bucket"), &Value::literal("acme-data"));
    assert_eq!(arg(&a.calls[0], "Key").as_pattern().as_deref(), Some("exports/*/7.json"));
    assert_eq!(arg(&a.calls[1], "Bucket"), &Value::Text(vec![TextPart::Literal("acme-data-".into()), TextPart::Env("STAGE".into())]));
    assert_eq!(arg(&a.calls[1], "Key"), &Value::Text(vec![TextPart::Unknown, TextPart::Literal("/x".into())]));
    assert_eq!(arg(&a.calls[2], "Key").as_pattern().as_deref(), Some("n*"));
}

#[test]
fn a_reassigned_local_is_not_its_initializer() {
    let a = analyze(&s3_file(
        r#"
    void run(S3Client s3, boolean b) {
        String bucket = "first";
        if (b) { bucket = "second"; }
        s3.headBucket(r -> r.bucket(bucket));
    }"#,
    ));
    assert_eq!(ops(&a), ["s3:HeadBucket"]);
    assert_eq!(arg(&a.calls[0], "Bucket"), &Value::Unknown);
}

#[test]
fn receivers_fields_constructors_locals_resources_parameters_and_factories() {
    let a = analyze(&s3_file(
        r#"
    private final S3Client fromCtor;
    private S3Client fromFactory = newClient();
    Job() { this.fromCtor = S3Client.builder().region(Region.EU_WEST_1).build(); }
    static S3Client newClient() { return S3Client.create(); }
    void run(S3Client param) {
        fromCtor.listBuckets();
        this.fromFactory.listBuckets();
        param.listBuckets();
        var local = S3Client.builder().region(Region.of("ap-south-1")).build();
        local.listBuckets();
        try (S3Client res = S3Client.create()) { res.listBuckets(); }
        newClient().listBuckets();
    }"#,
    ));
    assert_eq!(a.calls.len(), 6, "{:?}", a.calls);
    assert!(a.calls.iter().all(|c| c.operation == "ListBuckets" && c.confidence == Confidence::High));
    assert_eq!(a.calls[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(a.calls[3].region.as_deref(), Some("ap-south-1"));
    assert_eq!(a.calls[0].scope.as_deref(), Some("Job.run"));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn method_names_map_back_to_operations_including_variants() {
    let src = r#"
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.s3.S3Client;
class Ops {
    void run(RdsClient rds, S3Client s3) {
        rds.describeDBClusters(r -> r.dbClusterIdentifier("aurora"));
        s3.listObjectsV2Paginator(r -> r.bucket("b"));
        s3.getObjectAsBytes(r -> r.bucket("b").key("k"));
        s3.waiter().waitUntilBucketExists(r -> r.bucket("b"));
        s3.utilities().getUrl(r -> r.bucket("b").key("k"));
        s3.close();
    }
}"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["rds:DescribeDBClusters", "s3:ListObjectsV2", "s3:GetObject", "s3:HeadBucket"]);
    assert_eq!(arg(&a.calls[0], "DBClusterIdentifier"), &Value::literal("aurora"));
    assert!(matches!(&a.calls[1].via, CallVia::Paginator { method } if method == "listObjectsV2Paginator"));
    assert!(matches!(&a.calls[3].via, CallVia::Waiter { name } if name == "BucketExists"));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn code_without_an_sdk_import_yields_nothing() {
    let src = r#"
// software.amazon.awssdk.services.s3.S3Client is mentioned only in this comment
class Store {
    private final S3Client s3 = S3Client.create();
    void run(Cache cache) { s3.getObject(r -> r.bucket("b")); cache.putItem("x"); }
}"#;
    let a = analyze(src);
    assert!(!a.imports_aws_sdk);
    assert!(a.calls.is_empty() && a.findings.is_empty() && a.scopes.is_empty());
}

#[test]
fn lookalike_methods_on_declared_non_sdk_types_are_silent() {
    let src = r#"
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import com.acme.cache.ItemCache;
class Store {
    private final ItemCache cache;
    private final java.util.Map<String, String> map = new java.util.HashMap<>();
    void run(DynamoDbClient ddb, ItemCache other) {
        cache.putItem("x");
        other.getItem("y");
        var resp = ddb.getItem(r -> r.tableName("t"));
        resp.item();
        new ItemCache().query("z");
    }
}"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["dynamodb:GetItem"]);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn unresolved_receivers_are_reported_and_hints_settle_them() {
    let src = r#"
import software.amazon.awssdk.services.sqs.SqsClient;
class Worker extends Base {
    void run(java.util.List<SqsClient> all) {
        queue.sendMessage(r -> r.queueUrl("https://sqs.us-east-1.amazonaws.com/1/q"));
        all.forEach(c -> c.purgeQueue(r -> r.queueUrl("u")));
        queue.somethingElse();
    }
}"#;
    let a = analyze(src);
    assert!(a.calls.is_empty(), "{:?}", a.calls);
    let unresolved: Vec<(&str, &[String])> = a
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::UnresolvedCall { method, candidates } => Some((method.as_str(), candidates.as_slice())),
            _ => None,
        })
        .collect();
    assert_eq!(unresolved, [("sendMessage", &["sqs".to_string()][..]), ("purgeQueue", &["sqs".to_string()][..])]);
    assert!(a.findings[0].message.contains("queue") && a.findings[0].message.contains("SqsClient"), "{}", a.findings[0].message);
    let hinted = JavaFrontEnd.analyze_source(src, &AnalysisOptions { service_hints: vec!["sqs".into()] });
    assert_eq!(ops(&hinted), ["sqs:SendMessage", "sqs:PurgeQueue"]);
    assert!(hinted.calls.iter().all(|c| c.confidence == Confidence::Low));
}

#[test]
fn typos_on_resolved_clients_suggest_the_real_method() {
    let a = analyze(&s3_file("void run(S3Client s3) { s3.putObjekt(r -> r.bucket(\"b\"), null); }"));
    assert!(a.calls.is_empty());
    let FindingKind::UnknownMethod { service, method, suggestions } = &a.findings[0].kind else { panic!("{:?}", a.findings) };
    assert_eq!((service.as_str(), method.as_str()), ("s3", "putObjekt"));
    assert_eq!(suggestions.first().map(String::as_str), Some("putObject"));
}

#[test]
fn syntax_errors_are_findings_and_the_rest_is_still_analysed() {
    let a = analyze(&s3_file("void ok(S3Client s3) { s3.listBuckets(); }\nvoid bad(S3Client s3) { s3.headBucket(r -> r.bucket(\"b\"); if ( }"));
    assert!(ops(&a).contains(&"s3:ListBuckets".to_string()), "{:?}", a.calls);
    assert!(a.findings.iter().any(|f| f.kind == FindingKind::SyntaxError));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn half_typed_source_never_panics(cut in 0usize..2000, insert in "[(){};.\"a-z ]{0,6}") {
        let base = std::fs::read_to_string(fixture("s3_transfer_manager.java")).expect("fixture");
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        let _ = analyze(&text);
        let truncated = &base[..at];
        let _ = analyze(truncated);
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/java").join(name)
}

#[test]
fn analyze_range_equals_the_whole_file_on_the_range() {
    let index = JavaFrontEnd.new_index();
    let opts = AnalysisOptions::default();
    let mut files = java_files(&fixture(""));
    // A half-typed call: syntax errors are in every range's findings.
    files.push(("half_typed.java".into(), s3_file("void f(S3Client s3) { s3.getObject(r -> r.bucket(\"b\").key(\"k\"));\n s3.putObj( }")));
    let mut ranges_with_calls = 0;
    for (path, text) in files {
        let doc = JavaFrontEnd.parse(text.clone());
        let whole = doc.analyze(index.as_ref(), &opts);
        let mut offsets: Vec<usize> = (0..text.len()).step_by(97).collect();
        offsets.push(text.len());
        for w in offsets.windows(2) {
            for range in [w[0]..w[1] + 150, w[0]..w[0], w[1]..w[1] + 1] {
                let end = range.end.max(range.start + 1);
                let overlaps = |s: &iamlens_engine::model::Span| s.start_byte < end && range.start < s.end_byte.max(s.start_byte + 1);
                let part = doc.analyze_range(index.as_ref(), &opts, range.clone());
                let calls: Vec<&SdkCall> = whole.calls.iter().filter(|c| overlaps(&c.span)).collect();
                assert_eq!(part.calls.iter().collect::<Vec<_>>(), calls, "{} {range:?}", path.display());
                let findings: Vec<String> =
                    whole.findings.iter().filter(|f| f.kind == FindingKind::SyntaxError || overlaps(&f.span)).map(|f| format!("{f:?}")).collect();
                assert_eq!(part.findings.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(), findings, "{} {range:?}", path.display());
                assert!(part.scopes.is_empty());
                ranges_with_calls += usize::from(!calls.is_empty());
            }
        }
    }
    assert!(ranges_with_calls > 100, "{ranges_with_calls}");
}

#[test]
fn documents_edit_incrementally_and_analyse_like_a_fresh_parse() {
    let mut doc = JavaFrontEnd.parse(s3_file("void run(S3Client s3) { s3.listBuckets(); }"));
    let at = doc.text().find("listBuckets").unwrap();
    doc.edit(at, at + "listBuckets".len(), "headBucket");
    let index = JavaFrontEnd.new_index();
    let a = doc.analyze(index.as_ref(), &AnalysisOptions::default());
    assert_eq!(ops(&a), ["s3:HeadBucket"]);
    let comment = doc.text().find("class Job").unwrap();
    doc.edit(comment, comment, "/* a comment */\n");
    let tree = doc.tree().unwrap().clone();
    assert!(doc.inert_region(&tree, comment + 4, comment + 6));
    assert!(!doc.inert_region(&tree, at, at + 2));
}

#[test]
fn the_index_carries_factories_and_constants_across_files() {
    let factory = SourceFile {
        path: "app/Aws.java".into(),
        text: "package app;\nimport software.amazon.awssdk.services.sns.SnsClient;\nimport software.amazon.awssdk.regions.Region;\npublic class Aws {\n  public static final String TOPIC = \"arn:aws:sns:eu-west-1:1:t\";\n  public static SnsClient sns() { return SnsClient.builder().region(Region.EU_WEST_1).build(); }\n}\n".into(),
    };
    let user = SourceFile {
        path: "app/Use.java".into(),
        text: "package app;\nclass Use {\n  void run() { var sns = Aws.sns(); sns.publish(r -> r.topicArn(Aws.TOPIC).message(\"m\")); }\n}\n".into(),
    };
    let out = JavaFrontEnd.analyze_files(&[factory.clone(), user.clone()], &AnalysisOptions::default());
    assert!(out[0].calls.is_empty());
    assert!(out[1].imports_aws_sdk);
    assert_eq!(ops(&out[1]), ["sns:Publish"]);
    assert_eq!(out[1].calls[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(arg(&out[1].calls[0], "TopicArn"), &Value::literal("arn:aws:sns:eu-west-1:1:t"));
    // Alone, the user file is not AWS code.
    assert!(!JavaFrontEnd.analyze_source(&user.text, &AnalysisOptions::default()).imports_aws_sdk);
    // The editor's index gives the same answer.
    let mut index = JavaFrontEnd.new_index();
    index.update_file(Path::new("app/Aws.java"), JavaFrontEnd.parse(factory.text.clone()).as_ref());
    assert_eq!(index.len(), 1);
    let a = JavaFrontEnd.parse(user.text.clone()).analyze(index.as_ref(), &AnalysisOptions::default());
    assert_eq!(ops(&a), ["sns:Publish"]);
    index.remove_file(Path::new("app/Aws.java"));
    assert!(index.is_empty());
    assert!(index.as_any().downcast_ref::<JavaIndex>().is_some());
}

#[test]
fn front_end_identity_and_cheap_tests() {
    assert_eq!(JavaFrontEnd.language(), "java");
    assert_eq!(JavaFrontEnd.file_extensions(), ["java"]);
    assert_eq!(JavaFrontEnd.language_ids(), ["java"]);
    assert!(JavaFrontEnd.may_use_aws(b"import software.amazon.awssdk.services.s3.S3Client;"));
    assert!(JavaFrontEnd.may_use_aws(b"import com.amazonaws.services.s3.AmazonS3;"));
    assert!(!JavaFrontEnd.may_use_aws(b"class A { void f() {} }"));
    assert!(is_test_file(Path::new("svc/src/test/java/com/acme/AppTest.java")));
    assert!(!is_test_file(Path::new("svc/src/main/java/com/acme/App.java")));
    assert!(is_test_file(Path::new("src/integrationTest/java/ItTest.java")));
    assert!(JavaFrontEnd.is_test_file(Path::new("src/test/java/A.java")));
    assert!(!is_test_file(Path::new("src/main/java/test/Helper.java")));
    let text = "import software.amazon.awssdk.services.s3.S3Client;\nimport com.amazonaws.services.sqs.AmazonSQS;\nimport software.amazon.awssdk.services.sfn.SfnClient;";
    assert_eq!(services_named(text), ["s3", "sqs"]);
    let _ = JavaDocument::parse(String::new());
}

#[test]
fn injected_clients_take_the_region_of_their_bean_when_all_agree() {
    let config = |region: &str| {
        format!(
            "import software.amazon.awssdk.services.sqs.SqsClient;\nimport software.amazon.awssdk.regions.Region;\n\
             @Configuration class Cfg {{ @Bean SqsClient sqs() {{ return SqsClient.builder().region(Region.{region}).build(); }} }}\n"
        )
    };
    let user = SourceFile {
        path: "Use.java".into(),
        text: "import software.amazon.awssdk.services.sqs.SqsClient;\nclass Use {\n  private final SqsClient sqs;\n  Use(SqsClient sqs) { this.sqs = sqs; }\n  void run() { sqs.purgeQueue(r -> r.queueUrl(\"u\")); }\n}\n".into(),
    };
    let one = SourceFile { path: "Cfg.java".into(), text: config("EU_WEST_3") };
    let out = JavaFrontEnd.analyze_files(&[one.clone(), user.clone()], &AnalysisOptions::default());
    assert_eq!(out[1].calls[0].region.as_deref(), Some("eu-west-3"));
    // Two beans in different regions: injection by type is ambiguous, so no region.
    let two = SourceFile { path: "Cfg2.java".into(), text: config("AP_SOUTH_1").replace("class Cfg", "class Cfg2") };
    let out = JavaFrontEnd.analyze_files(&[one, two, user], &AnalysisOptions::default());
    assert_eq!(out[2].calls[0].region, None);
}

#[test]
fn the_lambda_runtime_library_is_not_the_sdk() {
    let src = r#"
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
public class Handler implements RequestHandler<S3Event, String> {
    public String handleRequest(S3Event event, Context context) {
        pipeline.invoke(event);
        return "ok";
    }
}"#;
    let a = analyze(src);
    assert!(!a.imports_aws_sdk && a.findings.is_empty());
}

#[test]
fn inherited_fields_static_imports_and_own_methods_resolve() {
    let src = r#"
import static com.acme.Tables.ORDERS;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
abstract class Base { protected final DynamoDbClient ddb = DynamoDbClient.create(); }
class Dao extends Base {
    private static final String T = "t1";
    void run() {
        ddb.describeTable(r -> r.tableName(T));
        this.ddb.describeTable(r -> r.tableName(ORDERS));
        this.self().describeTable(r -> r.tableName("t3"));
    }
    DynamoDbClient self() { return ddb; }
}"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["dynamodb:DescribeTable"; 3]);
    assert_eq!(arg(&a.calls[0], "TableName"), &Value::literal("t1"));
    // ORDERS comes from a file this analysis does not have: unknown, not guessed.
    assert_eq!(arg(&a.calls[1], "TableName"), &Value::Unknown);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn library_statics_and_reactive_chains_are_not_unresolved_aws_calls() {
    let src = r#"
import reactor.core.publisher.Flux;
import java.util.List;
import software.amazon.awssdk.services.sns.SnsClient;
class Feed {
    void run(SnsClient sns) {
        Flux.just(1, 2).subscribe(System.out::println);
        List.of("a").stream().forEach(x -> {});
        String.valueOf(1).trim();
        sns.subscribe(r -> r.topicArn("arn:aws:sns:us-east-1:1:t").protocol("sqs"));
    }
}"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sns:Subscribe"]);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn the_index_follows_classes_moving_between_files() {
    use crate::index::{ClassFacts, FileFacts};
    let facts = |c: &str, v: &str| FileFacts {
        classes: [(c.to_string(), ClassFacts { constants: [("X".to_string(), Value::literal(v))].into(), ..ClassFacts::default() })].into(),
    };
    let mut index = JavaIndex::new();
    index.insert(Path::new("b/K.java"), facts("K", "from-b"));
    index.insert(Path::new("a/K.java"), facts("K", "from-a"));
    assert_eq!(index.constant("K", "X"), Some(&Value::literal("from-a")), "path order decides");
    index.insert(Path::new("a/K.java"), facts("L", "moved"));
    assert_eq!(index.constant("K", "X"), Some(&Value::literal("from-b")));
    assert_eq!(index.constant("L", "X"), Some(&Value::literal("moved")));
    index.remove(Path::new("b/K.java"));
    assert!(!index.has_class("K") && index.has_class("L") && index.len() == 1);
}

/// Every `.java` file under `dir`, with its text, in path order.
fn java_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("fixture dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "java") {
                let text = std::fs::read_to_string(&path).expect("fixture");
                out.push((path.strip_prefix(dir).unwrap_or(&path).to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn analyses_kept_from_the_files_own_index_equal_those_against_the_whole_index() {
    use crate::facts::file_facts;
    let catalog = iamlens_engine::catalog::embedded();
    let opts = AnalysisOptions::default();
    let all = fixture("");
    // Each project, and the whole corpus as one project (classes of one
    // fixture then shadow or feed those of another).
    let mut projects: Vec<PathBuf> = vec![all.clone()];
    projects.extend(std::fs::read_dir(&all).expect("fixtures").flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    for dir in projects {
        let files = java_files(&dir);
        let mut index = JavaIndex::new();
        for (path, text) in &files {
            let doc = JavaDocument::parse(text.clone());
            index.insert(path, file_facts(text, doc.tree().expect("tree").root_node(), catalog));
        }
        let expected: Vec<FileAnalysis> = files
            .iter()
            .map(|(_, text)| {
                let doc = JavaDocument::parse(text.clone());
                crate::analyze_tree(doc.text(), doc.tree(), &index, &opts, catalog)
            })
            .collect();
        let got = crate::analyze_project_files(&files, &opts, catalog);
        for ((path, _), (g, e)) in files.iter().zip(got.iter().zip(&expected)) {
            assert_eq!(format!("{g:?}"), format!("{e:?}"), "{} in {}", path.display(), dir.display());
        }
    }
}

#[test]
fn kind_ids_name_exactly_the_nodes_their_kind_names_do() {
    let kinds = crate::kinds::kinds().named();
    let mut files = java_files(&fixture(""));
    // Contextual keywords parse as identifiers (an alias in the grammar).
    files.push((
        "reserved.java".into(),
        "class R { void f() { int record = 1; var open = (module) -> module; this.with = yield; } }\nenum E { A; int x; }\nrecord P(int a) {}\n"
            .into(),
    ));
    let mut seen = std::collections::HashSet::new();
    for (path, text) in &files {
        let doc = JavaDocument::parse(text.clone());
        crate::syntax::each_in_post_order(doc.tree().expect("tree").root_node(), |n, _| {
            for (name, id) in &kinds {
                assert_eq!(n.kind() == *name, n.kind_id() == *id, "{name} at {} in {}", n.start_byte(), path.display());
                if n.kind_id() == *id {
                    seen.insert(*name);
                }
            }
        });
    }
    assert_eq!(seen.len(), kinds.len(), "every kind met at least once: {seen:?}");
}

#[test]
fn the_walks_visit_what_descending_by_children_does() {
    for (path, text) in java_files(&fixture("")) {
        let doc = JavaDocument::parse(text.clone());
        let root = doc.tree().expect("tree").root_node();
        // By hand: pre-order over named children; every node with its parent.
        let (mut named, mut stack) = (Vec::new(), vec![root]);
        while let Some(n) = stack.pop() {
            named.push(n.id());
            let mut kids = crate::syntax::named_children(n);
            kids.reverse();
            stack.extend(kids);
        }
        let mut walked = Vec::new();
        crate::syntax::each_named_in_pre_order(root, |n| walked.push(n.id()));
        assert_eq!(walked, named, "{}", path.display());
        let mut count = 0;
        crate::syntax::each_in_post_order(root, |n, ancestors| {
            count += 1;
            assert_eq!(ancestors.last().map(|p| p.id()), n.parent().map(|p| p.id()), "{}", path.display());
        });
        assert_eq!(count, root.descendant_count(), "{}", path.display());
    }
}

#[test]
fn every_field_the_code_names_is_a_field_of_the_grammar() {
    let sources = [
        include_str!("analysis.rs"),
        include_str!("analyzer.rs"),
        include_str!("calls.rs"),
        include_str!("facts.rs"),
        include_str!("receivers.rs"),
        include_str!("requests.rs"),
        include_str!("syntax.rs"),
        include_str!("types.rs"),
        include_str!("values.rs"),
    ];
    let mut named = 0;
    for source in sources {
        for (at, _) in source.match_indices("field!(\"") {
            let rest = &source[at + 8..];
            let name = &rest[..rest.find('"').expect("closing quote")];
            assert_ne!(crate::syntax::field_id(name), 0, "`{name}` is not a field of tree-sitter-java");
            named += 1;
        }
    }
    assert!(named > 50, "{named}");
}
