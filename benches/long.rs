//! Reading and writing cost of long recordings: sensor CSV reading (the byte-level reader of
//! `ImuTable::read` against the full CSV reader `ImuTable::from_reader`) and JSON writing of a
//! whole 1-hour analysis, as throughput. Also writes the 1-hour and 24-hour lower-back
//! sessions (the Mobilise-D fixtures repeated, 100 Hz) to `target/bench-data/` and 100 copies
//! of the fixture sessions to `target/bench-data/cohort_100/`, for whole-process figures
//! with `/usr/bin/time -v gaitkit analyze …` and `gaitkit batch … --threads N`, and the
//! 1-hour, 24-hour and 7-day sessions with rests (`lower_back_rests_{1,24,168}h/`) for the
//! analysis in pieces.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gaitkit::analyze::{analyze_session, AnalyzeOptions};
use gaitkit::recording::{ImuCsvWriter, ImuSample, ImuTable, Session};
use gaitkit::report::{json::JsonExporter, Exporter};

const FIXTURES: [&str; 6] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A lower-back session of `hours` at 100 Hz: the fixtures one after another, repeated.
fn session_of(hours: usize) -> PathBuf {
    let dir = root().join(format!("target/bench-data/lower_back_{hours}h"));
    if dir.join("session.json").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let tables: Vec<ImuTable> = FIXTURES
        .iter()
        .map(|f| ImuTable::read(&root().join("fixtures").join(f).join("lower_back.csv")).unwrap())
        .collect();
    let mut w = ImuCsvWriter::create(&dir.join("lower_back.csv")).unwrap();
    let total = hours * 360_000;
    let mut n = 0usize;
    'outer: loop {
        for t in &tables {
            for i in 0..t.len() {
                let mut s = t.sample(i);
                s.time_s = n as f64 * 0.01;
                w.write(&s).unwrap();
                n += 1;
                if n >= total {
                    break 'outer;
                }
            }
        }
    }
    w.flush().unwrap();
    let session = Session::read(&root().join("fixtures").join(FIXTURES[0])).unwrap();
    session.write(&dir).unwrap();
    dir
}

/// Rest between the fixtures of [`session_with_rests`], s.
const REST_S: usize = 240;

/// A lower-back session of `hours` at 100 Hz closer to a day's wear: the fixtures one after
/// another, each followed by [`REST_S`] of the sensor at rest (the fixture's first-second
/// gravity and a little noise), repeated; about a fifth of it is activity. Written to
/// `target/bench-data/lower_back_rests_{hours}h/` for the whole-process figures of the
/// analysis in pieces.
fn session_with_rests(hours: usize) -> PathBuf {
    let dir = root().join(format!("target/bench-data/lower_back_rests_{hours}h"));
    if dir.join("session.json").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let tables: Vec<ImuTable> = FIXTURES
        .iter()
        .map(|f| ImuTable::read(&root().join("fixtures").join(f).join("lower_back.csv")).unwrap())
        .collect();
    let mut w = ImuCsvWriter::create(&dir.join("lower_back.csv")).unwrap();
    let total = hours * 360_000;
    let mut n = 0usize;
    let mut seed = 1u64;
    let mut noise = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    'outer: loop {
        for t in &tables {
            let rest: [f64; 3] =
                std::array::from_fn(|a| t.acc_mps2[a][..100].iter().sum::<f64>() / 100.0);
            let rest_rows = (0..REST_S * 100).map(|_| ImuSample {
                time_s: 0.0,
                acc_mps2: rest.map(|a| a + 0.02 * noise()),
                gyr_dps: [0.4 * noise(), 0.4 * noise(), 0.4 * noise()],
            });
            let rows: Vec<ImuSample> = (0..t.len()).map(|i| t.sample(i)).chain(rest_rows).collect();
            for mut s in rows {
                s.time_s = n as f64 * 0.01;
                w.write(&s).unwrap();
                n += 1;
                if n >= total {
                    break 'outer;
                }
            }
        }
    }
    w.flush().unwrap();
    let session = Session::read(&root().join("fixtures").join(FIXTURES[0])).unwrap();
    session.write(&dir).unwrap();
    dir
}

/// 100 session folders: the seven fixture sessions copied round-robin.
fn cohort_100() -> PathBuf {
    let dir = root().join("target/bench-data/cohort_100");
    if dir.join("s099").exists() {
        return dir;
    }
    let mut all: Vec<PathBuf> = FIXTURES
        .iter()
        .map(|f| root().join("fixtures").join(f))
        .collect();
    all.push(root().join("fixtures/feet_healthy_2x20m"));
    for i in 0..100 {
        let from = &all[i % all.len()];
        let to = dir.join(format!("s{i:03}"));
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn bench(c: &mut Criterion) {
    cohort_100();
    session_of(24);
    for hours in [1, 24, 168] {
        session_with_rests(hours);
    }
    let dir = session_of(1);
    let csv = dir.join("lower_back.csv");
    let bytes = std::fs::metadata(&csv).unwrap().len();
    let mut g = c.benchmark_group("csv_read_1h");
    g.sample_size(20).throughput(Throughput::Bytes(bytes));
    g.bench_function("byte_level", |b| b.iter(|| ImuTable::read(&csv).unwrap()));
    g.bench_function("full_reader", |b| {
        b.iter(|| ImuTable::from_reader(std::fs::File::open(&csv).unwrap(), &csv).unwrap())
    });
    g.finish();

    let analysis = analyze_session(&dir, &AnalyzeOptions::default()).unwrap();
    let mut out = Vec::new();
    JsonExporter.export(&analysis, &mut out).unwrap();
    let mut g = c.benchmark_group("json_write_1h");
    g.sample_size(20)
        .throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function("pretty", |b| {
        b.iter(|| {
            let mut v = Vec::with_capacity(out.len());
            JsonExporter.export(&analysis, &mut v).unwrap();
            v
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
