//! `iamlens lookup <service> <method-or-operation> [--json]`: the engine's
//! knowledge-base answer for one AWS API call, as text or JSON.

use super::LookupArgs;
use iamlens_engine::lookup::{describe, describe_text};
use iamlens_knowledge::KnowledgeBase;
use std::process::ExitCode;

pub fn run(args: LookupArgs) -> ExitCode {
    let kb = KnowledgeBase::embedded();
    let shown = if args.json {
        describe(kb, &args.service, &args.method).map(|json| format!("{}\n", serde_json::to_string_pretty(&json).unwrap_or_default()))
    } else {
        describe_text(kb, &args.service, &args.method)
    };
    match shown {
        Ok(text) => {
            super::write_stdout(&text);
            ExitCode::SUCCESS
        }
        Err(err) => super::fail(2, err),
    }
}
