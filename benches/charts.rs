//! Chart and report rendering speed. Targets: all charts (PNG + SVG) and the HTML report of one
//! session (a walk, or a visit of balance tasks) ≤ 1 s; progress over 50 sessions (trends, their charts and the HTML page) ≤ 3 s.

use std::hint::black_box;

use chrono::{DateTime, Duration};
use criterion::{criterion_group, criterion_main, Criterion};
use gaitkit::analyze::AnalyzeOptions;
use gaitkit::report::metrics_from_dir::metrics_from_dir;
use gaitkit::report::model::{synthetic, SessionMetrics};
use gaitkit::report::{charts, html, progress};

#[path = "../tests/support/balance_sim.rs"]
mod balance_sim;

fn sessions(n: usize) -> Vec<SessionMetrics> {
    let t0 = DateTime::parse_from_rfc3339("2026-01-05T09:00:00+01:00").unwrap();
    (0..n)
        .map(|i| {
            let speed = 0.9 + 0.005 * i as f64;
            let asym = 16.0 - 0.25 * i as f64;
            synthetic::walk(
                &format!("S{i:02}"),
                Some(t0 + Duration::days(3 * i as i64)),
                speed,
                asym,
                30,
                0.06,
                i as u64,
            )
        })
        .collect()
}

fn one_session(c: &mut Criterion) {
    let s = sessions(2);
    let dir = tempfile::tempdir().unwrap();
    c.bench_function("session charts (PNG+SVG) + HTML report", |b| {
        b.iter(|| {
            let written = charts::session_charts(&s[1], Some(&s[0]), Some(dir.path())).unwrap();
            let report = html::build_report(&s[1], Some(&s[0])).unwrap();
            black_box((written.len(), report.html.len()))
        })
    });
}

/// Two simulated visits (three single-leg attempts per leg, two 30-s standing trials, three
/// squats), analysed outside the timed part: the balance charts (single-leg, pelvic drop, sway
/// path of 600 points per session) and the report.
fn balance_visit(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let visit = |date, holds: [f64; 3], sway_scale, drops: [f64; 3]| balance_sim::Visit {
        date,
        left_holds_s: holds.to_vec(),
        right_holds_s: holds.iter().map(|h| h + 8.0).collect(),
        sway_scale,
        squat_drops_deg: drops.to_vec(),
    };
    let load = |name, v: &balance_sim::Visit| {
        let dir = balance_sim::write_visit(root.path(), name, v);
        metrics_from_dir(&dir, &AnalyzeOptions::default()).unwrap()
    };
    let before = load(
        "before",
        &visit("2026-03-02", [5.0, 6.0, 7.0], 2.0, [10.0, 11.0, 12.0]),
    );
    let after = load(
        "after",
        &visit("2026-03-30", [14.0, 15.0, 16.0], 1.0, [4.0, 5.0, 6.0]),
    );
    let dir = tempfile::tempdir().unwrap();
    c.bench_function("balance visit charts (PNG+SVG) + HTML report", |b| {
        b.iter(|| {
            let written = charts::session_charts(&after, Some(&before), Some(dir.path())).unwrap();
            let report = html::build_report(&after, Some(&before)).unwrap();
            black_box((written.len(), report.html.len()))
        })
    });
}

fn progress_50(c: &mut Criterion) {
    let s = sessions(50);
    let dir = tempfile::tempdir().unwrap();
    c.bench_function(
        "progress over 50 sessions (trends + PNG+SVG charts + HTML)",
        |b| {
            b.iter(|| {
                let tracks = progress::progress(&s).unwrap();
                let pages: usize = tracks
                    .iter()
                    .map(|t| {
                        let written = charts::progress_charts(t, Some(dir.path())).unwrap();
                        html::progress_html(t, &written).len()
                    })
                    .sum();
                black_box(pages)
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = one_session, balance_visit, progress_50
}
criterion_main!(benches);
