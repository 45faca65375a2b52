//! Unbiased autocorrelation normalised by the zero-lag value (Moe-Nilssen & Helbostad 2004):
//! `Ad(m) = [1/(N−m)] Σ x_i x_{i+m} / [(1/N) Σ x_i²]`, mean removed first.

/// Normalised unbiased autocorrelation for lags 0..=max_lag.
pub fn unbiased_autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let var = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let max_lag = max_lag.min(n - 1);
    (0..=max_lag)
        .map(|m| {
            if var <= 0.0 {
                return 0.0;
            }
            let s: f64 = d[..n - m].iter().zip(&d[m..]).map(|(a, b)| a * b).sum();
            s / (n - m) as f64 / var
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

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
