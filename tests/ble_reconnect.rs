//! A Polar that drops its connection mid-stream and comes back: the recorder reconnects,
//! restarts streaming, records the gap, and loses nothing else.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement};
use gaitkit::sensors::polar;
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn reconnects_and_records_the_gap() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("s");
    rt.block_on(async {
        let base_ns = 848_000_000_000_000_000;
        // samples 0..20, link drops, samples 60..80 after the second start (40 samples missed
        // while disconnected: the device clock keeps running)
        let mut script = vec![wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            1,
        )];
        script.extend(polar_frames(0, 20, base_ns));
        script.push(Step::Sleep(Duration::from_millis(50)));
        script.push(Step::Disconnect);
        script.push(wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            2,
        ));
        script.extend(polar_frames(60, 80, base_ns));
        let fake = FakeBluez::serve(address, dir, vec![polar_verity(script)]).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![(Placement::RightShank, POLAR_ADDR.into())],
            duration: Some(Duration::from_millis(2500)),
            task: None,
            participant_id: None,
            scan_timeout: Duration::from_secs(3),
            allow_missing_gyro: false,
        };
        let session = record(opts, tx, std::future::pending()).await.unwrap();
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }
        assert_eq!(fake.count(POLAR_ADDR, "Connect"), 2, "reconnected once");
        assert_eq!(
            fake.writes(POLAR_ADDR, polar::CONTROL_POINT)
                .iter()
                .filter(|w| w[0] == 0x02)
                .count(),
            6,
            "start sequence written again"
        );
        assert!(events.iter().any(|e| matches!(
            e,
            StatusEvent::Disconnected {
                placement: Placement::RightShank,
                ..
            }
        )));

        let t = ImuTable::read(&session_dir.join("right_shank.csv")).unwrap();
        assert_eq!(t.len(), 40, "every streamed sample kept, none invented");
        for (row, k) in (0..20).chain(60..80).enumerate() {
            let (acc, _) = polar_sample(k);
            assert!(
                (t.acc_mps2[2][row] - acc[2] as f64 * gaitkit::sensors::G_MPS2 * 1e-3).abs() < 1e-6,
                "row {row}"
            );
        }
        assert_eq!(session.gaps.len(), 1, "{:?}", session.gaps);
        let g = &session.gaps[0];
        assert_eq!(g.placement, Placement::RightShank);
        assert_eq!(g.reason.as_deref(), Some("disconnected"));
        assert!(
            (g.start_s - t.time_s[19]).abs() < 1e-6 && (g.end_s - t.time_s[20]).abs() < 1e-6,
            "{g:?}"
        );
        // device clock: the gap spans the 41 sample periods between samples 19 and 60
        let period = POLAR_PERIOD_NS as f64 * 1e-9;
        assert!((g.end_s - g.start_s - 41.0 * period).abs() < 0.005, "{g:?}");
    });
}
