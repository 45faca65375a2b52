//! BLE access through btleplug (BlueZ over D-Bus on Linux, WinRT on Windows, CoreBluetooth on
//! macOS): adapter, scan, connect, identify, subscribe, command/reply exchanges, reconnect,
//! and errors a user can act on on the platform they run on ([`super::platform`]).

use std::collections::BTreeSet;
use std::pin::Pin;
use std::time::{Duration, Instant};

use btleplug::api::{
    Central, CentralEvent, CentralState, CharPropFlags, Characteristic, Manager as _,
    Peripheral as _, ScanFilter, ValueNotification, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::control::{self, Decision, Exchange, ExchangeRecord, Outcome, ReplyMatcher};
use super::identify::{self, DeviceInformation, Identity, MetaWearModules};
use super::platform::{advice, busy_hint, current_os, Problem};
use super::{metawear, Command, Family, Model, Quantity, BATTERY_LEVEL};

/// Errors met when talking to sensors, worded for the person at the keyboard and their OS.
#[derive(Debug, thiserror::Error)]
pub enum BleError {
    #[error(
        "{} (system message: {detail})",
        advice(current_os(), Problem::NoService)
    )]
    NoService { detail: String },
    #[error("{}", advice(current_os(), Problem::NoAdapter))]
    NoAdapter,
    #[error("{}", advice(current_os(), Problem::PoweredOff))]
    PoweredOff,
    #[error("{}", advice(current_os(), Problem::PermissionDenied))]
    PermissionDenied,
    #[error("sensor \"{wanted}\" not found within {} s; seen: {}. Check that it is charged, awake and close, and not connected to a phone", fmt_secs(*.timeout_s), fmt_seen(.seen))]
    NotFound {
        wanted: String,
        seen: Vec<String>,
        timeout_s: f64,
    },
    #[error(
        "sensor {name} is busy (probably connected to another app or phone); {}, then retry",
        busy_hint(current_os())
    )]
    Busy { name: String },
    #[error("{name} is not a supported sensor (supported: Polar Verity Sense, Polar H10, Movesense, WitMotion WT901BLECL, MbientLab MetaMotionS and BMI160 MetaMotion boards)")]
    Unsupported { name: String },
    #[error("{name}: {reason}")]
    Unidentified { name: String, reason: String },
    #[error("{name} ({what}) does not offer characteristic {uuid}; `gaitkit doctor` lists what it offers. Is the firmware up to date?")]
    MissingCharacteristic {
        name: String,
        what: String,
        uuid: Uuid,
    },
    #[error("{name}: {reason}")]
    Setup { name: String, reason: String },
    #[error("Bluetooth error: {0}")]
    Other(String),
}

impl BleError {
    /// Whether retrying (reconnecting) cannot help.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            BleError::MissingCharacteristic { .. }
                | BleError::PermissionDenied
                | BleError::Unsupported { .. }
                | BleError::Unidentified { .. }
                | BleError::Setup { .. }
        )
    }
}

/// Seconds without a trailing `.0` (`10`, `0.5`).
fn fmt_secs(s: f64) -> String {
    let r = (s * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn fmt_seen(seen: &[String]) -> String {
    if seen.is_empty() {
        "no devices at all".into()
    } else {
        seen.join(", ")
    }
}

/// Maps a btleplug error to a user-facing error. btleplug keeps D-Bus errors as text (the
/// D-Bus error message, sometimes with the error name), so both are matched, ignoring case.
pub fn map_error(e: btleplug::Error, name: &str) -> BleError {
    match e {
        btleplug::Error::PermissionDenied => return BleError::PermissionDenied,
        btleplug::Error::NoAdapterAvailable => return BleError::NoAdapter,
        _ => {}
    }
    let text = e.to_string();
    let t = text.to_lowercase();
    let any = |keys: &[&str]| keys.iter().any(|k| t.contains(k));
    if any(&[
        "system_bus_socket",
        "failed to connect to socket",
        "serviceunknown",
        "was not provided by any",
        "timeout waiting for reply",
    ]) {
        BleError::NoService { detail: text }
    } else if any(&[
        "accessdenied",
        "access denied",
        "notpermitted",
        "not permitted",
        "notauthorized",
        "not authorized",
        "permission denied",
    ]) {
        BleError::PermissionDenied
    } else if any(&[
        "inprogress",
        "in progress",
        "alreadyconnected",
        "already connected",
        "busy",
    ]) {
        BleError::Busy { name: name.into() }
    } else if any(&["notready", "not ready"]) {
        BleError::PoweredOff
    } else {
        BleError::Other(text)
    }
}

/// A device seen while scanning.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub name: Option<String>,
    pub address: String,
    pub rssi: Option<i16>,
    /// Protocol family from the advertisement (`None`: not a supported sensor).
    pub family: Option<Family>,
    /// Model the advertisement suggests, where it settles it (see [`Model::from_advertisement`]).
    pub model: Option<Model>,
    pub services: Vec<Uuid>,
}

impl Found {
    /// Whether `target` (name, name prefix or address, case-insensitive) designates this device.
    pub fn matches(&self, target: &str) -> bool {
        let t = target.trim();
        self.address.eq_ignore_ascii_case(t)
            || self.name.as_deref().is_some_and(|n| {
                n.eq_ignore_ascii_case(t) || n.to_lowercase().starts_with(&t.to_lowercase())
            })
    }

    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.address),
            None => self.address.clone(),
        }
    }

    /// What the scan can say about the device: the model, or the family with a note that
    /// the model is read on connecting.
    pub fn kind(&self) -> String {
        match (self.model, self.family) {
            (Some(m), _) => m.name().to_string(),
            (None, Some(f)) => format!("{} (model read on connecting)", f.name()),
            (None, None) => "unsupported".into(),
        }
    }
}

/// The system's first Bluetooth adapter.
pub struct Ble {
    adapter: Adapter,
}

impl Ble {
    /// Connects to the system's Bluetooth stack and checks that an adapter exists and is powered.
    pub async fn open() -> Result<Ble, BleError> {
        let manager = Manager::new().await.map_err(|e| map_error(e, ""))?;
        let adapter = manager
            .adapters()
            .await
            .map_err(|e| map_error(e, ""))?
            .into_iter()
            .next()
            .ok_or(BleError::NoAdapter)?;
        match adapter
            .adapter_state()
            .await
            .map_err(|e| map_error(e, ""))?
        {
            CentralState::PoweredOff => return Err(BleError::PoweredOff),
            CentralState::PoweredOn | CentralState::Unknown => {}
        }
        Ok(Ble { adapter })
    }

    pub fn adapter(&self) -> &Adapter {
        &self.adapter
    }

    /// The adapter as the platform describes it (BlueZ: `hci0 (usb:v1D6Bp0246d0540)`) and its state.
    pub async fn describe(&self) -> (String, String) {
        let info = self
            .adapter
            .adapter_info()
            .await
            .unwrap_or_else(|e| format!("(not available: {e})"));
        let state = match self.adapter.adapter_state().await {
            Ok(CentralState::PoweredOn) => "powered on".to_string(),
            Ok(CentralState::PoweredOff) => "powered off".to_string(),
            Ok(CentralState::Unknown) => "state not reported".to_string(),
            Err(e) => format!("state not available ({e})"),
        };
        (info, state)
    }

    /// Scans for `timeout` (or until every target is found) and returns all devices seen.
    pub async fn scan(
        &self,
        timeout: Duration,
        targets: &[String],
    ) -> Result<Vec<(Peripheral, Found)>, BleError> {
        let mut events = self.adapter.events().await.map_err(|e| map_error(e, ""))?;
        self.adapter
            .start_scan(ScanFilter::default())
            .await
            .map_err(|e| map_error(e, ""))?;
        let deadline = tokio::time::Instant::now() + timeout;
        // With targets, stop as soon as all are seen (checked on discovery events only);
        // without, listen for the whole timeout.
        loop {
            match tokio::time::timeout_at(deadline, events.next()).await {
                Ok(Some(CentralEvent::DeviceDiscovered(_) | CentralEvent::DeviceUpdated(_)))
                    if !targets.is_empty() =>
                {
                    let found = self.found().await?;
                    if targets
                        .iter()
                        .all(|t| found.iter().any(|(_, f)| f.matches(t)))
                    {
                        break;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let found = self.found().await;
        let _ = self.adapter.stop_scan().await;
        found
    }

    async fn found(&self) -> Result<Vec<(Peripheral, Found)>, BleError> {
        let mut out = Vec::new();
        for p in self
            .adapter
            .peripherals()
            .await
            .map_err(|e| map_error(e, ""))?
        {
            let Some(props) = p.properties().await.map_err(|e| map_error(e, ""))? else {
                continue;
            };
            let name = props.local_name.or(props.advertisement_name);
            out.push((
                p,
                Found {
                    family: Family::recognise(name.as_deref(), &props.services),
                    model: Model::from_advertisement(name.as_deref(), &props.services),
                    name,
                    address: props.address.to_string(),
                    rssi: props.rssi,
                    services: props.services,
                },
            ));
        }
        Ok(out)
    }

    /// Finds one peripheral per target, or says which target is missing and what was seen.
    pub async fn find(
        &self,
        targets: &[String],
        timeout: Duration,
    ) -> Result<Vec<(Peripheral, Found)>, BleError> {
        let all = self.scan(timeout, targets).await?;
        let mut out = Vec::new();
        for t in targets {
            match all.iter().find(|(_, f)| f.matches(t)) {
                Some((p, f)) => {
                    if f.family.is_none() {
                        return Err(BleError::Unsupported { name: f.label() });
                    }
                    out.push((p.clone(), f.clone()));
                }
                None => {
                    return Err(BleError::NotFound {
                        wanted: t.clone(),
                        seen: all.iter().map(|(_, f)| f.label()).collect(),
                        timeout_s: timeout.as_secs_f64(),
                    })
                }
            }
        }
        Ok(out)
    }
}

/// The notifications of one peripheral, all characteristics.
pub type NotificationStream = Pin<Box<dyn futures::Stream<Item = ValueNotification> + Send>>;

/// A notification with its host arrival time.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub characteristic: Uuid,
    pub data: Vec<u8>,
    pub arrival: Instant,
}

/// What a running link reports to the recorder.
#[derive(Debug, Clone)]
pub enum LinkEvent {
    /// Connected and the start sequence ran; `not_started` lists streams the device refused
    /// (already retried once) with the reason.
    Connected {
        sensor: usize,
        not_started: Vec<(Quantity, String)>,
    },
    Notification {
        sensor: usize,
        characteristic: Uuid,
        data: Vec<u8>,
        arrival: Instant,
    },
    Battery {
        sensor: usize,
        pct: u8,
    },
    Disconnected {
        sensor: usize,
        at: Instant,
    },
    Reconnecting {
        sensor: usize,
        attempt: u32,
        delay: Duration,
        reason: String,
    },
    /// The link gave up (an error that retrying cannot fix).
    Failed {
        sensor: usize,
        error: String,
    },
}

/// Delay before reconnect attempt `attempt` (1-based): 0.25 s doubling to at most 4 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << attempt.saturating_sub(1).min(4)).min(4000))
}

/// Connects (if needed) and discovers the GATT table.
pub async fn connect(p: &Peripheral, name: &str) -> Result<(), BleError> {
    let err = |e| map_error(e, name);
    if !p.is_connected().await.map_err(err)? {
        p.connect().await.map_err(err)?;
    }
    p.discover_services().await.map_err(err)
}

/// Reads the Device Information strings the device offers (3 s per read at most).
pub async fn device_information(p: &Peripheral) -> DeviceInformation {
    let chars = p.characteristics();
    let read = |uuid: Uuid| {
        let c = chars.iter().find(|c| c.uuid == uuid).cloned();
        async move {
            let c = c?;
            let bytes = tokio::time::timeout(Duration::from_secs(3), p.read(&c))
                .await
                .ok()?
                .ok()?;
            DeviceInformation::text(&bytes)
        }
    };
    DeviceInformation {
        manufacturer: read(super::MANUFACTURER_NAME).await,
        model_number: read(super::MODEL_NUMBER).await,
        serial_number: read(super::SERIAL_NUMBER).await,
        hardware_revision: read(super::HARDWARE_REVISION).await,
        firmware_revision: read(super::FIRMWARE_REVISION).await,
        software_revision: read(super::SOFTWARE_REVISION).await,
    }
}

/// Connects to a found sensor and reads what it is: Device Information, and on MetaWear
/// boards the module information that names the IMU chip. Leaves the link connected.
pub async fn identify(
    p: &Peripheral,
    found: &Found,
) -> Result<(Identity, Vec<ExchangeRecord>), BleError> {
    let name = found.label();
    let family = found
        .family
        .ok_or_else(|| BleError::Unsupported { name: name.clone() })?;
    connect(p, &name).await?;
    let info = device_information(p).await;
    let mut log = Vec::new();
    let modules = match family {
        Family::MetaWear => metawear_modules(p, &name, &mut log).await?,
        _ => None,
    };
    let id = identify::identify(family, found.name.as_deref(), &info, modules)
        .map_err(|reason| BleError::Unidentified { name, reason })?;
    Ok((id, log))
}

/// Asks a MetaWear board for its accelerometer and gyroscope module information; `None` when
/// it does not answer.
async fn metawear_modules(
    p: &Peripheral,
    name: &str,
    log: &mut Vec<ExchangeRecord>,
) -> Result<Option<MetaWearModules>, BleError> {
    let chars = p.characteristics();
    let what = Family::MetaWear.name();
    let notify = find_char(&chars, metawear::NOTIFY, name, what)?;
    let err = |e| map_error(e, name);
    let mut stream = p.notifications().await.map_err(err)?;
    p.subscribe(&notify).await.map_err(err)?;
    let mut early = Vec::new();
    let mut modules = MetaWearModules::default();
    let mut answered = true;
    for module in [metawear::ACC, metawear::GYR] {
        let x = metawear::module_info_exchange(module);
        let from = log.len();
        let r = run_exchanges(
            p,
            name,
            what,
            &chars,
            &mut stream,
            std::slice::from_ref(&x),
            control::REPLY_TIMEOUT,
            &mut early,
            log,
        )
        .await;
        let params = log[from..].iter().rev().find_map(|r| match &r.outcome {
            Outcome::Accepted(params) => Some(params.clone()),
            _ => None,
        });
        match (r, params) {
            (Ok(_), Some(params)) => {
                let implementation = metawear::implementation(&params);
                if module == metawear::ACC {
                    modules.accelerometer = implementation;
                } else {
                    modules.gyroscope = implementation;
                }
            }
            (Err(BleError::Setup { .. }), _) | (Ok(_), None) => answered = false,
            (Err(e), _) => return Err(e),
        }
    }
    let _ = p.unsubscribe(&notify).await;
    Ok(answered.then_some(modules))
}

fn find_char(
    chars: &BTreeSet<Characteristic>,
    uuid: Uuid,
    name: &str,
    what: &str,
) -> Result<Characteristic, BleError> {
    chars
        .iter()
        .find(|c| c.uuid == uuid)
        .cloned()
        .ok_or_else(|| BleError::MissingCharacteristic {
            name: name.to_string(),
            what: what.to_string(),
            uuid,
        })
}

async fn write(
    p: &Peripheral,
    name: &str,
    what: &str,
    chars: &BTreeSet<Characteristic>,
    cmd: &Command,
) -> Result<(), BleError> {
    let c = find_char(chars, cmd.characteristic, name, what)?;
    let kind = if cmd.with_response {
        WriteType::WithResponse
    } else {
        WriteType::WithoutResponse
    };
    p.write(&c, &cmd.bytes, kind)
        .await
        .map_err(|e| map_error(e, name))
}

/// Takes notifications until `deadline`, keeping them with their arrival times.
async fn collect_until(
    stream: &mut NotificationStream,
    deadline: tokio::time::Instant,
    early: &mut Vec<Captured>,
) {
    while let Ok(Some(n)) = tokio::time::timeout_at(deadline, stream.next()).await {
        early.push(Captured {
            characteristic: n.uuid,
            data: n.value,
            arrival: Instant::now(),
        });
    }
}

/// Waits up to `timeout` for the reply `expect` describes; every notification taken meanwhile
/// is kept in `early` (data that arrives while a later stream is being started, the reply
/// itself for the decoder's conversion factors).
async fn await_reply(
    stream: &mut NotificationStream,
    expect: control::Expect,
    timeout: Duration,
    early: &mut Vec<Captured>,
) -> (Outcome, Vec<Vec<u8>>) {
    let mut matcher = ReplyMatcher::new(expect);
    let mut replies = Vec::new();
    if !matcher.waits() {
        return (Outcome::Written, replies);
    }
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(n)) => {
                if control::is_reply_traffic(expect, n.uuid, &n.value) {
                    replies.push(n.value.clone());
                }
                let outcome = matcher.offer(n.uuid, &n.value);
                early.push(Captured {
                    characteristic: n.uuid,
                    data: n.value,
                    arrival: Instant::now(),
                });
                if let Some(o) = outcome {
                    return (o, replies);
                }
            }
            Ok(None) | Err(_) => return (Outcome::NoReply(timeout), replies),
        }
    }
}

/// Runs `exchanges` one at a time as [`control::decide`] says: write, await the reply, retry
/// once after a refusal. Returns the streams the device did not start, with the reason.
#[allow(clippy::too_many_arguments)]
async fn run_exchanges(
    p: &Peripheral,
    name: &str,
    what: &str,
    chars: &BTreeSet<Characteristic>,
    stream: &mut NotificationStream,
    exchanges: &[Exchange],
    timeout: Duration,
    early: &mut Vec<Captured>,
    log: &mut Vec<ExchangeRecord>,
) -> Result<Vec<(Quantity, String)>, BleError> {
    let mut not_started = Vec::new();
    for x in exchanges {
        let mut attempt = 0;
        loop {
            write(p, name, what, chars, &x.command).await?;
            let (outcome, replies) = await_reply(stream, x.expect, timeout, early).await;
            log.push(ExchangeRecord {
                command: x.command.bytes.clone(),
                name: control::command_name(x),
                replies,
                outcome: outcome.clone(),
                attempt,
            });
            match control::decide(x, attempt, &outcome) {
                Decision::Next => break,
                Decision::Retry { after, first } => {
                    collect_until(stream, tokio::time::Instant::now() + after, early).await;
                    if let Some(f) = first {
                        write(p, name, what, chars, &f.command).await?;
                        let (outcome, replies) =
                            await_reply(stream, f.expect, control::STOP_REPLY_TIMEOUT, early).await;
                        log.push(ExchangeRecord {
                            command: f.command.bytes.clone(),
                            name: control::command_name(&f),
                            replies,
                            outcome,
                            attempt: 0,
                        });
                    }
                    attempt += 1;
                }
                Decision::StreamNotStarted { quantity, reason } => {
                    not_started.push((quantity, reason));
                    break;
                }
                Decision::Fail(reason) => {
                    return Err(BleError::Setup {
                        name: name.to_string(),
                        reason,
                    })
                }
            }
        }
    }
    Ok(not_started)
}

/// A started link: the notification stream and what happened while starting.
pub struct Started {
    pub stream: NotificationStream,
    /// Notifications that arrived while the start sequence ran, in order.
    pub early: Vec<Captured>,
    /// Every command written and its reply.
    pub log: Vec<ExchangeRecord>,
    /// Streams the device refused to start (already retried), with the reason.
    pub not_started: Vec<(Quantity, String)>,
}

/// One identified sensor connection.
#[derive(Clone)]
pub struct Link {
    pub sensor: usize,
    pub peripheral: Peripheral,
    pub model: Model,
    pub name: String,
}

impl Link {
    /// Connects, discovers, subscribes (notifications stream opened first) and runs the start
    /// sequence, one command at a time.
    pub async fn start(&self) -> Result<Started, BleError> {
        let p = &self.peripheral;
        let err = |e| map_error(e, &self.name);
        connect(p, &self.name).await?;
        let chars = p.characteristics();
        let mut stream = p.notifications().await.map_err(err)?;
        for uuid in self.model.notify_characteristics() {
            let c = find_char(&chars, *uuid, &self.name, self.model.name())?;
            p.subscribe(&c).await.map_err(err)?;
        }
        let mut early = Vec::new();
        let mut log = Vec::new();
        let not_started = run_exchanges(
            p,
            &self.name,
            self.model.name(),
            &chars,
            &mut stream,
            &self.model.start_exchanges(),
            control::REPLY_TIMEOUT,
            &mut early,
            &mut log,
        )
        .await?;
        Ok(Started {
            stream,
            early,
            log,
            not_started,
        })
    }

    /// Standard battery level, if the device exposes it.
    pub async fn battery(&self) -> Option<u8> {
        let c = self
            .peripheral
            .characteristics()
            .into_iter()
            .find(|c| c.uuid == BATTERY_LEVEL)?;
        self.peripheral.read(&c).await.ok()?.first().copied()
    }

    /// Runs the stop sequence (replies awaited briefly) and disconnects; errors are ignored
    /// (the link may be gone). Returns the notifications that arrived meanwhile.
    pub async fn stop(&self, stream: &mut NotificationStream) -> Vec<Captured> {
        let chars = self.peripheral.characteristics();
        let mut tail = Vec::new();
        let mut log = Vec::new();
        if self.peripheral.is_connected().await.unwrap_or(false) {
            let _ = run_exchanges(
                &self.peripheral,
                &self.name,
                self.model.name(),
                &chars,
                stream,
                &self.model.stop_exchanges(),
                control::STOP_REPLY_TIMEOUT,
                &mut tail,
                &mut log,
            )
            .await;
        }
        let _ = self.peripheral.disconnect().await;
        tail
    }

    /// Streams until `stop` fires, reconnecting with [`backoff`] after a dropped connection.
    /// `disconnects` carries the ids of peripherals the platform reported disconnected.
    /// `tx` is bounded: a recorder that falls behind slows the link down, nothing is dropped.
    pub async fn run(
        self,
        tx: mpsc::Sender<LinkEvent>,
        mut disconnects: tokio::sync::broadcast::Receiver<PeripheralId>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let sensor = self.sensor;
        let id = self.peripheral.id();
        let mut attempt = 0u32;
        let notification = |c: Captured| LinkEvent::Notification {
            sensor,
            characteristic: c.characteristic,
            data: c.data,
            arrival: c.arrival,
        };
        'outer: while !*stop.borrow() {
            let Started {
                mut stream,
                early,
                not_started,
                ..
            } = match self.start().await {
                Ok(s) => s,
                Err(e) if e.is_fatal() => {
                    let _ = tx
                        .send(LinkEvent::Failed {
                            sensor,
                            error: e.to_string(),
                        })
                        .await;
                    return;
                }
                Err(e) => {
                    attempt += 1;
                    let delay = backoff(attempt);
                    let _ = tx
                        .send(LinkEvent::Reconnecting {
                            sensor,
                            attempt,
                            delay,
                            reason: e.to_string(),
                        })
                        .await;
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            attempt = 0;
            let _ = tx
                .send(LinkEvent::Connected {
                    sensor,
                    not_started,
                })
                .await;
            for c in early {
                let _ = tx.send(notification(c)).await;
            }
            // read the battery aside so notifications keep their arrival times
            let (link, info_tx) = (self.clone(), tx.clone());
            tokio::spawn(async move {
                if let Some(pct) = link.battery().await {
                    let _ = info_tx.send(LinkEvent::Battery { sensor, pct }).await;
                }
            });
            let mut poll = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    n = stream.next() => match n {
                        Some(n) => {
                            let c = Captured { characteristic: n.uuid, data: n.value, arrival: Instant::now() };
                            let _ = tx.send(notification(c)).await;
                        }
                        None => break,
                    },
                    d = disconnects.recv() => match d {
                        Ok(d) if d == id => break,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => break,
                    },
                    _ = poll.tick() => {
                        if !self.peripheral.is_connected().await.unwrap_or(false) {
                            break;
                        }
                    }
                    _ = stop.changed() => {
                        for c in self.stop(&mut stream).await {
                            let _ = tx.send(notification(c)).await;
                        }
                        break 'outer;
                    }
                }
            }
            let _ = tx
                .send(LinkEvent::Disconnected {
                    sensor,
                    at: Instant::now(),
                })
                .await;
        }
    }
}

/// One discovered GATT service with its characteristics (uuid, property names).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInfo {
    pub uuid: Uuid,
    pub primary: bool,
    pub characteristics: Vec<(Uuid, Vec<&'static str>)>,
}

/// The GATT table as discovered.
pub fn gatt_table(p: &Peripheral) -> Vec<ServiceInfo> {
    p.services()
        .into_iter()
        .map(|s| ServiceInfo {
            uuid: s.uuid,
            primary: s.primary,
            characteristics: s
                .characteristics
                .iter()
                .map(|c| (c.uuid, property_names(c.properties)))
                .collect(),
        })
        .collect()
}

fn property_names(f: CharPropFlags) -> Vec<&'static str> {
    [
        (CharPropFlags::READ, "read"),
        (CharPropFlags::WRITE, "write"),
        (
            CharPropFlags::WRITE_WITHOUT_RESPONSE,
            "write-without-response",
        ),
        (CharPropFlags::NOTIFY, "notify"),
        (CharPropFlags::INDICATE, "indicate"),
        (CharPropFlags::BROADCAST, "broadcast"),
        (CharPropFlags::AUTHENTICATED_SIGNED_WRITES, "signed-write"),
        (CharPropFlags::EXTENDED_PROPERTIES, "extended"),
    ]
    .into_iter()
    .filter(|(flag, _)| f.contains(*flag))
    .map(|(_, n)| n)
    .collect()
}

/// Forwards the platform's "device disconnected" events to all links.
pub async fn watch_disconnects(
    ble: &Ble,
) -> Result<tokio::sync::broadcast::Sender<PeripheralId>, BleError> {
    let mut events = ble.adapter.events().await.map_err(|e| map_error(e, ""))?;
    let (tx, _) = tokio::sync::broadcast::channel(64);
    let fwd = tx.clone();
    tokio::spawn(async move {
        while let Some(e) = events.next().await {
            if let CentralEvent::DeviceDisconnected(id) = e {
                let _ = fwd.send(id);
            }
        }
    });
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_error_texts_map_to_actionable_errors() {
        let other = |t: &str| btleplug::Error::Other(t.to_string().into());
        let cases = [
            ("Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory", Problem::NoService),
            ("The name org.bluez was not provided by any .service files (org.freedesktop.DBus.Error.ServiceUnknown)", Problem::NoService),
            ("Operation Not Authorized", Problem::PermissionDenied),
            ("Resource Not Ready", Problem::PoweredOff),
        ];
        for (text, problem) in cases {
            let got = map_error(other(text), "WT901").to_string();
            assert!(
                got.starts_with(advice(current_os(), problem)),
                "{text} -> {got}"
            );
        }
        for text in [
            "Operation already in progress",
            "Device or resource busy (org.bluez.Error.Failed)",
        ] {
            let got = map_error(other(text), "WT901").to_string();
            assert!(got.contains("sensor WT901 is busy"), "{text} -> {got}");
        }
        assert!(matches!(
            map_error(btleplug::Error::PermissionDenied, ""),
            BleError::PermissionDenied
        ));
        assert!(matches!(
            map_error(btleplug::Error::NoAdapterAvailable, ""),
            BleError::NoAdapter
        ));
        assert!(matches!(
            map_error(other("Software caused connection abort"), ""),
            BleError::Other(_)
        ));
    }

    #[test]
    fn backoff_doubles_up_to_four_seconds() {
        let d: Vec<u64> = (1..=7).map(|a| backoff(a).as_millis() as u64).collect();
        assert_eq!(d, vec![250, 500, 1000, 2000, 4000, 4000, 4000]);
    }

    fn found(name: &str, family: Option<Family>, model: Option<Model>) -> Found {
        Found {
            name: Some(name.into()),
            address: "A0:9E:1A:B5:A5:E6".into(),
            rssi: Some(-60),
            family,
            model,
            services: vec![],
        }
    }

    #[test]
    fn targets_match_names_prefixes_and_addresses() {
        let f = found(
            "Polar Sense B5A5E62D",
            Some(Family::Polar),
            Some(Model::PolarVeritySense),
        );
        assert!(
            f.matches("polar sense b5a5e62d")
                && f.matches("Polar Sense")
                && f.matches("a0:9e:1a:b5:a5:e6")
        );
        assert!(!f.matches("WT901"));
        assert_eq!(f.kind(), "Polar Verity Sense");
        assert_eq!(
            found("MetaWear", Some(Family::MetaWear), None).kind(),
            "MbientLab MetaWear (model read on connecting)"
        );
        assert_eq!(found("Buds", None, None).kind(), "unsupported");
    }

    #[test]
    fn not_found_lists_what_was_seen() {
        let e = BleError::NotFound {
            wanted: "WT901".into(),
            seen: vec!["Polar H10 1 (AA:BB)".into()],
            timeout_s: 10.0,
        };
        assert_eq!(
            e.to_string(),
            "sensor \"WT901\" not found within 10 s; seen: Polar H10 1 (AA:BB). Check that it is charged, awake and close, and not connected to a phone"
        );
        let e = BleError::NotFound {
            wanted: "x".into(),
            seen: vec![],
            timeout_s: 5.0,
        };
        assert!(e.to_string().contains("seen: no devices at all"));
    }

    #[test]
    fn property_names_follow_bluez_wording() {
        assert_eq!(
            property_names(CharPropFlags::WRITE | CharPropFlags::INDICATE | CharPropFlags::NOTIFY),
            vec!["write", "notify", "indicate"]
        );
    }
}
