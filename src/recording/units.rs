//! Units of the sensor columns, checked against the data itself.
//!
//! The session format stores acceleration in m/s² and angular velocity in deg/s. Files from
//! other tools often use g or rad/s, and a wrong unit gives confident nonsense rather than an
//! error: a gyroscope in rad/s reads ~57 times too small, so turns vanish and left/right is
//! decided on noise. Moving people rotate their trunk at tens and their feet at hundreds of
//! deg/s, so a gyroscope that stays within a few units while the accelerometer shows
//! movement is in rad/s, or did not rotate at all; both are refused with the likely cause.

use super::ImuTable;

/// Unit of the angular-velocity columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GyrUnit {
    /// Degrees per second (the session format's unit).
    #[default]
    DegreesPerSecond,
    /// Radians per second; converted to deg/s on reading.
    RadiansPerSecond,
}

/// Acceleration movement (high percentile of |acc| − median |acc|) above which the wearer
/// moved, m/s² (walking: 3–10 at the lower back, more at the feet).
pub const MOVING_ACC_MPS2: f64 = 1.5;
/// High percentile of |gyr| below which a moving sensor did not rotate in deg/s, deg/s
/// (walking: 20–100 at the lower back, 200–600 at the feet; in rad/s those are 0.3–10).
pub const MIN_MOVING_GYR_DPS: f64 = 10.0;
/// The same floor relative to the movement, deg/s per m/s²: a body segment rotates about
/// 10 deg/s per m/s² of acceleration (trunk ≈ 50 deg/s at ≈ 5 m/s², foot ≈ 500 deg/s at
/// ≈ 50 m/s²); in rad/s that ratio falls to ≈ 0.2, so feet in rad/s (≈ 9 rad/s) are caught too.
pub const MIN_GYR_PER_ACC: f64 = 1.0;
/// High percentile of |gyr| above which a column declared rad/s was in deg/s already.
pub const MAX_PLAUSIBLE_GYR_DPS: f64 = 2000.0;

/// Percentile used for the "how much does it move" statistics: robust to a few spikes, but
/// reached by a walk that fills only a small part of the recording.
const PERCENTILE: f64 = 99.5;

/// Converts the gyroscope columns to deg/s.
pub fn convert_gyr(table: &mut ImuTable, unit: GyrUnit) {
    if unit == GyrUnit::RadiansPerSecond {
        for c in table.gyr_dps.iter_mut() {
            for v in c.iter_mut() {
                *v = v.to_degrees();
            }
        }
    }
}

/// A problem with the gyroscope columns (already in deg/s per `declared`), in words that
/// name the likely unit; `None` when they look like deg/s of a moving body, or when the
/// sensor did not move (nothing then depends on the gyroscope: no walk will be found).
pub fn gyr_unit_problem(table: &ImuTable, declared: GyrUnit) -> Option<String> {
    gyr_unit_problem_on(table, declared, false)
}

/// [`gyr_unit_problem`]; with `parallel` the acceleration's and the angular velocity's
/// statistics are computed on two cores at once (the same values).
pub(crate) fn gyr_unit_problem_on(
    table: &ImuTable,
    declared: GyrUnit,
    parallel: bool,
) -> Option<String> {
    let n = table.len();
    if n == 0 {
        return None;
    }
    let step = (n / 200_000).max(1);
    let norms = |cols: &[Vec<f64>; 3]| -> Vec<f64> {
        (0..n)
            .step_by(step)
            .map(|i| (0..3).map(|k| cols[k][i].powi(2)).sum::<f64>().sqrt())
            .collect()
    };
    // m/s²: the 99.5th percentile of |acc| away from its median
    let movement = || {
        let acc = norms(&table.acc_mps2);
        let median_acc = crate::signal::stats::median(&acc).unwrap_or(0.0);
        let moving: Vec<f64> = acc.iter().map(|a| (a - median_acc).abs()).collect();
        crate::signal::stats::percentile(&moving, PERCENTILE).unwrap_or(0.0)
    };
    // deg/s: the 99.5th percentile of |gyr|
    let rotation =
        || crate::signal::stats::percentile(&norms(&table.gyr_dps), PERCENTILE).unwrap_or(0.0);
    let (movement, rotation) = if parallel {
        rayon::join(movement, rotation)
    } else {
        (movement(), rotation())
    };
    if movement > MOVING_ACC_MPS2 && table.gyr_dps.iter().all(|c| c.iter().all(|&v| v == 0.0)) {
        return Some(
            "the gyroscope columns gyr_x, gyr_y, gyr_z are all 0: this sensor recorded no rotation \
             (an accelerometer-only sensor such as the Polar H10?). Gait analysis needs the angular \
             velocity in deg/s for left/right and turns"
                .into(),
        );
    }
    match declared {
        GyrUnit::DegreesPerSecond
            if movement > MOVING_ACC_MPS2
                && rotation < MIN_MOVING_GYR_DPS.max(MIN_GYR_PER_ACC * movement) =>
        {
            Some(format!(
                "the gyroscope reads at most about {rotation:.2} (|gyr|, {PERCENTILE}th percentile) while the \
                 acceleration shows movement of {movement:.1} m/s²; a moving trunk or leg turns at tens to \
                 hundreds of deg/s. The gyr columns are probably in rad/s: pass --gyr-unit rad/s (or convert \
                 them to deg/s); if they are in deg/s, the sensor did not rotate (a vibration, or a sensor \
                 lying on a table?)"
            ))
        }
        GyrUnit::RadiansPerSecond if rotation > MAX_PLAUSIBLE_GYR_DPS => Some(format!(
            "with --gyr-unit rad/s the gyroscope reads up to {rotation:.0} deg/s ({PERCENTILE}th percentile), \
             more than a body segment turns: the gyr columns seem to be in deg/s already; leave out --gyr-unit"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ImuSample;

    /// A moving sensor: 2 Hz vertical bounce of 4 m/s² and a 1 Hz rotation of `gyr_amp`.
    fn moving(gyr_amp: f64) -> ImuTable {
        moving_with(4.0, gyr_amp)
    }

    fn moving_with(acc_amp: f64, gyr_amp: f64) -> ImuTable {
        let mut t = ImuTable::default();
        for i in 0..2000 {
            let s = i as f64 / 100.0;
            let w = (2.0 * std::f64::consts::PI * s).sin();
            t.push(&ImuSample {
                time_s: s,
                acc_mps2: [
                    9.81 + acc_amp * (4.0 * std::f64::consts::PI * s).sin(),
                    0.5,
                    0.2,
                ],
                gyr_dps: [gyr_amp * w, 0.5 * gyr_amp * w, 0.2 * gyr_amp],
            });
        }
        t
    }

    #[test]
    fn rad_per_s_zeros_and_double_conversion_are_named() {
        assert_eq!(
            gyr_unit_problem(&moving(40.0), GyrUnit::DegreesPerSecond),
            None
        );
        let rad = moving(40f64.to_radians());
        let e = gyr_unit_problem(&rad, GyrUnit::DegreesPerSecond).unwrap();
        assert!(e.contains("rad/s") && e.contains("--gyr-unit rad/s"), "{e}");
        let mut fixed = rad.clone();
        convert_gyr(&mut fixed, GyrUnit::RadiansPerSecond);
        assert_eq!(gyr_unit_problem(&fixed, GyrUnit::RadiansPerSecond), None);
        assert!((fixed.gyr_dps[2][0] - 8.0).abs() < 1e-9);
        let e = gyr_unit_problem(&moving(0.0), GyrUnit::DegreesPerSecond).unwrap();
        assert!(e.contains("all 0"), "{e}");
        // deg/s declared as rad/s: ~57 times too large
        let mut twice = moving(400.0);
        convert_gyr(&mut twice, GyrUnit::RadiansPerSecond);
        let e = gyr_unit_problem(&twice, GyrUnit::RadiansPerSecond).unwrap();
        assert!(e.contains("deg/s already"), "{e}");
    }

    #[test]
    fn a_foot_in_rad_per_s_is_caught_despite_its_large_values() {
        // a foot: 50 m/s² of movement, 500 deg/s of swing (8.7 rad/s)
        assert_eq!(
            gyr_unit_problem(&moving_with(50.0, 500.0), GyrUnit::DegreesPerSecond),
            None
        );
        let rad = moving_with(50.0, 500f64.to_radians());
        assert!(gyr_unit_problem(&rad, GyrUnit::DegreesPerSecond)
            .unwrap()
            .contains("rad/s"));
    }

    #[test]
    fn a_still_sensor_is_not_called_rad_per_s() {
        // quiet standing: little movement, little rotation; nothing can be said
        let mut t = ImuTable::default();
        for i in 0..2000 {
            t.push(&ImuSample {
                time_s: i as f64 / 100.0,
                acc_mps2: [9.81 + 0.05 * (i as f64 * 0.1).sin(), 0.1, 0.1],
                gyr_dps: [0.3 * (i as f64 * 0.05).sin(), 0.1, 0.0],
            });
        }
        assert_eq!(gyr_unit_problem(&t, GyrUnit::DegreesPerSecond), None);
    }
}
