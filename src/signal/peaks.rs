//! Extrema and zero crossings of sampled signals.

/// Indices of strict local maxima (plateaus report their first sample).
pub fn local_maxima(x: &[f64]) -> Vec<usize> {
    let mut out = Vec::new();
    let n = x.len();
    let mut i = 1;
    while i + 1 < n {
        if x[i] > x[i - 1] {
            let mut j = i;
            while j + 1 < n && x[j + 1] == x[i] {
                j += 1;
            }
            if j + 1 < n && x[j + 1] < x[i] {
                out.push(i);
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Indices of strict local minima.
pub fn local_minima(x: &[f64]) -> Vec<usize> {
    let neg: Vec<f64> = x.iter().map(|v| -v).collect();
    local_maxima(&neg)
}

/// Sub-sample position of an extremum at `i` by a parabola through its neighbours.
pub fn parabolic_offset(x: &[f64], i: usize) -> f64 {
    if i == 0 || i + 1 >= x.len() {
        return 0.0;
    }
    let (a, b, c) = (x[i - 1], x[i], x[i + 1]);
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-15 {
        0.0
    } else {
        (0.5 * (a - c) / den).clamp(-0.5, 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_extrema_and_subsample_position() {
        let x = [0.0, 1.0, 0.0, -1.0, 0.0, 2.0, 2.0, 1.0];
        assert_eq!(local_maxima(&x), vec![1, 5]);
        assert_eq!(local_minima(&x), vec![3]);
        // parabola y = −(t − 0.25)² sampled at −1, 0, 1 → peak at +0.25
        let p: Vec<f64> = [-1.0f64, 0.0, 1.0]
            .iter()
            .map(|t| -(t - 0.25f64).powi(2))
            .collect();
        assert!((parabolic_offset(&p, 1) - 0.25).abs() < 1e-12);
    }
}
