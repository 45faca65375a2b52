//! Single-leg squat and step-down: repetitions, frontal-plane pelvic drop, trunk lean and
//! time to stabilisation (metrics.md B5; McGovern et al. 2018 for the tests' use in hip pain).
//!
//! Angles come from the AHRS orientation of the lower-back sensor ([`TrunkMotion`]), relative
//! to a baseline just before each repetition:
//! * **pelvic drop** (deg): peak frontal tilt of the pelvis *towards the non-stance side*
//!   (metrics.md B5 sign: drop of the non-stance side positive; the Trendelenburg sign of weak
//!   hip abductors of the stance leg);
//! * **frontal ROM** and **transverse ROM** (deg): range of frontal tilt and heading in the rep;
//! * **trunk forward lean** (deg): peak sagittal lean of the pelvis. A lower-back sensor
//!   moves with the pelvis; lateral trunk lean proper needs a thorax sensor (Reininga 2012).
//!
//! Repetitions, both tasks: a repetition is a dip of the pelvis, a descent of at least
//! [`MIN_DEPTH_M`] followed by a rise of at least as much (the single-leg squat; the step-down
//! test, standing on the step while the free heel is lowered to the floor and back; a step down
//! onto the leg and back up). The height is the vertical acceleration integrated twice, its
//! velocity drift removed by an 8-s moving median; the dips are the troughs of a zigzag of the
//! height with [`MIN_DEPTH_M`] of hysteresis, so slow drift and sway never split or merge
//! them, whatever their pace. A repetition starts when the pelvis has left its standing height
//! by 5 % of the descent (at least 5 mm) and ends when it is back within 5 % of the rise. Its
//! bottom is the deepest point, or for a step-down the landing impact if there is one
//! (vertical acceleration above max(4 m/s², median + 10·MAD)); a light heel touch is not a
//! landing.

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
    /// Seconds from the recording's first sample (the recording clock), like every time here.
    pub start_s: f64,
    /// Deepest point, or the landing of a step-down that lands, s.
    pub bottom_s: f64,
    pub end_s: f64,
    /// Pelvis descent, m: mean standing height before and after minus the lowest height.
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
    /// Leg bearing the weight: standing (squat, step-down test) or landed on (step-down).
    pub stance_side: Side,
    pub repetitions: Vec<Repetition>,
}

impl SquatAnalysis {
    /// Moves every repetition time by `by_s`, e.g. from the analysed part of a recording with
    /// gaps onto the recording clock.
    pub fn shift_times(&mut self, by_s: f64) {
        for r in &mut self.repetitions {
            r.start_s += by_s;
            r.bottom_s += by_s;
            r.end_s += by_s;
        }
    }
}

/// Repetitions of a single-leg squat or step-down on `stance_side`.
pub fn squat_repetitions(
    motion: &TrunkMotion,
    kind: SquatKind,
    stance_side: Side,
) -> SquatAnalysis {
    let fs = motion.fs_hz;
    let height = pelvis_height(motion);
    let mut windows = dip_windows(&height, fs);
    if kind == SquatKind::StepDown {
        mark_landings(motion, &mut windows);
    }
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
            let lowest = motion.index(w.lowest_s);
            let depth_m = Some(0.5 * (height[s] + height[e]) - height[lowest]);
            let stabilisation_s = w
                .landed
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

/// Smallest descent and rise of the pelvis that make a repetition, m. Standing sway, breathing
/// and getting onto one leg move the sacrum by well under 1 cm vertically; 10° of knee flexion
/// on one leg already lowers it by about 3 cm.
pub const MIN_DEPTH_M: f64 = 0.03;

struct RepWindow {
    start_s: f64,
    bottom_s: f64,
    end_s: f64,
    /// Deepest point, s.
    lowest_s: f64,
    baseline_s: (f64, f64),
    /// The bottom is a landing impact (step-downs only).
    landed: bool,
}

/// Pelvis height change, m: vertical acceleration (5-Hz low-pass) integrated to a velocity,
/// whose drift is removed by an 8-s moving median, and integrated again. Its slow drift is
/// left in: the repetitions are found from height changes within each dip.
pub fn pelvis_height(motion: &TrunkMotion) -> Vec<f64> {
    let fs = motion.fs_hz;
    let a = Butterworth::lowpass(4, 5.0, fs).filtfilt(&motion.lin_acc_mps2[0]);
    let v = cumulative_integral(&a, fs);
    let v_drift = moving_median(&v, fs, 8.0);
    let v: Vec<f64> = v.iter().zip(&v_drift).map(|(x, d)| x - d).collect();
    cumulative_integral(&v, fs)
}

/// Alternating peaks and troughs of `z` with `hysteresis`: a turning point is confirmed once
/// the signal has moved back from it by more than `hysteresis`. Starts with a peak at the
/// first sample; the last running extreme closes the list. `(index, is_peak)`.
fn zigzag(z: &[f64], hysteresis: f64) -> Vec<(usize, bool)> {
    let Some(&first) = z.first() else {
        return Vec::new();
    };
    let mut pivots = vec![(0, true)];
    let (mut ext, mut ext_v) = (0, first);
    let mut seeking_trough = true;
    for (i, &v) in z.iter().enumerate().skip(1) {
        if seeking_trough {
            if v < ext_v {
                (ext, ext_v) = (i, v);
            } else if v > ext_v + hysteresis {
                pivots.push((ext, false));
                (ext, ext_v, seeking_trough) = (i, v, false);
            }
        } else if v > ext_v {
            (ext, ext_v) = (i, v);
        } else if v < ext_v - hysteresis {
            pivots.push((ext, true));
            (ext, ext_v, seeking_trough) = (i, v, true);
        }
    }
    if ext != pivots.last().map_or(0, |p| p.0) {
        pivots.push((ext, !seeking_trough));
    }
    pivots
}

/// Dips of the pelvis height (module docs): a trough with a fall and a rise of at least
/// [`MIN_DEPTH_M`] on either side. Baseline = the 0.3 s of standing before the start.
fn dip_windows(z: &[f64], fs: f64) -> Vec<RepWindow> {
    let pivots = zigzag(z, MIN_DEPTH_M);
    let t = |i: usize| i as f64 / fs;
    pivots
        .windows(3)
        .filter(|w| w[0].1 && !w[1].1 && w[2].1)
        .filter_map(|w| {
            let (top_before, lowest, top_after) = (w[0].0, w[1].0, w[2].0);
            let fall = z[top_before] - z[lowest];
            let rise = z[top_after] - z[lowest];
            if fall < MIN_DEPTH_M || rise < MIN_DEPTH_M {
                return None;
            }
            let left = z[top_before] - (0.05 * fall).max(0.005);
            let start = (top_before..lowest)
                .rev()
                .find(|&i| z[i] >= left)
                .unwrap_or(top_before);
            let back = z[top_after] - (0.05 * rise).max(0.005);
            let end = (lowest + 1..=top_after)
                .find(|&i| z[i] >= back)
                .unwrap_or(top_after);
            Some(RepWindow {
                start_s: t(start),
                bottom_s: t(lowest),
                end_s: t(end),
                lowest_s: t(lowest),
                baseline_s: (t(start) - 0.3, t(start)),
                landed: false,
            })
        })
        .collect()
}

/// Step-downs: the bottom of a repetition is its largest landing impact (module docs) inside
/// the repetition, if any.
fn mark_landings(motion: &TrunkMotion, windows: &mut [RepWindow]) {
    let v = &motion.lin_acc_mps2[0];
    let Some((med, mad)) = median_mad(v) else {
        return;
    };
    let threshold = (med + 10.0 * mad).max(4.0);
    for w in windows {
        let (s, e) = (motion.index(w.start_s), motion.index(w.end_s));
        let landing = (s + 1..e)
            .filter(|&i| v[i] > threshold && v[i] >= v[i - 1] && v[i] > v[i + 1])
            .max_by(|&i, &j| v[i].total_cmp(&v[j]));
        if let Some(i) = landing {
            w.bottom_s = i as f64 / motion.fs_hz;
            w.landed = true;
        }
    }
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
