//! The IAM decision for one request against identity policies and an optional
//! permissions boundary: an explicit Deny anywhere wins; otherwise an identity
//! policy must allow, and so must the boundary when one is set (the effective
//! permissions are the intersection).

use super::condition;
use super::context::{expand, Context};
use super::document::{Effect, PatternList, PolicyDocument, Statement};
use super::glob::{covers, literal, overlaps, tokens, Tok};
use super::tri::{push_unique, Tri};
use serde::Serialize;
use std::fmt;

/// The policies in force for one principal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySet {
    /// Inline and managed identity-based policies.
    pub identity: Vec<PolicyDocument>,
    /// The permissions boundary, when one is set.
    pub boundary: Option<PolicyDocument>,
}

/// One request: a concrete action on a resource that may be only partly known
/// (`*` for the parts static analysis cannot know). The resource `*` alone is
/// an action that supports no resource-level permissions.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

/// Which statement decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatementRef {
    pub policy: String,
    pub sid: Option<String>,
    /// Zero-based position in the policy's Statement list.
    pub index: usize,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "statement {sid:?} of {}", self.policy),
            None => write!(f, "statement {} of {}", self.index + 1, self.policy),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "Decision", rename_all_fields = "PascalCase")]
pub enum Decision {
    Allowed {
        by: StatementRef,
    },
    /// A Deny statement matches.
    ExplicitDeny {
        by: StatementRef,
    },
    /// No identity policy statement allows the request.
    ImplicitDeny,
    /// An identity policy allows it but the permissions boundary does not.
    DeniedByBoundary {
        boundary: String,
    },
    /// The answer depends on what is only known at run time.
    Depends {
        on: Vec<String>,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    pub fn is_denied(&self) -> bool {
        matches!(self, Decision::ExplicitDeny { .. } | Decision::ImplicitDeny | Decision::DeniedByBoundary { .. })
    }

    /// `allowed`, `denied` or `depends`.
    pub fn verdict(&self) -> &'static str {
        match self {
            Decision::Allowed { .. } => "allowed",
            Decision::Depends { .. } => "depends",
            _ => "denied",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allowed { by } => write!(f, "allowed by {by}"),
            Decision::ExplicitDeny { by } => write!(f, "denied explicitly by {by}"),
            Decision::ImplicitDeny => write!(f, "denied implicitly: no policy statement allows it"),
            Decision::DeniedByBoundary { boundary } => {
                write!(f, "denied: the permissions boundary {boundary} does not allow it")
            }
            Decision::Depends { on } => write!(f, "{}", on.join("; ")),
        }
    }
}

/// The decision for `req` under `set`.
pub fn evaluate(set: &PolicySet, req: &Request) -> Decision {
    let mut uncertain: Vec<String> = Vec::new();

    // 1. An explicit Deny in any policy (boundaries included) wins.
    for doc in set.identity.iter().chain(set.boundary.iter()) {
        for st in doc.statements.iter().filter(|s| s.effect == Effect::Deny) {
            match statement_matches(doc, st, req) {
                Tri::Yes => return Decision::ExplicitDeny { by: statement_ref(doc, st) },
                Tri::Maybe(why) => {
                    push_unique(&mut uncertain, why.into_iter().map(|w| format!("{} may deny it: {w}", statement_ref(doc, st))).collect())
                }
                Tri::No => {}
            }
        }
    }

    // 2. An identity policy must allow.
    let identity = allowed_by(&set.identity, req);
    let allowed_by_statement = match identity {
        Allow::No => return Decision::ImplicitDeny,
        Allow::Yes(by) => Some(by),
        Allow::Maybe(why) => {
            push_unique(&mut uncertain, why);
            None
        }
    };

    // 3. So must the permissions boundary.
    if let Some(boundary) = &set.boundary {
        match allowed_by(std::slice::from_ref(boundary), req) {
            Allow::No => return Decision::DeniedByBoundary { boundary: boundary.name.clone() },
            Allow::Yes(_) => {}
            Allow::Maybe(why) => push_unique(&mut uncertain, why.into_iter().map(|w| format!("permissions boundary: {w}")).collect()),
        }
    }

    match (allowed_by_statement, uncertain.is_empty()) {
        (Some(by), true) => Decision::Allowed { by },
        _ => Decision::Depends { on: uncertain },
    }
}

enum Allow {
    Yes(StatementRef),
    No,
    Maybe(Vec<String>),
}

fn allowed_by(docs: &[PolicyDocument], req: &Request) -> Allow {
    let mut reasons = Vec::new();
    let mut maybe = false;
    for doc in docs {
        for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            match statement_matches(doc, st, req) {
                Tri::Yes => return Allow::Yes(statement_ref(doc, st)),
                Tri::Maybe(why) => {
                    maybe = true;
                    push_unique(&mut reasons, why.into_iter().map(|w| format!("{} allows it only if: {w}", statement_ref(doc, st))).collect())
                }
                Tri::No => {}
            }
        }
    }
    if maybe {
        Allow::Maybe(reasons)
    } else {
        Allow::No
    }
}

fn statement_ref(doc: &PolicyDocument, st: &Statement) -> StatementRef {
    StatementRef { policy: doc.name.clone(), sid: st.sid.clone(), index: st.index }
}

/// Does the statement apply to the request? Action, resource and every
/// condition test must hold.
pub fn statement_matches(doc: &PolicyDocument, st: &Statement, req: &Request) -> Tri {
    let action = action_matches(&st.actions, req.action);
    if action == Tri::No {
        return Tri::No;
    }
    let resource = match &st.resources {
        Some(list) => resource_matches(doc, list, req),
        None => Tri::No,
    };
    if resource == Tri::No {
        return Tri::No;
    }
    let conditions = Tri::all(st.conditions.iter().map(|c| condition::evaluate(c, req.context, doc.variables)));
    Tri::all([action, resource, conditions])
}

/// Actions are matched case-insensitively; the request action is concrete.
fn action_matches(list: &PatternList, action: &str) -> Tri {
    let action = literal(action, true);
    let hit = list.compiled.iter().any(|p| overlaps(p, &action));
    Tri::from_bool(hit != list.negated)
}

/// Resources are case-sensitive. A request resource with unknown parts is
/// matched when the policy covers every value it could take, and "depends"
/// when it covers only some.
fn resource_matches(doc: &PolicyDocument, list: &PatternList, req: &Request) -> Tri {
    // The lone `*` of an action without resource-level permissions is the
    // literal resource `*`, matched only by patterns that match that string.
    let request = if req.resource == "*" { literal("*", false) } else { tokens(req.resource, false) };
    let any = Tri::any(list.patterns.iter().zip(&list.compiled).map(|(p, compiled)| {
        let expanded;
        let (policy, unresolved): (&[Tok], &[String]) = if doc.variables && p.contains("${") {
            expanded = expand(p, req.context, true, false, true);
            (&expanded.tokens, &expanded.unresolved)
        } else {
            (compiled, &[])
        };
        if !overlaps(policy, &request) {
            return Tri::No;
        }
        if !unresolved.is_empty() {
            return Tri::maybe(format!("resource {p} uses policy variable {}, unknown before run time", unresolved.join(", ")));
        }
        if covers(policy, &request) {
            Tri::Yes
        } else {
            Tri::maybe(format!("{} matches {p} only for some run-time values", req.resource))
        }
    }));
    if list.negated {
        any.not()
    } else {
        any
    }
}
