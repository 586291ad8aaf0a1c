//! [`KnowledgeBase`]: the index is parsed once; each service and IAM prefix is
//! decoded on first use and cached for the life of the process.

use crate::artifact::{self, ArtifactError, Container};
use crate::iam::{ActionInfo, IamPrefix, ResourceTypeInfo};
use crate::model::Service;
use crate::suggest;
use crate::wire;
use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// The artifact compiled by `knowledge/generator/generate`.
static EMBEDDED: &[u8] = include_bytes!("../data/knowledge.bin");

/// Offline knowledge of every AWS service, operation and IAM action. `Sync`:
/// share one instance across threads; decoding happens once per service/prefix.
pub struct KnowledgeBase {
    data: std::borrow::Cow<'static, [u8]>,
    blobs_start: usize,
    index: artifact::Index,
    /// Lower-case service name or alias → position in `index.services`.
    service_pos: HashMap<String, usize>,
    /// Lower-case IAM prefix → position in `index.prefixes`.
    prefix_pos: HashMap<String, usize>,
    services: Vec<OnceLock<Arc<Service>>>,
    prefixes: Vec<OnceLock<Arc<IamPrefix>>>,
    /// boto3 method → positions in `index.services`.
    method_index: OnceLock<HashMap<Box<str>, Box<[u16]>>>,
    /// Decompressed zstd dictionaries by blob kind (`services`, `prefixes`).
    dictionaries: HashMap<String, Vec<u8>>,
}

/// A shared handle to one IAM action (dereferences to [`ActionInfo`]).
#[derive(Clone)]
pub struct ActionRef {
    prefix: Arc<IamPrefix>,
    key: String,
}

impl Deref for ActionRef {
    type Target = ActionInfo;
    fn deref(&self) -> &ActionInfo {
        &self.prefix.actions[&self.key]
    }
}

impl std::fmt::Debug for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl ActionRef {
    /// The IAM prefix data this action belongs to (resource types, condition keys).
    pub fn prefix(&self) -> &IamPrefix {
        &self.prefix
    }
}

impl KnowledgeBase {
    /// The knowledge base embedded in the binary, parsed on first call.
    pub fn embedded() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(|| {
            // The artifact is compiled in and verified by the crate's tests; failing here is a build defect.
            KnowledgeBase::from_bytes(EMBEDDED.into()).unwrap_or_else(|e| panic!("{e}"))
        })
    }

    /// Open an artifact (the embedded one, or a freshly generated file in tests).
    pub fn from_bytes(data: std::borrow::Cow<'static, [u8]>) -> Result<KnowledgeBase, ArtifactError> {
        let Container { index, blobs } = artifact::open(&data)?;
        let blobs_start = data.len() - blobs.len();
        let mut dictionaries = HashMap::new();
        for (kind, at) in &index.dictionaries {
            let raw = artifact::decompress(artifact::blob(blobs, *at, kind)?, kind)?;
            dictionaries.insert(kind.clone(), raw);
        }
        let mut service_pos = HashMap::new();
        for (i, s) in index.services.iter().enumerate() {
            service_pos.insert(s.name.to_ascii_lowercase(), i);
        }
        for (i, s) in index.services.iter().enumerate() {
            for alias in &s.aliases {
                service_pos.entry(alias.to_ascii_lowercase()).or_insert(i);
            }
        }
        let prefix_pos = index.prefixes.iter().enumerate().map(|(i, p)| (p.prefix.to_ascii_lowercase(), i)).collect();
        let services = index.services.iter().map(|_| OnceLock::new()).collect();
        let prefixes = index.prefixes.iter().map(|_| OnceLock::new()).collect();
        Ok(KnowledgeBase { data, blobs_start, index, service_pos, prefix_pos, services, prefixes, method_index: OnceLock::new(), dictionaries })
    }

    fn dictionary(&self, kind: &str) -> Option<&[u8]> {
        self.dictionaries.get(kind).map(Vec::as_slice)
    }

    fn blobs(&self) -> &[u8] {
        &self.data[self.blobs_start..]
    }

    /// Pinned versions of the sources the artifact was built from (`botocore` → `1.44.8`).
    pub fn sources(&self) -> &BTreeMap<String, String> {
        &self.index.sources
    }

    /// botocore service names, sorted.
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.index.services.iter().map(|s| s.name.as_str())
    }

    /// Every service as (botocore name, model `serviceId`), sorted by name,
    /// without decoding any service: what the JavaScript, Go and Java SDKs
    /// derive their package and class names from (`SFN` → `client-sfn`).
    pub fn service_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.index.services.iter().map(|s| (s.name.as_str(), s.service_id.as_str()))
    }

    /// Why an action lets its holder raise privileges (`iam:PassRole`,
    /// `iam:PutRolePolicy`, ...), from the curated list in
    /// `overrides/privilege-escalation.toml`; `None` for other actions.
    /// Case-insensitive, as IAM action names are.
    pub fn privilege_escalation(&self, action: &str) -> Option<&str> {
        self.index.privilege_escalation.iter().find(|(a, _)| a.eq_ignore_ascii_case(action)).map(|(_, why)| why.as_str())
    }

    /// IAM prefixes known to the IAM data, sorted.
    pub fn iam_prefixes(&self) -> impl Iterator<Item = &str> {
        self.index.prefixes.iter().map(|p| p.prefix.as_str())
    }

    /// A service by botocore name (case-insensitive) or an alias boto3 accepts.
    pub fn service(&self, name: &str) -> Option<Arc<Service>> {
        let pos = *self.service_pos.get(&name.to_ascii_lowercase())?;
        Some(self.service_at(pos))
    }

    /// Like [`service`](Self::service), reporting a damaged artifact instead of panicking.
    pub fn try_service(&self, name: &str) -> Result<Option<Arc<Service>>, ArtifactError> {
        match self.service_pos.get(&name.to_ascii_lowercase()) {
            Some(&pos) => self.decode_service(pos).map(Some),
            None => Ok(None),
        }
    }

    fn service_at(&self, pos: usize) -> Arc<Service> {
        // Every blob is decoded by the crate's tests, so a failure here is a build defect.
        self.decode_service(pos).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decode_service(&self, pos: usize) -> Result<Arc<Service>, ArtifactError> {
        if let Some(s) = self.services[pos].get() {
            return Ok(s.clone());
        }
        let entry = &self.index.services[pos];
        let frame = artifact::blob(self.blobs(), entry.blob, &entry.name)?;
        let wire: wire::WireService = artifact::decode_json_with(frame, self.dictionary("services"), &entry.name)?;
        // IAM facts are joined in from the prefix blobs; a damaged one is reported, not swallowed.
        let damage = std::cell::RefCell::new(None);
        let service = wire::service(wire, &|prefix| {
            let pos = *self.prefix_pos.get(&prefix.to_ascii_lowercase())?;
            self.decode_prefix(pos).map_err(|e| damage.borrow_mut().get_or_insert(e).clone()).ok()
        });
        if let Some(e) = damage.into_inner() {
            return Err(e);
        }
        Ok(self.services[pos].get_or_init(|| Arc::new(service)).clone())
    }

    /// botocore names of the services whose IAM prefix is `prefix` (`ses` → `ses`, `sesv2`).
    pub fn services_for_iam_prefix(&self, prefix: &str) -> Vec<String> {
        self.index.services.iter().filter(|s| s.iam_prefix.eq_ignore_ascii_case(prefix)).map(|s| s.name.clone()).collect()
    }

    /// Closest service names (and aliases) to a misspelt one, best first.
    pub fn nearest_services(&self, name: &str, n: usize) -> Vec<String> {
        suggest::nearest(name, self.index.services.iter().map(|s| s.name.as_str()), n)
    }

    /// Services whose client has this boto3 method, sorted (for calls on an unresolved receiver).
    /// Methods every client has (`get_paginator`, `generate_presigned_url`, ...) are not indexed.
    pub fn services_with_method(&self, method: &str) -> Vec<String> {
        let index = self.method_index.get_or_init(|| self.decode_method_index().unwrap_or_else(|e| panic!("{e}")));
        index.get(method).map(|positions| positions.iter().map(|&i| self.index.services[i as usize].name.clone()).collect()).unwrap_or_default()
    }

    fn decode_method_index(&self) -> Result<HashMap<Box<str>, Box<[u16]>>, ArtifactError> {
        let frame = artifact::blob(self.blobs(), self.index.method_index, "method index")?;
        let text = String::from_utf8(artifact::decompress(frame, "method index")?).map_err(|e| ArtifactError(format!("method index: {e}")))?;
        let position: HashMap<&str, u16> = self.index.services.iter().enumerate().map(|(i, s)| (s.name.as_str(), i as u16)).collect();
        let mut out = HashMap::with_capacity(text.len() / 24);
        for line in text.lines() {
            let (method, services) = line.split_once('\t').ok_or_else(|| ArtifactError(format!("method index: bad line {line:?}")))?;
            let services = services
                .split(' ')
                .map(|s| position.get(s).copied().ok_or_else(|| ArtifactError(format!("method index: unknown service {s}"))))
                .collect::<Result<Box<[u16]>, _>>()?;
            out.insert(method.into(), services);
        }
        Ok(out)
    }

    /// All data of one IAM prefix (case-insensitive).
    pub fn iam_prefix(&self, prefix: &str) -> Option<Arc<IamPrefix>> {
        let pos = *self.prefix_pos.get(&prefix.to_ascii_lowercase())?;
        Some(self.prefix_at(pos))
    }

    fn prefix_at(&self, pos: usize) -> Arc<IamPrefix> {
        self.decode_prefix(pos).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decode_prefix(&self, pos: usize) -> Result<Arc<IamPrefix>, ArtifactError> {
        if let Some(p) = self.prefixes[pos].get() {
            return Ok(p.clone());
        }
        let entry = &self.index.prefixes[pos];
        let frame = artifact::blob(self.blobs(), entry.blob, &entry.prefix)?;
        let wire: wire::WirePrefix = artifact::decode_json_with(frame, self.dictionary("prefixes"), &entry.prefix)?;
        let prefix = wire::prefix(wire);
        Ok(self.prefixes[pos].get_or_init(|| Arc::new(prefix)).clone())
    }

    /// An IAM action by name, case-insensitive in prefix and name: `sqs:sendmessage`.
    pub fn action(&self, name: &str) -> Option<ActionRef> {
        let (prefix, action) = name.split_once(':')?;
        let prefix = self.iam_prefix(prefix)?;
        let key = action.to_ascii_lowercase();
        prefix.actions.contains_key(&key).then_some(ActionRef { prefix, key })
    }

    /// A resource type of an IAM prefix (`s3`, `object`), case-insensitive.
    pub fn resource_type(&self, prefix: &str, name: &str) -> Option<ResourceTypeInfo> {
        self.iam_prefix(prefix)?.resource_types.get(&name.to_ascii_lowercase()).cloned()
    }

    /// Actions whose name contains every word of `query` (case-insensitive;
    /// `"send message"` finds `sqs:SendMessage`), exact names first, then
    /// shorter names. Decodes every IAM prefix on first use.
    pub fn search_actions(&self, query: &str, limit: usize) -> Vec<ActionRef> {
        let words: Vec<String> = query.split_whitespace().map(|w| w.to_ascii_lowercase()).collect();
        if words.is_empty() || limit == 0 {
            return Vec::new();
        }
        let joined: String = words.concat();
        let mut hits: Vec<(bool, usize, ActionRef)> = Vec::new();
        for pos in 0..self.index.prefixes.len() {
            let prefix = self.prefix_at(pos);
            for (key, info) in &prefix.actions {
                let name = info.name.to_ascii_lowercase();
                if words.iter().all(|w| name.contains(w.as_str())) {
                    let exact = *key == joined || name == joined;
                    hits.push((!exact, name.len(), ActionRef { prefix: prefix.clone(), key: key.clone() }));
                }
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
        hits.into_iter().take(limit).map(|(_, _, a)| a).collect()
    }

    /// Decode every service and prefix, reporting the first damaged blob (used by tests and `--verify` style checks).
    pub fn verify_all(&self) -> Result<(), ArtifactError> {
        for pos in 0..self.services.len() {
            self.decode_service(pos)?;
        }
        for pos in 0..self.prefixes.len() {
            self.decode_prefix(pos)?;
        }
        self.decode_method_index()?;
        Ok(())
    }
}
