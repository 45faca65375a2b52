//! Left/right symmetry of a per-side parameter (per-side values first, then the index;
//! averaging per-stride indices is noisier and can cancel signs).
//!
//! Sign convention: every signed index is **right relative to left**, so a positive
//! step-time SI means the right step takes longer.
//!
//! Per-side values are **20 % trimmed means** of the counted strides (see
//! [`steady`](super::steady)): with one stride in five allowed to be wild on each side, a
//! single outlier stride (a missed toe-off, a stumble) cannot dominate, while for normal data
//! the estimate is nearly as precise as the mean (Wilcox, *Introduction to Robust Estimation
//! and Hypothesis Testing*; standard error after Yuen 1974 and Tukey & McLaughlin 1963). The
//! uncertainty of an index follows from both sides' standard errors by the delta method on
//! ln(R/L), with Welch–Satterthwaite degrees of freedom ([`SideComparison`]).

use serde::Serialize;

use super::events::PerSide;
use crate::signal::stats::{t_975, trimmed_mean, TrimmedMean, TRIM};

/// Symmetry index, % (Robinson, Herzog & Nigg 1987): (R − L) / ½(R + L) × 100.
/// 0 = symmetric; signed, positive when the right value is larger.
pub fn symmetry_index_pct(left: f64, right: f64) -> Option<f64> {
    let half_sum = 0.5 * (left + right);
    (half_sum.abs() > 1e-12).then(|| (right - left) / half_sum * 100.0)
}

/// Symmetry ratio, larger over smaller (Patterson et al. 2010); 1 = symmetric, normal 0.9–1.1
/// for temporal parameters (Patterson 2008).
pub fn symmetry_ratio(left: f64, right: f64) -> Option<f64> {
    let (lo, hi) = if left < right {
        (left, right)
    } else {
        (right, left)
    };
    (lo > 0.0).then(|| hi / lo)
}

/// Gait asymmetry, % (Plotnik et al. 2005): 100 × |ln(R / L)|; for swing time this is
/// 100·|ln(short/long)|.
pub fn gait_asymmetry_pct(left: f64, right: f64) -> Option<f64> {
    (left > 0.0 && right > 0.0).then(|| 100.0 * (right / left).ln().abs())
}

/// Evenness, % = smaller / larger × 100 (100 = perfectly even); the plain-language form of
/// the symmetry ratio shown to patients.
pub fn evenness_pct(left: f64, right: f64) -> Option<f64> {
    symmetry_ratio(left, right).map(|r| 100.0 / r)
}

/// All symmetry measures of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Symmetry {
    pub si_pct: Option<f64>,
    /// Half-width of the 95 % interval of the SI, percentage points; `None` when a side has
    /// too few strides to estimate its spread.
    pub si_ci95_pct: Option<f64>,
    pub ratio: Option<f64>,
    pub ga_pct: Option<f64>,
    /// Strides per side the index is computed from.
    pub n_strides: PerSide<usize>,
}

impl Symmetry {
    /// Measures from per-side values alone (no spread known).
    pub fn of(values: PerSide<Option<f64>>) -> Option<Symmetry> {
        let (l, r) = (values.left?, values.right?);
        Some(Symmetry {
            si_pct: symmetry_index_pct(l, r),
            si_ci95_pct: None,
            ratio: symmetry_ratio(l, r),
            ga_pct: gait_asymmetry_pct(l, r),
            n_strides: PerSide::default(),
        })
    }

    /// Measures from the per-stride values of each side (robust per-side values and the
    /// index's uncertainty, see [`SideComparison`]).
    pub fn from_samples(samples: &PerSide<Vec<f64>>) -> Option<Symmetry> {
        let c = SideComparison::of(samples)?;
        Some(Symmetry {
            si_pct: Some(c.si_pct),
            si_ci95_pct: c.si_ci95_pct,
            ratio: symmetry_ratio(c.left.value, c.right.value),
            ga_pct: gait_asymmetry_pct(c.left.value, c.right.value),
            n_strides: PerSide {
                left: c.left.n,
                right: c.right.n,
            },
        })
    }
}

/// One parameter compared between the sides: robust per-side values with their standard
/// errors, and the symmetry index with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideComparison {
    pub left: TrimmedMean,
    pub right: TrimmedMean,
    /// Symmetry index of the two per-side values, %.
    pub si_pct: f64,
    /// Standard error of the SI, percentage points.
    pub si_se_pct: Option<f64>,
    /// Degrees of freedom of `si_se_pct` (Welch–Satterthwaite).
    pub si_df: Option<usize>,
    /// Half-width of the 95 % interval of the SI (t quantile × SE), percentage points.
    pub si_ci95_pct: Option<f64>,
    /// Standard error of ln(R/L), from which every index's uncertainty follows.
    pub ln_ratio_se: Option<f64>,
}

impl SideComparison {
    /// Evenness (smaller/larger × 100) with its standard error (evenness × SE of ln(R/L)).
    pub fn evenness_pct(&self) -> Option<(f64, Option<f64>)> {
        let e = evenness_pct(self.left.value, self.right.value)?;
        Some((e, self.ln_ratio_se.map(|se| e * se)))
    }
}

impl SideComparison {
    /// From the per-stride values of each side: 20 % trimmed means, and the SI's standard
    /// error by the delta method. SI = 200·tanh(d/2) with d = ln(R/L), so
    /// SE(SI) = 100·(1 − (SI/200)²)·SE(d), SE(d)² = SE(R)²/R² + SE(L)²/L² (sides taken as
    /// independent, which can only overstate the uncertainty of strides paired in time).
    /// `None` when a side has no value or a per-side value is not positive.
    pub fn of(samples: &PerSide<Vec<f64>>) -> Option<SideComparison> {
        let left = trimmed_mean(&samples.left, TRIM)?;
        let right = trimmed_mean(&samples.right, TRIM)?;
        let (l, r) = (left.value, right.value);
        if !(l > 0.0 && r > 0.0) {
            return None;
        }
        let si_pct = symmetry_index_pct(l, r)?;
        let spread = match (left.se, right.se) {
            (Some(sl), Some(sr)) => {
                let (cl, cr) = ((sl / l).powi(2), (sr / r).powi(2));
                let se_d = (cl + cr).sqrt();
                let se = 100.0 * (1.0 - (si_pct / 200.0).powi(2)) * se_d;
                let df = if cl + cr > 0.0 {
                    let (dl, dr) = (left.df.max(1) as f64, right.df.max(1) as f64);
                    ((cl + cr).powi(2) / (cl * cl / dl + cr * cr / dr)).floor() as usize
                } else {
                    left.df + right.df
                };
                Some((se, df.max(1), se_d))
            }
            _ => None,
        };
        Some(SideComparison {
            left,
            right,
            si_pct,
            si_se_pct: spread.map(|s| s.0),
            si_df: spread.map(|s| s.1),
            si_ci95_pct: spread.map(|(se, df, _)| t_975(df) * se),
            ln_ratio_se: spread.map(|s| s.2),
        })
    }
}

/// Phase coordination index, % (Plotnik, Giladi & Hausdorff 2007).
///
/// `phases_deg`: for each stride of the reference leg, φ = 360° × (contralateral IC − IC) /
/// stride time. PCI = CV(φ) + 100 · mean|φ − 180°| / 180°. 0 = perfect anti-phase.
pub fn phase_coordination_index(phases_deg: &[f64]) -> Option<PciResult> {
    if phases_deg.len() < 2 {
        return None;
    }
    let cv = crate::signal::stats::cv_pct(phases_deg)?;
    let abs = phases_deg.iter().map(|p| (p - 180.0).abs()).sum::<f64>() / phases_deg.len() as f64;
    let p_abs = 100.0 * abs / 180.0;
    Some(PciResult {
        pci_pct: cv + p_abs,
        phase_cv_pct: cv,
        phase_abs_dev_deg: abs,
        mean_phase_deg: crate::signal::stats::mean(phases_deg)?,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PciResult {
    pub pci_pct: f64,
    pub phase_cv_pct: f64,
    pub phase_abs_dev_deg: f64,
    pub mean_phase_deg: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_percent_longer_right_step_gives_known_indices() {
        let (l, r) = (0.5, 0.55);
        assert!((symmetry_index_pct(l, r).unwrap() - 9.523809523809524).abs() < 1e-12);
        assert!((symmetry_index_pct(r, l).unwrap() + 9.523809523809524).abs() < 1e-12);
        assert!((symmetry_ratio(l, r).unwrap() - 1.1).abs() < 1e-12);
        assert!((symmetry_ratio(r, l).unwrap() - 1.1).abs() < 1e-12);
        assert!((gait_asymmetry_pct(l, r).unwrap() - 100.0 * 1.1f64.ln()).abs() < 1e-12);
        assert!((evenness_pct(l, r).unwrap() - 90.9090909).abs() < 1e-6);
        assert_eq!(symmetry_index_pct(0.0, 0.0), None);
        assert_eq!(symmetry_ratio(0.0, 1.0), None);
    }

    #[test]
    fn pci_is_zero_for_perfect_antiphase_and_grows_with_offset() {
        assert_eq!(phase_coordination_index(&[180.0; 10]).unwrap().pci_pct, 0.0);
        let shifted = phase_coordination_index(&[198.0; 10]).unwrap();
        assert!((shifted.pci_pct - 10.0).abs() < 1e-12); // 18° off = 10 %, no variability
        let alternating = phase_coordination_index(&[170.0, 190.0, 170.0, 190.0]).unwrap();
        assert!((alternating.phase_abs_dev_deg - 10.0).abs() < 1e-12);
        assert!(alternating.phase_cv_pct > 0.0);
    }

    #[test]
    fn side_comparison_is_robust_to_one_wild_stride_and_carries_its_uncertainty() {
        // right stance 10 % longer than left; one wild right stride (a missed toe-off)
        let left: Vec<f64> = (0..10)
            .map(|k| 0.60 + 0.01 * ((k % 5) as f64 - 2.0))
            .collect();
        let mut right: Vec<f64> = left.iter().map(|v| 1.1 * v).collect();
        right[3] = 1.5;
        let c = SideComparison::of(&PerSide {
            left: left.clone(),
            right,
        })
        .unwrap();
        assert!((c.left.value - 0.60).abs() < 1e-12, "{c:?}");
        // trimming 2 of 10 per end removes the wild stride; the trimmed right mean stays near 0.66
        assert!((c.right.value - 0.66).abs() < 0.003, "{c:?}");
        let si = c.si_pct;
        assert!((si - symmetry_index_pct(0.60, c.right.value).unwrap()).abs() < 1e-12);
        assert!(si > 8.5 && si < 10.0, "{si}");
        // delta method by hand
        let (sl, sr) = (c.left.se.unwrap(), c.right.se.unwrap());
        let se_d = ((sl / c.left.value).powi(2) + (sr / c.right.value).powi(2)).sqrt();
        let se = 100.0 * (1.0 - (si / 200.0).powi(2)) * se_d;
        assert!((c.si_se_pct.unwrap() - se).abs() < 1e-12);
        let df = c.si_df.unwrap();
        assert!((5..=10).contains(&df), "{df}");
        assert!((c.si_ci95_pct.unwrap() - t_975(df) * se).abs() < 1e-12);
        // identical sides: SI 0 with a finite interval; one stride per side: no interval
        let same = SideComparison::of(&PerSide {
            left: left.clone(),
            right: left,
        })
        .unwrap();
        assert!(same.si_pct.abs() < 1e-12 && same.si_ci95_pct.unwrap() > 0.0);
        let one = SideComparison::of(&PerSide {
            left: vec![0.6],
            right: vec![0.7],
        })
        .unwrap();
        assert_eq!(one.si_ci95_pct, None);
        assert!(SideComparison::of(&PerSide {
            left: vec![],
            right: vec![0.7]
        })
        .is_none());
    }
}
