//! The JavaScript/TypeScript front-end behind the engine's traits:
//! [`JavaScriptFrontEnd`] for projects, [`JsDocument`] as a `SourceDocument`,
//! [`ProjectIndex`] as a `LanguageIndex`.

use crate::analysis::{analyze_tree, analyze_tree_after, analyze_tree_range, exports_of, services_named};
use crate::document::{Dialect, JsDocument};
use crate::index::ProjectIndex;
use crate::project::analyze_set;
use iamlens_engine::catalog;
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, ProjectFile, SourceDocument, SourceFile};
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::EngineError;
use std::any::Any;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// The JavaScript/TypeScript front-end (AWS SDK for JavaScript v3 and v2).
pub struct JavaScriptFrontEnd;

impl JavaScriptFrontEnd {
    /// A document read with the grammar its LSP language id or file extension
    /// names (`typescript`, `javascriptreact`, `ts`, `jsx`); TSX otherwise.
    pub fn parse_for(&self, language_id_or_extension: &str, text: String) -> JsDocument {
        let dialect = match language_id_or_extension {
            "javascript" | "javascriptreact" | "typescript" | "typescriptreact" => Dialect::from_language_id(language_id_or_extension),
            ext => Dialect::from_extension(ext),
        };
        JsDocument::parse_as(text, dialect)
    }
}

impl FrontEnd for JavaScriptFrontEnd {
    fn language(&self) -> &'static str {
        "javascript"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"]
    }

    fn language_ids(&self) -> &'static [&'static str] {
        &["javascript", "typescript", "javascriptreact", "typescriptreact"]
    }

    /// Every SDK module name (`aws-sdk`, `@aws-sdk/...`) contains `aws-sdk`.
    fn may_use_aws(&self, bytes: &[u8]) -> bool {
        bytes.windows(7).any(|w| w == b"aws-sdk")
    }

    /// Jest's, Vitest's and Mocha's conventions: a `__tests__`, `__mocks__`,
    /// `test` or `tests` directory, `*.test.*`, `*.spec.*`.
    fn is_test_file(&self, path: &Path) -> bool {
        let in_test_dir = path
            .parent()
            .is_some_and(|dir| dir.components().any(|c| matches!(c.as_os_str().to_str(), Some("__tests__" | "__mocks__" | "tests" | "test"))));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let mut parts = name.split('.').skip(1);
        in_test_dir || parts.any(|p| p == "test" || p == "spec")
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        let Ok(analyses) =
            analyze_set(&paths, |i| Ok::<_, std::convert::Infallible>(Cow::Borrowed(files[i].text.as_str())), opts, catalog::embedded());
        analyses
    }

    fn analyze_project(&self, files: &[ProjectFile], opts: &AnalysisOptions) -> Result<Vec<FileAnalysis>, EngineError> {
        let paths: Vec<&Path> = files.iter().map(|f| f.module_path.as_path()).collect();
        analyze_set(&paths, |i| iamlens_engine::read_source(&files[i].path).map(Cow::Owned), opts, catalog::embedded())
    }

    fn parse(&self, text: String) -> Box<dyn SourceDocument> {
        Box::new(JsDocument::parse(text))
    }

    fn lambda_runtimes(&self) -> &'static [&'static str] {
        &["nodejs"]
    }

    fn handler_file(&self, handler: &str, code_dir: &Path) -> Option<PathBuf> {
        crate::deployed::handler_file(handler, code_dir)
    }

    fn imported_files(&self, file: &Path, text: &str, code_dir: &Path) -> Vec<PathBuf> {
        crate::deployed::imported_files(file, text, code_dir)
    }

    /// The grammar from the language id, else the path's extension (TSX,
    /// which reads all three, when neither says); relative imports resolve
    /// from the path.
    fn parse_document(&self, text: String, path: Option<&Path>, language_id: Option<&str>) -> Box<dyn SourceDocument> {
        let extension = path.and_then(|p| p.extension()).and_then(|e| e.to_str());
        let doc = match language_id.filter(|id| self.language_ids().contains(id)).or(extension) {
            Some(dialect) => self.parse_for(dialect, text),
            None => JsDocument::parse(text),
        };
        Box::new(match path {
            Some(path) => doc.with_module_path(path),
            None => doc,
        })
    }

    fn new_index(&self) -> Box<dyn LanguageIndex> {
        Box::new(ProjectIndex::new())
    }

    fn services_named<'t>(&self, text: &'t str) -> Vec<&'t str> {
        services_named(text)
    }
}

/// The JavaScript index behind a `LanguageIndex` (an empty one for any other).
fn js_index(index: &dyn LanguageIndex) -> &ProjectIndex {
    static EMPTY: std::sync::OnceLock<ProjectIndex> = std::sync::OnceLock::new();
    index.as_any().downcast_ref::<ProjectIndex>().unwrap_or_else(|| EMPTY.get_or_init(ProjectIndex::new))
}

impl JsDocument {
    fn analyze_with(&self, index: &ProjectIndex, opts: &AnalysisOptions) -> FileAnalysis {
        match self.tree() {
            Some(tree) => analyze_tree(tree, self.text(), self.module_path(), index, opts, catalog::embedded()),
            None => FileAnalysis::default(),
        }
    }
}

impl SourceDocument for JsDocument {
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
        crate::inert::inert_region(tree, JsDocument::text(self), start, end)
    }

    fn analyze(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        let Some(tree) = self.tree() else { return FileAnalysis::default() };
        let prev = self.last_analysis();
        let (analysis, snapshot) =
            analyze_tree_after(tree, self.text(), self.module_path(), js_index(index), opts, catalog::embedded(), prev.as_deref());
        self.keep_last_analysis(snapshot);
        analysis
    }

    fn analyze_range(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis {
        let Some(tree) = self.tree() else { return FileAnalysis::default() };
        let prev = self.last_analysis();
        analyze_tree_range(tree, self.text(), self.module_path(), js_index(index), opts, catalog::embedded(), prev.as_deref(), range)
    }

    fn analyze_once(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis {
        self.analyze_with(js_index(index), opts)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LanguageIndex for ProjectIndex {
    fn update_file(&mut self, module_path: &Path, doc: &dyn SourceDocument) {
        let exports = match (doc.as_any().downcast_ref::<JsDocument>(), doc.tree()) {
            (Some(js), Some(tree)) => exports_of(tree, js.text(), module_path, self),
            _ => {
                ProjectIndex::remove(self, module_path);
                return;
            }
        };
        self.insert(module_path, exports);
    }

    fn remove_file(&mut self, module_path: &Path) {
        ProjectIndex::remove(self, module_path)
    }

    fn len(&self) -> usize {
        ProjectIndex::len(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
