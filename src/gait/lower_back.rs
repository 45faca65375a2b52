//! The lower-back pipeline: body frame → walking bouts → initial and final contacts →
//! left/right → steps and strides → step length and speed → symmetry, regularity, harmonic
//! ratio, variability.

use std::path::Path;

use super::analysis::{GaitAnalysis, Step, Stride};
use super::body_frame::{to_body_frame_with, Alignment, BodyFrameSignals};
use super::events::{Contact, Side};
use super::initial_contacts::{self, IcParams};
use super::quality::{Check, Outcome, Quality};
use super::turns::Turn;
use super::walking_bouts::{self, BoutParams, WalkingBout, WalkingRegion};
use super::{
    body_frame, final_contacts, harmonic_ratio, laterality, regularity, spatial, summary, temporal,
    turns,
};
use crate::error::Result;
use crate::recording::{Axes, Gap, UniformImu};

/// No contact is accepted this close to a gap that was too long to bridge, s: the wavelet
/// transforms there see interpolated, not measured, signal.
pub const GAP_GUARD_S: f64 = 0.1;

/// Lowest sampling rate at which the pipeline was measured to give the 100 Hz answer on every
/// fixture, Hz: contacts (F1 @0.10 s ≥ 0.95), sides of the matched contacts (≥ 95 %) and
/// cadence (within 2 %), with the first sample anywhere in a sample interval
/// (`tests/sampling_rate.rs`). At 30 Hz the daily-living walks keep 94 % of the sides and
/// cadence moves by up to 3 %; at 20–25 Hz F1 falls to 0.92. Slower recordings are analysed
/// with a note saying so.
pub const MIN_CHECKED_RATE_HZ: f64 = 40.0;

/// The note for a recording sampled below [`MIN_CHECKED_RATE_HZ`], `None` at or above it.
pub fn low_rate_note(fs_hz: f64) -> Option<String> {
    (fs_hz < MIN_CHECKED_RATE_HZ).then(|| {
        format!(
            "Recorded at {fs_hz:.1} Hz, below the {MIN_CHECKED_RATE_HZ:.0} Hz down to which this analysis was checked to find the same contacts, \
             sides and cadence as at 100 Hz: contacts and sides may be missed or swapped and cadence may be off by a few percent. \
             Record at {MIN_CHECKED_RATE_HZ:.0} Hz or more."
        )
    })
}

/// The declared forward axis is corrected only when the walking puts forward more than this
/// far from it, degrees.
pub const MAX_HEADING_DISAGREEMENT_DEG: f64 = 45.0;
/// A corrected heading within this of a multiple of 90° is taken as that multiple (axes are
/// mislabelled, or sensors clipped on, in quarter turns), degrees.
pub const QUARTER_TURN_SNAP_DEG: f64 = 25.0;
/// Least acceleration axis strength, window sign agreement and angular-velocity sense
/// agreement for the walking's forward direction to override the declared one.
pub const MIN_AXIS_STRENGTH: f64 = 0.5;
pub const MIN_SIGN_AGREEMENT: f64 = 0.65;
pub const MIN_GYR_SENSE: f64 = 0.2;

/// Settings of the lower-back pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerBackOptions {
    /// Height of the sensor above the floor while standing, m; spatial metrics need it.
    pub sensor_height_m: Option<f64>,
    pub initial_contacts: IcParams,
    pub bouts: BoutParams,
    /// Delay from the trunk acceleration peak to toe-off, s.
    pub final_contact_delay_s: f64,
    /// The whole recording's alignment when a piece of it is analysed (its gravity is
    /// subtracted from the vertical acceleration); `None` = this recording's own.
    pub recording_alignment: Option<Alignment>,
}

impl Default for LowerBackOptions {
    fn default() -> Self {
        LowerBackOptions {
            sensor_height_m: None,
            initial_contacts: IcParams::default(),
            bouts: BoutParams::default(),
            final_contact_delay_s: 0.11,
            recording_alignment: None,
        }
    }
}

/// What the pipeline finds in one stretch of a recording, before the whole-recording
/// summary: a recording read in pieces joins its pieces' parts (times on the recording's
/// timeline, bouts numbered from 0 in each part) and then [`finish`]es once.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerBackPart {
    pub fs_hz: f64,
    pub duration_s: f64,
    pub alignment: Alignment,
    /// The forward-axis check of this stretch.
    pub forward_axis: Check,
    pub gaps: Vec<Gap>,
    pub bouts: Vec<WalkingBout>,
    pub turns: Vec<Turn>,
    pub uncertain_turns: Vec<Turn>,
    pub initial_contacts: Vec<Contact>,
    /// Each initial contact with the side its own cues point to ([`laterality::Cues::foot`]:
    /// the ML sway and one of the two rotations) in the frame the analysis used, whatever
    /// side the alternation gives it, and also where the forward-axis check withholds sides:
    /// evidence to confirm a side decided otherwise, never a side on its own.
    pub cue_feet: Vec<Contact>,
    pub final_contacts: Vec<Contact>,
    pub steps: Vec<Step>,
    pub strides: Vec<Stride>,
    /// The laterality check of each bout, in bout order.
    pub laterality: Vec<Check>,
    /// Harmonic values of each steady stride (see [`harmonic_ratio::stride_values`]), with
    /// its bout.
    pub harmonics: Vec<(usize, [(f64, f64); 3])>,
    /// Regularity values and duration (s) of each bout that has them (see
    /// [`regularity::bout_values`]), with its bout.
    pub regularity: Vec<(usize, [f64; 6], f64)>,
}

/// Runs the pipeline on one lower-back recording. `source` names the file in errors.
pub fn analyze(
    imu: &UniformImu,
    axes: Axes,
    source: &Path,
    opts: &LowerBackOptions,
) -> Result<GaitAnalysis> {
    Ok(finish(analyze_part(imu, axes, source, opts)?, opts))
}

/// The pipeline up to the summary on one continuous stretch of lower-back recording.
pub fn analyze_part(
    imu: &UniformImu,
    axes: Axes,
    source: &Path,
    opts: &LowerBackOptions,
) -> Result<LowerBackPart> {
    analyze_part_with(imu, axes, source, opts, imu.len() >= PARALLEL_MIN_SAMPLES)
}

/// [`analyze_part`], its walking regions analysed on all cores when `parallel` (the same
/// result either way).
fn analyze_part_with(
    imu: &UniformImu,
    axes: Axes,
    source: &Path,
    opts: &LowerBackOptions,
    parallel: bool,
) -> Result<LowerBackPart> {
    let fs = imu.fs_hz;
    let (mut body, alignment) = to_body_frame_with(imu, axes, source, opts.recording_alignment)?;
    let regions = walking_bouts::walking_regions(&body.acc_v_mps2, fs, &opts.bouts);
    let (forward, applied_deg) = check_forward_axis(&body, &regions, axes);
    if let Some(a) = applied_deg {
        match quarter_turned(axes, a) {
            // the frame is derived again from the corrected letters (exactly as if declared)
            Some(turned) => {
                body = to_body_frame_with(imu, turned, source, opts.recording_alignment)?.0
            }
            None => body_frame::rotate_heading(&mut body, a),
        }
    }
    let sides_allowed = forward.outcome != Outcome::Failed;
    let n = body.len();
    let t0 = imu.t0_s;
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
    let ctx = RegionContext {
        fs,
        n,
        t0,
        body: &body,
        opts,
        turn_spans: &turn_spans,
        uncertain_turn_spans: &uncertain_turn_spans,
        unfilled: &unfilled,
        sides_allowed,
    };
    // regions are independent: long recordings analyse them on all cores, in order
    let mut all = RegionPart::default();
    for p in
        crate::signal::map_in_order(&regions, parallel && regions.len() > 1, |r| ctx.analyze(r))
    {
        all.append(p);
    }
    Ok(LowerBackPart {
        fs_hz: fs,
        duration_s: imu.duration_s(),
        alignment,
        forward_axis: forward,
        gaps: imu.gaps.clone(),
        bouts: all.bouts,
        turns: turn_detection.turns,
        uncertain_turns: turn_detection.uncertain,
        initial_contacts: all.initial_contacts,
        cue_feet: all.cue_feet,
        final_contacts: all.final_contacts,
        steps: all.steps,
        strides: all.strides,
        laterality: all.laterality,
        harmonics: all.harmonics,
        regularity: all.regularity,
    })
}

use crate::signal::PARALLEL_MIN_SAMPLES;

/// What every walking region's analysis reads: the whole stretch's signals and events.
struct RegionContext<'a> {
    fs: f64,
    n: usize,
    t0: f64,
    body: &'a BodyFrameSignals,
    opts: &'a LowerBackOptions,
    turn_spans: &'a [(f64, f64)],
    uncertain_turn_spans: &'a [(f64, f64)],
    /// Gaps too long to bridge, in samples from the stretch's start.
    unfilled: &'a [(f64, f64)],
    sides_allowed: bool,
}

/// What one walking region gives, its bouts numbered from 0.
#[derive(Default)]
struct RegionPart {
    bouts: Vec<WalkingBout>,
    initial_contacts: Vec<Contact>,
    cue_feet: Vec<Contact>,
    final_contacts: Vec<Contact>,
    steps: Vec<Step>,
    strides: Vec<Stride>,
    harmonics: Vec<(usize, [(f64, f64); 3])>,
    regularity: Vec<(usize, [f64; 6], f64)>,
    laterality: Vec<Check>,
}

impl RegionPart {
    /// Appends the next region's part, its bouts numbered after these.
    fn append(&mut self, mut p: RegionPart) {
        let base = self.bouts.len();
        for s in &mut p.steps {
            s.bout += base;
        }
        for s in &mut p.strides {
            s.bout += base;
        }
        for c in &mut p.laterality {
            c.bout = c.bout.map(|b| b + base);
        }
        self.bouts.append(&mut p.bouts);
        self.initial_contacts.append(&mut p.initial_contacts);
        self.cue_feet.append(&mut p.cue_feet);
        self.final_contacts.append(&mut p.final_contacts);
        self.steps.append(&mut p.steps);
        self.strides.append(&mut p.strides);
        self.harmonics
            .extend(p.harmonics.into_iter().map(|(b, v)| (b + base, v)));
        self.regularity
            .extend(p.regularity.into_iter().map(|(b, v, d)| (b + base, v, d)));
        self.laterality.append(&mut p.laterality);
    }
}

impl RegionContext<'_> {
    /// Contacts, sides, steps and strides of one walking region.
    fn analyze(&self, region: &WalkingRegion) -> RegionPart {
        let RegionContext {
            fs,
            n,
            t0,
            body,
            opts,
            turn_spans,
            uncertain_turn_spans,
            unfilled,
            sides_allowed,
        } = *self;
        let acc_v = &body.acc_v_mps2;
        let guard = GAP_GUARD_S * fs;
        let near_gap = |i: f64| {
            unfilled
                .iter()
                .any(|&(a, b)| i > a - guard && i < b + guard)
        };
        let gap_between = |i: f64, j: f64| unfilled.iter().any(|&(a, b)| i < b && j > a);
        let mut out = RegionPart::default();
        let RegionPart {
            bouts,
            initial_contacts,
            cue_feet,
            final_contacts,
            steps,
            strides,
            harmonics,
            regularity: regularity_values,
            laterality: laterality_checks,
        } = &mut out;
        let f_step = 1.0 / region.step_period_s;
        let margin = (2.0 * fs) as usize;
        let lo = region.start.saturating_sub(margin);
        let hi = (region.end + margin).min(n);
        let det = initial_contacts::detect(&acc_v[lo..hi], fs, f_step, &opts.initial_contacts);
        // the per-step signals are needed only where someone walks: the region and its margins
        // (indices below into `lat` and `position` are relative to `lo`)
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
        // lobes in or next to an unbridged gap are not measured signal
        let lobes: Vec<(f64, f64)> = in_region
            .iter()
            .map(|d| (d.index + lo as f64, d.strength))
            .filter(|&(i, _)| !near_gap(i))
            .collect();
        let accepted: Vec<bool> = lobes.iter().map(|&(_, s)| s >= threshold).collect();
        // weak lobes where the walk's rhythm puts a missed step
        let floor =
            (opts.bouts.min_rhythm_strength_factor * threshold).max(opts.bouts.min_strength);
        let timed: Vec<(f64, f64)> = lobes.iter().map(|&(i, s)| (i / fs, s)).collect();
        let yaw_band = laterality::stride_band(&body.gyr_v_dps[lo..hi], fs);
        let roll_band = laterality::stride_band(&body.gyr_ap_dps[lo..hi], fs);
        let ml_band = laterality::stride_band(&body.acc_ml_mps2[lo..hi], fs);
        let cues_at = |i: f64| laterality::Cues {
            yaw_dps: laterality::value_at(&yaw_band, i - lo as f64),
            roll_dps: laterality::value_at(&roll_band, i - lo as f64),
            ml_swing_mps2: laterality::ml_swing(&ml_band, i - lo as f64, fs),
        };
        let feet: Vec<Option<Side>> = lobes.iter().map(|&(i, _)| cues_at(i).foot()).collect();
        let by_rhythm =
            walking_bouts::rhythm_contacts(&timed, &accepted, &feet, region.step_period_s, floor);
        // inside a turn the turning's own yaw and centripetal sway can make two contacts of
        // opposite feet look alike, so no step is added there
        let by_rhythm: Vec<usize> = by_rhythm
            .into_iter()
            .filter(|&k| {
                let t = t0 + timed[k].0;
                !turn_spans.iter().any(|&(a, b)| t >= a && t <= b)
            })
            .collect();
        let ics: Vec<f64> = lobes
            .iter()
            .enumerate()
            .filter(|(k, _)| accepted[*k] || by_rhythm.binary_search(k).is_ok())
            .map(|(_, &(i, _))| i)
            .collect();
        // contacts whose acceptance is marginal either way, and those the rhythm added:
        // strides near them do not count
        let uncertain_contacts_s: Vec<f64> = in_region
            .iter()
            .filter(|d| opts.bouts.is_marginal_strength(d.strength, threshold))
            .map(|d| t0 + (d.index + lo as f64) / fs)
            .chain(by_rhythm.iter().map(|&k| t0 + lobes[k].0 / fs))
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
                let cues: Vec<laterality::Cues> = idx.iter().map(|&i| cues_at(i)).collect();
                let in_turn: Vec<bool> = idx
                    .iter()
                    .map(|&i| {
                        let t = t0 + i / fs;
                        turn_spans.iter().any(|&(a, b)| t >= a && t <= b)
                    })
                    .collect();
                let decided = laterality::sides_for_bout_in_walk(
                    &ic_s[run.clone()],
                    &cues,
                    &in_turn,
                    Some(region.step_period_s),
                );
                let sides: Vec<Option<Side>> = if sides_allowed {
                    decided.sides.clone()
                } else {
                    vec![None; decided.sides.len()]
                };
                laterality_checks.push(laterality_check(bout_id, &decided, &sides));
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
                    turns: turn_spans,
                    uncertain_turns: uncertain_turn_spans,
                    uncertain_contacts_s: &uncertain_contacts_s,
                    starts_after_gap: after_gap && r == 0,
                    ends_before_gap: before_gap && r + 1 == n_runs,
                });
                let hr_ranges: Vec<std::ops::Range<usize>> = bst
                    .iter()
                    .enumerate()
                    .filter(|(_, st)| st.steady)
                    .map(|(k, _)| idx[k].round() as usize..idx[k + 2].round() as usize)
                    .collect();
                harmonics.extend(
                    harmonic_ratio::stride_values(
                        &body.acc_v_mps2,
                        &body.acc_ml_mps2,
                        &body.acc_ap_mps2,
                        &hr_ranges,
                    )
                    .into_iter()
                    .map(|v| (bout_id, v)),
                );
                let steady_times: Vec<f64> = bs
                    .iter()
                    .filter(|s| s.steady)
                    .map(|s| s.step_time_s)
                    .collect();
                if let Some(st) = crate::signal::stats::median(&steady_times) {
                    let r = idx[0].round() as usize..idx[idx.len() - 1].round() as usize;
                    let signals = regularity::BoutSignals {
                        duration_s: r.len() as f64 / fs,
                        acc_v: &body.acc_v_mps2[r.clone()],
                        acc_ap: &body.acc_ap_mps2[r.clone()],
                        acc_ml: &body.acc_ml_mps2[r],
                        step_time_s: st,
                    };
                    if let Some((v, d)) = regularity::bout_values(&signals, fs) {
                        regularity_values.push((bout_id, v, d));
                    }
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
                cue_feet.extend(times.iter().zip(&cues).map(|(&t, c)| Contact {
                    t_s: t,
                    side: c.foot(),
                }));
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

        out
    }
}

/// The whole-recording summary, quality checks and notes of a recording's part (or of its
/// pieces' parts joined).
pub fn finish(part: LowerBackPart, opts: &LowerBackOptions) -> GaitAnalysis {
    let LowerBackPart {
        fs_hz,
        duration_s,
        alignment,
        forward_axis,
        gaps,
        bouts,
        turns,
        uncertain_turns,
        initial_contacts,
        final_contacts,
        steps,
        strides,
        laterality,
        harmonics,
        regularity: regularity_values,
        ..
    } = part;
    let mut notes: Vec<String> = low_rate_note(fs_hz).into_iter().collect();
    let mut quality = Quality::default();
    quality.push(forward_axis);
    for c in laterality {
        quality.push(c);
    }
    if alignment.tilt_from_declared_deg > 15.0 {
        notes.push(format!(
            "The sensor sat {:.0}° away from its declared axes; the signals were re-aligned to gravity.",
            alignment.tilt_from_declared_deg
        ));
    }
    let walking_time_s: f64 = bouts.iter().map(|b| b.duration_s()).sum();
    let mut summary = summary::summarize(&steps, &strides, bouts.len(), walking_time_s);
    let hr: Vec<[(f64, f64); 3]> = harmonics.iter().map(|h| h.1).collect();
    summary.harmonic_ratio = harmonic_ratio::from_strides(&hr);
    summary.regularity = regularity::combine(regularity_values.iter().map(|r| (r.1, r.2)));
    if opts.sensor_height_m.is_none() {
        notes.push("Step length, stride length and walking speed are unavailable: give the body height or the sensor height.".into());
    }
    notes.push("Stance, swing and double support come from one trunk sensor: they are estimates (toe-off is less accurate than heel strike).".into());
    let sided = steps.iter().filter(|s| s.side.is_some()).count();
    if sided < steps.len() {
        notes.push(format!(
            "Left/right: {sided} of {} steps have a side the pelvis rotation supports; the other {} (side unknown) are left out of left/right values.",
            steps.len(),
            steps.len() - sided
        ));
    }
    notes.extend(summary::selection_notes(&summary));
    GaitAnalysis {
        source: "lower-back".into(),
        duration_s,
        sampling_rate_hz: fs_hz,
        alignment: Some(alignment),
        gaps,
        bouts,
        turns,
        uncertain_turns,
        initial_contacts,
        final_contacts,
        steps,
        strides,
        summary,
        notes,
        quality,
    }
}

/// The axes letters of a sensor turned by `heading_deg` (a multiple of 90°) about the
/// vertical from `axes`: each horizontal letter moves that many quarter turns
/// counter-clockwise seen from above (F → L → B → R → F for +90°). `None` for other angles.
pub fn quarter_turned(axes: Axes, heading_deg: f64) -> Option<Axes> {
    use crate::recording::axes::Direction::*;
    let q = heading_deg / 90.0;
    if !q.is_finite() || (q - q.round()).abs() > 1e-9 {
        return None;
    }
    let steps = (q.round() as i64).rem_euclid(4) as usize;
    let ring = [Forward, Left, Backward, Right];
    Some(Axes(axes.0.map(
        |d| match ring.iter().position(|&r| r == d) {
            Some(k) => ring[(k + steps) % 4],
            None => d,
        },
    )))
}

/// Finds the wearer's forward direction from the walking and compares it with the declared
/// axes (see [`body_frame::heading_evidence`]); returns the check and, when the data
/// clearly disagree, the heading to turn the frame by, degrees.
fn check_forward_axis(
    body: &BodyFrameSignals,
    regions: &[WalkingRegion],
    axes: Axes,
) -> (Check, Option<f64>) {
    let windows: Vec<(std::ops::Range<usize>, f64)> = regions
        .iter()
        .map(|r| (r.start..r.end, 1.0 / r.step_period_s))
        .collect();
    let e = body_frame::heading_evidence(body, &windows);
    let h = e.acc.heading_deg;
    let numbers = |c: Check| {
        c.with("heading_deg", h)
            .with("axis_strength", e.acc.axis_strength)
            .with("sign_agreement", e.acc.sign_agreement)
            .with("gyr_sense", e.gyr_sense)
            .with("windows", e.acc.windows as f64)
    };
    if e.acc.windows < 2 {
        let c = Check::new(
            "forward_axis",
            Outcome::NotRun,
            "Too little walking to check the forward axis against the declared axes.",
        );
        return (numbers(c), None);
    }
    let clear = e.acc.axis_strength >= MIN_AXIS_STRENGTH
        && e.acc.sign_agreement >= MIN_SIGN_AGREEMENT
        && e.gyr_sense >= MIN_GYR_SENSE;
    if h.abs() <= MAX_HEADING_DISAGREEMENT_DEG {
        let c = Check::new(
            "forward_axis",
            Outcome::Passed,
            format!(
                "The walking agrees with the forward axis declared by axes \"{axes}\" ({h:+.0}°)."
            ),
        );
        return (numbers(c), None);
    }
    if !clear {
        let c = Check::new(
            "forward_axis",
            Outcome::Failed,
            format!(
                "The walking puts forward {h:+.0}° from the axis declared by axes \"{axes}\", but not clearly enough to correct it: left and right are withheld. Check the axes entry and how the sensor was worn."
            ),
        );
        return (numbers(c), None);
    }
    let quarter = (h / 90.0).round() * 90.0;
    let applied = if (h - quarter).abs() <= QUARTER_TURN_SNAP_DEG {
        quarter
    } else {
        h
    };
    let how = if (applied.abs() - 180.0).abs() < 1e-9 {
        "the sensor was worn back to front".to_string()
    } else if applied > 0.0 {
        format!("the sensor was turned {applied:.0}° (its declared right points forward)")
    } else {
        format!(
            "the sensor was turned {:.0}° (its declared left points forward)",
            -applied
        )
    };
    let letters = quarter_turned(axes, applied)
        .map(|a| format!(" (as if declared axes \"{a}\")"))
        .unwrap_or_default();
    (
        numbers(Check::new(
            "forward_axis",
            Outcome::Corrected,
            format!(
                "The walking puts forward {h:+.0}° from the axis declared by axes \"{axes}\": {how}; forward and right were taken from the walking{letters}."
            ),
        ))
        .with("applied_deg", applied),
        Some(applied),
    )
}

/// The laterality check of one bout: how many contacts got a side and on what evidence.
fn laterality_check(bout: usize, d: &laterality::BoutSides, sides: &[Option<Side>]) -> Check {
    let sided = sides.iter().filter(|s| s.is_some()).count();
    let n = sides.len();
    let (outcome, message) = if sided == n {
        (
            Outcome::Passed,
            "The side of every contact is supported by the pelvis rotation.".to_string(),
        )
    } else if sided == 0 {
        (
            Outcome::Failed,
            format!(
                "side unknown for its {n} contacts (the pelvis rotation does not alternate clearly); its left/right values are left out."
            ),
        )
    } else {
        (
            Outcome::Failed,
            format!(
                "side unknown for {} of its {n} contacts (around turns or where the pelvis rotation is unclear); those are left out of left/right values.",
                n - sided
            ),
        )
    };
    Check::new("laterality", outcome, message)
        .for_bout(bout)
        .with("confidence", d.confidence)
        .with("yaw_agreement", d.yaw_agreement)
        .with("roll_agreement", d.roll_agreement)
        .with("segments", d.segments as f64)
        .with("contacts", n as f64)
        .with("sided_contacts", sided as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{ImuTable, Session};

    /// The six Mobilise-D fixtures one after another, twice, re-timed at 100 Hz: 14 min with
    /// walks, turns and stops.
    fn fixtures_twice() -> (UniformImu, Axes) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let names = [
            "mobilised_HA001_Test5_Trial1",
            "mobilised_HA001_Test5_Trial2",
            "mobilised_MS001_Test5_Trial1",
            "mobilised_MS001_Test5_Trial2",
            "mobilised_HA001_Test11_Trial1",
            "mobilised_MS001_Test11_Trial1",
        ];
        let tables: Vec<ImuTable> = names
            .iter()
            .map(|n| ImuTable::read(&root.join(n).join("lower_back.csv")).unwrap())
            .collect();
        let mut all = ImuTable::with_capacity(90_000);
        for t in tables.iter().chain(&tables) {
            for i in 0..t.len() {
                let mut s = t.sample(i);
                s.time_s = all.len() as f64 * 0.01;
                all.push(&s);
            }
        }
        let axes = Session::read(&root.join(names[0])).unwrap().sensors[0].axes;
        (UniformImu::from_owned_table(all, 0.1).unwrap(), axes)
    }

    #[test]
    fn regions_on_all_cores_give_the_one_core_result() {
        let (imu, axes) = fixtures_twice();
        assert!(imu.len() >= PARALLEL_MIN_SAMPLES);
        let opts = LowerBackOptions {
            sensor_height_m: Some(0.95),
            ..LowerBackOptions::default()
        };
        let path = Path::new("lower_back.csv");
        let one = analyze_part_with(&imu, axes, path, &opts, false).unwrap();
        let all = analyze_part_with(&imu, axes, path, &opts, true).unwrap();
        assert!(one.bouts.len() >= 20, "{} bouts", one.bouts.len());
        // every step and stride names the bout it lies in, numbered over the whole stretch
        let within = |bout: usize, a: f64, b: f64| {
            let w = &one.bouts[bout];
            a >= w.start_s - 1e-9 && b <= w.end_s + 1e-9
        };
        assert!(one.steps.iter().all(|s| within(s.bout, s.start_s, s.end_s)));
        assert!(one
            .strides
            .iter()
            .all(|s| within(s.bout, s.start_s, s.end_s)));
        assert!(one.steps.iter().any(|s| s.bout + 1 == one.bouts.len()));
        assert!(one
            .laterality
            .iter()
            .enumerate()
            .all(|(k, c)| c.bout == Some(k)));
        assert_eq!(one, all);
    }
}
