//! Summary of a walk: per-side means over steady steps and strides, then symmetry
//! (means first, then the index), variability and cadence.

use super::analysis::{GaitSummary, Step, Stride, SymmetrySummary, Variability};
use super::events::{PerSide, Side};
use super::symmetry::{
    evenness_pct, gait_asymmetry_pct, phase_coordination_index, symmetry_index_pct, symmetry_ratio,
};
use crate::signal::stats::{cv_pct, mean};

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

fn means(v: &PerSide<Vec<f64>>) -> PerSide<Option<f64>> {
    v.map(|x| mean(x))
}

fn pair(m: &PerSide<Option<f64>>) -> Option<(f64, f64)> {
    Some((m.left?, m.right?))
}

/// Summary over the steady steps and strides of all bouts.
pub fn summarize(
    steps: &[Step],
    strides: &[Stride],
    n_bouts: usize,
    walking_time_s: f64,
) -> GaitSummary {
    let steady_steps: Vec<&Step> = steps.iter().filter(|s| s.steady).collect();
    let steady_strides: Vec<&Stride> = strides.iter().filter(|s| s.steady).collect();
    let step_times: Vec<f64> = steady_steps.iter().map(|s| s.step_time_s).collect();
    let all = |f: &dyn Fn(&Stride) -> Option<f64>| -> Vec<f64> {
        steady_strides.iter().filter_map(|s| f(s)).collect()
    };

    let step_time = per_side(&steady_steps, |s| s.side, |s| Some(s.step_time_s));
    let step_len = per_side(&steady_steps, |s| s.side, |s| s.step_length_m);
    let stride_time = per_side(&steady_strides, |s| s.side, |s| Some(s.stride_time_s));
    let stance = per_side(&steady_strides, |s| s.side, |s| s.stance_time_s);
    let swing = per_side(&steady_strides, |s| s.side, |s| s.swing_time_s);
    let single = per_side(&steady_strides, |s| s.side, |s| s.single_support_s);
    let double = per_side(
        &steady_strides,
        |s| s.side,
        |s| Some(s.initial_double_support_s? + s.terminal_double_support_s?),
    );
    let stance_pct = per_side(
        &steady_strides,
        |s| s.side,
        |s| s.stance_time_s.map(|st| 100.0 * st / s.stride_time_s),
    );

    let m_step = means(&step_time);
    let m_stance = means(&stance);
    let m_swing = means(&swing);
    let m_single = means(&single);
    let m_len = means(&step_len);
    let si = |m: &PerSide<Option<f64>>| pair(m).and_then(|(l, r)| symmetry_index_pct(l, r));
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

    let step_lengths: Vec<f64> = steady_steps
        .iter()
        .filter_map(|s| s.step_length_m)
        .collect();
    let stride_lengths = all(&|s| s.stride_length_m);
    let speeds = all(&|s| s.speed_mps);

    GaitSummary {
        n_bouts,
        n_steps: steps.len(),
        n_steady_steps: steady_steps.len(),
        walking_time_s,
        cadence_spm: mean(&step_times).map(|t| 60.0 / t),
        step_length_m: mean(&step_lengths),
        stride_length_m: mean(&stride_lengths),
        walking_speed_mps: mean(&speeds),
        step_time_s: m_step,
        stride_time_s: means(&stride_time),
        stance_time_s: m_stance,
        swing_time_s: m_swing,
        single_support_s: m_single,
        double_support_s: means(&double),
        step_length_per_side_m: m_len,
        stance_pct: means(&stance_pct),
        symmetry: SymmetrySummary {
            step_time_si_pct: si(&m_step),
            step_time_ratio: ratio(&m_step),
            step_time_ga_pct: pair(&m_step).and_then(|(l, r)| gait_asymmetry_pct(l, r)),
            stance_time_si_pct: si(&m_stance),
            stance_time_ratio: ratio(&m_stance),
            swing_time_si_pct: si(&m_swing),
            swing_time_ratio: ratio(&m_swing),
            swing_time_ga_pct: pair(&m_swing).and_then(|(l, r)| gait_asymmetry_pct(l, r)),
            single_support_si_pct: si(&m_single),
            step_length_si_pct: si(&m_len),
            step_length_ratio: ratio(&m_len),
            pci_pct: phase_coordination_index(&phases).map(|p| p.pci_pct),
            step_time_evenness_pct: pair(&m_step).and_then(|(l, r)| evenness_pct(l, r)),
        },
        variability: Variability {
            step_time_cv_pct: cv_pct(&step_times),
            stride_time_cv_pct: cv_pct(&all(&|s| Some(s.stride_time_s))),
            stance_time_cv_pct: cv_pct(&all(&|s| s.stance_time_s)),
            swing_time_cv_pct: cv_pct(&all(&|s| s.swing_time_s)),
            step_time_cv_per_side_pct: step_time.map(|v| cv_pct(v)),
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
            starts_after_gap: false,
            ends_before_gap: false,
        });
        let s = summarize(&steps, &strides, 1, ic[ic.len() - 1]);
        assert!((s.step_time_s.left.unwrap() - 0.55).abs() < 1e-9);
        assert!((s.step_time_s.right.unwrap() - 0.45).abs() < 1e-9);
        // steps 2–19 (first and last excluded): nine of 0.45 s and nine of 0.55 s
        assert!((s.cadence_spm.unwrap() - 120.0).abs() < 1e-9);
        let si = s.symmetry.step_time_si_pct.unwrap();
        assert!((si - (0.45 - 0.55) / 0.5 * 100.0).abs() < 1e-9, "{si}");
        assert!((s.symmetry.step_time_ratio.unwrap() - 0.55 / 0.45).abs() < 1e-9);
        // stance: left foot from its contact to the toe-off after the right contact
        assert!((s.stance_time_s.left.unwrap() - 0.55).abs() < 1e-9);
        assert!((s.stance_time_s.right.unwrap() - 0.65).abs() < 1e-9);
        // PCI: the right contact lands at 0.45 / 1.0 of the left stride = 162°, no variability
        let pci = s.symmetry.pci_pct.unwrap();
        assert!((pci - 100.0 * 18.0 / 180.0).abs() < 1e-6, "{pci}");
        assert!(s.variability.stride_time_cv_pct.unwrap() < 1e-6);
        assert!((s.stride_length_m.unwrap() - 1.2).abs() < 1e-9);
        assert!((s.walking_speed_mps.unwrap() - 1.2).abs() < 1e-9);
    }
}
