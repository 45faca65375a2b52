//! The lower-back pipeline gives the same answer at the rates phone apps and sensors export
//! (52, 60, 107 Hz) as at 100 Hz: contacts (F1 at 0.10 s ≥ 0.95 against the 100 Hz
//! contacts), sides of the matched contacts, and cadence within 2 %. A family of grids (eight
//! rates from 50 to 200 Hz, each with a random offset of its first sample) keeps cadence
//! within 2 % and the number of steady steps and strides within one of the 100 Hz analysis.

mod support;

use gaitkit::analyze::{analyze_session, analyze_with, AnalyzeOptions};
use gaitkit::gait::evaluation::match_events;
use gaitkit::gait::GaitAnalysis;
use gaitkit::recording::session::Session;
use gaitkit::recording::ImuTable;
use support::reference::*;

/// Linear interpolation of every channel onto a uniform grid at `fs_hz` whose first sample
/// lies `offset_s` after the recording's.
fn resample(t: &ImuTable, fs_hz: f64, offset_s: f64) -> ImuTable {
    let t0 = t.time_s[0] + offset_s;
    let t1 = t.time_s[t.len() - 1];
    let n = ((t1 - t0) * fs_hz).floor() as usize + 1;
    let mut out = ImuTable::default();
    let mut j = 0;
    for i in 0..n {
        let ti = t0 + i as f64 / fs_hz;
        while j + 2 < t.len() && t.time_s[j + 1] < ti {
            j += 1;
        }
        let (a, b) = (t.time_s[j], t.time_s[j + 1]);
        let w = ((ti - a) / (b - a)).clamp(0.0, 1.0);
        let lerp = |v: &Vec<f64>| v[j] + w * (v[j + 1] - v[j]);
        out.time_s.push(ti);
        for k in 0..3 {
            out.acc_mps2[k].push(lerp(&t.acc_mps2[k]));
            out.gyr_dps[k].push(lerp(&t.gyr_dps[k]));
        }
    }
    out
}

fn at_rate(name: &str, fs_hz: f64, offset_s: f64) -> GaitAnalysis {
    let dir = fixtures_dir().join(name);
    let session = Session::read(&dir).unwrap();
    let read = |p: &std::path::Path| Ok(resample(&ImuTable::read(p)?, fs_hz, offset_s));
    analyze_with(&dir, &session, &AnalyzeOptions::default(), &read)
        .unwrap()
        .gait
        .unwrap()
}

#[test]
fn contacts_sides_and_cadence_do_not_depend_on_the_sampling_rate() {
    let mut failures = Vec::new();
    println!(
        "{:<31} {:>6} {:>7} {:>9} {:>9} {:>8}",
        "recording", "rate", "F1@0.1", "sides ok", "both", "cad Δ%"
    );
    for name in LOWER_BACK_FIXTURES {
        let base = analyze_session(&fixtures_dir().join(name), &AnalyzeOptions::default())
            .unwrap()
            .gait
            .unwrap();
        let t_base: Vec<f64> = base.initial_contacts.iter().map(|c| c.t_s).collect();
        for fs in [52.0, 60.0, 107.0] {
            let g = at_rate(name, fs, 0.0);
            let t: Vec<f64> = g.initial_contacts.iter().map(|c| c.t_s).collect();
            let m = match_events(&t, &t_base, 0.1);
            let (mut same, mut both) = (0, 0);
            for &(d, r) in &m.pairs {
                if let (Some(a), Some(b)) =
                    (g.initial_contacts[d].side, base.initial_contacts[r].side)
                {
                    both += 1;
                    if a == b {
                        same += 1;
                    }
                }
            }
            let cad = match (g.summary.cadence_spm, base.summary.cadence_spm) {
                (Some(a), Some(b)) => 100.0 * (a - b) / b,
                _ => f64::NAN,
            };
            println!(
                "{name:<31} {fs:>6.0} {:>7.3} {same:>9} {both:>9} {cad:>+8.2}",
                m.f1()
            );
            if m.f1() < 0.95 {
                failures.push(format!("{name} at {fs} Hz: F1@0.1 {:.3}", m.f1()));
            }
            if same != both {
                failures.push(format!(
                    "{name} at {fs} Hz: {} of {both} sides differ",
                    both - same
                ));
            }
            if cad.is_nan() || cad.abs() > 2.0 {
                failures.push(format!("{name} at {fs} Hz: cadence {cad:+.2} %"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Rates of the grid family, Hz: Polar's 52 Hz, Sensor Logger's 59.35 Hz, common sensor
/// rates, the fixtures' 100 Hz and above.
const FAMILY_RATES_HZ: [f64; 8] = [50.0, 52.0, 59.35, 60.0, 64.0, 100.0, 120.0, 200.0];

/// Steady steps (those cadence is computed from) and steady strides (per-side values).
fn steady_counts(g: &GaitAnalysis) -> (usize, usize) {
    let n = &g.summary.n_steady_strides;
    (
        g.steps.iter().filter(|s| s.steady).count(),
        n.left + n.right,
    )
}

#[test]
fn cadence_and_steady_steps_do_not_move_with_the_sampling_grid() {
    let natives: Vec<GaitAnalysis> = support::map_on_two_threads(&LOWER_BACK_FIXTURES, |name| {
        analyze_session(&fixtures_dir().join(name), &AnalyzeOptions::default())
            .unwrap()
            .gait
            .unwrap()
    });
    // every fixture at every rate, the first sample anywhere within one sample interval
    let mut rng = support::balance_sim::Rng::new(0x005e_ed0f_9a1d);
    let mut cases = Vec::new();
    for (k, name) in LOWER_BACK_FIXTURES.iter().enumerate() {
        for fs in FAMILY_RATES_HZ {
            cases.push((k, *name, fs, rng.uniform() / fs));
        }
    }
    let got = support::map_on_two_threads(&cases, |&(_, name, fs, offset_s)| {
        at_rate(name, fs, offset_s)
    });
    let mut failures = Vec::new();
    for (&(k, name, fs, offset_s), g) in cases.iter().zip(&got) {
        let base = &natives[k];
        let cad = match (g.summary.cadence_spm, base.summary.cadence_spm) {
            (Some(a), Some(b)) => 100.0 * (a - b) / b,
            _ => f64::NAN,
        };
        let (steps, strides) = steady_counts(g);
        let (steps0, strides0) = steady_counts(base);
        let what = format!(
            "{name} at {fs} Hz, first sample +{:.2} ms: cadence {cad:+.2} %, steady steps {steps} ({steps0} at 100 Hz), steady strides {strides} ({strides0})",
            1000.0 * offset_s
        );
        println!("{what}");
        if cad.is_nan()
            || cad.abs() > 2.0
            || steps.abs_diff(steps0) > 1
            || strides.abs_diff(strides0) > 1
        {
            failures.push(what);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// F1 @0.10 s of the contacts against `base`, the share of matched contacts given the same
/// side (a side against none counts as a different one), and the cadence difference, %.
fn agreement(g: &GaitAnalysis, base: &GaitAnalysis) -> (f64, f64, f64) {
    let t: Vec<f64> = g.initial_contacts.iter().map(|c| c.t_s).collect();
    let t_base: Vec<f64> = base.initial_contacts.iter().map(|c| c.t_s).collect();
    let m = match_events(&t, &t_base, 0.1);
    let same = m
        .pairs
        .iter()
        .filter(|&&(d, r)| g.initial_contacts[d].side == base.initial_contacts[r].side)
        .count() as f64
        / m.pairs.len().max(1) as f64;
    let cad = match (g.summary.cadence_spm, base.summary.cadence_spm) {
        (Some(a), Some(b)) => 100.0 * (a - b) / b,
        _ => f64::NAN,
    };
    (m.f1(), same, cad)
}

#[test]
fn every_fixture_holds_down_to_the_checked_rate_and_slower_recordings_say_so() {
    let floor = gaitkit::gait::lower_back::MIN_CHECKED_RATE_HZ;
    let mut rng = support::balance_sim::Rng::new(0x0040_f100);
    let cases: Vec<(&str, f64)> = LOWER_BACK_FIXTURES
        .iter()
        .map(|&name| (name, rng.uniform() / floor))
        .collect();
    let results = support::map_on_two_threads(&cases, |&(name, offset_s)| {
        let base = analyze_session(&fixtures_dir().join(name), &AnalyzeOptions::default())
            .unwrap()
            .gait
            .unwrap();
        let g = at_rate(name, floor, offset_s);
        (agreement(&g, &base), g.notes)
    });
    let mut failures = Vec::new();
    for ((name, offset_s), ((f1, same, cad), notes)) in cases.iter().zip(&results) {
        let what = format!(
            "{name} at {floor} Hz, first sample +{:.2} ms: F1@0.1 {f1:.3}, same side {same:.3}, cadence {cad:+.2} %",
            1000.0 * offset_s
        );
        println!("{what}");
        if *f1 < 0.95 || *same < 0.95 || cad.is_nan() || cad.abs() > 2.0 {
            failures.push(what);
        }
        if notes.iter().any(|n| n.contains("Record at")) {
            failures.push(format!("{name} at {floor} Hz carries the low-rate note"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // below the floor the analysis still runs, and its notes say why it may be off
    let slow = at_rate(LOWER_BACK_FIXTURES[0], 30.0, 0.0);
    let note = gaitkit::gait::lower_back::low_rate_note(30.0).unwrap();
    assert!(slow.notes.contains(&note), "{:?}", slow.notes);
    assert!(note.contains("30.0 Hz") && note.contains("40 Hz"), "{note}");
    assert_eq!(gaitkit::gait::lower_back::low_rate_note(floor), None);
}
