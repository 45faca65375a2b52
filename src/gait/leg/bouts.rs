//! Walking bouts, turns and steady strides of a two-leg walk.
//!
//! * **Bouts**: runs of initial contacts (both legs, in time order) with no pause longer than
//!   [`BOUT_PAUSE_S`] and no unbridged gap between consecutive contacts; a bout needs at least
//!   three contacts.
//! * **Turns**, from each stride's heading change, with hysteresis: strides turning at least
//!   [`TURN_STRIDE_DEG`] one way that overlap in time (either leg) form an episode; it is a
//!   turn when one of its strides turns at least [`TURN_CORE_DEG`] and the episode at least
//!   [`MIN_ANGLE_DEG`] (the mean over the legs of each leg's summed heading change), and an
//!   uncertain turn otherwise.
//! * **Steady strides**: the shared rules of [`steady`](crate::gait::steady). A contact
//!   interval longer than [`POSSIBLE_PAUSE_RATIO`] × the walk's median step (or longer than
//!   [`BOUT_PAUSE_S`] / 1.5) could have ended the bout, and two contacts of one foot in a row
//!   mean one of the other foot was missed: strides touching either are left out.

use serde::Serialize;

use super::strides::LegStride;
use crate::gait::events::{Contact, Side};
use crate::gait::steady::{self, BoutEdges, StrideTiming};
use crate::gait::turns::{Turn, MIN_ANGLE_DEG};
use crate::gait::walking_bouts::WalkingBout;

/// Longest time between two initial contacts inside one walking bout, s.
pub const BOUT_PAUSE_S: f64 = 1.5;
/// A contact interval this many times the walk's median step could have been a pause.
pub const POSSIBLE_PAUSE_RATIO: f64 = 1.6;
/// A stride turning at least this much (heading change, deg) is part of a turning episode.
pub const TURN_STRIDE_DEG: f64 = 10.0;
/// A turning episode is a turn only when one of its strides turns at least this much, deg.
pub const TURN_CORE_DEG: f64 = 20.0;

/// Bouts and turns of a two-leg walk.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LegWalk {
    pub bouts: Vec<WalkingBout>,
    pub turns: Vec<Turn>,
    pub uncertain_turns: Vec<Turn>,
}

/// Finds bouts and turns and classifies every stride (sets `bout`, `steady`, `left_out`).
/// `contacts`: both legs' initial contacts in time order; `unfilled_gaps`: missing data that
/// was not bridged, (start, end) s.
pub fn walk(
    contacts: &[Contact],
    strides: &mut [LegStride],
    unfilled_gaps: &[(f64, f64)],
) -> LegWalk {
    let gap_between = |a: f64, b: f64| unfilled_gaps.iter().any(|&(s, e)| a < e && b > s);
    let mut bouts: Vec<WalkingBout> = Vec::new();
    let mut edges: Vec<BoutEdges> = Vec::new();
    let mut start = 0;
    let mut after_gap = false;
    for i in 1..=contacts.len() {
        let (ended, ended_by) = if i == contacts.len() {
            (true, "end")
        } else if gap_between(contacts[i - 1].t_s, contacts[i].t_s) {
            (true, "gap")
        } else {
            (
                contacts[i].t_s - contacts[i - 1].t_s > BOUT_PAUSE_S,
                "pause",
            )
        };
        if ended {
            if i - start >= 3 {
                bouts.push(WalkingBout {
                    start_s: contacts[start].t_s,
                    end_s: contacts[i - 1].t_s,
                    n_steps: 0,
                    ended_by,
                });
                edges.push(BoutEdges {
                    start_s: contacts[start].t_s,
                    end_s: contacts[i - 1].t_s,
                    initiation: !after_gap,
                    termination: ended_by != "gap",
                });
            }
            after_gap = ended_by == "gap";
            start = i;
        }
    }
    let bout_at = |t: f64| {
        bouts
            .iter()
            .position(|b| t >= b.start_s - 1e-9 && t <= b.end_s + 1e-9)
    };

    // possible pauses and missed contacts
    let steps: Vec<f64> = contacts
        .windows(2)
        .filter(|w| w[0].side != w[1].side)
        .map(|w| w[1].t_s - w[0].t_s)
        .collect();
    let median_step = crate::signal::stats::median(&steps).unwrap_or(BOUT_PAUSE_S);
    let long = (POSSIBLE_PAUSE_RATIO * median_step).min(BOUT_PAUSE_S / 1.5);
    let possible_breaks: Vec<(f64, f64)> = contacts
        .windows(2)
        .filter(|w| w[0].side == w[1].side || w[1].t_s - w[0].t_s > long)
        .map(|w| (w[0].t_s, w[1].t_s))
        .collect();

    let (turns, uncertain_turns) = turns_from_strides(strides);
    let spans =
        |v: &[Turn]| -> Vec<(f64, f64)> { v.iter().map(|t| (t.start_s, t.end_s)).collect() };
    let (turn_spans, uncertain_spans) = (spans(&turns), spans(&uncertain_turns));

    // strides within one bout are classified; the others span a pause or lie outside walking
    let inside: Vec<usize> = (0..strides.len())
        .filter(|&k| {
            let b = bout_at(strides[k].ic_s);
            b.is_some() && b == bout_at(strides[k].end_ic_s)
        })
        .collect();
    let timings: Vec<StrideTiming> = inside
        .iter()
        .map(|&k| {
            let s = &strides[k];
            StrideTiming {
                bout: bout_at(s.ic_s).unwrap_or(0),
                side: Some(s.side),
                start_s: s.ic_s,
                end_s: s.end_ic_s,
                stride_time_s: s.stride_time_s,
                stance_time_s: Some(s.stance_time_s),
                swing_time_s: Some(s.swing_time_s),
                step_time_s: s.step_time_s,
            }
        })
        .collect();
    let reasons = steady::classify(
        &timings,
        &steady::Context {
            bouts: &edges,
            turns: &turn_spans,
            uncertain_turns: &uncertain_spans,
            uncertain_contacts_s: &[],
            possible_breaks: &possible_breaks,
        },
    );
    for s in strides.iter_mut() {
        s.bout = None;
        s.steady = false;
        s.left_out = Some(steady::LeftOut::BoutEdge);
    }
    for (&k, (t, r)) in inside.iter().zip(timings.iter().zip(reasons)) {
        let s = &mut strides[k];
        s.bout = Some(t.bout);
        s.steady = r.is_none();
        s.left_out = r;
    }
    LegWalk {
        bouts,
        turns,
        uncertain_turns,
    }
}

/// Turns and uncertain turns from the strides' heading changes (see the module docs).
pub fn turns_from_strides(strides: &[LegStride]) -> (Vec<Turn>, Vec<Turn>) {
    let mut turning: Vec<&LegStride> = strides
        .iter()
        .filter(|s| s.turning_deg.is_some_and(|t| t.abs() >= TURN_STRIDE_DEG))
        .collect();
    turning.sort_by(|a, b| a.ic_s.total_cmp(&b.ic_s));
    // episodes: overlapping strides turning the same way
    let mut episodes: Vec<Vec<&LegStride>> = Vec::new();
    for s in turning {
        let sign = s.turning_deg.unwrap_or(0.0).signum();
        match episodes.last_mut() {
            Some(e)
                if e.iter().any(|o| o.end_ic_s >= s.ic_s - 1e-9)
                    && e[0].turning_deg.unwrap_or(0.0).signum() == sign =>
            {
                e.push(s)
            }
            _ => episodes.push(vec![s]),
        }
    }
    let (mut turns, mut uncertain) = (Vec::new(), Vec::new());
    for e in episodes {
        let start_s = e.iter().map(|s| s.ic_s).fold(f64::INFINITY, f64::min);
        let end_s = e
            .iter()
            .map(|s| s.end_ic_s)
            .fold(f64::NEG_INFINITY, f64::max);
        let per_side: Vec<f64> = [Side::Left, Side::Right]
            .into_iter()
            .filter_map(|side| {
                let v: Vec<f64> = e
                    .iter()
                    .filter(|s| s.side == side)
                    .filter_map(|s| s.turning_deg)
                    .collect();
                (!v.is_empty()).then(|| v.iter().sum())
            })
            .collect();
        let angle_deg = crate::signal::stats::mean(&per_side).unwrap_or(0.0);
        let core = e
            .iter()
            .any(|s| s.turning_deg.is_some_and(|t| t.abs() >= TURN_CORE_DEG));
        let t = Turn {
            start_s,
            end_s,
            angle_deg,
        };
        if core && angle_deg.abs() >= MIN_ANGLE_DEG {
            turns.push(t);
        } else {
            uncertain.push(t);
        }
    }
    (turns, uncertain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::steady::LeftOut;

    fn stride(side: Side, ic_s: f64, turning_deg: f64) -> LegStride {
        LegStride {
            side,
            bout: None,
            ic_s,
            fc_s: ic_s + 0.66,
            end_ic_s: ic_s + 1.1,
            stride_time_s: 1.1,
            stance_time_s: 0.66,
            swing_time_s: 0.44,
            stance_pct: 60.0,
            step_time_s: Some(0.55),
            initial_double_support_s: Some(0.11),
            single_support_s: Some(0.44),
            terminal_double_support_s: Some(0.11),
            double_support_s: Some(0.22),
            phase_deg: Some(180.0),
            cadence_spm: 120.0 / 1.1,
            stride_length_m: None,
            speed_mps: None,
            max_lift_m: None,
            turning_deg: Some(turning_deg),
            steady: false,
            left_out: None,
        }
    }

    /// `n` strides per foot; left ICs at 1.1·k, right ones 0.55 s later; heading change per
    /// stride from `turn(k)`.
    fn walk_strides(n: usize, turn: impl Fn(usize) -> f64) -> (Vec<Contact>, Vec<LegStride>) {
        let mut contacts = Vec::new();
        let mut strides = Vec::new();
        for k in 0..=n {
            for (side, off) in [(Side::Left, 0.0), (Side::Right, 0.55)] {
                let t = 1.1 * k as f64 + off;
                contacts.push(Contact {
                    t_s: t,
                    side: Some(side),
                });
                if k < n {
                    strides.push(stride(side, t, turn(k)));
                }
            }
        }
        strides.sort_by(|a, b| a.ic_s.total_cmp(&b.ic_s));
        (contacts, strides)
    }

    #[test]
    fn a_u_turn_is_one_turn_and_a_heading_wobble_an_uncertain_one() {
        // U-turn over strides 8–10 (−20, −140, −15 per stride), a 12° wobble at stride 15
        let (contacts, mut strides) = walk_strides(22, |k| match k {
            8 => -20.0,
            9 => -140.0,
            10 => -15.0,
            15 => 12.0,
            _ => 1.0,
        });
        let w = walk(&contacts, &mut strides, &[]);
        assert_eq!(w.bouts.len(), 1);
        assert_eq!(w.turns.len(), 1, "{:?}", w.turns);
        assert!((w.turns[0].angle_deg + 175.0).abs() < 1e-9);
        assert!((w.turns[0].start_s - 8.8).abs() < 1e-9 && (w.turns[0].end_s - 12.65).abs() < 1e-9);
        assert_eq!(w.uncertain_turns.len(), 1);
        for s in &strides {
            let expected = if s.ic_s < 12.65 && s.end_ic_s > 8.8 {
                Some(LeftOut::Turn)
            } else if s.ic_s < 18.15 && s.end_ic_s > 16.5 {
                Some(LeftOut::UncertainTurn)
            } else if s.ic_s < 0.1 || s.end_ic_s > 22.0 * 1.1 + 0.55 - 0.1 {
                Some(LeftOut::BoutEdge)
            } else {
                None
            };
            assert_eq!(s.left_out, expected, "{s:?}");
            assert_eq!(s.steady, expected.is_none());
        }
    }

    #[test]
    fn pauses_split_bouts_and_a_missed_contact_leaves_its_strides_out() {
        let (mut contacts, mut strides) = walk_strides(20, |_| 0.0);
        // a 2 s pause before the left contact at 11.0 s: later contacts and strides move
        for c in contacts.iter_mut().filter(|c| c.t_s > 10.9) {
            c.t_s += 2.0;
        }
        for s in strides.iter_mut().filter(|s| s.ic_s > 10.9) {
            s.ic_s += 2.0;
            s.end_ic_s += 2.0;
        }
        // the strides over the pause are 2 s longer
        for s in strides
            .iter_mut()
            .filter(|s| s.ic_s < 10.9 && s.end_ic_s > 10.9)
        {
            s.end_ic_s += 2.0;
            s.stride_time_s += 2.0;
        }
        // the right contact at 4.95 s is missed
        contacts.retain(|c| (c.t_s - 4.95).abs() > 1e-9);
        let w = walk(&contacts, &mut strides, &[]);
        assert_eq!(w.bouts.len(), 2, "{:?}", w.bouts);
        assert_eq!(w.bouts[0].ended_by, "pause");
        for s in &strides {
            let around_missed = s.ic_s <= 5.5 && s.end_ic_s >= 4.4;
            let at_pause = s.ic_s <= 13.0 + 1e-9 && s.end_ic_s >= 10.45 - 1e-9;
            if around_missed || at_pause {
                assert!(!s.steady, "{s:?}");
                assert_eq!(s.left_out, Some(LeftOut::BoutEdge), "{s:?}");
            }
        }
        assert!(strides.iter().filter(|s| s.steady).count() >= 20);
    }
}
