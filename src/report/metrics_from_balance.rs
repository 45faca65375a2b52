//! Balance trials → [`SessionMetrics`], so charts, before/after verdicts and progress pick up
//! single-leg stance time and pelvic drop per leg (headline metrics of metrics.md C5) and the
//! sway measures (therapist view).
//!
//! Several trials merge into one set: single-leg attempts pool per stance leg, squat and
//! step-down repetitions per task and leg, and repeated standing trials give one value per
//! trial, so their spread is the 95 % interval of the session value.

use std::path::Path;

use super::metrics_from_gait::session_label;
use super::model::{
    AttemptEvents, Audience, Better, Metric, NormalRange, PlainLanguage, SessionMetrics,
    SideMetric, SingleLegEvents, SwayShape,
};
use crate::balance::single_leg_stance::StanceAttempt;
use crate::balance::squat::{Repetition, SquatKind};
use crate::balance::sway::{Sway, SwayPath};
use crate::balance::{norms, BalanceTrial, TrialResult};
use crate::error::Result;
use crate::gait::symmetry::symmetry_index_pct;
use crate::gait::{PerSide, Side};
use crate::recording::{Session, Task};

fn plain(subject: &str, better: &str, worse: &str) -> Option<PlainLanguage> {
    Some(PlainLanguage {
        subject: subject.into(),
        verb: "is".into(),
        after_value: String::new(),
        better: better.into(),
        worse: worse.into(),
    })
}

/// Mean of values known to be there (NaN for none).
fn mean(v: &[f64]) -> f64 {
    crate::signal::stats::mean(v).unwrap_or(f64::NAN)
}

/// Reads and analyses a balance session folder (see [`crate::balance::analyze_session`]).
pub fn session_metrics_from_dir(dir: &Path) -> Result<SessionMetrics> {
    let session = Session::read(dir)?;
    let trial = crate::balance::analyze_session(dir)?;
    let mut m = session_metrics(&trial, &session, session.participant.age_years);
    m.label = session_label(dir, session.start_time);
    Ok(m)
}

/// Converts one balance trial of `session`; see [`trials_metrics`].
pub fn session_metrics(
    trial: &BalanceTrial,
    session: &Session,
    age_years: Option<f64>,
) -> SessionMetrics {
    let mut m = trials_metrics(&trial.label, &[trial], age_years);
    m.start_time = session.start_time;
    m.placements = session.sensors.iter().map(|s| s.placement).collect();
    m
}

/// Converts balance trials (start time and placements left empty). Single-leg stance gives
/// per-leg best hold (patient view, with the age norm as normal range when `age_years` is
/// known), losses and the hold symmetry; squats and step-downs give pelvic drop, forward lean
/// and time to stabilisation per leg; standing gives the sway set (therapist view) and the
/// sway path of the first trial.
pub fn trials_metrics(
    label: &str,
    trials: &[&BalanceTrial],
    age_years: Option<f64>,
) -> SessionMetrics {
    let mut metrics = Vec::new();
    let mut side_metrics = Vec::new();
    let mut count = 0;
    let mut sway = None;

    for eyes_closed in [false, true] {
        let standing: Vec<(&Sway, &SwayPath)> = trials
            .iter()
            .filter_map(|t| match &t.result {
                TrialResult::Standing {
                    eyes_closed: e,
                    sway,
                    path,
                } if *e == eyes_closed => Some((sway.as_ref(), path)),
                _ => None,
            })
            .collect();
        if standing.is_empty() {
            continue;
        }
        count += standing.len();
        if sway.is_none() {
            let (s, path) = standing[0];
            sway = Some(SwayShape {
                eyes_closed,
                path: path.clone(),
                ellipse_major_mps2: s.ellipse_major_mps2,
                ellipse_minor_mps2: s.ellipse_minor_mps2,
                ellipse_angle_deg: s.ellipse_angle_deg,
                ellipse_area_m2ps4: s.ellipse_area_m2ps4,
                rms_mps2: s.rms_mps2,
                trials: standing.len(),
            });
        }
        sway_metrics(&mut metrics, eyes_closed, &standing);
    }

    let attempts: Vec<&StanceAttempt> = trials
        .iter()
        .filter_map(|t| match &t.result {
            TrialResult::SingleLegStance(s) => Some(s.attempts.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    count += attempts.len();
    let max_hold_s = crate::balance::single_leg_max_hold_s(trials.iter().copied());
    single_leg_metrics(
        &mut metrics,
        &mut side_metrics,
        &attempts,
        max_hold_s,
        age_years,
    );

    for kind in [SquatKind::Squat, SquatKind::StepDown] {
        for side in [Side::Left, Side::Right] {
            let reps: Vec<&Repetition> = trials
                .iter()
                .filter_map(|t| match &t.result {
                    TrialResult::Squat(a) if a.kind == kind && a.stance_side == side => {
                        Some(a.repetitions.iter())
                    }
                    _ => None,
                })
                .flatten()
                .collect();
            count += reps.len();
            squat_metrics(&mut metrics, kind, side, &reps);
        }
    }

    let single_leg_events = trials.iter().filter_map(|t| single_leg_events(t)).collect();

    let mut tasks: Vec<&str> = trials.iter().map(|t| t.task.as_str()).collect();
    tasks.sort_unstable();
    tasks.dedup();
    SessionMetrics {
        label: label.to_string(),
        task: match tasks.as_slice() {
            [one] => one.parse::<Task>().ok(),
            _ => None,
        },
        metrics,
        side_metrics,
        balance_trials: count,
        sway,
        single_leg_events,
        age_years,
        ..SessionMetrics::default()
    }
}

/// The events chart's data of a single-leg trial; `None` for other tasks.
pub fn single_leg_events(trial: &BalanceTrial) -> Option<SingleLegEvents> {
    let TrialResult::SingleLegStance(sls) = &trial.result else {
        return None;
    };
    Some(SingleLegEvents {
        label: trial.label.clone(),
        task: trial.task.clone(),
        max_hold_s: sls.settings.max_hold_s,
        trace: sls.trace.clone(),
        attempts: sls
            .attempts
            .iter()
            .map(|a| AttemptEvents {
                stance_side: a.stance_side,
                lift_off_s: a.lift_off_s,
                touch_down_s: a.touch_down_s,
                hold_s: a.hold_s,
                reached_max_hold: a.reached_max_hold,
                interrupted_by_gap: a.interrupted_by_gap,
                losses: a.losses.clone(),
                events_from: a.events_from,
            })
            .collect(),
    })
}

/// Sway measures of standing trials with the same eyes condition: mean over trials, one
/// sample per trial.
fn sway_metrics(metrics: &mut Vec<Metric>, eyes_closed: bool, standing: &[(&Sway, &SwayPath)]) {
    let (eyes, k) = if eyes_closed {
        ("eyes closed", "ec")
    } else {
        ("eyes open", "eo")
    };
    let per_trial = |f: fn(&Sway) -> f64| -> (f64, Vec<f64>) {
        let v: Vec<f64> = standing.iter().map(|(s, _)| f(s)).collect();
        (mean(&v), if v.len() > 1 { v } else { Vec::new() })
    };
    // (file stem, name, unit, decimals, value of one trial)
    type SwayMeasure = (&'static str, String, &'static str, usize, fn(&Sway) -> f64);
    let measures: [SwayMeasure; 4] = [
        ("sway_rms", format!("Sway RMS, {eyes}"), "m/s²", 3, |s| {
            s.rms_mps2
        }),
        (
            "sway_rms_ml",
            format!("Side-to-side sway RMS, {eyes}"),
            "m/s²",
            3,
            |s| s.rms_ml_mps2,
        ),
        (
            "sway_ellipse",
            format!("95 % sway ellipse, {eyes}"),
            "(m/s²)²",
            4,
            |s| s.ellipse_area_m2ps4,
        ),
        (
            "sway_jerk",
            format!("Sway JERK, {eyes}"),
            "m²/s⁵",
            3,
            |s| s.jerk_m2ps5,
        ),
    ];
    for (stem, name, unit, decimals, f) in measures {
        let unit_key = match unit {
            "m/s²" => "mps2",
            "(m/s²)²" => "m2ps4",
            _ => "m2ps5",
        };
        let (value, samples) = per_trial(f);
        metrics.push(Metric::new(
            &format!("{stem}_{k}_{unit_key}"),
            &name,
            unit,
            decimals,
            Better::Lower,
            value,
            samples,
        ));
    }
}

/// Best hold, losses per leg and the hold symmetry of single-leg stance attempts.
fn single_leg_metrics(
    metrics: &mut Vec<Metric>,
    side_metrics: &mut Vec<SideMetric>,
    attempts: &[&StanceAttempt],
    max_hold_s: f64,
    age_years: Option<f64>,
) {
    let holds = |side: Side| -> Vec<f64> {
        attempts
            .iter()
            .filter(|a| a.stance_side == Some(side))
            .map(|a| a.hold_s)
            .collect()
    };
    let (l, r) = (holds(Side::Left), holds(Side::Right));
    for (side, h) in [(Side::Left, &l), (Side::Right, &r)] {
        if h.is_empty() {
            continue;
        }
        let best = h.iter().cloned().fold(0.0, f64::max);
        let word = side.as_str();
        let normal_range = age_years
            .and_then(norms::sls_eyes_open_norm_s)
            .map(|(group, norm)| NormalRange {
                low: norm,
                high: norm.max(max_hold_s),
                source: format!("{} (ages {group})", norms::SLS_NORM_SOURCE),
            });
        metrics.push(Metric {
            audience: Audience::Patient,
            plain: plain(
                &format!("Your balance time on the {word} leg"),
                "longer",
                "shorter",
            ),
            normal_range,
            limits: Some((0.0, max_hold_s)),
            ..Metric::new(
                &format!("sls_best_hold_{word}_s"),
                &format!("Single-leg stance, {word} leg (best)"),
                "s",
                1,
                Better::Higher,
                best,
                h.clone(),
            )
        });
        let losses: Vec<f64> = attempts
            .iter()
            .filter(|a| a.stance_side == Some(side))
            .map(|a| a.losses.len() as f64)
            .collect();
        metrics.push(Metric::new(
            &format!("sls_losses_per_attempt_{word}"),
            &format!("Balance losses per attempt, {word} leg"),
            "",
            1,
            Better::Lower,
            mean(&losses),
            losses,
        ));
    }
    // attempts whose stance leg the weight shift does not show are in no per-leg value
    let unknown = attempts.iter().filter(|a| a.stance_side.is_none()).count();
    if unknown > 0 {
        metrics.push(Metric::new(
            "sls_attempts_side_unknown",
            "Single-leg attempts with the side unknown (left out of the per-leg values)",
            "",
            0,
            Better::Lower,
            unknown as f64,
            vec![],
        ));
    }
    if !l.is_empty() && !r.is_empty() {
        let m = PerSide {
            left: mean(&l),
            right: mean(&r),
        };
        if let Some(si) = symmetry_index_pct(m.left, m.right) {
            metrics.push(Metric::new(
                "sls_hold_si_pct",
                "Single-leg stance symmetry index",
                "%",
                0,
                Better::Closer(0.0),
                si,
                vec![],
            ));
        }
        side_metrics.push(SideMetric {
            key: "sls_hold_s".into(),
            name: "Single-leg stance time".into(),
            unit: "s".into(),
            decimals: 1,
            mean: m,
            samples: PerSide { left: l, right: r },
        });
    }
}

/// Key stem of a squat kind in metric keys.
pub fn squat_key(kind: SquatKind) -> &'static str {
    match kind {
        SquatKind::Squat => "squat",
        SquatKind::StepDown => "step_down",
    }
}

/// Pelvic drop, forward lean and time to stabilisation of the repetitions on one leg.
fn squat_metrics(metrics: &mut Vec<Metric>, kind: SquatKind, side: Side, reps: &[&Repetition]) {
    if reps.is_empty() {
        return;
    }
    let task = match kind {
        SquatKind::Squat => "single-leg squat",
        SquatKind::StepDown => "step-down",
    };
    let task_key = squat_key(kind);
    let word = side.as_str();
    let drops: Vec<f64> = reps.iter().map(|r| r.pelvic_drop_deg).collect();
    metrics.push(Metric {
        audience: Audience::Patient,
        plain: plain(
            &format!("Your pelvic drop in the {task} on the {word} leg"),
            "smaller",
            "larger",
        ),
        ..Metric::new(
            &format!("{task_key}_pelvic_drop_{word}_deg"),
            &format!("Pelvic drop, {task} on the {word} leg"),
            "°",
            1,
            Better::Lower,
            mean(&drops),
            drops,
        )
    });
    let lean: Vec<f64> = reps.iter().map(|r| r.trunk_forward_lean_deg).collect();
    metrics.push(Metric::new(
        &format!("{task_key}_forward_lean_{word}_deg"),
        &format!("Trunk forward lean, {task} on the {word} leg"),
        "°",
        1,
        Better::Lower,
        mean(&lean),
        lean,
    ));
    let tts: Vec<f64> = reps.iter().filter_map(|r| r.stabilisation_s).collect();
    if !tts.is_empty() {
        metrics.push(Metric::new(
            &format!("{task_key}_stabilisation_{word}_s"),
            &format!("Time to stabilisation, {task} on the {word} leg"),
            "s",
            2,
            Better::Lower,
            mean(&tts),
            tts,
        ));
    }
}
