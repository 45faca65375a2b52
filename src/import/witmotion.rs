//! WitMotion text exports (PC software WitMotion.exe / MiniIMU), one sensor per file.
//!
//! No sample file is public; the layouts are those read by telemetry-parser (the maintained
//! parser used by Gyroflow) and a user script for the newer per-device CSV:
//!
//! | layout | header (found among the first lines) | separator | time column |
//! |---|---|---|---|
//! | txt  | `Time(s)`, `AngleX(deg)`, `ax(g)…`, `wx(deg/s)…` | TAB | `ChipTime` `2020-01-01 12:00:00.005` |
//! | txt2 | `Date Time ax ay az wx wy wz AngleX AngleY …` | whitespace | `Date` + `Time` |
//! | txt3 | `time`, `AccX(g)…`, `AsX(°/s)…` | TAB | `time` `2020-01-01 12:0:0:005` (colon before ms) |
//! | txt4 | `Time`, `Chip Time()`, `Acceleration X(g)…`, `Angular velocity X(°/s)…`, `Quaternions 0()…` | TAB | `Chip Time()` |
//! | CSV  | `Time, Device name, Chip Time(), Acceleration X(g)…` (software 2025) | the header's | `Chip Time()` |
//!
//! Acceleration in g, angular velocity in °/s (WT901 manual; txt2's header has no units).
//! Sample times come from the sensor's real-time clock (ms resolution, local time without
//! zone); a file without one (txt without `ChipTime`) is refused rather than a rate assumed,
//! and so is one recorded below [`MIN_RETURN_RATE_HZ`] (the sensor's default is 10 Hz).
//! Unit labels of older files are GBK (decoded by [`super::decode`]); a degree sign the
//! software lost (`?/s`) is still read as °/s. Values may use a decimal comma (not in the CSV).
//! The raw binary of the SD-card loggers is not read. A file naming a `WT901BLE…` device gets
//! the WT901BLECL's mounting convention as default axes; others need `--axes`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::{number, App, AxesRule, Export, InputFile, Refusal, Stream, G_MPS2};
use crate::error::quote_bytes;
use crate::sensors::Model;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    Txt,
    Txt2,
    Txt3,
    Txt4,
    Csv,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Txt => "text export (ChipTime, ax(g), wx(deg/s))",
            Layout::Txt2 => "whitespace-separated text export (Date Time ax ay az wx wy wz)",
            Layout::Txt3 => "text export (time, AccX(g), AsX(°/s))",
            Layout::Txt4 => "text export (Chip Time(), Acceleration X(g), Angular velocity X(°/s))",
            Layout::Csv => "per-device CSV (Time, Device name, Chip Time(), …)",
        }
    }

    /// Acceleration and angular-velocity column names (normalised, see [`norm`]).
    fn columns(self) -> ([&'static str; 3], [&'static str; 3]) {
        match self {
            Layout::Txt => (
                ["ax(g)", "ay(g)", "az(g)"],
                ["wx(°/s)", "wy(°/s)", "wz(°/s)"],
            ),
            Layout::Txt2 => (["ax", "ay", "az"], ["wx", "wy", "wz"]),
            Layout::Txt3 => (
                ["AccX(g)", "AccY(g)", "AccZ(g)"],
                ["AsX(°/s)", "AsY(°/s)", "AsZ(°/s)"],
            ),
            Layout::Txt4 | Layout::Csv => (
                [
                    "Acceleration X(g)",
                    "Acceleration Y(g)",
                    "Acceleration Z(g)",
                ],
                [
                    "Angular velocity X(°/s)",
                    "Angular velocity Y(°/s)",
                    "Angular velocity Z(°/s)",
                ],
            ),
        }
    }
}

/// A header cell with the degree sign's spellings (`deg`, `º`, a lost GBK byte) made `°`.
fn norm(cell: &str) -> String {
    let c = cell.trim().trim_matches('"').trim();
    ["deg/s", "º/s", "?/s", "\u{FFFD}/s"]
        .iter()
        .fold(c.to_string(), |s, from| s.replace(from, "°/s"))
}

fn split(line: &str, sep: Option<char>) -> Vec<&str> {
    match sep {
        Some(c) => line
            .split(c)
            .map(|f| f.trim().trim_matches('"').trim())
            .collect(),
        None => line.split_whitespace().collect(),
    }
}

/// The layout a header line shows, with its separator (`None`: whitespace).
fn layout_of(line: &str) -> Option<(Layout, Option<char>)> {
    for sep in [Some('\t'), Some(','), Some(';'), None] {
        let h: Vec<String> = split(line, sep).into_iter().map(norm).collect();
        let has = |n: &str| h.iter().any(|c| c == n);
        let starts = |n: &str| h.iter().any(|c| c.starts_with(n));
        let layout = if sep == Some('\t') && has("Time(s)") && has("AngleX(deg)") {
            Layout::Txt
        } else if sep == Some('\t') && has("time") && starts("AsX") && starts("AsY") {
            Layout::Txt3
        } else if sep == Some('\t')
            && has("Time")
            && starts("Angular velocity X")
            && starts("Quaternions 0")
        {
            Layout::Txt4
        } else if sep.is_some()
            && sep != Some('\t')
            && has("Chip Time()")
            && starts("Angular velocity X")
        {
            Layout::Csv
        } else if sep.is_none() && has("Time") && has("AngleX") && has("AngleY") {
            Layout::Txt2
        } else {
            continue;
        };
        return Some((layout, sep));
    }
    None
}

/// Slowest return rate read, Hz. The sensor's default is 10 Hz; at 10 Hz the sides of one of
/// the two straight-walk fixtures came out all swapped (contacts and cadence still agreed),
/// from 20 Hz both agree with the native 100 Hz analysis.
pub const MIN_RETURN_RATE_HZ: f64 = 20.0;

/// Header lines are looked for among this many first lines (preamble such as `StartTime`).
const HEADER_SEARCH_LINES: usize = 20;

/// A chip time `2020-01-01 12:00:00.005` or `2020-01-01 12:0:0:005` (colon and three digits of
/// ms; hours, minutes and seconds possibly unpadded).
pub fn chip_time(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.trim().split_once(' ')?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let parts: Vec<&str> = time.trim().split(':').collect();
    let int = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (h, m) = (int(parts.first()?)?, int(parts.get(1)?)?);
    let (sec, nanos) = match parts.as_slice() {
        [_, _, s, ms] if ms.len() == 3 && ms.bytes().all(|b| b.is_ascii_digit()) => {
            (int(s)?, ms.parse::<u32>().ok()? * 1_000_000)
        }
        [_, _, s] => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let nanos = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse().ok()?
            };
            (int(whole)?, nanos)
        }
        _ => return None,
    };
    Some(date.and_time(NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?))
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let found: Vec<(&InputFile, usize, Layout, Option<char>)> = files
        .iter()
        .filter_map(|f| {
            f.lines()
                .take(HEADER_SEARCH_LINES)
                .enumerate()
                .find_map(|(i, l)| layout_of(l).map(|(lay, sep)| (f, i, lay, sep)))
        })
        .collect();
    let (f, hl, layout, sep) = match found.as_slice() {
        [] => {
            return Err(Refusal::NotThis(format!(
                "expects a WitMotion header (ChipTime/AngleX(deg), Date Time … AngleX AngleY, time/AsX, or Chip Time()/Angular velocity X) in the first {HEADER_SEARCH_LINES} lines; {}",
                super::shown_first_line(files)
            )))
        }
        [one] => *one,
        [(a, ..), (b, ..), ..] => {
            return Err(Refusal::Bad(a.error(format!(
                "and {} are both WitMotion files: import one sensor at a time",
                b.path.display()
            ))))
        }
    };
    let lines: Vec<&str> = f.lines().collect();
    let header: Vec<String> = split(lines[hl], sep).into_iter().map(norm).collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let (acc_names, gyr_names) = layout.columns();
    let cols3 = |names: [&str; 3]| -> Result<[usize; 3], Refusal> {
        let mut out = [0; 3];
        for (k, n) in names.iter().enumerate() {
            out[k] = col(n).ok_or_else(|| {
                Refusal::Bad(f.error_at(
                    hl + 1,
                    format!(
                        "header of a WitMotion {}: no column \"{n}\"; record acceleration and angular velocity",
                        layout.name()
                    ),
                ))
            })?;
        }
        Ok(out)
    };
    let acc_cols = cols3(acc_names)?;
    let gyr_cols = cols3(gyr_names)?;
    // time: one column, or (txt2) the Date and Time tokens
    let time_cols: Vec<usize> = match layout {
        Layout::Txt => vec![col("ChipTime").ok_or_else(|| {
            Refusal::Bad(f.error_at(
                hl + 1,
                "is a WitMotion text export without a ChipTime column: the sample times cannot be established \
                 (gaitkit does not assume a rate); record again with the chip time enabled",
            ))
        })?],
        Layout::Txt2 => match (col("Date"), col("Time")) {
            (Some(d), Some(t)) => vec![d, t],
            _ => {
                return Err(Refusal::Bad(f.error_at(
                    hl + 1,
                    "is a whitespace-separated WitMotion export without Date and Time columns: the sample times cannot be established",
                )))
            }
        },
        Layout::Txt3 => vec![col("time").expect("detected by it")],
        Layout::Txt4 | Layout::Csv => vec![col("Chip Time()").ok_or_else(|| {
            Refusal::Bad(f.error_at(
                hl + 1,
                "is a WitMotion export without a \"Chip Time()\" column: the sample times cannot be established",
            ))
        })?],
    };
    let device_col = col("Device name");
    let comma = sep != Some(',');
    let mut acc = Stream::new(&f.path, "g");
    let mut gyr = Stream::new(&f.path, "°/s");
    let mut first: Option<NaiveDateTime> = None;
    let mut devices: Vec<String> = Vec::new();
    let named = |c: usize| header.get(c).map(String::as_str).unwrap_or("?");
    for (i, line) in lines.iter().enumerate().skip(hl + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = split(line, sep);
        let cell = |k: usize| c.get(k).copied().unwrap_or("");
        let stamp = time_cols
            .iter()
            .map(|&k| cell(k))
            .collect::<Vec<_>>()
            .join(" ");
        let Some(t) = chip_time(&stamp) else {
            return Err(Refusal::Bad(f.error_at(
                i + 1,
                format!(
                    "column \"{}\": \"{}\" is not a date and time like 2020-01-01 12:00:00.005 or 2020-01-01 12:0:0:005{}",
                    time_cols.iter().map(|&k| named(k)).collect::<Vec<_>>().join("\" + \""),
                    quote_bytes(stamp.as_bytes()),
                    if c.len() < header.len() {
                        format!(" (the row has {} fields, the header {})", c.len(), header.len())
                    } else {
                        String::new()
                    }
                ),
            )));
        };
        if let Some(d) = device_col.map(cell) {
            if !d.is_empty() && !devices.iter().any(|x| x == d) {
                devices.push(d.to_string());
            }
        }
        let t0 = *first.get_or_insert(t);
        let t_s = t
            .signed_duration_since(t0)
            .num_microseconds()
            .unwrap_or(i64::MAX) as f64
            * 1e-6;
        let mut v = [[0.0; 3]; 2];
        for (out, cols) in v.iter_mut().zip([acc_cols, gyr_cols]) {
            for (o, &k) in out.iter_mut().zip(&cols) {
                *o = number(cell(k), comma).ok_or_else(|| {
                    f.error_at(
                        i + 1,
                        format!(
                            "column \"{}\": \"{}\" is not a number",
                            named(k),
                            quote_bytes(cell(k).as_bytes())
                        ),
                    )
                })?;
            }
        }
        acc.push(t_s, v[0].map(|g| g * G_MPS2));
        gyr.push(t_s, v[1]);
    }
    let rate_hz = 1.0 / acc.interval_s();
    if rate_hz < MIN_RETURN_RATE_HZ {
        return Err(Refusal::Bad(f.error(format!(
            "was recorded at a return rate of {rate_hz:.1} Hz (WitMotion's default is 10 Hz): below {MIN_RETURN_RATE_HZ:.0} Hz the left and right steps \
             are not told apart reliably. Set the return rate to 100 Hz or 200 Hz in the WitMotion software and record again"
        ))));
    }
    if devices.len() > 1 {
        return Err(Refusal::Bad(f.error(format!(
            "holds {} devices ({}): import one sensor at a time (WitMotion's software records each device to a file of its own)",
            devices.len(),
            devices.join(", ")
        ))));
    }
    let mut notes = vec![format!("WitMotion {}.", layout.name())];
    if layout == Layout::Txt2 {
        notes.push(
            "The header has no units: acceleration read in g and angular velocity in °/s, WitMotion's units (checked against the data)."
                .into(),
        );
    }
    Ok(Export {
        app: App::WitMotion,
        device: Some(match devices.first() {
            Some(d) => format!("WitMotion {d}"),
            None => "WitMotion".into(),
        }),
        axes: match devices.first() {
            // the WT901BLECL family that `gaitkit record` reads, worn by its convention
            Some(d) if d.to_ascii_uppercase().starts_with("WT901BLE") => {
                AxesRule::Mounting(Model::WitMotionWt901)
            }
            _ => AxesRule::Unknown(
                "the export does not name a WT901BLECL (the WitMotion sensor with a mounting convention in gaitkit, README \"Wearing the sensors\")"
                    .into(),
            ),
        },
        acc,
        gyr,
        clock: format!(
            "{} (the sensor's real-time clock, ms, local time)",
            time_cols.iter().map(|&k| named(k)).collect::<Vec<_>>().join(" + ")
        ),
        origin: None,
        origin_local: first,
        files: vec![f.path.clone()],
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chip_times_in_both_spellings() {
        let t = chip_time("2023-05-04 9:3:7:045").unwrap();
        assert_eq!(t.to_string(), "2023-05-04 09:03:07.045");
        let t = chip_time("2023-05-04 09:03:07.045").unwrap();
        assert_eq!(t.to_string(), "2023-05-04 09:03:07.045");
        for bad in [
            "2023-05-04 9:3:7:45",
            "2023-05-04",
            "9:3:7.045",
            "2023-05-04 25:00:00.000",
            "2023-05-04 9:3:7,045",
        ] {
            assert!(chip_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn layouts_from_headers() {
        let l = |s: &str| layout_of(s).map(|(l, _)| l);
        assert_eq!(
            l("Time(s)\tChipTime\tax(g)\tay(g)\taz(g)\twx(deg/s)\twy(deg/s)\twz(deg/s)\tAngleX(deg)"),
            Some(Layout::Txt)
        );
        assert_eq!(
            l("Date Time ax ay az wx wy wz AngleX AngleY AngleZ"),
            Some(Layout::Txt2)
        );
        assert_eq!(l("time\tAccX(g)\tAsX(?/s)\tAsY(?/s)"), Some(Layout::Txt3));
        assert_eq!(
            l("Time\tChip Time()\tAngular velocity X(°/s)\tQuaternions 0()"),
            Some(Layout::Txt4)
        );
        assert_eq!(
            l("Time,Device name,Chip Time(),Acceleration X(g),Angular velocity X(°/s)"),
            Some(Layout::Csv)
        );
        assert_eq!(l("Time,AngleX,AngleY"), None);
    }
}
