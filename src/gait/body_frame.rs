//! Stage 1: sensor axes → body frame V/ML/AP = (up, right, forward).
//!
//! The declared `axes` letters give the nominal rotation; gravity then refines it, because
//! a trunk sensor is rarely mounted exactly as declared (pitch/roll of 30° or more is common).
//! The gravity direction is the zero-phase 0.25 Hz low-pass of the acceleration vector,
//! so it follows slow posture changes but not gait accelerations (≥ 0.7 Hz); it is computed
//! on 0.1-s block means, and the frame is updated once per block. At each sample
//! the vertical axis is that direction, AP is the declared forward axis projected onto the
//! horizontal plane, and ML = AP × V completes the right-handed frame. This is the exact
//! (rotation) form of the Moe-Nilssen (1998) tilt correction.

use nalgebra::Vector3;

use crate::error::{Error, Location, Result};
use crate::recording::{Axes, UniformImu};
use crate::signal::filter::Butterworth;

/// Standard gravity, m/s².
pub const G_MPS2: f64 = 9.80665;

/// Trunk signals in the gravity-aligned body frame.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyFrameSignals {
    pub fs_hz: f64,
    /// Vertical acceleration with gravity removed, m/s², + up.
    pub acc_v_mps2: Vec<f64>,
    /// Medio-lateral acceleration, m/s², + to the wearer's right.
    pub acc_ml_mps2: Vec<f64>,
    /// Antero-posterior acceleration, m/s², + forward.
    pub acc_ap_mps2: Vec<f64>,
    /// Angular velocity about the vertical axis (yaw), deg/s, + counter-clockwise seen from above (turning left).
    pub gyr_v_dps: Vec<f64>,
    /// About the ML axis (pitch), deg/s, right-hand rule about + right.
    pub gyr_ml_dps: Vec<f64>,
    /// About the AP axis (roll), deg/s, right-hand rule about + forward.
    pub gyr_ap_dps: Vec<f64>,
}

impl BodyFrameSignals {
    /// `n` samples of zeros at `fs_hz`, to be filled in.
    fn zeros(fs_hz: f64, n: usize) -> Self {
        BodyFrameSignals {
            fs_hz,
            acc_v_mps2: vec![0.0; n],
            acc_ml_mps2: vec![0.0; n],
            acc_ap_mps2: vec![0.0; n],
            gyr_v_dps: vec![0.0; n],
            gyr_ml_dps: vec![0.0; n],
            gyr_ap_dps: vec![0.0; n],
        }
    }

    pub fn len(&self) -> usize {
        self.acc_v_mps2.len()
    }

    pub fn is_empty(&self) -> bool {
        self.acc_v_mps2.is_empty()
    }
}

/// How the sensor sat relative to its declared axes.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Alignment {
    /// Median angle between the declared up axis and measured gravity, degrees.
    pub tilt_from_declared_deg: f64,
    /// Median gravity magnitude, m/s² (≈ 9.81 for a calibrated sensor).
    pub gravity_mps2: f64,
}

/// Largest accepted angle between declared and measured up before the axes are called wrong.
pub const MAX_TILT_DEG: f64 = 70.0;

/// Rotates a sensor's signals into the gravity-aligned body frame.
///
/// `source` names the CSV in errors (e.g. when the measured "up" contradicts the declared
/// axes letters, which usually means a wrong `axes` entry or an upside-down sensor).
pub fn to_body_frame(
    imu: &UniformImu,
    axes: Axes,
    source: &std::path::Path,
) -> Result<(BodyFrameSignals, Alignment)> {
    to_body_frame_with(imu, axes, source, None)
}

/// Samples projected on their block's axes (`frames`: vertical, ML, AP in sensor coordinates,
/// one per `d` samples) into `out`'s six signals; in parts on all cores for a long recording
/// (each sample is its own product: the same values either way).
fn project_blocks(
    imu: &UniformImu,
    frames: &[[Vector3<f64>; 3]],
    d: usize,
    out: &mut BodyFrameSignals,
    parallel: bool,
) {
    let n = imu.len();
    let [ax, ay, az] = &imu.acc_mps2;
    let [gx, gy, gz] = &imu.gyr_dps;
    // blocks k0.. into the six outputs, which start at sample k0 · d
    let part = |k0: usize, o: [&mut [f64]; 6]| {
        let [av, aml, aap, gv, gml, gap] = o;
        for (j, [u, m, f]) in frames[k0..].iter().enumerate() {
            let start = (k0 + j) * d;
            if start >= n || start - k0 * d >= av.len() {
                break;
            }
            for i in start..((k0 + j + 1) * d).min(n).min(k0 * d + av.len()) {
                let (a0, a1, a2) = (ax[i], ay[i], az[i]);
                let (w0, w1, w2) = (gx[i], gy[i], gz[i]);
                let o = i - k0 * d;
                av[o] = a0 * u[0] + a1 * u[1] + a2 * u[2];
                aml[o] = a0 * m[0] + a1 * m[1] + a2 * m[2];
                aap[o] = a0 * f[0] + a1 * f[1] + a2 * f[2];
                gv[o] = w0 * u[0] + w1 * u[1] + w2 * u[2];
                gml[o] = w0 * m[0] + w1 * m[1] + w2 * m[2];
                gap[o] = w0 * f[0] + w1 * f[1] + w2 * f[2];
            }
        }
    };
    let mut rest: [&mut [f64]; 6] = [
        &mut out.acc_v_mps2[..],
        &mut out.acc_ml_mps2[..],
        &mut out.acc_ap_mps2[..],
        &mut out.gyr_v_dps[..],
        &mut out.gyr_ml_dps[..],
        &mut out.gyr_ap_dps[..],
    ];
    if !parallel {
        part(0, rest);
        return;
    }
    // parts of whole blocks, about 16 per core
    let per_part = frames.len().div_ceil(32).max(1);
    let mut jobs = Vec::new();
    let mut k0 = 0;
    while k0 < frames.len() {
        let len = (per_part * d).min(rest[0].len());
        let head: [&mut [f64]; 6] = std::array::from_fn(|c| {
            let (h, t) = std::mem::take(&mut rest[c]).split_at_mut(len);
            rest[c] = t;
            h
        });
        jobs.push((k0, head));
        k0 += per_part;
    }
    use rayon::prelude::*;
    jobs.into_par_iter().for_each(|(k0, o)| part(k0, o));
}

/// [`to_body_frame`] of a piece of a recording when `recording` is given: the whole
/// recording's alignment (see [`gravity_and_tilt`]) is reported and its gravity subtracted
/// from the vertical acceleration instead of this stretch's medians, and the tilt is left
/// for the caller to check on the whole recording.
pub fn to_body_frame_with(
    imu: &UniformImu,
    axes: Axes,
    source: &std::path::Path,
    recording: Option<Alignment>,
) -> Result<(BodyFrameSignals, Alignment)> {
    let n = imu.len();
    let r0 = axes.sensor_to_body();
    let r0t = r0.transpose();
    // Gravity in sensor axes at ~10 Hz: block means, then the zero-phase 0.25 Hz low-pass.
    // The frame changes slowly, so it is computed once per 0.1-s block.
    let d = gravity_block(imu.fs_hz);
    let lp = gravity_lowpass(imu.fs_hz);
    let grav: Vec<Vec<f64>> = imu
        .acc_mps2
        .iter()
        .map(|c| lp.filtfilt(&block_means(c, d)))
        .collect();
    let blocks = grav[0].len();
    // cosine of the tilt per block; acos is monotonic, so the median tilt is acos of the median
    let mut tilt_cos = Vec::with_capacity(blocks);
    let mut norms = Vec::with_capacity(blocks);
    // each block's vertical, ML and AP axes in sensor coordinates
    let mut frames: Vec<[Vector3<f64>; 3]> = Vec::with_capacity(blocks);
    let forward = Vector3::new(0.0, 0.0, 1.0);
    let right = Vector3::new(0.0, 1.0, 0.0);
    let block_gravity = grav[0].iter().zip(&grav[1]).zip(&grav[2]);
    for ((&g0, &g1), &g2) in block_gravity.take(blocks) {
        let gv = r0 * Vector3::new(g0, g1, g2);
        let norm = gv.norm();
        let up = if norm > 1e-6 {
            gv / norm
        } else {
            Vector3::new(1.0, 0.0, 0.0)
        };
        tilt_cos.push(up[0].clamp(-1.0, 1.0));
        norms.push(norm);
        // declared forward projected on the horizontal plane; fall back to declared right if
        // forward is (nearly) vertical
        let mut ap = forward - up * up.dot(&forward);
        if ap.norm() < 0.2 {
            ap = up.cross(&(right - up * up.dot(&right)));
        }
        let ap = ap.normalize();
        let ml = ap.cross(&up);
        frames.push([r0t * up, r0t * ml, r0t * ap]);
    }
    let mut out = BodyFrameSignals::zeros(imu.fs_hz, n);
    project_blocks(
        imu,
        &frames,
        d,
        &mut out,
        n >= crate::signal::PARALLEL_MIN_SAMPLES,
    );
    let (tilt, gravity) = match recording {
        Some(a) => (a.tilt_from_declared_deg, a.gravity_mps2),
        None => {
            let tilt = select_median(&mut tilt_cos).map_or(0.0, |c| c.acos().to_degrees());
            if tilt > MAX_TILT_DEG {
                return Err(tilt_error(tilt, axes, imu_mean(imu), source));
            }
            (tilt, select_median(&mut norms).unwrap_or(G_MPS2))
        }
    };
    for v in out.acc_v_mps2.iter_mut() {
        *v -= gravity;
    }
    Ok((
        out,
        Alignment {
            tilt_from_declared_deg: tilt,
            gravity_mps2: gravity,
        },
    ))
}

/// Rotates the horizontal axes of `body` about the vertical by `heading_deg`: afterwards AP
/// points along `cos θ · AP + sin θ · ML` of before (θ = 180° turns a sensor worn back to
/// front round; θ = 90° takes the old right as forward). Vertical signals are unchanged and
/// the frame stays right-handed.
pub fn rotate_heading(body: &mut BodyFrameSignals, heading_deg: f64) {
    let (s, c) = heading_deg.to_radians().sin_cos();
    let turn = |ap: &mut [f64], ml: &mut [f64]| {
        for (a, m) in ap.iter_mut().zip(ml.iter_mut()) {
            let (a0, m0) = (*a, *m);
            *a = c * a0 + s * m0;
            *m = -s * a0 + c * m0;
        }
    };
    turn(&mut body.acc_ap_mps2, &mut body.acc_ml_mps2);
    turn(&mut body.gyr_ap_dps, &mut body.gyr_ml_dps);
}

/// One estimate of the wearer's forward direction in the declared horizontal frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadingCue {
    /// Forward direction, degrees from the declared AP axis towards the declared right,
    /// in (−180, 180].
    pub heading_deg: f64,
    /// How much of the coupled horizontal power lies along that axis rather than across it,
    /// 0 (none, isotropic) to 1 (all).
    pub axis_strength: f64,
    /// Share of the walking windows whose phase agrees with the chosen sense of the axis,
    /// 0.5 (a coin toss) to 1 (all).
    pub sign_agreement: f64,
    /// Walking windows used.
    pub windows: usize,
}

/// Evidence on the wearer's forward direction from walking, in the declared horizontal frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadingEvidence {
    /// From the accelerations: axis and sense (see [`heading_evidence`]).
    pub acc: HeadingCue,
    /// From the angular velocity: agreement of the yaw–roll coupling along `acc`'s axis
    /// with `acc`'s sense, −1 (all windows say the opposite sense) to +1 (all agree).
    pub gyr_sense: f64,
}

/// The wearer's forward direction from walking, from two independent signals:
///
/// - the axis and its sense from the accelerations: the horizontal acceleration coupled
///   with the vertical at the step frequency. Walking repeats every step in V and AP but
///   alternates every step in ML, so a symmetric gait has no ML power at the step
///   frequency: the coupled axis is AP. At heel strike the trunk brakes and is thrown up, so
///   in the step-frequency fundamental AP leads V by about a quarter cycle
///   ([`ACC_PHASE_REF_DEG`], measured on the Mobilise-D fixtures; the pattern of Zijlstra &
///   Hof 2003).
/// - a second opinion on the sense from the angular velocity: along that axis, the roll rate
///   runs against the yaw rate at the stride frequency ([`GYR_PHASE_REF_DEG`], the coupling
///   behind the laterality rule of McCamley et al. 2012 and Ullrich et al. 2021). A sensor
///   worn back to front reverses roll but not yaw.
///
/// `windows`: walking stretches as (sample range, step frequency Hz); each is cut into
/// Hann windows of four steps with a hop of two.
pub fn heading_evidence(
    body: &BodyFrameSignals,
    windows: &[(std::ops::Range<usize>, f64)],
) -> HeadingEvidence {
    let fs = body.fs_hz;
    // the cross-spectra of one walking stretch's windows
    let stretch = |(range, f_step): &(std::ops::Range<usize>, f64)| {
        let mut acc = Vec::new();
        let mut gyr = Vec::new();
        if !(f_step.is_finite() && *f_step > 0.0) {
            return (acc, gyr);
        }
        let len = ((4.0 / f_step) * fs).round() as usize;
        let hop = (len / 2).max(1);
        let mut a = range.start;
        if len < 8 || a.saturating_add(len) > range.end.min(body.len()) {
            return (acc, gyr);
        }
        // every window of a stretch has the same length and frequencies: one table of the
        // Hann weights and of each frequency's sines and cosines serves them all
        let step = DftTable::new(len, *f_step / fs);
        let stride = DftTable::new(len, 0.5 * f_step / fs);
        while len >= 8 && a + len <= range.end.min(body.len()) {
            let r = a..a + len;
            let v = step.dft(&body.acc_v_mps2[r.clone()]);
            let ap = step.dft(&body.acc_ap_mps2[r.clone()]);
            let ml = step.dft(&body.acc_ml_mps2[r.clone()]);
            acc.push([mul_conj(ap, v), mul_conj(ml, v)]);
            let yaw = stride.dft(&body.gyr_v_dps[r.clone()]);
            let roll = stride.dft(&body.gyr_ap_dps[r.clone()]);
            let pitch = stride.dft(&body.gyr_ml_dps[r.clone()]);
            gyr.push([mul_conj(roll, yaw), mul_conj(pitch, yaw)]);
            a += hop;
        }
        (acc, gyr)
    };
    // stretches are independent: on all cores for a long recording, joined in order
    let parts: Vec<StretchSpectra> = crate::signal::map_in_order(
        windows,
        body.len() >= crate::signal::PARALLEL_MIN_SAMPLES,
        stretch,
    );
    let mut acc = Vec::new();
    let mut gyr = Vec::new();
    for (a, g) in parts {
        acc.extend(a);
        gyr.extend(g);
    }
    let acc = coupled_axis(&acc, ACC_PHASE_REF_DEG);
    let (hs, hc) = acc.heading_deg.to_radians().sin_cos();
    let (rs, rc) = GYR_PHASE_REF_DEG.to_radians().sin_cos();
    let votes: Vec<f64> = gyr
        .iter()
        .map(|[s1, s2]| {
            let z = (hc * s1.0 + hs * s2.0, hc * s1.1 + hs * s2.1);
            z.0 * rc + z.1 * rs
        })
        .collect();
    let total: f64 = votes.iter().map(|v| v.abs()).sum();
    HeadingEvidence {
        acc,
        gyr_sense: if total > 0.0 {
            votes.iter().sum::<f64>() / total
        } else {
            0.0
        },
    }
}

/// Phase of the step-frequency AP acceleration relative to the vertical, degrees, for a
/// sensor whose AP axis points forward.
pub const ACC_PHASE_REF_DEG: f64 = 90.0;
/// Phase of the stride-frequency roll rate relative to the yaw rate, degrees, for a sensor
/// whose AP axis points forward.
pub const GYR_PHASE_REF_DEG: f64 = 0.0;

type Complex = (f64, f64);

/// The acceleration and angular-velocity cross-spectra of one walking stretch's windows.
type StretchSpectra = (Vec<[Complex; 2]>, Vec<[Complex; 2]>);

fn mul_conj(a: Complex, b: Complex) -> Complex {
    (a.0 * b.0 + a.1 * b.1, a.1 * b.0 - a.0 * b.1)
}

/// The Hann weights and the sines and cosines of one frequency over a window of `n`
/// samples, computed once for all windows of that length and frequency.
struct DftTable {
    /// Hann weight, sine and cosine at each sample of the window.
    wsc: Vec<(f64, f64, f64)>,
}

impl DftTable {
    /// Window of `n` samples, `f` cycles per sample.
    fn new(n: usize, f: f64) -> Self {
        let wsc = (0..n)
            .map(|i| {
                let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
                let (s, c) = (2.0 * std::f64::consts::PI * f * i as f64).sin_cos();
                (w, s, c)
            })
            .collect();
        DftTable { wsc }
    }

    /// Hann-windowed DFT of `x` (mean removed; as long as the table's window).
    fn dft(&self, x: &[f64]) -> Complex {
        let n = x.len();
        let mean = x.iter().sum::<f64>() / n.max(1) as f64;
        let (mut re, mut im) = (0.0, 0.0);
        for (&v, &(w, s, c)) in x.iter().zip(&self.wsc) {
            re += w * (v - mean) * c;
            im -= w * (v - mean) * s;
        }
        (re, im)
    }
}

/// The real axis (in the AP/ML plane) along which the cross-spectra line up, and its sense
/// from the phase against `phase_ref_deg`.
fn coupled_axis(spectra: &[[Complex; 2]], phase_ref_deg: f64) -> HeadingCue {
    // M = Re(S Sᴴ) summed over windows: its principal axis is the coupled direction
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for [s1, s2] in spectra {
        a += s1.0 * s1.0 + s1.1 * s1.1;
        c += s2.0 * s2.0 + s2.1 * s2.1;
        b += s1.0 * s2.0 + s1.1 * s2.1;
    }
    let alpha = 0.5 * (2.0 * b).atan2(a - c);
    let (ua, ub) = (alpha.cos(), alpha.sin());
    let trace = a + c;
    let axis_strength = if trace > 0.0 {
        ((a - c).powi(2) + 4.0 * b * b).sqrt() / trace
    } else {
        0.0
    };
    // projected spectrum per window; its phase against the reference decides the sense
    let (rs, rc) = phase_ref_deg.to_radians().sin_cos();
    let mut votes = Vec::with_capacity(spectra.len());
    for [s1, s2] in spectra {
        let z = (ua * s1.0 + ub * s2.0, ua * s1.1 + ub * s2.1);
        // Re(z · e^{−iφ}) > 0 when z is within 90° of the reference phase
        votes.push(z.0 * rc + z.1 * rs);
    }
    let total: f64 = votes.iter().map(|v| v.abs()).sum();
    let sum: f64 = votes.iter().sum();
    let sense = if sum >= 0.0 { 1.0 } else { -1.0 };
    let agree = votes.iter().filter(|v| **v * sense > 0.0).count();
    let heading = if sense > 0.0 {
        alpha
    } else {
        alpha + std::f64::consts::PI
    };
    let mut heading_deg = heading.to_degrees();
    while heading_deg > 180.0 {
        heading_deg -= 360.0;
    }
    while heading_deg <= -180.0 {
        heading_deg += 360.0;
    }
    HeadingCue {
        heading_deg,
        axis_strength: if total > 0.0 { axis_strength } else { 0.0 },
        sign_agreement: if votes.is_empty() {
            0.5
        } else {
            agree as f64 / votes.len() as f64
        },
        windows: votes.len(),
    }
}

/// The rate the gravity blocks and low-pass are laid out for at a nominal rate of `fs_hz`:
/// that rate rounded to 1 µHz, so that estimates of one rate that differ only in their last
/// bits (the first minutes of a recording and the whole of it, 99.99999999 and
/// 100.0000000015 Hz) give the same blocks and the same filter; at the 10 Hz and more that
/// gaitkit reads, the rounding moves the rate by at most 5·10⁻⁸ of it, Hz.
pub fn gravity_design_hz(fs_hz: f64) -> f64 {
    let r = (fs_hz * 1e6).round() / 1e6;
    if r > 0.0 && r.is_finite() {
        r
    } else {
        fs_hz
    }
}

/// Rows per gravity block at `fs_hz` (0.1 s).
pub fn gravity_block(fs_hz: f64) -> usize {
    (gravity_design_hz(fs_hz) / 10.0).floor().max(1.0) as usize
}

/// The gravity low-pass of [`to_body_frame`] at `fs_hz`, applied to block means.
pub fn gravity_lowpass(fs_hz: f64) -> Butterworth {
    Butterworth::lowpass(
        2,
        0.25,
        gravity_design_hz(fs_hz) / gravity_block(fs_hz) as f64,
    )
}

/// Means of consecutive blocks of `d` samples (the last one may be shorter).
pub fn block_means(c: &[f64], d: usize) -> Vec<f64> {
    c.chunks(d)
        .map(|b| b.iter().sum::<f64>() / b.len() as f64)
        .collect()
}

/// Gravity magnitude (m/s²) and cosine of the tilt from the declared up axis of each block,
/// from the low-passed block means in sensor axes, as [`to_body_frame`] computes them.
pub fn gravity_and_tilt(grav: [&[f64]; 3], axes: Axes) -> impl Iterator<Item = (f64, f64)> + '_ {
    let r0 = axes.sensor_to_body();
    (0..grav[0].len()).map(move |k| {
        let gv = r0 * Vector3::new(grav[0][k], grav[1][k], grav[2][k]);
        let norm = gv.norm();
        let up = if norm > 1e-6 {
            gv / norm
        } else {
            Vector3::new(1.0, 0.0, 0.0)
        };
        (norm, up[0].clamp(-1.0, 1.0))
    })
}

/// The error for a measured up `tilt_deg` away from the declared one (more than
/// [`MAX_TILT_DEG`]), naming the sensor axis closest to the mean acceleration (m/s²).
pub fn tilt_error(
    tilt_deg: f64,
    axes: Axes,
    mean_acc_mps2: Vector3<f64>,
    source: &std::path::Path,
) -> Error {
    Error::input(
        Location::file(source),
        format!(
            "measured gravity points {tilt_deg:.0}° away from the up axis declared by axes \"{axes}\"; \
             the axes letters are probably wrong (sensor upside down or rotated?) — in this recording \
             up is closest to sensor {}",
            closest_axis(&mean_acc_mps2)
        ),
    )
}

/// The median as [`to_body_frame`] takes it (the element at rank `len / 2`).
pub fn select_median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    Some(*v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1)
}

fn imu_mean(imu: &UniformImu) -> Vector3<f64> {
    let n = imu.len().max(1) as f64;
    Vector3::from_fn(|k, _| imu.acc_mps2[k].iter().sum::<f64>() / n)
}

fn closest_axis(mean_acc: &Vector3<f64>) -> String {
    let k = mean_acc.iamax();
    let sign = if mean_acc[k] >= 0.0 { "+" } else { "−" };
    format!("{sign}{}", ["x", "y", "z"][k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Rotation3, Unit};

    #[test]
    fn rate_estimates_differing_in_their_last_bits_lay_out_the_same_gravity_blocks() {
        for (a, b) in [
            (99.99999999, 100.0000000015),
            (49.999999999, 50.0),
            (128.0, 128.0),
        ] {
            assert_eq!(gravity_design_hz(a), gravity_design_hz(b));
            assert_eq!(gravity_block(a), gravity_block(b));
            let x: Vec<f64> = (0..500).map(|i| (i as f64 * 0.37).sin() + 9.81).collect();
            let (fa, fb) = (
                gravity_lowpass(a).filtfilt(&x),
                gravity_lowpass(b).filtfilt(&x),
            );
            assert!(fa.iter().zip(&fb).all(|(p, q)| p.to_bits() == q.to_bits()));
        }
        assert_eq!(gravity_block(99.99999999), 10);
        assert_eq!(gravity_block(99.99), 9);
        assert_eq!(gravity_design_hz(102.4), 102.4);
        assert!(gravity_design_hz(f64::NAN).is_nan());
    }

    /// Upright trunk: gravity + a 2 Hz vertical bounce + a forward sway, and a yaw rate.
    fn body_truth(n: usize, fs: f64) -> Vec<(Vector3<f64>, Vector3<f64>)> {
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let a = Vector3::new(
                    G_MPS2 + 1.5 * (2.0 * std::f64::consts::PI * 2.0 * t).sin(),
                    0.3 * (2.0 * std::f64::consts::PI * 1.0 * t).sin(),
                    0.8 * (2.0 * std::f64::consts::PI * 1.0 * t).cos(),
                );
                let w = Vector3::new(20.0, -5.0, 3.0);
                (a, w)
            })
            .collect()
    }

    fn sensor_imu(
        truth: &[(Vector3<f64>, Vector3<f64>)],
        body_to_sensor: Rotation3<f64>,
        fs: f64,
    ) -> UniformImu {
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for (a, w) in truth {
            let (a, w) = (body_to_sensor * a, body_to_sensor * w);
            for k in 0..3 {
                acc[k].push(a[k]);
                gyr[k].push(w[k]);
            }
        }
        UniformImu {
            fs_hz: fs,
            t0_s: 0.0,
            acc_mps2: acc,
            gyr_dps: gyr,
            gaps: vec![],
        }
    }

    #[test]
    fn samples_projected_on_all_cores_equal_the_one_core_projection() {
        // a slowly turning tilt, so that every block has its own axes; 997 samples a part
        // boundary does not fall on
        let n = 70_003;
        let d = 10;
        let truth = body_truth(n, 100.0);
        let imu = sensor_imu(&truth, Rotation3::from_euler_angles(0.2, -0.1, 0.4), 100.0);
        let frames: Vec<[Vector3<f64>; 3]> = (0..n.div_ceil(d))
            .map(|k| {
                let r = Rotation3::from_euler_angles(1e-4 * k as f64, 0.3, -2e-4 * k as f64);
                [r * Vector3::x(), r * Vector3::y(), r * Vector3::z()]
            })
            .collect();
        let (mut one, mut all) = (
            BodyFrameSignals::zeros(100.0, n),
            BodyFrameSignals::zeros(100.0, n),
        );
        project_blocks(&imu, &frames, d, &mut one, false);
        project_blocks(&imu, &frames, d, &mut all, true);
        // the last sample is the dot product with its block's axes
        let i = n - 1;
        let [u, _, _] = frames[i / d];
        let a = [imu.acc_mps2[0][i], imu.acc_mps2[1][i], imu.acc_mps2[2][i]];
        assert_eq!(one.acc_v_mps2[i], a[0] * u[0] + a[1] * u[1] + a[2] * u[2]);
        assert!(one.gyr_ap_dps.iter().all(|v| *v != 0.0));
        assert!(one.acc_v_mps2 == all.acc_v_mps2 && one.acc_ml_mps2 == all.acc_ml_mps2);
        assert!(one.acc_ap_mps2 == all.acc_ap_mps2 && one.gyr_v_dps == all.gyr_v_dps);
        assert!(one.gyr_ml_dps == all.gyr_ml_dps && one.gyr_ap_dps == all.gyr_ap_dps);
    }

    fn assert_recovers(axes: &str, extra_tilt: Rotation3<f64>) {
        let fs = 100.0;
        let truth = body_truth(3000, fs);
        let axes: Axes = axes.parse().unwrap();
        // sensor = R0ᵀ · (tilt · body)
        let r0 = Rotation3::from_matrix_unchecked(axes.sensor_to_body());
        let imu = sensor_imu(&truth, r0.inverse() * extra_tilt, fs);
        let (b, al) = to_body_frame(&imu, axes, std::path::Path::new("t.csv")).unwrap();
        for i in (500..2500).step_by(97) {
            let (a, w) = truth[i];
            assert!(
                (b.acc_v_mps2[i] - (a[0] - G_MPS2)).abs() < 0.05,
                "V at {i}: {} vs {}",
                b.acc_v_mps2[i],
                a[0] - G_MPS2
            );
            assert!((b.acc_ap_mps2[i] - a[2]).abs() < 0.1, "AP at {i}");
            assert!((b.acc_ml_mps2[i] - a[1]).abs() < 0.1, "ML at {i}");
            assert!(
                (b.gyr_v_dps[i] - w[0]).abs() < 1.0
                    && (b.gyr_ml_dps[i] - w[1]).abs() < 1.0
                    && (b.gyr_ap_dps[i] - w[2]).abs() < 1.0
            );
        }
        assert!((al.gravity_mps2 - G_MPS2).abs() < 0.05);
    }

    #[test]
    fn declared_axes_alone_give_the_body_frame() {
        assert_recovers("URF", Rotation3::identity());
        assert_recovers("FLU", Rotation3::identity());
        assert_recovers("DLF", Rotation3::identity()); // upside down, declared correctly
    }

    #[test]
    fn pitch_or_roll_of_35_degrees_is_removed_by_gravity_alignment() {
        let pitch = Rotation3::from_axis_angle(
            &Unit::new_normalize(Vector3::new(0.0, 1.0, 0.0)),
            35f64.to_radians(),
        );
        let roll = Rotation3::from_axis_angle(
            &Unit::new_normalize(Vector3::new(0.0, 0.0, 1.0)),
            -35f64.to_radians(),
        );
        // tilt is applied in body coordinates before the declared mounting
        assert_recovers("URF", pitch.inverse());
        assert_recovers("URF", roll.inverse());
    }

    #[test]
    fn wrong_axes_letters_are_reported_with_the_measured_up_axis() {
        let fs = 100.0;
        let truth = body_truth(1000, fs);
        let r0 = Rotation3::from_matrix_unchecked("DLF".parse::<Axes>().unwrap().sensor_to_body());
        let imu = sensor_imu(&truth, r0.inverse(), fs);
        let err = to_body_frame(
            &imu,
            "URF".parse().unwrap(),
            std::path::Path::new("rec/lb.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("rec/lb.csv")
                && err.contains("axes letters are probably wrong")
                && err.contains("−x"),
            "{err}"
        );
    }
}
