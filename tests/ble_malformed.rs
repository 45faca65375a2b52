//! A stream with malformed, duplicate and out-of-order packets: they are counted and
//! skipped, the good samples are all written, nothing panics.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement};
use gaitkit::sensors::polar;
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn malformed_and_duplicate_packets_are_counted_and_skipped() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("s");
    rt.block_on(async {
        let base_ns = 848_000_000_000_000_000;
        let good = polar_frames(0, 16, base_ns);
        let notify = |data: Vec<u8>| Step::Notify {
            char: polar::DATA,
            data,
        };
        let mut script = vec![wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            1,
        )];
        // frames 0..8, then: a duplicate ACC frame, an old (out-of-order) GYRO frame,
        // truncated, empty-payload, wrong measurement type and garbage notifications
        script.extend(good[..6].iter().cloned());
        let dup = match &good[3] {
            Step::Notify { data, .. } => data.clone(),
            _ => unreachable!(),
        };
        let old = match &good[1] {
            Step::Notify { data, .. } => data.clone(),
            _ => unreachable!(),
        };
        script.push(notify(dup));
        script.push(notify(old));
        script.push(notify(
            polar_frame(polar::MEAS_ACC, base_ns, &[[1, 2, 3]])[..13].to_vec(),
        ));
        script.push(notify(vec![polar::MEAS_ACC, 0, 0]));
        script.push(notify(polar_frame(0, base_ns + 1, &[[1, 2, 3]])));
        script.push(notify(vec![0xFF; 7]));
        script.extend(good[6..].iter().cloned());
        let _fake = FakeBluez::serve(address, dir, vec![polar_verity(script)]).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![(Placement::LowerBack, "Polar Sense B5A5E62D".into())],
            duration: Some(Duration::from_millis(1500)),
            task: None,
            participant_id: None,
            scan_timeout: Duration::from_secs(3),
            allow_missing_gyro: false,
        };
        let session = record(opts, tx, std::future::pending()).await.unwrap();
        let mut last = None;
        while let Ok(e) = rx.try_recv() {
            if let StatusEvent::Status(s) = e {
                last = Some(s);
            }
        }
        let t = ImuTable::read(&session_dir.join("lower_back.csv")).unwrap();
        assert_eq!(t.len(), 16);
        for k in 0..16 {
            let (_, gyr) = polar_sample(k as u64);
            assert!(
                (t.gyr_dps[0][k] - gyr[0] as f64 * POLAR_GYRO_FACTOR as f64).abs() < 1e-6,
                "row {k}"
            );
        }
        assert!(session.gaps.is_empty(), "{:?}", session.gaps);
        let s = &last.unwrap()[0];
        // truncated, empty payload and 0xFF garbage are malformed; a well-formed frame of a
        // measurement gaitkit does not record is counted by its type
        assert_eq!(s.malformed_packets, 3, "{s:?}");
        assert_eq!(s.unsupported, vec![("ECG frame type 0x00".to_string(), 1)]);
        assert_eq!(s.duplicate_packets, 2, "{s:?}");
        assert_eq!(s.samples, 16);
        assert_eq!(s.samples_lost, 0);
    });
}
