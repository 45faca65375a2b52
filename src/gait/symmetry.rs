//! Left/right symmetry of a per-side parameter (means over steady strides first, then the
//! index; averaging per-stride indices is noisier and can cancel signs).
//!
//! Sign convention: every signed index is **right relative to left**, so a positive
//! step-time SI means the right step takes longer.

use serde::Serialize;

use super::events::PerSide;

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
    pub ratio: Option<f64>,
    pub ga_pct: Option<f64>,
}

impl Symmetry {
    pub fn of(means: PerSide<Option<f64>>) -> Option<Symmetry> {
        let (l, r) = (means.left?, means.right?);
        Some(Symmetry {
            si_pct: symmetry_index_pct(l, r),
            ratio: symmetry_ratio(l, r),
            ga_pct: gait_asymmetry_pct(l, r),
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
}
