//! Extrema and zero crossings of sampled signals; peak picking with a height threshold and a
//! minimum distance (largest peak wins, as `scipy.signal.find_peaks(height, distance)`).

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

/// Indices of local maxima with `x[i] >= min_height`, at least `min_distance` samples apart;
/// when two are closer, the larger is kept. Plateaus report their first sample.
pub fn find_peaks(x: &[f64], min_height: f64, min_distance: usize) -> Vec<usize> {
    let candidates: Vec<usize> = local_maxima(x)
        .into_iter()
        .filter(|&i| x[i] >= min_height)
        .collect();
    if min_distance <= 1 || candidates.len() < 2 {
        return candidates;
    }
    // Greedy by height: accept the tallest peak, suppress its neighbours, continue.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        x[candidates[b]]
            .total_cmp(&x[candidates[a]])
            .then(a.cmp(&b))
    });
    let mut keep = vec![true; candidates.len()];
    for &k in &order {
        if !keep[k] {
            continue;
        }
        let p = candidates[k];
        let mut left = k;
        while left > 0 && p - candidates[left - 1] < min_distance {
            left -= 1;
            keep[left] = false;
        }
        let mut right = k + 1;
        while right < candidates.len() && candidates[right] - p < min_distance {
            keep[right] = false;
            right += 1;
        }
    }
    candidates
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// Index of the smallest value in `x[range]` (first one on ties); `None` for an empty range.
pub fn argmin(x: &[f64], range: std::ops::Range<usize>) -> Option<usize> {
    let range = range.start.min(x.len())..range.end.min(x.len());
    range
        .clone()
        .zip(&x[range])
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

/// Index of the largest value in `x[range]` (first one on ties); `None` for an empty range.
pub fn argmax(x: &[f64], range: std::ops::Range<usize>) -> Option<usize> {
    let range = range.start.min(x.len())..range.end.min(x.len());
    range
        .clone()
        .zip(&x[range])
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// Direction of a zero crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// From negative to zero or positive.
    Rising,
    /// From positive to zero or negative.
    Falling,
}

/// First crossing of zero in `x[range]`, as a fractional sample position (linear
/// interpolation between the two samples around it).
pub fn first_zero_crossing(
    x: &[f64],
    range: std::ops::Range<usize>,
    direction: Crossing,
) -> Option<f64> {
    let end = range.end.min(x.len());
    let start = range.start.max(1);
    (start..end).find_map(|i| {
        let (a, b) = (x[i - 1], x[i]);
        let hit = match direction {
            Crossing::Rising => a < 0.0 && b >= 0.0,
            Crossing::Falling => a > 0.0 && b <= 0.0,
        };
        hit.then(|| (i - 1) as f64 + a / (a - b))
    })
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

    #[test]
    fn peaks_respect_height_and_keep_the_larger_of_close_pairs() {
        let x = [0.0, 1.0, 0.0, 3.0, 0.0, 2.0, 0.0, 0.0, 0.0, 5.0, 5.0, 0.0];
        assert_eq!(find_peaks(&x, 0.5, 1), vec![1, 3, 5, 9]);
        assert_eq!(find_peaks(&x, 1.5, 1), vec![3, 5, 9]);
        assert_eq!(find_peaks(&x, 0.5, 3), vec![3, 9]);
        assert_eq!(find_peaks(&[1.0, 2.0, 3.0], 0.0, 1), Vec::<usize>::new()); // edge, not a peak
    }

    #[test]
    fn extrema_and_crossings_are_located_between_samples() {
        let x: Vec<f64> = (0..20).map(|i| (i as f64 - 7.3).powi(2)).collect();
        assert_eq!(argmin(&x, 0..20), Some(7));
        assert!((7.0 + parabolic_offset(&x, 7) - 7.3).abs() < 1e-9);
        assert_eq!(argmax(&x, 5..9), Some(5));
        assert_eq!(argmin(&x, 30..40), None);
        let y: Vec<f64> = (0..10).map(|i| i as f64 - 4.25).collect();
        assert!((first_zero_crossing(&y, 0..10, Crossing::Rising).unwrap() - 4.25).abs() < 1e-12);
        assert_eq!(first_zero_crossing(&y, 0..10, Crossing::Falling), None);
        let z: Vec<f64> = y.iter().map(|v| -v).collect();
        assert!((first_zero_crossing(&z, 0..10, Crossing::Falling).unwrap() - 4.25).abs() < 1e-12);
    }

    proptest::proptest! {
        /// Kept peaks are local maxima above the height, `distance` apart, and every dropped
        /// candidate lies within `distance` of a kept peak at least as high.
        #[test]
        fn find_peaks_keeps_spacing_and_the_tallest(
            x in proptest::collection::vec(-10.0f64..10.0, 3..200),
            height in -5.0f64..5.0,
            distance in 1usize..20,
        ) {
            let kept = find_peaks(&x, height, distance);
            for w in kept.windows(2) {
                proptest::prop_assert!(w[1] - w[0] >= distance);
            }
            let candidates: Vec<usize> = local_maxima(&x).into_iter().filter(|&i| x[i] >= height).collect();
            for &k in &kept {
                proptest::prop_assert!(candidates.contains(&k));
            }
            for c in candidates.iter().filter(|c| !kept.contains(c)) {
                proptest::prop_assert!(kept.iter().any(|&k| k.abs_diff(*c) < distance && x[k] >= x[*c]));
            }
        }
    }
}
