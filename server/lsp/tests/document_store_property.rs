//! Property: the language server's caching layers together (comment
//! carry-over, unsettled edits, per-definition reuse, range analysis,
//! requirement reuse, batched changes) never change an answer. The real
//! document store and server state are driven with random edit batches,
//! settings changes, saves and requests (viewport hints, whole-file hints,
//! hover, code lens, diagnostics); every answer is compared with that of a
//! fresh server given the same text, settings and saved file.
//!
//! Hints (viewport or whole file) computed from a tree typing left unsettled
//! are provisional by design: the document then notes that the client must
//! fetch them again once settled. Such an answer must carry that note
//! instead of being equal.

use iamlens_lsp::documents::Document;
use iamlens_lsp::features::{code_lens, diagnostics, hover, inlay_hints, range_of};
use iamlens_lsp::positions::{Encoding, LineIndex};
use iamlens_lsp::settings::Settings;
use iamlens_lsp::state::{uri_to_path, State};
use iamlens_lsp::types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use proptest::prelude::*;
use std::sync::atomic::Ordering;

const BASE: &str = "import boto3\nimport os\n\ns3 = boto3.client('s3')\nBUCKET = os.environ['B']\n\n\ndef fetch(day):\n    \"\"\"Fetch the day's file — données.\"\"\"\n    # read it\n    return s3.get_object(\n        Bucket=BUCKET,  # the bucket\n        Key=f'in/{day}.json',\n    )\n\n\nclass Worker:\n    def __init__(self):\n        self.q = boto3.client('sqs')\n\n    def run(self, body):\n        self.q.send_message(QueueUrl='u', MessageBody=body)\n\n\ndef store(key):\n    s3.put_object(Bucket='out', Key=key, Body=b'')\n    return fetch(key)\n";

const SNIPPETS: &[&str] = &[
    "x",
    "(",
    ")",
    "\n",
    "\n    ",
    "'",
    "# note",
    "é😀",
    "\"\"\"",
    "s3.get_object(Bucket='b', Key='k')\n",
    "\ndef added():\n    s3.list_buckets()\n",
    "self.q.",
    "sqs",
    "",
];

const SETTINGS: &[&str] =
    &[r#"{"iamlens": {}}"#, r#"{"iamlens": {"region": "eu-west-1", "account": "123456789012"}}"#, r#"{"iamlens": {"serviceHints": ["s3"]}}"#];

#[derive(Debug, Clone)]
enum Step {
    /// One didChange: (offset seed, bytes removed, snippet) per change.
    Edit(Vec<(usize, usize, usize)>),
    /// Typing inside a comment (the carried-over report's path): after the
    /// `# ` of the comment the seed picks.
    CommentEdit(usize, usize),
    Settings(usize),
    Save,
    Viewport(usize),
    WholeFile,
    Hover(usize),
    CodeLens,
    Diagnostics,
    /// The whole-file report the features are drawn from (calls and their text, requirements, findings).
    Report,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => proptest::collection::vec((any::<usize>(), 0usize..8, 0..SNIPPETS.len()), 1..4).prop_map(Step::Edit),
        2 => (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(at, snippet)| Step::CommentEdit(at, snippet)),
        1 => (0..SETTINGS.len()).prop_map(Step::Settings),
        1 => Just(Step::Save),
        3 => any::<usize>().prop_map(Step::Viewport),
        1 => Just(Step::WholeFile),
        2 => any::<usize>().prop_map(Step::Hover),
        1 => Just(Step::CodeLens),
        2 => Just(Step::Diagnostics),
        1 => Just(Step::Report),
    ]
}

const ENC: Encoding = Encoding::Utf16;

fn uri() -> Uri {
    "file:///w/app/jobs.py".parse().unwrap()
}

fn settings(n: usize) -> Settings {
    Settings::merged(&Settings::default(), &serde_json::from_str(SETTINGS[n]).unwrap()).0
}

/// A server as `did_open` leaves it, with the given settings and saved file.
fn server(text: &str, version: i32, settings_n: usize, saved: Option<&str>) -> State {
    let state = State::default();
    state.set_settings(settings(settings_n));
    let path = uri_to_path(&uri());
    if let Some(saved) = saved {
        state.workspace.update_text(&path, saved.to_string(), &state.engine_options());
    }
    let module_path = state.workspace.module_path(&path);
    state.documents.open(uri(), Document::open(text.to_string(), version, "python".into(), Some(&module_path)));
    state
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The answer to a request step, as JSON; `None` for an answer that is
/// provisional by design (viewport hints of an unsettled tree, marked for a
/// refresh).
fn answer(state: &State, text: &str, step: &Step) -> Option<String> {
    let uri = uri();
    let lines = LineIndex::new(text);
    let last = lines.line_count() as u32;
    let json = |v: serde_json::Value| Some(v.to_string());
    match step {
        Step::Viewport(seed) => {
            let line = (*seed % last as usize) as u32;
            let range = Range { start: Position { line: line.saturating_sub(6), character: 0 }, end: Position { line: line + 6, character: 0 } };
            let view = state.range_view(&uri, range).ok()?;
            let hints = inlay_hints::inlay_hints(&view, range, ENC, inlay_hints::Tooltips::Inline);
            let provisional = state.documents.with(&uri, |d| d.hints_before_settled.load(Ordering::SeqCst)).unwrap_or(false);
            if provisional {
                return None;
            }
            json(serde_json::to_value(hints).unwrap())
        }
        Step::WholeFile => {
            let range = Range { start: Position { line: 0, character: 0 }, end: Position { line: last + 1, character: 0 } };
            let view = state.range_view(&uri, range).ok()?;
            let hints = inlay_hints::inlay_hints(&view, range, ENC, inlay_hints::Tooltips::Inline);
            if state.documents.with(&uri, |d| d.hints_before_settled.load(Ordering::SeqCst)).unwrap_or(false) {
                return None;
            }
            json(serde_json::to_value(hints).unwrap())
        }
        Step::Hover(seed) => {
            let view = state.document_view(&uri).ok()?;
            let offset = floor_char(&view.text, seed % (view.text.len() + 1));
            let calls = hover::calls_at(&view.report, offset);
            let shown = calls.first().map(|(_, first)| (hover::hover_markdown(&view.report, &calls), range_of(&view, &first.name_span, ENC)));
            json(serde_json::to_value(shown).unwrap())
        }
        Step::CodeLens => {
            let view = state.document_view(&uri).ok()?;
            json(serde_json::to_value(code_lens::code_lenses(&view, &uri, ENC, &[])).unwrap())
        }
        Step::Diagnostics => {
            let view = state.document_view(&uri).ok()?;
            json(serde_json::to_value(diagnostics::diagnostics(&view, ENC)).unwrap())
        }
        Step::Report => {
            let view = state.document_view(&uri).ok()?;
            Some(format!("{:?}", view.report))
        }
        Step::Edit(_) | Step::CommentEdit(..) | Step::Settings(_) | Step::Save => None,
    }
}

/// Apply one didChange to the server (and to `text`, the client's copy).
fn edit(state: &State, text: &mut String, version: i32, changes: &[(usize, usize, usize)]) {
    let mut events = Vec::new();
    for &(seed, remove, snippet) in changes {
        let start = floor_char(text, seed % (text.len() + 1));
        let end = floor_char(text, start + remove);
        let end = if end < start { start } else { end };
        let lines = LineIndex::new(text);
        let range = Range { start: lines.position(text, start, ENC), end: lines.position(text, end, ENC) };
        text.replace_range(start..end, SNIPPETS[snippet]);
        events.push(TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: SNIPPETS[snippet].to_string() });
    }
    let stale = state.documents.with_mut(&uri(), |d| d.apply_changes(version, events, ENC));
    assert!(stale.is_some(), "the document is open");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn every_answer_equals_a_fresh_servers(steps in proptest::collection::vec(step(), 1..24)) {
        let mut text = BASE.to_string();
        let mut version = 1;
        let mut settings_n = 0;
        let mut saved: Option<String> = None;
        let state = server(&text, version, settings_n, None);
        for step in &steps {
            match step {
                Step::Edit(changes) => {
                    version += 1;
                    edit(&state, &mut text, version, changes);
                }
                Step::CommentEdit(seed, snippet) => {
                    let comments: Vec<usize> = text.match_indices("# ").map(|(at, _)| at + 2).collect();
                    if comments.is_empty() {
                        continue;
                    }
                    version += 1;
                    edit(&state, &mut text, version, &[(comments[seed % comments.len()], 0, *snippet)]);
                }
                Step::Settings(n) => {
                    // As did_change_configuration: reports forgotten, the index re-analysed.
                    let (old, new) = (state.settings(), settings(*n));
                    state.set_settings(new.clone());
                    if old != new {
                        state.invalidate_reports();
                        state.workspace.reanalyze(&state.engine_options());
                    }
                    settings_n = *n;
                }
                Step::Save => {
                    // As did_save: the index takes the buffer's text.
                    state.workspace.update_text(&uri_to_path(&uri()), text.clone(), &state.engine_options());
                    saved = Some(text.clone());
                }
                request => {
                    let Some(got) = answer(&state, &text, request) else { continue };
                    let fresh = server(&text, version, settings_n, saved.as_deref());
                    let want = answer(&fresh, &text, request);
                    prop_assert_eq!(Some(got), want, "{:?} after {:?} on\n{}", request, steps, text);
                }
            }
        }
    }
}
