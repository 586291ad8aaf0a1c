//! Condition operators, evaluated against what the context knows. A key the
//! context does not know makes the test "depend on" it instead of guessing.
//!
//! Semantics follow the IAM condition reference: values of one key are ORed,
//! keys and operators are ANDed (by the caller); negated operators are true
//! when the key is absent; `...IfExists` is true when absent; `ForAllValues:`
//! is true for an absent key, `ForAnyValue:` false.

use super::context::{expand, Context, Lookup};
use super::document::ConditionTest;
use super::glob::{covers, overlaps, tokens};
use super::tri::Tri;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    None,
    ForAll,
    ForAny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Ordering),
    Date(Ordering),
    Bool,
    Binary,
    Ip,
    ArnLike,
}

/// Numeric and date comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ordering {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

struct Operator {
    set: SetOp,
    base: Base,
    negated: bool,
    if_exists: bool,
}

fn parse_operator(raw: &str) -> Option<Operator> {
    let (set, rest) = if let Some(r) = strip_prefix_ci(raw, "ForAllValues:") {
        (SetOp::ForAll, r)
    } else if let Some(r) = strip_prefix_ci(raw, "ForAnyValue:") {
        (SetOp::ForAny, r)
    } else {
        (SetOp::None, raw)
    };
    let (rest, if_exists) = match rest.len().checked_sub(8).filter(|&i| rest.is_char_boundary(i)) {
        Some(i) if rest[i..].eq_ignore_ascii_case("IfExists") => (&rest[..i], true),
        _ => (rest, false),
    };
    use Base::*;
    let (base, negated) = match rest.to_ascii_lowercase().as_str() {
        "stringequals" => (StringEquals, false),
        "stringnotequals" => (StringEquals, true),
        "stringequalsignorecase" => (StringEqualsIgnoreCase, false),
        "stringnotequalsignorecase" => (StringEqualsIgnoreCase, true),
        "stringlike" => (StringLike, false),
        "stringnotlike" => (StringLike, true),
        "numericequals" => (Numeric(Ordering::Eq), false),
        "numericnotequals" => (Numeric(Ordering::Eq), true),
        "numericlessthan" => (Numeric(Ordering::Lt), false),
        "numericlessthanequals" => (Numeric(Ordering::Le), false),
        "numericgreaterthan" => (Numeric(Ordering::Gt), false),
        "numericgreaterthanequals" => (Numeric(Ordering::Ge), false),
        "dateequals" => (Date(Ordering::Eq), false),
        "datenotequals" => (Date(Ordering::Eq), true),
        "datelessthan" => (Date(Ordering::Lt), false),
        "datelessthanequals" => (Date(Ordering::Le), false),
        "dategreaterthan" => (Date(Ordering::Gt), false),
        "dategreaterthanequals" => (Date(Ordering::Ge), false),
        "bool" => (Bool, false),
        "binaryequals" => (Binary, false),
        "ipaddress" => (Ip, false),
        "notipaddress" => (Ip, true),
        "arnequals" | "arnlike" => (ArnLike, false),
        "arnnotequals" | "arnnotlike" => (ArnLike, true),
        _ => return None,
    };
    Some(Operator { set, base, negated, if_exists })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// Evaluate one condition test.
pub fn evaluate(test: &ConditionTest, ctx: &Context, variables: bool) -> Tri {
    let depends = || Tri::maybe(format!("depends on condition {} {}", test.operator, test.key));
    if test.operator.eq_ignore_ascii_case("Null") {
        return match ctx.get(&test.key) {
            Lookup::Unknown => depends(),
            lookup => {
                let absent = matches!(lookup, Lookup::Absent) || matches!(lookup, Lookup::Known(v) if v.is_empty());
                Tri::any(test.values.iter().map(|v| Tri::from_bool(v.eq_ignore_ascii_case("true") == absent)))
            }
        };
    }
    let Some(op) = parse_operator(&test.operator) else {
        return Tri::maybe(format!("depends on condition operator {}, which iamlens cannot evaluate", test.operator));
    };
    let (values, partial): (&[String], bool) = match ctx.get(&test.key) {
        Lookup::Unknown => return depends(),
        Lookup::Absent => (&[], false),
        Lookup::Known(v) => (v, false),
        Lookup::Patterns(v) => (v, true),
    };
    if values.is_empty() {
        return Tri::from_bool(match op.set {
            SetOp::ForAll => true,
            SetOp::ForAny => false,
            SetOp::None => op.if_exists || op.negated,
        });
    }
    // One request value against the policy values: does it match any of them?
    let matches_any = |value: &str| {
        let request = RequestValue { text: value, partial, key: &test.key };
        Tri::any(test.values.iter().map(|p| compare(op.base, request, p, ctx, variables)))
    };
    match (op.set, op.negated) {
        (SetOp::ForAll, false) => Tri::all(values.iter().map(|v| matches_any(v))),
        (SetOp::ForAll, true) => Tri::all(values.iter().map(|v| matches_any(v).not())),
        (SetOp::ForAny, true) => Tri::any(values.iter().map(|v| matches_any(v).not())),
        (_, false) => Tri::any(values.iter().map(|v| matches_any(v))),
        (SetOp::None, true) => Tri::any(values.iter().map(|v| matches_any(v))).not(),
    }
}

/// A request value, possibly only partly known (`*` for run-time parts).
#[derive(Clone, Copy)]
struct RequestValue<'a> {
    text: &'a str,
    partial: bool,
    key: &'a str,
}

/// One request value against one policy value, by the operator's base test.
fn compare(base: Base, request: RequestValue, policy: &str, ctx: &Context, variables: bool) -> Tri {
    let value = request.text;
    if request.partial {
        return compare_partial(base, request, policy, ctx, variables);
    }
    match base {
        Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::ArnLike => {
            let fold = base == Base::StringEqualsIgnoreCase;
            // Equality operators read `*` and `?` in the policy value as ordinary characters.
            let wildcards = base == Base::StringLike || base == Base::ArnLike;
            let expanded = expand(policy, ctx, variables, fold, wildcards);
            let pattern = expanded.tokens;
            let value_toks = super::glob::literal(value, fold);
            let hit = if base == Base::ArnLike { arn_like(&pattern, value) } else { overlaps(&pattern, &value_toks) };
            match (hit, expanded.unresolved.is_empty()) {
                (false, _) => Tri::No,
                (true, true) => Tri::Yes,
                (true, false) => Tri::maybe(format!("depends on policy variable {}, unknown before run time", expanded.unresolved.join(", "))),
            }
        }
        Base::Numeric(ord) => match (value.trim().parse::<f64>(), policy.trim().parse::<f64>()) {
            (Ok(a), Ok(b)) => Tri::from_bool(ordered(ord, a.partial_cmp(&b))),
            _ => Tri::No,
        },
        Base::Date(ord) => match (parse_date(value), parse_date(policy)) {
            (Some(a), Some(b)) => Tri::from_bool(ordered(ord, a.partial_cmp(&b))),
            _ => Tri::No,
        },
        Base::Bool => Tri::from_bool(value.eq_ignore_ascii_case(policy)),
        Base::Binary => Tri::from_bool(value == policy),
        Base::Ip => Tri::from_bool(ip_in_cidr(value, policy)),
    }
}

/// A partly known request value matches when every value it stands for
/// matches, may match when some do.
fn compare_partial(base: Base, request: RequestValue, policy: &str, ctx: &Context, variables: bool) -> Tri {
    let depends = || Tri::maybe(format!("depends on the run-time value of {} ({})", request.key, request.text));
    match base {
        Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::ArnLike => {
            let fold = base == Base::StringEqualsIgnoreCase;
            let wildcards = base == Base::StringLike || base == Base::ArnLike;
            let expanded = expand(policy, ctx, variables, fold, wildcards);
            let value = tokens(request.text, fold);
            if !overlaps(&expanded.tokens, &value) {
                Tri::No
            } else if expanded.unresolved.is_empty() && covers(&expanded.tokens, &value) {
                Tri::Yes
            } else {
                depends()
            }
        }
        _ => depends(),
    }
}

fn ordered(ord: Ordering, cmp: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering as O;
    match (ord, cmp) {
        (_, None) => false,
        (Ordering::Eq, Some(c)) => c == O::Equal,
        (Ordering::Lt, Some(c)) => c == O::Less,
        (Ordering::Le, Some(c)) => c != O::Greater,
        (Ordering::Gt, Some(c)) => c == O::Greater,
        (Ordering::Ge, Some(c)) => c != O::Less,
    }
}

/// ARN matching: each of the six colon-separated parts is matched on its own,
/// so a `*` never spans a colon of the first five parts.
fn arn_like(pattern: &[super::glob::Tok], value: &str) -> bool {
    use super::glob::Tok;
    let mut parts: Vec<Vec<Tok>> = vec![Vec::new()];
    for t in pattern {
        if *t == Tok::Lit(':') && parts.len() < 6 {
            parts.push(Vec::new());
        } else {
            parts.last_mut().expect("never empty").push(*t);
        }
    }
    let values: Vec<&str> = value.splitn(6, ':').collect();
    if pattern == [Tok::Many] || values.len() < 6 {
        // A lone `*`, or a value that is not an ARN: plain wildcard matching.
        return overlaps(pattern, &super::glob::literal(value, false));
    }
    if parts.len() != values.len() {
        return false;
    }
    parts.iter().zip(values).all(|(p, v)| overlaps(p, &super::glob::literal(v, false)))
}

/// Seconds since the epoch from an epoch number or an ISO 8601 date/time
/// (`2026-01-31`, `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.5+02:00`).
fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return Some(n);
    }
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = date.splitn(3, '-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(y, m, day) as f64 * 86400.0;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let mut c = clock.splitn(3, ':');
        let h: f64 = c.next()?.parse().ok()?;
        let min: f64 = c.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = c.next().unwrap_or("0").parse().ok()?;
        secs += h * 3600.0 + min * 60.0 + sec - offset;
    }
    Some(secs)
}

/// Split `12:00:00+02:00` into the clock and the offset in seconds.
fn split_offset(t: &str) -> Option<(&str, f64)> {
    if let Some(clock) = t.strip_suffix(['Z', 'z']) {
        return Some((clock, 0.0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let sign = if t.as_bytes()[i] == b'-' { -1.0 } else { 1.0 };
            let (h, m) = t[i + 1..].split_once(':').unwrap_or((&t[i + 1..], "0"));
            let offset = h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0;
            Some((&t[..i], sign * offset))
        }
        None => Some((t, 0.0)),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn ip_in_cidr(value: &str, cidr: &str) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    let (Ok(addr), Ok(net)) = (value.trim().parse::<IpAddr>(), net.trim().parse::<IpAddr>()) else {
        return false;
    };
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => prefix_eq(u32::from(a) as u128, u32::from(n) as u128, bits.unwrap_or(32), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => prefix_eq(u128::from(a), u128::from(n), bits.unwrap_or(128), 128),
        _ => false,
    }
}

fn prefix_eq(a: u128, n: u128, bits: u32, width: u32) -> bool {
    if bits > width {
        return false;
    }
    let shift = width - bits;
    if shift >= 128 {
        return true;
    }
    (a >> shift) == (n >> shift)
}
