//! What a Java type name denotes: the SDK classes that matter (clients,
//! their builders, waiters, the S3 presigner and transfer managers, the
//! DynamoDB enhanced/document clients and tables), read through the file's
//! imports — package first, class name second.

use crate::naming::names;
use crate::syntax::{named_children, text};
use iamlens_engine::model::Value;
use std::collections::{BTreeSet, HashMap};
use tree_sitter::Node;

const V2: &str = "software.amazon.awssdk.";
const V1: &str = "com.amazonaws.";

/// What an expression or declared type is, as far as AWS calls go.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A service client (`S3Client`, `SqsAsyncClient`, v1 `AmazonS3`).
    Client { service: String, region: Option<String>, v1: bool },
    /// A builder that `build()`s the inner kind.
    Builder(Box<Kind>),
    /// `client.waiter()` / `S3Waiter`.
    Waiter { service: String },
    /// `S3Presigner`.
    Presigner,
    /// `S3TransferManager` (v2) or `TransferManager` (v1).
    TransferManager { v1: bool },
    /// `DynamoDbEnhancedClient` or the v1 document API's `DynamoDB`.
    Enhanced,
    /// A DynamoDB table (or index) of the enhanced/document API.
    Table { name: Value, index: Option<Value> },
    /// `s3.utilities()`: local helpers, no calls.
    Utilities,
    /// `StsAssumeRoleCredentialsProvider` (v2) / `STSAssumeRoleSessionCredentialsProvider` (v1).
    StsProvider,
    /// Any other SDK class (requests, responses, `Region`, `RequestBody`).
    Model,
    /// A JDK/Spring holder of one (`Supplier<S3Client>`, `Optional<SqsClient>`,
    /// `ObjectProvider<…>`, `CompletableFuture<…>`): its getter yields the inner kind.
    Holder(Box<Kind>),
    /// v1 `DynamoDBMapper`: tables come from `@DynamoDBTable` on the mapped classes.
    Mapper,
}

/// Generic holders whose getter returns their type argument, and those getters.
pub const HOLDERS: &[&str] = &["Supplier", "Optional", "Provider", "ObjectProvider", "Lazy", "AtomicReference", "CompletableFuture", "Future"];
pub const HOLDER_GETTERS: &[&str] = &["get", "getObject", "getIfAvailable", "getIfUnique", "orElseThrow", "join", "getNow"];

impl Kind {
    pub fn client(service: &str, v1: bool) -> Kind {
        Kind::Client { service: service.to_string(), region: None, v1 }
    }
}

/// Classify a fully qualified class name. `None`: not an SDK class.
pub fn classify_fqn(fqn: &str) -> Option<Kind> {
    if let Some(rest) = fqn.strip_prefix(V2) {
        return Some(classify_v2(rest).unwrap_or(Kind::Model));
    }
    if let Some(rest) = fqn.strip_prefix(V1) {
        return Some(classify_v1(rest).unwrap_or(Kind::Model));
    }
    None
}

fn classify_v2(rest: &str) -> Option<Kind> {
    let (package, class) = rest.rsplit_once('.')?;
    match (package, class) {
        ("transfer.s3", "S3TransferManager") => return Some(Kind::TransferManager { v1: false }),
        ("enhanced.dynamodb", "DynamoDbEnhancedClient" | "DynamoDbEnhancedAsyncClient") => return Some(Kind::Enhanced),
        ("enhanced.dynamodb", "DynamoDbTable" | "DynamoDbAsyncTable") => return Some(Kind::Table { name: Value::Unknown, index: None }),
        ("enhanced.dynamodb", "DynamoDbIndex" | "DynamoDbAsyncIndex") => {
            return Some(Kind::Table { name: Value::Unknown, index: Some(Value::Unknown) })
        }
        ("services.s3.presigner", "S3Presigner") => return Some(Kind::Presigner),
        ("services.s3", "S3Utilities") => return Some(Kind::Utilities),
        ("services.sts.auth", "StsAssumeRoleCredentialsProvider") => return Some(Kind::StsProvider),
        _ => {}
    }
    let package = package.strip_prefix("services.")?;
    if let Some(base) = package.strip_suffix(".waiters") {
        let service = names().service_of_v2_package(base)?;
        let prefix = names().prefix(service)?;
        return (class == format!("{prefix}Waiter") || class == format!("{prefix}AsyncWaiter"))
            .then(|| Kind::Waiter { service: service.to_string() });
    }
    let service = names().service_of_v2_package(package)?;
    let prefix = names().prefix(service)?;
    let client = Kind::client(service, false);
    if class == format!("{prefix}Client") || class == format!("{prefix}AsyncClient") {
        Some(client)
    } else if class == format!("{prefix}ClientBuilder") || class == format!("{prefix}AsyncClientBuilder") {
        Some(Kind::Builder(Box::new(client)))
    } else {
        None
    }
}

fn classify_v1(rest: &str) -> Option<Kind> {
    let (package, class) = rest.rsplit_once('.')?;
    match (package, class) {
        ("services.s3.transfer", "TransferManager") => return Some(Kind::TransferManager { v1: true }),
        ("services.s3.transfer", "TransferManagerBuilder") => return Some(Kind::Builder(Box::new(Kind::TransferManager { v1: true }))),
        ("services.dynamodbv2.document", "DynamoDB") => return Some(Kind::Enhanced),
        ("services.dynamodbv2.datamodeling", "DynamoDBMapper") => return Some(Kind::Mapper),
        ("services.dynamodbv2.document", "Table") => return Some(Kind::Table { name: Value::Unknown, index: None }),
        ("services.dynamodbv2.document", "Index") => return Some(Kind::Table { name: Value::Unknown, index: Some(Value::Unknown) }),
        ("auth" | "services.securitytoken", "STSAssumeRoleSessionCredentialsProvider") => return Some(Kind::StsProvider),
        _ => {}
    }
    let package = package.strip_prefix("services.")?;
    // The v1 DynamoDB Streams client shares the `dynamodbv2` package.
    let service =
        if package == "dynamodbv2" && class.contains("DynamoDBStreams") { "dynamodbstreams" } else { names().service_of_v1_package(package)? };
    if !(class.starts_with("Amazon") || class.starts_with("AWS")) || class.ends_with("Exception") {
        return None;
    }
    let client = Kind::client(service, true);
    if class.ends_with("ClientBuilder") {
        Some(Kind::Builder(Box::new(client)))
    } else if class.ends_with("Builder") || class.ends_with("Configuration") {
        None
    } else {
        Some(client)
    }
}

/// The imports of a file: single-type imports by simple name, on-demand
/// packages, and which SDK services they name.
#[derive(Debug, Default, Clone)]
pub struct Imports {
    single: HashMap<String, String>,
    on_demand: Vec<String>,
    /// Statically imported members → the simple name of their class.
    statics: HashMap<String, String>,
    /// Some import names an AWS SDK package.
    pub uses_sdk: bool,
    /// botocore names of the services whose packages are imported.
    pub services: BTreeSet<String>,
}

impl Imports {
    /// Read the import declarations at the top of a file (also inside
    /// error-recovery nodes, so a half-typed file keeps its imports).
    pub fn read(root: Node, src: &str) -> Imports {
        let mut out = Imports::default();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "import_declaration" => out.add(n, src),
                "program" | "ERROR" => stack.extend(named_children(n)),
                _ => {}
            }
        }
        out
    }

    fn add(&mut self, decl: Node, src: &str) {
        let kids = named_children(decl);
        let Some(path) = kids.iter().find(|k| matches!(k.kind(), "scoped_identifier" | "identifier")) else { return };
        let path: String = text(*path, src).chars().filter(|c| !c.is_whitespace()).collect();
        let wildcard = kids.iter().any(|k| k.kind() == "asterisk");
        let is_static = (0..decl.child_count()).filter_map(|i| decl.child(i)).any(|c| c.kind() == "static");
        self.note_service(&path);
        if is_static {
            // `import static com.acme.Tables.ORDERS;` → ORDERS is Tables' member.
            if let (false, Some((class, member))) = (wildcard, path.rsplit_once('.')) {
                self.statics.insert(member.to_string(), class.rsplit('.').next().unwrap_or(class).to_string());
            }
            return;
        }
        if wildcard {
            self.on_demand.push(path);
        } else if let Some((_, simple)) = path.rsplit_once('.') {
            self.single.insert(simple.to_string(), path);
        }
    }

    fn note_service(&mut self, path: &str) {
        let service = if let Some(rest) = path.strip_prefix("software.amazon.awssdk.") {
            self.uses_sdk = true;
            match rest.strip_prefix("services.") {
                Some(pkg) => longest_package(pkg, |p| names().service_of_v2_package(p)),
                None if rest.starts_with("transfer.s3") => Some("s3"),
                None if rest.starts_with("enhanced.dynamodb") => Some("dynamodb"),
                None => None,
            }
        } else if let Some(rest) = path.strip_prefix("com.amazonaws.") {
            // The Lambda runtime and events libraries share the prefix but call nothing.
            if rest.starts_with("services.lambda.runtime") {
                return;
            }
            self.uses_sdk = true;
            rest.strip_prefix("services.").and_then(|pkg| pkg.split('.').next()).and_then(|p| names().service_of_v1_package(p))
        } else {
            None
        };
        if let Some(s) = service {
            self.services.insert(s.to_string());
        }
    }

    /// The class a statically imported member belongs to.
    pub fn static_owner(&self, member: &str) -> Option<&str> {
        self.statics.get(member).map(String::as_str)
    }

    /// Whether a single-type import names this class.
    pub fn imports_class(&self, simple: &str) -> bool {
        self.single.contains_key(simple)
    }

    /// Whether a class name is a JDK or well-known library class (imported
    /// from such a package, or a `java.lang` class): its static methods
    /// never hand out an AWS client.
    pub fn is_library_class(&self, simple: &str) -> bool {
        const LIBRARIES: &[&str] = &[
            "java.",
            "javax.",
            "jakarta.",
            "kotlin.",
            "scala.",
            "reactor.",
            "io.reactivex.",
            "rx.",
            "org.springframework.",
            "com.google.",
            "org.apache.",
            "com.fasterxml.",
            "org.slf4j.",
            "lombok.",
            "io.micronaut.",
            "io.quarkus.",
            "org.junit.",
        ];
        const JAVA_LANG: &[&str] = &[
            "String",
            "Integer",
            "Long",
            "Math",
            "Objects",
            "System",
            "Thread",
            "Boolean",
            "Double",
            "Float",
            "Character",
            "StringBuilder",
            "Runtime",
            "Class",
            "Byte",
            "Short",
            "Enum",
            "Record",
            "Object",
        ];
        match self.single.get(simple) {
            Some(fqn) => LIBRARIES.iter().any(|p| fqn.starts_with(p)),
            None => JAVA_LANG.contains(&simple),
        }
    }

    /// What a type name (simple, nested `A.B`, or fully qualified) denotes.
    /// `None`: not an SDK class (a project or JDK class, or unknown).
    pub fn classify(&self, name: &str) -> Option<Kind> {
        let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        let (first, rest) = match name.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (name.as_str(), None),
        };
        if first.starts_with(|c: char| c.is_ascii_lowercase()) {
            return classify_fqn(&name);
        }
        if let Some(rest) = rest {
            // A nested class: `STSAssumeRoleSessionCredentialsProvider.Builder`.
            let outer = self.classify(first)?;
            return Some(match (outer, rest) {
                (Kind::StsProvider, "Builder") => Kind::Builder(Box::new(Kind::StsProvider)),
                _ => Kind::Model,
            });
        }
        if let Some(fqn) = self.single.get(first) {
            return classify_fqn(fqn);
        }
        // On-demand imports: only a class the package really has counts.
        if let Some(kind) = self.on_demand.iter().find_map(|pkg| classify_fqn(&format!("{pkg}.{first}")).filter(|k| *k != Kind::Model)) {
            return Some(kind);
        }
        // A class from an SDK model package (`GetObjectRequest`) is still not a client.
        let sdk_on_demand = self.on_demand.iter().any(|p| p.starts_with(V2) || p.starts_with(V1));
        (sdk_on_demand && looks_like_sdk_model(first)).then_some(Kind::Model)
    }
}

/// Request, response and helper class names of the SDK: not clients.
fn looks_like_sdk_model(name: &str) -> bool {
    ["Request", "Response", "Result", "Body", "Exception", "Transformer", "Schema", "Region", "Regions"].iter().any(|s| name.ends_with(s))
}

/// The longest prefix of a dotted package path that names a service (`dynamodb.streams.model` → dynamodbstreams).
fn longest_package<'n>(pkg: &str, lookup: impl Fn(&str) -> Option<&'n str>) -> Option<&'n str> {
    let parts: Vec<&str> = pkg.split('.').collect();
    (1..=parts.len()).rev().find_map(|n| lookup(&parts[..n].join(".")))
}

/// The text of a type node without generics: `DynamoDbTable<Order>` → `DynamoDbTable`.
pub fn type_name(ty: Node, src: &str) -> String {
    match ty.kind() {
        "generic_type" => ty.named_child(0).map(|n| type_name(n, src)).unwrap_or_default(),
        "scoped_type_identifier" => named_children(ty).iter().map(|n| type_name(*n, src)).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("."),
        "type_identifier" | "identifier" | "scoped_identifier" => text(ty, src).to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_v2_and_v1_classes_by_package_then_name() {
        assert_eq!(classify_fqn("software.amazon.awssdk.services.s3.S3Client"), Some(Kind::client("s3", false)));
        assert_eq!(classify_fqn("software.amazon.awssdk.services.sfn.SfnAsyncClient"), Some(Kind::client("stepfunctions", false)));
        assert_eq!(classify_fqn("software.amazon.awssdk.services.dynamodb.DynamoDbClient"), Some(Kind::client("dynamodb", false)));
        assert_eq!(
            classify_fqn("software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient"),
            Some(Kind::client("dynamodbstreams", false))
        );
        assert_eq!(classify_fqn("software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient"), Some(Kind::client("logs", false)));
        assert_eq!(classify_fqn("software.amazon.awssdk.services.s3.model.GetObjectRequest"), Some(Kind::Model));
        assert_eq!(classify_fqn("software.amazon.awssdk.services.s3.waiters.S3Waiter"), Some(Kind::Waiter { service: "s3".into() }));
        assert_eq!(classify_fqn("com.amazonaws.services.s3.AmazonS3"), Some(Kind::client("s3", true)));
        assert_eq!(classify_fqn("com.amazonaws.services.dynamodbv2.AmazonDynamoDB"), Some(Kind::client("dynamodb", true)));
        assert_eq!(classify_fqn("com.amazonaws.services.sqs.AmazonSQSClientBuilder"), Some(Kind::Builder(Box::new(Kind::client("sqs", true)))));
        assert_eq!(classify_fqn("com.amazonaws.services.s3.model.PutObjectRequest"), Some(Kind::Model));
        assert_eq!(classify_fqn("com.amazonaws.services.dynamodbv2.AmazonDynamoDBStreams"), Some(Kind::client("dynamodbstreams", true)));
        assert_eq!(classify_fqn("java.util.Map"), None);
    }

    #[test]
    fn imports_resolve_simple_names() {
        let src = "import software.amazon.awssdk.services.sqs.*;\nimport software.amazon.awssdk.services.s3.S3Client;\nimport java.util.List;\nclass A {}\n";
        let tree = iamlens_engine::syntax::parse(&tree_sitter_java::LANGUAGE.into(), src, None).unwrap();
        let imports = Imports::read(tree.root_node(), src);
        assert!(imports.uses_sdk);
        assert_eq!(imports.services.iter().collect::<Vec<_>>(), ["s3", "sqs"]);
        assert_eq!(imports.classify("S3Client"), Some(Kind::client("s3", false)));
        assert_eq!(imports.classify("SqsClient"), Some(Kind::client("sqs", false)));
        assert_eq!(imports.classify("List"), None);
        assert_eq!(imports.classify("OrderService"), None);
    }
}
