//! IAM-style wildcards: matching (`*` any run, `?` one character) and the
//! narrowest wildcard that still matches every ARN of a set.

/// Does `text` match the IAM pattern `pattern` (`*` = any run, `?` = one char)?
/// Case-sensitive, as IAM resource matching is.
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern.as_bytes(), text.as_bytes(), |a, b| a == b)
}

/// Case-insensitive match, as IAM action names are compared (`s3:get*`).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches_with(pattern.as_bytes(), text.as_bytes(), |a, b| a.eq_ignore_ascii_case(&b))
}

fn matches_with(p: &[u8], t: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    // Iterative glob matching with single-star backtracking: O(|p|·|t|) worst case.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || (p[pi] != b'*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does the resource pattern `wide` grant everything `narrow` grants? Exact,
/// with the evaluator's own matcher (one wildcard engine for both): `a*?` does
/// not cover `a*`, which also stands for `a`. Past the matcher's size cap the
/// answer is "no", so the writer keeps both patterns rather than drop one.
pub fn covers(wide: &str, narrow: &str) -> bool {
    use crate::evaluator::glob;
    wide == narrow || wide == "*" || glob::covers(&glob::tokens(wide, false), &glob::tokens(narrow, false))
}

/// The narrowest single pattern matching every ARN in `arns`:
/// equal ARN fields are kept, differing ones become `*`; in the resource part,
/// equal segments are kept and differing ones keep their common prefix and
/// suffix (`queue-a`, `queue-b` → `queue-*`). `arn:aws:s3:::a/x` and
/// `arn:aws:s3:::b/y` become `arn:aws:s3:::*/*`, not `*`.
pub fn narrowest_common(arns: &[String]) -> String {
    match arns {
        [] => "*".to_string(),
        [one] => one.clone(),
        _ if arns.iter().any(|a| a == "*") => "*".to_string(),
        _ => {
            let split: Vec<Vec<&str>> = arns.iter().map(|a| a.splitn(6, ':').collect()).collect();
            if split.iter().any(|f| f.len() != 6 || f[0] != "arn") {
                return common_text(&arns.iter().map(String::as_str).collect::<Vec<_>>());
            }
            let mut out = String::from("arn");
            for field in 1..5 {
                let values: Vec<&str> = split.iter().map(|f| f[field]).collect();
                out.push(':');
                out.push_str(&common_field(&values));
            }
            out.push(':');
            let resources: Vec<&str> = split.iter().map(|f| f[5]).collect();
            out.push_str(&common_resource(&resources));
            out
        }
    }
}

fn common_field(values: &[&str]) -> String {
    if values.iter().all(|v| *v == values[0]) {
        values[0].to_string()
    } else {
        "*".to_string()
    }
}

/// Split a resource part into segments and the separators (`/`, `:`) between them.
fn segments(resource: &str) -> (Vec<&str>, Vec<char>) {
    let mut segs = Vec::new();
    let mut seps = Vec::new();
    let mut start = 0;
    for (i, c) in resource.char_indices() {
        if c == '/' || c == ':' {
            segs.push(&resource[start..i]);
            seps.push(c);
            start = i + 1;
        }
    }
    segs.push(&resource[start..]);
    (segs, seps)
}

/// Segment by segment: shared segments stay, differing ones narrow to
/// [`common_text`]; from the first point where the shapes part (a different
/// separator, or the shortest resource's last segment while others go on),
/// the common head of what remains, then `*`.
fn common_resource(resources: &[&str]) -> String {
    let parts: Vec<(Vec<&str>, Vec<char>)> = resources.iter().map(|r| segments(r)).collect();
    let min_len = parts.iter().map(|(segs, _)| segs.len()).min().unwrap_or(1);
    let same_len = parts.iter().all(|(segs, _)| segs.len() == min_len);
    let mut out = String::new();
    for i in 0..min_len {
        let values: Vec<&str> = parts.iter().map(|(segs, _)| segs[i]).collect();
        let last = i + 1 == min_len;
        if last && same_len {
            out.push_str(&common_text(&values));
            break;
        }
        let sep = parts[0].1.get(i).copied();
        let seps_agree = parts.iter().all(|(_, seps)| seps.get(i).copied() == sep);
        if last || !seps_agree {
            // Tails of different shapes: keep the shared head of this segment.
            let head = common_text(&values);
            let head = head.split('*').next().unwrap_or("");
            out.push_str(head);
            out.push('*');
            break;
        }
        out.push_str(&common_text(&values));
        out.push(sep.unwrap_or('/'));
    }
    out
}

/// Common prefix + `*` + common suffix of differing texts; the text itself when all equal.
fn common_text(values: &[&str]) -> String {
    if values.iter().all(|v| *v == values[0]) {
        return values[0].to_string();
    }
    let shortest = values.iter().map(|v| v.len()).min().unwrap_or(0);
    let prefix_len = (0..shortest).take_while(|&i| values.iter().all(|v| v.as_bytes()[i] == values[0].as_bytes()[i])).count();
    let prefix = floor_char_boundary(values[0], prefix_len);
    let suffix_room = shortest - prefix.len();
    let suffix_len = (0..suffix_room)
        .take_while(|&i| {
            let b = values[0].as_bytes()[values[0].len() - 1 - i];
            values.iter().all(|v| v.as_bytes()[v.len() - 1 - i] == b)
        })
        .count();
    let suffix = ceil_suffix(values[0], suffix_len);
    // A bare shared tail (`thumbs`/`events` → `*s`) narrows nothing a reader
    // can name; keep a tail only after a shared head or when it is an extension.
    let suffix = if prefix.is_empty() && !suffix.starts_with('.') { "" } else { suffix };
    let mut out = String::with_capacity(prefix.len() + suffix.len() + 1);
    out.push_str(prefix);
    if !out.ends_with('*') {
        out.push('*');
    }
    out.push_str(suffix.trim_start_matches('*'));
    out
}

fn floor_char_boundary(s: &str, mut len: usize) -> &str {
    while !s.is_char_boundary(len) {
        len -= 1;
    }
    &s[..len]
}

fn ceil_suffix(s: &str, len: usize) -> &str {
    let mut start = s.len() - len;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn glob_matching() {
        assert!(matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/x.json"));
        assert!(!matches("arn:aws:s3:::b/*", "arn:aws:s3:::c/x"));
        assert!(matches("a?c", "abc"));
        assert!(matches("*", ""));
        assert!(!matches("s3:Get*", "s3:getobject"));
        assert!(matches_ignore_case("s3:get*", "s3:GetObject"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
    }

    #[test]
    fn covers_is_conservative_with_patterns() {
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/*.json"));
        assert!(covers("*", "arn:aws:s3:::b"));
        assert!(!covers("arn:aws:s3:::b/logs/*", "arn:aws:s3:::b/*"));
        assert!(!covers("arn:aws:s3:::b/?", "arn:aws:s3:::b/*"));
    }

    #[test]
    fn narrowest_keeps_structure() {
        assert_eq!(narrowest_common(&v(&["arn:aws:s3:::a/x", "arn:aws:s3:::b/y"])), "arn:aws:s3:::*/*");
        assert_eq!(narrowest_common(&v(&["arn:aws:sqs:us-east-1:1:queue-a", "arn:aws:sqs:us-east-1:1:queue-b"])), "arn:aws:sqs:us-east-1:1:queue-*");
        assert_eq!(narrowest_common(&v(&["arn:aws:sqs:us-east-1:1:jobs", "arn:aws:sqs:eu-west-1:1:jobs"])), "arn:aws:sqs:*:1:jobs");
        assert_eq!(
            narrowest_common(&v(&["arn:aws:dynamodb:r:1:table/Orders", "arn:aws:dynamodb:r:1:table/Orders/index/ByDate"])),
            "arn:aws:dynamodb:r:1:table/Orders*"
        );
        assert_eq!(narrowest_common(&v(&["arn:aws:s3:::b/a.json", "arn:aws:s3:::b/c.json"])), "arn:aws:s3:::b/*.json");
        assert_eq!(narrowest_common(&v(&["*", "arn:aws:s3:::b"])), "*");
        assert_eq!(narrowest_common(&v(&["arn:aws:s3:::b/thumbs/x", "arn:aws:s3:::b/events/x"])), "arn:aws:s3:::b/*/x");
        assert_eq!(
            narrowest_common(&v(&[
                "arn:aws:s3:::acme-builds-release/releases/*/app.zip",
                "arn:aws:s3:::acme-builds-release/releases/latest.txt",
                "arn:aws:s3:::acme-thumbnails-prod/thumbs/*"
            ])),
            "arn:aws:s3:::acme-*/*/*"
        );
    }

    #[test]
    fn narrowest_matches_every_input() {
        let sets = [
            v(&["arn:aws:s3:::aa/k1", "arn:aws:s3:::ab/k22", "arn:aws:s3:::b/z"]),
            v(&["arn:aws:lambda:r:1:function:f1", "arn:aws:lambda:r:1:function:f2:prod"]),
            v(&["arn:aws:ssm:r:1:parameter/app/x", "arn:aws:ssm:r:1:parameter/app/y/z"]),
            v(&["abc", "abbc"]),
        ];
        for set in sets {
            let wide = narrowest_common(&set);
            for arn in &set {
                assert!(matches(&wide, arn), "{wide} must match {arn}");
            }
        }
    }
}
