//! Summary of a walk over its steady strides (chosen by [`steady`](super::steady)): per-side
//! values (20 % trimmed means, see [`symmetry`](super::symmetry)), then symmetry with its
//! uncertainty (per-side values first, then the index), variability and cadence.
//!
//! Per-side step values come from the steps closing steady strides, so every per-side value
//! and index comes from the same strides on both sides. Cadence, walking speed, lengths and
//! variability describe the walk as a whole and use more of it: every regular step or stride
//! outside turns that is not the first or last of a walk ([`walking_steps`],
//! [`walking_strides`]).

use super::analysis::{GaitSummary, SideComparisons, Step, Stride, SymmetrySummary, Variability};
use super::events::{PerSide, Side};
use super::steady::LeftOutCounts;
use super::symmetry::{
    evenness_pct, gait_asymmetry_pct, phase_coordination_index, symmetry_ratio, SideComparison,
};
use crate::signal::stats::{cv_pct, mean, trimmed_mean, TRIM};

/// The values of `items` with a side, split by side (items without a side or value are left
/// out).
pub fn per_side<'a, T: 'a>(
    items: impl IntoIterator<Item = &'a T>,
    side: impl Fn(&T) -> Option<Side>,
    value: impl Fn(&T) -> Option<f64>,
) -> PerSide<Vec<f64>> {
    let mut out = PerSide {
        left: Vec::new(),
        right: Vec::new(),
    };
    for it in items {
        if let (Some(s), Some(v)) = (side(it), value(it)) {
            out.get_mut(s).push(v);
        }
    }
    out
}

/// Per-side values: 20 % trimmed means.
pub fn side_values(v: &PerSide<Vec<f64>>) -> PerSide<Option<f64>> {
    v.map(|x| trimmed_mean(x, TRIM).map(|t| t.value))
}

fn pair(m: &PerSide<Option<f64>>) -> Option<(f64, f64)> {
    Some((m.left?, m.right?))
}

/// The strides that count towards the summary: the steady ones. Every value below is
/// computed from these (and the steps closing them), so a further exclusion is one more
/// condition here.
pub fn counted(strides: &[Stride]) -> Vec<&Stride> {
    strides.iter().filter(|s| s.steady).collect()
}

/// The steps of counted strides: those landing with a counted stride's last contact.
pub fn counted_steps<'a>(steps: &'a [Step], strides: &[&Stride]) -> Vec<&'a Step> {
    steps
        .iter()
        .filter(|st| {
            strides
                .iter()
                .any(|s| s.bout == st.bout && (s.end_s - st.end_s).abs() < 1e-9)
        })
        .collect()
}

/// The steps cadence and step-time variability are computed from: the steady ones (regular,
/// outside turns, not the first or last step of a walk).
pub fn walking_steps(steps: &[Step]) -> Vec<&Step> {
    steps.iter().filter(|st| st.steady).collect()
}

/// Strides outside turns made of two regular steps, not the first or last stride of their
/// bout: the strides walking speed, stride length and stride variability are computed from.
pub fn walking_strides<'a>(strides: &'a [Stride], steps: &[Step]) -> Vec<&'a Stride> {
    let regular_inside = |s: &Stride| {
        let inside: Vec<&Step> = steps
            .iter()
            .filter(|st| {
                st.bout == s.bout && st.start_s >= s.start_s - 1e-9 && st.end_s <= s.end_s + 1e-9
            })
            .collect();
        inside.len() == 2 && inside.iter().all(|st| st.regular)
    };
    strides
        .iter()
        .enumerate()
        .filter(|&(i, s)| {
            let first = i == 0 || strides[i - 1].bout != s.bout;
            let last = i + 1 == strides.len() || strides[i + 1].bout != s.bout;
            !s.in_turn && !first && !last && regular_inside(s)
        })
        .map(|(_, s)| s)
        .collect()
}

/// Below this many steady strides on a side, the notes warn that left/right indices are
/// uncertain (metrics.md A6 asks for 20–30 steady steps).
pub const FEW_STRIDES_PER_SIDE: usize = 5;

/// Plain-language notes on which strides the summary used: how many strides count, how many
/// were left out and why, and a warning when a side has few.
pub fn selection_notes(s: &GaitSummary) -> Vec<String> {
    let n = &s.n_steady_strides;
    let mut notes: Vec<String> = s.left_out.sentence(n.left + n.right).into_iter().collect();
    if n.left.min(n.right) < FEW_STRIDES_PER_SIDE && s.n_strides > 0 {
        notes.push(format!(
            "Left/right indices rest on only {} left and {} right strides: read them with their 95 % intervals.",
            n.left, n.right
        ));
    }
    notes
}

/// Summary over the steady steps and strides of all bouts.
pub fn summarize(
    steps: &[Step],
    strides: &[Stride],
    n_bouts: usize,
    walking_time_s: f64,
) -> GaitSummary {
    let steady_strides = counted(strides);
    let steady_steps = counted_steps(steps, &steady_strides);
    let walk_steps = walking_steps(steps);
    let walk_strides = walking_strides(strides, steps);
    let step_times: Vec<f64> = walk_steps.iter().map(|s| s.step_time_s).collect();
    let all = |f: &dyn Fn(&Stride) -> Option<f64>| -> Vec<f64> {
        walk_strides.iter().filter_map(|s| f(s)).collect()
    };
    let by_side = |f: &dyn Fn(&Stride) -> Option<f64>| {
        per_side(steady_strides.iter().copied(), |s| s.side, f)
    };

    let step_time = by_side(&|s| s.step_time_s);
    let step_len = per_side(
        steady_steps.iter().copied(),
        |s| s.side,
        |s| s.step_length_m,
    );
    let stride_time = by_side(&|s| Some(s.stride_time_s));
    let stance = by_side(&|s| s.stance_time_s);
    let swing = by_side(&|s| s.swing_time_s);
    let single = by_side(&|s| s.single_support_s);
    let double = by_side(&|s| Some(s.initial_double_support_s? + s.terminal_double_support_s?));
    let stance_pct = by_side(&|s| s.stance_time_s.map(|st| 100.0 * st / s.stride_time_s));

    let comparisons = SideComparisons {
        step_time: SideComparison::of(&step_time),
        stride_time: SideComparison::of(&stride_time),
        stance_time: SideComparison::of(&stance),
        swing_time: SideComparison::of(&swing),
        single_support: SideComparison::of(&single),
        double_support: SideComparison::of(&double),
        step_length: SideComparison::of(&step_len),
    };
    let m_step = side_values(&step_time);
    let m_stance = side_values(&stance);
    let m_swing = side_values(&swing);
    let m_single = side_values(&single);
    let m_len = side_values(&step_len);
    let si = |c: &Option<SideComparison>| c.map(|c| c.si_pct);
    let ratio = |m: &PerSide<Option<f64>>| pair(m).and_then(|(l, r)| symmetry_ratio(l, r));

    // PCI from steady left strides: phase of the right contact within the left stride
    let phases: Vec<f64> = steady_strides
        .iter()
        .filter(|s| s.side == Some(Side::Left))
        .filter_map(|s| {
            // steps are in time order: the step that starts with this stride
            let i = steps.partition_point(|st| st.start_s < s.start_s - 1e-9);
            let step = steps
                .get(i)
                .filter(|st| st.bout == s.bout && (st.start_s - s.start_s).abs() < 1e-9)?;
            Some(360.0 * step.step_time_s / s.stride_time_s)
        })
        .collect();

    let step_lengths: Vec<f64> = walk_steps.iter().filter_map(|s| s.step_length_m).collect();
    let stride_lengths = all(&|s| s.stride_length_m);
    let speeds = all(&|s| s.speed_mps);
    let left_out = LeftOutCounts::of(strides.iter().map(|s| s.left_out));
    let n_side = |side| {
        steady_strides
            .iter()
            .filter(|s| s.side == Some(side))
            .count()
    };

    GaitSummary {
        n_bouts,
        n_steps: steps.len(),
        n_steady_steps: steady_steps.len(),
        n_strides: strides.len(),
        n_steady_strides: PerSide {
            left: n_side(Side::Left),
            right: n_side(Side::Right),
        },
        left_out,
        walking_time_s,
        cadence_spm: mean(&step_times).map(|t| 60.0 / t),
        step_length_m: mean(&step_lengths),
        stride_length_m: mean(&stride_lengths),
        walking_speed_mps: mean(&speeds),
        step_time_s: m_step,
        stride_time_s: side_values(&stride_time),
        stance_time_s: m_stance,
        swing_time_s: m_swing,
        single_support_s: m_single,
        double_support_s: side_values(&double),
        step_length_per_side_m: m_len,
        stance_pct: side_values(&stance_pct),
        symmetry: SymmetrySummary {
            step_time_si_pct: si(&comparisons.step_time),
            step_time_ratio: ratio(&m_step),
            step_time_ga_pct: pair(&m_step).and_then(|(l, r)| gait_asymmetry_pct(l, r)),
            stance_time_si_pct: si(&comparisons.stance_time),
            stance_time_ratio: ratio(&m_stance),
            swing_time_si_pct: si(&comparisons.swing_time),
            swing_time_ratio: ratio(&m_swing),
            swing_time_ga_pct: pair(&m_swing).and_then(|(l, r)| gait_asymmetry_pct(l, r)),
            single_support_si_pct: si(&comparisons.single_support),
            step_length_si_pct: si(&comparisons.step_length),
            step_length_ratio: ratio(&m_len),
            pci_pct: phase_coordination_index(&phases).map(|p| p.pci_pct),
            step_time_evenness_pct: pair(&m_step).and_then(|(l, r)| evenness_pct(l, r)),
        },
        comparisons,
        variability: Variability {
            step_time_cv_pct: cv_pct(&step_times),
            stride_time_cv_pct: cv_pct(&all(&|s| Some(s.stride_time_s))),
            stance_time_cv_pct: cv_pct(&all(&|s| s.stance_time_s)),
            swing_time_cv_pct: cv_pct(&all(&|s| s.swing_time_s)),
            step_time_cv_per_side_pct: per_side(
                walk_steps.iter().copied(),
                |s| s.side,
                |s| Some(s.step_time_s),
            )
            .map(|v| cv_pct(v)),
        },
        regularity: None,
        harmonic_ratio: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gait::temporal::{steps_and_strides, BoutEvents};

    #[test]
    fn per_side_means_symmetry_and_pci_of_a_known_walk() {
        // left step (R→L) 0.55 s, right step (L→R) 0.45 s, toe-off 0.1 s after each contact
        let mut ic = vec![0.0];
        for k in 0..20 {
            let last = *ic.last().unwrap();
            ic.push(last + if k % 2 == 0 { 0.45 } else { 0.55 });
        }
        let sides: Vec<Option<Side>> = (0..ic.len())
            .map(|k| Some(if k % 2 == 0 { Side::Left } else { Side::Right }))
            .collect();
        let fc: Vec<f64> = ic.iter().map(|t| t + 0.1).collect();
        let sl = vec![Some(0.6); ic.len() - 1];
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
        let s = summarize(&steps, &strides, 1, ic[ic.len() - 1]);
        assert!((s.step_time_s.left.unwrap() - 0.55).abs() < 1e-9);
        assert!((s.step_time_s.right.unwrap() - 0.45).abs() < 1e-9);
        // strides 1–17 count (first and last are bout edges), 8 left and 9 right
        assert_eq!((s.n_steady_strides.left, s.n_steady_strides.right), (8, 9));
        assert_eq!(
            (s.n_strides, s.left_out.bout_edge, s.left_out.total()),
            (19, 2, 2)
        );
        // cadence over steps 2–19 (first and last excluded): nine of 0.45 s and nine of 0.55 s
        assert!((s.cadence_spm.unwrap() - 120.0).abs() < 1e-9);
        let si = s.symmetry.step_time_si_pct.unwrap();
        assert!((si - (0.45 - 0.55) / 0.5 * 100.0).abs() < 1e-9, "{si}");
        assert!((s.symmetry.step_time_ratio.unwrap() - 0.55 / 0.45).abs() < 1e-9);
        // stance: left foot from its contact to the toe-off after the right contact
        assert!((s.stance_time_s.left.unwrap() - 0.55).abs() < 1e-9);
        assert!((s.stance_time_s.right.unwrap() - 0.65).abs() < 1e-9);
        // identical strides: the index is known exactly
        let stance = s.comparisons.stance_time.unwrap();
        assert_eq!((stance.left.n, stance.right.n), (8, 9));
        assert!((stance.si_pct - 100.0 * 0.1 / 0.6).abs() < 1e-9);
        assert!(stance.si_ci95_pct.unwrap() < 1e-9);
        // PCI: the right contact lands at 0.45 / 1.0 of the left stride = 162°, no variability
        let pci = s.symmetry.pci_pct.unwrap();
        assert!((pci - 100.0 * 18.0 / 180.0).abs() < 1e-6, "{pci}");
        assert!(s.variability.stride_time_cv_pct.unwrap() < 1e-6);
        assert!((s.stride_length_m.unwrap() - 1.2).abs() < 1e-9);
        assert!((s.walking_speed_mps.unwrap() - 1.2).abs() < 1e-9);
    }
}
