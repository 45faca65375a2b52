//! Stage 7b: autocorrelation step/stride regularity and step symmetry
//! (Moe-Nilssen & Helbostad 2004, J Biomech 37:121).
//!
//! Per bout, on the tilt-corrected trunk acceleration with the mean removed, the unbiased
//! autocorrelation normalised to lag 0. Step regularity Ad1 is the autocorrelation peak nearest
//! the bout's median step time, stride regularity Ad2 the peak nearest its median stride time
//! (a fixed lag would read low when cadence drifts). Step symmetry = Ad1 / Ad2 (1 = the two
//! steps of a stride look alike), from the duration-weighted means of Ad1 and Ad2. ML Ad1 is negative in healthy gait (anti-phase sway), so
//! its magnitude is reported. Bouts are combined weighted by duration.

use serde::Serialize;

use crate::signal::autocorr::unbiased_autocorrelation;
use crate::signal::peaks::local_maxima;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Regularity {
    pub step_regularity_v: f64,
    pub stride_regularity_v: f64,
    pub step_regularity_ap: f64,
    pub stride_regularity_ap: f64,
    pub step_regularity_ml_abs: f64,
    pub stride_regularity_ml: f64,
    /// Ad1/Ad2 of the vertical axis.
    pub step_symmetry_v: f64,
    /// Ad1/Ad2 of the AP axis.
    pub step_symmetry_ap: f64,
    /// Seconds of walking the estimate is based on.
    pub walking_time_s: f64,
}

/// Ad1, Ad2 of one signal given expected step and stride lags in samples.
pub fn step_stride_autocorrelation(
    x: &[f64],
    step_lag: f64,
    stride_lag: f64,
    extremum_max: bool,
) -> Option<(f64, f64)> {
    let max_lag = (stride_lag * 1.3).ceil() as usize;
    if x.len() < max_lag + 2 || step_lag < 2.0 {
        return None;
    }
    let ac = unbiased_autocorrelation(x, max_lag);
    let pick = |target: f64, maxima: bool| -> Option<f64> {
        let cands = if maxima {
            local_maxima(&ac)
        } else {
            crate::signal::peaks::local_minima(&ac)
        };
        cands
            .into_iter()
            .filter(|&l| (l as f64 - target).abs() <= 0.3 * target)
            .min_by(|&a, &b| {
                (a as f64 - target)
                    .abs()
                    .total_cmp(&(b as f64 - target).abs())
            })
            .map(|l| ac[l])
    };
    let ad1 = pick(step_lag, extremum_max)?;
    let ad2 = pick(stride_lag, true)?;
    Some((ad1, ad2))
}

/// Per-bout values to combine: (duration_s, V, AP, ML signals, median step time s).
pub struct BoutSignals<'a> {
    pub duration_s: f64,
    pub acc_v: &'a [f64],
    pub acc_ap: &'a [f64],
    pub acc_ml: &'a [f64],
    pub step_time_s: f64,
}

/// Duration-weighted regularity over bouts; bouts shorter than 4 strides are skipped.
pub fn regularity(bouts: &[BoutSignals<'_>], fs_hz: f64) -> Option<Regularity> {
    combine(bouts.iter().filter_map(|b| bout_values(b, fs_hz)))
}

/// One bout's step and stride regularity (V, AP, |ML| step, ML stride) and its duration,
/// s; `None` for a bout shorter than 4 strides or without the autocorrelation peaks.
pub fn bout_values(b: &BoutSignals<'_>, fs_hz: f64) -> Option<([f64; 6], f64)> {
    if b.duration_s < 8.0 * b.step_time_s {
        return None;
    }
    let step = b.step_time_s * fs_hz;
    let stride = 2.0 * step;
    let v = step_stride_autocorrelation(b.acc_v, step, stride, true)?;
    let ap = step_stride_autocorrelation(b.acc_ap, step, stride, true)?;
    let ml = step_stride_autocorrelation(b.acc_ml, step, stride, false)?;
    Some(([v.0, v.1, ap.0, ap.1, ml.0.abs(), ml.1], b.duration_s))
}

/// Duration-weighted means of bouts' values (see [`bout_values`]), summed in the order given.
pub fn combine(values: impl IntoIterator<Item = ([f64; 6], f64)>) -> Option<Regularity> {
    let mut acc = [0.0f64; 6];
    let mut total = 0.0;
    for (vals, duration_s) in values {
        for (a, x) in acc.iter_mut().zip(vals) {
            *a += x * duration_s;
        }
        total += duration_s;
    }
    (total > 0.0).then(|| {
        let m = acc.map(|a| a / total);
        Regularity {
            step_regularity_v: m[0],
            stride_regularity_v: m[1],
            step_regularity_ap: m[2],
            stride_regularity_ap: m[3],
            step_regularity_ml_abs: m[4],
            stride_regularity_ml: m[5],
            // ratio of the weighted means: a bout with a near-zero stride peak must not
            // dominate an average of ratios
            step_symmetry_v: m[0] / m[1],
            step_symmetry_ap: m[2] / m[3],
            walking_time_s: total,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn identical_steps_are_fully_regular_and_unequal_steps_lower_step_regularity() {
        let fs = 100.0;
        // V: step-periodic (2 Hz); AP: step-periodic with a stride component (asymmetry)
        let v: Vec<f64> = (0..2000)
            .map(|i| (2.0 * PI * 2.0 * i as f64 / fs).sin())
            .collect();
        let ap: Vec<f64> = (0..2000)
            .map(|i| {
                (2.0 * PI * 2.0 * i as f64 / fs).sin()
                    + 0.5 * (2.0 * PI * 1.0 * i as f64 / fs).sin()
            })
            .collect();
        let ml: Vec<f64> = (0..2000)
            .map(|i| (2.0 * PI * 1.0 * i as f64 / fs).sin())
            .collect();
        let r = regularity(
            &[BoutSignals {
                duration_s: 20.0,
                acc_v: &v,
                acc_ap: &ap,
                acc_ml: &ml,
                step_time_s: 0.5,
            }],
            fs,
        )
        .unwrap();
        assert!(
            (r.step_regularity_v - 1.0).abs() < 0.02 && (r.stride_regularity_v - 1.0).abs() < 0.02
        );
        // AP: Ad1 = (1 − 0.25)/(1 + 0.25) = 0.6, Ad2 = 1
        assert!(
            (r.step_regularity_ap - 0.6).abs() < 0.03,
            "{}",
            r.step_regularity_ap
        );
        assert!((r.step_symmetry_ap - 0.6).abs() < 0.03);
        // ML: pure stride-periodic sway is anti-phase between steps: |Ad1| = 1
        assert!((r.step_regularity_ml_abs - 1.0).abs() < 0.03);
    }
}
