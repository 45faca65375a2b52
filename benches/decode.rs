//! Decode-and-write path of the BLE recorder.
//!
//! - `decode/<family>`: samples per second through each decoder (one core);
//! - `notification_to_disk`: one notification decoded, clock-mapped, written and fsynced;
//! - `recorder_4_sensors_400hz/one_second_of_data`: CPU time to record one second of four
//!   sensors at 400 Hz (two Polar, one Movesense, one WitMotion at one frame per
//!   notification), the two flushes per second included (wall time, fsync waits included);
//! - after the criterion runs: the CPU time of recording 60 s of that data, read from the
//!   scheduler, as a share of one core.

use std::hint::black_box;

use chrono::Utc;
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use gaitkit::recording::Placement;
use gaitkit::sensors::recorder::{Recording, SensorSetup};
use gaitkit::sensors::{metawear, movesense, polar, witmotion, Model, Reading};

fn polar_frame(measurement: u8, frame_type: u8, ts_ns: u64, n: usize) -> Vec<u8> {
    let mut f = vec![measurement];
    f.extend_from_slice(&ts_ns.to_le_bytes());
    f.push(frame_type);
    for i in 0..n {
        for c in 0..3i16 {
            f.extend_from_slice(&((i as i16) * 3 + c - 40).to_le_bytes());
        }
    }
    f
}

/// Delta-compressed frame of `measurement` and frame byte (0x80 or 0x81): 16-bit reference
/// sample + one block of `n` 6-bit deltas.
fn polar_compressed(measurement: u8, frame_byte: u8, ts_ns: u64, n: usize) -> Vec<u8> {
    let mut f = vec![measurement];
    f.extend_from_slice(&ts_ns.to_le_bytes());
    f.push(frame_byte);
    f.extend_from_slice(&[0x10, 0, 0x20, 0, 0x30, 0]);
    f.push(6);
    f.push(n as u8);
    let bits = n * 3 * 6;
    f.extend((0..bits.div_ceil(8)).map(|i| (i * 37 % 251) as u8));
    f
}

fn wit_stream(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|k| witmotion::frame([k as i16, 2, 2048, 4, 5, 164, 0, 0, 0]))
        .collect()
}

type Case = (&'static str, Model, uuid::Uuid, Vec<Vec<u8>>, u64);

fn bench_decoders(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    let mut out: Vec<Reading> = Vec::with_capacity(256);
    let metawear_packets = vec![
        vec![
            0x03, 0x05, 0x62, 0xb7, 0x53, 0x0d, 0xe9, 0xfd, 0x16, 0xd0, 0x4d, 0x0e, 0x57, 0x02,
            0x8a, 0xff, 0xa1, 0x05, 0x0a, 0x01,
        ],
        // BMI270 packed gyroscope register 0x05 (MetaMotionS)
        vec![
            0x13, 0x05, 0x09, 0x15, 0xad, 0x26, 0x08, 0xde, 0x8a, 0x1a, 0x0d, 0x26, 0x65, 0xe4,
            0x8d, 0x20, 0xac, 0x27, 0x73, 0xec,
        ],
    ];
    // Throughput counts three-axis readings decoded (acc or gyro).
    let cases: Vec<Case> = vec![
        (
            "polar_raw_acc_36",
            Model::PolarVeritySense,
            polar::DATA,
            vec![polar_frame(polar::MEAS_ACC, 1, 1_000_000_000, 36)],
            36,
        ),
        (
            "polar_delta_gyro_72",
            Model::PolarVeritySense,
            polar::DATA,
            vec![polar_compressed(polar::MEAS_GYRO, 0x80, 1_000_000_000, 72)],
            73,
        ),
        (
            "polar_delta_acc_0x81_72",
            Model::PolarVeritySense,
            polar::DATA,
            vec![polar_compressed(polar::MEAS_ACC, 0x81, 1_000_000_000, 72)],
            73,
        ),
        (
            "movesense_imu6_8",
            Model::Movesense,
            movesense::NOTIFY,
            vec![movesense::imu6_packet(
                1000,
                &[[0.1, 0.2, 9.8]; 8],
                &[[1.0, 2.0, 3.0]; 8],
            )],
            16,
        ),
        (
            "witmotion_10_frames",
            Model::WitMotionWt901,
            witmotion::NOTIFY,
            vec![wit_stream(10)],
            20,
        ),
        (
            "metawear_packed_acc_gyro",
            Model::MetaMotionS,
            metawear::NOTIFY,
            metawear_packets,
            6,
        ),
    ];
    for (name, model, ch, packets, readings) in cases {
        g.throughput(Throughput::Elements(readings));
        let mut d = model.decoder();
        // the bench measures decoding, not an error path
        let mut check = model.decoder();
        let mut decoded: usize = packets
            .iter()
            .map(|p| check.decode(ch, p).map(|r| r.len()).unwrap_or(0))
            .sum();
        out.clear();
        let _ = check.finish(&mut out);
        decoded += out.len();
        assert_eq!(decoded as u64, readings, "{name} decodes");
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0;
                for p in &packets {
                    out.clear();
                    let _ = d.decode_into(ch, black_box(p), &mut out);
                    n += out.len();
                }
                black_box(n)
            })
        });
    }
    g.finish();
}

fn setups(models: &[(Placement, Model)]) -> Vec<SensorSetup> {
    models
        .iter()
        .map(|&(placement, model)| SensorSetup {
            placement,
            model,
            name: None,
            address: None,
        })
        .collect()
}

fn bench_notification_to_disk(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut rec = Recording::create(
        &dir.path().join("s"),
        setups(&[(Placement::LowerBack, Model::WitMotionWt901)]),
        None,
        None,
        Utc::now(),
    )
    .unwrap();
    let frame = wit_stream(1);
    let mut t = 0.0;
    c.bench_function("notification_to_disk", |b| {
        b.iter(|| {
            t += 0.01;
            rec.on_notification(0, witmotion::NOTIFY, black_box(&frame), t)
                .unwrap();
            rec.flush_all().unwrap();
            black_box(rec.take_written(0))
        })
    });
}

/// One second of notifications of four sensors at 400 Hz, with arrival times.
fn one_second(start_s: f64) -> Vec<(usize, uuid::Uuid, Vec<u8>, f64)> {
    let mut ev = Vec::new();
    let base_ns = (1000.0 + start_s) as u64 * 1_000_000_000;
    for sensor in 0..2 {
        // Polar: 400 samples/s in frames of 40 ACC and 40 GYRO samples
        for f in 0..10u64 {
            let ts = base_ns + (f + 1) * 100_000_000;
            let t = start_s + (f + 1) as f64 * 0.1 + 0.02;
            ev.push((
                sensor,
                polar::DATA,
                polar_frame(polar::MEAS_ACC, 1, ts, 40),
                t,
            ));
            ev.push((
                sensor,
                polar::DATA,
                polar_frame(polar::MEAS_GYRO, 0, ts, 40),
                t,
            ));
        }
    }
    for p in 0..50u32 {
        let ts_ms = (start_s * 1000.0) as u32 + p * 20;
        let packet = movesense::imu6_packet(ts_ms, &[[0.1, 0.2, 9.8]; 8], &[[1.0, 2.0, 3.0]; 8]);
        ev.push((
            2,
            movesense::NOTIFY,
            packet,
            start_s + p as f64 * 0.02 + 0.03,
        ));
    }
    for k in 0..400 {
        ev.push((
            3,
            witmotion::NOTIFY,
            wit_stream(1),
            start_s + k as f64 * 0.0025 + 0.015,
        ));
    }
    ev.sort_by(|a, b| a.3.total_cmp(&b.3));
    ev
}

/// A recording of the four sensors of [`one_second`] in `dir`/s.
fn four_sensor_recording(dir: &std::path::Path) -> Recording {
    let models = [
        (Placement::LowerBack, Model::PolarVeritySense),
        (Placement::LeftShank, Model::PolarVeritySense),
        (Placement::RightShank, Model::Movesense),
        (Placement::LeftFoot, Model::WitMotionWt901),
    ];
    Recording::create(&dir.join("s"), setups(&models), None, None, Utc::now()).unwrap()
}

fn bench_recorder(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut rec = four_sensor_recording(dir.path());
    let mut second = 0.0;
    let mut g = c.benchmark_group("recorder_4_sensors_400hz");
    g.sample_size(20);
    g.throughput(Throughput::Elements(1600));
    g.bench_function("one_second_of_data", |b| {
        b.iter_batched(
            || {
                second += 1.0;
                one_second(second)
            },
            |events| {
                for (i, ch, data, t) in &events {
                    rec.on_notification(*i, *ch, data, *t).unwrap();
                    for k in 0..4 {
                        black_box(rec.take_written(k));
                    }
                }
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// CPU time this thread has run, from the Linux scheduler (ns precision; excludes time
/// blocked in fsync, unlike the wall-clock criterion figure above).
fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

/// Records 60 s of four sensors at 400 Hz as fast as possible and prints the CPU time
/// used per second of data (the share of one core the live recorder needs).
fn report_cpu_share() {
    let dir = tempfile::tempdir().unwrap();
    let mut rec = four_sensor_recording(dir.path());
    let seconds: Vec<_> = (1..=60).map(|s| one_second(s as f64)).collect();
    let (Some(cpu0), wall0) = (thread_cpu_s(), std::time::Instant::now()) else {
        println!("cpu share: /proc/thread-self/schedstat not available");
        return;
    };
    for events in &seconds {
        for (i, ch, data, t) in events {
            rec.on_notification(*i, *ch, data, *t).unwrap();
            for k in 0..4 {
                black_box(rec.take_written(k));
            }
        }
    }
    let cpu = thread_cpu_s().unwrap() - cpu0;
    let wall = wall0.elapsed().as_secs_f64();
    println!(
        "recorder 4 sensors x 400 Hz, 60 s of data: CPU {:.3} s ({:.2} % of one core), wall {:.3} s incl. fsync",
        cpu,
        cpu / 60.0 * 100.0,
        wall
    );
}

criterion_group!(
    benches,
    bench_decoders,
    bench_notification_to_disk,
    bench_recorder
);

fn main() {
    benches();
    report_cpu_share();
    Criterion::default().configure_from_args().final_summary();
}
