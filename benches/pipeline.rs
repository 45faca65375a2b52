//! Speed of the lower-back analysis on one hour of 100 Hz data (the six Mobilise-D fixtures
//! concatenated until 3600 s): the pipeline alone, and `analyze` end to end including CSV
//! parsing. The 1-hour session is written to `target/bench-data/one_hour_lower_back/`, so
//! its peak memory can also be measured with `/usr/bin/time -v gaitkit analyze <that dir>`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use gaitkit::analyze::{analyze_session, load_imu, AnalyzeOptions};
use gaitkit::gait::lower_back::{analyze, LowerBackOptions};
use gaitkit::recording::{ImuCsvWriter, ImuTable, Session};

const FIXTURES: [&str; 6] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
];

fn one_hour_session() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data/one_hour_lower_back");
    if dir.join("lower_back.csv").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let tables: Vec<ImuTable> = FIXTURES
        .iter()
        .map(|f| ImuTable::read(&root.join("fixtures").join(f).join("lower_back.csv")).unwrap())
        .collect();
    let mut w = ImuCsvWriter::create(&dir.join("lower_back.csv")).unwrap();
    let mut n = 0usize;
    'outer: loop {
        for t in &tables {
            for i in 0..t.len() {
                let mut s = t.sample(i);
                s.time_s = n as f64 * 0.01;
                w.write(&s).unwrap();
                n += 1;
                if n >= 360_000 {
                    break 'outer;
                }
            }
        }
    }
    w.flush().unwrap();
    let session = Session::read(&root.join("fixtures").join(FIXTURES[0])).unwrap();
    session.write(&dir).unwrap();
    dir
}

fn bench(c: &mut Criterion) {
    let dir = one_hour_session();
    let session = Session::read(&dir).unwrap();
    let csv = dir.join("lower_back.csv");
    let imu = load_imu(&csv, &AnalyzeOptions::default()).unwrap();
    assert!((imu.duration_s() - 3600.0).abs() < 1.0);
    let opts = LowerBackOptions {
        sensor_height_m: session.participant.sensor_height_m,
        ..Default::default()
    };
    let mut g = c.benchmark_group("lower_back_1h_100Hz");
    g.sample_size(20);
    g.bench_function("pipeline", |b| {
        b.iter(|| analyze(&imu, session.sensors[0].axes, &csv, &opts).unwrap())
    });
    g.bench_function("analyze_end_to_end", |b| {
        b.iter(|| analyze_session(&dir, &AnalyzeOptions::default()).unwrap())
    });
    g.bench_function("csv_parse", |b| b.iter(|| ImuTable::read(&csv).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
