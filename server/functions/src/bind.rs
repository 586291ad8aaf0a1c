//! Template values → the engine's [`Environment`].

use iamlens_engine::environment::{BoundVariable, Environment};
use iamlens_engine::model::TextPart;
use iamlens_iac::{Function, Part};

/// The variables `function` runs with, each with where its value comes from
/// (`OrdersTable`), for hovers and explanations.
pub fn environment_of(function: &Function) -> Environment {
    let mut env = Environment::new();
    for (name, binding) in &function.environment {
        let value = binding
            .value
            .0
            .iter()
            .map(|part| match part {
                Part::Literal(s) => TextPart::Literal(s.clone()),
                Part::Unknown => TextPart::Unknown,
            })
            .collect();
        let origin = binding.resource.as_ref().map(|r| r.id.clone());
        env.set(name.clone(), BoundVariable { value, origin });
    }
    env
}
