//! Single-leg stance from the lower-back sensor: lift-off and touch-down of the raised leg,
//! hold time, balance losses, sway during the hold, best and mean of repeated attempts
//! (metrics.md B3; clinical protocol Springer et al. 2007).
//!
//! Detection (an engineering method, validated on the simulator only):
//! * Before the raised foot can leave the floor the body moves sideways over the stance foot;
//!   after touch-down it moves back. These **weight transfers** are found in the ML
//!   displacement along the pelvis's level ML axis ([`ml_displacement`]: double integral of
//!   the ML acceleration, its offset removed by a 12-s moving mean and the velocity's drift by
//!   an 8-s moving median) as windows whose net displacement exceeds a quarter of the foot's
//!   breadth ([`min_transfer_for_height_m`]).
//! * Each transfer is fitted by least squares with a minimum-jerk point-to-point movement
//!   (Flash & Hogan 1985) plus a quadratic drift term, which gives its start and end (a fit
//!   that runs to the longest 2 s is made again on a closer window, −1.2…+2 s, at most
//!   1.4 s long: it had spread over the hold's sway); where
//!   the quadratic follows a large sway swing and turns the step against the way the pelvis
//!   went (the mean displacement 0.3 s after less 0.3 s before), a linear drift only.
//! * A transfer persists: with the fitted drift removed, the mean displacement over the second
//!   after it keeps at least half of the step.
//! * **Lift-off** = end of a transfer towards the stance side: the moment its ML velocity
//!   that way falls to a tenth of its fastest, or to a minimum under a third of it while a
//!   sway swing carries on ([`STOPPED_SHARE`], [`SLOWED_SHARE`]); the centre of mass is then
//!   over the stance foot. That time is then refined on the pelvis's **translation** (the
//!   displacement plus 1 m · frontal tilt, which a sway swing about the ankle leaves flat):
//!   the largest rise toward the stance side over at most 1.4 s, from 4 s before to 1.5 s
//!   after it (after the calibration and the previous hold, before the touch-down − 0.5 s),
//!   stopped by the same velocity rule; kept if it reaches the smallest transfer and has
//!   ended within that window ([`translation_lift_off_s`]). The pelvis turns (hike or drop)
//!   only after the foot is off, so where a rise the other way ends within 0.15 s of that
//!   rise's start and is larger, or that rise moved the sensor by under half of it (a turn,
//!   which the tilt compensation reads as a movement), the earlier rise is the shift and
//!   times the lift-off. A transfer undone within 0.5 s by a larger one the other way is a
//!   counter-movement, not a lift-off; a hold still under way when the data end must sway
//!   more than the standing before it (one foot sways more than two). The return is the next transfer
//!   the other way of at least 60 % of its size, preferring one that begins with a foot impact
//!   (the swing back of a corrective excursion has none; an impact with a flight before or
//!   after it is a hop). **Touch-down** = that impact (vertical acceleration peak just before
//!   the return), or the return's start if no impact stands out and the sway then drops, unless
//!   a foot impact follows within 1.8 s. An impact after which the sway stays at the hold's
//!   level (1.8–4.8 s after it at least [`TOE_TOUCH_SWAY_RATIO`] of the 3 s before it, with
//!   2 s of hold before it to measure, in a hold that swayed clearly more than the standing
//!   before it) ends no hold: the weight did not return to both feet.
//! * A **foot impact** is a vertical acceleration peak above max([`FOOT_IMPACT_MIN_MPS2`],
//!   median + 6·MAD of the hold). Touch-down: the weight returns to both feet, so the impact
//!   is followed by the pelvis moving back toward the midline (or by the sway dropping).
//! * **Balance losses** during the hold (lift-off + 0.5 s to touch-down − 0.3 s): *hops* =
//!   free fall (specific force under 0.4 g for ≥ [`HOP_MIN_FLIGHT_S`]) then a foot impact;
//!   *toe touches* = a foot impact with no free fall around it after which the pelvis moves
//!   toward the midline by ≥ [`TOE_TOUCH_MIN_RETURN`] of the outward transfer and the hold
//!   goes on; *corrective excursions* = the 0.25-s moving RMS of horizontal acceleration above
//!   max(0.15 m/s², median + 5·MAD) for ≥ 0.2 s; a *touch-down* before the protocol maximum
//!   ends the attempt and is itself a loss.
//!
//! The stance side is the side the body moved towards: a transfer to the left means standing
//! on the left leg. After a touch-down the pelvis goes back toward the midline; where that
//! return (1.2–2.2 s after the impact against the 0.5 s before it) goes the same way as the
//! lift-off transfer by at least twice the smallest transfer ([`RETURN_OVERRULES`]), the
//! lift-off transfer was a swing of the hold and the return names the side; lift-off is then
//! the stop of the largest shift that way in the 3 s before that swing.
//!
//! The side is reported only on clear evidence ([`side_evidence`], in smallest transfers):
//! a return back the other way by ≥ [`RETURN_CONFIRMS`] confirms it, one the same way by
//! ≥ [`RETURN_OVERRULES`] overrules it, and without either (no return, or one within a sway
//! swing) a transfer of ≥ [`CLEAR_TRANSFER`] names it, provided it is a translation of the
//! pelvis rather than the body tilting about the ankle ([`translation_share`] ≥
//! [`MIN_TRANSLATION_SHARE`]); a translation with no return against it names the side
//! whatever its size ([`tilt_checked`]). Without a return that confirms or overrules it, a
//! lift-off timed on a rise of the translation against the transfer (the shift before the
//! pelvis turned) names the side that way, as a translation. Otherwise — a return that
//! contradicts the transfer by less than it takes to overrule it, a tilt, or a transfer near its threshold with nothing to
//! confirm it — the side is unknown (`stance_side: None`) and the attempt is in no per-leg
//! summary. A task that declares the side keeps it.

use serde::{Deserialize, Serialize};

use super::leg_lift::EventSource;
use super::sway::{prepare, sway, Sway, SwaySettings};
use super::trunk_motion::{
    cumulative_integral, median_mad, moving_median, moving_rms, TrunkMotion,
};
use crate::gait::Side;
use crate::signal::filter::Butterworth;

/// Settings of the single-leg-stance analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StanceSettings {
    /// Protocol maximum; longer holds are capped, s (Springer 2007 used 45 s; 30 s is common).
    pub max_hold_s: f64,
    /// Smallest lateral displacement counted as a weight transfer, m.
    pub min_transfer_m: f64,
}

impl Default for StanceSettings {
    fn default() -> Self {
        StanceSettings {
            max_hold_s: 30.0,
            min_transfer_m: min_transfer_for_height_m(NOMINAL_HEIGHT_M),
        }
    }
}

/// Body height assumed when the session does not give one, m.
pub const NOMINAL_HEIGHT_M: f64 = 1.70;

/// Foot breadth per body height (Drillis & Contini 1966, in Winter 2009, fig. 4.1).
pub const FOOT_BREADTH_PER_HEIGHT: f64 = 0.055;

/// Smallest lateral weight transfer that puts the centre of mass over the stance foot, m:
/// with the feet side by side, from the midline to a quarter of the foot's breadth inside its
/// inner edge (0.25 · 0.055 · height, 2.3 cm at 1.70 m).
pub fn min_transfer_for_height_m(height_m: f64) -> f64 {
    0.25 * FOOT_BREADTH_PER_HEIGHT * height_m
}

/// Kind of balance loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// The raised foot touched the floor before the protocol maximum.
    TouchDown,
    /// The stance foot left the floor and landed again.
    Hop,
    /// The raised foot touched the floor briefly and the hold went on.
    ToeTouch,
    /// A burst of trunk acceleration well above the hold's own level.
    CorrectiveExcursion,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BalanceLoss {
    /// Seconds from the recording's first sample (the recording clock).
    pub t_s: f64,
    pub kind: LossKind,
}

/// One lift-off … touch-down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceAttempt {
    /// Leg stood on; `None` (JSON `null`) when the evidence for it is weak
    /// ([`SideEvidence::Weak`]).
    pub stance_side: Option<Side>,
    /// What the side rests on ([`side_evidence`]).
    pub side_evidence: SideEvidence,
    /// The lift-off weight transfer, m (+ right).
    pub lift_off_transfer_m: f64,
    /// The pelvis's movement after the touch-down (1.2–2.2 s after it less the 0.5 s before
    /// it), m (+ right); `None` without a touch-down or when the data end first.
    pub return_m: Option<f64>,
    pub lift_off_s: f64,
    /// `None` when the recording ended during the hold.
    pub touch_down_s: Option<f64>,
    /// Touch-down (or recording end) − lift-off, capped at the protocol maximum, s.
    pub hold_s: f64,
    /// True when the foot stayed up for the whole protocol maximum (the hold was capped).
    pub reached_max_hold: bool,
    /// True when the data stop during the hold (a gap without data follows, e.g. a sensor
    /// drop-out marked in `session.json`): the hold is a lower bound, there is no touch-down.
    pub interrupted_by_gap: bool,
    pub losses: Vec<BalanceLoss>,
    /// Which sensor timed lift-off and touch-down.
    pub events_from: EventSource,
    /// Sway of the hold phase; `None` for holds shorter than 2 s.
    pub sway: Option<Sway>,
}

/// All attempts of one recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleLegStance {
    pub attempts: Vec<StanceAttempt>,
    pub settings: StanceSettings,
    /// The side-to-side trunk acceleration the events are drawn over (not exported).
    #[serde(skip)]
    pub trace: MlTrace,
}

impl SingleLegStance {
    /// Attempts whose stance side the evidence does not show (`stance_side` unknown).
    pub fn side_unknown(&self) -> usize {
        self.attempts
            .iter()
            .filter(|a| a.stance_side.is_none())
            .count()
    }

    /// Moves every event time (and the trace) by `by_s`, e.g. from the analysed part of a
    /// recording with gaps onto the recording clock.
    pub fn shift_times(&mut self, by_s: f64) {
        for a in &mut self.attempts {
            a.lift_off_s += by_s;
            a.touch_down_s = a.touch_down_s.map(|t| t + by_s);
            for l in &mut a.losses {
                l.t_s += by_s;
            }
        }
        self.trace.t0_s += by_s;
    }
}

/// Rate the drawn ML trace is kept at, Hz: five times its 10-Hz low-pass.
pub const TRACE_FS_HZ: f64 = 50.0;

/// Low-pass cut-off of the drawn ML trace, Hz: keeps the weight shifts and foot impacts,
/// drops sensor noise.
pub const TRACE_LOWPASS_HZ: f64 = 10.0;

/// Side-to-side (ML, + right) trunk acceleration in the body frame, m/s², for drawing a
/// recording's single-leg events over it: the lower-back sensor's ML axis minus its mean over
/// the quiet-standing calibration (so the gravity share of a pelvic tilt shows as a shift),
/// low-passed at [`TRACE_LOWPASS_HZ`] and kept at about [`TRACE_FS_HZ`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MlTrace {
    pub fs_hz: f64,
    /// Time of the first value on the recording clock, s.
    pub t0_s: f64,
    pub ml_mps2: Vec<f64>,
}

impl MlTrace {
    /// From the body-frame ML acceleration at `fs_hz`, offset removed over the quiet window
    /// [`quiet_s.0`, `quiet_s.1`] (s from the first sample; the first second if empty).
    pub fn from_body_frame(ml_mps2: &[f64], fs_hz: f64, quiet_s: (f64, f64)) -> MlTrace {
        if ml_mps2.is_empty() || !fs_hz.is_finite() || fs_hz <= 0.0 {
            return MlTrace::default();
        }
        let idx = |t: f64| ((t * fs_hz).round().max(0.0) as usize).min(ml_mps2.len());
        let (a, b) = (idx(quiet_s.0), idx(quiet_s.1));
        let quiet = if b > a {
            &ml_mps2[a..b]
        } else {
            &ml_mps2[..idx(1.0).max(1)]
        };
        let offset = crate::signal::stats::mean(quiet).unwrap_or(0.0);
        let centred: Vec<f64> = ml_mps2.iter().map(|v| v - offset).collect();
        let cutoff = TRACE_LOWPASS_HZ.min(0.4 * fs_hz);
        let smooth = Butterworth::lowpass(4, cutoff, fs_hz).filtfilt(&centred);
        let k = ((fs_hz / TRACE_FS_HZ).floor() as usize).max(1);
        MlTrace {
            fs_hz: fs_hz / k as f64,
            t0_s: 0.0,
            ml_mps2: smooth
                .iter()
                .step_by(k)
                .map(|v| if v.is_finite() { *v } else { 0.0 })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.ml_mps2.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ml_mps2.is_empty()
    }

    /// Time of value `i` on the recording clock, s.
    pub fn time_s(&self, i: usize) -> f64 {
        self.t0_s + i as f64 / self.fs_hz
    }
}

/// Longest weight transfer fitted, s.
const MAX_TRANSFER_S: f64 = 2.0;

/// A fitted weight transfer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    pub start_s: f64,
    pub end_s: f64,
    /// Signed ML displacement, m (+ to the right).
    pub displacement_m: f64,
}

/// Window of the moving mean that takes the offset out of the ML acceleration, s.
const ACC_OFFSET_WINDOW_S: f64 = 12.0;

/// Window of the moving median that takes the drift out of the ML velocity, s.
const VELOCITY_DRIFT_WINDOW_S: f64 = 8.0;

/// Level-frame ML displacement, m: ML acceleration low-passed at 5 Hz less its 12-s moving
/// mean, integrated, the velocity's drift removed by an 8-s moving median, integrated again.
///
/// A standing body does not travel. Over a window much longer than a weight transfer the
/// mean ML acceleration is zero (a transfer's acceleration integrates to no velocity, so
/// even two transfers the same way leave it zero): what remains is the gravity share of a
/// small tilt error, a slowly changing offset that would make the velocity a ramp. The
/// velocity is zero but for the transfers' short pulses, so its median over 8 s follows
/// the remaining drift without taking a transfer's step. Both are taken on the signal
/// extended past each end by point reflection about its mean over the end second, which
/// keeps the end windows centred and continues a constant or a ramp.
pub fn ml_displacement(motion: &TrunkMotion) -> Vec<f64> {
    let fs = motion.fs_hz;
    let a = Butterworth::lowpass(4, 5.0, fs).filtfilt(&pelvis_ml_acc_mps2(motion));
    let n = a.len();
    let pad = ((0.5 * ACC_OFFSET_WINDOW_S * fs) as usize).max(1);
    let offset = moving_mean(&reflected(&a, pad, fs), (2 * pad + 1).max(1));
    let a: Vec<f64> = a.iter().zip(&offset).map(|(x, o)| x - o).collect();
    let raw_v = cumulative_integral(&a, fs);
    let pad = ((0.5 * VELOCITY_DRIFT_WINDOW_S * fs) as usize).max(1);
    let drift = moving_median(&reflected(&raw_v, pad, fs), fs, VELOCITY_DRIFT_WINDOW_S);
    let v: Vec<f64> = raw_v
        .iter()
        .zip(drift.iter().skip(pad).take(n))
        .map(|(x, d)| x - d)
        .collect();
    cumulative_integral(&v, fs)
}

/// Level-frame linear acceleration along the pelvis's ML axis (+ right), m/s².
///
/// The orientation filter's level frame keeps the heading its first levelling rotation gave
/// the sensor; a sensor both pitched and rolled (by 30° each) ends up turned by several
/// degrees in it, so its level ML axis takes in part of the forward movement. The pelvis's
/// own ML axis is level and perpendicular to its forward axis ([`TrunkMotion::yaw_deg`]
/// is that axis's heading, positive to the left): with the heading ψ over the quiet
/// calibration, ML_pelvis = ML·cos ψ + AP·sin ψ.
pub fn pelvis_ml_acc_mps2(motion: &TrunkMotion) -> Vec<f64> {
    let c = &motion.calibration;
    let (a, b) = (motion.index(c.start_s), motion.index(c.end_s));
    let yaw = &motion.yaw_deg;
    let psi_deg = if b > a {
        yaw[a..b].iter().sum::<f64>() / (b - a) as f64
    } else {
        yaw.first().copied().unwrap_or(0.0)
    };
    let (sin, cos) = psi_deg.to_radians().sin_cos();
    motion.lin_acc_mps2[1]
        .iter()
        .zip(&motion.lin_acc_mps2[2])
        .map(|(ml, ap)| ml * cos + ap * sin)
        .collect()
}

/// `x` with `pad` samples added before and after it, point-reflected about the mean of its
/// first (last) second taken at that second's middle.
fn reflected(x: &[f64], pad: usize, fs: f64) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let p = (fs as usize).clamp(1, n);
    let head = x[..p].iter().sum::<f64>() / p as f64;
    let tail = x[n - p..].iter().sum::<f64>() / p as f64;
    let before = (1..=pad)
        .rev()
        .map(|k| 2.0 * head - x[(p - 1 + k).min(n - 1)]);
    let after = (1..=pad).map(|k| 2.0 * tail - x[(n - p).saturating_sub(k)]);
    before.chain(x.iter().copied()).chain(after).collect()
}

/// Moving mean over `window` samples, one value per full window (`x.len() − window + 1`).
fn moving_mean(x: &[f64], window: usize) -> Vec<f64> {
    let window = window.clamp(1, x.len().max(1));
    let mut sum: f64 = x.iter().take(window).sum();
    let mut out = Vec::with_capacity(x.len().saturating_sub(window) + 1);
    if x.len() >= window {
        out.push(sum / window as f64);
    }
    for i in window..x.len() {
        sum += x[i] - x[i - window];
        out.push(sum / window as f64);
    }
    out
}

/// Lateral weight transfers of a recording, in time order.
pub fn weight_transfers(motion: &TrunkMotion, min_transfer_m: f64) -> Vec<Transfer> {
    let fs = motion.fs_hz;
    let n = motion.len();
    if (n as f64) < 3.0 * fs {
        return Vec::new();
    }
    let y = ml_displacement(motion);
    let half = (0.6 * fs) as usize;
    let d: Vec<f64> = (0..n)
        .map(|i| y[(i + half).min(n - 1)] - y[i.saturating_sub(half)])
        .collect();
    // local extrema of |d| above the threshold, at least 1 s apart (largest first)
    let mut candidates: Vec<usize> = (1..n - 1)
        .filter(|&i| {
            d[i].abs() >= min_transfer_m
                && d[i].abs() >= d[i - 1].abs()
                && d[i].abs() > d[i + 1].abs()
        })
        .collect();
    candidates.sort_by(|&i, &j| d[j].abs().total_cmp(&d[i].abs()));
    let mut kept: Vec<usize> = Vec::new();
    for c in candidates {
        if kept.iter().all(|&k| (k as f64 - c as f64).abs() > fs) {
            kept.push(c);
        }
    }
    kept.sort_unstable();
    let end_s = n as f64 / fs;
    // a fit at the longest allowed duration has spread over the sway around the transfer
    // (one foot sways more than two, so the swings after lift-off can be as large as the
    // transfer itself): the closer window sees the transfer with less of that sway
    let within = |t: &Transfer, w: &FitWindow| t.end_s - t.start_s < w.longest_s - 0.05;
    let fitted: Vec<Transfer> = kept
        .into_iter()
        .filter_map(|c| {
            FIT_WINDOWS
                .iter()
                .find_map(|w| fit_min_jerk(&y, fs, c, w).filter(|t| within(t, w)))
        })
        // nothing moves during the quiet calibration; a fit running past the end of the
        // recording is a filter edge
        .filter(|t| {
            t.displacement_m.abs() >= 0.75 * min_transfer_m
                && t.start_s > motion.calibration.end_s
                && t.end_s < end_s - 0.2
        })
        .collect();
    // overlapping fits describe the same movement: keep the larger
    let mut out: Vec<Transfer> = Vec::new();
    let mut by_size = fitted;
    by_size.sort_by(|a, b| b.displacement_m.abs().total_cmp(&a.displacement_m.abs()));
    for t in by_size {
        if out
            .iter()
            .all(|o| t.end_s <= o.start_s || t.start_s >= o.end_s)
        {
            out.push(t);
        }
    }
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    out
}

/// Height of the lower-back sensor above the ankle, the pivot of the body's sway, m (about
/// 0.59 of a 1.70-m body height: L5/S1 at 0.63 H less the ankle at 0.04 H; Winter 2009,
/// fig. 4.1).
pub const SWAY_PIVOT_TO_SENSOR_M: f64 = 1.0;

/// Least share of a weight transfer's ML displacement that is translation, not the frontal
/// rotation of an inverted pendulum swaying about the ankle: a transfer moves the pelvis
/// over the stance foot with the trunk upright, a sway swing moves it by tilting the body.
pub const MIN_TRANSLATION_SHARE: f64 = 0.5;

/// Share of the ML displacement `y` (m) over the first half of transfer `t` (its start to
/// its fitted midpoint, each end the mean over 0.1 s) not explained by the frontal tilt of a
/// body swaying about the ankle: a tilt of the pelvis's ML axis `right_side_up_deg` moves
/// the sensor by −[`SWAY_PIVOT_TO_SENSOR_M`] · Δtilt. 1 for a pure translation, 0 for a pure
/// sway swing. The first half ends before the lift-off, so the raised side's pelvic hike
/// (a rotation without translation, after lift-off) does not count. `None` when it cannot be
/// measured.
fn translation_share(y: &[f64], right_side_up_deg: &[f64], fs: f64, t: &Transfer) -> Option<f64> {
    let n = y.len().min(right_side_up_deg.len());
    let half = ((0.05 * fs) as usize).max(1);
    let mean_at = |x: &[f64], at_s: f64| {
        let c = (at_s * fs).round();
        if !(c >= 0.0 && c < n as f64) {
            return None;
        }
        let c = c as usize;
        let (a, b) = (c.saturating_sub(half), (c + half + 1).min(n));
        Some(x[a..b].iter().sum::<f64>() / (b - a) as f64)
    };
    let mid_s = 0.5 * (t.start_s + t.end_s);
    let dy = mean_at(y, mid_s)? - mean_at(y, t.start_s)?;
    let dth =
        (mean_at(right_side_up_deg, mid_s)? - mean_at(right_side_up_deg, t.start_s)?).to_radians();
    let share = (dy + SWAY_PIVOT_TO_SENSOR_M * dth) / dy;
    share.is_finite().then_some(share)
}

/// Window of a minimum-jerk fit around a candidate transfer.
#[derive(Debug, Clone, Copy)]
struct FitWindow {
    /// Data taken before and after the candidate, s.
    before_s: f64,
    after_s: f64,
    /// Longest movement fitted, s.
    longest_s: f64,
}

/// The wide window, then a closer one for a transfer whose wide fit reaches the longest
/// duration (the closer one keeps the second after the movement that shows it persists).
const FIT_WINDOWS: [FitWindow; 2] = [
    FitWindow {
        before_s: 2.0,
        after_s: 2.5,
        longest_s: MAX_TRANSFER_S,
    },
    FitWindow {
        before_s: 1.2,
        after_s: 2.0,
        longest_s: 1.4,
    },
];

/// Least-squares fit of y = c₀ + c₁·t + c₂·t² + Δ·s((t − t₀)/T) over the window `w` around
/// sample `centre`, s = minimum jerk; grid over T ∈ [0.3 s, `w.longest_s`] and t₀ with the
/// movement's midpoint within ±0.4 s of `centre`. `None` if the fitted step does not persist.
///
/// The step must go the way the pelvis went: the mean displacement over the 0.3 s after the
/// fitted movement less that over the 0.3 s before it has the step's sign. Over 4.5 s the
/// quadratic can follow half a period of a large sway swing and turn the step's sign; the
/// fit is then made again with a linear drift only.
fn fit_min_jerk(y: &[f64], fs: f64, centre: usize, w: &FitWindow) -> Option<Transfer> {
    let moved_m = |t: &Transfer| {
        let mean = |from: f64, to: f64| {
            let (a, b) = (
                ((from * fs).round().max(0.0) as usize).min(y.len()),
                ((to * fs).round().max(0.0) as usize).min(y.len()),
            );
            (b > a).then(|| y[a..b].iter().sum::<f64>() / (b - a) as f64)
        };
        Some(mean(t.end_s, t.end_s + 0.3)? - mean(t.start_s - 0.3, t.start_s)?)
    };
    [true, false].into_iter().find_map(|curvature| {
        fit_min_jerk_with(y, fs, centre, w, curvature)
            .filter(|t| moved_m(t).is_some_and(|m| m * t.displacement_m > 0.0))
    })
}

/// [`fit_min_jerk`] with the quadratic drift term (`curvature`) or without.
fn fit_min_jerk_with(
    y: &[f64],
    fs: f64,
    centre: usize,
    w: &FitWindow,
    curvature: bool,
) -> Option<Transfer> {
    let n = y.len();
    let lo = centre.saturating_sub((w.before_s * fs) as usize);
    let hi = (centre + (w.after_s * fs) as usize).min(n);
    if hi - lo < (fs as usize) {
        return None;
    }
    let ts: Vec<f64> = (lo..hi).map(|i| (i - lo) as f64 / fs).collect();
    let ys = &y[lo..hi];
    let c_t = (centre - lo) as f64 / fs;
    let window_s = (hi - lo) as f64 / fs;
    let poly = PolySums::new(&ts, ys);
    // only movements whose 0.5 s before and 1 s after (the persistence check below) lie in
    // the window, to within the 10 % of a stretch that check allows: the best fit among
    // them, not a better one that cannot be checked
    let checkable = |t0: f64, big_t: f64| t0 - 0.5 >= -0.05 && t0 + big_t + 1.0 <= window_s + 0.1;
    // coarse grid (50 ms), then a 10-ms refinement around the best coarse point
    let search = |t_range: (f64, f64),
                  mid_range: (f64, f64),
                  step: f64,
                  best: &mut Option<(f64, f64, f64, nalgebra::Vector4<f64>)>| {
        let mut big_t = t_range.0;
        while big_t <= t_range.1 + 1e-9 {
            let mut mid = mid_range.0;
            while mid <= mid_range.1 + 1e-9 {
                let t0 = mid - big_t / 2.0;
                if !checkable(t0, big_t) {
                    mid += step;
                    continue;
                }
                if let Some((sse, c)) =
                    lstsq(&ts, |t| min_jerk((t - t0) / big_t), ys, &poly, curvature)
                {
                    if best.is_none_or(|b| sse < b.0) {
                        *best = Some((sse, t0, big_t, c));
                    }
                }
                mid += step;
            }
            big_t += step;
        }
    };
    let mut best: Option<(f64, f64, f64, nalgebra::Vector4<f64>)> = None; // sse, t0, T, coefs
    search((0.3, w.longest_s), (c_t - 0.4, c_t + 0.4), 0.05, &mut best);
    let (_, t0c, tc, _) = best?;
    let mid_c = t0c + tc / 2.0;
    search(
        ((tc - 0.05).max(0.3), tc + 0.05),
        (mid_c - 0.05, mid_c + 0.05),
        0.01,
        &mut best,
    );
    let (_, t0, big_t, c) = best?;
    // a weight transfer persists: with the drift polynomial removed, the displacement over
    // the second after the movement must keep at least half the step (a corrective excursion
    // swings back); both windows must be there in full, so a movement in the last second of
    // a recording, which cannot be told from drift, is no transfer
    let mean_z = |from: f64, to: f64| {
        let v: Vec<f64> = ts
            .iter()
            .zip(ys)
            .filter(|(t, _)| **t >= from && **t < to)
            .map(|(t, y)| y - c[0] - c[1] * t - c[2] * t * t)
            .collect();
        (v.len() as f64 >= 0.9 * (to - from) * fs).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let delta = c[3];
    let before = mean_z(t0 - 0.5, t0)?;
    let after = mean_z(t0 + big_t, t0 + big_t + 1.0)?;
    if (after - before) * delta.signum() < 0.5 * delta.abs() {
        return None;
    }
    let start_s = lo as f64 / fs + t0;
    Some(Transfer {
        start_s,
        end_s: start_s + big_t,
        displacement_m: delta,
    })
}

/// Minimum-jerk position fraction at normalised time τ (clamped to 0…1).
pub fn min_jerk(tau: f64) -> f64 {
    let t = tau.clamp(0.0, 1.0);
    t * t * t * (10.0 - 15.0 * t + 6.0 * t * t)
}

/// Sums of the fixed part of the least-squares problem on [1, t, t², s(t)]: the polynomial
/// block of XᵀX and Xᵀy, and yᵀy. Shared by every step shape tried on one window.
struct PolySums {
    xx: [[f64; 3]; 3],
    xy: [f64; 3],
    yy: f64,
}

impl PolySums {
    fn new(t: &[f64], y: &[f64]) -> PolySums {
        let mut p = PolySums {
            xx: [[0.0; 3]; 3],
            xy: [0.0; 3],
            yy: 0.0,
        };
        for (&ti, &yi) in t.iter().zip(y) {
            let x = [1.0, ti, ti * ti];
            for r in 0..3 {
                for c in 0..3 {
                    p.xx[r][c] += x[r] * x[c];
                }
                p.xy[r] += x[r] * yi;
            }
            p.yy += yi * yi;
        }
        p
    }
}

/// Least squares of y on [1, t, t², s(t)], or on [1, t, s(t)] without `curvature` (the t²
/// coefficient then 0); returns (SSE, coefficients). The quadratic term absorbs a constant
/// acceleration offset (a small residual tilt error leaks gravity).
fn lstsq(
    t: &[f64],
    s_of: impl Fn(f64) -> f64,
    y: &[f64],
    poly: &PolySums,
    curvature: bool,
) -> Option<(f64, nalgebra::Vector4<f64>)> {
    // only the sums involving s change with the step shape
    let (mut s1, mut st, mut st2, mut ss, mut sy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (&ti, &yi) in t.iter().zip(y) {
        let si = s_of(ti);
        s1 += si;
        st += si * ti;
        st2 += si * ti * ti;
        ss += si * si;
        sy += si * yi;
    }
    let x = &poly.xx;
    let m = nalgebra::Matrix4::new(
        x[0][0], x[0][1], x[0][2], s1, x[1][0], x[1][1], x[1][2], st, x[2][0], x[2][1], x[2][2],
        st2, s1, st, st2, ss,
    );
    let b = nalgebra::Vector4::new(poly.xy[0], poly.xy[1], poly.xy[2], sy);
    let c = if curvature {
        m.lu().solve(&b)?
    } else {
        let keep = [0, 1, 3];
        let m3 = nalgebra::Matrix3::from_fn(|r, c| m[(keep[r], keep[c])]);
        let b3 = nalgebra::Vector3::from_fn(|r, _| b[keep[r]]);
        let c3 = m3.lu().solve(&b3)?;
        nalgebra::Vector4::new(c3[0], c3[1], 0.0, c3[2])
    };
    // SSE = yᵀy − cᵀXᵀy at the least-squares solution
    let sse = (poly.yy - c.dot(&b)).max(0.0);
    c.iter().all(|v| v.is_finite()).then_some((sse, c))
}

/// Single-leg-stance attempts of a recording. With `expected` set, only attempts on that
/// side are kept (the returned count of dropped attempts lets the caller warn).
pub fn single_leg_stance(
    motion: &TrunkMotion,
    expected: Option<Side>,
    settings: StanceSettings,
) -> (SingleLegStance, usize) {
    single_leg_stance_of_part(motion, expected, settings, false)
}

/// As [`single_leg_stance`], for a part of a recording that may begin after a gap without
/// data (`after_gap`): the participant may then already stand on one leg when the data
/// resume, so a first weight transfer that begins with a foot impact or after which the sway
/// drops to the standing level ([`SWAY_DROP_RATIO`]) is the touch-down of a hold that began
/// before the gap, not a lift-off, and is skipped.
pub fn single_leg_stance_of_part(
    motion: &TrunkMotion,
    expected: Option<Side>,
    settings: StanceSettings,
    after_gap: bool,
) -> (SingleLegStance, usize) {
    let fs = motion.fs_hz;
    let end_s = motion.len() as f64 / fs;
    let transfers = weight_transfers(motion, settings.min_transfer_m);
    let ml_y = ml_displacement(motion);
    let translation_m = pelvis_translation_m(&ml_y, &motion.right_side_up_deg);
    let v_acc = &motion.lin_acc_mps2[0];
    let mut attempts = Vec::new();
    let mut dropped = 0;
    let mut i = 0;
    // end of the previous attempt's hold, s: the next lift-off comes after it
    let mut previous_stop_s = 0.0_f64;
    if after_gap
        && transfers.first().is_some_and(|t| {
            touch_down_impact(v_acc, fs, 0.0, t.start_s).is_some()
                || sway_ratio_around(motion, t.start_s).is_some_and(|r| r < SWAY_DROP_RATIO)
        })
    {
        i = 1;
    }
    while i < transfers.len() {
        let out_idx = i;
        let out = transfers[i];
        // a movement undone by a larger one the other way within [`MIN_HOLD_GAP_S`] held
        // nothing: a counter-movement or a sway swing before the transfer over the stance foot
        if transfers.get(i + 1).is_some_and(|next| {
            next.displacement_m.signum() != out.displacement_m.signum()
                && next.displacement_m.abs() > out.displacement_m.abs()
                && next.start_s < out.end_s + MIN_HOLD_GAP_S
        }) {
            i += 1;
            continue;
        }
        // the return is the next transfer the other way of at least 60 % of the size, preferably
        // one with a foot impact (a corrective excursion swings back without one)
        let lift_off_s = transfer_stop_s(&ml_y, fs, &out);
        let candidates: Vec<usize> = (i + 1..transfers.len())
            .filter(|&k| {
                let t = transfers[k];
                t.displacement_m.signum() != out.displacement_m.signum()
                    && t.displacement_m.abs() >= 0.6 * out.displacement_m.abs()
            })
            .collect();
        let with_impact = candidates.iter().find_map(|&k| {
            touch_down_impact(v_acc, fs, lift_off_s, transfers[k].start_s)
                .filter(|&t| !sway_goes_on(motion, lift_off_s, t))
                .map(|t| (k, t))
        });
        let impact_at_return = with_impact.is_some();
        let (back, touch_down_s) = match with_impact {
            Some((k, t)) => (Some(k), Some(t)),
            // without an impact, the return must also bring the sway down to standing level
            None => match candidates.iter().find(|&&k| {
                sway_ratio_around(motion, transfers[k].start_s).is_none_or(|r| r < SWAY_DROP_RATIO)
            }) {
                Some(&k) => (Some(k), Some(transfers[k].start_s)),
                None => (None, None),
            },
        };
        i = back.map_or(transfers.len(), |b| b + 1);
        // a foot impact during the hold that the pelvis follows back toward the midline ends
        // single support earlier than the return transfer found above; a return found by the
        // sway drop alone may be the hold's last swing, the sway being compared from
        // [`SWAY_AFTER_S`] on, so an impact up to that long after it is the touch-down
        let mut touch_down_s = touch_down_s;
        let search_to_s = match touch_down_s {
            Some(t) if !impact_at_return => t + SWAY_AFTER_S,
            Some(t) => t,
            None => end_s,
        };
        if let Some((td, back_end_s)) =
            impact_touch_down(motion, lift_off_s, search_to_s, out.displacement_m)
        {
            touch_down_s = Some(td);
            i = (out_idx + 1..transfers.len())
                .find(|&k| transfers[k].start_s >= back_end_s - 0.1)
                .unwrap_or(transfers.len());
        }
        let stop_s = touch_down_s.unwrap_or(end_s);
        // a hold still under way when the data end has no touch-down to show it; standing on
        // one leg sways more than on two, so where the sway after the transfer is no larger
        // than before it the other foot stayed down, and a transfer in the last
        // [`MIN_OPEN_HOLD_S`] of the data shows no hold at all
        if touch_down_s.is_none() {
            let after = sway_rate_rms(motion, lift_off_s + 0.3, (lift_off_s + 3.3).min(stop_s));
            let before = sway_rate_rms(motion, out.start_s - 3.2, out.start_s - 0.2);
            if before.zip(after).is_some_and(|(b, a)| a <= b)
                || stop_s - lift_off_s < MIN_OPEN_HOLD_S
            {
                continue;
            }
        }
        // the stance side is the way the pelvis went at lift-off, unless the movement after the
        // touch-down, timed by the impact, says otherwise by more than a swing of the hold
        let return_m = touch_down_s.and_then(|td| return_displacement_m(&ml_y, fs, td));
        let share = translation_share(&ml_y, &motion.right_side_up_deg, fs, &out);
        let evidence = side_evidence(out.displacement_m, return_m, settings.min_transfer_m);
        let contradicted =
            return_contradicts(out.displacement_m, return_m, settings.min_transfer_m);
        let evidence = tilt_checked(evidence, share, contradicted);
        let stance_m = if evidence == SideEvidence::ReturnOverrules {
            -out.displacement_m
        } else {
            out.displacement_m
        };
        let side = if stance_m < 0.0 {
            Side::Left
        } else {
            Side::Right
        };
        // with the side overruled, the shift onto the stance leg came before the swing taken
        // for it: the largest movement that way ending by that swing's start
        let lift_off_s = if stance_m == out.displacement_m {
            lift_off_s
        } else {
            earlier_shift(&ml_y, fs, &out, stance_m, settings.min_transfer_m)
                .map_or(lift_off_s, |t| transfer_stop_s(&ml_y, fs, &t))
        };
        // the lift-off is timed on the translation onto the stance foot, which the sway does
        // not move, from a few seconds before the transfer's stop to just after it
        let lift_off = translation_lift_off_s(
            &ml_y,
            &translation_m,
            fs,
            stance_m,
            (
                (lift_off_s - LIFT_OFF_TRANSLATION_BEFORE_S)
                    .max(motion.calibration.end_s)
                    .max(previous_stop_s),
                (lift_off_s + LIFT_OFF_TRANSLATION_AFTER_S).min(stop_s - 0.5),
            ),
            settings.min_transfer_m,
        );
        // a translation found the other way (the shift before a turn of the pelvis) names the
        // side unless the return after the touch-down does; against a confirming return it
        // leaves the side unknown
        let lift_off_s = lift_off.map_or(lift_off_s, |(t, _)| t);
        let (evidence, named_m) = with_translation(evidence, stance_m, lift_off.map(|(_, m)| m));
        let (stance_m, side, transfer_m) = match named_m {
            Some(m) => (m, side.opposite(), m),
            None => (stance_m, side, out.displacement_m),
        };
        if expected.is_some_and(|e| e != side) {
            dropped += 1;
            continue;
        }
        let hold_s = (stop_s - lift_off_s).clamp(0.0, settings.max_hold_s);
        let mut losses = hold_losses(motion, &ml_y, stance_m, lift_off_s + 0.5, stop_s - 0.3);
        if let Some(td) = touch_down_s {
            if hold_s < settings.max_hold_s - 1.0 {
                losses.push(BalanceLoss {
                    t_s: td,
                    kind: LossKind::TouchDown,
                });
            }
        }
        let (a, b) = (motion.index(lift_off_s + 0.5), motion.index(stop_s - 0.3));
        let sway = (b > a).then(|| {
            let sw = SwaySettings::default();
            let (ap, ml) = prepare(
                &motion.lin_acc_mps2[2][a..b],
                &motion.lin_acc_mps2[1][a..b],
                fs,
                &sw,
            );
            if (b - a) as f64 >= 2.0 * fs {
                sway(&ap, &ml, fs, &sw)
            } else {
                None
            }
        });
        // a declared side stands; otherwise a side only where the evidence is clear
        let known = expected.is_some() || evidence != SideEvidence::Weak;
        previous_stop_s = stop_s;
        attempts.push(StanceAttempt {
            stance_side: known.then_some(side),
            side_evidence: evidence,
            lift_off_transfer_m: transfer_m,
            return_m,
            lift_off_s,
            touch_down_s,
            hold_s,
            reached_max_hold: stop_s - lift_off_s >= settings.max_hold_s,
            interrupted_by_gap: false,
            losses,
            events_from: EventSource::LowerBack,
            sway: sway.flatten(),
        });
    }
    (
        SingleLegStance {
            attempts,
            settings,
            trace: MlTrace::default(),
        },
        dropped,
    )
}

/// The largest minimum-jerk movement the way of `stance_m` (m, + right) of at least
/// `min_transfer_m` that ends by the start of transfer `out` and starts within 3 s before it,
/// fitted about every 0.1 s, each window's longest duration allowed.
fn earlier_shift(
    ml_y: &[f64],
    fs: f64,
    out: &Transfer,
    stance_m: f64,
    min_transfer_m: f64,
) -> Option<Transfer> {
    let step = ((0.1 * fs) as usize).max(1);
    let (a, b) = (
        ((out.start_s - 2.5) * fs).max(0.0) as usize,
        (out.start_s * fs).max(0.0) as usize,
    );
    (a..b.min(ml_y.len()))
        .step_by(step)
        .flat_map(|c| {
            FIT_WINDOWS
                .iter()
                .filter_map(move |w| fit_min_jerk(ml_y, fs, c, w))
        })
        .filter(|t| {
            t.displacement_m * stance_m > 0.0
                && t.displacement_m.abs() >= min_transfer_m
                && t.end_s <= out.start_s + 0.1
                && t.start_s >= out.start_s - 3.0
        })
        .max_by(|p, q| p.displacement_m.abs().total_cmp(&q.displacement_m.abs()))
}

/// How long before the lift-off found on the displacement its translation is looked for, s:
/// with sway as large as the weight shift, the transfer taken may be a swing up to a few
/// seconds after the shift (but no earlier than the quiet calibration or the previous hold).
const LIFT_OFF_TRANSLATION_BEFORE_S: f64 = 4.0;

/// How long after the lift-off found on the displacement its translation is looked for, s.
const LIFT_OFF_TRANSLATION_AFTER_S: f64 = 1.5;

/// Longest translation onto the stance foot looked for, s (as the closer fit window).
const LIFT_OFF_TRANSLATION_LONGEST_S: f64 = 1.4;

/// Greatest gap between the end of one movement of the translation and the start of the
/// next for the two to follow each other directly, s.
const ADJACENT_MOVEMENTS_S: f64 = 0.15;

/// ML translation of the pelvis, m (+ right): the ML displacement `ml_y` less the part a
/// frontal tilt `right_side_up_deg` of a body swaying about the ankle explains
/// (+ [`SWAY_PIVOT_TO_SENSOR_M`] · tilt, see [`translation_share`]). A sway swing leaves it
/// nearly flat, a weight transfer moves it by the transfer.
fn pelvis_translation_m(ml_y: &[f64], right_side_up_deg: &[f64]) -> Vec<f64> {
    ml_y.iter()
        .zip(right_side_up_deg)
        .map(|(y, th)| y + SWAY_PIVOT_TO_SENSOR_M * th.to_radians())
        .collect()
}

/// Lift-off timed on the pelvis's translation `x` ([`pelvis_translation_m`] of the ML
/// displacement `ml_y`): within [`from_s`, `to_s`], the largest rise of it toward the stance
/// side (`stance_m`, m, + right) over at most [`LIFT_OFF_TRANSLATION_LONGEST_S`], its stop
/// found as in [`transfer_stop_s`]. `None` if that rise is under `min_transfer_m` or still
/// going at `to_s` (no complete movement).
///
/// With sway as large as the weight shift the displacement's largest step may be a sway
/// swing, or a shift and a swing together; the translation shows the shift alone. The raised
/// side's hike (or a Trendelenburg drop) right after lift-off turns the pelvis without moving
/// it, which the tilt compensation takes for a movement, away from the stance side for a
/// hike (toward it for a drop, whose end may then be taken, up to its duration late). With a
/// side taken the wrong way that turn is the largest rise; the shift then ends where it
/// begins, the other way: where the largest rise the other way (of at least
/// `min_transfer_m`) ends within [`ADJACENT_MOVEMENTS_S`] of the start of the one found, and
/// is larger or the one found moved the sensor by less than [`MIN_TRANSLATION_SHARE`] of it
/// (a turn, not a translation), that earlier rise is the shift and times the lift-off.
/// Returns the lift-off and the rise that timed it (m, + right): one against `stance_m`
/// shows the side was taken the wrong way.
fn translation_lift_off_s(
    ml_y: &[f64],
    x: &[f64],
    fs: f64,
    stance_m: f64,
    (from_s, to_s): (f64, f64),
    min_transfer_m: f64,
) -> Option<(f64, f64)> {
    let n = x.len().min(ml_y.len());
    let idx = |t: f64| ((t * fs).max(0.0) as usize).min(n);
    let (a, b) = (idx(from_s), idx(to_s));
    if b < a + 3 {
        return None;
    }
    let longest = (LIFT_OFF_TRANSLATION_LONGEST_S * fs) as usize;
    let largest_rise = |sign: f64| {
        let mut best: Option<(f64, usize, usize)> = None; // rise (m), start, end
        for i in a..b {
            for j in i + 1..(i + longest).min(b) {
                let rise = (x[j] - x[i]) * sign;
                if best.is_none_or(|(r, _, _)| rise > r) {
                    best = Some((rise, i, j));
                }
            }
        }
        best.filter(|&(r, _, j)| r >= min_transfer_m && j + 1 < b)
    };
    let mut sign = stance_m.signum();
    let (mut rise, mut i, mut j) = largest_rise(sign)?;
    // the pelvis turns only once the foot is off the floor, after the shift: a rise the
    // other way that ends as this one begins was the shift, and this one the turn, unless
    // this one is the larger and mostly moved the sensor rather than tilted it
    let adjacent = (ADJACENT_MOVEMENTS_S * fs) as usize;
    let moved_share = (ml_y[j] - ml_y[i]) * sign / rise;
    if let Some((r, i_o, j_o)) = largest_rise(-sign) {
        if j_o + adjacent >= i
            && j_o <= i + adjacent
            && (r > rise || moved_share < MIN_TRANSLATION_SHARE)
        {
            (sign, rise, i, j) = (-sign, r, i_o, j_o);
        }
    }
    let t = Transfer {
        start_s: i as f64 / fs,
        end_s: j as f64 / fs,
        displacement_m: rise * sign,
    };
    Some((transfer_stop_s(x, fs, &t), rise * sign))
}

/// Net ML displacement from before a touch-down at `td_s` to after the weight is back on both
/// feet, m (+ right): mean over 1.2–2.2 s after it less the mean over the 0.5 s before it.
/// `None` if the data end before.
fn return_displacement_m(ml_y: &[f64], fs: f64, td_s: f64) -> Option<f64> {
    let mean = |from: f64, to: f64| {
        let (a, b) = ((from * fs).round(), (to * fs).round());
        if !(a >= 0.0 && b > a && b <= ml_y.len() as f64) {
            return None;
        }
        let w = &ml_y[a as usize..b as usize];
        Some(w.iter().sum::<f64>() / w.len() as f64)
    };
    Some(mean(td_s + 1.2, td_s + 2.2)? - mean(td_s - 0.5, td_s)?)
}

/// What an attempt's stance side rests on, from the lift-off weight transfer and the pelvis's
/// return after the touch-down (see [`side_evidence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideEvidence {
    /// The return went back the other way by at least [`RETURN_CONFIRMS`] smallest transfers:
    /// it confirms the lift-off transfer's side.
    ReturnConfirms,
    /// The return went the lift-off transfer's way by at least [`RETURN_OVERRULES`] smallest
    /// transfers: that transfer was a swing of the hold, and the return names the side.
    ReturnOverrules,
    /// No return confirms or contradicts it (none measured, or one smaller than a sway
    /// swing), and the lift-off transfer is at least [`CLEAR_TRANSFER`] smallest transfers.
    ClearTransfer,
    /// No return confirms or overrules it, and the lift-off transfer is a translation of the
    /// pelvis, not a tilt of the body about the ankle (translation share ≥
    /// [`MIN_TRANSLATION_SHARE`]): sway does not move the pelvis that way, a weight transfer
    /// does, so even a small one names the side. Also, without a return that confirms or
    /// overrules it, when the pelvis's translation at lift-off went against the transfer
    /// taken (the shift before the pelvis turned, [`translation_lift_off_s`]): that
    /// translation names the side and is the reported lift-off transfer.
    Translation,
    /// None of the above: the return contradicts the lift-off transfer by less than it takes
    /// to overrule it, the transfer is near its threshold with nothing to confirm it, or a
    /// return confirms it while the pelvis's translation at lift-off went the other way. The
    /// side is not reported.
    Weak,
}

/// The evidence for a stance side of `stance_m` (m, + right) weighed with the pelvis's
/// translation at lift-off `translation_m` ([`translation_lift_off_s`]; m, + right), and the
/// translation when it names the side instead. A translation against the side names the
/// other side, as [`SideEvidence::Translation`], unless a return settles it: one that overrules the
/// transfer stands, one that confirms it is disputed and the side is unknown
/// ([`SideEvidence::Weak`]).
pub fn with_translation(
    evidence: SideEvidence,
    stance_m: f64,
    translation_m: Option<f64>,
) -> (SideEvidence, Option<f64>) {
    let Some(m) = translation_m.filter(|m| m * stance_m < 0.0) else {
        return (evidence, None);
    };
    match evidence {
        SideEvidence::ReturnOverrules => (evidence, None),
        SideEvidence::ReturnConfirms => (SideEvidence::Weak, None),
        _ => (SideEvidence::Translation, Some(m)),
    }
}

/// The evidence for the stance side of a lift-off transfer of `transfer_m` and a return
/// after the touch-down of `return_m` (m, + right; `None` if there is none), with the smallest
/// transfer `min_transfer_m` (m). The side is the transfer's, or the opposite with
/// [`SideEvidence::ReturnOverrules`].
pub fn side_evidence(transfer_m: f64, return_m: Option<f64>, min_transfer_m: f64) -> SideEvidence {
    let unit = min_transfer_m.abs().max(f64::MIN_POSITIVE);
    let size = transfer_m.abs() / unit;
    // return toward the lift-off transfer's way (+) or back against it (−), in smallest transfers
    let along = return_m
        .filter(|r| r.is_finite())
        .map_or(0.0, |r| r * transfer_m.signum() / unit);
    if !size.is_finite() || size == 0.0 {
        SideEvidence::Weak
    } else if along <= -RETURN_CONFIRMS {
        SideEvidence::ReturnConfirms
    } else if along >= RETURN_OVERRULES {
        SideEvidence::ReturnOverrules
    } else if along < RETURN_CONTRADICTS && size >= CLEAR_TRANSFER {
        SideEvidence::ClearTransfer
    } else {
        SideEvidence::Weak
    }
}

/// `evidence` weighed with the lift-off transfer's translation share ([`translation_share`],
/// `None` if not measured): under [`MIN_TRANSLATION_SHARE`] the movement is mostly the body
/// tilting about the ankle, a sway swing that goes either way, so a
/// [`SideEvidence::ClearTransfer`] becomes [`SideEvidence::Weak`]; at or above it the pelvis
/// moved over a foot, so a [`SideEvidence::Weak`] becomes [`SideEvidence::Translation`] —
/// unless the return contradicts the transfer (`contradicted`, [`return_contradicts`]): the
/// two then disagree and the side stays unknown. A return that confirms or overrules the
/// side is kept.
pub fn tilt_checked(
    evidence: SideEvidence,
    translation_share: Option<f64>,
    contradicted: bool,
) -> SideEvidence {
    let Some(share) = translation_share.filter(|s| s.is_finite()) else {
        return evidence;
    };
    match evidence {
        SideEvidence::ClearTransfer if share < MIN_TRANSLATION_SHARE => SideEvidence::Weak,
        SideEvidence::Weak if share >= MIN_TRANSLATION_SHARE && !contradicted => {
            SideEvidence::Translation
        }
        e => e,
    }
}

/// True when the pelvis's movement after the touch-down, `return_m`, goes the lift-off
/// transfer's way (`transfer_m`) by at least [`RETURN_CONTRADICTS`] smallest transfers
/// `min_transfer_m` (all m, + right): the weight going back to both feet would move it the
/// other way.
pub fn return_contradicts(transfer_m: f64, return_m: Option<f64>, min_transfer_m: f64) -> bool {
    let unit = min_transfer_m.abs().max(f64::MIN_POSITIVE);
    return_m.is_some_and(|r| r * transfer_m.signum() / unit >= RETURN_CONTRADICTS)
}

/// Return back against the lift-off transfer, in smallest transfers, that confirms its side:
/// the weight going back to both feet moves the pelvis toward the midline by about the
/// transfer (≥ 1 smallest transfer), while the hold's sway moves it by up to about one
/// smallest transfer over the 2 s compared.
pub const RETURN_CONFIRMS: f64 = 1.0;

/// Return the lift-off transfer's way, in smallest transfers, from which it contradicts the
/// transfer (below [`RETURN_OVERRULES`] it does not overrule it, and the side is unknown).
pub const RETURN_CONTRADICTS: f64 = 1.0;

/// Lift-off transfer, in smallest transfers, clear enough to name the side when no return
/// confirms it: twice the threshold, well beyond a sway swing found as a transfer.
pub const CLEAR_TRANSFER: f64 = 2.0;

/// Return displacement, in smallest transfers, by which the movement after a touch-down
/// overrules the side of the lift-off transfer: the lift-off transfer may be a swing of the
/// hold after a shift too small to be found, while the return is measured from the impact;
/// the hold's sway moves the pelvis by up to about a smallest transfer over the 2 s compared.
pub const RETURN_OVERRULES: f64 = 2.0;

/// Shortest time between the end of a transfer and the start of one back for the two to
/// frame a hold, s.
const MIN_HOLD_GAP_S: f64 = 0.5;

/// Shortest hold still under way when the data end that is reported as an attempt, s: the
/// sway over a second of it (after the lift-off's own 0.3 s) tells one foot from two.
const MIN_OPEN_HOLD_S: f64 = 1.5;

/// Latest a transfer's stop is looked for after its fitted end, s.
const STOP_SEARCH_AFTER_END_S: f64 = 0.5;

/// ML velocity toward the side of a transfer, as a share of the transfer's fastest, that
/// counts as stopped.
const STOPPED_SHARE: f64 = 0.1;

/// ML velocity toward the side of a transfer, as a share of its fastest, under which a
/// velocity minimum is the transfer's end with a sway swing going on the same way.
const SLOWED_SHARE: f64 = 0.35;

/// When the pelvis stops moving toward the side of transfer `t`, s: after the transfer's
/// fastest point, the first sample at which the ML velocity `d ml_y / dt` that way falls to
/// [`STOPPED_SHARE`] of the fastest, or has a minimum under [`SLOWED_SHARE`] of it (a sway
/// swing carries on the same way), within [`STOP_SEARCH_AFTER_END_S`] of the fitted end;
/// the fitted end if neither. The centre of mass has then come over the stance foot and the
/// other foot leaves the floor: the lift-off. A minimum-jerk fit spreads the end over a sway
/// swing that follows; the velocity does not.
fn transfer_stop_s(ml_y: &[f64], fs: f64, t: &Transfer) -> f64 {
    let n = ml_y.len();
    if n < 5 {
        return t.end_s;
    }
    let sign = t.displacement_m.signum();
    let toward = |k: usize| (ml_y[k + 1] - ml_y[k - 1]) * 0.5 * fs * sign;
    let idx = |x: f64| ((x * fs).round().max(2.0) as usize).min(n - 3);
    let (a, b) = (idx(t.start_s), idx(t.end_s + STOP_SEARCH_AFTER_END_S));
    let Some(fastest) = (a..=b).max_by(|&i, &j| toward(i).total_cmp(&toward(j))) else {
        return t.end_s;
    };
    let peak = toward(fastest);
    if peak.is_nan() || peak <= 0.0 {
        return t.end_s;
    }
    (fastest + 1..=b)
        .find(|&k| {
            let v = toward(k);
            v <= STOPPED_SHARE * peak
                || (v < SLOWED_SHARE * peak && v <= toward(k - 1) && v < toward(k + 1))
        })
        .map_or(t.end_s, |k| k as f64 / fs)
}

/// Smallest vertical pelvis acceleration counted as a foot striking the floor, m/s²: the
/// raised leg (16 % of body mass; Winter 2009, Biomechanics and Motor Control of Human
/// Movement, table 4.1) stopped from 0.04 m/s, a lowered foot barely moving, within 20 ms
/// passes 0.16 · 0.04 / 0.02 ≈ 0.3 m/s² to the body.
pub const FOOT_IMPACT_MIN_MPS2: f64 = 0.3;

/// Vertical acceleration a foot impact must exceed in a hold `v_mps2` (level-frame V, m/s²):
/// the hold's own median + 6·MAD (its sway and sensor noise), at least
/// [`FOOT_IMPACT_MIN_MPS2`].
fn foot_impact_threshold(v_mps2: &[f64]) -> f64 {
    median_mad(v_mps2).map_or(FOOT_IMPACT_MIN_MPS2, |(m, s)| {
        (m + 6.0 * s).max(FOOT_IMPACT_MIN_MPS2)
    })
}

/// Least stretch of the hold whose vertical acceleration sets the level a touch-down impact
/// must stand out of, s.
const IMPACT_LEVEL_MIN_S: f64 = 2.0;

/// Shortest flight before a landing that makes a hop, s (a 1-cm hop flies 90 ms).
pub const HOP_MIN_FLIGHT_S: f64 = 0.06;

/// Vertical linear acceleration below which the body is taken to be in flight, m/s²
/// (specific force under 0.4 g: the stance foot unloaded).
pub const FLIGHT_LIN_ACC_MPS2: f64 = -0.6 * 9.80665;

/// True if the vertical linear acceleration stays below [`FLIGHT_LIN_ACC_MPS2`] for at least
/// [`HOP_MIN_FLIGHT_S`] in the 0.5 s before sample `peak`: the landing of a hop.
fn flight_before(v_acc: &[f64], fs: f64, peak: usize) -> bool {
    let lo = peak.saturating_sub((0.5 * fs) as usize);
    let need = ((HOP_MIN_FLIGHT_S * fs).ceil() as usize).max(2);
    let mut run = 0;
    for &v in &v_acc[lo..peak] {
        run = if v < FLIGHT_LIN_ACC_MPS2 { run + 1 } else { 0 };
        if run >= need {
            return true;
        }
    }
    false
}

/// Touch-down from a foot impact inside the hold (lift-off + 0.5 s … `stop_s`): the first
/// vertical impact above max(1.5 m/s², median + 6·MAD of the hold), with no flight in the
/// 0.5 s before it (a hop's landing) or after it (a push-off),
/// after which the pelvis moves back toward the midline by at least 40 % of the outward
/// transfer `out_m` and stays (a minimum-jerk step fitted 0.3, 0.6 or 0.9 s after the
/// impact, starting within −0.4…+0.6 s of it). Returns the
/// impact time and the end of the return movement.
fn impact_touch_down(
    motion: &TrunkMotion,
    lift_off_s: f64,
    stop_s: f64,
    out_m: f64,
) -> Option<(f64, f64)> {
    let fs = motion.fs_hz;
    let v = &motion.lin_acc_mps2[0];
    let (a, b) = (motion.index(lift_off_s + 0.5), motion.index(stop_s - 0.05));
    if b <= a + 2 {
        return None;
    }
    let threshold = foot_impact_threshold(&v[a..b]);
    let y = ml_displacement(motion);
    let gap = (0.3 * fs) as usize;
    let mut last: Option<usize> = None;
    for p in a.max(1)..b.min(v.len() - 1) {
        if !(v[p] > threshold && v[p] >= v[p - 1] && v[p] > v[p + 1]) {
            continue;
        }
        if last.is_some_and(|l| p - l < gap) {
            continue;
        }
        last = Some(p);
        // the landing of a hop, or the push-off into one
        let push_off = flight_before(v, fs, (p + (0.5 * fs) as usize).min(v.len() - 1));
        if push_off || flight_before(v, fs, p) {
            continue;
        }
        let t_imp = p as f64 / fs;
        // the fits below look for a return of at least 40 % of the outward transfer; without
        // a third of it in the 2.5 s after the impact there is none to find
        let back = y[p..(p + (2.5 * fs) as usize).min(y.len())]
            .iter()
            .map(|v| (y[p] - v) * out_m.signum())
            .fold(0.0, f64::max);
        let may_return = back >= 0.3 * out_m.abs();
        for after_s in [0.3, 0.6, 0.9, 1.2].into_iter().filter(|_| may_return) {
            let centre = (p + (after_s * fs) as usize).min(y.len() - 1);
            if let Some(t) = fit_min_jerk(&y, fs, centre, &FIT_WINDOWS[0]) {
                if t.displacement_m.signum() != out_m.signum()
                    && t.displacement_m.abs() >= 0.4 * out_m.abs()
                    && t.start_s > t_imp - 0.4
                    && t.start_s < t_imp + 0.6
                    && !sway_goes_on(motion, lift_off_s, t_imp)
                {
                    return Some((t_imp, t.end_s));
                }
            }
        }
        if let Some(ratio) = sway_ratio_around(motion, t_imp) {
            if ratio < SWAY_DROP_RATIO {
                return Some((t_imp, t_imp + 1.8));
            }
        }
    }
    None
}

/// Sway after / sway before below which an impact ends single support: standing on both feet
/// sways less than on one (single-leg sway is 2–3 times bipedal sway; metrics.md B3).
pub const SWAY_DROP_RATIO: f64 = 0.6;

/// RMS of the frontal and sagittal angular velocity, low-passed at 3 Hz, over [from_s, to_s],
/// deg/s; `None` for less than 1 s of data.
fn sway_rate_rms(motion: &TrunkMotion, from_s: f64, to_s: f64) -> Option<f64> {
    let fs = motion.fs_hz;
    let end_s = motion.len() as f64 / fs;
    let (from_s, to_s) = (from_s.max(0.0), to_s.min(end_s));
    if to_s - from_s < 1.0 {
        return None;
    }
    // filter with 1 s of margin on each side so that the edges do not count
    let (lo, hi) = (motion.index(from_s - 1.0), motion.index(to_s + 1.0));
    let lp = Butterworth::lowpass(2, 3.0, fs);
    let ml = lp.filtfilt(&motion.gyr_dps[1][lo..=hi]);
    let ap = lp.filtfilt(&motion.gyr_dps[2][lo..=hi]);
    let (i, j) = (motion.index(from_s) - lo, motion.index(to_s) - lo);
    let m: f64 = (i..j).map(|k| ml[k] * ml[k] + ap[k] * ap[k]).sum::<f64>();
    Some((m / (j - i).max(1) as f64).sqrt())
}

/// Start of the sway compared after a possible touch-down, s from it.
const SWAY_AFTER_S: f64 = 1.8;

/// Sway after / sway during the hold at or above which a foot impact followed by a move back
/// toward the midline did not end single support: on both feet the sway would have dropped
/// to a half or a third of the one-leg level, and it stays near that level
/// after a toe touch.
pub const TOE_TOUCH_SWAY_RATIO: f64 = 0.9;

/// Standing sway / hold sway at or below which [`sway_goes_on`] judges an impact: one leg
/// sways two to three times as much as two, so a hold that sways less than twice the
/// standing before it does not show a return to both feet clearly.
pub const TOE_TOUCH_STANDING_RATIO: f64 = 0.5;

/// Least hold sway compared by [`sway_goes_on`], s: the sway builds up over the first seconds
/// on one leg, so a shorter stretch would understate the one-leg level.
const TOE_TOUCH_MIN_SWAY_S: f64 = 2.0;

/// Whether the sway 1.8–4.8 s after an impact at `t_s` is at least [`TOE_TOUCH_SWAY_RATIO`]
/// of the sway during the hold before it (from lift-off + 0.5 s, at most 3.5 s, to 0.5 s
/// before the impact; at least [`TOE_TOUCH_MIN_SWAY_S`] of it and 1 s after): the hold goes on.
/// Only where the hold swayed clearly more than the standing before the lift-off (4.5–1.5 s
/// before it; standing at most [`TOE_TOUCH_STANDING_RATIO`] of the hold), so that a return to
/// both feet would show; otherwise the impact is not judged by the sway.
fn sway_goes_on(motion: &TrunkMotion, lift_off_s: f64, t_s: f64) -> bool {
    let from_s = (t_s - 3.5).max(lift_off_s + 0.5);
    if t_s - 0.5 - from_s < TOE_TOUCH_MIN_SWAY_S {
        return false;
    }
    let standing = sway_rate_rms(motion, (lift_off_s - 4.5).max(0.0), lift_off_s - 1.5);
    let hold = sway_rate_rms(motion, from_s, t_s - 0.5);
    let after = sway_rate_rms(motion, t_s + SWAY_AFTER_S, t_s + SWAY_AFTER_S + 3.0);
    match (standing, hold, after) {
        (Some(s), Some(h), Some(a)) => {
            h > 0.0 && s <= TOE_TOUCH_STANDING_RATIO * h && a >= TOE_TOUCH_SWAY_RATIO * h
        }
        _ => false,
    }
}

/// Length of the sway compared after a possible touch-down, s (less where the data end):
/// about two periods of the slowest sway (0.3–0.5 Hz), so that one calm swing of a hold that
/// goes on does not pass for standing.
const SWAY_AFTER_LEN_S: f64 = 6.0;

/// Sway over 1.8–7.8 s after `t_s` (to the end of the data, at least 1 s) divided by sway
/// over 3.5–0.5 s before it: each level over at least one period of the slowest sway
/// (0.3–0.5 Hz), so that the phase of a single swing does not decide it.
fn sway_ratio_around(motion: &TrunkMotion, t_s: f64) -> Option<f64> {
    let before = sway_rate_rms(motion, t_s - 3.5, t_s - 0.5)?;
    let after = sway_rate_rms(
        motion,
        t_s + SWAY_AFTER_S,
        t_s + SWAY_AFTER_S + SWAY_AFTER_LEN_S,
    )?;
    (before > 0.0).then(|| after / before)
}

/// Foot impact before a return transfer: the largest vertical acceleration peak in
/// [return start − 0.3 s, return start + 0.1 s] if it exceeds max(1.5 m/s², median + 6·MAD of
/// the hold) and has no flight within 0.5 s before or after it (a hop).
fn touch_down_impact(v_acc: &[f64], fs: f64, lift_off_s: f64, return_start_s: f64) -> Option<f64> {
    let idx = |t: f64| ((t * fs).round().max(0.0) as usize).min(v_acc.len() - 1);
    // the hold's level, over at least its first [`IMPACT_LEVEL_MIN_S`] (a short hold's level
    // taken with the return: one impact moves a median and a MAD little)
    let h0 = idx(lift_off_s + 0.5);
    let h1 = idx(return_start_s - 0.5).max(idx(lift_off_s + 0.5 + IMPACT_LEVEL_MIN_S));
    let threshold = if h1 > h0 + 10 {
        foot_impact_threshold(&v_acc[h0..h1])
    } else {
        FOOT_IMPACT_MIN_MPS2
    };
    let (a, b) = (idx(return_start_s - 0.3), idx(return_start_s + 0.1));
    let peak = (a..=b).max_by(|&i, &j| v_acc[i].total_cmp(&v_acc[j]))?;
    // the raised foot lands while the stance foot is on the floor: an impact with a flight
    // before it is the landing of a hop, one with a flight after it the push-off into one
    let hop = flight_before(v_acc, fs, peak)
        || flight_before(v_acc, fs, (peak + (0.5 * fs) as usize).min(v_acc.len() - 1));
    (v_acc[peak] > threshold && !hop).then(|| peak as f64 / fs)
}

/// Share of the outward weight transfer by which the pelvis moves back toward the midline
/// within 0.6 s of a toe touch: the other foot takes some weight, so the centre of mass moves
/// toward the middle of the two feet.
pub const TOE_TOUCH_MIN_RETURN: f64 = 0.1;

/// Hops, toe touches and corrective excursions in [from_s, to_s] of a hold whose outward
/// transfer was `out_m` (m, + right); `ml_y` is the ML displacement ([`ml_displacement`]).
fn hold_losses(
    motion: &TrunkMotion,
    ml_y: &[f64],
    out_m: f64,
    from_s: f64,
    to_s: f64,
) -> Vec<BalanceLoss> {
    let fs = motion.fs_hz;
    let (a, b) = (motion.index(from_s), motion.index(to_s));
    if b <= a + (fs as usize) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let v = &motion.lin_acc_mps2[0][a..b];
    let threshold = foot_impact_threshold(v);
    let mut last: Option<usize> = None;
    let full = &motion.lin_acc_mps2[0];
    let half_s = (0.5 * fs) as usize;
    for i in 1..v.len() - 1 {
        if !(v[i] > threshold && v[i] >= v[i - 1] && v[i] > v[i + 1])
            || last.is_some_and(|l| i - l <= half_s)
        {
            continue;
        }
        // free fall before the impact: the landing of a hop; free fall after it: the push-off
        // into one (its landing follows)
        let kind = if flight_before(full, fs, a + i) {
            LossKind::Hop
        } else if flight_before(full, fs, (a + i + half_s).min(full.len() - 1)) {
            continue;
        } else {
            // the pelvis moves toward the midline after the contact
            let k = a + i;
            let base = ml_y[k.saturating_sub((0.1 * fs) as usize)];
            let back = ml_y[k..(k + (0.6 * fs) as usize).min(ml_y.len())]
                .iter()
                .map(|y| -(y - base) * out_m.signum())
                .fold(0.0, f64::max);
            if back < TOE_TOUCH_MIN_RETURN * out_m.abs() {
                continue;
            }
            LossKind::ToeTouch
        };
        last = Some(i);
        out.push(BalanceLoss {
            t_s: (a + i) as f64 / fs,
            kind,
        });
    }
    let lp = Butterworth::lowpass(4, 10.0, fs);
    let (ml, ap) = (
        lp.filtfilt(&motion.lin_acc_mps2[1][a..b]),
        lp.filtfilt(&motion.lin_acc_mps2[2][a..b]),
    );
    let horiz: Vec<f64> = ml.iter().zip(&ap).map(|(x, y)| x.hypot(*y)).collect();
    let env = moving_rms(&horiz, (0.25 * fs) as usize);
    let (em, es) = median_mad(&env).unwrap_or((0.0, 0.0));
    let threshold = (em + 5.0 * es).max(0.15);
    let min_len = (0.2 * fs) as usize;
    let mut i = 0;
    while i < env.len() {
        if env[i] > threshold {
            let start = i;
            while i < env.len() && env[i] > threshold {
                i += 1;
            }
            if i - start >= min_len {
                let peak = (start..i)
                    .max_by(|&p, &q| env[p].total_cmp(&env[q]))
                    .unwrap_or(start);
                let t_s = (a + peak) as f64 / fs;
                // one loss per event: skip bursts near a hop or right after another burst
                let near = out.iter().any(|l| {
                    (matches!(l.kind, LossKind::Hop | LossKind::ToeTouch)
                        && (l.t_s - t_s).abs() < 0.6)
                        || (l.kind == LossKind::CorrectiveExcursion && (t_s - l.t_s).abs() < 1.0)
                });
                if !near {
                    out.push(BalanceLoss {
                        t_s,
                        kind: LossKind::CorrectiveExcursion,
                    });
                }
            }
        } else {
            i += 1;
        }
    }
    out.sort_by(|x, y| x.t_s.total_cmp(&y.t_s));
    out
}

/// Balance losses of one side counted by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LossCounts {
    pub touch_down: usize,
    pub hop: usize,
    pub toe_touch: usize,
    pub corrective_excursion: usize,
}

/// One balance loss with the attempt it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossEvent {
    /// Recording (session folder name) of the attempt.
    pub recording: String,
    /// Attempt number within that recording, from 1.
    pub attempt: usize,
    /// Seconds from the recording's first sample.
    pub t_s: f64,
    pub kind: LossKind,
}

/// An attempt with the recording it comes from, for [`summarise`].
#[derive(Debug, Clone, Copy)]
pub struct AttemptOf<'a> {
    pub recording: &'a str,
    /// Number within the recording, from 1.
    pub number: usize,
    pub attempt: &'a StanceAttempt,
}

impl<'a> AttemptOf<'a> {
    /// Every attempt of `sls`, numbered from 1, as recorded in `recording`.
    pub fn all(
        recording: &'a str,
        sls: &'a SingleLegStance,
    ) -> impl Iterator<Item = AttemptOf<'a>> {
        sls.attempts
            .iter()
            .enumerate()
            .map(move |(i, a)| AttemptOf {
                recording,
                number: i + 1,
                attempt: a,
            })
    }
}

/// Summary of the attempts on one side: what a therapist decides from, per leg.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceSummary {
    pub attempts: usize,
    pub best_hold_s: f64,
    pub mean_hold_s: f64,
    /// Protocol maximum the holds are capped at, s.
    pub max_hold_s: f64,
    /// True when at least one attempt held for the whole protocol maximum.
    pub reached_max_hold: bool,
    pub attempts_at_max_hold: usize,
    pub losses: usize,
    /// Losses per 10 s of holding.
    pub losses_per_10s: f64,
    pub loss_counts: LossCounts,
    /// Every loss in time order within each recording.
    pub loss_events: Vec<LossEvent>,
    /// Mean over attempts of the hold's ML sway RMS, m/s².
    pub sway_rms_ml_mps2: Option<f64>,
    /// Mean over attempts of the hold's AP sway RMS, m/s².
    pub sway_rms_ap_mps2: Option<f64>,
    /// Mean over attempts of the hold's resultant sway RMS, m/s².
    pub sway_rms_mps2: Option<f64>,
    /// Mean over attempts of the 95 % ellipse area, (m/s²)².
    pub ellipse_area_m2ps4: Option<f64>,
    /// Sensors that timed lift-off and touch-down of these attempts (lower back, or the
    /// raised leg's own sensor), each named once.
    pub events_from: Vec<EventSource>,
}

/// Best and mean over the attempts on `side`, with their losses and sway; `None` if there
/// are none. `max_hold_s` is the protocol maximum.
pub fn summarise(attempts: &[AttemptOf], side: Side, max_hold_s: f64) -> Option<StanceSummary> {
    let on: Vec<&AttemptOf> = attempts
        .iter()
        .filter(|a| a.attempt.stance_side == Some(side))
        .collect();
    if on.is_empty() {
        return None;
    }
    let holds: Vec<f64> = on.iter().map(|a| a.attempt.hold_s).collect();
    let mut loss_events = Vec::new();
    let mut loss_counts = LossCounts::default();
    for a in &on {
        let mut of_attempt: Vec<&BalanceLoss> = a.attempt.losses.iter().collect();
        of_attempt.sort_by(|x, y| x.t_s.total_cmp(&y.t_s));
        for l in of_attempt {
            match l.kind {
                LossKind::TouchDown => loss_counts.touch_down += 1,
                LossKind::Hop => loss_counts.hop += 1,
                LossKind::ToeTouch => loss_counts.toe_touch += 1,
                LossKind::CorrectiveExcursion => loss_counts.corrective_excursion += 1,
            }
            loss_events.push(LossEvent {
                recording: a.recording.to_string(),
                attempt: a.number,
                t_s: l.t_s,
                kind: l.kind,
            });
        }
    }
    let losses = loss_events.len();
    let total: f64 = holds.iter().sum();
    let mean_of = |f: &dyn Fn(&Sway) -> f64| {
        let v: Vec<f64> = on
            .iter()
            .filter_map(|a| a.attempt.sway.as_ref().map(f))
            .collect();
        crate::signal::stats::mean(&v)
    };
    let mut events_from: Vec<EventSource> = on.iter().map(|a| a.attempt.events_from).collect();
    events_from.sort_unstable();
    events_from.dedup();
    let attempts_at_max_hold = on.iter().filter(|a| a.attempt.reached_max_hold).count();
    Some(StanceSummary {
        attempts: on.len(),
        best_hold_s: holds.iter().cloned().fold(0.0, f64::max),
        mean_hold_s: total / on.len() as f64,
        max_hold_s,
        reached_max_hold: attempts_at_max_hold > 0,
        attempts_at_max_hold,
        losses,
        losses_per_10s: if total > 0.0 {
            10.0 * losses as f64 / total
        } else {
            0.0
        },
        loss_counts,
        loss_events,
        sway_rms_ml_mps2: mean_of(&|s| s.rms_ml_mps2),
        sway_rms_ap_mps2: mean_of(&|s| s.rms_ap_mps2),
        sway_rms_mps2: mean_of(&|s| s.rms_mps2),
        ellipse_area_m2ps4: mean_of(&|s| s.ellipse_area_m2ps4),
        events_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_jerk_fit_recovers_start_end_and_size() {
        // pure minimum-jerk step of −9 cm from 2.0 to 2.7 s on a slow drift, 100 Hz
        let fs = 100.0;
        let y: Vec<f64> = (0..600)
            .map(|i| {
                let t = i as f64 / fs;
                0.01 + 0.002 * t - 0.09 * min_jerk((t - 2.0) / 0.7)
            })
            .collect();
        let tr = fit_min_jerk(&y, fs, 235, &FIT_WINDOWS[0]).unwrap();
        assert!((tr.start_s - 2.0).abs() < 0.011, "start {}", tr.start_s);
        assert!((tr.end_s - 2.7).abs() < 0.021, "end {}", tr.end_s);
        assert!((tr.displacement_m + 0.09).abs() < 1e-3);
    }

    #[test]
    fn lift_off_is_where_the_pelvis_stops_over_the_stance_foot() {
        // +6 cm minimum-jerk shift from 2.0 to 2.8 s, 100 Hz; a sway swing the same way
        // starting at the shift's end (2 cm, 0.4 Hz) or none
        let fs = 100.0;
        for sway_m in [0.0, 0.02] {
            let y: Vec<f64> = (0..600)
                .map(|i| {
                    let t = i as f64 / fs;
                    let swing = if t > 2.8 {
                        sway_m * (std::f64::consts::TAU * 0.4 * (t - 2.8)).sin()
                    } else {
                        0.0
                    };
                    0.06 * min_jerk((t - 2.0) / 0.8) + swing
                })
                .collect();
            // a fit spread over the swing ends late; the stop does not
            let t = Transfer {
                start_s: 2.0,
                end_s: 3.1,
                displacement_m: 0.07,
            };
            let stop = transfer_stop_s(&y, fs, &t);
            assert!((stop - 2.8).abs() <= 0.1, "sway {sway_m}: stop {stop}");
            // a shift that keeps going stops at the fitted end
            let ramp: Vec<f64> = (0..600).map(|i| 0.01 * i as f64 / fs).collect();
            assert_eq!(transfer_stop_s(&ramp, fs, &t), 3.1);
        }
    }

    /// Body-frame samples of a still sensor mounted pitched by `pitch_deg` (about ML) and
    /// rolled by `roll_deg` (about AP) whose pelvis moves by `ml_m` (+ right) and `ap_m` along
    /// a minimum-jerk profile over 0.8 s from 5 s and back from 12 s; 18 s at 100 Hz.
    fn tilted_transfer(
        pitch_deg: f64,
        roll_deg: f64,
        ml_m: f64,
        ap_m: f64,
    ) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
        use nalgebra::{UnitQuaternion, Vector3};
        let fs = 100.0;
        let mount = UnitQuaternion::from_axis_angle(&Vector3::y_axis(), pitch_deg.to_radians())
            * UnitQuaternion::from_axis_angle(&Vector3::z_axis(), roll_deg.to_radians());
        // second derivative of the minimum-jerk fraction, 1/s²
        let acc = |t: f64, t0: f64, dur: f64| {
            let x = (t - t0) / dur;
            if (0.0..=1.0).contains(&x) {
                (60.0 * x - 180.0 * x * x + 120.0 * x * x * x) / (dur * dur)
            } else {
                0.0
            }
        };
        let mut a: [Vec<f64>; 3] = Default::default();
        let gyr: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; 1800]);
        for i in 0..1800 {
            let t = i as f64 / fs;
            let s = acc(t, 5.0, 0.8) - acc(t, 12.0, 0.8);
            let level = Vector3::new(9.80665, ml_m * s, ap_m * s);
            let f = mount.inverse() * level;
            for k in 0..3 {
                a[k].push(f[k]);
            }
        }
        (a, gyr)
    }

    #[test]
    fn transfer_side_and_size_hold_for_a_sensor_pitched_and_rolled_by_30_deg() {
        // standing on the left leg moves the pelvis left (−ML); a forward drift of 4 cm at the
        // same time must not leak into the ML step
        for (pitch, roll, ml, side) in [
            (30.0, 30.0, -0.06, Side::Left),
            (30.0, -30.0, -0.06, Side::Left),
            (-30.0, 30.0, 0.05, Side::Right),
            (0.0, 0.0, 0.05, Side::Right),
        ] {
            let (acc, gyr) = tilted_transfer(pitch, roll, ml, 0.04);
            let m = TrunkMotion::from_body_frame(&acc, &gyr, 100.0).unwrap();
            let tr = weight_transfers(&m, StanceSettings::default().min_transfer_m);
            assert_eq!(tr.len(), 2, "{pitch}/{roll}: {tr:?}");
            assert!(
                (tr[0].displacement_m - ml).abs() < 0.003
                    && (tr[1].displacement_m + ml).abs() < 0.003,
                "{pitch}/{roll}: {tr:?}"
            );
            assert!((tr[0].end_s - 5.8).abs() < 0.05, "{pitch}/{roll}: {tr:?}");
            let (sls, _) = single_leg_stance(&m, None, StanceSettings::default());
            assert_eq!(sls.attempts.len(), 1, "{pitch}/{roll}: {:?}", sls.attempts);
            assert_eq!(sls.attempts[0].stance_side, Some(side), "{pitch}/{roll}");
        }
    }

    #[test]
    fn a_translation_against_the_side_flips_it_or_leaves_it_unknown() {
        use SideEvidence::*;
        for stance_m in [-0.05, 0.05] {
            let against = Some(-0.5 * stance_m);
            let along = Some(0.5 * stance_m);
            for e in [
                ReturnConfirms,
                ReturnOverrules,
                ClearTransfer,
                Translation,
                Weak,
            ] {
                // a translation the side's way, or none, changes nothing
                assert_eq!(with_translation(e, stance_m, along), (e, None));
                assert_eq!(with_translation(e, stance_m, None), (e, None));
            }
            assert_eq!(
                with_translation(ReturnConfirms, stance_m, against),
                (Weak, None)
            );
            assert_eq!(
                with_translation(ReturnOverrules, stance_m, against),
                (ReturnOverrules, None)
            );
            for e in [ClearTransfer, Translation, Weak] {
                assert_eq!(
                    with_translation(e, stance_m, against),
                    (Translation, against)
                );
            }
        }
    }

    #[test]
    fn a_touch_down_impact_stands_out_of_the_hold_s_level_even_in_a_short_hold() {
        // vertical sway of 0.35 m/s² at 1.5 Hz; lift-off at 5 s, a return from 5.8 s
        let fs = 100.0;
        let sway: Vec<f64> = (0..1200)
            .map(|i| 0.35 * (std::f64::consts::TAU * 1.5 * i as f64 / fs).sin())
            .collect();
        // the sway's own peaks, above the 0.3 m/s² floor, are no impact
        assert_eq!(touch_down_impact(&sway, fs, 5.0, 5.8), None);
        // a 3 m/s² peak at 5.7 s is
        let mut hit = sway.clone();
        hit[570] += 3.0;
        assert_eq!(touch_down_impact(&hit, fs, 5.0, 5.8), Some(5.7));
    }

    /// 20 s at 100 Hz of ML and AP sway rates of 4 deg/s (0.45 and 0.3 Hz), scaled by
    /// `standing` before 3 s and by `after` from `t_s` on.
    fn sway_motion(standing: f64, t_s: f64, after: f64) -> TrunkMotion {
        let fs = 100.0;
        let n = 2000;
        let rate = |f: f64| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    let t = i as f64 / fs;
                    let k = if t >= t_s {
                        after
                    } else if t < 3.0 {
                        standing
                    } else {
                        1.0
                    };
                    k * 4.0 * (std::f64::consts::TAU * f * t).sin()
                })
                .collect()
        };
        TrunkMotion {
            fs_hz: fs,
            lin_acc_mps2: std::array::from_fn(|_| vec![0.0; n]),
            gyr_dps: [vec![0.0; n], rate(0.45), rate(0.3)],
            right_side_up_deg: vec![0.0; n],
            forward_lean_deg: vec![0.0; n],
            yaw_deg: vec![0.0; n],
            calibration: crate::signal::ahrs::Calibration {
                start_s: 0.0,
                end_s: 1.0,
                gyro_bias_dps: [0.0; 3],
                tilt_deg: 0.0,
                gravity_mps2: 9.81,
                quiet_found: true,
            },
        }
    }

    #[test]
    fn a_toe_touch_is_an_impact_after_which_the_sway_goes_on() {
        // standing at 0.4 of the hold's sway until 3 s, lift-off at 4 s, impact at 12 s: the
        // one-leg sway carries on, or drops to 0.35 of it (both feet down)
        assert!(sway_goes_on(&sway_motion(0.4, 12.0, 1.0), 4.0, 12.0));
        assert!(sway_goes_on(&sway_motion(0.4, 12.0, 0.95), 4.0, 12.0));
        assert!(!sway_goes_on(&sway_motion(0.4, 12.0, 0.35), 4.0, 12.0));
        assert!(!sway_goes_on(&sway_motion(0.4, 12.0, 0.7), 4.0, 12.0));
        // a hold that swayed no more than the standing before it shows no return to both feet
        assert!(!sway_goes_on(&sway_motion(0.6, 12.0, 1.0), 4.0, 12.0));
        // under 2 s of hold before the impact, or under 1 s of data after it: no verdict
        assert!(!sway_goes_on(&sway_motion(0.4, 12.0, 1.0), 10.0, 12.0));
        assert!(!sway_goes_on(&sway_motion(0.4, 18.5, 1.0), 4.0, 18.5));
    }

    #[test]
    fn translation_share_tells_a_weight_transfer_from_a_sway_swing() {
        // +6 cm minimum-jerk movement from 2.0 to 2.8 s, 100 Hz, with the frontal tilt a body
        // swaying about the ankle would need for all of it, half of it, or none of it; the
        // pelvis of the raised side hikes by 3° over 0.3 s after the movement, right side down
        let fs = 100.0;
        let t = Transfer {
            start_s: 2.0,
            end_s: 2.8,
            displacement_m: 0.06,
        };
        let y: Vec<f64> = (0..600)
            .map(|i| 0.06 * min_jerk((i as f64 / fs - 2.0) / 0.8))
            .collect();
        let hike = |i: usize| -3.0 * min_jerk((i as f64 / fs - 2.8) / 0.3);
        for (tilted, share) in [(1.0, 0.0), (0.5, 0.5), (0.0, 1.0)] {
            let tilt: Vec<f64> = (0..600)
                .map(|i| -(tilted * y[i] / SWAY_PIVOT_TO_SENSOR_M).to_degrees() + hike(i))
                .collect();
            let s = translation_share(&y, &tilt, fs, &t).unwrap();
            assert!((s - share).abs() < 0.02, "tilted {tilted}: share {s}");
        }
        // no movement, or a transfer outside the data: not measured
        assert!(translation_share(&vec![0.0; 600], &vec![0.0; 600], fs, &t).is_none());
        let late = Transfer {
            start_s: 7.0,
            end_s: 8.0,
            displacement_m: 0.06,
        };
        assert!(translation_share(&y, &y, fs, &late).is_none());
    }

    #[test]
    fn a_tilt_names_no_side_and_a_translation_does() {
        // a clear transfer that is mostly the body tilting about the ankle: a sway swing
        assert_eq!(
            tilt_checked(SideEvidence::ClearTransfer, Some(0.2), false),
            SideEvidence::Weak
        );
        assert_eq!(
            tilt_checked(SideEvidence::ClearTransfer, Some(0.9), false),
            SideEvidence::ClearTransfer
        );
        // a small transfer with nothing to confirm it, the pelvis moving over the foot
        assert_eq!(
            tilt_checked(SideEvidence::Weak, Some(0.9), false),
            SideEvidence::Translation
        );
        assert_eq!(
            tilt_checked(SideEvidence::Weak, Some(0.3), false),
            SideEvidence::Weak
        );
        // … unless the return contradicts it: the evidence disagrees
        assert_eq!(
            tilt_checked(SideEvidence::Weak, Some(0.9), true),
            SideEvidence::Weak
        );
        // a return that confirms or overrules the side stands; no share, no change
        for e in [SideEvidence::ReturnConfirms, SideEvidence::ReturnOverrules] {
            assert_eq!(tilt_checked(e, Some(0.1), false), e);
            assert_eq!(tilt_checked(e, Some(1.0), false), e);
        }
        assert_eq!(
            tilt_checked(SideEvidence::Weak, None, false),
            SideEvidence::Weak
        );
        assert_eq!(
            tilt_checked(SideEvidence::Weak, Some(f64::NAN), false),
            SideEvidence::Weak
        );
    }

    #[test]
    fn a_return_the_transfer_s_way_contradicts_it() {
        let m = 0.02;
        // 4 cm left, then 3 cm further left after the touch-down (1.5 smallest transfers)
        assert!(return_contradicts(-0.04, Some(-0.03), m));
        // back right, within a swing, none, or nonsense: no contradiction
        assert!(!return_contradicts(-0.04, Some(0.03), m));
        assert!(!return_contradicts(-0.04, Some(-0.01), m));
        assert!(!return_contradicts(-0.04, None, m));
        assert!(!return_contradicts(-0.04, Some(f64::NAN), m));
        assert!(!return_contradicts(f64::NAN, Some(0.05), 0.0));
    }

    #[test]
    fn side_evidence_is_weak_where_transfer_and_return_disagree_below_the_overrule_margin() {
        let m = 0.02;
        // a 6-cm shift left, the pelvis back right by 5 cm after the touch-down: confirmed
        assert_eq!(
            side_evidence(-0.06, Some(0.05), m),
            SideEvidence::ReturnConfirms
        );
        // the return goes on left by 3 cm (1.5 smallest transfers): contradicts, cannot overrule
        assert_eq!(side_evidence(-0.06, Some(-0.03), m), SideEvidence::Weak);
        // … by 5 cm (2.5 smallest transfers): overrules
        assert_eq!(
            side_evidence(-0.06, Some(-0.05), m),
            SideEvidence::ReturnOverrules
        );
        // no return: a clear transfer stands, one barely above its threshold does not
        assert_eq!(side_evidence(0.05, None, m), SideEvidence::ClearTransfer);
        assert_eq!(side_evidence(0.025, None, m), SideEvidence::Weak);
        // a return within a sway swing neither confirms nor contradicts
        assert_eq!(
            side_evidence(0.05, Some(-0.01), m),
            SideEvidence::ClearTransfer
        );
        assert_eq!(side_evidence(0.025, Some(-0.01), m), SideEvidence::Weak);
        // no panic and no side on nonsense
        assert_eq!(side_evidence(f64::NAN, Some(0.05), m), SideEvidence::Weak);
        assert_eq!(
            side_evidence(0.05, Some(f64::NAN), 0.0),
            SideEvidence::ClearTransfer
        );
    }

    #[test]
    fn summary_takes_best_and_mean_per_side_with_losses_in_time_order() {
        let mk = |side: Option<Side>, hold_s, losses: Vec<(f64, LossKind)>, from| StanceAttempt {
            stance_side: side,
            side_evidence: if side.is_some() {
                SideEvidence::ReturnConfirms
            } else {
                SideEvidence::Weak
            },
            lift_off_transfer_m: -0.05,
            return_m: Some(0.05),
            lift_off_s: 0.0,
            touch_down_s: Some(hold_s),
            hold_s,
            reached_max_hold: hold_s >= 30.0,
            interrupted_by_gap: false,
            losses: losses
                .into_iter()
                .map(|(t_s, kind)| BalanceLoss { t_s, kind })
                .collect(),
            events_from: from,
            sway: None,
        };
        let a = [
            mk(
                Some(Side::Left),
                10.0,
                vec![(10.0, LossKind::TouchDown), (4.0, LossKind::Hop)],
                EventSource::LowerBack,
            ),
            mk(
                Some(Side::Left),
                20.0,
                vec![(20.0, LossKind::TouchDown)],
                EventSource::LegSensor,
            ),
            mk(Some(Side::Right), 30.0, vec![], EventSource::LowerBack),
            // side unknown: in neither leg's summary
            mk(
                None,
                25.0,
                vec![(25.0, LossKind::TouchDown)],
                EventSource::LowerBack,
            ),
        ];
        let sls = SingleLegStance {
            attempts: a.to_vec(),
            settings: StanceSettings::default(),
            trace: MlTrace::default(),
        };
        let refs: Vec<AttemptOf> = AttemptOf::all("rec", &sls).collect();
        let l = summarise(&refs, Side::Left, 30.0).unwrap();
        assert_eq!(
            (l.attempts, l.best_hold_s, l.mean_hold_s, l.losses),
            (2, 20.0, 15.0, 3)
        );
        assert!((l.losses_per_10s - 1.0).abs() < 1e-12);
        assert_eq!(
            l.loss_counts,
            LossCounts {
                touch_down: 2,
                hop: 1,
                toe_touch: 0,
                corrective_excursion: 0
            }
        );
        let order: Vec<(usize, f64, LossKind)> = l
            .loss_events
            .iter()
            .map(|e| (e.attempt, e.t_s, e.kind))
            .collect();
        assert_eq!(
            order,
            [
                (1, 4.0, LossKind::Hop),
                (1, 10.0, LossKind::TouchDown),
                (2, 20.0, LossKind::TouchDown)
            ]
        );
        assert_eq!(
            l.events_from,
            [EventSource::LowerBack, EventSource::LegSensor]
        );
        assert!(!l.reached_max_hold && l.attempts_at_max_hold == 0);
        let r = summarise(&refs, Side::Right, 30.0).unwrap();
        assert_eq!(
            (r.best_hold_s, r.reached_max_hold, r.attempts_at_max_hold),
            (30.0, true, 1)
        );
        assert!(summarise(&refs[..0], Side::Left, 30.0).is_none());
    }

    #[test]
    fn ml_trace_removes_the_quiet_offset_and_keeps_about_50_hz() {
        // 100 Hz: 0.3 m/s² offset during the first 2 s of quiet, then a 0.5 m/s² step at 4 s
        let fs = 100.0;
        let x: Vec<f64> = (0..1000)
            .map(|i| 0.3 + if i >= 400 { 0.5 } else { 0.0 })
            .collect();
        let t = MlTrace::from_body_frame(&x, fs, (0.0, 2.0));
        assert_eq!((t.fs_hz, t.len()), (50.0, 500));
        assert!(t.ml_mps2[50].abs() < 1e-9, "{}", t.ml_mps2[50]);
        assert!((t.ml_mps2[400] - 0.5).abs() < 1e-6, "{}", t.ml_mps2[400]);
        assert!((t.time_s(100) - 2.0).abs() < 1e-12);
        assert!(MlTrace::from_body_frame(&[], fs, (0.0, 2.0)).is_empty());
    }
}
