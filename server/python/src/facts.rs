//! Facts of definitions: what a function returns and what a class's
//! instances hold, memoised per definition and computed by walking their
//! bodies. Above the walker; implements [`DefinitionFacts`], through which
//! the receiver resolution below asks for them.

use super::analyzer::{Analyzer, ClassAttrs, DefinitionFacts};
use super::scope::{Env, Frame, FrameKind};
use super::symbols::{ParamOp, Sym};
use super::syntax::{text, FieldExt};
use super::walker::Mode;
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

    /// The operations the function makes on what its callers pass (memoised):
    /// its body walked with its parameters unbound, the calls whose service
    /// or operation is a parameter collected, the calls it finds dropped.
    fn helper_ops(&self, def: usize) -> Rc<Vec<ParamOp>> {
        self.record_fact_read(def);
        if let Some(known) = self.helper_ops.borrow().get(&def) {
            if known.is_none() {
                self.order_sensitive.set(true);
            }
            return known.clone().unwrap_or_default();
        }
        let Some(node) = self.defs.borrow().get(&def).copied() else { return Rc::default() };
        // Only a function that mentions clients, sessions, paginators or
        // waiters can make operations on its parameters (or call one that does).
        let body = node.field("body").map_or("", |b| text(b, self.src));
        if !["client", "session", "Session", "get_paginator", "get_waiter", "resource"].iter().any(|w| body.contains(w)) {
            self.helper_ops.borrow_mut().insert(def, Some(Rc::default()));
            return Rc::default();
        }
        self.helper_ops.borrow_mut().insert(def, None);
        let ops = self.collect_param_ops(node, def);
        let ops = Rc::new(ops);
        self.helper_ops.borrow_mut().insert(def, Some(ops.clone()));
        ops
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
    fn collect_param_ops(&self, def: Node<'a>, id: usize) -> Vec<ParamOp> {
        let Some(_guard) = self.enter() else { return Vec::new() };
        let Some(body) = def.field("body") else { return Vec::new() };
        let (calls, findings, scopes) = {
            let out = self.out.borrow();
            (out.calls.len(), out.findings.len(), out.scopes.len())
        };
        let outer_collector = self.param_ops.replace(Some(Vec::new()));
        let outer_owner = self.owner.replace(id);
        let mut env = Env::module();
        let mut frame = Frame::new(FrameKind::Function);
        self.bind_params(def, &mut frame, &env, true);
        env.frames.push(frame);
        self.walk_block(body, &mut env, &mut Mode { emit: true, ..Mode::default() }, &mut Vec::new());
        self.owner.set(outer_owner);
        let mut ops = self.param_ops.replace(outer_collector).unwrap_or_default();
        let forwards = super::helper_calls::forwards_keywords(def, self.src);
        for op in &mut ops {
            op.forwards_keywords &= forwards;
        }
        let mut out = self.out.borrow_mut();
        out.calls.truncate(calls);
        out.findings.truncate(findings);
        out.scopes.truncate(scopes);
        ops
    }

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
