//! The front-end traits: what a language crate implements so the engine and
//! every view can read its files without knowing which language they hold.
//!
//! - [`FrontEnd`]: one language — its file extensions, a whole project in one
//!   batch ([`FrontEnd::analyze_project`]), and documents kept for editing.
//! - [`SourceDocument`]: one file as an editor holds it — text plus syntax
//!   tree, edited incrementally; analysed whole, for a byte range (a
//!   viewport), or once.
//! - [`LanguageIndex`]: the facts a language's files export to each other
//!   (a client made in one module and used in another).

use crate::edited_tree::EditedTree;
use crate::model::FileAnalysis;
use crate::EngineError;
use std::any::Any;
use std::path::{Path, PathBuf};

/// Settings that shape how a front-end resolves calls.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// botocore service names (`s3`, `dynamodb`) that settle calls whose receiver
    /// could not be resolved and whose method several services share.
    pub service_hints: Vec<String>,
}

/// One source file handed to a front-end.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path of the file; relative to the project root when known (used to
    /// resolve imports between files of the same project).
    pub path: PathBuf,
    pub text: String,
}

/// One file of a project run, read by the front-end itself.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// Where to read it.
    pub path: PathBuf,
    /// The path the project knows it by (relative to the directory argument
    /// it was found under), for imports between the project's files.
    pub module_path: PathBuf,
}

/// The one edit applied to a document: bytes `[start, old_end)` became
/// `new_len` bytes.
#[derive(Debug, Clone, Copy)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_len: usize,
}

impl ByteEdit {
    pub fn new_end(&self) -> usize {
        self.start + self.new_len
    }
}

/// A language front-end: source text → SDK calls and findings.
pub trait FrontEnd: Send + Sync {
    /// Language id as the CLI's `--language` spells it (`python`).
    fn language(&self) -> &'static str;
    /// File extensions this front-end reads, without the dot (`py`).
    fn file_extensions(&self) -> &'static [&'static str];
    /// LSP language identifiers of the documents it reads (`python`).
    fn language_ids(&self) -> &'static [&'static str];
    /// False only when a file's bytes cannot use an AWS SDK at all (a cheap
    /// test, so a workspace index skips most files unparsed).
    fn may_use_aws(&self, bytes: &[u8]) -> bool;
    /// Whether a file is a test by this language's conventions; `path` is
    /// relative to the directory being walked. Directory runs leave tests out
    /// unless asked.
    fn is_test_file(&self, _path: &Path) -> bool {
        false
    }
    /// Analyse a whole set of files together, so calls that cross files
    /// (a client made in one module, used in another) resolve. The result has
    /// one entry per input file, in the same order.
    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis>;
    /// [`analyze_files`](Self::analyze_files) for files on disk, read by the
    /// front-end (so it can bound how many syntax trees are alive at once).
    fn analyze_project(&self, files: &[ProjectFile], opts: &AnalysisOptions) -> Result<Vec<FileAnalysis>, EngineError>;
    /// Analyse one file on its own.
    fn analyze_source(&self, text: &str, opts: &AnalysisOptions) -> FileAnalysis {
        let file = SourceFile { path: PathBuf::from("main"), text: text.to_string() };
        self.analyze_files(std::slice::from_ref(&file), opts).pop().unwrap_or_default()
    }
    /// Parse a document to keep and edit.
    fn parse(&self, text: String) -> Box<dyn SourceDocument>;
    /// [`parse`](Self::parse) for a document an editor opened: its path
    /// (relative imports resolve from it) and its LSP language identifier
    /// (which grammar, when the front-end has several).
    fn parse_document(&self, text: String, _path: Option<&Path>, _language_id: Option<&str>) -> Box<dyn SourceDocument> {
        self.parse(text)
    }
    /// An empty index of this language's cross-file facts.
    fn new_index(&self) -> Box<dyn LanguageIndex>;
    /// Lambda runtime identifiers of this language, by prefix (`python`,
    /// `nodejs`): which front-end reads a deployed function's code.
    fn lambda_runtimes(&self) -> &'static [&'static str] {
        &[]
    }
    /// The file a Lambda handler names inside the function's code directory
    /// (`app.handler` → `app.py`, `src/index.handler` → `src/index.ts`);
    /// `None` when this language's unit of deployed code is the whole
    /// directory (a Go package, a Java source tree) or the file is missing.
    fn handler_file(&self, _handler: &str, _code_dir: &Path) -> Option<PathBuf> {
        None
    }
    /// The project files `file` imports, resolved against the function's code
    /// directory (what the runtime puts on its module path) and the file's own
    /// directory. Third-party packages are not project files and are left out.
    fn imported_files(&self, _file: &Path, _text: &str, _code_dir: &Path) -> Vec<PathBuf> {
        Vec::new()
    }
    /// The services a source names, by a plain text scan (no parse): a guess
    /// of what its analysis will look up, to warm the knowledge base.
    fn services_named<'t>(&self, text: &'t str) -> Vec<&'t str>;
}

/// One document: text plus syntax tree, edited incrementally. `Send + Sync`.
pub trait SourceDocument: Send + Sync {
    /// The text and its tree, edited together.
    fn source(&self) -> &EditedTree;
    fn source_mut(&mut self) -> &mut EditedTree;
    fn text(&self) -> &str {
        self.source().text()
    }
    /// The syntax tree; `None` only if the parser could not run at all.
    fn tree(&self) -> Option<&tree_sitter::Tree> {
        self.source().tree()
    }
    /// See [`EditedTree::edit_unsettled`].
    fn edit_unsettled(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        self.source_mut().edit_unsettled(start, old_end, new_text)
    }
    /// A call's text as the front-end shows it (`SdkCall::text`), sliced from
    /// the current text at `span`: a carried-over report re-slices the calls
    /// an edit touched.
    fn call_text(&self, span: &crate::model::Span) -> String {
        crate::syntax::one_line(self.text().get(span.start_byte..span.end_byte).unwrap_or(""))
    }
    /// An edit told to the text and tree, parsed by the next
    /// [`parse_deferred`](Self::parse_deferred) (see [`EditedTree::edit_deferred`]).
    fn edit_deferred(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        self.source_mut().edit_deferred(start, old_end, new_text)
    }
    /// One incremental parse for every deferred edit.
    fn parse_deferred(&mut self) {
        self.source_mut().parse_deferred()
    }
    /// [`edit_unsettled`](Self::edit_unsettled), then [`settle`](Self::settle).
    fn edit(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        self.source_mut().edit(start, old_end, new_text)
    }
    /// Make the tree what a fresh parse gives (results never depend on edit history).
    fn settle(&mut self) {
        self.source_mut().settle()
    }
    /// True when the tree is what a fresh parse of the text gives.
    fn is_settled(&self) -> bool {
        self.source().is_settled()
    }
    /// True when some part of the file did not parse.
    fn has_syntax_errors(&self) -> bool {
        self.source().has_syntax_errors()
    }
    /// Replace the whole text (a full-document sync from the client).
    fn replace_all(&mut self, text: String) {
        self.source_mut().replace_all(text)
    }
    /// A copy that shares what the last analysis remembered for re-analysis.
    fn clone_document(&self) -> Box<dyn SourceDocument>;
    /// True when bytes `[start, end]` of `tree` lie strictly inside text that
    /// cannot change the analysis (a comment, a docstring's text).
    fn inert_region(&self, tree: &tree_sitter::Tree, start: usize, end: usize) -> bool;
    /// Analyse the whole document; remembers the analysis so the next one,
    /// after an edit, reuses unchanged definitions.
    fn analyze(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis;
    /// The calls of the top-level statements overlapping `range`, exactly as
    /// [`analyze`](Self::analyze) has them; fewer elsewhere, no code scopes.
    fn analyze_range(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis;
    /// [`analyze`](Self::analyze) for a document analysed once: nothing is remembered.
    fn analyze_once(&self, index: &dyn LanguageIndex, opts: &AnalysisOptions) -> FileAnalysis;
    fn as_any(&self) -> &dyn Any;
}

/// The facts a language's files export to each other.
pub trait LanguageIndex: Send + Sync {
    /// Index (or re-index) one file, known by `module_path`.
    fn update_file(&mut self, module_path: &Path, doc: &dyn SourceDocument);
    fn remove_file(&mut self, module_path: &Path);
    /// Files indexed.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn as_any(&self) -> &dyn Any;
}

/// The front-end for a `--language` value (case-insensitive; an extension
/// such as `py` or an LSP identifier such as `typescript` works too).
pub fn for_language(front_ends: &[&'static dyn FrontEnd], language: &str) -> Option<&'static dyn FrontEnd> {
    let language = language.to_ascii_lowercase();
    let language = language.as_str();
    front_ends.iter().copied().find(|f| f.language() == language || f.file_extensions().contains(&language) || f.language_ids().contains(&language))
}

/// The front-end that reads this file, by extension.
pub fn for_path(front_ends: &[&'static dyn FrontEnd], path: &Path) -> Option<&'static dyn FrontEnd> {
    let ext = path.extension()?.to_str()?;
    front_ends.iter().copied().find(|f| f.file_extensions().contains(&ext))
}

/// The front-end for an LSP language identifier (`python`).
pub fn for_language_id(front_ends: &[&'static dyn FrontEnd], id: &str) -> Option<&'static dyn FrontEnd> {
    front_ends.iter().copied().find(|f| f.language_ids().contains(&id))
}
