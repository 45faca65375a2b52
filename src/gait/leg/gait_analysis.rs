//! The two-leg result in the shared [`GaitAnalysis`] form that every report reads: contacts,
//! steps, strides, bouts, turns and the summary, with the trunk-only metrics (regularity,
//! harmonic ratio) taken from a lower-back analysis of the same walk when there is one.
//!
//! Bouts, turns and the steady strides come from [`bouts`](super::bouts). Steps run from one
//! leg's initial contact to the other's; a step is *regular* within 0.6–1.75 × the bout's
//! median step time and the bounds of any walk ([`steady::step_in_bounds`]) and *steady* (used for cadence) when regular, outside turns and not the
//! first or last step of its bout (as in the lower-back pipeline).

use crate::gait::analysis::{GaitAnalysis, SideComparisons, Step, Stride, SymmetrySummary};
use crate::gait::quality::Outcome;
use crate::gait::steady;
use crate::gait::summary::summarize;
use crate::recording::Gap;

pub use super::bouts::BOUT_PAUSE_S;
use super::{LegAnalysis, LegSensorKind, SyncMethod};

/// Builds the shared result. `gaps` are the leg sensors' missing-data ranges, `duration_s`
/// and `fs_hz` describe the recording; `lower_back` is the trunk analysis of the same walk.
pub fn to_gait_analysis(
    legs: &LegAnalysis,
    gaps: Vec<Gap>,
    duration_s: f64,
    fs_hz: f64,
    lower_back: Option<&GaitAnalysis>,
) -> GaitAnalysis {
    let turns = legs.walk.turns.clone();
    let in_turn = |a: f64, b: f64| turns.iter().any(|t| a < t.end_s && b > t.start_s);
    let mut bouts = legs.walk.bouts.clone();
    let bout_at = |t: f64| {
        bouts
            .iter()
            .position(|b| t >= b.start_s - 1e-9 && t <= b.end_s + 1e-9)
    };

    let ics = &legs.initial_contacts;
    let mut steps: Vec<Step> = Vec::new();
    for w in ics.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let bout = match (bout_at(a.t_s), bout_at(b.t_s)) {
            (Some(x), Some(y)) if x == y && a.side != b.side => x,
            _ => continue,
        };
        steps.push(Step {
            bout,
            side: b.side,
            start_s: a.t_s,
            end_s: b.t_s,
            step_time_s: b.t_s - a.t_s,
            step_length_m: None,
            in_turn: in_turn(a.t_s, b.t_s),
            regular: true,
            steady: false,
        });
    }
    for (b, bout) in bouts.iter_mut().enumerate() {
        let times: Vec<f64> = steps
            .iter()
            .filter(|s| s.bout == b)
            .map(|s| s.step_time_s)
            .collect();
        bout.n_steps = times.len();
        let median = crate::signal::stats::median(&times).unwrap_or(0.0);
        let n = times.len();
        for (j, s) in steps.iter_mut().filter(|s| s.bout == b).enumerate() {
            s.regular = (0.6 * median..=1.75 * median).contains(&s.step_time_s)
                && steady::step_in_bounds(s.step_time_s);
            s.steady = s.regular && !s.in_turn && j > 0 && j + 1 < n;
        }
    }

    let mut strides: Vec<Stride> = legs
        .strides
        .iter()
        .filter_map(|s| {
            Some(Stride {
                bout: s.bout?,
                side: Some(s.side),
                start_s: s.ic_s,
                end_s: s.end_ic_s,
                stride_time_s: s.stride_time_s,
                step_time_s: s.step_time_s,
                stance_time_s: Some(s.stance_time_s),
                swing_time_s: Some(s.swing_time_s),
                initial_double_support_s: s.initial_double_support_s,
                terminal_double_support_s: s.terminal_double_support_s,
                single_support_s: s.single_support_s,
                stride_length_m: s.stride_length_m,
                speed_mps: s.speed_mps,
                in_turn: in_turn(s.ic_s, s.end_ic_s),
                steady: s.steady,
                left_out: s.left_out,
            })
        })
        .collect();

    strides.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let walking_time_s = bouts.iter().map(|b| b.duration_s()).sum();
    let mut summary = summarize(&steps, &strides, bouts.len(), walking_time_s);
    if let Some(lb) = lower_back {
        summary.regularity = lb.summary.regularity;
        summary.harmonic_ratio = lb.summary.harmonic_ratio;
    }
    let mut quality = legs.quality.clone();
    quality.push(steady::step_bounds_check(&steps));
    // legs on an unverified timeline give no timing between the legs
    if quality.named("clock").any(|c| c.outcome == Outcome::Failed) {
        summary.step_time_s = Default::default();
        summary.double_support_s = Default::default();
        let sym = &mut summary.symmetry;
        sym.step_time_si_pct = None;
        sym.step_time_ratio = None;
        sym.step_time_ga_pct = None;
        sym.step_time_evenness_pct = None;
        sym.pci_pct = None;
        summary.comparisons.step_time = None;
        summary.comparisons.double_support = None;
    }
    // legs that walk together for only part of the walk give no symmetry
    if quality
        .named("coverage")
        .any(|c| c.outcome == Outcome::Failed)
    {
        summary.symmetry = SymmetrySummary::default();
        summary.comparisons = SideComparisons::default();
    }

    let (source, sensors) = match legs.sensors {
        LegSensorKind::Foot => ("feet", "left-foot and right-foot"),
        LegSensorKind::Shank => ("shanks", "left-shank and right-shank"),
    };
    let mut notes = vec![format!(
        "Contacts, stance, swing, single and double support are measured per leg by the {sensors} sensors{}.",
        if legs.sensors == LegSensorKind::Foot { "; stride length and speed by integrating each foot's motion between foot-flat instants" } else { "" }
    )];
    if lower_back.is_some() {
        notes.push("Trunk regularity and harmonic ratio come from the lower-back sensor.".into());
    }
    if legs.sensors == LegSensorKind::Shank {
        notes.push("Shank sensors give no stride length or walking speed.".into());
    }
    notes.push(match legs.sync.method {
        SyncMethod::SharedTimeline => "Both leg sensors were recorded on one clock.".to_string(),
        SyncMethod::SyncJump => format!(
            "The right leg sensor's clock was shifted by {:+.3} s, measured from the start-of-recording jump.",
            legs.sync.right_offset_s
        ),
        SyncMethod::FileTimestamps => {
            "The leg sensors' timestamps were used as recorded (no shared clock declared, no sync jump used): the walking timing is plausible, which does not prove the clocks agree, so step times, double support and the phase between the legs are not given.".to_string()
        }
    });
    for (side, a) in [
        ("left", &legs.alignment.left),
        ("right", &legs.alignment.right),
    ] {
        if a.forward_from_motion {
            notes.push(format!(
                "The {side} foot moved backwards in its declared axes: forward was taken from the direction of travel (check \"axes\" in session.json)."
            ));
        } else if a.mounting_offset_deg > 15.0 {
            notes.push(format!("The {side} leg sensor sat {:.0}° away from its declared axes; it was re-aligned to gravity and to the leg's swing.", a.mounting_offset_deg));
        }
    }

    notes.extend(crate::gait::summary::selection_notes(&summary));

    let mut all_gaps = gaps;
    if let Some(lb) = lower_back {
        all_gaps.extend(lb.gaps.iter().copied());
    }
    let source = if lower_back.is_some() {
        format!("{source} + lower-back")
    } else {
        source.to_string()
    };
    GaitAnalysis {
        source,
        duration_s,
        sampling_rate_hz: fs_hz,
        alignment: lower_back.and_then(|lb| lb.alignment),
        gaps: all_gaps,
        bouts,
        turns,
        uncertain_turns: legs.walk.uncertain_turns.clone(),
        initial_contacts: legs.initial_contacts.clone(),
        final_contacts: legs.final_contacts.clone(),
        steps,
        strides,
        summary,
        notes,
        quality,
    }
}
