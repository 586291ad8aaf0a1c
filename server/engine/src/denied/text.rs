//! Text helpers for pasted error output: undo escaping and terminal wrapping,
//! and search case-insensitively. Everything here is linear in the input.

/// Terminal widths at which a full line almost certainly means a hard wrap.
const TERMINAL_WIDTHS: [usize; 7] = [80, 100, 120, 132, 150, 160, 200];

/// One line of text from whatever was pasted: hard terminal wraps are joined
/// without a space (they cut tokens such as ARNs), other line breaks become a
/// space, escapes from JSON strings and XML entities are undone, and runs of
/// whitespace collapse to one space.
pub fn clean(raw: &str) -> String {
    unescape_and_collapse(&join_lines(raw))
}

/// Join the lines of `raw`. A line exactly as long as the longest one is taken
/// for a terminal hard wrap when several lines share that width or the width
/// is a usual terminal width; the next line then continues it directly.
fn join_lines(raw: &str) -> String {
    let lines: Vec<&str> = raw.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    if lines.len() < 2 {
        return raw.replace('\r', " ");
    }
    let width_of = |l: &str| l.chars().count();
    let widest = lines.iter().map(|l| width_of(l)).max().unwrap_or(0);
    let at_widest = lines[..lines.len() - 1].iter().filter(|l| width_of(l) == widest).count();
    let hard_wraps = widest >= 40 && (at_widest >= 2 || TERMINAL_WIDTHS.contains(&widest));
    let mut out = String::with_capacity(raw.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i + 1 < lines.len() && !(hard_wraps && width_of(line) == widest) {
            out.push(' ');
        }
    }
    out
}

fn unescape_and_collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    let mut pending_space = false;
    while let Some((i, c)) = chars.next() {
        let mut emit: Option<char> = Some(c);
        if c == '\u{1b}' {
            // ANSI colour / cursor sequences from terminals (ESC [ … final byte).
            if chars.peek().map(|&(_, n)| n) == Some('[') {
                chars.next();
                for (_, n) in chars.by_ref() {
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            continue;
        } else if c == '\\' {
            match chars.peek().map(|&(_, n)| n) {
                Some('n') | Some('t') | Some('r') => {
                    chars.next();
                    emit = Some(' ');
                }
                Some('"') | Some('\\') | Some('/') | Some('\'') => {
                    emit = chars.next().map(|(_, n)| n);
                }
                _ => {}
            }
        } else if c == '&' {
            let rest = &s[i..];
            for (entity, ch) in [("&quot;", '"'), ("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&apos;", '\''), ("&#39;", '\'')] {
                if rest.starts_with(entity) {
                    for _ in 1..entity.len() {
                        chars.next();
                    }
                    emit = Some(ch);
                    break;
                }
            }
        }
        if let Some(ch) = emit {
            if ch.is_whitespace() {
                pending_space = !out.is_empty();
            } else {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(ch);
            }
        }
    }
    out
}

/// Text with a lowercase shadow of identical byte layout (ASCII lowercasing
/// keeps every byte offset), so case-insensitive search runs on std's
/// two-way `str::find`: linear time whatever the input.
pub struct Haystack<'a> {
    pub text: &'a str,
    lower: String,
}

impl<'a> Haystack<'a> {
    pub fn new(text: &'a str) -> Haystack<'a> {
        Haystack { text, lower: text.to_ascii_lowercase() }
    }

    /// Byte index of the first occurrence of `needle` (any case) at or after `from`.
    pub fn find(&self, needle: &str, from: usize) -> Option<usize> {
        let needle = needle.to_ascii_lowercase();
        self.lower.get(from..)?.find(&needle).map(|i| i + from)
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.find(needle, 0).is_some()
    }

    /// Whether the text at `at` starts with `prefix`, ignoring ASCII case.
    pub fn starts_with(&self, at: usize, prefix: &str) -> bool {
        starts_with_ci(self.text, at, prefix)
    }

    /// The text between the first `open` and the next `close`.
    pub fn between(&self, open: &str, close: &str) -> Option<&'a str> {
        let start = self.find(open, 0)? + open.len();
        let end = self.find(close, start)?;
        Some(&self.text[start..end])
    }
}

/// Whether `hay[at..]` starts with `prefix`, ignoring ASCII case.
pub fn starts_with_ci(hay: &str, at: usize, prefix: &str) -> bool {
    hay.as_bytes().get(at..at + prefix.len()).is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Longest token the parser considers (IAM allows ARNs up to 2048 characters);
/// bounding it keeps repeated look-ups linear on adversarial input.
pub const MAX_TOKEN: usize = 2048;

/// The run of non-space characters starting at `at`, at most [`MAX_TOKEN`] bytes.
pub fn token_at(s: &str, at: usize) -> &str {
    let rest = &s[at..];
    let window = &rest[..floor_boundary(rest, MAX_TOKEN)];
    let end = window.find(' ').unwrap_or(window.len());
    &rest[..end]
}

/// The largest char boundary of `s` at or below `at`.
pub fn floor_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Strip quotes and sentence punctuation around a token.
pub fn trim_token(t: &str) -> &str {
    t.trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ',' | ';' | '(' | ')' | '[' | ']' | '<' | '>' | '{' | '}'))
        .trim_end_matches(['.', ':'])
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '`'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_and_entities_are_undone() {
        assert_eq!(clean(r#"on resource: \"arn:aws:s3:::b/k\"\n because"#), r#"on resource: "arn:aws:s3:::b/k" because"#);
        assert_eq!(clean("&lt;Code&gt;AccessDenied&lt;/Code&gt; &quot;x&quot;"), "<Code>AccessDenied</Code> \"x\"");
    }

    #[test]
    fn ansi_colour_codes_are_dropped() {
        assert_eq!(clean("\u{1b}[31mError:\u{1b}[0m \u{1b}[1mUser\u{1b}[0m: x"), "Error: User: x");
    }

    #[test]
    fn soft_line_breaks_become_spaces() {
        assert_eq!(
            clean("User: arn:aws:iam::1:user/a is not\n   authorized to perform: s3:GetObject"),
            "User: arn:aws:iam::1:user/a is not authorized to perform: s3:GetObject"
        );
    }

    #[test]
    fn hard_terminal_wraps_rejoin_split_tokens() {
        let text = "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::123456789012:assumed-role/App/s is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::my-bucket/reports/2024.csv\" because no identity-based policy allows the s3:GetObject action";
        let wrapped: Vec<String> = text.chars().collect::<Vec<_>>().chunks(80).map(|c| c.iter().collect()).collect();
        assert_eq!(clean(&wrapped.join("\n")), text);
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(Haystack::new("xx Is Not Authorized").find("is not authorized", 0), Some(3));
        let h = Haystack::new("é User: X IS NOT authorized");
        assert_eq!(h.find("is not", 0), Some(11));
        assert_eq!(h.find("is not", 12), None);
        assert_eq!(h.between("user:", "is"), Some(" X "));
        assert_eq!(Haystack::new("abc").find("abcd", 0), None);
        assert_eq!(Haystack::new("abc").find("c", 5), None);
        assert!(starts_with_ci("User: x", 0, "user:"));
        assert_eq!(trim_token("\"arn:aws:s3:::b\"."), "arn:aws:s3:::b");
    }
}
