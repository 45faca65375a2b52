//! A fake `org.bluez` served with zbus on a private in-process bus (busd), so the real
//! btleplug code runs end to end without Bluetooth hardware or a system D-Bus.
//!
//! Objects: ObjectManager at `/`, Adapter1 at `/org/bluez/hci0`, and per device Device1,
//! GattService1 and GattCharacteristic1 objects (registered on Connect). Each device runs a
//! script of steps (wait for a write, notify bytes, disconnect); every method call and write
//! is logged so tests can assert the commands a client sent.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use uuid::Uuid;
use zbus::fdo::ObjectManager;
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;
use zbus::{interface, Connection, OwnedObjectPath, OwnedVariant as OwnedValue, Variant as Value};

pub const ADAPTER: &str = "/org/bluez/hci0";

/// One step of a device script, run in order once the device is discovered.
#[derive(Debug, Clone)]
pub enum Step {
    /// Wait until `count` writes starting with `prefix` were made to `char` in total.
    WaitWrite {
        char: Uuid,
        prefix: Vec<u8>,
        count: usize,
    },
    /// Notify `data` on `char` (waits while disconnected or not subscribed).
    Notify {
        char: Uuid,
        data: Vec<u8>,
    },
    Sleep(Duration),
    /// Drop the connection as if the sensor went out of range.
    Disconnect,
}

#[derive(Debug, Clone)]
pub struct FakeChar {
    pub uuid: Uuid,
    pub flags: Vec<&'static str>,
    pub value: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct FakeService {
    pub uuid: Uuid,
    pub chars: Vec<FakeChar>,
}

#[derive(Debug, Clone)]
pub struct FakeDevice {
    pub address: String,
    pub name: String,
    pub rssi: i16,
    pub advertised: Vec<Uuid>,
    pub services: Vec<FakeService>,
    /// Write prefix on a char → bytes notified on another char (e.g. control-point responses).
    /// Several entries with the same char and prefix answer successive writes in turn (the
    /// last one repeats); an empty reply answers nothing.
    pub responses: Vec<(Uuid, Vec<u8>, Uuid, Vec<u8>)>,
    pub script: Vec<Step>,
}

/// A logged call: `(device address, what, characteristic, bytes)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub device: String,
    pub method: String,
    pub char: Option<Uuid>,
    pub bytes: Vec<u8>,
}

/// Errors the fake answers with, named like BlueZ's (`org.bluez.Error.*`).
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.bluez.Error")]
enum BluezError {
    #[zbus(error)]
    ZBus(zbus::Error),
    InProgress(String),
}

#[derive(Default)]
struct DevState {
    busy: bool,
    connected: bool,
    resolved: bool,
    gatt_registered: bool,
    notifying: HashMap<Uuid, bool>,
}

struct Shared {
    log: Mutex<Vec<Call>>,
    states: Mutex<HashMap<String, DevState>>,
    changed: Notify,
    conn: std::sync::OnceLock<Connection>,
    devices: Vec<FakeDevice>,
}

impl Shared {
    fn log(&self, device: &str, method: &str, char: Option<Uuid>, bytes: &[u8]) {
        self.log.lock().unwrap().push(Call {
            device: device.into(),
            method: method.into(),
            char,
            bytes: bytes.to_vec(),
        });
        self.changed.notify_waiters();
    }
    fn conn(&self) -> &Connection {
        self.conn.get().expect("connection set")
    }
}

fn dev_path(address: &str) -> String {
    format!("{ADAPTER}/dev_{}", address.replace(':', "_"))
}

fn char_path(address: &str, s: usize, c: usize) -> String {
    format!(
        "{}/service{:04x}/char{:04x}",
        dev_path(address),
        0x10 * (s + 1),
        0x10 * (s + 1) + 1 + c
    )
}

async fn emit(
    conn: &Connection,
    path: &str,
    iface: &'static str,
    changed: HashMap<&str, Value<'_>>,
) {
    let emitter = SignalEmitter::new(conn, path.to_string()).unwrap();
    zbus::fdo::Properties::properties_changed(
        &emitter,
        InterfaceName::from_static_str_unchecked(iface),
        changed,
        Cow::Borrowed(&[]),
    )
    .await
    .unwrap();
}

struct Adapter1 {
    shared: Arc<Shared>,
    powered: bool,
    discovering: bool,
}

#[interface(name = "org.bluez.Adapter1")]
impl Adapter1 {
    async fn start_discovery(&mut self) {
        self.shared.log("hci0", "StartDiscovery", None, &[]);
        self.discovering = true;
        let shared = self.shared.clone();
        // registering from a spawned task: InterfacesAdded is emitted after this call returns
        tokio::spawn(async move {
            let server = shared.conn().object_server();
            for (i, d) in shared.devices.iter().enumerate() {
                let path = dev_path(&d.address);
                if server.interface::<_, Device1>(path.as_str()).await.is_ok() {
                    continue;
                }
                server
                    .at(
                        path.as_str(),
                        Device1 {
                            shared: shared.clone(),
                            index: i,
                        },
                    )
                    .await
                    .unwrap();
            }
        });
    }
    fn stop_discovery(&mut self) {
        self.shared.log("hci0", "StopDiscovery", None, &[]);
        self.discovering = false;
    }
    fn set_discovery_filter(&self, _filter: HashMap<String, OwnedValue>) {
        self.shared.log("hci0", "SetDiscoveryFilter", None, &[]);
    }
    #[zbus(property)]
    fn address(&self) -> String {
        "00:AA:01:00:00:01".into()
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "public".into()
    }
    #[zbus(property)]
    fn name(&self) -> String {
        "fake".into()
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        "fake".into()
    }
    #[zbus(property)]
    fn modalias(&self) -> String {
        "usb:v1D6Bp0246d0540".into()
    }
    #[zbus(property)]
    fn powered(&self) -> bool {
        self.powered
    }
    #[zbus(property)]
    fn set_powered(&mut self, v: bool) {
        self.powered = v;
    }
    #[zbus(property)]
    fn discovering(&self) -> bool {
        self.discovering
    }
}

struct Device1 {
    shared: Arc<Shared>,
    index: usize,
}

impl Device1 {
    fn dev(&self) -> &FakeDevice {
        &self.shared.devices[self.index]
    }
    fn state<T>(&self, f: impl FnOnce(&mut DevState) -> T) -> T {
        let mut states = self.shared.states.lock().unwrap();
        f(states.entry(self.dev().address.clone()).or_default())
    }
}

#[interface(name = "org.bluez.Device1")]
impl Device1 {
    async fn connect(&mut self) -> Result<(), BluezError> {
        let d = self.dev().clone();
        self.shared.log(&d.address, "Connect", None, &[]);
        if self.state(|s| s.busy) {
            // what BlueZ answers while another connection attempt or client holds the device
            return Err(BluezError::InProgress(
                "Operation already in progress".into(),
            ));
        }
        let register = self.state(|s| !std::mem::replace(&mut s.gatt_registered, true));
        if register {
            let server = self.shared.conn().object_server();
            for (si, s) in d.services.iter().enumerate() {
                let spath = format!("{}/service{:04x}", dev_path(&d.address), 0x10 * (si + 1));
                server
                    .at(
                        spath.as_str(),
                        GattService1 {
                            uuid: s.uuid,
                            device: dev_path(&d.address),
                        },
                    )
                    .await
                    .unwrap();
                for (ci, c) in s.chars.iter().enumerate() {
                    let ch = GattCharacteristic1 {
                        shared: self.shared.clone(),
                        device: d.address.clone(),
                        service: spath.clone(),
                        c: c.clone(),
                    };
                    server
                        .at(char_path(&d.address, si, ci).as_str(), ch)
                        .await
                        .unwrap();
                }
            }
        }
        self.state(|s| {
            s.connected = true;
            s.resolved = true;
        });
        self.shared.changed.notify_waiters();
        let conn = self.shared.conn().clone();
        let path = dev_path(&d.address);
        tokio::spawn(async move {
            emit(
                &conn,
                &path,
                "org.bluez.Device1",
                HashMap::from([
                    ("Connected", Value::from(true)),
                    ("ServicesResolved", Value::from(true)),
                ]),
            )
            .await;
        });
        Ok(())
    }

    async fn disconnect(&mut self) {
        let address = self.dev().address.clone();
        self.shared.log(&address, "Disconnect", None, &[]);
        drop_link(self.shared.clone(), address).await;
    }
    #[zbus(property)]
    fn address(&self) -> String {
        self.dev().address.clone()
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "random".into()
    }
    #[zbus(property)]
    fn name(&self) -> String {
        self.dev().name.clone()
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        self.dev().name.clone()
    }
    #[zbus(property, name = "RSSI")]
    fn rssi(&self) -> i16 {
        self.dev().rssi
    }
    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        self.dev()
            .advertised
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    #[zbus(property)]
    fn adapter(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from(ADAPTER).unwrap()
    }
    #[zbus(property)]
    fn paired(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn trusted(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn blocked(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn legacy_pairing(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn connected(&self) -> bool {
        self.state(|s| s.connected)
    }
    #[zbus(property)]
    fn services_resolved(&self) -> bool {
        self.state(|s| s.resolved)
    }
}

/// Marks a device disconnected (all notifications off) and signals it.
async fn drop_link(shared: Arc<Shared>, address: String) {
    let chars: Vec<Uuid> = {
        let mut states = shared.states.lock().unwrap();
        let s = states.entry(address.clone()).or_default();
        s.connected = false;
        s.resolved = false;
        let on: Vec<Uuid> = s
            .notifying
            .iter()
            .filter(|(_, &v)| v)
            .map(|(k, _)| *k)
            .collect();
        s.notifying.clear();
        on
    };
    shared.changed.notify_waiters();
    let conn = shared.conn().clone();
    let path = dev_path(&address);
    let d = shared
        .devices
        .iter()
        .find(|d| d.address == address)
        .unwrap()
        .clone();
    tokio::spawn(async move {
        for (si, s) in d.services.iter().enumerate() {
            for (ci, c) in s.chars.iter().enumerate() {
                if chars.contains(&c.uuid) {
                    emit(
                        &conn,
                        &char_path(&address, si, ci),
                        "org.bluez.GattCharacteristic1",
                        HashMap::from([("Notifying", Value::from(false))]),
                    )
                    .await;
                }
            }
        }
        emit(
            &conn,
            &path,
            "org.bluez.Device1",
            HashMap::from([
                ("Connected", Value::from(false)),
                ("ServicesResolved", Value::from(false)),
            ]),
        )
        .await;
    });
}

struct GattService1 {
    uuid: Uuid,
    device: String,
}

#[interface(name = "org.bluez.GattService1")]
impl GattService1 {
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.to_string()
    }
    #[zbus(property)]
    fn primary(&self) -> bool {
        true
    }
    #[zbus(property)]
    fn device(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from(self.device.as_str()).unwrap()
    }
}

struct GattCharacteristic1 {
    shared: Arc<Shared>,
    device: String,
    service: String,
    c: FakeChar,
}

#[interface(name = "org.bluez.GattCharacteristic1")]
impl GattCharacteristic1 {
    fn read_value(&self, _options: HashMap<String, OwnedValue>) -> Vec<u8> {
        self.shared
            .log(&self.device, "ReadValue", Some(self.c.uuid), &[]);
        self.c.value.clone()
    }
    /// Replies are notified before the write is logged, so script steps waiting for this
    /// write run after the reply, as on a real device.
    async fn write_value(&self, value: Vec<u8>, _options: HashMap<String, OwnedValue>) {
        let d = self
            .shared
            .devices
            .iter()
            .find(|d| d.address == self.device)
            .unwrap();
        let mut answered: Vec<&[u8]> = Vec::new();
        for (on, prefix, _, _) in &d.responses {
            if *on != self.c.uuid || !value.starts_with(prefix) || answered.contains(&&prefix[..]) {
                continue;
            }
            answered.push(prefix);
            let turn = self
                .shared
                .log
                .lock()
                .unwrap()
                .iter()
                .filter(|c| {
                    c.device == self.device
                        && c.method == "WriteValue"
                        && c.char == Some(self.c.uuid)
                        && c.bytes.starts_with(prefix)
                })
                .count();
            let replies: Vec<_> = d
                .responses
                .iter()
                .filter(|r| r.0 == *on && r.1 == *prefix)
                .collect();
            let (_, _, target, reply) = replies[turn.min(replies.len() - 1)];
            if !reply.is_empty() {
                notify(&self.shared, &self.device, *target, reply).await;
            }
        }
        self.shared
            .log(&self.device, "WriteValue", Some(self.c.uuid), &value);
    }
    fn start_notify(&self) {
        self.shared
            .log(&self.device, "StartNotify", Some(self.c.uuid), &[]);
        self.shared
            .states
            .lock()
            .unwrap()
            .entry(self.device.clone())
            .or_default()
            .notifying
            .insert(self.c.uuid, true);
        self.shared.changed.notify_waiters();
    }
    fn stop_notify(&self) {
        self.shared
            .log(&self.device, "StopNotify", Some(self.c.uuid), &[]);
        self.shared
            .states
            .lock()
            .unwrap()
            .entry(self.device.clone())
            .or_default()
            .notifying
            .insert(self.c.uuid, false);
    }
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.c.uuid.to_string()
    }
    #[zbus(property)]
    fn service(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from(self.service.as_str()).unwrap()
    }
    #[zbus(property)]
    fn flags(&self) -> Vec<String> {
        self.c.flags.iter().map(|s| s.to_string()).collect()
    }
    #[zbus(property)]
    fn value(&self) -> Vec<u8> {
        self.c.value.clone()
    }
    #[zbus(property)]
    fn notifying(&self) -> bool {
        self.shared
            .states
            .lock()
            .unwrap()
            .get(&self.device)
            .is_some_and(|s| s.notifying.get(&self.c.uuid) == Some(&true))
    }
    #[zbus(property, name = "MTU")]
    fn mtu(&self) -> u16 {
        247
    }
}

/// Sends one notification, waiting until the device is connected and `char` subscribed.
async fn notify(shared: &Arc<Shared>, address: &str, char: Uuid, data: &[u8]) {
    loop {
        let waiter = shared.changed.notified();
        tokio::pin!(waiter);
        waiter.as_mut().enable();
        let ready = shared
            .states
            .lock()
            .unwrap()
            .get(address)
            .is_some_and(|s| s.connected && s.notifying.get(&char) == Some(&true));
        if ready {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), waiter).await;
    }
    let d = shared
        .devices
        .iter()
        .find(|d| d.address == address)
        .unwrap();
    let (si, ci) = d
        .services
        .iter()
        .enumerate()
        .find_map(|(si, s)| {
            s.chars
                .iter()
                .position(|c| c.uuid == char)
                .map(|ci| (si, ci))
        })
        .expect("scripted characteristic exists");
    emit(
        shared.conn(),
        &char_path(address, si, ci),
        "org.bluez.GattCharacteristic1",
        HashMap::from([("Value", Value::from(data.to_vec()))]),
    )
    .await;
}

async fn run_script(shared: Arc<Shared>, index: usize) {
    let d = shared.devices[index].clone();
    for step in d.script {
        match step {
            Step::WaitWrite {
                char,
                prefix,
                count,
            } => loop {
                let waiter = shared.changed.notified();
                tokio::pin!(waiter);
                waiter.as_mut().enable();
                let n = shared
                    .log
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|c| {
                        c.device == d.address
                            && c.method == "WriteValue"
                            && c.char == Some(char)
                            && c.bytes.starts_with(&prefix)
                    })
                    .count();
                if n >= count {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), waiter).await;
            },
            Step::Notify { char, data } => notify(&shared, &d.address, char, &data).await,
            Step::Sleep(t) => tokio::time::sleep(t).await,
            Step::Disconnect => drop_link(shared.clone(), d.address.clone()).await,
        }
    }
}

/// The running fake: the bus thread, the service connection and the call log.
pub struct FakeBluez {
    shared: Arc<Shared>,
    pub address: String,
    _dir: tempfile::TempDir,
}

/// The runtime a scenario runs on. Build it only after `DBUS_SYSTEM_BUS_ADDRESS` is set: libdbus
/// reads the address once per process, and no other thread may exist when it is set.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

impl FakeBluez {
    /// Bus address for a fresh private bus; set `DBUS_SYSTEM_BUS_ADDRESS` to it before any
    /// libdbus use, then call [`FakeBluez::serve`] inside the tokio runtime.
    pub fn start_bus() -> (String, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let sock: PathBuf = dir.path().join("system_bus_socket");
        let address = format!("unix:path={}", sock.display());
        let a = address.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            zruntime::block_on(async move {
                let mut bus = busd::bus::Bus::for_address(Some(&a)).await.unwrap();
                tx.send(()).unwrap();
                let _ = bus.run().await;
            })
        });
        rx.recv().unwrap();
        (address, dir)
    }

    /// Serves `org.bluez` with `devices` on the bus at `address` and starts their scripts.
    pub async fn serve(
        address: String,
        dir: tempfile::TempDir,
        devices: Vec<FakeDevice>,
    ) -> FakeBluez {
        Self::serve_adapter(address, dir, devices, true).await
    }

    /// As [`FakeBluez::serve`], with the adapter powered on or off.
    pub async fn serve_adapter(
        address: String,
        dir: tempfile::TempDir,
        devices: Vec<FakeDevice>,
        powered: bool,
    ) -> FakeBluez {
        let shared = Arc::new(Shared {
            log: Mutex::default(),
            states: Mutex::default(),
            changed: Notify::new(),
            conn: Default::default(),
            devices,
        });
        let adapter = Adapter1 {
            shared: shared.clone(),
            powered,
            discovering: false,
        };
        let conn = zbus::connection::Builder::address(address.as_str())
            .serve_at("/", ObjectManager)
            .serve_at(ADAPTER, adapter)
            .name("org.bluez")
            .build()
            .await
            .unwrap();
        shared.conn.set(conn).ok();
        for i in 0..shared.devices.len() {
            tokio::spawn(run_script(shared.clone(), i));
        }
        FakeBluez {
            shared,
            address,
            _dir: dir,
        }
    }

    /// Makes Connect to `device` fail as BlueZ does while the device is held elsewhere.
    pub fn set_busy(&self, device: &str, busy: bool) {
        self.shared
            .states
            .lock()
            .unwrap()
            .entry(device.to_string())
            .or_default()
            .busy = busy;
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Bytes written to `char` of `device`, in order.
    pub fn writes(&self, device: &str, char: Uuid) -> Vec<Vec<u8>> {
        self.calls()
            .into_iter()
            .filter(|c| c.device == device && c.method == "WriteValue" && c.char == Some(char))
            .map(|c| c.bytes)
            .collect()
    }

    pub fn count(&self, device: &str, method: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.device == device && c.method == method)
            .count()
    }
}

/// Characteristic flag sets used by the sensors.
pub const NOTIFY: &[&str] = &["notify"];
pub const WRITE: &[&str] = &["write", "write-without-response"];
pub const INDICATE_WRITE: &[&str] = &["write", "indicate", "notify"];
pub const READ_NOTIFY: &[&str] = &["read", "notify"];
