//! The bring-up check of a new sensor (`gaitkit doctor`): Bluetooth adapter state, the
//! sensor's GATT table as discovered, its model and firmware, the MTU, every start command with
//! its reply, then some seconds of streaming with the measured rate per stream, the gravity
//! magnitude and the gyroscope noise at rest, and a one-line verdict per stream.
//!
//! The raw notifications (hex, with arrival times) can be saved so a problem met in a clinic
//! becomes a test vector: [`read_capture`] reads them back and [`analyse`] replays them
//! through the same decoder.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use btleplug::api::Peripheral as _;
use futures::StreamExt;
use uuid::Uuid;

use super::ble::{self, Ble, Captured, Found, Link, ServiceInfo};
use super::control::{hex, ExchangeRecord};
use super::identify::Identity;
use super::platform::current_os;
use super::recorder::SETTLE_S;
use super::{DecodeError, Model, Quantity, Reading, G_MPS2};
use crate::error::{Error, Location, Result};
use crate::recording::Placement;

/// How long the check streams by default.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Measured rate within this fraction of the configured one is fine.
const RATE_TOLERANCE: f64 = 0.10;
/// |a| at rest within 1 g ± this is plausible.
const GRAVITY_TOLERANCE_G: f64 = 0.10;
/// Standard deviation of |a| above this means the sensor moved during the check, g.
const STILL_ACC_STD_G: f64 = 0.03;
/// Gyroscope noise (RMS about the mean) above this at rest is high, deg/s.
const GYRO_NOISE_DPS: f64 = 1.0;
/// Gyroscope bias above this at rest points to a faulty sensor, deg/s.
const GYRO_BIAS_DPS: f64 = 5.0;

#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// Sensors to check: placement and name, name prefix or address. None: list nearby ones.
    pub sensors: Vec<(Placement, String)>,
    pub duration: Duration,
    pub scan_timeout: Duration,
}

/// One notification as captured: seconds since the start commands were done (negative while
/// they ran), characteristic, bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub arrival_s: f64,
    pub characteristic: Uuid,
    pub data: Vec<u8>,
}

/// What the notifications decoded to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodeSummary {
    pub notifications: u64,
    /// Per characteristic, in first-seen order.
    pub per_characteristic: Vec<(Uuid, u64)>,
    pub unsupported: Vec<(String, u64)>,
    pub malformed: u64,
    pub last_malformed: Option<String>,
    /// Device notices (e.g. a measurement the sensor stopped on its own).
    pub notices: Vec<String>,
    /// Notifications of arrival-time sensors skipped while the rate change took effect.
    pub settling: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

/// Measurements and verdict of one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamCheck {
    pub quantity: Quantity,
    pub samples: usize,
    pub expected_hz: f64,
    /// Rate from the device timestamps (sensors that send them).
    pub rate_device_hz: Option<f64>,
    /// Rate from the arrival times of the notifications.
    pub rate_arrival_hz: Option<f64>,
    /// Mean |a|, g (accelerometer).
    pub gravity_g: Option<f64>,
    /// Standard deviation of |a|, g (accelerometer): how still the sensor was.
    pub gravity_std_g: Option<f64>,
    /// RMS about the mean over the three axes, deg/s (gyroscope).
    pub noise_dps: Option<f64>,
    /// Mean per axis, deg/s (gyroscope).
    pub bias_dps: Option<[f64; 3]>,
    pub level: Level,
    pub verdict: String,
}

/// The check of one sensor.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorCheck {
    pub placement: Placement,
    pub target: String,
    pub found: Option<Found>,
    /// What stopped the check early (not found, not identified, start failed).
    pub error: Option<String>,
    pub identity: Option<Identity>,
    /// ATT MTU as the platform reports it through btleplug.
    pub mtu: Option<u16>,
    pub gatt: Vec<ServiceInfo>,
    pub exchanges: Vec<ExchangeRecord>,
    pub not_started: Vec<(Quantity, String)>,
    pub captures: Vec<Capture>,
    pub streamed_s: f64,
    pub summary: DecodeSummary,
    pub streams: Vec<StreamCheck>,
}

impl SensorCheck {
    fn new(placement: Placement, target: &str) -> Self {
        SensorCheck {
            placement,
            target: target.to_string(),
            found: None,
            error: None,
            identity: None,
            mtu: None,
            gatt: Vec::new(),
            exchanges: Vec::new(),
            not_started: Vec::new(),
            captures: Vec::new(),
            streamed_s: 0.0,
            summary: DecodeSummary::default(),
            streams: Vec::new(),
        }
    }

    /// The worst verdict of this sensor.
    pub fn level(&self) -> Level {
        if self.error.is_some() {
            return Level::Fail;
        }
        self.streams
            .iter()
            .map(|s| s.level)
            .max()
            .unwrap_or(Level::Fail)
    }
}

/// The adapter as the platform describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterReport {
    pub info: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DoctorReport {
    pub os: &'static str,
    /// The adapter, or why Bluetooth cannot be used (with what to do on this OS).
    pub bluetooth: std::result::Result<AdapterReport, String>,
    /// Supported sensors nearby (when no sensor was named).
    pub nearby: Vec<Found>,
    pub scan_error: Option<String>,
    pub sensors: Vec<SensorCheck>,
}

impl DoctorReport {
    /// Fail if Bluetooth is unusable or any stream failed; Warn if any warned.
    pub fn level(&self) -> Level {
        if self.bluetooth.is_err() || self.scan_error.is_some() {
            return Level::Fail;
        }
        self.sensors
            .iter()
            .map(SensorCheck::level)
            .max()
            .unwrap_or(Level::Ok)
    }

    /// Writes `report.txt` and one `<placement>.notifications.csv` per sensor into `dir`
    /// (created if needed); existing files are never overwritten. Returns the files written.
    pub fn save(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut files = vec![(dir.join("report.txt"), self.to_string())];
        for s in &self.sensors {
            files.push((
                dir.join(format!("{}.notifications.csv", s.placement.as_str())),
                capture_file(s),
            ));
        }
        if let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
            return Err(Error::Unsupported(format!(
                "{} already exists; choose a new folder for --save so nothing is overwritten",
                p.display()
            )));
        }
        for (p, text) in &files {
            std::fs::write(p, text).map_err(|e| Error::io(p, e))?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// The saved notifications of one sensor: `#` header lines (sensor, model, how it was
/// identified, firmware), then `arrival_s,characteristic,hex`.
pub fn capture_file(s: &SensorCheck) -> String {
    let mut out = String::new();
    let who = s.found.as_ref().map_or(s.target.clone(), |f| f.label());
    out.push_str(&format!(
        "# gaitkit doctor capture: {} {who}\n",
        s.placement
    ));
    if let Some(id) = &s.identity {
        out.push_str(&format!("# model: {}\n", id.model.name()));
        out.push_str(&format!("# identified from: {}\n", id.basis));
        if let Some(fw) = &id.info.firmware_revision {
            out.push_str(&format!("# firmware: {fw}\n"));
        }
    }
    out.push_str(
        "# arrival_s: seconds since the start commands were done (negative: while they ran)\n",
    );
    out.push_str("arrival_s,characteristic,hex\n");
    for c in &s.captures {
        out.push_str(&format!(
            "{:.6},{},{}\n",
            c.arrival_s,
            c.characteristic,
            hex(&c.data)
        ));
    }
    out
}

/// Reads a capture written by [`DoctorReport::save`]: the model named in its header (if any)
/// and the notifications.
pub fn read_capture(path: &Path) -> Result<(Option<Model>, Vec<Capture>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut model = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if let Some(h) = line.strip_prefix('#') {
            if let Some(name) = h.trim().strip_prefix("model:") {
                model = Model::ALL.into_iter().find(|m| m.name() == name.trim());
            }
            continue;
        }
        if line.trim().is_empty() || line.starts_with("arrival_s") {
            continue;
        }
        let bad = |what: &str| Error::input(Location::line(path, n), what.to_string());
        let mut f = line.splitn(3, ',');
        let (Some(t), Some(c), Some(h)) = (f.next(), f.next(), f.next()) else {
            return Err(bad(
                "expected arrival_s,characteristic,hex (3 fields); is this a gaitkit doctor capture?",
            ));
        };
        let arrival_s: f64 = t
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad(&format!("arrival_s \"{t}\" is not a number")))?;
        let characteristic = Uuid::parse_str(c.trim())
            .map_err(|_| bad(&format!("\"{c}\" is not a characteristic UUID")))?;
        let data = h
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16))
            .collect::<std::result::Result<Vec<u8>, _>>()
            .map_err(|_| bad(&format!("\"{h}\" is not hex bytes like \"F0 02 09\"")))?;
        out.push(Capture {
            arrival_s,
            characteristic,
            data,
        });
    }
    Ok((model, out))
}

/// Decodes `captures` with `model`'s decoder and measures each stream. `not_started` holds the
/// streams the device refused to start (from the start sequence), with the reason.
pub fn analyse(
    model: Model,
    captures: &[Capture],
    not_started: &[(Quantity, String)],
) -> (DecodeSummary, Vec<StreamCheck>) {
    let mut decoder = model.decoder();
    let mut summary = DecodeSummary::default();
    let mut readings: Vec<(f64, Reading)> = Vec::new();
    let mut out = Vec::new();
    let settle = !model.has_device_clock();
    for c in captures {
        summary.notifications += 1;
        match summary
            .per_characteristic
            .iter_mut()
            .find(|(u, _)| *u == c.characteristic)
        {
            Some((_, n)) => *n += 1,
            None => summary.per_characteristic.push((c.characteristic, 1)),
        }
        if settle && (0.0..SETTLE_S).contains(&c.arrival_s) {
            summary.settling += 1;
            continue;
        }
        out.clear();
        if let Err(e) = decoder.decode_into(c.characteristic, &c.data, &mut out) {
            note_error(&mut summary, e);
        }
        readings.extend(out.iter().map(|r| (c.arrival_s, *r)));
    }
    out.clear();
    if let Err(e) = decoder.finish(&mut out) {
        note_error(&mut summary, e);
    }
    let end = captures.last().map_or(0.0, |c| c.arrival_s);
    readings.extend(out.iter().map(|r| (end, *r)));
    let mut streams = vec![stream_check_acc(model, &readings, not_started, &summary)];
    if model.has_gyroscope() {
        let still = streams[0].gravity_std_g.map(|s| s <= STILL_ACC_STD_G);
        streams.push(stream_check_gyro(
            model,
            &readings,
            not_started,
            &summary,
            still,
        ));
    }
    (summary, streams)
}

fn note_error(summary: &mut DecodeSummary, e: DecodeError) {
    match e {
        DecodeError::Unsupported { kind } => {
            match summary.unsupported.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => summary.unsupported.push((kind, 1)),
            }
        }
        DecodeError::MeasurementStopped { .. } => summary.notices.push(e.to_string()),
        e => {
            summary.malformed += 1;
            summary.last_malformed = Some(e.to_string());
        }
    }
}

/// Mean and population standard deviation.
fn mean_std(v: impl Iterator<Item = f64> + Clone) -> Option<(f64, f64)> {
    let n = v.clone().count();
    if n == 0 {
        return None;
    }
    let mean = v.clone().sum::<f64>() / n as f64;
    let var = v.map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    Some((mean, var.sqrt()))
}

/// (samples, device rate, arrival rate) of one stream.
fn rates(readings: &[(f64, Reading)]) -> (usize, Option<f64>, Option<f64>) {
    let n = readings.len();
    let device = match (
        readings.first().and_then(|r| r.1.device_time_s),
        readings.last().and_then(|r| r.1.device_time_s),
    ) {
        (Some(a), Some(b)) if b > a && n > 1 => Some((n - 1) as f64 / (b - a)),
        _ => None,
    };
    // readings after the first notification over the time the notifications spanned
    let arrival = match (readings.first(), readings.last()) {
        (Some(&(a, _)), Some(&(b, _))) if b > a => {
            let first_batch = readings.iter().take_while(|r| r.0 == a).count();
            Some((n - first_batch) as f64 / (b - a))
        }
        _ => None,
    };
    (n, device, arrival)
}

fn no_data_reason(
    q: Quantity,
    not_started: &[(Quantity, String)],
    summary: &DecodeSummary,
) -> String {
    if let Some((_, why)) = not_started.iter().find(|(s, _)| *s == q) {
        return format!("not started: {why}");
    }
    let mut parts = vec![format!("{} notifications", summary.notifications)];
    for (k, n) in &summary.unsupported {
        parts.push(format!("{n} × unsupported {k}"));
    }
    if summary.malformed > 0 {
        parts.push(format!("{} malformed", summary.malformed));
    }
    format!("no data ({})", parts.join(", "))
}

fn rate_problem(expected: f64, device: Option<f64>, arrival: Option<f64>) -> Option<String> {
    let measured = device.or(arrival)?;
    let off = (measured - expected).abs() / expected;
    (off > RATE_TOLERANCE).then(|| format!("rate {measured:.1} Hz, {expected:.0} Hz configured"))
}

fn rate_text(device: Option<f64>, arrival: Option<f64>) -> String {
    match (device, arrival) {
        (Some(d), _) => format!("{d:.1} Hz"),
        (None, Some(a)) => format!("{a:.1} Hz (arrival times)"),
        (None, None) => "rate not measurable".into(),
    }
}

/// Samples and rates of one stream; without samples, the failed check with the reason.
fn base_check(
    model: Model,
    q: Quantity,
    readings: &[(f64, Reading)],
    not_started: &[(Quantity, String)],
    summary: &DecodeSummary,
) -> StreamCheck {
    let (samples, rate_device_hz, rate_arrival_hz) = rates(readings);
    let check = StreamCheck {
        quantity: q,
        samples,
        expected_hz: model.rate_hz(),
        rate_device_hz,
        rate_arrival_hz,
        gravity_g: None,
        gravity_std_g: None,
        noise_dps: None,
        bias_dps: None,
        level: Level::Ok,
        verdict: String::new(),
    };
    if samples == 0 {
        return StreamCheck {
            level: Level::Fail,
            verdict: no_data_reason(q, not_started, summary),
            ..check
        };
    }
    check
}

fn of(q: Quantity, all: &[(f64, Reading)]) -> Vec<(f64, Reading)> {
    all.iter().filter(|r| r.1.quantity == q).copied().collect()
}

fn stream_check_acc(
    model: Model,
    all: &[(f64, Reading)],
    not_started: &[(Quantity, String)],
    summary: &DecodeSummary,
) -> StreamCheck {
    let readings = of(Quantity::Acc, all);
    let mut check = base_check(model, Quantity::Acc, &readings, not_started, summary);
    if check.samples == 0 {
        return check;
    }
    let (gravity, std) = mean_std(
        readings
            .iter()
            .map(|r| r.1.xyz.iter().map(|v| v * v).sum::<f64>().sqrt() / G_MPS2),
    )
    .expect("samples present");
    check.gravity_g = Some(gravity);
    check.gravity_std_g = Some(std);
    let rate = rate_text(check.rate_device_hz, check.rate_arrival_hz);
    let mut warnings = Vec::new();
    if let Some(p) = rate_problem(
        check.expected_hz,
        check.rate_device_hz,
        check.rate_arrival_hz,
    ) {
        warnings.push(p);
    }
    if std > STILL_ACC_STD_G {
        warnings.push(format!(
            "moved during the check (|a| varied by {std:.2} g): gravity not checked; keep it still"
        ));
    } else if (gravity - 1.0).abs() > GRAVITY_TOLERANCE_G {
        check.level = Level::Fail;
        check.verdict = format!(
            "{rate}, but |a| = {gravity:.2} g at rest: the unit or scale is wrong (1 g expected)"
        );
        return check;
    }
    if warnings.is_empty() {
        check.verdict = format!("{rate}, gravity {gravity:.2} g at rest");
    } else {
        check.level = Level::Warn;
        check.verdict = format!("{rate}, gravity {gravity:.2} g; {}", warnings.join("; "));
    }
    check
}

fn stream_check_gyro(
    model: Model,
    all: &[(f64, Reading)],
    not_started: &[(Quantity, String)],
    summary: &DecodeSummary,
    still: Option<bool>,
) -> StreamCheck {
    let readings = of(Quantity::Gyr, all);
    let mut check = base_check(model, Quantity::Gyr, &readings, not_started, summary);
    if check.samples == 0 {
        return check;
    }
    let axes: Vec<(f64, f64)> = (0..3)
        .filter_map(|k| mean_std(readings.iter().map(|r| r.1.xyz[k])))
        .collect();
    let bias = [axes[0].0, axes[1].0, axes[2].0];
    let noise = (axes.iter().map(|a| a.1 * a.1).sum::<f64>() / 3.0).sqrt();
    check.bias_dps = Some(bias);
    check.noise_dps = Some(noise);
    let rate = rate_text(check.rate_device_hz, check.rate_arrival_hz);
    let mut warnings = Vec::new();
    if let Some(p) = rate_problem(
        check.expected_hz,
        check.rate_device_hz,
        check.rate_arrival_hz,
    ) {
        warnings.push(p);
    }
    let max_bias = bias.iter().fold(0.0f64, |m, b| m.max(b.abs()));
    match still {
        Some(true) => {
            if noise > GYRO_NOISE_DPS {
                warnings.push(format!(
                    "noise {noise:.2} deg/s at rest is high (> {GYRO_NOISE_DPS:.0})"
                ));
            }
            if max_bias > GYRO_BIAS_DPS {
                warnings.push(format!(
                    "bias {max_bias:.1} deg/s at rest (> {GYRO_BIAS_DPS:.0}): a faulty or uncalibrated gyroscope"
                ));
            }
        }
        _ => warnings.push("the sensor moved: noise at rest not measured".into()),
    }
    if warnings.is_empty() {
        check.verdict = format!("{rate}, noise {noise:.2} deg/s, bias {max_bias:.2} deg/s at rest");
    } else {
        check.level = Level::Warn;
        check.verdict = format!("{rate}; {}", warnings.join("; "));
    }
    check
}

fn signed_s(at: Instant, origin: Instant) -> f64 {
    match at.checked_duration_since(origin) {
        Some(d) => d.as_secs_f64(),
        None => -(origin - at).as_secs_f64(),
    }
}

/// Runs the check: adapter state, then each sensor in turn (or the nearby sensors when none
/// is named).
pub async fn run(opts: &DoctorOptions) -> DoctorReport {
    let mut report = DoctorReport {
        os: current_os(),
        bluetooth: Err(String::new()),
        nearby: Vec::new(),
        scan_error: None,
        sensors: Vec::new(),
    };
    let ble = match Ble::open().await {
        Ok(b) => b,
        Err(e) => {
            report.bluetooth = Err(e.to_string());
            return report;
        }
    };
    let (info, state) = ble.describe().await;
    report.bluetooth = Ok(AdapterReport { info, state });
    if opts.sensors.is_empty() {
        match ble.scan(opts.scan_timeout, &[]).await {
            Ok(found) => {
                report.nearby = found
                    .into_iter()
                    .map(|(_, f)| f)
                    .filter(|f| f.family.is_some())
                    .collect();
                report
                    .nearby
                    .sort_by_key(|f| std::cmp::Reverse(f.rssi.unwrap_or(i16::MIN)));
            }
            Err(e) => report.scan_error = Some(e.to_string()),
        }
        return report;
    }
    for (placement, target) in &opts.sensors {
        report
            .sensors
            .push(check_sensor(&ble, *placement, target, opts).await);
    }
    report
}

async fn check_sensor(
    ble: &Ble,
    placement: Placement,
    target: &str,
    opts: &DoctorOptions,
) -> SensorCheck {
    let mut c = SensorCheck::new(placement, target);
    let (p, f) = match ble.find(&[target.to_string()], opts.scan_timeout).await {
        Ok(mut v) => v.remove(0),
        Err(e) => {
            c.error = Some(e.to_string());
            return c;
        }
    };
    c.found = Some(f.clone());
    let identified = ble::identify(&p, &f).await;
    c.gatt = ble::gatt_table(&p);
    c.mtu = (!c.gatt.is_empty()).then(|| p.mtu());
    let model = match identified {
        Ok((id, log)) => {
            c.exchanges.extend(log);
            let m = id.model;
            c.identity = Some(id);
            m
        }
        Err(e) => {
            c.error = Some(e.to_string());
            let _ = p.disconnect().await;
            return c;
        }
    };
    let link = Link {
        sensor: 0,
        peripheral: p.clone(),
        model,
        name: f.label(),
    };
    let started = match link.start().await {
        Ok(s) => s,
        Err(e) => {
            c.error = Some(e.to_string());
            let _ = p.disconnect().await;
            return c;
        }
    };
    let origin = Instant::now();
    c.exchanges.extend(started.log);
    c.not_started = started.not_started;
    let mut stream = started.stream;
    let mut captured: Vec<Captured> = started.early;
    let deadline = tokio::time::Instant::now() + opts.duration;
    while let Ok(Some(n)) = tokio::time::timeout_at(deadline, stream.next()).await {
        captured.push(Captured {
            characteristic: n.uuid,
            data: n.value,
            arrival: Instant::now(),
        });
    }
    c.streamed_s = opts.duration.as_secs_f64();
    captured.extend(link.stop(&mut stream).await);
    c.captures = captured
        .into_iter()
        .map(|x| Capture {
            arrival_s: signed_s(x.arrival, origin),
            characteristic: x.characteristic,
            data: x.data,
        })
        .collect();
    let (summary, streams) = analyse(model, &c.captures, &c.not_started);
    c.summary = summary;
    c.streams = streams;
    c
}

/// Names of services and characteristics gaitkit knows, for the GATT listing.
fn uuid_name(u: Uuid) -> Option<&'static str> {
    use super::*;
    Some(match u {
        _ if u == polar::SERVICE => "Polar PMD service",
        _ if u == polar::CONTROL_POINT => "PMD control point",
        _ if u == polar::DATA => "PMD data",
        _ if u == movesense::SERVICE => "Movesense sensor data service",
        _ if u == movesense::WRITE => "GSP command",
        _ if u == movesense::NOTIFY => "GSP data",
        _ if u == witmotion::SERVICE => "WitMotion service",
        _ if u == witmotion::NOTIFY => "WitMotion data",
        _ if u == witmotion::WRITE => "WitMotion command",
        _ if u == metawear::SERVICE => "MetaWear service",
        _ if u == metawear::COMMAND => "MetaWear command",
        _ if u == metawear::NOTIFY => "MetaWear notify",
        _ if u == DEVICE_INFORMATION => "Device Information",
        _ if u == MANUFACTURER_NAME => "manufacturer name",
        _ if u == MODEL_NUMBER => "model number",
        _ if u == SERIAL_NUMBER => "serial number",
        _ if u == HARDWARE_REVISION => "hardware revision",
        _ if u == FIRMWARE_REVISION => "firmware revision",
        _ if u == SOFTWARE_REVISION => "software revision",
        _ if u == uuid16(0x180F) => "Battery",
        _ if u == BATTERY_LEVEL => "battery level",
        _ => return None,
    })
}

fn named(u: Uuid) -> String {
    match uuid_name(u) {
        Some(n) => format!("{u} ({n})"),
        None => u.to_string(),
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Bluetooth on {}", self.os)?;
        match &self.bluetooth {
            Ok(a) => writeln!(f, "  adapter: {}, {}", a.info, a.state)?,
            Err(e) => {
                writeln!(f, "  FAIL  {e}")?;
                return Ok(());
            }
        }
        if let Some(e) = &self.scan_error {
            writeln!(f, "  FAIL  scanning: {e}")?;
        }
        if self.sensors.is_empty() && self.scan_error.is_none() {
            if self.nearby.is_empty() {
                writeln!(f, "  no supported sensor nearby; wake it (Polar: put it on, Movesense: tap, WitMotion: press the button) and keep it close")?;
            } else {
                writeln!(f, "  supported sensors nearby:")?;
                for n in &self.nearby {
                    let rssi = n.rssi.map_or("?".into(), |r| format!("{r} dBm"));
                    writeln!(f, "    {}  {rssi}  {}", n.label(), n.kind())?;
                }
            }
            writeln!(
                f,
                "  check one with: gaitkit doctor --sensor PLACEMENT=NAME (e.g. lower-back=\"Polar Sense B5A5E62D\")"
            )?;
        }
        for s in &self.sensors {
            writeln!(f)?;
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SensorCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self
            .found
            .as_ref()
            .map_or(self.target.clone(), |x| x.label());
        let rssi = self
            .found
            .as_ref()
            .and_then(|x| x.rssi)
            .map_or(String::new(), |r| format!(", RSSI {r} dBm"));
        writeln!(f, "{}: {who}{rssi}", self.placement)?;
        if let Some(id) = &self.identity {
            writeln!(f, "  model: {} (from {})", id.model, id.basis)?;
            let i = &id.info;
            let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "not reported".into());
            writeln!(
                f,
                "  firmware {}, hardware {}, manufacturer {}, model number {}",
                field(&i.firmware_revision),
                field(&i.hardware_revision),
                field(&i.manufacturer),
                field(&i.model_number)
            )?;
        }
        if let Some(mtu) = self.mtu {
            let need = self.identity.as_ref().map(|i| i.model.min_mtu());
            let judgement = match need {
                Some(n) if mtu >= n => format!("enough for this model's notifications (≥ {n})"),
                Some(n) => format!(
                    "below the {n} this model's notifications need: they may be cut or the start refused (\"invalid MTU\"); 23 can also mean the platform did not report one"
                ),
                None => String::new(),
            };
            writeln!(f, "  MTU: {mtu} as reported by the platform; {judgement}")?;
        }
        if !self.gatt.is_empty() {
            writeln!(f, "  services and characteristics:")?;
            for s in &self.gatt {
                writeln!(f, "    {}", named(s.uuid))?;
                for (c, props) in &s.characteristics {
                    writeln!(f, "      {} [{}]", named(*c), props.join(", "))?;
                }
            }
        }
        if !self.exchanges.is_empty() {
            writeln!(f, "  commands:")?;
            for x in &self.exchanges {
                let replies = if x.replies.is_empty() {
                    String::new()
                } else {
                    format!(
                        " → {}",
                        x.replies
                            .iter()
                            .map(|r| hex(r))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
                let retry = if x.attempt > 0 { " (retry)" } else { "" };
                writeln!(
                    f,
                    "    {}: {}{replies}  {}{retry}",
                    x.name,
                    hex(&x.command),
                    x.outcome.describe()
                )?;
            }
        }
        if let Some(e) = &self.error {
            writeln!(f, "  FAIL  {e}")?;
            return Ok(());
        }
        let sm = &self.summary;
        writeln!(
            f,
            "  streamed {:.1} s: {} notifications ({}), {} malformed{}",
            self.streamed_s,
            sm.notifications,
            sm.per_characteristic
                .iter()
                .map(|(u, n)| format!("{n} on {}", uuid_name(*u).unwrap_or("other")))
                .collect::<Vec<_>>()
                .join(", "),
            sm.malformed,
            sm.last_malformed
                .as_ref()
                .map_or(String::new(), |m| format!(" (last: {m})"))
        )?;
        for (k, n) in &sm.unsupported {
            writeln!(f, "  {n} × unsupported {k}")?;
        }
        for n in &sm.notices {
            writeln!(f, "  device: {n}")?;
        }
        for s in &self.streams {
            writeln!(
                f,
                "  {:<13} {:<4}  {} samples, {}",
                s.quantity.name(),
                s.level.label(),
                s.samples,
                s.verdict
            )?;
        }
        if self
            .identity
            .as_ref()
            .is_some_and(|i| !i.model.has_gyroscope())
        {
            writeln!(
                f,
                "  gyroscope     –     none on this model (recorded as 0)"
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::{polar, witmotion};

    /// A Verity Sense lying still: ACC 0x81 frames of 10 samples (1 g on z plus a small
    /// wobble), GYRO raw frames with a 0.3 deg/s bias, both at 104 Hz on the device clock.
    fn still_verity(seconds: f64, gyro: bool) -> Vec<Capture> {
        let period_ns = 9_615_385u64;
        let base = 848_000_000_000_000_000u64;
        let mut out = vec![Capture {
            arrival_s: -0.2,
            characteristic: polar::CONTROL_POINT,
            data: vec![0xF0, 0x02, 0x02, 0x00, 0x00],
        }];
        let frames = (seconds * 10.4) as u64;
        for f in 0..frames {
            let last = base + (f * 10 + 9) * period_ns;
            let t = (f * 10 + 9) as f64 * period_ns as f64 * 1e-9 + 0.02;
            // 0x81: reference (0, 0, 1000) mG, then 9 deltas of 2 bits: +1, −1 alternating on x
            let mut acc = vec![polar::MEAS_ACC];
            acc.extend_from_slice(&last.to_le_bytes());
            acc.push(0x81);
            acc.extend_from_slice(&[0, 0, 0, 0, 0xE8, 0x03]);
            acc.extend_from_slice(&[2, 9]);
            // 9 samples × 3 channels × 2 bits = 54 bits; x alternates +1 (01), −1 (11)
            let mut bits: u64 = 0;
            for k in 0..9 {
                let x: u64 = if k % 2 == 0 { 0b01 } else { 0b11 };
                bits |= x << (6 * k);
            }
            acc.extend((0..7).map(|i| (bits >> (8 * i)) as u8));
            out.push(Capture {
                arrival_s: t,
                characteristic: polar::DATA,
                data: acc,
            });
            if gyro {
                let mut g = vec![polar::MEAS_GYRO];
                g.extend_from_slice(&last.to_le_bytes());
                g.push(0x01);
                for k in 0..10 {
                    let wobble = if k % 2 == 0 { 0.05f32 } else { -0.05 };
                    for v in [0.3f32 + wobble, -0.1, 0.2] {
                        g.extend_from_slice(&v.to_le_bytes());
                    }
                }
                out.push(Capture {
                    arrival_s: t + 0.001,
                    characteristic: polar::DATA,
                    data: g,
                });
            }
        }
        out
    }

    #[test]
    fn a_still_sensor_passes_with_rate_gravity_and_gyro_noise() {
        let (summary, streams) = analyse(Model::PolarVeritySense, &still_verity(10.0, true), &[]);
        assert_eq!(summary.malformed, 0);
        assert_eq!(summary.notifications, 1 + 2 * 104);
        let acc = &streams[0];
        assert_eq!(acc.level, Level::Ok, "{acc:?}");
        assert_eq!(acc.samples, 1040);
        assert!((acc.rate_device_hz.unwrap() - 104.0).abs() < 0.01);
        assert!((acc.gravity_g.unwrap() - 1.0).abs() < 1e-3);
        let gyr = &streams[1];
        assert_eq!(gyr.level, Level::Ok, "{gyr:?}");
        let bias = gyr.bias_dps.unwrap();
        assert!((bias[0] - 0.3).abs() < 1e-6 && (bias[1] + 0.1).abs() < 1e-6);
        // ±0.05 on x, nothing on y and z: RMS over the axes 0.05/√3
        assert!((gyr.noise_dps.unwrap() - 0.05 / 3f64.sqrt()).abs() < 1e-6);
        assert!(
            gyr.verdict.starts_with("104.0 Hz, noise 0.03 deg/s"),
            "{}",
            gyr.verdict
        );
    }

    #[test]
    fn a_missing_gyro_fails_with_its_reason_and_unsupported_frames_are_counted() {
        let mut c = still_verity(2.0, false);
        let mut odd = c[1].data.clone();
        odd[9] = 0x82;
        c.push(Capture {
            arrival_s: 2.5,
            characteristic: polar::DATA,
            data: odd,
        });
        let (summary, streams) = analyse(Model::PolarVeritySense, &c, &[]);
        assert_eq!(summary.unsupported, vec![("ACC frame type 0x82".into(), 1)]);
        assert_eq!(streams[1].level, Level::Fail);
        assert_eq!(
            streams[1].verdict,
            "no data (22 notifications, 1 × unsupported ACC frame type 0x82)"
        );
        let refused = [(
            Quantity::Gyr,
            "GYRO start refused: status 5 (invalid parameter) (twice)".to_string(),
        )];
        let (_, streams) = analyse(Model::PolarVeritySense, &c, &refused);
        assert!(streams[1]
            .verdict
            .starts_with("not started: GYRO start refused"));
    }

    #[test]
    fn a_scale_error_at_rest_fails_and_movement_only_warns() {
        // WitMotion frames claiming 8 g at rest (a ×8 range mix-up)
        let frames: Vec<Capture> = (0..300)
            .map(|k| Capture {
                arrival_s: 0.5 + k as f64 * 0.01,
                characteristic: witmotion::NOTIFY,
                data: witmotion::frame([0, 0, 16384, 0, 0, 0, 0, 0, 0]).to_vec(),
            })
            .collect();
        let (_, streams) = analyse(Model::WitMotionWt901, &frames, &[]);
        assert_eq!(streams[0].level, Level::Fail);
        assert!(
            streams[0].verdict.contains("|a| = 8.00 g at rest"),
            "{}",
            streams[0].verdict
        );
        assert!((streams[0].rate_arrival_hz.unwrap() - 100.0).abs() < 0.5);
        // a sensor swung around: no gravity verdict, a warning
        let moving: Vec<Capture> = (0..300)
            .map(|k| Capture {
                arrival_s: 0.5 + k as f64 * 0.01,
                characteristic: witmotion::NOTIFY,
                data: witmotion::frame([0, 0, 2048 + (k % 7) * 300, 0, 0, 0, 0, 0, 0]).to_vec(),
            })
            .collect();
        let (_, streams) = analyse(Model::WitMotionWt901, &moving, &[]);
        assert_eq!(streams[0].level, Level::Warn);
        assert!(streams[0].verdict.contains("moved during the check"));
        assert!(streams[1].verdict.contains("noise at rest not measured"));
    }

    #[test]
    fn a_slow_stream_warns_with_the_measured_rate() {
        let frames: Vec<Capture> = (0..100)
            .map(|k| Capture {
                arrival_s: 0.5 + k as f64 * 0.1,
                characteristic: witmotion::NOTIFY,
                data: witmotion::frame([0, 0, 2048, 0, 0, 0, 0, 0, 0]).to_vec(),
            })
            .collect();
        let (_, streams) = analyse(Model::WitMotionWt901, &frames, &[]);
        assert_eq!(streams[0].level, Level::Warn);
        assert!(
            streams[0]
                .verdict
                .contains("rate 10.0 Hz, 100 Hz configured"),
            "{}",
            streams[0].verdict
        );
    }

    #[test]
    fn a_saved_capture_replays_to_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let mut check = SensorCheck::new(Placement::LeftShank, "Polar Sense");
        check.captures = still_verity(1.0, true);
        check.identity = Some(Identity {
            model: Model::PolarVeritySense,
            basis: "test".into(),
            info: Default::default(),
        });
        let (summary, streams) = analyse(Model::PolarVeritySense, &check.captures, &[]);
        check.summary = summary.clone();
        check.streams = streams.clone();
        let report = DoctorReport {
            os: "linux",
            bluetooth: Ok(AdapterReport {
                info: "hci0".into(),
                state: "powered on".into(),
            }),
            nearby: vec![],
            scan_error: None,
            sensors: vec![check],
        };
        let files = report.save(dir.path()).unwrap();
        assert_eq!(files.len(), 2);
        let (model, back) = read_capture(&dir.path().join("left-shank.notifications.csv")).unwrap();
        assert_eq!(model, Some(Model::PolarVeritySense));
        assert_eq!(back.len(), report.sensors[0].captures.len());
        assert_eq!(back[1].data, report.sensors[0].captures[1].data);
        assert_eq!(analyse(Model::PolarVeritySense, &back, &[]).1.len(), 2);
        let replayed = analyse(Model::PolarVeritySense, &back, &[]);
        assert_eq!(replayed.0, summary);
        assert_eq!(replayed.1[0].samples, streams[0].samples);
        assert_eq!(replayed.1[0].verdict, streams[0].verdict);
        // never overwritten
        let err = report.save(dir.path()).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert!(std::fs::read_to_string(dir.path().join("report.txt"))
            .unwrap()
            .contains("left-shank: Polar Sense"));
    }

    #[test]
    fn bad_capture_lines_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "arrival_s,characteristic,hex\n0.1,not-a-uuid,F0\n").unwrap();
        let e = read_capture(&p).unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("not a characteristic UUID"),
            "{e}"
        );
    }
}
