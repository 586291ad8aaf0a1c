//! The Java front-end behind the engine's traits: [`JavaFrontEnd`] for
//! projects (files analysed together, on every core), [`JavaDocument`] as a
//! `SourceDocument`, [`JavaIndex`] as a `LanguageIndex`.

use crate::analysis::{analyze_file, analyze_tree, services_named};
use crate::analyzer::Analyzer;
use crate::document::JavaDocument;
use crate::facts::{facts_of, file_facts};
use crate::incremental::{self, SnapshotKey};
use crate::index::{FileFacts, JavaIndex};
use crate::lookups::{IndexView, Lookups};
use iamlens_engine::catalog::{self, Catalog};
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, ProjectFile, SourceDocument, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::parallel::parallel_map;
use iamlens_engine::{read_source, EngineError};
use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The Java front-end: AWS SDK for Java v2 and v1.
pub struct JavaFrontEnd;

/// True for files under a Maven/Gradle test source set: `src/test/`, or a
/// Gradle `src/<name>Test/` set (`src/integrationTest/`).
pub fn is_test_file(path: &Path) -> bool {
    let parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
    parts.windows(2).any(|w| w[0] == "src" && (w[1] == "test" || (w[1].len() > 4 && w[1].ends_with("Test"))))
}

/// Analyse files as one project: each file's exports, and its analysis
/// against an index of its own exports alone (in parallel); then the index
/// of all of them. An analysis the whole index would answer differently is
/// redone against it (in parallel); the others stand, each file parsed once.
pub fn analyze_project_files(files: &[(PathBuf, String)], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    let empty = JavaIndex::new();
    let first = parallel_map(files, |(path, text)| {
        let doc = JavaDocument::parse(text.clone());
        let Some(tree) = doc.tree() else { return (path.clone(), FileFacts::default(), FileAnalysis::default(), Lookups::default()) };
        let an = Analyzer::new(text, tree.root_node(), &empty, catalog, opts);
        let facts = facts_of(&an);
        let mut own = JavaIndex::new();
        own.insert(path, facts.clone());
        let an = an.with_index(IndexView::recording(&own));
        let analysis = analyze_file(&an);
        (path.clone(), facts, analysis, an.index.into_lookups())
    });
    let mut index = JavaIndex::new();
    let mut analyses = Vec::with_capacity(first.len());
    let mut redo = Vec::new();
    for (i, (path, facts, analysis, lookups)) in first.into_iter().enumerate() {
        index.insert(&path, facts);
        analyses.push(analysis);
        redo.push((i, lookups));
    }
    redo.retain(|(_, lookups)| !lookups.still_hold(&index));
    let again = parallel_map(&redo, |(i, _)| {
        let doc = JavaDocument::parse(files[*i].1.clone());
        analyze_tree(doc.text(), doc.tree(), &index, opts, catalog)
    });
    for ((i, _), analysis) in redo.iter().zip(again) {
        analyses[*i] = analysis;
    }
    analyses
}

impl FrontEnd for JavaFrontEnd {
    fn language(&self) -> &'static str {
        "java"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["java"]
    }

    fn language_ids(&self) -> &'static [&'static str] {
        &["java"]
    }

    /// Both SDKs live under `software.amazon.awssdk` or `com.amazonaws`: a
    /// file naming neither cannot import one.
    fn may_use_aws(&self, bytes: &[u8]) -> bool {
        bytes.windows(6).any(|w| w == b"amazon" || w == b"awssdk")
    }

    fn is_test_file(&self, path: &Path) -> bool {
        is_test_file(path)
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        let files: Vec<(PathBuf, String)> = files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
        analyze_project_files(&files, opts, catalog::embedded())
    }

    fn analyze_project(&self, files: &[ProjectFile], opts: &AnalysisOptions) -> Result<Vec<FileAnalysis>, EngineError> {
        let read: Vec<Result<(PathBuf, String), EngineError>> = parallel_map(files, |f| Ok((f.module_path.clone(), read_source(&f.path)?)));
        let files: Vec<(PathBuf, String)> = read.into_iter().collect::<Result<_, _>>()?;
        Ok(analyze_project_files(&files, opts, catalog::embedded()))
    }

    fn lambda_runtimes(&self) -> &'static [&'static str] {
        &["java"]
    }

    fn parse(&self, text: String) -> Box<dyn SourceDocument> {
        Box::new(JavaDocument::parse(text))
    }

    fn new_index(&self) -> Box<dyn LanguageIndex> {
        Box::new(JavaIndex::new())
    }

    fn services_named<'t>(&self, text: &'t str) -> Vec<&'t str> {
        services_named(text)
    }
}

/// The Java index behind a `LanguageIndex` (an empty one for any other).
fn java_index(index: &dyn LanguageIndex) -> &JavaIndex {
    static EMPTY: std::sync::OnceLock<JavaIndex> = std::sync::OnceLock::new();
    index.as_any().downcast_ref::<JavaIndex>().unwrap_or_else(|| EMPTY.get_or_init(JavaIndex::new))
}

impl JavaDocument {
    /// The whole-file analysis, on a settled tree (results never depend on
    /// edit history). The document remembers it: after an edit, members whose
    /// text and inputs did not change keep their results (see `incremental`).
    pub fn analyze_with(&self, index: &JavaIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
        if !self.is_settled() {
            let mut copy = self.clone();
            copy.settle();
            return copy.analyze_with(index, opts, catalog);
        }
        let Some(tree) = self.tree() else { return FileAnalysis::default() };
        let an = Analyzer::new(self.text(), tree.root_node(), index, catalog, opts).with_index(IndexView::recording(index));
        // Shared, not taken: an analysis of another version running meanwhile
        // (diagnostics and a hint request) reuses it too.
        let remembered = self.last_analysis().clone();
        let analysed = incremental::analyze(an, snapshot_key(opts, catalog), remembered.as_deref(), true, None);
        if let Some(snapshot) = analysed.snapshot {
            *self.last_analysis() = Some(Arc::new(snapshot));
        }
        analysed.analysis
    }

    /// The whole-file analysis of a document analysed once: nothing is remembered.
    pub fn analyze_once_with(&self, index: &JavaIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
        if self.is_settled() {
            return analyze_tree(self.text(), self.tree(), index, opts, catalog);
        }
        let mut copy = self.clone();
        copy.settle();
        analyze_tree(copy.text(), copy.tree(), index, opts, catalog)
    }

    /// The calls overlapping `range`, exactly as the whole-file analysis
    /// has them (only the nodes overlapping the range are visited, each
    /// call is read as the whole-file walk reads it, the file's tables are
    /// built only for the names asked about), findings in the range plus
    /// every syntax error, no scopes. The remembered analysis is not used:
    /// knowing what of it still stands takes a walk over the whole file.
    pub fn analyze_range_with(
        &self,
        index: &JavaIndex,
        opts: &AnalysisOptions,
        catalog: &dyn Catalog,
        range: std::ops::Range<usize>,
    ) -> FileAnalysis {
        let Some(tree) = self.tree() else { return FileAnalysis::default() };
        let an = Analyzer::new(self.text(), tree.root_node(), index, catalog, opts);
        incremental::analyze(an, snapshot_key(opts, catalog), None, false, Some(range)).analysis
    }
}

fn snapshot_key(opts: &AnalysisOptions, catalog: &dyn Catalog) -> SnapshotKey {
    SnapshotKey { service_hints: opts.service_hints.clone(), catalog: catalog as *const dyn Catalog as *const () as usize }
}

impl SourceDocument for JavaDocument {
    fn source(&self) -> &EditedTree {
        self
    }

    fn source_mut(&mut self) -> &mut EditedTree {
        self
    }

    fn clone_document(&self) -> Box<dyn SourceDocument> {
        Box::new(self.clone())
    }

    fn inert_region(&self, tree: &tree_sitter::Tree, start: usize, end: usize) -> bool {
        crate::inert::inert_region(tree, start, end)
    }

    fn analyze(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        self.analyze_with(java_index(index), opts, catalog::embedded())
    }

    fn analyze_range(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis {
        self.analyze_range_with(java_index(index), opts, catalog::embedded(), range)
    }

    fn analyze_once(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        self.analyze_once_with(java_index(index), opts, catalog::embedded())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LanguageIndex for JavaIndex {
    fn update_file(&mut self, module_path: &Path, doc: &dyn SourceDocument) {
        match doc.tree() {
            Some(tree) => self.insert(module_path, file_facts(doc.text(), tree.root_node(), catalog::embedded())),
            None => self.remove(module_path),
        }
    }

    fn remove_file(&mut self, module_path: &Path) {
        self.remove(module_path)
    }

    fn len(&self) -> usize {
        JavaIndex::len(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
