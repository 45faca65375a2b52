//! Foot trajectory per stride by zero-velocity-aided strapdown integration (Peruzzi et al.
//! 2011, J Biomech 44:1991; Rampp et al. 2015): between two mid-stance points, where the foot
//! is flat and still, the orientation starts from gravity (roll and pitch; heading 0), the
//! angular velocity is integrated as quaternions, acceleration is rotated to the world frame
//! (z up) and gravity removed, velocity is integrated and its end-point drift removed
//! linearly (the foot is still at both ends), and velocity is integrated to position.
//!
//! Works in raw sensor axes: the result does not depend on how the sensor is mounted.

use nalgebra::{Quaternion, UnitQuaternion, Vector3};
use serde::Serialize;

/// Samples on each side of a mid-stance point averaged for the initial attitude and local g.
const STILL_HALF_WINDOW: usize = 5;

/// One foot's displacement between two consecutive mid-stance points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StrideTrajectory {
    /// Horizontal distance between the two foot-flat positions, m.
    pub stride_length_m: f64,
    /// Highest point of the sensor above its mid-stance height, m.
    pub max_lift_m: f64,
    /// Change of heading (rotation about the vertical), deg, positive counter-clockwise seen
    /// from above (a left turn).
    pub turning_deg: f64,
    /// When the heading changes: mean time of the rotation about the vertical in the
    /// direction of `turning_deg`, each sample weighted by its heading increment, s after the
    /// stride's start (the swing for a step into the turn, the stance for a pivot on the foot).
    pub turn_centre_s: f64,
    /// Duration between the two mid-stance points, s.
    pub duration_s: f64,
    /// Displacement in the sensor's axes at the starting foot-flat, m: tells which way the
    /// sensor's axes point relative to the direction of travel.
    #[serde(skip)]
    pub displacement_sensor_m: [f64; 3],
}

/// `q · exp(θ)` for a small rotation vector `θ` (rad), with sin and cos of the half angle
/// by their Taylor series (error < 1e-9 rad per step below 0.1 rad, i.e. 1000 °/s at 175 Hz).
fn small_rotation_step(q: &UnitQuaternion<f64>, theta: &Vector3<f64>) -> UnitQuaternion<f64> {
    let a2 = theta.norm_squared() / 4.0; // (θ/2)²
    let cos = 1.0 - a2 / 2.0 + a2 * a2 / 24.0;
    let sinc = 0.5 * (1.0 - a2 / 6.0 + a2 * a2 / 120.0); // sin(θ/2)/θ
    let dq = Quaternion::new(cos, theta.x * sinc, theta.y * sinc, theta.z * sinc);
    // |dq| = 1 to ~1e-12, so the product stays unit over a stride without renormalising
    UnitQuaternion::new_unchecked(q.quaternion() * dq)
}

/// Integrates one stride from sample `start` to sample `end` (both mid-stance).
/// `acc_mps2`/`gyr_dps` in sensor axes at `fs_hz`.
pub fn integrate_stride(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    start: usize,
    end: usize,
) -> Option<StrideTrajectory> {
    let n = acc_mps2[0].len();
    if end <= start + 2 || end >= n {
        return None;
    }
    let at = |v: &[Vec<f64>; 3], i: usize| Vector3::new(v[0][i], v[1][i], v[2][i]);
    let still_mean = |c: usize| {
        let lo = c.saturating_sub(STILL_HALF_WINDOW);
        let hi = (c + STILL_HALF_WINDOW + 1).min(n);
        (lo..hi).map(|i| at(acc_mps2, i)).sum::<Vector3<f64>>() / (hi - lo) as f64
    };
    let a0 = still_mean(start);
    let g_local = 0.5 * (a0.norm() + still_mean(end).norm());
    let up = Vector3::z();
    let mut q = UnitQuaternion::rotation_between(&a0, &up).unwrap_or_else(|| {
        UnitQuaternion::from_axis_angle(&Vector3::x_axis(), std::f64::consts::PI)
    });
    let q_start = q;
    let dt = 1.0 / fs_hz;
    let rad = std::f64::consts::PI / 180.0;

    // One pass: attitude, world acceleration, raw velocity and position (trapezoid rule).
    // Removing the linear velocity drift v_end·k/L afterwards subtracts exactly
    // v_end·dt·k²/(2L) from the trapezoid position at sample k.
    let len = end - start + 1;
    let l = (len - 1) as f64;
    let mut z_raw = Vec::with_capacity(len);
    z_raw.push(0.0);
    let (mut v, mut p) = (Vector3::zeros(), Vector3::zeros());
    let mut a_prev = q * at(acc_mps2, start) - up * g_local;
    // heading increments (rotation about the world vertical), rad, per sample
    let mut yaw = Vec::with_capacity(len - 1);
    for i in start + 1..=end {
        let w = 0.5 * (at(gyr_dps, i - 1) + at(gyr_dps, i)) * (rad * dt);
        yaw.push((q * w).z);
        q = small_rotation_step(&q, &w);
        let a = q * at(acc_mps2, i) - up * g_local;
        let v_next = v + 0.5 * (a_prev + a) * dt;
        p += 0.5 * (v + v_next) * dt;
        z_raw.push(p.z);
        v = v_next;
        a_prev = a;
    }
    let drift = v;
    let ramp = |k: usize| dt * (k * k) as f64 / (2.0 * l);
    let p = p - drift * ramp(len - 1);
    let max_lift = z_raw
        .iter()
        .enumerate()
        .map(|(k, z)| z - drift.z * ramp(k))
        .fold(0.0, f64::max);
    let rel = (q * q_start.inverse()).to_rotation_matrix();
    let m = rel.matrix();
    let turning = m[(1, 0)].atan2(m[(0, 0)]);
    Some(StrideTrajectory {
        stride_length_m: (p.x * p.x + p.y * p.y).sqrt(),
        max_lift_m: max_lift,
        turning_deg: turning.to_degrees(),
        turn_centre_s: turn_centre(&yaw, turning.signum()) * dt,
        duration_s: (end - start) as f64 * dt,
        displacement_sensor_m: (q_start.inverse() * p).into(),
    })
}

/// Mean position (in samples, sample `k` centred at `k + 0.5`) of the increments `d` that go
/// the way of `sign`, each weighted by its size; the middle when there are none.
pub fn turn_centre(d: &[f64], sign: f64) -> f64 {
    let (mut w, mut wt) = (0.0, 0.0);
    for (k, x) in d.iter().enumerate() {
        let x = (sign * x).max(0.0);
        w += x;
        wt += x * (k as f64 + 0.5);
    }
    if w > 0.0 {
        wt / w
    } else {
        d.len() as f64 / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Rotation3;
    use std::f64::consts::PI;

    /// A sensor that starts flat, is carried 1.2 m forward and 0.3 m left along a smooth
    /// (minimum-jerk) path while pitching up by 30° and back, ending flat and turned 20° left.
    #[test]
    fn known_displacement_lift_and_turn_are_recovered() {
        let fs = 200.0;
        let n = 241; // 1.2 s
        let (dx, dy, lift, yaw_end) = (1.2, 0.3, 0.15, 20f64.to_radians());
        let s = |u: f64| 10.0 * u.powi(3) - 15.0 * u.powi(4) + 6.0 * u.powi(5);
        let s2 = |u: f64| 60.0 * u - 180.0 * u.powi(2) + 120.0 * u.powi(3);
        let (dur, mut acc, mut gyr): (f64, [Vec<f64>; 3], [Vec<f64>; 3]) =
            (1.2, Default::default(), Default::default());
        let attitude = |u: f64| {
            Rotation3::from_axis_angle(&Vector3::z_axis(), yaw_end * s(u))
                * Rotation3::from_axis_angle(
                    &Vector3::y_axis(),
                    -30f64.to_radians() * (PI * u).sin().powi(2),
                )
        };
        for i in 0..n {
            let u = i as f64 / (n - 1) as f64;
            // world acceleration: minimum-jerk in x and y, lift 64·u³(1−u)³ in z (still at both ends)
            let a_w = Vector3::new(
                dx * s2(u) / dur.powi(2),
                dy * s2(u) / dur.powi(2),
                lift * 64.0
                    * (6.0 * u * (1.0 - u).powi(3) - 18.0 * u * u * (1.0 - u).powi(2)
                        + 6.0 * u.powi(3) * (1.0 - u))
                    / dur.powi(2),
            );
            let r = attitude(u);
            let a_s = r.inverse() * (a_w + Vector3::new(0.0, 0.0, 9.81));
            // body angular rate from the attitude derivative
            let h = 1e-6;
            let w = if u + h > 1.0 {
                Vector3::zeros()
            } else {
                (r.inverse() * attitude(u + h)).scaled_axis() / (h * dur)
            };
            for k in 0..3 {
                acc[k].push(a_s[k]);
                gyr[k].push(w[k].to_degrees());
            }
        }
        // pad with still samples at both ends
        let pad = 10;
        let mut acc_p: [Vec<f64>; 3] = Default::default();
        let mut gyr_p: [Vec<f64>; 3] = Default::default();
        for k in 0..3 {
            acc_p[k] = std::iter::repeat_n(acc[k][0], pad)
                .chain(acc[k].iter().copied())
                .chain(std::iter::repeat_n(acc[k][n - 1], pad))
                .collect();
            gyr_p[k] = std::iter::repeat_n(0.0, pad)
                .chain(gyr[k].iter().copied())
                .chain(std::iter::repeat_n(0.0, pad))
                .collect();
        }
        // integrate from still sample to still sample, as between two mid-stances
        let t = integrate_stride(&acc_p, &gyr_p, fs, pad - 6, pad + n - 1 + 6).unwrap();
        let want = (dx * dx + dy * dy).sqrt();
        assert!(
            (t.stride_length_m - want).abs() < 0.01,
            "length {} vs {want}",
            t.stride_length_m
        );
        assert!((t.max_lift_m - lift).abs() < 0.01, "lift {}", t.max_lift_m);
        assert!((t.turning_deg - 20.0).abs() < 0.5, "turn {}", t.turning_deg);
        assert!((t.duration_s - 1.26).abs() < 1e-9);
        // the sensor starts level with x forward: the displacement is along its x and y
        let d = t.displacement_sensor_m;
        assert!(
            (d[0] - dx).abs() < 0.01 && (d[1] - dy).abs() < 0.01 && d[2].abs() < 0.01,
            "{d:?}"
        );
        assert!(integrate_stride(&acc_p, &gyr_p, fs, 5, 6).is_none());
    }

    #[test]
    fn the_turn_centre_is_when_the_heading_changes() {
        assert_eq!(turn_centre(&[0.0, 0.0, 1.0, 3.0, 0.0, -1.0], 1.0), 3.25);
        assert_eq!(turn_centre(&[0.0, 0.0, 1.0, 3.0, 0.0, -1.0], -1.0), 5.5);
        assert_eq!(turn_centre(&[0.0; 4], 1.0), 2.0);
        assert_eq!(turn_centre(&[], 1.0), 0.0);
        // a still, level foot turning about the vertical at ±90 deg/s during samples 20–59 of
        // 200 (a pivot early in the stride), then at the end
        let fs = 200.0;
        for (from, rate) in [(20usize, 90.0), (20, -90.0), (140, 90.0)] {
            let acc: [Vec<f64>; 3] = [vec![0.0; 200], vec![0.0; 200], vec![9.81; 200]];
            let mut gyr: [Vec<f64>; 3] = Default::default();
            gyr[0] = vec![0.0; 200];
            gyr[1] = vec![0.0; 200];
            gyr[2] = (0..200)
                .map(|i| {
                    if (from..from + 40).contains(&i) {
                        rate
                    } else {
                        0.0
                    }
                })
                .collect();
            let t = integrate_stride(&acc, &gyr, fs, 0, 199).unwrap();
            assert!((t.turning_deg - rate * 40.0 / fs).abs() < 1e-6, "{t:?}");
            // the rotation of samples from…from + 39 centres on from + 19.5
            let want = (from as f64 + 19.5) / fs;
            assert!(
                (t.turn_centre_s - want).abs() < 1e-9,
                "{} {want}",
                t.turn_centre_s
            );
        }
    }

    #[test]
    fn taylor_rotation_step_matches_the_exponential() {
        let q = UnitQuaternion::from_euler_angles(0.3, -0.2, 1.0);
        for theta in [
            Vector3::new(0.05, -0.02, 0.01),
            Vector3::new(0.0, 0.1, 0.0),
            Vector3::zeros(),
        ] {
            let exact = q * UnitQuaternion::from_scaled_axis(theta);
            let step = small_rotation_step(&q, &theta);
            assert!(exact.angle_to(&step) < 1e-9, "{}", exact.angle_to(&step));
            assert!((step.quaternion().norm() - 1.0).abs() < 1e-10);
        }
    }
}
