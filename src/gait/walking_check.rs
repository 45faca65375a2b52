//! Stage after the walking bouts: is what was found physically a walk?
//!
//! The bout detector looks for step-periodic vertical trunk acceleration, which any periodic
//! vertical vibration also has (a 2 Hz vibration table, a car, a shaken box). Walking moves the
//! trunk in more ways than that (Moe-Nilssen & Helbostad 2004; Menz 2003; metrics.md A7–A9):
//!
//! 1. **Horizontal motion**: forward-backward (AP) and side-to-side (ML) acceleration of the
//!    same order as the vertical one (RMS ratio ≈ 0.5–1.2 at the lower back).
//! 2. **Rotation**: the pelvis yaws, rolls and pitches with every step (angular velocity
//!    RMS ≈ 10–40 deg/s).
//! 3. **Left-right alternation**: the yaw rate about the vertical swings one way during a
//!    left step and the other way during a right step, so it repeats every stride, not every
//!    step: its autocorrelation is high at one stride and low (negative) at one step.
//!
//! Every cue is rotation invariant: the vertical is the mean gravity direction of each bout,
//! so neither the declared axes nor a mounting error matter. Inside the detected bouts, a walk
//! that fails two or more cues is refused as not a walk; one failing cue is reported in a note.

use crate::recording::UniformImu;
use crate::signal::stats;

use super::walking_bouts::WalkingBout;

/// Least horizontal / vertical dynamic acceleration RMS ratio of a walk.
pub const MIN_HORIZONTAL_RATIO: f64 = 0.15;
/// Least dynamic angular velocity RMS of a walking trunk, deg/s.
pub const MIN_ROTATION_DPS: f64 = 3.0;
/// Least difference of the yaw-rate autocorrelation at one stride and at one step.
pub const MIN_ALTERNATION: f64 = 0.2;

/// The three cues measured inside the walking bouts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct WalkingEvidence {
    /// Horizontal / vertical dynamic acceleration RMS.
    pub horizontal_ratio: f64,
    /// RMS of the angular velocity with each bout's mean removed, deg/s.
    pub rotation_dps: f64,
    /// Yaw-rate autocorrelation at one stride minus at one step (−2…2; walking ≫ 0).
    pub alternation: f64,
}

impl WalkingEvidence {
    /// Descriptions of the cues this evidence fails.
    pub fn failed(&self) -> Vec<String> {
        let mut out = Vec::new();
        if below(self.horizontal_ratio, MIN_HORIZONTAL_RATIO) {
            out.push(format!(
                "the trunk hardly moves forward or sideways (horizontal acceleration {:.0} % of the vertical; walking: 50–120 %)",
                100.0 * self.horizontal_ratio
            ));
        }
        if below(self.rotation_dps, MIN_ROTATION_DPS) {
            out.push(format!(
                "it hardly rotates ({:.1} deg/s; a walking trunk: 10–40 deg/s)",
                self.rotation_dps
            ));
        }
        if below(self.alternation, MIN_ALTERNATION) {
            out.push(format!(
                "its rotation does not alternate between left and right steps (stride-minus-step correlation {:.2}; walking: above 0.5)",
                self.alternation
            ));
        }
        out
    }

    /// True when the evidence is too weak to call the motion walking.
    pub fn is_not_walking(&self) -> bool {
        self.failed().len() >= 2
    }
}

/// Measures the cues over the samples of `bouts` (times on the recording's timeline) of a
/// trunk sensor, with `step_time_s` the typical step. `None` when the bouts hold too little
/// data to judge (less than two strides).
pub fn walking_evidence(
    imu: &UniformImu,
    bouts: &[WalkingBout],
    step_time_s: f64,
) -> Option<WalkingEvidence> {
    walking_sums(imu, bouts, step_time_s).evidence()
}

/// The sums behind [`WalkingEvidence`], so that pieces of a recording can be added up.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WalkingSums {
    h2: f64,
    v2: f64,
    w2: f64,
    n_total: usize,
    alt_sum: f64,
    alt_weight: f64,
}

impl WalkingSums {
    /// Adds the sums of a later piece of the same recording.
    pub fn add(&mut self, o: &WalkingSums) {
        self.h2 += o.h2;
        self.v2 += o.v2;
        self.w2 += o.w2;
        self.n_total += o.n_total;
        self.alt_sum += o.alt_sum;
        self.alt_weight += o.alt_weight;
    }

    /// The cues; `None` without enough data.
    pub fn evidence(&self) -> Option<WalkingEvidence> {
        if self.n_total == 0 || self.alt_weight == 0.0 {
            return None;
        }
        Some(WalkingEvidence {
            horizontal_ratio: if self.v2 > 0.0 {
                (self.h2 / self.v2).sqrt()
            } else {
                0.0
            },
            rotation_dps: (self.w2 / self.n_total as f64).sqrt(),
            alternation: self.alt_sum / self.alt_weight,
        })
    }
}

/// The sums of [`walking_evidence`] over `bouts`.
pub fn walking_sums(imu: &UniformImu, bouts: &[WalkingBout], step_time_s: f64) -> WalkingSums {
    let fs = imu.fs_hz;
    if !(step_time_s.is_finite() && step_time_s > 0.0 && fs.is_finite() && fs > 0.0) {
        return WalkingSums::default();
    }
    let step = (step_time_s * fs).round() as usize;
    let (mut h2, mut v2, mut w2, mut n_total) = (0.0, 0.0, 0.0, 0usize);
    let (mut alt_sum, mut alt_weight) = (0.0, 0.0);
    for b in bouts {
        let to_index = |t: f64| (((t - imu.t0_s) * fs).round().max(0.0) as usize).min(imu.len());
        let (lo, hi) = (to_index(b.start_s), to_index(b.end_s));
        if hi <= lo + 4 * step.max(1) {
            continue;
        }
        let n = hi - lo;
        let mean = |c: &[f64]| c[lo..hi].iter().sum::<f64>() / n as f64;
        let acc_mean: [f64; 3] = std::array::from_fn(|k| mean(&imu.acc_mps2[k]));
        let gyr_mean: [f64; 3] = std::array::from_fn(|k| mean(&imu.gyr_dps[k]));
        let g_norm = acc_mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        if g_norm.is_nan() || g_norm <= 1e-6 {
            continue;
        }
        let up: [f64; 3] = std::array::from_fn(|k| acc_mean[k] / g_norm);
        let mut yaw = Vec::with_capacity(n);
        for i in lo..hi {
            let a: [f64; 3] = std::array::from_fn(|k| imu.acc_mps2[k][i] - acc_mean[k]);
            let w: [f64; 3] = std::array::from_fn(|k| imu.gyr_dps[k][i] - gyr_mean[k]);
            let av = a[0] * up[0] + a[1] * up[1] + a[2] * up[2];
            let a2 = a.iter().map(|x| x * x).sum::<f64>();
            v2 += av * av;
            h2 += (a2 - av * av).max(0.0);
            w2 += w.iter().map(|x| x * x).sum::<f64>();
            yaw.push(w[0] * up[0] + w[1] * up[1] + w[2] * up[2]);
        }
        n_total += n;
        // remove the turning drift: subtract a moving average over one stride
        let detrended = minus_moving_average(&yaw, 2 * step);
        if let (Some(r_step), Some(r_stride)) = (
            correlation_at(&detrended, step),
            correlation_at(&detrended, 2 * step),
        ) {
            alt_sum += n as f64 * (r_stride - r_step);
            alt_weight += n as f64;
        }
    }
    WalkingSums {
        h2,
        v2,
        w2,
        n_total,
        alt_sum,
        alt_weight,
    }
}

/// True when `v` is below `min` or not a number (a cue that cannot be measured fails).
fn below(v: f64, min: f64) -> bool {
    v.is_nan() || v < min
}

/// Normalised autocorrelation at `lag` (Pearson correlation of the signal with itself
/// shifted); `None` when too short or constant.
fn correlation_at(x: &[f64], lag: usize) -> Option<f64> {
    if lag == 0 || x.len() < lag + 8 {
        return None;
    }
    let (a, b) = (&x[..x.len() - lag], &x[lag..]);
    let (ma, mb) = (stats::mean(a)?, stats::mean(b)?);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&p, &q) in a.iter().zip(b) {
        sab += (p - ma) * (q - mb);
        saa += (p - ma) * (p - ma);
        sbb += (q - mb) * (q - mb);
    }
    let d = (saa * sbb).sqrt();
    (d > 1e-12).then(|| sab / d)
}

/// `x` minus its centred moving average over `w` samples.
fn minus_moving_average(x: &[f64], w: usize) -> Vec<f64> {
    let n = x.len();
    let half = w / 2;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &v in x {
        prefix.push(prefix[prefix.len() - 1] + v);
    }
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(n));
            x[i] - (prefix[b] - prefix[a]) / (b - a) as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// 60 s at 100 Hz in sensor axes (x up): `f(t)` gives (acc, gyr).
    fn imu(f: impl Fn(f64) -> ([f64; 3], [f64; 3])) -> UniformImu {
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for i in 0..6000 {
            let (a, w) = f(i as f64 / 100.0);
            for k in 0..3 {
                acc[k].push(a[k]);
                gyr[k].push(w[k]);
            }
        }
        UniformImu {
            fs_hz: 100.0,
            t0_s: 0.0,
            acc_mps2: acc,
            gyr_dps: gyr,
            gaps: vec![],
        }
    }

    fn bout() -> Vec<WalkingBout> {
        vec![WalkingBout {
            start_s: 2.0,
            end_s: 58.0,
            n_steps: 112,
            ended_by: "end",
        }]
    }

    /// White noise in −0.5…0.5, a fixed function of `t` (hash of the bits).
    fn noise(t: f64) -> f64 {
        let mut x = t.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 32;
        (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    /// A walk: vertical bounce at the step rate, AP surge, ML sway and yaw at the stride rate.
    fn walk(t: f64) -> ([f64; 3], [f64; 3]) {
        let step = 2.0 * PI * 2.0 * t;
        let stride = 2.0 * PI * 1.0 * t;
        (
            [
                9.81 + 2.0 * step.sin(),
                0.8 * stride.sin(),
                1.2 * (step + 0.5).sin(),
            ],
            [
                20.0 * stride.cos() + noise(t),
                6.0 * step.sin(),
                10.0 * stride.sin(),
            ],
        )
    }

    #[test]
    fn a_walk_passes_every_cue_however_the_sensor_is_turned() {
        let e = walking_evidence(&imu(walk), &bout(), 0.5).unwrap();
        assert!(e.failed().is_empty(), "{e:?}");
        assert!(e.alternation > 1.5, "{e:?}");
        // the same walk with the sensor's x pointing down and y/z swapped
        let turned = imu(|t| {
            let (a, w) = walk(t);
            ([-a[0], a[2], a[1]], [-w[0], w[2], w[1]])
        });
        let e2 = walking_evidence(&turned, &bout(), 0.5).unwrap();
        assert!((e2.horizontal_ratio - e.horizontal_ratio).abs() < 1e-9);
        assert!((e2.alternation - e.alternation).abs() < 1e-9);
    }

    #[test]
    fn vibrations_and_a_sensor_on_a_table_are_not_walking() {
        // pure 2 Hz vertical vibration, gyro noise only
        let vibration = imu(|t| {
            (
                [
                    9.81 + 2.0 * (2.0 * PI * 2.0 * t).sin(),
                    0.02 * noise(t),
                    0.02 * noise(t + 1.0),
                ],
                [0.3 * noise(t), 0.3 * noise(t + 2.0), 0.3 * noise(t + 3.0)],
            )
        });
        let e = walking_evidence(&vibration, &bout(), 0.5).unwrap();
        assert!(e.is_not_walking() && e.failed().len() == 3, "{e:?}");
        // shaken up and down by hand: the vertical bounce and a wobble at the same rate
        let shaken = imu(|t| {
            let s = (2.0 * PI * 2.0 * t).sin();
            (
                [9.81 + 3.0 * s, 0.1 * s, 0.1 * noise(t)],
                [2.0 * s, 15.0 * s, 1.0 * s],
            )
        });
        let e = walking_evidence(&shaken, &bout(), 0.5).unwrap();
        assert!(e.is_not_walking(), "{e:?}");
        // a walk whose yaw does not alternate still counts, with one failed cue
        let no_yaw = imu(|t| {
            let (a, w) = walk(t);
            (a, [w[1], w[1], 0.0])
        });
        let e = walking_evidence(&no_yaw, &bout(), 0.5).unwrap();
        assert_eq!(e.failed().len(), 1, "{e:?}");
        assert!(!e.is_not_walking());
    }

    #[test]
    fn too_little_data_gives_no_verdict() {
        let short = vec![WalkingBout {
            start_s: 2.0,
            end_s: 3.0,
            n_steps: 2,
            ended_by: "end",
        }];
        assert_eq!(walking_evidence(&imu(walk), &short, 0.5), None);
        assert_eq!(walking_evidence(&imu(walk), &bout(), f64::NAN), None);
    }
}
