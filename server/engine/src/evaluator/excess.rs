//! The other direction of a drift check: what a policy grants that no
//! requirement needs. Statement by statement, the actions it grants beyond
//! those the code calls, the resource patterns broader than the resources
//! the code names, and the narrower grant that would serve the same calls.
//! Relative to the requirements passed in: a grant used by code that was not
//! read looks unneeded here.

use super::check::{embedded_actions, known_actions, ActionCatalog};
use super::decide::{PolicySet, StatementRef};
use super::document::{Effect, Statement};
use super::glob::{covers, literal, overlaps, tokens};
use crate::model::Requirement;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A resource pattern broader than every resource the code needs of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BroaderResource {
    /// As written in the statement (`*`).
    pub granted: String,
    /// The resources the code needs that it matches (`arn:aws:s3:::invoices/*`).
    pub needed: Vec<String>,
}

/// One Allow statement that grants more than the code needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExcessGrant {
    pub statement: StatementRef,
    /// The statement's actions as written (`NotAction` ones prefixed so).
    pub granted_actions: Vec<String>,
    /// The statement's resources as written (`NotResource` ones prefixed so).
    pub granted_resources: Vec<String>,
    /// Actions it grants that no call needs: each action when the IAM data
    /// lists what a pattern matches, else the pattern itself.
    pub unneeded_actions: Vec<String>,
    /// Resource patterns broader than what the code needs of them.
    pub broader_resources: Vec<BroaderResource>,
    /// Resource patterns that match no resource the code needs.
    pub unused_resources: Vec<String>,
    /// The narrower grant serving the same calls: the actions the code needs
    /// of this statement, on the resources it needs. Both empty: no call
    /// needs the statement at all.
    pub needed_actions: Vec<String>,
    pub needed_resources: Vec<String>,
}

impl ExcessGrant {
    /// No call read needs anything this statement grants.
    pub fn unused(&self) -> bool {
        self.needed_actions.is_empty()
    }

    /// One line for people: what is granted, what the code needs of it.
    pub fn summary(&self) -> String {
        let resources = if self.granted_resources.is_empty() { "no resource".to_string() } else { self.granted_resources.join(", ") };
        let granted = format!("{} on {resources}", self.granted_actions.join(", "));
        if self.unused() {
            return format!("{} grants {granted}, which no call in the code read needs", self.statement);
        }
        let mut why = Vec::new();
        if !self.unneeded_actions.is_empty() {
            let n = self.unneeded_actions.len();
            let shown: Vec<&str> = self.unneeded_actions.iter().take(5).map(String::as_str).collect();
            let more = if n > shown.len() { format!(", ... ({n} in all)") } else { String::new() };
            why.push(format!("{n} action{} no call needs ({}{more})", if n == 1 { "" } else { "s" }, shown.join(", ")));
        }
        for b in &self.broader_resources {
            why.push(format!("{} where the code needs {}", b.granted, b.needed.join(", ")));
        }
        if !self.unused_resources.is_empty() {
            why.push(format!("{} which no call needs", self.unused_resources.join(", ")));
        }
        format!(
            "{} grants {granted}: {}; narrower: {} on {}",
            self.statement,
            why.join("; "),
            self.needed_actions.join(", "),
            self.needed_resources.join(", ")
        )
    }
}

/// Every Allow statement of the identity policies in `set` that grants more
/// than `requirements` need, with the IAM data listing what action patterns
/// match. `allowed` are action globs granted for reasons the code does not
/// show (`logs:CreateLogGroup`, `xray:*`): actions they match are never
/// excess, nor are the resources they are granted on judged by what the code
/// needs of them.
pub fn excess_grants(set: &PolicySet, requirements: &[Requirement], allowed: &[String]) -> Vec<ExcessGrant> {
    excess_grants_with_catalog(set, requirements, allowed, &embedded_actions)
}

/// As [`excess_grants`], listing what action patterns match with `catalog`.
pub fn excess_grants_with_catalog(set: &PolicySet, requirements: &[Requirement], allowed: &[String], catalog: &ActionCatalog) -> Vec<ExcessGrant> {
    let allowed: Vec<_> = allowed.iter().map(|g| tokens(g, true)).collect();
    let excused_action = |action: &str| allowed.iter().any(|g| overlaps(g, &literal(action, true)));
    let excused_pattern = |pattern: &str| allowed.iter().any(|g| covers(g, &tokens(pattern, true)));
    let mut out = Vec::new();
    for doc in &set.identity {
        for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let statement = StatementRef { policy: doc.name.clone(), sid: st.sid.clone(), index: st.index };
            if let Some(grant) = statement_excess(statement, st, requirements, catalog, &excused_action, &excused_pattern) {
                out.push(grant);
            }
        }
    }
    out
}

fn statement_excess(
    statement: StatementRef,
    st: &Statement,
    requirements: &[Requirement],
    catalog: &ActionCatalog,
    excused_action: &dyn Fn(&str) -> bool,
    excused_pattern: &dyn Fn(&str) -> bool,
) -> Option<ExcessGrant> {
    let written = |negated: bool, patterns: &[String]| -> Vec<String> {
        patterns.iter().map(|p| if negated { format!("NotAction {p}") } else { p.clone() }).collect()
    };
    let granted_actions = written(st.actions.negated, &st.actions.patterns);
    let granted_resources: Vec<String> = match &st.resources {
        Some(r) if r.negated => r.patterns.iter().map(|p| format!("NotResource {p}")).collect(),
        Some(r) => r.patterns.clone(),
        None => Vec::new(),
    };

    // What the code needs of this statement: each requirement whose action it
    // grants, on the resources of that requirement it matches.
    let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for req in requirements {
        // An excused action's resources are not the code's to judge either.
        if excused_action(&req.action) {
            continue;
        }
        let action = literal(&req.action, true);
        let grants_action = st.actions.compiled.iter().any(|p| overlaps(p, &action)) != st.actions.negated;
        if !grants_action {
            continue;
        }
        let wanted: Vec<String> = if req.resources.is_empty() { vec!["*".to_string()] } else { req.resources.clone() };
        let served: Vec<&String> = wanted.iter().filter(|r| resource_served(st, r)).collect();
        if served.is_empty() {
            continue;
        }
        needed.entry(req.action.clone()).or_default().extend(served.into_iter().cloned());
    }
    let needed_actions: Vec<String> = needed.keys().cloned().collect();
    let needed_resources: BTreeSet<String> = needed.values().flatten().cloned().collect();
    let needed_lower: BTreeSet<String> = needed_actions.iter().map(|a| a.to_ascii_lowercase()).collect();

    let mut unneeded_actions = Vec::new();
    let mut excused_any = false;
    if st.actions.negated {
        unneeded_actions.push(format!("every action but {}", st.actions.patterns.join(", ")));
    } else {
        for pattern in &st.actions.patterns {
            match known_actions(pattern, catalog) {
                Some(actions) => {
                    for a in actions {
                        if excused_action(&a) {
                            excused_any = true;
                        } else if !needed_lower.contains(&a.to_ascii_lowercase()) {
                            unneeded_actions.push(a);
                        }
                    }
                }
                None if excused_pattern(pattern) => excused_any = true,
                // `*`, `s*:Get*`: the IAM data cannot list what it matches,
                // and it is broader than any list of actions the code calls.
                None => unneeded_actions.push(pattern.clone()),
            }
        }
    }

    unneeded_actions.sort();
    unneeded_actions.dedup();

    let mut broader_resources = Vec::new();
    let mut unused_resources = Vec::new();
    if let Some(list) = st.resources.as_ref() {
        if list.negated {
            if !needed_actions.is_empty() {
                broader_resources.push(BroaderResource {
                    granted: format!("every resource but {}", list.patterns.join(", ")),
                    needed: needed_resources.iter().cloned().collect(),
                });
            }
        } else {
            for (granted, compiled) in list.patterns.iter().zip(&list.compiled) {
                let matched: BTreeSet<&String> = needed_resources.iter().filter(|n| overlaps(compiled, &request_tokens(n))).collect();
                if matched.is_empty() {
                    // A resource an excused action may use is not the code's to judge.
                    if !excused_any && !needed_actions.is_empty() {
                        unused_resources.push(granted.clone());
                    }
                    continue;
                }
                // Broader when, for some action, it matches more than all the
                // resources the code needs of that action.
                let g = tokens(granted, false);
                let broader = needed.values().any(|resources| {
                    let mine: Vec<&String> = resources.iter().filter(|n| overlaps(compiled, &request_tokens(n))).collect();
                    !mine.is_empty() && !mine.iter().any(|n| *n == granted || covers(&tokens(n, false), &g))
                });
                if broader {
                    broader_resources.push(BroaderResource { granted: granted.clone(), needed: matched.into_iter().cloned().collect() });
                }
            }
        }
    }

    let unused = needed_actions.is_empty() && !excused_any;
    if !unused && unneeded_actions.is_empty() && broader_resources.is_empty() && unused_resources.is_empty() {
        return None;
    }
    Some(ExcessGrant {
        statement,
        granted_actions,
        granted_resources,
        unneeded_actions,
        broader_resources,
        unused_resources,
        needed_actions,
        needed_resources: needed_resources.into_iter().collect(),
    })
}

/// A requirement resource as a request: `*` alone is the literal resource of
/// an action without resource-level permissions; otherwise `*` stands for
/// the parts only known at run time.
fn request_tokens(resource: &str) -> Vec<super::glob::Tok> {
    if resource == "*" {
        literal("*", false)
    } else {
        tokens(resource, false)
    }
}

/// Does the statement's Resource (or NotResource) match some value of `resource`?
fn resource_served(st: &Statement, resource: &str) -> bool {
    let Some(list) = &st.resources else { return false };
    let request = request_tokens(resource);
    if list.negated {
        !list.compiled.iter().any(|p| covers(p, &request))
    } else {
        list.compiled.iter().any(|p| overlaps(p, &request))
    }
}
