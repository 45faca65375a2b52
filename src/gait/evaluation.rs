//! Comparison of detected events with reference events: one-to-one nearest matching within
//! a tolerance, precision/recall/F1 and timing error. Used by the in-repo evaluations.

use serde::Serialize;

/// Result of matching detected event times against reference times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    /// (detected index, reference index) pairs.
    pub pairs: Vec<(usize, usize)>,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl MatchResult {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }

    /// Signed timing errors (detected − reference), s.
    pub fn errors_s(&self, detected_s: &[f64], reference_s: &[f64]) -> Vec<f64> {
        self.pairs
            .iter()
            .map(|&(d, r)| detected_s[d] - reference_s[r])
            .collect()
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Matches each reference event with at most one detected event within `tolerance_s`,
/// closest pairs first (so the result does not depend on event order).
pub fn match_events(detected_s: &[f64], reference_s: &[f64], tolerance_s: f64) -> MatchResult {
    let mut candidates = Vec::new();
    for (i, &d) in detected_s.iter().enumerate() {
        // reference is usually sorted; a full scan keeps this correct for any order
        for (j, &r) in reference_s.iter().enumerate() {
            let e = (d - r).abs();
            if e <= tolerance_s {
                candidates.push((e, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut used_d = vec![false; detected_s.len()];
    let mut used_r = vec![false; reference_s.len()];
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !used_d[i] && !used_r[j] {
            used_d[i] = true;
            used_r[j] = true;
            pairs.push((i, j));
        }
    }
    pairs.sort();
    let tp = pairs.len();
    MatchResult {
        pairs,
        true_positives: tp,
        false_positives: detected_s.len() - tp,
        false_negatives: reference_s.len() - tp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_one_to_one_matching() {
        let reference = [1.0, 2.0, 3.0, 4.0];
        let detected = [1.05, 1.08, 2.3, 3.02, 9.0];
        let m = match_events(&detected, &reference, 0.1);
        assert_eq!(m.pairs, vec![(0, 0), (3, 2)]);
        assert_eq!(
            (m.true_positives, m.false_positives, m.false_negatives),
            (2, 3, 2)
        );
        assert!((m.precision() - 0.4).abs() < 1e-12);
        assert!((m.recall() - 0.5).abs() < 1e-12);
        assert!((m.f1() - 4.0 / 9.0).abs() < 1e-12);
        let e = m.errors_s(&detected, &reference);
        assert!((e[0] - 0.05).abs() < 1e-12 && (e[1] - 0.02).abs() < 1e-12);
        let m2 = match_events(&detected, &reference, 0.35);
        assert_eq!(m2.true_positives, 3);
    }
}
