//! The project index as one file's analysis sees it, optionally recording
//! every answer it gave. A file analysed against an index that holds only
//! its own facts can keep that analysis when the project's index gives the
//! same answers to the same questions: the analysis depends on the index
//! through these answers alone, so it would take the same path again.

use crate::index::{ClassFacts, JavaIndex};
use crate::types::Kind;
use iamlens_engine::model::Value;
use std::cell::RefCell;
use std::collections::HashMap;

/// The answers an index gave, by question.
#[derive(Debug, Default, Clone)]
pub struct Lookups {
    classes: HashMap<String, Option<ClassFacts>>,
    has_class: HashMap<String, bool>,
    beans: HashMap<String, Vec<Kind>>,
    is_empty: Option<bool>,
}

impl Lookups {
    /// Whether `index` answers every recorded question as it was answered.
    pub fn still_hold(&self, index: &JavaIndex) -> bool {
        self.is_empty.is_none_or(|e| e == index.is_empty())
            && self.has_class.iter().all(|(name, had)| index.has_class(name) == *had)
            && self.classes.iter().all(|(name, facts)| index.class(name) == facts.as_ref())
            && self.beans.iter().all(|(service, kinds)| index.beans(service).into_iter().eq(kinds.iter()))
    }

    /// Add the answers `older` recorded to questions not asked since (they
    /// must still hold for the index this log was recorded against).
    pub fn merge(&mut self, older: Lookups) {
        for (name, facts) in older.classes {
            self.classes.entry(name).or_insert(facts);
        }
        for (name, has) in older.has_class {
            self.has_class.entry(name).or_insert(has);
        }
        for (service, kinds) in older.beans {
            self.beans.entry(service).or_insert(kinds);
        }
        self.is_empty = self.is_empty.or(older.is_empty);
    }
}

/// Index queries of one analysis, recorded when asked to.
pub struct IndexView<'a> {
    index: &'a JavaIndex,
    log: Option<RefCell<Lookups>>,
}

impl<'a> IndexView<'a> {
    pub fn new(index: &'a JavaIndex) -> IndexView<'a> {
        IndexView { index, log: None }
    }

    pub fn recording(index: &'a JavaIndex) -> IndexView<'a> {
        IndexView { index, log: Some(RefCell::default()) }
    }

    /// The index asked (nothing recorded).
    pub fn index(&self) -> &'a JavaIndex {
        self.index
    }

    /// The answers given so far (empty when not recording).
    pub fn into_lookups(self) -> Lookups {
        self.log.map(RefCell::into_inner).unwrap_or_default()
    }

    fn note(&self, record: impl FnOnce(&mut Lookups)) {
        if let Some(log) = &self.log {
            record(&mut log.borrow_mut());
        }
    }

    pub fn is_empty(&self) -> bool {
        let empty = self.index.is_empty();
        self.note(|l| l.is_empty = Some(empty));
        empty
    }

    pub fn class(&self, name: &str) -> Option<&'a ClassFacts> {
        let found = self.index.class(name);
        self.note(|l| {
            if !l.classes.contains_key(name) {
                l.classes.insert(name.to_string(), found.cloned());
            }
        });
        found
    }

    pub fn has_class(&self, name: &str) -> bool {
        let has = self.index.has_class(name);
        self.note(|l| {
            if !l.has_class.contains_key(name) {
                l.has_class.insert(name.to_string(), has);
            }
        });
        has
    }

    pub fn method_kind(&self, class: &str, method: &str) -> Option<&'a Kind> {
        self.class(class)?.methods.get(method)
    }

    pub fn field_kind(&self, class: &str, field: &str) -> Option<&'a Kind> {
        self.class(class)?.fields.get(field)
    }

    pub fn constant(&self, class: &str, name: &str) -> Option<&'a Value> {
        self.class(class)?.constants.get(name)
    }

    pub fn beans(&self, service: &str) -> Vec<&'a Kind> {
        let found = self.index.beans(service);
        self.note(|l| {
            if !l.beans.contains_key(service) {
                l.beans.insert(service.to_string(), found.iter().map(|k| (*k).clone()).collect());
            }
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::FileFacts;
    use std::path::Path;

    fn exporting(class: &str, constant: &str) -> FileFacts {
        let facts = ClassFacts { constants: [("X".to_string(), Value::literal(constant))].into(), ..ClassFacts::default() };
        FileFacts { classes: [(class.to_string(), facts)].into() }
    }

    #[test]
    fn recorded_answers_hold_until_the_index_answers_differently() {
        let mut own = JavaIndex::new();
        own.insert(Path::new("b/Own.java"), exporting("Own", "mine"));
        let view = IndexView::recording(&own);
        assert!(view.constant("Own", "X").is_some());
        assert!(!view.has_class("Other") && view.class("Other").is_none() && view.beans("s3").is_empty() && !view.is_empty());
        let lookups = view.into_lookups();

        let mut whole = own.clone();
        whole.insert(Path::new("c/Unrelated.java"), exporting("Unrelated", "x"));
        assert!(lookups.still_hold(&whole), "a class nobody asked about changes nothing");
        let mut shadowed = whole.clone();
        shadowed.insert(Path::new("a/Own.java"), exporting("Own", "theirs"));
        assert!(!lookups.still_hold(&shadowed), "an earlier file now defines `Own` differently");
        let mut other = whole.clone();
        other.insert(Path::new("d/Other.java"), FileFacts::default());
        other.insert(Path::new("e/Other.java"), exporting("Other", "y"));
        assert!(!lookups.still_hold(&other), "`Other` is now a class of the project");
        assert!(IndexView::new(&own).into_lookups().still_hold(&JavaIndex::new()), "nothing recorded, nothing to break");
    }
}
