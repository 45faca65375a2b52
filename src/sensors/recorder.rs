//! Recording a session from several BLE IMUs at once.
//!
//! [`Recording`] is the synchronous core: it takes notifications (bytes, characteristic,
//! arrival time), decodes them, pairs accelerometer and gyroscope readings, drops duplicate
//! and out-of-order packets, maps clocks onto one host timeline, records gaps and appends
//! samples to one CSV per sensor, flushed at least every [`FLUSH_INTERVAL_S`]. It never waits
//! forever: a stream that has not started [`STREAM_START_S`] after the start commands is
//! reported by sensor and stream, and every queue is bounded ([`QUEUE_S`]).
//! [`record`] identifies the sensors, drives the core from btleplug links and reports progress
//! as [`StatusEvent`]s on a channel; the library never prints.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::ble::{self, Ble, BleError, Found, LinkEvent};
use super::clock::{Clock, TimeSource};
use super::identify::Identity;
use super::{mounting, DecodeError, Decoder, Model, Quantity, Reading};
use crate::error::{Error, Result};
use crate::recording::session::{DeviceInfo, RecordedGap, SyncInfo};
use crate::recording::{ImuCsvWriter, ImuSample, Placement, SensorEntry, Session, Task};

/// Samples reach the disk at least this often, s.
pub const FLUSH_INTERVAL_S: f64 = 0.5;
/// Longest wait for every sensor's first sample before the session clock starts, s.
pub const ALIGN_TIMEOUT_S: f64 = 1.0;
/// Arrival-time sensors stream at their old rate until the rate command takes effect
/// (WitMotion: 10 Hz by default); their first notifications after (re)connecting are
/// skipped for this long, s, as their arrival times would describe the wrong rate.
pub const SETTLE_S: f64 = 0.3;
/// A stream without a single reading this long after the start commands has not started, s.
pub const STREAM_START_S: f64 = 3.0;
/// Readings of one stream waiting for their partner of the other stream are kept for at most
/// this long (of sample periods), s; older ones are dropped and counted.
pub const QUEUE_S: f64 = 4.0;
/// Link events waiting for the recorder (bounded: a slow disk slows the links, nothing grows).
pub const LINK_QUEUE: usize = 1024;
/// A jump larger than this many sample periods between consecutive samples is a gap.
const GAP_PERIODS: f64 = 1.5;

/// One sensor of a recording: where it is worn and what it is.
#[derive(Debug, Clone)]
pub struct SensorSetup {
    pub placement: Placement,
    pub model: Model,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// Counters of one sensor, for the live status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SensorStatus {
    pub placement: Option<Placement>,
    pub samples: u64,
    /// Samples per second over the last status interval.
    pub samples_per_s: f64,
    /// Samples missing from the device timeline (lost packets or disconnections).
    pub samples_lost: u64,
    pub packets: u64,
    pub malformed_packets: u64,
    pub duplicate_packets: u64,
    /// Well-formed notifications gaitkit does not decode, by kind (e.g. "ACC frame type 0x82").
    pub unsupported: Vec<(String, u64)>,
    /// The latest decoding problem or device notice.
    pub last_problem: Option<String>,
    /// Packets skipped while the configured rate took effect (see [`SETTLE_S`]).
    pub settling_packets: u64,
    /// Readings waiting for their partner of the other stream (bounded by [`QUEUE_S`]).
    pub queued_readings: u64,
    /// Readings dropped because their partner never came within [`QUEUE_S`].
    pub unpaired_dropped: u64,
    /// Set when the gyroscope did not start and only the accelerometer is recorded.
    pub accelerometer_only: bool,
    pub battery_pct: Option<u8>,
    /// Session time of the last written sample, s.
    pub seconds_recorded: f64,
    pub connected: bool,
    pub reconnects: u32,
}

/// Something about one sensor the person recording must know; `fatal` ends the recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub placement: Placement,
    pub message: String,
    pub fatal: bool,
}

/// Progress of a recording.
#[derive(Debug, Clone)]
pub enum StatusEvent {
    Connecting {
        placement: Placement,
        target: String,
    },
    /// Connected and identified; `basis` says what the model was read from.
    Connected {
        placement: Placement,
        model: Model,
        name: String,
        address: String,
        basis: String,
    },
    /// The session folder is created and every sensor identified: what is recorded
    /// (placements, axes, models), before the first sample.
    Started(Box<Session>),
    /// Samples just written (session seconds), for live displays such as a step counter and
    /// live feedback. A sensor's samples written before its link dropped come before its
    /// [`StatusEvent::Disconnected`].
    Samples {
        placement: Placement,
        samples: Vec<ImuSample>,
    },
    /// Periodic counters of all sensors (every [`FLUSH_INTERVAL_S`]).
    Status(Vec<SensorStatus>),
    /// A stream that did not start, a device-side stop, … (see [`Notice`]).
    Problem {
        placement: Placement,
        message: String,
        fatal: bool,
    },
    Disconnected {
        placement: Placement,
        at_s: f64,
    },
    /// Connecting failed or the link dropped; the next attempt follows after `delay`.
    Reconnecting {
        placement: Placement,
        attempt: u32,
        delay: Duration,
        reason: String,
    },
}

struct SensorState {
    setup: SensorSetup,
    decoder: Decoder,
    clock: Clock,
    readings: Vec<Reading>,
    acc: VecDeque<Reading>,
    gyr: VecDeque<Reading>,
    last_device_s: [Option<f64>; 2],
    /// Host-time samples waiting for the session clock to start.
    pending: Vec<ImuSample>,
    first_host_s: Option<f64>,
    /// Host time of the last written sample.
    last_host_s: Option<f64>,
    writer: ImuCsvWriter,
    status: SensorStatus,
    samples_at_last_status: u64,
    disconnected_at_s: Option<f64>,
    /// Arrival-time sensors: notifications before this host time are from before the rate
    /// change and are skipped.
    settle_until_s: Option<f64>,
    /// Host time the start commands of the current connection were done.
    connected_at_s: Option<f64>,
    /// Whether an accelerometer / gyroscope reading arrived since then.
    seen: [bool; 2],
    /// Whether a missing stream was already reported for this connection.
    reported: [bool; 2],
    packets_since_connect: u64,
    unsupported: BTreeMap<String, u64>,
    /// Readings of each stream since the start (what arrived, for the messages).
    readings_seen: [u64; 2],
    batch: Vec<f64>,
    out: Vec<ImuSample>,
}

impl SensorState {
    /// What arrived from the sensor since it connected, for "no data" messages.
    fn arrivals(&self) -> String {
        if self.status.packets == 0 {
            return "no notifications arrived at all".into();
        }
        let mut parts = vec![format!("{} notifications arrived", self.status.packets)];
        let (acc, gyr) = (self.readings_seen[0], self.readings_seen[1]);
        if acc + gyr > 0 {
            parts.push(format!("{acc} accelerometer and {gyr} gyroscope readings"));
        }
        for (kind, n) in &self.unsupported {
            parts.push(format!("{n} × unsupported {kind}"));
        }
        if self.status.malformed_packets > 0 {
            parts.push(format!("{} malformed", self.status.malformed_packets));
        }
        if let Some(p) = &self.status.last_problem {
            parts.push(format!("last problem: {p}"));
        }
        parts.join(", ")
    }
}

/// The synchronous recording core (no Bluetooth): notifications in, session folder out.
pub struct Recording {
    dir: PathBuf,
    sensors: Vec<SensorState>,
    session: Session,
    /// Wall-clock time at host time 0.
    wall_origin: DateTime<Utc>,
    /// Host time of the session's first sample (session time 0).
    t0: Option<f64>,
    first_any_s: Option<f64>,
    last_flush_s: f64,
    last_status_s: f64,
    allow_missing_gyro: bool,
    notices: Vec<Notice>,
}

impl Recording {
    /// Creates the session folder (must not contain a session yet) and one CSV per sensor.
    /// Host times passed later are seconds since `wall_origin`.
    pub fn create(
        dir: &Path,
        setups: Vec<SensorSetup>,
        task: Option<Task>,
        participant_id: Option<String>,
        wall_origin: DateTime<Utc>,
    ) -> Result<Recording> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let session_path = dir.join(crate::recording::session::SESSION_FILE);
        if session_path.exists() {
            return Err(Error::Unsupported(format!(
                "{} already holds a session; choose a new folder so nothing is overwritten",
                dir.display()
            )));
        }
        for (i, s) in setups.iter().enumerate() {
            if setups[..i].iter().any(|o| o.placement == s.placement) {
                return Err(Error::Unsupported(format!(
                    "placement {} is given twice",
                    s.placement
                )));
            }
        }
        let mut entries = Vec::new();
        let mut sensors = Vec::new();
        for s in setups {
            let file = format!("{}.csv", s.placement.as_str().replace('-', "_"));
            entries.push(SensorEntry {
                placement: s.placement,
                file: file.clone(),
                axes: mounting::axes(s.model, s.placement),
                device: Some(DeviceInfo {
                    model: Some(s.model.name().to_string()),
                    name: s.name.clone(),
                    address: s.address.clone(),
                    firmware: None,
                }),
                sampling_rate_hz: Some(s.model.rate_hz()),
                source: None,
            });
            let source = if s.model.has_device_clock() {
                TimeSource::Device
            } else {
                TimeSource::Arrival
            };
            sensors.push(SensorState {
                decoder: s.model.decoder(),
                clock: Clock::new(source, s.model.rate_hz()),
                readings: Vec::with_capacity(64),
                acc: VecDeque::new(),
                gyr: VecDeque::new(),
                last_device_s: [None; 2],
                pending: Vec::new(),
                first_host_s: None,
                last_host_s: None,
                writer: ImuCsvWriter::create(&dir.join(&file))?,
                status: SensorStatus {
                    placement: Some(s.placement),
                    ..Default::default()
                },
                samples_at_last_status: 0,
                disconnected_at_s: None,
                settle_until_s: None,
                connected_at_s: None,
                seen: [false; 2],
                reported: [false; 2],
                packets_since_connect: 0,
                unsupported: BTreeMap::new(),
                readings_seen: [0; 2],
                batch: Vec::with_capacity(64),
                out: Vec::with_capacity(64),
                setup: s,
            });
        }
        let mut session = Session::new(entries);
        session.task = task;
        session.participant.id = participant_id;
        let h10 = sensors
            .iter()
            .filter(|s| !s.setup.model.has_gyroscope())
            .map(|s| s.setup.placement.as_str())
            .collect::<Vec<_>>();
        if !h10.is_empty() {
            session.notes = Some(format!(
                "no gyroscope on {}: gyr_* columns are 0",
                h10.join(", ")
            ));
        }
        session.write(dir)?;
        Ok(Recording {
            dir: dir.to_path_buf(),
            sensors,
            session,
            wall_origin,
            t0: None,
            first_any_s: None,
            last_flush_s: 0.0,
            last_status_s: 0.0,
            allow_missing_gyro: false,
            notices: Vec::new(),
        })
    }

    /// Whether a sensor whose gyroscope does not start goes on recording its accelerometer
    /// alone (gyroscope columns 0, said in `session.json`) instead of ending the recording.
    /// Off by default: gaitkit's analyses use the gyroscope (turns, left/right, trunk and leg
    /// rotation).
    pub fn allow_missing_gyro(&mut self, allow: bool) {
        self.allow_missing_gyro = allow;
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Notices since the last call (streams that did not start, device-side stops).
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Handles one notification of sensor `index` that arrived at host time `arrival_s`.
    pub fn on_notification(
        &mut self,
        index: usize,
        characteristic: Uuid,
        data: &[u8],
        arrival_s: f64,
    ) -> Result<()> {
        let s = &mut self.sensors[index];
        s.status.packets += 1;
        s.packets_since_connect += 1;
        if s.settle_until_s.is_some_and(|t| arrival_s < t) {
            s.status.settling_packets += 1;
            return self.flush_if_due(arrival_s);
        }
        s.readings.clear();
        if let Err(e) = s.decoder.decode_into(characteristic, data, &mut s.readings) {
            s.status.last_problem = Some(e.to_string());
            match e {
                DecodeError::Unsupported { kind } => {
                    *s.unsupported.entry(kind).or_insert(0) += 1;
                    s.status.unsupported =
                        s.unsupported.iter().map(|(k, n)| (k.clone(), *n)).collect();
                }
                DecodeError::MeasurementStopped { .. } => self.notices.push(Notice {
                    placement: s.setup.placement,
                    message: e.to_string(),
                    fatal: false,
                }),
                _ => s.status.malformed_packets += 1,
            }
        }
        self.ingest(index, arrival_s)?;
        self.flush_if_due(arrival_s)
    }

    /// Pairs, de-duplicates, clock-maps and writes the readings decoded for sensor `index`.
    fn ingest(&mut self, index: usize, arrival_s: f64) -> Result<()> {
        let s = &mut self.sensors[index];
        if s.readings.is_empty() {
            return Ok(());
        }
        for r in &s.readings {
            let slot = (r.quantity == Quantity::Gyr) as usize;
            s.seen[slot] = true;
            s.readings_seen[slot] += 1;
        }
        // duplicate / out-of-order readings (device clocks only)
        let before = s.readings.len();
        let last = &mut s.last_device_s;
        s.readings.retain(|r| {
            let slot = (r.quantity == Quantity::Gyr) as usize;
            match r.device_time_s {
                Some(t) if last[slot].is_some_and(|p| t <= p) => false,
                Some(t) => {
                    last[slot] = Some(t);
                    true
                }
                None => true,
            }
        });
        if s.readings.len() < before {
            s.status.duplicate_packets += 1;
        }
        let samples = pair(s);
        if samples.is_empty() {
            return Ok(());
        }
        s.batch.clear();
        if s.clock.source() == TimeSource::Device {
            s.batch.extend(samples.iter().map(|x| x.time_s));
        } else {
            s.clock
                .arrival_device_times(arrival_s, samples.len(), &mut s.batch);
        }
        if !s.clock.map(arrival_s, &mut s.batch) {
            s.status.duplicate_packets += 1;
            return Ok(());
        }
        let batch = &s.batch;
        s.pending.extend(
            samples
                .iter()
                .zip(batch)
                .map(|(x, &t)| ImuSample { time_s: t, ..*x }),
        );
        s.first_host_s.get_or_insert(batch[0]);
        self.first_any_s.get_or_insert(arrival_s);
        self.maybe_start(arrival_s)?;
        self.drain(index)
    }
    /// Decodes what the decoder of sensor `index` still holds back.
    fn finish_decoder(&mut self, index: usize, now_s: f64) -> Result<()> {
        let s = &mut self.sensors[index];
        s.readings.clear();
        if s.decoder.finish(&mut s.readings).is_err() {
            s.status.malformed_packets += 1;
        }
        self.ingest(index, now_s)
    }

    /// Samples of sensor `index` written since the last call (session seconds).
    pub fn take_written(&mut self, index: usize) -> Vec<ImuSample> {
        std::mem::take(&mut self.sensors[index].out)
    }

    pub fn sensor_count(&self) -> usize {
        self.sensors.len()
    }

    /// Starts the session clock once every sensor has data or [`ALIGN_TIMEOUT_S`] passed.
    fn maybe_start(&mut self, now_s: f64) -> Result<()> {
        if self.t0.is_some() {
            return Ok(());
        }
        let all = self.sensors.iter().all(|s| s.first_host_s.is_some());
        let waited = self
            .first_any_s
            .is_some_and(|f| now_s - f >= ALIGN_TIMEOUT_S);
        if !(all || waited) {
            return Ok(());
        }
        let t0 = self
            .sensors
            .iter()
            .filter_map(|s| s.first_host_s)
            .fold(f64::INFINITY, f64::min);
        self.t0 = Some(t0);
        let start = self.wall_origin + chrono::Duration::nanoseconds((t0 * 1e9).round() as i64);
        self.session.start_time =
            Some(start.with_timezone(&FixedOffset::east_opt(0).expect("UTC offset")));
        self.session.write(&self.dir)?;
        for i in 0..self.sensors.len() {
            self.drain(i)?;
        }
        Ok(())
    }

    /// Writes pending samples of sensor `i` once the session clock runs, recording gaps.
    fn drain(&mut self, i: usize) -> Result<()> {
        let Some(t0) = self.t0 else { return Ok(()) };
        let s = &mut self.sensors[i];
        let period = s.clock.period_s();
        let mut new_gaps = Vec::new();
        for mut x in s.pending.drain(..) {
            if x.time_s < t0 {
                continue;
            }
            if let Some(prev) = s.last_host_s {
                if x.time_s <= prev {
                    continue;
                }
                let dt = x.time_s - prev;
                if dt > GAP_PERIODS * period || s.disconnected_at_s.is_some() {
                    let missing = ((dt / period).round() as u64).saturating_sub(1);
                    if missing > 0 || s.disconnected_at_s.is_some() {
                        s.status.samples_lost += missing;
                        let reason = if s.disconnected_at_s.is_some() {
                            "disconnected"
                        } else {
                            "lost packets"
                        };
                        new_gaps.push(RecordedGap {
                            placement: s.setup.placement,
                            start_s: prev - t0,
                            end_s: x.time_s - t0,
                            reason: Some(reason.into()),
                        });
                    }
                }
            }
            s.disconnected_at_s = None;
            s.last_host_s = Some(x.time_s);
            x.time_s -= t0;
            s.writer.write(&x)?;
            s.out.push(x);
        }
        s.status.samples = s.writer.rows();
        if let Some(l) = s.last_host_s {
            s.status.seconds_recorded = l - t0;
        }
        if !new_gaps.is_empty() {
            self.session.gaps.extend(new_gaps);
            self.flush_all()?;
            self.session.write(&self.dir)?;
        }
        Ok(())
    }

    /// The link of sensor `index` dropped at host time `at_s`.
    pub fn on_disconnect(&mut self, index: usize, at_s: f64) -> Result<()> {
        self.finish_decoder(index, at_s)?;
        let s = &mut self.sensors[index];
        s.status.connected = false;
        s.connected_at_s = None;
        s.disconnected_at_s.get_or_insert(at_s);
        s.acc.clear();
        s.gyr.clear();
        s.clock.new_segment();
        s.decoder = s.setup.model.decoder();
        Ok(())
    }

    /// The link of sensor `index` is up and its start commands are written, at host time
    /// `now_s` (first connection or reconnection).
    pub fn on_connected(&mut self, index: usize, now_s: f64) {
        let s = &mut self.sensors[index];
        if s.clock.source() == TimeSource::Arrival {
            s.settle_until_s = Some(now_s + SETTLE_S);
        }
        if s.disconnected_at_s.is_some() {
            s.status.reconnects += 1;
        }
        s.status.connected = true;
        s.connected_at_s = Some(now_s);
        s.seen = [false; 2];
        s.reported = [false; 2];
        s.packets_since_connect = 0;
    }

    /// The link of sensor `index` reports that the device refused to start a stream (after
    /// one retry): reported at once instead of after [`STREAM_START_S`].
    pub fn stream_not_started(&mut self, index: usize, quantity: Quantity, reason: &str) {
        let slot = (quantity == Quantity::Gyr) as usize;
        self.sensors[index].reported[slot] = true;
        self.stream_missing(index, quantity, reason.to_string());
    }

    /// Reports streams of connected sensors without a reading [`STREAM_START_S`] after their
    /// start commands.
    fn check_streams(&mut self, now_s: f64) {
        for i in 0..self.sensors.len() {
            let s = &mut self.sensors[i];
            let Some(at) = s.connected_at_s else { continue };
            if now_s - at < STREAM_START_S {
                continue;
            }
            let wanted = [true, s.setup.model.has_gyroscope()];
            for (slot, quantity) in [(0, Quantity::Acc), (1, Quantity::Gyr)] {
                let s = &mut self.sensors[i];
                if wanted[slot]
                    && !s.seen[slot]
                    && !s.reported[slot]
                    && !s.status.accelerometer_only
                {
                    s.reported[slot] = true;
                    let reason = format!(
                        "no data {STREAM_START_S:.0} s after the start commands ({})",
                        s.arrivals()
                    );
                    self.stream_missing(i, quantity, reason);
                }
            }
        }
    }

    /// A stream of sensor `index` is not coming: the accelerometer always ends the recording;
    /// the gyroscope too unless [`Recording::allow_missing_gyro`], which records the
    /// accelerometer alone (gyroscope columns 0, noted in `session.json`).
    fn stream_missing(&mut self, index: usize, quantity: Quantity, reason: String) {
        let s = &mut self.sensors[index];
        let placement = s.setup.placement;
        let notice = match quantity {
            Quantity::Acc => Notice {
                placement,
                message: format!("accelerometer: {reason}"),
                fatal: true,
            },
            Quantity::Gyr if self.allow_missing_gyro => {
                if !s.status.accelerometer_only {
                    s.status.accelerometer_only = true;
                    s.gyr.clear();
                    let note = format!(
                        "gyroscope of {placement} did not start ({reason}): its gyr_* columns are 0"
                    );
                    self.session.notes = Some(match self.session.notes.take() {
                        Some(n) => format!("{n}; {note}"),
                        None => note,
                    });
                    if let Err(e) = self.session.write(&self.dir) {
                        self.sensors[index].status.last_problem =
                            Some(format!("session.json not updated: {e}"));
                    }
                }
                Notice {
                    placement,
                    message: format!(
                        "gyroscope: {reason} — recording accelerometer only (gyr_* columns are 0)"
                    ),
                    fatal: false,
                }
            }
            Quantity::Gyr => Notice {
                placement,
                message: format!(
                    "gyroscope: {reason}; gaitkit's analyses need it (turns, left/right, trunk and leg rotation)"
                ),
                fatal: true,
            },
        };
        self.notices.push(notice);
    }

    /// Firmware revision of sensor `index`, stored in `session.json` at the end.
    pub fn set_firmware(&mut self, index: usize, version: String) {
        if let Some(device) = self.session.sensors[index].device.as_mut() {
            device.firmware = Some(version);
        }
    }

    pub fn set_battery(&mut self, index: usize, pct: u8) {
        self.sensors[index].status.battery_pct = Some(pct);
    }

    /// Flushes all CSVs when the last flush is [`FLUSH_INTERVAL_S`] old.
    fn flush_if_due(&mut self, now_s: f64) -> Result<()> {
        if now_s - self.last_flush_s >= FLUSH_INTERVAL_S {
            self.maybe_start(now_s)?;
            self.flush_all()?;
            self.last_flush_s = now_s;
        }
        Ok(())
    }

    /// Flushes when due and returns fresh counters every [`FLUSH_INTERVAL_S`].
    pub fn tick(&mut self, now_s: f64) -> Result<Option<Vec<SensorStatus>>> {
        self.check_streams(now_s);
        self.flush_if_due(now_s)?;
        if now_s - self.last_status_s < FLUSH_INTERVAL_S {
            return Ok(None);
        }
        let dt = now_s - self.last_status_s;
        self.last_status_s = now_s;
        Ok(Some(
            self.sensors
                .iter_mut()
                .map(|s| {
                    s.status.samples_per_s =
                        (s.status.samples - s.samples_at_last_status) as f64 / dt;
                    s.samples_at_last_status = s.status.samples;
                    s.status.clone()
                })
                .collect(),
        ))
    }

    /// Pushes all written samples to disk now (also done every [`FLUSH_INTERVAL_S`]).
    pub fn flush_all(&mut self) -> Result<()> {
        for s in &mut self.sensors {
            s.writer.flush()?;
        }
        Ok(())
    }

    pub fn status(&self) -> Vec<SensorStatus> {
        self.sensors.iter().map(|s| s.status.clone()).collect()
    }

    /// Ends the recording at host time `end_s`: decodes held-back data, records sensors still
    /// disconnected as gaps to the end, the achieved sync, and writes `session.json`.
    pub fn finish(self, end_s: f64) -> Result<Session> {
        Ok(self.finish_report(end_s)?.0)
    }

    /// [`Recording::finish`], also returning the sensors that wrote no sample at all with
    /// what arrived from them (never a silent empty recording: `session.json` says so too).
    pub fn finish_report(mut self, end_s: f64) -> Result<(Session, Vec<(Placement, String)>)> {
        for i in 0..self.sensors.len() {
            self.finish_decoder(i, end_s)?;
        }
        self.first_any_s.get_or_insert(end_s);
        self.maybe_start(end_s + ALIGN_TIMEOUT_S)?;
        for i in 0..self.sensors.len() {
            self.drain(i)?;
        }
        let t0 = self.t0.unwrap_or(end_s);
        for s in &self.sensors {
            if let (Some(_), Some(last)) = (s.disconnected_at_s, s.last_host_s) {
                self.session.gaps.push(RecordedGap {
                    placement: s.setup.placement,
                    start_s: last - t0,
                    end_s: (end_s - t0).max(last - t0),
                    reason: Some("disconnected until the end".into()),
                });
            }
        }
        if self.sensors.len() > 1 {
            let device = self
                .sensors
                .iter()
                .any(|s| s.clock.source() == TimeSource::Device);
            let arrival = self
                .sensors
                .iter()
                .any(|s| s.clock.source() == TimeSource::Arrival);
            let method = match (device, arrival) {
                (true, false) => "device-timestamps",
                (false, true) => "arrival-times",
                _ => "device-timestamps+arrival-times",
            };
            let mut w: Vec<f64> = self
                .sensors
                .iter()
                .filter_map(|s| s.clock.sync_wander_s())
                .collect();
            w.sort_by(|a, b| b.total_cmp(a));
            // worst pair: the two largest wanders in opposite directions
            let max_offset_error_s =
                (w.len() == self.sensors.len()).then(|| w.iter().take(2).sum());
            self.session.sync = Some(SyncInfo {
                method: method.into(),
                max_offset_error_s,
            });
        }
        let empty: Vec<(Placement, String)> = self
            .sensors
            .iter()
            .filter(|s| s.writer.rows() == 0)
            .map(|s| (s.setup.placement, s.arrivals()))
            .collect();
        for (p, what) in &empty {
            let note = format!("no samples recorded from {p}: {what}");
            self.session.notes = Some(match self.session.notes.take() {
                Some(n) => format!("{n}; {note}"),
                None => note,
            });
        }
        self.flush_all()?;
        self.session.write(&self.dir)?;
        Ok((self.session, empty))
    }
}

/// Pairs queued accelerometer and gyroscope readings into samples (`time_s` = device time,
/// or 0 for arrival-time devices). Readings whose partner is more than half a period away
/// are dropped. Models without a gyroscope, and sensors recording the accelerometer only, get
/// zero angular velocity. Each queue holds at most [`QUEUE_S`] of readings: beyond that the
/// oldest are dropped and counted (their time range becomes a gap).
fn pair(s: &mut SensorState) -> Vec<ImuSample> {
    let has_gyr = s.setup.model.has_gyroscope() && !s.status.accelerometer_only;
    for r in s.readings.drain(..) {
        match r.quantity {
            Quantity::Acc => s.acc.push_back(r),
            Quantity::Gyr if has_gyr => s.gyr.push_back(r),
            Quantity::Gyr => {}
        }
    }
    let half = 0.5 / s.setup.model.rate_hz();
    let mut out = Vec::new();
    while let Some(a) = s.acc.front().copied() {
        let g = if has_gyr {
            let Some(g) = s.gyr.front().copied() else {
                break;
            };
            if let (Some(ta), Some(tg)) = (a.device_time_s, g.device_time_s) {
                if ta < tg - half {
                    s.acc.pop_front();
                    continue;
                }
                if tg < ta - half {
                    s.gyr.pop_front();
                    continue;
                }
            }
            s.gyr.pop_front();
            g.xyz
        } else {
            [0.0; 3]
        };
        s.acc.pop_front();
        out.push(ImuSample {
            time_s: a.device_time_s.unwrap_or(0.0),
            acc_mps2: a.xyz,
            gyr_dps: g,
        });
    }
    let cap = (QUEUE_S * s.setup.model.rate_hz()).ceil() as usize;
    for q in [&mut s.acc, &mut s.gyr] {
        if q.len() > cap {
            let n = q.len() - cap;
            q.drain(..n);
            s.status.unpaired_dropped += n as u64;
        }
    }
    s.status.queued_readings = (s.acc.len() + s.gyr.len()) as u64;
    out
}

/// What to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub out_dir: PathBuf,
    /// Placement and the sensor's name, name prefix or address.
    pub sensors: Vec<(Placement, String)>,
    /// Stop after this long (from the start of streaming); `None` runs until `stop`.
    pub duration: Option<Duration>,
    pub task: Option<Task>,
    pub participant_id: Option<String>,
    /// How long to scan for the sensors.
    pub scan_timeout: Duration,
    /// See [`Recording::allow_missing_gyro`].
    pub allow_missing_gyro: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Ble(#[from] BleError),
    #[error(transparent)]
    Session(#[from] Error),
    #[error("{placement} sensor: {error}")]
    Link { placement: Placement, error: String },
    /// A stream did not start (see [`Notice`]).
    #[error("{placement} sensor: {message}")]
    Stream {
        placement: Placement,
        message: String,
    },
    #[error("{placement} sensor: no samples were recorded ({detail})")]
    NoSamples {
        placement: Placement,
        detail: String,
    },
}

/// Connects to and identifies every found sensor (concurrently), retrying connection problems
/// with [`ble::backoff`] until `give_up` resolves.
async fn identify_all(
    found: &[(btleplug::platform::Peripheral, Found)],
    placements: &[Placement],
    status: &mpsc::Sender<StatusEvent>,
    give_up: impl std::future::Future<Output = ()>,
) -> Result<Vec<Identity>, RecordError> {
    let one = |i: usize| async move {
        let (p, f) = &found[i];
        let placement = placements[i];
        let mut attempt = 0;
        loop {
            match ble::identify(p, f).await {
                Ok((id, _)) => return Ok(id),
                Err(e) if e.is_fatal() => {
                    return Err(RecordError::Link {
                        placement,
                        error: e.to_string(),
                    })
                }
                Err(e) => {
                    attempt += 1;
                    let delay = ble::backoff(attempt);
                    let _ = status.try_send(StatusEvent::Reconnecting {
                        placement,
                        attempt,
                        delay,
                        reason: e.to_string(),
                    });
                    tokio::time::sleep(delay).await;
                }
            }
        }
    };
    let all = futures::future::join_all((0..found.len()).map(one));
    tokio::select! {
        results = all => results.into_iter().collect(),
        _ = give_up => Err(RecordError::Link {
            placement: placements[0],
            error: "the recording ended before every sensor was connected and identified".into(),
        }),
    }
}

/// Records a session: finds, connects and identifies all sensors concurrently, streams until
/// `duration` or `stop` resolves, reconnecting dropped links, and returns the written session.
///
/// `status` is bounded and never waited on: when the display falls behind, its events are
/// dropped, the recording is not slowed down.
pub async fn record(
    opts: RecordOptions,
    status: mpsc::Sender<StatusEvent>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Session, RecordError> {
    let emit = |ev: StatusEvent| {
        let _ = status.try_send(ev);
    };
    tokio::pin!(stop);
    let deadline = opts.duration.map(|d| tokio::time::Instant::now() + d);
    let sleep_until_deadline = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep_until_deadline);
    let ble = Ble::open().await?;
    let disconnects = ble::watch_disconnects(&ble).await?;
    let targets: Vec<String> = opts.sensors.iter().map(|(_, t)| t.clone()).collect();
    let placements: Vec<Placement> = opts.sensors.iter().map(|(p, _)| *p).collect();
    for (placement, target) in &opts.sensors {
        emit(StatusEvent::Connecting {
            placement: *placement,
            target: target.clone(),
        });
    }
    let found = ble.find(&targets, opts.scan_timeout).await?;
    let give_up = async {
        tokio::select! {
            _ = &mut stop => {}
            _ = &mut sleep_until_deadline => {}
        }
    };
    let identities = identify_all(&found, &placements, &status, give_up).await?;
    let setups: Vec<SensorSetup> = placements
        .iter()
        .zip(&found)
        .zip(&identities)
        .map(|((placement, (_, f)), id)| SensorSetup {
            placement: *placement,
            model: id.model,
            name: f.name.clone(),
            address: Some(f.address.clone()),
        })
        .collect();
    let origin = Instant::now();
    let wall_origin = Utc::now();
    let mut rec = Recording::create(
        &opts.out_dir,
        setups.clone(),
        opts.task.clone(),
        opts.participant_id.clone(),
        wall_origin,
    )?;
    rec.allow_missing_gyro(opts.allow_missing_gyro);
    for (i, ((s, (_, f)), id)) in setups.iter().zip(&found).zip(&identities).enumerate() {
        if let Some(fw) = &id.info.firmware_revision {
            rec.set_firmware(i, fw.clone());
        }
        emit(StatusEvent::Connected {
            placement: s.placement,
            model: id.model,
            name: f.name.clone().unwrap_or_default(),
            address: f.address.clone(),
            basis: id.basis.clone(),
        });
    }
    emit(StatusEvent::Started(Box::new(rec.session().clone())));
    let (tx, mut rx) = mpsc::channel(LINK_QUEUE);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (i, ((p, f), s)) in found.into_iter().zip(&setups).enumerate() {
        let link = ble::Link {
            sensor: i,
            peripheral: p,
            model: s.model,
            name: f.label(),
        };
        tasks.push(tokio::spawn(link.run(
            tx.clone(),
            disconnects.subscribe(),
            stop_rx.clone(),
        )));
    }
    drop(tx);
    let host_s = |t: Instant| t.saturating_duration_since(origin).as_secs_f64();
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut failure = None;
    while failure.is_none() {
        tokio::select! {
            _ = &mut stop => break,
            _ = &mut sleep_until_deadline => break,
            _ = ticker.tick() => {
                if let Some(st) = rec.tick(host_s(Instant::now()))? {
                    emit(StatusEvent::Status(st));
                }
            }
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                failure = handle(&mut rec, &setups, ev, &emit, host_s)?;
            }
        }
        for n in rec.take_notices() {
            if n.fatal && failure.is_none() {
                failure = Some(RecordError::Stream {
                    placement: n.placement,
                    message: n.message.clone(),
                });
            }
            emit(StatusEvent::Problem {
                placement: n.placement,
                message: n.message,
                fatal: n.fatal,
            });
        }
    }
    let _ = stop_tx.send(true);
    let ending = async {
        let mut rest = Vec::new();
        // the links finish their stop sequences; their last notifications are still recorded
        let links = futures::future::join_all(tasks);
        tokio::pin!(links);
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(ev) => rest.push(ev),
                    None => break,
                },
                _ = &mut links => {
                    while let Ok(ev) = rx.try_recv() {
                        rest.push(ev);
                    }
                    break;
                }
            }
        }
        rest
    };
    let rest = tokio::time::timeout(Duration::from_secs(5), ending)
        .await
        .unwrap_or_default();
    for ev in rest {
        if let LinkEvent::Notification { .. } = ev {
            handle(&mut rec, &setups, ev, &emit, host_s)?;
        }
    }
    let (session, empty) = rec.finish_report(host_s(Instant::now()))?;
    if let Some(e) = failure {
        return Err(e);
    }
    match empty.into_iter().next() {
        Some((placement, detail)) => Err(RecordError::NoSamples { placement, detail }),
        None => Ok(session),
    }
}

fn handle(
    rec: &mut Recording,
    setups: &[SensorSetup],
    ev: LinkEvent,
    emit: &impl Fn(StatusEvent),
    host_s: impl Fn(Instant) -> f64,
) -> Result<Option<RecordError>, RecordError> {
    match ev {
        LinkEvent::Notification {
            sensor,
            characteristic,
            data,
            arrival,
        } => {
            rec.on_notification(sensor, characteristic, &data, host_s(arrival))?;
            emit_written(rec, setups, emit);
        }
        LinkEvent::Connected {
            sensor,
            not_started,
        } => {
            rec.on_connected(sensor, host_s(Instant::now()));
            for (quantity, reason) in not_started {
                rec.stream_not_started(sensor, quantity, &reason);
            }
        }
        LinkEvent::Battery { sensor, pct } => rec.set_battery(sensor, pct),
        LinkEvent::Disconnected { sensor, at } => {
            let at_s = host_s(at);
            rec.on_disconnect(sensor, at_s)?;
            // what the link delivered before it dropped goes out first
            emit_written(rec, setups, emit);
            emit(StatusEvent::Disconnected {
                placement: setups[sensor].placement,
                at_s,
            });
        }
        LinkEvent::Reconnecting {
            sensor,
            attempt,
            delay,
            reason,
        } => emit(StatusEvent::Reconnecting {
            placement: setups[sensor].placement,
            attempt,
            delay,
            reason,
        }),
        LinkEvent::Failed { sensor, error } => {
            return Ok(Some(RecordError::Link {
                placement: setups[sensor].placement,
                error,
            }))
        }
    }
    Ok(None)
}

/// Emits the samples written since the last call, per sensor.
fn emit_written(rec: &mut Recording, setups: &[SensorSetup], emit: &impl Fn(StatusEvent)) {
    for (i, s) in setups.iter().enumerate() {
        let written = rec.take_written(i);
        if !written.is_empty() {
            emit(StatusEvent::Samples {
                placement: s.placement,
                samples: written,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ImuTable;
    use crate::sensors::Quantity;
    use crate::sensors::{polar, witmotion, G_MPS2};

    fn polar_acc(ts_ns: u64, samples: &[[i16; 3]]) -> Vec<u8> {
        let mut f = vec![polar::MEAS_ACC];
        f.extend_from_slice(&ts_ns.to_le_bytes());
        f.push(1);
        for s in samples {
            for v in s {
                f.extend_from_slice(&v.to_le_bytes());
            }
        }
        f
    }

    fn setup(placement: Placement, model: Model) -> SensorSetup {
        SensorSetup {
            placement,
            model,
            name: Some(model.name().into()),
            address: None,
        }
    }

    #[test]
    fn writes_aligned_csvs_with_gaps_duplicates_and_malformed_packets_counted() {
        let dir = tempfile::tempdir().unwrap();
        let setups = vec![
            setup(Placement::LowerBack, Model::PolarH10),
            setup(Placement::LeftShank, Model::WitMotionWt901),
        ];
        let origin = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut rec = Recording::create(
            dir.path(),
            setups,
            Some(Task::Walk),
            Some("P01".into()),
            origin,
        )
        .unwrap();
        // H10: 2 samples per frame at 100 Hz; device clock 100 s ahead; latency 20 ms
        let ts = |k: u64| 100_000_000_000 + k * 20_000_000 + 10_000_000;
        let mut k = 0u64;
        let mut wit_frames = 0;
        for step in 0..100u64 {
            let host = step as f64 * 0.02;
            if step == 50 {
                // one frame (two samples) lost in the air
                k += 1;
                continue;
            }
            rec.on_notification(
                0,
                polar::DATA,
                &polar_acc(ts(k), &[[0, 0, 1000], [1, 0, 1000]]),
                host + 0.020 + 0.01,
            )
            .unwrap();
            k += 1;
            if step == 20 {
                rec.on_notification(
                    0,
                    polar::DATA,
                    &polar_acc(ts(k - 1), &[[0, 0, 1000], [1, 0, 1000]]),
                    host + 0.031,
                )
                .unwrap();
                rec.on_notification(0, polar::DATA, &[2, 0, 0], host + 0.031)
                    .unwrap();
            }
            let f = witmotion::frame([0, 0, 2048, 0, 0, 164, 0, 0, 0]);
            let mut two = f.to_vec();
            two.extend_from_slice(&f);
            rec.on_notification(1, witmotion::NOTIFY, &two, host + 0.015)
                .unwrap();
            wit_frames += 2;
        }
        let st = rec.status();
        assert_eq!(
            (
                st[0].duplicate_packets,
                st[0].malformed_packets,
                st[0].samples_lost
            ),
            (1, 1, 2)
        );
        assert_eq!((st[1].duplicate_packets, st[1].malformed_packets), (0, 0));
        let session = rec.finish(2.1).unwrap();
        let lb = ImuTable::read(&dir.path().join("lower_back.csv")).unwrap();
        let ls = ImuTable::read(&dir.path().join("left_shank.csv")).unwrap();
        assert_eq!(
            lb.len(),
            2 * 99,
            "duplicate frame dropped, lost frames not invented"
        );
        assert_eq!(ls.len(), wit_frames);
        // CSV keeps 6 decimals
        assert!((lb.acc_mps2[2][0] - G_MPS2).abs() < 1e-6);
        assert!((lb.acc_mps2[0][1] - G_MPS2 * 1e-3).abs() < 1e-6);
        assert_eq!(lb.gyr_dps[0][0], 0.0);
        assert!((ls.gyr_dps[2][0] - 10.009765625).abs() < 1e-6);
        // first sample of the session at 0; H10 samples 10 ms apart (device clock)
        assert_eq!(lb.time_s[0].min(ls.time_s[0]), 0.0);
        assert!((lb.time_s[1] - lb.time_s[0] - 0.01).abs() < 1e-6);
        let gaps: Vec<_> = session
            .gaps
            .iter()
            .filter(|g| g.placement == Placement::LowerBack)
            .collect();
        assert_eq!(gaps.len(), 1, "{:?}", session.gaps);
        assert!(
            (gaps[0].end_s - gaps[0].start_s - 0.03).abs() < 1e-9,
            "{gaps:?}"
        );
        assert_eq!(gaps[0].reason.as_deref(), Some("lost packets"));
        assert_eq!(session.task, Some(Task::Walk));
        assert_eq!(session.participant.id.as_deref(), Some("P01"));
        assert_eq!(session.sensors[0].sampling_rate_hz, Some(100.0));
        assert_eq!(session.sensors[1].axes.to_string(), "UFL");
        assert!(session
            .notes
            .as_deref()
            .unwrap()
            .contains("no gyroscope on lower-back"));
        assert!(session.start_time.is_some());
        assert!(session.sync.as_ref().unwrap().method == "device-timestamps+arrival-times");
        let back = Session::read(dir.path()).unwrap();
        assert_eq!(back, session);
    }

    #[test]
    fn held_back_packets_survive_a_disconnect_and_the_gap_is_recorded() {
        use crate::sensors::movesense;
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recording::create(
            dir.path(),
            vec![setup(Placement::RightShank, Model::Movesense)],
            None,
            None,
            Utc::now(),
        )
        .unwrap();
        let packet = |ts_ms: u32| {
            movesense::imu6_packet(ts_ms, &[[0.0, 0.0, 9.81]; 4], &[[1.0, 2.0, 3.0]; 4])
        };
        // 4 samples per packet at ~104 Hz: packets 38.5 ms apart on the device clock
        rec.on_notification(0, movesense::NOTIFY, &packet(1000), 0.05)
            .unwrap();
        rec.on_notification(0, movesense::NOTIFY, &packet(1038), 0.09)
            .unwrap();
        rec.on_disconnect(0, 0.2).unwrap();
        rec.on_connected(0, 1.0);
        rec.on_notification(0, movesense::NOTIFY, &packet(3000), 2.05)
            .unwrap();
        let st = rec.status();
        assert_eq!((st[0].reconnects, st[0].connected), (1, true));
        let session = rec.finish(2.2).unwrap();
        let t = ImuTable::read(&dir.path().join("right_shank.csv")).unwrap();
        assert_eq!(
            t.len(),
            12,
            "the packet held back at the disconnect and the last one are kept"
        );
        assert_eq!(session.gaps.len(), 1);
        assert_eq!(session.gaps[0].reason.as_deref(), Some("disconnected"));
        assert!(
            (session.gaps[0].end_s - t.time_s[8]).abs() < 1e-6
                && (session.gaps[0].start_s - t.time_s[7]).abs() < 1e-6
        );
    }

    /// Deterministic pseudo-random latency jitter in [0, 1).
    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn one_event_seen_by_a_timestamped_and_an_untimestamped_sensor_lines_up() {
        // An impulse at true host time 12.0 s, seen by a Polar H10 (device clock 100 s ahead,
        // running 50 ppm fast) and a WitMotion (no timestamps, true period 10.1 ms). Both
        // packets arrive 15 ms + 0..20 ms jitter after their last sample.
        let dir = tempfile::tempdir().unwrap();
        let setups = vec![
            setup(Placement::LowerBack, Model::PolarH10),
            setup(Placement::LeftShank, Model::WitMotionWt901),
        ];
        let mut rec = Recording::create(dir.path(), setups, None, None, Utc::now()).unwrap();
        let mut rng = 7u64;
        let mut events: Vec<(f64, usize, Vec<u8>)> = Vec::new();
        let impulse = |t: f64| (t - 12.0).abs() < 0.005;
        for f in 0..1000u64 {
            let t_last = 0.5 + (2 * f + 1) as f64 * 0.01;
            let samples: Vec<[i16; 3]> = (0..2)
                .map(|j| {
                    let t = t_last - (1 - j) as f64 * 0.01;
                    [0, 0, if impulse(t) { 3000 } else { 1000 }]
                })
                .collect();
            let device_ns = ((100.0 + t_last) * (1.0 + 50e-6) * 1e9) as u64;
            events.push((
                t_last + 0.015 + 0.020 * lcg(&mut rng),
                0,
                polar_acc(device_ns, &samples),
            ));
        }
        for k in 0..1950u64 {
            let t = 0.3 + k as f64 * 0.0101;
            let z = if impulse(t) { 6144 } else { 2048 };
            events.push((
                t + 0.015 + 0.020 * lcg(&mut rng),
                1,
                witmotion::frame([0, 0, z, 0, 0, 0, 0, 0, 0]).to_vec(),
            ));
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (arrival, i, data) in &events {
            let ch = if *i == 0 {
                polar::DATA
            } else {
                witmotion::NOTIFY
            };
            rec.on_notification(*i, ch, data, *arrival).unwrap();
        }
        let session = rec.finish(21.0).unwrap();
        let spike_time = |file: &str| {
            let t = ImuTable::read(&dir.path().join(file)).unwrap();
            let i = (0..t.len())
                .max_by(|&a, &b| t.acc_mps2[2][a].total_cmp(&t.acc_mps2[2][b]))
                .unwrap();
            t.time_s[i]
        };
        // true impulse samples: Polar at 12.0 s, WitMotion at 0.3 + 1158 × 10.1 ms
        let true_difference = 12.0 - (0.3 + 1158.0 * 0.0101);
        let error =
            (spike_time("lower_back.csv") - spike_time("left_shank.csv") - true_difference).abs();
        let reported = session
            .sync
            .unwrap()
            .max_offset_error_s
            .expect("long enough to estimate");
        assert!(error < 0.002, "alignment error {error}");
        assert!(reported < 0.005, "reported {reported}");
    }

    #[test]
    fn arrival_time_sensors_skip_frames_sent_before_the_rate_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recording::create(
            dir.path(),
            vec![setup(Placement::LeftShank, Model::WitMotionWt901)],
            None,
            None,
            Utc::now(),
        )
        .unwrap();
        rec.on_connected(0, 1.0);
        let f = witmotion::frame([0, 0, 2048, 0, 0, 0, 0, 0, 0]);
        for t in [1.1, 1.2, 1.29] {
            rec.on_notification(0, witmotion::NOTIFY, &f, t).unwrap();
        }
        for k in 0..10 {
            rec.on_notification(0, witmotion::NOTIFY, &f, 1.3 + 0.01 * k as f64)
                .unwrap();
        }
        assert_eq!(rec.status()[0].settling_packets, 3);
        rec.finish(2.0).unwrap();
        assert_eq!(
            ImuTable::read(&dir.path().join("left_shank.csv"))
                .unwrap()
                .len(),
            10
        );
    }

    /// Verity ACC compressed type 1 (`0x81`): `n` samples of (0, 0, 1000) mG, last at `ts_ns`.
    fn verity_acc_0x81(ts_ns: u64, n: u8) -> Vec<u8> {
        let mut f = vec![polar::MEAS_ACC];
        f.extend_from_slice(&ts_ns.to_le_bytes());
        f.push(0x81);
        f.extend_from_slice(&[0, 0, 0, 0, 0xE8, 0x03]);
        f.extend_from_slice(&[1, n - 1]);
        f.extend(std::iter::repeat_n(0, (3 * (n as usize - 1)).div_ceil(8)));
        f
    }

    /// Feeds 10 s of Verity ACC frames (10 samples, 104 Hz) and no gyroscope, ticking like
    /// `record` does; returns the notices and the largest queue seen.
    fn acc_without_gyro(rec: &mut Recording) -> (Vec<Notice>, u64) {
        let period_ns = 9_615_385u64;
        let base = 848_000_000_000_000_000u64;
        let (mut notices, mut max_queued) = (Vec::new(), 0);
        for f in 0..104u64 {
            let t = (f + 1) as f64 * 10.0 / 104.0;
            let ts = base + (f * 10 + 9) * period_ns;
            rec.on_notification(0, polar::DATA, &verity_acc_0x81(ts, 10), t + 0.02)
                .unwrap();
            rec.tick(t + 0.02).unwrap();
            notices.extend(rec.take_notices());
            max_queued = max_queued.max(rec.status()[0].queued_readings);
        }
        (notices, max_queued)
    }

    #[test]
    fn a_gyro_that_never_starts_ends_the_recording_and_the_queue_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recording::create(
            dir.path(),
            vec![setup(Placement::LeftShank, Model::PolarVeritySense)],
            None,
            None,
            Utc::now(),
        )
        .unwrap();
        rec.on_connected(0, 0.0);
        let (notices, max_queued) = acc_without_gyro(&mut rec);
        assert_eq!(notices.len(), 1, "{notices:?}");
        let n = &notices[0];
        assert!(n.fatal && n.placement == Placement::LeftShank);
        assert!(
            n.message
                .starts_with("gyroscope: no data 3 s after the start commands (")
                && n.message.contains("accelerometer and 0 gyroscope readings"),
            "{}",
            n.message
        );
        // 4 s of 104 Hz readings at most (plus the frame that just arrived)
        let cap = (QUEUE_S * 104.0).ceil() as u64;
        assert!(max_queued <= cap, "{max_queued} > {cap}");
        assert!(rec.status()[0].unpaired_dropped >= 1040 - cap);
        let (session, empty) = rec.finish_report(11.0).unwrap();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].0, Placement::LeftShank);
        assert!(session
            .notes
            .unwrap()
            .contains("no samples recorded from left-shank"));
    }

    #[test]
    fn with_missing_gyro_allowed_the_accelerometer_is_recorded_alone_and_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recording::create(
            dir.path(),
            vec![setup(Placement::LowerBack, Model::PolarVeritySense)],
            None,
            None,
            Utc::now(),
        )
        .unwrap();
        rec.allow_missing_gyro(true);
        rec.on_connected(0, 0.0);
        let (notices, _) = acc_without_gyro(&mut rec);
        assert_eq!(notices.len(), 1);
        assert!(!notices[0].fatal);
        assert!(
            notices[0]
                .message
                .ends_with("— recording accelerometer only (gyr_* columns are 0)"),
            "{}",
            notices[0].message
        );
        assert!(rec.status()[0].accelerometer_only);
        let session = rec.finish(11.0).unwrap();
        assert!(session
            .notes
            .as_deref()
            .unwrap()
            .contains("gyroscope of lower-back did not start"));
        let t = ImuTable::read(&dir.path().join("lower_back.csv")).unwrap();
        // the readings queued before the 3 s were up are kept; older ones were dropped
        let cap = (QUEUE_S * 104.0).ceil() as usize;
        assert!(
            t.len() >= 1040 - (1040 - cap) && t.len() <= 1040,
            "{}",
            t.len()
        );
        assert!((t.acc_mps2[2][0] - G_MPS2).abs() < 1e-6);
        assert!(t.gyr_dps.iter().all(|axis| axis.iter().all(|&v| v == 0.0)));
        assert_eq!(Session::read(dir.path()).unwrap().notes, session.notes);
    }

    #[test]
    fn unsupported_frames_are_counted_by_kind_and_explain_a_missing_stream() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recording::create(
            dir.path(),
            vec![setup(Placement::LowerBack, Model::PolarH10)],
            None,
            None,
            Utc::now(),
        )
        .unwrap();
        rec.on_connected(0, 0.0);
        let mut odd = verity_acc_0x81(1_000_000_000, 10);
        odd[9] = 0x82;
        for k in 0..40 {
            rec.on_notification(0, polar::DATA, &odd, 0.1 * k as f64)
                .unwrap();
        }
        // the sensor's own "measurement stopped" push is a notice, not a malformed packet
        rec.on_notification(0, polar::CONTROL_POINT, &[0x01, 0x02], 4.0)
            .unwrap();
        rec.tick(4.0).unwrap();
        let st = &rec.status()[0];
        assert_eq!(
            st.unsupported,
            vec![("ACC frame type 0x82".to_string(), 40)]
        );
        assert_eq!(st.malformed_packets, 0);
        let notices = rec.take_notices();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(
            notices[0].message,
            "the sensor stopped its ACC measurement on its own"
        );
        assert!(!notices[0].fatal);
        assert!(notices[1].fatal);
        assert!(
            notices[1]
                .message
                .starts_with("accelerometer: no data 3 s after")
                && notices[1]
                    .message
                    .contains("41 notifications arrived, 40 × unsupported ACC frame type 0x82"),
            "{}",
            notices[1].message
        );
        // a refused start is reported at once, by stream
        rec.on_connected(0, 5.0);
        rec.stream_not_started(
            0,
            Quantity::Acc,
            "ACC start refused: status 5 (invalid parameter) (twice)",
        );
        assert_eq!(
            rec.take_notices()[0].message,
            "accelerometer: ACC start refused: status 5 (invalid parameter) (twice)"
        );
        rec.tick(9.0).unwrap();
        assert!(
            rec.take_notices().is_empty(),
            "reported once per connection"
        );
    }

    #[test]
    fn refuses_to_overwrite_a_session() {
        let dir = tempfile::tempdir().unwrap();
        let setups = || vec![setup(Placement::LowerBack, Model::Movesense)];
        Recording::create(dir.path(), setups(), None, None, Utc::now()).unwrap();
        let err = Recording::create(dir.path(), setups(), None, None, Utc::now())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("already holds a session"), "{err}");
        let twice = vec![
            setup(Placement::LowerBack, Model::Movesense),
            setup(Placement::LowerBack, Model::PolarH10),
        ];
        let err = Recording::create(&dir.path().join("b"), twice, None, None, Utc::now())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "placement lower-back is given twice");
    }
}
