//! The project index: what each file's classes export to the others (read
//! from each file by `facts`): factory methods and fields that hold SDK clients or tables
//! (`AwsClients.s3()`, a `@Bean` method, `Config.S3`), and `static final`
//! string constants (`Tables.ORDERS`).

use crate::types::Kind;
use iamlens_engine::model::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What one class exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassFacts {
    /// Methods returning an SDK client, builder output, table...
    pub methods: HashMap<String, Kind>,
    /// Fields holding one.
    pub fields: HashMap<String, Kind>,
    /// `static final` constants with a known value.
    pub constants: HashMap<String, Value>,
    /// Clients made by Spring `@Bean` methods (what injection by type supplies).
    pub beans: Vec<Kind>,
    /// `@DynamoDBTable(tableName = …)` of a v1 mapper class.
    pub dynamo_table: Option<Value>,
}

impl ClassFacts {
    pub fn exports_aws(&self) -> bool {
        !self.methods.is_empty() || !self.fields.is_empty()
    }
}

/// What one file exports, by class simple name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFacts {
    pub classes: BTreeMap<String, ClassFacts>,
}

/// Facts of the project's files, by module path.
#[derive(Debug, Default, Clone)]
pub struct JavaIndex {
    files: BTreeMap<PathBuf, FileFacts>,
    /// Class simple name → the files defining it (in path order).
    by_class: HashMap<String, Vec<PathBuf>>,
}

impl JavaIndex {
    pub fn new() -> JavaIndex {
        JavaIndex::default()
    }

    /// Index (or re-index) a file's facts.
    pub fn insert(&mut self, module_path: &Path, facts: FileFacts) {
        self.unlink(module_path);
        for class in facts.classes.keys() {
            let paths = self.by_class.entry(class.clone()).or_default();
            let at = paths.partition_point(|p| p.as_path() < module_path);
            paths.insert(at, module_path.to_path_buf());
        }
        self.files.insert(module_path.to_path_buf(), facts);
    }

    pub fn remove(&mut self, module_path: &Path) {
        self.unlink(module_path);
        self.files.remove(module_path);
    }

    /// Forget which classes a file defined.
    fn unlink(&mut self, module_path: &Path) {
        let Some(old) = self.files.get(module_path) else { return };
        for class in old.classes.keys() {
            if let Some(paths) = self.by_class.get_mut(class) {
                paths.retain(|p| p != module_path);
                if paths.is_empty() {
                    self.by_class.remove(class);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A class by simple name (the first file defining it, in path order).
    pub fn class(&self, name: &str) -> Option<&ClassFacts> {
        let path = self.by_class.get(name)?.first()?;
        self.files.get(path)?.classes.get(name)
    }

    pub fn has_class(&self, name: &str) -> bool {
        self.by_class.contains_key(name)
    }

    pub fn method_kind(&self, class: &str, method: &str) -> Option<&Kind> {
        self.class(class)?.methods.get(method)
    }

    pub fn field_kind(&self, class: &str, field: &str) -> Option<&Kind> {
        self.class(class)?.fields.get(field)
    }

    pub fn constant(&self, class: &str, name: &str) -> Option<&Value> {
        self.class(class)?.constants.get(name)
    }

    /// Clients of `service` that `@Bean` methods of the project make.
    pub fn beans(&self, service: &str) -> Vec<&Kind> {
        self.files
            .values()
            .flat_map(|f| f.classes.values())
            .flat_map(|c| c.beans.iter())
            .filter(|k| matches!(k, Kind::Client { service: s, .. } if s == service))
            .collect()
    }
}
