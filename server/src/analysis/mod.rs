//! Language front-ends: source text → [`SdkCall`](crate::model::SdkCall)s and
//! [`Finding`](crate::model::Finding)s (Python/boto3 today).
//!
//! Every front-end has the same shape ([`FrontEnd`]): it knows its file
//! extensions and turns a set of source files into one [`FileAnalysis`] per
//! file. Future JS/TS, Go and Java front-ends implement the same trait; the
//! engine never needs to know which language it is looking at.

pub mod catalog;
pub mod python;

use crate::model::FileAnalysis;
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

/// A language front-end: source text → SDK calls and findings.
pub trait FrontEnd: Send + Sync {
    /// Language id as the CLI's `--language` spells it (`python`).
    fn language(&self) -> &'static str;
    /// File extensions this front-end reads, without the dot (`py`).
    fn file_extensions(&self) -> &'static [&'static str];
    /// Analyse a whole set of files together, so calls that cross files
    /// (a client made in one module, used in another) resolve. The result has
    /// one entry per input file, in the same order.
    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis>;
    /// Analyse one file on its own.
    fn analyze_source(&self, text: &str, opts: &AnalysisOptions) -> FileAnalysis {
        let file = SourceFile { path: PathBuf::from("main"), text: text.to_string() };
        self.analyze_files(std::slice::from_ref(&file), opts).pop().unwrap_or_default()
    }
}

/// Every front-end this build knows.
pub fn front_ends() -> &'static [&'static dyn FrontEnd] {
    static ALL: [&dyn FrontEnd; 1] = [&python::PythonFrontEnd];
    &ALL
}

/// The front-end for a `--language` value (case-insensitive; `py` works too).
pub fn front_end_for_language(language: &str) -> Option<&'static dyn FrontEnd> {
    let language = language.to_ascii_lowercase();
    front_ends()
        .iter()
        .copied()
        .find(|f| f.language() == language || f.file_extensions().contains(&language.as_str()))
}

/// The front-end that reads this file, by extension.
pub fn front_end_for_path(path: &Path) -> Option<&'static dyn FrontEnd> {
    let ext = path.extension()?.to_str()?;
    front_ends().iter().copied().find(|f| f.file_extensions().contains(&ext))
}
