//! The members of a file's top-level types (methods, constructors, fields,
//! nested classes) and, built the first time a node inside one is asked
//! about, each member's parent links and declared names: an analysis that
//! reads a few members (an editor's viewport) pays for those alone.

use crate::kinds::kinds;
use crate::syntax::{each_in_post_order, named_children, text};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use tree_sitter::Node;

/// A map keyed by node id (an address): one multiply to hash it.
pub type IdMap<V> = HashMap<usize, V, BuildHasherDefault<IdHasher>>;

#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    /// The product's high bits are the well-mixed ones; the table indexes by the low ones.
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// Whether an identifier under a node of this kind declares a name (the
/// places `Analyzer::lookup` reads declared names from).
pub fn declares(parent_kind: u16) -> bool {
    let k = kinds();
    [k.variable_declarator, k.formal_parameter, k.enhanced_for_statement, k.resource, k.lambda_expression, k.inferred_parameters]
        .contains(&parent_kind)
}

/// The members of the top-level type declarations of one file.
pub struct Members<'a> {
    src: &'a str,
    /// Each member with the body holding it, in source order.
    list: Vec<(Node<'a>, Node<'a>)>,
    /// Ids of those bodies.
    bodies: Vec<usize>,
    /// Per member, once a node inside it was asked about.
    built: RefCell<Vec<Option<Built<'a>>>>,
}

/// What one member's walk found.
struct Built<'a> {
    /// Each named node's parent, by node id (tree-sitter finds parents by
    /// descending from the root, which is slow in wide class bodies).
    parents: IdMap<Node<'a>>,
    /// Every name declared inside it.
    declared: HashSet<&'a str>,
}

impl<'a> Members<'a> {
    pub fn of(root: Node<'a>, src: &'a str) -> Members<'a> {
        let k = kinds();
        let mut list = Vec::new();
        let mut bodies = Vec::new();
        for top in named_children(root) {
            if !k.is_type_declaration(top.kind_id()) {
                continue;
            }
            if let Some(body) = top.child_by_field_id(field!("body")) {
                bodies.push(body.id());
                list.extend(named_children(body).into_iter().map(|m| (m, body)));
            }
        }
        let built = RefCell::new((0..list.len()).map(|_| None).collect());
        Members { src, list, bodies, built }
    }

    /// The same members, for a shorter lifetime (what was built is kept).
    pub fn shorten<'b>(self) -> Members<'b>
    where
        'a: 'b,
    {
        let built: Vec<Option<Built<'b>>> = self.built.into_inner();
        Members { src: self.src, list: self.list, bodies: self.bodies, built: RefCell::new(built) }
    }

    /// Whether `n` is a body whose children are members.
    pub fn is_body(&self, n: Node<'a>) -> bool {
        self.bodies.contains(&n.id())
    }

    /// The index of the member holding `n` (or being it).
    pub fn holding(&self, n: Node<'a>) -> Option<usize> {
        let i = self.list.partition_point(|(m, _)| m.start_byte() <= n.start_byte()).checked_sub(1)?;
        let m = self.list[i].0;
        (n.end_byte() <= m.end_byte() && (n.start_byte() < m.end_byte() || n.id() == m.id())).then_some(i)
    }

    pub fn node(&self, member: usize) -> Node<'a> {
        self.list[member].0
    }

    /// The parent of a node inside a member (`None`: not known here).
    pub fn parent(&self, n: Node<'a>) -> Option<Node<'a>> {
        let i = self.holding(n)?;
        let (member, body) = self.list[i];
        if member.id() == n.id() {
            return Some(body);
        }
        self.build(i);
        self.built.borrow()[i].as_ref().and_then(|b| b.parents.get(&n.id()).copied())
    }

    /// Whether some declaration inside the member spells `name`.
    pub fn declares(&self, member: usize, name: &str) -> bool {
        self.build(member);
        self.built.borrow()[member].as_ref().is_some_and(|b| b.declared.contains(name))
    }

    fn build(&self, i: usize) {
        if self.built.borrow()[i].is_some() {
            return;
        }
        let k = kinds();
        let mut parents = IdMap::default();
        let mut declared = HashSet::new();
        each_in_post_order(self.list[i].0, |n, ancestors| {
            if let Some(p) = ancestors.last().copied().filter(|_| n.is_named()) {
                parents.insert(n.id(), p);
                if n.kind_id() == k.identifier && declares(p.kind_id()) {
                    declared.insert(text(n, self.src));
                }
            }
        });
        self.built.borrow_mut()[i] = Some(Built { parents, declared });
    }
}
