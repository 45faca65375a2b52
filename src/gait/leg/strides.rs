//! Per-stride temporal (and, for feet, spatial) parameters from both legs' events, and the
//! per-side summary with left/right symmetry over the steady strides (chosen in
//! [`bouts`](super::bouts) by the shared rules of [`steady`](crate::gait::steady); per-side
//! values are 20 % trimmed means, see [`symmetry`](crate::gait::symmetry)).
//!
//! A stride of leg A runs from its initial contact IC_k to IC_{k+1}; FC is A's toe-off in
//! between, and IC'/FC' are the other leg's first initial contact / final contact after IC_k.
//! Event algebra (metrics.md A5):
//! stance = FC − IC_k, swing = IC_{k+1} − FC, initial double support = FC' − IC_k,
//! single support = IC' − FC' (the other leg's swing), terminal double support = FC − IC',
//! step time = IC_{k+1} − IC' (this leg's step, landing with the stride's closing contact),
//! phase = 360° · (IC' − IC_k) / stride time.

use serde::Serialize;

use crate::gait::events::{PerSide, Side};
use crate::gait::steady::LeftOut;
use crate::gait::summary::side_values;
use crate::gait::symmetry::{phase_coordination_index, PciResult, Symmetry};
use crate::signal::stats::mean;

use super::trajectory::StrideTrajectory;

/// Longest stride accepted, s; a longer pause between contacts ends the walking bout.
pub const MAX_STRIDE_S: f64 = 3.0;
/// Shortest stride accepted, s.
pub const MIN_STRIDE_S: f64 = 0.4;

/// Events of one leg on the common timeline, s. `ic_s[k]`, `fc_s[k]` belong to gait cycle
/// `k` (toe-off `fc_s[k]` precedes `ic_s[k]`); `segment[k]` is the continuous-data segment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LegEvents {
    pub ic_s: Vec<f64>,
    pub fc_s: Vec<f64>,
    pub mid_swing_s: Vec<f64>,
    pub mid_stance_s: Vec<Option<f64>>,
    #[serde(skip)]
    pub segment: Vec<usize>,
}

/// One stride with its parameters. Times in s, lengths in m, angles in deg.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegStride {
    pub side: Side,
    pub ic_s: f64,
    pub fc_s: f64,
    pub end_ic_s: f64,
    pub stride_time_s: f64,
    pub stance_time_s: f64,
    pub swing_time_s: f64,
    pub stance_pct: f64,
    /// This leg's step: from the other leg's contact inside the stride to the stride's
    /// closing contact.
    pub step_time_s: Option<f64>,
    pub initial_double_support_s: Option<f64>,
    pub single_support_s: Option<f64>,
    pub terminal_double_support_s: Option<f64>,
    pub double_support_s: Option<f64>,
    pub phase_deg: Option<f64>,
    /// Steps per minute implied by this stride (two steps per stride).
    pub cadence_spm: f64,
    pub stride_length_m: Option<f64>,
    pub speed_mps: Option<f64>,
    /// Highest sensor lift above its foot-flat height during the swing, m (foot sensors).
    /// On the bundled recording it reads 5–6 cm below the motion-capture value, which follows
    /// a heel marker; compare it between sessions of one person, not with norms.
    pub max_lift_m: Option<f64>,
    /// Heading change over the stride, deg, positive = left turn.
    pub turning_deg: Option<f64>,
    /// Walking bout (index into the analysis' bouts); `None` for a stride over a pause.
    pub bout: Option<usize>,
    /// Why the stride does not count; `None` when it does.
    pub left_out: Option<LeftOut>,
    /// Counts towards per-side values and symmetry (see [`crate::gait::steady`]).
    pub steady: bool,
}

/// Builds the strides of `side` from both legs' events. `trajectories[k]` (if given) is the
/// foot's displacement from the mid-stance after IC_k to the mid-stance after IC_{k+1};
/// `turning_deg[k]` the heading change over stride k. Strides are not yet classified
/// (`steady` false, no bout): see [`bouts::walk`](super::bouts::walk).
pub fn build_strides(
    side: Side,
    own: &LegEvents,
    other: &LegEvents,
    trajectories: &[Option<StrideTrajectory>],
    turning_deg: &[Option<f64>],
) -> Vec<LegStride> {
    let mut out: Vec<LegStride> = Vec::new();
    for k in 0..own.ic_s.len().saturating_sub(1) {
        let (ic, end) = (own.ic_s[k], own.ic_s[k + 1]);
        let fc = own.fc_s[k + 1];
        let stride = end - ic;
        let valid = own.segment[k] == own.segment[k + 1]
            && (MIN_STRIDE_S..=MAX_STRIDE_S).contains(&stride)
            && fc > ic
            && fc < end;
        if !valid {
            continue;
        }
        // event lists are sorted in time: binary search instead of scans
        let first_after = |v: &[f64], t: f64| v.get(v.partition_point(|&x| x <= t)).copied();
        let ic_other = first_after(&other.ic_s, ic).filter(|&t| t < end);
        let fc_other = first_after(&other.fc_s, ic).filter(|&t| ic_other.is_none_or(|o| t < o));
        let ids = fc_other.map(|f| f - ic);
        let ss = ic_other.zip(fc_other).map(|(o, f)| o - f);
        let tds = ic_other.map(|o| fc - o);
        let traj = trajectories.get(k).copied().flatten();
        out.push(LegStride {
            side,
            bout: None,
            ic_s: ic,
            fc_s: fc,
            end_ic_s: end,
            stride_time_s: stride,
            stance_time_s: fc - ic,
            swing_time_s: end - fc,
            stance_pct: 100.0 * (fc - ic) / stride,
            step_time_s: ic_other.map(|o| end - o),
            initial_double_support_s: ids,
            single_support_s: ss,
            terminal_double_support_s: tds,
            double_support_s: ids.zip(tds).map(|(a, b)| a + b),
            phase_deg: ic_other.map(|o| 360.0 * (o - ic) / stride),
            cadence_spm: 120.0 / stride,
            stride_length_m: traj.map(|t| t.stride_length_m),
            // stride time, not the mid-stance spacing: mid-stance is only located to ±25 ms
            speed_mps: traj.map(|t| t.stride_length_m / stride),
            max_lift_m: traj.map(|t| t.max_lift_m),
            turning_deg: turning_deg.get(k).copied().flatten(),
            steady: false,
            left_out: None,
        });
    }
    out
}

/// Per-side values over steady strides and their symmetry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegSummary {
    pub n_strides: PerSide<usize>,
    pub n_steady_strides: PerSide<usize>,
    /// Steps per minute over steady strides of both legs.
    pub cadence_spm: Option<f64>,
    pub stride_time_s: PerSide<Option<f64>>,
    pub step_time_s: PerSide<Option<f64>>,
    pub stance_time_s: PerSide<Option<f64>>,
    pub swing_time_s: PerSide<Option<f64>>,
    pub stance_pct: PerSide<Option<f64>>,
    pub single_support_s: PerSide<Option<f64>>,
    pub initial_double_support_s: PerSide<Option<f64>>,
    pub terminal_double_support_s: PerSide<Option<f64>>,
    pub double_support_s: PerSide<Option<f64>>,
    pub stride_length_m: PerSide<Option<f64>>,
    pub speed_mps: PerSide<Option<f64>>,
    pub max_lift_m: PerSide<Option<f64>>,
    /// Mean over steady strides of both feet (foot sensors).
    pub walking_speed_mps: Option<f64>,
    pub symmetry: LegSymmetry,
}

/// Symmetry of the per-side values with its uncertainty (sign: right relative to left).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegSymmetry {
    pub stride_time: Option<Symmetry>,
    pub step_time: Option<Symmetry>,
    pub stance_time: Option<Symmetry>,
    pub swing_time: Option<Symmetry>,
    pub single_support: Option<Symmetry>,
    pub double_support: Option<Symmetry>,
    pub stride_length: Option<Symmetry>,
    /// Phase coordination index with the left leg as reference.
    pub pci: Option<PciResult>,
}

impl LegSummary {
    /// Withholds the values measured between the legs (step time, double support, phase):
    /// right only when both legs are on one verified timeline.
    pub fn withhold_timing_between_legs(&mut self) {
        self.step_time_s = PerSide::default();
        self.initial_double_support_s = PerSide::default();
        self.terminal_double_support_s = PerSide::default();
        self.double_support_s = PerSide::default();
        self.symmetry.step_time = None;
        self.symmetry.double_support = None;
        self.symmetry.pci = None;
    }
}

impl LegSymmetry {
    /// No index: the evidence does not support comparing the legs.
    pub fn withheld() -> LegSymmetry {
        LegSymmetry {
            stride_time: None,
            step_time: None,
            stance_time: None,
            swing_time: None,
            single_support: None,
            double_support: None,
            stride_length: None,
            pci: None,
        }
    }
}

/// Summarises strides of both legs (see [`LegSummary`]): per-side values are 20 % trimmed
/// means over the steady strides; cadence and walking speed are means.
pub fn summarize(strides: &[LegStride]) -> LegSummary {
    let steady = |side: Side| strides.iter().filter(move |s| s.side == side && s.steady);
    let samples = |f: &dyn Fn(&LegStride) -> Option<f64>| PerSide {
        left: steady(Side::Left).filter_map(f).collect::<Vec<_>>(),
        right: steady(Side::Right).filter_map(f).collect::<Vec<_>>(),
    };
    let side_mean = |f: &dyn Fn(&LegStride) -> Option<f64>| side_values(&samples(f));
    let stride_time = samples(&|s| Some(s.stride_time_s));
    let step_time = samples(&|s| s.step_time_s);
    let stance_time = samples(&|s| Some(s.stance_time_s));
    let swing_time = samples(&|s| Some(s.swing_time_s));
    let single_support = samples(&|s| s.single_support_s);
    let double_support = samples(&|s| s.double_support_s);
    let stride_length = samples(&|s| s.stride_length_m);
    let all_steady: Vec<&LegStride> = strides.iter().filter(|s| s.steady).collect();
    let phases: Vec<f64> = steady(Side::Left).filter_map(|s| s.phase_deg).collect();
    LegSummary {
        n_strides: PerSide {
            left: strides.iter().filter(|s| s.side == Side::Left).count(),
            right: strides.iter().filter(|s| s.side == Side::Right).count(),
        },
        n_steady_strides: PerSide {
            left: steady(Side::Left).count(),
            right: steady(Side::Right).count(),
        },
        cadence_spm: mean(
            &all_steady
                .iter()
                .map(|s| s.stride_time_s)
                .collect::<Vec<_>>(),
        )
        .map(|t| 120.0 / t),
        stance_pct: side_mean(&|s| Some(s.stance_pct)),
        initial_double_support_s: side_mean(&|s| s.initial_double_support_s),
        terminal_double_support_s: side_mean(&|s| s.terminal_double_support_s),
        speed_mps: side_mean(&|s| s.speed_mps),
        max_lift_m: side_mean(&|s| s.max_lift_m),
        walking_speed_mps: mean(
            &all_steady
                .iter()
                .filter_map(|s| s.speed_mps)
                .collect::<Vec<_>>(),
        ),
        symmetry: LegSymmetry {
            stride_time: Symmetry::from_samples(&stride_time),
            step_time: Symmetry::from_samples(&step_time),
            stance_time: Symmetry::from_samples(&stance_time),
            swing_time: Symmetry::from_samples(&swing_time),
            single_support: Symmetry::from_samples(&single_support),
            double_support: Symmetry::from_samples(&double_support),
            stride_length: Symmetry::from_samples(&stride_length),
            pci: phase_coordination_index(&phases),
        },
        stride_time_s: side_values(&stride_time),
        step_time_s: side_values(&step_time),
        stance_time_s: side_values(&stance_time),
        swing_time_s: side_values(&swing_time),
        single_support_s: side_values(&single_support),
        double_support_s: side_values(&double_support),
        stride_length_m: side_values(&stride_length),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Left ICs at k·1.1 s, right ICs half a stride later; right stance 0.72 s, left 0.66 s.
    fn events(side: Side, n: usize) -> LegEvents {
        let (offset, stance) = match side {
            Side::Left => (0.0, 0.66),
            Side::Right => (0.55, 0.72),
        };
        let ic_s: Vec<f64> = (0..n).map(|k| offset + 1.1 * k as f64).collect();
        // toe-off of cycle k precedes IC k: previous IC + stance
        let fc_s: Vec<f64> = ic_s.iter().map(|ic| ic - 1.1 + stance).collect();
        LegEvents {
            mid_swing_s: ic_s.iter().map(|t| t - 0.2).collect(),
            mid_stance_s: vec![None; n],
            segment: vec![0; n],
            ic_s,
            fc_s,
        }
    }

    #[test]
    fn event_algebra_gives_known_phases_for_each_side() {
        let (l, r) = (events(Side::Left, 10), events(Side::Right, 10));
        let left = build_strides(Side::Left, &l, &r, &[], &[]);
        let right = build_strides(Side::Right, &r, &l, &[], &[]);
        assert_eq!(left.len(), 9);
        let s = &left[3];
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(
            close(s.stride_time_s, 1.1)
                && close(s.stance_time_s, 0.66)
                && close(s.swing_time_s, 0.44)
        );
        // right toe-off 0.72 - 0.55 = 0.17 s after left IC; right IC 0.55 s after left IC
        assert!(close(s.initial_double_support_s.unwrap(), 0.17));
        assert!(close(s.single_support_s.unwrap(), 0.38));
        assert!(close(s.terminal_double_support_s.unwrap(), 0.11));
        assert!(close(s.step_time_s.unwrap(), 0.55) && close(s.phase_deg.unwrap(), 180.0));
        let q = &right[3];
        assert!(
            close(q.initial_double_support_s.unwrap(), 0.11)
                && close(q.single_support_s.unwrap(), 0.44)
        );
        assert!(close(q.terminal_double_support_s.unwrap(), 0.17) && close(q.stance_time_s, 0.72));

        let mut all: Vec<LegStride> = left.into_iter().chain(right).collect();
        let mut contacts: Vec<crate::gait::Contact> = [(Side::Left, &l), (Side::Right, &r)]
            .into_iter()
            .flat_map(|(side, e)| {
                e.ic_s.iter().map(move |&t_s| crate::gait::Contact {
                    t_s,
                    side: Some(side),
                })
            })
            .collect();
        contacts.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        super::super::bouts::walk(&contacts, &mut all, &[]);
        // the first left and the last right stride are the walk's edges
        let steady: Vec<bool> = all.iter().map(|s| s.steady).collect();
        assert!(
            !steady[0] && steady[1..17].iter().all(|&x| x) && !steady[17],
            "{steady:?}"
        );
        let sum = summarize(&all);
        assert_eq!(
            (sum.n_steady_strides.left, sum.n_steady_strides.right),
            (8, 8)
        );
        assert!(sum.symmetry.stance_time.unwrap().si_ci95_pct.unwrap() < 1e-9);
        let si = sum.symmetry.stance_time.unwrap().si_pct.unwrap();
        assert!((si - 100.0 * 0.06 / 0.69).abs() < 1e-9, "stance SI {si}");
        let si_sw = sum.symmetry.swing_time.unwrap().si_pct.unwrap();
        assert!(
            (si_sw - 100.0 * (0.38 - 0.44) / 0.41).abs() < 1e-9,
            "swing SI {si_sw}"
        );
        // right single support is the left swing (0.44 s), left single support the right swing (0.38 s)
        assert!(
            (sum.symmetry.single_support.unwrap().si_pct.unwrap() - 100.0 * 0.06 / 0.41).abs()
                < 1e-9
        );
        assert!((sum.cadence_spm.unwrap() - 120.0 / 1.1).abs() < 1e-9);
        assert!(sum.symmetry.pci.unwrap().pci_pct.abs() < 1e-9);
    }

    #[test]
    fn strides_over_pauses_or_without_a_toe_off_inside_them_are_not_built() {
        let (mut l, r) = (events(Side::Left, 12), events(Side::Right, 12));
        // a 2.5 s pause after cycle 5 shifts later left contacts (stride 5 becomes too long)
        for k in 6..12 {
            l.ic_s[k] += 2.5;
            l.fc_s[k] += 2.5;
        }
        // cycle 9's toe-off after its contact
        l.fc_s[9] = l.ic_s[9] + 0.1;
        let s = build_strides(Side::Left, &l, &r, &[], &[]);
        assert_eq!(s.len(), 9);
        assert!(s
            .iter()
            .all(|x| x.stride_time_s <= MAX_STRIDE_S && !x.steady));
        assert!(!s.iter().any(|x| (x.ic_s - l.ic_s[8]).abs() < 1e-9));
    }
}
