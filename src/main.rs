//! The `sluis` binary: parses arguments, runs the subcommand, maps the outcome to an exit code.

fn main() -> std::process::ExitCode {
    sluis::cli::main()
}
