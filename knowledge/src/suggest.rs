//! "Did you mean" suggestions.

/// The `n` candidates closest to `query` (case-insensitive), best first; only
/// reasonably similar ones. Ties keep candidate order.
pub(crate) fn nearest<'a>(query: &str, candidates: impl Iterator<Item = &'a str>, n: usize) -> Vec<String> {
    let q = query.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let lc = c.to_ascii_lowercase();
            let mut score = strsim::jaro_winkler(&q, &lc);
            if !q.is_empty() && (lc.contains(&q) || q.contains(&lc)) {
                score = score.max(0.9);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, c) in scored {
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
        if out.len() == n {
            break;
        }
    }
    out
}
