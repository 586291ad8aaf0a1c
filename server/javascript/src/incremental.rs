//! A file's calls statement by statement, and reuse of the previous analysis
//! of the same document after an edit.
//!
//! The calls of each top-level statement (a function, a class with its
//! methods, an `export`, any other statement) are classified on their own,
//! recording what they produced and which names evaluation looked up in the
//! file's name tables — bindings, calls by callee, `new`s by class
//! ([`Ctx::take_reads`], memoised results' included) — and which names each
//! statement provides to those tables for the others (bindings visible
//! outside it, every assignment, call and `new`). Every value a statement's
//! calls read outside it is reached through such a name.
//!
//! After an edit, a top-level statement whose text did not change keeps its
//! previous calls, findings and scopes (spans shifted) when:
//! - it starts a line, in the old text and the new, with the same syntax
//!   kind, and has no syntax error in either tree,
//! - no name it looked up is provided by a statement that changed, was
//!   added or was removed (in the old text or the new),
//! - the project index (generation), the options, the catalog, the module
//!   path and whether the file imports an SDK are the same,
//! - neither analysis depended on evaluation order (a cycle, a depth or step
//!   limit; see [`Ctx::order_sensitive`]).
//!
//! Anything else is classified again; when the order did matter, the whole
//! file is analysed afresh. The result is always what a fresh analysis of
//! the same text gives (the property tests compare the two).
//!
//! A range analysis (an editor's viewport) classifies only the statements
//! overlapping the range, reusing unchanged ones from the snapshot without
//! consuming it.

use crate::calls::CallFinder;
use crate::decls::Decls;
use crate::eval::{dep_hash, Ctx, Space};
use crate::scopes::code_scopes;
use iamlens_engine::model::{shift_results, CodeScope, Finding, SdkCall};
use std::collections::HashSet;
use tree_sitter::Node;

/// Evaluation steps past which a snapshot is not kept: reuse skips steps a
/// fresh analysis would take, so it must stay far from the step limit.
pub const REUSE_STEP_LIMIT: u64 = 200_000;

/// What the last analysis of a document left for the next one.
#[derive(Debug)]
pub struct Snapshot {
    text: String,
    key: SnapshotKey,
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
    pub module_path: std::path::PathBuf,
    pub imports_sdk: bool,
}

/// What one top-level statement produced.
#[derive(Debug, Clone)]
pub struct StmtRecord {
    start_byte: usize,
    end_byte: usize,
    start_row: usize,
    kind_id: u16,
    /// Starts a line and parsed cleanly: its output may be reused.
    reusable: bool,
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    pub scopes: Vec<CodeScope>,
    /// Hashes of the names its evaluation looked up.
    reads: Vec<u64>,
    /// Hashes of the names it provides to the file's name tables.
    provides: Vec<u64>,
    /// Evaluation steps its classification took.
    steps: u64,
}

/// The statements of one analysis, and whether its result is exact.
pub struct Classified {
    pub stmts: Vec<StmtRecord>,
    /// False when evaluation order mattered (then a fresh analysis is needed).
    pub exact: bool,
    /// How many statements were taken from the previous analysis.
    pub reused: usize,
}

impl Snapshot {
    pub fn new(text: &str, key: SnapshotKey, classified: Classified) -> Option<Snapshot> {
        let steps: u64 = classified.stmts.iter().map(|s| s.steps).sum();
        (classified.exact && steps < REUSE_STEP_LIMIT).then(|| Snapshot { text: text.to_string(), key, stmts: classified.stmts })
    }
}

/// Classify the calls of the top-level statements of `root` (only those
/// overlapping `only`, when given), reusing what `prev` says still holds.
pub fn classify_statements<'t>(
    ctx: &Ctx<'t, '_>,
    finder: &mut CallFinder<'_, 't, '_>,
    key: &SnapshotKey,
    prev: Option<&Snapshot>,
    only: Option<std::ops::Range<usize>>,
) -> Classified {
    let stmts = crate::syntax::named_children(ctx.root);
    let provided = Provided::of(&ctx.decls, &stmts);
    let prev = prev.filter(|p| p.key == *key);
    let plan = prev.map(|p| Plan::new(p, &stmts, &provided, ctx.src));
    let mut out = Vec::with_capacity(stmts.len());
    let mut reused = 0;
    let mut reused_steps = 0;
    for (i, stmt) in stmts.iter().enumerate() {
        if let Some(range) = &only {
            if stmt.end_byte() < range.start || stmt.start_byte() > range.end {
                continue;
            }
        }
        if let (Some(plan), Some(prev)) = (&plan, prev) {
            if let Some(old) = plan.reusable(i, prev) {
                reused += 1;
                reused_steps += old.steps;
                #[cfg(test)]
                REUSED.with(|n| n.set(n.get() + 1));
                let mut rec = shifted(old, *stmt);
                rec.provides = provided.by_stmt[i].clone();
                out.push(rec);
                continue;
            }
        }
        let mut rec = match &only {
            // Only the calls in range: the statement's record is not kept.
            Some(range) => classify_range(ctx, finder, *stmt, range),
            None => classify(ctx, finder, *stmt),
        };
        rec.provides = provided.by_stmt[i].clone();
        out.push(rec);
    }
    // Reuse skipped the steps those statements took: stay far from the limit.
    let exact = !ctx.order_sensitive() && (reused == 0 || u64::from(ctx.steps()) + reused_steps < REUSE_STEP_LIMIT);
    Classified { stmts: out, exact, reused }
}

/// Classify one statement's calls afresh.
fn classify<'t>(ctx: &Ctx<'t, '_>, finder: &mut CallFinder<'_, 't, '_>, stmt: Node<'t>) -> StmtRecord {
    classify_with(ctx, finder, stmt, |finder| finder.run_in(stmt))
}

/// Classify the calls of one statement that overlap `range` (a statement left
/// with a syntax error can run to the end of the file).
fn classify_range<'t>(ctx: &Ctx<'t, '_>, finder: &mut CallFinder<'_, 't, '_>, stmt: Node<'t>, range: &std::ops::Range<usize>) -> StmtRecord {
    classify_with(ctx, finder, stmt, |finder| finder.run_in_range(stmt, range))
}

fn classify_with<'t, 'f, 'c>(
    ctx: &Ctx<'t, '_>,
    finder: &'f mut CallFinder<'c, 't, '_>,
    stmt: Node<'t>,
    run: impl FnOnce(&mut CallFinder<'c, 't, '_>),
) -> StmtRecord {
    ctx.take_reads();
    let steps = ctx.steps();
    let (calls, findings) = (finder.found.calls.len(), finder.found.findings.len());
    run(finder);
    let found = &mut finder.found;
    let defs = found.defs.split_off(calls);
    StmtRecord {
        start_byte: stmt.start_byte(),
        end_byte: stmt.end_byte(),
        start_row: stmt.start_position().row,
        kind_id: stmt.kind_id(),
        reusable: stmt.start_position().column == 0 && !stmt.has_error(),
        calls: found.calls.split_off(calls),
        findings: found.findings.split_off(findings),
        scopes: code_scopes(&defs),
        reads: ctx.take_reads(),
        provides: Vec::new(),
        steps: u64::from(ctx.steps() - steps),
    }
}

/// The names each top-level statement provides to the file's name tables.
struct Provided {
    by_stmt: Vec<Vec<u64>>,
    /// Names from nodes outside every statement: always taken as changed.
    unplaced: Vec<u64>,
}

impl Provided {
    fn of(decls: &Decls, stmts: &[Node]) -> Provided {
        let mut out = Provided { by_stmt: vec![Vec::new(); stmts.len()], unplaced: Vec::new() };
        let starts: Vec<usize> = stmts.iter().map(|s| s.start_byte()).collect();
        let stmt_of = |at: usize| -> Option<usize> {
            let i = starts.partition_point(|&s| s <= at).checked_sub(1)?;
            (at < stmts[i].end_byte()).then_some(i)
        };
        let mut add = |at: usize, hash: u64, local_to: Option<(usize, usize)>| match stmt_of(at) {
            // A binding whose scope lies within its statement is invisible to the others.
            Some(i) if local_to.is_some_and(|(s, e)| stmts[i].start_byte() <= s && e <= stmts[i].end_byte()) => {}
            Some(i) => out.by_stmt[i].push(hash),
            None => out.unplaced.push(hash),
        };
        for (name, list) in &decls.names {
            for decl in list {
                add(decl.at, dep_hash(Space::Binding, name), Some(decl.scope));
            }
        }
        for (space, table) in [(Space::Binding, &decls.assigned), (Space::Call, &decls.calls_of), (Space::New, &decls.news_of)] {
            for (name, nodes) in table {
                for node in nodes {
                    add(node.start_byte(), dep_hash(space, name), None);
                }
            }
        }
        for names in &mut out.by_stmt {
            names.sort_unstable();
            names.dedup();
        }
        out
    }
}

/// Which previous statements the new ones are, and the names the edit touched.
struct Plan {
    /// For each new top-level statement, the previous one with the same text at the same place.
    old_of: Vec<Option<usize>>,
    /// The names provided by the statements that changed, appeared or went away.
    touched: HashSet<u64>,
}

impl Plan {
    fn new(prev: &Snapshot, stmts: &[Node], provided: &Provided, src: &str) -> Plan {
        let (old, new) = (prev.text.as_str(), src);
        let prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
        let room = old.len().min(new.len()) - prefix;
        let suffix = old.bytes().rev().zip(new.bytes().rev()).take(room).take_while(|(a, b)| a == b).count();
        let (old_tail, new_tail) = (old.len() - suffix, new.len() - suffix);
        let mut touched: HashSet<u64> = provided.unplaced.iter().copied().collect();
        let mut matched = vec![false; prev.stmts.len()];
        let mut old_of = Vec::with_capacity(stmts.len());
        for (i, stmt) in stmts.iter().enumerate() {
            let (start, end) = (stmt.start_byte(), stmt.end_byte());
            let old_place = if end <= prefix {
                Some((start, end))
            } else if start >= new_tail {
                Some((start - new_tail + old_tail, end - new_tail + old_tail))
            } else {
                None
            };
            // Columns are reused as they were: only a statement starting a line in both texts.
            let placeable = stmt.start_position().column == 0 && !stmt.has_error();
            let found = old_place.filter(|_| placeable).and_then(|(s, e)| {
                let at = prev.stmts.binary_search_by_key(&s, |r| r.start_byte).ok()?;
                let rec = &prev.stmts[at];
                (rec.end_byte == e && rec.kind_id == stmt.kind_id()).then_some(at)
            });
            match found {
                Some(at) => matched[at] = true,
                None => touched.extend(&provided.by_stmt[i]),
            }
            old_of.push(found);
        }
        for (rec, _) in prev.stmts.iter().zip(&matched).filter(|(_, m)| !**m) {
            touched.extend(&rec.provides);
        }
        Plan { old_of, touched }
    }

    /// The previous record of new statement `i`, when its results still hold.
    fn reusable<'p>(&self, i: usize, prev: &'p Snapshot) -> Option<&'p StmtRecord> {
        let old = &prev.stmts[self.old_of[i]?];
        (old.reusable && !old.reads.iter().any(|r| self.touched.contains(r))).then_some(old)
    }
}

/// A copy of `old`'s results moved to where `stmt` now is.
fn shifted(old: &StmtRecord, stmt: Node) -> StmtRecord {
    let bytes = stmt.start_byte() as isize - old.start_byte as isize;
    let rows = stmt.start_position().row as isize - old.start_row as isize;
    let mut rec = old.clone();
    rec.start_byte = stmt.start_byte();
    rec.end_byte = stmt.end_byte();
    rec.start_row = stmt.start_position().row;
    shift_results(&mut rec.calls, &mut rec.findings, &mut rec.scopes, bytes, rows);
    rec
}

#[cfg(test)]
thread_local! {
    /// Statements taken from a previous analysis on this thread (tests count reuse with it).
    pub static REUSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}
