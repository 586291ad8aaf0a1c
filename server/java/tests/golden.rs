//! Golden policies for the Java corpus (tests/fixtures/java → tests/fixtures/expected-java).
//! To accept a reviewed change: IAMLENS_UPDATE_GOLDEN=1, then review the diff.

use iamlens_engine::front_end::FrontEnd;
use iamlens_engine::golden::{repo_root, GoldenCorpus};

static FRONT_ENDS: [&dyn FrontEnd; 1] = [&iamlens_java::JavaFrontEnd];

fn corpus() -> GoldenCorpus {
    let root = repo_root(env!("CARGO_MANIFEST_DIR"));
    GoldenCorpus {
        fixtures: root.join("tests/fixtures/java"),
        expected: root.join("tests/fixtures/expected-java"),
        extensions: &["java"],
        front_ends: &FRONT_ENDS,
    }
}

iamlens_engine::golden_tests!(corpus(), 20);
