//! Stage 3: rolling values over the last steps, for feedback while walking.
//!
//! Over the last `n` emitted steps (default 10): cadence from the mean step time; per-side
//! step and stance times as 20 % trimmed means (as the offline summary, so one wild step
//! cannot dominate), and from them the step-time SI, evenness and stance-time SI
//! ([`crate::gait::symmetry`]; signed right relative to left). A side-dependent value needs
//! [`MIN_PER_SIDE`] values of each side in the window; otherwise it is `None` (unknown).

use std::collections::VecDeque;

use serde::Serialize;

use crate::gait::symmetry::{evenness_pct, symmetry_index_pct};
use crate::gait::{PerSide, Side};
use crate::signal::stats::{trimmed_mean, TRIM};

/// Steps the rolling values cover by default.
pub const DEFAULT_STEPS: usize = 10;
/// Values of each side needed for a side comparison.
pub const MIN_PER_SIDE: usize = 3;
/// Step times needed for a cadence.
pub const MIN_STEPS_FOR_CADENCE: usize = 4;

/// One step as the rolling values see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInput {
    /// Foot that landed; `None` when unknown.
    pub side: Option<Side>,
    /// Time from the previous contact, s; `None` for the first step after a pause or gap.
    pub step_time_s: Option<f64>,
    /// Stance time of this foot (leg sensors), s.
    pub stance_time_s: Option<f64>,
}

/// Rolling values after a step.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RollingValues {
    /// Steps in the window.
    pub steps: usize,
    pub cadence_spm: Option<f64>,
    /// Step-time symmetry index, % (right relative to left).
    pub step_time_si_pct: Option<f64>,
    /// Step-time evenness, % (shorter / longer side × 100).
    pub evenness_pct: Option<f64>,
    /// Stance-time symmetry index, % (right relative to left; leg sensors).
    pub stance_si_pct: Option<f64>,
}

/// The last `n` steps and their rolling values.
#[derive(Debug, Clone)]
pub struct Rolling {
    n: usize,
    steps: VecDeque<StepInput>,
}

impl Rolling {
    /// `n` ≥ 2 steps (smaller values are raised to 2).
    pub fn new(n: usize) -> Self {
        Rolling {
            n: n.max(2),
            steps: VecDeque::new(),
        }
    }

    /// Forgets all steps (after a drop-out: values across it would mix two walks).
    pub fn clear(&mut self) {
        self.steps.clear();
    }

    /// Adds a step and returns the rolling values including it.
    pub fn push(&mut self, s: StepInput) -> RollingValues {
        self.steps.push_back(s);
        while self.steps.len() > self.n {
            self.steps.pop_front();
        }
        self.values()
    }

    pub fn values(&self) -> RollingValues {
        let times: Vec<f64> = self.steps.iter().filter_map(|s| s.step_time_s).collect();
        let cadence_spm = (times.len() >= MIN_STEPS_FOR_CADENCE)
            .then(|| 60.0 * times.len() as f64 / times.iter().sum::<f64>())
            .filter(|c| c.is_finite());
        let per_side = |value: fn(&StepInput) -> Option<f64>| -> Option<(f64, f64)> {
            let mut v = PerSide {
                left: Vec::new(),
                right: Vec::new(),
            };
            for s in &self.steps {
                if let (Some(side), Some(x)) = (s.side, value(s)) {
                    v.get_mut(side).push(x);
                }
            }
            if v.left.len() < MIN_PER_SIDE || v.right.len() < MIN_PER_SIDE {
                return None;
            }
            Some((
                trimmed_mean(&v.left, TRIM)?.value,
                trimmed_mean(&v.right, TRIM)?.value,
            ))
        };
        let step = per_side(|s| s.step_time_s);
        let stance = per_side(|s| s.stance_time_s);
        RollingValues {
            steps: self.steps.len(),
            cadence_spm,
            step_time_si_pct: step.and_then(|(l, r)| symmetry_index_pct(l, r)),
            evenness_pct: step.and_then(|(l, r)| evenness_pct(l, r)),
            stance_si_pct: stance.and_then(|(l, r)| symmetry_index_pct(l, r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(side: Side, t: f64) -> StepInput {
        StepInput {
            side: Some(side),
            step_time_s: Some(t),
            stance_time_s: Some(1.2 * t),
        }
    }

    #[test]
    fn even_steps_give_zero_si_and_an_asymmetry_shows_within_n_steps() {
        let mut r = Rolling::new(10);
        let mut v = RollingValues::default();
        for i in 0..20 {
            let side = if i % 2 == 0 { Side::Left } else { Side::Right };
            v = r.push(step(side, 0.55));
        }
        assert_eq!(v.steps, 10);
        assert!((v.cadence_spm.unwrap() - 60.0 / 0.55).abs() < 1e-9);
        assert!(v.step_time_si_pct.unwrap().abs() < 1e-9);
        assert!((v.evenness_pct.unwrap() - 100.0).abs() < 1e-9);
        // right steps become 10 % longer: (R − L) / ½(R + L) = 0.1 / 1.05 = 9.52 %
        let expected = 100.0 * 0.055 / (0.5 * (0.55 + 0.605));
        let mut when = None;
        for k in 0..10 {
            let side = if k % 2 == 0 { Side::Left } else { Side::Right };
            let t = if side == Side::Right { 0.605 } else { 0.55 };
            v = r.push(step(side, t));
            if when.is_none() && (v.step_time_si_pct.unwrap() - expected).abs() < 0.5 {
                when = Some(k + 1);
            }
        }
        // after 8 steps the window holds 4 longer right steps of 5: the 20 % trimmed mean drops
        // the one old value, so the SI is complete within N = 10 steps
        assert_eq!(when, Some(8));
        assert!((v.step_time_si_pct.unwrap() - expected).abs() < 1e-9);
        assert!((v.stance_si_pct.unwrap() - expected).abs() < 1e-9);
        assert!((v.evenness_pct.unwrap() - 100.0 * 0.55 / 0.605).abs() < 1e-9);
        // a left-longer asymmetry has the opposite sign
        let mut r = Rolling::new(10);
        for k in 0..10 {
            let side = if k % 2 == 0 { Side::Left } else { Side::Right };
            let t = if side == Side::Left { 0.605 } else { 0.55 };
            v = r.push(step(side, t));
        }
        assert!((v.step_time_si_pct.unwrap() + expected).abs() < 1e-9);
    }

    #[test]
    fn unknown_sides_leave_the_side_values_unknown() {
        let mut r = Rolling::new(10);
        let mut v = RollingValues::default();
        for i in 0..10 {
            let side = if i < 8 { None } else { Some(Side::Left) };
            v = r.push(StepInput {
                side,
                step_time_s: Some(0.5),
                stance_time_s: None,
            });
        }
        assert_eq!(v.cadence_spm, Some(120.0));
        assert_eq!(v.step_time_si_pct, None);
        assert_eq!(v.evenness_pct, None);
        assert_eq!(v.stance_si_pct, None);
    }
}
