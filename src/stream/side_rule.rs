//! Stage 2: when a live side is shown.
//!
//! The offline left/right rule decides sides per walking bout with all of the bout's
//! contacts; online only the contacts seen so far are known. A side is shown when it is
//! trustworthy and `None` ("side unknown") otherwise. The rule sits behind [`SideRule`] so
//! the live display can follow the offline laterality rule's confidence when it changes.
//!
//! A step's side may become known after the step was fed back: [`SideReviser`] decides it
//! from the windows analysed in the [`REVISION_S`] after the contact, which hold the signal
//! after it, and withdraws a shown side that they contradict; every change is a
//! [`super::events::SideRevision`] the displays show.

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
        // a provisional step with a side comes from a leg's own sensor: its side is known
        let shown = c
            .window_side
            .filter(|_| c.provisional || (c.bout_contacts >= self.min_bout_contacts && consistent));
        // the next contact is checked against this window's side, shown or not
        self.previous = Some((c.t_s, c.window_side));
        self.previous_step_s = step_s.filter(|&s| s <= 2.0);
        shown
    }
}

/// How long after its contact a step's side may still be decided or withdrawn, s: the
/// bounded look-ahead of a late side, about as long as a step stays in the rolling values
/// (10 steps of 0.5–0.6 s), whose side comparisons it serves. Measured on the daily-living
/// fixtures: 3 s gave 76 and 84 final sides equal to offline, 6 s 76 and 89, 10 s 76 and 88.
pub const REVISION_S: f64 = 6.0;
/// Signal a window must hold after a contact before its offline side counts, s: the
/// stride-band filters of the laterality cues are distorted within about [`EDGE_S`] of the
/// window's end.
pub const SETTLE_S: f64 = EDGE_S;
/// Consecutive analyses whose offline side of a contact must agree before it is shown late.
pub const SETTLE_ANALYSES: usize = 3;

/// A change of the side of a step already fed back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideChange {
    /// Contact time of the step, s.
    pub t_s: f64,
    /// The side now shown; `None`: the side shown before is withdrawn (later evidence
    /// contradicted it), and the step stays "side unknown".
    pub side: Option<Side>,
    /// The side shown before.
    pub previous: Option<Side>,
}

/// One step whose side may still change.
#[derive(Debug, Clone, Copy)]
struct Open {
    t_s: f64,
    side: Option<Side>,
    /// A shown side was withdrawn: none is shown again.
    closed: bool,
    /// The window side seen in the last consecutive analyses, and how many.
    streak: Option<(Side, usize)>,
    /// The side carried from the sided neighbours in the last consecutive analyses (see
    /// [`SideReviser`]), and how many.
    carry: Option<(Side, usize)>,
}

/// Late sides: decides the side of steps already fed back from the windows analysed after
/// them (the offline rule with [`SETTLE_S`]–[`REVISION_S`] of signal after the contact),
/// shows it only when it alternates with the neighbouring steps' sides a regular step away,
/// and withdraws a shown side that a settled window contradicts. A side once shown never
/// changes to the other foot.
///
/// Where the window's rule gives a step no side, the walk's alternation is carried from the
/// steps already shown with a side, as the offline rule carries it through a bout: a step a
/// regular step (0.6–1.5 median steps) from a sided neighbour takes the other foot when every
/// such neighbour implies the same, the window's rule does not give it the neighbour's foot,
/// and the step's own cues point to it ([`crate::gait::laterality::Cues::foot`]: the ML sway
/// and one of the two rotations), in [`SETTLE_ANALYSES`] consecutive analyses.
#[derive(Debug, Clone, Default)]
pub struct SideReviser {
    /// Steps of the last [`REVISION_S`] plus the steps before them that the alternation checks
    /// look at, in time order.
    steps: Vec<Open>,
    last_run: u64,
}

impl SideReviser {
    /// A step emitted with `side` (shown or `None`).
    pub fn emitted(&mut self, t_s: f64, side: Option<Side>) {
        self.steps.push(Open {
            t_s,
            side,
            closed: false,
            streak: None,
            carry: None,
        });
    }

    /// A step taken back: it leaves the alternation checks.
    pub fn remove(&mut self, t_s: f64) {
        self.steps.retain(|s| s.t_s != t_s);
    }

    /// Forgets every step (after a drop-out the walk restarts).
    pub fn clear(&mut self) {
        self.steps.clear();
    }

    /// Median interval between the remembered steps that are one step of a walk, s.
    fn step_s(&self) -> Option<f64> {
        let d: Vec<f64> = self
            .steps
            .windows(2)
            .map(|w| w[1].t_s - w[0].t_s)
            .filter(|&d| d > 0.0 && d <= super::pipeline::MAX_STEP_S)
            .collect();
        crate::signal::stats::median(&d)
    }

    /// Whether [`Self::update`] with a window ending at `now_s` (recording clock, s) looks at
    /// the window's contacts: some step is still open and [`SETTLE_S`]–[`REVISION_S`] old.
    pub fn awaits(&self, now_s: f64) -> bool {
        self.steps
            .iter()
            .any(|st| !st.closed && (SETTLE_S..=REVISION_S).contains(&(now_s - st.t_s)))
    }

    /// Takes the newest window analysis; returns the sides changed, in time order.
    pub fn update(&mut self, w: &super::detector::WindowSides) -> Vec<SideChange> {
        if w.run == self.last_run {
            return Vec::new();
        }
        self.last_run = w.run;
        let now = w.end_s;
        let step_s = self.step_s();
        let regular = |d: f64| match step_s {
            Some(m) => d >= 0.6 * m && d <= MAX_STEP_RATIO * m,
            None => false,
        };
        let mut out = Vec::new();
        for k in 0..self.steps.len() {
            let st = self.steps[k];
            let age = now - st.t_s;
            if st.closed || !(SETTLE_S..=REVISION_S).contains(&age) {
                continue;
            }
            let seen = w
                .contacts
                .iter()
                .filter(|c| (c.0 - st.t_s).abs() <= super::detector::CONFIRM_TOLERANCE_S)
                .min_by(|a, b| (a.0 - st.t_s).abs().total_cmp(&(b.0 - st.t_s).abs()))
                .and_then(|c| c.1);
            let streak = match (seen, st.streak) {
                (Some(s), Some((p, n))) if s == p => Some((s, n.saturating_add(1))),
                (Some(s), _) => Some((s, 1)),
                (None, _) => None,
            };
            self.steps[k].streak = streak;
            // the side the sided neighbours a regular step away imply, if the step's own cues
            // point to it and the window's rule does not give it the neighbours' foot
            let foot = w
                .feet
                .iter()
                .filter(|c| (c.0 - st.t_s).abs() <= super::detector::CONFIRM_TOLERANCE_S)
                .min_by(|a, b| (a.0 - st.t_s).abs().total_cmp(&(b.0 - st.t_s).abs()))
                .and_then(|c| c.1);
            let implied: Vec<Side> = [k.checked_sub(1), k.checked_add(1)]
                .into_iter()
                .flatten()
                .filter_map(|j| self.steps.get(j))
                .filter(|o| regular((o.t_s - st.t_s).abs()))
                .filter_map(|o| o.side.map(Side::opposite))
                .collect();
            let carried = implied
                .first()
                .copied()
                .filter(|&s| implied.iter().all(|&x| x == s))
                .filter(|&s| foot == Some(s) && seen != Some(s.opposite()));
            let carry = match (carried, st.carry) {
                (Some(s), Some((p, n))) if s == p => Some((s, n.saturating_add(1))),
                (Some(s), _) => Some((s, 1)),
                (None, _) => None,
            };
            self.steps[k].carry = carry;
            match st.side {
                Some(shown) => {
                    if seen == Some(shown.opposite()) {
                        self.steps[k].side = None;
                        self.steps[k].closed = true;
                        out.push(SideChange {
                            t_s: st.t_s,
                            side: None,
                            previous: Some(shown),
                        });
                    }
                }
                None => {
                    let settled = |x: Option<(Side, usize)>| {
                        x.filter(|&(_, n)| n >= SETTLE_ANALYSES).map(|(s, _)| s)
                    };
                    let Some(s) = settled(streak).or(settled(carry)) else {
                        continue;
                    };
                    // the neighbours a regular step away must be on the other foot
                    let neighbours = [k.checked_sub(1), Some(k + 1)]
                        .into_iter()
                        .flatten()
                        .filter_map(|j| self.steps.get(j))
                        .filter(|o| regular((o.t_s - st.t_s).abs()))
                        .filter_map(|o| o.side);
                    if neighbours.into_iter().any(|o| o == s) {
                        continue;
                    }
                    self.steps[k].side = Some(s);
                    out.push(SideChange {
                        t_s: st.t_s,
                        side: Some(s),
                        previous: None,
                    });
                }
            }
        }
        // keep the open steps and a few before them for the alternation checks
        let keep_from = now - REVISION_S - 2.0 * super::pipeline::MAX_STEP_S;
        self.steps.retain(|s| s.t_s >= keep_from);
        out
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

    /// Windows every 0.1 s over steps `step_s` apart starting at `t0_s`, each window giving
    /// every contact the side `side_of(k, age)` (k = step number, age s) and no foot by its
    /// own cues.
    fn replay(
        reviser: &mut SideReviser,
        shown: &[Option<Side>],
        t0_s: f64,
        step_s: f64,
        side_of: &dyn Fn(usize, f64) -> Option<Side>,
    ) -> Vec<(SideChange, f64)> {
        replay_with_feet(reviser, shown, t0_s, step_s, side_of, &|_, _| None)
    }

    /// [`replay`] with the foot each contact's own cues point to, `foot_of(k, age)`.
    fn replay_with_feet(
        reviser: &mut SideReviser,
        shown: &[Option<Side>],
        t0_s: f64,
        step_s: f64,
        side_of: &dyn Fn(usize, f64) -> Option<Side>,
        foot_of: &dyn Fn(usize, f64) -> Option<Side>,
    ) -> Vec<(SideChange, f64)> {
        let mut out = Vec::new();
        let mut emitted = 0;
        for run in 1..400u64 {
            let now = t0_s + 0.1 * run as f64;
            // a step is emitted 0.15 s after its contact
            while emitted < shown.len() && t0_s + step_s * emitted as f64 + 0.15 <= now {
                reviser.emitted(t0_s + step_s * emitted as f64, shown[emitted]);
                emitted += 1;
            }
            let seen = |f: &dyn Fn(usize, f64) -> Option<Side>| {
                (0..shown.len())
                    .map(|k| t0_s + step_s * k as f64)
                    .filter(|&t| t <= now - 0.15)
                    .map(|t| (t + 0.01, f(((t - t0_s) / step_s).round() as usize, now - t)))
                    .collect()
            };
            let w = super::super::detector::WindowSides {
                end_s: now,
                contacts: seen(side_of),
                feet: seen(foot_of),
                walking_s: None,
                run,
            };
            out.extend(reviser.update(&w).into_iter().map(|c| (c, now)));
        }
        out
    }

    fn alternate(k: usize) -> Side {
        if k % 2 == 0 {
            Side::Left
        } else {
            Side::Right
        }
    }

    #[test]
    fn late_sides_are_shown_once_settled_and_within_the_look_ahead() {
        // a family of walks: step times 0.45–0.85 s, start times off the 0.1-s grid
        for (k, &step_s) in [0.45, 0.52, 0.6, 0.71, 0.85].iter().enumerate() {
            let t0 = 3.0 + 0.037 * k as f64;
            let mut r = SideReviser::default();
            let shown = vec![None; 12];
            let changes = replay(&mut r, &shown, t0, step_s, &|k, _| Some(alternate(k)));
            // every step gets its side, once, in time order, never earlier than SETTLE_S plus
            // SETTLE_ANALYSES − 1 windows, never later than REVISION_S
            assert_eq!(changes.len(), 12, "{step_s}");
            for (j, (c, at)) in changes.iter().enumerate() {
                let t = t0 + step_s * j as f64;
                assert_eq!(c.t_s, t);
                assert_eq!((c.side, c.previous), (Some(alternate(j)), None));
                let age = at - t;
                assert!(
                    age >= SETTLE_S + 0.1 * (SETTLE_ANALYSES - 1) as f64 - 1e-9,
                    "{age}"
                );
                assert!(
                    age <= SETTLE_S + 0.1 * SETTLE_ANALYSES as f64 + 1e-9,
                    "{age}"
                );
            }
        }
    }

    #[test]
    fn a_side_that_breaks_the_alternation_or_flickers_is_not_shown() {
        let step_s = 0.55;
        let t0 = 2.0;
        // step 4 is given the same side as its shown neighbours: it stays unknown
        let mut shown = vec![None; 8];
        shown[3] = Some(Side::Right);
        shown[5] = Some(Side::Right);
        let mut r = SideReviser::default();
        let changes = replay(&mut r, &shown, t0, step_s, &|k, _| {
            if k == 4 {
                Some(Side::Right)
            } else {
                Some(alternate(k))
            }
        });
        assert!(changes.iter().all(|(c, _)| c.t_s != t0 + 4.0 * step_s));
        // a side that changes from window to window never settles
        let mut r = SideReviser::default();
        let changes = replay(&mut r, &[None; 6], t0, step_s, &|k, age| {
            let flip = ((age * 10.0 + 0.25).floor() as usize) % 2 == 0;
            Some(if flip {
                alternate(k)
            } else {
                alternate(k).opposite()
            })
        });
        assert!(changes.is_empty(), "{changes:?}");
        // no side from the windows: nothing shown
        let mut r = SideReviser::default();
        assert!(replay(&mut r, &[None; 6], t0, step_s, &|_, _| None).is_empty());
    }

    #[test]
    fn the_alternation_is_carried_from_sided_steps_where_the_cues_agree() {
        use Side::{Left as L, Right as R};
        let step_s = 0.55;
        let t0 = 2.0;
        // the first two steps shown at emission; the windows' rule sides none of the others
        let mut shown = vec![None; 8];
        shown[0] = Some(L);
        shown[1] = Some(R);
        let feet = |k: usize, _: f64| Some(alternate(k));
        let mut r = SideReviser::default();
        let changes = replay_with_feet(&mut r, &shown, t0, step_s, &|_, _| None, &feet);
        // every later step takes the walk's alternation, in time order, within the look-ahead
        assert_eq!(changes.len(), 6, "{changes:?}");
        for (j, (c, at)) in changes.iter().enumerate() {
            let k = j + 2;
            assert_eq!(c.t_s, t0 + step_s * k as f64);
            assert_eq!((c.side, c.previous), (Some(alternate(k)), None));
            assert!(at - c.t_s >= SETTLE_S && at - c.t_s <= REVISION_S + 1e-9);
        }
        // no sided step to carry from: nothing
        let mut r = SideReviser::default();
        let changes = replay_with_feet(&mut r, &[None; 8], t0, step_s, &|_, _| None, &feet);
        assert!(changes.is_empty(), "{changes:?}");
        // step 4's own cues point to the foot of its neighbours: it and the steps after it,
        // which would be carried through it, stay unknown
        let mut r = SideReviser::default();
        let changes = replay_with_feet(&mut r, &shown, t0, step_s, &|_, _| None, &|k, _| {
            Some(if k == 4 { R } else { alternate(k) })
        });
        let sided: Vec<f64> = changes.iter().map(|(c, _)| c.t_s).collect();
        assert_eq!(
            sided,
            vec![t0 + 2.0 * step_s, t0 + 3.0 * step_s],
            "{changes:?}"
        );
        // no cues for step 3: carried no further than step 2
        let mut r = SideReviser::default();
        let changes = replay_with_feet(&mut r, &shown, t0, step_s, &|_, _| None, &|k, _| {
            (k != 3).then_some(alternate(k))
        });
        let sided: Vec<f64> = changes.iter().map(|(c, _)| c.t_s).collect();
        assert_eq!(sided, vec![t0 + 2.0 * step_s], "{changes:?}");
        // the windows' rule gives step 2 the foot of step 1: not carried (nor shown)
        let mut r = SideReviser::default();
        let changes = replay_with_feet(
            &mut r,
            &shown,
            t0,
            step_s,
            &|k, _| (k == 2).then_some(R),
            &feet,
        );
        assert!(
            changes
                .iter()
                .all(|(c, _)| c.t_s < t0 + 2.0 * step_s - 1e-9),
            "{changes:?}"
        );
        // after a pause (a step of 2.5 median steps) the alternation is not carried
        let mut r = SideReviser::default();
        let mut out = Vec::new();
        for run in 1..200u64 {
            let now = 0.1 * run as f64;
            let times = [1.0, 1.55, 2.1, 2.65, 4.0];
            let sides = [Some(L), Some(R), Some(L), Some(R), None];
            for (k, &t) in times.iter().enumerate() {
                if t + 0.15 <= now && t + 0.25 > now {
                    r.emitted(t, sides[k]);
                }
            }
            let w = super::super::detector::WindowSides {
                end_s: now,
                contacts: times.iter().map(|&t| (t, None)).collect(),
                feet: times.iter().map(|&t| (t, Some(L))).collect(),
                walking_s: None,
                run,
            };
            out.extend(r.update(&w));
        }
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_contradicted_side_is_withdrawn_and_never_flipped() {
        let step_s = 0.6;
        let t0 = 1.0;
        // steps shown at emission; the windows give step 2 the other foot from 1.5 s on
        let shown: Vec<Option<Side>> = (0..6).map(|k| Some(alternate(k))).collect();
        let mut r = SideReviser::default();
        let changes = replay(&mut r, &shown, t0, step_s, &|k, age| {
            if k == 2 && age >= 1.5 {
                Some(alternate(k).opposite())
            } else {
                Some(alternate(k))
            }
        });
        assert_eq!(changes.len(), 1, "{changes:?}");
        let (c, at) = changes[0];
        assert_eq!(c.t_s, t0 + 2.0 * step_s);
        assert_eq!((c.side, c.previous), (None, Some(alternate(2))));
        assert!(at - c.t_s >= 1.5 - 1e-9 && at - c.t_s <= 1.6 + 1e-9);
        // a window younger than SETTLE_S is not evidence: contradiction before it changes nothing
        let mut r = SideReviser::default();
        let changes = replay(&mut r, &shown, t0, step_s, &|k, age| {
            if age < SETTLE_S - 0.05 {
                Some(alternate(k).opposite())
            } else {
                Some(alternate(k))
            }
        });
        assert!(changes.is_empty(), "{changes:?}");
    }
}
