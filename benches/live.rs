//! Live feedback: latency and cost.
//!
//! For every fixture, the session is replayed through the live pipeline as fast as possible
//! and the figures are printed: contact-to-feedback latency on the recording clock
//! (`emitted_s − t_s`: median and 95th percentile, all steps and steps after the first three
//! of a walk), the provisional steps withdrawn (no walk followed them) and the processor
//! time per second of recording (getrusage, this thread's user +
//! system time), i.e. the share of one core the analysis needs at real-time pace.
//! Targets: median ≤ 0.30 s, 95th percentile ≤ 0.50 s, < 2 % of a core for one lower-back
//! sensor at 100 Hz. Then criterion times one window analysis (the work of one hop).
//!
//! `cargo bench --bench live`

use std::path::Path;

use criterion::Criterion;
use gaitkit::stream::pipeline::{LiveOptions, LivePipeline};
use gaitkit::stream::replay::Replay;

const FIXTURES: [&str; 7] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_MS001_Test11_Trial1",
    "feet_healthy_2x20m",
];

fn thread_cpu_s() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    gaitkit::signal::stats::percentile(sorted, p).unwrap_or(f64::NAN)
}

fn figures() {
    println!("fixture | steps | latency median s | p95 s | p95 from the 4th step of a walk s | withdrawn | CPU % of a core");
    for name in FIXTURES {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let replay = Replay::open(&dir).expect("fixture");
        let duration_s = replay.end_s() - replay.start_s();
        let mut live = LivePipeline::new(&replay.session, &LiveOptions::default());
        let cpu0 = thread_cpu_s();
        for (p, s) in replay {
            live.push(p, &s);
        }
        let cpu_s = thread_cpu_s() - cpu0;
        let steps = live.steps();
        let lat: Vec<f64> = steps.iter().map(|s| s.emitted_s - s.t_s).collect();
        // steps with three steps of the same walk before them (the walk is established)
        let mut steady = Vec::new();
        let mut run = 0usize;
        for s in steps {
            run = if s.step_time_s.is_some() { run + 1 } else { 0 };
            if run >= 3 {
                steady.push(s.emitted_s - s.t_s);
            }
        }
        println!(
            "{name} | {} | {:.3} | {:.3} | {:.3} | {} | {:.2}",
            steps.len(),
            percentile(&lat, 50.0),
            percentile(&lat, 95.0),
            percentile(&steady, 95.0),
            live.withdrawn().len(),
            100.0 * cpu_s / duration_s,
        );
    }
}

fn main() {
    figures();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mobilised_HA001_Test11_Trial1");
    let samples: Vec<_> = Replay::open(&dir).expect("fixture").collect();
    let session = Replay::open(&dir).expect("fixture").session;
    let mut c = Criterion::default().configure_from_args();
    // 10 s of warm-up data, then one hop (0.1 s = 10 samples) that triggers one analysis
    c.bench_function("live: one hop on a 10-s lower-back window", |b| {
        b.iter_batched(
            || {
                let mut live = LivePipeline::new(&session, &LiveOptions::default());
                for (p, s) in &samples[3000..4000] {
                    live.push(*p, s);
                }
                live
            },
            |mut live| {
                for (p, s) in &samples[4000..4011] {
                    live.push(*p, s);
                }
                live
            },
            criterion::BatchSize::LargeInput,
        )
    });
    c.final_summary();
}
