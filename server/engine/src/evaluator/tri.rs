//! Three-valued answers: a statement matches, does not, or depends on something
//! static analysis cannot know (a condition key, a policy variable, the unknown
//! part of a resource name). `Maybe` carries the reasons, phrased for people.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe(Vec<String>),
}

impl Tri {
    pub fn maybe(reason: impl Into<String>) -> Tri {
        Tri::Maybe(vec![reason.into()])
    }

    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    pub fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            m => m,
        }
    }

    /// Conjunction: any `No` decides; otherwise reasons of every `Maybe` add up.
    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut reasons = Vec::new();
        for t in items {
            match t {
                Tri::No => return Tri::No,
                Tri::Maybe(r) => push_unique(&mut reasons, r),
                Tri::Yes => {}
            }
        }
        if reasons.is_empty() {
            Tri::Yes
        } else {
            Tri::Maybe(reasons)
        }
    }

    /// Disjunction: any `Yes` decides; otherwise reasons of every `Maybe` add up.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut reasons = Vec::new();
        let mut maybe = false;
        for t in items {
            match t {
                Tri::Yes => return Tri::Yes,
                Tri::Maybe(r) => {
                    maybe = true;
                    push_unique(&mut reasons, r)
                }
                Tri::No => {}
            }
        }
        if maybe {
            Tri::Maybe(reasons)
        } else {
            Tri::No
        }
    }
}

pub fn push_unique(into: &mut Vec<String>, from: Vec<String>) {
    for r in from {
        if !into.contains(&r) {
            into.push(r);
        }
    }
}
