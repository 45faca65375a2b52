//! Time to stabilisation (TTS) after a landing, from the lower-back horizontal acceleration
//! (metrics.md B4: the force-plate idea of Colby 1999 / Ross & Guskiewicz 2003 adapted to an
//! IMU; an engineering method, not a validated one).
//!
//! Signal: ‖(a_ML, a_AP)‖ of the level-frame linear acceleration, low-passed at 10 Hz
//! (zero-phase), as a 0.25-s centred moving RMS. Baseline: the last `baseline_s` of a fixed
//! window after landing; threshold = baseline mean + 3·SD. TTS = time from landing after which
//! the moving RMS stays below the threshold until the window ends. The window length is fixed
//! because TTS depends strongly on trial length (Fransz et al. 2015): compare like with like.

use serde::Serialize;

use super::trunk_motion::moving_rms;
use crate::signal::filter::Butterworth;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StabilisationSettings {
    /// Analysis window after landing, s.
    pub window_s: f64,
    /// Final part of the window taken as the stable baseline, s.
    pub baseline_s: f64,
    /// Moving-RMS window, s.
    pub rms_window_s: f64,
    /// Threshold = baseline mean + `k_sd` · baseline SD.
    pub k_sd: f64,
}

impl Default for StabilisationSettings {
    fn default() -> Self {
        StabilisationSettings {
            window_s: 2.4,
            baseline_s: 0.8,
            rms_window_s: 0.25,
            k_sd: 3.0,
        }
    }
}

/// TTS in s after the landing at sample `landing`, from level-frame ML and AP acceleration
/// (m/s²) of the whole recording. `None` if the window does not fit in the recording.
pub fn time_to_stabilisation(
    ml_mps2: &[f64],
    ap_mps2: &[f64],
    fs_hz: f64,
    landing: usize,
    settings: &StabilisationSettings,
) -> Option<f64> {
    let n = ml_mps2.len().min(ap_mps2.len());
    let end = landing + (settings.window_s * fs_hz).round() as usize;
    if end > n || landing >= end {
        return None;
    }
    // filter with margin around the window so filter edges stay outside it
    let margin = fs_hz as usize;
    let (a, b) = (landing.saturating_sub(margin), (end + margin).min(n));
    let lp = Butterworth::lowpass(4, 10.0, fs_hz);
    let (ml, ap) = (lp.filtfilt(&ml_mps2[a..b]), lp.filtfilt(&ap_mps2[a..b]));
    let norm: Vec<f64> = ml.iter().zip(&ap).map(|(x, y)| x.hypot(*y)).collect();
    let env = moving_rms(&norm, (settings.rms_window_s * fs_hz).round() as usize);
    let env = &env[landing - a..end - a];
    stable_from(env, fs_hz, settings)
}

/// TTS of a moving-RMS envelope that starts at the landing (see module docs).
pub fn stable_from(env: &[f64], fs_hz: f64, settings: &StabilisationSettings) -> Option<f64> {
    let nb = ((settings.baseline_s * fs_hz).round() as usize).clamp(2, env.len());
    let base = &env[env.len() - nb..];
    let mean = base.iter().sum::<f64>() / nb as f64;
    let sd = (base.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nb - 1) as f64).sqrt();
    let threshold = mean + settings.k_sd * sd;
    let last_above = env.iter().rposition(|&v| v > threshold);
    Some(last_above.map_or(0.0, |i| (i + 1) as f64 / fs_hz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_settling_gives_the_crossing_time() {
        // envelope 1.0 for 0.7 s, then a flat 0.1 with a small ripple: stable after 0.7 s
        let fs = 100.0;
        let env: Vec<f64> = (0..240)
            .map(|i| {
                if i < 70 {
                    1.0
                } else {
                    0.1 + 0.001 * ((i % 4) as f64)
                }
            })
            .collect();
        let tts = stable_from(&env, fs, &StabilisationSettings::default()).unwrap();
        assert!((tts - 0.70).abs() < 1e-9, "{tts}");
        // never above the threshold: stable from the landing
        assert_eq!(
            stable_from(&[0.1; 240], fs, &StabilisationSettings::default()),
            Some(0.0)
        );
    }

    #[test]
    fn decaying_oscillation_settles_when_its_rms_meets_the_noise() {
        // 1.2-Hz oscillation of amplitude 1 m/s² decaying with τ = 0.3 s on white noise of
        // SD 0.05 m/s² (uniform). Threshold ≈ 0.05 + 3·0.05/√50 ≈ 0.071, reached when the
        // oscillation's RMS A·e^{−t/τ}/√2 ≈ 0.05, i.e. t ≈ τ·ln(1/(√2·0.05)) ≈ 0.79 s; the
        // 0.25-s moving RMS and the noise smear this by ~±0.2 s
        let fs = 100.0;
        let n = 400;
        let mut state = 99u64;
        let ml: Vec<f64> = (0..n)
            .map(|i| {
                let t = (i as f64 - 100.0) / fs;
                let osc = if t > 0.0 {
                    (-t / 0.3).exp() * (2.0 * std::f64::consts::PI * 1.2 * t).sin()
                } else {
                    0.0
                };
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                osc + 0.05 * 12f64.sqrt() * u
            })
            .collect();
        let ap = vec![0.0; n];
        let tts =
            time_to_stabilisation(&ml, &ap, fs, 100, &StabilisationSettings::default()).unwrap();
        assert!(tts > 0.6 && tts < 1.0, "{tts}");
        assert!(
            time_to_stabilisation(&ml, &ap, fs, 300, &StabilisationSettings::default()).is_none()
        );
    }
}
