//! Left/right must not depend on how the lower-back sensor was clipped on: every fixture
//! rotated about the vertical by 90°, 180° (worn back to front: y and z negated) and 270°,
//! declared with its usual axes, gives the same sides, with a `forward_axis` correction;
//! the fixture mirrored (the walk seen in a mirror: left and right exchanged) gives every
//! side swapped and the step-time symmetry index with the opposite sign.

mod support;

use gaitkit::analyze::{analyze_session, analyze_with, AnalyzeOptions};
use gaitkit::gait::quality::Outcome;
use gaitkit::gait::{GaitAnalysis, Side};
use gaitkit::recording::session::Session;
use gaitkit::recording::ImuTable;
use support::reference::*;

fn analyze_transformed(name: &str, f: &dyn Fn(&mut ImuTable)) -> GaitAnalysis {
    let dir = fixtures_dir().join(name);
    let session = Session::read(&dir).unwrap();
    let read = |p: &std::path::Path| {
        let mut t = ImuTable::read(p)?;
        f(&mut t);
        Ok(t)
    };
    analyze_with(&dir, &session, &AnalyzeOptions::default(), &read)
        .unwrap()
        .gait
        .unwrap()
}

/// Rotates the sensor's y/z (horizontal, axes "URF") components by `deg` about x (up).
fn yaw(deg: f64) -> impl Fn(&mut ImuTable) {
    move |t: &mut ImuTable| {
        let (s, c) = deg.to_radians().sin_cos();
        for v in [&mut t.acc_mps2, &mut t.gyr_dps] {
            for i in 0..v[1].len() {
                let (y, z) = (v[1][i], v[2][i]);
                v[1][i] = c * y - s * z;
                v[2][i] = s * y + c * z;
            }
        }
    }
}

fn forward_outcome(g: &GaitAnalysis) -> Outcome {
    g.quality.named("forward_axis").next().unwrap().outcome
}

fn sides(g: &GaitAnalysis) -> Vec<Option<Side>> {
    g.initial_contacts.iter().map(|c| c.side).collect()
}

fn si(g: &GaitAnalysis) -> Option<f64> {
    g.summary.symmetry.step_time_si_pct
}

#[test]
fn rotated_and_reversed_sensors_give_the_same_sides_with_a_correction() {
    for name in LOWER_BACK_FIXTURES {
        let base = analyze_session(&fixtures_dir().join(name), &AnalyzeOptions::default())
            .unwrap()
            .gait
            .unwrap();
        assert_eq!(forward_outcome(&base), Outcome::Passed, "{name}");
        for deg in [90.0, 180.0, 270.0] {
            let g = analyze_transformed(name, &yaw(deg));
            let check = g.quality.named("forward_axis").next().unwrap();
            assert_eq!(
                check.outcome,
                Outcome::Corrected,
                "{name} {deg}°: {check:?}"
            );
            let applied = check.numbers["applied_deg"];
            let want = if deg > 180.0 { deg - 360.0 } else { deg };
            assert!(
                (applied.abs() - want.abs()).abs() < 1e-9,
                "{name} {deg}°: applied {applied}"
            );
            assert_eq!(
                g.initial_contacts.len(),
                base.initial_contacts.len(),
                "{name} {deg}°"
            );
            assert_eq!(sides(&g), sides(&base), "{name} {deg}°");
            match (si(&g), si(&base)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{name} {deg}°: SI {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{name} {deg}°"),
            }
        }
    }
}

#[test]
fn a_mirrored_walk_swaps_every_side_and_the_sign_of_the_symmetry_index() {
    let mirror = |t: &mut ImuTable| {
        // reflection across the sagittal plane: right acceleration, yaw and roll rates reverse
        for v in t.acc_mps2[1].iter_mut() {
            *v = -*v;
        }
        for k in [0, 2] {
            for v in t.gyr_dps[k].iter_mut() {
                *v = -*v;
            }
        }
    };
    for name in LOWER_BACK_FIXTURES {
        let base = analyze_session(&fixtures_dir().join(name), &AnalyzeOptions::default())
            .unwrap()
            .gait
            .unwrap();
        let g = analyze_transformed(name, &mirror);
        assert_eq!(forward_outcome(&g), Outcome::Passed, "{name}");
        let swapped: Vec<Option<Side>> = sides(&base)
            .into_iter()
            .map(|s| s.map(Side::opposite))
            .collect();
        assert_eq!(sides(&g), swapped, "{name}");
        match (si(&g), si(&base)) {
            (Some(a), Some(b)) => assert!((a + b).abs() < 1e-6, "{name}: SI {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{name}"),
        }
    }
}
