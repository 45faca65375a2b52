//! Balance trials → [`SessionMetrics`], so charts, before/after verdicts and progress pick up
//! single-leg stance time and pelvic drop per leg (headline metrics of metrics.md C5) and the
//! sway measures (therapist view).

use super::model::{
    Audience, Better, Metric, NormalRange, PlainLanguage, SessionMetrics, SideMetric,
};
use crate::balance::single_leg_stance::StanceAttempt;
use crate::balance::squat::SquatKind;
use crate::balance::{norms, BalanceTrial, TrialResult};
use crate::gait::symmetry::symmetry_index_pct;
use crate::gait::{PerSide, Side};
use crate::recording::{Placement, Session, Task};

fn plain(subject: &str, better: &str, worse: &str) -> Option<PlainLanguage> {
    Some(PlainLanguage {
        subject: subject.into(),
        verb: "is".into(),
        after_value: String::new(),
        better: better.into(),
        worse: worse.into(),
    })
}

/// Converts one balance trial of `session`. Single-leg stance gives per-leg best hold time
/// (patient view, with the age norm as normal range when `age_years` is known), mean hold and
/// its symmetry index; squats and step-downs give pelvic drop per repetition; standing gives
/// the sway set (therapist view).
pub fn session_metrics(
    trial: &BalanceTrial,
    session: &Session,
    age_years: Option<f64>,
) -> SessionMetrics {
    let mut metrics = Vec::new();
    let mut side_metrics = Vec::new();
    let count;
    match &trial.result {
        TrialResult::Standing { eyes_closed, sway } => {
            count = 1;
            let eyes = if *eyes_closed {
                "eyes closed"
            } else {
                "eyes open"
            };
            let k = if *eyes_closed { "ec" } else { "eo" };
            metrics.push(Metric::new(
                &format!("sway_rms_{k}_mps2"),
                &format!("Sway RMS, {eyes}"),
                "m/s²",
                3,
                Better::Lower,
                sway.rms_mps2,
                vec![],
            ));
            metrics.push(Metric::new(
                &format!("sway_rms_ml_{k}_mps2"),
                &format!("Side-to-side sway RMS, {eyes}"),
                "m/s²",
                3,
                Better::Lower,
                sway.rms_ml_mps2,
                vec![],
            ));
            metrics.push(Metric::new(
                &format!("sway_ellipse_{k}_m2ps4"),
                &format!("95 % sway ellipse, {eyes}"),
                "(m/s²)²",
                4,
                Better::Lower,
                sway.ellipse_area_m2ps4,
                vec![],
            ));
            metrics.push(Metric::new(
                &format!("sway_jerk_{k}_m2ps5"),
                &format!("Sway JERK, {eyes}"),
                "m²/s⁵",
                3,
                Better::Lower,
                sway.jerk_m2ps5,
                vec![],
            ));
        }
        TrialResult::SingleLegStance(sls) => {
            count = sls.attempts.len();
            let holds = |side: Side| -> Vec<f64> {
                sls.attempts
                    .iter()
                    .filter(|a: &&StanceAttempt| a.stance_side == side)
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
                let normal_range =
                    age_years
                        .and_then(norms::sls_eyes_open_norm_s)
                        .map(|(group, norm)| NormalRange {
                            low: norm,
                            high: norm.max(sls.settings.max_hold_s),
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
                    limits: Some((0.0, sls.settings.max_hold_s)),
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
                let losses: usize = sls
                    .attempts
                    .iter()
                    .filter(|a| a.stance_side == side)
                    .map(|a| a.losses.len())
                    .sum();
                metrics.push(Metric::new(
                    &format!("sls_losses_{word}"),
                    &format!("Balance losses, {word} leg"),
                    "",
                    0,
                    Better::Lower,
                    losses as f64,
                    vec![],
                ));
            }
            if !l.is_empty() && !r.is_empty() {
                let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
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
        TrialResult::Squat(a) => {
            count = a.repetitions.len();
            if !a.repetitions.is_empty() {
                let drops: Vec<f64> = a.repetitions.iter().map(|r| r.pelvic_drop_deg).collect();
                let mean = drops.iter().sum::<f64>() / drops.len() as f64;
                let (task, task_key) = match a.kind {
                    SquatKind::Squat => ("single-leg squat", "squat"),
                    SquatKind::StepDown => ("step-down", "step_down"),
                };
                let word = a.stance_side.as_str();
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
                        mean,
                        drops,
                    )
                });
                let lean: Vec<f64> = a
                    .repetitions
                    .iter()
                    .map(|r| r.trunk_forward_lean_deg)
                    .collect();
                let lean_mean = lean.iter().sum::<f64>() / lean.len() as f64;
                metrics.push(Metric::new(
                    &format!("{task_key}_forward_lean_{word}_deg"),
                    &format!("Trunk forward lean, {task} on the {word} leg"),
                    "°",
                    1,
                    Better::Lower,
                    lean_mean,
                    lean,
                ));
                let tts: Vec<f64> = a
                    .repetitions
                    .iter()
                    .filter_map(|r| r.stabilisation_s)
                    .collect();
                if !tts.is_empty() {
                    let m = tts.iter().sum::<f64>() / tts.len() as f64;
                    metrics.push(Metric::new(
                        &format!("{task_key}_stabilisation_{word}_s"),
                        &format!("Time to stabilisation, {task} on the {word} leg"),
                        "s",
                        2,
                        Better::Lower,
                        m,
                        tts,
                    ));
                }
            }
        }
    }
    SessionMetrics {
        label: trial.label.clone(),
        start_time: session.start_time,
        task: trial.task.parse::<Task>().ok(),
        placements: session
            .sensors
            .iter()
            .map(|s| s.placement)
            .collect::<Vec<Placement>>(),
        strides: count,
        metrics,
        side_metrics,
        gait_cycle: None,
        stride_symmetry: None,
    }
}
