//! Lookups of dotted module names by their component runs, so resolving an
//! import costs a hash lookup, not a scan of every indexed module (a scan per
//! import made 1,000-file projects quadratic). Built from the index's names
//! on first use; used by `index`.

use std::collections::{HashMap, HashSet};

/// The indexed module names, by every run of their components.
#[derive(Debug, Default, Clone)]
pub struct ModuleNames {
    /// `c`, `b.c`, `a.b.c` of `a.b.c` → the names ending with that run.
    by_suffix: HashMap<String, Vec<String>>,
    /// `a`, `a.b`, `b` of `a.b.c`: runs followed by another component.
    packages: HashSet<String>,
}

impl ModuleNames {
    pub fn new<'n>(names: impl Iterator<Item = &'n String>) -> ModuleNames {
        let mut out = ModuleNames::default();
        for name in names {
            let parts: Vec<&str> = name.split('.').collect();
            for start in 0..parts.len() {
                out.by_suffix.entry(parts[start..].join(".")).or_default().push(name.clone());
                for end in start + 1..parts.len() {
                    out.packages.insert(parts[start..end].join("."));
                }
            }
        }
        for names in out.by_suffix.values_mut() {
            names.sort();
        }
        out
    }

    /// The names equal to `run` or ending with `.run`, sorted.
    pub fn ending_with(&self, run: &str) -> &[String] {
        self.by_suffix.get(run).map_or(&[], Vec::as_slice)
    }

    /// Whether some name has modules below `run` (`a.b` of `x.a.b.c`).
    pub fn has_package(&self, run: &str) -> bool {
        self.packages.contains(run)
    }

    /// Whether `run` is any run of components of some name.
    pub fn has_run(&self, run: &str) -> bool {
        self.packages.contains(run) || self.by_suffix.contains_key(run)
    }
}

#[cfg(test)]
mod tests {
    use super::ModuleNames;

    #[test]
    fn runs_are_found_by_components_not_by_text() {
        let names = ["app.aws".to_string(), "tools.app.aws".to_string(), "apps.db".to_string()];
        let index = ModuleNames::new(names.iter());
        assert_eq!(index.ending_with("aws"), ["app.aws", "tools.app.aws"]);
        assert_eq!(index.ending_with("app.aws"), ["app.aws", "tools.app.aws"]);
        assert!(index.ending_with("p.aws").is_empty());
        assert!(index.has_package("app") && index.has_package("tools.app") && !index.has_package("aws") && !index.has_package("ap"));
        assert!(index.has_run("aws") && index.has_run("tools.app") && !index.has_run("pps"));
    }
}
