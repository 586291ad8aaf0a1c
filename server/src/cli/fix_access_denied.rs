use super::FixAccessDeniedArgs;
use std::process::ExitCode;

pub fn run(_args: FixAccessDeniedArgs) -> ExitCode {
    super::fail(2, "not implemented yet")
}
