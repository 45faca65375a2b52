//! Gait events of one foot from its sagittal angular velocity (body frame, positive = toes
//! up), after the logic of Rampp et al. 2015 (IEEE TBME 62:1089) and Salarian et al. 2004
//! (IEEE TBME 51:1434), written from the papers:
//!
//! * **mid-swing**: peaks > 50 °/s of the 3 Hz low-passed signal, ≥ 0.5 s apart (the foot
//!   swings forward, toes rising);
//! * **final contact (toe-off)**: the push-off minimum (peak plantar-flexion velocity, below
//!   −20 °/s) is the deepest minimum in the 0.6 s before mid-swing; toe-off is the instant of
//!   largest toes-up angular acceleration in the 0.15 s after it — the foot leaves the ground
//!   and starts its swing. Both on the 40 Hz low-passed signal (a lower cut-off widens the
//!   sharp push-off dip and moves it). In straight walking this is ~5 ms after the minimum;
//!   in pivot turns, where push-off is slow, the minimum alone comes 60 ms early;
//! * **initial contact**: the first fall through zero of the 40 Hz low-passed signal after
//!   the swing maximum — the foot stops rotating toes-up when the heel lands and then rolls
//!   down to flat;
//! * **mid-stance**: centre of the 100 ms window (50 % overlap) with the least gyroscope
//!   energy between initial contact and the next toe-off; the zero-velocity point used by
//!   the trajectory integration.
//!
//! On the bundled two-foot recording with optical motion capture these land within one or
//! two samples of the reference events at 204.8 Hz (see `tests/eval_legs.rs`).

use crate::signal::filter::Butterworth;
use crate::signal::peaks::{
    argmax, argmin, find_peaks, first_zero_crossing, parabolic_offset, Crossing,
};

use super::LegCycle;

const MID_SWING_MIN_DPS: f64 = 50.0;
const MID_SWING_SPACING_S: f64 = 0.5;
const FC_SEARCH_S: f64 = 0.6;
const FC_MAX_DPS: f64 = -20.0;
const FC_RELEASE_S: f64 = 0.15;
const IC_SEARCH_S: f64 = 0.6;
const MID_STANCE_WINDOW_S: f64 = 0.1;

/// Gait cycles of one foot. `gyr_ml_dps` is the sagittal angular velocity (body frame),
/// `gyr_norm_dps` the norm of the 3-axis angular velocity; both at `fs_hz`. Event positions
/// are fractional sample indices.
pub fn detect_foot_cycles(gyr_ml_dps: &[f64], gyr_norm_dps: &[f64], fs_hz: f64) -> Vec<LegCycle> {
    let n = gyr_ml_dps.len();
    let slow = Butterworth::lowpass(2, 3.0, fs_hz).filtfilt(gyr_ml_dps);
    let sharp = Butterworth::lowpass(2, 40.0, fs_hz).filtfilt(gyr_ml_dps);
    let spacing = (MID_SWING_SPACING_S * fs_hz).round() as usize;
    let fc_search = (FC_SEARCH_S * fs_hz).round() as usize;
    let ic_search = (IC_SEARCH_S * fs_hz).round() as usize;
    let release = (FC_RELEASE_S * fs_hz).round() as usize;

    let mut cycles: Vec<LegCycle> = Vec::new();
    let mut last_ic = 0usize;
    for ms in find_peaks(&slow, MID_SWING_MIN_DPS, spacing) {
        let lo = ms.saturating_sub(fc_search).max(last_ic);
        let Some(push_off) = argmin(&sharp, lo..ms) else {
            continue;
        };
        if sharp[push_off] > FC_MAX_DPS {
            continue;
        }
        let Some(fc) = steepest_rise(&sharp, push_off, (push_off + release).min(ms)) else {
            continue;
        };
        let Some(swing_max) = argmax(&sharp, push_off..(ms + ic_search / 2).min(n)) else {
            continue;
        };
        let Some(ic) = first_zero_crossing(
            &sharp,
            swing_max + 1..(swing_max + ic_search).min(n),
            Crossing::Falling,
        ) else {
            continue;
        };
        last_ic = ic.ceil() as usize;
        cycles.push(LegCycle {
            fc,
            mid_swing: ms as f64,
            ic,
            mid_stance: None,
        });
    }
    let window = ((MID_STANCE_WINDOW_S * fs_hz).round() as usize).max(2);
    for k in 0..cycles.len() {
        let start = cycles[k].ic.ceil() as usize;
        let end = cycles
            .get(k + 1)
            .map_or((start + fc_search).min(n), |c| c.fc.floor() as usize);
        cycles[k].mid_stance = quietest_window_centre(gyr_norm_dps, start, end, window);
    }
    cycles
}

/// Fractional position of the largest increase `x[i+1] − x[i]` for `i` in `start..end`.
fn steepest_rise(x: &[f64], start: usize, end: usize) -> Option<f64> {
    let end = end.min(x.len().saturating_sub(1));
    let slope: Vec<f64> = (start..end).map(|i| x[i + 1] - x[i]).collect();
    let k = argmax(&slope, 0..slope.len())?;
    Some(start as f64 + (k as f64 + parabolic_offset(&slope, k)) + 0.5)
}

/// Centre of the `window`-sample window (50 % overlap) with the least energy in `x[start..end]`.
pub(crate) fn quietest_window_centre(
    x: &[f64],
    start: usize,
    end: usize,
    window: usize,
) -> Option<usize> {
    let end = end.min(x.len());
    if end < start + window {
        return None;
    }
    let hop = (window / 2).max(1);
    let mut best: Option<(f64, usize)> = None;
    let mut s = start;
    while s + window <= end {
        let e: f64 = x[s..s + window].iter().map(|v| v * v).sum();
        if best.is_none_or(|(b, _)| e < b) {
            best = Some((e, s + window / 2));
        }
        s += hop;
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Foot sagittal angular velocity of one stride with known events, deg/s:
    /// push-off dip to −450 (Gaussian, σ = 40 ms) whose steepest rise is at toe-off `fc`, swing lobe (+350) ending with a zero crossing at `ic`,
    /// heel-rocker dip (−150) after `ic`, quiet foot-flat until the next push-off.
    fn foot_stride(t: f64, fc: f64, ic: f64) -> f64 {
        let dip = -450.0 * (-((t - fc + 0.04) / 0.04).powi(2) / 2.0).exp();
        let swing = if t > fc && t < ic {
            350.0 * (PI * (t - fc) / (ic - fc)).sin().powf(0.8)
        } else {
            0.0
        };
        let rocker = if t >= ic && t < ic + 0.15 {
            -150.0 * (PI * (t - ic) / 0.15).sin()
        } else {
            0.0
        };
        dip + swing + rocker
    }

    #[test]
    fn synthetic_foot_events_are_found_where_they_were_put() {
        let fs = 200.0;
        let (t_fc, t_ic): (Vec<f64>, Vec<f64>) = (0..8)
            .map(|k| (1.0 + 1.1 * k as f64, 1.0 + 1.1 * k as f64 + 0.38))
            .unzip();
        let g: Vec<f64> = (0..(11.0 * fs) as usize)
            .map(|i| {
                let t = i as f64 / fs;
                t_fc.iter()
                    .zip(&t_ic)
                    .map(|(&f, &c)| foot_stride(t, f, c))
                    .sum()
            })
            .collect();
        let norm: Vec<f64> = g.iter().map(|v| v.abs()).collect();
        let cycles = detect_foot_cycles(&g, &norm, fs);
        assert_eq!(cycles.len(), 8);
        for (k, c) in cycles.iter().enumerate() {
            assert!(
                (c.fc / fs - t_fc[k]).abs() < 0.01,
                "fc {} vs {}",
                c.fc / fs,
                t_fc[k]
            );
            assert!(
                (c.ic / fs - t_ic[k]).abs() < 0.005,
                "ic {} vs {}",
                c.ic / fs,
                t_ic[k]
            );
            if k + 1 < cycles.len() {
                let ms = c.mid_stance.unwrap() as f64 / fs;
                assert!(
                    ms > t_ic[k] + 0.15 && ms < t_fc[k + 1] - 0.1,
                    "mid-stance {ms}"
                );
            }
        }
    }
}
