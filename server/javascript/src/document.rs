//! One JavaScript/TypeScript file: its text, its dialect (which grammar reads
//! it) and its tree-sitter tree, kept together so an edit re-parses
//! incrementally (the language server edits on every keystroke).

use crate::incremental::Snapshot;
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::last_analysis::LastAnalysis;
use std::sync::Arc;
use tree_sitter::Tree;

/// Which grammar reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// tree-sitter-javascript (with JSX): `.js .mjs .cjs .jsx`.
    JavaScript,
    /// tree-sitter-typescript: `.ts .mts .cts`.
    TypeScript,
    /// TypeScript with JSX: `.tsx`. The default when nothing names the dialect:
    /// it reads TypeScript, JSX and plain JavaScript alike.
    Tsx,
}

impl Dialect {
    /// The dialect of a file extension (without the dot); TSX for unknown ones.
    pub fn from_extension(ext: &str) -> Dialect {
        match ext {
            "js" | "mjs" | "cjs" | "jsx" => Dialect::JavaScript,
            "ts" | "mts" | "cts" => Dialect::TypeScript,
            _ => Dialect::Tsx,
        }
    }

    /// The dialect of a path, by extension.
    pub fn from_path(path: &std::path::Path) -> Dialect {
        Dialect::from_extension(path.extension().and_then(|e| e.to_str()).unwrap_or(""))
    }

    /// The dialect of an LSP language id (`javascript`, `typescript`,
    /// `javascriptreact`, `typescriptreact`); TSX for others.
    pub fn from_language_id(id: &str) -> Dialect {
        match id {
            "javascript" | "javascriptreact" => Dialect::JavaScript,
            "typescript" => Dialect::TypeScript,
            _ => Dialect::Tsx,
        }
    }

    fn language(self) -> tree_sitter::Language {
        match self {
            Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

/// Parse `text`, reusing `old` (already edited) when given. `None` only if
/// the grammar could not be loaded.
pub fn parse_text(dialect: Dialect, text: &str, old: Option<&Tree>) -> Option<Tree> {
    iamlens_engine::syntax::parse(&dialect.language(), text, old)
}

/// A JavaScript/TypeScript file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct JsDocument {
    source: EditedTree,
    dialect: Dialect,
    /// The path the project knows the file by, for its relative imports
    /// (empty when unknown: then an import resolves to the one indexed module its path ends with).
    module_path: std::path::PathBuf,
    /// What the last whole-file analysis of this document (or of a clone of
    /// it) left for the next one. Shared by clones: the language server
    /// analyses a clone taken at each version. A snapshot records the text it
    /// was made from, so it is correct to offer it to any later text.
    last_analysis: LastAnalysis<Snapshot>,
}

impl std::fmt::Debug for JsDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsDocument").field("dialect", &self.dialect).field("bytes", &self.source.text().len()).finish()
    }
}

impl JsDocument {
    /// Parse as TSX (reads TypeScript, JSX and JavaScript); see [`Dialect::Tsx`].
    pub fn parse(text: String) -> JsDocument {
        JsDocument::parse_as(text, Dialect::Tsx)
    }

    pub fn parse_as(text: String, dialect: Dialect) -> JsDocument {
        let source = EditedTree::new(text, dialect.language());
        JsDocument { source, dialect, module_path: std::path::PathBuf::new(), last_analysis: LastAnalysis::default() }
    }

    /// Tell the document the path the project knows it by (see [`JsDocument::module_path`]).
    pub fn with_module_path(mut self, module_path: impl Into<std::path::PathBuf>) -> JsDocument {
        self.module_path = module_path.into();
        self
    }

    pub fn module_path(&self) -> &std::path::Path {
        &self.module_path
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The snapshot the last whole-file analysis left, if any (still kept).
    pub(crate) fn last_analysis(&self) -> Option<Arc<Snapshot>> {
        self.last_analysis.get()
    }

    pub(crate) fn keep_last_analysis(&self, snapshot: Option<Snapshot>) {
        self.last_analysis.keep(snapshot)
    }

    /// Test edits: replace the `nth` (modulo the count) occurrence of `from`
    /// with `to`; false when `from` does not occur.
    #[cfg(test)]
    pub(crate) fn replace_nth(&mut self, from: &str, to: &str, nth: usize) -> bool {
        let found: Vec<usize> = self.text().match_indices(from).map(|(i, _)| i).collect();
        let Some(&at) = found.get(nth % found.len().max(1)) else { return false };
        self.edit(at, at + from.len(), to);
        true
    }
}

/// Text, tree and edits are the [`EditedTree`]'s.
impl std::ops::Deref for JsDocument {
    type Target = EditedTree;

    fn deref(&self) -> &EditedTree {
        &self.source
    }
}

impl std::ops::DerefMut for JsDocument {
    fn deref_mut(&mut self) -> &mut EditedTree {
        &mut self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(doc: &JsDocument) -> String {
        doc.tree().unwrap().root_node().to_sexp()
    }

    #[test]
    fn edits_match_a_fresh_parse_in_every_dialect() {
        for dialect in [Dialect::JavaScript, Dialect::TypeScript, Dialect::Tsx] {
            let mut doc = JsDocument::parse_as("import { S3Client } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\n".into(), dialect);
            let at = doc.text().find("{}").unwrap();
            doc.edit(at + 1, at + 1, " region: 'eu-west-1' ");
            assert_eq!(sexp(&doc), sexp(&JsDocument::parse_as(doc.text().to_string(), dialect)));
            doc.edit(1000, 2000, "\nconst x = 'é';");
            let at = doc.text().find('é').unwrap();
            doc.edit(at + 1, at + 1, "a"); // inside `é`: widened, no panic
            assert!(doc.is_settled());
        }
    }

    #[test]
    fn unsettled_edits_keep_the_incremental_tree_until_settled() {
        let mut doc = JsDocument::parse("const s3 = new S3Client();\ns3.send(cmd);\n".into());
        let at = doc.text().find("s3.send").unwrap();
        doc.edit_unsettled(at, at, "(");
        assert!(!doc.is_settled() && doc.has_syntax_errors());
        doc.settle();
        assert_eq!(sexp(&doc), sexp(&JsDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn tsx_reads_typescript_jsx_and_plain_javascript() {
        for text in [
            "const x: number = 1; export class A { constructor(private readonly s3: S3Client) {} }",
            "export const App = () => <div className=\"a\">{items.map((i) => <b key={i}>{i}</b>)}</div>;",
            "const AWS = require('aws-sdk'); module.exports.handler = async (event) => { return 1; };",
        ] {
            assert!(!JsDocument::parse(text.into()).has_syntax_errors(), "{text}");
        }
        assert!(!JsDocument::parse_as("const y = <any>x;".into(), Dialect::TypeScript).has_syntax_errors());
    }
}
