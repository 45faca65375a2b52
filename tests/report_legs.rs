//! Chart metrics from two leg sensors (the bundled shoe-mounted recording): the mean gait cycle
//! is each foot's sagittal angular velocity from its own sensor, with the shape of a foot
//! gyroscope over the stride on both sides.

use std::path::Path;

use gaitkit::analyze::AnalyzeOptions;
use gaitkit::report::metrics_from_gait::session_metrics_from_dir;

/// (index of the minimum, minimum, index of the maximum, maximum) of a curve.
fn extremes(c: &[f64]) -> (usize, f64, usize, f64) {
    let (mut imin, mut imax) = (0, 0);
    for (i, &v) in c.iter().enumerate() {
        if v < c[imin] {
            imin = i;
        }
        if v > c[imax] {
            imax = i;
        }
    }
    (imin, c[imin], imax, c[imax])
}

#[test]
fn foot_sensors_give_each_foot_its_own_sagittal_cycle_with_push_off_then_swing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feet_healthy_2x20m");
    let s = session_metrics_from_dir(&dir, &AnalyzeOptions::default()).unwrap();
    let cycle = s.gait_cycle.expect("two foot sensors give a mean cycle");
    // Same healthy walker on both feet: the curves agree closely.
    let diff = gaitkit::report::charts::gait_cycle::left_right_difference_pct(&cycle).unwrap();
    assert!(diff < 8.0, "left/right difference {diff:.1} %");
    assert_eq!(cycle.signal, "Sagittal foot angular velocity");
    assert_eq!(cycle.unit, "deg/s");
    for (side, curve) in [("left", &cycle.left), ("right", &cycle.right)] {
        assert_eq!(curve.len(), 101);
        let (imin, min, imax, max) = extremes(curve);
        // Push-off (heel rise to toe-off) is the fastest backward rotation, late in stance;
        // the swing peak follows it. Healthy adult walking: several hundred deg/s each.
        assert!(
            (50..=75).contains(&imin) && min < -300.0,
            "{side}: minimum {min:.0} deg/s at {imin} %"
        );
        assert!(
            (68..=95).contains(&imax) && max > 200.0,
            "{side}: maximum {max:.0} deg/s at {imax} %"
        );
        assert!(imax > imin, "{side}: swing peak before push-off");
    }
}
