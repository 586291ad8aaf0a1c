//! Carry-over of reports across edits (`iamlens_engine::carry_over`) with
//! Python's inert regions: when an edit is judged inert, the shifted old
//! report equals a fresh one.

use iamlens_engine::carry_over::{edit_is_inert, shift, Before};
use iamlens_engine::front_end::{ByteEdit, SourceDocument};
use iamlens_engine::{report_for_document, EngineOptions, FileReport};
use iamlens_python::{ProjectIndex, PythonDocument};
use std::path::Path;

const SRC: &str = "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef run(day):\n    \"\"\"Fetch the day's file — données.\"\"\"\n    # read it\n    return s3.get_object(Bucket='logs', Key='in/today.json')\n";

fn report(doc: &PythonDocument) -> FileReport {
    report_for_document(Path::new("/w/a.py"), doc, &ProjectIndex::new(), &EngineOptions::default())
}

/// Apply an edit; when judged inert, the shifted old report must equal a fresh one.
fn check(insert_at: &str, offset_in: usize, remove: usize, text: &str) -> bool {
    check_in(SRC, insert_at, offset_in, remove, text)
}

fn check_in(src: &str, insert_at: &str, offset_in: usize, remove: usize, text: &str) -> bool {
    let mut doc = PythonDocument::parse(src.to_string());
    let before = report(&doc);
    let start = src.find(insert_at).unwrap() + offset_in;
    let edit = ByteEdit { start, old_end: start + remove, new_len: text.len() };
    let captured = Before::capture(doc.tree().unwrap(), src, edit);
    SourceDocument::edit(&mut doc, edit.start, edit.old_end, text);
    let inert = edit_is_inert(&captured, &doc, edit);
    if inert {
        let fresh = report(&doc);
        let mut carried = before.clone();
        shift(&mut carried, &doc, edit);
        assert_eq!(format!("{:?}", carried.analysis), format!("{:?}", fresh.analysis));
        assert_eq!(carried.requirements, fresh.requirements);
    }
    inert
}

#[test]
fn typing_in_a_docstring_or_comment_is_inert_and_the_shifted_report_matches() {
    assert!(check("données", 0, 0, "z"));
    assert!(check("données", 0, 0, "new\nlines\n"));
    assert!(check("read it", 5, 2, ""));
    assert!(check("read it", 0, 0, "é😀"));
    assert!(check("read it", 7, 0, "!"), "typing at the end of a comment");
}

#[test]
fn edits_touching_code_or_quotes_are_not_inert() {
    assert!(!check("get_object", 0, 3, "put"));
    assert!(!check("'logs'", 1, 0, "x")); // an argument string
    assert!(!check("\"\"\"Fetch", 0, 1, "")); // a quote of the docstring
    assert!(!check("# read it", 0, 1, "")); // removing the comment marker
    assert!(!check("données", 0, 0, "\"\"\"")); // closing the docstring early
    assert!(!check("read it", 7, 0, "\n    s3.delete_object(Bucket='x', Key='y')"));
    // code after a comment
}

#[test]
fn a_comment_edited_inside_a_multi_line_call_is_carried_with_the_call_text_re_sliced() {
    let src = "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef run():\n    return s3.get_object(\n        Bucket='logs',  # the bucket\n        Key='k',\n    )\n";
    // `check_in` compares the carried report, call text included, with a fresh one.
    assert!(check_in(src, "the bucket", 4, 6, "logs bucket, rotated daily"));
    assert!(check_in(src, "# the", 1, 0, "!"));
}
