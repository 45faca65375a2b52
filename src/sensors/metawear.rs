//! MbientLab MetaMotionS (BMI270): the MetaWear command protocol.
//!
//! Source: protocol facts and test bytes of mbientlab/MetaWear-SDK-Cpp
//! (`test_accelerometer_bmi270.py`, `test_gyro_bmi160.py`, `metawearboard.cpp`,
//! `gyro_bosch.cpp`); no code from it. Notifications are `<module> <register> <data>`:
//! accelerometer module 0x03 (register 0x04 one sample, 0x05/0x1C three packed samples),
//! gyroscope module 0x13 (0x05 one sample, 0x07 three packed). Values are i16 LE; no
//! timestamps in the stream.

use uuid::Uuid;

use super::{Command, DecodeError, Quantity, Reading, G_MPS2};

pub const SERVICE: Uuid = Uuid::from_u128(0x326a9000_85cb_9195_d9dd_464cfbbae75a);
pub const COMMAND: Uuid = Uuid::from_u128(0x326a9001_85cb_9195_d9dd_464cfbbae75a);
pub const NOTIFY: Uuid = Uuid::from_u128(0x326a9006_85cb_9195_d9dd_464cfbbae75a);

/// Ranges configured by [`start_commands`].
pub const ACC_RANGE_G: f64 = 16.0;
pub const GYR_RANGE_DPS: f64 = 2000.0;

const ACC: u8 = 0x03;
const GYR: u8 = 0x13;

fn cmd(b: &[u8]) -> Command {
    Command {
        characteristic: COMMAND,
        bytes: b.to_vec(),
        with_response: true,
    }
}

/// Accelerometer 100 Hz ±16 g (`03 03 A8 03`), gyroscope 100 Hz ±2000 deg/s (`13 03 28 00`),
/// packed notifications, enable, start.
pub fn start_commands() -> Vec<Command> {
    [
        &[0x03, 0x03, 0xA8, 0x03][..],
        &[0x13, 0x03, 0x28, 0x00],
        &[0x03, 0x05, 0x01],
        &[0x13, 0x07, 0x01],
        &[0x03, 0x02, 0x01, 0x00],
        &[0x13, 0x02, 0x01, 0x00],
        &[0x03, 0x01, 0x01],
        &[0x13, 0x01, 0x01],
    ]
    .into_iter()
    .map(cmd)
    .collect()
}

pub fn stop_commands() -> Vec<Command> {
    [
        &[0x03, 0x01, 0x00][..],
        &[0x13, 0x01, 0x00],
        &[0x03, 0x02, 0x00, 0x01],
        &[0x13, 0x02, 0x00, 0x01],
        &[0x03, 0x05, 0x00],
        &[0x13, 0x07, 0x00],
    ]
    .into_iter()
    .map(cmd)
    .collect()
}

/// Gyroscope LSB per deg/s for a full-scale range (Bosch FSR scale table).
pub fn gyro_lsb_per_dps(range_dps: f64) -> f64 {
    match range_dps as u32 {
        2000 => 16.4,
        1000 => 32.8,
        500 => 65.6,
        250 => 131.2,
        _ => 262.4,
    }
}

#[derive(Debug, Clone)]
pub struct Decoder {
    /// m/s² per LSB.
    acc_scale: f64,
    /// deg/s per LSB.
    gyr_scale: f64,
}

impl Decoder {
    pub fn new(acc_range_g: f64, gyr_range_dps: f64) -> Self {
        Decoder {
            acc_scale: acc_range_g / 32768.0 * G_MPS2,
            gyr_scale: 1.0 / gyro_lsb_per_dps(gyr_range_dps),
        }
    }

    pub fn decode_into(&mut self, data: &[u8], out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        if data.is_empty() {
            return Err(DecodeError::Empty);
        }
        if data.len() < 2 {
            return Err(DecodeError::TooShort {
                len: data.len(),
                need: 2,
            });
        }
        let (quantity, samples, scale) = match (data[0], data[1]) {
            (ACC, 0x04) => (Quantity::Acc, 1, self.acc_scale),
            (ACC, 0x05) | (ACC, 0x1C) => (Quantity::Acc, 3, self.acc_scale),
            (GYR, 0x05) => (Quantity::Gyr, 1, self.gyr_scale),
            (GYR, 0x07) => (Quantity::Gyr, 3, self.gyr_scale),
            (m, _) => return Err(DecodeError::UnknownType(m)),
        };
        let need = 2 + 6 * samples;
        if data.len() != need {
            return Err(DecodeError::Truncated {
                len: data.len() - 2,
                sample_bytes: 6 * samples,
            });
        }
        for s in data[2..].chunks_exact(6) {
            let v = |k: usize| i16::from_le_bytes([s[2 * k], s[2 * k + 1]]) as f64 * scale;
            out.push(Reading {
                quantity,
                device_time_s: None,
                xyz: [v(0), v(1), v(2)],
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::hex;

    fn decode(acc_g: f64, gyr_dps: f64, s: &str) -> Vec<[f64; 3]> {
        let mut out = Vec::new();
        Decoder::new(acc_g, gyr_dps)
            .decode_into(&hex(s), &mut out)
            .unwrap();
        out.iter().map(|r| r.xyz).collect()
    }

    fn assert_close(got: &[[f64; 3]], want: &[[f64; 3]], scale: f64, tol: f64) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            for k in 0..3 {
                assert!((g[k] / scale - w[k]).abs() <= tol, "{g:?} vs {w:?}");
            }
        }
    }

    #[test]
    fn vendor_vectors_decode() {
        // SDK tests print 3 decimals; the tolerance is half a unit of the last digit.
        assert_close(
            &decode(4.0, 2000.0, "03 04 16 c4 94 a2 2a d0"),
            &[[-1.872, -2.919, -1.495]],
            G_MPS2,
            5e-4,
        );
        assert_close(
            &decode(
                8.0,
                2000.0,
                "03 05 62 b7 53 0d e9 fd 16 d0 4d 0e 57 02 8a ff a1 05 0a 01",
            ),
            &[
                [-4.539, 0.833, -0.131],
                [-2.995, 0.894, 0.146],
                [-0.029, 0.352, 0.065],
            ],
            G_MPS2,
            5e-4,
        );
        assert_close(
            &decode(16.0, 500.0, "13 05 3e 43 ff 7f 00 80"),
            &[[262.409, 499.497, -499.512]],
            1.0,
            5e-4,
        );
        assert_close(
            &decode(
                16.0,
                1000.0,
                "13 07 09 15 ad 26 08 de 8a 1a 0d 26 65 e4 8d 20 ac 27 73 ec",
            ),
            &[
                [164.177, 301.860, -265.122],
                [207.134, 296.982, -215.457],
                [254.055, 309.634, -152.591],
            ],
            1.0,
            5e-4,
        );
    }

    #[test]
    fn malformed_notifications_are_typed_errors() {
        let mut d = Decoder::new(16.0, 2000.0);
        let mut out = Vec::new();
        assert_eq!(d.decode_into(&[], &mut out), Err(DecodeError::Empty));
        assert_eq!(
            d.decode_into(&[3], &mut out),
            Err(DecodeError::TooShort { len: 1, need: 2 })
        );
        assert_eq!(
            d.decode_into(&hex("03 04 16 c4 94"), &mut out),
            Err(DecodeError::Truncated {
                len: 3,
                sample_bytes: 6
            })
        );
        assert_eq!(
            d.decode_into(&hex("11 0a 01"), &mut out),
            Err(DecodeError::UnknownType(0x11))
        );
        assert!(out.is_empty());
    }
}
