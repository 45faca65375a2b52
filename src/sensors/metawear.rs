//! MbientLab MetaWear boards: the MetaWear command protocol, with the register map of the IMU
//! chip the board reports (BMI270 on the MetaMotionS, BMI160 on MetaMotionR/RL/C).
//!
//! Source: protocol facts and test bytes of mbientlab/MetaWear-SDK-Cpp
//! (`accelerometer_bosch_register.h`, `gyro_bosch_register.h`, `accelerometer_bosch.cpp`,
//! `gyro_bosch.cpp`, `metawearboard.cpp`, `test_accelerometer_bmi270.py`,
//! `test_accelerometer_bmi160.py`, `test_gyro_bmi160.py`, `test/common.py`); no code from it.
//!
//! Notifications are `<module> <register> <data>`, values i16 LE, no timestamps.
//! The chip is read from the module information register (`<module> 80`, reply
//! `<module> 80 <implementation> <revision>`; accelerometer 0x03: 1 = BMI160, 4 = BMI270;
//! gyroscope 0x13: 0 = BMI160, 1 = BMI270), as the SDK does before choosing a register map:
//!
//! | | BMI270 | BMI160 |
//! |---|---|---|
//! | acc data / packed | `03 04` / `03 05` | `03 04` / `03 1C` |
//! | acc ±16 g range byte | `03` | `0C` |
//! | gyro data / packed | `13 04` / `13 05` | `13 05` / `13 07` |

use uuid::Uuid;

use super::control::{Exchange, Expect, Purpose};
use super::{Command, DecodeError, Quantity, Reading, G_MPS2};

pub const SERVICE: Uuid = Uuid::from_u128(0x326a9000_85cb_9195_d9dd_464cfbbae75a);
pub const COMMAND: Uuid = Uuid::from_u128(0x326a9001_85cb_9195_d9dd_464cfbbae75a);
pub const NOTIFY: Uuid = Uuid::from_u128(0x326a9006_85cb_9195_d9dd_464cfbbae75a);

/// Ranges configured by [`start_commands`].
pub const ACC_RANGE_G: f64 = 16.0;
pub const GYR_RANGE_DPS: f64 = 2000.0;

pub const ACC: u8 = 0x03;
pub const GYR: u8 = 0x13;
/// Register 0 with the read bit: module information.
pub const READ_INFO: u8 = 0x80;

/// The Bosch IMU on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Chip {
    Bmi160,
    Bmi270,
}

impl Chip {
    pub fn name(self) -> &'static str {
        match self {
            Chip::Bmi160 => "BMI160",
            Chip::Bmi270 => "BMI270",
        }
    }

    /// Registers: (acc packed data, gyro single sample, gyro packed data).
    fn registers(self) -> (u8, u8, u8) {
        match self {
            Chip::Bmi270 => (0x05, 0x04, 0x05),
            Chip::Bmi160 => (0x1C, 0x05, 0x07),
        }
    }
}

/// Implementation codes of the module information replies (`MblMwModuleAccType`,
/// `MblMwModuleGyroType`): accelerometer 1 = BMI160, 4 = BMI270; gyroscope 0 = BMI160,
/// 1 = BMI270.
pub fn chip_from_module_info(acc_impl: Option<u8>, gyro_impl: Option<u8>) -> Result<Chip, String> {
    let name = |a: u8| match a {
        0 => "MMA8452Q",
        1 => "BMI160",
        3 => "BMA255",
        4 => "BMI270",
        _ => "an unknown chip",
    };
    match (acc_impl, gyro_impl) {
        (Some(4), Some(1)) => Ok(Chip::Bmi270),
        (Some(1), Some(0)) => Ok(Chip::Bmi160),
        (None, _) => Err("the board reports no accelerometer module".into()),
        (Some(a), None) => Err(format!(
            "the board has a {} accelerometer (implementation {a}) and no gyroscope",
            name(a)
        )),
        (Some(a), Some(g)) => Err(format!(
            "the board reports accelerometer implementation {a} ({}) with gyroscope \
             implementation {g}, a combination gaitkit has no register map for",
            name(a)
        )),
    }
}

/// Module information request for `module`, answered on [`NOTIFY`].
pub fn module_info_exchange(module: u8) -> Exchange {
    Exchange {
        command: cmd(&[module, READ_INFO]),
        expect: Expect::MetaWearInfo { module },
        purpose: Purpose::Identify,
    }
}

/// Implementation code of a module information reply's parameters (`None`: module absent,
/// the reply is just `<module> 80`).
pub fn implementation(params: &[u8]) -> Option<u8> {
    params.first().copied()
}

/// Commands go without response, as the SDK writes them (`metawearboard.cpp`: with response
/// only for the macro module).
fn cmd(b: &[u8]) -> Command {
    Command {
        characteristic: COMMAND,
        bytes: b.to_vec(),
        with_response: false,
    }
}

/// Accelerometer 100 Hz ±16 g, gyroscope 100 Hz ±2000 deg/s, packed notifications, enable,
/// start. BMI270: `03 03 A8 03` (odr 100 Hz, bwp normal, filter performance), `13 03 28 00`;
/// BMI160: `03 03 28 0C`, `13 03 28 00`.
pub fn start_commands(chip: Chip) -> Vec<Command> {
    let (acc_packed, _, gyr_packed) = chip.registers();
    let acc_config: [u8; 4] = match chip {
        Chip::Bmi270 => [ACC, 0x03, 0xA8, 0x03],
        Chip::Bmi160 => [ACC, 0x03, 0x28, 0x0C],
    };
    [
        &acc_config[..],
        &[GYR, 0x03, 0x28, 0x00],
        &[ACC, acc_packed, 0x01],
        &[GYR, gyr_packed, 0x01],
        &[ACC, 0x02, 0x01, 0x00],
        &[GYR, 0x02, 0x01, 0x00],
        &[ACC, 0x01, 0x01],
        &[GYR, 0x01, 0x01],
    ]
    .into_iter()
    .map(cmd)
    .collect()
}

pub fn stop_commands(chip: Chip) -> Vec<Command> {
    let (acc_packed, _, gyr_packed) = chip.registers();
    [
        &[ACC, 0x01, 0x00][..],
        &[GYR, 0x01, 0x00],
        &[ACC, 0x02, 0x00, 0x01],
        &[GYR, 0x02, 0x00, 0x01],
        &[ACC, acc_packed, 0x00],
        &[GYR, gyr_packed, 0x00],
    ]
    .into_iter()
    .map(cmd)
    .collect()
}

/// [`start_commands`] as exchanges (none waits for a reply: the SDK writes them blind).
pub fn start_exchanges(chip: Chip) -> Vec<Exchange> {
    start_commands(chip)
        .into_iter()
        .map(|c| {
            let purpose = match c.bytes[0] {
                GYR => Purpose::Start(Quantity::Gyr),
                _ => Purpose::Start(Quantity::Acc),
            };
            Exchange::plain(c, purpose)
        })
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
    chip: Chip,
    /// m/s² per LSB.
    acc_scale: f64,
    /// deg/s per LSB.
    gyr_scale: f64,
}

impl Decoder {
    pub fn new(chip: Chip, acc_range_g: f64, gyr_range_dps: f64) -> Self {
        Decoder {
            chip,
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
        let (acc_packed, gyr_single, gyr_packed) = self.chip.registers();
        let (quantity, samples, scale) = match (data[0], data[1]) {
            (_, READ_INFO) => return Ok(()),
            (ACC, 0x04) => (Quantity::Acc, 1, self.acc_scale),
            (ACC, r) if r == acc_packed => (Quantity::Acc, 3, self.acc_scale),
            (GYR, r) if r == gyr_single => (Quantity::Gyr, 1, self.gyr_scale),
            (GYR, r) if r == gyr_packed => (Quantity::Gyr, 3, self.gyr_scale),
            (m, r) => {
                return Err(DecodeError::Unsupported {
                    kind: format!(
                        "notification {m:02X} {r:02X} ({} register map)",
                        self.chip.name()
                    ),
                })
            }
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

    fn decode(chip: Chip, acc_g: f64, gyr_dps: f64, s: &str) -> Vec<[f64; 3]> {
        let mut out = Vec::new();
        Decoder::new(chip, acc_g, gyr_dps)
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

    const ACC_PACKED_PAYLOAD: &str = "62 b7 53 0d e9 fd 16 d0 4d 0e 57 02 8a ff a1 05 0a 01";
    const ACC_PACKED_G: [[f64; 3]; 3] = [
        [-4.539, 0.833, -0.131],
        [-2.995, 0.894, 0.146],
        [-0.029, 0.352, 0.065],
    ];
    const GYR_PACKED_PAYLOAD: &str = "09 15 ad 26 08 de 8a 1a 0d 26 65 e4 8d 20 ac 27 73 ec";
    const GYR_PACKED_DPS: [[f64; 3]; 3] = [
        [164.177, 301.860, -265.122],
        [207.134, 296.982, -215.457],
        [254.055, 309.634, -152.591],
    ];

    #[test]
    fn vendor_vectors_decode_on_both_register_maps() {
        // SDK tests print 3 decimals; the tolerance is half a unit of the last digit.
        for chip in [Chip::Bmi160, Chip::Bmi270] {
            assert_close(
                &decode(chip, 4.0, 2000.0, "03 04 16 c4 94 a2 2a d0"),
                &[[-1.872, -2.919, -1.495]],
                G_MPS2,
                5e-4,
            );
        }
        // packed accelerometer: 0x05 on the BMI270, 0x1C on the BMI160, same payload
        assert_close(
            &decode(
                Chip::Bmi270,
                8.0,
                2000.0,
                &format!("03 05 {ACC_PACKED_PAYLOAD}"),
            ),
            &ACC_PACKED_G,
            G_MPS2,
            5e-4,
        );
        assert_close(
            &decode(
                Chip::Bmi160,
                8.0,
                2000.0,
                &format!("03 1c {ACC_PACKED_PAYLOAD}"),
            ),
            &ACC_PACKED_G,
            G_MPS2,
            5e-4,
        );
        // gyroscope (test_gyro_bmi160.py): single 0x05 and packed 0x07 on the BMI160
        assert_close(
            &decode(Chip::Bmi160, 16.0, 500.0, "13 05 3e 43 ff 7f 00 80"),
            &[[262.409, 499.497, -499.512]],
            1.0,
            5e-4,
        );
        assert_close(
            &decode(
                Chip::Bmi160,
                16.0,
                1000.0,
                &format!("13 07 {GYR_PACKED_PAYLOAD}"),
            ),
            &GYR_PACKED_DPS,
            1.0,
            5e-4,
        );
        // the BMI270 gyro module: single 0x04, packed 0x05 (gyro_bosch_register.h), same layout
        assert_close(
            &decode(
                Chip::Bmi270,
                16.0,
                1000.0,
                &format!("13 05 {GYR_PACKED_PAYLOAD}"),
            ),
            &GYR_PACKED_DPS,
            1.0,
            5e-4,
        );
        assert_close(
            &decode(Chip::Bmi270, 16.0, 500.0, "13 04 3e 43 ff 7f 00 80"),
            &[[262.409, 499.497, -499.512]],
            1.0,
            5e-4,
        );
    }

    #[test]
    fn each_register_map_rejects_the_other_ones_registers() {
        let mut out = Vec::new();
        let mut bmi270 = Decoder::new(Chip::Bmi270, 16.0, 2000.0);
        assert_eq!(
            bmi270
                .decode_into(&hex(&format!("13 07 {GYR_PACKED_PAYLOAD}")), &mut out)
                .unwrap_err()
                .to_string(),
            "unsupported notification 13 07 (BMI270 register map)"
        );
        assert_eq!(
            bmi270.decode_into(&hex("13 05 3e 43 ff 7f 00 80"), &mut out),
            Err(DecodeError::Truncated {
                len: 6,
                sample_bytes: 18
            })
        );
        let mut bmi160 = Decoder::new(Chip::Bmi160, 16.0, 2000.0);
        assert!(bmi160
            .decode_into(&hex(&format!("03 05 {ACC_PACKED_PAYLOAD}")), &mut out)
            .is_err());
        // module information replies are not data and not malformed
        bmi160.decode_into(&hex("03 80 01 01"), &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn commands_per_board() {
        let bytes = |c: Vec<Command>| c.into_iter().map(|c| c.bytes).collect::<Vec<_>>();
        assert_eq!(
            bytes(start_commands(Chip::Bmi270)),
            [
                "03 03 A8 03",
                "13 03 28 00",
                "03 05 01",
                "13 05 01",
                "03 02 01 00",
                "13 02 01 00",
                "03 01 01",
                "13 01 01"
            ]
            .map(hex)
        );
        assert_eq!(
            bytes(stop_commands(Chip::Bmi270)),
            [
                "03 01 00",
                "13 01 00",
                "03 02 00 01",
                "13 02 00 01",
                "03 05 00",
                "13 05 00"
            ]
            .map(hex)
        );
        assert_eq!(
            bytes(start_commands(Chip::Bmi160)),
            [
                "03 03 28 0C",
                "13 03 28 00",
                "03 1C 01",
                "13 07 01",
                "03 02 01 00",
                "13 02 01 00",
                "03 01 01",
                "13 01 01"
            ]
            .map(hex)
        );
        assert_eq!(
            bytes(stop_commands(Chip::Bmi160)),
            [
                "03 01 00",
                "13 01 00",
                "03 02 00 01",
                "13 02 00 01",
                "03 1C 00",
                "13 07 00"
            ]
            .map(hex)
        );
        assert!(start_commands(Chip::Bmi270)
            .iter()
            .all(|c| c.characteristic == COMMAND && !c.with_response));
        assert_eq!(module_info_exchange(GYR).command.bytes, hex("13 80"));
    }

    #[test]
    fn chip_from_the_module_information_register() {
        // test/common.py, MetaMotionS: `03 80 04 00` and `13 80 01 00`
        assert_eq!(chip_from_module_info(Some(4), Some(1)), Ok(Chip::Bmi270));
        assert_eq!(chip_from_module_info(Some(1), Some(0)), Ok(Chip::Bmi160));
        assert_eq!(
            chip_from_module_info(Some(3), None).unwrap_err(),
            "the board has a BMA255 accelerometer (implementation 3) and no gyroscope"
        );
        assert!(chip_from_module_info(Some(4), Some(0))
            .unwrap_err()
            .contains("no register map"));
        assert_eq!(implementation(&hex("04 00")), Some(4));
        assert_eq!(implementation(&[]), None);
    }

    #[test]
    fn malformed_notifications_are_typed_errors() {
        let mut d = Decoder::new(Chip::Bmi270, 16.0, 2000.0);
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
        assert!(d.decode_into(&hex("11 0a 01"), &mut out).is_err());
        assert!(out.is_empty());
    }
}
