//! Shank sensors on synthetic walking with known events and injected asymmetry, and the
//! time alignment of two sensors without a shared clock.
//!
//! Waveform model of the shank's sagittal angular velocity ω (deg/s, body frame, positive =
//! ankle swinging forward), per gait cycle of one leg with toe-off FC, next initial contact
//! IC and the following toe-off FC':
//! * swing lobe `350 · sin²(π (t − FC) / (IC − FC))` on [FC, IC];
//! * heel-strike dip `−100 · exp(−½ ((t − IC) / 20 ms)²)`;
//! * push-off dip `−150 · exp(−½ ((t − FC) / 40 ms)²)`;
//! * stance roll-over `−40 · sin(π (t − IC) / (FC' − IC))` on [IC, FC'].
//!
//! The lobes' slopes move the dips' minima by < 2 ms, so IC and FC are the minima after
//! and before mid-swing (Salarian 2004) to within 5 ms. Off-axis rotation (vertical
//! 20 °/s at 1.3 Hz, antero-posterior 15 °/s at 2.1 Hz), ±2 °/s noise, gravity plus a
//! forward swing acceleration and a 10° mounting error make the alignment work for it.

use gaitkit::gait::leg::shank_events::detect_shank_cycles;
use gaitkit::gait::leg::{
    analyze_legs, LegAnalysis, LegInput, LegSensor, LegSensorKind, LegsOnOwnClocks, SyncMethod,
};
use gaitkit::gait::quality::Outcome;
use gaitkit::gait::symmetry::symmetry_index_pct;
use gaitkit::gait::{PerSide, Side};
use gaitkit::recording::{Axes, UniformImu};
use nalgebra::{Matrix3, Rotation3, Vector3};
use std::f64::consts::PI;

const FS: f64 = 100.0;
const STRIDE_S: f64 = 1.1;
const N_STRIDES: usize = 14;
const FIRST_IC_S: f64 = 4.0;
/// Landing of the sync jump, s: 2 s standing before it, 1.5 s standing after it.
const JUMP_S: f64 = 2.0;

/// Known events of one leg: (toe-off, initial contact) per cycle, s.
fn events(side: Side, stance_s: f64) -> Vec<(f64, f64)> {
    let offset = if side == Side::Left {
        0.0
    } else {
        STRIDE_S / 2.0
    };
    (0..N_STRIDES)
        .map(|k| {
            let ic = FIRST_IC_S + offset + k as f64 * STRIDE_S;
            (ic - STRIDE_S + stance_s, ic)
        })
        .collect()
}

/// Deterministic noise in ±2, independent between salts (splitmix64 hash).
fn noise(i: usize, salt: usize) -> f64 {
    let mut z = (i as u64)
        .wrapping_add((salt as u64) << 40)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 4.0
}

/// Sagittal angular velocity of one shank, deg/s (see the module docs).
fn shank_omega(t: f64, cycles: &[(f64, f64)]) -> f64 {
    let mut w = 0.0;
    for (k, &(fc, ic)) in cycles.iter().enumerate() {
        if t >= fc && t <= ic {
            w += 350.0 * (PI * (t - fc) / (ic - fc)).sin().powi(2);
        }
        w -= 100.0 * (-0.5 * ((t - ic) / 0.02).powi(2)).exp();
        w -= 150.0 * (-0.5 * ((t - fc) / 0.04).powi(2)).exp();
        if let Some(&(next_fc, _)) = cycles.get(k + 1) {
            if t >= ic && t <= next_fc {
                w -= 40.0 * (PI * (t - ic) / (next_fc - ic)).sin();
            }
        }
    }
    w
}

/// One shank sensor: samples in sensor axes for the declared mounting `ULB` (x up, y left,
/// z back) turned by a further 10° about the sensor's x axis; `clock_offset_s` is added to
/// the timestamps; `jump_at_s` adds a jump landing then: a push-off dip, a swing-like lobe in
/// the air and the landing impact, which the event detection may take for a gait cycle.
fn shank_sensor(
    side: Side,
    stance_s: f64,
    duration_s: f64,
    jump_at_s: Option<f64>,
) -> (UniformImu, Matrix3<f64>) {
    let cycles = events(side, stance_s);
    let declared = "ULB".parse::<Axes>().unwrap().sensor_to_body();
    let error = *Rotation3::from_axis_angle(&Vector3::x_axis(), 10f64.to_radians()).matrix();
    let body_to_sensor = error * declared.transpose();
    let salt = side as usize;
    let n = (duration_s * FS) as usize;
    let mut acc: [Vec<f64>; 3] = Default::default();
    let mut gyr: [Vec<f64>; 3] = Default::default();
    for i in 0..n {
        let t = i as f64 / FS;
        let jump_w = jump_at_s.map_or(0.0, |tj| {
            let g = |c: f64, s: f64| (-0.5 * ((t - c) / s).powi(2)).exp();
            -150.0 * g(tj - 0.35, 0.03) + 250.0 * g(tj - 0.2, 0.05) - 120.0 * g(tj, 0.02)
        });
        let w_ml = shank_omega(t, &cycles) + jump_w + noise(i, salt);
        let walking = t > FIRST_IC_S - 1.0;
        let w_v = if walking {
            20.0 * (2.0 * PI * 1.3 * t).sin()
        } else {
            0.0
        };
        let w_ap = if walking {
            15.0 * (2.0 * PI * 2.1 * t).sin()
        } else {
            0.0
        };
        let impact = jump_at_s.map_or(0.0, |tj| 30.0 * (-0.5 * ((t - tj) / 0.01).powi(2)).exp());
        let a_body = Vector3::new(
            9.80665 + impact + 0.02 * noise(i, salt + 7),
            0.0,
            0.01 * w_ml,
        );
        let w_body = Vector3::new(w_v, w_ml, w_ap);
        let (a, w) = (body_to_sensor * a_body, body_to_sensor * w_body);
        for k in 0..3 {
            acc[k].push(a[k]);
            gyr[k].push(w[k]);
        }
    }
    (
        UniformImu {
            fs_hz: FS,
            t0_s: 0.0,
            acc_mps2: acc,
            gyr_dps: gyr,
            gaps: Vec::new(),
        },
        declared,
    )
}

fn input(
    stance: PerSide<f64>,
    right_clock_offset_s: f64,
    jump: bool,
    shared_timeline: bool,
) -> LegInput {
    let sensor = |side: Side| {
        let (mut imu, declared) = shank_sensor(
            side,
            *stance.get(side),
            FIRST_IC_S + N_STRIDES as f64 * STRIDE_S + 1.0,
            jump.then_some(JUMP_S),
        );
        if side == Side::Right {
            imu.t0_s += right_clock_offset_s;
        }
        LegSensor {
            imu,
            declared,
            file: String::new(),
        }
    };
    LegInput {
        kind: LegSensorKind::Shank,
        sensors: PerSide {
            left: sensor(Side::Left),
            right: sensor(Side::Right),
        },
        shared_timeline,
    }
}

const STANCE: PerSide<f64> = PerSide {
    left: 0.66,
    right: 0.72,
};

#[test]
fn salarian_events_are_found_where_they_were_put() {
    let cycles = events(Side::Left, 0.66);
    let w: Vec<f64> = (0..((N_STRIDES as f64 * STRIDE_S + 3.0) * FS) as usize)
        .map(|i| shank_omega(i as f64 / FS, &cycles) + noise(i, 3))
        .collect();
    let found = detect_shank_cycles(&w, FS);
    assert_eq!(found.len(), N_STRIDES, "{found:?}");
    for (c, &(fc, ic)) in found.iter().zip(&cycles) {
        assert!((c.fc / FS - fc).abs() < 0.005, "FC {} vs {fc}", c.fc / FS);
        assert!((c.ic / FS - ic).abs() < 0.005, "IC {} vs {ic}", c.ic / FS);
    }
}

/// `min_steady`: strides per side expected to count as steady.
fn assert_injected_asymmetry(a: &LegAnalysis, min_steady: usize) {
    let s = &a.summary;
    let close = |x: Option<f64>, want: f64, tol: f64, what: &str| {
        let x = x.unwrap_or_else(|| panic!("{what} missing"));
        assert!((x - want).abs() < tol, "{what}: {x} vs {want}");
    };
    close(s.stance_time_s.left, 0.66, 0.006, "left stance");
    close(s.stance_time_s.right, 0.72, 0.006, "right stance");
    close(s.swing_time_s.left, 0.44, 0.006, "left swing");
    close(s.swing_time_s.right, 0.38, 0.006, "right swing");
    // left IC is followed 0.17 s later by the right toe-off; right IC by the left toe-off 0.11 s later
    close(
        s.initial_double_support_s.left,
        0.17,
        0.006,
        "left initial double support",
    );
    close(
        s.initial_double_support_s.right,
        0.11,
        0.006,
        "right initial double support",
    );
    close(s.single_support_s.left, 0.38, 0.006, "left single support");
    close(
        s.single_support_s.right,
        0.44,
        0.006,
        "right single support",
    );
    close(s.stride_time_s.left, STRIDE_S, 0.003, "left stride");
    close(s.cadence_spm, 120.0 / STRIDE_S, 0.3, "cadence");
    let sym = &s.symmetry;
    close(
        sym.stance_time.unwrap().si_pct,
        symmetry_index_pct(0.66, 0.72).unwrap(),
        1.0,
        "stance SI",
    );
    close(
        sym.swing_time.unwrap().si_pct,
        symmetry_index_pct(0.44, 0.38).unwrap(),
        1.5,
        "swing SI",
    );
    close(
        sym.single_support.unwrap().si_pct,
        symmetry_index_pct(0.38, 0.44).unwrap(),
        1.5,
        "single support SI",
    );
    close(sym.step_time.unwrap().si_pct, 0.0, 1.0, "step time SI");
    assert!(sym.pci.unwrap().pci_pct < 2.0);
    assert!(
        s.n_steady_strides.left >= min_steady && s.n_steady_strides.right >= min_steady,
        "{:?}",
        s.n_steady_strides
    );
    assert!(
        s.stride_length_m.left.is_none(),
        "no stride length from shanks"
    );
}

#[test]
fn injected_stance_asymmetry_is_recovered_with_its_sign() {
    let a = analyze_legs(&input(STANCE, 0.0, false, true)).unwrap();
    assert_eq!(a.sync.method, SyncMethod::SharedTimeline);
    for side in [Side::Left, Side::Right] {
        let off = a.alignment.get(side).mounting_offset_deg;
        assert!(
            (off - 10.0).abs() < 2.0,
            "{side:?} mounting error found {off}"
        );
    }
    assert_injected_asymmetry(&a, N_STRIDES - 4);
    // the same walk with the legs' roles swapped flips every sign
    let swapped = analyze_legs(&input(
        PerSide {
            left: 0.72,
            right: 0.66,
        },
        0.0,
        false,
        true,
    ))
    .unwrap();
    let si = swapped
        .summary
        .symmetry
        .stance_time
        .unwrap()
        .si_pct
        .unwrap();
    assert!(
        (si + symmetry_index_pct(0.66, 0.72).unwrap()).abs() < 1.0,
        "swapped stance SI {si}"
    );
}

#[test]
fn clock_offset_is_corrected_from_the_sync_jump() {
    // the right sensor's clock runs 0.3 s late; both sensors see the jump landing at 2.0 s
    let a = analyze_legs(&input(STANCE, 0.3, true, false)).unwrap();
    assert_eq!(a.sync.method, SyncMethod::SyncJump);
    // the jump itself looks like a gait cycle to the event detection
    assert!(
        a.events.left.ic_s.iter().any(|t| (t - JUMP_S).abs() < 0.1),
        "{:?}",
        a.events.left.ic_s
    );
    assert!(
        (a.sync.right_offset_s + 0.3).abs() < 0.011,
        "offset {}",
        a.sync.right_offset_s
    );
    assert_injected_asymmetry(&a, N_STRIDES - 4);
}

#[test]
fn clock_offset_without_sync_jump_is_refused() {
    let err = analyze_legs(&input(STANCE, 0.3, false, false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("do not seem to share a timeline") && err.contains("sync jump"),
        "{err}"
    );
    // without offset the same unsynchronised files are accepted as plausible, but plausible
    // is not proof: the timing between the legs is withheld, each leg's own timing is not
    let a = analyze_legs(&input(STANCE, 0.0, false, false)).unwrap();
    assert_eq!(a.sync.method, SyncMethod::FileTimestamps);
    let clock = a.quality.named("clock").next().unwrap();
    assert_eq!(clock.outcome, gaitkit::gait::quality::Outcome::Failed);
    let s = &a.summary;
    assert_eq!(s.step_time_s.left, None);
    assert_eq!(s.initial_double_support_s.right, None);
    assert!(s.symmetry.step_time.is_none() && s.symmetry.pci.is_none());
    assert!((s.stance_time_s.left.unwrap() - 0.66).abs() < 0.006);
    assert!((s.stance_time_s.right.unwrap() - 0.72).abs() < 0.006);
    assert!((s.single_support_s.left.unwrap() - 0.38).abs() < 0.006);
    let si = s.symmetry.stance_time.unwrap().si_pct.unwrap();
    assert!(
        (si - symmetry_index_pct(0.66, 0.72).unwrap()).abs() < 1.0,
        "{si}"
    );
}

#[test]
fn strides_in_a_turn_are_left_out_of_the_summary() {
    let mut inp = input(STANCE, 0.0, false, true);
    // a 180° left turn over 2 s (90 °/s about the vertical) from 7.5 s, seen by both shanks
    let declared = "ULB".parse::<Axes>().unwrap().sensor_to_body();
    let error = *Rotation3::from_axis_angle(&Vector3::x_axis(), 10f64.to_radians()).matrix();
    let yaw_in_sensor = error * declared.transpose() * Vector3::new(90.0, 0.0, 0.0);
    for side in [Side::Left, Side::Right] {
        let imu = &mut inp.sensors.get_mut(side).imu;
        for i in ((7.5 * FS) as usize)..((9.5 * FS) as usize) {
            for k in 0..3 {
                imu.gyr_dps[k][i] += yaw_in_sensor[k];
            }
        }
    }
    let a = analyze_legs(&inp).unwrap();
    let turning: Vec<_> = a
        .strides
        .iter()
        .filter(|s| s.turning_deg.unwrap().abs() > 20.0)
        .collect();
    assert!(
        turning.len() >= 3,
        "{:?}",
        a.strides.iter().map(|s| s.turning_deg).collect::<Vec<_>>()
    );
    for s in &turning {
        assert!(s.ic_s < 9.5 && s.end_ic_s > 7.5 && !s.steady, "{s:?}");
        assert!(s.turning_deg.unwrap() > 0.0, "a left turn is positive");
    }
    let total: f64 = a
        .strides
        .iter()
        .filter(|s| s.side == Side::Left)
        .filter_map(|s| s.turning_deg)
        .sum();
    assert!((total - 180.0).abs() < 15.0, "left shank turned {total}°");
    assert_injected_asymmetry(&a, N_STRIDES - 6);
    // both shanks turn together: the clock check compares the turn and finds no lag
    let clock = a.quality.named("clock").next().unwrap();
    assert_eq!(clock.outcome, Outcome::Passed, "{}", clock.message);
    assert_eq!(clock.numbers["turns_compared"], 1.0);
    let lag0 = clock.numbers["turn_lag_s"];
    assert!(lag0.abs() < 0.05, "{lag0}");
    // either shank's clock a stride late on the declared shared clock: the turn shows it
    let legs = LegsOnOwnClocks::analyze(&inp).unwrap();
    for (shift, late) in [(STRIDE_S, "right"), (-STRIDE_S, "left")] {
        let a = legs.on_one_timeline(shift).unwrap();
        let clock = a.quality.named("clock").next().unwrap();
        assert_eq!(clock.outcome, Outcome::Failed, "{shift}");
        assert!(
            clock
                .message
                .contains(&format!("the {late} leg changes heading")),
            "{}",
            clock.message
        );
        assert!((clock.numbers["turn_lag_s"] - lag0 - shift).abs() < 1e-6);
        assert!(a.summary.symmetry.step_time.is_none());
    }
}

#[test]
fn a_shank_session_folder_goes_through_analyze() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    use gaitkit::recording::{ImuCsvWriter, ImuSample};
    let dir = tempfile::tempdir().unwrap();
    let inp = input(STANCE, 0.0, false, true);
    for (side, file) in [
        (Side::Left, "left_shank.csv"),
        (Side::Right, "right_shank.csv"),
    ] {
        let imu = &inp.sensors.get(side).imu;
        let mut w = ImuCsvWriter::create(&dir.path().join(file)).unwrap();
        for i in 0..imu.len() {
            w.write(&ImuSample {
                time_s: imu.time_s(i),
                acc_mps2: [imu.acc_mps2[0][i], imu.acc_mps2[1][i], imu.acc_mps2[2][i]],
                gyr_dps: [imu.gyr_dps[0][i], imu.gyr_dps[1][i], imu.gyr_dps[2][i]],
            })
            .unwrap();
        }
        w.flush().unwrap();
    }
    let session = r#"{"sensors": [
        {"placement": "left-shank", "file": "left_shank.csv", "axes": "ULB"},
        {"placement": "right-shank", "file": "right_shank.csv", "axes": "ULB"}],
        "sync": {"method": "device-timestamps"}}"#;
    std::fs::write(dir.path().join("session.json"), session).unwrap();
    let a = analyze_session(dir.path(), &AnalyzeOptions::default()).unwrap();
    let g = a.gait.unwrap();
    assert_eq!(g.source, "shanks");
    assert!(
        g.notes.iter().any(|n| n.contains("no stride length")),
        "{:?}",
        g.notes
    );
    let s = &g.summary;
    assert!(
        (s.stance_time_s.left.unwrap() - 0.66).abs() < 0.006
            && (s.stance_time_s.right.unwrap() - 0.72).abs() < 0.006
    );
    assert!(s.stride_length_m.is_none() && s.walking_speed_mps.is_none());
    let si = s.symmetry.stance_time_si_pct.unwrap();
    assert!(
        (si - symmetry_index_pct(0.66, 0.72).unwrap()).abs() < 1.0,
        "stance SI {si}"
    );
    assert!((s.cadence_spm.unwrap() - 120.0 / STRIDE_S).abs() < 0.5);
}
