use super::GenerateArgs;
use std::process::ExitCode;

pub fn run(_args: GenerateArgs) -> ExitCode {
    super::fail(2, "not implemented yet")
}
