//! `gaitkit scan`: lists nearby supported sensors, one line each. Bluetooth problems are
//! explained for the OS it runs on (see `sensors::platform`).

use std::time::Duration;

use anyhow::Context;

use crate::sensors::ble::Ble;

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// How long to listen for advertisements, e.g. `10s`, `500ms`, `1m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Also list devices that are not supported sensors.
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: ScanArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let found = rt.block_on(async {
        let ble = Ble::open().await?;
        ble.scan(args.timeout, &[]).await
    })?;
    let mut rows: Vec<_> = found
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| args.all || f.family.is_some())
        .collect();
    rows.sort_by_key(|f| std::cmp::Reverse(f.rssi.unwrap_or(i16::MIN)));
    if rows.is_empty() {
        eprintln!(
            "no supported sensor found in {:.0} s; wake the sensors (Polar: put it on, Movesense: tap, WitMotion: press the button) and keep them close{}",
            args.timeout.as_secs_f64(),
            if args.all { "" } else { " (--all lists every device)" }
        );
        return Ok(());
    }
    println!("{:<28} {:<17} {:>5}  model", "name", "address", "rssi");
    for f in rows {
        let rssi = f.rssi.map_or("?".to_string(), |r| r.to_string());
        let model = f.kind();
        println!(
            "{:<28} {:<17} {:>5}  {}",
            f.name.as_deref().unwrap_or("(no name)"),
            f.address,
            rssi,
            model
        );
    }
    Ok(())
}

/// Parses `30s`, `2m`, `1h`, `250ms` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a duration (examples: 30s, 2m, 500ms)"))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("\"{s}\" must be a positive duration"));
    }
    Ok(Duration::from_secs_f64(v * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("abc")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("-3s").unwrap_err().contains("positive"));
        assert!(parse_duration("0m").unwrap_err().contains("positive"));
    }
}
