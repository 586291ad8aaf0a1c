//! AccessDenied messages: parse, normalise, and plan the remedy that can work.
