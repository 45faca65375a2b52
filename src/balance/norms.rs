//! Published norms for single-leg stance, with citation, and the below-norm flag.
//!
//! Springer BA, Marin R, Cyhan T, Roberts H, Gill NW. Normative values for the unipedal stance
//! test with eyes open and closed. J Geriatr Phys Ther 2007;30(1):8–15 (n = 549; best of 3
//! trials, eyes open, sexes combined; values as quoted by a clinical summary, metrics.md C2).
//! Eyes-closed norms are not shipped: they were not verified against the paper.

use serde::Serialize;

pub const SLS_NORM_SOURCE: &str =
    "Springer et al. 2007, J Geriatr Phys Ther 30(1):8-15 (best of 3, eyes open)";

/// (lowest age, highest age, best-of-3 eyes-open hold time in s).
const SLS_EYES_OPEN_BEST_S: [(f64, f64, f64); 6] = [
    (18.0, 39.0, 44.0),
    (40.0, 49.0, 41.0),
    (50.0, 59.0, 41.0),
    (60.0, 69.0, 32.0),
    (70.0, 79.0, 21.0),
    (80.0, 99.0, 9.0),
];

/// A hold time compared with its age norm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormComparison {
    /// Age band of the norm, e.g. "60–69".
    pub age_group: String,
    pub norm_s: f64,
    pub value_s: f64,
    /// True when the hold time is below the norm.
    pub below_norm: bool,
    pub source: &'static str,
}

/// Best-of-3 eyes-open single-leg stance norm for an age in years; `None` outside 18–99
/// (ages are truncated to whole years).
pub fn sls_eyes_open_norm_s(age_years: f64) -> Option<(String, f64)> {
    let age = age_years.floor();
    SLS_EYES_OPEN_BEST_S
        .iter()
        .find(|(lo, hi, _)| age >= *lo && age <= *hi)
        .map(|(lo, hi, v)| (format!("{lo:.0}–{hi:.0}"), *v))
}

/// Compares a best hold time with the norm; the comparison is only meaningful when the
/// protocol maximum is at least the norm (a 30-s cap cannot reach a 44-s norm), so such
/// comparisons return `None`.
pub fn compare_sls(best_hold_s: f64, age_years: f64, max_hold_s: f64) -> Option<NormComparison> {
    let (age_group, norm_s) = sls_eyes_open_norm_s(age_years)?;
    if max_hold_s < norm_s {
        return None;
    }
    Some(NormComparison {
        age_group,
        norm_s,
        value_s: best_hold_s,
        below_norm: best_hold_s < norm_s,
        source: SLS_NORM_SOURCE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_and_flags() {
        assert_eq!(sls_eyes_open_norm_s(25.0), Some(("18–39".into(), 44.0)));
        assert_eq!(sls_eyes_open_norm_s(39.9), Some(("18–39".into(), 44.0)));
        assert_eq!(sls_eyes_open_norm_s(65.0).unwrap().1, 32.0);
        assert_eq!(sls_eyes_open_norm_s(85.0).unwrap().1, 9.0);
        assert_eq!(sls_eyes_open_norm_s(12.0), None);
        let c = compare_sls(25.0, 66.0, 45.0).unwrap();
        assert!(c.below_norm && c.norm_s == 32.0);
        assert!(!compare_sls(35.0, 66.0, 45.0).unwrap().below_norm);
        // a 30-s protocol cannot be judged against a 32-s norm
        assert!(compare_sls(30.0, 66.0, 30.0).is_none());
        assert!(!compare_sls(30.0, 75.0, 30.0).unwrap().below_norm);
    }
}
