//! `record` from a Polar Verity Sense and a WitMotion at once through btleplug and a fake
//! BlueZ: the start commands written, the exact samples in both CSVs, and session.json.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement, Session, Task};
use gaitkit::sensors::clock::MAX_SLEW;
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use gaitkit::sensors::{polar, witmotion, Model, G_MPS2};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn records_polar_and_witmotion_concurrently() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("P01-walk");
    rt.block_on(async {
        let base_ns = 848_000_000_000_000_000; // 2026-11-14 in PMD time (ns since 2000)
        let mut polar_script = vec![wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            1,
        )];
        polar_script.extend(polar_frames(0, 24, base_ns));
        let mut wit_script = vec![
            wait_write(witmotion::WRITE, &[0xFF, 0xAA, 0x03, 0x09], 1),
            Step::Sleep(Duration::from_millis(SETTLE_MS)),
        ];
        for k in 0..10 {
            // two frames per notification, split unevenly to exercise re-synchronisation
            let mut bytes = witmotion::frame(wit_raw(2 * k)).to_vec();
            bytes.extend_from_slice(&witmotion::frame(wit_raw(2 * k + 1)));
            wit_script.push(Step::Notify {
                char: witmotion::NOTIFY,
                data: bytes[..27].to_vec(),
            });
            wit_script.push(Step::Notify {
                char: witmotion::NOTIFY,
                data: bytes[27..].to_vec(),
            });
            wit_script.push(Step::Sleep(Duration::from_millis(20)));
        }
        let fake = FakeBluez::serve(
            address,
            dir,
            vec![polar_verity(polar_script), witmotion(wit_script)],
        )
        .await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![
                (Placement::LowerBack, "Polar Sense".into()),
                (Placement::LeftShank, WIT_ADDR.into()),
            ],
            duration: Some(Duration::from_millis(1500)),
            task: Some(Task::Walk),
            participant_id: Some("P01".into()),
            scan_timeout: Duration::from_secs(3),
            allow_missing_gyro: false,
        };
        let session = record(opts, tx, std::future::pending()).await.unwrap();
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }

        // start commands in order, then stop commands, on each device's write characteristic
        let want: Vec<Vec<u8>> = Model::PolarVeritySense
            .start_commands()
            .into_iter()
            .chain(Model::PolarVeritySense.stop_commands())
            .map(|c| c.bytes)
            .collect();
        assert_eq!(fake.writes(POLAR_ADDR, polar::CONTROL_POINT), want);
        let want: Vec<Vec<u8>> = Model::WitMotionWt901
            .start_commands()
            .into_iter()
            .chain(Model::WitMotionWt901.stop_commands())
            .map(|c| c.bytes)
            .collect();
        assert_eq!(fake.writes(WIT_ADDR, witmotion::WRITE), want);
        assert_eq!(fake.count(POLAR_ADDR, "Disconnect"), 1);

        // exact samples
        let lb = ImuTable::read(&session_dir.join("lower_back.csv")).unwrap();
        assert_eq!(lb.len(), 24);
        for k in 0..24 {
            let (acc, gyr) = polar_sample(k as u64);
            for a in 0..3 {
                assert!(
                    (lb.acc_mps2[a][k] - acc[a] as f64 * G_MPS2 * 1e-3).abs() < 1e-6,
                    "acc {k} {a}"
                );
                assert!(
                    (lb.gyr_dps[a][k] - gyr[a] as f64 * POLAR_GYRO_FACTOR as f64).abs() < 1e-6,
                    "gyr {k} {a}"
                );
            }
            if k > 0 {
                // device spacing, changed by at most the clock's slew rate (+ CSV rounding)
                let period = POLAR_PERIOD_NS as f64 * 1e-9;
                assert!(
                    (lb.time_s[k] - lb.time_s[k - 1] - period).abs() <= MAX_SLEW * period + 2e-6,
                    "device spacing at {k}"
                );
            }
        }
        let ls = ImuTable::read(&session_dir.join("left_shank.csv")).unwrap();
        assert_eq!(ls.len(), 20);
        for k in 0..20 {
            let (acc, gyr, _) = witmotion::decode_frame(&witmotion::frame(wit_raw(k as i16)));
            for a in 0..3 {
                assert!(
                    (ls.acc_mps2[a][k] - acc[a]).abs() < 1e-6
                        && (ls.gyr_dps[a][k] - gyr[a]).abs() < 1e-6,
                    "wit {k} {a}"
                );
            }
        }
        assert_eq!(
            lb.time_s[0].min(ls.time_s[0]),
            0.0,
            "time_s starts at the session's first sample"
        );

        // session.json as analyze reads it
        let back = Session::read(&session_dir).unwrap();
        assert_eq!(back, session);
        assert_eq!(session.task, Some(Task::Walk));
        assert_eq!(session.participant.id.as_deref(), Some("P01"));
        assert!(session.start_time.is_some() && session.gaps.is_empty());
        let lbe = session.sensor(Placement::LowerBack).unwrap();
        assert_eq!(
            lbe.device.as_ref().unwrap().model.as_deref(),
            Some("Polar Verity Sense")
        );
        assert_eq!(
            lbe.device.as_ref().unwrap().address.as_deref(),
            Some(POLAR_ADDR)
        );
        assert_eq!(lbe.sampling_rate_hz, Some(104.0));
        assert_eq!(
            lbe.device.as_ref().unwrap().firmware.as_deref(),
            Some("3.1.1"),
            "read from Device Information"
        );
        assert_eq!(
            session
                .sensor(Placement::LeftShank)
                .unwrap()
                .device
                .as_ref()
                .unwrap()
                .firmware,
            None
        );
        assert_eq!(lbe.axes.to_string(), "ULB");
        assert_eq!(
            session
                .sensor(Placement::LeftShank)
                .unwrap()
                .sampling_rate_hz,
            Some(100.0)
        );
        assert_eq!(
            session.sync.as_ref().unwrap().method,
            "device-timestamps+arrival-times"
        );

        // live status: connections, samples for the step counter, battery read over GATT
        assert!(events.iter().any(|e| matches!(
            e,
            StatusEvent::Connected {
                placement: Placement::LowerBack,
                model: Model::PolarVeritySense,
                ..
            }
        )));
        let streamed: usize = events
            .iter()
            .map(|e| match e {
                StatusEvent::Samples {
                    placement: Placement::LeftShank,
                    samples,
                } => samples.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(streamed, 20);
        let last = events
            .iter()
            .rev()
            .find_map(|e| match e {
                StatusEvent::Status(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(last[0].battery_pct, Some(87));
        assert_eq!(last[1].battery_pct, None);
        assert_eq!(
            (
                last[0].malformed_packets,
                last[0].duplicate_packets,
                last[0].samples_lost
            ),
            (0, 0, 0)
        );
    });
}
