//! Fake sensors for the BLE scenarios: the GATT layout, Device Information and command replies
//! of each model as its vendor's SDK expects them, and frame builders that encode samples the
//! way the devices do (delta-compressed PMD frames, split Movesense packets, packed MetaWear
//! notifications), written apart from gaitkit's decoders.
#![allow(dead_code)]

use std::time::Duration;

use gaitkit::sensors::{
    metawear, movesense, polar, uuid16, witmotion, BATTERY_LEVEL, DEVICE_INFORMATION,
    FIRMWARE_REVISION, MANUFACTURER_NAME, MODEL_NUMBER,
};
use uuid::Uuid;

use super::fake_bluez::{
    FakeChar, FakeDevice, FakeService, Step, INDICATE_WRITE, NOTIFY, READ_NOTIFY, WRITE,
};

pub const POLAR_ADDR: &str = "A0:9E:1A:00:00:01";
pub const WIT_ADDR: &str = "D4:22:00:00:00:04";
pub const MOVESENSE_ADDR: &str = "0C:8C:DC:00:00:03";
/// Device period of the fake Polar at 104 Hz, ns.
pub const POLAR_PERIOD_NS: u64 = 9_615_385;
/// Pause after the WitMotion rate command so frames arrive after the recorder's settling
/// time (`gaitkit::sensors::recorder::SETTLE_S`), ms.
pub const SETTLE_MS: u64 = 400;
/// Gyro conversion factor the fake Polar returns in its start response.
pub const POLAR_GYRO_FACTOR: f32 = 0.5;
/// PMD time (ns since 2000-01-01) of the fake Polar's first sample: 2026-11-14.
pub const POLAR_BASE_NS: u64 = 848_000_000_000_000_000;

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

/// Device Information with manufacturer, model number and firmware revision.
pub fn device_information(manufacturer: &str, model: &str, firmware: &str) -> FakeService {
    let read = |uuid, v: &str| FakeChar {
        uuid,
        flags: vec!["read"],
        value: [v.as_bytes(), b"\0"].concat(),
    };
    FakeService {
        uuid: DEVICE_INFORMATION,
        chars: vec![
            read(MANUFACTURER_NAME, manufacturer),
            read(MODEL_NUMBER, model),
            read(FIRMWARE_REVISION, firmware),
        ],
    }
}

type Response = (Uuid, Vec<u8>, Uuid, Vec<u8>);

fn cp_reply(write: &[u8], reply: Vec<u8>) -> Response {
    (
        polar::CONTROL_POINT,
        write.to_vec(),
        polar::CONTROL_POINT,
        reply,
    )
}

/// PMD start reply for `measurement`: success, with the conversion factor if given.
pub fn polar_start_ok(measurement: u8, factor: Option<f32>) -> Vec<u8> {
    let mut r = vec![0xF0, 0x02, measurement, 0x00, 0x00];
    if let Some(f) = factor {
        r.extend_from_slice(&[0x05, 0x01]);
        r.extend_from_slice(&f.to_le_bytes());
    }
    r
}

/// Replies of a Verity Sense: SDK mode, then `acc` replies (in turn) to ACC starts, `gyro`
/// replies to GYRO starts, and the stop replies.
pub fn verity_responses(acc: Vec<Vec<u8>>, gyro: Vec<Vec<u8>>) -> Vec<Response> {
    let mut r = vec![cp_reply(
        &[0x02, polar::MEAS_SDK_MODE],
        polar_start_ok(polar::MEAS_SDK_MODE, None),
    )];
    r.extend(
        acc.into_iter()
            .map(|a| cp_reply(&[0x02, polar::MEAS_ACC], a)),
    );
    r.extend(
        gyro.into_iter()
            .map(|g| cp_reply(&[0x02, polar::MEAS_GYRO], g)),
    );
    for m in [polar::MEAS_ACC, polar::MEAS_GYRO, polar::MEAS_SDK_MODE] {
        r.push(cp_reply(&[0x03, m], vec![0xF0, 0x03, m, 0x00, 0x00]));
    }
    r
}

/// A Polar with the PMD service, battery and Device Information (`model` as model number).
pub fn polar_device(
    address: &str,
    name: &str,
    model: &str,
    responses: Vec<Response>,
    script: Vec<Step>,
) -> FakeDevice {
    FakeDevice {
        address: address.into(),
        name: name.into(),
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
            device_information("Polar Electro Oy", model, "3.1.1"),
        ],
        responses,
        script,
    }
}

/// A Verity Sense whose control point accepts every start (gyro with a 0.5 factor).
pub fn polar_verity(script: Vec<Step>) -> FakeDevice {
    polar_device(
        POLAR_ADDR,
        "Polar Sense B5A5E62D",
        "Polar Sense",
        verity_responses(
            vec![polar_start_ok(polar::MEAS_ACC, None)],
            vec![polar_start_ok(polar::MEAS_GYRO, Some(POLAR_GYRO_FACTOR))],
        ),
        script,
    )
}

pub fn witmotion(script: Vec<Step>) -> FakeDevice {
    witmotion_named(WIT_ADDR, "WT901BLE67", script)
}

pub fn witmotion_named(address: &str, name: &str, script: Vec<Step>) -> FakeDevice {
    FakeDevice {
        address: address.into(),
        name: name.into(),
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

pub fn movesense(script: Vec<Step>) -> FakeDevice {
    FakeDevice {
        address: MOVESENSE_ADDR.into(),
        name: "Movesense 214530000123".into(),
        rssi: -66,
        advertised: vec![movesense::SERVICE],
        services: vec![
            FakeService {
                uuid: movesense::SERVICE,
                chars: vec![
                    FakeChar {
                        uuid: movesense::WRITE,
                        flags: vec!["write"],
                        value: vec![],
                    },
                    FakeChar {
                        uuid: movesense::NOTIFY,
                        flags: NOTIFY.to_vec(),
                        value: vec![],
                    },
                ],
            },
            device_information("Suunto", "Movesense", "2.3.1"),
        ],
        responses: vec![],
        script,
    }
}

/// Which IMU a fake MetaWear board reports in its module information.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FakeChip {
    Bmi160,
    Bmi270,
}

impl FakeChip {
    /// Module information replies (`test/common.py`: MetaMotionS `03 80 04 00`, `13 80 01 00`).
    fn module_info(self) -> (Vec<u8>, Vec<u8>) {
        match self {
            FakeChip::Bmi270 => (vec![0x03, 0x80, 0x04, 0x00], vec![0x13, 0x80, 0x01, 0x00]),
            FakeChip::Bmi160 => (vec![0x03, 0x80, 0x01, 0x01], vec![0x13, 0x80, 0x00, 0x00]),
        }
    }

    /// Registers of packed accelerometer and gyroscope data.
    pub fn packed(self) -> (u8, u8) {
        match self {
            FakeChip::Bmi270 => (0x05, 0x05),
            FakeChip::Bmi160 => (0x1C, 0x07),
        }
    }
}

/// A MetaWear board answering module information requests for `chip`.
pub fn metawear(address: &str, chip: FakeChip, script: Vec<Step>) -> FakeDevice {
    let (acc, gyr) = chip.module_info();
    let model = if chip == FakeChip::Bmi270 { "8" } else { "5" };
    FakeDevice {
        address: address.into(),
        name: "MetaWear".into(),
        rssi: -70,
        advertised: vec![metawear::SERVICE],
        services: vec![
            FakeService {
                uuid: metawear::SERVICE,
                chars: vec![
                    FakeChar {
                        uuid: metawear::COMMAND,
                        flags: WRITE.to_vec(),
                        value: vec![],
                    },
                    FakeChar {
                        uuid: metawear::NOTIFY,
                        flags: NOTIFY.to_vec(),
                        value: vec![],
                    },
                ],
            },
            battery(64),
            device_information("MbientLab Inc", model, "1.7.3"),
        ],
        responses: vec![
            (metawear::COMMAND, vec![0x03, 0x80], metawear::NOTIFY, acc),
            (metawear::COMMAND, vec![0x13, 0x80], metawear::NOTIFY, gyr),
        ],
        script,
    }
}

/// Signed bits needed for `v` in two's complement.
fn bits_for(v: i32) -> u8 {
    let mut b = 1;
    while !(-(1i64 << (b - 1))..(1i64 << (b - 1))).contains(&(v as i64)) {
        b += 1;
    }
    b
}

/// A PMD delta-compressed payload: the first sample as reference (`value_bytes` per value,
/// LE), then one block of the differences, at the smallest width that holds them all,
/// packed LSB first.
pub fn delta_payload(samples: &[[i32; 3]], value_bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for v in samples[0] {
        out.extend_from_slice(&v.to_le_bytes()[..value_bytes]);
    }
    if samples.len() == 1 {
        return out;
    }
    let deltas: Vec<i32> = samples
        .windows(2)
        .flat_map(|w| (0..3).map(move |c| w[1][c].wrapping_sub(w[0][c])))
        .collect();
    let bits = deltas.iter().map(|&d| bits_for(d)).max().unwrap_or(1);
    out.push(bits);
    out.push((samples.len() - 1) as u8);
    let mut packed = vec![0u8; (deltas.len() * bits as usize).div_ceil(8)];
    for (i, d) in deltas.iter().enumerate() {
        for k in 0..bits as usize {
            if (d >> k) & 1 == 1 {
                let bit = i * bits as usize + k;
                packed[bit / 8] |= 1 << (bit % 8);
            }
        }
    }
    out.extend(packed);
    out
}

/// A PMD data frame: header (type, last-sample time, frame byte) and payload.
pub fn pmd_frame(measurement: u8, ts_ns: u64, frame_byte: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![measurement];
    f.extend_from_slice(&ts_ns.to_le_bytes());
    f.push(frame_byte);
    f.extend_from_slice(payload);
    f
}

/// PMD raw frame: ACC type 1 (i16 mG) or GYRO type 0 (i16 × factor), last-sample time `ts_ns`.
pub fn polar_frame(measurement: u8, ts_ns: u64, samples: &[[i16; 3]]) -> Vec<u8> {
    let payload: Vec<u8> = samples
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let frame_type = if measurement == polar::MEAS_ACC { 1 } else { 0 };
    pmd_frame(measurement, ts_ns, frame_type, &payload)
}

/// Raw values of the fake Polar's sample `k` (acc mG, gyro raw).
pub fn polar_sample(k: u64) -> ([i16; 3], [i16; 3]) {
    let k = k as i16;
    ([k, -2 * k, 1000 + k], [10 * k, 7, -k])
}

/// A Polar lying still: 1 g on z with ±1 mG on x, gyro raw (1, −1, 0) ± 1 on x.
pub fn polar_still(k: u64) -> ([i16; 3], [i16; 3]) {
    let w = (k % 2) as i16;
    ([w, 0, 1000], [1 + w, -1, 0])
}

/// How the fake Polar encodes its frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PmdEncoding {
    /// ACC raw type 1 (`0x01`), GYRO raw type 0 (`0x00`).
    Raw,
    /// ACC compressed type 1 (`0x81`, mG), GYRO compressed type 0 (`0x80`), as current
    /// Verity Sense units send them.
    Compressed,
}

/// Script steps notifying Polar samples `from..to` in frames of `per_frame` (ACC then GYRO
/// unless `gyro` is false), paced at about the device rate.
pub fn polar_stream(
    from: u64,
    to: u64,
    per_frame: u64,
    encoding: PmdEncoding,
    gyro: bool,
    sample: fn(u64) -> ([i16; 3], [i16; 3]),
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut k = from;
    while k < to {
        let n = per_frame.min(to - k);
        let last = k + n - 1;
        let ts = POLAR_BASE_NS + last * POLAR_PERIOD_NS;
        let acc: Vec<[i16; 3]> = (k..=last).map(|i| sample(i).0).collect();
        let gyr: Vec<[i16; 3]> = (k..=last).map(|i| sample(i).1).collect();
        let wide =
            |v: &[[i16; 3]]| -> Vec<[i32; 3]> { v.iter().map(|s| s.map(|x| x as i32)).collect() };
        let (a, g) = match encoding {
            PmdEncoding::Raw => (
                polar_frame(polar::MEAS_ACC, ts, &acc),
                polar_frame(polar::MEAS_GYRO, ts, &gyr),
            ),
            PmdEncoding::Compressed => (
                pmd_frame(polar::MEAS_ACC, ts, 0x81, &delta_payload(&wide(&acc), 2)),
                pmd_frame(polar::MEAS_GYRO, ts, 0x80, &delta_payload(&wide(&gyr), 2)),
            ),
        };
        steps.push(Step::Notify {
            char: polar::DATA,
            data: a,
        });
        if gyro {
            steps.push(Step::Notify {
                char: polar::DATA,
                data: g,
            });
        }
        steps.push(Step::Sleep(Duration::from_micros(
            n * POLAR_PERIOD_NS / 1000,
        )));
        k += n;
    }
    steps
}

/// Script steps notifying Polar samples `from..to` as raw frames of 4 (ACC then GYRO).
pub fn polar_frames(from: u64, to: u64, _base_ns: u64) -> Vec<Step> {
    polar_stream(from, to, 4, PmdEncoding::Raw, true, polar_sample)
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

/// Movesense IMU6 data as the sensor sends it: packets of more than 150 payload bytes are
/// split into a `02` part of 150 bytes and a `03` continuation (`GATTSensorDataClient.cpp`).
pub fn movesense_notifications(ts_ms: u32, acc: &[[f32; 3]], gyr: &[[f32; 3]]) -> Vec<Vec<u8>> {
    let p = movesense::imu6_packet(ts_ms, acc, gyr);
    let (header, payload) = p.split_at(2);
    if payload.len() <= 150 {
        return vec![p];
    }
    let mut first = header.to_vec();
    first.extend_from_slice(&payload[..150]);
    let mut second = vec![3, header[1]];
    second.extend_from_slice(&payload[150..]);
    vec![first, second]
}

/// A packed MetaWear notification: module, register, three (x, y, z) i16 samples.
pub fn metawear_packed(module: u8, register: u8, samples: [[i16; 3]; 3]) -> Vec<u8> {
    let mut b = vec![module, register];
    for v in samples.iter().flatten() {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

pub fn wait_write(char: Uuid, prefix: &[u8], count: usize) -> Step {
    Step::WaitWrite {
        char,
        prefix: prefix.to_vec(),
        count,
    }
}
