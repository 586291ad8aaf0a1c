//! `generate-policies`' infrastructure-code flags → [`IacOptions`].

use super::GenerateArgs;
use iamlens_functions::{Context, IacOptions};

/// `--iac`, `--no-iac`, `--stack-name`, `--stage`, `--parameter-overrides`,
/// and the region and account the templates' pseudo parameters take.
pub fn iac_options(args: &GenerateArgs) -> Result<IacOptions, String> {
    let flags = IacFlags {
        iac: &args.iac,
        stack_name: &args.stack_name,
        stage: &args.stage,
        region: &args.region,
        account: &args.account,
        parameter_overrides: &args.parameter_overrides,
    };
    Ok(IacOptions { off: args.no_iac, explicit: args.iac.clone(), context: flags.context()? })
}

/// The infrastructure-code flags `generate-policies` and `check` share.
pub struct IacFlags<'a> {
    pub iac: &'a [std::path::PathBuf],
    pub stack_name: &'a Option<String>,
    pub stage: &'a Option<String>,
    pub region: &'a Option<String>,
    pub account: &'a Option<String>,
    pub parameter_overrides: &'a [String],
}

impl IacFlags<'_> {
    /// What the templates leave open, as the person told it; an error names
    /// the flag that is wrong (a `--parameter-overrides` item without `=`, an
    /// `--iac` path that does not exist).
    pub fn context(&self) -> Result<Context, String> {
        let mut context = Context {
            stack_name: self.stack_name.clone(),
            stage: self.stage.clone(),
            region: self.region.clone().filter(|r| r != "*"),
            account: self.account.clone().filter(|a| a != "*"),
            ..Default::default()
        };
        for pair in self.parameter_overrides {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(format!("--parameter-overrides: `{pair}` is not NAME=VALUE"));
            };
            context.parameters.insert(name.trim().to_string(), value.to_string());
        }
        if let Some(path) = self.iac.iter().find(|p| !p.exists()) {
            return Err(format!("--iac: {} does not exist", path.display()));
        }
        Ok(context)
    }
}
