//! Time alignment of the two leg sensors.
//!
//! Walking alone cannot establish it: a clock offset between the legs is indistinguishable
//! from a shift of one leg's phase, which is exactly the asymmetry to be measured. So:
//!
//! * sensors recorded by gaitkit share the host timeline (`session.json` has `sync`), and
//!   their timestamps are used as they are;
//! * otherwise the **sync jump** is looked for: the recording starts with the person standing
//!   still, then one jump with both feet together, then walking (README, "Synchronising two
//!   leg sensors"). Its landing impacts hit both sensors at the same instant; the lag that
//!   maximises the cross-correlation of the two impact signals (acceleration-norm deviation
//!   from g) before each leg's walking starts ([`walking_start_s`]) is the candidate offset,
//!   kept when both sensors see an impact of at least 5 m/s², the correlation is ≥ 0.6 and
//!   clearly unique (no other peak above 80 % of it more than 50 ms away) and the lag keeps
//!   ≥ 1 s of overlap. The candidate is then accepted only as a real two-footed landing set
//!   apart from walking ([`judge_jump`]): both sensors' own impacts at the landing, both
//!   still before the take-off ([`QUIET_BEFORE_S`]) and after the landing ([`QUIET_AFTER_S`]),
//!   and no gait cycle of either leg around it ([`NO_CYCLE_S`]);
//! * without a sync jump the timestamps are used as they are.
//!
//! Whatever the method, the walk on the resulting timeline must be plausible
//! ([`check_plausible`]): both double-support phases positive on average and the
//! contralateral initial contact between 30 % and 70 % of the stride. Otherwise the analysis
//! is refused with the estimated offset. Plausibility is not proof: an offset of about a
//! whole stride keeps the walk plausible, so with file timestamps alone the timing between
//! the legs (step time, double support, phase) is withheld, and on a verified timeline the
//! walks' starts and ends must show the feet swinging in turn ([`swing_alternation`]) and
//! both legs must change heading together in their turns ([`turn_timing`]).

use serde::Serialize;

use crate::signal::cross_correlation::cross_correlation;
use crate::signal::peaks::find_peaks;

use super::alignment::G_MPS2;

const MIN_SYNC_R: f64 = 0.6;
const MIN_IMPACT_MPS2: f64 = 5.0;
const MIN_OVERLAP_S: f64 = 1.0;
const UNIQUE_RATIO: f64 = 0.8;
const UNIQUE_GAP_S: f64 = 0.05;
/// Longest clock offset searched, s.
pub const MAX_OFFSET_S: f64 = 2.0;
/// Longest pre-walk part searched for the sync jump, s.
pub const SEARCH_S: f64 = 15.0;

/// How the two leg sensors were put on one timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMethod {
    /// Recorded on the shared host timeline (`session.json` declares `sync`).
    SharedTimeline,
    /// Offset measured from the start-of-recording sync jump.
    SyncJump,
    /// Timestamps of the files taken as they are; no sync jump found, walking plausible.
    FileTimestamps,
}

/// Time alignment applied to the right-leg sensor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SyncReport {
    pub method: SyncMethod,
    /// Added to the right sensor's timestamps to put it on the left sensor's timeline, s.
    pub right_offset_s: f64,
    /// Peak impact cross-correlation of the sync jump (only for `sync-jump`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<f64>,
}

/// Standing still before and after a sync jump: RMS of the gyroscope norm below this, deg/s.
pub const QUIET_GYR_DPS: f64 = 25.0;
/// Standing still: RMS of the impact signal below this, m/s².
pub const QUIET_IMPACT_MPS2: f64 = 1.5;
/// Window that must be still before a sync jump's landing (standing before the take-off), s
/// relative to the landing; the crouch, push-off and flight take the last second.
pub const QUIET_BEFORE_S: (f64, f64) = (-1.8, -1.0);
/// Window that must be still after the landing (once it has been absorbed), s.
pub const QUIET_AFTER_S: (f64, f64) = (0.4, 1.0);
/// No initial contact of either leg may lie in this window around the landing, s…
pub const NO_CYCLE_S: (f64, f64) = (-2.5, 1.2);
/// …except within this distance of the landing: the jump itself may read as a gait cycle, s.
pub const JUMP_ITSELF_S: f64 = 0.3;
/// The legs' walking spans may differ by up to this many strides (one leg's first or last
/// cycle missed, the trailing leg's closing steps)…
pub const MAX_UNCOVERED_STRIDES: f64 = 3.0;
/// …or both legs may walk together for at least this share of the walk, %; otherwise one
/// sensor stopped or started apart from the other.
pub const MIN_OVERLAP_PCT: f64 = 80.0;
/// The sample-by-sample comparisons (same data, turns) look at most at this much of the
/// recording from its start, s: enough for several turns, bounded in time for long recordings.
pub const COMPARE_S: f64 = 180.0;
/// Two sensors whose motion differs by less than this (RMS, % of the signal) at their best
/// alignment carry the same data.
pub const SAME_DATA_PCT: f64 = 5.0;

/// Impact signal: deviation of the acceleration norm from g, m/s².
pub fn impact_signal(acc_mps2: &[Vec<f64>; 3]) -> Vec<f64> {
    (0..acc_mps2[0].len())
        .map(|i| {
            ((acc_mps2[0][i].powi(2) + acc_mps2[1][i].powi(2) + acc_mps2[2][i].powi(2)).sqrt()
                - G_MPS2)
                .abs()
        })
        .collect()
}

/// Offset (s) to add to the right sensor's timestamps, from the sync jump in the first
/// `left_impacts.len()` / `right_impacts.len()` samples (both at `fs_hz`, both starting at the
/// same nominal time). `None` if no unique simultaneous impact is found.
pub fn sync_jump_offset(
    left_impacts: &[f64],
    right_impacts: &[f64],
    fs_hz: f64,
) -> Option<(f64, f64)> {
    let strongest = |x: &[f64]| x.iter().copied().fold(0.0, f64::max);
    if strongest(left_impacts) < MIN_IMPACT_MPS2 || strongest(right_impacts) < MIN_IMPACT_MPS2 {
        return None;
    }
    let max_lag = (MAX_OFFSET_S * fs_hz) as usize;
    let xc = cross_correlation(
        left_impacts,
        right_impacts,
        max_lag,
        (MIN_OVERLAP_S * fs_hz) as usize,
    );
    let (best_lag, best_r) = xc.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    if best_r < MIN_SYNC_R {
        return None;
    }
    let gap = (UNIQUE_GAP_S * fs_hz).ceil() as isize;
    let r: Vec<f64> = xc.iter().map(|x| x.1).collect();
    let rival = find_peaks(&r, UNIQUE_RATIO * best_r, 1)
        .into_iter()
        .any(|k| (xc[k].0 - best_lag).abs() > gap);
    if rival {
        return None;
    }
    // right sample j shows the jump left sample j - lag shows; right time + offset = left time
    Some((-(best_lag as f64) / fs_hz, best_r))
}

/// One leg's signals for judging a sync-jump candidate, each on the leg's own sample grid.
#[derive(Debug, Clone, Copy)]
pub struct JumpLeg<'a> {
    /// [`impact_signal`], m/s².
    pub impacts_mps2: &'a [f64],
    /// Norm of the angular velocity, deg/s.
    pub gyr_norm_dps: &'a [f64],
    /// Time of sample 0 on the leg's own clock, s.
    pub t0_s: f64,
    /// The leg's initial contacts on its own clock, s.
    pub ic_s: &'a [f64],
}

/// What was measured about a sync-jump candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JumpEvidence {
    /// Landing on the left sensor's clock, s.
    pub landing_s: f64,
    /// Offset to add to the right sensor's timestamps, s.
    pub offset_s: f64,
    pub correlation: f64,
    /// Each sensor's own impact at the landing, m/s².
    pub impact_left_mps2: f64,
    pub impact_right_mps2: f64,
    /// Larger of the two sensors' gyroscope RMS before the take-off and after the landing,
    /// deg/s (`None`: the recording does not reach that far).
    pub quiet_before_dps: Option<f64>,
    pub quiet_after_dps: Option<f64>,
    /// Initial contacts of either leg near the landing (other than the jump itself).
    pub cycles_near: usize,
}

/// Judges the candidate lag (right sample `i + lag` shows what left sample `i` shows) found
/// in the first `search_n` left samples. `Ok` when it is a real two-footed landing set apart
/// from walking (see the module docs); otherwise the evidence and why it was not used.
pub fn judge_jump(
    left: &JumpLeg<'_>,
    right: &JumpLeg<'_>,
    fs_hz: f64,
    lag: isize,
    correlation: f64,
    search_n: usize,
) -> std::result::Result<JumpEvidence, (JumpEvidence, String)> {
    let right_at = |i: usize| -> Option<f64> {
        let j = i as isize + lag;
        (j >= 0).then(|| right.impacts_mps2.get(j as usize).copied())?
    };
    // the landing: the strongest impact both sensors see at once
    let landing = (0..search_n.min(left.impacts_mps2.len()))
        .filter_map(|i| Some((i, left.impacts_mps2[i].min(right_at(i)?))))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |x| x.0);
    let j = (landing as isize + lag).max(0) as usize;
    let w = ((0.05 * fs_hz).round() as usize).max(1);
    let peak = |x: &[f64], c: usize| {
        x[c.saturating_sub(w)..(c + w + 1).min(x.len())]
            .iter()
            .copied()
            .fold(0.0, f64::max)
    };
    let window_rms = |x: &[f64], c: usize, (a, b): (f64, f64)| -> Option<f64> {
        let lo = c as f64 + a * fs_hz;
        let hi = c as f64 + b * fs_hz;
        if lo < 0.0 || hi > x.len() as f64 {
            return None;
        }
        let part = &x[lo as usize..hi as usize];
        (!part.is_empty())
            .then(|| (part.iter().map(|v| v * v).sum::<f64>() / part.len() as f64).sqrt())
    };
    let both = |f: &dyn Fn(&JumpLeg<'_>, usize) -> Option<f64>| -> Option<f64> {
        Some(f(left, landing)?.max(f(right, j)?))
    };
    let still = |leg: &JumpLeg<'_>, c: usize, win: (f64, f64)| -> Option<f64> {
        let g = window_rms(leg.gyr_norm_dps, c, win)?;
        let a = window_rms(leg.impacts_mps2, c, win)?;
        // an impact-RMS breach counts as motion at the gyroscope limit
        Some(if a > QUIET_IMPACT_MPS2 {
            g.max(QUIET_GYR_DPS)
        } else {
            g
        })
    };
    let land_own = |leg: &JumpLeg<'_>, c: usize| leg.t0_s + c as f64 / fs_hz;
    let near = |leg: &JumpLeg<'_>, c: usize| {
        let t = land_own(leg, c);
        leg.ic_s
            .iter()
            .filter(|&&ic| {
                let d = ic - t;
                d > NO_CYCLE_S.0 && d < NO_CYCLE_S.1 && d.abs() > JUMP_ITSELF_S
            })
            .count()
    };
    let ev = JumpEvidence {
        landing_s: land_own(left, landing),
        offset_s: left.t0_s - right.t0_s - lag as f64 / fs_hz,
        correlation,
        impact_left_mps2: peak(left.impacts_mps2, landing),
        impact_right_mps2: peak(right.impacts_mps2, j),
        quiet_before_dps: both(&|leg, c| still(leg, c, QUIET_BEFORE_S)),
        quiet_after_dps: both(&|leg, c| still(leg, c, QUIET_AFTER_S)),
        cycles_near: near(left, landing) + near(right, j),
    };
    let at = format!("the impact at {:.2} s", ev.landing_s);
    let reason = if ev.impact_left_mps2.min(ev.impact_right_mps2) < MIN_IMPACT_MPS2 {
        Some(format!(
            "{at} is not seen by both sensors (peaks {:.1} and {:.1} m/s², both need {MIN_IMPACT_MPS2})",
            ev.impact_left_mps2, ev.impact_right_mps2
        ))
    } else if ev.quiet_before_dps.is_none_or(|q| q >= QUIET_GYR_DPS) {
        Some(format!(
            "{at} is not preceded by standing still ({:.1}–{:.1} s before it)",
            -QUIET_BEFORE_S.0, -QUIET_BEFORE_S.1
        ))
    } else if ev.quiet_after_dps.is_none_or(|q| q >= QUIET_GYR_DPS) {
        Some(format!(
            "{at} is not followed by standing still ({:.1}–{:.1} s after it)",
            QUIET_AFTER_S.0, QUIET_AFTER_S.1
        ))
    } else if ev.cycles_near > 0 {
        Some(format!(
            "{at} has {} gait cycle(s) within {:.1} s before or {:.1} s after it",
            ev.cycles_near, -NO_CYCLE_S.0, NO_CYCLE_S.1
        ))
    } else {
        None
    };
    match reason {
        None => Ok(ev),
        Some(r) => Err((ev, r)),
    }
}

/// How much two sensors' motion differs at the lag (within ±[`MAX_OFFSET_S`]) that aligns
/// their gyroscope norms best: RMS of the difference of the gyroscope norms and of the
/// acceleration norms, each in % of the left one's RMS (the larger of the two). Both norms
/// are independent of how the sensors are mounted, so a copy of one sensor's file, shifted
/// in time or with its axes swapped, still reads as the same data. `None` for too little data.
pub fn motion_difference_pct(
    left: (&[f64], &[f64]),
    right: (&[f64], &[f64]),
    fs_hz: f64,
) -> Option<f64> {
    let ((lg, la), (rg, ra)) = (left, right);
    let xc = cross_correlation(
        lg,
        rg,
        (MAX_OFFSET_S * fs_hz) as usize,
        (MIN_OVERLAP_S * fs_hz) as usize,
    );
    let (lag, _) = xc.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let diff = |a: &[f64], b: &[f64]| -> Option<f64> {
        let (a0, b0) = if lag >= 0 {
            (0, lag as usize)
        } else {
            ((-lag) as usize, 0)
        };
        let m = a.len().checked_sub(a0)?.min(b.len().checked_sub(b0)?);
        if m == 0 {
            return None;
        }
        let (mut d2, mut a2) = (0.0, 0.0);
        for k in 0..m {
            d2 += (a[a0 + k] - b[b0 + k]).powi(2);
            a2 += a[a0 + k].powi(2);
        }
        (a2 > 0.0).then(|| 100.0 * (d2 / a2).sqrt())
    };
    Some(diff(lg, rg)?.max(diff(la, ra)?))
}

/// How much of the walk both legs cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// Time both legs walk (first to last initial contact of each, intersected), s.
    pub common_s: f64,
    /// Time at least one leg walks, s.
    pub walk_s: f64,
    /// `common_s` in % of `walk_s`.
    pub overlap_pct: f64,
}

/// Both legs' walking spans on the common timeline (initial contacts, sorted).
pub fn coverage(left_ic_s: &[f64], right_ic_s: &[f64]) -> Option<Coverage> {
    let (l0, l1) = (*left_ic_s.first()?, *left_ic_s.last()?);
    let (r0, r1) = (*right_ic_s.first()?, *right_ic_s.last()?);
    let common_s = (l1.min(r1) - l0.max(r0)).max(0.0);
    let walk_s = l1.max(r1) - l0.min(r0);
    (walk_s > 0.0).then(|| Coverage {
        common_s,
        walk_s,
        overlap_pct: 100.0 * common_s / walk_s,
    })
}

/// Toe-off that starts a leg's walking, s: the first cycle followed by two strides within
/// ±25 % of the leg's median stride time. A sync jump can itself look like a gait cycle; the
/// pause after it keeps it out of the walking run, so the search for it ends here.
pub fn walking_start_s(ic_s: &[f64], fc_s: &[f64]) -> f64 {
    let strides: Vec<f64> = ic_s.windows(2).map(|w| w[1] - w[0]).collect();
    let Some(median) = crate::signal::stats::median(&strides) else {
        return fc_s.first().copied().unwrap_or(0.0);
    };
    let regular = |d: f64| (0.75 * median..=1.25 * median).contains(&d);
    (0..strides.len().saturating_sub(1))
        .find(|&k| regular(strides[k]) && regular(strides[k + 1]))
        .map_or(fc_s[0], |k| fc_s[k])
}

/// Per-stride timing used to judge whether unsynchronised timestamps are plausible.
#[derive(Debug, Clone, Copy)]
pub struct PhaseCheck {
    pub mean_initial_double_support_s: Option<f64>,
    pub mean_terminal_double_support_s: Option<f64>,
    /// Mean contralateral initial contact as a fraction of the left stride (0.5 = anti-phase).
    pub mean_left_phase: Option<f64>,
    pub mean_stride_time_s: Option<f64>,
}

/// Why walking on this timeline is not physically plausible (see the module docs), with the
/// offset by which the right leg's contacts sit away from anti-phase, s, when known; `None`
/// when it is plausible.
pub fn implausible(check: &PhaseCheck) -> Option<(String, Option<f64>)> {
    let phase = check.mean_left_phase;
    let ds_negative = [
        check.mean_initial_double_support_s,
        check.mean_terminal_double_support_s,
    ]
    .iter()
    .flatten()
    .any(|&d| d < 0.0);
    let phase_off = phase.filter(|p| !(0.3..=0.7).contains(p));
    let problem = match (phase_off, ds_negative) {
        (Some(p), _) => format!(
            "the right leg's contacts fall at {:.0} % of the left stride (walking puts them at 30–70 %)",
            100.0 * p
        ),
        (None, true) => "walking on it would need negative double support".to_string(),
        (None, false) => return None,
    };
    let estimate = phase
        .zip(check.mean_stride_time_s)
        .map(|(p, t)| (p - 0.5) * t);
    Some((problem, estimate))
}

/// Pause between swings that separates two walks, s.
pub const WALK_PAUSE_S: f64 = 2.0;
/// Walks need this many swings for their start and end to be judged apart.
const MIN_SWINGS_PER_WALK: usize = 4;

/// Whether the legs' swings alternate where walking starts and stops.
///
/// In walking the feet swing in turn, from the first step of a walk to its last: the leading
/// foot, then the other, and the walk ends with the trailing foot brought alongside. A clock
/// that puts one leg about a whole stride late keeps steady walking plausible (the
/// contralateral contact lands at 30–70 % of the stride) but not the walk's edges: the early
/// leg then swings twice before the late leg's first swing, and the late leg twice after the
/// early leg's last ([`Alternation::late_leg`]). A walk led by the late leg looks led by the
/// other and shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alternation {
    /// Walk starts and ends judged (walks of at least four swings).
    pub edges: usize,
    /// Edges where one leg swings twice in a row the way a late clock on `late_leg` puts it:
    /// the other leg at a start, `late_leg` at an end.
    pub broken_edges: usize,
    pub late_leg: Option<crate::gait::Side>,
    /// Broken edges that point to the other leg being late.
    pub broken_other_way: usize,
    /// Repeats of one leg inside walks (missed or extra swings), and the swing pairs looked at.
    pub inner_repeats: usize,
    pub inner_pairs: usize,
}

impl Alternation {
    /// The edges show one leg's clock about a stride late: at least two broken edges for that
    /// leg, at most a quarter as many the other way, and swings detected reliably in between
    /// (≤ 10 % inner repeats). A walk led by the late leg shows nothing (it looks led by the
    /// other), so walks without broken edges are no evidence against.
    pub fn late_clock(&self) -> Option<crate::gait::Side> {
        let reliable = 10 * self.inner_repeats <= self.inner_pairs;
        (reliable && self.broken_edges >= 2 && 4 * self.broken_other_way <= self.broken_edges)
            .then_some(self.late_leg)
            .flatten()
    }
}

/// Judges [`Alternation`] from each leg's mid-swing times on the common timeline, s.
pub fn swing_alternation(left_mid_swing_s: &[f64], right_mid_swing_s: &[f64]) -> Alternation {
    use crate::gait::Side;
    let mut swings: Vec<(f64, Side)> = left_mid_swing_s
        .iter()
        .map(|&t| (t, Side::Left))
        .chain(right_mid_swing_s.iter().map(|&t| (t, Side::Right)))
        .filter(|(t, _)| t.is_finite())
        .collect();
    swings.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut walks: Vec<&[(f64, Side)]> = Vec::new();
    let mut start = 0;
    for i in 1..=swings.len() {
        if i == swings.len() || swings[i].0 - swings[i - 1].0 > WALK_PAUSE_S {
            walks.push(&swings[start..i]);
            start = i;
        }
    }
    // broken edges for each candidate late leg
    let (mut edges, mut inner_repeats, mut inner_pairs) = (0, 0, 0);
    let mut broken = [0usize; 2];
    for w in walks.iter().filter(|w| w.len() >= MIN_SWINGS_PER_WALK) {
        edges += 2;
        let n = w.len();
        for (k, late) in [Side::Left, Side::Right].into_iter().enumerate() {
            let early = late.opposite();
            if w[0].1 == early && w[1].1 == early {
                broken[k] += 1;
            }
            if w[n - 1].1 == late && w[n - 2].1 == late {
                broken[k] += 1;
            }
        }
        for pair in w[1..n - 1].windows(2) {
            inner_pairs += 1;
            if pair[0].1 == pair[1].1 {
                inner_repeats += 1;
            }
        }
    }
    let (k, &b) = broken
        .iter()
        .enumerate()
        .max_by_key(|&(_, b)| *b)
        .unwrap_or((0, &0));
    Alternation {
        edges,
        broken_edges: b,
        late_leg: (b > 0 && broken[1 - k] < b).then_some(if k == 0 {
            Side::Left
        } else {
            Side::Right
        }),
        broken_other_way: broken[1 - k],
        inner_repeats,
        inner_pairs,
    }
}

/// A stride's heading change counts towards a leg's turn from this size on, deg.
pub const TURN_STRIDE_DEG: f64 = super::bouts::TURN_STRIDE_DEG;
/// Turns compared between the legs: each leg turns at least this much, deg (a 90° turn
/// loses its first and last small heading changes)…
pub const CLOCK_TURN_DEG: f64 = 75.0;
/// …in at least this many strides in a row…
pub const CLOCK_TURN_STRIDES: usize = 2;
/// …and the two legs' angles differ by at most this share of the larger one, %.
pub const CLOCK_TURN_AGREE_PCT: f64 = 25.0;
/// The legs' turn centres further apart than this share of a stride show a clock about a
/// stride off.
pub const MAX_TURN_LAG_STRIDES: f64 = 0.5;

/// One stride's turn: when its heading changes (s) and by how much (deg, positive = left).
pub type StrideTurn = (f64, f64);

/// One leg's turn: a run of consecutive strides turning at least [`TURN_STRIDE_DEG`] the same
/// way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegTurn {
    /// Summed heading change, deg, positive = left turn.
    pub angle_deg: f64,
    /// Heading-weighted mean time of the heading change, s.
    pub centre_s: f64,
    pub strides: usize,
}

/// Each leg's turns from its strides' [`StrideTurn`]s in time order.
/// A run breaks at a smaller or opposite heading change, a missing stride (centres more than
/// [`MAX_STRIDE_S`](super::strides::MAX_STRIDE_S) apart) or a non-finite value.
pub fn leg_turns(strides: &[StrideTurn]) -> Vec<LegTurn> {
    let mut out: Vec<LegTurn> = Vec::new();
    let mut last: Option<f64> = None;
    let mut open = false;
    for &(t, deg) in strides {
        let turning = t.is_finite() && deg.is_finite() && deg.abs() >= TURN_STRIDE_DEG;
        let follows = last.is_some_and(|l| t - l <= super::strides::MAX_STRIDE_S);
        match out.last_mut() {
            Some(run) if turning && open && follows && run.angle_deg.signum() == deg.signum() => {
                // running weighted mean of the centres
                let w = run.angle_deg.abs();
                run.centre_s = (run.centre_s * w + t * deg.abs()) / (w + deg.abs());
                run.angle_deg += deg;
                run.strides += 1;
            }
            _ if turning => out.push(LegTurn {
                angle_deg: deg,
                centre_s: t,
                strides: 1,
            }),
            _ => {}
        }
        open = turning;
        last = t.is_finite().then_some(t);
    }
    out
}

/// When the two legs turn, compared over the turns both make.
///
/// In a turn the body's heading changes smoothly over a few strides. Each foot takes its
/// share when it steps into the new direction (in its swing) or pivots on the ground (in its
/// stance): a leg's heading follows the body's, taken up at that leg's steps, and the feet
/// end the turn facing the same way (Hase & Stein 1999, J Neurophysiol 81:2783, step and spin
/// turns). Each increment of a leg's heading is the body's rotation since that leg's previous
/// step, so the heading-weighted mean time of the increments is the body's turn centre plus
/// the same delay for both legs, whatever the phase between them; for a turn spanning two
/// strides or more, taking it up one step or another changes that mean little (on the
/// bundled 2 × 20-m walk the legs' centres of the 180° turn lie 0.02 s apart; in simulated
/// turns with a 20–30 % step-time asymmetry and partly pivoted, within 0.22 stride). A step-time
/// asymmetry moves one leg's steps inside the turn, not the turn; a clock error moves one
/// leg's whole heading curve, and the difference of the two centres shows it. Turns are
/// compared when each leg turns ≥ [`CLOCK_TURN_DEG`] the same way in ≥ [`CLOCK_TURN_STRIDES`]
/// strides, the two angles agree within [`CLOCK_TURN_AGREE_PCT`] % (a leg that misses part
/// of the turn is not compared) and the centres lie within ±[`MAX_OFFSET_S`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TurnTiming {
    /// Turns both legs make that were compared.
    pub turns_compared: usize,
    /// Median over them of the right leg's turn centre minus the left leg's, s.
    pub lag_s: Option<f64>,
}

impl TurnTiming {
    /// The leg whose clock the turns put about a stride late: the legs' turn centres more
    /// than [`MAX_TURN_LAG_STRIDES`] of `stride_s` apart, the later one late.
    pub fn late_clock(&self, stride_s: f64) -> Option<crate::gait::Side> {
        use crate::gait::Side;
        let lag = self.lag_s?;
        (lag.abs() > MAX_TURN_LAG_STRIDES * stride_s).then_some(if lag > 0.0 {
            Side::Right
        } else {
            Side::Left
        })
    }
}

/// Judges [`TurnTiming`] from each leg's strides' [`StrideTurn`]s on the common timeline, in
/// time order.
pub fn turn_timing(left: &[StrideTurn], right: &[StrideTurn]) -> TurnTiming {
    let big = |t: &LegTurn| t.angle_deg.abs() >= CLOCK_TURN_DEG && t.strides >= CLOCK_TURN_STRIDES;
    let rights: Vec<LegTurn> = leg_turns(right).into_iter().filter(big).collect();
    let mut lags: Vec<f64> = Vec::new();
    for l in leg_turns(left).into_iter().filter(big) {
        let agree = |r: &LegTurn| {
            let (a, b) = (l.angle_deg.abs(), r.angle_deg.abs());
            l.angle_deg.signum() == r.angle_deg.signum()
                && 100.0 * (a - b).abs() <= CLOCK_TURN_AGREE_PCT * a.max(b)
                && (r.centre_s - l.centre_s).abs() <= MAX_OFFSET_S
        };
        if let Some(r) = rights.iter().filter(|r| agree(r)).min_by(|a, b| {
            (a.centre_s - l.centre_s)
                .abs()
                .total_cmp(&(b.centre_s - l.centre_s).abs())
        }) {
            lags.push(r.centre_s - l.centre_s);
        }
    }
    TurnTiming {
        turns_compared: lags.len(),
        lag_s: crate::signal::stats::median(&lags),
    }
}

/// What to do when the legs' timelines cannot be trusted.
pub const REMEDY: &str = "Record with gaitkit (both sensors on the host clock), declare \"clock\": \"shared\" in session.json only for systems that really share one, \
or start the recording with 2 s standing still, one jump with both feet and 1 s standing still before walking.";

#[cfg(test)]
mod tests {
    use super::*;

    fn jump_at(n: usize, fs: f64, t_land: f64, steps_from: Option<f64>) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let land = 25.0 * (-((t - t_land) / 0.01).powi(2)).exp();
                let steps = steps_from.map_or(0.0, |s0| {
                    if t > s0 {
                        8.0 * (((t - s0) * 2.0 * std::f64::consts::PI / 1.1).sin().max(0.0)).powi(8)
                    } else {
                        0.0
                    }
                });
                0.05 * ((i * 7919 % 97) as f64 / 97.0) + land + steps
            })
            .collect()
    }

    /// Mid-swing times (left, right) of a walk of `n` strides of 1.1 s from `t0`, the left
    /// foot leading (its swings at 0.3 s into each stride, the right's half a stride later).
    fn walk(t0: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let l = (0..n).map(|i| t0 + 0.3 + 1.1 * i as f64).collect();
        let r = (0..n).map(|i| t0 + 0.85 + 1.1 * i as f64).collect();
        (l, r)
    }

    /// The same walk led by the right foot.
    fn walk_right_first(t0: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let (l, r) = walk(t0, n);
        (r, l)
    }

    fn shifted(v: &[f64], by: f64) -> Vec<f64> {
        v.iter().map(|t| t + by).collect()
    }

    #[test]
    fn swings_alternate_on_a_true_timeline_and_not_with_a_late_clock() {
        use crate::gait::Side;
        let (mut l, mut r) = walk(0.0, 8);
        let (l2, r2) = walk(20.0, 10);
        l.extend(l2);
        r.extend(r2);
        let a = swing_alternation(&l, &r);
        assert_eq!((a.edges, a.broken_edges, a.late_leg), (4, 0, None));
        assert_eq!((a.inner_repeats, a.inner_pairs), (0, 13 + 17));
        assert_eq!(a.late_clock(), None);
        // the right leg one stride minus 0.1 s late: still anti-phase, broken at every edge
        let a = swing_alternation(&l, &shifted(&r, 1.0));
        assert_eq!((a.edges, a.broken_edges), (4, 4));
        assert_eq!(a.late_clock(), Some(Side::Right));
        // a walk led by the late leg looks led by the other one: no evidence either way
        let a = swing_alternation(&shifted(&l, 1.0), &r);
        assert_eq!((a.broken_edges, a.late_clock()), (0, None));
        // the mirror: walks led by the right foot, the left leg late
        let (mut l, mut r) = walk_right_first(0.0, 8);
        let (l2, r2) = walk_right_first(20.0, 10);
        l.extend(l2);
        r.extend(r2);
        assert_eq!(swing_alternation(&l, &r).late_clock(), None);
        let a = swing_alternation(&shifted(&l, 1.0), &r);
        assert_eq!((a.edges, a.broken_edges), (4, 4));
        assert_eq!(a.late_clock(), Some(Side::Left));
        // one walk led by each foot: the walk led by the trailing-clock foot shows it
        let (mut l, mut r) = walk(0.0, 8);
        let (l2, r2) = walk_right_first(20.0, 10);
        l.extend(l2);
        r.extend(r2);
        let a = swing_alternation(&l, &shifted(&r, 1.0));
        assert_eq!((a.broken_edges, a.broken_other_way), (2, 0));
        assert_eq!(a.late_clock(), Some(Side::Right));
        // a small offset keeps the alternation (it cannot be seen this way)
        assert_eq!(swing_alternation(&l, &shifted(&r, 0.1)).late_clock(), None);
    }

    #[test]
    fn one_broken_edge_or_unreliable_swings_are_not_evidence() {
        let (l, r) = walk(0.0, 8);
        // the right leg's first swing missed: the left leads twice at the start only
        let a = swing_alternation(&l, &r[1..]);
        assert_eq!((a.edges, a.broken_edges), (2, 1));
        assert_eq!(a.late_clock(), None);
        // every third right swing missed: the edges say nothing
        let (l, r) = walk(0.0, 30);
        let r: Vec<f64> = r
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 1)
            .map(|(_, &t)| t + 1.0)
            .collect();
        let a = swing_alternation(&l, &r);
        assert!(a.inner_repeats * 10 > a.inner_pairs);
        assert_eq!(a.late_clock(), None);
        assert_eq!(swing_alternation(&[], &[]).edges, 0);
    }

    /// Turn simulator, written from the walking model rather than from the detector: the body's
    /// heading follows a raised-cosine turn of `turn_deg` over `dur_s` from `t0_s`; the left
    /// foot lands every `stride_s` from `first_s`, the right `phase` of a stride after it
    /// (0.5 = symmetric); each foot is put down along the body's heading, turning during its
    /// swing (the last 40 % of its stride), the stance foot `pivot` of its own share earlier.
    /// Returns each foot's strides as (turn centre s, heading change deg), the right foot's
    /// clock reading `right_late_s` late.
    struct TurnWalk {
        stride_s: f64,
        phase: f64,
        first_s: f64,
        turn_deg: f64,
        t0_s: f64,
        dur_s: f64,
        pivot: f64,
        right_late_s: f64,
    }

    impl TurnWalk {
        fn heading_deg(&self, t: f64) -> f64 {
            let u = ((t - self.t0_s) / self.dur_s).clamp(0.0, 1.0);
            self.turn_deg
                * (u - (2.0 * std::f64::consts::PI * u).sin() / (2.0 * std::f64::consts::PI))
        }

        fn foot(&self, first_land_s: f64, late_s: f64) -> Vec<StrideTurn> {
            let end = self.t0_s + self.dur_s + 8.0;
            let lands: Vec<f64> = (0..)
                .map(|k| first_land_s + k as f64 * self.stride_s)
                .take_while(|&t| t < end)
                .collect();
            lands
                .windows(2)
                .map(|w| {
                    let swing_mid = w[1] - 0.2 * self.stride_s;
                    let stance_mid = w[0] + 0.3 * self.stride_s;
                    let centre = (1.0 - self.pivot) * swing_mid + self.pivot * stance_mid;
                    (
                        centre + late_s,
                        self.heading_deg(w[1]) - self.heading_deg(w[0]),
                    )
                })
                .collect()
        }

        fn strides(&self) -> (Vec<StrideTurn>, Vec<StrideTurn>) {
            (
                self.foot(self.first_s, 0.0),
                self.foot(self.first_s + self.phase * self.stride_s, self.right_late_s),
            )
        }
    }

    /// Deterministic uniform numbers in [0, 1) (64-bit LCG, fixed seed).
    fn uniform(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn leg_turns_and_their_lag_have_the_right_sign_and_size() {
        use crate::gait::Side;
        // a left turn of 30 + 90 + 60 deg; straight strides and a right turn apart
        let l = [
            (1.0, 2.0),
            (2.0, 30.0),
            (3.0, 90.0),
            (4.0, 60.0),
            (5.0, -3.0),
            (9.0, -50.0),
        ];
        let t = leg_turns(&l);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].angle_deg, t[0].strides), (180.0, 3));
        assert!((t[0].centre_s - (2.0 * 30.0 + 3.0 * 90.0 + 4.0 * 60.0) / 180.0).abs() < 1e-12);
        assert_eq!((t[1].angle_deg, t[1].centre_s), (-50.0, 9.0));
        // a missing stride (4 s without one) breaks a run
        assert_eq!(leg_turns(&[(1.0, 50.0), (5.0, 50.0)]).len(), 2);
        assert!(leg_turns(&[(f64::NAN, 50.0), (1.0, f64::INFINITY)]).is_empty());
        // the right foot's strides half a stride after the left's: no lag beyond that
        let r: Vec<(f64, f64)> = [(2.5, 60.0), (3.5, 90.0), (4.5, 30.0)].to_vec();
        let timing = turn_timing(&l, &r);
        assert_eq!(timing.turns_compared, 1);
        let lag = timing.lag_s.unwrap();
        assert!(
            (lag - (600.0 / 180.0 - 570.0 / 180.0)).abs() < 1e-9,
            "{lag}"
        );
        assert_eq!(timing.late_clock(1.0), None);
        // the right foot's clock 1.0 s late, then the left's
        let late: Vec<(f64, f64)> = r.iter().map(|&(t, d)| (t + 1.0, d)).collect();
        let timing = turn_timing(&l, &late);
        assert!((timing.lag_s.unwrap() - lag - 1.0).abs() < 1e-9);
        assert_eq!(timing.late_clock(1.0), Some(Side::Right));
        let early: Vec<(f64, f64)> = r.iter().map(|&(t, d)| (t - 1.2, d)).collect();
        assert_eq!(turn_timing(&l, &early).late_clock(1.0), Some(Side::Left));
        // not compared: a leg that turns the other way, less than 75 deg, in one stride, or
        // 25 % less than the other
        let mirrored: Vec<(f64, f64)> = r.iter().map(|&(t, d)| (t, -d)).collect();
        let half: Vec<(f64, f64)> = r.iter().map(|&(t, d)| (t, 0.45 * d)).collect();
        let one = [(3.5, 180.0)];
        let short: Vec<(f64, f64)> = r.iter().map(|&(t, d)| (t, 0.7 * d)).collect();
        for other in [&mirrored[..], &half, &one, &short] {
            let timing = turn_timing(&l, other);
            assert_eq!(
                (timing.turns_compared, timing.lag_s),
                (0, None),
                "{other:?}"
            );
            assert_eq!(timing.late_clock(1.0), None);
        }
    }

    #[test]
    fn simulated_asymmetric_turns_show_no_lag_and_a_late_clock_shows() {
        use crate::gait::Side;
        let mut seed = 20261203u64;
        let (mut worst_true, mut worst_late) = (0.0f64, 0.0f64);
        for case in 0..400 {
            let mut u = || uniform(&mut seed);
            let stride_s = 0.9 + 0.5 * u();
            // a step-time asymmetry of 20–30 % either way (SI = 200 (2 phase − 1))
            let si = (20.0 + 10.0 * u()) * if u() < 0.5 { 1.0 } else { -1.0 };
            let mut walk = TurnWalk {
                stride_s,
                phase: 0.5 + si / 400.0,
                // led by either foot: the right foot's first landing before or after the left's
                first_s: if u() < 0.5 { 0.3 } else { -0.6 * stride_s },
                turn_deg: (90.0 + 110.0 * u()) * if u() < 0.5 { 1.0 } else { -1.0 },
                t0_s: 8.0 + 4.0 * u(),
                dur_s: (2.0 + 2.0 * u()) * stride_s,
                pivot: 0.3 * u(),
                right_late_s: 0.0,
            };
            let (l, r) = walk.strides();
            let timing = turn_timing(&l, &r);
            assert_eq!(timing.turns_compared, 1, "case {case}");
            let lag = timing.lag_s.unwrap();
            worst_true = worst_true.max(lag.abs() / stride_s);
            assert_eq!(timing.late_clock(stride_s), None, "case {case}: lag {lag}");
            // either foot's clock about a stride late (0.85–1.15 strides)
            let late_right = u() < 0.5;
            let by = stride_s * (0.85 + 0.3 * u());
            walk.right_late_s = if late_right { by } else { -by };
            let (l, r) = walk.strides();
            let timing = turn_timing(&l, &r);
            let got = timing.lag_s.unwrap();
            worst_late = worst_late.max((got - walk.right_late_s - lag).abs());
            let want = if late_right { Side::Right } else { Side::Left };
            assert_eq!(
                timing.late_clock(stride_s),
                Some(want),
                "case {case}: {got}"
            );
        }
        // asymmetric walks on a true clock: the legs' turn centres within 0.22 stride (half a
        // stride flags); a late clock adds exactly its offset
        assert!(worst_true < 0.22, "{worst_true}");
        assert!(worst_late < 1e-9, "{worst_late}");
    }

    #[test]
    fn sync_jump_offset_has_the_right_sign_and_size() {
        let fs = 100.0;
        let left = jump_at(800, fs, 2.0, None);
        let right = jump_at(800, fs, 2.35, None); // right clock runs 0.35 s ahead
        let (offset, r) = sync_jump_offset(&left, &right, fs).unwrap();
        assert!((offset + 0.35).abs() < 1e-9, "{offset}");
        assert!(r > 0.9);
        // periodic walking impacts alone give no unique answer
        let walk_l = jump_at(800, fs, -5.0, Some(0.0));
        let walk_r = jump_at(800, fs, -5.0, Some(0.55));
        assert_eq!(sync_jump_offset(&walk_l, &walk_r, fs), None);
    }

    #[test]
    fn implausible_timing_is_found_with_an_estimate() {
        let ok = PhaseCheck {
            mean_initial_double_support_s: Some(0.12),
            mean_terminal_double_support_s: Some(0.11),
            mean_left_phase: Some(0.51),
            mean_stride_time_s: Some(1.1),
        };
        assert_eq!(implausible(&ok), None);
        let off = PhaseCheck {
            mean_initial_double_support_s: Some(-0.2),
            mean_terminal_double_support_s: Some(0.4),
            mean_left_phase: Some(0.79),
            mean_stride_time_s: Some(1.0),
        };
        let (why, est) = implausible(&off).unwrap();
        assert!(why.contains("79 %"), "{why}");
        assert!((est.unwrap() - 0.29).abs() < 1e-9);
        // at the edges of the band: 30 % and 70 % pass, just beyond does not
        for (p, bad) in [(0.3, false), (0.7, false), (0.29, true), (0.71, true)] {
            let c = PhaseCheck {
                mean_left_phase: Some(p),
                ..ok
            };
            assert_eq!(implausible(&c).is_some(), bad, "{p}");
        }
        let neg = PhaseCheck {
            mean_terminal_double_support_s: Some(-0.01),
            ..ok
        };
        assert!(implausible(&neg)
            .unwrap()
            .0
            .contains("negative double support"));
    }

    #[test]
    fn walking_starts_at_the_first_regular_run_of_strides() {
        // a jump "cycle" at 2.0 s, a pause, then strides of 1.1 s from 4.0 s
        let ic = [2.0, 4.0, 5.1, 6.2, 7.3];
        let fc = [1.65, 3.56, 4.66, 5.76, 6.86];
        assert_eq!(walking_start_s(&ic, &fc), 3.56);
        // walking from the first cycle
        assert_eq!(walking_start_s(&ic[1..], &fc[1..]), 3.56);
        assert_eq!(walking_start_s(&[4.0], &[3.56]), 3.56);
    }

    /// One leg standing with a landing impact at `land_s` and walking-like rotation (and
    /// contacts, 1.1 s apart) from `walk_s`, sampled at 100 Hz from `t0_s`.
    fn leg(land_s: f64, walk_s: f64, t0_s: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let fs = 100.0;
        let (mut imp, mut gyr) = (Vec::new(), Vec::new());
        for i in 0..1500 {
            let t = t0_s + i as f64 / fs;
            imp.push(0.05 + 25.0 * (-((t - land_s) / 0.01).powi(2)).exp());
            gyr.push(if t > walk_s {
                200.0 * (((t - walk_s) * 2.0 * std::f64::consts::PI / 1.1).sin()).abs()
            } else {
                2.0
            });
        }
        let ic: Vec<f64> = (0..8).map(|k| walk_s + 0.8 + 1.1 * k as f64).collect();
        (imp, gyr, ic)
    }

    fn judge(
        l: &(Vec<f64>, Vec<f64>, Vec<f64>),
        r: &(Vec<f64>, Vec<f64>, Vec<f64>),
        r_t0: f64,
    ) -> std::result::Result<JumpEvidence, (JumpEvidence, String)> {
        let fs = 100.0;
        let (offset, corr) = sync_jump_offset(&l.0[..600], &r.0[..600], fs).unwrap();
        let jl = JumpLeg {
            impacts_mps2: &l.0,
            gyr_norm_dps: &l.1,
            t0_s: 0.0,
            ic_s: &l.2,
        };
        let jr = JumpLeg {
            impacts_mps2: &r.0,
            gyr_norm_dps: &r.1,
            t0_s: r_t0,
            ic_s: &r.2,
        };
        judge_jump(&jl, &jr, fs, (-offset * fs).round() as isize, corr, 600)
    }

    #[test]
    fn a_landing_set_apart_from_walking_is_accepted_with_the_offset_sign() {
        // landing at 3.0 s on the left clock; the right clock reads 0.4 s more
        let l = leg(3.0, 5.0, 0.0);
        let r = leg(3.4, 5.4, 0.0);
        let ev = judge(&l, &r, 0.0).unwrap();
        assert!((ev.offset_s + 0.4).abs() < 1e-9, "{ev:?}");
        assert!((ev.landing_s - 3.0).abs() < 0.011);
        assert!(ev.impact_left_mps2 > 20.0 && ev.impact_right_mps2 > 20.0);
        assert!(ev.quiet_before_dps.unwrap() < 3.0 && ev.quiet_after_dps.unwrap() < 3.0);
        assert_eq!(ev.cycles_near, 0);
        // the right file starting 0.4 s later on the same clock: no offset; and the clock
        // difference in the timestamps alone is taken into account
        let r = leg(3.0, 5.0, 0.4);
        let ev = judge(&l, &r, 0.4).unwrap();
        assert!(ev.offset_s.abs() < 1e-9, "{ev:?}");
        let r = leg(3.4, 5.4, 0.4);
        let ev = judge(&l, &r, 0.4).unwrap();
        assert!((ev.offset_s + 0.4).abs() < 1e-9, "{ev:?}");
    }

    #[test]
    fn a_landing_into_walking_or_without_standing_before_is_refused() {
        // walking starts 0.3 s after the landing
        let (l, r) = (leg(3.0, 3.3, 0.0), leg(3.0, 3.3, 0.0));
        let (ev, why) = judge(&l, &r, 0.0).unwrap_err();
        assert!(why.contains("not followed by standing still"), "{why}");
        assert!(ev.quiet_after_dps.unwrap() > QUIET_GYR_DPS);
        // a landing 1 s into the recording has no standing before it on record
        let (l, r) = (leg(1.0, 5.0, 0.0), leg(1.0, 5.0, 0.0));
        let (ev, why) = judge(&l, &r, 0.0).unwrap_err();
        assert!(why.contains("not preceded by standing still") && ev.quiet_before_dps.is_none());
        // contacts right after the landing, though the sensors read still
        let (l, mut r) = (leg(3.0, 5.0, 0.0), leg(3.0, 5.0, 0.0));
        r.2.insert(0, 3.9);
        let (ev, why) = judge(&l, &r, 0.0).unwrap_err();
        assert_eq!(ev.cycles_near, 1);
        assert!(why.contains("gait cycle"), "{why}");
    }

    #[test]
    fn coverage_and_same_data_measure_what_they_say() {
        let c = coverage(&[1.0, 2.0, 11.0], &[1.5, 3.0, 3.5]).unwrap();
        assert!((c.common_s - 2.0).abs() < 1e-12 && (c.walk_s - 10.0).abs() < 1e-12);
        assert!((c.overlap_pct - 20.0).abs() < 1e-9);
        assert_eq!(coverage(&[], &[1.0]), None);
        let fs = 100.0;
        let g: Vec<f64> = (0..1000)
            .map(|i| 100.0 + 80.0 * ((i as f64 / fs) * 5.7).sin() + ((i * 7919 % 89) as f64))
            .collect();
        let a: Vec<f64> = g.iter().map(|x| 9.8 + 0.01 * x).collect();
        // a copy shifted by 0.37 s is the same data
        let (gs, as_) = (&g[37..], &a[37..]);
        assert!(motion_difference_pct((&g, &a), (gs, as_), fs).unwrap() < 1e-9);
        // other motion is not
        let h: Vec<f64> = g.iter().rev().map(|x| 0.7 * x).collect();
        assert!(motion_difference_pct((&g, &a), (&h, &a), fs).unwrap() > SAME_DATA_PCT);
    }
}
