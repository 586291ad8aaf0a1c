//! Node kind ids of the Java grammar that hot loops compare: an id compare
//! instead of fetching the kind's name and comparing strings.

use std::sync::OnceLock;

/// The ids of the kinds the walks over every node look for.
pub struct Kinds {
    pub identifier: u16,
    pub type_identifier: u16,
    pub method_invocation: u16,
    pub object_creation_expression: u16,
    pub method_declaration: u16,
    pub field_declaration: u16,
    pub constant_declaration: u16,
    pub enum_body_declarations: u16,
    pub class_declaration: u16,
    pub interface_declaration: u16,
    pub enum_declaration: u16,
    pub record_declaration: u16,
    pub assignment_expression: u16,
    pub field_access: u16,
    pub this: u16,
    pub variable_declarator: u16,
    pub formal_parameter: u16,
    pub enhanced_for_statement: u16,
    pub resource: u16,
    pub lambda_expression: u16,
    pub inferred_parameters: u16,
}

impl Kinds {
    /// Each kind's name with its id (for tests).
    #[cfg(test)]
    pub fn named(&self) -> Vec<(&'static str, u16)> {
        vec![
            ("identifier", self.identifier),
            ("type_identifier", self.type_identifier),
            ("method_invocation", self.method_invocation),
            ("object_creation_expression", self.object_creation_expression),
            ("method_declaration", self.method_declaration),
            ("field_declaration", self.field_declaration),
            ("constant_declaration", self.constant_declaration),
            ("enum_body_declarations", self.enum_body_declarations),
            ("class_declaration", self.class_declaration),
            ("interface_declaration", self.interface_declaration),
            ("enum_declaration", self.enum_declaration),
            ("record_declaration", self.record_declaration),
            ("assignment_expression", self.assignment_expression),
            ("field_access", self.field_access),
            ("this", self.this),
            ("variable_declarator", self.variable_declarator),
            ("formal_parameter", self.formal_parameter),
            ("enhanced_for_statement", self.enhanced_for_statement),
            ("resource", self.resource),
            ("lambda_expression", self.lambda_expression),
            ("inferred_parameters", self.inferred_parameters),
        ]
    }

    /// A type declaration (the kinds `Outer.Inner` scope names are made of).
    pub fn is_type_declaration(&self, id: u16) -> bool {
        id == self.class_declaration || id == self.interface_declaration || id == self.enum_declaration || id == self.record_declaration
    }
}

/// The ids, looked up once.
pub fn kinds() -> &'static Kinds {
    static KINDS: OnceLock<Kinds> = OnceLock::new();
    KINDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_java::LANGUAGE.into();
        let id = |name: &str| language.id_for_node_kind(name, true);
        Kinds {
            identifier: id("identifier"),
            type_identifier: id("type_identifier"),
            method_invocation: id("method_invocation"),
            object_creation_expression: id("object_creation_expression"),
            method_declaration: id("method_declaration"),
            field_declaration: id("field_declaration"),
            constant_declaration: id("constant_declaration"),
            enum_body_declarations: id("enum_body_declarations"),
            class_declaration: id("class_declaration"),
            interface_declaration: id("interface_declaration"),
            enum_declaration: id("enum_declaration"),
            record_declaration: id("record_declaration"),
            assignment_expression: id("assignment_expression"),
            field_access: id("field_access"),
            this: id("this"),
            variable_declarator: id("variable_declarator"),
            formal_parameter: id("formal_parameter"),
            enhanced_for_statement: id("enhanced_for_statement"),
            resource: id("resource"),
            lambda_expression: id("lambda_expression"),
            inferred_parameters: id("inferred_parameters"),
        }
    })
}
