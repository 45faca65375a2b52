//! Recording a session from several BLE IMUs at once.
//!
//! [`Recording`] is the synchronous core: it takes notifications (bytes, characteristic,
//! arrival time), decodes them, pairs accelerometer and gyroscope readings, drops duplicate
//! and out-of-order packets, maps clocks onto one host timeline, records gaps and appends
//! samples to one CSV per sensor, flushed at least every [`FLUSH_INTERVAL_S`].
//! [`record`] drives it from btleplug links and reports progress as [`StatusEvent`]s on a
//! channel; the library never prints.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::ble::{self, Ble, BleError, LinkEvent};
use super::clock::{Clock, TimeSource};
use super::{mounting, Decoder, Model, Quantity, Reading};
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
    /// The latest decoding problem, e.g. a start command the device refused.
    pub last_problem: Option<String>,
    /// Packets skipped while the configured rate took effect (see [`SETTLE_S`]).
    pub settling_packets: u64,
    pub battery_pct: Option<u8>,
    /// Session time of the last written sample, s.
    pub seconds_recorded: f64,
    pub connected: bool,
    pub reconnects: u32,
}

/// Progress of a recording.
#[derive(Debug, Clone)]
pub enum StatusEvent {
    Connecting {
        placement: Placement,
        target: String,
    },
    Connected {
        placement: Placement,
        model: Model,
        name: String,
        address: String,
    },
    /// Samples just written (session seconds), for live displays such as a step counter.
    Samples {
        placement: Placement,
        samples: Vec<ImuSample>,
    },
    /// Periodic counters of all sensors (every [`FLUSH_INTERVAL_S`]).
    Status(Vec<SensorStatus>),
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
    batch: Vec<f64>,
    out: Vec<ImuSample>,
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
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Handles one notification of sensor `index` that arrived at host time `arrival_s`.
    /// Returns the samples written (session seconds) for live displays.
    pub fn on_notification(
        &mut self,
        index: usize,
        characteristic: Uuid,
        data: &[u8],
        arrival_s: f64,
    ) -> Result<()> {
        let s = &mut self.sensors[index];
        s.status.packets += 1;
        if s.settle_until_s.is_some_and(|t| arrival_s < t) {
            s.status.settling_packets += 1;
            return self.flush_if_due(arrival_s);
        }
        s.readings.clear();
        if let Err(e) = s.decoder.decode_into(characteristic, data, &mut s.readings) {
            s.status.malformed_packets += 1;
            s.status.last_problem = Some(e.to_string());
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
    pub fn finish(mut self, end_s: f64) -> Result<Session> {
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
        self.flush_all()?;
        self.session.write(&self.dir)?;
        Ok(self.session)
    }
}

/// Pairs queued accelerometer and gyroscope readings into samples (`time_s` = device time,
/// or 0 for arrival-time devices). Readings whose partner is more than half a period away
/// are dropped. Models without a gyroscope get zero angular velocity.
fn pair(s: &mut SensorState) -> Vec<ImuSample> {
    let has_gyr = s.setup.model.has_gyroscope();
    for r in s.readings.drain(..) {
        match r.quantity {
            Quantity::Acc => s.acc.push_back(r),
            Quantity::Gyr => s.gyr.push_back(r),
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
    if !has_gyr {
        s.gyr.clear();
    }
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
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Ble(#[from] BleError),
    #[error(transparent)]
    Session(#[from] Error),
    #[error("{placement} sensor: {error}")]
    Link { placement: Placement, error: String },
}

/// Records a session: finds and connects all sensors concurrently, streams until `duration`
/// or `stop` resolves, reconnecting dropped links, and returns the written session.
pub async fn record(
    opts: RecordOptions,
    status: mpsc::UnboundedSender<StatusEvent>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Session, RecordError> {
    let ble = Ble::open().await?;
    let disconnects = ble::watch_disconnects(&ble).await?;
    let targets: Vec<String> = opts.sensors.iter().map(|(_, t)| t.clone()).collect();
    for (placement, target) in &opts.sensors {
        let _ = status.send(StatusEvent::Connecting {
            placement: *placement,
            target: target.clone(),
        });
    }
    let found = ble.find(&targets, opts.scan_timeout).await?;
    let setups: Vec<SensorSetup> = opts
        .sensors
        .iter()
        .zip(&found)
        .map(|((placement, _), (_, f))| SensorSetup {
            placement: *placement,
            model: f.model.expect("find returns supported models"),
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
    let (tx, mut rx) = mpsc::unbounded_channel();
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
    let deadline = opts.duration.map(|d| tokio::time::Instant::now() + d);
    let sleep_until_deadline = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep_until_deadline);
    tokio::pin!(stop);
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut failure = None;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = &mut sleep_until_deadline => break,
            _ = ticker.tick() => {
                if let Some(st) = rec.tick(host_s(Instant::now()))? {
                    let _ = status.send(StatusEvent::Status(st));
                }
            }
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                if let Some(f) = handle(&mut rec, &setups, ev, &status, host_s)? {
                    failure = Some(f);
                    break;
                }
            }
        }
    }
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), futures::future::join_all(tasks)).await;
    while let Ok(ev) = rx.try_recv() {
        if let LinkEvent::Notification { .. } = ev {
            handle(&mut rec, &setups, ev, &status, host_s)?;
        }
    }
    let session = rec.finish(host_s(Instant::now()))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(session),
    }
}

fn handle(
    rec: &mut Recording,
    setups: &[SensorSetup],
    ev: LinkEvent,
    status: &mpsc::UnboundedSender<StatusEvent>,
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
            for (i, s) in setups.iter().enumerate() {
                let written = rec.take_written(i);
                if !written.is_empty() {
                    let _ = status.send(StatusEvent::Samples {
                        placement: s.placement,
                        samples: written,
                    });
                }
            }
        }
        LinkEvent::Connected { sensor } => {
            let s = &setups[sensor];
            rec.on_connected(sensor, host_s(Instant::now()));
            let _ = status.send(StatusEvent::Connected {
                placement: s.placement,
                model: s.model,
                name: s.name.clone().unwrap_or_default(),
                address: s.address.clone().unwrap_or_default(),
            });
        }
        LinkEvent::Battery { sensor, pct } => rec.set_battery(sensor, pct),
        LinkEvent::Firmware { sensor, version } => rec.set_firmware(sensor, version),
        LinkEvent::Disconnected { sensor, at } => {
            let at_s = host_s(at);
            rec.on_disconnect(sensor, at_s)?;
            let _ = status.send(StatusEvent::Disconnected {
                placement: setups[sensor].placement,
                at_s,
            });
        }
        LinkEvent::Reconnecting {
            sensor,
            attempt,
            delay,
            reason,
        } => {
            let _ = status.send(StatusEvent::Reconnecting {
                placement: setups[sensor].placement,
                attempt,
                delay,
                reason,
            });
        }
        LinkEvent::Failed { sensor, error } => {
            return Ok(Some(RecordError::Link {
                placement: setups[sensor].placement,
                error,
            }))
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ImuTable;
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
