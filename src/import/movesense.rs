//! Movesense Showcase app (Android) IMU CSV and Movesense JSON (DataLogger/logbook download).
//!
//! Android `ImuActivity` CSV: header `Timestamp,AccX,AccY,AccZ,GyroX,GyroY,GyroZ,MagnX,MagnY,MagnZ`,
//! rows of 7 fields under it for IMU6 (10 for IMU9); `Timestamp` is the sensor's ms counter.
//! Rows are formatted in the phone's locale: with a decimal comma every value splits in two,
//! so a row of `1 + 2 × 6` (or `1 + 2 × 9`) fields is re-joined pairwise. Units: m/s² (with
//! gravity), deg/s (the Movesense API's units; the header carries none).
//!
//! JSON: `{"Meas":{"IMU9"|"IMU6":[{"ArrayAcc":[{x,y,z}…],"ArrayGyro":[…],"Timestamp":ms}…]}}`;
//! each entry's samples are spread evenly up to the next entry's `Timestamp` (the effective
//! rate differs from the nominal one, e.g. 106.9 Hz for 104 Hz).

use serde_json::Value;

use super::{fields, number, App, AxesRule, Export, InputFile, Refusal, Stream};
use crate::sensors::Model;

const IMU_HEADER: &str = "Timestamp,AccX,AccY,AccZ,GyroX,GyroY,GyroZ";

fn is_imu_csv(f: &InputFile) -> bool {
    f.first_line().trim().starts_with(IMU_HEADER)
}

fn is_json(f: &InputFile) -> bool {
    let t = f.text.trim_start();
    t.starts_with('{') && t[..t.len().min(200)].contains("\"Meas\"")
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let found: Vec<&InputFile> = files
        .iter()
        .filter(|f| is_imu_csv(f) || is_json(f))
        .collect();
    let f = match found.as_slice() {
        [] => {
            return Err(Refusal::NotThis(format!(
                "expects a first line \"{IMU_HEADER},…\" (Showcase IMU screen) or JSON with \"Meas\"; {}",
                super::shown_first_line(files)
            )))
        }
        [one] => *one,
        [a, b, ..] => {
            return Err(Refusal::Bad(a.error(format!(
                "and {} are both Movesense IMU recordings: import one at a time",
                b.path.display()
            ))))
        }
    };
    let (acc, gyr, clock) = if is_json(f) {
        let (a, g) = read_json(f)?;
        (
            a,
            g,
            "Timestamp (ms, sensor clock), samples spread to the next entry",
        )
    } else {
        let (a, g) = read_csv(f)?;
        (a, g, "Timestamp (ms, sensor clock)")
    };
    Ok(Export {
        app: App::MovesenseShowcase,
        device: Some("Movesense".into()),
        axes: AxesRule::Mounting(Model::Movesense),
        acc,
        gyr,
        clock: clock.into(),
        origin: None,
        origin_local: None,
        files: vec![f.path.clone()],
        notes: vec![],
    })
}

fn read_csv(f: &InputFile) -> Result<(Stream, Stream), Refusal> {
    let mut acc = Stream::new(&f.path, "m/s²");
    let mut gyr = Stream::new(&f.path, "deg/s");
    let mut t0 = None;
    for (i, line) in f.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line.trim_end().trim_end_matches(','), ',');
        let (joined, comma): (Vec<String>, bool) = match c.len() {
            7 | 10 => (c.iter().map(|s| s.to_string()).collect(), false),
            13 | 19 => {
                let mut v = vec![c[0].to_string()];
                v.extend(c[1..].chunks(2).map(|p| format!("{},{}", p[0], p[1])));
                (v, true)
            }
            n => {
                return Err(Refusal::Bad(f.error_at(i + 1, format!(
                    "has {n} fields; a Movesense IMU row has 7 (IMU6) or 10 (IMU9), or 13/19 when the phone wrote decimal commas"
                ))))
            }
        };
        let ms: i64 = joined[0].parse().map_err(|_| {
            f.error_at(
                i + 1,
                format!(
                    "column \"Timestamp\": \"{}\" is not whole ms",
                    crate::error::quote_bytes(joined[0].as_bytes())
                ),
            )
        })?;
        let num = |k: usize| -> Result<f64, Refusal> {
            number(&joined[k], comma).ok_or_else(|| {
                Refusal::Bad(f.error_at(
                    i + 1,
                    format!(
                        "field {}: \"{}\" is not a number",
                        k + 1,
                        crate::error::quote_bytes(joined[k].as_bytes())
                    ),
                ))
            })
        };
        let t = (ms - *t0.get_or_insert(ms)) as f64 * 1e-3;
        acc.push(t, [num(1)?, num(2)?, num(3)?]);
        gyr.push(t, [num(4)?, num(5)?, num(6)?]);
    }
    Ok((acc, gyr))
}

fn read_json(f: &InputFile) -> Result<(Stream, Stream), Refusal> {
    let v: Value = serde_json::from_str(&f.text)
        .map_err(|e| Refusal::Bad(f.error_at(e.line(), format!("is not valid JSON: {e}"))))?;
    let meas = &v["Meas"];
    let entries = meas["IMU9"]
        .as_array()
        .or_else(|| meas["IMU6"].as_array())
        .ok_or_else(|| Refusal::Bad(f.error("has no \"Meas\": {\"IMU9\" or \"IMU6\": [...]} array (acceleration and angular velocity)")))?;
    let mut acc = Stream::new(&f.path, "m/s²");
    let mut gyr = Stream::new(&f.path, "deg/s");
    let stamp = |k: usize| entries.get(k).and_then(|e| e["Timestamp"].as_i64());
    let xyz = |o: &Value| -> Option<[f64; 3]> {
        Some([o["x"].as_f64()?, o["y"].as_f64()?, o["z"].as_f64()?])
    };
    let t0 = stamp(0).unwrap_or(0);
    for (k, e) in entries.iter().enumerate() {
        let bad = |what: &str| Refusal::Bad(f.error(format!("Meas entry {k}: {what}")));
        let ts = stamp(k).ok_or_else(|| bad("no whole-ms \"Timestamp\""))?;
        let a = e["ArrayAcc"]
            .as_array()
            .ok_or_else(|| bad("no \"ArrayAcc\""))?;
        let g = e["ArrayGyro"]
            .as_array()
            .ok_or_else(|| bad("no \"ArrayGyro\""))?;
        if a.len() != g.len() || a.is_empty() {
            return Err(bad(
                "\"ArrayAcc\" and \"ArrayGyro\" hold different numbers of samples",
            ));
        }
        let step_ms = match (stamp(k + 1), k.checked_sub(1).and_then(stamp)) {
            (Some(next), _) => (next - ts) as f64 / a.len() as f64,
            (None, Some(prev)) => (ts - prev) as f64 / a.len() as f64,
            (None, None) => return Err(bad("a single entry gives no sampling rate")),
        };
        for (i, (a, g)) in a.iter().zip(g).enumerate() {
            let t = ((ts - t0) as f64 + i as f64 * step_ms) * 1e-3;
            acc.push(
                t,
                xyz(a).ok_or_else(|| bad("an acceleration sample without numeric x, y, z"))?,
            );
            gyr.push(
                t,
                xyz(g).ok_or_else(|| bad("an angular-velocity sample without numeric x, y, z"))?,
            );
        }
    }
    Ok((acc, gyr))
}
