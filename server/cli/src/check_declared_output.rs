//! What `iamlens check` prints when it checks each function against the
//! policies its templates declare: `text`, `json`, `sarif` and `github`,
//! as for `--role`/`--policy`, but one section per function, excess grants
//! located at the template line of the granting statement.

use super::check_declared::MODELLED_DECLARED;
use super::check_output::{annotation, char_column, location, plural, push_verdicts, EXCESS_RULE, MISSING_RULE};
use super::CheckFormat;
use iamlens_engine::drift::Drift;
use iamlens_engine::evaluator::ExcessGrant;
use iamlens_functions::{Function, FunctionPolicies};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One function's verdicts.
pub struct FunctionCheck {
    pub function: Function,
    pub declared: FunctionPolicies,
    /// Why its code is a wider or empty set of files.
    pub code_notes: Vec<String>,
    /// Declared documents that are not valid IAM policies.
    pub errors: Vec<String>,
    /// `None`: not checked (its code or every policy of it is unknown).
    pub drift: Option<Drift>,
}

impl FunctionCheck {
    /// `GetInvoiceFunction (template.yaml:18)`.
    fn label(&self) -> String {
        format!("{} ({}:{})", self.function.id, shown(&self.function.declared_at.file).display(), self.function.declared_at.line)
    }

    /// The template file and line of an excess grant's statement.
    fn locate(&self, grant: &ExcessGrant) -> Option<(PathBuf, u32)> {
        let policy = self.declared.policies.iter().find(|p| p.name == grant.statement.policy)?;
        let line = policy.statement_lines.get(grant.statement.index).copied().unwrap_or(policy.declared_at.line);
        Some((shown(&policy.declared_at.file), line as u32))
    }

    fn not_checked(&self) -> Vec<String> {
        let shown = |o: &iamlens_functions::OpaquePolicy| {
            let logs = if o.is_basic_execution_role() { "; AWS documents it as CloudWatch Logs writes only" } else { "" };
            format!("{} (content unknown{logs})", o.what)
        };
        self.declared.opaque.iter().map(shown).collect()
    }

    fn why_unchecked(&self) -> String {
        if !self.code_notes.is_empty() && self.drift.is_none() {
            format!("its code was not read: {}", self.code_notes.join("; "))
        } else if self.declared.opaque.iter().any(|o| !o.is_basic_execution_role()) {
            "every policy of its role is one whose content the templates do not hold (listed above)".to_string()
        } else {
            "no policy of its role is in the templates read".to_string()
        }
    }
}

/// A template path relative to the current directory when it is under it.
fn shown(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()).unwrap_or(path);
    relative.strip_prefix(".").unwrap_or(relative).to_path_buf()
}

pub fn render(format: CheckFormat, checks: &[FunctionCheck], unbound_files: usize) -> String {
    match format {
        CheckFormat::Text => text(checks, unbound_files),
        CheckFormat::Json => format!("{}\n", serde_json::to_string_pretty(&as_json(checks, unbound_files)).unwrap_or_default()),
        CheckFormat::Sarif => format!("{}\n", serde_json::to_string_pretty(&sarif(checks)).unwrap_or_default()),
        CheckFormat::Github => github(checks),
    }
}

fn totals(checks: &[FunctionCheck]) -> (usize, usize, usize) {
    let drifts = checks.iter().filter_map(|c| c.drift.as_ref());
    let (missing, excess) = drifts.fold((0, 0), |(m, e), d| (m + d.summary.missing, e + d.summary.excess));
    (missing, excess, checks.iter().filter(|c| c.drift.is_none()).count())
}

fn text(checks: &[FunctionCheck], unbound_files: usize) -> String {
    let mut out = String::new();
    let mut relative = None;
    for c in checks {
        let role = c.declared.role.as_deref().map(|r| format!(", role {r}")).unwrap_or_default();
        out.push_str(&format!("== {}{role}\n", c.label()));
        for p in &c.declared.policies {
            out.push_str(&format!("   policy {} ({}:{})\n", p.name, shown(&p.declared_at.file).display(), p.declared_at.line));
            for value in &p.unresolved {
                out.push_str(&format!("      not known from the infrastructure code, read as *: {value}\n"));
            }
        }
        for what in c.not_checked() {
            out.push_str(&format!("   not checked: {what}\n"));
        }
        for note in c.declared.notes.iter().chain(&c.code_notes) {
            out.push_str(&format!("   note: {note}\n"));
        }
        for error in &c.errors {
            out.push_str(&format!("   error: {error}\n"));
        }
        let Some(drift) = &c.drift else {
            out.push_str(&format!("   not checked: {}\n", c.why_unchecked()));
            continue;
        };
        relative = Some(drift.excess_is_relative);
        push_verdicts(&mut out, drift, |grant| c.locate(grant));
        let s = &drift.summary;
        out.push_str(&format!(
            "   {}: {} call(s) allowed, {} denied, {} depend on run-time values; {}, {} beyond what the calls read need\n",
            c.function.id,
            s.allowed,
            s.denied,
            s.depends,
            plural(s.missing, "missing permission", "missing permissions"),
            plural(s.excess, "statement grants", "statements grant")
        ));
        if !drift.allowed.is_empty() {
            out.push_str(&format!("   (granted for reasons the code does not show, never excess: {})\n", drift.allowed.join(", ")));
        }
    }
    out.push_str(&totals_line(checks));
    if unbound_files > 0 {
        out.push_str(&format!("(not checked: {} with AWS calls that no deployed function runs)\n", plural(unbound_files, "file", "files")));
    }
    if let Some(relative) = relative {
        out.push_str(&format!("({relative})\n"));
    }
    out.push_str(&format!("(iamlens {MODELLED_DECLARED})\n"));
    out
}

fn as_json(checks: &[FunctionCheck], unbound_files: usize) -> Value {
    let functions: Vec<Value> = checks
        .iter()
        .map(|c| {
            let mut obj = serde_json::Map::new();
            obj.insert("Function".into(), json!(c.function.id));
            obj.insert("Template".into(), json!(shown(&c.function.declared_at.file).display().to_string()));
            obj.insert("Line".into(), json!(c.function.declared_at.line));
            obj.insert("Role".into(), json!(c.declared.role));
            let policies: Vec<Value> = c
                .declared
                .policies
                .iter()
                .map(|p| {
                    json!({
                        "Name": p.name,
                        "File": shown(&p.declared_at.file).display().to_string(),
                        "Line": p.declared_at.line,
                        "Document": p.document,
                        "Unresolved": p.unresolved,
                    })
                })
                .collect();
            obj.insert("Policies".into(), json!(policies));
            obj.insert("NotChecked".into(), json!(c.not_checked()));
            obj.insert("Notes".into(), json!(c.declared.notes.iter().chain(&c.code_notes).collect::<Vec<_>>()));
            obj.insert("Errors".into(), json!(c.errors));
            obj.insert("Checked".into(), json!(c.drift.is_some()));
            if c.drift.is_none() {
                obj.insert("WhyNotChecked".into(), json!(c.why_unchecked()));
            }
            if let Some(Value::Object(body)) = c.drift.as_ref().map(|d| serde_json::to_value(d).unwrap_or(Value::Null)) {
                for (key, mut value) in body {
                    if let (Some(drift), "Excess", Value::Array(items)) = (&c.drift, key.as_str(), &mut value) {
                        for (item, grant) in items.iter_mut().zip(&drift.excess) {
                            if let (Some((file, line)), Value::Object(o)) = (c.locate(grant), item) {
                                o.insert("File".into(), json!(file.display().to_string()));
                                o.insert("Line".into(), json!(line));
                            }
                        }
                    }
                    obj.insert(key, value);
                }
            }
            Value::Object(obj)
        })
        .collect();
    let (missing, excess, unchecked) = totals(checks);
    json!({
        "Source": "declared",
        "Models": MODELLED_DECLARED,
        "Functions": functions,
        "Summary": {"Functions": checks.len(), "Missing": missing, "Excess": excess, "NotChecked": unchecked, "FilesRunByNoFunction": unbound_files},
    })
}

fn sarif(checks: &[FunctionCheck]) -> Value {
    let mut results: Vec<Value> = Vec::new();
    let mut relative = "";
    for c in checks {
        let Some(drift) = &c.drift else { continue };
        relative = drift.excess_is_relative;
        for m in &drift.missing {
            results.push(json!({
                "ruleId": MISSING_RULE,
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": format!("{} needs {} on {}, which the policies {} declares for {} do not allow: {}", m.call, m.action, m.resource, shown(&c.function.declared_at.file).display(), c.function.id, m.decision)},
                "locations": [location(Path::new(&m.file), m.line, Some(char_column(&m.file, m.line, m.column)))],
                "properties": {"action": m.action, "resource": m.resource, "function": c.function.id},
            }));
        }
        for grant in &drift.excess {
            let mut result = json!({
                "ruleId": EXCESS_RULE,
                "ruleIndex": 1,
                "level": "warning",
                "message": {"text": format!("{}: {} ({})", c.function.id, grant.summary(), drift.excess_is_relative)},
                "properties": {
                    "function": c.function.id,
                    "grantedActions": grant.granted_actions,
                    "grantedResources": grant.granted_resources,
                    "neededActions": grant.needed_actions,
                    "neededResources": grant.needed_resources,
                },
            });
            if let Some((file, line)) = c.locate(grant) {
                result["locations"] = json!([location(&file, line, None)]);
            }
            results.push(result);
        }
    }
    super::check_output::sarif_log(results, relative)
}

fn github(checks: &[FunctionCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        let Some(drift) = &c.drift else {
            let file = shown(&c.function.declared_at.file);
            let at = (file.as_path(), c.function.declared_at.line as u32, None);
            out.push_str(&annotation("notice", Some(at), &format!("iamlens: {} not checked", c.function.id), &c.why_unchecked()));
            continue;
        };
        for m in &drift.missing {
            let column = char_column(&m.file, m.line, m.column);
            let file = shown(Path::new(&m.file));
            out.push_str(&annotation(
                "error",
                Some((file.as_path(), m.line, Some(column))),
                &format!("iamlens: {} missing {}", c.function.id, m.action),
                &m.summary(),
            ));
        }
        for grant in &drift.excess {
            let located = c.locate(grant);
            let at = located.as_ref().map(|(file, line)| (file.as_path(), *line, None));
            out.push_str(&annotation(
                "warning",
                at,
                &format!("iamlens: {} excess grant", c.function.id),
                &format!("{}\n{}", grant.summary(), drift.excess_is_relative),
            ));
        }
    }
    out.push_str(&totals_line(checks));
    out
}

/// `declared policies of 3 functions: 1 missing permission, 2 statements grant beyond …`
fn totals_line(checks: &[FunctionCheck]) -> String {
    let (missing, excess, unchecked) = totals(checks);
    format!(
        "declared policies of {}: {}, {} beyond what the calls read need{}\n",
        plural(checks.len(), "function", "functions"),
        plural(missing, "missing permission", "missing permissions"),
        plural(excess, "statement grants", "statements grant"),
        if unchecked > 0 { format!(", {} not checked", plural(unchecked, "function", "functions")) } else { String::new() }
    )
}
