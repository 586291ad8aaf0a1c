//! Requirements → IAM policy documents (grouping, cutoff, size split).
