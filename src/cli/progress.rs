//! `gaitkit progress`: trend charts over all session folders of a patient, in date order.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use super::guard::{create_dir, existing_folder, write_file, Inputs};
use crate::analyze::AnalyzeOptions;
use crate::recording::session::SESSION_FILE;
use crate::report::metrics_from_dir::{metrics_from_dir, session_or_visit_dirs};
use crate::report::model::format_value;
use crate::report::{charts, html, progress};

#[derive(Args, Debug)]
#[command(after_help = "Example:\n  gaitkit progress patients/anna --out anna-progress")]
pub struct ProgressArgs {
    /// Patient folder holding one sub-folder per session (each with a session.json) or per
    /// visit (holding that visit's session folders)
    pub patient_dir: PathBuf,
    /// Folder for the trend charts (PNG and SVG), progress.html and progress.json; created if
    /// missing
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: ProgressArgs) -> anyhow::Result<()> {
    existing_folder(&args.patient_dir, "a patient folder")?;
    let mut inputs = Inputs::default();
    inputs.folder(&args.patient_dir);
    inputs.check_output_dir("--out", &args.out)?;
    let dirs = session_or_visit_dirs(&args.patient_dir).with_context(|| {
        format!(
            "cannot read the patient folder {}",
            args.patient_dir.display()
        )
    })?;
    if dirs.is_empty() {
        bail!(
            "{}: no session folders found (sub-folders with a {SESSION_FILE}, or visit folders holding them)",
            args.patient_dir.display()
        );
    }
    let mut sessions = Vec::new();
    let mut skipped = Vec::new();
    for d in &dirs {
        match metrics_from_dir(d, &AnalyzeOptions::default()) {
            Ok(s) => sessions.push(s),
            Err(e) => skipped.push(format!("{}: {e}", d.display())),
        }
    }
    for s in &skipped {
        eprintln!("skipped {s}");
    }
    if sessions.is_empty() {
        bail!(
            "{}: none of the {} session folders could be analysed",
            args.patient_dir.display(),
            dirs.len()
        );
    }
    let tracks = progress::progress(&sessions)?;
    create_dir(&args.out)?;
    for track in &tracks {
        let dir = if tracks.len() > 1 {
            args.out.join(&track.task)
        } else {
            args.out.clone()
        };
        create_dir(&dir)?;
        let written = charts::progress_charts(track, Some(&dir))?;
        let html_path = dir.join("progress.html");
        write_file(&html_path, html::progress_html(track, &written))?;
        let json_path = dir.join("progress.json");
        write_file(&json_path, serde_json::to_string_pretty(track)?)?;
        println!(
            "{}: {} sessions ({})",
            track.task,
            track.sessions.len(),
            track.sessions.join(", ")
        );
        let width = track
            .trends
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0);
        for t in &track.trends {
            let first = &t.points[0];
            let last = t.points.last().unwrap_or(first);
            let f = |v: f64| format_value(v, t.decimals, &t.unit);
            let verdict = last
                .change_from_first
                .as_ref()
                .map_or_else(|| "one session".to_string(), |c| c.verdict_text());
            println!(
                "  {:width$} {:>14} → {:<14} {verdict}",
                t.name,
                f(first.value),
                f(last.value)
            );
        }
        println!(
            "  charts: {} files in {}; report: {}",
            2 * written.len(),
            dir.display(),
            html_path.display()
        );
    }
    if !skipped.is_empty() {
        bail!(
            "{} of the {} session folders in {} could not be analysed (listed above as skipped) and are \
             missing from the trends; fix or move them and run again",
            skipped.len(),
            dirs.len(),
            args.patient_dir.display()
        );
    }
    Ok(())
}
