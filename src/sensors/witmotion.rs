//! WitMotion WT901BLECL / BWT901BLECL (BLE 5.0): 20-byte `55 61` frames, no timestamps.
//!
//! Source: WITMOTION/WitBluetooth_BWT901BLE5_0 SDK (`device_model.py`, `DeviceModel.java`,
//! `BluetoothBLE.swift`, `WinBleConfig.cs`, iOS data processor) and the WT901BLECL manual §6.1.
//! Frame: `55 61` + 9 × i16 LE: acc x,y,z (±16 g), gyro x,y,z (±2000 deg/s), roll, pitch, yaw
//! (±180 deg). Notifications are a byte stream: frames may be split or concatenated, so the
//! decoder re-synchronises on `55 61` / `55 71`.
//!
//! The service and characteristics are `0000ffe5/ffe4/ffe9-0000-1000-8000-00805f9a34fb` in all
//! five vendor SDKs, which compare them as exact strings: `…9a34fb`, not the Bluetooth base
//! UUID `…9b34fb` that the 16-bit numbers suggest.

use uuid::Uuid;

use super::{Command, DecodeError, Quantity, Reading, G_MPS2};

pub const SERVICE: Uuid = vendor_uuid(0xFFE5);
pub const NOTIFY: Uuid = vendor_uuid(0xFFE4);
pub const WRITE: Uuid = vendor_uuid(0xFFE9);

/// `0000xxxx-0000-1000-8000-00805f9a34fb`: WitMotion's UUIDs (one digit off the Bluetooth base).
pub const fn vendor_uuid(short: u16) -> Uuid {
    Uuid::from_u128(((short as u128) << 96) | 0x0000_0000_0000_1000_8000_0080_5f9a_34fb)
}

pub const FRAME_LEN: usize = 20;
const HEADER: u8 = 0x55;
const KIND_IMU: u8 = 0x61;
const KIND_REGISTER: u8 = 0x71;

/// Unlock, then return rate register 0x03 = 0x09 (100 Hz). Not saved to flash.
pub fn start_commands() -> Vec<Command> {
    set_rate(0x09)
}

/// The device cannot stop streaming; it is set back to its 10 Hz default (code 0x06).
pub fn stop_commands() -> Vec<Command> {
    set_rate(0x06)
}

/// Unlock, then write the return-rate register 0x03 with `code`.
fn set_rate(code: u8) -> Vec<Command> {
    [
        [0xFF, 0xAA, 0x69, 0x88, 0xB5],
        [0xFF, 0xAA, 0x03, code, 0x00],
    ]
    .into_iter()
    .map(|b| Command {
        characteristic: WRITE,
        bytes: b.to_vec(),
        with_response: false,
    })
    .collect()
}

/// Decodes one complete `55 61` frame: (acc m/s², gyro deg/s, angles deg).
pub fn decode_frame(f: &[u8; FRAME_LEN]) -> ([f64; 3], [f64; 3], [f64; 3]) {
    let v = |k: usize| i16::from_le_bytes([f[2 + 2 * k], f[3 + 2 * k]]) as f64 / 32768.0;
    (
        [
            v(0) * 16.0 * G_MPS2,
            v(1) * 16.0 * G_MPS2,
            v(2) * 16.0 * G_MPS2,
        ],
        [v(3) * 2000.0, v(4) * 2000.0, v(5) * 2000.0],
        [v(6) * 180.0, v(7) * 180.0, v(8) * 180.0],
    )
}

/// Byte-stream decoder: keeps an incomplete frame across notifications.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub fn new() -> Self {
        Decoder {
            buf: Vec::with_capacity(2 * FRAME_LEN),
        }
    }

    /// Appends the readings of every complete IMU frame. Register replies (`55 71`) are
    /// skipped; bytes that start no frame are discarded and reported as [`DecodeError::Resync`]
    /// after the good frames of the same notification have been pushed.
    pub fn decode_into(&mut self, data: &[u8], out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        if data.is_empty() {
            return Err(DecodeError::Empty);
        }
        self.buf.extend_from_slice(data);
        let mut skipped = 0;
        let mut i = 0;
        let b = &self.buf;
        while i < b.len() {
            if b[i] != HEADER {
                skipped += 1;
                i += 1;
                continue;
            }
            let Some(&kind) = b.get(i + 1) else { break };
            if kind != KIND_IMU && kind != KIND_REGISTER {
                skipped += 1;
                i += 1;
                continue;
            }
            if b.len() - i < FRAME_LEN {
                break;
            }
            if kind == KIND_IMU {
                let frame: &[u8; FRAME_LEN] =
                    b[i..i + FRAME_LEN].try_into().expect("length checked");
                let (acc, gyr, _) = decode_frame(frame);
                out.push(Reading {
                    quantity: Quantity::Acc,
                    device_time_s: None,
                    xyz: acc,
                });
                out.push(Reading {
                    quantity: Quantity::Gyr,
                    device_time_s: None,
                    xyz: gyr,
                });
            }
            i += FRAME_LEN;
        }
        self.buf.drain(..i);
        if skipped > 0 {
            Err(DecodeError::Resync { skipped })
        } else {
            Ok(())
        }
    }
}

/// Builds a `55 61` frame from raw register values (acc, gyro, angle).
pub fn frame(raw: [i16; 9]) -> [u8; FRAME_LEN] {
    let mut f = [0u8; FRAME_LEN];
    f[0] = HEADER;
    f[1] = KIND_IMU;
    for (k, v) in raw.iter().enumerate() {
        f[2 + 2 * k..4 + 2 * k].copy_from_slice(&v.to_le_bytes());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::hex;

    const VECTOR: &str = "55 61 00 00 00 00 00 08 00 00 00 00 A4 00 00 40 00 00 00 00";

    #[test]
    fn documented_frame_decodes_to_one_g_up_and_ten_dps() {
        let f: [u8; 20] = hex(VECTOR).try_into().unwrap();
        let (acc, gyr, ang) = decode_frame(&f);
        assert_eq!(acc, [0.0, 0.0, G_MPS2]);
        assert_eq!(gyr, [0.0, 0.0, 164.0 / 32768.0 * 2000.0]);
        assert!((gyr[2] - 10.009_765_625).abs() < 1e-12);
        assert_eq!(ang, [90.0, 0.0, 0.0]);
        assert_eq!(
            frame([0, 0, 2048, 0, 0, 164, 16384, 0, 0]).to_vec(),
            hex(VECTOR)
        );
    }

    #[test]
    fn frames_split_and_joined_across_notifications() {
        let mut stream = hex(VECTOR);
        stream.extend(frame([1, 2, 3, 4, 5, 6, 0, 0, 0]));
        stream.extend(hex(VECTOR));
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for chunk in [&stream[..7], &stream[7..33], &stream[33..]] {
            d.decode_into(chunk, &mut out).unwrap();
        }
        assert_eq!(out.len(), 6);
        assert_eq!(
            out[2].xyz,
            [
                16.0 * G_MPS2 / 32768.0,
                32.0 * G_MPS2 / 32768.0,
                48.0 * G_MPS2 / 32768.0
            ]
        );
        assert_eq!(out[3].quantity, Quantity::Gyr);
        assert!(d.buf.is_empty());
    }

    #[test]
    fn garbage_and_register_frames_are_skipped_with_a_count() {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        let mut data = vec![0x01, 0x55, 0x51, 0xFF];
        data.extend(hex(VECTOR));
        let mut reg = hex(VECTOR);
        reg[1] = 0x71;
        data.extend(reg);
        data.extend(hex(VECTOR));
        assert_eq!(
            d.decode_into(&data, &mut out),
            Err(DecodeError::Resync { skipped: 4 })
        );
        assert_eq!(
            out.len(),
            4,
            "both IMU frames decoded, register frame skipped"
        );
        assert_eq!(d.decode_into(&[], &mut out), Err(DecodeError::Empty));
        // truncated frame: kept until the rest arrives, nothing decoded from it yet
        d.decode_into(&hex(VECTOR)[..12], &mut out).unwrap();
        assert_eq!(out.len(), 4);
        d.decode_into(&hex(VECTOR)[12..], &mut out).unwrap();
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn uuids_are_the_vendor_sdks_strings() {
        // device_model.py:66-68, DeviceModel.java:52-54, BluetoothBLE.swift, WinBleConfig.cs
        assert_eq!(SERVICE.to_string(), "0000ffe5-0000-1000-8000-00805f9a34fb");
        assert_eq!(NOTIFY.to_string(), "0000ffe4-0000-1000-8000-00805f9a34fb");
        assert_eq!(WRITE.to_string(), "0000ffe9-0000-1000-8000-00805f9a34fb");
        assert_ne!(SERVICE, crate::sensors::uuid16(0xFFE5));
    }

    #[test]
    fn rate_command_is_100_hz() {
        let c = start_commands();
        assert_eq!(c[1].bytes, hex("FF AA 03 09 00"));
        assert_eq!(c[0].characteristic, WRITE);
    }
}
