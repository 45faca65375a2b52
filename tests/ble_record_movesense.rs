//! `record` from a Movesense through the GATT SensorData Protocol: the subscription written as
//! the vendor's sample client writes it, IMU6 packets of 8 samples split into a `02` part and
//! a `03` continuation as the sensor sends them, device timestamps in ms; every sample lands in
//! the session folder in m/s² and deg/s.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement};
use gaitkit::sensors::recorder::{record, RecordOptions};
use gaitkit::sensors::{movesense, Model};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

fn sample(k: usize) -> ([f32; 3], [f32; 3]) {
    let k = k as f32;
    ([0.01 * k, -0.2, 9.81 - 0.001 * k], [1.5 * k, -2.0, 0.25])
}

#[test]
fn movesense_split_packets_record_in_si_units() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("s");
    rt.block_on(async {
        let mut script = vec![wait_write(movesense::WRITE, &[0x01, movesense::IMU_REF], 1)];
        for p in 0..6usize {
            let (acc, gyr): (Vec<_>, Vec<_>) = (8 * p..8 * p + 8).map(sample).unzip();
            // 8 samples at 104 Hz: 76.9 ms of device time per packet
            let ts_ms = 5000 + (p as f64 * 8000.0 / 104.0).round() as u32;
            let parts = movesense_notifications(ts_ms, &acc, &gyr);
            assert_eq!(parts.len(), 2, "196 payload bytes come in two parts");
            for data in parts {
                script.push(Step::Notify {
                    char: movesense::NOTIFY,
                    data,
                });
            }
            script.push(Step::Sleep(Duration::from_millis(77)));
        }
        let fake = FakeBluez::serve(address, dir, vec![movesense(script)]).await;
        let (tx, _rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![(Placement::RightShank, "Movesense".into())],
            duration: Some(Duration::from_millis(1500)),
            task: None,
            participant_id: None,
            scan_timeout: Duration::from_secs(3),
            allow_missing_gyro: false,
        };
        let session = record(opts, tx, std::future::pending()).await.unwrap();
        let want: Vec<Vec<u8>> = Model::Movesense
            .start_commands()
            .into_iter()
            .chain(Model::Movesense.stop_commands())
            .map(|c| c.bytes)
            .collect();
        assert_eq!(fake.writes(MOVESENSE_ADDR, movesense::WRITE), want);
        assert_eq!(
            want[0],
            [&[0x01, 0x63][..], b"/Meas/IMU6/104"].concat(),
            "01 <ref 99> <path>, as the sample client writes it"
        );
        let t = ImuTable::read(&session_dir.join("right_shank.csv")).unwrap();
        assert_eq!(
            t.len(),
            48,
            "the last packet is decoded when the stream ends"
        );
        for k in 0..48 {
            let (acc, gyr) = sample(k);
            for a in 0..3 {
                assert!(
                    (t.acc_mps2[a][k] - acc[a] as f64).abs() < 1e-5,
                    "acc {k} {a}"
                );
                assert!(
                    (t.gyr_dps[a][k] - gyr[a] as f64).abs() < 1e-5,
                    "gyr {k} {a}"
                );
            }
        }
        // device clock: 8 samples per 76.9 ms packet, spacing 1/104 s (within the slew limit)
        let dt = (t.time_s[47] - t.time_s[0]) / 47.0;
        assert!((dt - 1.0 / 104.0).abs() < 2e-4, "{dt}");
        let device = session.sensors[0].device.as_ref().unwrap();
        assert_eq!(device.model.as_deref(), Some("Movesense"));
        assert_eq!(device.firmware.as_deref(), Some("2.3.1"));
    });
}
