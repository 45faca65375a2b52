//! `gaitkit report`: one self-contained HTML report of a session (patient page + therapist
//! page), optionally compared with an earlier session.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::compare::load;
use crate::report::html::build_report;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  gaitkit report sessions/anna-2026-03-30 --compare sessions/anna-2026-03-02 --out anna.html\n  \
gaitkit report visits/anna-2026-03-30 --compare visits/anna-2026-03-02 --out anna-visit.html"
)]
pub struct ReportArgs {
    /// Session folder to report on, or a visit folder holding that visit's session folders
    pub session: PathBuf,
    /// Earlier session or visit folder to compare with (before/after verdicts and charts)
    #[arg(long, value_name = "BEFORE")]
    pub compare: Option<PathBuf>,
    /// HTML file to write (one file: charts and font embedded, prints on A4)
    #[arg(long, value_name = "REPORT.html")]
    pub out: PathBuf,
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let (session, before) = match &args.compare {
        Some(b) => (load(&args.session, "After")?, Some(load(b, "Before")?)),
        None => (load(&args.session, "Session")?, None),
    };
    let report = build_report(&session, before.as_ref())?;
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&args.out, &report.html)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "Report with {} chart{} written to {}",
        report.charts.len(),
        if report.charts.len() == 1 { "" } else { "s" },
        args.out.display()
    );
    Ok(())
}
