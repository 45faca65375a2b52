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
    /// Contact time, recording clock, s.
    pub t_s: f64,
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

    /// Takes out the step at `t_s` (a provisional step withdrawn); the step after it gets
    /// its time from the step before it when that is at most `max_step_s` earlier (none
    /// otherwise). Returns the rolling values without it.
    pub fn withdraw(&mut self, t_s: f64, max_step_s: f64) -> RollingValues {
        if let Some(k) = self.steps.iter().position(|s| s.t_s == t_s) {
            self.steps.remove(k);
            let before = k.checked_sub(1).map(|j| self.steps[j].t_s);
            if let Some(next) = self.steps.get_mut(k) {
                if next.step_time_s.is_some() {
                    next.step_time_s = before
                        .map(|b| next.t_s - b)
                        .filter(|&d| d > 0.0 && d <= max_step_s);
                }
            }
        }
        self.values()
    }

    /// Sets the side (and with it the stance time) of the step at `t_s` (a side decided later,
    /// or withdrawn: `None`); returns the rolling values with it. A step no longer in the
    /// window changes nothing.
    pub fn set_side(
        &mut self,
        t_s: f64,
        side: Option<Side>,
        stance_time_s: Option<f64>,
    ) -> RollingValues {
        if let Some(s) = self.steps.iter_mut().find(|s| s.t_s == t_s) {
            s.side = side;
            s.stance_time_s = stance_time_s;
        }
        self.values()
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
            t_s: 0.0,
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
                t_s: i as f64 * 0.5,
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

    #[test]
    fn a_withdrawn_step_leaves_the_values_and_the_next_step_time_is_bridged() {
        let mut r = Rolling::new(10);
        let at = |t_s: f64, step_time_s: Option<f64>| StepInput {
            t_s,
            side: None,
            step_time_s,
            stance_time_s: None,
        };
        // a false step at 1.3 s between steps 0.5 s apart
        r.push(at(1.0, None));
        r.push(at(1.3, Some(0.3)));
        r.push(at(1.5, Some(0.2)));
        for k in 1..4 {
            r.push(at(1.5 + 0.5 * k as f64, Some(0.5)));
        }
        // 5 step times over 2.0 s
        assert!((r.values().cadence_spm.unwrap() - 150.0).abs() < 1e-9);
        let v = r.withdraw(1.3, 2.0);
        assert_eq!(v.steps, 5);
        assert!((v.cadence_spm.unwrap() - 120.0).abs() < 1e-9);
        // without the first step the next has no step time: 3 step times, too few
        let v = r.withdraw(1.0, 2.0);
        assert_eq!((v.steps, v.cadence_spm), (4, None));
        // a time not in the window changes nothing
        assert_eq!(r.withdraw(7.0, 2.0), v);
    }
}
