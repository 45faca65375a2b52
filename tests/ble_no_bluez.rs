//! No system bus (the D-Bus / BlueZ service is not running) is reported as "BlueZ not
//! reachable" with what to do, not as a raw D-Bus error.
#![cfg(target_os = "linux")]

mod support;

use gaitkit::sensors::ble::{Ble, BleError};

#[test]
fn missing_system_bus_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("no_such_socket").display());
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    rt.block_on(async {
        let err = Ble::open().await.err().expect("no bus must be refused");
        assert!(matches!(err, BleError::NoService { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("cannot reach BlueZ") && text.contains("systemctl start bluetooth"),
            "{text}"
        );
    });
}
