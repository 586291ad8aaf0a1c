//! IAM wildcard patterns (`*` any run of characters, `?` exactly one) and the
//! two questions the evaluator asks of them when the *request* is itself only
//! partly known (a requirement resource `arn:aws:s3:::bucket/*` stands for
//! every key the code might use):
//!
//! - [`covers`]: does the policy pattern match every string the request could be?
//! - [`overlaps`]: does it match at least one of them?
//!
//! Both run the policy pattern as an NFA over the request pattern; `*`/`?` of
//! the request range over the characters the policy pattern mentions plus one
//! stand-in for "any other character", which is exact because every other
//! character behaves the same in the policy pattern.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tok {
    Lit(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, possibly empty.
    Many,
}

/// Tokenise a pattern; `fold` lower-cases it (IAM actions are case-insensitive).
pub fn tokens(pattern: &str, fold: bool) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Many,
            '?' => Tok::One,
            c if fold => Tok::Lit(c.to_ascii_lowercase()),
            c => Tok::Lit(c),
        })
        .collect()
}

/// Tokens of a plain string where `*` and `?` are ordinary characters.
pub fn literal(text: &str, fold: bool) -> Vec<Tok> {
    text.chars().map(|c| Tok::Lit(if fold { c.to_ascii_lowercase() } else { c })).collect()
}

/// Does `pattern` match the concrete `text`?
#[cfg(test)]
pub fn matches(pattern: &str, text: &str, fold: bool) -> bool {
    overlaps(&tokens(pattern, fold), &literal(text, fold))
}

/// A character of the request: a known one, or one not mentioned by the policy pattern.
type Class = Option<char>;

struct Nfa<'a> {
    q: &'a [Tok],
    alphabet: Vec<Class>,
}

type States = BTreeSet<usize>;

impl<'a> Nfa<'a> {
    fn new(q: &'a [Tok]) -> Self {
        let mut chars: BTreeSet<char> = BTreeSet::new();
        for t in q {
            if let Tok::Lit(c) = t {
                chars.insert(*c);
            }
        }
        let mut alphabet: Vec<Class> = chars.into_iter().map(Some).collect();
        alphabet.push(None);
        Nfa { q, alphabet }
    }

    fn accepting(&self, s: &States) -> bool {
        s.contains(&self.q.len())
    }

    fn closure(&self, mut s: States) -> States {
        let mut stack: Vec<usize> = s.iter().copied().collect();
        while let Some(i) = stack.pop() {
            if i < self.q.len() && self.q[i] == Tok::Many && s.insert(i + 1) {
                stack.push(i + 1);
            }
        }
        s
    }

    fn start(&self) -> States {
        self.closure(States::from([0]))
    }

    fn step(&self, s: &States, c: Class) -> States {
        let mut next = States::new();
        for &i in s {
            if i >= self.q.len() {
                continue;
            }
            match self.q[i] {
                Tok::Lit(x) if Some(x) == c => {
                    next.insert(i + 1);
                }
                Tok::Lit(_) => {}
                Tok::One => {
                    next.insert(i + 1);
                }
                Tok::Many => {
                    next.insert(i);
                }
            }
        }
        self.closure(next)
    }

    /// The union of the states reachable from `s` by consuming what request
    /// token `t` stands for: enough to know whether some string matches, and
    /// polynomial (no sets of sets).
    fn advance_union(&self, s: &States, t: Tok) -> States {
        match t {
            Tok::Lit(c) => self.step(s, Some(c)),
            Tok::One => self.alphabet.iter().flat_map(|&c| self.step(s, c)).collect(),
            Tok::Many => {
                let mut reached = s.clone();
                loop {
                    let grown: States = reached.iter().copied().chain(self.alphabet.iter().flat_map(|&c| self.step(&reached, c))).collect();
                    if grown.len() == reached.len() {
                        return reached;
                    }
                    reached = grown;
                }
            }
        }
    }

    /// Every state set reachable from `from` by consuming what request token
    /// `t` stands for; `None` past [`MAX_STATE_SETS`].
    fn advance(&self, from: &BTreeSet<States>, t: Tok) -> Option<BTreeSet<States>> {
        let next: BTreeSet<States> = match t {
            Tok::Lit(c) => from.iter().map(|s| self.step(s, Some(c))).collect(),
            Tok::One => from.iter().flat_map(|s| self.alphabet.iter().map(move |&c| self.step(s, c))).collect(),
            Tok::Many => {
                let mut seen = from.clone();
                let mut todo: Vec<States> = from.iter().cloned().collect();
                while let Some(s) = todo.pop() {
                    for &c in &self.alphabet {
                        let n = self.step(&s, c);
                        if seen.insert(n.clone()) {
                            if seen.len() > MAX_STATE_SETS {
                                return None;
                            }
                            todo.push(n);
                        }
                    }
                }
                seen
            }
        };
        (next.len() <= MAX_STATE_SETS).then_some(next)
    }
}

/// Strip the literal prefix and suffix both patterns share; `None` when their
/// literal ends disagree, so no string can match both. Exact for both
/// questions (`c·q` covers `c·p` iff `q` covers `p`), and it leaves the
/// automaton only the short middle of ARNs, which is where wildcards live.
fn trim_common<'a>(mut q: &'a [Tok], mut p: &'a [Tok]) -> Option<(&'a [Tok], &'a [Tok])> {
    while let ([Tok::Lit(a), q_rest @ ..], [Tok::Lit(b), p_rest @ ..]) = (q, p) {
        if a != b {
            return None;
        }
        (q, p) = (q_rest, p_rest);
    }
    while let ([q_rest @ .., Tok::Lit(a)], [p_rest @ .., Tok::Lit(b)]) = (q, p) {
        if a != b {
            return None;
        }
        (q, p) = (q_rest, p_rest);
    }
    Some((q, p))
}

/// How many sets of automaton states `covers` explores before it gives up: a
/// hostile policy pattern (`*a*a*a*...` against `*?*?*...`) cannot make a role
/// check take minutes. Past it the answer is "not covered", which the
/// evaluator reports as "depends" when the patterns overlap.
const MAX_STATE_SETS: usize = 20_000;

/// Does policy pattern `q` match every string request pattern `p` stands for?
/// `false` as well past [`MAX_STATE_SETS`] (the safe side: no grant assumed).
pub fn covers(q: &[Tok], p: &[Tok]) -> bool {
    let Some((q, p)) = trim_common(q, p) else { return false };
    if q == [Tok::Many] {
        return true;
    }
    let nfa = Nfa::new(q);
    let mut sets = BTreeSet::from([nfa.start()]);
    for &t in p {
        match nfa.advance(&sets, t) {
            Some(next) => sets = next,
            None => return false,
        }
    }
    sets.iter().all(|s| nfa.accepting(s))
}

/// Does policy pattern `q` match at least one string request pattern `p` stands for?
pub fn overlaps(q: &[Tok], p: &[Tok]) -> bool {
    let Some((q, p)) = trim_common(q, p) else { return false };
    if q == [Tok::Many] || p == [Tok::Many] {
        return true;
    }
    if !p.contains(&Tok::Many) && !p.contains(&Tok::One) {
        return matches_literal(q, p);
    }
    let nfa = Nfa::new(q);
    // For "some string" the union of states is enough: no subset construction.
    let mut s = nfa.start();
    for &t in p {
        s = nfa.advance_union(&s, t);
        if s.is_empty() {
            return false;
        }
    }
    nfa.accepting(&s)
}

/// Wildcard matching of a concrete string (`text` holds only literals):
/// the classic linear greedy algorithm with backtracking to the last `*`.
fn matches_literal(q: &[Tok], text: &[Tok]) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < text.len() {
        match q.get(i) {
            Some(Tok::Many) => {
                star = Some((i, j));
                i += 1;
            }
            Some(Tok::One) => {
                i += 1;
                j += 1;
            }
            Some(t) if *t == text[j] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    q[i..].iter().all(|t| *t == Tok::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cov(q: &str, p: &str) -> bool {
        covers(&tokens(q, false), &tokens(p, false))
    }
    fn ovl(q: &str, p: &str) -> bool {
        overlaps(&tokens(q, false), &tokens(p, false))
    }

    #[test]
    fn concrete_strings_match_like_iam() {
        assert!(matches("s3:Get*", "s3:GetObject", true));
        assert!(matches("S3:GETOBJECT", "s3:getobject", true));
        assert!(!matches("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k", false));
        assert!(matches("arn:aws:s3:::b?cket", "arn:aws:s3:::bucket", false));
        assert!(!matches("arn:aws:s3:::b?cket", "arn:aws:s3:::bcket", false));
        assert!(matches("*", "", false));
        assert!(!matches("", "x", false));
        assert!(matches("a*b*c", "aXXbYYc", false));
        assert!(!matches("a*b*c", "aXXcYYb", false));
    }

    #[test]
    fn star_covers_everything_and_specific_patterns_cover_only_themselves() {
        assert!(cov("*", "arn:aws:s3:::b/*"));
        assert!(cov("arn:aws:s3:::b/*", "arn:aws:s3:::b/*"));
        assert!(cov("arn:aws:s3:::b/*", "arn:aws:s3:::b/data/*"));
        assert!(!cov("arn:aws:s3:::b/data/*", "arn:aws:s3:::b/*"));
        assert!(ovl("arn:aws:s3:::b/data/*", "arn:aws:s3:::b/*"));
        assert!(!ovl("arn:aws:s3:::other/*", "arn:aws:s3:::b/*"));
    }

    #[test]
    fn question_mark_needs_exactly_one_character() {
        assert!(cov("a?", "a?"));
        assert!(!cov("a?", "a*"));
        assert!(ovl("a?", "a*"));
        assert!(cov("a*", "a?"));
        assert!(!cov("ab", "a?"));
        assert!(ovl("ab", "a?"));
    }

    /// Every concrete string a request pattern stands for, up to `extra`
    /// characters per `*`, over a small alphabet plus one "other" character.
    fn instances(p: &str, extra: usize) -> Vec<String> {
        let fill: Vec<String> = {
            let chars = ["a", "b", "z"];
            let mut all = vec![String::new()];
            let mut layer = vec![String::new()];
            for _ in 0..extra {
                layer = layer.iter().flat_map(|s| chars.iter().map(move |c| format!("{s}{c}"))).collect();
                all.extend(layer.iter().cloned());
            }
            all
        };
        let mut out = vec![String::new()];
        for c in p.chars() {
            let options: Vec<String> = match c {
                '*' => fill.clone(),
                '?' => vec!["a".into(), "b".into(), "z".into()],
                c => vec![c.to_string()],
            };
            out = out.iter().flat_map(|s| options.iter().map(move |o| format!("{s}{o}"))).collect();
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// `covers` and `overlaps` agree with matching every instance one by one.
        #[test]
        fn inclusion_agrees_with_brute_force(q in "[ab*?]{0,5}", p in "[ab*?]{0,3}") {
            let (q_t, p_t) = (tokens(&q, false), tokens(&p, false));
            let hits: Vec<bool> = instances(&p, 2).iter().map(|s| matches(&q, s, false)).collect();
            let (all, any) = (hits.iter().all(|h| *h), hits.iter().any(|h| *h));
            if covers(&q_t, &p_t) {
                proptest::prop_assert!(all, "{} covers {} but misses an instance", q, p);
            }
            if any {
                proptest::prop_assert!(overlaps(&q_t, &p_t), "{} matches an instance of {} yet does not overlap it", q, p);
            }
            if !p.contains('*') {
                // Finitely many instances, all enumerated: both answers are exact.
                proptest::prop_assert_eq!(covers(&q_t, &p_t), all);
                proptest::prop_assert_eq!(overlaps(&q_t, &p_t), any);
            }
        }
    }

    #[test]
    fn unknown_middle_parts_are_covered_only_by_a_star_there() {
        assert!(cov("arn:aws:sqs:*:123:q-*", "arn:aws:sqs:us-east-1:123:q-*"));
        assert!(cov("arn:aws:sqs:*:*:*", "arn:aws:sqs:*:123:q"));
        assert!(!cov("arn:aws:sqs:us-east-1:*:*", "arn:aws:sqs:*:123:q"));
        assert!(ovl("arn:aws:sqs:us-east-1:*:*", "arn:aws:sqs:*:123:q"));
    }
}
