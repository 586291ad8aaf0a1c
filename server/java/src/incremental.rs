//! Reuse of the previous analysis of the same document after an edit.
//!
//! The unit of reuse is a member of a top-level type declaration (a method,
//! constructor, field, initializer block, nested class, enum constant): a
//! *unit*. Everything else — package, imports, the headers of the type
//! declarations (name, superclass, annotations) and the punctuation between
//! members — is the file's *skeleton*.
//!
//! While the calls of a unit are resolved, the analyzer records what it read
//! outside the call (see [`Reads`]): the names it looked up in the file's
//! tables (fields, methods, classes, assignments, `@Bean` methods), the
//! declarations those gave (and so the units holding them), and the subtrees
//! it searched as a whole. After an edit, a unit keeps its previous calls,
//! findings and code scopes (spans moved with it) when:
//! - its text is unchanged, at the same column, and parses without errors
//!   before and now;
//! - every unit it read is unchanged too;
//! - no name it looked up is answered differently by the file's tables (an
//!   entry under that name added, removed, or moved into the edited text);
//! - the skeleton (up to whitespace between members), the options, the
//!   catalog and the project index's answers to its questions are the same.
//!
//! Anything else is walked again. The result is always what a fresh analysis
//! of the same text gives (the property tests compare the two).
//!
//! Knowing which names' table entries changed takes one walk over the whole
//! file (`Analyzer::table_entries`), which a range analysis (an editor's
//! viewport) avoids: it walks only the nodes overlapping the range, with the
//! file's tables built for the names it asks about, and leaves the snapshot
//! alone.

use crate::analysis::{push_scope, uses_aws};
use crate::analyzer::{Analyzer, Entry, Reads, Table};
use crate::calls::Found;
use crate::kinds::kinds;
use crate::lookups::Lookups;
use crate::syntax::{named_children, syntax_errors};
use iamlens_engine::model::{shift_results, CodeScope, FileAnalysis, Finding, FindingKind, ScopeKind, SdkCall, Span};
use std::collections::HashSet;
use std::ops::Range;
use tree_sitter::Node;

/// What the last whole-file analysis of a document left for the next one.
#[derive(Debug)]
pub struct Snapshot {
    text: String,
    key: SnapshotKey,
    skeleton: String,
    /// The file's table entries, in the coordinates of `text`.
    entries: HashSet<Entry>,
    /// Every unit, in source order.
    units: Vec<UnitRecord>,
    /// The project index's answers the analysis relied on.
    lookups: Lookups,
}

/// The inputs besides the text and the index that an analysis depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotKey {
    pub service_hints: Vec<String>,
    /// Address of the catalog (catalogs live for the whole process or test).
    pub catalog: usize,
}

#[derive(Debug, Clone)]
struct UnitRecord {
    start_byte: usize,
    end_byte: usize,
    start_row: usize,
    start_column: usize,
    kind_id: u16,
    has_error: bool,
    calls: Vec<SdkCall>,
    findings: Vec<Finding>,
    /// The code scopes its calls open that lie within it (its methods and classes).
    scopes: Vec<CodeScope>,
    /// It holds calls (so the type declaration around it is a code scope).
    has_calls: bool,
    /// Indices (in the snapshot's `units`) of the other units its analysis read.
    deps: Vec<usize>,
    /// The names its analysis looked up in the file's tables (sorted, unique).
    names: Vec<String>,
    /// The subtrees its analysis searched as a whole: it stands only while
    /// the same units, unchanged, make them up.
    subtrees: Vec<(usize, usize)>,
}

/// What [`analyze`] gives.
pub struct Analysed {
    pub analysis: FileAnalysis,
    /// For the next analysis of the same document (whole-file analyses that asked for one).
    pub snapshot: Option<Snapshot>,
}

#[cfg(test)]
thread_local! {
    /// Units whose previous results were reused, on this thread.
    pub static REUSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Analyse the file `an` reads, reusing what `prev` holds for unchanged
/// units (copied: the snapshot stays shared with analyses of other versions
/// that may be running). `record`: build a snapshot for next time (the analyzer's index
/// view must then be recording). `only`: just the calls overlapping that byte
/// range (and every syntax error), no scopes, no snapshot.
pub fn analyze(an: Analyzer<'_>, key: SnapshotKey, prev: Option<&Snapshot>, record: bool, only: Option<Range<usize>>) -> Analysed {
    if !uses_aws(&an) {
        return Analysed { analysis: FileAnalysis::default(), snapshot: None };
    }
    let record = record && only.is_none();
    let (root, src) = (an.root, an.src);
    let units = unit_nodes(root);
    let skeleton = skeleton(src, root, &units);
    let prev = prev.filter(|p| p.key == key);
    let entries = if record || prev.is_some() { an.table_entries() } else { Vec::new() };
    let plan = prev.and_then(|p| plan_reuse(p, &an, &skeleton, &units, &entries));
    let reused: Vec<Option<usize>> = match &plan {
        Some(plan) => plan.reuse.clone(),
        None => vec![None; units.len()],
    };

    let overlaps = |start: usize, end: usize| match &only {
        Some(r) => {
            let stop = r.end.max(r.start.saturating_add(1));
            start < stop && r.start < end.max(start.saturating_add(1))
        }
        None => true,
    };
    let skipped: HashSet<usize> = units.iter().zip(&reused).filter(|(_, r)| r.is_some()).map(|(u, _)| u.id()).collect();
    let unit_at = |byte: usize| -> Option<usize> {
        let i = units.partition_point(|u| u.start_byte() <= byte).checked_sub(1)?;
        (byte < units[i].end_byte()).then_some(i)
    };

    // Walk what cannot be reused, each call's results filed under its unit.
    let mut walked: Vec<Walked> = (0..units.len()).map(|_| Walked::default()).collect();
    let mut outside = Walked::default();
    an.record_reads(record);
    an.collect_each(
        |n| overlaps(n.start_byte(), n.end_byte()) && !skipped.contains(&n.id()),
        |node, found, reads| {
            let into = match unit_at(node.start_byte()) {
                Some(i) => &mut walked[i],
                None => &mut outside,
            };
            into.add(found, reads);
        },
    );
    an.record_reads(false);

    let mut calls = std::mem::take(&mut outside.found.calls);
    let mut findings = std::mem::take(&mut outside.found.findings);
    let mut scopes = if only.is_none() { scopes_of(&an, &outside.found.call_nodes) } else { Vec::new() };
    let mut records = Vec::with_capacity(if record { units.len() } else { 0 });
    for (i, unit) in units.iter().enumerate() {
        if let (Some(j), Some(prev), Some(plan)) = (reused[i], prev, plan.as_ref()) {
            if !overlaps(unit.start_byte(), unit.end_byte()) {
                continue;
            }
            #[cfg(test)]
            REUSED.with(|n| n.set(n.get() + 1));
            let mut rec = prev.units[j].clone();
            move_record(&mut rec, *unit);
            rec.subtrees = plan.subtrees[i].clone();
            calls.extend(rec.calls.iter().cloned());
            findings.extend(rec.findings.iter().cloned());
            if only.is_none() {
                scopes.extend(rec.scopes.iter().cloned());
                if rec.has_calls {
                    scopes.extend(scopes_of(&an, &[*unit]).into_iter().filter(|s| s.kind == ScopeKind::Class && !within(&s.span, *unit)));
                }
            }
            if record {
                rec.deps = rec.deps.iter().filter_map(|&d| plan.old_to_new[d]).collect();
                records.push(rec);
            }
            continue;
        }
        let mut w = std::mem::take(&mut walked[i]);
        let unit_scopes = if only.is_none() { scopes_of(&an, &w.found.call_nodes) } else { Vec::new() };
        if record {
            let mut deps: Vec<usize> = w.reads.nodes.iter().filter_map(|&b| unit_at(b)).collect();
            for (start, end) in &w.reads.subtrees {
                let first = units.partition_point(|u| u.end_byte() <= *start);
                deps.extend((first..units.len()).take_while(|&d| units[d].start_byte() < *end));
            }
            deps.retain(|&d| d != i);
            deps.sort_unstable();
            deps.dedup();
            let mut names = std::mem::take(&mut w.reads.names);
            names.sort_unstable();
            names.dedup();
            let position = unit.start_position();
            records.push(UnitRecord {
                start_byte: unit.start_byte(),
                end_byte: unit.end_byte(),
                start_row: position.row,
                start_column: position.column,
                kind_id: unit.kind_id(),
                has_error: unit.has_error(),
                calls: w.found.calls.clone(),
                findings: w.found.findings.clone(),
                scopes: unit_scopes.iter().filter(|s| within(&s.span, *unit)).cloned().collect(),
                has_calls: !w.found.call_nodes.is_empty(),
                deps,
                names,
                subtrees: w.reads.subtrees,
            });
        }
        calls.extend(w.found.calls);
        findings.extend(w.found.findings);
        scopes.extend(unit_scopes);
    }

    calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    if root.has_error() {
        findings.extend(syntax_errors(root));
    }
    findings.sort_by_key(|f| (f.span.start_byte, f.span.end_byte));
    let mut seen = HashSet::new();
    scopes.retain(|s| seen.insert((s.span.start_byte, s.span.end_byte)));
    scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    let analysis = match &only {
        None => FileAnalysis { imports_aws_sdk: true, calls, findings, scopes },
        Some(_) => FileAnalysis {
            imports_aws_sdk: true,
            calls: calls.into_iter().filter(|c| overlaps(c.span.start_byte, c.span.end_byte)).collect(),
            findings: findings.into_iter().filter(|f| f.kind == FindingKind::SyntaxError || overlaps(f.span.start_byte, f.span.end_byte)).collect(),
            scopes: Vec::new(),
        },
    };
    let snapshot = record.then(|| {
        let mut lookups = an.index.into_lookups();
        // Reused units asked their questions last time; the answers still hold.
        if let (Some(old), Some(_)) = (prev, &plan) {
            lookups.merge(old.lookups.clone());
        }
        Snapshot { text: src.to_string(), key, skeleton, entries: entries.into_iter().collect(), units: records, lookups }
    });
    Analysed { analysis, snapshot }
}

/// What walking a unit found, and what resolving its calls read.
#[derive(Default)]
struct Walked<'a> {
    found: Found<'a>,
    reads: Reads,
}

impl<'a> Walked<'a> {
    fn add(&mut self, found: Found<'a>, reads: Reads) {
        self.found.calls.extend(found.calls);
        self.found.findings.extend(found.findings);
        self.found.call_nodes.extend(found.call_nodes);
        self.reads.names.extend(reads.names);
        self.reads.nodes.extend(reads.nodes);
        self.reads.subtrees.extend(reads.subtrees);
    }
}

/// The members of the file's top-level type declarations, in source order.
fn unit_nodes(root: Node) -> Vec<Node> {
    let k = kinds();
    let mut out = Vec::new();
    for top in named_children(root) {
        if !k.is_type_declaration(top.kind_id()) {
            continue;
        }
        if let Some(body) = top.child_by_field_id(field!("body")) {
            out.extend(named_children(body));
        }
    }
    out
}

/// The text outside the units: each top-level node's text, a type
/// declaration's header as it is and its body's punctuation without
/// whitespace. Which members there are is not part of it: a member added
/// or removed changes what the tables hold under its names, and the
/// members that searched its class as a whole (see `UnitRecord::subtrees`).
fn skeleton(src: &str, root: Node, units: &[Node]) -> String {
    let k = kinds();
    let mut out = String::new();
    let mut next_unit = 0;
    for top in named_children(root) {
        out.push('\u{2}');
        let body = k.is_type_declaration(top.kind_id()).then(|| top.child_by_field_id(field!("body"))).flatten();
        let Some(body) = body else {
            out.push_str(&src[top.byte_range()]);
            continue;
        };
        out.push_str(&src[top.start_byte()..body.start_byte()]);
        let mut at = body.start_byte();
        while let Some(unit) = units.get(next_unit).filter(|u| u.end_byte() <= body.end_byte()) {
            out.extend(src[at..unit.start_byte()].chars().filter(|c| !c.is_whitespace()));
            at = unit.end_byte();
            next_unit += 1;
        }
        out.extend(src[at..body.end_byte()].chars().filter(|c| !c.is_whitespace()));
        out.push_str(&src[body.end_byte()..top.end_byte()]);
    }
    out
}

/// Which units' previous records may be reused.
struct ReusePlan {
    /// Per new unit: the index of its previous record.
    reuse: Vec<Option<usize>>,
    /// Per new unit reused: the subtrees its record searched, where they are now.
    subtrees: Vec<Vec<(usize, usize)>>,
    /// Per previous unit: its index now, if unchanged.
    old_to_new: Vec<Option<usize>>,
}

fn plan_reuse(prev: &Snapshot, an: &Analyzer, skeleton: &str, units: &[Node], entries: &[Entry]) -> Option<ReusePlan> {
    if prev.skeleton != skeleton || !prev.lookups.still_hold(an.index.index()) {
        return None;
    }
    let change = TextChange::between(&prev.text, an.src);
    let changed = changed_names(&prev.entries, entries, &change);
    let mut old_to_new: Vec<Option<usize>> = vec![None; prev.units.len()];
    let mut new_to_old: Vec<Option<usize>> = vec![None; units.len()];
    for (i, unit) in units.iter().enumerate() {
        let Some((start, end)) = change.unchanged_range(unit.start_byte(), unit.end_byte()) else { continue };
        let Ok(j) = prev.units.binary_search_by_key(&start, |r| r.start_byte) else { continue };
        let r = &prev.units[j];
        let same = r.end_byte == end && r.kind_id == unit.kind_id() && r.start_column == unit.start_position().column;
        if same && !r.has_error && !unit.has_error() {
            old_to_new[j] = Some(i);
            new_to_old[i] = Some(j);
        }
    }
    let starting_in = |starts: &mut dyn Iterator<Item = usize>, (from, to): (usize, usize)| starts.filter(|s| from <= *s && *s < to).count();
    let mut subtrees = vec![Vec::new(); units.len()];
    let mut reuse = vec![None; units.len()];
    for (i, m) in new_to_old.iter().enumerate() {
        let Some(j) = *m else { continue };
        let r = &prev.units[j];
        if !r.deps.iter().all(|&d| old_to_new[d].is_some()) || r.names.iter().any(|n| changed.contains(n)) {
            continue;
        }
        // A subtree searched as a whole still holds the same units, unchanged.
        let moved: Option<Vec<(usize, usize)>> = r
            .subtrees
            .iter()
            .map(|&(start, end)| {
                let now = (change.old_to_new(start)?, change.old_to_new(end)?);
                let inside = |k: &usize| start <= prev.units[*k].start_byte && prev.units[*k].start_byte < end;
                let old: Vec<usize> = (0..prev.units.len()).filter(inside).collect();
                let same = old.iter().all(|&k| old_to_new[k].is_some()) && starting_in(&mut units.iter().map(|u| u.start_byte()), now) == old.len();
                same.then_some(now)
            })
            .collect();
        let Some(moved) = moved else { continue };
        subtrees[i] = moved;
        reuse[i] = Some(j);
    }
    Some(ReusePlan { reuse, subtrees, old_to_new })
}

/// The names whose table entries differ between the previous text and this one.
fn changed_names(old: &HashSet<Entry>, new: &[Entry], change: &TextChange) -> HashSet<String> {
    let mut changed = HashSet::new();
    let mut kept = HashSet::with_capacity(new.len());
    for e in new {
        match change.entry_to_old(e) {
            Some(o) if old.contains(&o) => {
                kept.insert(o);
            }
            _ => {
                changed.insert(e.name.clone());
            }
        }
    }
    for e in old {
        if !kept.contains(e) {
            changed.insert(e.name.clone());
        }
    }
    changed
}

/// Where the text changed: bytes `[prefix, old_suffix_start)` of the old
/// text became `[prefix, new_suffix_start)` of the new one.
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
        let mut change = TextChange { prefix, old_suffix_start: a.len() - suffix, new_suffix_start: b.len() - suffix };
        // Text inserted (or deleted) next to a copy of its own end could have
        // gone in at several places (a method pasted after one ending alike):
        // take the last of them that starts a line, so the members around it
        // keep their text.
        let (text, end) = match (change.prefix == change.old_suffix_start, change.prefix == change.new_suffix_start) {
            (true, false) => (b, change.new_suffix_start),
            (false, true) => (a, change.old_suffix_start),
            _ => return change,
        };
        let (mut start, mut end, mut back) = (change.prefix, end, 0);
        while start > 0 && text[start - 1] != b'\n' && text[start - 1] == text[end - 1] {
            (start, end, back) = (start - 1, end - 1, back + 1);
        }
        if start == 0 || text[start - 1] == b'\n' {
            change.prefix -= back;
            change.old_suffix_start -= back;
            change.new_suffix_start -= back;
        }
        change
    }

    /// The old offset of new offset `o`, if it is outside the changed text.
    fn new_to_old(&self, o: usize) -> Option<usize> {
        if o < self.prefix {
            Some(o)
        } else if o >= self.new_suffix_start {
            Some(o - self.new_suffix_start + self.old_suffix_start)
        } else {
            None
        }
    }

    /// The new offset of old offset `o`, if it is outside the changed text.
    fn old_to_new(&self, o: usize) -> Option<usize> {
        if o < self.prefix {
            Some(o)
        } else if o >= self.old_suffix_start {
            Some(o - self.old_suffix_start + self.new_suffix_start)
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

    fn range_to_old(&self, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        Some((self.new_to_old(start)?, self.new_to_old(end)?))
    }

    /// The entry in old coordinates, if none of its offsets lies in the changed text.
    fn entry_to_old(&self, e: &Entry) -> Option<Entry> {
        let context = match e.table {
            Table::Classes | Table::Beans => e.context,
            _ => self.range_to_old(e.context)?,
        };
        Some(Entry { table: e.table, name: e.name.clone(), context, node: self.range_to_old(e.node)? })
    }
}

/// The code scopes the calls at `nodes` sit in, as the whole-file analysis
/// makes them (each once).
fn scopes_of<'a>(an: &Analyzer<'a>, nodes: &[Node<'a>]) -> Vec<CodeScope> {
    let mut scopes = Vec::new();
    let mut seen = HashSet::new();
    for node in nodes {
        let (classes, method) = an.enclosing(*node);
        for def in classes.iter().map(|c| (*c, ScopeKind::Class)).chain(method.map(|m| (m, ScopeKind::Function))) {
            if seen.insert(def.0.id()) {
                push_scope(&mut scopes, an, def.0, def.1, *node);
            }
        }
    }
    scopes
}

fn within(span: &Span, unit: Node) -> bool {
    unit.start_byte() <= span.start_byte && span.end_byte <= unit.end_byte()
}

/// Move a unit's results to where it is now. It starts at the same column
/// and its text is the same, so columns inside it do not change.
fn move_record(rec: &mut UnitRecord, unit: Node) {
    let bytes = unit.start_byte() as isize - rec.start_byte as isize;
    let rows = unit.start_position().row as isize - rec.start_row as isize;
    rec.start_byte = unit.start_byte();
    rec.end_byte = unit.end_byte();
    rec.start_row = unit.start_position().row;
    shift_results(&mut rec.calls, &mut rec.findings, &mut rec.scopes, bytes, rows);
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
        // Repeated text: the suffix never overlaps the prefix (and the insertion goes to the line start).
        let c = TextChange::between("aaa", "aaaa");
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (0, 0, 1));
    }

    #[test]
    fn text_pasted_next_to_a_copy_of_its_end_is_placed_at_a_line_start() {
        let old = "  }\n\n  void b() {}\n";
        let new = "  }\n\n  void a() {}\n\n  void b() {}\n";
        let c = TextChange::between(old, new);
        // Not after the common `\n  void ` (which would cut `b` in two), but before it.
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (5, 5, 20));
        assert_eq!(&new[c.prefix..c.new_suffix_start], "  void a() {}\n\n");
        assert_eq!(c.unchanged_range(20, new.len()), Some((5, old.len())));
        // A deletion alike.
        let c = TextChange::between(new, old);
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (5, 20, 5));
        // No line start within reach: left where the comparison put it.
        let c = TextChange::between("xab", "xabab");
        assert_eq!((c.prefix, c.old_suffix_start, c.new_suffix_start), (3, 3, 5));
    }
}
