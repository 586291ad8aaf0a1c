//! The Python front-end: boto3 / botocore / aioboto3 / aiobotocore code →
//! [`SdkCall`](crate::model::SdkCall)s.
//!
//! - [`document`]: text + tree-sitter tree, edited incrementally.
//! - [`index`]: facts other files of the project export (clients, factories, constants).
//! - `analyze_python`: one file → [`FileAnalysis`].

pub mod document;
pub mod index;

pub use document::PythonDocument;
pub use index::ProjectIndex;

use super::{AnalysisOptions, FrontEnd, SourceFile};
use crate::model::FileAnalysis;

/// Analyse one Python file against the facts of the rest of the project.
pub fn analyze_python(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions) -> FileAnalysis {
    let _ = (doc, index, opts);
    FileAnalysis::default()
}

/// The Python/boto3 front-end behind the [`FrontEnd`] trait.
pub struct PythonFrontEnd;

impl FrontEnd for PythonFrontEnd {
    fn language(&self) -> &'static str {
        "python"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["py", "pyi"]
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        let docs: Vec<PythonDocument> = files.iter().map(|f| PythonDocument::parse(f.text.clone())).collect();
        let mut index = ProjectIndex::new();
        for (file, doc) in files.iter().zip(&docs) {
            index.update_file(&file.path, doc);
        }
        docs.iter().map(|doc| analyze_python(doc, &index, opts)).collect()
    }
}
