//! Files analysed together (a project run): the project index built to a
//! fixed point, each file analysed against it, on every core, with only a
//! few syntax trees alive at a time.
//!
//! What a file exports and what its analysis finds depend on the other
//! files only through the index's export values (which modules exist is
//! known from the start): a file whose evaluation never reads an export of
//! another module gets the same result against any index with the same
//! modules. So one pass parses each file, evaluates its exports and
//! analyses it against the index of empty modules, and drops the tree;
//! only the files that did read other modules' exports are evaluated again,
//! in the index rounds and the final analysis, from a re-parse (or from a
//! tree kept in small projects). Results are the same as evaluating every
//! file in every round.

use crate::analysis::{analyze_tree_reading, exports_and_analysis, exports_reading, INDEX_ROUNDS};
use crate::document::{parse_text, Dialect};
use crate::index::{ModuleExports, ProjectIndex};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::parallel::parallel_map;
use std::borrow::Cow;
use std::path::Path;
use tree_sitter::Tree;

/// Projects up to this many files keep the trees of the files evaluated
/// again; larger ones parse those files again instead, so memory stays flat
/// (a TypeScript tree costs ~35x its source text: 1,000 kept trees took ~130 MB).
pub const KEEP_TREES_UP_TO: usize = 200;

/// One file of the set after the first pass.
struct First<'f> {
    exports: ModuleExports,
    /// Its exports read other modules' exports: evaluated again each round.
    exports_depend: bool,
    /// The analysis, when it read no other module's exports (final).
    analysis: Option<FileAnalysis>,
    /// Text (and, in small projects, tree) of a file evaluated again.
    again: Option<Again<'f>>,
}

struct Again<'f> {
    text: Cow<'f, str>,
    tree: Option<Tree>,
}

impl Again<'_> {
    /// Its tree, kept or parsed anew; `f` is not called when it has none.
    fn with_tree<R: Default>(&self, module_path: &Path, f: impl FnOnce(&Tree, &str) -> R) -> R {
        let fresh;
        let tree = match &self.tree {
            Some(tree) => tree,
            None => match parse_text(Dialect::from_path(module_path), &self.text, None) {
                Some(tree) => {
                    fresh = tree;
                    &fresh
                }
                None => return R::default(),
            },
        };
        f(tree, &self.text)
    }
}

/// Analyse `module_paths` together, `text_of(i)` giving file `i`'s text
/// (read once, on the worker that parses it); one result per file, in order.
/// A read error is the first one in file order.
pub fn analyze_set<'f, E: Send>(
    module_paths: &[&Path],
    text_of: impl Fn(usize) -> Result<Cow<'f, str>, E> + Sync,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
) -> Result<Vec<FileAnalysis>, E> {
    analyze_set_keeping(module_paths, text_of, opts, catalog, module_paths.len() <= KEEP_TREES_UP_TO)
}

/// [`analyze_set`], keeping the trees of the files evaluated again or
/// parsing them again, as told.
fn analyze_set_keeping<'f, E: Send>(
    module_paths: &[&Path],
    text_of: impl Fn(usize) -> Result<Cow<'f, str>, E> + Sync,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    keep_trees: bool,
) -> Result<Vec<FileAnalysis>, E> {
    // A single file has no project around it (an empty index); a set
    // starts from every module of it, each exporting nothing yet.
    let together = module_paths.len() >= 2;
    let mut index = ProjectIndex::new();
    if together {
        for path in module_paths {
            index.insert(path, ModuleExports::default());
        }
    }
    let ids: Vec<usize> = (0..module_paths.len()).collect();

    // Pass 1, which is also round 1 of the index: parse, exports and
    // analysis against the empty modules; the tree is dropped unless kept.
    let first: Vec<First> = parallel_map(&ids, |&i| -> Result<First, E> {
        let path = module_paths[i];
        let text = text_of(i)?;
        let Some(tree) = parse_text(Dialect::from_path(path), &text, None) else {
            return Ok(First { exports: ModuleExports::default(), exports_depend: false, analysis: Some(FileAnalysis::default()), again: None });
        };
        let (exports, (analysis, analysis_depends)) = exports_and_analysis(&tree, &text, path, &index, opts, catalog, together);
        let (exports, exports_depend) = exports.unwrap_or_default();
        let again = (exports_depend || analysis_depends).then(|| Again { text, tree: keep_trees.then_some(tree) });
        Ok(First { exports, exports_depend, analysis: (!analysis_depends).then_some(analysis), again })
    })
    .into_iter()
    .collect::<Result<_, _>>()?;

    // The index rounds, as if every file were evaluated in each: only the
    // exports that read other modules can change from one round to the next.
    let mut exports: Vec<ModuleExports> = Vec::with_capacity(first.len());
    let mut analyses: Vec<Option<FileAnalysis>> = Vec::with_capacity(first.len());
    let mut agains: Vec<Option<Again>> = Vec::with_capacity(first.len());
    let mut depend: Vec<usize> = Vec::new();
    for (i, f) in first.into_iter().enumerate() {
        if f.exports_depend {
            depend.push(i);
        }
        exports.push(f.exports);
        analyses.push(f.analysis);
        agains.push(f.again);
    }
    for round in 0..if together { INDEX_ROUNDS } else { 0 } {
        let mut next = ProjectIndex::new();
        for (path, e) in module_paths.iter().zip(&exports) {
            next.insert(path, e.clone());
        }
        if next == index {
            break;
        }
        index = next;
        if round + 1 == INDEX_ROUNDS || depend.is_empty() {
            continue;
        }
        let again = parallel_map(&depend, |&i| match &agains[i] {
            Some(again) => again.with_tree(module_paths[i], |tree, text| exports_reading(tree, text, module_paths[i], &index).0),
            None => ModuleExports::default(),
        });
        for (&i, e) in depend.iter().zip(again) {
            exports[i] = e;
        }
    }
    drop(exports);

    // Pass 2: the files whose analysis read other modules, against the whole index.
    let late: Vec<usize> = (0..analyses.len()).filter(|&i| analyses[i].is_none()).collect();
    let done = parallel_map(&late, |&i| match &agains[i] {
        Some(again) => again.with_tree(module_paths[i], |tree, text| analyze_tree_reading(tree, text, module_paths[i], &index, opts, catalog).0),
        None => FileAnalysis::default(),
    });
    drop(agains);
    for (i, analysis) in late.into_iter().zip(done) {
        analyses[i] = Some(analysis);
    }
    Ok(analyses.into_iter().map(Option::unwrap_or_default).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_every_round;
    use iamlens_engine::catalog;
    use std::convert::Infallible;
    use std::path::PathBuf;

    /// Both ways over the same files, with and without kept trees: the same JSON.
    fn assert_same_as_every_round(files: &[(PathBuf, String)]) {
        let opts = AnalysisOptions::default();
        let expected = serde_json::to_string_pretty(&analyze_every_round(files, &opts, catalog::embedded())).unwrap();
        let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
        for keep in [true, false] {
            let Ok(got) = analyze_set_keeping(&paths, |i| Ok::<_, Infallible>(Cow::Borrowed(files[i].1.as_str())), &opts, catalog::embedded(), keep);
            let got = serde_json::to_string_pretty(&got).unwrap();
            assert!(got == expected, "keep trees: {keep}; files: {:?}", files.iter().map(|(p, _)| p).collect::<Vec<_>>());
        }
    }

    fn files_under(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files_under(&path, root, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
            }
        }
    }

    #[test]
    fn the_fixture_corpus_as_one_project_and_each_project_alone() {
        let root = iamlens_engine::golden::repo_root(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/javascript");
        let mut files = Vec::new();
        files_under(&root, &root, &mut files);
        assert!(files.len() > 30);
        assert_same_as_every_round(&files);
        for project in ["project_commonjs", "project_shared_clients"] {
            let alone: Vec<(PathBuf, String)> = files.iter().filter(|(p, _)| p.starts_with(project)).cloned().collect();
            assert!(alone.len() >= 2);
            assert_same_as_every_round(&alone);
        }
        assert_same_as_every_round(&files[..1]);
        assert_same_as_every_round(&[]);
    }

    /// Chains longer than the index rounds, cycles, `export *`, namespaces,
    /// CommonJS, a module exporting what another made, a file with no AWS in it.
    #[test]
    fn chains_cycles_and_mixed_module_systems() {
        let mut files: Vec<(PathBuf, String)> = vec![(
            "src/c0.ts".into(),
            "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const make = () => new SQSClient({ region: 'eu-west-1' });\n".into(),
        )];
        for i in 1..8 {
            files.push((format!("src/c{i}.ts").into(), format!("export * from './c{}';\n", i - 1)));
        }
        files.extend([
            (
                "src/use_chain.ts".into(),
                "import { make } from './c7';\nimport { make as near } from './c2.js';\nimport { SendMessageCommand } from '@aws-sdk/client-sqs';\n\
                 export const a = () => make().send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'b' }));\n\
                 export const b = () => near().send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'b' }));\n"
                    .into(),
            ),
            ("src/cycle_a.ts".into(), "export * from './cycle_b';\nexport { s3 } from './aws';\n".into()),
            ("src/cycle_b.ts".into(), "export * from './cycle_a';\n".into()),
            ("src/aws.ts".into(), "import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client({});\nexport default s3;\n".into()),
            (
                "src/ns.ts".into(),
                "import * as all from './cycle_b';\nimport dflt from './aws';\nimport { GetObjectCommand } from '@aws-sdk/client-s3';\n\
                 export const g = () => all.s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\nexport const h = () => dflt.send(new GetObjectCommand({ Bucket: 'x', Key: 'k' }));\n"
                    .into(),
            ),
            ("lib/factory.js".into(), "const AWS = require('aws-sdk');\nmodule.exports.makeSes = () => new AWS.SESV2({ region: 'eu-west-1' });\n".into()),
            ("lib/index.js".into(), "module.exports = require('./factory');\n".into()),
            ("lib/mail.cjs".into(), "const { makeSes } = require('./index');\nconst ses = makeSes();\nexports.send = () => ses.sendEmail({ FromEmailAddress: 'a@b.c' });\n".into()),
            ("lib/none.js".into(), "export const add = (a, b) => a + b;\n".into()),
            ("lib/broken.ts".into(), "import { s3 } from '../src/aws';\nexport const f = ( => s3.send(\n".into()),
        ]);
        assert_same_as_every_round(&files);
        let analyses = analyze_every_round(&files, &AnalysisOptions::default(), catalog::embedded());
        let found = |name: &str| analyses[files.iter().position(|(p, _)| p == Path::new(name)).unwrap()].calls.len();
        assert_eq!((found("src/use_chain.ts"), found("src/ns.ts"), found("lib/mail.cjs")), (2, 2, 1), "the cases resolve at all");
    }
}
