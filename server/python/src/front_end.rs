//! The Python front-end behind the engine's traits: [`PythonFrontEnd`] for
//! projects, [`PythonDocument`] as a `SourceDocument`, [`ProjectIndex`] as a
//! `LanguageIndex`.

use crate::analysis::{
    analyze_document, analyze_python_range_with, calls_an_operation_bare, decorator_names_a_service, has_boto_style_keyword, passes_a_service_name,
    services_named,
};
use crate::document::PythonDocument;
use crate::index::ProjectIndex;
use crate::project::{analyze_files_on_disk, analyze_project};
use iamlens_engine::catalog;
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, ProjectFile, SourceDocument, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::EngineError;
use std::any::Any;
use std::path::{Path, PathBuf};

/// The Python/boto3 front-end.
pub struct PythonFrontEnd;

impl FrontEnd for PythonFrontEnd {
    fn language(&self) -> &'static str {
        "python"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["py", "pyi"]
    }

    fn language_ids(&self) -> &'static [&'static str] {
        &["python"]
    }

    /// Every SDK module name (`boto3`, `botocore`, `aioboto3`, `aiobotocore`)
    /// contains "boto"; a file without it can still build clients through a
    /// factory it was given (`session.client("ec2")`), which needs "client(" or
    /// "resource(" in the text, or call the clients other modules hand it
    /// (`table.put_item(Item=...)`), which mostly pass PascalCase keywords or
    /// none (`iam_client.list_account_aliases()`), or hand a service's name
    /// to a project helper (`get_all_pages("acm", ...)`).
    fn may_use_aws(&self, bytes: &[u8]) -> bool {
        bytes.windows(4).any(|w| w == b"boto")
            || bytes.windows(7).any(|w| w == b"client(")
            || bytes.windows(9).any(|w| w == b"resource(")
            || std::str::from_utf8(bytes).is_ok_and(|text| {
                let catalog = catalog::embedded();
                has_boto_style_keyword(text)
                    || decorator_names_a_service(text, catalog)
                    || calls_an_operation_bare(text, catalog)
                    || passes_a_service_name(text, catalog)
            })
    }

    /// pytest's and unittest's conventions: a `tests`/`test` directory,
    /// `test_*.py`, `*_test.py`, `conftest.py`.
    fn is_test_file(&self, path: &Path) -> bool {
        let in_test_dir = path.parent().is_some_and(|dir| dir.components().any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test"))));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let stem = name.strip_suffix(".py").or_else(|| name.strip_suffix(".pyi")).unwrap_or(name);
        in_test_dir || stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest"
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        analyze_project(files, opts, catalog::embedded())
    }

    fn analyze_project(&self, files: &[ProjectFile], opts: &AnalysisOptions) -> Result<Vec<FileAnalysis>, EngineError> {
        analyze_files_on_disk(files, opts, catalog::embedded())
    }

    fn parse(&self, text: String) -> Box<dyn SourceDocument> {
        Box::new(PythonDocument::parse(text))
    }

    fn parse_document(&self, text: String, path: Option<&Path>, _language_id: Option<&str>) -> Box<dyn SourceDocument> {
        Box::new(match path {
            Some(path) => PythonDocument::parse_module(text, path),
            None => PythonDocument::parse(text),
        })
    }

    fn lambda_runtimes(&self) -> &'static [&'static str] {
        &["python"]
    }

    fn handler_file(&self, handler: &str, code_dir: &Path) -> Option<PathBuf> {
        crate::deployed::handler_file(handler, code_dir)
    }

    fn imported_files(&self, file: &Path, text: &str, code_dir: &Path) -> Vec<PathBuf> {
        crate::deployed::imported_files(file, text, code_dir)
    }

    fn new_index(&self) -> Box<dyn LanguageIndex> {
        Box::new(ProjectIndex::new())
    }

    fn services_named<'t>(&self, text: &'t str) -> Vec<&'t str> {
        services_named(text)
    }
}

/// The Python index behind a `LanguageIndex` (an empty one for any other).
fn python_index(index: &dyn LanguageIndex) -> &ProjectIndex {
    static EMPTY: std::sync::OnceLock<ProjectIndex> = std::sync::OnceLock::new();
    index.as_any().downcast_ref::<ProjectIndex>().unwrap_or_else(|| EMPTY.get_or_init(ProjectIndex::new))
}

impl SourceDocument for PythonDocument {
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
        analyze_document(self, python_index(index), opts, catalog::embedded(), true)
    }

    fn analyze_range(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis {
        analyze_python_range_with(self, python_index(index), opts, catalog::embedded(), range)
    }

    fn analyze_once(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        analyze_document(self, python_index(index), opts, catalog::embedded(), false)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LanguageIndex for ProjectIndex {
    fn update_file(&mut self, module_path: &Path, doc: &dyn SourceDocument) {
        match doc.as_any().downcast_ref::<PythonDocument>() {
            Some(doc) => ProjectIndex::update_file(self, module_path, doc),
            None => ProjectIndex::remove_file(self, module_path),
        }
    }

    fn remove_file(&mut self, module_path: &Path) {
        ProjectIndex::remove_file(self, module_path)
    }

    fn len(&self) -> usize {
        ProjectIndex::len(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
