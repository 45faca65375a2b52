//! Command line: clap definitions turned into plain option structs, one file per command.
//! Only this layer prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod balance;
pub mod batch;
pub mod compare;
pub mod demo;
pub mod doctor;
pub mod guard;
pub mod import;
pub mod live;
pub mod live_page;
pub mod progress;
pub mod record;
pub mod report;
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
    /// Analyse the bundled real recording (no files needed)
    Demo(demo::DemoArgs),
    /// Analyse a session folder or a sensor CSV: walking bouts, steps, left/right symmetry
    Analyze(analyze::AnalyzeArgs),
    /// List nearby supported BLE sensors (name, address, signal strength, model).
    Scan(scan::ScanArgs),
    /// Record a session from one or more BLE sensors into a session folder.
    Record(record::RecordArgs),
    /// Read a phone app's export (Polar Sensor Logger, Sensor Logger, …) into a session folder
    Import(import::ImportArgs),
    /// Check Bluetooth and a new sensor: model, firmware, start replies, rate, gravity, noise
    Doctor(doctor::DoctorArgs),
    /// Step-by-step feedback while walking: rolling symmetry and cadence, targets, metronome
    Live(live::LiveArgs),
    /// Standing sway, single-leg stance, squat and step-down of session folders, left vs right
    Balance(balance::BalanceArgs),
    /// Before/after charts and a verdict per metric (improved, unchanged, worse; meaningful?)
    Compare(compare::CompareArgs),
    /// Trend charts over all sessions of a patient folder, in date order
    Progress(progress::ProgressArgs),
    /// One self-contained HTML report: a patient page and a therapist page
    Report(report::ReportArgs),
    /// Analyse every session folder below the given folders on all cores: one JSON each and
    /// a summary.csv; re-runs skip unchanged sessions
    Batch(batch::BatchArgs),
}

/// Runs the command line and maps errors to a message on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // BLE commands keep SIGPIPE ignored: their D-Bus socket must not kill the recording
    let ble = match &cli.command {
        Command::Scan(_) | Command::Record(_) | Command::Doctor(_) => true,
        Command::Live(a) => !a.sensors.is_empty(),
        _ => false,
    };
    if !ble {
        quiet_on_closed_pipe();
    }
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Record(a) => record::run(a),
        Command::Import(a) => import::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Live(a) => live::run(a),
        Command::Balance(a) => balance::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Progress(a) => progress::run(a),
        Command::Report(a) => report::run(a),
        Command::Batch(a) => batch::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Output piped into a reader that stops early (`| head`) ends the process quietly, as with
/// any Unix tool, instead of a "failed printing to stdout" panic.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any thread is started; SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
