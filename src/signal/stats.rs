//! Small descriptive statistics over slices. Empty input gives `None`, never NaN.

/// Dot product of two equally long slices with four independent partial sums, so the
/// compiler can vectorise it (a single running sum forces one addition after another).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample standard deviation (n − 1).
pub fn std_dev(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some((x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt())
}

/// Coefficient of variation, % (100 · SD / mean).
pub fn cv_pct(x: &[f64]) -> Option<f64> {
    let m = mean(x)?;
    (m.abs() > 0.0).then_some(())?;
    Some(100.0 * std_dev(x)? / m)
}

pub fn median(x: &[f64]) -> Option<f64> {
    percentile(x, 50.0)
}

/// Linear-interpolated percentile (as numpy's default), `p` in 0–100.
pub fn percentile(x: &[f64], p: f64) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let mut v = x.to_vec();
    let pos = (p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    // selection instead of a full sort: the moving medians call this thousands of times
    let (_, &mut at_lo, above) = v.select_nth_unstable_by(lo, |a, b| a.total_cmp(b));
    if pos == lo as f64 {
        return Some(at_lo);
    }
    let next = above
        .iter()
        .copied()
        .min_by(|a, b| a.total_cmp(b))
        .unwrap_or(at_lo);
    Some(at_lo + (pos - lo as f64) * (next - at_lo))
}

pub fn rms(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt())
}

/// Half-width of the 95 % confidence interval of the mean (t distribution).
pub fn ci95_half_width(x: &[f64]) -> Option<f64> {
    let sd = std_dev(x)?;
    Some(t_975(x.len() - 1) * sd / (x.len() as f64).sqrt())
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom.
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        31..=60 => 2.042 - (df - 30) as f64 * (2.042 - 2.000) / 30.0,
        61..=120 => 2.000 - (df - 60) as f64 * (2.000 - 1.980) / 60.0,
        _ => 1.960,
    }
}

/// Robust standard deviation: 1.4826 × the median absolute deviation from the median (equals
/// the SD for normal data; Rousseeuw & Croux 1993, J Am Stat Assoc 88:1273–1283).
pub fn mad_sd(x: &[f64]) -> Option<f64> {
    let m = median(x)?;
    let dev: Vec<f64> = x.iter().map(|v| (v - m).abs()).collect();
    Some(1.4826 * median(&dev)?)
}

/// Proportion trimmed from each end by [`trimmed_mean`]: 20 %, the amount Wilcox recommends
/// as a default (efficient for normal data, resistant to outliers).
pub const TRIM: f64 = 0.2;

/// A trimmed mean with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TrimmedMean {
    pub value: f64,
    /// Standard error (Yuen 1974 / Tukey & McLaughlin 1963); `None` with fewer than two
    /// values left after trimming.
    pub se: Option<f64>,
    /// Degrees of freedom of `se`: values left after trimming − 1.
    pub df: usize,
    pub n: usize,
}

/// Mean after dropping ⌊`trim` · n⌋ values from each end, with the standard error from the
/// winsorized variance: SE² = (n − 1) s_w² / (h (h − 1)), h = n − 2⌊trim · n⌋ (Yuen 1974,
/// Biometrika 61:165–170; Tukey & McLaughlin 1963, Sankhyā A 25:331–352; as in Wilcox,
/// *Introduction to Robust Estimation and Hypothesis Testing*).
pub fn trimmed_mean(x: &[f64], trim: f64) -> Option<TrimmedMean> {
    let n = x.len();
    if n == 0 {
        return None;
    }
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let g = ((trim.clamp(0.0, 0.49) * n as f64).floor() as usize).min((n - 1) / 2);
    let h = n - 2 * g;
    let value = v[g..n - g].iter().sum::<f64>() / h as f64;
    let se = (h >= 2).then(|| {
        let (lo, hi) = (v[g], v[n - 1 - g]);
        let w: Vec<f64> = v.iter().map(|x| x.clamp(lo, hi)).collect();
        let wm = w.iter().sum::<f64>() / n as f64;
        let s2 = w.iter().map(|x| (x - wm).powi(2)).sum::<f64>() / (n - 1) as f64;
        ((n - 1) as f64 * s2 / (h * (h - 1)) as f64).sqrt()
    });
    Some(TrimmedMean {
        value,
        se,
        df: h.saturating_sub(1),
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_product_of_any_length() {
        for n in [0usize, 1, 3, 4, 7, 64, 101] {
            let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
            let b: Vec<f64> = (0..n).map(|i| 2.0 - i as f64).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-9, "n = {n}");
        }
    }

    #[test]
    fn known_values() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert!((std_dev(&x).unwrap() - 2.138089935).abs() < 1e-9);
        assert!((cv_pct(&x).unwrap() - 42.7617987).abs() < 1e-6);
        assert_eq!(median(&x), Some(4.5));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 25.0), Some(1.75));
        assert_eq!(rms(&[3.0, -4.0]), Some((12.5f64).sqrt()));
        assert!((ci95_half_width(&[1.0, 2.0, 3.0]).unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(mean(&[]), None);
        assert_eq!(std_dev(&[1.0]), None);
    }

    #[test]
    fn trimmed_mean_and_its_standard_error_by_hand() {
        // n = 10, g = 2: mean of the middle six; winsorized sample 3,3,3,4,5,6,7,8,8,8
        let x = [100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let t = trimmed_mean(&x, TRIM).unwrap();
        assert!((t.value - 5.5).abs() < 1e-12);
        let w = [3.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0];
        let s2 = std_dev(&w).unwrap().powi(2);
        assert!((t.se.unwrap() - (9.0 * s2 / 30.0).sqrt()).abs() < 1e-12);
        assert_eq!((t.df, t.n), (5, 10));
        // too few to trim: the plain mean and its standard error
        let small = trimmed_mean(&[1.0, 2.0, 6.0], TRIM).unwrap();
        assert!((small.value - 3.0).abs() < 1e-12);
        assert!(
            (small.se.unwrap() - std_dev(&[1.0, 2.0, 6.0]).unwrap() / 3f64.sqrt()).abs() < 1e-12
        );
        assert_eq!(trimmed_mean(&[4.0], TRIM).unwrap().se, None);
        assert_eq!(trimmed_mean(&[], TRIM), None);
        assert!((mad_sd(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap() - 1.4826).abs() < 1e-12);
    }
}
