//! The two-leg result in the shared [`GaitAnalysis`] form that every report reads: contacts,
//! steps, strides, bouts, turns and the summary, with the trunk-only metrics (regularity,
//! harmonic ratio) taken from a lower-back analysis of the same walk when there is one.
//!
//! Steps run from one leg's initial contact to the other's; a pause longer than
//! [`BOUT_PAUSE_S`] or an unbridged gap ends a walking bout. Steps are *regular* within
//! 0.6–1.75 × the bout's median step time and *steady* when regular, outside turns and not
//! the first or last of their bout (as in the lower-back pipeline).

use crate::gait::analysis::{GaitAnalysis, Step, Stride};
use crate::gait::events::Contact;
use crate::gait::summary::summarize;
use crate::gait::turns::Turn;
use crate::gait::walking_bouts::WalkingBout;
use crate::recording::Gap;

use super::strides::TURN_THRESHOLD_DEG;
use super::{LegAnalysis, LegSensorKind, SyncMethod};

/// Longest time between two initial contacts inside one walking bout, s.
pub const BOUT_PAUSE_S: f64 = 1.5;

/// Builds the shared result. `gaps` are the leg sensors' missing-data ranges, `duration_s`
/// and `fs_hz` describe the recording; `lower_back` is the trunk analysis of the same walk.
pub fn to_gait_analysis(
    legs: &LegAnalysis,
    gaps: Vec<Gap>,
    duration_s: f64,
    fs_hz: f64,
    lower_back: Option<&GaitAnalysis>,
) -> GaitAnalysis {
    let unfilled: Vec<(f64, f64)> = gaps
        .iter()
        .filter(|g| !g.filled)
        .map(|g| (g.start_s, g.end_s))
        .collect();
    let gap_between = |a: f64, b: f64| unfilled.iter().any(|&(s, e)| a < e && b > s);
    let turns = turns_from_strides(legs);
    let in_turn = |a: f64, b: f64| turns.iter().any(|t| a < t.end_s && b > t.start_s);

    // bouts: runs of contacts without long pauses or gaps
    let ics: &[Contact] = &legs.initial_contacts;
    let mut bouts: Vec<WalkingBout> = Vec::new();
    let mut bout_of_ic = vec![usize::MAX; ics.len()];
    let mut start = 0;
    for i in 1..=ics.len() {
        let (ended, ended_by) = if i == ics.len() {
            (true, "end")
        } else if gap_between(ics[i - 1].t_s, ics[i].t_s) {
            (true, "gap")
        } else {
            (ics[i].t_s - ics[i - 1].t_s > BOUT_PAUSE_S, "pause")
        };
        if ended {
            if i - start >= 3 {
                let b = bouts.len();
                bout_of_ic[start..i].iter_mut().for_each(|x| *x = b);
                bouts.push(WalkingBout {
                    start_s: ics[start].t_s,
                    end_s: ics[i - 1].t_s,
                    n_steps: 0,
                    ended_by,
                });
            }
            start = i;
        }
    }

    let mut steps: Vec<Step> = Vec::new();
    for i in 1..ics.len() {
        let (a, b) = (&ics[i - 1], &ics[i]);
        let bout = bout_of_ic[i];
        if bout == usize::MAX || bout_of_ic[i - 1] != bout || a.side == b.side {
            continue;
        }
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
        let idx: Vec<usize> = (0..steps.len()).filter(|&k| steps[k].bout == b).collect();
        bout.n_steps = idx.len();
        let times: Vec<f64> = idx.iter().map(|&k| steps[k].step_time_s).collect();
        let median = crate::signal::stats::median(&times).unwrap_or(0.0);
        for (j, &k) in idx.iter().enumerate() {
            let s = &mut steps[k];
            s.regular = (0.6 * median..=1.75 * median).contains(&s.step_time_s);
            s.steady = s.regular && !s.in_turn && j > 0 && j + 1 < idx.len();
        }
    }

    let bout_at = |t: f64| {
        bouts
            .iter()
            .position(|b| t >= b.start_s - 1e-9 && t <= b.end_s + 1e-9)
    };
    let mut strides: Vec<Stride> = legs
        .strides
        .iter()
        .filter_map(|s| {
            let bout = bout_at(s.ic_s)?;
            (bout_at(s.end_ic_s) == Some(bout)).then(|| Stride {
                bout,
                side: Some(s.side),
                start_s: s.ic_s,
                end_s: s.end_ic_s,
                stride_time_s: s.stride_time_s,
                stance_time_s: Some(s.stance_time_s),
                swing_time_s: Some(s.swing_time_s),
                initial_double_support_s: s.initial_double_support_s,
                terminal_double_support_s: s.terminal_double_support_s,
                single_support_s: s.single_support_s,
                stride_length_m: s.stride_length_m,
                speed_mps: s.speed_mps,
                in_turn: s.turning_deg.is_some_and(|t| t.abs() > TURN_THRESHOLD_DEG),
                steady: s.steady,
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
            "The leg sensors' timestamps were used as recorded (no shared clock declared, no sync jump found; the walking timing is plausible).".to_string()
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
        initial_contacts: legs.initial_contacts.clone(),
        final_contacts: legs.final_contacts.clone(),
        steps,
        strides,
        summary,
        notes,
    }
}

/// Turns: runs of strides of either leg turning more than [`TURN_THRESHOLD_DEG`]; the angle
/// is the mean over legs of their summed heading change inside the run.
fn turns_from_strides(legs: &LegAnalysis) -> Vec<Turn> {
    let mut spans: Vec<(f64, f64)> = legs
        .strides
        .iter()
        .filter(|s| s.turning_deg.is_some_and(|t| t.abs() > TURN_THRESHOLD_DEG))
        .map(|s| (s.ic_s, s.end_ic_s))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
        .into_iter()
        .map(|(a, b)| {
            let per_side: Vec<f64> = [crate::gait::Side::Left, crate::gait::Side::Right]
                .into_iter()
                .filter_map(|side| {
                    let inside: Vec<f64> = legs
                        .strides
                        .iter()
                        .filter(|s| s.side == side && s.ic_s >= a - 1e-9 && s.end_ic_s <= b + 1e-9)
                        .filter_map(|s| s.turning_deg)
                        .collect();
                    (!inside.is_empty()).then(|| inside.iter().sum())
                })
                .collect();
            Turn {
                start_s: a,
                end_s: b,
                angle_deg: crate::signal::stats::mean(&per_side).unwrap_or(0.0),
            }
        })
        .collect()
}
