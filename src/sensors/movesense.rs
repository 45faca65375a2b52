//! Movesense: the GATT SensorData Protocol (GSP) of the default firmware (≥ 2.3.0, MD ≥ 1.0).
//!
//! Source: movesense.com/docs/esw/gatt_sensordata_protocol (GD-77) and the official
//! `gatt_sensordata_app` sample; units from the Movesense API yaml (acc m/s², gyro deg/s,
//! u32 timestamp in ms of the first sample in the packet).
//!
//! Commands on the write characteristic: `01 <ref> <ASCII path>` subscribes, `02 <ref>`
//! unsubscribes. Notifications: `01 <ref> ...` command response, `02 <ref> <payload>` data,
//! `03 <ref> <rest>` continuation of a data packet too large for one notification.
//! `/Meas/IMU6/<rate>` data: `u32 ts_ms`, then N acc triplets, then N gyro triplets (f32 LE).

use uuid::Uuid;

use super::{Command, DecodeError, Quantity, Reading};

pub const SERVICE: Uuid = Uuid::from_u128(0x34802252_7185_4d5d_b431_630e7050e8f0);
pub const WRITE: Uuid = Uuid::from_u128(0x34800001_7185_4d5d_b431_630e7050e8f0);
pub const NOTIFY: Uuid = Uuid::from_u128(0x34800002_7185_4d5d_b431_630e7050e8f0);

/// Client reference used for the IMU subscription.
pub const IMU_REF: u8 = 99;

const RESPONSE: u8 = 1;
const DATA: u8 = 2;
const DATA_PART2: u8 = 3;
/// One IMU6 sample: acc and gyro, 3 × f32 each.
const SAMPLE_BYTES: usize = 24;

/// Subscribe to `/Meas/IMU6/<rate_hz>` (acc + gyro in one packet, same timestamps).
pub fn start_commands(rate_hz: u16) -> Vec<Command> {
    let mut bytes = vec![1, IMU_REF];
    bytes.extend_from_slice(format!("/Meas/IMU6/{rate_hz}").as_bytes());
    vec![Command {
        characteristic: WRITE,
        bytes,
        with_response: true,
    }]
}

pub fn stop_commands() -> Vec<Command> {
    vec![Command {
        characteristic: WRITE,
        bytes: vec![2, IMU_REF],
        with_response: true,
    }]
}

#[derive(Debug, Clone)]
pub struct Decoder {
    rate_hz: f64,
    /// First part of a split data packet (payload after `02 <ref>`).
    pending: Vec<u8>,
    prev: Option<(u32, usize)>,
}

impl Decoder {
    pub fn new(rate_hz: f64) -> Self {
        Decoder {
            rate_hz,
            pending: Vec::new(),
            prev: None,
        }
    }

    pub fn decode_into(&mut self, data: &[u8], out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        match data.first() {
            None => Err(DecodeError::Empty),
            Some(&RESPONSE) => {
                if data.len() < 2 {
                    return Err(DecodeError::TooShort {
                        len: data.len(),
                        need: 2,
                    });
                }
                Ok(())
            }
            Some(&DATA) => {
                if data.len() < 6 {
                    return Err(DecodeError::TooShort {
                        len: data.len(),
                        need: 6,
                    });
                }
                // A data packet may be followed by its continuation, so it is decoded when
                // the next packet shows it complete (one packet of latency, no guessing).
                let previous = std::mem::replace(&mut self.pending, data[2..].to_vec());
                self.emit_checked(&previous, out)
            }
            Some(&DATA_PART2) => {
                if self.pending.is_empty() {
                    return Err(DecodeError::OrphanContinuation);
                }
                let mut joined = std::mem::take(&mut self.pending);
                joined.extend_from_slice(data.get(2..).unwrap_or(&[]));
                self.emit_checked(&joined, out)
            }
            Some(&t) => Err(DecodeError::UnknownType(t)),
        }
    }

    /// Decodes a data packet still held back (call when the stream ends).
    pub fn finish(&mut self, out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        let pending = std::mem::take(&mut self.pending);
        self.emit_checked(&pending, out)
    }

    fn emit_checked(&mut self, payload: &[u8], out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        if payload.is_empty() {
            return Ok(());
        }
        if payload.len() <= 4 || (payload.len() - 4) % SAMPLE_BYTES != 0 {
            return Err(DecodeError::Truncated {
                len: payload.len().saturating_sub(4),
                sample_bytes: SAMPLE_BYTES,
            });
        }
        let finite = payload[4..]
            .chunks_exact(4)
            .all(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]).is_finite());
        if !finite {
            return Err(DecodeError::NotFinite);
        }
        self.emit(payload, out);
        Ok(())
    }

    /// `payload` = `u32 ts_ms` + N acc triplets + N gyro triplets. Samples are spaced by the
    /// device period measured from the previous packet when plausible, else the nominal rate.
    fn emit(&mut self, payload: &[u8], out: &mut Vec<Reading>) {
        let ts_ms = u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]);
        let n = (payload.len() - 4) / SAMPLE_BYTES;
        let nominal = 1.0 / self.rate_hz;
        let period = match self.prev {
            Some((prev_ts, prev_n)) if ts_ms > prev_ts => {
                let p = (ts_ms - prev_ts) as f64 * 1e-3 / prev_n as f64;
                if (p - nominal).abs() < 0.2 * nominal {
                    p
                } else {
                    nominal
                }
            }
            _ => nominal,
        };
        self.prev = Some((ts_ms, n));
        let f = |at: usize| {
            f32::from_le_bytes([
                payload[at],
                payload[at + 1],
                payload[at + 2],
                payload[at + 3],
            ]) as f64
        };
        let t0 = ts_ms as f64 * 1e-3;
        for i in 0..n {
            let t = Some(t0 + i as f64 * period);
            let a = 4 + 12 * i;
            let g = 4 + 12 * n + 12 * i;
            out.push(Reading {
                quantity: Quantity::Acc,
                device_time_s: t,
                xyz: [f(a), f(a + 4), f(a + 8)],
            });
            out.push(Reading {
                quantity: Quantity::Gyr,
                device_time_s: t,
                xyz: [f(g), f(g + 4), f(g + 8)],
            });
        }
    }
}

/// Builds an IMU6 data packet (`02 <ref> ts acc... gyro...`); the layout of the sample app.
pub fn imu6_packet(ts_ms: u32, acc: &[[f32; 3]], gyr: &[[f32; 3]]) -> Vec<u8> {
    let mut b = vec![DATA, IMU_REF];
    b.extend_from_slice(&ts_ms.to_le_bytes());
    for v in acc.iter().chain(gyr) {
        for x in v {
            b.extend_from_slice(&x.to_le_bytes());
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_command_matches_the_official_sample_format() {
        // Sample: /Meas/IMU9/104 with ref 99 = 01 63 2F 4D 65 61 73 2F 49 4D 55 39 2F 31 30 34
        let c = &start_commands(104)[0];
        assert_eq!(c.characteristic, WRITE);
        assert_eq!(c.bytes, [&[0x01, 0x63][..], b"/Meas/IMU6/104"].concat());
        assert_eq!(stop_commands()[0].bytes, vec![0x02, 0x63]);
    }

    #[test]
    fn decodes_an_imu6_packet_in_si_units_with_device_times() {
        let acc = [[0.0, 0.0, 9.81], [0.5, -0.25, 9.75]];
        let gyr = [[90.0, 0.0, -1.5], [0.0, 2.0, 0.0]];
        let p = imu6_packet(1_000, &acc, &gyr);
        let mut d = Decoder::new(104.0);
        let mut out = Vec::new();
        d.decode_into(&p, &mut out).unwrap();
        assert!(
            out.is_empty(),
            "held until the next packet shows it complete"
        );
        d.finish(&mut out).unwrap();
        assert_eq!(out.len(), 4);
        assert_eq!(
            out[0],
            Reading {
                quantity: Quantity::Acc,
                device_time_s: Some(1.0),
                xyz: [0.0, 0.0, 9.81f32 as f64]
            }
        );
        assert_eq!(
            out[1],
            Reading {
                quantity: Quantity::Gyr,
                device_time_s: Some(1.0),
                xyz: [90.0, 0.0, -1.5]
            }
        );
        assert_eq!(out[3].xyz, [0.0, 2.0, 0.0]);
        assert_eq!(out[2].device_time_s, Some(1.0 + 1.0 / 104.0));
    }

    #[test]
    fn joins_split_packets() {
        let acc = [[1.0, 2.0, 3.0]; 8];
        let gyr = [[4.0, 5.0, 6.0]; 8];
        let p = imu6_packet(500, &acc, &gyr);
        let (a, b) = p.split_at(150);
        let mut second = vec![DATA_PART2, IMU_REF];
        second.extend_from_slice(b);
        let mut d = Decoder::new(104.0);
        let mut out = Vec::new();
        d.decode_into(a, &mut out).unwrap();
        assert!(out.is_empty());
        d.decode_into(&second, &mut out).unwrap();
        assert_eq!(out.len(), 16);
        assert_eq!(out[15].xyz, [4.0, 5.0, 6.0]);
    }

    #[test]
    fn malformed_packets_are_typed_errors() {
        let mut d = Decoder::new(104.0);
        let mut out = Vec::new();
        assert_eq!(d.decode_into(&[], &mut out), Err(DecodeError::Empty));
        assert_eq!(
            d.decode_into(&[2, 99, 0], &mut out),
            Err(DecodeError::TooShort { len: 3, need: 6 })
        );
        assert_eq!(
            d.decode_into(&[3, 99, 1, 2], &mut out),
            Err(DecodeError::OrphanContinuation)
        );
        assert_eq!(
            d.decode_into(&[7, 99], &mut out),
            Err(DecodeError::UnknownType(7))
        );
        // a first part whose continuation never comes is reported when the next packet arrives
        let p = imu6_packet(0, &[[0.0; 3]], &[[0.0; 3]]);
        d.decode_into(&p[..20], &mut out).unwrap();
        assert_eq!(
            d.decode_into(&p, &mut out),
            Err(DecodeError::Truncated {
                len: 14,
                sample_bytes: 24
            })
        );
        d.finish(&mut out).unwrap();
        assert_eq!(
            out.len(),
            2,
            "the complete packet after the broken one is still decoded"
        );
        d.decode_into(&p[..20], &mut out).unwrap();
        assert_eq!(
            d.decode_into(&[3, 99, 1], &mut out),
            Err(DecodeError::Truncated {
                len: 15,
                sample_bytes: 24
            })
        );
        d.decode_into(&[1, 99, 200, 0], &mut out).unwrap();
        // a NaN anywhere drops the packet instead of writing an unreadable CSV row
        let nan = imu6_packet(5, &[[0.0, f32::NAN, 0.0]], &[[0.0; 3]]);
        d.decode_into(&nan, &mut out).unwrap();
        assert_eq!(d.finish(&mut out), Err(DecodeError::NotFinite));
    }
}
