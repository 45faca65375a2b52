//! Zero-phase Butterworth filters (second-order sections, forward–backward with odd
//! extension padding, as `scipy.signal.sosfiltfilt`). The design and the initial conditions
//! come from `sci-rs`, which mirrors SciPy, so cut-offs in the gait literature translate
//! directly; the forward–backward pass itself runs in place over one buffer (sci-rs's
//! `sosfiltfilt_dyn` allocates a padded matrix and several copies per call, which made it the
//! largest cost of an hour-long analysis), and a test checks both agree.

use sci_rs::signal::filter::design::{
    butter_dyn, DigitalFilter, FilterBandType, FilterOutputType, Sos,
};
use sci_rs::signal::filter::sosfilt_zi_dyn;

/// A designed zero-phase Butterworth filter.
#[derive(Debug, Clone)]
pub struct Butterworth {
    sos: Vec<Sos<f64>>,
    /// Per-section steady-state initial conditions for a unit step (`sosfilt_zi`).
    zi: Vec<[f64; 2]>,
}

impl Butterworth {
    /// Low-pass of `order` with cut-off `fc_hz` at sampling rate `fs_hz`.
    pub fn lowpass(order: usize, fc_hz: f64, fs_hz: f64) -> Self {
        Self::design(
            order,
            vec![clamp_fc(fc_hz, fs_hz)],
            FilterBandType::Lowpass,
            fs_hz,
        )
    }

    pub fn highpass(order: usize, fc_hz: f64, fs_hz: f64) -> Self {
        Self::design(
            order,
            vec![clamp_fc(fc_hz, fs_hz)],
            FilterBandType::Highpass,
            fs_hz,
        )
    }

    pub fn bandpass(order: usize, lo_hz: f64, hi_hz: f64, fs_hz: f64) -> Self {
        Self::design(
            order,
            vec![clamp_fc(lo_hz, fs_hz), clamp_fc(hi_hz, fs_hz)],
            FilterBandType::Bandpass,
            fs_hz,
        )
    }

    fn design(order: usize, wn: Vec<f64>, band: FilterBandType, fs_hz: f64) -> Self {
        match butter_dyn(
            order,
            wn,
            Some(band),
            Some(false),
            Some(FilterOutputType::Sos),
            Some(fs_hz),
        ) {
            DigitalFilter::Sos(s) => {
                let mut with_zi = s.sos.clone();
                sosfilt_zi_dyn::<f64, _, Sos<f64>>(with_zi.iter_mut());
                let zi = with_zi.iter().map(|x| [x.zi0, x.zi1]).collect();
                Butterworth { sos: s.sos, zi }
            }
            _ => unreachable!("butter_dyn returns SOS when asked for SOS"),
        }
    }

    /// One causal pass in place, sections in cascade (transposed direct form II), starting
    /// from the steady state of a constant input equal to the first sample.
    fn pass(&self, y: &mut [f64]) {
        let x0 = y[0];
        let mut state: Vec<[f64; 2]> = self.zi.iter().map(|z| [z[0] * x0, z[1] * x0]).collect();
        for v in y.iter_mut() {
            let mut x = *v;
            for (s, z) in self.sos.iter().zip(state.iter_mut()) {
                let out = s.b[0] * x + z[0];
                z[0] = s.b[1] * x - s.a[1] * out + z[1];
                z[1] = s.b[2] * x - s.a[2] * out;
                x = out;
            }
            *v = x;
        }
    }

    /// Zero-phase filtered copy of `x`. Signals shorter than the padding are returned
    /// mean-removed (high-pass) or unchanged, never with edge artefacts from a too-short pad.
    pub fn filtfilt(&self, x: &[f64]) -> Vec<f64> {
        let pad = 3 * (2 * self.sos.len() + 1);
        let n = x.len();
        if n <= pad {
            return x.to_vec();
        }
        let mut ext = Vec::with_capacity(n + 2 * pad);
        ext.extend((1..=pad).rev().map(|k| 2.0 * x[0] - x[k]));
        ext.extend_from_slice(x);
        ext.extend((1..=pad).map(|k| 2.0 * x[n - 1] - x[n - 1 - k]));
        self.pass(&mut ext);
        ext.reverse();
        self.pass(&mut ext);
        ext.reverse();
        ext.truncate(pad + n);
        ext.drain(..pad);
        ext
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
        (0..n)
            .map(|i| (2.0 * PI * f * i as f64 / fs).sin())
            .collect()
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
        assert!(
            rms(&err[200..1800]) < 0.01,
            "residual {}",
            rms(&err[200..1800])
        );
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
    fn matches_sci_rs_sosfiltfilt() {
        let x: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919) % 1000) as f64 / 100.0 + (i as f64 * 0.05).sin())
            .collect();
        for f in [
            Butterworth::lowpass(4, 3.0, 100.0),
            Butterworth::highpass(2, 0.1, 100.0),
            Butterworth::bandpass(4, 0.5, 2.0, 100.0),
        ] {
            let ours = f.filtfilt(&x);
            let theirs = sci_rs::signal::filter::sosfiltfilt_dyn(x.iter(), &f.sos);
            let err = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-9, "max difference {err}");
        }
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
