//! The Go front-end behind the engine's traits: [`GoFrontEnd`] for projects,
//! [`GoDocument`] as a `SourceDocument`, [`GoIndex`] as a `LanguageIndex`.

use crate::analysis::{analyze_document, analyze_document_after, restrict_to_range, services_named, Reuse};
use crate::document::{inert_region, GoDocument};
use crate::facts;
use crate::index::GoIndex;
use crate::project::{analyze_on_disk, analyze_sources, dir_of};
use iamlens_engine::catalog;
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, ProjectFile, SourceDocument, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::EngineError;
use std::any::Any;
use std::path::Path;

/// The Go front-end: AWS SDK for Go v2 and v1.
pub struct GoFrontEnd;

impl FrontEnd for GoFrontEnd {
    fn language(&self) -> &'static str {
        "go"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["go"]
    }

    fn language_ids(&self) -> &'static [&'static str] {
        &["go"]
    }

    /// Every SDK import path (`github.com/aws/aws-sdk-go`, `-v2`) contains "aws-sdk-go".
    fn may_use_aws(&self, bytes: &[u8]) -> bool {
        bytes.windows(10).any(|w| w == b"aws-sdk-go")
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        analyze_sources(files, None, opts, catalog::embedded())
    }

    fn analyze_project(&self, files: &[ProjectFile], opts: &AnalysisOptions) -> Result<Vec<FileAnalysis>, EngineError> {
        analyze_on_disk(files, opts, catalog::embedded())
    }

    /// `*_test.go`, as `go build` has it.
    fn is_test_file(&self, path: &Path) -> bool {
        crate::is_test_file(path)
    }

    fn lambda_runtimes(&self) -> &'static [&'static str] {
        &["go", "provided"]
    }

    fn parse(&self, text: String) -> Box<dyn SourceDocument> {
        Box::new(GoDocument::parse(text))
    }

    fn new_index(&self) -> Box<dyn LanguageIndex> {
        Box::new(GoIndex::new())
    }

    fn services_named<'t>(&self, text: &'t str) -> Vec<&'t str> {
        services_named(text)
    }
}

/// The Go index behind a `LanguageIndex` (an empty one for any other).
fn go_index(index: &dyn LanguageIndex) -> &GoIndex {
    static EMPTY: std::sync::OnceLock<GoIndex> = std::sync::OnceLock::new();
    index.as_any().downcast_ref::<GoIndex>().unwrap_or_else(|| EMPTY.get_or_init(GoIndex::new))
}

impl GoDocument {
    /// Analyse the whole document against `index` (settled first: results
    /// never depend on edit history).
    pub fn analyze_with(&self, index: &GoIndex, opts: &AnalysisOptions, catalog: &dyn catalog::Catalog) -> FileAnalysis {
        let doc = self.settled();
        match doc.tree() {
            Some(tree) => analyze_document(tree.root_node(), doc.text(), index, opts, catalog),
            None => FileAnalysis::default(),
        }
    }
}

impl SourceDocument for GoDocument {
    fn source(&self) -> &EditedTree {
        self
    }

    fn call_text(&self, span: &iamlens_engine::model::Span) -> String {
        crate::calls::shown_text(self.text().get(span.start_byte..span.end_byte).unwrap_or(""))
    }

    fn source_mut(&mut self) -> &mut EditedTree {
        self
    }

    fn clone_document(&self) -> Box<dyn SourceDocument> {
        Box::new(self.clone())
    }

    fn inert_region(&self, tree: &tree_sitter::Tree, start: usize, end: usize) -> bool {
        inert_region(tree, start, end)
    }

    /// The whole document (settled first), reusing the declarations the
    /// last analysis shows unchanged; remembers this one for the next.
    fn analyze(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        let doc = self.settled();
        let Some(tree) = doc.tree() else { return FileAnalysis::default() };
        let prev = self.last_analysis();
        let reuse = Reuse { prev: prev.as_deref(), only: None, keep: true };
        let (analysis, snapshot) = analyze_document_after(tree.root_node(), doc.text(), go_index(index), opts, catalog::embedded(), reuse);
        self.keep_last_analysis(snapshot);
        analysis
    }

    /// The declarations overlapping `range`, from the tree as it is (the
    /// language server asks again once a tree left with errors is settled),
    /// reusing from the last whole-file analysis without consuming it.
    fn analyze_range(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis {
        let Some(tree) = self.tree() else { return FileAnalysis::default() };
        let prev = self.last_analysis();
        let reuse = Reuse { prev: prev.as_deref(), only: Some(range.clone()), keep: false };
        let (analysis, _) = analyze_document_after(tree.root_node(), self.text(), go_index(index), opts, catalog::embedded(), reuse);
        restrict_to_range(analysis, range)
    }

    fn analyze_once(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        self.analyze_with(go_index(index), opts, catalog::embedded())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LanguageIndex for GoIndex {
    fn update_file(&mut self, module_path: &Path, doc: &dyn SourceDocument) {
        let facts =
            doc.as_any().downcast_ref::<GoDocument>().and_then(|d| d.tree().map(|t| facts::extract(t.root_node(), d.text(), &dir_of(module_path))));
        match facts {
            Some(facts) => self.insert(module_path, facts),
            None => self.remove(module_path),
        }
    }

    fn remove_file(&mut self, module_path: &Path) {
        self.remove(module_path)
    }

    fn len(&self) -> usize {
        GoIndex::len(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
