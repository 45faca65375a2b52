//! MbientLab MetaBase (MetaWear / MetaMotion sensors): one CSV per sensor, acceleration and
//! angular velocity in separate files on independent timestamps.
//!
//! Three layouts, told apart by the first column: `epoch (ms)` (Android 3.x), `epoc (ms)`
//! (iOS/macOS 3.x/4.x) and `Epoch` (MetaBase 5, Unix *seconds* with 3 decimals, columns
//! `X,Y,Z` without units). Acceleration in g (`x-axis (g)`), angular velocity in deg/s
//! (`x-axis (deg/s)`). The local-time column and its header label (not a usable UTC offset
//! on Android) are ignored; the epoch is UTC. Logged data repeat an epoch for several rows:
//! those rows are re-spaced at the output data rate (from the file name's `_<rate>Hz_`, else
//! the file's mean rate), never past the next epoch.
//!
//! The stream is found from the file name's sensor word (`Accelerometer`, `Gyroscope`), not
//! from its MAC address or time: iOS names contain `:`, which Windows cannot store and
//! replaces (or the copy fails), so no part of the name after the sensor word is relied on.

use super::{fields, number, App, AxesRule, Export, InputFile, Refusal, Stream, G_MPS2};
use crate::sensors::Model;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    Android,
    Ios,
    MetaBase5,
}

fn layout(f: &InputFile) -> Option<Layout> {
    let h = fields(f.first_line(), ',');
    match h.first().copied()? {
        "epoch (ms)" => Some(Layout::Android),
        "epoc (ms)" => Some(Layout::Ios),
        "Epoch" if h.get(2) == Some(&"Elapsed (s)") => Some(Layout::MetaBase5),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Acc,
    Gyr,
    Other,
}

/// Stream of a file: the sensor word in its name, else the header's unit.
fn kind(f: &InputFile) -> Kind {
    let name = f.name.to_ascii_lowercase();
    if name.contains("linear acceleration")
        || name.contains("linear_acceleration")
        || name.contains("gravity")
    {
        return Kind::Other;
    }
    if name.contains("accelerometer") {
        return Kind::Acc;
    }
    if name.contains("gyroscope") || name.contains("gyro") {
        return Kind::Gyr;
    }
    let h = fields(f.first_line(), ',');
    match h.get(3).copied() {
        Some("x-axis (g)") => Kind::Acc,
        Some("x-axis (deg/s)") => Kind::Gyr,
        _ => Kind::Other,
    }
}

/// The `_<rate>Hz` token of a streamed Android file name.
fn rate_from_name(name: &str) -> Option<f64> {
    name.split(['_', ' '])
        .find_map(|t| t.strip_suffix("Hz")?.parse::<f64>().ok())
        .filter(|r| *r > 0.0 && r.is_finite())
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let mb: Vec<(&InputFile, Layout)> = files
        .iter()
        .filter_map(|f| layout(f).map(|l| (f, l)))
        .collect();
    if mb.is_empty() {
        return Err(Refusal::NotThis(format!(
            "expects a first column \"epoch (ms)\", \"epoc (ms)\" or \"Epoch\"; {}",
            super::shown_first_line(files)
        )));
    }
    let pick = |k: Kind, what: &str| -> Result<(&InputFile, Layout), Refusal> {
        let found: Vec<_> = mb.iter().filter(|(f, _)| kind(f) == k).collect();
        match found.as_slice() {
            [one] => Ok(**one),
            [] => Err(Refusal::Bad(mb[0].0.error(format!(
                "is a MetaBase file, but no {what} file of the recording was given (MetaBase writes acceleration \
                 and angular velocity to separate files; their names contain \"Accelerometer\" and \"Gyroscope\")"
            )))),
            [a, b, ..] => Err(Refusal::Bad(a.0.error(format!(
                "and {} are both {what} files: give the files of one sensor and one recording",
                b.0.path.display()
            )))),
        }
    };
    let (af, al) = pick(Kind::Acc, "accelerometer")?;
    let (gf, gl) = pick(Kind::Gyr, "gyroscope")?;
    let (a_ms, mut acc) = read_stream(af, al, "g", G_MPS2)?;
    let (g_ms, mut gyr) = read_stream(gf, gl, "deg/s", 1.0)?;
    let origin_ms = a_ms[0].min(g_ms[0]);
    let mut notes = Vec::new();
    for (ms, s, f) in [(&a_ms, &mut acc, af), (&g_ms, &mut gyr, gf)] {
        let (t, respaced) = respace(ms, origin_ms, rate_from_name(&f.name));
        s.t_s = t;
        if respaced > 0 {
            notes.push(format!(
                "{}: {respaced} rows repeat the previous epoch and were re-spaced at the output data rate.",
                f.name
            ));
        }
    }
    Ok(Export {
        app: App::MetaBase,
        device: Some(
            format!("MetaWear {}", af.name.split('_').next().unwrap_or(""))
                .trim()
                .to_string(),
        ),
        axes: AxesRule::Mounting(Model::MetaMotionS),
        acc,
        gyr,
        clock: match al {
            Layout::MetaBase5 => "Epoch (Unix s, UTC)".into(),
            _ => "epoch (ms) (Unix ms, UTC)".into(),
        },
        origin: super::utc_from_unix_ns(origin_ms.saturating_mul(1_000_000)),
        origin_local: None,
        files: vec![af.path.clone(), gf.path.clone()],
        notes,
    })
}

/// Epoch ms and values scaled by `k`.
fn read_stream(
    f: &InputFile,
    layout: Layout,
    unit: &str,
    k: f64,
) -> Result<(Vec<i64>, Stream), Refusal> {
    let mut lines = f.lines().enumerate();
    let header = fields(lines.next().map(|(_, l)| l).unwrap_or(""), ',');
    if header.len() < 6 {
        return Err(Refusal::Bad(f.error_at(1, format!(
            "header has {} columns; a MetaBase file has the epoch, the local time, the elapsed seconds and x, y, z",
            header.len()
        ))));
    }
    let mut ms = Vec::new();
    let mut s = Stream::new(&f.path, unit);
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, ',');
        let t = match layout {
            Layout::MetaBase5 => number(c[0], false).map(|v| (v * 1000.0).round() as i64),
            _ => c[0].parse::<i64>().ok(),
        }
        .ok_or_else(|| {
            f.error_at(
                i + 1,
                format!(
                    "column \"{}\": \"{}\" is not an epoch",
                    header[0],
                    crate::error::quote_bytes(c[0].as_bytes())
                ),
            )
        })?;
        let v = super::values3(f, i + 1, &c, [3, 4, 5], &header, false)?;
        ms.push(t);
        s.xyz.push([k * v[0], k * v[1], k * v[2]]);
    }
    if ms.len() < 2 {
        return Err(Refusal::Bad(f.error("has fewer than two samples")));
    }
    Ok((ms, s))
}

/// Seconds from `origin_ms`, rows sharing an epoch spread at `rate_hz` (or the mean rate)
/// but never past the next epoch; also the number of rows moved.
fn respace(ms: &[i64], origin_ms: i64, rate_hz: Option<f64>) -> (Vec<f64>, usize) {
    let n = ms.len();
    let span_s = (ms[n - 1] - ms[0]) as f64 * 1e-3;
    let period = match rate_hz {
        Some(r) => 1.0 / r,
        None if span_s > 0.0 => span_s / (n - 1) as f64,
        None => 0.0,
    };
    let mut out = Vec::with_capacity(n);
    let mut moved = 0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && ms[j] == ms[i] {
            j += 1;
        }
        let t0 = (ms[i] - origin_ms) as f64 * 1e-3;
        let step = match ms.get(j) {
            Some(&next) => period.min((next - ms[i]) as f64 * 1e-3 / (j - i) as f64),
            None => period,
        };
        for k in 0..(j - i) {
            out.push(t0 + k as f64 * step);
        }
        moved += j - i - 1;
        i = j;
    }
    (out, moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_epochs_are_spread_at_the_rate_before_the_next_epoch() {
        // three rows per epoch, 15 ms apart, 200 Hz
        let ms = [0, 0, 0, 15, 15, 15, 30];
        let (t, moved) = respace(&ms, 0, Some(200.0));
        assert_eq!(moved, 4);
        let want = [0.0, 0.005, 0.010, 0.015, 0.020, 0.025, 0.030];
        for (a, b) in t.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{t:?}");
        }
        // a rate too fast for the group: spread evenly up to the next epoch
        let (t, _) = respace(&[0, 0, 0, 6], 0, Some(100.0));
        assert!((t[2] - 0.004).abs() < 1e-12, "{t:?}");
    }

    #[test]
    fn rate_is_read_from_a_streamed_file_name() {
        assert_eq!(
            rate_from_name(
                "MetaWear_2021-01-01T10.00.00.000_C42B_Accelerometer_100.000Hz_1.5.0.csv"
            ),
            Some(100.0)
        );
        assert_eq!(rate_from_name("MetaWear_C4_2B_Gyroscope.csv"), None);
    }
}
