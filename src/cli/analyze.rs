//! `gaitkit analyze`: analyse a session folder (or one sensor CSV) and print the report.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::guard::{check_distinct, create_file, Inputs};
use crate::analyze::{
    analyze_file_with_progress, analyze_session_with_progress, AccUnit, AnalyzeOptions, Progress,
    SessionAnalysis,
};
use crate::error::describe_io;
use crate::recording::resample::DEFAULT_MAX_FILL_S;
use crate::recording::{Axes, GyrUnit, Placement, Session};
use crate::report::{
    compact::CompactJsonExporter, csv::StepsCsvExporter, json::JsonExporter,
    strides_csv::StridesCsvExporter, text::TextReport, Exporter,
};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  gaitkit analyze sessions/anna-2026-11-27 --json anna.json --csv anna-steps.csv\n  gaitkit analyze walk.csv --placement lower-back --axes URF --height-m 1.75"
)]
pub struct AnalyzeArgs {
    /// Session folder (with session.json), a single sensor CSV
    /// (time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z; m/s² and deg/s), or an app's export (a
    /// file or export folder, read as `gaitkit import` reads it)
    pub input: PathBuf,
    /// Write the full analysis as JSON to this file
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// With --json: for long recordings, the summary, one line per walking bout and one
    /// summary per day instead of every contact, step and stride (those are in --csv)
    #[arg(long, requires = "json")]
    pub compact: bool,
    /// Read a long lower-back recording whole instead of in pieces (memory in proportion to
    /// its length, at most 10 million samples); files over 100 MB are otherwise read in
    /// pieces cut at still periods, with the same results
    #[arg(long)]
    pub read_whole: bool,
    /// Write one row per step to this CSV file
    #[arg(long, value_name = "STEPS.csv")]
    pub csv: Option<PathBuf>,
    /// Write one row per stride (stance, swing, support phases, length; with leg sensors also
    /// toe-off, phase, lift and turning) to this CSV file
    #[arg(long, value_name = "STRIDES.csv")]
    pub strides_csv: Option<PathBuf>,
    /// Where the sensor sat (for a lone CSV)
    #[arg(long, value_enum, default_value = "lower-back")]
    pub placement: PlacementArg,
    /// Directions of the sensor's x, y, z axes while standing, e.g. URF = x up, y right,
    /// z forward (needed for a lone CSV; an export defaults as in `gaitkit import`)
    #[arg(long)]
    pub axes: Option<String>,
    /// Body height in metres (sensor height defaults to 0.59 × this)
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub height_m: Option<f64>,
    /// Height of the lower-back sensor above the floor in metres (for step length and speed)
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub sensor_height_m: Option<f64>,
    /// Unit of the acceleration columns
    #[arg(long, value_enum, default_value = "mps2")]
    pub acc_unit: AccUnitArg,
    /// Unit of the angular-velocity columns
    #[arg(long, value_enum, default_value = "deg/s")]
    pub gyr_unit: GyrUnitArg,
    /// Longest gap in the data bridged by interpolation, seconds; longer gaps split walks
    #[arg(long, value_name = "S", default_value_t = DEFAULT_MAX_FILL_S, allow_negative_numbers = true)]
    pub max_gap_fill_s: f64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PlacementArg {
    LowerBack,
    LeftFoot,
    RightFoot,
    LeftShank,
    RightShank,
}

impl From<PlacementArg> for Placement {
    fn from(p: PlacementArg) -> Self {
        match p {
            PlacementArg::LowerBack => Placement::LowerBack,
            PlacementArg::LeftFoot => Placement::LeftFoot,
            PlacementArg::RightFoot => Placement::RightFoot,
            PlacementArg::LeftShank => Placement::LeftShank,
            PlacementArg::RightShank => Placement::RightShank,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AccUnitArg {
    /// metres per second squared
    Mps2,
    /// multiples of standard gravity (9.80665 m/s²)
    G,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum GyrUnitArg {
    /// degrees per second
    #[value(name = "deg/s")]
    DegPerS,
    /// radians per second
    #[value(name = "rad/s")]
    RadPerS,
}

/// Runs `analyze`, showing a progress bar (on a terminal) while a long recording is read in
/// pieces.
fn with_progress<T>(
    analyze: impl FnOnce(&dyn Fn(Progress)) -> crate::Result<T>,
) -> crate::Result<T> {
    let bar: std::cell::OnceCell<ProgressBar> = std::cell::OnceCell::new();
    let report = |p: Progress| {
        let b = bar.get_or_init(|| {
            let b = ProgressBar::new(p.total_bytes);
            b.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} of sensor data read, {elapsed} ({eta} left)",
                )
                .expect("template"),
            );
            b
        });
        b.set_position(p.done_bytes);
    };
    let out = analyze(&report);
    if let Some(b) = bar.get() {
        b.finish_and_clear();
    }
    out
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let opts = AnalyzeOptions {
        acc_unit: match args.acc_unit {
            AccUnitArg::Mps2 => AccUnit::MetresPerSecondSquared,
            AccUnitArg::G => AccUnit::G,
        },
        gyr_unit: match args.gyr_unit {
            GyrUnitArg::DegPerS => GyrUnit::DegreesPerSecond,
            GyrUnitArg::RadPerS => GyrUnit::RadiansPerSecond,
        },
        max_fill_s: args.max_gap_fill_s,
        height_m: args.height_m,
        sensor_height_m: args.sensor_height_m,
        pieces: if args.read_whole {
            crate::analyze::Pieces::Whole
        } else {
            crate::analyze::Pieces::Auto
        },
    };
    opts.validate().map_err(|e| anyhow::anyhow!(e))?;
    let meta = std::fs::metadata(&args.input).map_err(|e| {
        anyhow::anyhow!(
            "{}: {} (expected a session folder or a sensor CSV file)",
            args.input.display(),
            describe_io(&e)
        )
    })?;
    let mut inputs = Inputs::default();
    if meta.is_dir() {
        inputs.folder(&args.input);
    } else {
        inputs.file(&args.input);
    }
    let outputs: Vec<(&str, &Path)> = [
        ("--json", args.json.as_deref()),
        ("--csv", args.csv.as_deref()),
        ("--strides-csv", args.strides_csv.as_deref()),
    ]
    .into_iter()
    .filter_map(|(o, p)| p.map(|p| (o, p)))
    .collect();
    for (option, path) in &outputs {
        inputs.check_output_file(option, path)?;
    }
    check_distinct(&outputs)?;
    // an app's export: a folder without session.json, or a file in a format the importer
    // recognises (other files are read, and their problems reported, as sensor CSVs)
    let export = if meta.is_dir() {
        let empty = std::fs::read_dir(&args.input).map_or(true, |mut d| d.next().is_none());
        if empty
            || args
                .input
                .join(crate::recording::session::SESSION_FILE)
                .exists()
        {
            None
        } else {
            crate::import::read_if_export(std::slice::from_ref(&args.input))?
        }
    } else if meta.is_file() && !crate::import::is_session_csv(&args.input) {
        crate::import::read_if_export(std::slice::from_ref(&args.input))?
    } else {
        None
    };
    let analysis = if let Some(imported) = export {
        if !matches!(args.acc_unit, AccUnitArg::Mps2)
            || !matches!(args.gyr_unit, GyrUnitArg::DegPerS)
        {
            bail!(
                "{}: is an app's export, whose units gaitkit reads from the export itself; leave out --acc-unit and --gyr-unit",
                args.input.display()
            );
        }
        let axes = super::import::parse_axes(args.axes.as_deref())?;
        let placement: Placement = args.placement.into();
        let axes = crate::import::resolve_axes(&imported, placement, axes)
            .map_err(|e| anyhow::anyhow!(e))?;
        let (session, table) = imported.in_memory_session(placement, axes)?;
        let dir = if meta.is_dir() {
            args.input.clone()
        } else {
            args.input
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        crate::analyze::analyze_with(&dir, &session, &opts, &|_| Ok(table.clone()))?
    } else if meta.is_dir() {
        // balance tasks go to the balance analyses (the task is in session.json)
        let session = Session::read(&args.input)?;
        if let Some(task) = session.task {
            if let crate::recording::Task::Other(name) = &task {
                bail!(
                    "{}: session.json names the task \"{name}\", which gaitkit does not know; known tasks: {} (or leave \"task\" out for a walk)",
                    args.input.display(),
                    crate::recording::Task::KNOWN.join(", ")
                );
            }
            if task.is_balance() {
                if args.compact {
                    bail!(
                        "{}: --compact shortens the JSON of walking recordings; this is a {task} session, whose balance JSON is already per attempt and repetition: leave --compact out",
                        args.input.display()
                    );
                }
                println!(
                    "Task {task}: balance analysis (to compare left and right, give both sessions to `gaitkit balance`).\n"
                );
                return super::balance::run(super::balance::BalanceArgs {
                    sessions: vec![args.input],
                    json: args.json,
                    csv: args.csv,
                    age_years: None,
                    charts: None,
                });
            }
        }
        with_progress(|p| analyze_session_with_progress(&args.input, &opts, p))?
    } else if meta.is_file() {
        let Some(axes) = &args.axes else {
            bail!(
                "{}: a lone CSV needs --axes (e.g. --axes URF: x up, y right, z forward while standing)",
                args.input.display()
            );
        };
        let axes: Axes = axes
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--axes: {e}"))?;
        let placement = args.placement.into();
        with_progress(|p| analyze_file_with_progress(&args.input, placement, axes, &opts, p))?
    } else {
        bail!(
            "{}: is not a regular file or folder (a named pipe or device?); give a session folder or a CSV file saved on disk",
            args.input.display()
        );
    };
    let json = args.json.as_deref().map(|p| JsonOut {
        path: p,
        compact: args.compact,
    });
    print_and_export(&analysis, json, args.csv.as_deref())?;
    if let Some(path) = &args.strides_csv {
        let mut w = BufWriter::new(create_file(path)?);
        StridesCsvExporter
            .export(&analysis, &mut w)
            .and_then(|_| w.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("Wrote {} ({})", path.display(), StridesCsvExporter.name());
    }
    Ok(())
}

/// Where `--json` goes and in which layout.
#[derive(Debug, Clone, Copy)]
pub struct JsonOut<'a> {
    pub path: &'a Path,
    /// Summaries per bout and per day only ([`CompactJsonExporter`]).
    pub compact: bool,
}

/// Prints the terminal report and writes the requested exports.
pub fn print_and_export(
    analysis: &SessionAnalysis,
    json: Option<JsonOut<'_>>,
    csv: Option<&Path>,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    TextReport.export(analysis, &mut stdout)?;
    let json_exporter: &dyn Exporter = match json {
        Some(JsonOut { compact: true, .. }) => &CompactJsonExporter,
        _ => &JsonExporter,
    };
    for (path, exporter) in [
        (json.map(|j| j.path), json_exporter),
        (csv, &StepsCsvExporter as &dyn Exporter),
    ] {
        if let Some(path) = path {
            let mut w = BufWriter::new(create_file(path)?);
            exporter
                .export(analysis, &mut w)
                .and_then(|_| w.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(stdout, "Wrote {} ({})", path.display(), exporter.name())?;
        }
    }
    Ok(())
}
