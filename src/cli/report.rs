//! `gaitkit report`: one self-contained HTML report of a session (patient page + therapist
//! page), optionally compared with an earlier session.

use std::path::PathBuf;

use clap::Args;

use super::compare::load;
use super::guard::{write_file, Inputs};
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
    let mut inputs = Inputs::default();
    inputs.folder(&args.session);
    if let Some(b) = &args.compare {
        inputs.folder(b);
    }
    inputs.check_output_file("--out", &args.out)?;
    let (session, before) = match &args.compare {
        Some(b) => (load(&args.session, "After")?, Some(load(b, "Before")?)),
        None => (load(&args.session, "Session")?, None),
    };
    let report = build_report(&session, before.as_ref())?;
    write_file(&args.out, &report.html)?;
    println!(
        "Report with {} chart{} written to {}",
        report.charts.len(),
        if report.charts.len() == 1 { "" } else { "s" },
        args.out.display()
    );
    Ok(())
}
