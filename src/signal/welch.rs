//! Welch power spectral density (Welch 1967): Hann-windowed segments with 50 % overlap, each
//! segment linearly detrended, periodograms averaged. One-sided density in units²/Hz, scaled as
//! `scipy.signal.welch(..., window="hann", detrend="linear", scaling="density")`, so that the
//! sum of `density · df` equals the variance of a stationary signal.

use std::f64::consts::PI;

use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// One-sided power spectral density.
#[derive(Debug, Clone, PartialEq)]
pub struct Psd {
    /// Bin frequencies, Hz, from 0 to Nyquist in steps of `df_hz`.
    pub freq_hz: Vec<f64>,
    /// Power per Hz at each bin (units of the input squared per Hz).
    pub density: Vec<f64>,
    /// Frequency resolution, Hz.
    pub df_hz: f64,
    /// Number of averaged segments.
    pub segments: usize,
}

impl Psd {
    /// Power in `[lo_hz, hi_hz]` (bins whose centre lies in the band), units².
    pub fn band_power(&self, lo_hz: f64, hi_hz: f64) -> f64 {
        self.band(lo_hz, hi_hz).map(|(_, p)| p * self.df_hz).sum()
    }

    /// (frequency, density) pairs inside `[lo_hz, hi_hz]`.
    pub fn band(&self, lo_hz: f64, hi_hz: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.freq_hz
            .iter()
            .zip(&self.density)
            .filter(move |(f, _)| **f >= lo_hz - 1e-12 && **f <= hi_hz + 1e-12)
            .map(|(f, p)| (*f, *p))
    }
}

/// Welch PSD of `x` sampled at `fs_hz` with segments of `segment_len` samples.
///
/// A signal shorter than one segment is analysed as a single segment of its own length.
/// Returns `None` for fewer than 4 samples or a non-positive sampling rate.
pub fn welch(x: &[f64], fs_hz: f64, segment_len: usize) -> Option<Psd> {
    if x.len() < 4 || fs_hz <= 0.0 || !fs_hz.is_finite() {
        return None;
    }
    let n = segment_len.clamp(4, x.len());
    let step = (n / 2).max(1);
    let window: Vec<f64> = (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / n as f64).cos())
        .collect();
    let w_power: f64 = window.iter().map(|w| w * w).sum();
    let fft = FftPlanner::<f64>::new().plan_fft_forward(n);
    let bins = n / 2 + 1;
    let mut acc = vec![0.0; bins];
    let mut buf = vec![Complex::new(0.0, 0.0); n];
    let mut segments = 0;
    let mut start = 0;
    while start + n <= x.len() {
        let seg = &x[start..start + n];
        let (a, b) = linear_fit(seg);
        for (i, (c, w)) in buf.iter_mut().zip(&window).enumerate() {
            *c = Complex::new((seg[i] - (a + b * i as f64)) * w, 0.0);
        }
        fft.process(&mut buf);
        for (k, p) in acc.iter_mut().enumerate() {
            *p += buf[k].norm_sqr();
        }
        segments += 1;
        start += step;
    }
    let scale = 1.0 / (fs_hz * w_power * segments as f64);
    let density: Vec<f64> = acc
        .iter()
        .enumerate()
        .map(|(k, p)| {
            // one-sided: fold negative frequencies onto positive, except DC and Nyquist
            let fold = if k == 0 || (n % 2 == 0 && k == n / 2) {
                1.0
            } else {
                2.0
            };
            p * scale * fold
        })
        .collect();
    let df_hz = fs_hz / n as f64;
    Some(Psd {
        freq_hz: (0..bins).map(|k| k as f64 * df_hz).collect(),
        density,
        df_hz,
        segments,
    })
}

/// Least-squares line `a + b·i` through `y` over sample index `i`.
fn linear_fit(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let mean_i = (n - 1.0) / 2.0;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let di = i as f64 - mean_i;
        sxy += di * (v - mean_y);
        sxx += di * di;
    }
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (mean_y - b * mean_i, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amp: f64, f: f64, fs: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| amp * (2.0 * PI * f * i as f64 / fs).sin())
            .collect()
    }

    #[test]
    fn sine_on_a_bin_has_its_power_at_its_frequency() {
        // 1.5 Hz, amplitude 2 → power A²/2 = 2; 10-s segments at 100 Hz → df = 0.1 Hz
        let fs = 100.0;
        let x = sine(2.0, 1.5, fs, 6000);
        let psd = welch(&x, fs, 1000).unwrap();
        assert_eq!(psd.segments, 11);
        assert!((psd.df_hz - 0.1).abs() < 1e-12);
        let peak = psd
            .density
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        assert!((psd.freq_hz[peak] - 1.5).abs() < 1e-9);
        // Hann main lobe spans ±2 bins; the whole power lies there
        let p = psd.band_power(1.3, 1.7);
        assert!((p - 2.0).abs() < 1e-3, "band power {p}");
        let total = psd.band_power(0.0, 50.0);
        // detrending a sine segment removes its small linear component, which leaks ~0.1 %
        assert!((total - 2.0).abs() < 2e-3, "total {total}");
    }

    #[test]
    fn linear_trend_and_offset_are_removed() {
        let fs = 50.0;
        let clean = sine(1.0, 2.0, fs, 2500);
        let trended: Vec<f64> = clean
            .iter()
            .enumerate()
            .map(|(i, v)| v + 3.0 + 0.01 * i as f64)
            .collect();
        let a = welch(&clean, fs, 500).unwrap();
        let b = welch(&trended, fs, 500).unwrap();
        // a trend is not exactly linear within each detrended segment only if it were curved;
        // a straight line disappears completely
        for (pa, pb) in a.density.iter().zip(&b.density) {
            assert!((pa - pb).abs() < 1e-9);
        }
    }

    #[test]
    fn white_noise_density_is_flat_at_variance_over_nyquist() {
        // deterministic pseudo-random uniform noise, variance 1/12 → two-sided density σ²/fs,
        // one-sided 2σ²/fs
        let mut state = 12345u64;
        let x: Vec<f64> = (0..200_000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect();
        let fs = 100.0;
        let psd = welch(&x, fs, 256).unwrap();
        let expected = 2.0 * (1.0 / 12.0) / fs;
        let inner: Vec<f64> = psd.density[5..120].to_vec();
        let mean = inner.iter().sum::<f64>() / inner.len() as f64;
        assert!(
            (mean / expected - 1.0).abs() < 0.02,
            "mean density {mean} vs {expected}"
        );
        let total = psd.band_power(0.0, 50.0);
        assert!(
            (total / (1.0 / 12.0) - 1.0).abs() < 0.02,
            "total power {total}"
        );
    }

    #[test]
    fn short_input_uses_one_segment_and_tiny_input_is_rejected() {
        let x = sine(1.0, 5.0, 100.0, 300);
        let psd = welch(&x, 100.0, 1000).unwrap();
        assert_eq!(psd.segments, 1);
        assert_eq!(psd.freq_hz.len(), 151);
        assert!(welch(&[1.0, 2.0], 100.0, 256).is_none());
        assert!(welch(&x, 0.0, 256).is_none());
    }
}
