//! The language server's path to per-function policies: reports derived
//! without any environment (its workspace index) are bound per function
//! afterwards. That must give exactly what `generate-policies` gives, which
//! binds each function's environment before deriving.

use iamlens_engine::model::RequirementSettings;
use iamlens_engine::{EngineOptions, PolicyOptions, WalkOptions};
use iamlens_functions::{read_templates, run_from_reports, run_project, IacOptions, ProjectRun};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iac").join(name)
}

fn options() -> EngineOptions {
    let requirements = RequirementSettings { region: Some("eu-west-1".into()), account: Some("123456789012".into()), ..Default::default() };
    EngineOptions { requirements, ..Default::default() }
}

fn iac() -> IacOptions {
    let context = iamlens_functions::Context { region: Some("eu-west-1".into()), account: Some("123456789012".into()), ..Default::default() };
    IacOptions { context, ..Default::default() }
}

/// Each function's policies as JSON text, and the union's.
fn policies(run: &ProjectRun) -> (String, String) {
    let policy = PolicyOptions::default();
    let per_function: Vec<serde_json::Value> = run.policies_per_function(&policy).into_iter().flat_map(|(_, entries)| entries).collect();
    let merged = serde_json::to_string(&run.output(&policy, true, &[]).policies).unwrap();
    (serde_json::to_string_pretty(&per_function).unwrap(), merged)
}

/// The live path: the code alone first (as the workspace index derives it), then the templates.
fn live(paths: &[PathBuf]) -> ProjectRun {
    let front_ends = iamlens_languages::front_ends();
    let alone = run_project(paths, front_ends, &options(), &WalkOptions::default(), &IacOptions { off: true, ..IacOptions::default() }).unwrap();
    let unbound = alone.reports().into_owned();
    assert!(unbound.iter().all(|r| r.environment.iter().all(|u| !u.bound)), "the index binds no environment");
    run_from_reports(read_templates(paths, &iac()), alone.walked.files.clone(), unbound, front_ends, &options())
}

#[test]
fn binding_after_deriving_gives_what_generate_policies_gives() {
    for project in ["sam-orders", "cdk-app", "terraform-app", "serverless-app"] {
        let paths = vec![fixture(project)];
        let fresh = run_project(&paths, iamlens_languages::front_ends(), &options(), &WalkOptions::default(), &iac()).unwrap();
        assert!(fresh.has_functions(), "{project}");
        let live = live(&paths);
        assert_eq!(policies(&live), policies(&fresh), "{project}: the live path differs from a fresh run");
    }
}

#[test]
fn each_function_gets_its_own_table_not_the_shared_wildcard() {
    let live = live(&[fixture("sam-orders")]);
    let (per_function, _) = policies(&live);
    assert!(per_function.contains("table/dev-orders"), "{per_function}");
    assert!(!per_function.contains("table/*"), "every read of TABLE_NAME is bound: {per_function}");
    let get_order = live
        .policies_per_function(&PolicyOptions::default())
        .into_iter()
        .find(|(g, _)| live.function(g).is_some_and(|f| f.function.id == "GetOrderFunction"));
    let text = serde_json::to_string(&get_order.expect("GetOrderFunction has a policy").1).unwrap();
    assert!(text.contains("dynamodb:GetItem") && !text.contains("dynamodb:PutItem") && !text.contains("sqs:"), "{text}");
}
