//! Per-file analysis state and name lookup: which declaration (local,
//! parameter, resource, field) a name refers to at a point of the file, and
//! the qualified scope (`Class.method`) a node sits in.

use crate::index::JavaIndex;
use crate::kinds::kinds;
use crate::lookups::IndexView;
use crate::members::{declares, IdMap, Members};
use crate::syntax::{each_in_post_order, named_children, text};
use crate::tables::Tables;
use crate::types::Imports;
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use std::cell::RefCell;
use std::collections::HashSet;
use tree_sitter::Node;

/// How deep value and receiver resolution may recurse (cycles such as `a = a + "x"` stop here).
pub const MAX_DEPTH: u8 = 16;

/// One file being analysed.
pub struct Analyzer<'a> {
    pub src: &'a str,
    pub root: Node<'a>,
    pub imports: Imports,
    pub index: IndexView<'a>,
    pub catalog: &'a dyn Catalog,
    pub opts: &'a AnalysisOptions,
    /// Classes, methods, fields, assignments and `@Bean` methods by name.
    tables: Tables<'a>,
    /// Each named node's parent, by node id, outside the members of the
    /// top-level types (tree-sitter finds parents by descending from the
    /// root, which is slow in wide class bodies).
    parents: IdMap<Node<'a>>,
    /// The members of the top-level types, with their parents and declared names.
    members: Members<'a>,
    /// Every name declared outside the members (a name neither in it nor
    /// declared in the member a lookup starts from is found only by
    /// climbing out of that member).
    declared: HashSet<&'a str>,
    /// What the analysis read outside the node it is visiting, when asked to
    /// record it (see `incremental`).
    reads: RefCell<Option<Reads>>,
}

/// What resolving the calls of one node read of the rest of the file: the
/// names it looked up in the file's tables, the declarations it was given
/// (by start byte), and the subtrees it searched as a whole.
#[derive(Debug, Default)]
pub struct Reads {
    pub names: Vec<String>,
    pub nodes: Vec<usize>,
    pub subtrees: Vec<(usize, usize)>,
}

/// Which of the file's tables an [`Entry`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Classes,
    Methods,
    Fields,
    Assigns,
    Beans,
}

/// One answer the file's tables hold: under `name`, in the context spanning
/// `context` (the class of a method, the body of a field, the left side of
/// an assignment), the node spanning `node`. Two analyses whose tables hold
/// the same entries for a name answer every question about it alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    pub table: Table,
    pub name: String,
    pub context: (usize, usize),
    pub node: (usize, usize),
}

/// The name `Table::Beans` entries are filed under (no identifier spells it).
pub const BEANS: &str = "@Bean";

/// What a name refers to.
#[derive(Debug, Clone, Copy)]
pub struct Decl<'a> {
    pub name: Node<'a>,
    /// The declared type (`None` for untyped lambda parameters).
    pub ty: Option<Node<'a>>,
    pub init: Option<Node<'a>>,
    pub role: Role,
    /// The node whose subtree may assign the name (the block, method or class body).
    pub owner: Node<'a>,
    /// The declaration node (for modifiers and annotations).
    pub decl: Node<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Local,
    Param,
    LambdaParam,
    Field,
}

impl<'a> Analyzer<'a> {
    pub fn new(src: &'a str, root: Node<'a>, index: &'a JavaIndex, catalog: &'a dyn Catalog, opts: &'a AnalysisOptions) -> Analyzer<'a> {
        let k = kinds();
        let members = Members::of(root, src);
        // The skeleton's parent links and declared names (the members' are
        // built when first asked about).
        let mut parents: IdMap<Node<'a>> = IdMap::default();
        let mut declared = HashSet::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let holds_members = members.is_body(n);
            for child in named_children(n) {
                parents.insert(child.id(), n);
                if child.kind_id() == k.identifier && declares(n.kind_id()) {
                    declared.insert(text(child, src));
                }
                if !holds_members {
                    stack.push(child);
                }
            }
        }
        Analyzer {
            src,
            root,
            imports: Imports::read(root, src),
            index: IndexView::new(index),
            catalog,
            opts,
            tables: Tables::new(src, root),
            parents,
            members,
            declared,
            reads: RefCell::new(None),
        }
    }

    /// Start (or stop) recording what the analysis reads; see [`Reads`].
    pub fn record_reads(&self, on: bool) {
        *self.reads.borrow_mut() = on.then(Reads::default);
    }

    /// What was read since the last call (nothing when not recording).
    pub fn take_reads(&self) -> Reads {
        self.reads.borrow_mut().as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn note(&self, record: impl FnOnce(&mut Reads)) {
        if let Some(reads) = self.reads.borrow_mut().as_mut() {
            record(reads);
        }
    }

    fn note_name(&self, name: &str) {
        self.note(|r| r.names.push(name.to_string()));
    }

    fn note_node(&self, n: Node<'a>) {
        self.note(|r| r.nodes.push(n.start_byte()));
    }

    /// The analysis searched all of `n` (every statement of a class body).
    pub fn note_subtree(&self, n: Node<'a>) {
        self.note(|r| r.subtrees.push((n.start_byte(), n.end_byte())));
    }

    /// Every node the file's tables could answer with (see [`Entry`]):
    /// exactly the candidates the tables choose from (read by one walk over
    /// the whole file, or by the tables' own scans).
    pub fn table_entries(&self) -> Vec<Entry> {
        let k = kinds();
        let src = self.src;
        let range = |n: Node| (n.start_byte(), n.end_byte());
        let mut out = Vec::new();
        let mut push = |table, name: &str, context, node| out.push(Entry { table, name: name.to_string(), context, node });
        each_in_post_order(self.root, |n, ancestors| {
            let kind = n.kind_id();
            let parent = ancestors.last().copied();
            let grandparent = ancestors.len().checked_sub(2).map(|i| ancestors[i]);
            if kind == k.method_declaration {
                if let Some(name) = n.child_by_field_id(field!("name")) {
                    push(Table::Methods, text(name, src), grandparent.map_or((0, 0), range), range(n));
                }
            } else if kind == k.field_declaration || kind == k.constant_declaration {
                let body = parent.map(|p| if p.kind_id() == k.enum_body_declarations { grandparent.unwrap_or(p) } else { p });
                let mut cursor = n.walk();
                for d in n.children_by_field_name("declarator", &mut cursor) {
                    if let Some(name) = d.child_by_field_id(field!("name")) {
                        push(Table::Fields, text(name, src), body.map_or((0, 0), range), range(n));
                    }
                }
            } else if kind == k.assignment_expression {
                if let (Some(left), Some(right)) = (n.child_by_field_id(field!("left")), n.child_by_field_id(field!("right"))) {
                    let name = if left.kind_id() == k.identifier {
                        Some(left)
                    } else if left.kind_id() == k.field_access && left.child_by_field_id(field!("object")).is_some_and(|o| o.kind_id() == k.this) {
                        left.child_by_field_id(field!("field"))
                    } else {
                        None
                    };
                    if let Some(name) = name {
                        push(Table::Assigns, text(name, src), range(left), range(right));
                    }
                }
            }
        });
        // Classes and `@Bean` methods as the tables find them.
        for (name, class) in self.tables.class_candidates() {
            push(Table::Classes, name, (0, 0), range(class));
        }
        for bean in self.tables.beans(|m| is_bean(m, src)) {
            push(Table::Beans, BEANS, (0, 0), range(*bean));
        }
        out
    }

    /// The same file read against another index (what `new` built does not depend on the index).
    pub fn with_index<'b>(self, index: IndexView<'b>) -> Analyzer<'b>
    where
        'a: 'b,
    {
        let Analyzer { src, root, imports, index: _, catalog, opts, tables, parents, members, declared, reads } = self;
        let (tables, members) = (tables.shorten(), members.shorten());
        Analyzer { src, root, imports, index, catalog, opts, tables, parents, members, declared, reads }
    }

    pub fn text(&self, n: Node) -> &'a str {
        text(n, self.src)
    }

    /// The declaration `name` refers to at `at`: the nearest enclosing local,
    /// parameter or resource declared before it, else a field of an enclosing class.
    pub fn lookup(&self, name: &str, at: Node<'a>) -> Option<Decl<'a>> {
        self.note_name(name);
        let mut prev = at;
        let mut cur = self.parent(at);
        // Nothing inside the member declares it: climb straight out.
        if let Some(member) = self.members.holding(at).filter(|m| !self.members.declares(*m, name)) {
            prev = self.members.node(member);
            cur = self.parent(prev);
        } else if self.members.holding(at).is_none() && !self.declared.contains(name) {
            return None;
        }
        while let Some(n) = cur {
            if let Some(d) = self.declared_in(n, prev, name, at.start_byte()) {
                return Some(d);
            }
            prev = n;
            cur = self.parent(n);
        }
        None
    }

    /// A field of the class enclosing `at` (or of an outer class).
    pub fn lookup_field(&self, name: &str, at: Node<'a>) -> Option<Decl<'a>> {
        self.note_name(name);
        let mut cur = self.parent(at);
        while let Some(n) = cur {
            if matches!(n.kind(), "class_body" | "enum_body" | "interface_body" | "enum_body_declarations") {
                if let Some(d) = self.field_in(n, name) {
                    return Some(d);
                }
            }
            cur = self.parent(n);
        }
        None
    }

    /// A node's parent (from the map built once; tree-sitter's own lookup as a fallback).
    pub fn parent(&self, n: Node<'a>) -> Option<Node<'a>> {
        if let Some(p) = self.parents.get(&n.id()) {
            return Some(*p);
        }
        if n.id() == self.root.id() {
            return None;
        }
        self.members.parent(n).or_else(|| n.parent())
    }

    fn declared_in(&self, n: Node<'a>, child: Node<'a>, name: &str, before: usize) -> Option<Decl<'a>> {
        match n.kind() {
            "block" | "constructor_body" | "switch_block_statement_group" | "program" => {
                let mut found = None;
                let mut cursor = n.walk();
                for stmt in n.named_children(&mut cursor) {
                    if stmt.start_byte() >= before {
                        break;
                    }
                    if stmt.kind() == "local_variable_declaration" {
                        found = self.declarator(stmt, name, Role::Local, n).or(found);
                    }
                }
                found
            }
            "method_declaration" | "constructor_declaration" | "compact_constructor_declaration" => {
                let params = n.child_by_field_id(field!("parameters"))?;
                self.params(params, name, Role::Param, n)
            }
            "lambda_expression" => {
                let params = n.child_by_field_id(field!("parameters"))?;
                match params.kind() {
                    "identifier" if self.text(params) == name => {
                        Some(Decl { name: params, ty: None, init: None, role: Role::LambdaParam, owner: n, decl: params })
                    }
                    "inferred_parameters" => named_children(params).into_iter().find(|p| self.text(*p) == name).map(|p| Decl {
                        name: p,
                        ty: None,
                        init: None,
                        role: Role::LambdaParam,
                        owner: n,
                        decl: p,
                    }),
                    "formal_parameters" => self.params(params, name, Role::LambdaParam, n),
                    _ => None,
                }
            }
            "for_statement" => {
                let init = n.child_by_field_id(field!("init")).filter(|i| i.kind() == "local_variable_declaration")?;
                self.declarator(init, name, Role::Local, n)
            }
            "enhanced_for_statement" => {
                let var = n.child_by_field_id(field!("name")).filter(|v| self.text(*v) == name)?;
                Some(Decl { name: var, ty: n.child_by_field_id(field!("type")), init: None, role: Role::Local, owner: n, decl: n })
            }
            "try_with_resources_statement" => {
                let resources = n.child_by_field_id(field!("resources"))?;
                named_children(resources).into_iter().filter(|r| r.kind() == "resource" && r.start_byte() < child.end_byte()).find_map(|r| {
                    let var = r.child_by_field_id(field!("name")).filter(|v| self.text(*v) == name)?;
                    Some(Decl {
                        name: var,
                        ty: r.child_by_field_id(field!("type")),
                        init: r.child_by_field_id(field!("value")),
                        role: Role::Local,
                        owner: n,
                        decl: r,
                    })
                })
            }
            "catch_clause" => None,
            "class_body" | "enum_body" | "interface_body" => self.field_in(n, name),
            "record_declaration" => {
                let params = n.child_by_field_id(field!("parameters"))?;
                self.params(params, name, Role::Field, n)
            }
            _ => None,
        }
    }

    fn field_in(&self, body: Node<'a>, name: &str) -> Option<Decl<'a>> {
        let body = if body.kind() == "enum_body_declarations" { self.parent(body).unwrap_or(body) } else { body };
        let decl = self.tables.field(body, name)?;
        self.note_node(decl);
        self.declarator(decl, name, Role::Field, body)
    }

    fn declarator(&self, decl: Node<'a>, name: &str, role: Role, owner: Node<'a>) -> Option<Decl<'a>> {
        let ty = decl.child_by_field_id(field!("type"));
        let mut cursor = decl.walk();
        let found = decl
            .children_by_field_name("declarator", &mut cursor)
            .find(|d| d.child_by_field_id(field!("name")).is_some_and(|n| self.text(n) == name));
        let d = found?;
        Some(Decl { name: d.child_by_field_id(field!("name"))?, ty, init: d.child_by_field_id(field!("value")), role, owner, decl })
    }

    fn params(&self, params: Node<'a>, name: &str, role: Role, owner: Node<'a>) -> Option<Decl<'a>> {
        for p in named_children(params) {
            match p.kind() {
                "formal_parameter" => {
                    let n = p.child_by_field_id(field!("name"))?;
                    if self.text(n) == name {
                        return Some(Decl { name: n, ty: p.child_by_field_id(field!("type")), init: None, role, owner, decl: p });
                    }
                }
                "spread_parameter" => {
                    let d = named_children(p).into_iter().find(|c| c.kind() == "variable_declarator")?;
                    let n = d.child_by_field_id(field!("name"))?;
                    if self.text(n) == name {
                        return Some(Decl { name: n, ty: None, init: None, role, owner, decl: p });
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Right-hand sides of assignments to a declaration other than its
    /// initializer (`x = ...`, `this.x = ...`) within its owner.
    pub fn assignments(&self, decl: &Decl<'a>) -> Vec<Node<'a>> {
        let name = self.text(decl.name);
        self.note_name(name);
        let all = self.tables.assigns(name, decl.owner);
        let owner = decl.owner.byte_range();
        let rights: Vec<Node<'a>> = all
            .iter()
            .filter(|(left, _)| owner.start <= left.start_byte() && left.end_byte() <= owner.end)
            .filter(|(left, _)| match left.kind() {
                "identifier" => self.lookup(name, *left).is_some_and(|d| d.name == decl.name),
                _ => decl.role == Role::Field,
            })
            .map(|(_, right)| *right)
            .collect();
        for right in &rights {
            self.note_node(*right);
        }
        rights
    }

    /// Whether the declaration carries an annotation named `name` (`Value`, `Autowired`).
    pub fn has_annotation(&self, decl: &Decl<'a>, name: &str) -> Option<Node<'a>> {
        let modifiers = named_children(decl.decl).into_iter().find(|c| c.kind() == "modifiers")?;
        named_children(modifiers).into_iter().find(|a| {
            matches!(a.kind(), "annotation" | "marker_annotation")
                && a.child_by_field_id(field!("name")).is_some_and(|n| self.text(n).rsplit('.').next() == Some(name))
        })
    }

    /// Whether a method is a Spring `@Bean` factory.
    pub fn is_bean(&self, method: Node<'a>) -> bool {
        is_bean(method, self.src)
    }

    /// Whether the declaration is `static final`.
    pub fn is_constant(&self, decl: &Decl<'a>) -> bool {
        let Some(modifiers) = named_children(decl.decl).into_iter().find(|c| c.kind() == "modifiers") else {
            return decl.decl.kind() == "constant_declaration";
        };
        let t = self.text(modifiers);
        t.split_whitespace().any(|w| w == "final") && (t.split_whitespace().any(|w| w == "static") || decl.decl.kind() == "constant_declaration")
    }

    /// The enclosing type declarations (outermost first) and method of a node.
    pub fn enclosing(&self, n: Node<'a>) -> (Vec<Node<'a>>, Option<Node<'a>>) {
        let mut classes = Vec::new();
        let mut method = None;
        let mut cur = self.parent(n);
        while let Some(p) = cur {
            match p.kind() {
                "class_declaration" | "interface_declaration" | "enum_declaration" | "record_declaration" => classes.push(p),
                "method_declaration" | "constructor_declaration" if method.is_none() && classes.is_empty() => method = Some(p),
                _ => {}
            }
            cur = self.parent(p);
        }
        classes.reverse();
        (classes, method)
    }

    /// `Outer.Inner.method` for a node inside a method; `Outer.Inner` in a
    /// field initializer; `None` outside any class.
    pub fn scope_name(&self, n: Node<'a>) -> Option<String> {
        let (classes, method) = self.enclosing(n);
        let mut parts: Vec<&str> = classes.iter().filter_map(|c| c.child_by_field_id(field!("name"))).map(|n| self.text(n)).collect();
        if let Some(m) = method.and_then(|m| m.child_by_field_id(field!("name"))) {
            parts.push(self.text(m));
        }
        (!parts.is_empty()).then(|| parts.join("."))
    }

    /// A class declared in this file, by simple name.
    pub fn local_class(&self, name: &str) -> Option<Node<'a>> {
        self.note_name(name);
        let class = self.tables.class(name);
        if let Some(c) = class {
            self.note_node(c);
        }
        class
    }

    /// A method of a class declared in this file, by name (the first overload).
    pub fn method_of(&self, class: Node<'a>, name: &str) -> Option<Node<'a>> {
        self.note_name(name);
        let method = self.tables.method(class, name);
        if let Some(m) = method {
            self.note_node(m);
        }
        method
    }

    /// The `@Bean` methods of the file.
    pub fn bean_methods(&self) -> &[Node<'a>] {
        self.note_name(BEANS);
        let beans = self.tables.beans(|m| is_bean(m, self.src));
        for m in beans {
            self.note_node(*m);
        }
        beans
    }

    /// The expressions a method returns.
    pub fn returned(&self, method: Node<'a>) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        let Some(body) = method.child_by_field_id(field!("body")) else { return out };
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "return_statement" => out.extend(n.named_child(0)),
                "lambda_expression" | "class_body" => {}
                _ => stack.extend(named_children(n)),
            }
        }
        out
    }
}

/// Whether a method carries Spring's `@Bean`.
fn is_bean(method: Node, src: &str) -> bool {
    named_children(method).into_iter().filter(|c| c.kind() == "modifiers").flat_map(named_children).any(|a| {
        matches!(a.kind(), "annotation" | "marker_annotation")
            && a.child_by_field_id(field!("name")).is_some_and(|n| text(n, src).rsplit('.').next() == Some("Bean"))
    })
}
