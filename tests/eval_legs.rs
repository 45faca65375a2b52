//! Accuracy of the two-foot pipeline on `fixtures/feet_healthy_2x20m` (both feet at 204.8 Hz,
//! optical motion-capture reference per stride), plus the same walk with the sensors
//! re-mounted (rotated samples) and with one leg's stance stretched.
//!
//! `cargo test --test eval_legs -- --nocapture` prints the per-foot table.

use std::path::{Path, PathBuf};

use gaitkit::gait::leg::{
    analyze_legs, analyze_session_legs, LegAnalysis, LegInput, LegSensor, LegSensorKind, LegStride,
};
use gaitkit::gait::{PerSide, Side};
use gaitkit::recording::resample::DEFAULT_MAX_FILL_S;
use gaitkit::recording::{ImuTable, Session, UniformImu};
use nalgebra::{Matrix3, Rotation3, Vector3};
use serde_json::Value;

const FS: f64 = 204.8;
const TOL_S: f64 = 0.05;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feet_healthy_2x20m")
}

/// Reference strides of one foot (motion capture, min_vel → min_vel).
struct RefStride {
    start_s: f64,
    end_s: f64,
    pre_ic_s: f64,
    ic_s: f64,
    tc_s: f64,
    stance_s: f64,
    swing_s: f64,
    length_m: f64,
    turning_deg: f64,
    lift_m: f64,
    speed_mps: f64,
}

fn reference(side: Side) -> Vec<RefStride> {
    let text = std::fs::read_to_string(fixture().join("reference.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let t = |s: &Value, k: &str| s[k].as_f64().unwrap() / FS;
    v["reference"]["per_foot"][side.as_str()]["strides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| RefStride {
            start_s: t(s, "start"),
            end_s: t(s, "end"),
            pre_ic_s: t(s, "pre_ic"),
            ic_s: t(s, "ic"),
            tc_s: t(s, "tc"),
            stance_s: s["stance_time_s"].as_f64().unwrap(),
            swing_s: s["swing_time_s"].as_f64().unwrap(),
            length_m: s["stride_length"].as_f64().unwrap(),
            turning_deg: s["turning_angle"].as_f64().unwrap(),
            lift_m: s["max_sensor_lift"].as_f64().unwrap(),
            speed_mps: s["gait_velocity"].as_f64().unwrap(),
        })
        .collect()
}

/// One-to-one nearest matching within `tol`: returns (reference index, detection index) pairs.
fn match_events(reference: &[f64], detected: &[f64], tol: f64) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, r) in reference.iter().enumerate() {
        for (j, d) in detected.iter().enumerate() {
            if (d - r).abs() <= tol {
                pairs.push(((d - r).abs(), i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut used_r, mut used_d) = (vec![false; reference.len()], vec![false; detected.len()]);
    let mut out = Vec::new();
    for (_, i, j) in pairs {
        if !used_r[i] && !used_d[j] {
            used_r[i] = true;
            used_d[j] = true;
            out.push((i, j));
        }
    }
    out
}

#[derive(Debug)]
struct EventScore {
    precision: f64,
    recall: f64,
    f1: f64,
    median_abs_ms: f64,
    mean_abs_ms: f64,
}

fn score_events(reference: &[f64], detected: &[f64]) -> EventScore {
    let m = match_events(reference, detected, TOL_S);
    let errs: Vec<f64> = m
        .iter()
        .map(|&(i, j)| 1000.0 * (detected[j] - reference[i]).abs())
        .collect();
    let precision = m.len() as f64 / detected.len().max(1) as f64;
    let recall = m.len() as f64 / reference.len().max(1) as f64;
    EventScore {
        precision,
        recall,
        f1: 2.0 * precision * recall / (precision + recall).max(1e-12),
        median_abs_ms: gaitkit::signal::stats::median(&errs).unwrap_or(f64::NAN),
        mean_abs_ms: gaitkit::signal::stats::mean(&errs).unwrap_or(f64::NAN),
    }
}

#[derive(Debug)]
struct FootScore {
    ic: EventScore,
    fc: EventScore,
    n_ref_strides: usize,
    n_matched_strides: usize,
    stance_mae_ms: f64,
    swing_mae_ms: f64,
    length_mae_cm: f64,
    length_mae_straight_cm: f64,
    turning_mae_deg: f64,
    lift_mae_cm: f64,
    speed_mae_mps: f64,
}

/// Compares one foot of an analysis with the reference. Detections are scored inside the
/// span the reference covers (first stride start to last stride end).
fn score_foot(a: &LegAnalysis, side: Side) -> FootScore {
    let refs = reference(side);
    let (lo, hi) = (refs.first().unwrap().start_s, refs.last().unwrap().end_s);
    let within = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|t| (lo..=hi).contains(t))
            .collect::<Vec<f64>>()
    };
    let e = a.events.get(side);
    let ref_ic: Vec<f64> = refs.iter().map(|r| r.ic_s).collect();
    let ref_tc: Vec<f64> = refs.iter().map(|r| r.tc_s).collect();
    let ic = score_events(&ref_ic, &within(&e.ic_s));
    let fc = score_events(&ref_tc, &within(&e.fc_s));
    let strides: Vec<&LegStride> = a.strides.iter().filter(|s| s.side == side).collect();
    let (mut stance, mut swing, mut length, mut length_straight, mut turning, mut lift) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut speed = vec![];
    let mut matched = 0;
    for r in &refs {
        let same = |s: &&&LegStride| {
            (s.ic_s - r.pre_ic_s).abs() <= TOL_S
                && (s.fc_s - r.tc_s).abs() <= TOL_S
                && (s.end_ic_s - r.ic_s).abs() <= TOL_S
        };
        let Some(s) = strides.iter().find(same) else {
            continue;
        };
        matched += 1;
        stance.push(1000.0 * (s.stance_time_s - r.stance_s).abs());
        swing.push(1000.0 * (s.swing_time_s - r.swing_s).abs());
        if let Some(l) = s.stride_length_m {
            length.push(100.0 * (l - r.length_m).abs());
            if r.turning_deg.abs() < 20.0 {
                length_straight.push(100.0 * (l - r.length_m).abs());
            }
        }
        if let Some(v) = s.speed_mps {
            speed.push((v - r.speed_mps).abs());
        }
        if let Some(h) = s.max_lift_m {
            lift.push(100.0 * (h - r.lift_m).abs());
        }
        if let Some(t) = s.turning_deg {
            turning.push((t - r.turning_deg).abs());
        }
    }
    let m = |v: &[f64]| gaitkit::signal::stats::mean(v).unwrap_or(f64::NAN);
    FootScore {
        ic,
        fc,
        n_ref_strides: refs.len(),
        n_matched_strides: matched,
        stance_mae_ms: m(&stance),
        swing_mae_ms: m(&swing),
        length_mae_cm: m(&length),
        length_mae_straight_cm: m(&length_straight),
        turning_mae_deg: m(&turning),
        lift_mae_cm: m(&lift),
        speed_mae_mps: m(&speed),
    }
}

fn print_scores(title: &str, scores: &PerSide<FootScore>) {
    println!("\n{title}");
    for side in [Side::Left, Side::Right] {
        let s = scores.get(side);
        println!(
            "  {:5} IC P/R/F1 {:.3}/{:.3}/{:.3} err median {:.1} ms mean {:.1} ms | FC P/R/F1 {:.3}/{:.3}/{:.3} err median {:.1} ms mean {:.1} ms",
            side.as_str(),
            s.ic.precision,
            s.ic.recall,
            s.ic.f1,
            s.ic.median_abs_ms,
            s.ic.mean_abs_ms,
            s.fc.precision,
            s.fc.recall,
            s.fc.f1,
            s.fc.median_abs_ms,
            s.fc.mean_abs_ms
        );
        println!(
            "        strides matched {}/{} | stance MAE {:.1} ms swing MAE {:.1} ms | stride length MAE {:.2} cm (straight {:.2} cm) | turning MAE {:.1}° | speed MAE {:.3} m/s | sensor lift MAE {:.2} cm",
            s.n_matched_strides, s.n_ref_strides, s.stance_mae_ms, s.swing_mae_ms, s.length_mae_cm, s.length_mae_straight_cm, s.turning_mae_deg, s.speed_mae_mps, s.lift_mae_cm
        );
    }
}

fn assert_targets(scores: &PerSide<FootScore>) {
    for side in [Side::Left, Side::Right] {
        let s = scores.get(side);
        let name = side.as_str();
        assert!(
            s.ic.f1 >= 0.98 && s.fc.f1 >= 0.98,
            "{name}: IC F1 {:.3}, FC F1 {:.3}",
            s.ic.f1,
            s.fc.f1
        );
        assert!(
            s.ic.median_abs_ms <= 20.0 && s.fc.median_abs_ms <= 20.0,
            "{name}: median timing errors {:?} {:?}",
            s.ic,
            s.fc
        );
        assert!(
            s.stance_mae_ms <= 30.0 && s.swing_mae_ms <= 30.0,
            "{name}: stance/swing MAE {:.1}/{:.1} ms",
            s.stance_mae_ms,
            s.swing_mae_ms
        );
        assert!(
            s.speed_mae_mps <= 0.05,
            "{name}: speed MAE {:.3} m/s",
            s.speed_mae_mps
        );
        assert!(
            s.length_mae_cm <= 5.0,
            "{name}: stride length MAE {:.2} cm",
            s.length_mae_cm
        );
        assert!(
            s.n_matched_strides + 1 >= s.n_ref_strides,
            "{name}: only {} of {} strides",
            s.n_matched_strides,
            s.n_ref_strides
        );
    }
}

fn analyze_fixture() -> LegAnalysis {
    let dir = fixture();
    let session = Session::read(&dir).unwrap();
    analyze_session_legs(&session, &dir).unwrap()
}

#[test]
fn feet_fixture_meets_accuracy_targets() {
    let a = analyze_fixture();
    let scores = PerSide {
        left: score_foot(&a, Side::Left),
        right: score_foot(&a, Side::Right),
    };
    print_scores("feet_healthy_2x20m (as recorded)", &scores);
    let s = &a.summary;
    println!(
        "  summary: cadence {:.1} spm, speed {:.2} m/s, stance L/R {:.3}/{:.3} s, swing {:.3}/{:.3} s, stride length {:.3}/{:.3} m, steady strides {}/{}",
        s.cadence_spm.unwrap(),
        s.walking_speed_mps.unwrap(),
        s.stance_time_s.left.unwrap(),
        s.stance_time_s.right.unwrap(),
        s.swing_time_s.left.unwrap(),
        s.swing_time_s.right.unwrap(),
        s.stride_length_m.left.unwrap(),
        s.stride_length_m.right.unwrap(),
        s.n_steady_strides.left,
        s.n_steady_strides.right
    );
    println!(
        "  symmetry: {}",
        serde_json::to_string(&s.symmetry).unwrap()
    );
    println!(
        "  alignment: {}",
        serde_json::to_string(&a.alignment).unwrap()
    );
    assert_targets(&scores);
    // a healthy walk: symmetric within the 10 % cut-off, anti-phase legs
    let sym = &s.symmetry;
    for (name, x) in [
        ("stance", sym.stance_time),
        ("swing", sym.swing_time),
        ("stride length", sym.stride_length),
    ] {
        let si = x.unwrap().si_pct.unwrap();
        assert!(si.abs() < 5.0, "{name} SI {si}");
    }
    assert!(sym.pci.unwrap().pci_pct < 10.0);
}

fn read_table(side: Side) -> ImuTable {
    ImuTable::read(&fixture().join(format!("{}_foot.csv", side.as_str()))).unwrap()
}

/// The fixture's two feet as analysis input, each table transformed by `f` first.
fn input_with(f: impl Fn(Side, ImuTable) -> ImuTable) -> LegInput {
    input_declared("FLU", f)
}

/// As [`input_with`], with both sensors declared as mounted with `axes`.
fn input_declared(axes: &str, f: impl Fn(Side, ImuTable) -> ImuTable) -> LegInput {
    let declared = axes
        .parse::<gaitkit::recording::Axes>()
        .unwrap()
        .sensor_to_body();
    let sensor = |side| LegSensor {
        imu: UniformImu::from_table(&f(side, read_table(side)), DEFAULT_MAX_FILL_S).unwrap(),
        declared,
        file: String::new(),
    };
    LegInput {
        kind: LegSensorKind::Foot,
        sensors: PerSide {
            left: sensor(Side::Left),
            right: sensor(Side::Right),
        },
        shared_timeline: true,
    }
}

/// Readings of the same motion by a sensor mounted rotated by `q` (sensor axes).
fn remount(mut t: ImuTable, q: &Matrix3<f64>) -> ImuTable {
    let qt = q.transpose();
    for i in 0..t.len() {
        for v in [&mut t.acc_mps2, &mut t.gyr_dps] {
            let r = qt * Vector3::new(v[0][i], v[1][i], v[2][i]);
            for k in 0..3 {
                v[k][i] = r[k];
            }
        }
    }
    t
}

#[test]
fn remounted_sensors_give_the_same_results() {
    let base = analyze_legs(&input_with(|_, t| t)).unwrap();
    // instep mounting: 45° pitch about the sensor's y (left) axis, 15° roll about x, 20° yaw
    let q = *(Rotation3::from_axis_angle(&Vector3::z_axis(), 20f64.to_radians())
        * Rotation3::from_axis_angle(&Vector3::x_axis(), 15f64.to_radians())
        * Rotation3::from_axis_angle(&Vector3::y_axis(), 45f64.to_radians()))
    .matrix();
    let rotated = analyze_legs(&input_with(|_, t| remount(t, &q))).unwrap();
    let scores = PerSide {
        left: score_foot(&rotated, Side::Left),
        right: score_foot(&rotated, Side::Right),
    };
    print_scores(
        "feet_healthy_2x20m, sensors remounted 45° pitch + 15° roll + 20° yaw",
        &scores,
    );
    assert_targets(&scores);
    for side in [Side::Left, Side::Right] {
        let offset = rotated.alignment.get(side).mounting_offset_deg
            - base.alignment.get(side).mounting_offset_deg;
        println!(
            "  {} mounting offset found: {:.1}° (as recorded {:.1}°)",
            side.as_str(),
            rotated.alignment.get(side).mounting_offset_deg,
            base.alignment.get(side).mounting_offset_deg
        );
        assert!(
            offset.abs() > 5.0,
            "the rotation must be seen by the alignment"
        );
    }
    assert_eq!(base.strides.len(), rotated.strides.len());
    for (a, b) in base.strides.iter().zip(&rotated.strides) {
        assert!(
            (a.ic_s - b.ic_s).abs() < 1e-3 && (a.fc_s - b.fc_s).abs() < 1e-3,
            "{a:?} vs {b:?}"
        );
        let (la, lb) = (a.stride_length_m.unwrap(), b.stride_length_m.unwrap());
        assert!((la - lb).abs() < 1e-3, "stride length {la} vs {lb}");
    }
}

/// Time-warps one foot so that each reference stance (IC → toe-off) lasts `factor` times as
/// long and the following swing is shortened by the same time: stride times, the other foot
/// and the shared timeline stay as recorded.
fn stretch_stance(t: ImuTable, side: Side, factor: f64) -> ImuTable {
    // piecewise-linear map new time -> recorded time through the knots of every stride
    let mut knots: Vec<(f64, f64)> = Vec::new();
    for r in reference(side) {
        let stance = r.tc_s - r.pre_ic_s;
        knots.push((r.pre_ic_s, r.pre_ic_s));
        knots.push((r.pre_ic_s + factor * stance, r.tc_s));
        knots.push((r.ic_s, r.ic_s));
    }
    knots.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-12);
    let old_time = |tn: f64| -> f64 {
        match knots.iter().position(|k| k.0 > tn) {
            Some(0) | None => tn,
            Some(j) => {
                let (a, b) = (knots[j - 1], knots[j]);
                a.1 + (tn - a.0) * (b.1 - a.1) / (b.0 - a.0)
            }
        }
    };
    let mut out = t.clone();
    for i in 0..t.len() {
        let pos = old_time(t.time_s[i]) * FS;
        let (j, w) = (pos.floor() as usize, pos - pos.floor());
        let j1 = (j + 1).min(t.len() - 1);
        for k in 0..3 {
            out.acc_mps2[k][i] = t.acc_mps2[k][j] + w * (t.acc_mps2[k][j1] - t.acc_mps2[k][j]);
            out.gyr_dps[k][i] = t.gyr_dps[k][j] + w * (t.gyr_dps[k][j1] - t.gyr_dps[k][j]);
        }
    }
    out
}

#[test]
fn stretching_the_right_stance_by_15_percent_moves_symmetry_right_way() {
    let base = analyze_legs(&input_with(|_, t| t)).unwrap();
    let stretched = analyze_legs(&input_with(|side, t| {
        if side == Side::Right {
            stretch_stance(t, side, 1.15)
        } else {
            t
        }
    }))
    .unwrap();
    let (b, s) = (&base.summary, &stretched.summary);
    let si = |x: Option<gaitkit::gait::symmetry::Symmetry>| x.unwrap().si_pct.unwrap();
    let expected = gaitkit::gait::symmetry::symmetry_index_pct(
        b.stance_time_s.left.unwrap(),
        1.15 * b.stance_time_s.right.unwrap(),
    )
    .unwrap();
    println!(
        "\nright stance ×1.15: stance SI {:+.2} % -> {:+.2} % (expected {:+.2} %), swing SI {:+.2} % -> {:+.2} %, single support SI {:+.2} % -> {:+.2} %",
        si(b.symmetry.stance_time),
        si(s.symmetry.stance_time),
        expected,
        si(b.symmetry.swing_time),
        si(s.symmetry.swing_time),
        si(b.symmetry.single_support),
        si(s.symmetry.single_support)
    );
    assert!(
        (si(s.symmetry.stance_time) - expected).abs() < 1.5,
        "stance SI {} vs {expected}",
        si(s.symmetry.stance_time)
    );
    assert!(si(s.symmetry.stance_time) > 12.0);
    // the right swing got shorter by 15 % of the right stance (~0.11 s of ~0.35 s)
    assert!(si(s.symmetry.swing_time) < si(b.symmetry.swing_time) - 25.0);
    // the left leg now stands alone for less time (while the right swings): right − left > 0
    assert!(si(s.symmetry.single_support) > si(b.symmetry.single_support) + 25.0);
    // the left foot is untouched
    assert!((s.stance_time_s.left.unwrap() - b.stance_time_s.left.unwrap()).abs() < 0.005);
    assert!((s.stride_time_s.right.unwrap() - b.stride_time_s.right.unwrap()).abs() < 0.005);
}

#[test]
fn feet_declared_back_to_front_are_turned_round_by_their_motion() {
    // x forward, y left declared as x backward, y right ("BRU"): the data show the feet
    // travelling backwards in that frame, so forward is taken from the motion
    let a = analyze_legs(&input_declared("BRU", |_, t| t)).unwrap();
    assert!(a.alignment.left.forward_from_motion && a.alignment.right.forward_from_motion);
    let scores = PerSide {
        left: score_foot(&a, Side::Left),
        right: score_foot(&a, Side::Right),
    };
    print_scores("feet_healthy_2x20m, axes declared back to front", &scores);
    assert_targets(&scores);
    let as_recorded = analyze_legs(&input_with(|_, t| t)).unwrap();
    assert!(
        !as_recorded.alignment.left.forward_from_motion
            && !as_recorded.alignment.right.forward_from_motion
    );
}
