//! Property tests of everything that reads user data: the sensor CSV reader, the
//! `session.json` reader and the resampler. Arbitrary bytes and arbitrary but valid numbers
//! never panic, never make memory grow faster than the input (peak heap measured by a
//! counting allocator), and every `Ok` holds only finite values within the documented
//! bounds. The seed and the case budget are fixed so a run is deterministic and quick.

mod support;

use std::path::Path;

use gaitkit::recording::imu_csv::{MAX_ACC_MPS2, MAX_GYR_DPS};
use gaitkit::recording::resample::{MAX_EXTRA_MISSING_SAMPLES, MAX_RATE_HZ, MIN_RATE_HZ};
use gaitkit::recording::{ImuSample, ImuTable, Session, UniformImu};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use support::alloc_meter::{peak_bytes, Meter};

#[global_allocator]
static ALLOC: Meter = Meter;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(11_2026),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Heap allowed for reading `n` input bytes: the table (7 numbers per row of at least 14
/// bytes, doubled by vector growth), the interval list of the timing check, and the parser's
/// fixed buffers (one line of at most 64 KiB).
fn csv_bound(n: usize) -> usize {
    40 * n + (1 << 20)
}

fn assert_table_ok(t: &ImuTable) {
    assert!(!t.is_empty());
    assert!(t.time_s.iter().all(|v| v.is_finite()));
    assert!(t.time_s.windows(2).all(|w| w[1] > w[0]));
    for k in 0..3 {
        assert!(t.acc_mps2[k]
            .iter()
            .all(|v| v.is_finite() && v.abs() <= MAX_ACC_MPS2));
        assert!(t.gyr_dps[k]
            .iter()
            .all(|v| v.is_finite() && v.abs() <= MAX_GYR_DPS));
    }
}

fn read_csv(bytes: &[u8]) -> gaitkit::error::Result<ImuTable> {
    ImuTable::from_reader(bytes, Path::new("p.csv"))
}

/// A number as a CSV field: any f64 (NaN, infinities, huge), or an ordinary decimal.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|v| format!("{v}")),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        (-600.0..600.0f64).prop_map(|v| format!("{v:.4}")),
        Just("NaN".to_string()),
        Just("1e300".to_string()),
        Just(String::new()),
    ]
}

/// A CSV whose header has the seven columns (shuffled, maybe extra ones) and whose rows
/// hold arbitrary fields, increasing times with arbitrary steps, or both.
fn csv_text() -> impl Strategy<Value = String> {
    let header = Just(vec![
        "time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z", "mag_x",
    ])
    .prop_shuffle()
    .prop_flat_map(|h| (Just(h), 6usize..=8))
    .prop_map(|(h, n)| h.into_iter().take(n).collect::<Vec<_>>());
    let step = prop_oneof![
        (1e-4..0.2f64),
        Just(0.01),
        (0.0..1e12f64),
        Just(-0.01),
        Just(0.0)
    ];
    (
        header,
        prop::collection::vec((step, prop::collection::vec(number(), 8)), 0..120),
    )
        .prop_map(|(h, rows)| {
            let mut out = h.join(",") + "\n";
            let mut t = 0.0;
            for (dt, fields) in rows {
                t += dt;
                let mut row = Vec::new();
                for (name, f) in h.iter().zip(&fields) {
                    row.push(if *name == "time_s" {
                        format!("{t}")
                    } else {
                        f.clone()
                    });
                }
                out.push_str(&row.join(","));
                out.push('\n');
            }
            out
        })
}

/// Valid recordings: numbers within the physical ranges in any decimal or exponent form,
/// times at 20–1000 Hz with jitter, columns in any order.
fn valid_csv() -> impl Strategy<Value = (String, Vec<[f64; 7]>)> {
    let value = prop_oneof![
        -MAX_ACC_MPS2..MAX_ACC_MPS2,
        -1.0..1.0f64,
        Just(0.0),
        Just(-0.0),
    ];
    let header = Just(vec![0usize, 1, 2, 3, 4, 5, 6]).prop_shuffle();
    (
        header,
        0.001..0.05f64,
        prop::collection::vec(
            (0.8..1.2f64, prop::array::uniform6(value), any::<bool>()),
            2..150,
        ),
    )
        .prop_map(|(order, dt, rows)| {
            const NAMES: [&str; 7] = [
                "time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z",
            ];
            let mut text = order
                .iter()
                .map(|&k| NAMES[k])
                .collect::<Vec<_>>()
                .join(",")
                + "\n";
            let mut t = 1000.0;
            let mut expect = Vec::new();
            for (jitter, v, exp) in rows {
                t += dt * jitter;
                let row = [t, v[0], v[1], v[2], v[3], v[4], v[5]];
                let fields: Vec<String> = order
                    .iter()
                    .map(|&k| {
                        if exp {
                            format!("{:e}", row[k])
                        } else {
                            format!("{}", row[k])
                        }
                    })
                    .collect();
                text.push_str(&fields.join(","));
                text.push('\n');
                expect.push(row);
            }
            (text, expect)
        })
}

proptest! {
    #![proptest_config(config(250))]

    #[test]
    fn csv_reader_reads_valid_numbers_exactly((text, rows) in valid_csv()) {
        let t = read_csv(text.as_bytes()).unwrap();
        assert_table_ok(&t);
        prop_assert_eq!(t.len(), rows.len());
        for (i, r) in rows.iter().enumerate() {
            let s = t.sample(i);
            prop_assert_eq!(s.time_s, r[0]);
            prop_assert_eq!(s.acc_mps2, [r[1], r[2], r[3]]);
            prop_assert_eq!(s.gyr_dps, [r[4], r[5], r[6]]);
        }
    }

    #[test]
    fn csv_reader_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let (r, peak) = peak_bytes(|| read_csv(&bytes));
        prop_assert!(peak <= csv_bound(bytes.len()), "{peak} bytes for {} input bytes", bytes.len());
        match r {
            Ok(t) => assert_table_ok(&t),
            Err(e) => prop_assert!(e.to_string().len() < 1000),
        }
    }

    #[test]
    fn csv_reader_takes_any_numbers(text in csv_text()) {
        let (r, peak) = peak_bytes(|| read_csv(text.as_bytes()));
        prop_assert!(peak <= csv_bound(text.len()), "{peak} bytes for {} input bytes", text.len());
        match r {
            Ok(t) => assert_table_ok(&t),
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("p.csv"), "{msg}");
                prop_assert!(msg.len() < 1000, "{msg}");
            }
        }
    }
}

/// A session description with arbitrary values in its known fields and an unknown one.
fn session_json() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<f64>().prop_map(|v| serde_json::json!(v)),
        any::<i64>().prop_map(|v| serde_json::json!(v)),
        "[a-z-]{0,12}".prop_map(|s| serde_json::json!(s)),
        Just(serde_json::Value::Null),
        Just(serde_json::json!({"nested": [1, 2]})),
    ];
    let placement = prop_oneof![
        Just("lower-back"),
        Just("left-foot"),
        Just("right-foot"),
        Just("neck"),
    ];
    let sensor = (placement, "[a-z_./]{0,12}", "[UDLRFB]{3}", value.clone())
        .prop_map(|(p, f, a, hz)| serde_json::json!({"placement": p, "file": f, "axes": a, "sampling_rate_hz": hz}));
    (
        prop::collection::vec(sensor, 0..4),
        value.clone(),
        value.clone(),
        value.clone(),
        (-1e6..1e6f64, -1e6..1e6f64),
        value,
    )
        .prop_map(|(sensors, version, height, age, (g0, g1), extra)| {
            serde_json::json!({
                "format_version": version,
                "participant": {"height_m": height, "age_years": age},
                "sensors": sensors,
                "gaps": [{"placement": "lower-back", "start_s": g0, "end_s": g1}],
                "source": extra,
            })
            .to_string()
        })
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn session_reader_takes_any_text(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        let (r, peak) = peak_bytes(|| Session::parse(&text, Path::new("s/session.json")));
        prop_assert!(peak <= 64 * bytes.len() + (64 << 10), "{peak}");
        if let Err(e) = r {
            prop_assert!(e.to_string().starts_with("s/session.json"));
        }
    }

    #[test]
    fn session_reader_checks_every_value(text in session_json()) {
        match Session::parse(&text, Path::new("s/session.json")) {
            Ok(s) => {
                prop_assert!(!s.sensors.is_empty());
                let p = &s.participant;
                for v in [p.height_m, p.age_years, p.sensor_height_m].into_iter().flatten() {
                    prop_assert!(v.is_finite() && v >= 0.0);
                }
                for e in &s.sensors {
                    prop_assert!(!e.file.contains('/') && !e.file.is_empty());
                    if let Some(hz) = e.sampling_rate_hz {
                        prop_assert!((MIN_RATE_HZ..=MAX_RATE_HZ).contains(&hz));
                    }
                }
                for g in &s.gaps {
                    prop_assert!(g.start_s.is_finite() && g.start_s >= 0.0 && g.end_s > g.start_s);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("s/session.json") && msg.contains("field"), "{msg}");
            }
        }
    }
}

/// Strictly increasing times from arbitrary positive steps (jitter, lost samples, long jumps)
/// and arbitrary values within the physical ranges.
fn table() -> impl Strategy<Value = ImuTable> {
    let step = prop_oneof![
        8 => 0.004..0.016f64,
        2 => 0.016..2.0f64,
        1 => 2.0..1e9f64,
        1 => 1e-7..1e-3f64,
    ];
    let value = prop_oneof![(-MAX_ACC_MPS2..MAX_ACC_MPS2), Just(0.0), Just(9.81)];
    prop::collection::vec((step, prop::array::uniform6(value)), 1..400).prop_map(|rows| {
        let mut t = ImuTable::default();
        let mut time = 0.0;
        for (dt, v) in rows {
            time += dt;
            t.push(&ImuSample {
                time_s: time,
                acc_mps2: [v[0], v[1], v[2]],
                gyr_dps: [v[3], v[4], v[5]],
            });
        }
        t
    })
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn resampler_grid_is_bounded_by_the_rows(t in table(), fill in 0.0..1.0f64) {
        let n = t.len();
        let (r, peak) = peak_bytes(|| UniformImu::from_table(&t, fill));
        // six grid columns of at most 2n + MAX_EXTRA_MISSING_SAMPLES values, plus the
        // interval lists of the timing check
        let grid = 2 * n + MAX_EXTRA_MISSING_SAMPLES;
        prop_assert!(peak <= 6 * 8 * grid + 64 * n + (1 << 16), "{peak} bytes for {n} rows");
        if let Ok(u) = r {
            prop_assert!(u.len() <= grid && u.len() >= n.min(1));
            prop_assert!((MIN_RATE_HZ..=MAX_RATE_HZ).contains(&u.fs_hz));
            for k in 0..3 {
                prop_assert!(u.acc_mps2[k].iter().chain(&u.gyr_dps[k]).all(|v| v.is_finite()));
            }
            for s in u.segments() {
                prop_assert!(s.start < s.end && s.end <= u.len());
            }
        }
    }
}
