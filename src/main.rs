//! `gaitkit` binary: parses the command line and hands over to one command module.

use std::process::ExitCode;

fn main() -> ExitCode {
    gaitkit::cli::main()
}
