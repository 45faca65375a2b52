//! Lift-off and touch-down of the raised leg from a sensor on that leg (shank or foot), which
//! times them more sharply than the lower-back weight transfer (metrics.md B3, step 2 and 4).
//!
//! The segment's inclination (angle between its long axis and the vertical, from the same
//! orientation filter as the trunk) leaves its standing baseline by more than 15° for at least
//! 0.3 s while the foot is off the floor. Lift-off = the last instant before that excursion at
//! which the segment still rotated slower than max(10 deg/s, baseline + 5·SD); touch-down = the
//! first such instant after it. Events are searched within ±1 s of the lower-back estimate.

use serde::{Deserialize, Serialize};

use super::single_leg_stance::SingleLegStance;
use crate::gait::Side;
use crate::signal::ahrs::{estimate_orientation, MahonyGains};

/// Inclination and rotation speed of one leg segment.
#[derive(Debug, Clone)]
pub struct LegTrack {
    pub fs_hz: f64,
    /// Time of sample 0 on the session timeline, s.
    pub t0_s: f64,
    /// Change of inclination from the calibration posture, deg.
    pub inclination_deg: Vec<f64>,
    /// Angular-velocity magnitude, bias removed, deg/s.
    pub gyr_norm_dps: Vec<f64>,
    /// Rotation-speed threshold of "still": max(10 deg/s, calibration mean + 5·SD).
    pub still_dps: f64,
}

impl LegTrack {
    /// From body-frame (V, ML, AP) samples of a shank or foot sensor. `None` if empty.
    pub fn from_body_frame(
        acc_mps2: &[Vec<f64>; 3],
        gyr_dps: &[Vec<f64>; 3],
        fs_hz: f64,
        t0_s: f64,
    ) -> Option<LegTrack> {
        let o = estimate_orientation(acc_mps2, gyr_dps, fs_hz, MahonyGains::default())?;
        let up = nalgebra::Vector3::x();
        let incl: Vec<f64> =
            o.q.iter()
                .map(|q| (q * up).dot(&up).clamp(-1.0, 1.0).acos().to_degrees())
                .collect();
        let b = o.calibration.gyro_bias_dps;
        let norm: Vec<f64> = (0..incl.len())
            .map(|i| {
                ((gyr_dps[0][i] - b[0]).powi(2)
                    + (gyr_dps[1][i] - b[1]).powi(2)
                    + (gyr_dps[2][i] - b[2]).powi(2))
                .sqrt()
            })
            .collect();
        let (a, z) = (
            ((o.calibration.start_s * fs_hz) as usize).min(incl.len()),
            ((o.calibration.end_s * fs_hz) as usize).min(incl.len()),
        );
        let base = crate::signal::stats::median(&incl[a..z]).unwrap_or(incl[0]);
        let calm = &norm[a..z];
        let still_dps = match (
            crate::signal::stats::mean(calm),
            crate::signal::stats::std_dev(calm),
        ) {
            (Some(m), Some(s)) => (m + 5.0 * s).max(10.0),
            _ => 10.0,
        };
        Some(LegTrack {
            fs_hz,
            t0_s,
            inclination_deg: incl.iter().map(|v| v - base).collect(),
            gyr_norm_dps: norm,
            still_dps,
        })
    }

    fn index(&self, t_s: f64) -> usize {
        (((t_s - self.t0_s) * self.fs_hz).round().max(0.0) as usize)
            .min(self.inclination_deg.len().saturating_sub(1))
    }

    fn time(&self, i: usize) -> f64 {
        self.t0_s + i as f64 / self.fs_hz
    }

    /// Lift-off near `around_s` (see module docs).
    pub fn lift_off_near(&self, around_s: f64) -> Option<f64> {
        let (a, b) = (self.index(around_s - 1.0), self.index(around_s + 1.0));
        let min_len = (0.3 * self.fs_hz) as usize;
        // first sample of an excursion > 15° lasting ≥ 0.3 s
        let start = (a..=b).find(|&i| {
            i + min_len < self.inclination_deg.len()
                && self.inclination_deg[i..i + min_len]
                    .iter()
                    .all(|v| *v > 15.0)
        })?;
        let onset = (a..start)
            .rev()
            .find(|&i| self.gyr_norm_dps[i] < self.still_dps)?;
        Some(self.time(onset + 1))
    }

    /// Touch-down near `around_s`: the first still instant after the last > 15° excursion.
    pub fn touch_down_near(&self, around_s: f64) -> Option<f64> {
        let (a, b) = (self.index(around_s - 1.0), self.index(around_s + 1.0));
        let last = (a..=b).rev().find(|&i| self.inclination_deg[i] > 15.0)?;
        let settle = (last..=b).find(|&i| self.gyr_norm_dps[i] < self.still_dps)?;
        Some(self.time(settle))
    }
}

/// Where an attempt's lift-off and touch-down times come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// Weight transfer and foot impact seen by the lower-back sensor.
    LowerBack,
    /// Inclination of the raised leg's own sensor.
    LegSensor,
}

/// Replaces lift-off and touch-down of the attempts whose raised leg is `raised` by the times
/// from that leg's sensor where it finds them; hold times follow. Returns how many attempts
/// were refined.
pub fn refine_with_leg(sls: &mut SingleLegStance, raised: Side, leg: &LegTrack) -> usize {
    let max_hold_s = sls.settings.max_hold_s;
    let mut refined = 0;
    for a in sls
        .attempts
        .iter_mut()
        .filter(|a| a.stance_side.map(Side::opposite) == Some(raised))
    {
        let Some(lo) = leg.lift_off_near(a.lift_off_s) else {
            continue;
        };
        let td = match a.touch_down_s {
            Some(t) => match leg.touch_down_near(t) {
                Some(td) => Some(td),
                None => continue,
            },
            None => None,
        };
        if let Some(new) = td {
            for l in a
                .losses
                .iter_mut()
                .filter(|l| l.kind == super::single_leg_stance::LossKind::TouchDown)
            {
                l.t_s = new;
            }
        }
        let stop_s = td.unwrap_or(a.lift_off_s + a.hold_s);
        a.lift_off_s = lo;
        a.touch_down_s = td;
        a.hold_s = (stop_s - lo).clamp(0.0, max_hold_s);
        a.reached_max_hold = stop_s - lo >= max_hold_s;
        a.events_from = EventSource::LegSensor;
        refined += 1;
    }
    refined
}
