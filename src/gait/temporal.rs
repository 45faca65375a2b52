//! Stage 5: per-step and per-stride temporal parameters, per side (event algebra as in
//! scikit-digital-health's gait metrics, metrics.md A5).
//!
//! For alternating contacts IC_i (foot A), IC_i+1 (foot B), IC_i+2 (foot A) and toe-offs:
//! step time = IC_i+1 − IC_i (attributed to foot B, which lands); stride time = IC_i+2 − IC_i;
//! the first toe-off after IC_i is foot B's (FC_opp), the first after IC_i+1 is foot A's
//! (FC_same); stance = FC_same − IC_i; swing = IC_i+2 − FC_same; initial double support =
//! FC_opp − IC_i; terminal double support = FC_same − IC_i+1; single support =
//! IC_i+1 − FC_opp.
//!
//! Which strides are steady (the ones per-side values and indices use) is decided by the
//! shared rules of [`steady`](super::steady). A step is *regular* within
//! [`REGULAR_STEP_RATIO`] × the bout's median step time and within the bounds of any walk
//! ([`steady::step_in_bounds`]; outside either it hides a missed or an extra contact) and
//! *steady* (used for cadence) when it is regular and clear of the regular limits by
//! [`STEADY_STEP_GUARD`], its neighbours are regular, it lies outside turns, it is not one of
//! the [`EDGE_STEPS`] first or last steps of a walk (gait initiation and termination), and no
//! contact whose detection was marginal lies within [`MARGINAL_CONTACT_STEPS`] typical steps
//! of it. These margins keep cadence the same on every sampling grid: a marginal contact that
//! one grid accepts and another rejects turns one long step into two short ones or adds a
//! closing step to a walk, the walk's detected edge moves by a step, and a step near a regular
//! limit crosses it with a few milliseconds of contact timing; such steps are left out on
//! every grid.

use super::analysis::{Step, Stride};
use super::events::Side;
use super::steady::{self, BoutEdges, StrideTiming};

/// A step this many times longer (shorter) than the bout's median could have split the
/// bout: strides touching it are left out whether or not it did (the split itself is at
/// 2.2 × and 0.5 × the walking region's step period, see `walking_bouts`).
pub const POSSIBLE_BREAK_RATIO: (f64, f64) = (0.65, 1.6);

/// A step within these multiples of its bout's median step time is regular.
pub const REGULAR_STEP_RATIO: (f64, f64) = (0.6, 1.75);

/// Fraction of the median step time by which a steady step stays inside the regular limits
/// (0.06 s of a 0.6-s step, several times the contact timing's change between sampling grids).
pub const STEADY_STEP_GUARD: f64 = 0.1;

/// Steps within this many median step times of a marginal contact do not count for cadence:
/// more than one, so that the steps beside a marginal contact are left out whether it was
/// accepted (they end or start one step from it) or rejected (they border the long step over
/// it, which may be irregular).
pub const MARGINAL_CONTACT_STEPS: f64 = 1.5;

/// Steps at each end of a walk (started from or ending in standing) that do not count for
/// cadence, counted from the first and last contacts whose detection was not marginal (so that
/// a marginal closing contact, accepted or not, leaves the same steps out).
pub const EDGE_STEPS: usize = 2;

/// Contacts of one walking bout, in time order.
pub struct BoutEvents<'a> {
    pub bout: usize,
    pub ic_s: &'a [f64],
    pub sides: &'a [Option<Side>],
    /// Toe-offs in the bout, sorted.
    pub fc_s: &'a [f64],
    /// Step length per step (ic_s.len() − 1 entries), m.
    pub step_length_m: &'a [Option<f64>],
    /// Turn time ranges, s.
    pub turns: &'a [(f64, f64)],
    /// Uncertain turn time ranges, s.
    pub uncertain_turns: &'a [(f64, f64)],
    /// Contacts near the detection threshold, accepted or not, s.
    pub uncertain_contacts_s: &'a [f64],
    /// The bout was cut by missing data rather than starting or ending a walk, so its first
    /// (last) step is not a gait initiation (termination) step.
    pub starts_after_gap: bool,
    pub ends_before_gap: bool,
}

fn first_in(fc: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let i = fc.partition_point(|&t| t <= lo);
    fc.get(i).copied().filter(|&t| t < hi)
}

fn in_turn(turns: &[(f64, f64)], a: f64, b: f64) -> bool {
    turns.iter().any(|&(s, e)| a < e && b > s)
}

/// Steps and strides of one bout.
pub fn steps_and_strides(ev: &BoutEvents<'_>) -> (Vec<Step>, Vec<Stride>) {
    let ic = ev.ic_s;
    let n = ic.len();
    // a step far from the bout's typical duration hides a missed or an extra contact
    let durations: Vec<f64> = ic.windows(2).map(|w| w[1] - w[0]).collect();
    let median = crate::signal::stats::median(&durations).unwrap_or(0.0);
    let (lo, hi) = REGULAR_STEP_RATIO;
    let regular: Vec<bool> = durations
        .iter()
        .map(|&d| d >= lo * median && d <= hi * median && steady::step_in_bounds(d))
        .collect();
    let clear_of =
        |d: f64, m: f64| d >= (lo + STEADY_STEP_GUARD) * m && d <= (hi - STEADY_STEP_GUARD) * m;
    let clear: Vec<bool> = durations.iter().map(|&d| clear_of(d, median)).collect();
    // a marginal contact near the step, whether it was accepted or not: accepted, it may be
    // an extra contact or the end of the walk
    let margin = MARGINAL_CONTACT_STEPS * median;
    let near_marginal = |a: f64, b: f64| {
        ev.uncertain_contacts_s
            .iter()
            .any(|&c| c > a - margin && c < b + margin)
    };
    let marginal = |t: f64| {
        ev.uncertain_contacts_s
            .iter()
            .any(|&c| (c - t).abs() < 1e-9)
    };
    let first_sure = ic.iter().position(|&t| !marginal(t)).unwrap_or(n);
    let last_sure = ic.iter().rposition(|&t| !marginal(t)).unwrap_or(0);
    let mut steps = Vec::with_capacity(n.saturating_sub(1));
    for i in 0..n.saturating_sub(1) {
        steps.push(Step {
            bout: ev.bout,
            side: ev.sides[i + 1],
            start_s: ic[i],
            end_s: ic[i + 1],
            step_time_s: ic[i + 1] - ic[i],
            step_length_m: ev.step_length_m.get(i).copied().flatten(),
            in_turn: in_turn(ev.turns, ic[i], ic[i + 1]),
            regular: regular[i],
            steady: !in_turn(ev.turns, ic[i], ic[i + 1])
                && (i >= first_sure + EDGE_STEPS || ev.starts_after_gap)
                && (i + 1 + EDGE_STEPS <= last_sure || ev.ends_before_gap)
                && regular[i]
                && clear[i]
                && (i == 0 || regular[i - 1])
                && regular.get(i + 1).copied().unwrap_or(true)
                && !near_marginal(ic[i], ic[i + 1]),
        });
    }
    let mut strides = Vec::with_capacity(n.saturating_sub(2));
    for i in 0..n.saturating_sub(2) {
        let fc_opp = first_in(ev.fc_s, ic[i], ic[i + 1]);
        let fc_same = first_in(ev.fc_s, ic[i + 1], ic[i + 2]);
        let length = match (steps[i].step_length_m, steps[i + 1].step_length_m) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        let stride_time = ic[i + 2] - ic[i];
        strides.push(Stride {
            bout: ev.bout,
            side: ev.sides[i],
            start_s: ic[i],
            end_s: ic[i + 2],
            stride_time_s: stride_time,
            step_time_s: Some(durations[i + 1]),
            stance_time_s: fc_same.map(|f| f - ic[i]),
            swing_time_s: fc_same.map(|f| ic[i + 2] - f),
            initial_double_support_s: fc_opp.map(|f| f - ic[i]),
            terminal_double_support_s: fc_same.map(|f| f - ic[i + 1]),
            single_support_s: fc_opp.map(|f| ic[i + 1] - f),
            stride_length_m: length,
            speed_mps: length.map(|l| l / stride_time),
            in_turn: in_turn(ev.turns, ic[i], ic[i + 2]),
            steady: false,
            left_out: None,
        });
    }
    if strides.is_empty() {
        return (steps, strides);
    }
    let breaks: Vec<(f64, f64)> = durations
        .iter()
        .enumerate()
        .filter(|&(_, &d)| {
            d < POSSIBLE_BREAK_RATIO.0 * median || d > POSSIBLE_BREAK_RATIO.1 * median
        })
        .map(|(i, _)| (ic[i], ic[i + 1]))
        .collect();
    let bout = [BoutEdges {
        start_s: ic[0],
        end_s: ic[n - 1],
        initiation: !ev.starts_after_gap,
        termination: !ev.ends_before_gap,
    }];
    let timings: Vec<StrideTiming> = strides
        .iter()
        .map(|s| StrideTiming {
            bout: 0,
            side: s.side,
            start_s: s.start_s,
            end_s: s.end_s,
            stride_time_s: s.stride_time_s,
            stance_time_s: s.stance_time_s,
            swing_time_s: s.swing_time_s,
            step_time_s: s.step_time_s,
        })
        .collect();
    let reasons = steady::classify(
        &timings,
        &steady::Context {
            bouts: &bout,
            turns: ev.turns,
            uncertain_turns: ev.uncertain_turns,
            uncertain_contacts_s: ev.uncertain_contacts_s,
            possible_breaks: &breaks,
        },
    );
    for (st, r) in strides.iter_mut().zip(reasons) {
        st.left_out = r;
        st.steady = r.is_none();
    }
    (steps, strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_algebra_on_a_known_walk() {
        // L at 0.0, R at 0.6, L at 1.1, R at 1.7, L at 2.2; toe-offs 0.1 (R), 0.72 (L), 1.2 (R), 1.82 (L)
        let ic = [0.0, 0.6, 1.1, 1.7, 2.2];
        let sides = [
            Some(Side::Left),
            Some(Side::Right),
            Some(Side::Left),
            Some(Side::Right),
            Some(Side::Left),
        ];
        let fc = [0.1, 0.72, 1.2, 1.82];
        let sl = [Some(0.6), Some(0.5), Some(0.6), Some(0.5)];
        let (steps, strides) = steps_and_strides(&BoutEvents {
            bout: 0,
            ic_s: &ic,
            sides: &sides,
            fc_s: &fc,
            step_length_m: &sl,
            turns: &[],
            uncertain_turns: &[],
            uncertain_contacts_s: &[],
            starts_after_gap: false,
            ends_before_gap: false,
        });
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[0].side, Some(Side::Right));
        assert!(
            (steps[0].step_time_s - 0.6).abs() < 1e-12
                && (steps[1].step_time_s - 0.5).abs() < 1e-12
        );
        // first and last strides are bout edges; the middle one's swing (0.50 s) is far from
        // the bout's median of 0.38 s
        use crate::gait::steady::LeftOut;
        assert_eq!(
            strides.iter().map(|s| s.left_out).collect::<Vec<_>>(),
            vec![
                Some(LeftOut::BoutEdge),
                Some(LeftOut::OutOfBand),
                Some(LeftOut::BoutEdge)
            ]
        );
        // four steps: two at each end of the walk, none for cadence
        assert!(steps.iter().all(|s| !s.steady));
        // each stride's own step: the one landing with its last contact
        assert!((strides[0].step_time_s.unwrap() - 0.5).abs() < 1e-12);
        assert!((strides[1].step_time_s.unwrap() - 0.6).abs() < 1e-12);
        let s0 = &strides[0];
        assert_eq!(s0.side, Some(Side::Left));
        assert!((s0.stride_time_s - 1.1).abs() < 1e-12);
        assert!((s0.stance_time_s.unwrap() - 0.72).abs() < 1e-12);
        assert!((s0.swing_time_s.unwrap() - 0.38).abs() < 1e-12);
        assert!((s0.initial_double_support_s.unwrap() - 0.1).abs() < 1e-12);
        assert!((s0.terminal_double_support_s.unwrap() - 0.12).abs() < 1e-12);
        assert!((s0.single_support_s.unwrap() - 0.5).abs() < 1e-12);
        assert!((s0.stride_length_m.unwrap() - 1.1).abs() < 1e-12);
        assert!((s0.speed_mps.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(strides[1].side, Some(Side::Right));
        let (_, turned) = steps_and_strides(&BoutEvents {
            bout: 0,
            ic_s: &ic,
            sides: &sides,
            fc_s: &fc,
            step_length_m: &sl,
            turns: &[(1.0, 1.3)],
            uncertain_turns: &[],
            uncertain_contacts_s: &[],
            starts_after_gap: false,
            ends_before_gap: false,
        });
        assert!(turned.iter().all(|s| s.in_turn && !s.steady));
    }

    #[test]
    fn odd_steps_leave_their_strides_out() {
        // 14 contacts at 0.55 s, toe-offs 0.1 s after each contact; one late contact (k = 9)
        let mut ic: Vec<f64> = (0..14).map(|k| 0.55 * k as f64).collect();
        ic[9] += 0.2;
        let sides: Vec<Option<Side>> = (0..14)
            .map(|k| Some(if k % 2 == 0 { Side::Left } else { Side::Right }))
            .collect();
        let fc: Vec<f64> = ic.iter().map(|t| t + 0.1).collect();
        let sl = vec![None; 13];
        let (steps, strides) = steps_and_strides(&BoutEvents {
            bout: 0,
            ic_s: &ic,
            sides: &sides,
            fc_s: &fc,
            step_length_m: &sl,
            turns: &[],
            uncertain_turns: &[],
            uncertain_contacts_s: &[],
            starts_after_gap: false,
            ends_before_gap: false,
        });
        for (i, st) in strides.iter().enumerate() {
            // strides touching the late contact: stance, swing or step time out of band, or
            // next to the short step after it (a possible bout split)
            let odd = (7..=10).contains(&i);
            assert_eq!(
                st.steady,
                !odd && i > 0 && i + 1 < strides.len(),
                "stride {i}: {st:?}"
            );
            assert!((st.step_time_s.unwrap() - steps[i + 1].step_time_s).abs() < 1e-12);
        }
        // steps for cadence: all but two at each end and the 0.35-s step (regular, but
        // 0.64 × the median is within the guard of the 0.6 limit); the 0.75-s one is clear
        for (i, st) in steps.iter().enumerate() {
            assert!(st.regular, "step {i}");
            assert_eq!(
                st.steady,
                i >= 2 && i + 2 < steps.len() && i != 9,
                "step {i}"
            );
        }
    }

    /// Steps of a 0.5-s walk from `ic`, each contact with alternating sides and a toe-off
    /// 0.1 s after it; the times of the steady (cadence) steps.
    fn cadence_steps(ic: &[f64], uncertain: &[f64]) -> Vec<(f64, f64)> {
        let sides: Vec<Option<Side>> = (0..ic.len())
            .map(|k| Some(if k % 2 == 0 { Side::Left } else { Side::Right }))
            .collect();
        let fc: Vec<f64> = ic.iter().map(|t| t + 0.1).collect();
        let sl = vec![None; ic.len() - 1];
        let (steps, _) = steps_and_strides(&BoutEvents {
            bout: 0,
            ic_s: ic,
            sides: &sides,
            fc_s: &fc,
            step_length_m: &sl,
            turns: &[],
            uncertain_turns: &[],
            uncertain_contacts_s: uncertain,
            starts_after_gap: false,
            ends_before_gap: false,
        });
        steps
            .iter()
            .filter(|s| s.steady)
            .map(|s| (s.start_s, s.end_s))
            .collect()
    }

    #[test]
    fn a_marginal_contact_accepted_or_not_leaves_the_same_cadence_steps() {
        let walk: Vec<f64> = (0..20).map(|k| 0.5 * k as f64).collect();
        // the contact at 5.0 s is marginal: rejected, 4.5–5.5 is one 1.0-s step (regular,
        // 2 × the median is not: 1.75 × 0.5 = 0.875 s), accepted it is two steps
        let rejected: Vec<f64> = walk.iter().copied().filter(|&t| t != 5.0).collect();
        let with = cadence_steps(&walk, &[5.0]);
        let without = cadence_steps(&rejected, &[5.0]);
        assert_eq!(with, without);
        // every step within 1.5 median steps (0.75 s) of 5.0 s is out, and two at each end
        let expected: Vec<(f64, f64)> = walk
            .windows(2)
            .map(|w| (w[0], w[1]))
            .filter(|&(a, b)| a >= 1.0 && b <= 8.5 && !(a < 5.75 && b > 4.25))
            .collect();
        assert_eq!(expected.len(), 11);
        assert_eq!(with, expected);
        // a marginal contact at the end of the walk, accepted or not: the same steps
        let longer: Vec<f64> = (0..21).map(|k| 0.5 * k as f64).collect();
        assert_eq!(
            cadence_steps(&longer, &[10.0]),
            cadence_steps(&walk, &[10.0])
        );
    }

    #[test]
    fn steps_beside_an_irregular_step_do_not_count_for_cadence() {
        // a missed contact at 5.0 s: 4.5–5.5 is a 1.0-s step, irregular (> 1.75 × 0.5 s)
        let ic: Vec<f64> = (0..20)
            .map(|k| 0.5 * k as f64)
            .filter(|&t| t != 5.0)
            .collect();
        let got = cadence_steps(&ic, &[]);
        let expected: Vec<(f64, f64)> = ic
            .windows(2)
            .map(|w| (w[0], w[1]))
            .filter(|&(a, b)| a >= 1.0 && b <= 8.5 && b != 4.5 && a != 4.5 && a != 5.5)
            .collect();
        assert_eq!(expected.len(), 11);
        assert_eq!(got, expected);
        assert!(!got.contains(&(4.0, 4.5)) && !got.contains(&(5.5, 6.0)));
    }
}
