//! `gaitkit compare`: before/after charts and a verdict per metric for two sessions.

use std::path::PathBuf;

use clap::Args;

use super::guard::{create_dir, existing_folder, write_file, Inputs};
use crate::analyze::AnalyzeOptions;
use crate::report::compare::compare;
use crate::report::metrics_from_dir::metrics_from_dir;
use crate::report::model::format_value;
use crate::report::{charts, model::SessionMetrics};

#[derive(Args, Debug)]
#[command(
    after_help = "A visit folder holds the session folders recorded at one visit (no session.json of its own);\n\
its walk and balance tasks are merged, so left and right single-leg stance are compared together.\n\n\
Examples:\n  gaitkit compare sessions/anna-2026-03-02 sessions/anna-2026-03-30 --out anna-compare\n  \
gaitkit compare visits/anna-2026-03-02 visits/anna-2026-03-30 --out anna-visits"
)]
pub struct CompareArgs {
    /// Session folder recorded first (the baseline), or a visit folder holding that visit's
    /// session folders (e.g. walk, single-leg-left, single-leg-right)
    pub before: PathBuf,
    /// Session or visit folder recorded later
    pub after: PathBuf,
    /// Folder for the charts (PNG and SVG of each) and comparison.json; created if missing
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Analyses a session or visit folder into chart metrics, labelled "<role> (<date or folder>)".
pub fn load(dir: &std::path::Path, role: &str) -> anyhow::Result<SessionMetrics> {
    existing_folder(dir, "a session or visit folder")?;
    let as_role = match role {
        "Before" => " as the before session",
        "After" => " as the after session",
        _ => "",
    };
    let mut s = metrics_from_dir(dir, &AnalyzeOptions::default()).map_err(|e| {
        // the folder is named once: in front, not again inside the reason
        let text = e.to_string();
        let prefix = format!("{}: ", dir.display());
        let why = text.strip_prefix(&prefix).unwrap_or(&text);
        anyhow::anyhow!("cannot use {}{as_role}: {why}", dir.display())
    })?;
    s.label = format!("{role} ({})", s.label);
    Ok(s)
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let mut inputs = Inputs::default();
    inputs.folder(&args.before);
    inputs.folder(&args.after);
    inputs.check_output_dir("--out", &args.out)?;
    let before = load(&args.before, "Before")?;
    let after = load(&args.after, "After")?;
    let comparison = compare(&before, &after)?;
    create_dir(&args.out)?;
    let written = charts::session_charts(&after, Some(&before), Some(&args.out))?;
    let json_path = args.out.join("comparison.json");
    let json = serde_json::to_string_pretty(&comparison)?;
    write_file(&json_path, json)?;

    println!("{}  →  {}\n", before.label, after.label);
    let width = comparison
        .changes
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    for c in &comparison.changes {
        let f = |v: f64| format_value(v, c.decimals, &c.unit);
        println!(
            "{:width$}  {:>14} → {:<14}  {}",
            c.name,
            f(c.before),
            f(c.after),
            c.verdict_text()
        );
        println!("{:width$}  {}", "", c.explanation());
    }
    println!("\nCharts:");
    for c in &written {
        if let Some((svg, png)) = &c.files {
            println!("  {}  ({}, {})", c.title, png.display(), svg.display());
        }
    }
    println!("Verdicts: {}", json_path.display());
    Ok(())
}
