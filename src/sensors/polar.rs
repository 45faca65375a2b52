//! Polar Verity Sense and Polar H10: the PMD (Polar Measurement Data) protocol.
//!
//! Source: polarofficial/polar-ble-sdk, `technical_documentation/online_measurement.pdf`,
//! `BlePMDClient.kt`, `PmdSetting.kt`; test vectors from the SDK's `AccDataTest.kt`,
//! `GyrDataTest.kt`, `PmdSettingTest.kt`, `BlePmdClientControlPointResponseTest.kt`.
//!
//! Data notification: `[type][u64 ns since 2000-01-01 of the LAST sample][frame type][payload]`;
//! frame type bit 0x80 marks delta compression. Control-point responses:
//! `F0 <op> <type> <status> <more> <settings...>`; the start response carries the conversion
//! factor (setting 5, f32) that scales raw values.

use uuid::Uuid;

use super::{Command, DecodeError, Quantity, Reading, G_MPS2};

pub const SERVICE: Uuid = Uuid::from_u128(0xfb005c80_02e7_f387_1cad_8acd2d8df0c8);
/// Control point: write with response, responses arrive as notifications/indications.
pub const CONTROL_POINT: Uuid = Uuid::from_u128(0xfb005c81_02e7_f387_1cad_8acd2d8df0c8);
/// Measurement data: notify.
pub const DATA: Uuid = Uuid::from_u128(0xfb005c82_02e7_f387_1cad_8acd2d8df0c8);

pub const MEAS_ACC: u8 = 2;
pub const MEAS_GYRO: u8 = 5;
pub const MEAS_SDK_MODE: u8 = 9;

const OP_START: u8 = 2;
const OP_STOP: u8 = 3;
const RESPONSE: u8 = 0xF0;
/// Seconds from 1970-01-01 to 2000-01-01 (UTC), the epoch of PMD timestamps.
pub const EPOCH_2000_UNIX_S: i64 = 946_684_800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    VeritySense,
    H10,
}

/// Start request: `02 <type> [<setting> <count=1> <value LE>]...`.
/// Settings: 0 sample rate u16, 1 resolution u16, 2 range u16, 4 channels u8.
pub fn start_request(
    measurement: u8,
    rate_hz: u16,
    resolution_bits: u16,
    range: u16,
    channels: Option<u8>,
) -> Vec<u8> {
    let mut b = vec![OP_START, measurement];
    for (setting, v) in [(0u8, rate_hz), (1, resolution_bits), (2, range)] {
        b.extend_from_slice(&[setting, 1]);
        b.extend_from_slice(&v.to_le_bytes());
    }
    if let Some(c) = channels {
        b.extend_from_slice(&[4, 1, c]);
    }
    b
}

fn cp(bytes: Vec<u8>) -> Command {
    Command {
        characteristic: CONTROL_POINT,
        bytes,
        with_response: true,
    }
}

/// Verity Sense: SDK mode (unlocks 26–416 Hz), then ACC 104 Hz ±8 g and GYRO 104 Hz
/// ±2000 deg/s, 16 bit, 3 channels. H10: ACC 100 Hz ±8 g, 16 bit.
pub fn start_commands(variant: Variant) -> Vec<Command> {
    match variant {
        Variant::VeritySense => vec![
            cp(vec![OP_START, MEAS_SDK_MODE]),
            cp(start_request(MEAS_ACC, 104, 16, 8, Some(3))),
            cp(start_request(MEAS_GYRO, 104, 16, 2000, Some(3))),
        ],
        Variant::H10 => vec![cp(start_request(MEAS_ACC, 100, 16, 8, None))],
    }
}

pub fn stop_commands(variant: Variant) -> Vec<Command> {
    match variant {
        Variant::VeritySense => vec![
            cp(vec![OP_STOP, MEAS_ACC]),
            cp(vec![OP_STOP, MEAS_GYRO]),
            cp(vec![OP_STOP, MEAS_SDK_MODE]),
        ],
        Variant::H10 => vec![cp(vec![OP_STOP, MEAS_ACC])],
    }
}

/// A parsed control-point response.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlResponse {
    pub op: u8,
    pub measurement: u8,
    pub status: u8,
    pub more: bool,
    pub params: Vec<u8>,
}

pub fn parse_control_response(data: &[u8]) -> Result<ControlResponse, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if data[0] != RESPONSE {
        return Err(DecodeError::UnknownType(data[0]));
    }
    if data.len() < 4 {
        return Err(DecodeError::TooShort {
            len: data.len(),
            need: 4,
        });
    }
    Ok(ControlResponse {
        op: data[1],
        measurement: data[2],
        status: data[3],
        more: data.get(4).is_some_and(|&m| m != 0),
        params: data.get(5..).unwrap_or(&[]).to_vec(),
    })
}

/// Meaning of a control-point status code (PMD specification).
pub fn status_meaning(status: u8) -> &'static str {
    match status {
        0 => "success",
        1 => "invalid op code",
        2 => "invalid measurement type",
        3 => "not supported",
        4 => "invalid length",
        5 => "invalid parameter",
        6 => "already in state",
        7 => "invalid resolution",
        8 => "invalid sample rate",
        9 => "invalid range",
        10 => "invalid MTU",
        11 => "invalid number of channels",
        12 => "invalid state",
        13 => "device in charger",
        _ => "unknown error",
    }
}

/// Settings offered or selected: each key with all its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub sample_rate_hz: Vec<u16>,
    pub resolution_bits: Vec<u16>,
    pub range: Vec<u16>,
    pub channels: Vec<u8>,
    pub factor: Option<f32>,
}

/// Parses a settings list `<type> <count> <count values>`... (value size by type).
pub fn parse_settings(data: &[u8]) -> Result<Settings, DecodeError> {
    let mut s = Settings::default();
    let mut i = 0;
    while i < data.len() {
        if i + 2 > data.len() {
            return Err(DecodeError::TooShort {
                len: data.len(),
                need: i + 2,
            });
        }
        let (kind, count) = (data[i], data[i + 1] as usize);
        let size = match kind {
            0..=2 => 2,
            3 | 5 => 4,
            4 => 1,
            6 => 32,
            _ => return Err(DecodeError::UnknownType(kind)),
        };
        let start = i + 2;
        let end = start + count * size;
        if end > data.len() {
            return Err(DecodeError::TooShort {
                len: data.len(),
                need: end,
            });
        }
        for v in data[start..end].chunks_exact(size) {
            match kind {
                0 => s.sample_rate_hz.push(u16::from_le_bytes([v[0], v[1]])),
                1 => s.resolution_bits.push(u16::from_le_bytes([v[0], v[1]])),
                2 => s.range.push(u16::from_le_bytes([v[0], v[1]])),
                4 => s.channels.push(v[0]),
                5 => s.factor = Some(f32::from_le_bytes([v[0], v[1], v[2], v[3]])),
                _ => {}
            }
        }
        i = end;
    }
    Ok(s)
}

/// Header of a data notification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameHeader {
    pub measurement: u8,
    /// Time of the last sample in the frame, ns since 2000-01-01 00:00 UTC.
    pub timestamp_ns: u64,
    pub frame_type: u8,
    pub compressed: bool,
}

pub fn parse_header(data: &[u8]) -> Result<FrameHeader, DecodeError> {
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    if data.len() < 10 {
        return Err(DecodeError::TooShort {
            len: data.len(),
            need: 10,
        });
    }
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&data[1..9]);
    Ok(FrameHeader {
        measurement: data[0] & 0x3F,
        timestamp_ns: u64::from_le_bytes(ts),
        frame_type: data[9] & 0x7F,
        compressed: data[9] & 0x80 != 0,
    })
}

/// Raw integer samples of a frame, `channels` values per sample, appended to `out`.
///
/// Uncompressed: fixed-size little-endian values. Compressed: a reference sample of
/// `channels × resolution_bits/8` bytes, then blocks `[bits][count][count × channels × bits,
/// LSB first, two's complement]` of deltas, each added to the previous sample.
pub fn raw_samples(
    payload: &[u8],
    channels: usize,
    value_bytes: usize,
    compressed: bool,
    out: &mut Vec<[i32; 3]>,
) -> Result<(), DecodeError> {
    let sample_bytes = channels * value_bytes;
    if !compressed {
        if payload.is_empty() || payload.len() % sample_bytes != 0 {
            return Err(DecodeError::Truncated {
                len: payload.len(),
                sample_bytes,
            });
        }
        for s in payload.chunks_exact(sample_bytes) {
            let mut v = [0i32; 3];
            for (c, b) in s.chunks_exact(value_bytes).enumerate() {
                v[c] = signed_le(b);
            }
            out.push(v);
        }
        return Ok(());
    }
    if payload.len() < sample_bytes {
        return Err(DecodeError::TooShort {
            len: payload.len() + 10,
            need: sample_bytes + 10,
        });
    }
    let mut prev = [0i32; 3];
    for (c, b) in payload[..sample_bytes]
        .chunks_exact(value_bytes)
        .enumerate()
    {
        prev[c] = signed_le(b);
    }
    out.push(prev);
    let mut i = sample_bytes;
    while i < payload.len() {
        if i + 2 > payload.len() {
            return Err(DecodeError::BlockOverrun { at: i + 10 });
        }
        let bits = payload[i];
        let count = payload[i + 1] as usize;
        if bits > 32 {
            return Err(DecodeError::BadDeltaBits { bits });
        }
        let nbytes = (count * channels * bits as usize).div_ceil(8);
        let block = payload
            .get(i + 2..i + 2 + nbytes)
            .ok_or(DecodeError::BlockOverrun { at: i + 10 })?;
        let mut reader = BitReader {
            data: block,
            bit: 0,
        };
        for _ in 0..count {
            for p in prev.iter_mut().take(channels) {
                *p = p.wrapping_add(reader.signed(bits));
            }
            out.push(prev);
        }
        i += 2 + nbytes;
    }
    Ok(())
}

fn signed_le(b: &[u8]) -> i32 {
    let mut v: u32 = 0;
    for (k, &byte) in b.iter().enumerate() {
        v |= (byte as u32) << (8 * k);
    }
    let shift = 32 - 8 * b.len() as u32;
    ((v << shift) as i32) >> shift
}

struct BitReader<'a> {
    data: &'a [u8],
    bit: usize,
}

impl BitReader<'_> {
    /// Next `bits`-wide two's-complement value, least significant bit first.
    fn signed(&mut self, bits: u8) -> i32 {
        if bits == 0 {
            return 0;
        }
        let mut v: u64 = 0;
        for k in 0..bits as usize {
            let b = self.bit + k;
            v |= (((self.data[b / 8] >> (b % 8)) & 1) as u64) << k;
        }
        self.bit += bits as usize;
        let shift = 64 - bits as u32;
        ((v << shift) as i64 >> shift) as i32
    }
}

/// Decoder state: conversion factors from the start responses and the previous frame time
/// per measurement (to spread a frame's samples over the real device sample period).
#[derive(Debug, Clone)]
pub struct Decoder {
    rate_hz: f64,
    acc_factor: f32,
    gyr_factor: f32,
    prev_ts_ns: [Option<u64>; 2],
    scratch: Vec<[i32; 3]>,
}

impl Decoder {
    pub fn new(rate_hz: f64) -> Self {
        Decoder {
            rate_hz,
            acc_factor: 1.0,
            gyr_factor: 1.0,
            prev_ts_ns: [None; 2],
            scratch: Vec::new(),
        }
    }

    /// Conversion factors currently applied (ACC, GYRO).
    pub fn factors(&self) -> (f32, f32) {
        (self.acc_factor, self.gyr_factor)
    }

    pub fn decode_into(
        &mut self,
        characteristic: Uuid,
        data: &[u8],
        out: &mut Vec<Reading>,
    ) -> Result<(), DecodeError> {
        if characteristic == CONTROL_POINT {
            return self.control_response(data);
        }
        if characteristic != DATA {
            return Err(DecodeError::UnexpectedCharacteristic(characteristic));
        }
        let h = parse_header(data)?;
        let payload = &data[10..];
        let (quantity, slot, factor) = match h.measurement {
            MEAS_ACC => (Quantity::Acc, 0, self.acc_factor),
            MEAS_GYRO => (Quantity::Gyr, 1, self.gyr_factor),
            m => {
                return Err(DecodeError::UnsupportedFrame {
                    measurement: m,
                    frame_type: h.frame_type,
                })
            }
        };
        // (value bytes, scale to output unit); factor as in the SDK's AccData/GyrData.
        let f = factor as f64;
        let (value_bytes, scale) = match (quantity, h.compressed, h.frame_type) {
            (Quantity::Acc, false, 0) => (1, f * G_MPS2 * 1e-3),
            (Quantity::Acc, false, 1) => (2, f * G_MPS2 * 1e-3),
            (Quantity::Acc, false, 2) => (3, f * G_MPS2 * 1e-3),
            // Compressed ACC: raw × factor is in g; without a factor the raw unit is mG.
            (Quantity::Acc, true, 0) => (
                2,
                if factor != 1.0 {
                    f * G_MPS2
                } else {
                    G_MPS2 * 1e-3
                },
            ),
            (Quantity::Gyr, false, 0) | (Quantity::Gyr, true, 0) => (2, f),
            (Quantity::Gyr, false, 1) => (4, 1.0),
            _ => {
                return Err(DecodeError::UnsupportedFrame {
                    measurement: h.measurement,
                    frame_type: h.frame_type,
                })
            }
        };
        self.scratch.clear();
        if quantity == Quantity::Gyr && h.frame_type == 1 {
            if payload.is_empty() || payload.len() % 12 != 0 {
                return Err(DecodeError::Truncated {
                    len: payload.len(),
                    sample_bytes: 12,
                });
            }
            if !payload
                .chunks_exact(4)
                .all(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]).is_finite())
            {
                return Err(DecodeError::NotFinite);
            }
            let start = out.len();
            for s in payload.chunks_exact(12) {
                let v = |k: usize| {
                    f32::from_le_bytes([s[4 * k], s[4 * k + 1], s[4 * k + 2], s[4 * k + 3]]) as f64
                };
                out.push(Reading {
                    quantity,
                    device_time_s: None,
                    xyz: [v(0), v(1), v(2)],
                });
            }
            self.stamp(slot, h.timestamp_ns, &mut out[start..]);
            return Ok(());
        }
        raw_samples(payload, 3, value_bytes, h.compressed, &mut self.scratch)?;
        let start = out.len();
        out.extend(self.scratch.iter().map(|r| Reading {
            quantity,
            device_time_s: None,
            xyz: [
                r[0] as f64 * scale,
                r[1] as f64 * scale,
                r[2] as f64 * scale,
            ],
        }));
        self.stamp(slot, h.timestamp_ns, &mut out[start..]);
        Ok(())
    }

    /// The frame timestamp is the last sample's; earlier samples are spaced by the device
    /// period measured from the previous frame, or the nominal rate when that is implausible.
    fn stamp(&mut self, slot: usize, ts_ns: u64, readings: &mut [Reading]) {
        let n = readings.len();
        let nominal = 1.0 / self.rate_hz;
        let period = match self.prev_ts_ns[slot] {
            Some(prev) if ts_ns > prev => {
                let p = (ts_ns - prev) as f64 * 1e-9 / n as f64;
                if (p - nominal).abs() < 0.2 * nominal {
                    p
                } else {
                    nominal
                }
            }
            _ => nominal,
        };
        self.prev_ts_ns[slot] = Some(ts_ns);
        let last = ts_ns as f64 * 1e-9;
        for (i, r) in readings.iter_mut().enumerate() {
            r.device_time_s = Some(last - (n - 1 - i) as f64 * period);
        }
    }

    fn control_response(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let r = parse_control_response(data)?;
        if r.status != 0 && r.status != 6 {
            return Err(DecodeError::Refused {
                op: r.op,
                status: r.status,
                meaning: status_meaning(r.status),
            });
        }
        if r.op == OP_START && r.status == 0 && !r.params.is_empty() {
            // The start response carries the selected settings incl. the factor (type 5).
            if let Ok(s) = parse_settings(&r.params) {
                if let Some(f) = s.factor.filter(|f| f.is_finite() && *f > 0.0) {
                    match r.measurement {
                        MEAS_ACC => self.acc_factor = f,
                        MEAS_GYRO => self.gyr_factor = f,
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::hex;

    #[test]
    fn vendor_acc_raw_type1_frame() {
        // AccDataTest "process acc raw data frame type 1", first two samples.
        let data = hex("02 00 94 35 77 00 00 00 00 01 F7 FF FF FF E7 03 F8 FF FE FF E5 03");
        let h = parse_header(&data).unwrap();
        assert_eq!(
            h,
            FrameHeader {
                measurement: 2,
                timestamp_ns: 2_000_000_000,
                frame_type: 1,
                compressed: false
            }
        );
        let mut raw = Vec::new();
        raw_samples(&data[10..], 3, 2, false, &mut raw).unwrap();
        assert_eq!(raw, vec![[-9, -1, 999], [-8, -2, 997]]);
        let mut d = Decoder::new(100.0);
        let r = d.decode(DATA, &data);
        assert_eq!(r[0].quantity, Quantity::Acc);
        assert_eq!(
            r[1].xyz,
            [
                -8.0 * G_MPS2 * 1e-3,
                -2.0 * G_MPS2 * 1e-3,
                997.0 * G_MPS2 * 1e-3
            ]
        );
        // last sample at the frame time, the one before one nominal period earlier
        assert_eq!(r[1].device_time_s, Some(2.0));
        assert!((r[0].device_time_s.unwrap() - 1.99).abs() < 1e-12);
    }

    impl Decoder {
        fn decode(&mut self, c: Uuid, data: &[u8]) -> Vec<Reading> {
            let mut out = Vec::new();
            self.decode_into(c, data, &mut out).unwrap();
            out
        }
    }

    #[test]
    fn vendor_gyro_compressed_type0_frame() {
        // GyrDataTest "process gyro compressed data type 0".
        let data = hex("05 FF FF FF FF FF FF FF 7F 80 EA FF 08 00 0D 00 03 01 DF 00");
        let h = parse_header(&data).unwrap();
        assert_eq!(
            (h.measurement, h.timestamp_ns, h.frame_type, h.compressed),
            (5, 9_223_372_036_854_775_807, 0, true)
        );
        let r = Decoder::new(52.0).decode(DATA, &data);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].xyz, [-22.0, 8.0, 13.0]);
        assert_eq!(r[1].xyz, [-23.0, 11.0, 16.0]);
        assert!(r.iter().all(|x| x.quantity == Quantity::Gyr));
    }

    #[test]
    fn vendor_control_point_response_and_settings() {
        let r = parse_control_response(&hex("F0 01 02 00 00 FF FF FF")).unwrap();
        assert_eq!(
            r,
            ControlResponse {
                op: 1,
                measurement: 2,
                status: 0,
                more: false,
                params: vec![0xFF, 0xFF, 0xFF]
            }
        );
        let s = parse_settings(&hex(
            "00 01 34 00 01 01 10 00 02 04 F5 00 F4 01 E8 03 D0 07 04 01 03",
        ))
        .unwrap();
        assert_eq!(s.sample_rate_hz, vec![52]);
        assert_eq!(s.resolution_bits, vec![16]);
        assert_eq!(s.range, vec![245, 500, 1000, 2000]);
        assert_eq!(s.channels, vec![3]);
    }

    #[test]
    fn start_response_factor_scales_later_frames() {
        let mut d = Decoder::new(104.0);
        let mut resp = hex("F0 02 05 00 00 05 01");
        resp.extend_from_slice(&0.5f32.to_le_bytes());
        d.decode(CONTROL_POINT, &resp);
        assert_eq!(d.factors(), (1.0, 0.5));
        let r = d.decode(
            DATA,
            &hex("05 00 94 35 77 00 00 00 00 00 0A 00 F6 FF 00 00"),
        );
        assert_eq!(r[0].xyz, [5.0, -5.0, 0.0]);
        let mut out = Vec::new();
        let err = d
            .decode_into(CONTROL_POINT, &hex("F0 02 02 08 00"), &mut out)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "device refused command 0x02: status 8 (invalid sample rate)"
        );
    }

    #[test]
    fn consecutive_frames_use_the_measured_device_period() {
        let mut d = Decoder::new(100.0);
        let frame = |ts_ns: u64| {
            let mut f = vec![2];
            f.extend_from_slice(&ts_ns.to_le_bytes());
            f.push(1);
            f.extend_from_slice(&[0; 12]);
            f
        };
        d.decode(DATA, &frame(1_000_000_000));
        // 2 samples in 20.4 ms: period 10.2 ms (device clock), not the nominal 10 ms
        let r = d.decode(DATA, &frame(1_020_400_000));
        assert!((r[0].device_time_s.unwrap() - 1.0102).abs() < 1e-12);
    }

    #[test]
    fn sdk_start_commands_match_the_pmd_serialisation() {
        let h10 = start_commands(Variant::H10);
        assert_eq!(
            h10[0].bytes,
            hex("02 02 00 01 64 00 01 01 10 00 02 01 08 00")
        );
        // doc example: H10 ACC 200 Hz, 16 bit, ±8 g
        assert_eq!(
            start_request(2, 200, 16, 8, None),
            hex("02 02 00 01 C8 00 01 01 10 00 02 01 08 00")
        );
        let vs = start_commands(Variant::VeritySense);
        assert_eq!(vs[0].bytes, hex("02 09"));
        assert_eq!(
            vs[2].bytes,
            hex("02 05 00 01 68 00 01 01 10 00 02 01 D0 07 04 01 03")
        );
        assert!(vs
            .iter()
            .all(|c| c.characteristic == CONTROL_POINT && c.with_response));
    }

    #[test]
    fn malformed_frames_are_typed_errors() {
        let mut d = Decoder::new(100.0);
        let mut out = Vec::new();
        let mut err = |data: &[u8]| d.decode_into(DATA, data, &mut out).unwrap_err();
        assert_eq!(err(&[]), DecodeError::Empty);
        assert_eq!(
            err(&hex("02 00 94 35")),
            DecodeError::TooShort { len: 4, need: 10 }
        );
        assert_eq!(
            err(&hex("02 00 94 35 77 00 00 00 00 01 F7 FF FF")),
            DecodeError::Truncated {
                len: 3,
                sample_bytes: 6
            }
        );
        assert_eq!(
            err(&hex("02 00 94 35 77 00 00 00 00 01")),
            DecodeError::Truncated {
                len: 0,
                sample_bytes: 6
            }
        );
        assert_eq!(
            err(&hex("00 00 94 35 77 00 00 00 00 00 01 02 03")),
            DecodeError::UnsupportedFrame {
                measurement: 0,
                frame_type: 0
            }
        );
        assert_eq!(
            err(&hex("02 00 94 35 77 00 00 00 00 05 01 02 03")),
            DecodeError::UnsupportedFrame {
                measurement: 2,
                frame_type: 5
            }
        );
        // compressed: block header says 3 samples of 3-bit deltas but only one byte follows
        assert_eq!(
            err(&hex(
                "05 00 00 00 00 00 00 00 00 80 EA FF 08 00 0D 00 03 03 DF"
            )),
            DecodeError::BlockOverrun { at: 16 }
        );
        assert_eq!(
            err(&hex(
                "05 00 00 00 00 00 00 00 00 80 EA FF 08 00 0D 00 40 01 00"
            )),
            DecodeError::BadDeltaBits { bits: 64 }
        );
        assert_eq!(
            err(&hex("05 00 00 00 00 00 00 00 00 80 EA FF 08 00 0D 00 03")),
            DecodeError::BlockOverrun { at: 16 }
        );
        let e = d.decode_into(Uuid::nil(), &[1], &mut out).unwrap_err();
        assert_eq!(e, DecodeError::UnexpectedCharacteristic(Uuid::nil()));
        assert_eq!(
            parse_control_response(&hex("F0 01")),
            Err(DecodeError::TooShort { len: 2, need: 4 })
        );
        assert_eq!(
            parse_settings(&hex("00 02 34 00")),
            Err(DecodeError::TooShort { len: 4, need: 6 })
        );
    }
}
