//! `record` from two MetaWear boards at once, a MetaMotionS (BMI270) and a BMI160 board, both
//! advertising as "MetaWear": each is asked for its module information first, gets the
//! register map of its own chip (BMI270: packed gyro 0x05; BMI160: packed acc 0x1C, ±16 g byte
//! 0x0C, packed gyro 0x07), streams packed notifications, and records in m/s² and deg/s.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement};
use gaitkit::sensors::recorder::{record, RecordOptions, StatusEvent};
use gaitkit::sensors::{metawear, Model, G_MPS2};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

const BMI270_ADDR: &str = "F1:22:00:00:00:05";
const BMI160_ADDR: &str = "F1:22:00:00:00:06";

/// Raw (acc, gyro) of sample `k`: about 1 g on z at ±16 g (2048 LSB/g), gyro at ±2000 deg/s.
fn raw(k: usize) -> ([i16; 3], [i16; 3]) {
    let k = k as i16;
    ([k, -3 * k, 2048], [164 * k, -82, 16])
}

fn script(chip: FakeChip) -> Vec<Step> {
    let (acc_reg, gyr_reg) = chip.packed();
    let mut s = vec![
        wait_write(metawear::COMMAND, &[metawear::GYR, 0x01, 0x01], 1),
        Step::Sleep(Duration::from_millis(SETTLE_MS)),
    ];
    for p in 0..10 {
        let acc: [[i16; 3]; 3] = std::array::from_fn(|i| raw(3 * p + i).0);
        let gyr: [[i16; 3]; 3] = std::array::from_fn(|i| raw(3 * p + i).1);
        s.push(Step::Notify {
            char: metawear::NOTIFY,
            data: metawear_packed(metawear::ACC, acc_reg, acc),
        });
        s.push(Step::Notify {
            char: metawear::NOTIFY,
            data: metawear_packed(metawear::GYR, gyr_reg, gyr),
        });
        s.push(Step::Sleep(Duration::from_millis(30)));
    }
    s
}

#[test]
fn metawear_boards_get_the_register_map_of_their_own_chip() {
    let (address, dir) = FakeBluez::start_bus();
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("s");
    rt.block_on(async {
        let fake = FakeBluez::serve(
            address,
            dir,
            vec![
                metawear(BMI270_ADDR, FakeChip::Bmi270, script(FakeChip::Bmi270)),
                metawear(BMI160_ADDR, FakeChip::Bmi160, script(FakeChip::Bmi160)),
            ],
        )
        .await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
        let opts = RecordOptions {
            out_dir: session_dir.clone(),
            sensors: vec![
                (Placement::LeftShank, BMI270_ADDR.into()),
                (Placement::RightShank, BMI160_ADDR.into()),
            ],
            duration: Some(Duration::from_millis(2000)),
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
        for (addr, model) in [
            (BMI270_ADDR, Model::MetaMotionS),
            (BMI160_ADDR, Model::MetaWearBmi160),
        ] {
            // module information first, then that chip's start and stop commands
            let mut want = vec![vec![0x03, 0x80], vec![0x13, 0x80]];
            want.extend(model.start_commands().into_iter().map(|c| c.bytes));
            want.extend(model.stop_commands().into_iter().map(|c| c.bytes));
            assert_eq!(fake.writes(addr, metawear::COMMAND), want, "{model}");
        }
        let bmi270 = fake.writes(BMI270_ADDR, metawear::COMMAND);
        assert!(
            bmi270.contains(&vec![0x13, 0x05, 0x01])
                && bmi270.contains(&vec![0x03, 0x03, 0xA8, 0x03])
        );
        let bmi160 = fake.writes(BMI160_ADDR, metawear::COMMAND);
        assert!(
            bmi160.contains(&vec![0x03, 0x1C, 0x01])
                && bmi160.contains(&vec![0x03, 0x03, 0x28, 0x0C])
        );

        for (file, model) in [
            ("left_shank.csv", "MbientLab MetaMotionS"),
            ("right_shank.csv", "MbientLab MetaMotionR/RL/C (BMI160)"),
        ] {
            let t = ImuTable::read(&session_dir.join(file)).unwrap();
            assert_eq!(t.len(), 30, "{file}");
            for k in 0..30 {
                let (acc, gyr) = raw(k);
                for a in 0..3 {
                    let want_acc = acc[a] as f64 * 16.0 / 32768.0 * G_MPS2;
                    assert!(
                        (t.acc_mps2[a][k] - want_acc).abs() < 1e-6,
                        "{file} acc {k} {a}"
                    );
                    assert!(
                        (t.gyr_dps[a][k] - gyr[a] as f64 / 16.4).abs() < 1e-6,
                        "{file} gyr {k} {a}"
                    );
                }
            }
            assert!(
                session.sensors.iter().any(|s| s.file == file
                    && s.device.as_ref().unwrap().model.as_deref() == Some(model)),
                "{file}: {model}"
            );
        }
        assert!(events.iter().any(|e| matches!(
            e,
            StatusEvent::Connected { placement: Placement::RightShank, basis, .. }
                if basis.contains("BMI160 (implementations 1 and 0)")
        )));
    });
}
