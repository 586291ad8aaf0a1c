//! The statement passes of a file's analysis, and reuse of the previous
//! analysis of the same document after an edit.
//!
//! A file is analysed in two passes: the module-level bindings first (so
//! functions see clients defined anywhere in the module), then every
//! statement in source order, classifying calls. The second pass records what
//! each top-level statement produced and which other definitions' facts
//! (what a function returns, what a class assigns to `self`) it used.
//!
//! After an edit, a top-level `def`/`class` whose text did not change keeps its
//! previous calls, findings and scopes (spans shifted) when:
//! - it names no module-level binding that changed after the first pass
//!   (bound to something else, with definition offsets mapped across the
//!   edit, added or removed: a definition pasted or deleted elsewhere costs
//!   only the definitions that name it),
//! - every module-level statement that is not a definition is unchanged,
//! - none of the definitions it used facts of, directly or through others,
//!   changed or names a changed binding,
//! - the project index, the options and the catalog are the same,
//! - it has no syntax error in either tree, and the previous result did not
//!   depend on evaluation order.
//!
//! Anything else is walked again. The result is always what a fresh analysis
//! of the same text would give (the property tests compare the two).
//!
//! A range analysis (an editor's viewport) runs the same passes but walks in
//! the second only the top-level statements overlapping the range, reusing
//! unchanged definitions from the remembered snapshot without consuming it.
//!
//! Above the walker and `calls`; below `document`, which keeps the snapshot.

use super::analyzer::{Analyzer, NO_OWNER};
use super::scope::{Env, ScopeEntry};
use super::symbols::Sym;
use super::syntax;
use super::walker::Mode;
use iamlens_engine::model::{shift_results, CodeScope, FileAnalysis, Finding, Position, ScopeKind, SdkCall, Span};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// The previous analysis offered to [`walk_file`]: owned (its records move
/// into the new result) or borrowed (the records reused are copied; a range
/// analysis leaves the snapshot for the next whole-file analysis).
pub enum Prev<'s> {
    Owned(Snapshot),
    Borrowed(&'s Snapshot),
}

impl Prev<'_> {
    fn snapshot(&self) -> &Snapshot {
        match self {
            Prev::Owned(s) => s,
            Prev::Borrowed(s) => s,
        }
    }
}

/// What the last analysis of a document left for the next one.
#[derive(Debug, Clone)]
pub struct Snapshot {
    text: String,
    key: SnapshotKey,
    /// Module-level bindings after the first pass.
    module_env: HashMap<String, Sym>,
    /// Every top-level statement, in source order.
    stmts: Vec<StmtRecord>,
}

/// The inputs besides the text that an analysis depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotKey {
    pub index_generation: u64,
    pub service_hints: Vec<String>,
    /// Address of the catalog (catalogs live for the whole process or test).
    pub catalog: usize,
    /// Whether the file imports an AWS SDK: an edit to an import line changes
    /// how every unresolved receiver of the file is read.
    pub imports_sdk: bool,
}

#[derive(Debug, Clone)]
struct StmtRecord {
    start_byte: usize,
    end_byte: usize,
    start_row: usize,
    kind_id: u16,
    /// A `def`/`class` (decorated or not).
    is_def: bool,
    /// A definition starting at column 0: its output may be reused.
    reusable: bool,
    /// It did not parse cleanly: the same text can parse differently in
    /// another context, so what others took from it cannot be trusted.
    has_error: bool,
    calls: Vec<SdkCall>,
    findings: Vec<Finding>,
    scopes: Vec<CodeScope>,
    /// It produced a call at module level or inside it (the module scope has calls).
    module_has_calls: bool,
    /// Indices (in `stmts`) of the statements whose facts it used, transitively.
    deps: Vec<usize>,
}

/// Both passes over a file known to be AWS code. Returns the analysis and,
/// when parts of it may be reused after an edit, a snapshot for next time.
/// `record: false` skips building the snapshot (a document analysed once).
///
/// With `only`, the second pass walks just the top-level statements that
/// overlap that byte range (and the module-level code before it, whose
/// bindings they see); definitions outside it only bind their names, as a
/// reused definition does. The calls of the walked statements are then what
/// a whole-file walk gives them, unless the walk was order-sensitive (see
/// [`Analyzer::order_sensitive`]), which the caller checks.
pub fn walk_file<'a>(
    an: Analyzer<'a>,
    root: Node<'a>,
    key: SnapshotKey,
    prev: Option<Prev<'_>>,
    record: bool,
    only: Option<std::ops::Range<usize>>,
) -> Walked {
    let src = an.src;
    // Pass 1: module-level bindings.
    let mut env = Env::module();
    let mut prepass = Mode { module_prepass: true, ..Mode::default() };
    an.walk_block(root, &mut env, &mut prepass, &mut Vec::new());
    an.reset_memos();

    // With syntax errors too: the tree is then a fresh parse (see
    // `PythonDocument::edit`), and only definitions without errors are reused.
    let cacheable = record;
    let stmts: Vec<Node> = syntax::named_children(root).collect();
    let mut prev = prev.filter(|p| (cacheable || only.is_some()) && p.snapshot().key == key);
    let plan = prev.as_ref().and_then(|p| plan_reuse(p.snapshot(), &an, &stmts, src));

    // Pass 2: everything in source order, classifying calls.
    let mut env = Env::module();
    let module_span = syntax::span(root);
    let start = Span { start_byte: 0, end_byte: 0, start: Position::default(), end: Position::default() };
    let mut scopes = vec![ScopeEntry { kind: ScopeKind::Module, qualname: None, span: module_span, name_span: start, has_calls: false }];
    let mut records: Vec<StmtRecord> = Vec::with_capacity(stmts.len());
    let mut reused_deps: Vec<Option<Vec<usize>>> = Vec::with_capacity(stmts.len());
    let mut module_has_calls = false;
    {
        // The same depth as `walk_block(root)` gives its statements.
        let guard = an.enter();
        let mut plan = plan;
        for (i, stmt) in stmts.iter().enumerate() {
            if let Some(range) = &only {
                if stmt.start_byte() > range.end {
                    break; // Later statements cannot change what earlier ones bind.
                }
                if stmt.end_byte() < range.start && is_definition(stmt.kind()) {
                    bind_definition_name(&an, *stmt, &mut env);
                    continue;
                }
            }
            let reuse = match (plan.as_mut(), prev.as_mut()) {
                (Some(plan), Some(prev)) => plan.take(i, prev, &stmts, src),
                _ => None,
            };
            if let Some((mut rec, deps)) = reuse {
                #[cfg(test)]
                REUSED.with(|n| n.set(n.get() + 1));
                bind_definition_name(&an, *stmt, &mut env);
                let out = &mut *an.out.borrow_mut();
                if cacheable {
                    // The record stays in the next snapshot: copy its results.
                    out.calls.extend(rec.calls.iter().cloned());
                    out.findings.extend(rec.findings.iter().cloned());
                    out.scopes.extend(rec.scopes.iter().cloned());
                } else {
                    out.calls.append(&mut rec.calls);
                    out.findings.append(&mut rec.findings);
                    out.scopes.append(&mut rec.scopes);
                }
                module_has_calls |= rec.module_has_calls;
                rec.start_byte = stmt.start_byte();
                rec.end_byte = stmt.end_byte();
                rec.start_row = stmt.start_position().row;
                records.push(rec);
                reused_deps.push(Some(deps));
                continue;
            }
            let before = {
                let out = an.out.borrow();
                (out.calls.len(), out.findings.len(), out.scopes.len())
            };
            if let Some(module) = scopes.first_mut() {
                module.has_calls = false;
            }
            an.owner.set(stmt.start_byte());
            if guard.is_some() {
                an.walk_stmt(*stmt, &mut env, &mut Mode { emit: true, ..Mode::default() }, &mut scopes);
            } else {
                an.scan_expr(*stmt, &env, &mut scopes);
            }
            an.owner.set(NO_OWNER);
            let stmt_has_calls = scopes.first().is_some_and(|s| s.has_calls);
            module_has_calls |= stmt_has_calls;
            let out = an.out.borrow();
            let position = stmt.start_position();
            let is_def = is_definition(stmt.kind());
            let reusable = is_def && position.column == 0 && !stmt.has_error();
            records.push(StmtRecord {
                start_byte: stmt.start_byte(),
                end_byte: stmt.end_byte(),
                start_row: position.row,
                kind_id: stmt.kind_id(),
                is_def,
                reusable,
                has_error: stmt.has_error(),
                calls: if cacheable { out.calls[before.0..].to_vec() } else { Vec::new() },
                findings: if cacheable { out.findings[before.1..].to_vec() } else { Vec::new() },
                scopes: if cacheable { out.scopes[before.2..].to_vec() } else { Vec::new() },
                module_has_calls: stmt_has_calls,
                deps: Vec::new(),
            });
            reused_deps.push(None);
        }
    }

    let snapshot = (cacheable && !an.order_sensitive.get()).then(|| {
        let deps = dependencies(&an.fact_reads.borrow(), &records, reused_deps);
        for (rec, d) in records.iter_mut().zip(deps) {
            rec.deps = d;
        }
        let module_env = an.module_env.borrow().iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        Snapshot { text: src.to_string(), key, module_env, stmts: records }
    });

    let order_sensitive = an.order_sensitive.get();
    let imports_sdk = an.imports_sdk;
    let mut out = an.out.into_inner();
    if module_has_calls {
        out.scopes.push(CodeScope { kind: ScopeKind::Module, name: None, span: module_span, name_span: start });
    }
    out.scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    out.calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    if root.has_error() {
        out.findings.extend(syntax::syntax_errors(root));
    }
    out.findings.sort_by_key(|f| f.span.start_byte);
    // A file read only for calls that look like AWS calls is not AWS code.
    let imports_aws_sdk = imports_sdk || !out.calls.is_empty();
    let analysis = FileAnalysis { imports_aws_sdk, calls: out.calls, findings: out.findings, scopes: out.scopes };
    Walked { analysis, snapshot, order_sensitive }
}

/// What [`walk_file`] gives.
pub struct Walked {
    pub analysis: FileAnalysis,
    /// For the next analysis of the same document, when parts may be reused.
    pub snapshot: Option<Snapshot>,
    /// The result depended on the order definitions were evaluated in.
    pub order_sensitive: bool,
}

#[cfg(test)]
thread_local! {
    /// Top-level statements whose previous results were reused, on this thread.
    pub static REUSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The binding a walk of a top-level definition makes (its name), without walking it.
fn bind_definition_name<'a>(an: &Analyzer<'a>, stmt: Node<'a>, env: &mut Env<'a>) {
    use syntax::FieldExt;
    let def = if stmt.kind() == "decorated_definition" { stmt.field("definition") } else { Some(stmt) };
    let Some(def) = def else { return };
    let Some(name) = def.field("name") else { return };
    let sym = match def.kind() {
        "function_definition" => Sym::Function(def.start_byte()),
        "class_definition" => Sym::Class(def.start_byte()),
        _ => return,
    };
    env.set(syntax::text(name, an.src), sym);
}

/// Which top-level statements' previous results can be reused for this tree.
/// Whether a statement names a changed module-level binding is found out
/// only for the statements asked about (and what they depend on): a range
/// analysis looks at a few.
struct ReusePlan {
    /// Per new statement: the index of its previous record and the new
    /// indices of the statements it depends on, if its text and theirs are unchanged.
    candidates: Vec<Option<(usize, Vec<usize>)>>,
    /// Per new statement: its text is unchanged and parses without errors, before and now.
    matched: Vec<bool>,
    /// Per new statement, once known: unchanged and naming no changed binding.
    clean: Vec<Option<bool>>,
    /// Module-level names bound differently than before, added or removed.
    changed_names: HashSet<String>,
}

impl ReusePlan {
    /// The previous record for new statement `i` (spans moved to `stmt`), and its deps.
    fn take(&mut self, i: usize, prev: &mut Prev<'_>, stmts: &[Node], src: &str) -> Option<(StmtRecord, Vec<usize>)> {
        let (j, deps) = self.candidates.get_mut(i).and_then(Option::take)?;
        // It and everything it took facts from, directly or not, must stand.
        if !self.is_clean(i, stmts, src) || !deps.iter().all(|&d| self.is_clean(d, stmts, src)) {
            return None;
        }
        let stmt = stmts[i];
        let mut rec = match prev {
            Prev::Owned(snapshot) => std::mem::replace(&mut snapshot.stmts[j], placeholder()),
            Prev::Borrowed(snapshot) => snapshot.stmts[j].clone(),
        };
        let byte_delta = stmt.start_byte() as isize - rec.start_byte as isize;
        let row_delta = stmt.start_position().row as isize - rec.start_row as isize;
        if byte_delta != 0 || row_delta != 0 {
            shift_record(&mut rec, byte_delta, row_delta);
        }
        Some((rec, deps))
    }

    fn is_clean(&mut self, n: usize, stmts: &[Node], src: &str) -> bool {
        if let Some(known) = self.clean[n] {
            return known;
        }
        let clean = self.matched[n] && !mentions_any(stmts[n], src, &self.changed_names);
        self.clean[n] = Some(clean);
        clean
    }
}

/// Where the text changed: bytes `[prefix, old_len - suffix)` of the old text
/// became `[prefix, new_len - suffix)` of the new one.
struct TextChange {
    prefix: usize,
    old_suffix_start: usize,
    new_suffix_start: usize,
}

impl TextChange {
    fn between(old: &str, new: &str) -> TextChange {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let max_suffix = a.len().min(b.len()) - prefix;
        let suffix = a.iter().rev().zip(b.iter().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
        TextChange { prefix, old_suffix_start: a.len() - suffix, new_suffix_start: b.len() - suffix }
    }

    /// The old offset of new offset `o`, if it is outside the changed region.
    fn new_to_old(&self, o: usize) -> Option<usize> {
        if o < self.prefix {
            Some(o)
        } else if o >= self.new_suffix_start {
            Some(o - self.new_suffix_start + self.old_suffix_start)
        } else {
            None
        }
    }

    /// The old range of the new range `[start, end)`, if the text in it did not change.
    fn unchanged_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if end <= self.prefix {
            Some((start, end))
        } else if start >= self.new_suffix_start {
            let old_start = start - self.new_suffix_start + self.old_suffix_start;
            Some((old_start, old_start + (end - start)))
        } else {
            None
        }
    }
}

fn plan_reuse(prev: &Snapshot, an: &Analyzer, stmts: &[Node], src: &str) -> Option<ReusePlan> {
    let change = TextChange::between(&prev.text, src);
    // Module-level names bound differently (up to definitions moving), added or removed.
    let changed_names: HashSet<String> = {
        let env = an.module_env.borrow();
        let mut changed: HashSet<String> = env
            .iter()
            .filter(|(name, sym)| match prev.module_env.get(**name) {
                Some(old) => map_offsets(sym, &|o| change.new_to_old(o)).as_ref() != Some(old),
                None => true,
            })
            .map(|(name, _)| name.to_string())
            .collect();
        changed.extend(prev.module_env.keys().filter(|name| !env.contains_key(name.as_str())).cloned());
        changed
    };
    // Match statements by unchanged text at the same (mapped) place.
    let mut old_to_new: Vec<Option<usize>> = vec![None; prev.stmts.len()];
    let mut new_to_old: Vec<Option<usize>> = vec![None; stmts.len()];
    for (i, stmt) in stmts.iter().enumerate() {
        let Some((start, end)) = change.unchanged_range(stmt.start_byte(), stmt.end_byte()) else { continue };
        let Ok(j) = prev.stmts.binary_search_by_key(&start, |r| r.start_byte) else { continue };
        let r = &prev.stmts[j];
        if r.end_byte == end && r.kind_id == stmt.kind_id() {
            old_to_new[j] = Some(i);
            new_to_old[i] = Some(j);
        }
    }
    // A changed, added or removed module-level statement that is not a definition: walk everything.
    if stmts.iter().zip(&new_to_old).any(|(s, m)| m.is_none() && !is_definition(s.kind())) {
        return None;
    }
    if prev.stmts.iter().zip(&old_to_new).any(|(r, m)| m.is_none() && !r.is_def) {
        return None;
    }
    let mut candidates: Vec<Option<(usize, Vec<usize>)>> = (0..stmts.len()).map(|_| None).collect();
    for (i, stmt) in stmts.iter().enumerate() {
        let Some(j) = new_to_old[i] else { continue };
        let r = &prev.stmts[j];
        if !r.reusable || stmt.start_position().column != 0 || stmt.has_error() {
            continue;
        }
        let deps: Option<Vec<usize>> = r.deps.iter().map(|&d| old_to_new[d]).collect();
        let Some(deps) = deps else { continue };
        candidates[i] = Some((j, deps));
    }
    // Same text, and no syntax error in either tree (an error's recovery
    // depends on the text around it).
    let matched = stmts.iter().zip(&new_to_old).map(|(s, m)| m.is_some_and(|j| !prev.stmts[j].has_error) && !s.has_error()).collect();
    Some(ReusePlan { candidates, matched, clean: vec![None; stmts.len()], changed_names })
}

/// Whether any leaf of `node` (identifiers, and conservatively every other
/// named token) spells one of `names`.
fn mentions_any(node: Node, src: &str, names: &HashSet<String>) -> bool {
    let Some(shortest) = names.iter().map(String::len).min() else { return false };
    let longest = names.iter().map(String::len).max().unwrap_or(0);
    let mut cursor = node.walk();
    loop {
        let n = cursor.node();
        let len = n.end_byte() - n.start_byte();
        if n.child_count() == 0 && (shortest..=longest).contains(&len) && src.get(n.byte_range()).is_some_and(|t| names.contains(t)) {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

fn is_definition(kind: &str) -> bool {
    matches!(kind, "function_definition" | "class_definition" | "decorated_definition")
}

fn placeholder() -> StmtRecord {
    StmtRecord {
        start_byte: 0,
        end_byte: 0,
        start_row: 0,
        kind_id: 0,
        is_def: false,
        reusable: false,
        has_error: false,
        calls: Vec::new(),
        findings: Vec::new(),
        scopes: Vec::new(),
        module_has_calls: false,
        deps: Vec::new(),
    }
}

/// Move a top-level definition's results with it. The definition starts at
/// column 0 before and after, so columns inside it do not change.
fn shift_record(rec: &mut StmtRecord, bytes: isize, rows: isize) {
    shift_results(&mut rec.calls, &mut rec.findings, &mut rec.scopes, bytes, rows);
}

/// `sym` with every definition offset in it mapped by `f`; `None` if one does not map.
fn map_offsets(sym: &Sym, f: &dyn Fn(usize) -> Option<usize>) -> Option<Sym> {
    Some(match sym {
        Sym::Function(o) => Sym::Function(f(*o)?),
        Sym::Class(o) => Sym::Class(f(*o)?),
        Sym::Instance(o) => Sym::Instance(f(*o)?),
        Sym::SelfOf(o) => Sym::SelfOf(f(*o)?),
        Sym::Meta(inner) => Sym::Meta(Box::new(map_offsets(inner, f)?)),
        Sym::TypeOf(inner) => Sym::TypeOf(Box::new(map_offsets(inner, f)?)),
        Sym::External(inner) => Sym::External(Box::new(map_offsets(inner, f)?)),
        other => other.clone(),
    })
}

/// For every statement, the statements whose facts it used, transitively.
/// Walked statements get theirs from the reads recorded in this run; reused
/// ones keep what they had (their text and everything they used is unchanged).
fn dependencies(reads: &[(usize, usize)], records: &[StmtRecord], reused: Vec<Option<Vec<usize>>>) -> Vec<Vec<usize>> {
    let stmt_at = |byte: usize| -> Option<usize> {
        let i = records.partition_point(|r| r.start_byte <= byte).checked_sub(1)?;
        (byte < records[i].end_byte).then_some(i)
    };
    let mut direct: Vec<Vec<usize>> = reused.into_iter().map(Option::unwrap_or_default).collect();
    for &(owner, read) in reads {
        if let (Some(a), Some(b)) = (stmt_at(owner), stmt_at(read)) {
            if a != b && !direct[a].contains(&b) {
                direct[a].push(b);
            }
        }
    }
    let mut closure = Vec::with_capacity(direct.len());
    for start in 0..direct.len() {
        if direct[start].is_empty() {
            closure.push(Vec::new());
            continue;
        }
        let mut seen = vec![false; direct.len()];
        let mut stack = direct[start].clone();
        let mut all = Vec::new();
        while let Some(n) = stack.pop() {
            if n == start || std::mem::replace(&mut seen[n], true) {
                continue;
            }
            all.push(n);
            stack.extend(direct[n].iter().copied());
        }
        all.sort_unstable();
        closure.push(all);
    }
    closure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_change_maps_offsets_around_the_edit() {
        let c = TextChange::between("abcdef", "abXYdef");
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (2, 3, 4));
        assert_eq!(c.new_to_old(1), Some(1));
        assert_eq!(c.new_to_old(3), None);
        assert_eq!(c.new_to_old(4), Some(3));
        assert_eq!(c.unchanged_range(4, 7), Some((3, 6)));
        assert_eq!(c.unchanged_range(1, 5), None);
        // Repeated text: the suffix never overlaps the prefix.
        let c = TextChange::between("aaa", "aaaa");
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (3, 3, 4));
    }
}
