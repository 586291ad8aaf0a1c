use super::LookupArgs;
use std::process::ExitCode;

pub fn run(_args: LookupArgs) -> ExitCode {
    super::fail(2, "not implemented yet")
}
