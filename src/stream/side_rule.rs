//! Stage 2: when a live side is shown.
//!
//! The offline left/right rule decides sides per walking bout with all of the bout's
//! contacts; online only the contacts seen so far are known. A side is shown when it is
//! trustworthy and `None` ("side unknown") otherwise. The rule sits behind [`SideRule`] so
//! the live display can follow the offline laterality rule's confidence when it changes.

use super::detector::OnlineContact;
use crate::gait::Side;

/// Laterality values this close to either end of the window are distorted by the
/// zero-phase 0.5–2 Hz band-pass (its impulse response lasts about a stride), s.
pub const EDGE_S: f64 = 1.0;
/// Interior contacts a run needs before its vote is trusted.
pub const MIN_VOTING_CONTACTS: usize = 3;
/// Share of a run's interior contacts whose own sign must agree with the voted pattern.
pub const MIN_VOTE_AGREEMENT: f64 = 0.75;

/// Sides of a bout's contacts in a window: alternation within runs of regular steps, with
/// the pattern voted only by the contacts at least [`EDGE_S`] inside the window
/// `(start_s, end_s)`. `values` are signed per contact, negative = left: the stream passes
/// the offline sides of the window (−1 left, +1 right, 0 withheld by the offline rule,
/// [`crate::gait::laterality::sides_for_bout`]), so a withheld side counts against the vote.
/// The newest contacts take their side from the alternation. A run whose
/// interior contacts are fewer than [`MIN_VOTING_CONTACTS`], or agree with the pattern less
/// than [`MIN_VOTE_AGREEMENT`] of the time, gets `None`.
pub fn interior_vote(ic_s: &[f64], values: &[f64], window: (f64, f64)) -> Vec<Option<Side>> {
    let steps: Vec<f64> = ic_s.windows(2).map(|w| w[1] - w[0]).collect();
    let median = crate::signal::stats::median(&steps).unwrap_or(0.0);
    let mut out = Vec::with_capacity(ic_s.len());
    let mut start = 0;
    for i in 1..=ic_s.len().min(values.len()) {
        let breaks = i == ic_s.len().min(values.len()) || {
            let d = ic_s[i] - ic_s[i - 1];
            d > 1.5 * median || d < 0.6 * median
        };
        if !breaks {
            continue;
        }
        let run = start..i;
        start = i;
        let interior: Vec<usize> = run
            .clone()
            .filter(|&k| ic_s[k] >= window.0 + EDGE_S && ic_s[k] <= window.1 - EDGE_S)
            .collect();
        // score > 0: contacts at even positions of the run are right
        let signed = |k: usize| {
            if (k - run.start) % 2 == 0 {
                values[k]
            } else {
                -values[k]
            }
        };
        let score: f64 = interior.iter().map(|&k| signed(k)).sum();
        let agreeing = interior
            .iter()
            .filter(|&&k| signed(k) * score > 0.0)
            .count();
        let trusted = interior.len() >= MIN_VOTING_CONTACTS
            && score != 0.0
            && agreeing as f64 >= MIN_VOTE_AGREEMENT * interior.len() as f64;
        let first = if score > 0.0 { Side::Right } else { Side::Left };
        let run_start = run.start;
        out.extend(run.map(|k| {
            trusted.then_some(if (k - run_start) % 2 == 0 {
                first
            } else {
                first.opposite()
            })
        }));
    }
    out
}

/// Decides the side shown for each emitted contact, in emission order.
pub trait SideRule {
    /// The side to show for `c`, or `None` when it is not trustworthy.
    fn side(&mut self, c: &OnlineContact) -> Option<Side>;
}

/// Contacts of a bout the window must hold (this one included) before its side vote is
/// trusted: the alternation vote of the offline rule needs a few contacts to outweigh one
/// noisy value.
pub const MIN_BOUT_CONTACTS: usize = 4;

/// Longest interval to the previous contact that is still one step of the same walk, as a
/// multiple of the previous step time (the offline rule restarts alternation beyond 1.5×).
const MAX_STEP_RATIO: f64 = 1.5;

/// The window's side (offline alternation vote), shown only when (a) its bout in the window
/// already holds [`MIN_BOUT_CONTACTS`] contacts and (b) it alternates with the side of the
/// previous contact when that one was a regular step earlier. A vote that flips between
/// windows thus shows "side unknown" at the flip instead of a wrong side.
#[derive(Debug, Clone)]
pub struct AlternationRule {
    /// Contacts the bout must hold; [`MIN_BOUT_CONTACTS`] by default.
    pub min_bout_contacts: usize,
    previous: Option<(f64, Option<Side>)>,
    previous_step_s: Option<f64>,
}

impl Default for AlternationRule {
    fn default() -> Self {
        AlternationRule {
            min_bout_contacts: MIN_BOUT_CONTACTS,
            previous: None,
            previous_step_s: None,
        }
    }
}

impl AlternationRule {
    /// The rule with another minimum of bout contacts.
    pub fn with_min_bout_contacts(n: usize) -> Self {
        AlternationRule {
            min_bout_contacts: n,
            ..Default::default()
        }
    }
}

impl SideRule for AlternationRule {
    fn side(&mut self, c: &OnlineContact) -> Option<Side> {
        let step_s = self.previous.map(|(t, _)| c.t_s - t);
        let regular = match (step_s, self.previous_step_s) {
            (Some(s), Some(p)) => s <= MAX_STEP_RATIO * p && s >= p / MAX_STEP_RATIO,
            (Some(s), None) => s <= 2.0,
            _ => false,
        };
        let consistent = match self.previous {
            Some((_, Some(prev))) if regular => c.window_side == Some(prev.opposite()),
            _ => true,
        };
        let shown = c
            .window_side
            .filter(|_| c.bout_contacts >= self.min_bout_contacts && consistent);
        // the next contact is checked against this window's side, shown or not
        self.previous = Some((c.t_s, c.window_side));
        self.previous_step_s = step_s.filter(|&s| s <= 2.0);
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(t_s: f64, side: Option<Side>, bout_contacts: usize) -> OnlineContact {
        OnlineContact {
            t_s,
            emitted_s: t_s + 0.2,
            window_side: side,
            bout_contacts,
            previous_stance_s: None,
            provisional: false,
        }
    }

    #[test]
    fn shows_sides_once_the_bout_is_long_enough_and_hides_a_flip() {
        use Side::{Left as L, Right as R};
        let mut rule = AlternationRule::default();
        let sides = [L, R, L, R, L, R, R, L, R];
        let shown: Vec<Option<Side>> = sides
            .iter()
            .enumerate()
            .map(|(i, &s)| rule.side(&contact(0.5 * i as f64, Some(s), i + 1)))
            .collect();
        assert_eq!(
            shown,
            vec![
                None,
                None,
                None,
                Some(R),
                Some(L),
                Some(R),
                None,
                Some(L),
                Some(R)
            ]
        );
        // after a pause (3 s) the new bout's first side is not checked against the old one,
        // but it still needs its own contacts
        assert_eq!(rule.side(&contact(7.0, Some(R), 1)), None);
        assert_eq!(rule.side(&contact(10.0, Some(R), 4)), Some(R));
        // no side from the window, none shown
        assert_eq!(rule.side(&contact(10.5, None, 5)), None);
    }

    #[test]
    fn the_vote_ignores_edge_contacts_and_needs_agreement() {
        // window 0–10 s, contacts every 0.5 s from 0.25 s; even contacts negative (left)
        let ic: Vec<f64> = (0..20).map(|k| 0.25 + 0.5 * k as f64).collect();
        let mut values: Vec<f64> = (0..20)
            .map(|k| if k % 2 == 0 { -5.0 } else { 5.0 })
            .collect();
        // the edge contacts are wild and would flip a vote over all contacts
        values[0] = 100.0;
        values[19] = -100.0;
        values[18] = 100.0;
        let sides = interior_vote(&ic, &values, (0.0, 10.0));
        assert_eq!(sides[0], Some(Side::Left));
        assert_eq!(sides[1], Some(Side::Right));
        assert_eq!(sides[18], Some(Side::Left));
        assert_eq!(sides[19], Some(Side::Right));
        // half of the interior values contradict the pattern: no side
        let mixed: Vec<f64> = (0..20)
            .map(|k| if (k / 2) % 2 == 0 { -5.0 } else { 5.0 })
            .collect();
        assert!(interior_vote(&ic, &mixed, (0.0, 10.0))
            .iter()
            .all(|s| s.is_none()));
        // only two interior contacts: too few
        assert!(interior_vote(&ic[..4], &values[..4], (0.0, 10.0))
            .iter()
            .all(|s| s.is_none()));
    }
}
