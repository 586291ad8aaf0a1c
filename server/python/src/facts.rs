//! Facts of definitions: what a function returns and what a class's
//! instances hold, memoised per definition and computed by walking their
//! bodies. Above the walker; implements [`DefinitionFacts`], through which
//! the receiver resolution below asks for them.

use super::analyzer::{Analyzer, ClassAttrs, DefinitionFacts};
use super::scope::Env;
use super::symbols::Sym;
use super::syntax::FieldExt;
use std::rc::Rc;
use tree_sitter::Node;

impl DefinitionFacts for Analyzer<'_> {
    /// What the function defined at `def` returns (memoised).
    fn function_return(&self, def: usize) -> Sym {
        self.record_fact_read(def);
        if let Some(known) = self.fn_returns.borrow().get(&def) {
            if known.is_none() {
                self.order_sensitive.set(true);
            }
            return known.clone().unwrap_or(Sym::Unknown);
        }
        let Some(node) = self.defs.borrow().get(&def).copied() else { return Sym::Unknown };
        self.fn_returns.borrow_mut().insert(def, None);
        let outer = self.owner.replace(def);
        let ret = self.compute_return(node);
        self.owner.set(outer);
        self.fn_returns.borrow_mut().insert(def, Some(ret.clone()));
        ret
    }

    /// Class-level assignments and `self.x = ...` in its methods (memoised).
    fn class_attributes(&self, class: usize) -> Option<Rc<ClassAttrs>> {
        self.record_fact_read(class);
        if let Some(known) = self.class_attrs.borrow().get(&class) {
            if known.is_none() {
                self.order_sensitive.set(true);
                self.attrs_read_while_computed.set(true);
            }
            return known.clone();
        }
        let node = self.defs.borrow().get(&class).copied()?;
        self.class_attrs.borrow_mut().insert(class, None);
        let outer = self.owner.replace(class);
        let read_before = self.attrs_read_while_computed.replace(false);
        let mut attrs = self.compute_class_attributes(class, node);
        if self.attrs_read_while_computed.get() {
            // An attribute built from another (`self._mp = self.obj.initiate_multipart_upload()`)
            // was computed while the class's attributes were unknown: again, with them known.
            self.class_attrs.borrow_mut().insert(class, Some(Rc::new(attrs.clone())));
            for (name, sym) in self.compute_class_attributes(class, node) {
                if sym.is_aws() && !attrs.get(&name).is_some_and(Sym::is_aws) {
                    attrs.insert(name, sym);
                }
            }
        }
        self.attrs_read_while_computed.set(read_before);
        let attrs = Rc::new(attrs);
        self.owner.set(outer);
        self.class_attrs.borrow_mut().insert(class, Some(attrs.clone()));
        Some(attrs)
    }
}

impl<'a> Analyzer<'a> {
    fn compute_return(&self, def: Node<'a>) -> Sym {
        let Some(_guard) = self.enter() else { return Sym::Unknown };
        // A return annotation with a stub type is a promise.
        if let Some(ret_type) = def.field("return_type") {
            let env = Env::module();
            if let Some(sym) = self.annotation_instance(ret_type, &env) {
                return sym;
            }
        }
        let returns = self.collect_returns(def);
        let mut best = Sym::Unknown;
        for r in returns {
            if r.is_aws() {
                return r;
            }
            if best == Sym::Unknown {
                best = r;
            }
        }
        best
    }
}
