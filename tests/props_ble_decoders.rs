//! Property tests of the BLE decoders (Polar PMD, Movesense, WitMotion, MetaWear) through
//! their public entry points: any notification bytes, and well-formed frames with arbitrary
//! numbers, never panic, never hold more memory than a bound proportional to the bytes given,
//! and every reading decoded is finite. Fixed seed and case budget.

mod support;

use gaitkit::sensors::{metawear, movesense, polar, witmotion, Reading};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use support::alloc_meter::{peak_bytes, Meter};

#[global_allocator]
static ALLOC: Meter = Meter;

fn config() -> Config {
    Config {
        cases: 500,
        rng_seed: RngSeed::Fixed(16_2026),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Heap allowed for decoding `n` notification bytes: a reading (56 bytes) per 3 bits of
/// compressed data at worst, doubled by vector growth, plus small scratch space.
fn bound(n: usize) -> usize {
    400 * n + (16 << 10)
}

fn assert_finite(out: &[Reading]) -> Result<(), TestCaseError> {
    for r in out {
        prop_assert!(r.xyz.iter().all(|v| v.is_finite()), "{r:?}");
        if let Some(t) = r.device_time_s {
            prop_assert!(t.is_finite(), "{r:?}");
        }
    }
    Ok(())
}

/// A stream of notifications: each decoded in turn into one output, as the recorder does.
fn packets() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..260), 1..6)
}

/// Polar PMD data frames: ACC or GYRO, any timestamp, any frame type, any payload.
fn polar_frames() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let frame = (
        prop_oneof![Just(polar::MEAS_ACC), Just(polar::MEAS_GYRO), any::<u8>()],
        any::<u64>(),
        prop_oneof![
            Just(0u8),
            Just(1),
            Just(2),
            Just(0x80),
            Just(0x81),
            any::<u8>()
        ],
        prop::collection::vec(any::<u8>(), 0..240),
    )
        .prop_map(|(m, ts, ft, payload)| {
            let mut f = vec![m];
            f.extend_from_slice(&ts.to_le_bytes());
            f.push(ft);
            f.extend(payload);
            f
        });
    prop::collection::vec(frame, 1..6)
}

fn decode_all(packets: &[Vec<u8>], mut f: impl FnMut(&[u8], &mut Vec<Reading>)) -> Vec<Reading> {
    let mut out = Vec::new();
    for p in packets {
        f(p, &mut out);
    }
    out
}

fn total(packets: &[Vec<u8>]) -> usize {
    packets.iter().map(Vec::len).sum::<usize>().max(1)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn polar_any_bytes_and_frames(raw in packets(), frames in polar_frames(), control in prop::collection::vec(any::<u8>(), 0..40)) {
        for input in [&raw, &frames] {
            for variant in [polar::Variant::VeritySense, polar::Variant::H10] {
                let (out, peak) = peak_bytes(|| {
                    let mut d = polar::Decoder::new(variant, 104.0);
                    let _ = d.decode_into(polar::CONTROL_POINT, &control, &mut Vec::new());
                    decode_all(input, |p, out| {
                        let _ = d.decode_into(polar::DATA, p, out);
                    })
                });
                prop_assert!(peak <= bound(total(input) + control.len()), "{peak}");
                assert_finite(&out)?;
            }
        }
    }

    #[test]
    fn movesense_any_bytes_and_packets(
        raw in packets(),
        ts in any::<u32>(),
        values in prop::collection::vec(prop::array::uniform3(any::<f32>()), 0..16),
    ) {
        let n = values.len() / 2;
        let packet = movesense::imu6_packet(ts, &values[..n], &values[n..2 * n]);
        let mut inputs = raw.clone();
        inputs.push(packet.clone());
        let (out, peak) = peak_bytes(|| {
            let mut d = movesense::Decoder::new(104.0);
            let mut out = decode_all(&inputs, |p, out| {
                let _ = d.decode_into(p, out);
            });
            let _ = d.finish(&mut out);
            out
        });
        prop_assert!(peak <= bound(total(&inputs)), "{peak}");
        assert_finite(&out)?;
        // a well-formed packet of finite numbers decodes to exactly its samples
        if values[..2 * n].iter().flatten().all(|v| v.is_finite()) && n > 0 {
            let mut d = movesense::Decoder::new(104.0);
            let mut out = Vec::new();
            prop_assert!(d.decode_into(&packet, &mut out).is_ok());
            prop_assert!(d.finish(&mut out).is_ok());
            prop_assert_eq!(out.len(), 2 * n);
        }
    }

    #[test]
    fn witmotion_any_bytes_and_frames(raw in packets(), frames in prop::collection::vec(prop::array::uniform9(any::<i16>()), 0..8)) {
        let mut stream: Vec<u8> = Vec::new();
        for f in &frames {
            stream.extend_from_slice(&witmotion::frame(*f));
        }
        let mut inputs = raw.clone();
        inputs.push(stream);
        let (out, peak) = peak_bytes(|| {
            let mut d = witmotion::Decoder::new();
            decode_all(&inputs, |p, out| {
                let _ = d.decode_into(p, out);
            })
        });
        prop_assert!(peak <= bound(total(&inputs)), "{peak}");
        assert_finite(&out)?;
    }

    #[test]
    fn metawear_any_bytes_and_samples(
        raw in packets(),
        module in prop_oneof![Just(0x03u8), Just(0x13)],
        register in prop_oneof![Just(0x04u8), Just(0x05), Just(0x07), Just(0x1C)],
        values in prop::collection::vec(any::<i16>(), 0..9),
        chip in prop_oneof![Just(metawear::Chip::Bmi160), Just(metawear::Chip::Bmi270)],
        ranges in (prop_oneof![Just(2.0), Just(4.0), Just(8.0), Just(16.0)], prop_oneof![Just(125.0), Just(250.0), Just(500.0), Just(1000.0), Just(2000.0)]),
    ) {
        let mut packet = vec![module, register];
        for v in &values {
            packet.extend_from_slice(&v.to_le_bytes());
        }
        let mut inputs = raw.clone();
        inputs.push(packet);
        let (out, peak) = peak_bytes(|| {
            let mut d = metawear::Decoder::new(chip, ranges.0, ranges.1);
            decode_all(&inputs, |p, out| {
                let _ = d.decode_into(p, out);
            })
        });
        prop_assert!(peak <= bound(total(&inputs)), "{peak}");
        assert_finite(&out)?;
    }
}
