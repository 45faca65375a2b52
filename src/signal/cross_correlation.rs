//! Normalised cross-correlation over a bounded lag range (time alignment of two signals).

/// Pearson correlation of `a[i]` with `b[i + lag]` for each lag in `-max_lag..=max_lag`
/// (over the overlapping part). Returns `(lag, r)` pairs; lags with fewer than
/// `min_overlap` overlapping samples or no variance are left out.
pub fn cross_correlation(
    a: &[f64],
    b: &[f64],
    max_lag: usize,
    min_overlap: usize,
) -> Vec<(isize, f64)> {
    let max_lag = max_lag as isize;
    let mut out = Vec::with_capacity(2 * max_lag as usize + 1);
    for lag in -max_lag..=max_lag {
        let (a0, b0) = if lag >= 0 {
            (0usize, lag as usize)
        } else {
            ((-lag) as usize, 0usize)
        };
        if a0 >= a.len() || b0 >= b.len() {
            continue;
        }
        let m = (a.len() - a0).min(b.len() - b0);
        if m < min_overlap.max(2) {
            continue;
        }
        let (xa, xb) = (&a[a0..a0 + m], &b[b0..b0 + m]);
        let (ma, mb) = (
            xa.iter().sum::<f64>() / m as f64,
            xb.iter().sum::<f64>() / m as f64,
        );
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for (x, y) in xa.iter().zip(xb) {
            let (dx, dy) = (x - ma, y - mb);
            sab += dx * dy;
            saa += dx * dx;
            sbb += dy * dy;
        }
        if saa > 0.0 && sbb > 0.0 {
            out.push((lag, sab / (saa * sbb).sqrt()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delayed_copy_peaks_at_its_delay_with_r_one() {
        let a: Vec<f64> = (0..200).map(|i| ((i * 37 % 101) as f64).sin()).collect();
        let b: Vec<f64> = std::iter::repeat_n(0.0, 7)
            .chain(a.iter().copied())
            .collect();
        let xc = cross_correlation(&a, &b, 20, 50);
        let best = xc.iter().max_by(|x, y| x.1.total_cmp(&y.1)).unwrap();
        assert_eq!(best.0, 7);
        assert!((best.1 - 1.0).abs() < 1e-12);
        assert_eq!(xc.len(), 41);
        assert!(cross_correlation(&a, &b, 20, 1000).is_empty());
    }
}
