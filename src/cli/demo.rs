//! `gaitkit demo`: analyse the bundled real recording and print the report.

use std::path::PathBuf;

use clap::Args;

use super::analyze::{print_and_export, JsonOut};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Also write the full analysis as JSON to this file
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Also write one row per step to this CSV file
    #[arg(long, value_name = "STEPS.csv")]
    pub csv: Option<PathBuf>,
    /// Folder for the demo's charts (PNG and SVG) and HTML report; created if missing
    #[arg(long, value_name = "DIR", default_value = "gaitkit-demo")]
    pub out: PathBuf,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    println!(
        "Demo: a healthy adult wearing one sensor on the lower back during 2 minutes of everyday \
         activities (walks, turns, stops), from the Mobilise-D validation study.\n"
    );
    let analysis = crate::demo::analyze_demo()?;
    print_and_export(
        &analysis,
        args.json.as_deref().map(|path| JsonOut {
            path,
            compact: false,
        }),
        args.csv.as_deref(),
    )?;
    write_charts_and_report(&args.out)
}

fn write_charts_and_report(out: &std::path::Path) -> anyhow::Result<()> {
    let metrics = crate::demo::demo_metrics()?;
    super::guard::create_dir(out)?;
    let charts = crate::report::charts::session_charts(&metrics, None, Some(out))?;
    let report = crate::report::html::build_report(&metrics, None)?;
    let html = out.join("report.html");
    super::guard::write_file(&html, &report.html)?;
    println!(
        "\nCharts ({} as PNG and SVG) and the HTML report are in {}/ — open {} in a browser.",
        charts.len(),
        out.display(),
        html.display()
    );
    Ok(())
}
