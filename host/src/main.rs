//! `intake`: inspect plugins and run them from the command line.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
