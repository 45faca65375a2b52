//! Leg-sensor alignment from the data: gravity gives the vertical, the dominant rotation
//! axis of walking gives the medio-lateral (sagittal-rotation) axis.
//!
//! Foot sensors on the instep sit 30–60° pitched (and often rolled) relative to their
//! declared `axes`, so the declared rotation is only used to pick signs. Method:
//! 1. **Vertical**: mean acceleration over still samples (gyro norm < 20 °/s and
//!    |acc| within 1.5 m/s² of g — foot flat or standing); without one second of those,
//!    the 10 % of samples with the lowest gyro norm.
//! 2. **ML**: principal axis of the angular-velocity vectors (second moment, samples above
//!    50 °/s) after removing their vertical component — the leg rotates mostly in the
//!    sagittal plane. Its sign is chosen to agree with the declared ML axis, which holds for
//!    any mounting error below 90°.
//! 3. **AP** = V × ML completes the right-handed body frame (V, ML, AP).
//!
//! The result is the rotation `body = R · sensor`.

use nalgebra::{Matrix3, SymmetricEigen, Vector3};
use serde::Serialize;

use crate::error::{Error, Result};

/// Standard gravity, m/s².
pub const G_MPS2: f64 = 9.80665;

const STILL_GYR_DPS: f64 = 20.0;
const STILL_ACC_TOL_MPS2: f64 = 1.5;
const MOVING_GYR_DPS: f64 = 50.0;

/// Rotation from one leg sensor's axes to the body frame, found from the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegAlignment {
    /// `body = sensor_to_body · sensor`; rows are the V, ML, AP unit vectors in sensor axes.
    pub sensor_to_body: Matrix3<f64>,
    /// Angle between the declared mounting and the one found, deg.
    pub mounting_offset_deg: f64,
    /// Share of the walking rotation about the ML axis (largest eigenvalue / trace), 0–1.
    pub sagittal_share: f64,
    /// True when the forward direction was taken from the foot's motion because the declared
    /// axes pointed the sensor backwards.
    pub forward_from_motion: bool,
}

impl LegAlignment {
    /// Rotates sensor-axis vectors (columns `[x, y, z]`) into the body frame (V, ML, AP).
    pub fn to_body(&self, xyz: &[Vec<f64>; 3]) -> [Vec<f64>; 3] {
        let r = &self.sensor_to_body;
        let n = xyz[0].len();
        let mut out: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(n));
        for ((&x, &y), &z) in xyz[0].iter().zip(&xyz[1]).zip(&xyz[2]) {
            for (k, o) in out.iter_mut().enumerate() {
                o.push(r[(k, 0)] * x + r[(k, 1)] * y + r[(k, 2)] * z);
            }
        }
        out
    }

    /// The same vertical with ML and AP reversed: for a sensor whose declared axes point
    /// backwards (as the direction of travel shows).
    pub fn reversed(&self, declared: &Matrix3<f64>) -> LegAlignment {
        let mut r = self.sensor_to_body;
        for k in 1..3 {
            for c in 0..3 {
                r[(k, c)] = -r[(k, c)];
            }
        }
        LegAlignment {
            sensor_to_body: r,
            mounting_offset_deg: offset_deg(&r, declared),
            sagittal_share: self.sagittal_share,
            forward_from_motion: true,
        }
    }

    /// Sagittal angular velocity (about ML, right-hand rule, positive = distal end moving
    /// forward / toes up), deg/s.
    pub fn gyr_ml_dps(&self, gyr_dps: &[Vec<f64>; 3]) -> Vec<f64> {
        let r = self.sensor_to_body.row(1);
        (0..gyr_dps[0].len())
            .map(|i| r[0] * gyr_dps[0][i] + r[1] * gyr_dps[1][i] + r[2] * gyr_dps[2][i])
            .collect()
    }
}

/// Finds the body alignment of one leg sensor; `declared` is the mounting from
/// `session.json` (`Axes::sensor_to_body`), used only for signs. `what` names the sensor in
/// errors.
pub fn align_leg(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    declared: &Matrix3<f64>,
    what: &str,
) -> Result<LegAlignment> {
    let n = acc_mps2[0].len();
    let vec3 = |v: &[Vec<f64>; 3], i: usize| Vector3::new(v[0][i], v[1][i], v[2][i]);
    let gyr_norm: Vec<f64> = (0..n).map(|i| vec3(gyr_dps, i).norm()).collect();

    let mut still_sum = Vector3::zeros();
    let mut still_n = 0usize;
    for (i, &norm) in gyr_norm.iter().enumerate() {
        let a = vec3(acc_mps2, i);
        if norm < STILL_GYR_DPS && (a.norm() - G_MPS2).abs() < STILL_ACC_TOL_MPS2 {
            still_sum += a;
            still_n += 1;
        }
    }
    let fs_guess = 50.0; // a lower bound of leg-sensor rates: 1 s is at least 50 samples
    let up_sum = if still_n as f64 >= fs_guess {
        still_sum
    } else {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| gyr_norm[a].total_cmp(&gyr_norm[b]));
        order[..(n / 10).max(1).min(n)]
            .iter()
            .map(|&i| vec3(acc_mps2, i))
            .sum()
    };
    let up = up_sum.try_normalize(1e-9).ok_or_else(|| {
        Error::NotEnoughData(format!(
            "{what}: no gravity in the acceleration, cannot find the vertical"
        ))
    })?;

    let mut m = Matrix3::zeros();
    let mut moving = 0usize;
    for (i, &norm) in gyr_norm.iter().enumerate() {
        if norm > MOVING_GYR_DPS {
            let w = vec3(gyr_dps, i);
            let h = w - up * up.dot(&w);
            m += h * h.transpose();
            moving += 1;
        }
    }
    if moving < 10 {
        return Err(Error::NotEnoughData(format!(
            "{what}: the sensor hardly rotates (fewer than 10 samples above {MOVING_GYR_DPS} °/s), so the leg's sagittal axis cannot be found; is this a walk?"
        )));
    }
    let eig = SymmetricEigen::new(m);
    let k = eig.eigenvalues.imax();
    let trace = eig.eigenvalues.sum();
    let mut ml: Vector3<f64> = eig.eigenvectors.column(k).into_owned();
    ml = (ml - up * up.dot(&ml)).normalize();
    let declared_ml = declared.row(1).transpose();
    if ml.dot(&declared_ml) < 0.0 {
        ml = -ml;
    }
    let ap = up.cross(&ml);
    let r = Matrix3::from_rows(&[up.transpose(), ml.transpose(), ap.transpose()]);
    Ok(LegAlignment {
        sensor_to_body: r,
        mounting_offset_deg: offset_deg(&r, declared),
        sagittal_share: if trace > 0.0 {
            eig.eigenvalues[k] / trace
        } else {
            0.0
        },
        forward_from_motion: false,
    })
}

/// Rotation angle between two sensor-to-body rotations, deg.
fn offset_deg(found: &Matrix3<f64>, declared: &Matrix3<f64>) -> f64 {
    let rel = found * declared.transpose();
    ((rel.trace() - 1.0) / 2.0)
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees()
}

/// Alignment summary for reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlignmentReport {
    pub mounting_offset_deg: f64,
    pub sagittal_share: f64,
    pub forward_from_motion: bool,
}

impl From<&LegAlignment> for AlignmentReport {
    fn from(a: &LegAlignment) -> Self {
        AlignmentReport {
            mounting_offset_deg: a.mounting_offset_deg,
            sagittal_share: a.sagittal_share,
            forward_from_motion: a.forward_from_motion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Rotation3;

    /// Body-frame walking-like data: still periods with gravity on V, swings about ML.
    fn body_signals(n: usize) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for i in 0..n {
            let t = i as f64 / 100.0;
            let swing = (t % 1.0) > 0.6;
            let w = if swing {
                300.0 * (std::f64::consts::PI * ((t % 1.0) - 0.6) / 0.4).sin()
            } else {
                0.0
            };
            let a = [
                G_MPS2 + if swing { 2.0 } else { 0.0 },
                0.0,
                if swing { 3.0 } else { 0.0 },
            ];
            let g = [0.0, w, 0.0];
            for k in 0..3 {
                acc[k].push(a[k]);
                gyr[k].push(g[k]);
            }
        }
        (acc, gyr)
    }

    fn rotate(r: &Matrix3<f64>, v: &[Vec<f64>; 3]) -> [Vec<f64>; 3] {
        LegAlignment {
            sensor_to_body: *r,
            mounting_offset_deg: 0.0,
            sagittal_share: 0.0,
            forward_from_motion: false,
        }
        .to_body(v)
    }

    #[test]
    fn recovers_a_pitched_and_rolled_mounting() {
        let (acc_b, gyr_b) = body_signals(1000);
        // sensor = Q · body with Q a 45° pitch (about ML) and 15° roll (about AP)
        let q = Rotation3::from_axis_angle(&Vector3::z_axis(), 15f64.to_radians())
            * Rotation3::from_axis_angle(&Vector3::y_axis(), 45f64.to_radians());
        let q = *q.matrix();
        let (acc_s, gyr_s) = (rotate(&q, &acc_b), rotate(&q, &gyr_b));
        let a = align_leg(&acc_s, &gyr_s, &Matrix3::identity(), "test").unwrap();
        let back = a.gyr_ml_dps(&gyr_s);
        for i in 0..1000 {
            assert!((back[i] - gyr_b[1][i]).abs() < 1e-6 * (1.0 + gyr_b[1][i].abs()));
        }
        let acc_back = a.to_body(&acc_s);
        assert!((acc_back[0][10] - G_MPS2).abs() < 1e-9 && acc_back[1][10].abs() < 1e-9);
        // found frame = inverse of the applied mounting
        assert!((a.sensor_to_body * q - Matrix3::identity()).norm() < 1e-6);
        assert!(
            (a.mounting_offset_deg - 47.3).abs() < 0.5,
            "{}",
            a.mounting_offset_deg
        );
    }

    #[test]
    fn declared_axes_fix_the_ml_sign_and_still_data_is_refused() {
        let (acc_b, gyr_b) = body_signals(1000);
        // foot convention: x forward, y left, z up; sensor ML is −y
        let declared: Matrix3<f64> = "FLU"
            .parse::<crate::recording::Axes>()
            .unwrap()
            .sensor_to_body();
        let q = declared.transpose();
        let a = align_leg(&rotate(&q, &acc_b), &rotate(&q, &gyr_b), &declared, "test").unwrap();
        let ml = a.gyr_ml_dps(&rotate(&q, &gyr_b));
        assert!((ml[80] - gyr_b[1][80]).abs() < 1e-6 && gyr_b[1][80] > 100.0);
        let still_gyr: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; 1000]);
        let err = align_leg(&acc_b, &still_gyr, &Matrix3::identity(), "left-foot")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("left-foot") && err.contains("sagittal"),
            "{err}"
        );
    }
}
