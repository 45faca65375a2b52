//! Orientation of a 6-DoF IMU (accelerometer + gyroscope) by the Mahony explicit
//! complementary filter on SO(3) (Mahony, Hamel & Pflimlin 2008, IEEE TAC 53:1203–1218),
//! after a static calibration and with the gyroscope bias estimated from still periods.
//!
//! Frames: input samples are in the body frame V/ML/AP = (up, right, forward) as set by the
//! sensor's declared axes; the output quaternion `q` maps a vector from that (moving) sensor
//! frame into the earth-level frame with the same axis names, `v_level = q * v_sensor`, whose
//! first axis is exactly vertical and whose heading is the one held during calibration.
//! Without a magnetometer heading drifts slowly; tilt (pitch/roll) does not.
//!
//! Gravity: a resting accelerometer measures +g along the vertical (specific force), so the
//! level-frame linear acceleration is `q * a − (g, 0, 0)`.

use nalgebra::{UnitQuaternion, Vector3};

/// Standard gravity, m/s².
pub const G_MPS2: f64 = 9.80665;

/// Tuning of the Mahony filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MahonyGains {
    /// Proportional gain on the accelerometer tilt error, rad/s per unit error. Small values
    /// trust the gyroscope over the sway band: 0.03 rad/s puts the crossover near 0.005 Hz, so
    /// at 0.5 Hz sway only ~1 % of the linear acceleration leaks into the tilt estimate, and a
    /// 1-s burst of 1 m/s² (a weight transfer) leaves < 0.02° of tilt error. A residual gyro
    /// bias then shows as a tilt error that changes over tens of seconds, which the stages
    /// remove as a local trend.
    pub kp: f64,
    /// Integral gain (online gyroscope-bias correction), rad/s² per unit error.
    pub ki: f64,
    /// Accelerometer samples whose norm differs from g by more than this fraction are not
    /// used for correction (impacts, fast movements).
    pub acc_reject_fraction: f64,
}

impl Default for MahonyGains {
    fn default() -> Self {
        MahonyGains {
            kp: 0.03,
            ki: 0.0003,
            acc_reject_fraction: 0.1,
        }
    }
}

/// Result of the static calibration.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Calibration {
    /// Start and end of the quiet window used, s from the first sample.
    pub start_s: f64,
    pub end_s: f64,
    /// Gyroscope bias subtracted from every sample, deg/s, body axes (V, ML, AP).
    pub gyro_bias_dps: [f64; 3],
    /// Tilt of the sensor's vertical axis away from true vertical in the quiet window, deg.
    pub tilt_deg: f64,
    /// Measured gravity magnitude in the quiet window, m/s² (≈ 9.81 for a healthy sensor).
    pub gravity_mps2: f64,
    /// True if a window meeting the stillness criteria was found; otherwise the first
    /// seconds were used as they are.
    pub quiet_found: bool,
}

/// Orientation per sample plus the calibration that started it.
#[derive(Debug, Clone)]
pub struct Orientation {
    pub fs_hz: f64,
    /// Sensor → level rotation per sample.
    pub q: Vec<UnitQuaternion<f64>>,
    pub calibration: Calibration,
}

impl Orientation {
    /// Level-frame linear acceleration (gravity removed), m/s², axes (V, ML, AP).
    pub fn linear_acc_mps2(&self, acc_mps2: &[Vec<f64>; 3]) -> [Vec<f64>; 3] {
        let g = self.calibration.gravity_mps2;
        let mut out: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(self.q.len()));
        for (i, q) in self.q.iter().enumerate() {
            let a = q * Vector3::new(acc_mps2[0][i], acc_mps2[1][i], acc_mps2[2][i]);
            out[0].push(a[0] - g);
            out[1].push(a[1]);
            out[2].push(a[2]);
        }
        out
    }

    /// Frontal-plane tilt, deg: elevation of the sensor's right (ML) axis above the horizontal.
    /// Positive when the right side is higher than the left.
    pub fn right_side_up_deg(&self) -> Vec<f64> {
        self.elevation_of_deg(Vector3::y())
    }

    /// Sagittal tilt, deg: positive when the sensor's forward (AP) axis points below the
    /// horizontal, i.e. the segment leans forward.
    pub fn forward_lean_deg(&self) -> Vec<f64> {
        self.elevation_of_deg(Vector3::z())
            .iter()
            .map(|e| -e)
            .collect()
    }

    /// Heading change about the vertical, deg, unwrapped; positive = turning to the left
    /// (right-hand rule about +V).
    pub fn yaw_deg(&self) -> Vec<f64> {
        self.heading_of_deg(Vector3::z())
    }

    /// Elevation above the level plane of `axis` (sensor coordinates, V/ML/AP), deg, per sample.
    pub fn elevation_of_deg(&self, axis: Vector3<f64>) -> Vec<f64> {
        self.q.iter().map(|q| elevation_deg(q * axis)).collect()
    }

    /// Heading of `axis` (sensor coordinates, a forward-pointing axis) in the level plane, deg,
    /// unwrapped; positive = turned to the left (right-hand rule about +V).
    pub fn heading_of_deg(&self, axis: Vector3<f64>) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.q.len());
        let mut prev = 0.0;
        let mut offset = 0.0;
        for q in &self.q {
            let f = q * axis;
            // heading of the forward axis in the level plane: angle from +AP towards −ML
            let h = (-f[1]).atan2(f[2]).to_degrees();
            let mut d = h + offset - prev;
            if d > 180.0 {
                offset -= 360.0;
                d -= 360.0;
            } else if d < -180.0 {
                offset += 360.0;
                d += 360.0;
            }
            prev += d;
            out.push(prev);
        }
        out
    }
}

fn elevation_deg(v: Vector3<f64>) -> f64 {
    (v[0] / v.norm()).clamp(-1.0, 1.0).asin().to_degrees()
}

/// Finds the first quiet window of `window_s` seconds (searching the first `search_s`):
/// every axis of the gyroscope varies with SD < `gyro_sd_dps` around a mean below 5 deg/s and
/// the acceleration norm stays
/// within 3 % of its mean. Returns the sample range.
pub fn find_quiet_window(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    window_s: f64,
    search_s: f64,
    gyro_sd_dps: f64,
) -> Option<std::ops::Range<usize>> {
    let n = acc_mps2[0].len();
    let w = ((window_s * fs_hz).round() as usize).max(2);
    let last_start = ((search_s * fs_hz) as usize).min(n.saturating_sub(w));
    let step = ((0.1 * fs_hz) as usize).max(1);
    let mut start = 0;
    while start + w <= n && start <= last_start {
        if is_still(acc_mps2, gyr_dps, start..start + w, gyro_sd_dps) {
            return Some(start..start + w);
        }
        start += step;
    }
    None
}

/// Largest plausible gyroscope bias of a MEMS IMU, deg/s; a steadier but faster reading is
/// a slow turn, not stillness.
const MAX_BIAS_DPS: f64 = 5.0;

fn is_still(
    acc: &[Vec<f64>; 3],
    gyr: &[Vec<f64>; 3],
    r: std::ops::Range<usize>,
    gyro_sd_dps: f64,
) -> bool {
    let len = r.len() as f64;
    let sd_ok = gyr.iter().all(|g| {
        sd(&g[r.clone()]) < gyro_sd_dps
            && (g[r.clone()].iter().sum::<f64>() / len).abs() < MAX_BIAS_DPS
    });
    let norms: Vec<f64> = r
        .clone()
        .map(|i| (acc[0][i].powi(2) + acc[1][i].powi(2) + acc[2][i].powi(2)).sqrt())
        .collect();
    let m = norms.iter().sum::<f64>() / norms.len() as f64;
    sd_ok && m > 1.0 && norms.iter().all(|v| (v / m - 1.0).abs() < 0.03)
}

fn sd(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Gyroscope bias, deg/s: the mean angular velocity over the still 1-s windows of the
/// recording (gyro SD per axis < `gyro_sd_dps` and mean below 5 deg/s, acceleration norm
/// steady), after discarding windows whose mean lies more than max(3·MAD, 0.5 deg/s) from
/// the median window (slow deliberate rotations). Over a run of adjacent quiet windows the sway
/// rates telescope to (θ_end − θ_start)/T, so the mean of many windows is far more accurate
/// than any single one. `None` if no still window.
pub fn estimate_gyro_bias(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    gyro_sd_dps: f64,
) -> Option<[f64; 3]> {
    let n = acc_mps2[0].len();
    let w = (fs_hz.round() as usize).max(2);
    let mut means: Vec<[f64; 3]> = Vec::new();
    let mut start = 0;
    while start + w <= n {
        if is_still(acc_mps2, gyr_dps, start..start + w, gyro_sd_dps) {
            means.push(std::array::from_fn(|k| {
                gyr_dps[k][start..start + w].iter().sum::<f64>() / w as f64
            }));
        }
        start += w;
    }
    if means.is_empty() {
        return None;
    }
    use crate::signal::stats::median;
    let centre: [f64; 3] = std::array::from_fn(|k| {
        median(&means.iter().map(|m| m[k]).collect::<Vec<_>>()).unwrap_or(0.0)
    });
    let spread: [f64; 3] = std::array::from_fn(|k| {
        let mad = median(
            &means
                .iter()
                .map(|m| (m[k] - centre[k]).abs())
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0);
        (3.0 * 1.4826 * mad).max(0.5)
    });
    let kept: Vec<&[f64; 3]> = means
        .iter()
        .filter(|m| (0..3).all(|k| (m[k] - centre[k]).abs() <= spread[k]))
        .collect();
    Some(std::array::from_fn(|k| {
        kept.iter().map(|m| m[k]).sum::<f64>() / kept.len() as f64
    }))
}

/// Gyroscope bias about the two horizontal axes (ML, AP), deg/s, from the whole recording:
/// the tilt change between the quiet calibration window and a still last second, measured by
/// gravity, must equal the integrated angular velocity; the difference spread over the
/// duration is the bias. Exact whatever the movements in between, as long as the two ends
/// differ little (small-angle composition of rotations). `None` if either end is not quiet or
/// the ends differ by more than 5° of tilt or 10° of heading.
fn tilt_bias_from_end_points(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    start: std::ops::Range<usize>,
    gyro_sd_dps: f64,
    yaw_bias_dps: f64,
) -> Option<[f64; 2]> {
    let n = acc_mps2[0].len();
    let w = (fs_hz.round() as usize).max(2);
    if n < start.end + 2 * w {
        return None;
    }
    let end = n - w..n;
    // both ends must be quiet (acceleration SD per axis < 0.25 m/s²: standing sway, including
    // its gravity projection, stays near 0.15) so no net linear acceleration biases gravity
    let quiet = |r: &std::ops::Range<usize>| {
        is_still(acc_mps2, gyr_dps, r.clone(), gyro_sd_dps)
            && acc_mps2.iter().all(|c| sd(&c[r.clone()]) < 0.25)
    };
    if !quiet(&start) || !quiet(&end) {
        return None;
    }
    let mean_vec = |r: std::ops::Range<usize>| {
        let len = r.len() as f64;
        Vector3::from_fn(|k, _| acc_mps2[k][r.clone()].iter().sum::<f64>() / len)
    };
    let (g0, g1) = (mean_vec(start.clone()), mean_vec(end.clone()));
    // sensor rotation R between the windows (q_end = q_start·R) maps gravity g1 → g0
    let rotation = UnitQuaternion::rotation_between(&g1, &g0)
        .map_or(Vector3::zeros(), |r| r.scaled_axis().map(f64::to_degrees));
    if !rotation.iter().all(|v| v.is_finite()) {
        return None;
    }
    // integrate from the middle of the start window to the middle of the end window
    let (a, b) = ((start.start + start.end) / 2, (end.start + end.end) / 2);
    let duration_s = (b - a) as f64 / fs_hz;
    let integral = |k: usize| gyr_dps[k][a..b].iter().sum::<f64>() / fs_hz;
    // rotations compose as vectors only while they are small: the ends must differ by < 5° of
    // tilt and < 10° of heading (yaw rate integrated with the still-window bias)
    let yaw_deg = integral(0) - yaw_bias_dps * duration_s;
    if rotation.norm() > 5.0 || yaw_deg.abs() > 10.0 {
        return None;
    }
    Some([
        (integral(1) - rotation[1]) / duration_s,
        (integral(2) - rotation[2]) / duration_s,
    ])
}

/// Static calibration plus Mahony filtering over a whole recording (body-frame samples).
///
/// Calibration: the first quiet window of 2 s within the first 10 s (gyro SD < 1.5 deg/s)
/// gives the gravity direction (initial tilt) and magnitude; the gyroscope bias comes from
/// all still periods of the recording ([`estimate_gyro_bias`] with gyro SD < 5 deg/s, which
/// admits standing sway), falling back to the quiet window's mean; about the horizontal axes
/// it is refined from the gravity directions at both ends of the recording when the last
/// second is still. Returns `None` for fewer than 2 samples.
pub fn estimate_orientation(
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    gains: MahonyGains,
) -> Option<Orientation> {
    let n = acc_mps2[0].len();
    if n < 2 || gyr_dps.iter().chain(acc_mps2.iter()).any(|c| c.len() != n) {
        return None;
    }
    const GYRO_SD_DPS: f64 = 1.5;
    // standing sway alone reaches a gyro SD of 2–4 deg/s; bias windows may sway, since their
    // rates telescope, as long as nothing turns fast
    const BIAS_GYRO_SD_DPS: f64 = 5.0;
    let quiet = find_quiet_window(acc_mps2, gyr_dps, fs_hz, 2.0, 10.0, GYRO_SD_DPS);
    let quiet_found = quiet.is_some();
    let range = quiet.unwrap_or(0..((2.0 * fs_hz) as usize).clamp(1, n));
    let mean = |c: &Vec<f64>| c[range.clone()].iter().sum::<f64>() / range.len() as f64;
    let a_mean = Vector3::new(mean(&acc_mps2[0]), mean(&acc_mps2[1]), mean(&acc_mps2[2]));
    let mut bias = estimate_gyro_bias(acc_mps2, gyr_dps, fs_hz, BIAS_GYRO_SD_DPS).unwrap_or([
        mean(&gyr_dps[0]),
        mean(&gyr_dps[1]),
        mean(&gyr_dps[2]),
    ]);
    if let Some(tilt_bias) = tilt_bias_from_end_points(
        acc_mps2,
        gyr_dps,
        fs_hz,
        range.clone(),
        BIAS_GYRO_SD_DPS,
        bias[0],
    ) {
        bias[1] = tilt_bias[0];
        bias[2] = tilt_bias[1];
    }
    let gravity = a_mean.norm();
    let q0 = UnitQuaternion::rotation_between(&a_mean, &Vector3::x()).unwrap_or_else(|| {
        // upside down relative to the declared axes: rotate 180° about AP
        UnitQuaternion::from_axis_angle(&Vector3::z_axis(), std::f64::consts::PI)
    });
    let calibration = Calibration {
        start_s: range.start as f64 / fs_hz,
        end_s: range.end as f64 / fs_hz,
        gyro_bias_dps: bias,
        tilt_deg: a_mean.angle(&Vector3::x()).to_degrees(),
        gravity_mps2: gravity,
        quiet_found,
    };
    let dt = 1.0 / fs_hz;
    let mut q = q0;
    let mut integral = Vector3::zeros();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(q);
        let w = Vector3::new(
            gyr_dps[0][i] - bias[0],
            gyr_dps[1][i] - bias[1],
            gyr_dps[2][i] - bias[2],
        )
        .map(f64::to_radians);
        let a = Vector3::new(acc_mps2[0][i], acc_mps2[1][i], acc_mps2[2][i]);
        let an = a.norm();
        let mut correction = Vector3::zeros();
        if an > 0.0 && ((an - gravity) / gravity).abs() <= gains.acc_reject_fraction {
            // predicted "up" in sensor axes vs measured: a × v turns the prediction towards
            // the measurement
            let v = q.inverse() * Vector3::x();
            let e = (a / an).cross(&v);
            integral += e * dt;
            correction = e * gains.kp + integral * gains.ki;
        }
        q *= UnitQuaternion::from_scaled_axis((w + correction) * dt);
    }
    Some(Orientation {
        fs_hz,
        q: out,
        calibration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IMU readings (body axes) of a sensor whose orientation follows `q_of_t`, with no
    /// linear acceleration: specific force = gravity seen in sensor axes; gyro = body rate.
    fn imu_from_orientation(
        q_of_t: impl Fn(f64) -> UnitQuaternion<f64>,
        fs: f64,
        n: usize,
        bias_dps: [f64; 3],
    ) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        let dt = 1.0 / fs;
        for i in 0..n {
            let t = i as f64 * dt;
            let q = q_of_t(t);
            let f = q.inverse() * Vector3::new(G_MPS2, 0.0, 0.0);
            // body angular velocity over [t, t+dt]: log(q(t)⁻¹ q(t+dt)) / dt
            let w = (q.inverse() * q_of_t(t + dt)).scaled_axis() / dt;
            for k in 0..3 {
                acc[k].push(f[k]);
                gyr[k].push(w[k].to_degrees() + bias_dps[k]);
            }
        }
        (acc, gyr)
    }

    #[test]
    fn rotation_about_ap_by_known_angle_is_tracked() {
        // still 3 s, then right side up by 30° over 2 s; R_z(θ) about +AP takes ML (0, 1, 0)
        // to (−sinθ, cosθ, 0), i.e. right side down, so right side up is −θ
        let fs = 100.0;
        let target = 30f64.to_radians();
        let q_of_t = |t: f64| {
            let s = ((t - 3.0) / 2.0).clamp(0.0, 1.0);
            let ang = target * (3.0 * s * s - 2.0 * s * s * s);
            UnitQuaternion::from_axis_angle(&Vector3::z_axis(), -ang)
        };
        let (acc, gyr) = imu_from_orientation(q_of_t, fs, 1000, [0.0; 3]);
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        let roll = o.right_side_up_deg();
        assert!(roll[200].abs() < 1e-6, "still start {}", roll[200]);
        assert!(
            (roll[999] - 30.0).abs() < 0.05,
            "after rotation {}",
            roll[999]
        );
        let lean = o.forward_lean_deg();
        assert!(lean[999].abs() < 0.05);
    }

    #[test]
    fn forward_lean_and_yaw_signs_follow_the_body_frame() {
        // turn 45° about +V, then lean forward 20° about the turned ML axis; R_y(θ) takes AP
        // (0, 0, 1) to (sinθ, 0, cosθ), i.e. forward axis up (backward lean), so lean is −20°
        let fs = 100.0;
        let q_of_t = |t: f64| {
            let s = ((t - 3.0) / 1.0).clamp(0.0, 1.0);
            UnitQuaternion::from_axis_angle(&Vector3::x_axis(), 45f64.to_radians() * s)
                * UnitQuaternion::from_axis_angle(&Vector3::y_axis(), -20f64.to_radians() * s)
        };
        let (acc, gyr) = imu_from_orientation(q_of_t, fs, 600, [0.0; 3]);
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        assert!(
            (o.forward_lean_deg()[599] - 20.0).abs() < 0.1,
            "{}",
            o.forward_lean_deg()[599]
        );
        // +45° about +V turns the forward axis towards −ML (to the left)
        assert!(
            (o.yaw_deg()[599] - 45.0).abs() < 0.1,
            "{}",
            o.yaw_deg()[599]
        );
    }

    #[test]
    fn gyro_bias_from_still_periods_is_removed() {
        // 20 s still, 3-s 60° rotation about V in the middle; bias 0.8 deg/s on every axis
        let fs = 100.0;
        let q_of_t = |t: f64| {
            let s = ((t - 8.0) / 3.0).clamp(0.0, 1.0);
            UnitQuaternion::from_axis_angle(&Vector3::x_axis(), 60f64.to_radians() * s)
        };
        let bias = [0.8, -0.5, 0.3];
        let (acc, gyr) = imu_from_orientation(q_of_t, fs, 2000, bias);
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        for (k, (b, truth)) in o.calibration.gyro_bias_dps.iter().zip(bias).enumerate() {
            assert!((b - truth).abs() < 1e-6, "axis {k}: {b}");
        }
        assert!(
            (o.yaw_deg()[1999] - 60.0).abs() < 0.05,
            "{}",
            o.yaw_deg()[1999]
        );
        assert!(o.calibration.quiet_found);
    }

    #[test]
    fn static_tilt_is_calibrated_away() {
        // gyro says nothing happens, but the sensor is tilted 10° from the start;
        // calibration sets the initial tilt from gravity so level-frame gravity is vertical
        let fs = 100.0;
        let tilt = UnitQuaternion::from_axis_angle(&Vector3::z_axis(), 10f64.to_radians());
        let (acc, gyr) = imu_from_orientation(|_| tilt, fs, 500, [0.0; 3]);
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        assert!((o.calibration.tilt_deg - 10.0).abs() < 1e-9);
        let lin = o.linear_acc_mps2(&acc);
        let worst = lin.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        // rounding in the end-point bias (~2e-7 deg/s) integrates to ~2e-7 m/s² over 5 s
        assert!(worst < 1e-6, "{worst}");
        assert!(
            o.calibration.gyro_bias_dps.iter().all(|b| b.abs() < 1e-6),
            "{:?}",
            o.calibration.gyro_bias_dps
        );
    }

    #[test]
    fn tilt_bias_comes_from_gravity_at_both_ends() {
        // 30 s, tilts 8° about AP and back in the middle; bias 0.3 deg/s about AP, no still
        // window in the middle would tell (sway-free but rotating): the end points do
        let fs = 100.0;
        let q_of_t = |t: f64| {
            let s = (((t - 10.0) / 5.0).clamp(0.0, 1.0) * std::f64::consts::PI).sin();
            UnitQuaternion::from_axis_angle(&Vector3::z_axis(), 8f64.to_radians() * s)
        };
        let bias = [0.0, 0.0, 0.3];
        let (acc, gyr) = imu_from_orientation(q_of_t, fs, 3000, bias);
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        assert!(
            (o.calibration.gyro_bias_dps[2] - 0.3).abs() < 1e-3,
            "{:?}",
            o.calibration.gyro_bias_dps
        );
        let roll = o.right_side_up_deg();
        assert!(roll[2999].abs() < 0.01, "{}", roll[2999]);
    }

    #[test]
    fn linear_acceleration_is_recovered_in_the_level_frame() {
        // sensor tilted 15° forward and held; it is moved along AP with a known 0.5 Hz
        // acceleration of amplitude 1 m/s²
        let fs = 100.0;
        let tilt = UnitQuaternion::from_axis_angle(&Vector3::y_axis(), -15f64.to_radians());
        let n = 3000;
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        let true_ap: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                if t < 3.0 {
                    0.0
                } else {
                    (2.0 * std::f64::consts::PI * 0.5 * (t - 3.0)).sin()
                }
            })
            .collect();
        for &ap in &true_ap {
            let f = tilt.inverse() * Vector3::new(G_MPS2, 0.0, ap);
            for k in 0..3 {
                acc[k].push(f[k]);
                gyr[k].push(0.0);
            }
        }
        let o = estimate_orientation(&acc, &gyr, fs, MahonyGains::default()).unwrap();
        let lin = o.linear_acc_mps2(&acc);
        let err = lin[2]
            .iter()
            .zip(&true_ap)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // the accelerometer correction leaks the motion into the tilt estimate only through
        // kp: the tilt error grows at kp·a/g rad/s, so the error is bounded by
        // 2·kp·A/ω = 2 · 0.03 · 1 / π = 0.019 m/s² (factor 2: the sine starts at zero, so its
        // running integral has a non-zero mean)
        assert!(err < 0.021, "max AP error {err} m/s²");
    }
}
