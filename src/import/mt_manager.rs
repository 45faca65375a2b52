//! MT Manager text export (Xsens MTi / MTw / Awinda): `MT_<masterID>_<trial>-<seq>_<sensorID>.txt`,
//! one file per sensor.
//!
//! `// ` comment lines (among them `// Update Rate: 100.0Hz`), then a TAB-separated header
//! starting with `PacketCounter`; CRLF line endings; empty cells and `NaN` possible.
//! Acceleration `Acc_X..Z` in m/s², angular velocity `Gyr_X..Z` in rad/s (MTw user manual).
//! Sample times are the packet counter over the update rate, as OpenSim's reader does; the
//! 16-bit counter is unwrapped. Rows with an empty or `NaN` value are left out (a gap).

use super::{column, columns3, fields, App, AxesRule, Export, InputFile, Refusal, Stream};

fn header_line(f: &InputFile) -> Option<usize> {
    if !f.first_line().starts_with("//") {
        return None;
    }
    f.lines()
        .take(60)
        .position(|l| l.starts_with("PacketCounter\t"))
}

pub fn read(files: &[InputFile]) -> Result<Export, Refusal> {
    let found: Vec<(&InputFile, usize)> = files
        .iter()
        .filter_map(|f| header_line(f).map(|h| (f, h)))
        .collect();
    let (f, hl) = match found.as_slice() {
        [] => {
            return Err(Refusal::NotThis(format!(
                "expects \"// \" comment lines, then a TAB-separated header starting with \"PacketCounter\"; {}",
                super::shown_first_line(files)
            )))
        }
        [one] => *one,
        [(a, _), (b, _), ..] => {
            return Err(Refusal::Bad(a.error(format!(
                "and {} are both MT Manager files: import one sensor at a time",
                b.path.display()
            ))))
        }
    };
    let lines: Vec<&str> = f.lines().collect();
    let rate = lines[..hl].iter().find_map(|l| {
        let v = l
            .trim_start_matches('/')
            .trim()
            .strip_prefix("Update Rate:")?;
        v.trim().trim_end_matches("Hz").trim().parse::<f64>().ok()
    });
    let Some(rate_hz) = rate.filter(|r| r.is_finite() && *r > 0.0) else {
        return Err(Refusal::Bad(f.error(
            "is an MT Manager export without a \"// Update Rate: …Hz\" line: the sample times cannot be established; \
             export again with the header comments",
        )));
    };
    let header = fields(lines[hl], '\t');
    let cols = |n: [&str; 3]| {
        columns3(&header, n).map_err(|e| {
            Refusal::Bad(f.error_at(hl + 1, format!("header: {e} (export Acc and Gyr)")))
        })
    };
    let acc_cols = cols(["Acc_X", "Acc_Y", "Acc_Z"])?;
    let gyr_cols = cols(["Gyr_X", "Gyr_Y", "Gyr_Z"])?;
    let pc = column(&header, "PacketCounter").unwrap_or(0);
    let mut acc = Stream::new(&f.path, "m/s²");
    let mut gyr = Stream::new(&f.path, "rad/s");
    let (mut prev, mut count) = (None::<u16>, 0i64);
    let mut skipped = 0usize;
    for (i, line) in lines.iter().enumerate().skip(hl + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let c = fields(line, '\t');
        let p: u16 = c.get(pc).and_then(|v| v.parse().ok()).ok_or_else(|| {
            f.error_at(
                i + 1,
                format!(
                    "column \"PacketCounter\": \"{}\" is not a whole number from 0 to 65535",
                    crate::error::quote_bytes(c.get(pc).unwrap_or(&"").as_bytes())
                ),
            )
        })?;
        if let Some(q) = prev {
            count += p.wrapping_sub(q) as i64;
        }
        prev = Some(p);
        let cell = |k: usize| c.get(k).copied().unwrap_or("");
        let missing = acc_cols.iter().chain(&gyr_cols).any(|&k| {
            let v = cell(k);
            v.is_empty() || v.eq_ignore_ascii_case("nan")
        });
        if missing {
            skipped += 1;
            continue;
        }
        let a = super::values3(f, i + 1, &c, acc_cols, &header, false)?;
        let g = super::values3(f, i + 1, &c, gyr_cols, &header, false)?;
        let t = count as f64 / rate_hz;
        acc.push(t, a);
        gyr.push(t, g.map(f64::to_degrees));
    }
    let mut notes = vec![format!(
        "Sample times from PacketCounter at the file's update rate of {rate_hz} Hz."
    )];
    if skipped > 0 {
        notes.push(format!(
            "{skipped} rows with empty or NaN acceleration or angular velocity left out."
        ));
    }
    Ok(Export {
        app: App::MtManager,
        device: f
            .name
            .rsplit_once('_')
            .map(|(_, id)| format!("Xsens {}", id.trim_end_matches(".txt"))),
        axes: AxesRule::Unknown(
            "Xsens MTi/MTw has no mounting convention in gaitkit (README, \"Wearing the sensors\")"
                .into(),
        ),
        acc,
        gyr,
        clock: format!("PacketCounter / {rate_hz} Hz (the file's update rate)"),
        origin: None,
        origin_local: None,
        files: vec![f.path.clone()],
        notes,
    })
}
