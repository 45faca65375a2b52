//! Stage 3a: initial contacts (heel strikes) from the trunk's vertical acceleration.
//!
//! Algorithm: McCamley et al. 2012 (Gait Posture 36:316) in the Mobilise-D form of
//! Paraschiv-Ionescu et al. 2020, with a step-adaptive scale and a two-scale refinement:
//! low-pass the vertical acceleration, integrate it, and take the single-scale CWT with a
//! second derivative-of-Gaussian (`gaus2`). That transform is the rate of change of the
//! smoothed vertical acceleration. A coarse scale (pseudo-frequency = step frequency) gives
//! exactly one positive lobe per step; within ±0.1 s of each coarse lobe's maximum, a fine
//! scale (3 × step frequency) locates the instant the trunk's upward acceleration rises
//! fastest, which is the heel strike. Scales follow the walk's own step frequency
//! (Pham et al. 2017; Caramia et al. 2019) because slow, impaired gait moves energy below 1 Hz.
//!
//! Measured on the fixtures (motion-capture reference): see the README accuracy table.

use crate::signal::filter::Butterworth;
use crate::signal::integrate::cumulative_trapezoid;
use crate::signal::peaks::parabolic_offset;
use crate::signal::wavelet::{cwt, scale_for_frequency, Gaus};

/// Sampling rate whose lobe heights [`DetectedIc::strength`] is expressed in, Hz (the
/// thresholds in [`super::walking_bouts::BoutParams`] were set on 100 Hz recordings).
pub const STRENGTH_REFERENCE_HZ: f64 = 100.0;

/// Parameters of the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IcParams {
    /// Low-pass cut-off before the coarse transform, Hz.
    pub coarse_lowpass_hz: f64,
    /// Coarse wavelet pseudo-frequency as a multiple of the step frequency.
    pub coarse_scale_ratio: f64,
    /// Low-pass cut-off before the fine transform, Hz; `None` = none (the wavelet itself
    /// band-limits; a 15 Hz pre-filter changed no result on the fixtures).
    pub fine_lowpass_hz: Option<f64>,
    /// Fine wavelet pseudo-frequency as a multiple of the step frequency.
    pub fine_scale_ratio: f64,
    /// Half-width of the refinement window around the coarse estimate, s.
    pub refine_window_s: f64,
}

impl Default for IcParams {
    fn default() -> Self {
        IcParams {
            coarse_lowpass_hz: 4.0,
            coarse_scale_ratio: 1.0,
            fine_lowpass_hz: None,
            fine_scale_ratio: 3.0,
            refine_window_s: 0.1,
        }
    }
}

/// A detected initial contact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectedIc {
    /// Fractional sample index.
    pub index: f64,
    /// Height of the coarse lobe (rate of change of smoothed vertical acceleration, a.u.),
    /// used to reject tiny lobes outside walking.
    pub strength: f64,
}

/// Rate-of-change signal: CWT (`gaus2`) of the integrated, low-passed vertical acceleration.
pub fn ic_signal(
    acc_v_mps2: &[f64],
    fs_hz: f64,
    lowpass_hz: f64,
    pseudo_frequency_hz: f64,
) -> Vec<f64> {
    let lp = Butterworth::lowpass(4, lowpass_hz, fs_hz).filtfilt(acc_v_mps2);
    integrated_cwt(&lp, fs_hz, pseudo_frequency_hz)
}

/// `gaus2` CWT of the integral of a (low-passed) acceleration, mean removed first.
fn integrated_cwt(lp: &[f64], fs_hz: f64, pseudo_frequency_hz: f64) -> Vec<f64> {
    let mean = lp.iter().sum::<f64>() / lp.len().max(1) as f64;
    let centred: Vec<f64> = lp.iter().map(|v| v - mean).collect();
    let vel = cumulative_trapezoid(&centred, fs_hz);
    cwt(
        &vel,
        scale_for_frequency(Gaus::Second, pseudo_frequency_hz, fs_hz),
        Gaus::Second,
    )
}

/// Contacts found in a stretch of walking, with the fine-scale signal they were refined on
/// (the final-contact detector reads the same signal).
#[derive(Debug, Clone, PartialEq)]
pub struct IcDetection {
    pub contacts: Vec<DetectedIc>,
    pub fine_signal: Vec<f64>,
}

/// Initial contacts in a stretch of walking with the given step frequency.
pub fn detect(acc_v_mps2: &[f64], fs_hz: f64, step_frequency_hz: f64, p: &IcParams) -> IcDetection {
    // The coarse transform sees nothing above its 4 Hz low-pass, so it runs at ~25 Hz
    // (0.04-s block means, then the low-pass); positions refer to the block centres. A CWT
    // lobe grows with √(samples per second) at a fixed pseudo-frequency, so heights are
    // scaled to what they would be at STRENGTH_REFERENCE_HZ: the same walk gives the same
    // strengths (and the same absolute threshold) at any sampling rate.
    let d = (fs_hz / 25.0).floor().max(1.0) as usize;
    let means: Vec<f64> = acc_v_mps2
        .chunks(d)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let lp = Butterworth::lowpass(4, p.coarse_lowpass_hz, fs_hz / d as f64).filtfilt(&means);
    let coarse = integrated_cwt(
        &lp,
        fs_hz / d as f64,
        p.coarse_scale_ratio * step_frequency_hz,
    );
    let fine_pseudo_hz = p.fine_scale_ratio * step_frequency_hz;
    let fine = match p.fine_lowpass_hz {
        Some(fc) => ic_signal(acc_v_mps2, fs_hz, fc, fine_pseudo_hz),
        None => integrated_cwt(acc_v_mps2, fs_hz, fine_pseudo_hz),
    };
    let half = (p.refine_window_s * fs_hz).round() as isize;
    let contacts = positive_lobe_maxima(&coarse)
        .into_iter()
        .map(|(i, strength)| {
            (
                i * d as f64 + (d as f64 - 1.0) / 2.0,
                strength * (STRENGTH_REFERENCE_HZ * d as f64 / fs_hz).sqrt(),
            )
        })
        .map(|(i, strength)| {
            let c = i.round() as isize;
            let lo = (c - half).max(1) as usize;
            let hi = ((c + half) as usize).min(fine.len().saturating_sub(2));
            let best = (lo..=hi.max(lo))
                .max_by(|&a, &b| fine[a].total_cmp(&fine[b]))
                .unwrap_or(c as usize);
            DetectedIc {
                index: best as f64 + parabolic_offset(&fine, best),
                strength,
            }
        })
        .collect();
    IcDetection {
        contacts,
        fine_signal: fine,
    }
}

/// For each maximal run of positive samples, the sub-sample position and height of its
/// maximum. Lobes cut by either end of the signal are skipped (their maximum is unknown).
pub fn positive_lobe_maxima(w: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        if w[i] > 0.0 {
            let start = i;
            let mut best = i;
            while i < w.len() && w[i] > 0.0 {
                if w[i] > w[best] {
                    best = i;
                }
                i += 1;
            }
            if start > 0 && i < w.len() {
                out.push((best as f64 + parabolic_offset(w, best), w[best]));
            }
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trunk vertical acceleration of steady walking: a rise of ~3 m/s² right after each heel
    /// strike (loading), a fall through mid-stance, repeated every step.
    pub(crate) fn synthetic_walk(step_times_s: &[f64], fs: f64, duration_s: f64) -> Vec<f64> {
        let n = (duration_s * fs) as usize;
        let mut x = vec![0.0; n];
        for &t_ic in step_times_s {
            for (i, v) in x.iter_mut().enumerate() {
                let dt = i as f64 / fs - t_ic;
                // smooth step up at IC then decay: logistic rise × exponential fall
                if dt > -0.3 && dt < 0.8 {
                    let rise = 1.0 / (1.0 + (-dt / 0.02).exp());
                    *v += 3.0 * rise * (-(dt.max(0.0)) / 0.12).exp()
                        - 0.6 * (-(dt - 0.25).powi(2) / 0.02).exp();
                }
            }
        }
        x
    }

    #[test]
    fn finds_every_heel_strike_of_a_steady_walk_within_30_ms() {
        let fs = 100.0;
        let ics: Vec<f64> = (0..18).map(|k| 1.0 + 0.55 * k as f64).collect();
        let x = synthetic_walk(&ics, fs, 12.0);
        let found = detect(&x, fs, 1.0 / 0.55, &IcParams::default()).contacts;
        let interior: Vec<f64> = ics[1..ics.len() - 1].to_vec();
        for t in interior {
            let nearest = found
                .iter()
                .map(|d| d.index / fs)
                .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
                .unwrap();
            assert!(
                (nearest - t).abs() < 0.03,
                "IC at {t} s found at {nearest} s"
            );
        }
        // one detection per step, no extras between steps
        let inside = found
            .iter()
            .filter(|d| d.index / fs > 1.2 && d.index / fs < 9.9)
            .count();
        assert_eq!(inside, ics.iter().filter(|&&t| t > 1.2 && t < 9.9).count());
    }
}
