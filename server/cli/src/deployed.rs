//! `generate-policies`' infrastructure-code flags → [`IacOptions`].

use super::GenerateArgs;
use iamlens_functions::{Context, IacOptions};

/// `--iac`, `--no-iac`, `--stack-name`, `--stage`, `--parameter-overrides`,
/// and the region and account the templates' pseudo parameters take.
pub fn iac_options(args: &GenerateArgs) -> Result<IacOptions, String> {
    let mut context = Context {
        stack_name: args.stack_name.clone(),
        stage: args.stage.clone(),
        region: args.region.clone().filter(|r| r != "*"),
        account: args.account.clone().filter(|a| a != "*"),
        ..Default::default()
    };
    for pair in &args.parameter_overrides {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--parameter-overrides: `{pair}` is not NAME=VALUE"));
        };
        context.parameters.insert(name.trim().to_string(), value.to_string());
    }
    for path in &args.iac {
        if !path.exists() {
            return Err(format!("--iac: {} does not exist", path.display()));
        }
    }
    Ok(IacOptions { off: args.no_iac, explicit: args.iac.clone(), context })
}
