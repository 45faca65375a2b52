//! Stage 5: the per-step record sent to the displays and written to `--events-out`
//! (one JSON object per line), and the summary closing the file.

use serde::Serialize;

use super::rolling::RollingValues;
use crate::gait::Side;

/// One emitted step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LiveStep {
    /// Contact time, recording clock, s.
    pub t_s: f64,
    /// Recording-clock time at which the step was emitted, s (`emitted_s − t_s` is the
    /// feedback latency).
    pub emitted_s: f64,
    /// Foot that landed; `None` ("side unknown") unless trustworthy.
    pub side: Option<Side>,
    /// Time since the previous contact, s; `None` for the first step after a pause or gap.
    pub step_time_s: Option<f64>,
    /// Stance time of this foot's previous contact (leg sensors only), s.
    pub stance_time_s: Option<f64>,
    /// All targets met; `None` without targets or when a needed value is unknown.
    pub on_target: Option<bool>,
    pub rolling: RollingValues,
    /// Emitted before its walk was recognised (side unknown): it stands unless a
    /// [`Withdrawal`] for it follows within [`super::detector::CONFIRM_S`].
    pub provisional: bool,
}

/// A provisional step taken back: the analysis did not find a walk around it (a weight
/// shift or a stumble, not a step). Displays remove it; it leaves the rolling values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Withdrawal {
    /// Contact time of the withdrawn step, s.
    pub t_s: f64,
    /// Recording-clock time it was withdrawn, s.
    pub at_s: f64,
    /// Rolling values without it.
    pub rolling: RollingValues,
}

/// The side of a step already fed back changed: decided later (`side` set, `previous`
/// `None`), or a shown side withdrawn because later evidence contradicted it (`side` `None`).
/// A side never changes from one foot to the other. Displays update the step's mark, the
/// left/right values and the rolling values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideRevision {
    /// Contact time of the step, s.
    pub t_s: f64,
    /// Recording-clock time of the revision, s (`at_s − t_s` ≤
    /// [`super::side_rule::REVISION_S`] plus one hop).
    pub at_s: f64,
    /// The side shown from now on; `None` = side unknown.
    pub side: Option<Side>,
    /// The side shown before.
    pub previous: Option<Side>,
    /// Rolling values with the step's new side.
    pub rolling: RollingValues,
}

/// Closing line of `--events-out`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSummary {
    pub steps: usize,
    /// Steps with a side shown at the end (after the side revisions).
    pub steps_with_side: usize,
    /// Steps whose side was shown when they were emitted.
    pub sides_at_emission: usize,
    /// Steps whose side was shown only by a later revision.
    pub sides_revised: usize,
    /// Shown sides withdrawn because later evidence contradicted them.
    pub sides_withdrawn: usize,
    /// Provisional steps withdrawn (not counted in `steps`).
    pub withdrawn: usize,
    /// Steps on target / steps judged (on or off), %; `None` when none was judged.
    pub on_target_pct: Option<f64>,
    /// Median and 95th percentile of `emitted_s − t_s`, s.
    pub latency_median_s: Option<f64>,
    pub latency_p95_s: Option<f64>,
    /// Sensor drop-outs during the session: placement, start and end on the recording clock.
    pub dropouts: Vec<Dropout>,
    pub last_rolling: RollingValues,
}

/// A stretch without data from one sensor; feedback paused during it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropout {
    pub placement: String,
    pub start_s: f64,
    pub end_s: Option<f64>,
}

impl LiveSummary {
    /// Summary of the steps that stand (with their final sides); `withdrawn` provisional
    /// steps were taken back; `revisions` are the side revisions of the session.
    pub fn of(
        steps: &[LiveStep],
        withdrawn: usize,
        revisions: &[SideRevision],
        dropouts: Vec<Dropout>,
    ) -> LiveSummary {
        let standing = |t: f64| steps.iter().any(|s| s.t_s == t);
        let sides_revised = revisions
            .iter()
            .filter(|r| r.previous.is_none() && r.side.is_some() && standing(r.t_s))
            .count();
        let sides_withdrawn = revisions
            .iter()
            .filter(|r| r.side.is_none() && standing(r.t_s))
            .count();
        let steps_with_side = steps.iter().filter(|s| s.side.is_some()).count();
        let judged: Vec<bool> = steps.iter().filter_map(|s| s.on_target).collect();
        let on = judged.iter().filter(|&&b| b).count();
        let lat: Vec<f64> = steps.iter().map(|s| s.emitted_s - s.t_s).collect();
        LiveSummary {
            steps: steps.len(),
            steps_with_side,
            // final = at emission + revised − withdrawn (a withdrawn side was shown at emission
            // or by a revision)
            sides_at_emission: (steps_with_side + sides_withdrawn).saturating_sub(sides_revised),
            sides_revised,
            sides_withdrawn,
            withdrawn,
            on_target_pct: (!judged.is_empty()).then(|| 100.0 * on as f64 / judged.len() as f64),
            latency_median_s: crate::signal::stats::median(&lat),
            latency_p95_s: crate::signal::stats::percentile(&lat, 95.0),
            dropouts,
            last_rolling: steps.last().map(|s| s.rolling).unwrap_or_default(),
        }
    }
}
