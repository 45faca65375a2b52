//! Fake sensors for the BLE scenarios: GATT layout of each model and frame builders.
#![allow(dead_code)]

use std::time::Duration;

use gaitkit::sensors::{polar, uuid16, witmotion, BATTERY_LEVEL, FIRMWARE_REVISION};
use uuid::Uuid;

use super::fake_bluez::{
    FakeChar, FakeDevice, FakeService, Step, INDICATE_WRITE, NOTIFY, READ_NOTIFY, WRITE,
};

pub const POLAR_ADDR: &str = "A0:9E:1A:00:00:01";
pub const WIT_ADDR: &str = "D4:22:00:00:00:04";
/// Device period of the fake Polar at 104 Hz, ns.
pub const POLAR_PERIOD_NS: u64 = 9_615_385;
/// Pause after the WitMotion rate command so frames arrive after the recorder's settling
/// time (`gaitkit::sensors::recorder::SETTLE_S`), ms.
pub const SETTLE_MS: u64 = 400;
/// Gyro conversion factor the fake Polar returns in its start response.
pub const POLAR_GYRO_FACTOR: f32 = 0.5;

fn battery(pct: u8) -> FakeService {
    FakeService {
        uuid: uuid16(0x180F),
        chars: vec![FakeChar {
            uuid: BATTERY_LEVEL,
            flags: READ_NOTIFY.to_vec(),
            value: vec![pct],
        }],
    }
}

/// A Verity Sense whose control point answers start requests (gyro with a 0.5 factor).
pub fn polar_verity(script: Vec<Step>) -> FakeDevice {
    let mut gyro_resp = vec![0xF0, 0x02, polar::MEAS_GYRO, 0x00, 0x00, 0x05, 0x01];
    gyro_resp.extend_from_slice(&POLAR_GYRO_FACTOR.to_le_bytes());
    FakeDevice {
        address: POLAR_ADDR.into(),
        name: "Polar Sense B5A5E62D".into(),
        rssi: -55,
        advertised: vec![],
        services: vec![
            FakeService {
                uuid: polar::SERVICE,
                chars: vec![
                    FakeChar {
                        uuid: polar::CONTROL_POINT,
                        flags: INDICATE_WRITE.to_vec(),
                        value: vec![],
                    },
                    FakeChar {
                        uuid: polar::DATA,
                        flags: NOTIFY.to_vec(),
                        value: vec![],
                    },
                ],
            },
            battery(87),
            FakeService {
                uuid: uuid16(0x180A),
                chars: vec![FakeChar {
                    uuid: FIRMWARE_REVISION,
                    flags: vec!["read"],
                    value: b"3.1.1\0".to_vec(),
                }],
            },
        ],
        responses: vec![
            (
                polar::CONTROL_POINT,
                vec![0x02, polar::MEAS_SDK_MODE],
                polar::CONTROL_POINT,
                vec![0xF0, 0x02, 0x09, 0x00, 0x00],
            ),
            (
                polar::CONTROL_POINT,
                vec![0x02, polar::MEAS_ACC],
                polar::CONTROL_POINT,
                vec![0xF0, 0x02, 0x02, 0x00, 0x00],
            ),
            (
                polar::CONTROL_POINT,
                vec![0x02, polar::MEAS_GYRO],
                polar::CONTROL_POINT,
                gyro_resp,
            ),
        ],
        script,
    }
}

pub fn witmotion(script: Vec<Step>) -> FakeDevice {
    FakeDevice {
        address: WIT_ADDR.into(),
        name: "WT901BLE67".into(),
        rssi: -48,
        advertised: vec![witmotion::SERVICE],
        services: vec![FakeService {
            uuid: witmotion::SERVICE,
            chars: vec![
                FakeChar {
                    uuid: witmotion::NOTIFY,
                    flags: NOTIFY.to_vec(),
                    value: vec![],
                },
                FakeChar {
                    uuid: witmotion::WRITE,
                    flags: WRITE.to_vec(),
                    value: vec![],
                },
            ],
        }],
        responses: vec![],
        script,
    }
}

/// PMD raw frame: ACC type 1 (i16 mG) or GYRO type 0 (i16 × factor), last-sample time `ts_ns`.
pub fn polar_frame(measurement: u8, ts_ns: u64, samples: &[[i16; 3]]) -> Vec<u8> {
    let mut f = vec![measurement];
    f.extend_from_slice(&ts_ns.to_le_bytes());
    f.push(if measurement == polar::MEAS_ACC { 1 } else { 0 });
    for s in samples {
        for v in s {
            f.extend_from_slice(&v.to_le_bytes());
        }
    }
    f
}

/// Raw values of the fake Polar's sample `k` (acc mG, gyro raw).
pub fn polar_sample(k: u64) -> ([i16; 3], [i16; 3]) {
    let k = k as i16;
    ([k, -2 * k, 1000 + k], [10 * k, 7, -k])
}

/// Script steps notifying Polar samples `from..to` in frames of 4 (ACC then GYRO).
pub fn polar_frames(from: u64, to: u64, base_ns: u64) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut k = from;
    while k < to {
        let n = 4.min(to - k);
        let last = k + n - 1;
        let ts = base_ns + last * POLAR_PERIOD_NS;
        let acc: Vec<[i16; 3]> = (k..=last).map(|i| polar_sample(i).0).collect();
        let gyr: Vec<[i16; 3]> = (k..=last).map(|i| polar_sample(i).1).collect();
        steps.push(Step::Notify {
            char: polar::DATA,
            data: polar_frame(polar::MEAS_ACC, ts, &acc),
        });
        steps.push(Step::Notify {
            char: polar::DATA,
            data: polar_frame(polar::MEAS_GYRO, ts, &gyr),
        });
        steps.push(Step::Sleep(Duration::from_millis(n * 9)));
        k += n;
    }
    steps
}

/// Raw registers of the fake WitMotion's frame `k`.
pub fn wit_raw(k: i16) -> [i16; 9] {
    [
        k.wrapping_mul(50),
        -50,
        2048,
        k.wrapping_mul(10),
        0,
        -164,
        0,
        0,
        0,
    ]
}

pub fn wait_write(char: Uuid, prefix: &[u8], count: usize) -> Step {
    Step::WaitWrite {
        char,
        prefix: prefix.to_vec(),
        count,
    }
}
