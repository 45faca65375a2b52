//! An adapter that is switched off is reported as such, with the command that fixes it,
//! before anything is scanned.
#![cfg(target_os = "linux")]

mod support;

use gaitkit::sensors::ble::{Ble, BleError};
use support::fake_bluez::FakeBluez;

#[test]
fn powered_off_adapter_is_a_clear_error() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    rt.block_on(async {
        let fake = FakeBluez::serve_adapter(address, dir, vec![], false).await;
        let err = Ble::open()
            .await
            .err()
            .expect("powered-off adapter must be refused");
        assert!(matches!(err, BleError::PoweredOff), "{err:?}");
        assert!(err.to_string().contains("bluetoothctl power on"), "{err}");
        assert_eq!(fake.count("hci0", "StartDiscovery"), 0);
    });
}
