//! Numerical integration.

/// Cumulative trapezoidal integral of `x` sampled at `fs_hz`, starting at 0.
pub fn cumulative_trapezoid(x: &[f64], fs_hz: f64) -> Vec<f64> {
    let dt = 1.0 / fs_hz;
    let mut out = Vec::with_capacity(x.len());
    let mut acc = 0.0;
    if let Some(&first) = x.first() {
        out.push(0.0);
        let mut prev = first;
        for &v in &x[1..] {
            acc += 0.5 * (prev + v) * dt;
            out.push(acc);
            prev = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_a_ramp_exactly() {
        // ∫ 2t dt = t² (trapezoid is exact for linear functions)
        let fs = 50.0;
        let x: Vec<f64> = (0..101).map(|i| 2.0 * i as f64 / fs).collect();
        let y = cumulative_trapezoid(&x, fs);
        assert!((y[100] - 4.0).abs() < 1e-12);
        assert!((y[50] - 1.0).abs() < 1e-12);
    }
}
