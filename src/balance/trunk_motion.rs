//! Lower-back motion in the level frame: the first stage of every balance analysis.
//!
//! Body-frame samples (V, ML, AP) → AHRS orientation ([`crate::signal::ahrs`]) → level-frame
//! linear acceleration (gravity removed), bias-free angular velocity, and the pelvis angles the
//! later stages read: frontal tilt (right side up), sagittal forward lean and heading.
//!
//! The pelvis angles are those of the pelvis's own axes, not the sensor's: a sensor on the
//! midline of the back has its forward axis (the normal of the back) in the sagittal plane
//! however it is pitched by the lumbar curve or rolled in the plane of the back, so in the
//! quiet calibration window the pelvis's forward (AP) axis is the level projection of the
//! sensor's forward axis and its ML axis is level and perpendicular to it. Read on the sensor's
//! own ML axis instead, a sensor rolled by 30° would see 13 % less pelvic drop and part of the
//! forward lean as frontal tilt. The angles follow the rotation–obliquity–tilt sequence of
//! Baker (2001, Gait Posture 13:1–6): frontal tilt is the elevation of the pelvis's ML axis,
//! whatever the forward lean and the heading.

use nalgebra::Vector3;

use crate::signal::ahrs::{estimate_orientation, Calibration, MahonyGains};

/// Level-frame motion of the lower-back sensor, one value per sample.
#[derive(Debug, Clone)]
pub struct TrunkMotion {
    pub fs_hz: f64,
    /// Linear acceleration, gravity removed, level frame (V, ML, AP), m/s².
    pub lin_acc_mps2: [Vec<f64>; 3],
    /// Angular velocity with the gyroscope bias removed, sensor axes (V, ML, AP), deg/s.
    pub gyr_dps: [Vec<f64>; 3],
    /// Frontal-plane tilt of the pelvis (elevation of its ML axis), deg, positive when the
    /// right side is higher.
    pub right_side_up_deg: Vec<f64>,
    /// Sagittal tilt of the pelvis (depression of its AP axis), deg, positive when leaning
    /// forward.
    pub forward_lean_deg: Vec<f64>,
    /// Heading change of the pelvis's AP axis, deg, positive when turning left.
    pub yaw_deg: Vec<f64>,
    pub calibration: Calibration,
}

impl TrunkMotion {
    /// Runs the orientation filter over body-frame samples. `None` if fewer than 2 samples
    /// or channels of unequal length.
    pub fn from_body_frame(
        acc_mps2: &[Vec<f64>; 3],
        gyr_dps: &[Vec<f64>; 3],
        fs_hz: f64,
    ) -> Option<TrunkMotion> {
        let o = estimate_orientation(acc_mps2, gyr_dps, fs_hz, MahonyGains::default())?;
        let b = o.calibration.gyro_bias_dps;
        let (ml, ap) = pelvis_axes(acc_mps2, &o.calibration, fs_hz);
        Some(TrunkMotion {
            fs_hz,
            lin_acc_mps2: o.linear_acc_mps2(acc_mps2),
            gyr_dps: std::array::from_fn(|k| gyr_dps[k].iter().map(|g| g - b[k]).collect()),
            right_side_up_deg: o.elevation_of_deg(ml),
            forward_lean_deg: o.elevation_of_deg(ap).iter().map(|e| -e).collect(),
            yaw_deg: o.heading_of_deg(ap),
            calibration: o.calibration,
        })
    }

    pub fn len(&self) -> usize {
        self.right_side_up_deg.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sample index of time `t_s` (clamped into the recording).
    pub fn index(&self, t_s: f64) -> usize {
        ((t_s * self.fs_hz).round().max(0.0) as usize).min(self.len().saturating_sub(1))
    }

    /// Angular-velocity magnitude, deg/s.
    pub fn gyr_norm_dps(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                (self.gyr_dps[0][i].powi(2)
                    + self.gyr_dps[1][i].powi(2)
                    + self.gyr_dps[2][i].powi(2))
                .sqrt()
            })
            .collect()
    }
}

/// The pelvis's ML and AP axes in sensor coordinates (module docs): AP is the sensor's forward
/// axis with its component along gravity (mean acceleration of the calibration window) removed,
/// ML = AP × up. A sensor whose forward axis points (nearly) along gravity falls back on its
/// own ML axis made level. Unit vectors.
fn pelvis_axes(
    acc_mps2: &[Vec<f64>; 3],
    calibration: &Calibration,
    fs_hz: f64,
) -> (Vector3<f64>, Vector3<f64>) {
    let n = acc_mps2[0].len();
    let a = ((calibration.start_s * fs_hz).round() as usize).min(n.saturating_sub(1));
    let z = ((calibration.end_s * fs_hz).round() as usize).clamp(a + 1, n.max(a + 1));
    let mean = |c: &Vec<f64>| c[a..z.min(c.len())].iter().sum::<f64>() / (z - a) as f64;
    let up = Vector3::new(mean(&acc_mps2[0]), mean(&acc_mps2[1]), mean(&acc_mps2[2]));
    let (Some(up), sensor_ml, sensor_ap) = (up.try_normalize(1e-9), Vector3::y(), Vector3::z())
    else {
        return (Vector3::y(), Vector3::z());
    };
    let level = |v: Vector3<f64>| (v - up * up.dot(&v)).try_normalize(0.3);
    if let Some(ap) = level(sensor_ap) {
        (ap.cross(&up), ap)
    } else if let Some(ml) = level(sensor_ml) {
        (ml, up.cross(&ml))
    } else {
        (sensor_ml, sensor_ap)
    }
}

/// Centred moving RMS over `window` samples (shorter at the edges).
pub fn moving_rms(x: &[f64], window: usize) -> Vec<f64> {
    let half = window.max(1) / 2;
    let mut prefix = Vec::with_capacity(x.len() + 1);
    prefix.push(0.0);
    for v in x {
        prefix.push(prefix.last().unwrap() + v * v);
    }
    (0..x.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(x.len());
            ((prefix[hi] - prefix[lo]) / (hi - lo) as f64)
                .max(0.0)
                .sqrt()
        })
        .collect()
}

/// Running trapezoidal integral starting at 0, units of `x` times seconds.
pub fn cumulative_integral(x: &[f64], fs_hz: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        if i > 0 {
            s += 0.5 * (x[i - 1] + v) / fs_hz;
        }
        out.push(s);
    }
    out
}

/// Centred moving median over `window_s`, evaluated every 0.1 s and linearly interpolated.
/// Used to remove integration drift: a movement's velocity pulse (< 2 s) is a minority of an
/// 8-s window, so the median follows only the slow drift, without the tails a linear high-pass
/// puts around a step.
pub fn moving_median(x: &[f64], fs: f64, window_s: f64) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let half = (0.5 * window_s * fs) as usize;
    let step = ((0.1 * fs) as usize).max(1);
    let knots: Vec<usize> = (0..n).step_by(step).chain(std::iter::once(n - 1)).collect();
    let values: Vec<f64> = knots
        .iter()
        .map(|&i| {
            crate::signal::stats::median(&x[i.saturating_sub(half)..(i + half + 1).min(n)])
                .unwrap_or(0.0)
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for w in 0..knots.len() - 1 {
        let (i0, i1) = (knots[w], knots[w + 1]);
        for i in i0..i1 {
            let f = (i - i0) as f64 / (i1 - i0) as f64;
            out.push(values[w] + f * (values[w + 1] - values[w]));
        }
    }
    out.push(*values.last().unwrap_or(&0.0));
    out.truncate(n);
    out
}

/// Median and median absolute deviation (scaled by 1.4826 to estimate an SD).
pub fn median_mad(x: &[f64]) -> Option<(f64, f64)> {
    let med = crate::signal::stats::median(x)?;
    let dev: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
    Some((med, 1.4826 * crate::signal::stats::median(&dev)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_rms_and_integral_known_values() {
        let x = [3.0, -3.0, 3.0, -3.0, 0.0, 0.0, 0.0];
        let r = moving_rms(&x, 3);
        assert!((r[1] - 3.0).abs() < 1e-12);
        assert!((r[4] - (9.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(r[6], 0.0);
        let ramp = cumulative_integral(&[1.0; 101], 100.0);
        assert!((ramp[100] - 1.0).abs() < 1e-12);
        // a linear ramp is its own moving median; a short pulse on it shifts the median by at
        // most the ramp's rise over the pulse length (50 samples × 0.01 = 0.5), not by its 5.0
        let ramp: Vec<f64> = (0..1000).map(|i| 0.01 * i as f64).collect();
        let mut pulsed = ramp.clone();
        for v in &mut pulsed[500..550] {
            *v += 5.0;
        }
        let med = moving_median(&pulsed, 100.0, 8.0);
        assert_eq!(med.len(), 1000);
        for i in 400..600 {
            assert!(
                (med[i] - ramp[i]).abs() <= 0.5 + 1e-9,
                "{i}: {} vs {}",
                med[i],
                ramp[i]
            );
        }
        assert!(moving_median(&[], 100.0, 8.0).is_empty());
        let (m, s) = median_mad(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-12);
    }
}
