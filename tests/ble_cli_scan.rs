//! The `gaitkit scan` binary against the fake BlueZ: one line per supported sensor with
//! name, address, RSSI and model; unsupported devices only with `--all`.
#![cfg(target_os = "linux")]

mod support;

use gaitkit::sensors::{uuid16, witmotion};
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

fn scan(address: &str, extra: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(["scan", "--timeout", "800ms"])
        .args(extra)
        .env("DBUS_SYSTEM_BUS_ADDRESS", address)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn scan_command_lists_supported_sensors() {
    let (address, dir) = FakeBluez::start_bus();
    let rt = support::fake_bluez::runtime();
    rt.block_on(async {
        let devices = vec![
            device(
                "D4:22:00:00:00:04",
                "WT901BLE67",
                -48,
                vec![witmotion::SERVICE],
            ),
            device("A0:9E:1A:00:00:02", "Polar H10 8C4E5023", -62, vec![]),
            device(
                "11:22:33:44:55:66",
                "Galaxy Buds",
                -40,
                vec![uuid16(0x180F)],
            ),
        ];
        let _fake = FakeBluez::serve(address.clone(), dir, devices).await;
        let a = address.clone();
        let (ok, stdout, stderr) = tokio::task::spawn_blocking(move || scan(&a, &[]))
            .await
            .unwrap();
        assert!(ok, "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        assert!(
            lines[0].starts_with("name")
                && lines[0].contains("rssi")
                && lines[0].ends_with("model")
        );
        // strongest signal first
        assert!(
            lines[1].starts_with("WT901BLE67")
                && lines[1].contains("D4:22:00:00:00:04")
                && lines[1].contains("-48")
                && lines[1].ends_with("WitMotion WT901BLECL"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("Polar H10 8C4E5023") && lines[2].ends_with("Polar H10"),
            "{}",
            lines[2]
        );
        assert!(!stdout.contains("Galaxy"));
        let a = address.clone();
        let (ok, stdout, _) = tokio::task::spawn_blocking(move || scan(&a, &["--all"]))
            .await
            .unwrap();
        assert!(ok);
        assert!(
            stdout.lines().nth(1).unwrap().starts_with("Galaxy Buds")
                && stdout.contains("unsupported"),
            "{stdout}"
        );
        // a sensor that is not around: exit code 1, the names seen, nothing written
        let out = tempfile::tempdir().unwrap();
        let session_dir = out.path().join("s");
        let (a, d) = (address.clone(), session_dir.clone());
        let rec = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
                .args([
                    "record",
                    "--sensor",
                    "lower-back=Movesense",
                    "--scan-timeout",
                    "500ms",
                    "--out",
                ])
                .arg(&d)
                .env("DBUS_SYSTEM_BUS_ADDRESS", &a)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&rec.stderr);
        assert_eq!(rec.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("error: recording into")
                && stderr.contains("sensor \"Movesense\" not found within 0.5 s; seen:"),
            "{stderr}"
        );
        assert!(
            stderr.contains("WT901BLE67 (D4:22:00:00:00:04)"),
            "{stderr}"
        );
        assert!(!session_dir.exists());
    });
}
