//! Stage 7c: harmonic ratio (HR; Smidt et al. 1971, Menz et al. 2003, Bellanca et al. 2013)
//! and improved harmonic ratio (iHR; Pasciuto et al. 2017).
//!
//! Per stride (contact to next contact of the same foot): mean removed, DFT of exactly the
//! stride's samples (no window, no padding) so that bin k is harmonic k. With amplitudes A_k
//! of the first 20 harmonics, AP and V: HR = Σ A_even / Σ A_odd; ML: HR = Σ A_odd / Σ A_even.
//! iHR = 100 · Σ P_intrinsic / Σ P (P = A², intrinsic = even for AP/V, odd for ML), 0–100 %.
//! Summaries: median HR (HR is skewed) and mean iHR over steady strides.

use rustfft::num_complex::Complex;
use rustfft::FftPlanner;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HarmonicRatios {
    pub hr_ap: f64,
    pub hr_v: f64,
    pub hr_ml: f64,
    pub ihr_ap_pct: f64,
    pub ihr_v_pct: f64,
    pub ihr_ml_pct: f64,
    pub n_strides: usize,
}

/// HR and iHR of one stride of one axis; `even_intrinsic` for AP and V, false for ML.
pub fn stride_harmonics(
    x: &[f64],
    even_intrinsic: bool,
    planner: &mut FftPlanner<f64>,
) -> Option<(f64, f64)> {
    let n = x.len();
    let kmax = 20.min((n.saturating_sub(1)) / 2);
    if kmax < 4 {
        return None;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let mut buf: Vec<Complex<f64>> = x.iter().map(|v| Complex::new(v - mean, 0.0)).collect();
    planner.plan_fft_forward(n).process(&mut buf);
    let (mut a_even, mut a_odd, mut p_even, mut p_odd) = (0.0, 0.0, 0.0, 0.0);
    for (k, c) in buf.iter().enumerate().take(kmax + 1).skip(1) {
        let a = c.norm();
        if k % 2 == 0 {
            a_even += a;
            p_even += a * a;
        } else {
            a_odd += a;
            p_odd += a * a;
        }
    }
    let (num, den, p_in) = if even_intrinsic {
        (a_even, a_odd, p_even)
    } else {
        (a_odd, a_even, p_odd)
    };
    let p_tot = p_even + p_odd;
    (den > 0.0 && p_tot > 0.0).then(|| (num / den, 100.0 * p_in / p_tot))
}

/// Harmonic ratios over strides given as sample ranges of the three axes.
pub fn harmonic_ratios(
    acc_v: &[f64],
    acc_ml: &[f64],
    acc_ap: &[f64],
    strides: &[std::ops::Range<usize>],
) -> Option<HarmonicRatios> {
    from_strides(&stride_values(acc_v, acc_ml, acc_ap, strides))
}

/// (harmonic ratio, intrinsic harmonic ratio %) of each stride for AP, V and ML; strides
/// where an axis has no value are left out.
pub fn stride_values(
    acc_v: &[f64],
    acc_ml: &[f64],
    acc_ap: &[f64],
    strides: &[std::ops::Range<usize>],
) -> Vec<[(f64, f64); 3]> {
    let mut planner = FftPlanner::new();
    let mut out = Vec::with_capacity(strides.len());
    for r in strides {
        let parts = [
            (&acc_ap[r.clone()], true),
            (&acc_v[r.clone()], true),
            (&acc_ml[r.clone()], false),
        ];
        let res: Vec<_> = parts
            .iter()
            .map(|(x, even)| stride_harmonics(x, *even, &mut planner))
            .collect();
        if let [Some(ap), Some(v), Some(ml)] = res[..] {
            out.push([ap, v, ml]);
        }
    }
    out
}

/// Median harmonic ratios and mean intrinsic ratios over the strides' values (see
/// [`stride_values`]), in the order given.
pub fn from_strides(values: &[[(f64, f64); 3]]) -> Option<HarmonicRatios> {
    let axis = |k: usize| -> (Vec<f64>, Vec<f64>) { values.iter().map(|v| v[k]).unzip() };
    let (hr_ap, ihr_ap) = axis(0);
    let (hr_v, ihr_v) = axis(1);
    let (hr_ml, ihr_ml) = axis(2);
    let med = |v: &Vec<f64>| crate::signal::stats::median(v);
    let mean = |v: &Vec<f64>| crate::signal::stats::mean(v);
    Some(HarmonicRatios {
        hr_ap: med(&hr_ap)?,
        hr_v: med(&hr_v)?,
        hr_ml: med(&hr_ml)?,
        ihr_ap_pct: mean(&ihr_ap)?,
        ihr_v_pct: mean(&ihr_v)?,
        ihr_ml_pct: mean(&ihr_ml)?,
        n_strides: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn known_harmonic_content_gives_exact_ratios() {
        // one stride of 100 samples: harmonic 2 amplitude 3, harmonic 1 amplitude 1, harmonic 3 amplitude 0.5
        let x: Vec<f64> = (0..100)
            .map(|i| {
                let p = 2.0 * PI * i as f64 / 100.0;
                (p).sin() + 3.0 * (2.0 * p).sin() + 0.5 * (3.0 * p).cos()
            })
            .collect();
        let mut planner = FftPlanner::new();
        let (hr, ihr) = stride_harmonics(&x, true, &mut planner).unwrap();
        assert!((hr - 3.0 / 1.5).abs() < 1e-9, "{hr}");
        assert!(
            (ihr - 100.0 * 9.0 / (1.0 + 9.0 + 0.25)).abs() < 1e-9,
            "{ihr}"
        );
        let (hr_ml, ihr_ml) = stride_harmonics(&x, false, &mut planner).unwrap();
        assert!((hr_ml - 1.5 / 3.0).abs() < 1e-9);
        assert!((ihr_ml - 100.0 * 1.25 / 10.25).abs() < 1e-9);
    }
}
