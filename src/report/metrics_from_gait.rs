//! Gait analysis → [`SessionMetrics`]: the headline and therapist metrics with their
//! per-stride samples, the per-side timings, per-stride step-time symmetry and the mean gait
//! cycle of the vertical trunk acceleration.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};

use super::compare::{self, EVENNESS_NORMAL_MIN_PCT, SYMMETRY_RATIO_CITATION};
use super::model::{
    Audience, Better, GaitCycle, Metric, NormalRange, PlainLanguage, SessionMetrics, SideMetric,
    StrideSymmetry, Uncertainty,
};
use crate::analyze::{analyze_with, prepare_imu, AnalyzeOptions, SessionAnalysis};
use crate::error::{Error, Result};
use crate::gait::analysis::{Step, Stride};
use crate::gait::body_frame::to_body_frame;
use crate::gait::leg::alignment::align_leg;
use crate::gait::leg::{LegAnalysis, LegSensorKind};
use crate::gait::summary::{per_side, side_values, walking_steps, walking_strides};
use crate::gait::symmetry::SideComparison;
use crate::gait::symmetry::{evenness_pct, symmetry_index_pct};
use crate::gait::{Contact, GaitAnalysis, PerSide, Side};
use crate::recording::{ImuTable, Placement, Session, Task};

/// Session label for charts: the start date where known, else the folder name.
pub fn session_label(dir: &Path, start_time: Option<DateTime<FixedOffset>>) -> String {
    match start_time {
        Some(t) => t.format("%-d %b %Y").to_string(),
        None => dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

/// Reads, analyses and converts one session folder, with the mean gait cycle from its
/// lower-back sensor.
pub fn session_metrics_from_dir(dir: &Path, opts: &AnalyzeOptions) -> Result<SessionMetrics> {
    let session = Session::read(dir)?;
    session_metrics_with(dir, &session, opts, &|p: &Path| ImuTable::read(p))
}

/// As [`session_metrics_from_dir`] with the sensor files read by `read` (e.g. from memory).
pub fn session_metrics_with(
    dir: &Path,
    session: &Session,
    opts: &AnalyzeOptions,
    read: &dyn Fn(&Path) -> Result<ImuTable>,
) -> Result<SessionMetrics> {
    let analysis = analyze_with(dir, session, opts, read)?;
    let label = session_label(dir, session.start_time);
    let cycle = match (
        session.sensor(Placement::LowerBack),
        &analysis.gait,
        &analysis.legs,
    ) {
        (Some(entry), Some(gait), _) => {
            let path = session.sensor_path(dir, entry);
            let imu = prepare_imu(read(&path)?, &path, opts)?;
            let (body, _) = to_body_frame(&imu, entry.axes, &path)?;
            let contacts = steady_contacts(gait);
            GaitCycle::from_strides(
                "Vertical trunk acceleration",
                "m/s²",
                &body.acc_v_mps2,
                imu.fs_hz,
                imu.t0_s,
                &contacts,
            )
        }
        (None, Some(gait), Some(legs)) => leg_cycle(dir, session, opts, read, gait, legs)?,
        _ => None,
    };
    let mut metrics = from_analysis(&label, &analysis, cycle)?;
    metrics.age_years = session.participant.age_years;
    Ok(metrics)
}

/// Mean cycle of the sagittal angular velocity of each leg sensor (foot or shank), each side
/// from its own sensor, on the analysis timeline (the right sensor shifted by the clock
/// offset found when the legs were synchronised) and in the alignment the leg analysis used.
fn leg_cycle(
    dir: &Path,
    session: &Session,
    opts: &AnalyzeOptions,
    read: &dyn Fn(&Path) -> Result<ImuTable>,
    gait: &GaitAnalysis,
    legs: &LegAnalysis,
) -> Result<Option<GaitCycle>> {
    let contacts = steady_contacts(gait);
    let signal = match legs.sensors {
        LegSensorKind::Foot => "Sagittal foot angular velocity",
        LegSensorKind::Shank => "Sagittal shank angular velocity",
    };
    let mut curves: PerSide<Option<Vec<f64>>> = PerSide {
        left: None,
        right: None,
    };
    for side in [Side::Left, Side::Right] {
        let Some(entry) = session.sensor(legs.sensors.placement(side)) else {
            return Ok(None);
        };
        let path = session.sensor_path(dir, entry);
        let imu = prepare_imu(read(&path)?, &path, opts)?;
        let declared = entry.axes.sensor_to_body();
        let mut alignment = align_leg(
            &imu.acc_mps2,
            &imu.gyr_dps,
            &declared,
            entry.placement.as_str(),
        )?;
        if legs.alignment.get(side).forward_from_motion {
            alignment = alignment.reversed(&declared);
        }
        let gyr_ml = alignment.gyr_ml_dps(&imu.gyr_dps);
        let t0_s = imu.t0_s
            + if side == Side::Right {
                legs.sync.right_offset_s
            } else {
                0.0
            };
        let cycle = GaitCycle::from_strides(signal, "deg/s", &gyr_ml, imu.fs_hz, t0_s, &contacts);
        *curves.get_mut(side) = cycle.map(|c| if side == Side::Left { c.left } else { c.right });
    }
    Ok(match (curves.left, curves.right) {
        (Some(left), Some(right)) => Some(GaitCycle {
            signal: signal.into(),
            unit: "deg/s".into(),
            left,
            right,
        }),
        _ => None,
    })
}

/// Initial contacts that open a steady stride, followed by the contact closing it.
fn steady_contacts(gait: &GaitAnalysis) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    for s in gait.strides.iter().filter(|s| s.steady) {
        for c in [
            Contact {
                t_s: s.start_s,
                side: s.side,
            },
            Contact {
                t_s: s.end_s,
                side: s.side,
            },
        ] {
            if !out.iter().any(|o| (o.t_s - c.t_s).abs() < 1e-9) {
                out.push(c);
            }
        }
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out
}

/// Non-overlapping (left, right, time of the first) pairs of consecutive steady items of
/// opposite sides in the same bout: one pair per stride.
fn stride_pairs<T>(
    items: &[T],
    steady: impl Fn(&T) -> bool,
    bout: impl Fn(&T) -> usize,
    side: impl Fn(&T) -> Option<Side>,
    start_s: impl Fn(&T) -> f64,
    value: impl Fn(&T) -> Option<f64>,
) -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < items.len() {
        let (a, b) = (&items[i], &items[i + 1]);
        let paired = steady(a) && steady(b) && bout(a) == bout(b);
        match (paired, side(a), side(b), value(a), value(b)) {
            (true, Some(sa), Some(sb), Some(va), Some(vb)) if sa != sb => {
                let (l, r) = if sa == Side::Left { (va, vb) } else { (vb, va) };
                out.push((l, r, start_s(a)));
                i += 2;
            }
            _ => i += 1,
        }
    }
    out
}

/// Per-side values as in the gait summary: 20 % trimmed means of the counted strides.
fn side_metric(key: &str, name: &str, samples: PerSide<Vec<f64>>) -> Option<SideMetric> {
    let values = side_values(&samples);
    let mean = PerSide {
        left: values.left?,
        right: values.right?,
    };
    Some(SideMetric {
        key: key.into(),
        name: name.into(),
        unit: "s".into(),
        decimals: 2,
        mean,
        samples,
    })
}

fn plain(
    subject: &str,
    verb: &str,
    after_value: &str,
    better: &str,
    worse: &str,
) -> Option<PlainLanguage> {
    Some(PlainLanguage {
        subject: subject.into(),
        verb: verb.into(),
        after_value: after_value.into(),
        better: better.into(),
        worse: worse.into(),
    })
}

/// Walking speed, m/s: a patient headline with the typical range of healthy adults and the
/// 0.10 m/s minimal clinically important difference.
pub fn walking_speed_metric(value: f64, samples: Vec<f64>) -> Metric {
    Metric {
        normal_range: Some(NormalRange {
            low: compare::GAIT_SPEED_NORMAL_MPS.0,
            high: compare::GAIT_SPEED_NORMAL_MPS.1,
            source: compare::GAIT_SPEED_NORMAL_CITATION.into(),
        }),
        mcid: Some(compare::gait_speed_mcid()),
        audience: Audience::Patient,
        plain: plain("Your walking speed", "is", "", "faster", "slower"),
        ..Metric::new(
            "walking_speed_mps",
            "Walking speed",
            "m/s",
            2,
            Better::Higher,
            value,
            samples,
        )
    }
}

/// Step-time evenness (smaller / larger side), %: a patient headline, typical from 90 %.
pub fn step_time_evenness_metric(value: f64, samples: Vec<f64>) -> Metric {
    Metric {
        normal_range: Some(NormalRange {
            low: EVENNESS_NORMAL_MIN_PCT,
            high: 100.0,
            source: SYMMETRY_RATIO_CITATION.into(),
        }),
        limits: Some((0.0, 100.0)),
        audience: Audience::Patient,
        plain: plain(
            "Your left and right steps",
            "are",
            "even",
            "more even",
            "less even",
        ),
        ..Metric::new(
            "step_time_evenness_pct",
            "Step-time evenness",
            "%",
            0,
            Better::Higher,
            value,
            samples,
        )
    }
}

/// Cadence, steps/min: a patient headline ("pace").
pub fn cadence_metric(value: f64, samples: Vec<f64>) -> Metric {
    Metric {
        audience: Audience::Patient,
        plain: plain("Your pace", "is", "", "quicker", "slower"),
        ..Metric::new(
            "cadence_spm",
            "Cadence",
            "steps/min",
            0,
            Better::Higher,
            value,
            samples,
        )
    }
}

/// A symmetry index, % (right relative to left): closer to 0 is better, typical within the
/// symmetry-ratio band.
pub fn symmetry_index_metric(key: &str, name: &str, value: f64, samples: Vec<f64>) -> Metric {
    let lim = compare::typical_si_limit_pct();
    Metric {
        normal_range: Some(NormalRange {
            low: -lim,
            high: lim,
            source: SYMMETRY_RATIO_CITATION.into(),
        }),
        ..Metric::new(key, name, "%", 1, Better::Closer(0.0), value, samples)
    }
}

/// Converts an analysed session. `cycle` is the mean gait cycle where the raw signal was
/// available. Errors when the session has no steady walking.
pub fn from_analysis(
    label: &str,
    analysis: &SessionAnalysis,
    cycle: Option<GaitCycle>,
) -> Result<SessionMetrics> {
    let info = &analysis.session;
    let start_time = info
        .start_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let task = info
        .task
        .as_deref()
        .map(|t| Task::from_str(t).unwrap_or_else(|_| Task::Other(t.to_string())));
    let placements = info
        .placements
        .iter()
        .filter_map(|p| p.parse().ok())
        .collect();
    let gait = analysis.gait.as_ref().ok_or_else(|| {
        Error::NotEnoughData(format!(
            "{}: no gait analysis (no lower-back sensor)",
            analysis.source.display()
        ))
    })?;
    if gait.summary.n_steady_steps == 0 {
        return Err(Error::NotEnoughData(format!(
            "{}: no steady walking was found (walking bouts: {}), so there are no gait metrics to chart",
            analysis.source.display(),
            gait.summary.n_bouts
        )));
    }
    let mut s = from_gait(label, gait, cycle);
    s.start_time = start_time;
    s.task = task;
    s.placements = placements;
    Ok(s)
}

/// Metrics of a gait analysis (session details left empty).
pub fn from_gait(label: &str, gait: &GaitAnalysis, cycle: Option<GaitCycle>) -> SessionMetrics {
    let steps: &[Step] = &gait.steps;
    let strides: &[Stride] = &gait.strides;
    let sum = &gait.summary;
    let step_pairs = stride_pairs(
        steps,
        |s| s.steady,
        |s| s.bout,
        |s| s.side,
        |s| s.start_s,
        |s| Some(s.step_time_s),
    );
    let pair_values = |pairs: &[(f64, f64, f64)], f: fn(f64, f64) -> Option<f64>| -> Vec<f64> {
        pairs.iter().filter_map(|&(l, r, _)| f(l, r)).collect()
    };
    let stride_pair = |value: fn(&Stride) -> Option<f64>| {
        stride_pairs(
            strides,
            |s| s.steady,
            |s| s.bout,
            |s| s.side,
            |s| s.start_s,
            value,
        )
    };

    let mut metrics = Vec::new();
    // whole-walk measures use every regular stride and step outside turns, as the summary does
    let walk_strides = walking_strides(strides, steps);
    let speeds: Vec<f64> = walk_strides.iter().filter_map(|s| s.speed_mps).collect();
    if let Some(v) = sum.walking_speed_mps {
        metrics.push(walking_speed_metric(v, speeds));
    }
    // left/right measures carry the uncertainty of their robust per-side values
    let with_sides = |mut m: Metric, c: &SideComparison, se: Option<f64>| {
        m.uncertainty = se.zip(c.si_df).map(|(se, df)| Uncertainty { se, df });
        m.strides_per_side = Some(PerSide {
            left: c.left.n,
            right: c.right.n,
        });
        m
    };
    if let (Some(v), Some(c)) = (
        sum.symmetry.step_time_evenness_pct,
        sum.comparisons.step_time.as_ref(),
    ) {
        let se = c.evenness_pct().and_then(|e| e.1);
        metrics.push(with_sides(
            step_time_evenness_metric(v, pair_values(&step_pairs, evenness_pct)),
            c,
            se,
        ));
    }
    if let Some(v) = sum.cadence_spm {
        // Per-step instantaneous cadence, 60 / step time.
        let samples = walking_steps(steps)
            .iter()
            .filter(|s| s.step_time_s > 0.0)
            .map(|s| 60.0 / s.step_time_s)
            .collect();
        metrics.push(cadence_metric(v, samples));
    }
    let symmetric = [
        (
            "step_time_si_pct",
            "Step-time symmetry index",
            &sum.comparisons.step_time,
            pair_values(&step_pairs, symmetry_index_pct),
        ),
        (
            "stance_time_si_pct",
            "Stance-time symmetry index",
            &sum.comparisons.stance_time,
            pair_values(&stride_pair(|s| s.stance_time_s), symmetry_index_pct),
        ),
        (
            "swing_time_si_pct",
            "Swing-time symmetry index",
            &sum.comparisons.swing_time,
            pair_values(&stride_pair(|s| s.swing_time_s), symmetry_index_pct),
        ),
    ];
    for (key, name, comparison, samples) in symmetric {
        if let Some(c) = comparison {
            metrics.push(with_sides(
                symmetry_index_metric(key, name, c.si_pct, samples),
                c,
                c.si_se_pct,
            ));
        }
    }
    if let Some(v) = sum.stride_length_m {
        let samples = walk_strides
            .iter()
            .filter_map(|s| s.stride_length_m)
            .collect();
        metrics.push(Metric::new(
            "stride_length_m",
            "Stride length",
            "m",
            2,
            Better::Higher,
            v,
            samples,
        ));
    }
    if let Some(v) = sum.variability.step_time_cv_pct {
        metrics.push(Metric::new(
            "step_time_cv_pct",
            "Step-time variability (CV)",
            "%",
            1,
            Better::Lower,
            v,
            Vec::new(),
        ));
    }
    if let Some(v) = sum.symmetry.pci_pct {
        metrics.push(Metric::new(
            "pci_pct",
            "Phase coordination index",
            "%",
            1,
            Better::Lower,
            v,
            Vec::new(),
        ));
    }

    let side_metrics = [
        side_metric(
            "step_time_s",
            "Step time",
            per_side(
                strides.iter().filter(|s| s.steady),
                |s| s.side,
                |s| s.step_time_s,
            ),
        ),
        side_metric(
            "stance_time_s",
            "Stance time",
            per_side(
                strides.iter().filter(|s| s.steady),
                |s| s.side,
                |s| s.stance_time_s,
            ),
        ),
        side_metric(
            "swing_time_s",
            "Swing time",
            per_side(
                strides.iter().filter(|s| s.steady),
                |s| s.side,
                |s| s.swing_time_s,
            ),
        ),
        side_metric(
            "single_support_s",
            "Single support",
            per_side(
                strides.iter().filter(|s| s.steady),
                |s| s.side,
                |s| s.single_support_s,
            ),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();

    let stride_symmetry = (!step_pairs.is_empty()).then(|| StrideSymmetry {
        parameter: "Step time".into(),
        t_s: step_pairs.iter().map(|p| p.2).collect(),
        si_pct: pair_values(&step_pairs, symmetry_index_pct),
    });

    SessionMetrics {
        label: label.to_string(),
        strides: strides.iter().filter(|s| s.steady).count(),
        metrics,
        side_metrics,
        gait_cycle: cycle,
        stride_symmetry,
        ..SessionMetrics::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(bout: usize, side: Side, start_s: f64, step_time_s: f64) -> Step {
        Step {
            bout,
            side: Some(side),
            start_s,
            end_s: start_s + step_time_s,
            step_time_s,
            step_length_m: None,
            in_turn: false,
            regular: true,
            steady: true,
        }
    }

    #[test]
    fn stride_pairs_put_left_and_right_in_place_and_do_not_overlap() {
        // Right steps (landing on the right) 0.6 s, left steps 0.5 s: SI = +18.18 %.
        let mut steps = Vec::new();
        let mut t = 0.0;
        for k in 0..6 {
            let (side, d) = if k % 2 == 0 {
                (Side::Right, 0.6)
            } else {
                (Side::Left, 0.5)
            };
            steps.push(step(0, side, t, d));
            t += d;
        }
        let pairs = stride_pairs(
            &steps,
            |s| s.steady,
            |s| s.bout,
            |s| s.side,
            |s| s.start_s,
            |s| Some(s.step_time_s),
        );
        assert_eq!(pairs.len(), 3);
        for (l, r, _) in &pairs {
            assert_eq!((*l, *r), (0.5, 0.6));
        }
        for (p, t) in pairs.iter().zip([0.0, 1.1, 2.2]) {
            assert!((p.2 - t).abs() < 1e-9);
        }
        let si = symmetry_index_pct(pairs[0].0, pairs[0].1).unwrap();
        assert!((si - 100.0 * 0.1 / 0.55).abs() < 1e-12);
        // A bout boundary or an unsteady step breaks a pair.
        steps[1].bout = 1;
        steps[2].steady = false;
        let pairs = stride_pairs(
            &steps,
            |s| s.steady,
            |s| s.bout,
            |s| s.side,
            |s| s.start_s,
            |s| Some(s.step_time_s),
        );
        assert_eq!(pairs.len(), 1);
    }

    /// Known walk through the real temporal and summary stages: 12 contacts alternating
    /// left, right, ...; every step landing on the right takes 0.6 s, every left one 0.5 s;
    /// toe-offs 0.1 s after the opposite contact.
    fn asymmetric_walk() -> GaitAnalysis {
        use crate::gait::{summary, temporal};
        let mut ic = vec![1.0];
        let mut sides = vec![Some(Side::Left)];
        for k in 1..12 {
            let side = if k % 2 == 1 { Side::Right } else { Side::Left };
            let d = if side == Side::Right { 0.6 } else { 0.5 };
            ic.push(ic[k - 1] + d);
            sides.push(Some(side));
        }
        let fc: Vec<f64> = ic.iter().map(|t| t + 0.1).collect();
        let lengths = vec![Some(0.6); ic.len() - 1];
        let (steps, strides) = temporal::steps_and_strides(&temporal::BoutEvents {
            bout: 0,
            ic_s: &ic,
            sides: &sides,
            fc_s: &fc,
            step_length_m: &lengths,
            turns: &[],
            uncertain_turns: &[],
            uncertain_contacts_s: &[],
            starts_after_gap: false,
            ends_before_gap: false,
        });
        let summary = summary::summarize(&steps, &strides, 1, ic[11] - ic[0]);
        GaitAnalysis {
            source: "lower-back".into(),
            duration_s: 10.0,
            sampling_rate_hz: 100.0,
            alignment: None,
            gaps: Vec::new(),
            bouts: Vec::new(),
            turns: Vec::new(),
            uncertain_turns: Vec::new(),
            initial_contacts: ic
                .iter()
                .zip(&sides)
                .map(|(&t_s, &side)| Contact { t_s, side })
                .collect(),
            final_contacts: Vec::new(),
            steps,
            strides,
            summary,
            notes: Vec::new(),
            quality: Default::default(),
        }
    }

    #[test]
    fn longer_right_steps_come_out_as_right_longer_everywhere() {
        let s = from_gait("walk", &asymmetric_walk(), None);
        let step = s.side_metric("step_time_s").unwrap();
        assert!(
            (step.mean.left - 0.5).abs() < 1e-9 && (step.mean.right - 0.6).abs() < 1e-9,
            "{:?}",
            step.mean
        );
        // SI = (0.6 − 0.5) / 0.55 × 100 = +18.18 %, evenness 0.5 / 0.6 = 83.3 %.
        let si = s.metric("step_time_si_pct").unwrap();
        assert!((si.value - 18.181818).abs() < 1e-4, "{}", si.value);
        assert!(
            si.samples.iter().all(|v| (v - 18.181818).abs() < 1e-4),
            "{:?}",
            si.samples
        );
        let even = s.metric("step_time_evenness_pct").unwrap();
        assert!((even.value - 83.333333).abs() < 1e-4);
        let per_stride = s.stride_symmetry.as_ref().unwrap();
        assert!(!per_stride.si_pct.is_empty() && per_stride.si_pct.iter().all(|v| *v > 18.0));
        // Identical strides: the index is known exactly, from 4 strides of each side.
        assert!(si.ci95_half_width().unwrap() < 1e-9);
        assert_eq!(si.strides_per_side, Some(PerSide { left: 4, right: 4 }));
        // Cadence: 60 / mean step time of the walk's steps without two at each end (3 left and
        // 4 right ones).
        let g = asymmetric_walk();
        let steady: Vec<f64> = g
            .steps
            .iter()
            .filter(|s| s.steady)
            .map(|s| s.step_time_s)
            .collect();
        assert_eq!(steady.len(), 7);
        let cadence = s.metric("cadence_spm").unwrap();
        assert!(
            (cadence.value - 60.0 * 7.0 / (3.0 * 0.5 + 4.0 * 0.6)).abs() < 1e-9,
            "{}",
            cadence.value
        );
        assert_eq!(
            s.strides,
            s.metrics
                .iter()
                .find(|m| m.key == "walking_speed_mps")
                .unwrap()
                .samples
                .len()
        );
    }
}
