//! phyphox (RWTH Aachen; Android and iOS): the CSV export of an experiment, as the zip the app
//! shares, the folder it unpacks to, or a single CSV ("minimalistic" share).
//!
//! One CSV per data set. Header cells are double-quoted column names written verbatim from the
//! experiment (`"Time (s)","Acceleration x (m/s^2)",…`); data cells are unquoted numbers in
//! `0.000000000E0` notation, `NaN` where a column is shorter. Five CSV variants: comma with
//! decimal point, TAB or semicolon with decimal point or decimal comma; the separator is the
//! character after the header's first cell, and with TAB or semicolon any comma in a number is
//! its decimal comma.
//!
//! Acceleration including gravity: `Acceleration x (m/s^2)` (the "Acceleration with g"
//! experiment's `Raw Data.csv`, or `Accelerometer.csv` of a simple experiment); else
//! `Linear Acceleration x (m/s^2)` plus `Gravity.csv`, whose header repeats the acceleration
//! names, so gravity is told by the file name. Linear acceleration alone (the "Acceleration
//! (without g)" experiment) is refused: without gravity the vertical cannot be established.
//! Angular velocity: `Gyroscope x (rad/s)`. Each quantity takes the nearest `Time (s)` column
//! to its left.
//!
//! `Time (s)` is experiment time since the first start, with pauses cut out. `meta/time.csv`
//! (`"event","experiment time","system time","system time text"`, one row per START and
//! PAUSE) places each sample on the wall clock by the last START at or before it, so a pause is
//! a gap and the session has an absolute start time.

use chrono::{DateTime, FixedOffset};

use super::{fields, number, App, AxesRule, Export, InputFile, Refusal, Stream};
use crate::error::quote_bytes;

/// The header's separator: the character after the quoted `"Time (s)"` first cell.
fn separator(f: &InputFile, first_cell: &str) -> Option<char> {
    let rest = f.first_line().strip_prefix(first_cell)?;
    rest.chars().next().filter(|c| [',', '\t', ';'].contains(c))
}

const TIME: &str = "\"Time (s)\"";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Acceleration including gravity.
    Acc,
    /// Acceleration without gravity.
    Linear,
    Gravity,
    Gyr,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Acc => "acceleration (with g)",
            Kind::Linear => "linear acceleration (without g)",
            Kind::Gravity => "gravity",
            Kind::Gyr => "angular velocity",
        }
    }
}

/// A three-axis quantity found in a file's header.
struct Quantity {
    kind: Kind,
    time_col: usize,
    cols: [usize; 3],
}

/// `"<prefix> x (<unit>)"` → the unit.
fn unit_of<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?
        .strip_prefix(" x (")?
        .strip_suffix(')')
}

fn quantities(f: &InputFile, header: &[&str]) -> Result<Vec<Quantity>, Refusal> {
    let gravity_file = f
        .name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&f.name)
        .eq_ignore_ascii_case("Gravity");
    let mut out = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let (kind, prefix, unit) = if let Some(u) = unit_of(name, "Acceleration") {
            let k = if gravity_file {
                Kind::Gravity
            } else {
                Kind::Acc
            };
            (k, "Acceleration", u)
        } else if let Some(u) = unit_of(name, "Linear Acceleration") {
            (Kind::Linear, "Linear Acceleration", u)
        } else if let Some(u) = unit_of(name, "Gyroscope") {
            (Kind::Gyr, "Gyroscope", u)
        } else {
            continue;
        };
        let want = if kind == Kind::Gyr { "rad/s" } else { "m/s^2" };
        if unit != want {
            return Err(Refusal::Bad(f.error_at(
                1,
                format!(
                    "column \"{name}\": unit \"{unit}\" is not the {want} phyphox writes for {}: the unit cannot be established; export the app's own experiment",
                    kind.label()
                ),
            )));
        }
        let mut cols = [i, 0, 0];
        for (k, axis) in ["y", "z"].iter().enumerate() {
            let n = format!("{prefix} {axis} ({unit})");
            cols[k + 1] = header.iter().position(|h| *h == n).ok_or_else(|| {
                Refusal::Bad(f.error_at(1, format!("header: \"{name}\" but no column \"{n}\"")))
            })?;
        }
        let Some(time_col) = header[..i].iter().rposition(|h| *h == "Time (s)") else {
            return Err(Refusal::Bad(f.error_at(
                1,
                format!("header: no \"Time (s)\" column before \"{name}\""),
            )));
        };
        out.push(Quantity {
            kind,
            time_col,
            cols,
        });
    }
    Ok(out)
}

/// The export's CSV variant in the app's words.
fn variant(sep: char, comma: bool) -> &'static str {
    match (sep, comma) {
        (',', _) => "CSV (Comma, decimal point)",
        ('\t', false) => "CSV (Tabulator, decimal point)",
        ('\t', true) => "CSV (Tabulator, decimal comma)",
        (_, false) => "CSV (Semicolon, decimal point)",
        (_, true) => "CSV (Semicolon, decimal comma)",
    }
}

/// A phyphox data file: separator and the quantities it holds.
struct DataFile<'a> {
    file: &'a InputFile,
    sep: char,
    quantities: Vec<Quantity>,
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let mut data = Vec::new();
    for f in files {
        if let Some(sep) = separator(f, TIME) {
            let header = fields(f.first_line(), sep);
            data.push(DataFile {
                file: f,
                sep,
                quantities: quantities(f, &header)?,
            });
        }
    }
    if data.is_empty() {
        return Err(Refusal::NotThis(format!(
            "expects CSV files whose quoted header starts with \"Time (s)\" and a comma, TAB or semicolon; {}",
            super::shown_first_line(files)
        )));
    }
    // one source per quantity
    let find = |kind: Kind| -> Result<Option<(&DataFile, &Quantity)>, Refusal> {
        let mut found = data
            .iter()
            .flat_map(|d| d.quantities.iter().map(move |q| (d, q)))
            .filter(|(_, q)| q.kind == kind);
        let first = found.next();
        if let (Some((a, _)), Some((b, _))) = (first, found.next()) {
            return Err(Refusal::Bad(a.file.error(format!(
                "and {} both hold {}: import one phyphox export at a time",
                b.file.path.display(),
                kind.label()
            ))));
        }
        Ok(first)
    };
    let (acc, linear, gravity, gyr) = (
        find(Kind::Acc)?,
        find(Kind::Linear)?,
        find(Kind::Gravity)?,
        find(Kind::Gyr)?,
    );
    let first = data[0].file;
    let names = || {
        data.iter()
            .map(|d| d.file.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let acc_sources: Vec<(&DataFile, &Quantity)> = match (acc, linear, gravity) {
        (Some(a), _, _) => vec![a],
        (None, Some(l), Some(g)) => vec![l, g],
        (None, Some(l), None) => {
            return Err(Refusal::Bad(l.0.file.error(
                "is phyphox acceleration without g (linear acceleration, e.g. the \"Acceleration (without g)\" experiment) and the export has no Gravity.csv: \
                 without gravity the vertical cannot be established for gait. Record \"Acceleration with g\", or a simple experiment with Accelerometer (or Linear Acceleration and Gravity) and Gyroscope",
            )))
        }
        (None, None, _) => {
            return Err(Refusal::Bad(first.error(format!(
                "is a phyphox export without acceleration (found: {}): record a simple experiment with Accelerometer and Gyroscope ticked",
                names()
            ))))
        }
    };
    let Some(gyr) = gyr else {
        return Err(Refusal::Bad(acc_sources[0].0.file.error(format!(
            "is a phyphox export with acceleration but no gyroscope (found: {}): gaitkit needs both. phyphox runs one experiment at a time, \
             so separate \"Acceleration with g\" and \"Gyroscope\" recordings cannot be combined: record a simple experiment with Accelerometer and Gyroscope ticked",
            names()
        ))));
    };
    // one export: phyphox runs one experiment at a time, so sets of separate exports (e.g.
    // the "Acceleration with g" and "Gyroscope" experiments' Raw Data.csv) were not recorded
    // together
    let folder = |d: &DataFile| d.file.path.parent().map(|p| p.to_path_buf());
    let home = folder(gyr.0);
    if let Some((other, _)) = acc_sources.iter().find(|(d, _)| folder(d) != home) {
        return Err(Refusal::Bad(other.file.error(format!(
            "and {} come from separate phyphox exports: phyphox runs one experiment at a time, so they were not recorded together. \
             Record a simple experiment with Accelerometer and Gyroscope ticked and import its export",
            gyr.0.file.path.display()
        ))));
    }
    let mut notes = Vec::new();
    let mut comma_seen = false;
    let mut read = |(d, q): (&DataFile, &Quantity), unit: &str, k: f64| {
        let (s, comma, skipped) = read_stream(d, q, unit, k)?;
        comma_seen |= comma;
        if skipped > 0 {
            notes.push(format!(
                "{}: {skipped} rows with NaN (a shorter column) left out.",
                d.file.name
            ));
        }
        Ok::<_, Refusal>(s)
    };
    let gyr_stream = read(gyr, "rad/s", 1f64.to_degrees())?;
    let mut acc_streams = Vec::new();
    for src in &acc_sources {
        acc_streams.push(read(*src, "m/s²", 1.0)?);
    }
    let sep = gyr.0.sep;
    notes.insert(0, format!("{} export.", variant(sep, comma_seen)));
    let mut used: Vec<_> = acc_sources
        .iter()
        .map(|(d, _)| d.file.path.clone())
        .collect();
    if !used.contains(&gyr.0.file.path) {
        used.push(gyr.0.file.path.clone());
    }
    // the export's own meta/time.csv
    let meta_dir = home.as_ref().map(|h| h.join("meta"));
    let meta = files.iter().find(|f| {
        f.name.eq_ignore_ascii_case("time.csv")
            && separator(f, "\"event\"").is_some()
            && f.path.parent().map(|p| p.to_path_buf()) == meta_dir
    });
    let (mut acc, mut gyr_stream, clock, origin) = match meta {
        Some(m) => {
            let run = read_time_meta(m)?;
            if run.pauses.is_empty() {
                notes.push("No pauses (meta/time.csv).".into());
            } else {
                let shown: Vec<String> = run.pauses.iter().map(|p| format!("{p:.1} s")).collect();
                notes.push(format!(
                    "Paused {} times ({}): samples placed on the wall clock from meta/time.csv, so each pause is a gap.",
                    run.pauses.len(),
                    shown.join(", ")
                ));
            }
            used.push(m.path.clone());
            let mut placed = Vec::new();
            for s in acc_streams.into_iter().chain([gyr_stream]) {
                placed.push(run.place(s));
            }
            let g = placed.pop().expect("gyro stream placed last");
            (
                placed,
                g,
                "Time (s): experiment time since the first START, placed on the wall clock by meta/time.csv (system time, Unix s)",
                run.origin,
            )
        }
        None => {
            notes.push(
                "No meta/time.csv (a single-file share): a pause, if the experiment was paused, cannot be seen in the data and there is no absolute start time; share the full export (zip) to keep them."
                    .into(),
            );
            (
                acc_streams,
                gyr_stream,
                "Time (s): experiment time since the first start (pauses cut out; no meta/time.csv)",
                None,
            )
        }
    };
    let acc_stream = match acc.as_mut_slice() {
        [lin, grav] => {
            notes.push("Acceleration = Linear Acceleration + Gravity.".into());
            super::add_streams(lin, grav, "m/s² (Linear Acceleration + Gravity)")
        }
        _ => acc.pop().expect("one acceleration stream"),
    };
    gyr_stream.unit = "rad/s".into();
    Ok(Export {
        app: App::Phyphox,
        device: None,
        axes: AxesRule::Phone,
        acc: acc_stream,
        gyr: gyr_stream,
        clock: clock.into(),
        origin,
        origin_local: None,
        files: used,
        notes,
    })
}

/// One quantity of a data file, scaled by `k`: the stream, whether a decimal comma was seen and
/// the rows left out for `NaN`.
fn read_stream(
    d: &DataFile,
    q: &Quantity,
    unit: &str,
    k: f64,
) -> Result<(Stream, bool, usize), Refusal> {
    let f = d.file;
    let comma = d.sep != ',';
    let header = fields(f.first_line(), d.sep);
    let mut s = Stream::new(&f.path, unit);
    let mut comma_seen = false;
    let mut skipped = 0usize;
    let start = f.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
    for (i, line) in f.lines().enumerate().skip(start + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, d.sep);
        let cells = [q.time_col, q.cols[0], q.cols[1], q.cols[2]];
        let mut v = [0.0; 4];
        let mut nan = false;
        for (j, &col) in cells.iter().enumerate() {
            let cell = c.get(col).copied().unwrap_or("");
            if cell.eq_ignore_ascii_case("nan") {
                nan = true;
                continue;
            }
            comma_seen |= comma && cell.contains(',');
            v[j] = number(cell, comma).ok_or_else(|| {
                f.error_at(
                    i + 1,
                    format!(
                        "column \"{}\": \"{}\" is not a number{}",
                        header.get(col).copied().unwrap_or("?"),
                        quote_bytes(cell.as_bytes()),
                        if c.len() < header.len() {
                            format!(
                                " (the row has {} fields, the header {})",
                                c.len(),
                                header.len()
                            )
                        } else {
                            String::new()
                        }
                    ),
                )
            })?;
        }
        if nan {
            skipped += 1;
            continue;
        }
        s.push(v[0], [k * v[1], k * v[2], k * v[3]]);
    }
    Ok((s, comma_seen, skipped))
}

/// The runs of an experiment from `meta/time.csv`.
struct Runs {
    /// (experiment time, system time) of each START, s.
    starts: Vec<(f64, f64)>,
    /// Length of each pause, s.
    pauses: Vec<f64>,
    origin: Option<DateTime<FixedOffset>>,
}

impl Runs {
    /// The stream's times on the wall clock, s from the origin (the system time at which the
    /// experiment time was 0).
    fn place(&self, mut s: Stream) -> Stream {
        let (e0, s0) = self.starts[0];
        let mut k = 0usize;
        for t in &mut s.t_s {
            while k + 1 < self.starts.len() && self.starts[k + 1].0 <= *t {
                k += 1;
            }
            let (ek, sk) = self.starts[k];
            *t = (sk - s0) + e0 + (*t - ek);
        }
        s
    }
}

fn read_time_meta(m: &InputFile) -> Result<Runs, Refusal> {
    let sep = separator(m, "\"event\"").unwrap_or(',');
    let comma = sep != ',';
    let header = fields(m.first_line(), sep);
    let col = |n: &str| {
        super::column(&header, n)
            .ok_or_else(|| Refusal::Bad(m.error_at(1, format!("header: no column \"{n}\""))))
    };
    let (ev, et, st, tt) = (
        col("event")?,
        col("experiment time")?,
        col("system time")?,
        col("system time text")?,
    );
    let mut starts: Vec<(f64, f64)> = Vec::new();
    let mut pauses = Vec::new();
    let mut last_pause: Option<(f64, f64)> = None;
    let mut offset = None;
    for (i, line) in m.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, sep);
        let num = |col: usize| {
            let cell = c.get(col).copied().unwrap_or("");
            number(cell, comma).ok_or_else(|| {
                Refusal::Bad(m.error_at(
                    i + 1,
                    format!(
                        "column \"{}\": \"{}\" is not a number",
                        header[col],
                        quote_bytes(cell.as_bytes())
                    ),
                ))
            })
        };
        let (e, s) = (num(et)?, num(st)?);
        match c.get(ev).copied().unwrap_or("") {
            "START" => {
                if let Some((pe, ps)) = last_pause.take() {
                    let pause = (s - ps) - (e - pe);
                    if pause < -0.01 {
                        return Err(Refusal::Bad(m.error_at(
                            i + 1,
                            format!(
                                "the system time goes back {:.3} s across a pause (the phone's clock was changed?): the samples cannot be placed on the wall clock; share the export without meta/ to use experiment time",
                                -pause
                            ),
                        )));
                    }
                    pauses.push(pause.max(0.0));
                }
                if starts.is_empty() {
                    offset = c.get(tt).and_then(|t| utc_offset(t));
                }
                starts.push((e, s));
            }
            "PAUSE" => last_pause = Some((e, s)),
            other => {
                return Err(Refusal::Bad(m.error_at(
                    i + 1,
                    format!(
                        "column \"event\": \"{}\" is neither START nor PAUSE",
                        quote_bytes(other.as_bytes())
                    ),
                )))
            }
        }
    }
    let Some(&(e0, s0)) = starts.first() else {
        return Err(Refusal::Bad(m.error(
            "has no START row: the samples cannot be placed on the wall clock; share the export without meta/ to use experiment time",
        )));
    };
    let origin = super::utc_from_unix_s(s0 - e0)
        .map(|t| t.with_timezone(&offset.unwrap_or(FixedOffset::east_opt(0).expect("zero"))));
    Ok(Runs {
        starts,
        pauses,
        origin,
    })
}

/// The UTC offset of a `system time text` (`yyyy-MM-dd HH:mm:ss.SSS 'UTC'XXX`: `UTC+01:00`,
/// `UTC-05:30`, or `UTCZ` for zero).
fn utc_offset(text: &str) -> Option<FixedOffset> {
    let rest = text.rsplit_once("UTC")?.1.trim();
    if rest.is_empty() || rest == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = rest[1..].split_once(':').unwrap_or((&rest[1..], "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(name: &str, text: &str) -> InputFile {
        InputFile::from_bytes(Path::new(name), text.as_bytes())
    }

    #[test]
    fn offsets_of_the_system_time_text() {
        let off = |t| utc_offset(t).map(|o| o.local_minus_utc());
        assert_eq!(off("2024-01-01 12:00:00.123 UTC+01:00"), Some(3600));
        assert_eq!(off("2024-01-01 12:00:00.123 UTC-05:30"), Some(-19800));
        assert_eq!(off("2024-01-01 12:00:00.123 UTCZ"), Some(0));
        assert_eq!(off("2024-01-01 12:00:00.123"), None);
    }

    #[test]
    fn separators_come_from_the_header_and_decimal_commas_from_the_data() {
        for (sep, comma) in [
            (',', false),
            ('\t', false),
            (';', false),
            ('\t', true),
            (';', true),
        ] {
            let q = |s: &str| format!("\"{s}\"");
            let h: Vec<String> = [
                "Time (s)",
                "Gyroscope x (rad/s)",
                "Gyroscope y (rad/s)",
                "Gyroscope z (rad/s)",
            ]
            .iter()
            .map(|s| q(s))
            .collect();
            let num = |v: &str| {
                if comma {
                    v.replace('.', ",")
                } else {
                    v.to_string()
                }
            };
            let row = [
                num("1.000000000E-2"),
                num("2.500000000E-1"),
                "NaN".into(),
                num("-3.000000000E0"),
            ];
            let row2 = [
                num("2.000000000E-2"),
                num("1.000000000E0"),
                num("0.000000000E0"),
                num("4.000000000E2"),
            ];
            let text = format!(
                "{}\n{}\n{}\n",
                h.join(&sep.to_string()),
                row.join(&sep.to_string()),
                row2.join(&sep.to_string())
            );
            let f = file("Gyroscope.csv", &text);
            assert_eq!(separator(&f, TIME), Some(sep));
            let header = fields(f.first_line(), sep);
            let qs = quantities(&f, &header).ok().unwrap();
            assert_eq!(qs.len(), 1);
            let d = DataFile {
                file: &f,
                sep,
                quantities: qs,
            };
            let (s, seen, skipped) = read_stream(&d, &d.quantities[0], "rad/s", 1.0)
                .ok()
                .unwrap();
            assert_eq!((seen, skipped), (comma, 1));
            assert_eq!(s.t_s, vec![0.02]);
            assert_eq!(s.xyz, vec![[1.0, 0.0, 400.0]]);
        }
    }

    #[test]
    fn pauses_become_gaps_on_the_wall_clock() {
        let m = file(
            "time.csv",
            "\"event\",\"experiment time\",\"system time\",\"system time text\"\n\
             START,0.000000000E0,1.704106800000E9,2024-01-01 12:00:00.000 UTC+01:00\n\
             PAUSE,1.000000000E1,1.704106810000E9,2024-01-01 12:00:10.000 UTC+01:00\n\
             START,1.000000000E1,1.704106835500E9,2024-01-01 12:00:35.500 UTC+01:00\n",
        );
        let runs = read_time_meta(&m).ok().unwrap();
        assert_eq!(runs.pauses.len(), 1);
        assert!((runs.pauses[0] - 25.5).abs() < 1e-6);
        assert_eq!(
            runs.origin.unwrap().to_rfc3339(),
            "2024-01-01T12:00:00+01:00"
        );
        let mut s = Stream::new(Path::new("a"), "m/s²");
        for t in [0.5, 9.99, 10.0, 12.0] {
            s.push(t, [0.0; 3]);
        }
        let placed = runs.place(s);
        let want = [0.5, 9.99, 35.5, 37.5];
        for (a, b) in placed.t_s.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{:?}", placed.t_s);
        }
    }
}
