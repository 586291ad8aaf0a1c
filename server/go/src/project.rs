//! Whole-project runs: parse every file, index their package-level facts,
//! then analyse each file against the index, all on every core.

use crate::analysis::analyze_tree;
use crate::facts::{self, FileFacts};
use crate::index::{module_of_go_mod, GoIndex};
use crate::syntax;
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::{AnalysisOptions, ProjectFile, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::parallel::parallel_map;
use iamlens_engine::EngineError;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The directory of a file as the index knows it (`/`-separated, `""` at the root).
pub fn dir_of(path: &Path) -> String {
    let parent = path.parent().unwrap_or(Path::new(""));
    parent.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// Projects up to this many files keep their syntax trees between indexing
/// and analysis; larger ones parse each file twice rather than hold every tree.
pub const KEEP_TREES_UP_TO: usize = 200;

/// Analyse files together; `module` is the `go.mod` module path when known.
pub fn analyze_sources(files: &[SourceFile], module: Option<String>, opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    analyze_sources_keeping(files, module, opts, catalog, files.len() <= KEEP_TREES_UP_TO)
}

/// [`analyze_sources`], keeping the trees or parsing twice as told.
pub(crate) fn analyze_sources_keeping(
    files: &[SourceFile],
    module: Option<String>,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    keep: bool,
) -> Vec<FileAnalysis> {
    let parsed: Vec<(Option<tree_sitter::Tree>, Arc<FileFacts>)> = parallel_map(files, |f| {
        let tree = syntax::parse(&f.text, None);
        let facts = tree.as_ref().map(|t| facts::extract(t.root_node(), &f.text, &dir_of(&f.path))).unwrap_or_default();
        (tree.filter(|_| keep), Arc::new(facts))
    });
    let index = GoIndex::from_facts(files.iter().zip(&parsed).map(|(f, (_, facts))| (f.path.clone(), facts.clone())).collect(), module);
    let jobs: Vec<usize> = (0..files.len()).collect();
    parallel_map(&jobs, |&i| {
        let (kept, facts) = &parsed[i];
        let fresh = if kept.is_none() { syntax::parse(&files[i].text, None) } else { None };
        match kept.as_ref().or(fresh.as_ref()) {
            Some(tree) => analyze_tree(tree.root_node(), &files[i].text, facts, &index, opts, catalog),
            None => FileAnalysis::default(),
        }
    })
}

/// Read files from disk (in parallel) and analyse them together; the module
/// path comes from the `go.mod` at the root the files' module paths are relative to.
pub fn analyze_on_disk(files: &[ProjectFile], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Result<Vec<FileAnalysis>, EngineError> {
    let texts: Vec<Result<String, EngineError>> = parallel_map(files, |f| iamlens_engine::read_source(&f.path));
    let mut sources = Vec::with_capacity(files.len());
    for (f, text) in files.iter().zip(texts) {
        sources.push(SourceFile { path: f.module_path.clone(), text: text? });
    }
    let module =
        files.iter().find_map(project_root).and_then(|root| std::fs::read_to_string(root.join("go.mod")).ok()).and_then(|t| module_of_go_mod(&t));
    Ok(analyze_sources(&sources, module, opts, catalog))
}

/// The directory a file's module path is relative to (when it is relative).
fn project_root(f: &ProjectFile) -> Option<PathBuf> {
    if f.module_path.is_absolute() || f.module_path == f.path || !f.path.ends_with(&f.module_path) {
        return None;
    }
    f.path.ancestors().nth(f.module_path.components().count()).map(Path::to_path_buf)
}
