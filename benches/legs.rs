//! Two-foot analysis speed: a 1-hour session of both feet at 200 Hz (the bundled 38.7 s
//! two-foot walk repeated 93 times, played back as 200 Hz), analysed end to end
//! (alignment, events, trajectories, strides, summary) on one thread.
//!
//! `cargo bench --bench legs`; target: median ≤ 200 ms.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gaitkit::gait::leg::{analyze_legs, LegInput, LegSensor, LegSensorKind};
use gaitkit::gait::PerSide;
use gaitkit::recording::{Axes, ImuTable, UniformImu};

const FS_HZ: f64 = 200.0;
const DURATION_S: f64 = 3600.0;

fn hour_of(file: &str) -> UniformImu {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/feet_healthy_2x20m")
        .join(file);
    let t = ImuTable::read(&path).expect("fixture");
    let n = (DURATION_S * FS_HZ) as usize;
    let repeat = |v: &Vec<f64>| v.iter().copied().cycle().take(n).collect::<Vec<f64>>();
    UniformImu {
        fs_hz: FS_HZ,
        t0_s: 0.0,
        acc_mps2: std::array::from_fn(|k| repeat(&t.acc_mps2[k])),
        gyr_dps: std::array::from_fn(|k| repeat(&t.gyr_dps[k])),
        gaps: Vec::new(),
    }
}

fn bench_legs(c: &mut Criterion) {
    let declared = "FLU".parse::<Axes>().unwrap().sensor_to_body();
    let input = LegInput {
        kind: LegSensorKind::Foot,
        sensors: PerSide {
            left: LegSensor {
                imu: hour_of("left_foot.csv"),
                declared,
                file: String::new(),
            },
            right: LegSensor {
                imu: hour_of("right_foot.csv"),
                declared,
                file: String::new(),
            },
        },
        shared_timeline: true,
    };
    let strides = analyze_legs(&input).expect("analysis").strides.len();
    assert!(strides > 5000, "only {strides} strides in an hour");
    let mut group = c.benchmark_group("legs");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("two_feet_1h_200hz", |b| {
        b.iter(|| analyze_legs(&input).expect("analysis"))
    });
    group.finish();
}

criterion_group!(benches, bench_legs);
criterion_main!(benches);
