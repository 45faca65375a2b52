//! `record` from a Polar Verity Sense that behaves like the units in the field: its ACC start
//! is refused once while SDK mode settles ("invalid state"), the start reply carries no factor,
//! ACC arrives as compressed type 1 (`0x81`, mG) and GYRO as compressed type 0 (`0x80` × the
//! factor of its start reply), and it ends with its own "measurement stopped" push. The
//! session folder holds every sample in m/s² and deg/s.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement, Session};
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use gaitkit::sensors::{polar, Model, G_MPS2};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn verity_sense_with_field_frame_types_records_in_si_units() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("P02-walk");
    rt.block_on(async {
        let mut script = vec![wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            1,
        )];
        script.extend(polar_stream(
            0,
            60,
            10,
            PmdEncoding::Compressed,
            true,
            polar_sample,
        ));
        script.push(Step::Notify {
            char: polar::CONTROL_POINT,
            data: vec![polar::MEASUREMENT_STOPPED, polar::MEAS_GYRO],
        });
        let refused = vec![0xF0, 0x02, polar::MEAS_ACC, 12, 0x00];
        let device = polar_device(
            POLAR_ADDR,
            "Polar Sense B5A5E62D",
            "Polar Sense",
            verity_responses(
                vec![refused, polar_start_ok(polar::MEAS_ACC, None)],
                vec![polar_start_ok(polar::MEAS_GYRO, Some(POLAR_GYRO_FACTOR))],
            ),
            script,
        );
        let fake = FakeBluez::serve(address, dir, vec![device]).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![(Placement::LeftShank, "Polar Sense".into())],
            duration: Some(Duration::from_millis(3500)),
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

        // one command at a time: the refused ACC start written again, then GYRO, then stops
        let acc_start = Model::PolarVeritySense.start_commands()[1].bytes.clone();
        let mut want: Vec<Vec<u8>> = Model::PolarVeritySense
            .start_commands()
            .into_iter()
            .map(|c| c.bytes)
            .collect();
        want.insert(2, acc_start);
        want.extend(
            Model::PolarVeritySense
                .stop_commands()
                .into_iter()
                .map(|c| c.bytes),
        );
        assert_eq!(fake.writes(POLAR_ADDR, polar::CONTROL_POINT), want);

        // every sample, in m/s² (mG × g / 1000) and deg/s (raw × factor)
        let t = ImuTable::read(&session_dir.join("left_shank.csv")).unwrap();
        assert_eq!(t.len(), 60);
        for k in 0..60 {
            let (acc, gyr) = polar_sample(k as u64);
            for a in 0..3 {
                assert!(
                    (t.acc_mps2[a][k] - acc[a] as f64 * G_MPS2 * 1e-3).abs() < 1e-6,
                    "acc {k} {a}: {}",
                    t.acc_mps2[a][k]
                );
                assert!(
                    (t.gyr_dps[a][k] - gyr[a] as f64 * POLAR_GYRO_FACTOR as f64).abs() < 1e-6,
                    "gyr {k} {a}"
                );
            }
        }
        // the model is the one the device reports
        let entry = session.sensor(Placement::LeftShank).unwrap();
        let device = entry.device.as_ref().unwrap();
        assert_eq!(device.model.as_deref(), Some("Polar Verity Sense"));
        assert_eq!(device.firmware.as_deref(), Some("3.1.1"));
        assert_eq!(entry.sampling_rate_hz, Some(104.0));
        assert!(events.iter().any(|e| matches!(
            e,
            StatusEvent::Connected { basis, .. }
                if basis == "Device Information model number \"Polar Sense\""
        )));
        // the device-side stop is a notice, not a malformed packet
        assert!(
            events.iter().any(|e| matches!(
                e,
                StatusEvent::Problem { message, fatal: false, .. }
                    if message == "the sensor stopped its GYRO measurement on its own"
            )),
            "{events:?}"
        );
        let last = events
            .iter()
            .rev()
            .find_map(|e| match e {
                StatusEvent::Status(s) => Some(s[0].clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            (last.malformed_packets, last.unsupported.len(), last.samples),
            (0, 0, 60)
        );
        assert_eq!(Session::read(&session_dir).unwrap(), session);
    });
}
