//! Golden policies for the JavaScript/TypeScript corpus (tests/fixtures/javascript →
//! tests/fixtures/expected-javascript). To accept a reviewed change:
//! IAMLENS_UPDATE_GOLDEN=1, then review the diff.

use iamlens_engine::front_end::FrontEnd;
use iamlens_engine::golden::{repo_root, GoldenCorpus};

static FRONT_ENDS: [&dyn FrontEnd; 1] = [&iamlens_javascript::FRONT_END];

fn corpus() -> GoldenCorpus {
    let root = repo_root(env!("CARGO_MANIFEST_DIR"));
    GoldenCorpus {
        fixtures: root.join("tests/fixtures/javascript"),
        expected: root.join("tests/fixtures/expected-javascript"),
        extensions: &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"],
        front_ends: &FRONT_ENDS,
    }
}

iamlens_engine::golden_tests!(corpus(), 20);
