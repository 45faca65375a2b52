//! Single-leg squat and step-down: repetitions, frontal-plane pelvic drop, trunk lean and
//! time to stabilisation (metrics.md B5; McGovern et al. 2018 for the tests' use in hip pain).
//!
//! Angles come from the AHRS orientation of the lower-back sensor ([`TrunkMotion`]), relative
//! to a baseline just before each repetition:
//! * **pelvic drop** (deg): peak frontal tilt of the pelvis *towards the non-stance side*
//!   (metrics.md B5 sign: drop of the non-stance side positive; the Trendelenburg sign of weak
//!   hip abductors of the stance leg);
//! * **frontal ROM** and **transverse ROM** (deg): range of frontal tilt and heading in the rep;
//! * **trunk forward lean** (deg): peak sagittal lean of the lumbar segment. A lower-back sensor
//!   moves with the pelvis; lateral trunk lean proper needs a thorax sensor (Reininga 2012).
//!
//! Repetitions: squats are dips of the pelvis height (double-integrated vertical acceleration,
//! drift removed by an 8-s moving median) deeper than 5 cm; step-downs are landings, i.e.
//! vertical-acceleration impacts above max(4 m/s², median + 10·MAD) at least 2 s apart.

use serde::Serialize;

use super::stabilisation::{time_to_stabilisation, StabilisationSettings};
use super::trunk_motion::{cumulative_integral, median_mad, moving_median, TrunkMotion};
use crate::gait::Side;
use crate::signal::filter::Butterworth;

/// Which single-leg task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SquatKind {
    Squat,
    StepDown,
}

/// One repetition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repetition {
    pub start_s: f64,
    /// Deepest point (squat) or landing (step-down), s.
    pub bottom_s: f64,
    pub end_s: f64,
    /// Pelvis descent, m (squats only; double integration is too drift-prone over a step-down
    /// hold).
    pub depth_m: Option<f64>,
    /// Peak drop of the non-stance side of the pelvis, deg (positive = drop).
    pub pelvic_drop_deg: f64,
    pub frontal_rom_deg: f64,
    pub transverse_rom_deg: f64,
    /// Peak forward lean of the lumbar segment relative to the baseline, deg.
    pub trunk_forward_lean_deg: f64,
    /// Time to stabilisation after the landing, s (step-downs only).
    pub stabilisation_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SquatAnalysis {
    pub kind: SquatKind,
    /// Leg standing (squat) or landing (step-down).
    pub stance_side: Side,
    pub repetitions: Vec<Repetition>,
}

/// Repetitions of a single-leg squat or step-down on `stance_side`.
pub fn squat_repetitions(
    motion: &TrunkMotion,
    kind: SquatKind,
    stance_side: Side,
) -> SquatAnalysis {
    let windows = match kind {
        SquatKind::Squat => squat_windows(motion),
        SquatKind::StepDown => landing_windows(motion),
    };
    let fs = motion.fs_hz;
    let height = pelvis_height(motion);
    let repetitions = windows
        .into_iter()
        .filter_map(|w| {
            let (s, b, e) = (
                motion.index(w.start_s),
                motion.index(w.bottom_s),
                motion.index(w.end_s),
            );
            let base = |x: &[f64]| {
                let a = motion.index(w.baseline_s.0);
                let z = motion.index(w.baseline_s.1).max(a + 1);
                crate::signal::stats::median(&x[a..z])
            };
            let frontal_base = base(&motion.right_side_up_deg)?;
            let lean_base = base(&motion.forward_lean_deg)?;
            // right side up per degree of non-stance-side drop
            let sign = if stance_side == Side::Left { -1.0 } else { 1.0 };
            let range = s..=e;
            let fr = &motion.right_side_up_deg[range.clone()];
            let pelvic_drop_deg = fr
                .iter()
                .map(|v| sign * (v - frontal_base))
                .fold(f64::MIN, f64::max);
            let rom = |x: &[f64]| {
                x.iter().cloned().fold(f64::MIN, f64::max)
                    - x.iter().cloned().fold(f64::MAX, f64::min)
            };
            let trunk_forward_lean_deg = motion.forward_lean_deg[range.clone()]
                .iter()
                .map(|v| v - lean_base)
                .fold(f64::MIN, f64::max);
            let depth_m = (kind == SquatKind::Squat).then(|| {
                let top = 0.5 * (height[s] + height[e]);
                top - height[b]
            });
            let stabilisation_s = (kind == SquatKind::StepDown)
                .then(|| {
                    time_to_stabilisation(
                        &motion.lin_acc_mps2[1],
                        &motion.lin_acc_mps2[2],
                        fs,
                        b,
                        &StabilisationSettings::default(),
                    )
                })
                .flatten();
            Some(Repetition {
                start_s: w.start_s,
                bottom_s: w.bottom_s,
                end_s: w.end_s,
                depth_m,
                pelvic_drop_deg,
                frontal_rom_deg: rom(fr),
                transverse_rom_deg: rom(&motion.yaw_deg[range]),
                trunk_forward_lean_deg,
                stabilisation_s,
            })
        })
        .collect();
    SquatAnalysis {
        kind,
        stance_side,
        repetitions,
    }
}

struct RepWindow {
    start_s: f64,
    bottom_s: f64,
    end_s: f64,
    baseline_s: (f64, f64),
}

/// Pelvis height change, m: vertical acceleration integrated twice, drift removed from the
/// velocity and the height by 8-s moving medians.
pub fn pelvis_height(motion: &TrunkMotion) -> Vec<f64> {
    let fs = motion.fs_hz;
    let a = Butterworth::lowpass(4, 5.0, fs).filtfilt(&motion.lin_acc_mps2[0]);
    let v = cumulative_integral(&a, fs);
    let v_drift = moving_median(&v, fs, 8.0);
    let v: Vec<f64> = v.iter().zip(&v_drift).map(|(x, d)| x - d).collect();
    let z = cumulative_integral(&v, fs);
    let z_drift = moving_median(&z, fs, 8.0);
    z.iter().zip(&z_drift).map(|(x, d)| x - d).collect()
}

/// Squat repetitions: height minima below −5 cm, ≥ 1.5 s apart; start/end = highest point
/// within 2.5 s before/after (not crossing a neighbouring repetition).
fn squat_windows(motion: &TrunkMotion) -> Vec<RepWindow> {
    let fs = motion.fs_hz;
    let z = pelvis_height(motion);
    let n = z.len();
    if n < 3 {
        return Vec::new();
    }
    let mut minima: Vec<usize> = (1..n - 1)
        .filter(|&i| z[i] < -0.05 && z[i] <= z[i - 1] && z[i] < z[i + 1])
        .collect();
    minima.sort_by(|&i, &j| z[i].total_cmp(&z[j]));
    let mut kept: Vec<usize> = Vec::new();
    for m in minima {
        if kept.iter().all(|&k| (k as f64 - m as f64).abs() > 1.5 * fs) {
            kept.push(m);
        }
    }
    kept.sort_unstable();
    let reach = (2.5 * fs) as usize;
    (0..kept.len())
        .map(|r| {
            let b = kept[r];
            let lo = if r > 0 {
                (kept[r - 1] + b) / 2
            } else {
                b.saturating_sub(reach)
            }
            .max(b.saturating_sub(reach));
            let hi = if r + 1 < kept.len() {
                (b + kept[r + 1]) / 2
            } else {
                (b + reach).min(n - 1)
            }
            .min(b + reach);
            let start = (lo..=b)
                .max_by(|&i, &j| z[i].total_cmp(&z[j]))
                .unwrap_or(lo);
            let end = (b..=hi)
                .max_by(|&i, &j| z[i].total_cmp(&z[j]))
                .unwrap_or(hi);
            // movement onset: last sample before the bottom still within 1 cm of the top
            let onset = (start..b)
                .rev()
                .find(|&i| z[i] > z[start] - 0.01)
                .unwrap_or(start);
            let t = |i: usize| i as f64 / fs;
            RepWindow {
                start_s: t(onset),
                bottom_s: t(b),
                end_s: t(end),
                baseline_s: (t(onset) - 0.3, t(onset)),
            }
        })
        .collect()
}

/// Step-down repetitions: landing impacts (module docs); the window runs from 1 s before to
/// 2 s after the landing; the baseline is 1.5–0.6 s before it (standing on the step).
fn landing_windows(motion: &TrunkMotion) -> Vec<RepWindow> {
    let fs = motion.fs_hz;
    let v = &motion.lin_acc_mps2[0];
    let n = v.len();
    let Some((med, mad)) = median_mad(v) else {
        return Vec::new();
    };
    let threshold = (med + 10.0 * mad).max(4.0);
    let mut peaks: Vec<usize> = (1..n.saturating_sub(1))
        .filter(|&i| v[i] > threshold && v[i] >= v[i - 1] && v[i] > v[i + 1])
        .collect();
    peaks.sort_by(|&i, &j| v[j].total_cmp(&v[i]));
    let mut kept: Vec<usize> = Vec::new();
    for p in peaks {
        if kept.iter().all(|&k| (k as f64 - p as f64).abs() > 2.0 * fs) {
            kept.push(p);
        }
    }
    kept.sort_unstable();
    let dur = n as f64 / fs;
    kept.into_iter()
        .map(|p| p as f64 / fs)
        .filter(|&t| t >= 1.5 && t + 2.0 <= dur)
        .map(|t| RepWindow {
            start_s: t - 1.0,
            bottom_s: t,
            end_s: t + 2.0,
            baseline_s: (t - 1.5, t - 0.6),
        })
        .collect()
}

/// Summary of the repetitions of one side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SquatSummary {
    pub repetitions: usize,
    pub mean_pelvic_drop_deg: f64,
    pub max_pelvic_drop_deg: f64,
    pub mean_trunk_forward_lean_deg: f64,
    pub mean_stabilisation_s: Option<f64>,
}

pub fn summarise(reps: &[&Repetition]) -> Option<SquatSummary> {
    if reps.is_empty() {
        return None;
    }
    let mean =
        |f: &dyn Fn(&Repetition) -> f64| reps.iter().map(|r| f(r)).sum::<f64>() / reps.len() as f64;
    let tts: Vec<f64> = reps.iter().filter_map(|r| r.stabilisation_s).collect();
    Some(SquatSummary {
        repetitions: reps.len(),
        mean_pelvic_drop_deg: mean(&|r| r.pelvic_drop_deg),
        max_pelvic_drop_deg: reps
            .iter()
            .map(|r| r.pelvic_drop_deg)
            .fold(f64::MIN, f64::max),
        mean_trunk_forward_lean_deg: mean(&|r| r.trunk_forward_lean_deg),
        mean_stabilisation_s: crate::signal::stats::mean(&tts),
    })
}
