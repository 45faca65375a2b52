//! Zero-phase Butterworth filters (second-order sections, forward–backward with odd
//! extension padding, as `scipy.signal.sosfiltfilt`). Design and filtering come from
//! `sci-rs`, which mirrors SciPy, so cut-offs in the gait literature translate directly.

use sci_rs::signal::filter::design::{butter_dyn, DigitalFilter, FilterBandType, FilterOutputType, Sos};
use sci_rs::signal::filter::sosfiltfilt_dyn;

/// A designed zero-phase Butterworth filter.
#[derive(Debug, Clone)]
pub struct Butterworth {
    sos: Vec<Sos<f64>>,
}

impl Butterworth {
    /// Low-pass of `order` with cut-off `fc_hz` at sampling rate `fs_hz`.
    pub fn lowpass(order: usize, fc_hz: f64, fs_hz: f64) -> Self {
        Self::design(order, vec![clamp_fc(fc_hz, fs_hz)], FilterBandType::Lowpass, fs_hz)
    }

    pub fn highpass(order: usize, fc_hz: f64, fs_hz: f64) -> Self {
        Self::design(order, vec![clamp_fc(fc_hz, fs_hz)], FilterBandType::Highpass, fs_hz)
    }

    pub fn bandpass(order: usize, lo_hz: f64, hi_hz: f64, fs_hz: f64) -> Self {
        Self::design(order, vec![clamp_fc(lo_hz, fs_hz), clamp_fc(hi_hz, fs_hz)], FilterBandType::Bandpass, fs_hz)
    }

    fn design(order: usize, wn: Vec<f64>, band: FilterBandType, fs_hz: f64) -> Self {
        match butter_dyn(order, wn, Some(band), Some(false), Some(FilterOutputType::Sos), Some(fs_hz)) {
            DigitalFilter::Sos(s) => Butterworth { sos: s.sos },
            _ => unreachable!("butter_dyn returns SOS when asked for SOS"),
        }
    }

    /// Zero-phase filtered copy of `x`. Signals shorter than the padding are returned
    /// mean-removed (high-pass) or unchanged, never with edge artefacts from a too-short pad.
    pub fn filtfilt(&self, x: &[f64]) -> Vec<f64> {
        let pad = 3 * (2 * self.sos.len() + 1);
        if x.len() <= pad {
            return x.to_vec();
        }
        sosfiltfilt_dyn(x.iter(), &self.sos)
    }
}

/// Keeps a cut-off strictly inside (0, Nyquist) so low sampling rates do not panic.
fn clamp_fc(fc_hz: f64, fs_hz: f64) -> f64 {
    fc_hz.clamp(1e-3, 0.49 * fs_hz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn sine(f: f64, fs: f64, n: usize) -> Vec<f64> {
        (0..n).map(|i| (2.0 * PI * f * i as f64 / fs).sin()).collect()
    }

    fn rms(x: &[f64]) -> f64 {
        (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn lowpass_keeps_slow_and_removes_fast_without_phase_shift() {
        let fs = 100.0;
        let slow = sine(1.0, fs, 2000);
        let fast = sine(20.0, fs, 2000);
        let mixed: Vec<f64> = slow.iter().zip(&fast).map(|(a, b)| a + b).collect();
        let y = Butterworth::lowpass(4, 5.0, fs).filtfilt(&mixed);
        let err: Vec<f64> = y.iter().zip(&slow).map(|(a, b)| a - b).collect();
        assert!(rms(&err[200..1800]) < 0.01, "residual {}", rms(&err[200..1800]));
    }

    #[test]
    fn cutoff_gain_is_half_power_twice_over() {
        // forward-backward squares the magnitude response: |H(fc)|^2 = 0.5 at the cut-off
        let fs = 100.0;
        let x = sine(2.0, fs, 4000);
        let y = Butterworth::lowpass(2, 2.0, fs).filtfilt(&x);
        let gain = rms(&y[1000..3000]) / rms(&x[1000..3000]);
        assert!((gain - 0.5).abs() < 0.01, "gain {gain}");
    }

    #[test]
    fn highpass_removes_offset_and_bandpass_selects_band() {
        let fs = 100.0;
        let x: Vec<f64> = sine(1.0, fs, 3000).iter().map(|v| v + 5.0).collect();
        let y = Butterworth::highpass(4, 0.2, fs).filtfilt(&x);
        let mean = y[500..2500].iter().sum::<f64>() / 2000.0;
        assert!(mean.abs() < 0.01);
        let bp = Butterworth::bandpass(4, 0.5, 2.0, fs);
        let inband = rms(&bp.filtfilt(&sine(1.0, fs, 3000))[500..2500]);
        let outband = rms(&bp.filtfilt(&sine(8.0, fs, 3000))[500..2500]);
        assert!(inband > 0.65 && outband < 0.01, "{inband} {outband}");
    }
}
