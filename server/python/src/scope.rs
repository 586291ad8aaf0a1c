//! Scopes of the walk: frames of bindings, the environment they form, where
//! each function is defined, and the def/class scopes calls are reported in.
//! Depends only on `symbols` and `syntax`; everything that binds or looks up
//! names sits above it.

use super::symbols::Sym;
use super::syntax::text;
use iamlens_engine::model::{ScopeKind, Span};
use std::collections::HashMap;
use tree_sitter::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Module,
    Class,
    Function,
}

/// One scope's bindings.
pub struct Frame<'a> {
    pub vars: HashMap<&'a str, Sym>,
    pub kind: FrameKind,
    /// The class (start byte) whose body this frame is.
    pub owner: Option<usize>,
}

impl<'a> Frame<'a> {
    pub fn new(kind: FrameKind) -> Frame<'a> {
        Frame { vars: HashMap::new(), kind, owner: None }
    }
}

/// Where a function is defined, recorded when it is met (tree-sitter's
/// `parent()` walks down from the root, too slow to ask per function).
#[derive(Debug, Clone, Copy, Default)]
pub struct DefInfo {
    /// The class it is a method of.
    pub class: Option<usize>,
    pub is_static: bool,
    pub is_classmethod: bool,
    /// `@property` / `@cached_property`: reading the attribute runs it.
    pub is_property: bool,
}

impl DefInfo {
    /// Flags from the decorators of a `decorated_definition` (if any).
    pub fn from_decorated(decorated: Option<Node>, src: &str, class: Option<usize>) -> DefInfo {
        let text = decorated.map_or("", |d| text(d, src));
        DefInfo {
            class,
            is_static: text.contains("@staticmethod"),
            is_classmethod: text.contains("@classmethod"),
            is_property: text.contains("@property") || text.contains("cached_property"),
        }
    }
}

/// The scopes visible at a point of the walk, innermost last.
pub struct Env<'a> {
    pub frames: Vec<Frame<'a>>,
}

impl<'a> Env<'a> {
    pub fn module() -> Env<'a> {
        Env { frames: vec![Frame::new(FrameKind::Module)] }
    }

    pub fn set(&mut self, name: &'a str, sym: Sym) {
        if let Some(top) = self.frames.last_mut() {
            top.vars.insert(name, sym);
        }
    }
}

/// A def/class being walked, for qualified names and code lenses.
pub struct ScopeEntry {
    pub kind: ScopeKind,
    pub qualname: Option<String>,
    pub span: Span,
    pub name_span: Span,
    pub has_calls: bool,
}
