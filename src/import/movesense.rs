//! Movesense Showcase app CSV (Android and iOS) and Movesense JSON (DataLogger/logbook
//! download).
//!
//! Android `ImuActivity` CSV: header `Timestamp,AccX,AccY,AccZ,GyroX,GyroY,GyroZ,MagnX,MagnY,MagnZ`,
//! rows of 7 fields under it for IMU6 (10 for IMU9); `Timestamp` is the sensor's ms counter.
//! Rows are formatted in the phone's locale: with a decimal comma every value splits in two,
//! so a row of `1 + 2 × 6` (or `1 + 2 × 9`) fields is re-joined pairwise. Units: m/s² (with
//! gravity), deg/s (the Movesense API's units; the header carries none).
//!
//! Android single-resource screens: `…_LinearAccelerationTestActivity.csv` (header
//! `Timestamp (ms),X: (m/s^2),Y: (m/s^2),Z: (m/s^2)`) and `…_AngularVelocityActivity.csv`
//! (`… (degree per second)`), rows `%d,%.6f,%.6f,%.6f, ` with a trailing comma and space, units
//! from the header. The app shows one screen at a time, so the two files of one sensor are
//! read together only where their sensor-clock spans overlap.
//!
//! iOS Showcase CSV (`<start>_<serial>_<resource>_stream.csv`, header `timestamp,x,y,z`): one
//! line per sample, only the first sample of each BLE packet carries the packet's ms timestamp
//! (`T,x1,y1,z1` then `,x2,y2,z2`); the packet's samples are spread evenly up to the next
//! packet's timestamp. The resource (acceleration or angular velocity) comes from the file
//! name; units are the Movesense API's (m/s², deg/s), the file carries none. Derived from the
//! app's CSV encoder (MovesenseShowcase-iOS `encoders/CSV`), not from an observed file.
//!
//! JSON: `{"Meas":{"IMU9"|"IMU6":[{"ArrayAcc":[{x,y,z}…],"ArrayGyro":[…],"Timestamp":ms}…]}}`;
//! each entry's samples are spread evenly up to the next entry's `Timestamp` (the effective
//! rate differs from the nominal one, e.g. 106.9 Hz for 104 Hz).

use serde_json::Value;

use super::{fields, number, App, AxesRule, Export, InputFile, Refusal, Stream};
use crate::sensors::Model;

const IMU_HEADER: &str = "Timestamp,AccX,AccY,AccZ,GyroX,GyroY,GyroZ";
const SCREEN_HEADER: &str = "Timestamp (ms),X: (";
const IOS_HEADER: &str = "timestamp,x,y,z";
/// Shortest overlap of an acceleration and an angular-velocity file of one sensor, s.
const MIN_OVERLAP_S: f64 = 2.0;

/// What a Showcase single-resource file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Resource {
    Acc,
    Gyro,
    /// Magnetic field or another resource gaitkit does not use.
    Other,
}

fn is_imu_csv(f: &InputFile) -> bool {
    f.first_line().trim().starts_with(IMU_HEADER)
}

fn is_json(f: &InputFile) -> bool {
    let t = f.text.trim_start();
    t.starts_with('{') && t[..t.len().min(200)].contains("\"Meas\"")
}

/// An Android single-resource screen file, by its header's unit.
fn screen(f: &InputFile) -> Option<Resource> {
    let h = f.first_line().trim();
    if !h.starts_with(SCREEN_HEADER) {
        return None;
    }
    Some(if h.contains("(m/s^2)") {
        Resource::Acc
    } else if h.contains("(degree per second)") {
        Resource::Gyro
    } else {
        Resource::Other
    })
}

/// An iOS Showcase stream CSV, by its header and file name.
fn ios_stream(f: &InputFile) -> Option<Resource> {
    let name = f.name.to_ascii_lowercase();
    if f.first_line().trim() != IOS_HEADER || !name.ends_with("_stream.csv") {
        return None;
    }
    let resource = name.trim_end_matches("_stream.csv");
    let resource = resource.rsplit('_').next().unwrap_or("");
    Some(if resource.contains("acc") {
        Resource::Acc
    } else if resource.contains("gyro") {
        Resource::Gyro
    } else {
        Resource::Other
    })
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let whole: Vec<&InputFile> = files
        .iter()
        .filter(|f| is_imu_csv(f) || is_json(f))
        .collect();
    let pick = |which: fn(&InputFile) -> Option<Resource>, r: Resource| -> Vec<&InputFile> {
        files.iter().filter(|f| which(f) == Some(r)).collect()
    };
    let screens = (pick(screen, Resource::Acc), pick(screen, Resource::Gyro));
    let ios = (
        pick(ios_stream, Resource::Acc),
        pick(ios_stream, Resource::Gyro),
    );
    let separate = !screens.0.is_empty() || !screens.1.is_empty();
    let from_ios = !ios.0.is_empty() || !ios.1.is_empty();
    let f = match whole.as_slice() {
        [] if separate && from_ios => {
            return Err(Refusal::Bad(screens.0.iter().chain(&screens.1).next().unwrap().error(
                "is an Android Showcase file given with iOS Showcase files: import one recording at a time",
            )))
        }
        [] if separate => return read_pair(screens, read_screen, "Android"),
        [] if from_ios => return read_pair(ios, read_ios, "iOS"),
        [] => {
            let other = files
                .iter()
                .find(|f| screen(f).is_some() || ios_stream(f).is_some());
            return Err(match other {
                Some(f) => Refusal::Bad(f.error(
                    "is a Movesense Showcase file of a resource other than acceleration or angular velocity (the magnetometer?): gaitkit needs both of those",
                )),
                None => Refusal::NotThis(format!(
                    "expects a first line \"{IMU_HEADER},…\" (Showcase IMU screen), \"{SCREEN_HEADER}…\" (Showcase acceleration or angular velocity screen), \"{IOS_HEADER}\" in a …_stream.csv (iOS Showcase) or JSON with \"Meas\"; {}",
                    super::shown_first_line(files)
                )),
            });
        }
        [one] if !separate && !from_ios => *one,
        [a, rest @ ..] => {
            let b = rest
                .iter()
                .chain(&screens.0)
                .chain(&screens.1)
                .chain(&ios.0)
                .chain(&ios.1)
                .next()
                .unwrap();
            return Err(Refusal::Bad(a.error(format!(
                "and {} are both Movesense recordings: import one at a time",
                b.path.display()
            ))));
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
    Ok(export(acc, gyr, clock, vec![f.path.clone()], vec![]))
}

fn export(
    acc: Stream,
    gyr: Stream,
    clock: &str,
    files: Vec<std::path::PathBuf>,
    notes: Vec<String>,
) -> Export {
    Export {
        app: App::MovesenseShowcase,
        device: Some("Movesense".into()),
        axes: AxesRule::Mounting(Model::Movesense),
        acc,
        gyr,
        clock: clock.into(),
        origin: None,
        origin_local: None,
        files,
        notes,
    }
}

/// Reads one single-resource file: (its stamps in ms, its stream from the first stamp).
type ReadOne = fn(&InputFile, Resource) -> Result<(Vec<i64>, Stream), Refusal>;

/// One acceleration and one angular-velocity file of one sensor (Android screens or iOS
/// streams), on the sensor's ms clock from the earlier first timestamp of the two.
fn read_pair(
    (acc, gyr): (Vec<&InputFile>, Vec<&InputFile>),
    read_one: ReadOne,
    platform: &str,
) -> Result<Export, Refusal> {
    let (a, g) = match (acc.as_slice(), gyr.as_slice()) {
        ([a], [g]) => (*a, *g),
        ([a], []) => {
            return Err(Refusal::Bad(a.error(format!(
                "holds acceleration only (Movesense Showcase, {platform}); gaitkit needs angular velocity of the same sensor too: give its angular-velocity file, or record with the IMU screen"
            ))))
        }
        ([], [g]) => {
            return Err(Refusal::Bad(g.error(format!(
                "holds angular velocity only (Movesense Showcase, {platform}); gaitkit needs acceleration of the same sensor too: give its acceleration file, or record with the IMU screen"
            ))))
        }
        (many, _) if many.len() > 1 => {
            return Err(Refusal::Bad(many[0].error(format!(
                "and {} both hold acceleration: import one sensor's recording at a time",
                many[1].path.display()
            ))))
        }
        (_, many) => {
            return Err(Refusal::Bad(many[0].error(format!(
                "and {} both hold angular velocity: import one sensor's recording at a time",
                many[1].path.display()
            ))))
        }
    };
    let (acc_ms, mut acc_s) = read_one(a, Resource::Acc)?;
    let (gyr_ms, mut gyr_s) = read_one(g, Resource::Gyro)?;
    let span = |ms: &[i64]| (ms[0], ms[ms.len() - 1]);
    let ((a0, a1), (g0, g1)) = (span(&acc_ms), span(&gyr_ms));
    let overlap_s = (a1.min(g1) - a0.max(g0)) as f64 * 1e-3;
    if overlap_s < MIN_OVERLAP_S {
        return Err(Refusal::Bad(a.error(format!(
            "and {} cover different times on the sensor clock (acceleration {:.1}–{:.1} s, angular velocity {:.1}–{:.1} s, overlap {:.1} s): they are not one recording. The Showcase app records one screen at a time: record with the IMU screen, which holds both",
            g.path.display(),
            a0 as f64 * 1e-3,
            a1 as f64 * 1e-3,
            g0 as f64 * 1e-3,
            g1 as f64 * 1e-3,
            overlap_s.max(0.0)
        ))));
    }
    let t0 = a0.min(g0);
    for (ms, st) in [(&acc_ms, &mut acc_s), (&gyr_ms, &mut gyr_s)] {
        let shift = (ms[0] - t0) as f64 * 1e-3;
        for t in &mut st.t_s {
            *t += shift;
        }
    }
    let longest = (a1.max(g1) - t0) as f64 * 1e-3;
    let mut notes = Vec::new();
    if overlap_s < longest - 1.0 {
        notes.push(format!(
            "acceleration and angular velocity overlap for {overlap_s:.1} s of {longest:.1} s: only the overlap is kept"
        ));
    }
    let clock = match platform {
        "iOS" => "packet timestamp (ms, sensor clock), samples spread to the next packet",
        _ => "Timestamp (ms, sensor clock)",
    };
    Ok(export(
        acc_s,
        gyr_s,
        clock,
        vec![a.path.clone(), g.path.clone()],
        notes,
    ))
}

fn bad_number(f: &InputFile, line: usize, k: usize, v: &str) -> Refusal {
    Refusal::Bad(f.error_at(
        line,
        format!(
            "field {}: \"{}\" is not a number",
            k + 1,
            crate::error::quote_bytes(v.as_bytes())
        ),
    ))
}

fn whole_ms(f: &InputFile, line: usize, v: &str) -> Result<i64, Refusal> {
    v.trim().parse().map_err(|_| {
        Refusal::Bad(f.error_at(
            line,
            format!(
                "timestamp \"{}\" is not whole ms",
                crate::error::quote_bytes(v.as_bytes())
            ),
        ))
    })
}

/// An Android single-resource screen file: (ms of each row, the stream from its first row).
fn read_screen(f: &InputFile, r: Resource) -> Result<(Vec<i64>, Stream), Refusal> {
    let unit = if r == Resource::Acc { "m/s²" } else { "deg/s" };
    let mut st = Stream::new(&f.path, unit);
    let mut ms_all = Vec::new();
    for (i, line) in f.lines().enumerate().skip(1) {
        let row = line.trim_end().trim_end_matches(',');
        if row.trim().is_empty() {
            continue;
        }
        let c = fields(row, ',');
        let (v, comma): (Vec<String>, bool) = match c.len() {
            4 => (c.iter().map(|s| s.to_string()).collect(), false),
            7 => {
                let mut v = vec![c[0].to_string()];
                v.extend(c[1..].chunks(2).map(|p| format!("{},{}", p[0], p[1])));
                (v, true)
            }
            n => {
                return Err(Refusal::Bad(f.error_at(i + 1, format!(
                    "has {n} fields; a Movesense screen row has 4 (timestamp, x, y, z), or 7 when the phone wrote decimal commas"
                ))))
            }
        };
        let ms = whole_ms(f, i + 1, &v[0])?;
        let mut xyz = [0.0; 3];
        for k in 0..3 {
            xyz[k] =
                number(&v[k + 1], comma).ok_or_else(|| bad_number(f, i + 1, k + 1, &v[k + 1]))?;
        }
        let t0 = *ms_all.first().unwrap_or(&ms);
        ms_all.push(ms);
        st.push((ms - t0) as f64 * 1e-3, xyz);
    }
    if ms_all.len() < 2 {
        return Err(Refusal::Bad(f.error("has fewer than two samples")));
    }
    if let Some(i) = (1..ms_all.len()).find(|&i| ms_all[i] < ms_all[i - 1]) {
        return Err(Refusal::Bad(f.error(format!(
            "row {} goes back in time ({} ms after {} ms): the rows are out of order",
            i + 1,
            ms_all[i],
            ms_all[i - 1]
        ))));
    }
    st.t_s = steady_times_s(&ms_all);
    Ok((ms_all, st))
}

/// Sample times, s from the first row, of rows stamped as the Android screens stamp them:
/// `packet ms + round(i × 1000 / nominal rate)`, so inside a packet the rows follow the
/// nominal rate (104 Hz where the sensor runs at ~107 Hz) and jump at the next packet. The
/// sensor clock is steady, so each run of rows without a gap (an interval over
/// [`super::GAP_FACTOR`] × the median) gets the least-squares straight line through its
/// stamps; a gap stays a gap.
pub fn steady_times_s(ms: &[i64]) -> Vec<f64> {
    let t: Vec<f64> = ms.iter().map(|&m| (m - ms[0]) as f64 * 1e-3).collect();
    let d: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let Some(median) = crate::signal::stats::median(&d) else {
        return t;
    };
    let mut out = t.clone();
    let mut start = 0;
    for end in 1..=t.len() {
        let run_ends = end == t.len() || t[end] - t[end - 1] > super::GAP_FACTOR * median.max(1e-3);
        if !run_ends {
            continue;
        }
        let run = &t[start..end];
        if run.len() >= 3 {
            let n = run.len() as f64;
            let mean_i = (n - 1.0) / 2.0;
            let mean_t = run.iter().sum::<f64>() / n;
            let (mut sxy, mut sxx) = (0.0, 0.0);
            for (i, &x) in run.iter().enumerate() {
                let di = i as f64 - mean_i;
                sxy += di * (x - mean_t);
                sxx += di * di;
            }
            let slope = sxy / sxx;
            for (i, o) in out[start..end].iter_mut().enumerate() {
                *o = mean_t + slope * (i as f64 - mean_i);
            }
        }
        start = end;
    }
    out
}

/// An iOS Showcase stream CSV: (ms of each packet's first sample, the stream from the first
/// packet), the packets' samples spread evenly to the next packet.
fn read_ios(f: &InputFile, r: Resource) -> Result<(Vec<i64>, Stream), Refusal> {
    // packets: (ms, line of the first sample, samples)
    let mut packets: Vec<(i64, usize, Vec<[f64; 3]>)> = Vec::new();
    for (i, line) in f.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line.trim_end(), ',');
        if c.len() != 4 {
            return Err(Refusal::Bad(f.error_at(
                i + 1,
                format!(
                    "has {} fields; an iOS Showcase row has 4 (timestamp or empty, x, y, z)",
                    c.len()
                ),
            )));
        }
        let mut xyz = [0.0; 3];
        for k in 0..3 {
            xyz[k] =
                number(c[k + 1], false).ok_or_else(|| bad_number(f, i + 1, k + 1, c[k + 1]))?;
        }
        if c[0].is_empty() {
            match packets.last_mut() {
                Some(p) => p.2.push(xyz),
                None => {
                    return Err(Refusal::Bad(f.error_at(
                        i + 1,
                        "has no timestamp, and no packet with one comes before it",
                    )))
                }
            }
        } else {
            packets.push((whole_ms(f, i + 1, c[0])?, i + 1, vec![xyz]));
        }
    }
    if packets.len() < 2 {
        return Err(Refusal::Bad(f.error(
            "has fewer than two timestamped packets: no sampling rate can be read from it",
        )));
    }
    let unit = if r == Resource::Acc { "m/s²" } else { "deg/s" };
    let mut st = Stream::new(&f.path, unit);
    let t0 = packets[0].0;
    for k in 0..packets.len() {
        let (ms, line, ref samples) = packets[k];
        let span_ms = match packets.get(k + 1) {
            Some(next) => next.0 - ms,
            None => ms - packets[k - 1].0,
        };
        if span_ms <= 0 {
            return Err(Refusal::Bad(f.error_at(
                line,
                format!("timestamp {ms} ms does not follow the packet before or after it in time"),
            )));
        }
        let step_ms = span_ms as f64 / samples.len() as f64;
        for (i, v) in samples.iter().enumerate() {
            st.push(((ms - t0) as f64 + i as f64 * step_ms) * 1e-3, *v);
        }
    }
    let ms = packets.iter().map(|p| p.0).collect();
    Ok((ms, st))
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

#[cfg(test)]
mod tests {
    use super::steady_times_s;

    /// Rows of a sensor at `true_hz` stamped as the Android screens stamp them (packets of 8,
    /// rows inside at the nominal 104 Hz); (stamps ms, true times s).
    fn stamped(true_hz: f64, packets: usize, skip_packet: Option<usize>) -> (Vec<i64>, Vec<f64>) {
        let (mut ms, mut truth) = (Vec::new(), Vec::new());
        for p in 0..packets {
            if Some(p) == skip_packet {
                continue;
            }
            let first_s = 12.345 + (p * 8) as f64 / true_hz;
            let first_ms = (first_s * 1000.0).floor() as i64;
            for i in 0..8 {
                ms.push(first_ms + (i as f64 * 1000.0 / 104.0).round() as i64);
                truth.push(first_s + i as f64 / true_hz);
            }
        }
        (ms, truth)
    }

    #[test]
    fn rows_stamped_at_the_nominal_rate_get_the_sensors_steady_times() {
        let (ms, truth) = stamped(106.9, 200, None);
        let t = steady_times_s(&ms);
        let raw_err = ms
            .iter()
            .zip(&truth)
            .map(|(&m, &x)| ((m - ms[0]) as f64 * 1e-3 - (x - truth[0])).abs())
            .fold(0.0, f64::max);
        let err = t
            .iter()
            .zip(&truth)
            .map(|(a, x)| (a - (x - truth[0])).abs())
            .fold(0.0, f64::max);
        assert!(raw_err > 0.0015, "the stamps are off by {raw_err} s");
        assert!(err < 0.0006, "fitted times off by {err} s");
        let rate = (t.len() - 1) as f64 / (t[t.len() - 1] - t[0]);
        assert!((rate - 106.9).abs() < 0.01, "{rate} Hz");
    }

    #[test]
    fn a_missing_packet_stays_a_gap() {
        let (ms, truth) = stamped(104.0, 100, Some(50));
        let t = steady_times_s(&ms);
        assert_eq!(t.len(), 99 * 8);
        let k = 50 * 8;
        let gap = t[k] - t[k - 1];
        assert!((gap - 9.0 / 104.0).abs() < 0.002, "gap {gap} s");
        for (a, x) in t.iter().zip(&truth) {
            assert!((a - (x - truth[0])).abs() < 0.0015);
        }
    }
}
