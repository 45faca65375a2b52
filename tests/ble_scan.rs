//! `scan` against a fake BlueZ: every supported model is found and recognised from its
//! advertised name or services; unsupported devices are reported as such.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::sensors::ble::Ble;
use gaitkit::sensors::{metawear, movesense, polar, uuid16, witmotion, Family, Model};
use support::fake_bluez::{FakeBluez, FakeDevice};

fn device(address: &str, name: &str, rssi: i16, advertised: Vec<uuid::Uuid>) -> FakeDevice {
    FakeDevice {
        address: address.into(),
        name: name.into(),
        rssi,
        advertised,
        services: vec![],
        responses: vec![],
        script: vec![],
    }
}

#[test]
fn scan_finds_and_recognises_each_supported_model() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    rt.block_on(async {
        let devices = vec![
            device(
                "A0:9E:1A:00:00:01",
                "Polar Sense B5A5E62D",
                -51,
                vec![polar::SERVICE],
            ),
            device("A0:9E:1A:00:00:02", "Polar H10 8C4E5023", -62, vec![]),
            device(
                "0C:8C:DC:00:00:03",
                "Movesense 214530000123",
                -70,
                vec![movesense::SERVICE],
            ),
            device(
                "D4:22:00:00:00:04",
                "WT901BLE67",
                -48,
                vec![witmotion::SERVICE],
            ),
            device(
                "F1:22:00:00:00:05",
                "MetaWear",
                -80,
                vec![metawear::SERVICE],
            ),
            device(
                "11:22:33:44:55:66",
                "Galaxy Buds",
                -40,
                vec![uuid16(0x180F)],
            ),
            // recognised by WitMotion's own service UUID (…9a34fb) alone
            device(
                "D4:22:00:00:00:07",
                "BWT901BLECL5.0",
                -58,
                vec![witmotion::SERVICE],
            ),
            // the base-UUID form of the same 16-bit number is some other device
            device("D4:22:00:00:00:08", "HMSoft", -59, vec![uuid16(0xFFE5)]),
        ];
        let fake = FakeBluez::serve(address, dir, devices).await;
        let ble = Ble::open().await.unwrap();
        let found = ble.scan(Duration::from_millis(800), &[]).await.unwrap();
        let get = |addr: &str| {
            found
                .iter()
                .map(|(_, f)| f)
                .find(|f| f.address == addr)
                .unwrap_or_else(|| {
                    panic!(
                        "{addr} not found in {found:?}",
                        found = found.iter().map(|x| &x.1).collect::<Vec<_>>()
                    )
                })
        };
        assert_eq!(found.len(), 8);
        let polar = get("A0:9E:1A:00:00:01");
        assert_eq!(
            (polar.name.as_deref(), polar.rssi, polar.model),
            (
                Some("Polar Sense B5A5E62D"),
                Some(-51),
                Some(Model::PolarVeritySense)
            )
        );
        assert_eq!(get("A0:9E:1A:00:00:02").model, Some(Model::PolarH10));
        assert_eq!(get("0C:8C:DC:00:00:03").model, Some(Model::Movesense));
        assert_eq!(get("D4:22:00:00:00:04").model, Some(Model::WitMotionWt901));
        assert_eq!(get("D4:22:00:00:00:04").rssi, Some(-48));
        // a MetaWear board's chip (BMI160 or BMI270) is only known after connecting
        let mw = get("F1:22:00:00:00:05");
        assert_eq!((mw.family, mw.model), (Some(Family::MetaWear), None));
        assert_eq!(mw.kind(), "MbientLab MetaWear (model read on connecting)");
        assert_eq!(get("11:22:33:44:55:66").family, None);
        assert_eq!(get("D4:22:00:00:00:07").model, Some(Model::WitMotionWt901));
        assert_eq!(get("D4:22:00:00:00:08").family, None);
        assert_eq!(fake.count("hci0", "StartDiscovery"), 1);
        assert_eq!(fake.count("hci0", "StopDiscovery"), 1);
        // a missing sensor is reported with the names that were seen
        let err = ble
            .find(&["Movesense 999".into()], Duration::from_millis(300))
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("\"Movesense 999\" not found")
                && err.contains("Polar H10 8C4E5023 (A0:9E:1A:00:00:02)"),
            "{err}"
        );
        let err = ble
            .find(&["Galaxy".into()], Duration::from_millis(300))
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("Galaxy Buds (11:22:33:44:55:66) is not a supported sensor"),
            "{err}"
        );
    });
}
