//! Command line: clap definitions turned into plain option structs, one file per command.
//! Only this layer prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod record;
pub mod scan;

#[derive(Parser, Debug)]
#[command(
    name = "gaitkit",
    version,
    about = "Gait symmetry and single-leg stability from wearable IMUs",
    long_about = "Gait symmetry and single-leg stability from wearable IMUs.\n\n\
        Start with `gaitkit demo` to see an analysis of a bundled recording."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List nearby supported BLE sensors (name, address, signal strength, model).
    Scan(scan::ScanArgs),
    /// Record a session from one or more BLE sensors into a session folder.
    Record(record::RecordArgs),
}

/// Runs the command line and maps errors to a message on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        Command::Scan(a) => scan::run(a),
        Command::Record(a) => record::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
