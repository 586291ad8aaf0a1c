//! Re-analysis after edits: a document analysed again after any sequence of
//! edits gives exactly what a fresh analysis of its text gives, and members
//! whose text and inputs did not change are not walked again.

use crate::incremental::REUSED;
use crate::{JavaDocument, JavaIndex};
use iamlens_engine::catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{FileAnalysis, FindingKind, SdkCall, Span};
use proptest::prelude::*;

/// A service whose members depend on each other: clients in fields (one
/// assigned in the constructor, one injected), factory methods (one through
/// another), constants, a nested constants class, a `@Bean` factory, an
/// inherited field, a helper class, a request held in a field, an inner class.
const LINKED: &str = r#"package app;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import org.springframework.context.annotation.Bean;

public class Worker extends Base {
    private static final String BUCKET = "data";
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/1/jobs";
    private final S3Client s3 = S3Client.builder().region(Region.EU_WEST_1).build();
    private SqsClient sqs;
    private final DynamoDbClient ddb;
    private final GetObjectRequest request = GetObjectRequest.builder().bucket(BUCKET).key("k").build();

    public Worker(DynamoDbClient ddb) {
        this.ddb = ddb;
        sqs = SqsClient.create();
    }

    S3Client storage() {
        return S3Client.builder().region(Region.US_WEST_2).build();
    }

    S3Client viaOther() {
        return storage();
    }

    void send(String body) {
        sqs.sendMessage(r -> r.queueUrl(QUEUE).messageBody(body));
    }

    void useFactories(String key) {
        storage().listBuckets();
        viaOther().getObject(r -> r.bucket(BUCKET).key(key));
        inherited.deleteQueue(r -> r.queueUrl(QUEUE));
    }

    void plain(String key) {
        s3.headObject(r -> r.bucket(BUCKET + "/x").key(key));
        ddb.describeTable(r -> r.tableName(Tables.ORDERS));
    }

    void fetch() {
        s3.getObject(request);
    }

    @Bean
    DynamoDbClient dynamo() {
        return DynamoDbClient.builder().region(Region.EU_CENTRAL_1).build();
    }

    static class Tables {
        static final String ORDERS = "orders";
    }

    class Inner {
        void run() {
            s3.putObject(r -> r.bucket(BUCKET).key("k"), RequestBody.empty());
            new Helper().client().listQueues();
        }
    }
}

class Base {
    protected SqsClient inherited = SqsClient.create();
}

class Helper {
    SqsClient client() {
        return SqsClient.create();
    }
}
"#;

/// Edits that keep the file valid Java: (text to find, replacement). Each
/// changes something another member reads, or moves members around.
const SWAPS: &[(&str, &str)] = &[
    ("\"data\"", "\"logs\""),
    ("\"logs\"", "\"data\""),
    ("Region.EU_WEST_1", "Region.AP_SOUTH_1"),
    ("Region.AP_SOUTH_1", "Region.EU_WEST_1"),
    ("S3Client viaOther", "SqsClient viaOther"),
    ("SqsClient viaOther", "S3Client viaOther"),
    ("private SqsClient sqs;", "private S3Client sqs;"),
    ("private S3Client sqs;", "private SqsClient sqs;"),
    ("sqs = SqsClient.create();", "sqs = SqsClient.builder().region(Region.EU_WEST_1).build();"),
    ("sqs = SqsClient.builder().region(Region.EU_WEST_1).build();", "sqs = SqsClient.create();"),
    ("        this.ddb = ddb;\n", ""),
    ("public Worker(DynamoDbClient ddb) {\n", "public Worker(DynamoDbClient ddb) {\n        this.ddb = ddb;\n"),
    ("S3Client storage()", "S3Client storage2()"),
    ("S3Client storage2()", "S3Client storage()"),
    ("void plain(String key) {\n", "void plain(String key) {\n        storage().deleteObject(r -> r.bucket(BUCKET).key(key));\n"),
    ("\n    void send(", "\n    void added() {\n        storage().listBuckets();\n    }\n\n    void send("),
    ("    S3Client viaOther() {\n        return storage();\n    }\n", ""),
    ("listBuckets()", "listBucket()"),
    ("listBucket()", "listBuckets()"),
    ("    @Bean\n", ""),
    ("\n    DynamoDbClient dynamo()", "\n    @Bean\n    DynamoDbClient dynamo()"),
    ("Region.EU_CENTRAL_1", "Region.US_EAST_2"),
    ("Region.US_EAST_2", "Region.EU_CENTRAL_1"),
    ("ORDERS = \"orders\"", "ORDERS = \"items\""),
    ("ORDERS = \"items\"", "ORDERS = \"orders\""),
    ("class Base {", "class Base extends Object {"),
    ("protected SqsClient inherited", "protected S3Client inherited"),
    ("protected S3Client inherited", "protected SqsClient inherited"),
    ("\n\n", "\n\n    // note\n"),
    ("public class Worker extends Base", "public class Worker"),
    ("public class Worker {", "public class Worker extends Base {"),
    ("SqsClient client()", "S3Client client()"),
    ("S3Client client()", "SqsClient client()"),
    ("void send(String body) {\n", "void send(String body) {\n        SqsClient sqs = SqsClient.builder().region(Region.EU_WEST_1).build();\n"),
    ("bucket(BUCKET).key(\"k\").build()", "bucket(\"other\").build()"),
    ("GetObjectRequest request", "GetObjectRequest req"),
    ("GetObjectRequest req ", "GetObjectRequest request "),
    ("    void plain", "\n    void plain"),
    ("static class Tables", "static class Names"),
    ("static class Names", "static class Tables"),
    ("private SqsClient sqs;\n", "private SqsClient sqs;\n    private S3Client storage = S3Client.create();\n"),
    ("import software.amazon.awssdk.services.sqs.SqsClient;\n", ""),
    ("\n    void fetch()", "\n    void tweak() {\n        request.toBuilder().key(\"other\");\n    }\n\n    void fetch()"),
    ("    void tweak() {\n        request.toBuilder().key(\"other\");\n    }\n", ""),
    ("(", "(("),
];

/// Half-typed code: what a buffer holds between keystrokes.
const TYPING: &[&str] = &["(", ")", "{", "}", ";", "\"", "s3.getObject(r -> r.bucket(", "\n    void g(", "class C", "\n@", "\n\n", "this."];

fn opts() -> AnalysisOptions {
    AnalysisOptions::default()
}

fn whole(doc: &JavaDocument) -> FileAnalysis {
    doc.analyze_with(&JavaIndex::new(), &opts(), catalog::embedded())
}

fn fresh(text: &str) -> FileAnalysis {
    JavaDocument::parse(text.to_string()).analyze_once_with(&JavaIndex::new(), &opts(), catalog::embedded())
}

fn json(a: &FileAnalysis) -> String {
    serde_json::to_string(a).unwrap()
}

fn reused_by(f: impl FnOnce()) -> usize {
    let before = REUSED.with(|n| n.get());
    f();
    REUSED.with(|n| n.get()) - before
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn region_of<'a>(a: &'a FileAnalysis, op: &str) -> Option<&'a str> {
    a.calls.iter().find(|c| c.operation == op).and_then(|c| c.region.as_deref())
}

#[test]
fn an_edit_inside_one_method_reuses_the_others() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    let first = whole(&doc);
    assert!(first.calls.len() >= 9, "{:?}", ops(&first));
    assert!(doc.replace_nth("r.bucket(BUCKET + \"/x\")", "r.bucket(BUCKET + \"/y\")", 0));
    let mut after = FileAnalysis::default();
    let reused = reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    // Every member but `plain` and `fetch`, which searched the whole class for
    // statements on its request field (the fields, the constructor, the other
    // methods, the nested classes, the members of `Base` and `Helper`).
    let members = 18;
    assert_eq!(reused, members - 2);
    // Typing a line break before a method moves the methods after it, and reuses them.
    let at = doc.text().find("    void fetch").unwrap();
    doc.edit(at, at, "\n");
    let reused = reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert_eq!(reused, members, "a blank line changes no member");
    let head = after.calls.iter().find(|c| c.operation == "GetObject" && c.text.contains("request")).unwrap();
    assert_eq!(head.span.start_byte, doc.text().find("s3.getObject(request)").unwrap());
}

#[test]
fn changing_a_fields_client_type_reanalyses_the_methods_using_it() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    let before = whole(&doc);
    assert!(ops(&before).contains(&"sqs:SendMessage".to_string()));
    assert!(doc.replace_nth("private SqsClient sqs;", "private S3Client sqs;", 0));
    let mut after = FileAnalysis::default();
    let reused = reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert!(!ops(&after).contains(&"sqs:SendMessage".to_string()), "{:?}", ops(&after));
    assert!(after.findings.iter().any(|f| matches!(&f.kind, FindingKind::UnknownMethod { method, .. } if method == "sendMessage")));
    assert!(reused > 0 && reused < 17, "the field and `send` (which reads it) are walked again; {reused} reused");
    // A constructor assignment gives the field its region: the methods reading it follow.
    assert!(doc.replace_nth("private S3Client sqs;", "private SqsClient sqs;", 0));
    assert!(doc.replace_nth("sqs = SqsClient.create();", "sqs = SqsClient.builder().region(Region.EU_WEST_1).build();", 0));
    let after = whole(&doc);
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert_eq!(region_of(&after, "SendMessage"), Some("eu-west-1"));
}

#[test]
fn a_factorys_change_reaches_the_callers_through_other_factories() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    let before = whole(&doc);
    assert_eq!(region_of(&before, "GetObject"), Some("us-west-2"), "viaOther() → storage()");
    assert!(doc.replace_nth("Region.US_WEST_2", "Region.EU_NORTH_1", 0));
    let after = whole(&doc);
    assert_eq!(json(&after), json(&fresh(doc.text())));
    let via = after.calls.iter().find(|c| c.text.starts_with("viaOther()")).unwrap();
    assert_eq!(via.region.as_deref(), Some("eu-north-1"));
    // The nested constants class: its constant reaches `plain`.
    assert!(doc.replace_nth("ORDERS = \"orders\"", "ORDERS = \"items\"", 0));
    let after = whole(&doc);
    assert_eq!(json(&after), json(&fresh(doc.text())));
    let describe = after.calls.iter().find(|c| c.operation == "DescribeTable").unwrap();
    assert_eq!(describe.arg("TableName").and_then(|v| v.as_exact_str()).as_deref(), Some("items"));
}

#[test]
fn a_pasted_or_deleted_method_costs_only_the_members_naming_it() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    whole(&doc);
    let at = doc.text().find("\n    void send(").unwrap();
    doc.edit(at, at, "\n    void added() {\n        storage().listBuckets();\n    }\n");
    let mut after = FileAnalysis::default();
    let reused = reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert_eq!(reused, 17, "every old member but `fetch` (which searched the class) stands; the pasted one is walked");
    assert_eq!(after.calls.iter().filter(|c| c.operation == "ListBuckets").count(), 2);
    // Deleting `storage()`: its callers (directly and through `viaOther`) are walked again.
    let start = doc.text().find("    S3Client storage() {").unwrap();
    let end = doc.text()[start..].find("    }\n").unwrap() + start + "    }\n".len();
    doc.edit(start, end, "");
    let reused = reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert!(reused < 16, "{reused}");
    assert!(!after.calls.iter().any(|c| c.text.starts_with("storage()")));
}

#[test]
fn syntax_errors_are_walked_and_the_rest_reused_when_it_stands() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    whole(&doc);
    let at = doc.text().find("sqs.sendMessage(").unwrap();
    doc.edit(at, at, "s3.getObject(r -> r.bucket(");
    let mut after = FileAnalysis::default();
    reused_by(|| after = whole(&doc));
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert!(after.findings.iter().any(|f| f.kind == FindingKind::SyntaxError));
    // Deleting it again: what the broken text touched is walked again, and the result is whole.
    doc.edit(at, at + "s3.getObject(r -> r.bucket(".len(), "");
    let after = whole(&doc);
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert!(!after.findings.iter().any(|f| f.kind == FindingKind::SyntaxError));
}

/// Found by the property tests: `sqs (= …)` half-typed still parses as an
/// assignment with an error in it; the tables must read it as the
/// whole-file walk of their entries does, or mending it reuses a stale result.
#[test]
fn an_assignment_broken_and_mended_again_gives_the_field_its_region_back() {
    let mut doc = JavaDocument::parse(LINKED.replace("sqs = SqsClient.create();", "sqs = SqsClient.builder().region(Region.EU_WEST_1).build();"));
    assert_eq!(region_of(&whole(&doc), "SendMessage"), Some("eu-west-1"));
    let at = doc.text().find("= SqsClient.builder()").unwrap();
    doc.edit(at, at, "(");
    assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())));
    doc.edit(at, at + 1, "");
    let after = whole(&doc);
    assert_eq!(json(&after), json(&fresh(doc.text())));
    assert_eq!(region_of(&after, "SendMessage"), Some("eu-west-1"));
}

#[test]
fn the_viewport_leaves_the_snapshot_for_the_whole_file_analysis() {
    let mut doc = JavaDocument::parse(LINKED.to_string());
    whole(&doc);
    let at = doc.text().find("BUCKET + \"/x\"").unwrap();
    doc.edit(at, at, "\"p/\" + ");
    let range = at.saturating_sub(400)..at + 400;
    let part = doc.analyze_range_with(&JavaIndex::new(), &opts(), catalog::embedded(), range.clone());
    let all = fresh(doc.text());
    let within = |s: &Span| s.start_byte < range.end && range.start < s.end_byte;
    assert_eq!(part.calls, all.calls.iter().filter(|c| within(&c.span)).cloned().collect::<Vec<SdkCall>>());
    assert!(part.calls.len() >= 3);
    let reused = reused_by(|| assert_eq!(json(&whole(&doc)), json(&all)));
    assert_eq!(reused, 16, "the snapshot is still there for the whole-file analysis (`plain` and `fetch` are walked)");
}

/// Members for generated files: (fields, methods) snippets, `{n}` numbered.
const MEMBERS: &[&str] = &[
    "    private final S3Client s3_{n} = S3Client.builder().region(Region.EU_WEST_1).build();\n",
    "    private SqsClient sqs_{n};\n",
    "    private static final String NAME_{n} = \"name-{n}\";\n",
    "    void put{n}(String key) {\n        s3_{n}.putObject(r -> r.bucket(NAME_{n}).key(key), RequestBody.empty());\n    }\n",
    "    void send{n}() {\n        sqs_{n}.sendMessage(r -> r.queueUrl(NAME_{n}).messageBody(\"m\"));\n    }\n",
    "    SqsClient queue{n}() {\n        return SqsClient.builder().region(Region.US_EAST_2).build();\n    }\n",
    "    void viaFactory{n}() {\n        queue{n}().listQueues();\n        queue{n}().purgeQueue(r -> r.queueUrl(NAME_{n}));\n    }\n",
    "    Worker{n}() {\n        sqs_{n} = SqsClient.create();\n    }\n",
    "    void local{n}() {\n        S3Client c = S3Client.create();\n        c.deleteBucket(r -> r.bucket(NAME_{n}));\n    }\n",
];

fn generated(members: &[(usize, usize)]) -> String {
    let mut out = String::from(
        "import software.amazon.awssdk.core.sync.RequestBody;\nimport software.amazon.awssdk.regions.Region;\nimport software.amazon.awssdk.services.s3.S3Client;\nimport software.amazon.awssdk.services.sqs.SqsClient;\n\npublic class Worker {\n",
    );
    for (member, n) in members {
        out.push('\n');
        out.push_str(&MEMBERS[member % MEMBERS.len()].replace("{n}", &(n % 3).to_string()));
    }
    out.push_str("}\n");
    out
}

/// A text edit at a char boundary at or after `offset`.
fn edit_at(doc: &mut JavaDocument, offset: usize, remove: usize, insert: &str) -> usize {
    let len = doc.text().len();
    let at = (offset % (len + 1)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
    let end = (at + remove.min(len - at)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
    doc.edit(at, end, insert);
    at
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// The reused-results path: after each of a sequence of valid edits
    /// (which change fields, factories, constants, names, annotations, the
    /// class header and the layout), the analysis of the edited document
    /// equals a fresh one.
    #[test]
    fn reused_results_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..SWAPS.len(), 0usize..8), 1..16)) {
        let mut doc = JavaDocument::parse(LINKED.to_string());
        whole(&doc);
        for (swap, nth) in steps {
            let (from, to) = SWAPS[swap];
            if !doc.replace_nth(from, to, nth) {
                continue;
            }
            prop_assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())), "after {:?} -> {:?} in\n{}", from, to, doc.text());
        }
    }

    /// Generated files, edited at random places with members' text (pasted,
    /// deleted, replaced) and half-typed code.
    #[test]
    fn generated_files_edited_at_random_analyse_like_fresh_ones(
        members in proptest::collection::vec((0usize..MEMBERS.len(), 0usize..3), 1..14),
        steps in proptest::collection::vec((0usize..4, 0usize..64, 0usize..4000, 0usize..80), 1..12),
    ) {
        let mut doc = JavaDocument::parse(generated(&members));
        whole(&doc);
        for (kind, pick, offset, len) in steps {
            match kind {
                0 => { edit_at(&mut doc, offset, 0, &MEMBERS[pick % MEMBERS.len()].replace("{n}", &(pick % 3).to_string())); }
                1 => { edit_at(&mut doc, offset, len, ""); }
                2 => { edit_at(&mut doc, offset, len % 8, TYPING[pick % TYPING.len()]); }
                _ => {
                    let (from, to) = SWAPS[pick % SWAPS.len()];
                    doc.replace_nth(from, to, offset);
                }
            }
            prop_assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())), "in\n{}", doc.text());
        }
    }

    /// Reuse with syntax errors in the tree: valid edits mixed with
    /// half-typed text at random places (sometimes deleted again right
    /// after, as typing does), compared with a fresh analysis each time.
    #[test]
    fn reused_results_survive_half_typed_code(steps in proptest::collection::vec((0usize..3, 0usize..64, 0usize..6000), 1..16)) {
        let mut doc = JavaDocument::parse(LINKED.to_string());
        whole(&doc);
        for (kind, pick, offset) in steps {
            match kind {
                0 => {
                    let (from, to) = SWAPS[pick % SWAPS.len()];
                    doc.replace_nth(from, to, 0);
                }
                1 => {
                    edit_at(&mut doc, offset, 0, TYPING[pick % TYPING.len()]);
                }
                _ => {
                    let typed = TYPING[pick % TYPING.len()];
                    let at = edit_at(&mut doc, offset, 0, typed);
                    prop_assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())), "typed {:?} at {} in\n{}", typed, at, doc.text());
                    doc.edit(at, at + typed.len(), "");
                }
            }
            prop_assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())), "in\n{}", doc.text());
        }
    }

    /// The viewport analysis: whatever state the file is in and whatever
    /// byte range is asked for, its calls are exactly the whole file's calls
    /// overlapping the range, and its findings the whole file's in the range
    /// plus every syntax error.
    #[test]
    fn range_analysis_agrees_with_the_whole_file(
        steps in proptest::collection::vec((0usize..3, 0usize..64, 0usize..6000), 0..8),
        from in 0usize..6000,
        len in 0usize..1500,
    ) {
        let mut doc = JavaDocument::parse(LINKED.to_string());
        // A remembered whole-file analysis of an earlier text, as the range analysis finds it.
        whole(&doc);
        for (kind, pick, offset) in steps {
            match kind {
                0 => { doc.replace_nth(SWAPS[pick % SWAPS.len()].0, SWAPS[pick % SWAPS.len()].1, 0); }
                1 => { edit_at(&mut doc, offset, 0, TYPING[pick % TYPING.len()]); }
                _ => { whole(&doc); }
            }
        }
        let start = from % (doc.text().len() + 1);
        let range = start..(start + len).min(doc.text().len());
        let part = doc.analyze_range_with(&JavaIndex::new(), &opts(), catalog::embedded(), range.clone());
        let all = fresh(doc.text());
        let end = range.end.max(range.start + 1);
        let overlaps = |s: &Span| s.start_byte < end && range.start < s.end_byte.max(s.start_byte + 1);
        let calls: Vec<&SdkCall> = all.calls.iter().filter(|c| overlaps(&c.span)).collect();
        prop_assert_eq!(part.calls.iter().collect::<Vec<_>>(), calls, "{:?} in\n{}", range, doc.text());
        let findings: Vec<String> = all.findings.iter().filter(|f| f.kind == FindingKind::SyntaxError || overlaps(&f.span)).map(|f| format!("{f:?}")).collect();
        prop_assert_eq!(part.findings.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(), findings);
    }

    /// Typing without settling (the language server's keystrokes): the
    /// whole-file analysis still equals a fresh parse's.
    #[test]
    fn whole_file_results_of_unsettled_edits_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..64, 0usize..6000, any::<bool>()), 1..12)) {
        let mut doc = JavaDocument::parse(LINKED.to_string());
        whole(&doc);
        for (pick, offset, analyse) in steps {
            let len = doc.text().len();
            let at = (offset % (len + 1)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
            doc.edit_unsettled(at, at, TYPING[pick % TYPING.len()]);
            if analyse {
                prop_assert_eq!(json(&whole(&doc)), json(&fresh(doc.text())), "in\n{}", doc.text());
            }
        }
    }
}
