//! One Java source file as an editor holds it: text plus tree-sitter tree,
//! re-parsed incrementally on each edit.

use iamlens_engine::edited_tree::EditedTree;
use tree_sitter::Tree;

/// A Java file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct JavaDocument {
    source: EditedTree,
}

impl std::fmt::Debug for JavaDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JavaDocument").field("bytes", &self.source.text().len()).finish()
    }
}

impl JavaDocument {
    pub fn parse(text: String) -> JavaDocument {
        JavaDocument { source: EditedTree::new(text, tree_sitter_java::LANGUAGE.into()) }
    }

    /// See [`EditedTree::edit_unsettled`].
    pub fn edit_unsettled(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        self.source.edit_unsettled(start, old_end, new_text)
    }

    pub fn edit(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        let replaced = self.edit_unsettled(start, old_end, new_text);
        self.settle();
        replaced
    }

    /// Make the tree what a fresh parse gives.
    pub fn settle(&mut self) {
        self.source.settle()
    }

    pub fn is_settled(&self) -> bool {
        self.source.is_settled()
    }

    pub fn replace_all(&mut self, text: String) {
        self.source.replace_all(text)
    }

    pub fn text(&self) -> &str {
        self.source.text()
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.source.tree()
    }

    pub fn has_syntax_errors(&self) -> bool {
        self.source.has_syntax_errors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(doc: &JavaDocument) -> String {
        doc.tree().unwrap().root_node().to_sexp()
    }

    #[test]
    fn edits_match_a_fresh_parse_and_never_panic() {
        let mut doc = JavaDocument::parse("class A { void f() { s3.getObject(r -> r.bucket(\"é\")); } }\n".into());
        let at = doc.text().find("getObject").unwrap();
        doc.edit(at, at + 3, "put");
        assert!(doc.text().contains("putObject"));
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
        let e = doc.text().find('é').unwrap();
        doc.edit(e + 1, e + 1, "x"); // inside `é`: widened
        doc.edit(10_000, 20_000, "\n// end");
        doc.edit(30, 2, "");
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn unsettled_edits_settle_to_a_fresh_parse() {
        let mut doc = JavaDocument::parse("class A { void f() { g(); } }\n".into());
        let at = doc.text().find("g()").unwrap();
        doc.edit_unsettled(at, at, "(");
        assert!(!doc.is_settled() && doc.has_syntax_errors());
        doc.settle();
        assert!(doc.is_settled());
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
    }
}
