//! `gaitkit balance`: standing balance and single-leg stability of one or more session folders
//! (e.g. the left and the right single-leg stance), compared left against right.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use super::guard::{check_distinct, create_dir, create_file, existing_folder, Inputs};
use crate::balance::{analyze_session, BalanceReport};
use crate::recording::Session;
use crate::report::balance_text;

#[derive(Args, Debug)]
#[command(
    after_help = "Tasks (session.json \"task\"): stand, stand-eyes-closed, single-leg-left/-right (standing on that leg),\n\
squat-left/-right, step-down-left/-right (standing on that leg on the step, or landing on it). Without a task a recording is read as\n\
standing or single-leg stance. Start every recording with 2 s of quiet standing.\n\n\
Examples:\n  gaitkit balance sessions/anna-sls-left sessions/anna-sls-right\n  \
gaitkit balance sessions/anna-* --json anna-balance.json --csv anna-balance.csv --age-years 58"
)]
pub struct BalanceArgs {
    /// Session folders with a lower-back sensor, one task each
    #[arg(required = true)]
    pub sessions: Vec<PathBuf>,
    /// Write the results as JSON (under a "balance" key) to this file
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Write one row per standing trial, single-leg attempt and squat/step-down repetition
    #[arg(long, value_name = "OUT.csv")]
    pub csv: Option<PathBuf>,
    /// Age in years for the single-leg stance norm (default: participant.age_years of the
    /// first session)
    #[arg(long, value_name = "YEARS", allow_negative_numbers = true)]
    pub age_years: Option<f64>,
    /// Write the balance charts (SVG and PNG) into this folder, created if missing
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

pub fn run(args: BalanceArgs) -> anyhow::Result<()> {
    if let Some(age) = args.age_years {
        if !(0.0..=120.0).contains(&age) {
            bail!("--age-years {age} is outside 0–120 years");
        }
    }
    let mut inputs = Inputs::default();
    for dir in &args.sessions {
        existing_folder(dir, "a session folder")?;
        inputs.folder(dir);
    }
    let outputs: Vec<(&str, &std::path::Path)> = [("--json", &args.json), ("--csv", &args.csv)]
        .into_iter()
        .filter_map(|(o, p)| p.as_deref().map(|p| (o, p)))
        .collect();
    for (option, path) in &outputs {
        inputs.check_output_file(option, path)?;
    }
    check_distinct(&outputs)?;
    if let Some(dir) = &args.charts {
        inputs.check_output_dir("--charts", dir)?;
    }
    let mut trials = Vec::with_capacity(args.sessions.len());
    for dir in &args.sessions {
        trials.push(
            analyze_session(dir)
                .with_context(|| format!("balance analysis of {}", dir.display()))?,
        );
    }
    let age = args.age_years.or_else(|| {
        Session::read(&args.sessions[0])
            .ok()
            .and_then(|s| s.participant.age_years)
    });
    let report = BalanceReport::new(trials, age);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(balance_text::text(&report).as_bytes())?;
    if let Some(path) = &args.json {
        let mut w = BufWriter::new(create_file(path)?);
        serde_json::to_writer_pretty(&mut w, &balance_text::json_value(&report))
            .map_err(std::io::Error::from)
            .and_then(|_| w.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(stdout, "Wrote {} (json)", path.display())?;
    }
    if let Some(path) = &args.csv {
        let mut w = BufWriter::new(create_file(path)?);
        balance_text::write_csv(&report, &mut w)
            .with_context(|| format!("cannot write {}", path.display()))?;
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(stdout, "Wrote {} (csv)", path.display())?;
    }
    if let Some(dir) = &args.charts {
        create_dir(dir)?;
        let charts = crate::report::charts::balance_charts(&report, Some(dir))?;
        for c in &charts {
            if let Some((svg, png)) = &c.files {
                writeln!(stdout, "Wrote {} and {}", svg.display(), png.display())?;
            }
        }
        if charts.is_empty() {
            writeln!(stdout, "No balance chart for these sessions")?;
        }
    }
    Ok(())
}
