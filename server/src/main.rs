fn main() -> std::process::ExitCode {
    iamlens::cli::run()
}
