//! A sensor held by another client refuses connections: the recorder keeps retrying with
//! backoff and says why; once the sensor is free it connects and records.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement};
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use gaitkit::sensors::witmotion;
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn busy_sensor_is_retried_and_explained() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("s");
    rt.block_on(async {
        let mut script = vec![
            wait_write(witmotion::WRITE, &[0xFF, 0xAA, 0x03, 0x09], 1),
            Step::Sleep(Duration::from_millis(SETTLE_MS)),
        ];
        for k in 0..10 {
            script.push(Step::Notify {
                char: witmotion::NOTIFY,
                data: witmotion::frame(wit_raw(k)).to_vec(),
            });
        }
        let fake =
            std::sync::Arc::new(FakeBluez::serve(address, dir, vec![witmotion(script)]).await);
        fake.set_busy(WIT_ADDR, true);
        let f = fake.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(900)).await;
            f.set_busy(WIT_ADDR, false);
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![(Placement::LeftShank, "WT901BLE67".into())],
            duration: Some(Duration::from_millis(3000)),
            task: None,
            participant_id: None,
            scan_timeout: Duration::from_secs(3),
            allow_missing_gyro: false,
        };
        record(opts, tx, std::future::pending()).await.unwrap();
        let mut reasons = Vec::new();
        while let Ok(e) = rx.try_recv() {
            if let StatusEvent::Reconnecting {
                attempt,
                reason,
                delay,
                ..
            } = e
            {
                reasons.push((attempt, delay, reason));
            }
        }
        // 0.25 s, 0.5 s backoff before the sensor is released at 0.9 s
        assert!(reasons.len() >= 2, "{reasons:?}");
        assert_eq!(
            (reasons[0].0, reasons[0].1),
            (1, Duration::from_millis(250))
        );
        assert_eq!(
            (reasons[1].0, reasons[1].1),
            (2, Duration::from_millis(500))
        );
        assert!(
            reasons[0]
                .2
                .contains("sensor WT901BLE67 (D4:22:00:00:00:04) is busy"),
            "{}",
            reasons[0].2
        );
        assert!(fake.count(WIT_ADDR, "Connect") >= 3);
        assert_eq!(
            ImuTable::read(&session_dir.join("left_shank.csv"))
                .unwrap()
                .len(),
            10
        );
    });
}
