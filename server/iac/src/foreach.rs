//! `Fn::ForEach` loops of the `AWS::LanguageExtensions` transform, expanded
//! as the transform expands them before CloudFormation reads the template:
//!
//! ```yaml
//! Fn::ForEach::Queues:
//!   - Name                        # the identifier
//!   - [Orders, Refunds]           # the collection (a list, or a value naming one)
//!   - ${Name}Queue:               # the output key: ${Name}, or &{Name} (alphanumerics only)
//!       Type: AWS::SQS::Queue
//!       Properties:
//!         QueueName: !Sub "${Name}-jobs"   # ${Name} in Fn::Sub, and Ref: Name
//! ```
//!
//! becomes `OrdersQueue` and `RefundsQueue`. Loops nest (at most
//! [`MAX_NESTING`] deep, as CloudFormation allows) and may also generate a
//! resource's properties (`Environment: Variables: Fn::ForEach::...`). A loop
//! whose collection the templates do not give is left out with a warning
//! naming it.

use crate::intrinsics::{Eval, Origins, Val};
use crate::model::{IacWarning, Location};
use crate::yaml::{Entry, Node, Value};

/// CloudFormation's limit on nested `Fn::ForEach` loops.
pub const MAX_NESTING: usize = 5;

const PREFIX: &str = "Fn::ForEach::";

/// `node` with every `Fn::ForEach::*` key, at any depth, replaced by the
/// entries it generates. `eval` reads the collections (parameters, mappings).
pub(crate) fn expand(node: &Node, eval: &mut Eval, warnings: &mut Vec<IacWarning>) -> Node {
    expand_at(node, eval, warnings, 0)
}

/// Whether `node` declares a loop anywhere.
pub(crate) fn has_loops(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| e.key.starts_with(PREFIX) || has_loops(&e.value)),
        Value::Seq(items) => items.iter().any(has_loops),
        _ => false,
    }
}

fn expand_at(node: &Node, eval: &mut Eval, warnings: &mut Vec<IacWarning>, nesting: usize) -> Node {
    let value = match &node.value {
        Value::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for entry in entries {
                if entry.key.starts_with(PREFIX) {
                    out.extend(expand_loop(entry, eval, warnings, nesting));
                } else {
                    out.push(Entry { key: entry.key.clone(), line: entry.line, value: expand_at(&entry.value, eval, warnings, nesting) });
                }
            }
            Value::Map(out)
        }
        Value::Seq(items) => Value::Seq(items.iter().map(|n| expand_at(n, eval, warnings, nesting)).collect()),
        other => other.clone(),
    };
    Node { line: node.line, value }
}

/// The entries one loop generates, its inner loops expanded.
fn expand_loop(entry: &Entry, eval: &mut Eval, warnings: &mut Vec<IacWarning>, nesting: usize) -> Vec<Entry> {
    let file = eval.template.file.clone();
    let warn = |warnings: &mut Vec<IacWarning>, message: String| {
        warnings.push(IacWarning { at: Location { file: file.clone(), line: entry.line }, message })
    };
    if nesting >= MAX_NESTING {
        warn(
            warnings,
            format!("{} is nested more than {MAX_NESTING} loops deep, which CloudFormation refuses; what it declares is not read", entry.key),
        );
        return Vec::new();
    }
    let (identifier, collection, output) = match entry.value.items() {
        [identifier, collection, output] if output.is_map() => match identifier.as_str() {
            Some(identifier) => (identifier, collection, output),
            None => {
                warn(warnings, format!("{}: its identifier is not a string; what it declares is not read", entry.key));
                return Vec::new();
            }
        },
        _ => {
            warn(
                warnings,
                format!("{} is malformed (expected [identifier, collection, {{output key: template}}]); what it declares is not read", entry.key),
            );
            return Vec::new();
        }
    };
    let Some(values) = collection_values(collection, eval) else {
        warn(warnings, format!("{}: its collection is not known from the templates; what it declares is not read", entry.key));
        return Vec::new();
    };
    let mut out = Vec::new();
    for value in &values {
        let instance = substitute(output, identifier, value);
        if let Value::Map(entries) = expand_at(&instance, eval, warnings, nesting + 1).value {
            out.extend(entries);
        }
    }
    out
}

/// The collection's strings, when every one is known.
fn collection_values(node: &Node, eval: &mut Eval) -> Option<Vec<String>> {
    match eval.eval(node, &mut Origins::new()) {
        Val::List(items) => items
            .into_iter()
            .map(|item| match item {
                Val::Str(pattern) => pattern.as_exact(),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// One instance of a loop's template: `${identifier}` and `&{identifier}` in
/// keys, `${identifier}` in `Fn::Sub` strings and `Ref: identifier` replaced.
fn substitute(node: &Node, identifier: &str, value: &str) -> Node {
    let replaced = match &node.value {
        Value::Map(entries) if entries.len() == 1 && entries[0].key == "Ref" && entries[0].value.as_str() == Some(identifier) => {
            Value::Str(value.to_string())
        }
        Value::Map(entries) if entries.len() == 1 && entries[0].key == "Fn::Sub" => {
            let arg = &entries[0].value;
            let arg = match &arg.value {
                Value::Str(text) => Node { line: arg.line, value: Value::Str(in_sub(text, identifier, value)) },
                Value::Seq(items) if items.len() == 2 => {
                    // A variable of the Fn::Sub's own map of the same name shadows the identifier.
                    let shadowed = items[1].get(identifier).is_some();
                    let text = match (&items[0].value, shadowed) {
                        (Value::Str(text), false) => Node { line: items[0].line, value: Value::Str(in_sub(text, identifier, value)) },
                        _ => items[0].clone(),
                    };
                    Node { line: arg.line, value: Value::Seq(vec![text, substitute(&items[1], identifier, value)]) }
                }
                _ => substitute(arg, identifier, value),
            };
            Value::Map(vec![Entry { key: entries[0].key.clone(), line: entries[0].line, value: arg }])
        }
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| Entry { key: in_key(&e.key, identifier, value), line: e.line, value: substitute(&e.value, identifier, value) })
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(|n| substitute(n, identifier, value)).collect()),
        other => other.clone(),
    };
    Node { line: node.line, value: replaced }
}

fn in_sub(text: &str, identifier: &str, value: &str) -> String {
    text.replace(&format!("${{{identifier}}}"), value)
}

fn in_key(key: &str, identifier: &str, value: &str) -> String {
    let alphanumeric: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    key.replace(&format!("${{{identifier}}}"), value).replace(&format!("&{{{identifier}}}"), &alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_take_the_value_or_its_alphanumerics() {
        assert_eq!(in_key("${Name}Queue", "Name", "orders-eu"), "orders-euQueue");
        assert_eq!(in_key("&{Name}Queue", "Name", "orders-eu.1"), "orderseu1Queue");
        assert_eq!(in_key("Fixed", "Name", "x"), "Fixed");
    }

    #[test]
    fn sub_strings_take_the_value_but_not_escaped_references() {
        assert_eq!(in_sub("${Name}-jobs-${AWS::Region}", "Name", "orders"), "orders-jobs-${AWS::Region}");
        assert_eq!(in_sub("${!Name}", "Name", "orders"), "${!Name}");
    }
}
