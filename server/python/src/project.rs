//! Whole projects: every file parsed and its exports indexed, then each file
//! analysed against the complete index, on every core.

use crate::analysis::analyze_document;
use crate::document::PythonDocument;
use crate::index::{module_name, ModuleExports, ProjectIndex};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::{AnalysisOptions, ProjectFile, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::parallel::{cores, parallel_map, parallel_map_on};
use iamlens_engine::{read_source, EngineError};
use std::sync::Mutex;

/// Projects up to this many files keep their syntax trees between indexing
/// and analysis; larger ones re-parse instead, so memory stays flat (a tree
/// costs ~30x its source text: 1,000 kept trees took 180 MB, re-parsing 48 MB).
pub const KEEP_TREES_UP_TO: usize = 200;

/// Read, parse and index every file, then analyse each against the whole
/// project. Analyses come back in file order.
pub(crate) fn analyze_files_on_disk(files: &[ProjectFile], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Result<Vec<FileAnalysis>, EngineError> {
    let keep_trees = files.len() <= KEEP_TREES_UP_TO;
    let index = Mutex::new(ProjectIndex::new());

    // Pass 1: read, parse and index every file. Two files with the same module
    // name (`app/aws.py` under two directory arguments) are indexed in
    // argument order, on one thread, so the later one wins every run.
    let mut names: Vec<String> = files.iter().map(|f| module_name(&f.module_path)).collect();
    names.sort_unstable();
    let clashing = names.windows(2).any(|w| w[0] == w[1]);
    let parsed = parallel_map_on(if clashing { 1 } else { cores() }, files, |file| {
        let doc = PythonDocument::parse_module(read_source(&file.path)?, &file.module_path);
        // Exports are worked out on this thread; the lock only covers the insert.
        let exports = ModuleExports::of_with(&doc, catalog);
        lock(&index).insert_module(&file.module_path, exports);
        Ok(if keep_trees { Parsed::Tree(doc) } else { Parsed::Text(doc.text().to_owned(), file.module_path.clone()) })
    })
    .into_iter()
    .collect::<Result<Vec<_>, EngineError>>()?;
    let index = index.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());

    // Pass 2: analyse each file against the whole project.
    Ok(parallel_map(&parsed, |parsed| match parsed {
        Parsed::Tree(doc) => analyze_document(doc, &index, opts, catalog, false),
        Parsed::Text(text, module_path) => analyze_document(&PythonDocument::parse_module(text.clone(), module_path), &index, opts, catalog, false),
    }))
}

enum Parsed {
    Tree(PythonDocument),
    Text(String, std::path::PathBuf),
}

/// The index lock is only held for an update; a panic elsewhere cannot leave it half-written.
fn lock(index: &Mutex<ProjectIndex>) -> std::sync::MutexGuard<'_, ProjectIndex> {
    index.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Parse, index and analyse a set of in-memory files, on all cores.
pub fn analyze_project(files: &[SourceFile], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    let docs: Vec<PythonDocument> = parallel_map(files, |f| PythonDocument::parse_module(f.text.clone(), &f.path));
    // Each module's exports are independent of the others: compute them on all cores too.
    let exports = parallel_map(&docs, |doc| {
        let text = doc.text();
        (text.contains("boto") || text.contains("aws") || text.contains("import")).then(|| ModuleExports::of_with(doc, catalog))
    });
    let mut index = ProjectIndex::new();
    for (file, exports) in files.iter().zip(exports) {
        if let Some(exports) = exports {
            index.insert_module(&file.path, exports);
        }
    }
    parallel_map(&docs, |doc| analyze_document(doc, &index, opts, catalog, false))
}
