//! Polar Sensor Logger (Android app on the Polar BLE SDK): one `;`-separated `.txt` file per
//! stream, `Polar_<Model>_<DeviceId>_<yyyyMMdd>_<HHmmss>_<STREAM>.txt`.
//!
//! Header `Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]` (ACC, mg with gravity)
//! or `…;X [dps];Y [dps];Z [dps]` (GYRO); forks add a trailing space to the names. The
//! `sensor timestamp [ns]` counts ns since 2000-01-01 on the sensor clock, which the app sets
//! from the phone's *local* time (no offset). ACC and GYRO are aligned on it; the phone
//! timestamps are regenerated per packet and are not used.

use chrono::{NaiveDate, NaiveDateTime};

use super::{fields, number, App, AxesRule, Export, InputFile, Refusal, Stream, G_MPS2};
use crate::sensors::Model;

const PHONE: &str = "Phone timestamp";
const SENSOR_NS: &str = "sensor timestamp [ns]";

fn is_polar(f: &InputFile) -> bool {
    let h = fields(f.first_line(), ';');
    h.first() == Some(&PHONE) && h.get(1) == Some(&SENSOR_NS)
}

/// Kind of a Polar stream file from its header's X column.
fn stream_kind(f: &InputFile) -> Option<&'static str> {
    let h = fields(f.first_line(), ';');
    match h.get(2).copied() {
        Some("X [mg]") => Some("ACC"),
        Some("X [dps]") => Some("GYRO"),
        Some("X [G]") => Some("MAGN"),
        _ => None,
    }
}

/// The model from a file name `Polar_<Model>_…`.
fn model_from_name(name: &str) -> Option<&'static str> {
    let mut it = name.split('_');
    if it.next()? != "Polar" {
        return None;
    }
    match it.next()? {
        "Sense" => Some("Polar Verity Sense"),
        "H10" => Some("Polar H10"),
        "OH1" => Some("Polar OH1"),
        _ => None,
    }
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let polar: Vec<&InputFile> = files.iter().filter(|f| is_polar(f)).collect();
    if polar.is_empty() {
        return Err(Refusal::NotThis(format!(
            "expects a first line \"{PHONE};{SENSOR_NS};X [mg];…\"; {}",
            super::shown_first_line(files)
        )));
    }
    let pick = |kind: &str| -> Result<Option<&InputFile>, Refusal> {
        let found: Vec<&&InputFile> = polar
            .iter()
            .filter(|f| stream_kind(f) == Some(kind))
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [a, b, ..] => Err(Refusal::Bad(a.error(format!(
                "and {} are both {kind} files: give the files of one sensor and one recording",
                b.path.display()
            )))),
        }
    };
    let acc = pick("ACC")?;
    let gyr = pick("GYRO")?;
    let model = polar.iter().find_map(|f| model_from_name(&f.name));
    let (acc, gyr) = match (acc, gyr) {
        (Some(a), Some(g)) => (a, g),
        (a, g) => {
            let have = a.or(g).unwrap_or(polar[0]);
            let missing = if a.is_none() {
                "ACC (X [mg])"
            } else {
                "GYRO (X [dps])"
            };
            let why = match model {
                Some(m @ ("Polar H10" | "Polar OH1")) if g.is_none() => {
                    format!(" The {m} has no gyroscope, and gait analysis needs the angular velocity for left/right and turns.")
                }
                _ => " Give both the _ACC.txt and the _GYRO.txt file of the recording (or their folder).".into(),
            };
            return Err(Refusal::Bad(have.error(format!(
                "is a Polar Sensor Logger file, but no {missing} file of the same recording was given.{why}"
            ))));
        }
    };
    let (acc_ns, mut acc_s) = read_stream(acc, "mg", G_MPS2 / 1000.0)?;
    let (gyr_ns, mut gyr_s) = read_stream(gyr, "dps", 1.0)?;
    let origin_ns = acc_ns[0].min(gyr_ns[0]);
    acc_s.t_s = acc_ns
        .iter()
        .map(|&n| (n - origin_ns) as f64 * 1e-9)
        .collect();
    gyr_s.t_s = gyr_ns
        .iter()
        .map(|&n| (n - origin_ns) as f64 * 1e-9)
        .collect();
    let origin_local = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|e: NaiveDateTime| {
            e.checked_add_signed(chrono::Duration::nanoseconds(origin_ns))
        });
    let device = model.map(|m| {
        let id = acc.name.split('_').nth(2).unwrap_or("");
        format!("{m} {id}").trim().to_string()
    });
    Ok(Export {
        app: App::PolarSensorLogger,
        device,
        // only the Verity Sense among the app's sensors has a gyroscope
        axes: AxesRule::Mounting(Model::PolarVeritySense),
        acc: acc_s,
        gyr: gyr_s,
        clock: "sensor timestamp [ns] (Polar sensor clock, set from the phone's local time)".into(),
        origin: None,
        origin_local,
        files: vec![acc.path.clone(), gyr.path.clone()],
        notes: vec![
            "The Polar sensor clock runs in the phone's local time with no UTC offset; pass --utc-offset to give the session an absolute start time.".into(),
        ],
    })
}

/// Reads one stream: sensor ns and values scaled by `k` to SI.
fn read_stream(f: &InputFile, unit: &str, k: f64) -> Result<(Vec<i64>, Stream), Refusal> {
    let mut lines = f.lines().enumerate();
    let (_, header) = lines.next().unwrap_or((0, ""));
    let header = fields(header, ';');
    let mut ns = Vec::new();
    let mut s = Stream::new(&f.path, unit);
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, ';');
        let lineno = i + 1;
        if c.len() < 5 {
            return Err(f
                .error_at(
                    lineno,
                    format!(
                        "has {} fields separated by ';', the header {}: the file is cut or not a Polar Sensor Logger export",
                        c.len(),
                        header.len()
                    ),
                )
                .into());
        }
        let t: i64 = c[1].parse().map_err(|_| {
            f.error_at(
                lineno,
                format!(
                    "column \"{SENSOR_NS}\": \"{}\" is not a whole number of ns",
                    crate::error::quote_bytes(c[1].as_bytes())
                ),
            )
        })?;
        let mut v = [0.0; 3];
        for (a, cell) in c[2..5].iter().enumerate() {
            v[a] = k * number(cell, false).ok_or_else(|| {
                f.error_at(
                    lineno,
                    format!(
                        "column \"{}\": \"{}\" is not a number",
                        header.get(2 + a).copied().unwrap_or("?"),
                        crate::error::quote_bytes(cell.as_bytes())
                    ),
                )
            })?;
        }
        ns.push(t);
        s.xyz.push(v);
    }
    if ns.len() < 2 {
        return Err(f.error("has fewer than two samples").into());
    }
    Ok((ns, s))
}
