//! `gaitkit batch`: analyse every session folder below the given folders, on all cores, into
//! one results folder (one JSON per session and `summary.csv`).

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::guard::{create_dir, existing_folder, Inputs};
use crate::analyze::AnalyzeOptions;
use crate::batch::{self, BatchOptions, Finished, Outcome};
use crate::recording::session::SESSION_FILE;

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  gaitkit batch study/site-a study/site-b --out study-results\n\n\
Results: RESULTS_DIR/summary.csv (one row per session: participant, task, date, every headline\n\
metric and its n, notes, error), RESULTS_DIR/sessions/NAME.json per session, and\n\
RESULTS_DIR/.gaitkit-batch/ (input hashes: a second run skips sessions whose files are unchanged)."
)]
pub struct BatchArgs {
    /// Folders searched recursively for session folders (folders with a session.json)
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Results folder; created if missing. Never searched for input, even inside DIR
    #[arg(long, value_name = "RESULTS_DIR")]
    pub out: PathBuf,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Per-session JSON of walks as summaries (whole session, per bout, per day) without every
    /// contact, step and stride: for long recordings
    #[arg(long)]
    pub compact: bool,
}

pub fn run(args: BatchArgs) -> anyhow::Result<()> {
    if args.threads == Some(0) {
        bail!("--threads 0: give at least 1 (or leave it out for one per core)");
    }
    let mut inputs = Inputs::default();
    for d in &args.dirs {
        existing_folder(d, "a folder holding session folders")?;
        if d.join(SESSION_FILE).is_file() {
            inputs.folder(d);
        }
    }
    inputs.check_output_dir("--out", &args.out)?;
    create_dir(&args.out)?;
    let jobs = batch::find_sessions(&args.dirs, std::slice::from_ref(&args.out))?;
    if jobs.is_empty() {
        bail!(
            "no session folders (folders with a {SESSION_FILE}) found below {}",
            args.dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let bar = ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} sessions, {elapsed} ({eta} left) {msg}")
            .expect("template"),
    );
    let on_done = |f: &Finished| {
        bar.set_message(f.row.name.clone());
        bar.inc(1);
    };
    let opts = BatchOptions {
        analyze: AnalyzeOptions::default(),
        threads: args.threads,
        compact: args.compact,
    };
    let results = batch::run(&jobs, &args.out, &opts, &on_done)?;
    bar.finish_and_clear();
    let count = |o: Outcome| results.iter().filter(|f| f.outcome == o).count();
    for f in results.iter().filter(|f| f.row.error.is_some()) {
        println!(
            "failed {}: {}",
            f.row.name,
            f.row.error.as_deref().unwrap_or_default()
        );
    }
    println!(
        "{} sessions: {} analysed, {} unchanged since the last run, {} failed. Wrote {}",
        results.len(),
        count(Outcome::Analysed),
        count(Outcome::Unchanged),
        results.iter().filter(|f| f.row.error.is_some()).count(),
        args.out.join(batch::SUMMARY_FILE).display()
    );
    Ok(())
}
