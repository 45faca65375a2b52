//! BLE access through btleplug (BlueZ over D-Bus on Linux): adapter, scan, connect,
//! subscribe, start/stop commands, reconnect, and errors a user can act on.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use btleplug::api::{
    Central, CentralEvent, CentralState, Characteristic, Manager as _, Peripheral as _, ScanFilter,
    WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Command, Model, BATTERY_LEVEL, FIRMWARE_REVISION};

/// Errors met when talking to sensors, worded for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum BleError {
    #[error("cannot reach BlueZ over D-Bus ({detail}); is the Bluetooth service running? Try `sudo systemctl start bluetooth`")]
    NoBluez { detail: String },
    #[error("no Bluetooth adapter found; plug in a USB Bluetooth adapter or enable Bluetooth in the BIOS, then check `bluetoothctl list`")]
    NoAdapter,
    #[error("the Bluetooth adapter is powered off; switch it on with `bluetoothctl power on` (or unblock it with `rfkill unblock bluetooth`)")]
    PoweredOff,
    #[error("sensor \"{wanted}\" not found within {} s; seen: {}. Check that it is charged, awake and close, and not connected to a phone", fmt_secs(*.timeout_s), fmt_seen(.seen))]
    NotFound {
        wanted: String,
        seen: Vec<String>,
        timeout_s: f64,
    },
    #[error("sensor {name} is busy (probably connected to another app or phone); close that app or switch the phone's Bluetooth off, then retry")]
    Busy { name: String },
    #[error("permission denied by BlueZ; run as a user in the `bluetooth` group (`sudo usermod -aG bluetooth $USER`, then log in again)")]
    PermissionDenied,
    #[error("{name} is not a supported sensor (supported: Polar Verity Sense, Polar H10, Movesense, WitMotion WT901BLECL, MbientLab MetaMotionS)")]
    Unsupported { name: String },
    #[error("{name} ({model}) does not offer characteristic {uuid}; is the firmware up to date?")]
    MissingCharacteristic {
        name: String,
        model: Model,
        uuid: Uuid,
    },
    #[error("Bluetooth error: {0}")]
    Other(String),
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
        BleError::NoBluez { detail: text }
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
    pub model: Option<Model>,
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
}

/// The system's first Bluetooth adapter.
pub struct Ble {
    adapter: Adapter,
}

impl Ble {
    /// Connects to BlueZ and checks that an adapter exists and is powered.
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
            let model = Model::recognise(name.as_deref(), &props.services);
            out.push((
                p,
                Found {
                    name,
                    address: props.address.to_string(),
                    rssi: props.rssi,
                    model,
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
                    if f.model.is_none() {
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

/// What a running link reports to the recorder.
#[derive(Debug, Clone)]
pub enum LinkEvent {
    Connected {
        sensor: usize,
    },
    Notification {
        sensor: usize,
        characteristic: Uuid,
        data: Vec<u8>,
        arrival: Instant,
    },
    Firmware {
        sensor: usize,
        version: String,
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

/// One sensor connection.
#[derive(Clone)]
pub struct Link {
    pub sensor: usize,
    pub peripheral: Peripheral,
    pub model: Model,
    pub name: String,
}

impl Link {
    /// Connects, discovers, subscribes (notifications stream opened first) and writes the
    /// start commands. Returns the notification stream.
    pub async fn start(
        &self,
    ) -> Result<
        std::pin::Pin<Box<dyn futures::Stream<Item = btleplug::api::ValueNotification> + Send>>,
        BleError,
    > {
        let p = &self.peripheral;
        let err = |e| map_error(e, &self.name);
        if !p.is_connected().await.map_err(err)? {
            p.connect().await.map_err(err)?;
        }
        p.discover_services().await.map_err(err)?;
        let chars = p.characteristics();
        let stream = p.notifications().await.map_err(err)?;
        for uuid in self.model.notify_characteristics() {
            let c = self.characteristic(&chars, *uuid)?;
            p.subscribe(&c).await.map_err(err)?;
        }
        for cmd in self.model.start_commands() {
            self.write(&chars, &cmd).await?;
        }
        Ok(stream)
    }

    fn characteristic(
        &self,
        chars: &BTreeSet<Characteristic>,
        uuid: Uuid,
    ) -> Result<Characteristic, BleError> {
        chars
            .iter()
            .find(|c| c.uuid == uuid)
            .cloned()
            .ok_or(BleError::MissingCharacteristic {
                name: self.name.clone(),
                model: self.model,
                uuid,
            })
    }

    async fn write(&self, chars: &BTreeSet<Characteristic>, cmd: &Command) -> Result<(), BleError> {
        let c = self.characteristic(chars, cmd.characteristic)?;
        let kind = if cmd.with_response {
            WriteType::WithResponse
        } else {
            WriteType::WithoutResponse
        };
        self.peripheral
            .write(&c, &cmd.bytes, kind)
            .await
            .map_err(|e| map_error(e, &self.name))
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

    /// Firmware revision from the standard Device Information service, if exposed.
    pub async fn firmware(&self) -> Option<String> {
        let c = self
            .peripheral
            .characteristics()
            .into_iter()
            .find(|c| c.uuid == FIRMWARE_REVISION)?;
        let bytes = self.peripheral.read(&c).await.ok()?;
        let text = String::from_utf8_lossy(&bytes)
            .trim_end_matches('\0')
            .trim()
            .to_string();
        (!text.is_empty()).then_some(text)
    }

    /// Writes the stop commands and disconnects; errors are ignored (the link may be gone).
    pub async fn stop(&self) {
        let chars = self.peripheral.characteristics();
        for cmd in self.model.stop_commands() {
            let _ = self.write(&chars, &cmd).await;
        }
        let _ = self.peripheral.disconnect().await;
    }

    /// Streams until `stop` fires, reconnecting with [`backoff`] after a dropped connection.
    /// `disconnects` carries the ids of peripherals BlueZ reported disconnected.
    pub async fn run(
        self,
        tx: mpsc::UnboundedSender<LinkEvent>,
        mut disconnects: tokio::sync::broadcast::Receiver<PeripheralId>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let sensor = self.sensor;
        let id = self.peripheral.id();
        let mut attempt = 0u32;
        'outer: while !*stop.borrow() {
            let mut stream = match self.start().await {
                Ok(s) => s,
                Err(
                    e @ (BleError::MissingCharacteristic { .. }
                    | BleError::PermissionDenied
                    | BleError::Unsupported { .. }),
                ) => {
                    let _ = tx.send(LinkEvent::Failed {
                        sensor,
                        error: e.to_string(),
                    });
                    return;
                }
                Err(e) => {
                    attempt += 1;
                    let delay = backoff(attempt);
                    let _ = tx.send(LinkEvent::Reconnecting {
                        sensor,
                        attempt,
                        delay,
                        reason: e.to_string(),
                    });
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            attempt = 0;
            let _ = tx.send(LinkEvent::Connected { sensor });
            // read device info aside so notifications keep their arrival times
            let (link, info_tx) = (self.clone(), tx.clone());
            tokio::spawn(async move {
                if let Some(pct) = link.battery().await {
                    let _ = info_tx.send(LinkEvent::Battery { sensor, pct });
                }
                if let Some(version) = link.firmware().await {
                    let _ = info_tx.send(LinkEvent::Firmware { sensor, version });
                }
            });
            let mut poll = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    n = stream.next() => match n {
                        Some(n) => {
                            let _ = tx.send(LinkEvent::Notification { sensor, characteristic: n.uuid, data: n.value, arrival: Instant::now() });
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
                        self.stop().await;
                        break 'outer;
                    }
                }
            }
            let _ = tx.send(LinkEvent::Disconnected {
                sensor,
                at: Instant::now(),
            });
        }
    }
}

/// Forwards BlueZ's "device disconnected" events to all links.
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
    fn bluez_error_texts_map_to_actionable_errors() {
        let other = |t: &str| btleplug::Error::Other(t.to_string().into());
        let cases = [
            ("Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory", "cannot reach BlueZ"),
            ("The name org.bluez was not provided by any .service files (org.freedesktop.DBus.Error.ServiceUnknown)", "cannot reach BlueZ"),
            ("Operation already in progress", "is busy"),
            ("Device or resource busy (org.bluez.Error.Failed)", "is busy"),
            ("Operation Not Authorized", "permission denied"),
            ("Resource Not Ready", "powered off"),
        ];
        for (text, want) in cases {
            let got = map_error(other(text), "WT901").to_string();
            assert!(got.contains(want), "{text} -> {got}");
        }
        assert!(matches!(
            map_error(btleplug::Error::PermissionDenied, ""),
            BleError::PermissionDenied
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

    #[test]
    fn targets_match_names_prefixes_and_addresses() {
        let f = Found {
            name: Some("Polar Sense B5A5E62D".into()),
            address: "A0:9E:1A:B5:A5:E6".into(),
            rssi: Some(-60),
            model: Some(Model::PolarVeritySense),
        };
        assert!(
            f.matches("polar sense b5a5e62d")
                && f.matches("Polar Sense")
                && f.matches("a0:9e:1a:b5:a5:e6")
        );
        assert!(!f.matches("WT901"));
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
}
