//! Per-file analysis state and name lookup: which declaration (local,
//! parameter, resource, field) a name refers to at a point of the file, and
//! the qualified scope (`Class.method`) a node sits in.

use crate::index::JavaIndex;
use crate::kinds::kinds;
use crate::lookups::IndexView;
use crate::members::{declares, IdMap, Members};
use crate::syntax::{each_in_post_order, named_children, text};
use crate::types::Imports;
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
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
    /// Classes declared in this file, by simple name (the first of a name).
    classes: HashMap<&'a str, Node<'a>>,
    /// Every assignment `x = …` / `this.x = …`, by assigned name: (left, right).
    assigns: HashMap<&'a str, Vec<(Node<'a>, Node<'a>)>>,
    /// Methods annotated `@Bean`.
    bean_methods: Vec<Node<'a>>,
    /// Field declarations by (class body id, field name).
    fields: HashMap<(usize, &'a str), Node<'a>>,
    /// Each named node's parent, by node id, outside the members of the
    /// top-level types (tree-sitter finds parents by descending from the
    /// root, which is slow in wide class bodies).
    parents: IdMap<Node<'a>>,
    /// The members of the top-level types, with their parents and declared names.
    members: Members<'a>,
    /// Method declarations by (class id, name): the first overload.
    methods: HashMap<(usize, &'a str), Node<'a>>,
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
        let mut classes = HashMap::new();
        let mut assigns: HashMap<&'a str, Vec<(Node<'a>, Node<'a>)>> = HashMap::new();
        let mut bean_methods = Vec::new();
        let mut fields = HashMap::new();
        let mut methods = HashMap::new();
        let mut parents: IdMap<Node<'a>> = IdMap::default();
        let mut declared = HashSet::new();
        // Post-order, left to right, and a later node overwriting an earlier
        // one: "the first" of a name is the last this walk meets (the order
        // these tables were first built in, and results depend on it).
        let members = Members::of(root, src);
        each_in_post_order(root, |n, ancestors| {
            let parent = ancestors.last().copied();
            let grandparent = ancestors.len().checked_sub(2).map(|i| ancestors[i]);
            let kind = n.kind_id();
            // Tokens are never asked for their parent (and `parent` still answers for them);
            // the members' nodes are linked when first asked about.
            if let Some(p) = parent.filter(|_| n.is_named() && !members.covers(ancestors)) {
                parents.insert(n.id(), p);
                if kind == k.identifier && declares(p.kind_id()) {
                    declared.insert(text(n, src));
                }
            }
            if kind == k.method_declaration {
                if is_bean(n, src) {
                    bean_methods.push(n);
                }
                if let (Some(class), Some(name)) = (grandparent, n.child_by_field_id(field!("name"))) {
                    methods.insert((class.id(), text(name, src)), n);
                }
            } else if kind == k.field_declaration || kind == k.constant_declaration {
                let body = parent.map(|p| if p.kind_id() == k.enum_body_declarations { grandparent.unwrap_or(p) } else { p });
                if let Some(body) = body {
                    let mut cursor = n.walk();
                    let declarators: Vec<Node<'a>> = n.children_by_field_name("declarator", &mut cursor).collect();
                    // Within one declaration the first declarator of a name wins.
                    for d in declarators.into_iter().rev() {
                        if let Some(name) = d.child_by_field_id(field!("name")) {
                            fields.insert((body.id(), text(name, src)), n);
                        }
                    }
                }
            } else if k.is_type_declaration(kind) {
                if let Some(name) = n.child_by_field_id(field!("name")) {
                    classes.insert(text(name, src), n);
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
                        assigns.entry(text(name, src)).or_default().push((left, right));
                    }
                }
            }
        });
        // Assignments and `@Bean` methods in that same order: the reverse of this walk's.
        for list in assigns.values_mut() {
            list.reverse();
        }
        bean_methods.reverse();
        Analyzer {
            src,
            root,
            imports: Imports::read(root, src),
            index: IndexView::new(index),
            catalog,
            opts,
            classes,
            assigns,
            bean_methods,
            fields,
            parents,
            members,
            methods,
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

    /// Every answer the file's tables hold (see [`Entry`]).
    pub fn table_entries(&self) -> Vec<Entry> {
        let range = |n: Node| (n.start_byte(), n.end_byte());
        let around = |n: Node<'a>, levels: usize| {
            let mut cur = Some(n);
            for _ in 0..levels {
                cur = cur.and_then(|c| self.parent(c));
            }
            cur.map_or((0, 0), range)
        };
        let mut out = Vec::new();
        let mut push = |table, name: &str, context, node| out.push(Entry { table, name: name.to_string(), context, node });
        for (name, n) in &self.classes {
            push(Table::Classes, name, (0, 0), range(*n));
        }
        for ((_, name), n) in &self.methods {
            push(Table::Methods, name, around(*n, 2), range(*n));
        }
        for ((_, name), n) in &self.fields {
            push(Table::Fields, name, around(*n, 1), range(*n));
        }
        for (name, list) in &self.assigns {
            for (left, right) in list {
                push(Table::Assigns, name, range(*left), range(*right));
            }
        }
        for n in &self.bean_methods {
            push(Table::Beans, BEANS, (0, 0), range(*n));
        }
        out
    }

    /// The same file read against another index (what `new` built does not depend on the index).
    pub fn with_index<'b>(self, index: IndexView<'b>) -> Analyzer<'b>
    where
        'a: 'b,
    {
        let Analyzer {
            src,
            root,
            imports,
            index: _,
            catalog,
            opts,
            classes,
            assigns,
            bean_methods,
            fields,
            parents,
            members,
            methods,
            declared,
            reads,
        } = self;
        let members = members.shorten();
        Analyzer { src, root, imports, index, catalog, opts, classes, assigns, bean_methods, fields, parents, members, methods, declared, reads }
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
        let decl = *self.fields.get(&(body.id(), name))?;
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
        let Some(all) = self.assigns.get(name) else { return Vec::new() };
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
        let class = self.classes.get(name).copied();
        if let Some(c) = class {
            self.note_node(c);
        }
        class
    }

    /// A method of a class declared in this file, by name (the first overload).
    pub fn method_of(&self, class: Node<'a>, name: &str) -> Option<Node<'a>> {
        self.note_name(name);
        let method = self.methods.get(&(class.id(), name)).copied();
        if let Some(m) = method {
            self.note_node(m);
        }
        method
    }

    /// The `@Bean` methods of the file.
    pub fn bean_methods(&self) -> &[Node<'a>] {
        self.note_name(BEANS);
        for m in &self.bean_methods {
            self.note_node(*m);
        }
        &self.bean_methods
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
