//! The lower-back pipeline: body frame → walking bouts → initial and final contacts →
//! left/right → steps and strides → step length and speed → symmetry, regularity, harmonic
//! ratio, variability.

use std::path::Path;

use super::analysis::GaitAnalysis;
use super::body_frame::to_body_frame;
use super::events::{Contact, Side};
use super::initial_contacts::{self, IcParams};
use super::walking_bouts::{self, BoutParams, WalkingBout};
use super::{
    final_contacts, harmonic_ratio, laterality, regularity, spatial, summary, temporal, turns,
};
use crate::error::Result;
use crate::recording::{Axes, UniformImu};

/// No contact is accepted this close to a gap that was too long to bridge, s: the wavelet
/// transforms there see interpolated, not measured, signal.
pub const GAP_GUARD_S: f64 = 0.1;

/// Weight of a contact inside a turn in the left/right alternation vote. Turning adds a
/// large yaw rate of its own; down-weighting those contacts raised left/right accuracy on the
/// daily-living fixture HA001 Test11 from 0.72 to 0.93 without changing the straight walks.
pub const TURN_VOTE_WEIGHT: f64 = 0.1;

/// Settings of the lower-back pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerBackOptions {
    /// Height of the sensor above the floor while standing, m; spatial metrics need it.
    pub sensor_height_m: Option<f64>,
    pub initial_contacts: IcParams,
    pub bouts: BoutParams,
    /// Delay from the trunk acceleration peak to toe-off, s.
    pub final_contact_delay_s: f64,
}

impl Default for LowerBackOptions {
    fn default() -> Self {
        LowerBackOptions {
            sensor_height_m: None,
            initial_contacts: IcParams::default(),
            bouts: BoutParams::default(),
            final_contact_delay_s: 0.11,
        }
    }
}

/// Runs the pipeline on one lower-back recording. `source` names the file in errors.
pub fn analyze(
    imu: &UniformImu,
    axes: Axes,
    source: &Path,
    opts: &LowerBackOptions,
) -> Result<GaitAnalysis> {
    let fs = imu.fs_hz;
    let (body, alignment) = to_body_frame(imu, axes, source)?;
    let mut notes = Vec::new();
    if alignment.tilt_from_declared_deg > 15.0 {
        notes.push(format!(
            "The sensor sat {:.0}° away from its declared axes; the signals were re-aligned to gravity.",
            alignment.tilt_from_declared_deg
        ));
    }
    let n = body.len();
    let t0 = imu.t0_s;
    let acc_v = &body.acc_v_mps2;
    let turn_detection = turns::detect(&body.gyr_v_dps, fs).shifted(t0);
    let spans =
        |v: &[turns::Turn]| -> Vec<(f64, f64)> { v.iter().map(|t| (t.start_s, t.end_s)).collect() };
    let turn_spans = spans(&turn_detection.turns);
    let uncertain_turn_spans = spans(&turn_detection.uncertain);
    // Gaps too long to bridge: the signal there is interpolated only to keep the filters
    // continuous; no contact may lie in or next to one, and no step may cross one.
    let unfilled: Vec<(f64, f64)> = imu
        .gaps
        .iter()
        .filter(|g| !g.filled)
        .map(|g| ((g.start_s - t0) * fs, (g.end_s - t0) * fs))
        .collect();
    let guard = GAP_GUARD_S * fs;
    let near_gap = |i: f64| {
        unfilled
            .iter()
            .any(|&(a, b)| i > a - guard && i < b + guard)
    };
    let gap_between = |i: f64, j: f64| unfilled.iter().any(|&(a, b)| i < b && j > a);

    let mut bouts = Vec::new();
    let mut initial_contacts = Vec::new();
    let mut final_contacts = Vec::new();
    let mut steps = Vec::new();
    let mut strides = Vec::new();
    let mut hr_ranges = Vec::new();
    let mut reg_inputs: Vec<(std::ops::Range<usize>, f64)> = Vec::new();
    for region in walking_bouts::walking_regions(acc_v, fs, &opts.bouts) {
        let f_step = 1.0 / region.step_period_s;
        let margin = (2.0 * fs) as usize;
        let lo = region.start.saturating_sub(margin);
        let hi = (region.end + margin).min(n);
        let det = initial_contacts::detect(&acc_v[lo..hi], fs, f_step, &opts.initial_contacts);
        // the per-step signals are needed only where someone walks: the region and its margins
        // (indices below into `lat` and `position` are relative to `lo`)
        let lat =
            laterality::laterality_signal(&body.gyr_v_dps[lo..hi], &body.gyr_ap_dps[lo..hi], fs);
        let position = spatial::VerticalPosition::new(&acc_v[lo..hi], fs);
        let in_region: Vec<_> = det
            .contacts
            .iter()
            .filter(|d| {
                d.index + lo as f64 >= region.start as f64
                    && d.index + (lo as f64) < region.end as f64
            })
            .collect();
        // weak lobes are weight shifts and sway, not steps: compare with the region's typical step
        let strengths: Vec<f64> = in_region.iter().map(|d| d.strength).collect();
        let typical = crate::signal::stats::percentile(&strengths, 80.0).unwrap_or(0.0);
        let threshold = (opts.bouts.min_relative_strength * typical).max(opts.bouts.min_strength);
        let ics: Vec<f64> = in_region
            .iter()
            .filter(|d| d.strength >= threshold)
            .map(|d| d.index + lo as f64)
            .filter(|&i| !near_gap(i))
            .collect();
        // contacts whose acceptance is marginal either way: strides near them do not count
        let uncertain_contacts_s: Vec<f64> = in_region
            .iter()
            .filter(|d| opts.bouts.is_marginal_strength(d.strength, threshold))
            .map(|d| t0 + (d.index + lo as f64) / fs)
            .collect();
        // gap-free chunks, then regular runs of steps within each
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        let mut c0 = 0;
        for k in 1..=ics.len() {
            if k == ics.len() || gap_between(ics[k - 1], ics[k]) {
                chunks.push(c0..k);
                c0 = k;
            }
        }
        let n_chunks = chunks.len();
        for (c, chunk) in chunks.into_iter().enumerate() {
            let ic_s: Vec<f64> = ics[chunk.clone()].iter().map(|i| i / fs).collect();
            // a piece of a walk cut by a gap keeps even a single step
            let (after_gap, before_gap) = (c > 0, c + 1 < n_chunks);
            let min_steps = if after_gap || before_gap {
                1
            } else {
                opts.bouts.min_steps
            };
            let runs = walking_bouts::bouts_from_contacts(
                &ic_s,
                region.step_period_s,
                min_steps,
                opts.bouts.max_step_ratio,
            );
            let n_runs = runs.len();
            for (r, run) in runs.into_iter().enumerate() {
                let idx = &ics[chunk.start + run.start..chunk.start + run.end];
                let bout_id = bouts.len();
                // turning swamps the yaw rate: contacts inside turns count less in the vote
                let values: Vec<f64> = idx
                    .iter()
                    .map(|&i| {
                        let t = t0 + i / fs;
                        let w = if turn_spans.iter().any(|&(a, b)| t >= a && t <= b) {
                            TURN_VOTE_WEIGHT
                        } else {
                            1.0
                        };
                        w * laterality::value_at(&lat, i - lo as f64)
                    })
                    .collect();
                let sides: Vec<Option<Side>> =
                    laterality::sides_for_bout(&ic_s[run.clone()], &values)
                        .into_iter()
                        .map(Some)
                        .collect();
                let local: Vec<f64> = idx.iter().map(|i| i - lo as f64).collect();
                let fc: Vec<Option<f64>> = final_contacts::detect(
                    &det.fine_signal,
                    &local,
                    fs,
                    opts.final_contact_delay_s,
                )
                .into_iter()
                .map(|f| f.map(|i| i + lo as f64).filter(|&i| !near_gap(i)))
                .collect();
                let times: Vec<f64> = idx.iter().map(|i| t0 + i / fs).collect();
                let fc_s: Vec<f64> = fc.iter().flatten().map(|i| t0 + i / fs).collect();
                let step_lengths: Vec<Option<f64>> = idx
                    .windows(2)
                    .map(|w| {
                        let h = position.excursion_m(w[0] - lo as f64, w[1] - lo as f64)?;
                        spatial::step_length_m(h, opts.sensor_height_m?)
                    })
                    .collect();
                let (bs, bst) = temporal::steps_and_strides(&temporal::BoutEvents {
                    bout: bout_id,
                    ic_s: &times,
                    sides: &sides,
                    fc_s: &fc_s,
                    step_length_m: &step_lengths,
                    turns: &turn_spans,
                    uncertain_turns: &uncertain_turn_spans,
                    uncertain_contacts_s: &uncertain_contacts_s,
                    starts_after_gap: after_gap && r == 0,
                    ends_before_gap: before_gap && r + 1 == n_runs,
                });
                for (k, st) in bst.iter().enumerate() {
                    if st.steady {
                        hr_ranges.push(idx[k].round() as usize..idx[k + 2].round() as usize);
                    }
                }
                let steady_times: Vec<f64> = bs
                    .iter()
                    .filter(|s| s.steady)
                    .map(|s| s.step_time_s)
                    .collect();
                if let Some(st) = crate::signal::stats::median(&steady_times) {
                    reg_inputs.push((
                        idx[0].round() as usize..idx[idx.len() - 1].round() as usize,
                        st,
                    ));
                }
                let last = idx[idx.len() - 1];
                let horizon = last + 2.0 * region.step_period_s * fs;
                let ended_by = if unfilled.iter().any(|&(a, _)| a >= last && a <= horizon) {
                    "gap"
                } else if horizon >= n as f64 {
                    "end"
                } else {
                    "pause"
                };
                bouts.push(WalkingBout {
                    start_s: times[0],
                    end_s: times[times.len() - 1],
                    n_steps: times.len() - 1,
                    ended_by,
                });
                initial_contacts.extend(
                    times
                        .iter()
                        .zip(&sides)
                        .map(|(&t, &side)| Contact { t_s: t, side }),
                );
                // a toe-off after the contact of foot A belongs to foot B
                final_contacts.extend(fc.iter().zip(&sides).filter_map(|(f, s)| {
                    f.map(|i| Contact {
                        t_s: t0 + i / fs,
                        side: s.map(Side::opposite),
                    })
                }));
                steps.extend(bs);
                strides.extend(bst);
            }
        }
    }
    let walking_time_s: f64 = bouts.iter().map(|b| b.duration_s()).sum();
    let mut summary = summary::summarize(&steps, &strides, bouts.len(), walking_time_s);
    summary.harmonic_ratio = harmonic_ratio::harmonic_ratios(
        &body.acc_v_mps2,
        &body.acc_ml_mps2,
        &body.acc_ap_mps2,
        &hr_ranges,
    );
    let reg_bouts: Vec<regularity::BoutSignals<'_>> = reg_inputs
        .iter()
        .map(|(r, st)| regularity::BoutSignals {
            duration_s: r.len() as f64 / fs,
            acc_v: &body.acc_v_mps2[r.clone()],
            acc_ap: &body.acc_ap_mps2[r.clone()],
            acc_ml: &body.acc_ml_mps2[r.clone()],
            step_time_s: *st,
        })
        .collect();
    summary.regularity = regularity::regularity(&reg_bouts, fs);
    if opts.sensor_height_m.is_none() {
        notes.push("Step length, stride length and walking speed are unavailable: give the body height or the sensor height.".into());
    }
    notes.push("Stance, swing and double support come from one trunk sensor: they are estimates (toe-off is less accurate than heel strike).".into());
    notes.extend(summary::selection_notes(&summary));
    Ok(GaitAnalysis {
        source: "lower-back".into(),
        duration_s: imu.duration_s(),
        sampling_rate_hz: fs,
        alignment: Some(alignment),
        gaps: imu.gaps.clone(),
        bouts,
        turns: turn_detection.turns,
        uncertain_turns: turn_detection.uncertain,
        initial_contacts,
        final_contacts,
        steps,
        strides,
        summary,
        notes,
        quality: Default::default(),
    })
}
