//! The file's name tables — classes by name, methods by class, fields by
//! body, assignments by assigned name, `@Bean` methods — each part built the
//! first time it is asked for, from the text where the name occurs (a fast
//! scan) checked against the tree: an analysis of a few members pays for
//! the names they ask about, not for a walk over the whole file.
//!
//! Where several nodes answer, the one a post-order walk of the tree meets
//! last wins (the order these tables were first built in; results depend on it).

use crate::kinds::kinds;
use crate::members::IdMap;
use crate::syntax::{each_in_post_order, named_children, text};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

type ByName<'a> = Rc<HashMap<&'a str, Node<'a>>>;
/// Assignments to one name: (left side, right side).
pub type Assigns<'a> = Rc<Vec<(Node<'a>, Node<'a>)>>;

pub struct Tables<'a> {
    src: &'a str,
    root: Node<'a>,
    classes: OnceCell<HashMap<&'a str, Node<'a>>>,
    /// By class id: its methods by name.
    methods: RefCell<IdMap<ByName<'a>>>,
    /// By body id: its field declarations by declared name.
    fields: RefCell<IdMap<ByName<'a>>>,
    /// By (owner id, name).
    assigns: RefCell<HashMap<(usize, String), Assigns<'a>>>,
    /// By owner id, for owners with syntax errors: every assignment in it by name.
    walked_assigns: RefCell<IdMap<Rc<HashMap<&'a str, Assigns<'a>>>>>,
    beans: OnceCell<Vec<Node<'a>>>,
}

/// Where a post-order walk meets a node: after everything it holds and
/// everything before it.
fn post_order(n: &Node) -> (usize, std::cmp::Reverse<usize>) {
    (n.end_byte(), std::cmp::Reverse(n.start_byte()))
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Where `word` occurs in `src` as a whole word.
fn occurrences<'s>(src: &'s str, word: &'s str) -> impl Iterator<Item = usize> + 's {
    src.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before = src[..i].chars().next_back();
        let after = src[i + word.len()..].chars().next();
        !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
    })
}

impl<'a> Tables<'a> {
    pub fn new(src: &'a str, root: Node<'a>) -> Tables<'a> {
        Tables {
            src,
            root,
            classes: OnceCell::new(),
            methods: RefCell::default(),
            fields: RefCell::default(),
            assigns: RefCell::default(),
            walked_assigns: RefCell::default(),
            beans: OnceCell::new(),
        }
    }

    /// The same tables for a shorter lifetime (what was built is kept).
    pub fn shorten<'b>(self) -> Tables<'b>
    where
        'a: 'b,
    {
        let classes = OnceCell::new();
        if let Some(c) = self.classes.into_inner() {
            let _ = classes.set(c);
        }
        let beans = OnceCell::new();
        if let Some(b) = self.beans.into_inner() {
            let _ = beans.set(b);
        }
        let methods: IdMap<ByName<'b>> = self.methods.into_inner().into_iter().collect();
        let fields: IdMap<ByName<'b>> = self.fields.into_inner().into_iter().collect();
        let assigns: HashMap<(usize, String), Assigns<'b>> = self.assigns.into_inner().into_iter().collect();
        let walked: IdMap<Rc<HashMap<&'b str, Assigns<'b>>>> = self.walked_assigns.into_inner().into_iter().collect();
        Tables {
            src: self.src,
            root: self.root,
            classes,
            methods: RefCell::new(methods),
            fields: RefCell::new(fields),
            assigns: RefCell::new(assigns),
            walked_assigns: RefCell::new(walked),
            beans,
        }
    }

    /// The type declaration (class, interface, enum, record) named `name`.
    pub fn class(&self, name: &str) -> Option<Node<'a>> {
        self.classes.get_or_init(|| self.read_classes()).get(name).copied()
    }

    fn read_classes(&self) -> HashMap<&'a str, Node<'a>> {
        self.class_candidates().into_iter().collect()
    }

    /// Every type declaration with a name, by name, in post-order.
    pub fn class_candidates(&self) -> Vec<(&'a str, Node<'a>)> {
        let k = kinds();
        let mut found: Vec<(&'a str, Node<'a>)> = Vec::new();
        for keyword in ["class", "interface", "enum", "record"] {
            for at in occurrences(self.src, keyword) {
                let Some(token) = self.root.descendant_for_byte_range(at, at + keyword.len()) else { continue };
                if token.kind() != keyword || token.start_byte() != at {
                    continue;
                }
                let Some(decl) = token.parent().filter(|d| k.is_type_declaration(d.kind_id())) else { continue };
                if let Some(name) = decl.child_by_field_id(field!("name")) {
                    found.push((text(name, self.src), decl));
                }
            }
        }
        found.sort_by_key(|(_, d)| post_order(d));
        found.dedup_by_key(|(_, d)| d.id());
        found
    }

    /// The method of `class` named `name`: among the class's grandchildren
    /// (the members of its body), the last of that name.
    pub fn method(&self, class: Node<'a>, name: &str) -> Option<Node<'a>> {
        if let Some(found) = self.methods.borrow().get(&class.id()) {
            return found.get(name).copied();
        }
        let k = kinds();
        let mut by_name = HashMap::new();
        for child in named_children(class) {
            for m in named_children(child) {
                if let Some(n) = m.child_by_field_id(field!("name")).filter(|_| m.kind_id() == k.method_declaration) {
                    by_name.insert(text(n, self.src), m);
                }
            }
        }
        let found = by_name.get(name).copied();
        self.methods.borrow_mut().insert(class.id(), Rc::new(by_name));
        found
    }

    /// The field declaration of `body` (a class, interface or enum body)
    /// declaring `name`: the last declaration of it, the first declarator
    /// within one (an enum's fields sit in its body declarations).
    pub fn field(&self, body: Node<'a>, name: &str) -> Option<Node<'a>> {
        if let Some(found) = self.fields.borrow().get(&body.id()) {
            return found.get(name).copied();
        }
        let k = kinds();
        let mut by_name = HashMap::new();
        let mut add = |decl: Node<'a>| {
            if decl.kind_id() != k.field_declaration && decl.kind_id() != k.constant_declaration {
                return;
            }
            let mut cursor = decl.walk();
            let declarators: Vec<Node<'a>> = decl.children_by_field_name("declarator", &mut cursor).collect();
            for d in declarators.into_iter().rev() {
                if let Some(n) = d.child_by_field_id(field!("name")) {
                    by_name.insert(text(n, self.src), decl);
                }
            }
        };
        for child in named_children(body) {
            if child.kind_id() == k.enum_body_declarations {
                named_children(child).into_iter().for_each(&mut add);
            } else {
                add(child);
            }
        }
        let found = by_name.get(name).copied();
        self.fields.borrow_mut().insert(body.id(), Rc::new(by_name));
        found
    }

    /// Every assignment to `name` (`name = …`, `this.name = …`, compound
    /// ones too) whose left side lies within `owner`, the last a post-order
    /// walk meets first. Every occurrence of the name there is checked in
    /// the tree: what follows it in the text says little in a tree with
    /// syntax errors.
    pub fn assigns(&self, name: &str, owner: Node<'a>) -> Assigns<'a> {
        if owner.has_error() {
            // Error recovery can leave wide flat nodes, where finding each
            // occurrence in the tree costs a scan of them: one walk instead.
            return self.walked_assigns(owner).get(name).cloned().unwrap_or_default();
        }
        let key = (owner.id(), name.to_string());
        if let Some(found) = self.assigns.borrow().get(&key) {
            return found.clone();
        }
        let k = kinds();
        let mut found: Vec<(Node<'a>, Node<'a>, Node<'a>)> = Vec::new();
        let within = &self.src[owner.byte_range()];
        for at in occurrences(within, name).map(|at| at + owner.start_byte()) {
            let Some(id) = owner.named_descendant_for_byte_range(at, at + name.len()) else { continue };
            if id.kind_id() != k.identifier || id.start_byte() != at || id.end_byte() != at + name.len() {
                continue;
            }
            let Some(parent) = id.parent() else { continue };
            let (left, assignment) = if parent.kind_id() == k.assignment_expression {
                (id, parent)
            } else if parent.kind_id() == k.field_access
                && parent.child_by_field_id(field!("field")) == Some(id)
                && parent.child_by_field_id(field!("object")).is_some_and(|o| o.kind_id() == k.this)
            {
                match parent.parent().filter(|a| a.kind_id() == k.assignment_expression) {
                    Some(a) => (parent, a),
                    None => continue,
                }
            } else {
                continue;
            };
            let (Some(l), Some(right)) = (assignment.child_by_field_id(field!("left")), assignment.child_by_field_id(field!("right"))) else {
                continue;
            };
            if l == left && left.end_byte() <= owner.end_byte() {
                found.push((left, right, assignment));
            }
        }
        found.sort_by_key(|(_, _, a)| std::cmp::Reverse(post_order(a)));
        let found: Assigns<'a> = Rc::new(found.into_iter().map(|(l, r, _)| (l, r)).collect());
        self.assigns.borrow_mut().insert(key, found.clone());
        found
    }

    /// Every assignment in `owner` by assigned name (what [`Tables::assigns`]
    /// finds, found by one walk).
    fn walked_assigns(&self, owner: Node<'a>) -> Rc<HashMap<&'a str, Assigns<'a>>> {
        if let Some(found) = self.walked_assigns.borrow().get(&owner.id()) {
            return found.clone();
        }
        let k = kinds();
        let mut by_name: HashMap<&'a str, Vec<(Node<'a>, Node<'a>)>> = HashMap::new();
        each_in_post_order(owner, |n, _| {
            if n.kind_id() != k.assignment_expression {
                return;
            }
            let (Some(left), Some(right)) = (n.child_by_field_id(field!("left")), n.child_by_field_id(field!("right"))) else { return };
            let name = if left.kind_id() == k.identifier {
                Some(left)
            } else if left.kind_id() == k.field_access && left.child_by_field_id(field!("object")).is_some_and(|o| o.kind_id() == k.this) {
                left.child_by_field_id(field!("field"))
            } else {
                None
            };
            if let Some(name) = name {
                by_name.entry(text(name, self.src)).or_default().push((left, right));
            }
        });
        let found: Rc<HashMap<&'a str, Assigns<'a>>> = Rc::new(
            by_name
                .into_iter()
                .map(|(name, mut list)| {
                    list.reverse();
                    (name, Rc::new(list))
                })
                .collect(),
        );
        self.walked_assigns.borrow_mut().insert(owner.id(), found.clone());
        found
    }

    /// The methods annotated `@Bean`, the last a post-order walk meets first.
    pub fn beans(&self, is_bean: impl Fn(Node<'a>) -> bool) -> &[Node<'a>] {
        self.beans.get_or_init(|| {
            let k = kinds();
            let mut found: Vec<Node<'a>> = Vec::new();
            for at in occurrences(self.src, "Bean") {
                let mut n = self.root.named_descendant_for_byte_range(at, at + "Bean".len());
                while let Some(p) =
                    n.filter(|p| matches!(p.kind(), "identifier" | "scoped_identifier" | "annotation" | "marker_annotation" | "modifiers"))
                {
                    n = p.parent();
                }
                if let Some(m) = n.filter(|m| m.kind_id() == k.method_declaration && is_bean(*m)) {
                    found.push(m);
                }
            }
            found.sort_by_key(|m| std::cmp::Reverse(post_order(m)));
            found.dedup_by_key(|m| m.id());
            found
        })
    }
}
