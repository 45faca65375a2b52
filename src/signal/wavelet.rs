//! Continuous wavelet transform at one scale with derivative-of-Gaussian wavelets
//! (PyWavelets' `gaus1`/`gaus2`, built on exp(−t²)), computed as a direct convolution.
//!
//! `W(b) = Σ_n x[n] · ψ((n − b)/a) / √a`, a = scale in samples. Pseudo-frequency
//! f = f_c · fs / a with f_c = 0.2 (gaus1) and 0.3 (gaus2).
//! For gaus1, the transform of an integrated signal is a
//! Gaussian-smoothed, sign-inverted copy of the signal (McCamley et al. 2012).

/// Centre frequency of `gaus1`, cycles per unit scale.
pub const GAUS1_CENTER: f64 = 0.2;
/// Centre frequency of `gaus2`.
pub const GAUS2_CENTER: f64 = 0.3;

/// Derivative-of-Gaussian order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gaus {
    /// ψ(t) = −2t·e^(−t²)
    First,
    /// ψ(t) = (4t² − 2)·e^(−t²)  (second derivative of e^(−t²))
    Second,
}

/// Scale (samples) whose pseudo-frequency is `freq_hz` at `fs_hz`.
pub fn scale_for_frequency(wavelet: Gaus, freq_hz: f64, fs_hz: f64) -> f64 {
    let fc = match wavelet {
        Gaus::First => GAUS1_CENTER,
        Gaus::Second => GAUS2_CENTER,
    };
    fc * fs_hz / freq_hz
}

/// Single-scale CWT of `x`; output has the length of `x`. Edges use mirrored samples.
pub fn cwt(x: &[f64], scale: f64, wavelet: Gaus) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let half = (4.0 * scale).ceil() as isize; // e^(−16) ≈ 1e-7 beyond
    let norm = 1.0 / scale.sqrt();
    let kernel: Vec<f64> = (-half..=half)
        .map(|k| {
            let t = k as f64 / scale;
            let g = (-t * t).exp();
            norm * match wavelet {
                Gaus::First => -2.0 * t * g,
                Gaus::Second => (4.0 * t * t - 2.0) * g,
            }
        })
        .collect();
    // exact zero mean despite truncation (wavelet admissibility): constants give 0
    let kmean = kernel.iter().sum::<f64>() / kernel.len() as f64;
    let kernel: Vec<f64> = kernel.iter().map(|k| k - kmean).collect();
    // W(b) = Σ_k x[b + k] ψ(k / a), on a copy of x extended by mirrored samples at each end
    let h = half as usize;
    let m = n as isize;
    let mirror = |i: isize| -> f64 {
        let mut j = i.abs();
        if j >= m {
            j = 2 * (m - 1) - j;
        }
        x[j.clamp(0, m - 1) as usize]
    };
    let padded: Vec<f64> = (-half..m + half).map(mirror).collect();
    let out: Vec<f64> = (0..n)
        .map(|b| crate::signal::stats::dot(&padded[b..b + 2 * h + 1], &kernel))
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn gaus1_of_integrated_sine_is_an_inverted_sine_in_phase() {
        // x = cos → ∫x = sin; W_gaus1(sin) ∝ −cos at the matching scale, no phase shift
        let fs = 100.0;
        let f = 1.0;
        let s: Vec<f64> = (0..1000)
            .map(|i| (2.0 * PI * f * i as f64 / fs).sin())
            .collect();
        let a = scale_for_frequency(Gaus::First, f, fs);
        assert!((a - 20.0).abs() < 1e-12);
        let w = cwt(&s, a, Gaus::First);
        let peak = (200..300).max_by(|&i, &j| w[i].total_cmp(&w[j])).unwrap();
        // −cos peaks at half a period: sample 250 (±1)
        assert!((peak as i64 - 250).abs() <= 1, "peak at {peak}");
        let trough = (200..300).min_by(|&i, &j| w[i].total_cmp(&w[j])).unwrap();
        // −cos is lowest at whole periods: the window's ends, 200 or 299
        assert!(trough == 200 || trough == 299, "trough at {trough}");
    }

    #[test]
    fn gaus2_responds_to_curvature_with_zero_mean() {
        let w = cwt(&vec![3.0; 200], 5.0, Gaus::Second);
        assert!(w[50..150].iter().all(|v| v.abs() < 1e-9));
        let w1 = cwt(
            &(0..200).map(|i| i as f64).collect::<Vec<_>>(),
            5.0,
            Gaus::First,
        );
        // linear ramp: constant response equal to −Σ ψ(k/a)·k / √a  (negative: ψ is −2t e^(−t²))
        assert!(w1[60] < 0.0 && (w1[60] - w1[120]).abs() < 1e-9);
    }
}
