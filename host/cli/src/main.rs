//! `intake`: inspect plugins and run them from the command line.

fn main() -> std::process::ExitCode {
    intake_cli::main()
}
