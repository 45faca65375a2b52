//! The lower-back pipeline on synthetic walks with known answers: cadence, injected
//! left/right asymmetry, sensor mountings (upside down, rotated, tilted) and 180° turns.

mod support;

use std::path::Path;

use gaitkit::gait::lower_back::{analyze, LowerBackOptions};
use gaitkit::gait::quality::Outcome;
use gaitkit::gait::{GaitAnalysis, Side};
use gaitkit::recording::resample::DEFAULT_MAX_FILL_S;
use gaitkit::recording::{Axes, UniformImu};
use nalgebra::{Rotation3, Unit, Vector3};
use support::synthetic_walk::Walk;

fn run(walk: &Walk, axes: &str, tilt: Rotation3<f64>) -> GaitAnalysis {
    let axes: Axes = axes.parse().unwrap();
    let imu = UniformImu::from_table(&walk.table(axes, tilt), DEFAULT_MAX_FILL_S).unwrap();
    analyze(
        &imu,
        axes,
        Path::new("synthetic.csv"),
        &LowerBackOptions {
            sensor_height_m: Some(0.95),
            ..Default::default()
        },
    )
    .unwrap()
}

fn assert_contacts_and_sides(walk: &Walk, g: &GaitAnalysis) {
    // every interior contact found within 30 ms with the right side
    for (k, &t) in walk
        .contacts_s
        .iter()
        .enumerate()
        .skip(1)
        .take(walk.contacts_s.len() - 2)
    {
        let c = g
            .initial_contacts
            .iter()
            .min_by(|a, b| (a.t_s - t).abs().total_cmp(&(b.t_s - t).abs()))
            .unwrap();
        assert!(
            (c.t_s - t).abs() < 0.03,
            "contact at {t:.2} s found at {:.3} s",
            c.t_s
        );
        let want = if walk.is_left(k) {
            Side::Left
        } else {
            Side::Right
        };
        assert_eq!(c.side, Some(want), "contact at {t:.2} s");
    }
}

#[test]
fn known_cadence_of_120_steps_per_minute() {
    let walk = Walk::alternating(3.0, 40, 0.5, 0.5, 26.0);
    let g = run(&walk, "URF", Rotation3::identity());
    assert_contacts_and_sides(&walk, &g);
    let cadence = g.summary.cadence_spm.unwrap();
    assert!((cadence - 120.0).abs() < 1.2, "cadence {cadence}");
    let si = g.summary.symmetry.step_time_si_pct.unwrap();
    assert!(si.abs() < 1.0, "symmetric walk gave SI {si}");
    assert_eq!(g.bouts.len(), 1);
}

#[test]
fn ten_percent_longer_left_step_is_recovered_within_one_point() {
    // left step (right contact → left contact) 0.55 s, right step 0.50 s
    let walk = Walk::alternating(3.0, 36, 0.55, 0.50, 26.0);
    let g = run(&walk, "URF", Rotation3::identity());
    assert_contacts_and_sides(&walk, &g);
    let truth = (0.50 - 0.55) / (0.5 * (0.50 + 0.55)) * 100.0; // −9.52 %: left larger
    let si = g.summary.symmetry.step_time_si_pct.unwrap();
    assert!((si - truth).abs() < 1.0, "SI {si:.2} % vs {truth:.2} %");
    let l = g.summary.step_time_s.left.unwrap();
    let r = g.summary.step_time_s.right.unwrap();
    assert!(
        (l - 0.55).abs() < 0.01 && (r - 0.50).abs() < 0.01,
        "left {l}, right {r}"
    );
    // and the mirror image: the right step longer flips the sign
    let mirror = run(
        &Walk::alternating(3.0, 36, 0.50, 0.55, 26.0),
        "URF",
        Rotation3::identity(),
    );
    let si_m = mirror.summary.symmetry.step_time_si_pct.unwrap();
    assert!((si_m + truth).abs() < 1.0, "mirrored SI {si_m:.2} %");
}

#[test]
fn upside_down_or_rotated_sensor_with_correct_axes_gives_the_same_answer() {
    let walk = Walk::alternating(3.0, 36, 0.55, 0.50, 26.0);
    let reference = run(&walk, "URF", Rotation3::identity());
    for axes in ["DLF", "RUB", "FLU", "BDR"] {
        let g = run(&walk, axes, Rotation3::identity());
        assert_contacts_and_sides(&walk, &g);
        assert_eq!(
            g.initial_contacts.len(),
            reference.initial_contacts.len(),
            "{axes}"
        );
        for (a, b) in g.initial_contacts.iter().zip(&reference.initial_contacts) {
            assert!((a.t_s - b.t_s).abs() < 1e-6 && a.side == b.side, "{axes}");
        }
        let (x, y) = (
            g.summary.symmetry.step_time_si_pct.unwrap(),
            reference.summary.symmetry.step_time_si_pct.unwrap(),
        );
        assert!((x - y).abs() < 1e-6, "{axes}: {x} vs {y}");
    }
}

#[test]
fn sensor_tilted_35_degrees_from_its_declared_axes_gives_the_same_answer() {
    let walk = Walk::alternating(3.0, 36, 0.55, 0.50, 26.0);
    let reference = run(&walk, "URF", Rotation3::identity());
    let pitch = Rotation3::from_axis_angle(
        &Unit::new_normalize(Vector3::new(0.0, 1.0, 0.0)),
        35f64.to_radians(),
    );
    let roll = Rotation3::from_axis_angle(
        &Unit::new_normalize(Vector3::new(0.0, 0.0, 1.0)),
        35f64.to_radians(),
    );
    for tilt in [pitch, roll, pitch.inverse(), roll.inverse(), pitch * roll] {
        let g = run(&walk, "URF", tilt);
        assert_contacts_and_sides(&walk, &g);
        let (x, y) = (
            g.summary.symmetry.step_time_si_pct.unwrap(),
            reference.summary.symmetry.step_time_si_pct.unwrap(),
        );
        assert!((x - y).abs() < 0.5, "SI {x} vs {y}");
        assert!(g.notes.iter().any(|n| n.contains("re-aligned to gravity")));
    }
}

#[test]
fn sides_stay_right_through_every_180_degree_turn() {
    // walks with turns of ±180° every ~12 s; step time, turn length and direction drawn with
    // a fixed seed
    let mut uniform = support::seeded_uniform(7u64);
    for case in 0..4 {
        let step = uniform(0.48, 0.62);
        let mut walk = Walk::alternating(3.0, 90, step, step, 3.0 + 90.0 * step + 4.0);
        let mut t = 3.0 + uniform(8.0, 11.0);
        while t < walk.duration_s - 8.0 {
            let dir = if uniform(0.0, 1.0) < 0.5 { 1.0 } else { -1.0 };
            walk.turns.push((t, uniform(1.5, 2.5), dir * 180.0));
            t += uniform(10.0, 13.0);
        }
        assert!(walk.turns.len() >= 2, "case {case}");
        let g = run(&walk, "URF", Rotation3::identity());
        let forward = g.quality.named("forward_axis").next().unwrap();
        assert_eq!(forward.outcome, Outcome::Passed, "case {case}: {forward:?}");
        assert!(
            g.turns.len() >= walk.turns.len(),
            "case {case}: {} turns found",
            g.turns.len()
        );
        let mut sided = 0;
        let mut interior = 0;
        for (k, &t) in walk.contacts_s.iter().enumerate().skip(1) {
            if k + 1 == walk.contacts_s.len() {
                break;
            }
            interior += 1;
            let c = g
                .initial_contacts
                .iter()
                .min_by(|a, b| (a.t_s - t).abs().total_cmp(&(b.t_s - t).abs()))
                .unwrap();
            assert!((c.t_s - t).abs() < 0.05, "case {case}: contact at {t:.2} s");
            let want = if walk.is_left(k) {
                Side::Left
            } else {
                Side::Right
            };
            if let Some(s) = c.side {
                sided += 1;
                assert_eq!(s, want, "case {case}: contact at {t:.2} s");
            }
        }
        // the contacts after the last turn are sided too
        let (last, d, _) = *walk.turns.last().unwrap();
        let after = g
            .initial_contacts
            .iter()
            .filter(|c| c.t_s > last + d + 1.0 && c.t_s < walk.duration_s - 5.0)
            .collect::<Vec<_>>();
        assert!(
            !after.is_empty() && after.iter().all(|c| c.side.is_some()),
            "case {case}"
        );
        assert!(
            sided as f64 >= 0.9 * interior as f64,
            "case {case}: {sided} of {interior} contacts sided"
        );
    }
}

#[test]
fn a_mirrored_walk_with_turns_swaps_every_side() {
    // the walk seen in a mirror: the lateral sway, yaw and roll rates reverse (axes "URF":
    // x up, y right, z forward), so every side must swap, through the turns too; step time,
    // turn length and direction drawn with a fixed seed
    let mut uniform = support::seeded_uniform(11u64);
    for case in 0..3 {
        let step = uniform(0.48, 0.62);
        let mut walk = Walk::alternating(3.0, 50, step, step, 3.0 + 50.0 * step + 4.0);
        let t = 3.0 + uniform(8.0, 11.0);
        let dir = if uniform(0.0, 1.0) < 0.5 { 1.0 } else { -1.0 };
        walk.turns.push((t, uniform(1.5, 2.5), dir * 180.0));
        let axes: Axes = "URF".parse().unwrap();
        let analyse = |table: &gaitkit::recording::ImuTable| {
            let imu = UniformImu::from_table(table, DEFAULT_MAX_FILL_S).unwrap();
            analyze(
                &imu,
                axes,
                Path::new("synthetic.csv"),
                &LowerBackOptions::default(),
            )
            .unwrap()
        };
        let table = walk.table(axes, Rotation3::identity());
        let mut mirrored = table.clone();
        for v in mirrored.acc_mps2[1].iter_mut() {
            *v = -*v;
        }
        for k in [0, 2] {
            for v in mirrored.gyr_dps[k].iter_mut() {
                *v = -*v;
            }
        }
        let g = analyse(&table);
        let m = analyse(&mirrored);
        let sides: Vec<Option<Side>> = g.initial_contacts.iter().map(|c| c.side).collect();
        let swapped: Vec<Option<Side>> = m
            .initial_contacts
            .iter()
            .map(|c| c.side.map(Side::opposite))
            .collect();
        assert_eq!(swapped, sides, "case {case}");
        let sided = sides.iter().filter(|s| s.is_some()).count();
        assert!(
            sided as f64 >= 0.9 * sides.len() as f64,
            "case {case}: {sided} of {} sided",
            sides.len()
        );
    }
}
