//! Golden policies for the Python corpus (tests/fixtures/python → tests/fixtures/expected),
//! through every front-end of this build. To accept a reviewed change:
//! IAMLENS_UPDATE_GOLDEN=1, then review `git diff tests/fixtures/expected`.

use iamlens_engine::golden::{repo_root, GoldenCorpus};

fn corpus() -> GoldenCorpus {
    let root = repo_root(env!("CARGO_MANIFEST_DIR"));
    GoldenCorpus {
        fixtures: root.join("tests/fixtures/python"),
        expected: root.join("tests/fixtures/expected"),
        extensions: &["py"],
        front_ends: iamlens_languages::front_ends(),
    }
}

iamlens_engine::golden_tests!(corpus(), 40);
