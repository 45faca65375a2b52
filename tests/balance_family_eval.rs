//! Single-leg stance on an independently written simulator family
//! (tests/support/sls_family.rs, fixed seeds), task `single-leg-stance` (side not given).
//! Prints the target table per parameter band: attempt found, lift-off and touch-down within
//! 0.3 s, hold within 0.5 s, stance side right, false losses in steady holds.
//!
//! Every [`THROUGH_BINARY_EVERY`]-th recording goes through `gaitkit balance --json`, and its
//! JSON must equal that of the library call the command makes (`analyze_session`, the report
//! around it); the others are analysed by that call in-process, which reads the same session
//! folder and gives the same JSON without a process per recording.

#[path = "support/sls_family.rs"]
mod sls_family;
mod support;

use gaitkit::gait::Side;
use sls_family::*;

const MAX_HOLD_S: f64 = 30.0;

/// Seed of the family the floors below were measured on.
const DEFAULT_SEED: u64 = 20_261_202;

/// Recordings drawn per family: 16 per stance side and hold band on average.
const CASES: usize = 64;

/// One recording in this many is analysed through the binary.
const THROUGH_BINARY_EVERY: usize = 8;

/// Membership test of a parameter band.
type Band = Box<dyn Fn(&SlsCase) -> bool>;

#[derive(Debug, Clone, Default)]
struct Outcome {
    found: bool,
    lift_off_err_s: Option<f64>,
    touch_down_err_s: Option<f64>,
    hold_err_s: Option<f64>,
    side_right: bool,
    /// The attempt found reports no stance side.
    side_unknown: bool,
    /// `side_evidence` and the lift-off transfer / return (cm) of the attempt found.
    side_note: String,
    extra_attempts: usize,
    /// Losses other than the final touch-down (steady holds: all false).
    other_losses: usize,
    hops_found: usize,
    toe_touches_found: usize,
    note: String,
    /// Broken properties of the reported attempts.
    violations: Vec<String>,
}

/// JSON of `gaitkit balance` on the session folder `dir`, computed by the library call the
/// command makes.
fn analyse_in_process(dir: &std::path::Path) -> Result<serde_json::Value, String> {
    let trial = gaitkit::balance::analyze_session(dir).map_err(|e| e.to_string())?;
    let report = gaitkit::balance::BalanceReport::new(vec![trial], None);
    Ok(gaitkit::report::balance_text::json_value(&report))
}

/// Equal JSON values, numbers to 1e-12 relative (the text written by the binary is read
/// back without guaranteed last-bit rounding).
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// JSON written by `gaitkit balance DIR --json`.
fn analyse_through_binary(dir: &std::path::Path) -> Result<serde_json::Value, String> {
    let json = dir.join("out.json");
    let out = support::run_gaitkit(&[
        "balance",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap())
}

fn evaluate(case: &SlsCase, through_binary: bool, root: &std::path::Path) -> (SlsTruth, Outcome) {
    let (rec, truth) = simulate(case);
    let dir = root.join(format!("case-{}", case.seed));
    std::fs::create_dir_all(&dir).unwrap();
    rec.write_session(&dir, "single-leg-stance");
    let mut o = Outcome::default();
    let analysed = if through_binary {
        let binary = analyse_through_binary(&dir);
        let library = analyse_in_process(&dir);
        if binary.is_ok() != library.is_ok()
            || binary
                .as_ref()
                .ok()
                .zip(library.as_ref().ok())
                .is_some_and(|(b, l)| !same_json(b, l))
        {
            o.violations
                .push("the binary and the library call disagree".to_string());
        }
        binary
    } else {
        analyse_in_process(&dir)
    };
    let v = match analysed {
        Ok(v) => v,
        Err(e) => {
            o.note = format!("failed: {e}");
            return (truth, o);
        }
    };
    let result = &v["balance"]["trials"][0]["result"];
    let attempts = result["attempts"].as_array().cloned().unwrap_or_default();
    let interval = |a: &serde_json::Value| {
        let lo = a["lift_off_s"].as_f64().unwrap();
        let td = a["touch_down_s"].as_f64().unwrap_or(truth.duration_s);
        (lo, td)
    };
    let overlap = |a: &serde_json::Value| {
        let (lo, td) = interval(a);
        (td.min(truth.touch_down_s) - lo.max(truth.lift_off_s)).max(0.0)
    };
    let best = attempts
        .iter()
        .max_by(|a, b| overlap(a).total_cmp(&overlap(b)));
    let true_hold = (truth.touch_down_s - truth.lift_off_s).min(MAX_HOLD_S);
    // properties: a hold never exceeds the recording, losses lie inside their attempt
    for a in &attempts {
        let (lo, td) = interval(a);
        let hold = a["hold_s"].as_f64().unwrap();
        if !(0.0 <= lo && lo <= td && td <= truth.duration_s + 1e-6) || hold > td - lo + 1e-6 {
            o.violations.push(format!(
                "attempt {lo:.2}→{td:.2} hold {hold:.2} in {:.2} s",
                truth.duration_s
            ));
        }
        for l in a["losses"].as_array().into_iter().flatten() {
            let t = l["t_s"].as_f64().unwrap();
            if t < lo - 1e-6 || t > td + 1e-6 {
                o.violations
                    .push(format!("loss at {t:.2} outside {lo:.2}→{td:.2}"));
            }
        }
    }
    for a in &attempts {
        for l in a["losses"].as_array().into_iter().flatten() {
            let t = l["t_s"].as_f64().unwrap();
            match l["kind"].as_str().unwrap() {
                "touch_down" => {}
                "hop" => {
                    o.other_losses += 1;
                    if truth.hops_s.iter().any(|h| (h - t).abs() <= 0.5) {
                        o.hops_found += 1;
                    }
                }
                "toe_touch" => {
                    o.other_losses += 1;
                    if truth.toe_touches_s.iter().any(|h| (h - t).abs() <= 0.5) {
                        o.toe_touches_found += 1;
                    }
                }
                _ => o.other_losses += 1,
            }
        }
    }
    o.hops_found = o.hops_found.min(truth.hops_s.len());
    o.toe_touches_found = o.toe_touches_found.min(truth.toe_touches_s.len());
    if let Some(a) = best.filter(|a| overlap(a) >= 0.5 * (truth.touch_down_s - truth.lift_off_s)) {
        o.found = true;
        o.extra_attempts = attempts.len() - 1;
        let (lo, _) = interval(a);
        o.lift_off_err_s = Some(lo - truth.lift_off_s);
        o.touch_down_err_s = a["touch_down_s"].as_f64().map(|t| t - truth.touch_down_s);
        o.hold_err_s = Some(a["hold_s"].as_f64().unwrap() - true_hold);
        let side = if truth.stance == Side::Left {
            "left"
        } else {
            "right"
        };
        o.side_right = a["stance_side"].as_str() == Some(side);
        o.side_unknown = a["stance_side"].is_null();
        o.side_note = format!(
            "{} {:.1}/{:.1} cm",
            a["side_evidence"].as_str().unwrap_or("?"),
            100.0 * a["lift_off_transfer_m"].as_f64().unwrap_or(f64::NAN),
            100.0 * a["return_m"].as_f64().unwrap_or(f64::NAN)
        );
    } else {
        o.extra_attempts = attempts.len();
        o.note = format!(
            "{} attempt(s): {:?}",
            attempts.len(),
            attempts.iter().map(interval).collect::<Vec<_>>()
        );
    }
    (truth, o)
}

struct Row {
    n: usize,
    found: usize,
    lo: usize,
    td: usize,
    hold: usize,
    side: usize,
    side_wrong: usize,
    side_unknown: usize,
    steady: usize,
    steady_false: usize,
    hops: (usize, usize),
    toes: (usize, usize),
}

fn row(items: &[&(SlsCase, SlsTruth, Outcome)]) -> Row {
    let ok = |f: &dyn Fn(&Outcome) -> bool| items.iter().filter(|(_, _, o)| f(o)).count();
    let steady: Vec<_> = items
        .iter()
        .filter(|(c, _, _)| c.extras == Extras::None)
        .collect();
    Row {
        n: items.len(),
        found: ok(&|o| o.found),
        lo: ok(&|o| o.lift_off_err_s.is_some_and(|e| e.abs() <= 0.3)),
        td: ok(&|o| o.touch_down_err_s.is_some_and(|e| e.abs() <= 0.3)),
        hold: ok(&|o| o.hold_err_s.is_some_and(|e| e.abs() <= 0.5)),
        side: ok(&|o| o.found && o.side_right),
        side_wrong: ok(&|o| o.found && !o.side_right && !o.side_unknown),
        side_unknown: ok(&|o| o.found && o.side_unknown),
        steady: steady.len(),
        steady_false: steady
            .iter()
            .filter(|(_, _, o)| o.other_losses > 0 || o.extra_attempts > 0)
            .count(),
        hops: items.iter().fold((0, 0), |(f, n), (_, t, o)| {
            (f + o.hops_found, n + t.hops_s.len())
        }),
        toes: items.iter().fold((0, 0), |(f, n), (_, t, o)| {
            (f + o.toe_touches_found, n + t.toe_touches_s.len())
        }),
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
    println!(
        "{name:<22} {:>3} | {} {} {} {} | {} {} {} | {:>2}/{:<2} | {} of {:<2} | {} of {:<2}",
        r.n,
        pct(r.found, r.n),
        pct(r.lo, r.n),
        pct(r.td, r.n),
        pct(r.hold, r.n),
        pct(r.side, r.n),
        pct(r.side_wrong, r.n),
        pct(r.side_unknown, r.n),
        r.steady_false,
        r.steady,
        pct(r.hops.0, r.hops.1),
        r.hops.1,
        pct(r.toes.0, r.toes.1),
        r.toes.1,
    );
}

#[test]
fn single_leg_stance_family_meets_the_event_targets() {
    // GAITKIT_SLS_FAMILY_SEED draws another family, to check that the figures hold on
    // recordings the detector was not developed on (the floors below are for the default)
    let seed = std::env::var("GAITKIT_SLS_FAMILY_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let cases: Vec<(usize, SlsCase)> = family(CASES, seed.unwrap_or(DEFAULT_SEED))
        .into_iter()
        .enumerate()
        .collect();
    let root = tempfile::tempdir().unwrap();
    let results: Vec<(SlsCase, SlsTruth, Outcome)> =
        support::map_on_two_threads(&cases, |(i, c)| {
            let (t, o) = evaluate(c, i % THROUGH_BINARY_EVERY == 0, root.path());
            (c.clone(), t, o)
        });
    assert!(
        results.iter().any(|(_, _, o)| o.found),
        "no attempt found in any recording"
    );
    println!(
        "{:<22} {:>3} | found  LO≤.3 TD≤.3 hold≤.5 | side right wrong unknown | false/steady | hops found | toe touches found",
        "band", "n"
    );
    let bands: Vec<(String, Band)> = vec![
        ("all".into(), Box::new(|_| true)),
        ("hold 2–5 s".into(), Box::new(|c| c.hold_s < 5.0)),
        (
            "hold 5–15 s".into(),
            Box::new(|c| (5.0..15.0).contains(&c.hold_s)),
        ),
        (
            "hold 15–30 s".into(),
            Box::new(|c| (15.0..30.0).contains(&c.hold_s)),
        ),
        ("hold 30–60 s".into(), Box::new(|c| c.hold_s >= 30.0)),
        ("sway 0.5–1.5°".into(), Box::new(|c| c.sway_deg < 1.5)),
        (
            "sway 1.5–2.5°".into(),
            Box::new(|c| (1.5..2.5).contains(&c.sway_deg)),
        ),
        ("sway 2.5–4°".into(), Box::new(|c| c.sway_deg >= 2.5)),
        ("shift 3–5 cm".into(), Box::new(|c| c.shift_m < 0.05)),
        (
            "shift 5–7 cm".into(),
            Box::new(|c| (0.05..0.07).contains(&c.shift_m)),
        ),
        ("shift 7–10 cm".into(), Box::new(|c| c.shift_m >= 0.07)),
        ("touch-down soft".into(), Box::new(|c| !c.hard_touch_down)),
        ("touch-down hard".into(), Box::new(|c| c.hard_touch_down)),
        ("steady".into(), Box::new(|c| c.extras == Extras::None)),
        ("with hops".into(), Box::new(|c| c.extras == Extras::Hops)),
        (
            "with toe touches".into(),
            Box::new(|c| c.extras == Extras::ToeTouches),
        ),
        (
            "tilt < 10°".into(),
            Box::new(|c| c.pitch_deg.abs().max(c.roll_deg.abs()) < 10.0),
        ),
        (
            "tilt 10–20°".into(),
            Box::new(|c| (10.0..20.0).contains(&c.pitch_deg.abs().max(c.roll_deg.abs()))),
        ),
        (
            "tilt 20–30°".into(),
            Box::new(|c| c.pitch_deg.abs().max(c.roll_deg.abs()) >= 20.0),
        ),
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
    println!("\ncases missing a target:");
    for (c, t, o) in &results {
        let bad = !o.found
            || o.lift_off_err_s.is_none_or(|e| e.abs() > 0.3)
            || o.touch_down_err_s.is_none_or(|e| e.abs() > 0.3)
            || o.hold_err_s.is_none_or(|e| e.abs() > 0.5)
            || !o.side_right
            || (c.extras == Extras::None && (o.other_losses > 0 || o.extra_attempts > 0));
        if bad {
            println!(
                "  seed {} {:?} hold {:.1} s ({:.1}→{:.1}) sway {:.1}° shift {:.0} cm {} {:?} tilt {:.0}/{:.0}° {} Hz {}: LO {:?} TD {:?} hold {:?} side {} ({}) extra {} other losses {} {}",
                c.seed, c.stance, c.hold_s, t.lift_off_s, t.touch_down_s, c.sway_deg, 100.0 * c.shift_m,
                if c.hard_touch_down { "hard" } else { "soft" }, c.extras, c.pitch_deg, c.roll_deg, c.fs_hz, c.axes,
                o.lift_off_err_s.map(|e| (e * 100.0).round() / 100.0),
                o.touch_down_err_s.map(|e| (e * 100.0).round() / 100.0),
                o.hold_err_s.map(|e| (e * 100.0).round() / 100.0),
                if !o.found { "–" } else if o.side_unknown { "unknown" } else if o.side_right { "right" } else { "wrong" },
                o.side_note, o.extra_attempts, o.other_losses, o.note
            );
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
    if seed.is_some_and(|s| s != DEFAULT_SEED) {
        return;
    }
    let all: Vec<_> = results.iter().collect();
    let r = row(&all);
    // floors at the measured shares, so that a regression fails the test
    let share = |k: usize| k as f64 / r.n as f64;
    assert!(share(r.found) >= 0.98, "found {}/{}", r.found, r.n);
    assert!(
        share(r.lo) >= 0.96,
        "lift-off within 0.3 s {}/{}",
        r.lo,
        r.n
    );
    assert!(
        share(r.td) >= 0.96,
        "touch-down within 0.3 s {}/{}",
        r.td,
        r.n
    );
    assert!(
        share(r.hold) >= 0.95,
        "hold within 0.5 s {}/{}",
        r.hold,
        r.n
    );
    // a side is reported only on clear evidence: fewer right, fewer wrong, the rest unknown
    assert!(share(r.side) >= 0.92, "side right {}/{}", r.side, r.n);
    assert!(
        share(r.side_wrong) <= 0.02,
        "side wrong {}/{}",
        r.side_wrong,
        r.n
    );
    assert!(
        share(r.side_unknown) <= 0.05,
        "side unknown {}/{}",
        r.side_unknown,
        r.n
    );
    assert!(
        r.steady_false as f64 <= 0.05 * r.steady as f64,
        "false losses in {} of {} steady holds",
        r.steady_false,
        r.steady
    );
    let found = |(k, n): (usize, usize)| k as f64 / n.max(1) as f64;
    assert!(found(r.hops) >= 0.95, "hops found {:?}", r.hops);
    assert!(found(r.toes) >= 0.6, "toe touches found {:?}", r.toes);
}
