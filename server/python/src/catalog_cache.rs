//! Services looked up once per file: the knowledge base is asked at most once
//! per service name however many calls name it.

use iamlens_engine::catalog::Catalog;
use iamlens_knowledge::Service;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

pub struct ServiceCache<'a> {
    catalog: &'a dyn Catalog,
    seen: RefCell<HashMap<String, Option<Arc<Service>>>>,
}

impl<'a> ServiceCache<'a> {
    pub fn new(catalog: &'a dyn Catalog) -> Self {
        ServiceCache { catalog, seen: RefCell::new(HashMap::new()) }
    }

    pub fn get(&self, name: &str) -> Option<Arc<Service>> {
        if let Some(s) = self.seen.borrow().get(name) {
            return s.clone();
        }
        let s = self.catalog.service(name);
        self.seen.borrow_mut().insert(name.to_string(), s.clone());
        s
    }
}
