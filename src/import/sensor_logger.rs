//! Sensor Logger (Android and iOS): one CSV per sensor in the unpacked export, header
//! `time,seconds_elapsed,z,y,x` (the order varies: columns are found by name), `time` in ns
//! since 1970 UTC on the sensor clock, and a `Metadata.csv` with `platform` and, from app 1.64,
//! `standardisation`.
//!
//! Acceleration with gravity: on Android `TotalAcceleration.csv` (m/s²), else
//! `AccelerometerUncalibrated.csv` (m/s²), else `Accelerometer.csv` (gravity removed) plus
//! `Gravity.csv`. On iOS only `Accelerometer.csv` (user acceleration) is logged, so it is added
//! to `Gravity.csv`; unless "Standardise Units & Frames" was on, iOS acceleration has the
//! opposite sign of Android's on all three axes (and `AccelerometerUncalibrated.csv` is in g),
//! and is converted to the Android convention. Angular velocity: `Gyroscope.csv` in rad/s
//! (else `GyroscopeUncalibrated.csv`), the same sign on both platforms.

use super::{
    add_streams, column, fields, App, AxesRule, Export, InputFile, Refusal, Stream, G_MPS2,
};

fn is_sensor_file(f: &InputFile) -> bool {
    let h = fields(f.first_line(), ',');
    column(&h, "time").is_some()
        && column(&h, "seconds_elapsed").is_some()
        && ["x", "y", "z"].iter().all(|c| column(&h, c).is_some())
}

/// Sensor name of a file (`TotalAcceleration.csv` → `TotalAcceleration`).
fn sensor_name(f: &InputFile) -> &str {
    f.name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&f.name)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Platform {
    Android,
    Ios,
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let sensors: Vec<&InputFile> = files.iter().filter(|f| is_sensor_file(f)).collect();
    if sensors.is_empty() {
        return Err(Refusal::NotThis(format!(
            "expects CSV files with the columns time,seconds_elapsed,x,y,z (in any order); {}",
            super::shown_first_line(files)
        )));
    }
    let find = |name: &str| sensors.iter().copied().find(|f| sensor_name(f) == name);
    let meta = files.iter().find(|f| {
        fields(f.first_line(), ',').first() == Some(&"version") && sensor_name(f) == "Metadata"
    });
    let (platform, standardised, device) = match meta {
        Some(m) => read_metadata(m)?,
        None => (None, false, None),
    };
    let mut notes = Vec::new();
    let platform = match platform {
        Some(p) => p,
        // only Android writes TotalAcceleration.csv
        None if find("TotalAcceleration").is_some() => {
            notes.push("No Metadata.csv: Android assumed because TotalAcceleration.csv is only written on Android.".into());
            Platform::Android
        }
        None => {
            return Err(Refusal::Bad(sensors[0].error(
                "is a Sensor Logger file, but the export has no Metadata.csv to tell iOS from Android, \
                 whose acceleration signs differ: include Metadata.csv from the same export",
            )))
        }
    };
    let flip = platform == Platform::Ios && !standardised;
    let sign = if flip { -1.0 } else { 1.0 };
    // (files, unit, scale) of the acceleration source
    let (acc_files, acc_unit, acc_k): (Vec<&InputFile>, &str, f64) = if let (
        Platform::Android,
        Some(f),
    ) =
        (platform, find("TotalAcceleration"))
    {
        (vec![f], "m/s²", 1.0)
    } else if let (Some(a), Some(g)) = (find("Accelerometer"), find("Gravity")) {
        let unit = if flip {
            "m/s² (Accelerometer + Gravity, iOS signs)"
        } else {
            "m/s² (Accelerometer + Gravity)"
        };
        (vec![a, g], unit, sign)
    } else if let Some(f) = find("AccelerometerUncalibrated") {
        match (platform, standardised) {
            (Platform::Ios, false) => (vec![f], "g (iOS signs)", -G_MPS2),
            _ => (vec![f], "m/s²", 1.0),
        }
    } else {
        let names: Vec<&str> = sensors.iter().map(|f| f.name.as_str()).collect();
        return Err(Refusal::Bad(sensors[0].error(format!(
                "is a Sensor Logger export without acceleration including gravity: it needs TotalAcceleration.csv, \
                 Accelerometer.csv with Gravity.csv, or AccelerometerUncalibrated.csv (found: {}). Enable those sensors in the app",
                names.join(", ")
            ))));
    };
    let Some(gf) = find("Gyroscope").or_else(|| find("GyroscopeUncalibrated")) else {
        return Err(Refusal::Bad(acc_files[0].error(
            "is a Sensor Logger file, but the export has no Gyroscope.csv: enable the gyroscope in the app",
        )));
    };
    let mut raw = Vec::new();
    for f in &acc_files {
        raw.push(read_stream(f, acc_unit, acc_k)?);
    }
    raw.push(read_stream(gf, "rad/s", 1.0f64.to_degrees())?);
    let origin_ns = raw
        .iter()
        .filter_map(|(ns, _)| ns.first().copied())
        .min()
        .unwrap_or(0);
    let mut streams: Vec<Stream> = raw
        .into_iter()
        .map(|(ns, mut st)| {
            st.t_s = ns
                .iter()
                .map(|&n| n.saturating_sub(origin_ns) as f64 * 1e-9)
                .collect();
            st
        })
        .collect();
    let gyr = streams.pop().expect("gyro stream pushed last");
    let acc = match streams.as_mut_slice() {
        [lin, grav] => {
            // the app's first linear-acceleration row is all zeros, not a measurement
            if lin.xyz.first() == Some(&[0.0; 3]) {
                lin.t_s.remove(0);
                lin.xyz.remove(0);
            }
            add_streams(lin, grav, acc_unit)
        }
        _ => streams.pop().expect("one acceleration stream"),
    };
    if flip {
        notes.push("iOS recording without \"Standardise Units & Frames\": acceleration signs inverted to the Android convention.".into());
    }
    let mut used: Vec<_> = acc_files.iter().map(|f| f.path.clone()).collect();
    used.push(gf.path.clone());
    used.extend(meta.map(|m| m.path.clone()));
    Ok(Export {
        app: App::SensorLogger,
        device: Some(
            match platform {
                Platform::Android => format!("Android phone {}", device.unwrap_or_default()),
                Platform::Ios => format!("iPhone {}", device.unwrap_or_default()),
            }
            .trim()
            .to_string(),
        ),
        axes: AxesRule::Phone,
        acc,
        gyr,
        clock: "time [ns since 1970, UTC] (sensor event timestamps)".into(),
        origin: super::utc_from_unix_ns(origin_ns),
        origin_local: None,
        files: used,
        notes,
    })
}

fn read_metadata(m: &InputFile) -> Result<(Option<Platform>, bool, Option<String>), Refusal> {
    let mut lines = m.lines();
    let h = fields(lines.next().unwrap_or(""), ',');
    let row_text = lines.find(|l| !l.trim().is_empty()).unwrap_or("");
    let row = fields(row_text, ',');
    let get = |name: &str| column(&h, name).and_then(|i| row.get(i).copied());
    let platform = match get("platform").map(|p| p.to_ascii_lowercase()) {
        Some(p) if p == "android" => Some(Platform::Android),
        Some(p) if p == "ios" => Some(Platform::Ios),
        Some(p) => {
            return Err(Refusal::Bad(m.error_at(
                2,
                format!("column \"platform\": \"{p}\" is neither ios nor android"),
            )))
        }
        None => None,
    };
    let standardised = get("standardisation")
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"))
        .unwrap_or(false);
    Ok((
        platform,
        standardised,
        get("device name").map(str::to_string),
    ))
}

/// One sensor file: `time` (ns since 1970) and x/y/z by name, scaled by `k`.
fn read_stream(f: &InputFile, unit: &str, k: f64) -> Result<(Vec<i64>, Stream), Refusal> {
    let mut lines = f.lines().enumerate();
    let header = fields(lines.next().map(|(_, l)| l).unwrap_or(""), ',');
    let tc = column(&header, "time").unwrap_or(0);
    let cols = super::columns3(&header, ["x", "y", "z"]).map_err(|e| f.error_at(1, e))?;
    let mut s = Stream::new(&f.path, unit);
    let mut times = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, ',');
        let ns: i64 = c.get(tc).and_then(|v| v.parse().ok()).ok_or_else(|| {
            f.error_at(
                i + 1,
                format!(
                    "column \"time\": \"{}\" is not a whole number of ns",
                    crate::error::quote_bytes(c.get(tc).unwrap_or(&"").as_bytes())
                ),
            )
        })?;
        let v = super::values3(f, i + 1, &c, cols, &header, false)?;
        times.push(ns);
        s.xyz.push([k * v[0], k * v[1], k * v[2]]);
    }
    Ok((times, s))
}
