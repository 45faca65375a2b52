//! Stage 2b: steps fed back outside any walk are taken back.
//!
//! The online windows recognise walking with 2.5-s walking-region windows, so that a walk is
//! fed back from its first steps; they also count as walking short stretches of shuffling,
//! weight shifts and jolts that `gaitkit analyze` (4-s windows) does not. With one lower-back
//! sensor, each step fed back is checked against the late-side analyses (the offline 4-s
//! windows on the last 20 s, [`super::detector::WindowSides::walking_s`]) made from
//! [`CHECK_FROM_S`] to [`super::side_rule::REVISION_S`] after it, which hold a whole 4-s
//! window of signal after the step: when none of at least [`MIN_CHECKS`] of them shows a
//! contact within [`NEAR_S`] of the step, it is withdrawn. One that shows it ends the check.

use super::detector::WindowSides;
use super::side_rule::REVISION_S;

/// Signal after a step before a late-side analysis checks it, s: one offline walking-region
/// window (4 s), so the windows around the step are those of the whole recording.
pub const CHECK_FROM_S: f64 = 4.0;
/// A late-side contact this close to a step shows it in a walk, s (the online and offline
/// contact of one step can lie this far apart where the windows' step frequencies differ).
pub const NEAR_S: f64 = 0.25;
/// Late-side analyses without the step needed before it is withdrawn (each starts its
/// walking-region windows at another offset from the step).
pub const MIN_CHECKS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Unchecked {
    t_s: f64,
    /// Late-side analyses in the check span that showed no contact near the step.
    misses: usize,
}

/// The steps fed back whose walk is not yet confirmed by an offline-window analysis.
#[derive(Debug, Clone, Default)]
pub struct WalkingCheck {
    steps: Vec<Unchecked>,
    last_run: u64,
}

impl WalkingCheck {
    /// A step fed back at `t_s`.
    pub fn emitted(&mut self, t_s: f64) {
        // steps no analysis could check (leg sensors, no late-side analyses) are forgotten
        self.steps.retain(|s| t_s - s.t_s <= 2.0 * REVISION_S);
        self.steps.push(Unchecked { t_s, misses: 0 });
    }

    /// A step taken back for another reason.
    pub fn remove(&mut self, t_s: f64) {
        self.steps.retain(|s| s.t_s != t_s);
    }

    /// Forgets every step (after a drop-out).
    pub fn clear(&mut self) {
        self.steps.clear();
    }

    /// Whether a step awaits its check at `now_s` (the late-side analyses must run).
    pub fn awaits(&self, now_s: f64) -> bool {
        self.steps.iter().any(|s| now_s - s.t_s <= REVISION_S + 0.5)
    }

    /// Takes the newest window analysis; returns the steps to withdraw (contact times, s,
    /// in time order).
    pub fn update(&mut self, w: &WindowSides) -> Vec<f64> {
        if w.run == self.last_run {
            return Vec::new();
        }
        self.last_run = w.run;
        let Some(walking) = &w.walking_s else {
            return Vec::new();
        };
        let now = w.end_s;
        let mut out = Vec::new();
        self.steps.retain_mut(|s| {
            let age = now - s.t_s;
            if age < CHECK_FROM_S {
                return true;
            }
            if age <= REVISION_S {
                if walking.iter().any(|&c| (c - s.t_s).abs() <= NEAR_S) {
                    return false;
                }
                s.misses += 1;
                return true;
            }
            if s.misses >= MIN_CHECKS {
                out.push(s.t_s);
            }
            false
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(run: u64, end_s: f64, walking_s: Option<Vec<f64>>) -> WindowSides {
        WindowSides {
            end_s,
            contacts: Vec::new(),
            feet: Vec::new(),
            walking_s,
            run,
        }
    }

    /// Analyses every 0.1 s from `from_s` to `to_s`, each showing `walking_s`.
    fn run_checks(c: &mut WalkingCheck, from_s: f64, to_s: f64, walking_s: &[f64]) -> Vec<f64> {
        let mut out = Vec::new();
        let mut run = 0;
        let mut t = from_s;
        while t <= to_s + 1e-9 {
            run += 1;
            out.extend(c.update(&window(run, t, Some(walking_s.to_vec()))));
            t += 0.1;
        }
        out
    }

    #[test]
    fn a_step_no_offline_window_shows_is_withdrawn_after_the_check_span() {
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        assert!(c.awaits(16.0));
        // contacts elsewhere only: withdrawn once the step is REVISION_S old, not before
        let out = run_checks(&mut c, 10.2, 10.0 + REVISION_S - 0.05, &[12.0, 12.6]);
        assert!(out.is_empty());
        let out = run_checks(&mut c, 10.0 + REVISION_S + 0.05, 16.5, &[12.0]);
        assert_eq!(out, vec![10.0]);
        assert!(!c.awaits(17.0));
    }

    #[test]
    fn a_step_one_offline_window_shows_stays() {
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        c.emitted(10.55);
        // 10.2 s is within NEAR_S of the first step; the second is shown exactly
        let out = run_checks(&mut c, 10.2, 17.0, &[10.2, 10.55]);
        assert!(out.is_empty(), "{out:?}");
        // shown by a single analysis in the span, missing in the others: stays
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        let mut out = run_checks(&mut c, 14.0, 15.0, &[]);
        out.extend(c.update(&window(100, 15.1, Some(vec![10.1]))));
        out.extend(run_checks(&mut c, 15.2, 17.0, &[]));
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_contact_shown_before_the_check_span_does_not_count_and_too_few_checks_keep_the_step() {
        // a contact near the step before CHECK_FROM_S (the windows around it still differ
        // from the whole recording's) does not end the check
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        let mut out = run_checks(&mut c, 10.5, 13.9, &[10.0]);
        out.extend(run_checks(&mut c, 14.0, 17.0, &[]));
        assert_eq!(out, vec![10.0]);
        // fewer than MIN_CHECKS analyses in the span (none ran): kept
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        let mut out = Vec::new();
        for (k, t) in [14.0, 14.5, 15.0, 16.2].into_iter().enumerate() {
            out.extend(c.update(&window(k as u64 + 1, t, Some(Vec::new()))));
        }
        assert!(out.is_empty(), "{out:?}");
        // analyses without the late-side contacts check nothing
        let mut c = WalkingCheck::default();
        c.emitted(10.0);
        let mut out = Vec::new();
        for k in 0..40 {
            out.extend(c.update(&window(k + 1, 14.0 + 0.1 * k as f64, None)));
        }
        assert!(out.is_empty(), "{out:?}");
    }
}
