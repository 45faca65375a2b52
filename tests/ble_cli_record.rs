//! The `gaitkit record` binary against the fake BlueZ, stopped with Ctrl-C (SIGINT): it
//! stops the sensor, finishes the session folder and exits successfully.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::recording::{ImuTable, Placement, Session, Task};
use gaitkit::sensors::witmotion;
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

#[test]
fn record_command_ends_cleanly_on_ctrl_c() {
    let (address, dir) = FakeBluez::start_bus();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("p07-walk");
    let rt = support::fake_bluez::runtime();
    rt.block_on(async {
        let mut script = vec![
            wait_write(witmotion::WRITE, &[0xFF, 0xAA, 0x03, 0x09], 1),
            Step::Sleep(Duration::from_millis(SETTLE_MS)),
        ];
        for k in 0..400 {
            script.push(Step::Notify {
                char: witmotion::NOTIFY,
                data: witmotion::frame(wit_raw(k)).to_vec(),
            });
            script.push(Step::Sleep(Duration::from_millis(10)));
        }
        let fake = FakeBluez::serve(address.clone(), dir, vec![witmotion(script)]).await;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
            .args([
                "record",
                "--sensor",
                "lower-back=WT901BLE67",
                "--task",
                "walk",
                "--participant",
                "P07",
                "--out",
            ])
            .arg(&session_dir)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // wait for data on disk, then press Ctrl-C
        let csv = session_dir.join("lower_back.csv");
        for _ in 0..100 {
            if ImuTable::read(&csv).is_ok_and(|t| t.len() >= 30) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            support::interrupt_and_wait(&mut child, Duration::from_secs(8)),
            "exits within 8 s of Ctrl-C"
        );
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("session written to") && stdout.contains("lower_back.csv"),
            "{stdout}"
        );
        let session = Session::read(&session_dir).unwrap();
        assert_eq!(session.task, Some(Task::Walk));
        assert_eq!(session.participant.id.as_deref(), Some("P07"));
        assert_eq!(session.sensors[0].placement, Placement::LowerBack);
        let t = ImuTable::read(&csv).unwrap();
        assert!(t.len() >= 30 && t.len() < 400, "{}", t.len());
        // rows are the streamed frames in order
        for k in 0..t.len() {
            let (acc, _, _) = witmotion::decode_frame(&witmotion::frame(wit_raw(k as i16)));
            assert!((t.acc_mps2[0][k] - acc[0]).abs() < 1e-6, "row {k}");
        }
        // the stop commands were written before disconnecting
        let writes = fake.writes(WIT_ADDR, witmotion::WRITE);
        assert_eq!(writes.last().unwrap(), &vec![0xFF, 0xAA, 0x03, 0x06, 0x00]);
        assert_eq!(fake.count(WIT_ADDR, "Disconnect"), 1);
    });
}
