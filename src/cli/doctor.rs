//! `gaitkit doctor`: the first thing to run with a new sensor. Checks Bluetooth on this
//! computer, then each named sensor: what it offers, what it is, how it answers the start
//! commands, and some seconds of data lying still (rate, gravity, gyroscope noise), with a
//! verdict per stream. `--save DIR` keeps the raw notifications as a test vector.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::recording::Placement;
use crate::sensors::doctor::{self, DoctorOptions, Level, DEFAULT_DURATION};

use super::record::parse_sensor;
use super::scan::parse_duration;

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// Sensor to check as PLACEMENT=NAME|ADDRESS, e.g. `lower-back=Polar Sense B5A5E62D`;
    /// repeat for more. Without it, doctor checks Bluetooth and lists the sensors nearby.
    #[arg(long = "sensor", value_parser = parse_sensor)]
    pub sensors: Vec<(Placement, String)>,
    /// Folder for report.txt and the raw notifications (`<placement>.notifications.csv`:
    /// arrival time, characteristic, hex bytes); existing files are not overwritten.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// How long to stream from each sensor.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// How long to look for the sensors.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub scan_timeout: Duration,
}

pub fn run(args: DoctorArgs) -> anyhow::Result<()> {
    for (i, (p, _)) in args.sensors.iter().enumerate() {
        if args.sensors[..i].iter().any(|(q, _)| q == p) {
            anyhow::bail!("placement {p} is given twice");
        }
    }
    if let Some(dir) = &args.save {
        for name in ["report.txt".to_string()].into_iter().chain(
            args.sensors
                .iter()
                .map(|(p, _)| format!("{}.notifications.csv", p.as_str())),
        ) {
            let path = dir.join(name);
            if path.exists() {
                anyhow::bail!(
                    "{} already exists; choose a new folder for --save so nothing is overwritten",
                    path.display()
                );
            }
        }
    }
    if !args.sensors.is_empty() {
        let secs = args.duration.as_secs_f64();
        let secs = if secs.fract() == 0.0 {
            format!("{secs:.0}")
        } else {
            format!("{secs:.1}")
        };
        let note = if args.duration == DEFAULT_DURATION {
            String::new()
        } else {
            " (a shorter check measures less precisely)".into()
        };
        eprintln!(
            "Lay each sensor still on a table, then wait: {secs} s of data per sensor{note}."
        );
    }
    let opts = DoctorOptions {
        sensors: args.sensors,
        duration: args.duration,
        scan_timeout: args.scan_timeout,
    };
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = rt.block_on(doctor::run(&opts));
    print!("{report}");
    if let Some(dir) = &args.save {
        let files = report
            .save(dir)
            .with_context(|| format!("saving into {}", dir.display()))?;
        println!();
        for f in files {
            println!("saved {}", f.display());
        }
    }
    match report.level() {
        Level::Fail => anyhow::bail!("doctor found a problem (FAIL above)"),
        Level::Warn => {
            eprintln!("doctor: usable, with warnings (WARN above)");
            Ok(())
        }
        Level::Ok => Ok(()),
    }
}
