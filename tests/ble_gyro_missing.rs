//! A Polar whose gyroscope start is accepted but which never sends a gyroscope frame (as the
//! MetaMotionS did with the wrong register): the recorder does not wait forever. By default it
//! stops after 3 s and says which sensor and stream; with `allow_missing_gyro` it records the
//! accelerometer alone and says so in `session.json`. Either way its queue stays bounded.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement, Session};
use gaitkit::sensors::recorder::{record, RecordError, RecordOptions, StatusEvent, QUEUE_S};
use gaitkit::sensors::{polar, G_MPS2};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

const A: &str = "A0:9E:1A:00:00:0A";
const B: &str = "A0:9E:1A:00:00:0B";

fn acc_only(address: &str, name: &str) -> support::fake_bluez::FakeDevice {
    let mut script = vec![wait_write(
        polar::CONTROL_POINT,
        &[0x02, polar::MEAS_GYRO],
        1,
    )];
    // 6 s of ACC frames, no GYRO frame at all
    script.extend(polar_stream(
        0,
        624,
        10,
        PmdEncoding::Compressed,
        false,
        polar_still,
    ));
    script.push(Step::Sleep(Duration::from_secs(5)));
    polar_device(
        address,
        name,
        "Polar Sense",
        verity_responses(
            vec![polar_start_ok(polar::MEAS_ACC, None)],
            vec![polar_start_ok(polar::MEAS_GYRO, Some(POLAR_GYRO_FACTOR))],
        ),
        script,
    )
}

fn opts(dir: &std::path::Path, target: &str, allow: bool, secs: u64) -> RecordOptions {
    RecordOptions {
        out_dir: dir.to_path_buf(),
        sensors: vec![(Placement::LowerBack, target.into())],
        duration: Some(Duration::from_secs(secs)),
        task: None,
        participant_id: None,
        scan_timeout: Duration::from_secs(3),
        allow_missing_gyro: allow,
    }
}

fn drain(rx: &mut tokio::sync::mpsc::Receiver<StatusEvent>) -> Vec<StatusEvent> {
    let mut v = Vec::new();
    while let Ok(e) = rx.try_recv() {
        v.push(e);
    }
    v
}

fn max_queued(events: &[StatusEvent]) -> u64 {
    events
        .iter()
        .filter_map(|e| match e {
            StatusEvent::Status(s) => Some(s[0].queued_readings),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_gyro_that_never_starts_is_reported_and_memory_stays_bounded() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let cap = (QUEUE_S * 104.0).ceil() as u64;
    rt.block_on(async {
        let _fake = FakeBluez::serve(
            address,
            dir,
            vec![
                acc_only(A, "Polar Sense AAAA000A"),
                acc_only(B, "Polar Sense AAAA000B"),
            ],
        )
        .await;

        // default: a clear failure naming sensor and stream, long before --duration
        let started = std::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let err = record(
            opts(&out.path().join("a"), A, false, 30),
            tx,
            std::future::pending(),
        )
        .await
        .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        let RecordError::Stream { placement, message } = &err else {
            panic!("{err}")
        };
        assert_eq!(*placement, Placement::LowerBack);
        assert!(
            message.starts_with("gyroscope: no data 3 s after the start commands (")
                && message.contains(" accelerometer and 0 gyroscope readings"),
            "{message}"
        );
        assert!(err
            .to_string()
            .starts_with("lower-back sensor: gyroscope: no data"));
        let events = drain(&mut rx);
        assert!(events.iter().any(|e| matches!(
            e,
            StatusEvent::Problem { fatal: true, message, .. } if message.starts_with("gyroscope:")
        )));
        assert!(
            max_queued(&events) <= cap,
            "{} > {cap}",
            max_queued(&events)
        );

        // allowed: the accelerometer alone, gyroscope columns 0, said in session.json
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let dir_b = out.path().join("b");
        let session = record(opts(&dir_b, B, true, 6), tx, std::future::pending())
            .await
            .unwrap();
        let events = drain(&mut rx);
        assert!(
            events.iter().any(|e| matches!(
                e,
                StatusEvent::Problem { fatal: false, message, .. }
                    if message.ends_with("— recording accelerometer only (gyr_* columns are 0)")
            )),
            "{events:?}"
        );
        assert!(max_queued(&events) <= cap);
        let notes = session.notes.clone().unwrap();
        assert!(
            notes.contains("gyroscope of lower-back did not start"),
            "{notes}"
        );
        assert_eq!(
            Session::read(&dir_b).unwrap().notes.as_deref(),
            Some(notes.as_str())
        );
        let t = ImuTable::read(&dir_b.join("lower_back.csv")).unwrap();
        assert!(t.len() > 400, "{}", t.len());
        assert!(t.gyr_dps.iter().all(|axis| axis.iter().all(|&v| v == 0.0)));
        assert!(t.acc_mps2[2].iter().all(|&z| (z - G_MPS2).abs() < 1e-6));
    });
}
