//! `gaitkit import`: an app's export (files of one sensor, or its export folder) into a
//! session folder, or one more sensor into an existing session folder.

use std::path::PathBuf;

use anyhow::anyhow;
use chrono::FixedOffset;
use clap::Args;

use super::analyze::PlacementArg;
use crate::import::{read_export, resolve_axes, write_session, Imported};
use crate::recording::{Axes, Placement};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    gaitkit import Polar_Sense_A40F6F28_20220425_113903_ACC.txt Polar_Sense_A40F6F28_20220425_113903_GYRO.txt --placement lower-back --out sessions/anna\n  \
    gaitkit import sensorlogger-2024-02-11/ --placement lower-back --out sessions/ben\n  \
    gaitkit import \"Simple experiment 2024-01-01 12-00-00.zip\" --placement lower-back --out sessions/dana\n  \
    gaitkit import LFoot_20210820_202113_831.csv --placement left-foot --axes FLU --out sessions/cleo")]
pub struct ImportArgs {
    /// Export files of one sensor (e.g. Polar _ACC.txt and _GYRO.txt), the folder an app's
    /// export was unpacked into, or the zip archive it shared
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where the sensor sat
    #[arg(long, value_enum)]
    pub placement: PlacementArg,
    /// Directions of the sensor's x, y, z axes while standing, e.g. URF = x up, y right,
    /// z forward (default: the mounting convention for the detected device; a phone worn
    /// screen out, top up)
    #[arg(long)]
    pub axes: Option<String>,
    /// Session folder to write (created), or an existing one to add this sensor to
    #[arg(long, value_name = "SESSION_DIR")]
    pub out: PathBuf,
    /// UTC offset of exports stamped in local time without a zone (Polar Sensor Logger,
    /// WitMotion),
    /// e.g. +02:00; gives the session its absolute start time
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,
}

/// Parses `--axes`.
pub fn parse_axes(axes: Option<&str>) -> anyhow::Result<Option<Axes>> {
    axes.map(|a| a.parse().map_err(|e: String| anyhow!("--axes: {e}")))
        .transpose()
}

fn parse_offset(s: &str) -> anyhow::Result<FixedOffset> {
    let bad = || anyhow!("--utc-offset \"{s}\": expected ±HH:MM, e.g. +02:00 or -05:00");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let placement: Placement = args.placement.into();
    let axes = parse_axes(args.axes.as_deref())?;
    let mut imported: Imported = read_export(&args.paths)?;
    if let Some(off) = &args.utc_offset {
        imported
            .set_utc_offset(parse_offset(off)?)
            .map_err(|e| anyhow!("--utc-offset: {e}"))?;
    }
    let axes = resolve_axes(&imported, placement, axes).map_err(|e| anyhow!(e))?;
    let written = write_session(&args.out, &imported, placement, axes)?;
    let s = &imported.source;
    println!("Imported a {} export as the {placement} sensor.", s.app);
    if let Some(d) = &s.device {
        println!("  device:  {d}");
    }
    println!("  files:   {}", s.files.join(", "));
    println!(
        "  units:   {} (converted to m/s² and deg/s)",
        s.units.join("; ")
    );
    println!("  clock:   {}", s.clock);
    println!(
        "  rate:    {:.2} Hz (acceleration {:.2} Hz, angular velocity {:.2} Hz)",
        s.rate_hz, s.acc_rate_hz, s.gyr_rate_hz
    );
    let duration = imported.table.time_s.last().copied().unwrap_or(0.0);
    println!("  length:  {duration:.1} s, {} samples", written.rows);
    match s.gaps.len() {
        0 => println!("  gaps:    none"),
        n => {
            let longest = s.gaps.iter().map(|g| g[1] - g[0]).fold(0.0, f64::max);
            println!("  gaps:    {n} (longest {longest:.3} s)");
        }
    }
    println!(
        "  axes:    {axes}{}",
        if args.axes.is_some() {
            " (--axes)"
        } else {
            " (default for this device and placement)"
        }
    );
    match (imported.start_time, &s.local_start) {
        (Some(t), _) => println!("  start:   {}", t.to_rfc3339()),
        (None, Some(l)) => {
            println!("  start:   {l} local time (UTC offset unknown; see --utc-offset)")
        }
        (None, None) => println!("  start:   unknown (the export has no wall-clock time)"),
    }
    for n in &s.notes {
        println!("  note:    {n}");
    }
    if let Some(o) = &written.overlap {
        println!(
            "Added to the session: aligned on {}, starts {:.3} s after the session's first sample; \
             overlap {:.1} s of the session's {:.1} s and the sensor's {:.1} s ({:.0} % and {:.0} %).",
            o.clock,
            o.offset_s,
            o.overlap_s,
            o.session_s,
            o.sensor_s,
            100.0 * o.overlap_s / o.session_s.max(1e-9),
            100.0 * o.overlap_s / o.sensor_s.max(1e-9)
        );
        if o.dropped_s > 0.0 {
            println!(
                "  {:.1} s of the sensor's data before the session's start were left out.",
                o.dropped_s
            );
        }
    }
    println!(
        "Wrote {} and {}",
        written.file.display(),
        args.out.join("session.json").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets_parse_with_sign_and_are_range_checked() {
        assert_eq!(parse_offset("+02:00").unwrap().local_minus_utc(), 7200);
        assert_eq!(parse_offset("-05:30").unwrap().local_minus_utc(), -19800);
        for bad in ["02:00", "+2", "+15:00", "+01:60", ""] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
