//! Xsens / Movella DOT app CSV: one file per sensor, `<DeviceTag>_<yyyyMMdd>_<HHmmss>_<SSS>.csv`.
//!
//! About ten `Key:,value` metadata lines (`sep=,`, `DeviceTag:`, `OutputRate:`, `StartTime:`,
//! a `©` line; the SDK logger pads them with commas), a blank line, then the header, found as
//! the first line starting with `PacketCounter`. Acceleration `Acc_X..Z` in m/s² with gravity,
//! angular velocity `Gyr_X..Z` in deg/s. `SampleTimeFine` counts µs on the sensor clock and
//! wraps at 2³²; it is unwrapped. The sensor-fusion modes' `FreeAcc_*` is gravity-removed
//! acceleration in the earth frame, not usable as sensor acceleration: such files are refused.

use chrono::{FixedOffset, NaiveDateTime, TimeZone};

use super::{column, columns3, fields, App, AxesRule, Export, InputFile, Refusal, Stream};

/// Line index of the `PacketCounter` header of a DOT file, if it is one.
fn header_line(f: &InputFile) -> Option<usize> {
    let mut lines = f.lines();
    let first = lines.next()?.trim();
    if !(first.starts_with("sep=,") || first.starts_with("DeviceTag:")) {
        return None;
    }
    f.lines()
        .take(40)
        .position(|l| l.starts_with("PacketCounter,"))
}

/// `StartTime` (`2021-08-20_20:21:13_829 GMT+8`, or the SDK's `2021-08-20 20:21:13.829 +0800`):
/// with its offset when it has a numeric one, else as local time.
fn start_time(value: &str) -> (Option<chrono::DateTime<FixedOffset>>, Option<NaiveDateTime>) {
    let v = value.trim();
    let (dt, zone) = match v.rsplit_once(' ') {
        Some((d, z))
            if !z.contains(':')
                || z.starts_with('+')
                || z.starts_with('-')
                || z.starts_with("GMT") =>
        {
            (d, z)
        }
        _ => (v, ""),
    };
    let local = NaiveDateTime::parse_from_str(dt, "%Y-%m-%d_%H:%M:%S_%3f")
        .or_else(|_| NaiveDateTime::parse_from_str(dt, "%Y-%m-%d %H:%M:%S%.3f"))
        .ok();
    let offset = parse_zone(zone);
    match (local, offset) {
        (Some(l), Some(o)) => (o.from_local_datetime(&l).single(), Some(l)),
        (l, _) => (None, l),
    }
}

/// `GMT+8`, `GMT-05:30`, `+0800`, `UTC`: the offset; names such as `WEST` give `None`.
fn parse_zone(z: &str) -> Option<FixedOffset> {
    let z = z.trim();
    if z == "GMT" || z == "UTC" || z == "Z" {
        return FixedOffset::east_opt(0);
    }
    let rest = z
        .strip_prefix("GMT")
        .or_else(|| z.strip_prefix("UTC"))
        .unwrap_or(z);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        None => (digits.parse().ok()?, 0),
    };
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let dots: Vec<(&InputFile, usize)> = files
        .iter()
        .filter_map(|f| header_line(f).map(|h| (f, h)))
        .collect();
    let (f, hl) = match dots.as_slice() {
        [] => {
            return Err(Refusal::NotThis(format!(
                "expects a first line \"sep=,\" or \"DeviceTag:,…\" and a \"PacketCounter,SampleTimeFine,…\" header; {}",
                super::shown_first_line(files)
            )))
        }
        [one] => *one,
        [(a, _), (b, _), ..] => {
            return Err(Refusal::Bad(a.error(format!(
                "and {} are both Xsens DOT files: import one sensor at a time (each file is one sensor)",
                b.path.display()
            ))))
        }
    };
    let mut tag = None;
    let mut start = (None, None);
    for line in f.lines().take(hl) {
        let c = fields(line, ',');
        match c.first().map(|k| k.trim_end_matches(':').trim()) {
            Some("DeviceTag") => tag = c.get(1).map(|s| s.to_string()),
            Some("StartTime") => start = start_time(c.get(1).unwrap_or(&"")),
            _ => {}
        }
    }
    let lines: Vec<&str> = f.lines().collect();
    let header = fields(lines[hl], ',');
    let acc_cols = columns3(&header, ["Acc_X", "Acc_Y", "Acc_Z"]);
    let gyr_cols = columns3(&header, ["Gyr_X", "Gyr_Y", "Gyr_Z"]);
    let (acc_cols, gyr_cols) = match (acc_cols, gyr_cols) {
        (Ok(a), Ok(g)) => (a, g),
        (a, _) => {
            let why = if a.is_err() && column(&header, "FreeAcc_X").is_some() {
                "has FreeAcc_X/Y/Z (gravity-removed acceleration in the earth frame, from a sensor-fusion mode) \
                 but no Acc_X/Y/Z: record or export with a measurement mode that includes Acc and Gyr \
                 (e.g. rate quantities or custom mode 5)"
                    .to_string()
            } else if column(&header, "dv[1]").is_some() {
                "has delta quantities (dq, dv) instead of Acc_X/Y/Z and Gyr_X/Y/Z: export rate quantities".into()
            } else {
                "needs the columns Acc_X, Acc_Y, Acc_Z, Gyr_X, Gyr_Y, Gyr_Z: export rate quantities"
                    .into()
            };
            return Err(Refusal::Bad(f.error_at(hl + 1, format!("header {why}"))));
        }
    };
    let tc = column(&header, "SampleTimeFine").ok_or_else(|| {
        Refusal::Bad(f.error_at(
            hl + 1,
            "header has no SampleTimeFine column: the sample times cannot be established",
        ))
    })?;
    let mut acc = Stream::new(&f.path, "m/s²");
    let mut gyr = Stream::new(&f.path, "deg/s");
    let (mut prev, mut elapsed_us) = (None::<u32>, 0i64);
    for (i, line) in lines.iter().enumerate().skip(hl + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, ',');
        let fine: u32 = c.get(tc).and_then(|v| v.parse().ok()).ok_or_else(|| {
            f.error_at(
                i + 1,
                format!(
                "column \"SampleTimeFine\": \"{}\" is not a whole number of µs (0 to 4294967295)",
                crate::error::quote_bytes(c.get(tc).unwrap_or(&"").as_bytes())
            ),
            )
        })?;
        if let Some(p) = prev {
            // µs counter wrapping at 2³²
            elapsed_us += fine.wrapping_sub(p) as i64;
        }
        prev = Some(fine);
        let a = super::values3(f, i + 1, &c, acc_cols, &header, false)?;
        let g = super::values3(f, i + 1, &c, gyr_cols, &header, false)?;
        let t = elapsed_us as f64 * 1e-6;
        acc.push(t, a);
        gyr.push(t, g);
    }
    let mut notes = Vec::new();
    if start.0.is_none() && start.1.is_some() {
        notes.push(
            "StartTime has no numeric UTC offset: kept as local time (see --utc-offset).".into(),
        );
    }
    Ok(Export {
        app: App::XsensDot,
        device: Some(
            format!("Xsens DOT {}", tag.unwrap_or_default())
                .trim()
                .to_string(),
        ),
        axes: AxesRule::Unknown(
            "Xsens DOT has no mounting convention in gaitkit (README, \"Wearing the sensors\")"
                .into(),
        ),
        acc,
        gyr,
        clock: "SampleTimeFine (µs on the sensor clock, unwrapped at 2³²)".into(),
        origin: start.0,
        origin_local: start.1,
        files: vec![f.path.clone()],
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times_and_zones_of_app_and_sdk_files() {
        let (utc, local) = start_time("2021-08-20_20:21:13_829 GMT+8");
        assert_eq!(utc.unwrap().to_rfc3339(), "2021-08-20T20:21:13.829+08:00");
        assert!(local.is_some());
        let (utc, local) = start_time("2025-07-11_20:06:00_086 WEST");
        assert!(utc.is_none());
        assert_eq!(local.unwrap().to_string(), "2025-07-11 20:06:00.086");
        let (utc, _) = start_time("2021-08-20 20:21:13.829 -0530");
        assert_eq!(utc.unwrap().to_rfc3339(), "2021-08-20T20:21:13.829-05:30");
    }
}
