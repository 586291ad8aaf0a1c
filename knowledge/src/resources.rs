//! The boto3 resources API model (`boto3/data/<svc>/<date>/resources-1.json`),
//! kept faithful so a front-end can resolve `s3.Bucket("b").objects.filter(...)`
//! or `queue.receive_messages()` to operations and members.
//!
//! Names are the model's (`Bucket`, `Get`, `Objects`); the Python-facing name
//! of each item is stored beside it (`get`, `objects`, `wait_until_exists`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A service's resource model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceModel {
    /// What `boto3.resource("s3")` itself offers: actions, sub-resources, collections.
    pub service: ResourceDef,
    /// Resource classes by model name (`Bucket`, `Object`, `Queue`).
    pub resources: BTreeMap<String, ResourceDef>,
}

impl ResourceModel {
    pub fn resource(&self, name: &str) -> Option<&ResourceDef> {
        self.resources.get(name)
    }
}

/// A resource class (or the service object).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ResourceDef {
    /// Constructor identifiers in order (`Bucket(name)`, `Object(bucket_name, key)`).
    pub identifiers: Vec<Identifier>,
    /// Output shape that holds the attributes.
    pub shape: Option<String>,
    /// The operation `load()` / first attribute access calls.
    pub load: Option<Request>,
    /// Actions by model name (`Get`, `Put`, `Delete`).
    pub actions: BTreeMap<String, ResourceAction>,
    /// Batch actions on collections (`objects.delete()`), by model name.
    pub batch_actions: BTreeMap<String, ResourceAction>,
    /// Sub-resources (`bucket.Object(key)`), by model name (= Python name).
    pub has: BTreeMap<String, SubResource>,
    /// Collections (`bucket.objects`), by model name.
    pub collections: BTreeMap<String, Collection>,
    /// Waiters (`bucket.wait_until_exists()`), by model name.
    pub waiters: BTreeMap<String, ResourceWaiter>,
}

/// A resource identifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identifier {
    /// Model name (`BucketName`).
    pub name: String,
    /// Python attribute (`bucket_name`).
    pub attribute: String,
    /// Output member that carries the identifier, when set in the model.
    pub member_name: Option<String>,
}

/// A request an action, load or collection makes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// Operation API name (`GetObject`).
    pub operation: String,
    /// How request members are filled.
    pub params: Vec<Param>,
}

/// One `params` / `identifiers` entry: `target` filled from `source`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    /// Request member or path (`Bucket`, `Delete.Objects[].Key`), or the identifier name for resource identifiers.
    pub target: String,
    /// `identifier`, `data`, `input`, `string`, `integer`, `boolean`, `requestParameter`, `responseParameter`, `response`.
    pub source: String,
    /// Identifier name when `source` is `identifier`.
    pub name: Option<String>,
    /// JMESPath when `source` is `data`, `response`, `requestParameter`, `responseParameter`.
    pub path: Option<String>,
    /// Literal value for `string` / `integer` / `boolean` sources.
    pub value: Option<serde_json::Value>,
}

/// An action on a resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceAction {
    /// Python method (`get`, `put`, `receive_messages`).
    pub method: String,
    pub request: Request,
    /// The resource(s) the action returns (`Message` for `receive_messages`).
    pub resource: Option<ResponseResource>,
}

/// A resource built from a response or from identifiers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseResource {
    /// Resource class (`Message`).
    #[serde(rename = "type")]
    pub type_name: String,
    pub identifiers: Vec<Param>,
    /// JMESPath to the data in the response.
    pub path: Option<String>,
}

/// A sub-resource reachable without a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubResource {
    pub resource: ResponseResource,
}

/// A collection: iterating calls `request` (paginated) and yields `resource`s.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Collection {
    /// Python attribute (`objects`).
    pub attribute: String,
    pub request: Request,
    pub resource: Option<ResponseResource>,
}

/// A resource waiter (`wait_until_exists`) over a client waiter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceWaiter {
    /// Python method (`wait_until_exists`).
    pub method: String,
    /// Client waiter model name (`BucketExists`).
    pub waiter_name: String,
    pub params: Vec<Param>,
}
