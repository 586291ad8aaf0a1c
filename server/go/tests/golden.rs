//! Golden policies for the Go corpus (tests/fixtures/go → tests/fixtures/expected-go).
//! To accept a reviewed change: IAMLENS_UPDATE_GOLDEN=1, then review the diff.

use iamlens_engine::front_end::FrontEnd;
use iamlens_engine::golden::{repo_root, GoldenCorpus};

static FRONT_ENDS: [&dyn FrontEnd; 1] = [&iamlens_go::GoFrontEnd];

fn corpus() -> GoldenCorpus {
    let root = repo_root(env!("CARGO_MANIFEST_DIR"));
    GoldenCorpus {
        fixtures: root.join("tests/fixtures/go"),
        expected: root.join("tests/fixtures/expected-go"),
        extensions: &["go"],
        front_ends: &FRONT_ENDS,
    }
}

iamlens_engine::golden_tests!(corpus(), 20);
