//! Gait events of one shank from its sagittal angular velocity (body frame, positive =
//! ankle swinging forward), after Salarian et al. 2004 (IEEE TBME 51:1434), written from the
//! paper's description:
//!
//! * signal low-passed at 30 Hz;
//! * **mid-swing**: peaks > 50 °/s; of several peaks within 500 ms the largest is kept;
//! * **initial contact**: the nearest local minimum after mid-swing (within 1.5 s) that is
//!   below −10 °/s — the shank stops and briefly rotates back at heel strike;
//! * **final contact**: the nearest local minimum before mid-swing (within 1.5 s, after the
//!   previous initial contact) below −20 °/s — knee flexion at push-off swings the ankle
//!   backwards.
//!
//! The mid-swing peak is taken from a 3 Hz low-passed copy, so a double-humped swing is one
//! peak, then moved to the maximum of the 30 Hz signal nearby.

use crate::signal::filter::Butterworth;
use crate::signal::peaks::{argmax, find_peaks, parabolic_offset};

use super::LegCycle;

const MID_SWING_MIN_DPS: f64 = 50.0;
const MID_SWING_SPACING_S: f64 = 0.5;
const SEARCH_S: f64 = 1.5;
const IC_MAX_DPS: f64 = -10.0;
const FC_MAX_DPS: f64 = -20.0;

/// Gait cycles of one shank from its sagittal angular velocity at `fs_hz`; event positions are
/// fractional sample indices. Mid-stance is not defined for the shank (`None`).
pub fn detect_shank_cycles(gyr_ml_dps: &[f64], fs_hz: f64) -> Vec<LegCycle> {
    let n = gyr_ml_dps.len();
    let x = Butterworth::lowpass(4, 30.0, fs_hz).filtfilt(gyr_ml_dps);
    let slow = Butterworth::lowpass(2, 3.0, fs_hz).filtfilt(gyr_ml_dps);
    let spacing = (MID_SWING_SPACING_S * fs_hz).round() as usize;
    let search = (SEARCH_S * fs_hz).round() as usize;
    let half = spacing / 2;
    let is_local_min = |i: usize| i > 0 && i + 1 < n && x[i] <= x[i - 1] && x[i] < x[i + 1];

    let mut cycles: Vec<LegCycle> = Vec::new();
    let mut last_ic = 0usize;
    for peak in find_peaks(&slow, MID_SWING_MIN_DPS, spacing) {
        let Some(ms) = argmax(&x, peak.saturating_sub(half)..(peak + half).min(n)) else {
            continue;
        };
        if x[ms] < MID_SWING_MIN_DPS {
            continue;
        }
        let fc = (ms.saturating_sub(search).max(last_ic)..ms)
            .rev()
            .find(|&i| is_local_min(i) && x[i] < FC_MAX_DPS);
        let ic = (ms + 1..(ms + search).min(n)).find(|&i| is_local_min(i) && x[i] < IC_MAX_DPS);
        let (Some(fc), Some(ic)) = (fc, ic) else {
            continue;
        };
        last_ic = ic;
        cycles.push(LegCycle {
            fc: fc as f64 + parabolic_offset(&x, fc),
            mid_swing: ms as f64,
            ic: ic as f64 + parabolic_offset(&x, ic),
            mid_stance: None,
        });
    }
    cycles
}
