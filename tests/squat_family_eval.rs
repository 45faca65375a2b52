//! Single-leg squat and step-down through `gaitkit balance` on an independently written
//! simulator family (tests/support/squat_family.rs, fixed seeds), tasks `squat-left/-right`
//! and `step-down-left/-right`. Prints the table per parameter band: recordings with the exact
//! repetition count, repetitions found / missed / false, pelvic-drop error and side.
//!
//! A reported repetition matches the true one whose [start, end] contains its bottom (each true
//! repetition at most once); an unmatched report is false, an unmatched truth missed.

#[path = "support/sls_family.rs"]
mod sls_family;
#[path = "support/squat_family.rs"]
mod squat_family;
mod support;

use gaitkit::gait::Side;
use squat_family::*;

/// Membership test of a parameter band.
type Band = Box<dyn Fn(&SquatCase) -> bool>;

#[derive(Debug, Clone, Default)]
struct Outcome {
    reported: usize,
    found: usize,
    missed: usize,
    false_reps: usize,
    /// Reported − true pelvic drop of each matched repetition, deg.
    drop_err_deg: Vec<f64>,
    /// Matched repetitions with a true drop ≥ 2°: (count, drop seen on the right side).
    side: (usize, usize),
    note: String,
    /// Broken properties of the reported repetitions.
    violations: Vec<String>,
}

fn evaluate(case: &SquatCase, root: &std::path::Path) -> (SquatTruth, Outcome) {
    let (rec, truth) = simulate(case);
    let dir = root.join(format!("case-{}", case.seed));
    std::fs::create_dir_all(&dir).unwrap();
    rec.write_session(&dir, &case.task());
    let json = dir.join("out.json");
    let out = support::run_gaitkit(&[
        "balance",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let mut o = Outcome::default();
    if !out.status.success() {
        o.note = format!("failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        o.missed = truth.reps.len();
        return (truth, o);
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let result = &v["balance"]["trials"][0]["result"];
    let side = if case.stance == Side::Left {
        "left"
    } else {
        "right"
    };
    if result["stance_side"].as_str() != Some(side) {
        o.violations
            .push(format!("stance side {} for {side}", result["stance_side"]));
    }
    let reps = result["repetitions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    o.reported = reps.len();
    let t = |r: &serde_json::Value, k: &str| r[k].as_f64().unwrap();
    let mut prev_end = f64::NEG_INFINITY;
    for r in &reps {
        let (s, b, e) = (t(r, "start_s"), t(r, "bottom_s"), t(r, "end_s"));
        if !(0.0 <= s && s < b && b < e && e <= truth.duration_s + 1e-6 && s >= prev_end) {
            o.violations.push(format!(
                "repetition {s:.2}/{b:.2}/{e:.2} after {prev_end:.2} in {:.2} s",
                truth.duration_s
            ));
        }
        prev_end = e;
    }
    let mut used = vec![false; truth.reps.len()];
    for r in &reps {
        let b = t(r, "bottom_s");
        let hit = truth
            .reps
            .iter()
            .enumerate()
            .find(|(k, tr)| !used[*k] && tr.start_s <= b && b <= tr.end_s);
        match hit {
            Some((k, tr)) => {
                used[k] = true;
                o.found += 1;
                let drop = t(r, "pelvic_drop_deg");
                o.drop_err_deg.push(drop - tr.drop_deg);
                if tr.drop_deg >= 2.0 {
                    o.side.0 += 1;
                    if drop >= 0.5 * tr.drop_deg {
                        o.side.1 += 1;
                    }
                }
            }
            None => o.false_reps += 1,
        }
    }
    o.missed = used.iter().filter(|u| !**u).count();
    if o.missed > 0 || o.false_reps > 0 {
        o.note = format!(
            "true bottoms {:?}, reported {:?}",
            truth
                .reps
                .iter()
                .map(|r| (r.bottom_s * 100.0).round() / 100.0)
                .collect::<Vec<_>>(),
            reps.iter()
                .map(|r| (t(r, "bottom_s") * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
    }
    (truth, o)
}

struct Row {
    n: usize,
    exact: usize,
    reps: usize,
    found: usize,
    missed: usize,
    false_reps: usize,
    err: Vec<f64>,
    side: (usize, usize),
}

fn row(items: &[&(SquatCase, SquatTruth, Outcome)]) -> Row {
    Row {
        n: items.len(),
        exact: items
            .iter()
            .filter(|(_, t, o)| o.reported == t.reps.len())
            .count(),
        reps: items.iter().map(|(_, t, _)| t.reps.len()).sum(),
        found: items.iter().map(|(_, _, o)| o.found).sum(),
        missed: items.iter().map(|(_, _, o)| o.missed).sum(),
        false_reps: items.iter().map(|(_, _, o)| o.false_reps).sum(),
        err: items
            .iter()
            .flat_map(|(_, _, o)| o.drop_err_deg.iter().copied())
            .collect(),
        side: items
            .iter()
            .fold((0, 0), |(n, k), (_, _, o)| (n + o.side.0, k + o.side.1)),
    }
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "   –".into()
    } else {
        format!("{:3.0}%", 100.0 * k as f64 / n as f64)
    }
}

fn print_row(name: &str, r: &Row) {
    let abs: Vec<f64> = r.err.iter().map(|e| e.abs()).collect();
    let (mean, max) = if abs.is_empty() {
        ("   –".to_string(), "   –".to_string())
    } else {
        (
            format!("{:4.2}", abs.iter().sum::<f64>() / abs.len() as f64),
            format!("{:4.2}", abs.iter().cloned().fold(0.0, f64::max)),
        )
    };
    let bias = if r.err.is_empty() {
        "    –".to_string()
    } else {
        format!("{:+5.2}", r.err.iter().sum::<f64>() / r.err.len() as f64)
    };
    println!(
        "{name:<20} {:>3} | {} | {:>4} {:>4} {:>4} {:>4} | {mean} {max} {bias} | {}",
        r.n,
        pct(r.exact, r.n),
        r.reps,
        r.found,
        r.missed,
        r.false_reps,
        pct(r.side.1, r.side.0),
    );
}

#[test]
fn squat_and_step_down_family_meets_the_repetition_and_drop_targets() {
    let cases = family(40, 20_261_203);
    let root = tempfile::tempdir().unwrap();
    let results: Vec<(SquatCase, SquatTruth, Outcome)> = support::map_on_two_threads(&cases, |c| {
        let (t, o) = evaluate(c, root.path());
        (c.clone(), t, o)
    });
    println!(
        "{:<20} {:>3} | exact | reps  fnd miss fals | drop |err| mean max, bias (deg) | side",
        "band", "n"
    );
    let tilt = |c: &SquatCase| c.pitch_deg.abs().max(c.roll_deg.abs());
    let bands: Vec<(String, Band)> = vec![
        ("all".into(), Box::new(|_| true)),
        ("squat".into(), Box::new(|c| c.kind == Kind::Squat)),
        ("step-down".into(), Box::new(|c| c.kind == Kind::StepDown)),
        ("reps 2–4".into(), Box::new(|c| c.reps <= 4)),
        ("reps 5–7".into(), Box::new(|c| (5..=7).contains(&c.reps))),
        ("reps 8–10".into(), Box::new(|c| c.reps >= 8)),
        ("descent 0.5–1 s".into(), Box::new(|c| c.descent_s < 1.0)),
        (
            "descent 1–1.5 s".into(),
            Box::new(|c| (1.0..1.5).contains(&c.descent_s)),
        ),
        ("descent 1.5–2 s".into(), Box::new(|c| c.descent_s >= 1.5)),
        ("depth 5–12 cm".into(), Box::new(|c| c.depth_m < 0.12)),
        (
            "depth 12–20 cm".into(),
            Box::new(|c| (0.12..0.20).contains(&c.depth_m)),
        ),
        ("depth 20–30 cm".into(), Box::new(|c| c.depth_m >= 0.20)),
        ("drop 0–5°".into(), Box::new(|c| c.drop_deg < 5.0)),
        (
            "drop 5–10°".into(),
            Box::new(|c| (5.0..10.0).contains(&c.drop_deg)),
        ),
        ("drop 10–15°".into(), Box::new(|c| c.drop_deg >= 10.0)),
        ("tilt < 10°".into(), Box::new(move |c| tilt(c) < 10.0)),
        (
            "tilt 10–20°".into(),
            Box::new(move |c| (10.0..20.0).contains(&tilt(c))),
        ),
        ("tilt 20–30°".into(), Box::new(move |c| tilt(c) >= 20.0)),
        ("50 Hz".into(), Box::new(|c| c.fs_hz == 50.0)),
        ("100 Hz".into(), Box::new(|c| c.fs_hz == 100.0)),
        ("125 Hz".into(), Box::new(|c| c.fs_hz == 125.0)),
        ("200 Hz".into(), Box::new(|c| c.fs_hz == 200.0)),
        ("stance left".into(), Box::new(|c| c.stance == Side::Left)),
        ("stance right".into(), Box::new(|c| c.stance == Side::Right)),
    ];
    for (name, f) in &bands {
        let items: Vec<_> = results.iter().filter(|(c, _, _)| f(c)).collect();
        print_row(name, &row(&items));
    }
    println!("\nrecordings missing a target:");
    for (c, t, o) in &results {
        let worst = o.drop_err_deg.iter().map(|e| e.abs()).fold(0.0, f64::max);
        if o.missed > 0 || o.false_reps > 0 || worst > 2.0 {
            println!(
                "  seed {} {:?} {:?} {} reps descent {:.2} s depth {:.0} cm drop {:.1}° tilt {:.0}/{:.0}° {} Hz {} {:?}: found {} missed {} false {} worst drop error {worst:.2}° (errors {:?}) {}",
                c.seed, c.kind, c.stance, c.reps, c.descent_s, 100.0 * c.depth_m, c.drop_deg,
                c.pitch_deg, c.roll_deg, c.fs_hz, c.axes, c.profile, o.found, o.missed, o.false_reps,
                o.drop_err_deg.iter().map(|e| (e * 10.0).round() / 10.0).collect::<Vec<_>>(),
                o.note
            );
            let _ = t;
        }
    }
    let violations: Vec<String> = results
        .iter()
        .flat_map(|(c, _, o)| {
            o.violations
                .iter()
                .map(move |v| format!("seed {}: {v}", c.seed))
        })
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    let all: Vec<_> = results.iter().collect();
    let r = row(&all);
    assert_eq!(
        r.found, r.reps,
        "{} of {} repetitions found",
        r.found, r.reps
    );
    assert_eq!(r.false_reps, 0, "false repetitions");
    assert_eq!(r.exact, r.n, "exact count in {} of {}", r.exact, r.n);
    let worst = r.err.iter().map(|e| e.abs()).fold(0.0, f64::max);
    assert!(worst <= 2.0, "pelvic drop error up to {worst:.2}°");
    assert_eq!(r.side.1, r.side.0, "drop side");
}
