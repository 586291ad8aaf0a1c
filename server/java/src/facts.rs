//! What one file exports to the project index, read with file-local
//! knowledge only: factory methods and fields holding SDK objects, `@Bean`
//! clients, constants, `@DynamoDBTable` names.

use crate::analyzer::Analyzer;
use crate::index::{ClassFacts, FileFacts, JavaIndex};
use crate::receivers::Recv;
use crate::syntax::{named_children, text};
use crate::types::Kind;
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::Value;
use tree_sitter::Node;

/// The facts a file exports, read with file-local knowledge only.
pub fn file_facts(src: &str, root: Node, catalog: &dyn Catalog) -> FileFacts {
    let empty = JavaIndex::new();
    let opts = AnalysisOptions::default();
    facts_of(&Analyzer::new(src, root, &empty, catalog, &opts))
}

/// The facts of the file an analyzer reads (its index is not consulted:
/// give it an empty one).
pub fn facts_of(an: &Analyzer) -> FileFacts {
    let src = an.src;
    let mut out = FileFacts::default();
    let mut stack = vec![an.root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "class_declaration" | "interface_declaration" | "enum_declaration" | "record_declaration" => {
                if let Some(name) = n.child_by_field_id(field!("name")) {
                    let facts = class_facts(an, n);
                    out.classes.insert(text(name, src).to_string(), facts);
                }
                if let Some(body) = n.child_by_field_id(field!("body")) {
                    stack.extend(named_children(body));
                }
            }
            "program" | "ERROR" => stack.extend(named_children(n)),
            _ => {}
        }
    }
    out
}

fn class_facts<'a>(an: &Analyzer<'a>, class: Node<'a>) -> ClassFacts {
    let mut facts = ClassFacts { dynamo_table: an.dynamodb_table_annotation(class), ..ClassFacts::default() };
    let Some(body) = class.child_by_field_id(field!("body")) else { return facts };
    let uses_sdk = an.imports.uses_sdk;
    for member in named_children(body) {
        match member.kind() {
            "method_declaration" if uses_sdk => {
                let Some(name) = member.child_by_field_id(field!("name")).map(|n| an.text(n)) else { continue };
                if let Recv::Sdk(kind) = an.method_recv(class, name, 0) {
                    if kind != Kind::Model {
                        if an.is_bean(member) {
                            facts.beans.push(kind.clone());
                        }
                        facts.methods.entry(name.to_string()).or_insert(kind);
                    }
                }
            }
            "field_declaration" | "constant_declaration" => {
                let mut cursor = member.walk();
                let names: Vec<String> = member
                    .children_by_field_name("declarator", &mut cursor)
                    .filter_map(|d| d.child_by_field_id(field!("name")))
                    .map(|n| an.text(n).to_string())
                    .collect();
                for name in names {
                    let Some(probe) = member.child_by_field_id(field!("declarator")) else { continue };
                    let Some(decl) = an.lookup_field(&name, probe) else { continue };
                    if uses_sdk {
                        if let Recv::Sdk(kind) = an.decl_recv(&decl, 0) {
                            if kind != Kind::Model {
                                facts.fields.insert(name.clone(), kind);
                            }
                        }
                    }
                    if an.is_constant(&decl) {
                        let v = an.decl_value(&decl, 0);
                        if matches!(v, Value::Text(_) | Value::Number(_)) {
                            facts.constants.insert(name, v);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    facts
}
