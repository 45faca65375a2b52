//! `gaitkit demo`: analyse the bundled real recording and print the report.

use std::path::PathBuf;

use clap::Args;

use super::analyze::print_and_export;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Also write the full analysis as JSON to this file
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Also write one row per step to this CSV file
    #[arg(long, value_name = "STEPS.csv")]
    pub csv: Option<PathBuf>,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    println!(
        "Demo: a healthy adult wearing one sensor on the lower back during 2 minutes of everyday \
         activities (walks, turns, stops), from the Mobilise-D validation study.\n"
    );
    let analysis = crate::demo::analyze_demo()?;
    print_and_export(&analysis, args.json.as_deref(), args.csv.as_deref())
}
