//! Standing balance and single-leg stability from the lower-back sensor (metrics.md part B).
//!
//! Pipeline, one module per stage: [`trunk_motion`] (orientation, gravity-free level-frame
//! acceleration, pelvis angles) → per task: [`sway`] (standing), [`single_leg_stance`]
//! (lift-off, touch-down, losses), [`squat`] (repetitions, pelvic drop, trunk lean) with
//! [`stabilisation`] (after step-down landings) → [`norms`] and left/right symmetry.
//!
//! Task names: `single-leg-left` = standing on the **left** leg (the left hip is tested);
//! `squat-left` = squatting on the left leg; `step-down-left` = the left leg bears the weight:
//! it stands on the step while the right heel is lowered to the floor and back (step-down
//! test), or it is the leg landed on when stepping down. Without a task in `session.json` the recording is classified as standing
//! or single-leg stance (side from the weight transfer), and refused if it looks like walking;
//! squats and step-downs need the task.
//! A shank or foot sensor on the raised leg times lift-off and touch-down ([`leg_lift`]).

pub mod leg_lift;
pub mod norms;
pub mod single_leg_stance;
pub mod squat;
pub mod stabilisation;
pub mod sway;
pub mod trunk_motion;

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::gait::symmetry::Symmetry;
use crate::gait::{PerSide, Side};
use crate::recording::{Placement, Session, Task, UniformImu};
use crate::signal::ahrs::Calibration;
use leg_lift::LegTrack;
use norms::NormComparison;
use single_leg_stance::{SingleLegStance, StanceSettings, StanceSummary};
use squat::{SquatAnalysis, SquatKind, SquatSummary};
use sway::{Sway, SwayPath, SwaySettings};
use trunk_motion::TrunkMotion;

/// Seconds dropped at each end of a standing trial before the sway measures (ISway practice).
pub const STANDING_TRIM_S: f64 = 2.0;

/// Analysis of one recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceTrial {
    /// Name of the recording (session folder name).
    pub label: String,
    /// Task analysed, as in `session.json` (e.g. `single-leg-left`).
    pub task: String,
    /// True if the task was classified from the signals rather than read from the session.
    pub task_detected: bool,
    /// True if the stance leg was detected from the weight shift rather than named by the
    /// task (`single-leg-stance`, or no task).
    pub side_detected: bool,
    pub duration_s: f64,
    pub calibration: Calibration,
    pub result: TrialResult,
    /// Plain-language notes on anything that limits the result.
    pub warnings: Vec<String>,
}

/// The task-specific result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrialResult {
    Standing {
        eyes_closed: bool,
        sway: Box<Sway>,
        /// The analysed horizontal trajectory, for the sway-path chart (not exported).
        #[serde(skip)]
        path: SwayPath,
    },
    SingleLegStance(SingleLegStance),
    Squat(SquatAnalysis),
}

/// Left versus right over all trials. Symmetry indices follow [`crate::gait::symmetry`]:
/// signed right relative to left.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideComparison {
    /// Per-leg summaries of the single-leg attempts with a known stance side.
    pub single_leg: PerSide<Option<StanceSummary>>,
    /// Single-leg attempts with the stance side unknown, left out of `single_leg`.
    pub single_leg_side_unknown: usize,
    pub single_leg_best_hold: Option<Symmetry>,
    pub single_leg_mean_hold: Option<Symmetry>,
    pub single_leg_sway_rms_ml: Option<Symmetry>,
    /// Best hold against the age norm (eyes open), per side.
    pub single_leg_norm: PerSide<Option<NormComparison>>,
    pub squat: PerSide<Option<SquatSummary>>,
    pub squat_pelvic_drop: Option<Symmetry>,
    pub step_down: PerSide<Option<SquatSummary>>,
    pub step_down_pelvic_drop: Option<Symmetry>,
    pub step_down_stabilisation: Option<Symmetry>,
}

/// Everything the balance part reports: per trial and per side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceReport {
    pub trials: Vec<BalanceTrial>,
    pub sides: SideComparison,
}

impl BalanceReport {
    /// Combines trials; `age_years` enables the norm comparison.
    pub fn new(trials: Vec<BalanceTrial>, age_years: Option<f64>) -> BalanceReport {
        let sides = compare_sides(&trials, age_years);
        BalanceReport { trials, sides }
    }
}

/// Reads a session folder's lower-back sensor and analyses its task.
///
/// Recordings split by long data gaps are analysed on their longest continuous part (with a
/// warning). Walking sessions are refused: they belong to the gait analysis.
pub fn analyze_session(dir: &Path) -> Result<BalanceTrial> {
    let session = Session::read(dir)?;
    let entry = session.sensor(Placement::LowerBack).ok_or_else(|| {
        Error::Unsupported(format!(
            "{}: balance analysis needs a lower-back sensor; the session has {}",
            dir.display(),
            session
                .sensors
                .iter()
                .map(|s| s.placement.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let table = session.read_sensor(dir, entry)?;
    let mut uniform =
        UniformImu::from_table(&table, crate::recording::resample::DEFAULT_MAX_FILL_S)?;
    session.mark_recorded_gaps(&mut uniform, Placement::LowerBack);
    let mut warnings = Vec::new();
    let segments = uniform.segments();
    let longest = segments
        .iter()
        .max_by_key(|r| r.len())
        .cloned()
        .unwrap_or(0..uniform.len());
    if segments.len() > 1 {
        warnings.push(format!(
            "the recording has {} gaps without data; only its longest continuous part ({:.1}–{:.1} s) was analysed",
            segments.len() - 1,
            uniform.time_s(longest.start),
            uniform.time_s(longest.end - 1)
        ));
    }
    let (longest_start, longest_end) = (longest.start, longest.end);
    let (acc, gyr) = rotate_to_body(&uniform, entry.axes, longest);
    let label = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut trial = analyze_part(
        &label,
        session.task.as_ref(),
        &acc,
        &gyr,
        uniform.fs_hz,
        longest_start > 0,
    )?;
    // times of the analysed part, on the session timeline, start here
    let origin_s = uniform.time_s(longest_start);
    if let TrialResult::SingleLegStance(sls) = &mut trial.result {
        for (placement, raised) in [
            (Placement::LeftShank, Side::Left),
            (Placement::RightShank, Side::Right),
            (Placement::LeftFoot, Side::Left),
            (Placement::RightFoot, Side::Right),
        ] {
            let Some(leg_entry) = session.sensor(placement) else {
                continue;
            };
            if !sls.attempts.iter().any(|a| {
                a.stance_side.map(Side::opposite) == Some(raised)
                    && a.events_from == leg_lift::EventSource::LowerBack
            }) {
                continue;
            }
            let leg = read_body_frame(&session, dir, leg_entry)?;
            let track =
                LegTrack::from_body_frame(&leg.1, &leg.2, leg.0.fs_hz, leg.0.t0_s - origin_s);
            if let Some(track) = track {
                let n = leg_lift::refine_with_leg(sls, raised, &track);
                if n > 0 {
                    warnings.push(format!(
                        "lift-off and touch-down of {n} attempt(s) timed by the {placement} sensor"
                    ));
                }
            }
        }
    }
    // a gap right after the analysed part cuts short whatever was going on when it began
    let gap_follows = longest_end < uniform.len();
    let part_end_s = (longest_end - longest_start) as f64 / uniform.fs_hz;
    // from the analysed part onto the recording clock (they differ after a data gap)
    let shift_s = longest_start as f64 / uniform.fs_hz;
    match &mut trial.result {
        TrialResult::SingleLegStance(sls) => {
            if gap_follows {
                for (i, a) in sls.attempts.iter_mut().enumerate() {
                    if a.touch_down_s.is_none() && !a.reached_max_hold {
                        a.interrupted_by_gap = true;
                        warnings.push(format!(
                            "attempt {}: the data stop {:.1} s into the hold (a gap without data at {:.1} s), so its hold of {:.1} s is only a lower bound",
                            i + 1,
                            part_end_s - a.lift_off_s,
                            part_end_s + shift_s,
                            a.hold_s
                        ));
                    }
                }
            }
            // a hold that runs into the end of the data without a touch-down is timed to the
            // end: at least that long, unless a touch-down was missed
            for (i, a) in sls.attempts.iter().enumerate() {
                if a.touch_down_s.is_none() && !a.reached_max_hold && !a.interrupted_by_gap {
                    warnings.push(format!(
                        "attempt {}: no touch-down was found before the data end, so its hold of {:.1} s is only a lower bound (or the touch-down was missed: check the events chart)",
                        i + 1,
                        a.hold_s
                    ));
                }
            }
            sls.shift_times(shift_s);
        }
        TrialResult::Squat(sq) => sq.shift_times(shift_s),
        TrialResult::Standing { .. } => {}
    }
    warnings.append(&mut trial.warnings);
    trial.warnings = warnings;
    Ok(trial)
}

/// A resampled sensor with its acceleration (m/s²) and angular velocity (deg/s) in the body
/// frame (V, ML, AP).
type BodyFrameImu = (UniformImu, [Vec<f64>; 3], [Vec<f64>; 3]);

/// A sensor's samples resampled and rotated into the body frame (V, ML, AP).
fn read_body_frame(
    session: &Session,
    dir: &Path,
    entry: &crate::recording::SensorEntry,
) -> Result<BodyFrameImu> {
    let table = session.read_sensor(dir, entry)?;
    let uniform = UniformImu::from_table(&table, crate::recording::resample::DEFAULT_MAX_FILL_S)?;
    let (acc, gyr) = rotate_to_body(&uniform, entry.axes, 0..uniform.len());
    Ok((uniform, acc, gyr))
}

/// Acceleration (m/s²) and angular velocity (deg/s) of samples `range`, rotated from the
/// sensor's declared axes into the body frame (V, ML, AP).
fn rotate_to_body(
    uniform: &UniformImu,
    axes: crate::recording::Axes,
    range: std::ops::Range<usize>,
) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
    let r = axes.sensor_to_body();
    let mut acc: [Vec<f64>; 3] = Default::default();
    let mut gyr: [Vec<f64>; 3] = Default::default();
    for i in range {
        let a = r * nalgebra::Vector3::new(
            uniform.acc_mps2[0][i],
            uniform.acc_mps2[1][i],
            uniform.acc_mps2[2][i],
        );
        let g = r * nalgebra::Vector3::new(
            uniform.gyr_dps[0][i],
            uniform.gyr_dps[1][i],
            uniform.gyr_dps[2][i],
        );
        for k in 0..3 {
            acc[k].push(a[k]);
            gyr[k].push(g[k]);
        }
    }
    (acc, gyr)
}

/// Analyses one recording given body-frame (V, ML, AP) samples of the lower-back sensor.
pub fn analyze_trial(
    label: &str,
    task: Option<&Task>,
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
) -> Result<BalanceTrial> {
    analyze_part(label, task, acc_mps2, gyr_dps, fs_hz, false)
}

/// As [`analyze_trial`], for the part of a recording analysed; `after_gap` when a gap without
/// data precedes it (a single-leg hold may then be under way when the data resume).
fn analyze_part(
    label: &str,
    task: Option<&Task>,
    acc_mps2: &[Vec<f64>; 3],
    gyr_dps: &[Vec<f64>; 3],
    fs_hz: f64,
    after_gap: bool,
) -> Result<BalanceTrial> {
    let duration_s = acc_mps2[0].len() as f64 / fs_hz;
    if duration_s < 2.0 * STANDING_TRIM_S + 3.0 {
        return Err(Error::NotEnoughData(format!(
            "{label}: {duration_s:.1} s of data; a balance trial needs at least {:.0} s (2 s of quiet standing first)",
            2.0 * STANDING_TRIM_S + 3.0
        )));
    }
    let motion = TrunkMotion::from_body_frame(acc_mps2, gyr_dps, fs_hz).ok_or_else(|| {
        Error::NotEnoughData(format!(
            "{label}: sensor channels are empty or of unequal length"
        ))
    })?;
    let mut warnings = Vec::new();
    if !motion.calibration.quiet_found {
        warnings.push(
            "no quiet standing found in the first 10 s: the start was used as calibration, so angles may be offset".into(),
        );
    }
    let stance = StanceSettings::default();
    let mut side_detected = false;
    let (task_name, task_detected, result) = match task {
        Some(Task::Walk) => {
            return Err(Error::Unsupported(format!(
                "{label}: a walking trial is analysed by `gaitkit analyze`, not as balance"
            )))
        }
        Some(Task::Stand) => ("stand".to_string(), false, standing(&motion, false)?),
        Some(Task::StandEyesClosed) => (
            "stand-eyes-closed".to_string(),
            false,
            standing(&motion, true)?,
        ),
        Some(t @ (Task::SingleLegLeft | Task::SingleLegRight)) => {
            let side = if *t == Task::SingleLegLeft {
                Side::Left
            } else {
                Side::Right
            };
            let (sls, dropped) = single_leg_stance::single_leg_stance_of_part(
                &motion,
                Some(side),
                stance,
                after_gap,
            );
            if dropped > 0 {
                warnings.push(format!(
                    "{dropped} attempt(s) standing on the {} leg were ignored because the task is {t}; if the wrong leg seems detected, check the sensor's axes letters",
                    side.opposite().as_str()
                ));
            }
            if sls.attempts.is_empty() {
                warnings.push("no lift-off of the raised leg was found".into());
            }
            (t.to_string(), false, TrialResult::SingleLegStance(sls))
        }
        Some(
            t @ (Task::SquatLeft | Task::SquatRight | Task::StepDownLeft | Task::StepDownRight),
        ) => {
            let side = if matches!(t, Task::SquatLeft | Task::StepDownLeft) {
                Side::Left
            } else {
                Side::Right
            };
            let kind = if matches!(t, Task::SquatLeft | Task::SquatRight) {
                SquatKind::Squat
            } else {
                SquatKind::StepDown
            };
            let a = squat::squat_repetitions(&motion, kind, side);
            if a.repetitions.is_empty() {
                warnings.push("no repetition was found".into());
            }
            (t.to_string(), false, TrialResult::Squat(a))
        }
        Some(Task::SingleLegStance) => {
            refuse_walking(label, &motion, "the task is single-leg-stance but")?;
            let (sls, _) =
                single_leg_stance::single_leg_stance_of_part(&motion, None, stance, after_gap);
            match sides_of(&sls) {
                Some((side, both)) => {
                    warnings.push(match side {
                        Some(side) => format!(
                            "the task does not name the stance leg: detected from the weight shift as the {} leg",
                            side.as_str()
                        ),
                        None => "the task does not name the stance leg, and the weight shift does not show it clearly: side unknown".into(),
                    });
                    if both {
                        warnings.push("attempts on both legs were found in one recording".into());
                    }
                }
                None => warnings.push("no lift-off of a raised leg was found".into()),
            }
            warnings.extend(side_unknown_warning(&sls));
            side_detected = true;
            (
                "single-leg-stance".to_string(),
                false,
                TrialResult::SingleLegStance(sls),
            )
        }
        None | Some(Task::Other(_)) => {
            refuse_walking(label, &motion, "no balance task in session.json and")?;
            let (sls, _) =
                single_leg_stance::single_leg_stance_of_part(&motion, None, stance, after_gap);
            if let Some((side, both)) = sides_of(&sls) {
                if both {
                    warnings.push("attempts on both legs were found in one recording".into());
                }
                let name = match side {
                    Some(Side::Left) => "single-leg-left",
                    Some(Side::Right) => "single-leg-right",
                    None => "single-leg-stance",
                };
                warnings.extend(side_unknown_warning(&sls));
                side_detected = true;
                (name.to_string(), true, TrialResult::SingleLegStance(sls))
            } else {
                warnings.push(
                    "no task in session.json: analysed as quiet standing with eyes open".into(),
                );
                ("stand".to_string(), true, standing(&motion, false)?)
            }
        }
    };
    let mut result = result;
    if let TrialResult::SingleLegStance(sls) = &mut result {
        let c = &motion.calibration;
        sls.trace =
            single_leg_stance::MlTrace::from_body_frame(&acc_mps2[1], fs_hz, (c.start_s, c.end_s));
    }
    Ok(BalanceTrial {
        label: label.to_string(),
        task: task_name,
        task_detected,
        side_detected,
        duration_s,
        calibration: motion.calibration,
        result,
        warnings,
    })
}

/// Refuses a recording that looks like walking (`why` starts the message).
fn refuse_walking(label: &str, motion: &TrunkMotion, why: &str) -> Result<()> {
    let rate = impacts_per_s(motion);
    if rate >= WALKING_IMPACTS_PER_S {
        return Err(Error::Unsupported(format!(
            "{label}: {why} the recording looks like walking ({rate:.1} foot impacts per second); analyse it with `gaitkit analyze`, or set the balance task (e.g. \"stand\") in session.json"
        )));
    }
    Ok(())
}

/// Stance side of the first attempt with a known side (`None` if no attempt has one), and
/// whether attempts on both legs were found; `None` without attempts.
fn sides_of(sls: &SingleLegStance) -> Option<(Option<Side>, bool)> {
    sls.attempts.first()?;
    let side = sls.attempts.iter().find_map(|a| a.stance_side);
    let both = sls
        .attempts
        .iter()
        .any(|a| a.stance_side.is_some() && a.stance_side != side);
    Some((side, both))
}

/// Foot-impact rate above which an unlabelled recording is taken for walking, per s, in its
/// busiest 10 s (steady walking has 1.5–2 steps per second; a single-leg stance at most a few
/// hops).
pub const WALKING_IMPACTS_PER_S: f64 = 0.8;

/// Largest rate of vertical-acceleration impacts (peaks above 2 m/s², at least 0.3 s apart)
/// in any 10-s window (the whole recording if shorter), per second.
fn impacts_per_s(motion: &TrunkMotion) -> f64 {
    let v = &motion.lin_acc_mps2[0];
    let fs = motion.fs_hz;
    let gap = (0.3 * fs) as usize;
    let mut peaks: Vec<usize> = Vec::new();
    for i in 1..v.len().saturating_sub(1) {
        if v[i] > 2.0
            && v[i] >= v[i - 1]
            && v[i] > v[i + 1]
            && peaks.last().is_none_or(|&l| i - l >= gap)
        {
            peaks.push(i);
        }
    }
    let window = ((10.0 * fs) as usize).min(v.len()).max(1);
    let busiest = (0..peaks.len())
        .map(|k| {
            peaks[k..]
                .iter()
                .take_while(|&&p| p < peaks[k] + window)
                .count()
        })
        .max()
        .unwrap_or(0);
    busiest as f64 * fs / window as f64
}

fn standing(motion: &TrunkMotion, eyes_closed: bool) -> Result<TrialResult> {
    let fs = motion.fs_hz;
    let (a, b) = (
        motion.index(STANDING_TRIM_S),
        motion.index(motion.len() as f64 / fs - STANDING_TRIM_S),
    );
    let settings = SwaySettings::default();
    let (ap, ml) = sway::prepare(
        &motion.lin_acc_mps2[2][a..b],
        &motion.lin_acc_mps2[1][a..b],
        fs,
        &settings,
    );
    let sway = sway::sway(&ap, &ml, fs, &settings)
        .ok_or_else(|| Error::NotEnoughData("standing trial too short for sway measures".into()))?;
    Ok(TrialResult::Standing {
        eyes_closed,
        sway: Box::new(sway),
        path: SwayPath::decimated(&ap, &ml, fs, sway::PATH_FS_HZ),
    })
}

/// Longest hold of the single-leg protocol of the first single-leg trial (the default
/// protocol's without one), s: holds are cut there, so a norm above it cannot be reached.
pub fn single_leg_max_hold_s<'a>(trials: impl IntoIterator<Item = &'a BalanceTrial>) -> f64 {
    trials
        .into_iter()
        .find_map(|t| match &t.result {
            TrialResult::SingleLegStance(s) => Some(s.settings.max_hold_s),
            _ => None,
        })
        .unwrap_or(StanceSettings::default().max_hold_s)
}

/// Left-versus-right summaries and symmetry over all trials.
pub fn compare_sides(trials: &[BalanceTrial], age_years: Option<f64>) -> SideComparison {
    let attempts: Vec<single_leg_stance::AttemptOf> = trials
        .iter()
        .filter_map(|t| match &t.result {
            TrialResult::SingleLegStance(s) => Some(single_leg_stance::AttemptOf::all(&t.label, s)),
            _ => None,
        })
        .flatten()
        .collect();
    let max_hold_s = single_leg_max_hold_s(trials);
    let single_leg = PerSide {
        left: single_leg_stance::summarise(&attempts, Side::Left, max_hold_s),
        right: single_leg_stance::summarise(&attempts, Side::Right, max_hold_s),
    };
    let sym = |f: &dyn Fn(&StanceSummary) -> Option<f64>| {
        Symmetry::of(PerSide {
            left: single_leg.left.as_ref().and_then(f),
            right: single_leg.right.as_ref().and_then(f),
        })
    };
    let reps = |kind: SquatKind, side: Side| {
        let r: Vec<&squat::Repetition> = trials
            .iter()
            .filter_map(|t| match &t.result {
                TrialResult::Squat(a) if a.kind == kind && a.stance_side == side => Some(a),
                _ => None,
            })
            .flat_map(|a| a.repetitions.iter())
            .collect();
        squat::summarise(&r)
    };
    let squat = PerSide {
        left: reps(SquatKind::Squat, Side::Left),
        right: reps(SquatKind::Squat, Side::Right),
    };
    let step_down = PerSide {
        left: reps(SquatKind::StepDown, Side::Left),
        right: reps(SquatKind::StepDown, Side::Right),
    };
    let sq_sym = |p: &PerSide<Option<SquatSummary>>, f: &dyn Fn(&SquatSummary) -> Option<f64>| {
        Symmetry::of(PerSide {
            left: p.left.as_ref().and_then(f),
            right: p.right.as_ref().and_then(f),
        })
    };
    let norm = |s: &Option<StanceSummary>| {
        age_years.and_then(|age| norms::compare_sls(s.as_ref()?.best_hold_s, age, max_hold_s))
    };
    SideComparison {
        single_leg_side_unknown: attempts
            .iter()
            .filter(|a| a.attempt.stance_side.is_none())
            .count(),
        single_leg_best_hold: sym(&|s| Some(s.best_hold_s)),
        single_leg_mean_hold: sym(&|s| Some(s.mean_hold_s)),
        single_leg_sway_rms_ml: sym(&|s| s.sway_rms_ml_mps2),
        single_leg_norm: PerSide {
            left: norm(&single_leg.left),
            right: norm(&single_leg.right),
        },
        single_leg,
        squat_pelvic_drop: sq_sym(&squat, &|s| Some(s.mean_pelvic_drop_deg)),
        squat,
        step_down_pelvic_drop: sq_sym(&step_down, &|s| Some(s.mean_pelvic_drop_deg)),
        step_down_stabilisation: sq_sym(&step_down, &|s| s.mean_stabilisation_s),
        step_down,
    }
}

/// The warning for attempts whose stance side is unknown, if any.
fn side_unknown_warning(sls: &SingleLegStance) -> Option<String> {
    let unknown = sls.side_unknown();
    (unknown > 0).then(|| {
        format!(
            "{unknown} attempt(s) with the stance side unknown (the weight shift does not show it clearly): left out of the per-leg figures"
        )
    })
}
