fn main() -> std::process::ExitCode {
    iamlens::run()
}
