//! Unbiased autocorrelation normalised by the zero-lag value (Moe-Nilssen & Helbostad 2004):
//! `Ad(m) = [1/(N−m)] Σ x_i x_{i+m} / [(1/N) Σ x_i²]`, mean removed first.

/// Normalised unbiased autocorrelation for lags 0..=max_lag. Very long signals (over five
/// million multiply-adds) use the FFT (Wiener–Khinchin, zero-padded so the correlation is
/// linear, not circular); below that the vectorised direct sums are faster than planning.
pub fn unbiased_autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let var = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let max_lag = max_lag.min(n - 1);
    if var <= 0.0 {
        return vec![0.0; max_lag + 1];
    }
    let sums = if n * (max_lag + 1) > 5_000_000 {
        lagged_sums_fft(&d, max_lag)
    } else {
        lagged_sums_direct(&d, max_lag)
    };
    sums.iter()
        .enumerate()
        .map(|(m, s)| s / (n - m) as f64 / var)
        .collect()
}

fn lagged_sums_direct(d: &[f64], max_lag: usize) -> Vec<f64> {
    let n = d.len();
    (0..=max_lag)
        .map(|m| crate::signal::stats::dot(&d[..n - m], &d[m..]))
        .collect()
}

fn lagged_sums_fft(d: &[f64], max_lag: usize) -> Vec<f64> {
    use rustfft::{num_complex::Complex, FftPlanner};
    let len = (d.len() + max_lag + 1).next_power_of_two();
    let mut buf: Vec<Complex<f64>> = d.iter().map(|&v| Complex::new(v, 0.0)).collect();
    buf.resize(len, Complex::new(0.0, 0.0));
    let mut planner = FftPlanner::new();
    planner.plan_fft_forward(len).process(&mut buf);
    for c in buf.iter_mut() {
        *c = Complex::new(c.norm_sqr(), 0.0);
    }
    planner.plan_fft_inverse(len).process(&mut buf);
    buf[..=max_lag].iter().map(|c| c.re / len as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn fft_and_direct_sums_agree() {
        let x: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 113) as f64 / 10.0 + (i as f64 * 0.07).sin())
            .collect();
        let a = lagged_sums_direct(&x, 300);
        let b = lagged_sums_fft(&x, 300);
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-6 * a[0].abs(), "{p} vs {q}");
        }
    }

    #[test]
    fn periodic_signal_correlates_fully_at_its_period_and_negatively_at_half() {
        let x: Vec<f64> = (0..1000)
            .map(|i| (2.0 * PI * i as f64 / 50.0).sin())
            .collect();
        let r = unbiased_autocorrelation(&x, 100);
        assert!((r[0] - 1.0).abs() < 1e-12);
        assert!((r[50] - 1.0).abs() < 0.01, "{}", r[50]);
        assert!((r[25] + 1.0).abs() < 0.01, "{}", r[25]);
    }
}
