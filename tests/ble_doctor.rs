//! The `gaitkit doctor` binary against the fake BlueZ: without a sensor it reports the adapter
//! and the sensors nearby; with sensors it shows the GATT table, the identified model, the MTU,
//! every start command with its reply (a refusal and its retry included), the measured rate,
//! gravity and gyroscope noise with a verdict per stream, and `--save` writes the raw
//! notifications that replay to the same verdict. A sensor sending frames gaitkit cannot decode
//! fails, by frame type, with exit code 1.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::sensors::doctor::{analyse, read_capture, Level};
use gaitkit::sensors::{metawear, polar, Model};
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};

const VERITY: &str = "A0:9E:1A:00:00:21";
const BMI160: &str = "F1:22:00:00:00:26";
const H10: &str = "A0:9E:1A:00:00:22";

fn verity() -> support::fake_bluez::FakeDevice {
    let mut script = vec![wait_write(
        polar::CONTROL_POINT,
        &[0x02, polar::MEAS_GYRO],
        1,
    )];
    script.extend(polar_stream(
        0,
        312,
        10,
        PmdEncoding::Compressed,
        true,
        polar_still,
    ));
    polar_device(
        VERITY,
        "Polar Sense D0C70001",
        "Polar Sense",
        verity_responses(
            vec![
                vec![0xF0, 0x02, polar::MEAS_ACC, 12, 0x00],
                polar_start_ok(polar::MEAS_ACC, None),
            ],
            vec![polar_start_ok(polar::MEAS_GYRO, Some(POLAR_GYRO_FACTOR))],
        ),
        script,
    )
}

fn bmi160() -> support::fake_bluez::FakeDevice {
    let mut script = vec![wait_write(
        metawear::COMMAND,
        &[metawear::GYR, 0x01, 0x01],
        1,
    )];
    for p in 0..100i16 {
        let w = p % 2;
        script.push(Step::Notify {
            char: metawear::NOTIFY,
            data: metawear_packed(metawear::ACC, 0x1C, [[w, 0, 2048]; 3]),
        });
        script.push(Step::Notify {
            char: metawear::NOTIFY,
            data: metawear_packed(metawear::GYR, 0x07, [[16 + w, -16, 0]; 3]),
        });
        script.push(Step::Sleep(Duration::from_millis(30)));
    }
    metawear(BMI160, FakeChip::Bmi160, script)
}

/// An H10 whose ACC frames are of a type gaitkit does not decode (compressed type 2).
fn odd_h10() -> support::fake_bluez::FakeDevice {
    let mut script = vec![wait_write(
        polar::CONTROL_POINT,
        &[0x02, polar::MEAS_ACC],
        1,
    )];
    for k in 0..40u64 {
        script.push(Step::Notify {
            char: polar::DATA,
            data: pmd_frame(
                polar::MEAS_ACC,
                POLAR_BASE_NS + k * 10_000_000,
                0x82,
                &[0, 0, 0, 0, 0xE8, 0x03],
            ),
        });
        script.push(Step::Sleep(Duration::from_millis(40)));
    }
    polar_device(
        H10,
        "Polar H10 BAD00001",
        "H10",
        vec![
            (
                polar::CONTROL_POINT,
                vec![0x02, polar::MEAS_ACC],
                polar::CONTROL_POINT,
                polar_start_ok(polar::MEAS_ACC, None),
            ),
            (
                polar::CONTROL_POINT,
                vec![0x03, polar::MEAS_ACC],
                polar::CONTROL_POINT,
                vec![0xF0, 0x03, polar::MEAS_ACC, 0x00, 0x00],
            ),
        ],
        script,
    )
}

async fn doctor(address: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let (a, args) = (
        address.to_string(),
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
            .arg("doctor")
            .args(&args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &a)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    })
    .await
    .unwrap()
}

#[test]
fn doctor_checks_adapter_sensors_and_saves_a_replayable_capture() {
    let (address, dir) = FakeBluez::start_bus();
    let rt = support::fake_bluez::runtime();
    let out = tempfile::tempdir().unwrap();
    let save = out.path().join("capture");
    rt.block_on(async {
        let fake = FakeBluez::serve(address.clone(), dir, vec![verity(), bmi160(), odd_h10()]).await;

        // no sensor named: the adapter and what is nearby
        let (code, stdout, stderr) = doctor(&address, &["--scan-timeout", "800ms"]).await;
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("Bluetooth on linux"), "{stdout}");
        assert!(stdout.contains("adapter: hci0 (usb:v1D6Bp0246d0540), powered on"), "{stdout}");
        assert!(stdout.contains("Polar Sense D0C70001 (A0:9E:1A:00:00:21)  -55 dBm  Polar Verity Sense"), "{stdout}");
        assert!(stdout.contains("MbientLab MetaWear (model read on connecting)"), "{stdout}");
        assert!(stdout.contains("gaitkit doctor --sensor PLACEMENT=NAME"));

        // two sensors, saved
        let (code, stdout, stderr) = doctor(
            &address,
            &[
                "--sensor",
                "lower-back=Polar Sense D0C7",
                "--sensor",
                &format!("right-shank={BMI160}"),
                "--duration",
                "1500ms",
                "--scan-timeout",
                "3s",
                "--save",
                save.to_str().unwrap(),
            ],
        )
        .await;
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(stderr.contains("Lay each sensor still on a table"), "{stderr}");
        for want in [
            "lower-back: Polar Sense D0C70001 (A0:9E:1A:00:00:21), RSSI -55 dBm",
            "model: Polar Verity Sense (from Device Information model number \"Polar Sense\")",
            "firmware 3.1.1, hardware not reported, manufacturer Polar Electro Oy, model number Polar Sense",
            "MTU: 247 as reported by the platform; enough for this model's notifications (≥ 232)",
            "fb005c80-02e7-f387-1cad-8acd2d8df0c8 (Polar PMD service)",
            "fb005c81-02e7-f387-1cad-8acd2d8df0c8 (PMD control point) [write, notify, indicate]",
            "SDK mode start: 02 09 → F0 02 09 00 00  accepted",
            "ACC start: 02 02 00 01 68 00 01 01 10 00 02 01 08 00 04 01 03 → F0 02 02 0C 00  refused: status 12 (invalid state)",
            "→ F0 02 02 00 00  accepted (retry)",
            "GYRO start: 02 05",
            "accelerometer OK    ",
            "104.0 Hz, gravity 1.00 g at rest",
            "gyroscope     OK    ",
            "right-shank: MetaWear (F1:22:00:00:00:26)",
            "model: MbientLab MetaMotionR/RL/C (BMI160) (from module information: accelerometer and gyroscope BMI160 (implementations 1 and 0))",
            "module info request 0x03: 03 80 → 03 80 01 01  accepted",
            "saved ",
        ] {
            assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
        }
        // the BMI160 got its own register map
        let writes = fake.writes(BMI160, metawear::COMMAND);
        assert!(writes.contains(&vec![0x03, 0x1C, 0x01]) && writes.contains(&vec![0x13, 0x07, 0x01]));
        let right = stdout.split("right-shank:").nth(1).unwrap();
        assert!(
            right.contains("(arrival times), gravity 1.00 g") && !right.contains("FAIL"),
            "{right}"
        );

        // the capture replays to the printed verdict
        let report = std::fs::read_to_string(save.join("report.txt")).unwrap();
        assert!(report.contains("104.0 Hz, gravity 1.00 g at rest"));
        let (model, captures) = read_capture(&save.join("lower-back.notifications.csv")).unwrap();
        assert_eq!(model, Some(Model::PolarVeritySense));
        assert!(captures.iter().any(|c| c.arrival_s < 0.0), "start replies before t = 0");
        let (summary, streams) = analyse(Model::PolarVeritySense, &captures, &[]);
        assert_eq!((summary.malformed, summary.unsupported.len()), (0, 0));
        assert_eq!(streams[0].level, Level::Ok);
        assert!(stdout.contains(&streams[0].verdict), "{}", streams[0].verdict);
        assert!(stdout.contains(&format!("{} samples, {}", streams[1].samples, streams[1].verdict)));
        // --save never overwrites
        let (code, _, stderr) = doctor(
            &address,
            &["--sensor", "lower-back=x", "--save", save.to_str().unwrap()],
        )
        .await;
        assert_eq!(code, Some(1));
        assert!(stderr.contains("report.txt already exists"), "{stderr}");

        // frames gaitkit cannot decode: a failure by frame type, exit code 1
        let (code, stdout, _) = doctor(
            &address,
            &["--sensor", "lower-back=Polar H10 BAD", "--duration", "1s"],
        )
        .await;
        assert_eq!(code, Some(1), "{stdout}");
        assert!(stdout.contains("model: Polar H10 (from Device Information model number \"H10\")"), "{stdout}");
        assert!(stdout.contains("× unsupported ACC frame type 0x82"), "{stdout}");
        assert!(
            stdout.contains("accelerometer FAIL  0 samples, no data (")
                && stdout.contains("unsupported ACC frame type 0x82)"),
            "{stdout}"
        );
        assert!(stdout.contains("gyroscope     –     none on this model"), "{stdout}");
    });
}
