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
        match normalised(fc_hz, fs_hz) {
            Some(w) => Self::design(order, vec![w], FilterBandType::Lowpass),
            None => Self::identity(),
        }
    }

    pub fn highpass(order: usize, fc_hz: f64, fs_hz: f64) -> Self {
        match normalised(fc_hz, fs_hz) {
            Some(w) => Self::design(order, vec![w], FilterBandType::Highpass),
            None => Self::identity(),
        }
    }

    pub fn bandpass(order: usize, lo_hz: f64, hi_hz: f64, fs_hz: f64) -> Self {
        match (normalised(lo_hz, fs_hz), normalised(hi_hz, fs_hz)) {
            (Some(lo), Some(hi)) => {
                // both edges clamped to the same end (a rate far below the band): keep an
                // octave so the design stays valid
                let lo = if lo < hi { lo } else { hi / 2.0 };
                Self::design(order, vec![lo, hi], FilterBandType::Bandpass)
            }
            _ => Self::identity(),
        }
    }

    /// A filter that returns its input (no sections); for rates where no cut-off exists.
    fn identity() -> Self {
        Butterworth {
            sos: Vec::new(),
            zi: Vec::new(),
        }
    }

    /// Designs from cut-offs normalised to Nyquist, each strictly inside (0, 1).
    fn design(order: usize, wn: Vec<f64>, band: FilterBandType) -> Self {
        if order == 0 {
            return Self::identity();
        }
        match butter_dyn(
            order,
            wn,
            Some(band),
            Some(false),
            Some(FilterOutputType::Sos),
            Some(2.0),
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

/// Cut-off as a fraction of Nyquist, kept strictly inside (0, 1) (at most 0.98, at least
/// 10⁻⁶) so no sampling rate makes the design fail; `None` when the rate or the cut-off is
/// not a positive finite number (there is no filter to design).
fn normalised(fc_hz: f64, fs_hz: f64) -> Option<f64> {
    let w = 2.0 * fc_hz / fs_hz;
    (fs_hz.is_finite() && fs_hz > 0.0 && fc_hz.is_finite() && fc_hz > 0.0 && w.is_finite())
        .then(|| w.clamp(1e-6, 0.98))
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
    fn any_sampling_rate_and_cut_off_gives_a_filter_and_finite_output() {
        let x: Vec<f64> = (0..200).map(|i| (i as f64 * 0.3).sin()).collect();
        let rates = [
            1e-9,
            1e-4,
            0.002,
            0.01,
            0.5,
            1.0,
            10.0,
            100.0,
            1e6,
            f64::NAN,
            -5.0,
            0.0,
        ];
        let cuts = [1e-9, 0.1, 0.25, 5.0, 40.0, 1e9, f64::INFINITY, -1.0, 0.0];
        for fs in rates {
            for fc in cuts {
                for f in [
                    Butterworth::lowpass(4, fc, fs),
                    Butterworth::highpass(2, fc, fs),
                    Butterworth::bandpass(4, fc, 2.0 * fc, fs),
                    Butterworth::bandpass(2, 2.0 * fc, fc, fs),
                ] {
                    let y = f.filtfilt(&x);
                    assert_eq!(y.len(), x.len());
                    assert!(y.iter().all(|v| v.is_finite()), "fs {fs} fc {fc}");
                }
            }
        }
        // no cut-off to design: the input comes back unchanged
        assert_eq!(Butterworth::lowpass(4, 5.0, f64::NAN).filtfilt(&x), x);
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
