//! Polar Verity Sense and Polar H10: the PMD (Polar Measurement Data) protocol.
//!
//! Source: polarofficial/polar-ble-sdk (`technical_documentation/online_measurement.pdf`,
//! Android `BlePMDClient.kt`, `PmdSetting.kt`, `PmdControlPointResponse.kt`,
//! `model/AccData.kt`, `model/GyrData.kt`); test vectors from the SDK's `AccDataTest.kt`,
//! `GyrDataTest.kt`, `PmdSettingTest.kt`, `BlePmdClientControlPointResponseTest.kt`.
//!
//! Data notification: `[type][u64 ns since 2000-01-01 of the LAST sample][frame type][payload]`;
//! frame type bit 0x80 marks delta compression. Control point: one command at a time, each
//! answered by `F0 <op> <type> <status> <more> <parameters...>` (`more` ≠ 0: continuation
//! packets `<more> <parameters...>` follow); the start reply carries the conversion factor
//! (setting 5, f32). The device pushes `01 <type>...` when it stops a measurement itself.

use uuid::Uuid;

use super::control::{Exchange, Expect, Purpose};
use super::{Command, DecodeError, Quantity, Reading, G_MPS2};

pub const SERVICE: Uuid = Uuid::from_u128(0xfb005c80_02e7_f387_1cad_8acd2d8df0c8);
/// Control point: write with response, responses arrive as notifications/indications.
pub const CONTROL_POINT: Uuid = Uuid::from_u128(0xfb005c81_02e7_f387_1cad_8acd2d8df0c8);
/// Measurement data: notify.
pub const DATA: Uuid = Uuid::from_u128(0xfb005c82_02e7_f387_1cad_8acd2d8df0c8);

pub const MEAS_ACC: u8 = 2;
pub const MEAS_GYRO: u8 = 5;
pub const MEAS_SDK_MODE: u8 = 9;

pub const OP_GET_SETTINGS: u8 = 1;
pub const OP_START: u8 = 2;
pub const OP_STOP: u8 = 3;
/// First byte of every control-point reply.
pub const RESPONSE: u8 = 0xF0;
/// First byte of the device's own "online measurement stopped" push (`01 <type>...`).
pub const MEASUREMENT_STOPPED: u8 = 0x01;
/// Status "already in state" (e.g. a measurement that is still running).
pub const STATUS_ALREADY_IN_STATE: u8 = 6;
/// Seconds from 1970-01-01 to 2000-01-01 (UTC), the epoch of PMD timestamps.
pub const EPOCH_2000_UNIX_S: i64 = 946_684_800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    VeritySense,
    H10,
}

/// Name of a PMD measurement type (`PmdMeasurementType.kt`).
pub fn measurement_name(m: u8) -> &'static str {
    match m {
        0 => "ECG",
        1 => "PPG",
        2 => "ACC",
        3 => "PPI",
        5 => "GYRO",
        6 => "MAG",
        9 => "SDK mode",
        _ => "unknown measurement",
    }
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

pub(crate) fn cp(bytes: Vec<u8>) -> Command {
    Command {
        characteristic: CONTROL_POINT,
        bytes,
        with_response: true,
    }
}

/// Verity Sense: SDK mode (unlocks 26–416 Hz), then ACC 104 Hz ±8 g and GYRO 104 Hz
/// ±2000 deg/s, 16 bit, 3 channels. H10: ACC 100 Hz ±8 g, 16 bit.
pub fn start_commands(variant: Variant) -> Vec<Command> {
    start_exchanges(variant)
        .into_iter()
        .map(|x| x.command)
        .collect()
}

/// [`start_commands`] with the reply each one waits for and what it is for.
pub fn start_exchanges(variant: Variant) -> Vec<Exchange> {
    let start = |m: u8, bytes: Vec<u8>, purpose: Purpose| Exchange {
        command: cp(bytes),
        expect: Expect::Polar {
            op: OP_START,
            measurement: m,
        },
        purpose,
    };
    match variant {
        Variant::VeritySense => vec![
            start(
                MEAS_SDK_MODE,
                vec![OP_START, MEAS_SDK_MODE],
                Purpose::Setup("SDK mode"),
            ),
            start(
                MEAS_ACC,
                start_request(MEAS_ACC, 104, 16, 8, Some(3)),
                Purpose::Start(Quantity::Acc),
            ),
            start(
                MEAS_GYRO,
                start_request(MEAS_GYRO, 104, 16, 2000, Some(3)),
                Purpose::Start(Quantity::Gyr),
            ),
        ],
        Variant::H10 => vec![start(
            MEAS_ACC,
            start_request(MEAS_ACC, 100, 16, 8, None),
            Purpose::Start(Quantity::Acc),
        )],
    }
}

/// The stop request for measurement `m`, waiting for its reply.
pub fn stop_exchange(m: u8) -> Exchange {
    Exchange {
        command: cp(vec![OP_STOP, m]),
        expect: Expect::Polar {
            op: OP_STOP,
            measurement: m,
        },
        purpose: Purpose::Stop,
    }
}

pub fn stop_commands(variant: Variant) -> Vec<Command> {
    stop_exchanges(variant)
        .into_iter()
        .map(|x| x.command)
        .collect()
}

pub fn stop_exchanges(variant: Variant) -> Vec<Exchange> {
    match variant {
        Variant::VeritySense => vec![
            stop_exchange(MEAS_ACC),
            stop_exchange(MEAS_GYRO),
            stop_exchange(MEAS_SDK_MODE),
        ],
        Variant::H10 => vec![stop_exchange(MEAS_ACC)],
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

/// Meaning of a control-point status code (`PmdControlPointResponse.kt`).
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
        14 => "disk full",
        _ => "unknown status code",
    }
}

/// One complete control-point message.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlPacket {
    /// A reply, its parameters joined over all continuation packets.
    Response(ControlResponse),
    /// The device stopped these measurements on its own (`ONLINE_MEASUREMENT_STOPPED`).
    MeasurementStopped(Vec<u8>),
}

/// Joins multi-packet replies: after a reply with `more` set, every control-point packet is
/// `<more> <parameters...>` until one has `more` = 0 (`BlePMDClient.kt` `sendControlPointCommand`).
#[derive(Debug, Clone, Default)]
pub struct ControlAssembler {
    pending: Option<ControlResponse>,
}

impl ControlAssembler {
    /// Takes one control-point notification; a message once it is complete.
    pub fn push(&mut self, data: &[u8]) -> Result<Option<ControlPacket>, DecodeError> {
        if let Some(mut r) = self.pending.take() {
            let Some((&more, params)) = data.split_first() else {
                return Err(DecodeError::Empty);
            };
            r.params.extend_from_slice(params);
            if more != 0 {
                self.pending = Some(r);
                return Ok(None);
            }
            r.more = false;
            return Ok(Some(ControlPacket::Response(r)));
        }
        match data.first() {
            Some(&MEASUREMENT_STOPPED) => Ok(Some(ControlPacket::MeasurementStopped(
                data[1..].iter().map(|t| t & 0x3F).collect(),
            ))),
            _ => {
                let r = parse_control_response(data)?;
                if r.more {
                    self.pending = Some(r);
                    Ok(None)
                } else {
                    Ok(Some(ControlPacket::Response(r)))
                }
            }
        }
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

/// Parses a settings list `<type> <count> <count values>`... (value size by type,
/// `PmdSetting.kt`: rate, resolution, range 2 bytes; range in milli-units 4; channels 1;
/// factor 4; security 16).
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
            6 => 16,
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
/// `channels × value_bytes` bytes, then blocks `[bits][count][count × channels × bits, LSB
/// first, two's complement]` of deltas, each added to the previous sample. A block of 0-bit
/// deltas carries no samples (as in `BlePMDClient.kt` `parseDeltaFramesAll`).
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
        if bits > 0 {
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
    /// Next `bits`-wide (1..=32) two's-complement value, least significant bit first.
    fn signed(&mut self, bits: u8) -> i32 {
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

/// How a frame's values are laid out and what one unit of them is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// Little-endian integers of `bytes` bytes, plain or delta-compressed.
    Int { bytes: usize, compressed: bool },
    /// IEEE 754 f32 values, plain or delta-compressed on their bit patterns.
    Float { compressed: bool },
}

/// Layout and scale (to m/s² or deg/s) of a frame, per model and frame type, as the SDK's
/// `AccData.kt` / `GyrData.kt` read them; `None` for frames gaitkit does not decode.
///
/// - ACC raw types 0/1/2 (i8/i16/i24): mG, no factor (the SDK never applies one). Type 0 on
///   the Verity Sense is left out: Polar's PDF says G there, the SDK reads mG.
/// - ACC compressed type 0 (`0x80`): raw × factor in G (factor 1.0 when the start reply has none).
/// - ACC compressed type 1 (`0x81`): 16-bit mG × factor.
/// - GYRO raw type 0 / compressed type 0: i16 × factor, deg/s; raw type 1 / compressed
///   type 1 (`0x81`): f32 deg/s (deltas added to the float bit patterns).
fn frame_layout(
    variant: Variant,
    quantity: Quantity,
    compressed: bool,
    frame_type: u8,
    factor: f64,
) -> Option<(Layout, f64)> {
    const MG: f64 = G_MPS2 * 1e-3;
    let int = |bytes| Layout::Int { bytes, compressed };
    Some(match (quantity, compressed, frame_type) {
        (Quantity::Acc, false, 0) if variant == Variant::H10 => (int(1), MG),
        (Quantity::Acc, false, 1) => (int(2), MG),
        (Quantity::Acc, false, 2) => (int(3), MG),
        (Quantity::Acc, true, 0) => (int(2), factor * G_MPS2),
        (Quantity::Acc, true, 1) => (int(2), factor * MG),
        (Quantity::Gyr, _, 0) if variant == Variant::VeritySense => (int(2), factor),
        (Quantity::Gyr, _, 1) if variant == Variant::VeritySense => {
            (Layout::Float { compressed }, 1.0)
        }
        _ => return None,
    })
}

/// Decoder state: conversion factors from the start responses and the previous frame time
/// per measurement (to spread a frame's samples over the real device sample period).
#[derive(Debug, Clone)]
pub struct Decoder {
    variant: Variant,
    rate_hz: f64,
    acc_factor: f32,
    gyr_factor: f32,
    prev_ts_ns: [Option<u64>; 2],
    scratch: Vec<[i32; 3]>,
    control: ControlAssembler,
}

impl Decoder {
    pub fn new(variant: Variant, rate_hz: f64) -> Self {
        Decoder {
            variant,
            rate_hz,
            acc_factor: 1.0,
            gyr_factor: 1.0,
            prev_ts_ns: [None; 2],
            scratch: Vec::new(),
            control: ControlAssembler::default(),
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
            return self.control_packet(data);
        }
        if characteristic != DATA {
            return Err(DecodeError::UnexpectedCharacteristic(characteristic));
        }
        let h = parse_header(data)?;
        let payload = &data[10..];
        let unsupported = || DecodeError::Unsupported {
            kind: format!(
                "{} frame type 0x{:02X}",
                measurement_name(h.measurement),
                data[9]
            ),
        };
        let (quantity, slot, factor) = match h.measurement {
            MEAS_ACC => (Quantity::Acc, 0, self.acc_factor),
            MEAS_GYRO => (Quantity::Gyr, 1, self.gyr_factor),
            _ => return Err(unsupported()),
        };
        let (layout, scale) = frame_layout(
            self.variant,
            quantity,
            h.compressed,
            h.frame_type,
            factor as f64,
        )
        .ok_or_else(unsupported)?;
        self.scratch.clear();
        let (bytes, compressed, float) = match layout {
            Layout::Int { bytes, compressed } => (bytes, compressed, false),
            Layout::Float { compressed } => (4, compressed, true),
        };
        raw_samples(payload, 3, bytes, compressed, &mut self.scratch)?;
        let value = |v: i32| {
            if float {
                f32::from_bits(v as u32) as f64
            } else {
                v as f64 * scale
            }
        };
        if float && !self.scratch.iter().flatten().all(|&v| value(v).is_finite()) {
            return Err(DecodeError::NotFinite);
        }
        let start = out.len();
        out.extend(self.scratch.iter().map(|r| Reading {
            quantity,
            device_time_s: None,
            xyz: [value(r[0]), value(r[1]), value(r[2])],
        }));
        self.stamp(slot, h.timestamp_ns, &mut out[start..]);
        Ok(())
    }

    /// The frame timestamp is the last sample's; earlier samples are spaced by the device
    /// period measured from the previous frame, or the nominal rate when that is implausible.
    fn stamp(&mut self, slot: usize, ts_ns: u64, readings: &mut [Reading]) {
        let n = readings.len();
        if n == 0 {
            return;
        }
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

    /// Control-point traffic: the factor of successful start replies is kept. Refusals are
    /// the link's business (it retries and reports them); a device-side stop is reported.
    fn control_packet(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        match self.control.push(data)? {
            None => Ok(()),
            Some(ControlPacket::MeasurementStopped(types)) => {
                Err(DecodeError::MeasurementStopped {
                    measurements: types
                        .iter()
                        .map(|&t| measurement_name(t))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
            Some(ControlPacket::Response(r)) => {
                if r.op == OP_START && r.status == 0 && !r.params.is_empty() {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::hex;

    impl Decoder {
        fn decode(&mut self, c: Uuid, data: &[u8]) -> Vec<Reading> {
            let mut out = Vec::new();
            self.decode_into(c, data, &mut out).unwrap();
            out
        }
    }

    fn verity() -> Decoder {
        Decoder::new(Variant::VeritySense, 104.0)
    }

    /// mG as the SDK's tests state them: `(factor × raw × 1000) as Int`, here from m/s².
    fn mg(mps2: f64) -> i64 {
        (mps2 / G_MPS2 * 1000.0 + 1e-9 * mps2.signum()).trunc() as i64
    }

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
        let mut d = Decoder::new(Variant::H10, 100.0);
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

    #[test]
    fn raw_acc_frames_are_mg_whatever_factor_the_start_reply_gave() {
        // The SDK never applies the factor to raw ACC frames (AccData.kt raw types).
        let mut d = Decoder::new(Variant::H10, 100.0);
        let mut resp = hex("F0 02 02 00 00 05 01");
        resp.extend_from_slice(&2.44e-4f32.to_le_bytes());
        d.decode(CONTROL_POINT, &resp);
        assert_eq!(d.factors().0, 2.44e-4);
        let r = d.decode(
            DATA,
            &hex("02 00 94 35 77 00 00 00 00 01 F7 FF FF FF E7 03"),
        );
        assert_eq!(mg(r[0].xyz[2]), 999);
    }

    /// AccDataTest "process acc compressed data type 0": 218 payload bytes.
    const ACC_0X80_CONTENT: &str = "
        71 07 F0 6A 9E 8D 0A 38 BE 5C BE BA 2F 96 B3 EE 4B E5 AD FB 42 B9 EB BE 4C FE BA 2F 92 BF EE 4B
        E4 B1 FB 12 B9 EC BD 3C 3E BB 2F 8F D3 DE 4B E3 B5 F7 D2 B8 ED BD 30 7E 7B 2F 8B E3 CE 8B E2 BA
        F7 A2 B8 EE BC 20 BE 7B 2F 88 F3 CE CB E1 BD EF 52 F8 EF BC 18 FE 3B 2F 84 03 BF CB E0 C2 EF 32
        B8 F0 BB 04 4E BC 2E 81 13 AF 0B E0 C6 EF F2 F7 F1 B9 FC 7D BC 2E 7D 27 9F 4B DF CA EB C2 F7 F2
        B8 EC CD 7C 2E 7B 37 8F 4B DE CE E3 92 F7 F3 B8 E0 0D FD 2D 77 4B 7F CB DD D2 DF 62 37 F5 B7 D4
        4D BD 2D 74 5B 6F CB DC D7 D7 32 37 F6 B5 C8 8D 7D 2D 71 6B 4F 4B DC DC D3 F2 36 F7 B4 BC DD FD
        2C 6F 7B 3F 4B DB E0 CF D2 36 F8 B2 B0 2D BE 2C 6C 8F 1F CB DA E3 C7 A2 76 F9";

    #[test]
    fn vendor_acc_compressed_type0_frame_with_factor() {
        let mut data = hex("02 00 94 35 77 00 00 00 00 80");
        data.extend(hex(ACC_0X80_CONTENT));
        assert_eq!(data.len(), 10 + 218);
        let mut raw = Vec::new();
        raw_samples(&data[10..], 3, 2, true, &mut raw).unwrap();
        assert_eq!(raw.len(), 57);
        assert_eq!(raw[0], [1905, 27376, -29282]);
        assert_eq!(raw[1], [1905 + 190, 27376 - 105, -29282 - 85]);

        let mut d = verity();
        let mut resp = hex("F0 02 02 00 00 05 01");
        resp.extend_from_slice(&2.44e-4f32.to_le_bytes());
        d.decode(CONTROL_POINT, &resp);
        let r = d.decode(DATA, &data);
        assert_eq!(r.len(), 57);
        let s0: Vec<i64> = r[0].xyz.iter().map(|&v| mg(v)).collect();
        assert_eq!(s0, vec![464, 6679, -7144]);
        assert!(r
            .iter()
            .all(|x| x.quantity == Quantity::Acc && x.xyz.iter().all(|&v| mg(v).abs() <= 8000)));
        assert_eq!(r[56].device_time_s, Some(2.0));
    }

    #[test]
    fn acc_compressed_type0_without_factor_is_read_in_g() {
        // AccData.kt: `accFactor = frame.factor * 1000 // type 0 data arrives in G units`,
        // factor 1.0 when the start reply carries none.
        let mut d = verity();
        d.decode(CONTROL_POINT, &hex("F0 02 02 00 00"));
        let r = d.decode(
            DATA,
            &hex("02 00 94 35 77 00 00 00 00 80 01 00 00 00 FF FF"),
        );
        assert_eq!(r[0].xyz, [G_MPS2, 0.0, -G_MPS2]);
    }

    #[test]
    fn vendor_acc_compressed_type1_frame() {
        // AccDataTest "process acc compressed data type 1", factor 1.0, timestamp 101 ns.
        let data = hex("02 65 00 00 00 00 00 00 00 81 F1 FF 14 00 F0 03 06 01 7B 0F 08");
        let r = verity().decode(DATA, &data);
        let mgs: Vec<Vec<i64>> = r
            .iter()
            .map(|x| x.xyz.iter().map(|&v| mg(v)).collect())
            .collect();
        assert_eq!(mgs, vec![vec![-15, 20, 1008], vec![-20, 17, 1008]]);
        assert_eq!(r[0].xyz[2], 1008.0 * G_MPS2 * 1e-3);
        assert_eq!(r[1].device_time_s, Some(101e-9));
    }

    #[test]
    fn real_verity_frame_layout_of_2021() {
        // A Verity Sense ACC frame logged with the SDK in 2021: header
        // `02 96 5B 06 5D EE AB 7F 09 80`, 228 bytes, reference sample then 4 blocks
        // (8 bit × 29, 10 bit × 10, 8 bit × 10, 10 bit × 13). Only the header and the block
        // layout are known here; the block contents are filled with small deltas.
        let mut data = hex("02 96 5B 06 5D EE AB 7F 09 80");
        let h = parse_header(&data).unwrap();
        let secs = EPOCH_2000_UNIX_S + (h.timestamp_ns / 1_000_000_000) as i64;
        let date = chrono::DateTime::from_timestamp(secs, 0).unwrap();
        assert_eq!(date.format("%Y-%m-%d").to_string(), "2021-09-08");
        data.extend_from_slice(&[0xF0, 0x00, 0x10, 0x00, 0xD0, 0x0F]); // (240, 16, 4048)
        for (bits, count) in [(8u8, 29u8), (10, 10), (8, 10), (10, 13)] {
            data.push(bits);
            data.push(count);
            let n = (count as usize * 3 * bits as usize).div_ceil(8);
            data.extend((0..n).map(|i| if i % 3 == 0 { 1 } else { 0 }));
        }
        assert_eq!(data.len(), 228);
        let mut d = verity();
        let mut resp = hex("F0 02 02 00 00 05 01");
        resp.extend_from_slice(&2.44e-4f32.to_le_bytes());
        d.decode(CONTROL_POINT, &resp);
        let r = d.decode(DATA, &data);
        assert_eq!(
            r.len(),
            1 + 29 + 10 + 10 + 13,
            "the frame is consumed exactly"
        );
        assert_eq!(r[62].device_time_s, Some(h.timestamp_ns as f64 * 1e-9));
    }

    /// A compressed float frame: reference bit patterns, then one block of `bits`-bit deltas
    /// added to the bit patterns (GyrData.kt `dataFromCompressedType1`).
    fn float_delta_frame(reference: [f32; 3], deltas: &[[i32; 3]], bits: u8) -> Vec<u8> {
        let mut f = vec![MEAS_GYRO];
        f.extend_from_slice(&5_000_000_000u64.to_le_bytes());
        f.push(0x81);
        for v in reference {
            f.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        f.push(bits);
        f.push(deltas.len() as u8);
        let mut acc: u128 = 0;
        let mut n = 0;
        for d in deltas.iter().flatten() {
            acc |= ((*d as u32 & ((1u32 << bits) - 1)) as u128) << n;
            n += bits as usize;
        }
        f.extend((0..n.div_ceil(8)).map(|i| (acc >> (8 * i)) as u8));
        f
    }

    #[test]
    fn gyro_compressed_type1_float_deltas() {
        let reference = [1.5f32, -2.25, 100.0];
        let deltas = [[1, -1, 1000], [-2, 2, -1500]];
        let r = verity().decode(DATA, &float_delta_frame(reference, &deltas, 12));
        assert_eq!(r.len(), 3);
        let mut bits = reference.map(|v| v.to_bits() as i32);
        assert_eq!(r[0].xyz, [1.5, -2.25, 100.0]);
        for (k, d) in deltas.iter().enumerate() {
            for c in 0..3 {
                bits[c] = bits[c].wrapping_add(d[c]);
            }
            assert_eq!(
                r[k + 1].xyz,
                bits.map(|b| f32::from_bits(b as u32) as f64),
                "sample {}",
                k + 1
            );
        }
        // one unit in the last place: the next float after 1.5
        assert_eq!(r[1].xyz[0], f32::from_bits(1.5f32.to_bits() + 1) as f64);
        assert!(r.iter().all(|x| x.quantity == Quantity::Gyr));
        // a delta that turns the pattern into infinity drops the frame
        let inf = float_delta_frame([f32::MAX, 0.0, 0.0], &[[1, 0, 0]], 2);
        let mut out = Vec::new();
        assert_eq!(
            verity().decode_into(DATA, &inf, &mut out),
            Err(DecodeError::NotFinite)
        );
        assert!(out.is_empty());
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
        let r = Decoder::new(Variant::VeritySense, 52.0).decode(DATA, &data);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].xyz, [-22.0, 8.0, 13.0]);
        assert_eq!(r[1].xyz, [-23.0, 11.0, 16.0]);
        assert!(r.iter().all(|x| x.quantity == Quantity::Gyr));
    }

    #[test]
    fn zero_bit_delta_blocks_add_no_samples() {
        // reference, a 0-bit block "of 5 samples", then one 3-bit delta sample
        let data = hex("05 00 94 35 77 00 00 00 00 80 EA FF 08 00 0D 00 00 05 03 01 DF 00");
        let r = verity().decode(DATA, &data);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].xyz, [-23.0, 11.0, 16.0]);
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
        // security (6) is 16 bytes: the channels setting after it is still found
        let mut with_security = hex("06 01");
        with_security.extend([0xAB; 16]);
        with_security.extend(hex("04 01 03"));
        assert_eq!(parse_settings(&with_security).unwrap().channels, vec![3]);
    }

    #[test]
    fn every_status_code_is_named() {
        assert_eq!(status_meaning(14), "disk full");
        assert_eq!(status_meaning(10), "invalid MTU");
        for s in 0..=14 {
            assert!(!status_meaning(s).contains("unknown"), "{s}");
        }
        assert_eq!(status_meaning(15), "unknown status code");
    }

    #[test]
    fn multi_packet_replies_are_joined() {
        let mut a = ControlAssembler::default();
        assert_eq!(a.push(&hex("F0 01 02 00 01 00 01 34")).unwrap(), None);
        assert_eq!(a.push(&hex("01 00 01 01")).unwrap(), None);
        let Some(ControlPacket::Response(r)) = a.push(&hex("00 10 00")).unwrap() else {
            panic!("complete after more = 0")
        };
        assert_eq!((r.op, r.measurement, r.more), (1, 2, false));
        assert_eq!(
            parse_settings(&r.params).unwrap(),
            Settings {
                sample_rate_hz: vec![52],
                resolution_bits: vec![16],
                ..Default::default()
            }
        );
        // and the decoder does not mistake the continuation packets for replies
        let mut d = verity();
        let mut resp = hex("F0 02 02 00 01 00 01 68 00");
        let mut out = Vec::new();
        d.decode_into(CONTROL_POINT, &resp, &mut out).unwrap();
        resp = vec![0x00, 0x05, 0x01];
        resp.extend_from_slice(&0.25f32.to_le_bytes());
        d.decode_into(CONTROL_POINT, &resp, &mut out).unwrap();
        assert_eq!(d.factors(), (0.25, 1.0));
    }

    #[test]
    fn device_side_stop_is_reported_not_malformed() {
        let mut d = verity();
        let mut out = Vec::new();
        assert_eq!(
            d.decode_into(CONTROL_POINT, &hex("01 02 05"), &mut out),
            Err(DecodeError::MeasurementStopped {
                measurements: "ACC, GYRO".into()
            })
        );
        assert!(!DecodeError::MeasurementStopped {
            measurements: "ACC".into()
        }
        .is_malformed());
    }

    #[test]
    fn start_response_factor_scales_later_gyro_frames() {
        let mut d = verity();
        let mut resp = hex("F0 02 05 00 00 05 01");
        resp.extend_from_slice(&0.5f32.to_le_bytes());
        d.decode(CONTROL_POINT, &resp);
        assert_eq!(d.factors(), (1.0, 0.5));
        let r = d.decode(
            DATA,
            &hex("05 00 94 35 77 00 00 00 00 00 0A 00 F6 FF 00 00"),
        );
        assert_eq!(r[0].xyz, [5.0, -5.0, 0.0]);
        // a refusal is the link's to handle: the decoder keeps its factors
        d.decode(CONTROL_POINT, &hex("F0 02 05 08 00"));
        assert_eq!(d.factors(), (1.0, 0.5));
    }

    #[test]
    fn consecutive_frames_use_the_measured_device_period() {
        let mut d = Decoder::new(Variant::H10, 100.0);
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
        let vs = start_exchanges(Variant::VeritySense);
        assert_eq!(vs[0].command.bytes, hex("02 09"));
        assert_eq!(
            vs[2].command.bytes,
            hex("02 05 00 01 68 00 01 01 10 00 02 01 D0 07 04 01 03")
        );
        assert_eq!(
            vs.iter().map(|x| x.expect).collect::<Vec<_>>(),
            vec![
                Expect::Polar {
                    op: 2,
                    measurement: 9
                },
                Expect::Polar {
                    op: 2,
                    measurement: 2
                },
                Expect::Polar {
                    op: 2,
                    measurement: 5
                }
            ]
        );
        assert!(vs
            .iter()
            .all(|x| x.command.characteristic == CONTROL_POINT && x.command.with_response));
        assert_eq!(
            stop_commands(Variant::VeritySense)
                .iter()
                .map(|c| c.bytes.clone())
                .collect::<Vec<_>>(),
            vec![hex("03 02"), hex("03 05"), hex("03 09")]
        );
    }

    #[test]
    fn frames_are_chosen_per_model_and_frame_type() {
        let mut out = Vec::new();
        let unsupported = |variant, data: &str| {
            let mut d = Decoder::new(variant, 100.0);
            let mut out = Vec::new();
            d.decode_into(DATA, &hex(data), &mut out)
                .unwrap_err()
                .to_string()
        };
        // the H10 has no gyroscope; the Verity's 8-bit raw ACC unit is not settled
        assert_eq!(
            unsupported(
                Variant::H10,
                "05 00 00 00 00 00 00 00 00 00 01 00 02 00 03 00"
            ),
            "unsupported GYRO frame type 0x00"
        );
        assert_eq!(
            unsupported(
                Variant::VeritySense,
                "02 00 00 00 00 00 00 00 00 00 01 02 03"
            ),
            "unsupported ACC frame type 0x00"
        );
        assert_eq!(
            unsupported(
                Variant::VeritySense,
                "02 00 00 00 00 00 00 00 00 82 01 02 03"
            ),
            "unsupported ACC frame type 0x82"
        );
        // the H10's 8-bit raw ACC is mG
        Decoder::new(Variant::H10, 100.0)
            .decode_into(
                DATA,
                &hex("02 00 00 00 00 00 00 00 00 00 01 02 FD"),
                &mut out,
            )
            .unwrap();
        assert_eq!(out[0].xyz[2], -3.0 * G_MPS2 * 1e-3);
    }

    #[test]
    fn malformed_frames_are_typed_errors() {
        let mut d = verity();
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
            DecodeError::Unsupported {
                kind: "ECG frame type 0x00".into()
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
