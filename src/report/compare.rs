//! Before/after verdicts per metric: improved / unchanged / worse, and whether the change is
//! meaningful.
//!
//! Following metrics.md C4, a change is *real* when it exceeds the measurement's own
//! uncertainty — the 95 % confidence interval of the difference of the two session values,
//! from both sessions' standard errors combined (Welch–Satterthwaite): for a mean, SD/√n of
//! its per-stride (or per-trial) samples; for a left/right index, the uncertainty carried by
//! the index itself (robust per-side values, see `gait::symmetry`) — and *clinically
//! important* when it also reaches the minimal clinically important difference (MCID) where
//! one is published. Every verdict names the rule that decided it, and left/right indices
//! say how many strides of each side they came from.

use serde::Serialize;

use super::model::{format_value, Better, Mcid, Metric, SessionMetrics, Uncertainty};
use crate::error::{Error, Result};
use crate::gait::PerSide;

/// Substantial meaningful change in gait speed, m/s: Perera et al. 2006, J Am Geriatr Soc
/// 54:743–749 (older adults; 0.05 m/s small, 0.10 m/s substantial); Bohannon & Glenney 2014,
/// J Eval Clin Pract 20:295–300 report 0.10–0.20 m/s across pathologies.
pub const GAIT_SPEED_MCID_MPS: f64 = 0.10;
pub const GAIT_SPEED_MCID_CITATION: &str = "Perera et al. 2006; Bohannon & Glenney 2014";

/// Typical temporal symmetry ratio (larger/smaller side), Patterson et al. 2008.
pub const SYMMETRY_RATIO_NORMAL: (f64, f64) = (0.9, 1.1);
pub const SYMMETRY_RATIO_CITATION: &str = "Patterson et al. 2008";

/// |SI| of the typical band edge: SI of a symmetry ratio of 1.1 = 2 (r − 1) / (r + 1) × 100
/// = 9.52 %.
pub fn typical_si_limit_pct() -> f64 {
    let r = SYMMETRY_RATIO_NORMAL.1;
    200.0 * (r - 1.0) / (r + 1.0)
}

/// Typical left/right evenness (smaller/larger step time), %: the symmetry ratio limit 1.1
/// is 90.9 %, shown to patients as the round 90 % used throughout gaitkit's reports.
pub const EVENNESS_NORMAL_MIN_PCT: f64 = 90.0;

/// Range of mean comfortable gait speed over sex and age strata of healthy adults (women 80–99
/// to men 40–49 years), m/s: Bohannon & Andrews 2011, Physiotherapy 97:182–189.
pub const GAIT_SPEED_NORMAL_MPS: (f64, f64) = (0.943, 1.434);
pub const GAIT_SPEED_NORMAL_CITATION: &str = "Bohannon & Andrews 2011";

/// Gait speed MCID as a model value.
pub fn gait_speed_mcid() -> Mcid {
    Mcid {
        value: GAIT_SPEED_MCID_MPS,
        citation: GAIT_SPEED_MCID_CITATION.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    Unchanged,
    Worse,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Worse => "worse",
        }
    }
}

/// The rule that decided a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Fewer than two per-stride (or per-trial) values in a session, or none at all for a
    /// whole-walk measure (e.g. a CV): the uncertainty is unknown, so no change is claimed.
    TooFewSamples,
    /// |Δ| within the 95 % interval of the difference: not distinguishable from noise.
    WithinUncertainty,
    /// Beyond the 95 % interval, but neither closer to nor farther from the target.
    NotCloserToTarget,
    /// Beyond the 95 % interval but smaller than the published MCID: real, not clinically
    /// important.
    BelowMcid,
    /// Beyond the 95 % interval; no MCID is published for this metric.
    BeyondUncertainty,
    /// Beyond the 95 % interval and at least the published MCID.
    BeyondUncertaintyAndMcid,
}

/// Change of one metric between two sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub decimals: usize,
    pub before: f64,
    pub after: f64,
    /// after − before, in the metric's unit.
    pub delta: f64,
    /// Half-width of the 95 % confidence interval of `delta`; `None` with too few samples.
    pub ci95_half_width: Option<f64>,
    pub mcid: Option<Mcid>,
    pub verdict: Verdict,
    /// Real (beyond uncertainty) and, where published, at least the MCID.
    pub meaningful: bool,
    pub rule: Rule,
    /// Strides of each side behind a left/right index, before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strides_before: Option<PerSide<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strides_after: Option<PerSide<usize>>,
}

impl Change {
    /// One sentence saying which rule decided, with the numbers, e.g. "+0.14 m/s exceeds its
    /// 95 % interval (±0.05 m/s) and the MCID of 0.10 m/s (Perera et al. 2006)".
    pub fn explanation(&self) -> String {
        let d = self.delta;
        let delta = format!(
            "{}{}",
            if d > 0.0 { "+" } else { "" },
            format_value(d, self.decimals, &self.unit)
        );
        let ci = self
            .ci95_half_width
            .map(|h| format!("±{}", format_value(h, self.decimals, &self.unit)));
        let mcid = self.mcid.as_ref().map(|m| {
            format!(
                "{} ({})",
                format_value(m.value, self.decimals, &self.unit),
                m.citation
            )
        });
        let text = match self.rule {
            Rule::TooFewSamples => format!(
                "{delta}: too few per-stride or per-trial values to estimate its uncertainty, so no change is claimed"
            ),
            Rule::WithinUncertainty => {
                format!("{delta} is within its 95 % interval ({}): no change beyond measurement noise", ci.unwrap_or_default())
            }
            Rule::NotCloserToTarget => format!(
                "{delta} exceeds its 95 % interval ({}) but is no closer to the target",
                ci.unwrap_or_default()
            ),
            Rule::BelowMcid => format!(
                "{delta} exceeds its 95 % interval ({}) but is below the minimal clinically important difference of {}",
                ci.unwrap_or_default(),
                mcid.unwrap_or_default()
            ),
            Rule::BeyondUncertainty => format!(
                "{delta} exceeds its 95 % interval ({}); no minimal clinically important difference is published",
                ci.unwrap_or_default()
            ),
            Rule::BeyondUncertaintyAndMcid => format!(
                "{delta} exceeds its 95 % interval ({}) and the minimal clinically important difference of {}",
                ci.unwrap_or_default(),
                mcid.unwrap_or_default()
            ),
        };
        match (self.strides_before, self.strides_after) {
            (Some(b), Some(a)) => format!(
                "{text} (left/right strides: {}/{} before, {}/{} after)",
                b.left, b.right, a.left, a.right
            ),
            _ => text,
        }
    }

    /// "improved (meaningful)", "worse (real, below MCID)", "unchanged".
    pub fn verdict_text(&self) -> String {
        match (self.verdict, self.meaningful) {
            (Verdict::Unchanged, _) => "unchanged".to_string(),
            (v, true) => format!("{} (meaningful)", v.as_str()),
            (v, false) => format!("{} (not clinically meaningful)", v.as_str()),
        }
    }
}

/// Half-width of the 95 % confidence interval of the difference of two means (Welch:
/// unequal variances, Welch–Satterthwaite degrees of freedom rounded down).
pub fn ci95_of_difference(before: &[f64], after: &[f64]) -> Option<f64> {
    let (b, a) = (Uncertainty::of_mean(before)?, Uncertainty::of_mean(after)?);
    Some(Uncertainty::of_difference(&b, &a).ci95_half_width())
}

/// Verdict for one metric measured in two sessions: the change is claimed only when it
/// exceeds the 95 % interval of the difference, from both sessions' uncertainties combined.
pub fn compare_metric(before: &Metric, after: &Metric) -> Change {
    let delta = after.value - before.value;
    let ci = match (before.value_uncertainty(), after.value_uncertainty()) {
        (Some(b), Some(a)) => Some(Uncertainty::of_difference(&b, &a).ci95_half_width()),
        _ => None,
    };
    let mcid = after.mcid.clone().or_else(|| before.mcid.clone());
    let direction = match after.better {
        Better::Higher => delta.partial_cmp(&0.0),
        Better::Lower => 0.0f64.partial_cmp(&delta),
        Better::Closer(target) => (before.value - target)
            .abs()
            .partial_cmp(&(after.value - target).abs()),
    };
    let direction = match direction {
        Some(std::cmp::Ordering::Greater) => Verdict::Improved,
        Some(std::cmp::Ordering::Less) => Verdict::Worse,
        _ => Verdict::Unchanged,
    };
    let (verdict, meaningful, rule) = match ci {
        None => (Verdict::Unchanged, false, Rule::TooFewSamples),
        Some(h) if delta.abs() <= h => (Verdict::Unchanged, false, Rule::WithinUncertainty),
        Some(_) if direction == Verdict::Unchanged => {
            (Verdict::Unchanged, false, Rule::NotCloserToTarget)
        }
        Some(_) => match &mcid {
            Some(m) if delta.abs() < m.value => (direction, false, Rule::BelowMcid),
            Some(_) => (direction, true, Rule::BeyondUncertaintyAndMcid),
            None => (direction, true, Rule::BeyondUncertainty),
        },
    };
    Change {
        key: after.key.clone(),
        name: after.name.clone(),
        unit: after.unit.clone(),
        decimals: after.decimals,
        before: before.value,
        after: after.value,
        delta,
        ci95_half_width: ci,
        mcid,
        verdict,
        meaningful,
        rule,
        strides_before: before.strides_per_side,
        strides_after: after.strides_per_side,
    }
}

/// All verdicts between two sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub before_label: String,
    pub after_label: String,
    /// Metrics present in both sessions, in the order of the after session.
    pub changes: Vec<Change>,
}

impl Comparison {
    pub fn change(&self, key: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.key == key)
    }
}

/// Refuses to compare sessions that do not measure the same thing: a different task, different
/// sensor placements, or a session without metrics (e.g. no walking found).
pub fn check_comparable(before: &SessionMetrics, after: &SessionMetrics) -> Result<()> {
    for s in [before, after] {
        if s.metrics.is_empty() && s.side_metrics.is_empty() {
            return Err(Error::NotEnoughData(format!(
                "session \"{}\" has no measured metrics (no walking or trial was found), so there is nothing to compare",
                s.label
            )));
        }
    }
    if let (Some(tb), Some(ta)) = (&before.task, &after.task) {
        if tb != ta {
            return Err(Error::Unsupported(format!(
                "cannot compare \"{}\" (task {tb}) with \"{}\" (task {ta}): sessions of different tasks are not comparable",
                before.label, after.label
            )));
        }
    }
    let mut pb = before.placements.clone();
    let mut pa = after.placements.clone();
    pb.sort();
    pa.sort();
    if pb != pa {
        let names = |p: &[crate::recording::Placement]| {
            p.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
        };
        return Err(Error::Unsupported(format!(
            "cannot compare \"{}\" (sensors: {}) with \"{}\" (sensors: {}): sensor placements differ",
            before.label,
            names(&pb),
            after.label,
            names(&pa)
        )));
    }
    Ok(())
}

/// Verdicts for every metric measured in both sessions.
pub fn compare(before: &SessionMetrics, after: &SessionMetrics) -> Result<Comparison> {
    check_comparable(before, after)?;
    let changes = after
        .metrics
        .iter()
        .filter_map(|a| before.metric(&a.key).map(|b| compare_metric(b, a)))
        .collect();
    Ok(Comparison {
        before_label: before.label.clone(),
        after_label: after.label.clone(),
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Audience;

    fn metric(value: f64, samples: Vec<f64>, better: Better, mcid: Option<f64>) -> Metric {
        Metric {
            key: "m".into(),
            name: "M".into(),
            unit: "m/s".into(),
            decimals: 2,
            better,
            value,
            samples,
            normal_range: None,
            limits: None,
            mcid: mcid.map(|v| Mcid {
                value: v,
                citation: "X 2000".into(),
            }),
            audience: Audience::Patient,
            plain: None,
            uncertainty: None,
            strides_per_side: None,
        }
    }

    /// Samples with mean `m` and sample SD exactly `sd` (n = 4: m ± sd·√3/2).
    fn samples(m: f64, sd: f64) -> Vec<f64> {
        let d = sd * 3f64.sqrt() / 2.0;
        vec![m - d, m + d, m - d, m + d]
    }

    #[test]
    fn welch_interval_matches_hand_computation() {
        // Both SD 0.1, n 4: se = sqrt(2 · 0.01/4) = 0.0707107, df = 6 → t = 2.447.
        let h = ci95_of_difference(&samples(1.0, 0.1), &samples(1.2, 0.1)).unwrap();
        assert!((h - 2.447 * (0.005f64).sqrt()).abs() < 1e-9, "{h}");
        assert_eq!(ci95_of_difference(&[1.0], &samples(1.0, 0.1)), None);
    }

    #[test]
    fn speed_gain_beyond_interval_and_mcid_is_meaningful_improvement() {
        let c = compare_metric(
            &metric(1.0, samples(1.0, 0.05), Better::Higher, Some(0.10)),
            &metric(1.2, samples(1.2, 0.05), Better::Higher, Some(0.10)),
        );
        assert_eq!(
            (c.verdict, c.meaningful, c.rule),
            (Verdict::Improved, true, Rule::BeyondUncertaintyAndMcid)
        );
        assert!((c.delta - 0.2).abs() < 1e-12);
        let text = c.explanation();
        assert!(
            text.starts_with("+0.20 m/s exceeds its 95 % interval (±0.09 m/s)"),
            "{text}"
        );
        assert!(text.contains("0.10 m/s (X 2000)"), "{text}");
    }

    #[test]
    fn real_change_below_mcid_is_not_meaningful_and_says_so() {
        // Δ 0.08 with tiny spread: real, but below the 0.10 MCID.
        let c = compare_metric(
            &metric(1.0, samples(1.0, 0.01), Better::Higher, Some(0.10)),
            &metric(1.08, samples(1.08, 0.01), Better::Higher, Some(0.10)),
        );
        assert_eq!(
            (c.verdict, c.meaningful, c.rule),
            (Verdict::Improved, false, Rule::BelowMcid)
        );
        assert_eq!(c.verdict_text(), "improved (not clinically meaningful)");
    }

    #[test]
    fn change_inside_noise_is_unchanged_whatever_its_size() {
        let c = compare_metric(
            &metric(1.0, samples(1.0, 0.3), Better::Higher, Some(0.10)),
            &metric(1.2, samples(1.2, 0.3), Better::Higher, Some(0.10)),
        );
        assert_eq!(
            (c.verdict, c.meaningful, c.rule),
            (Verdict::Unchanged, false, Rule::WithinUncertainty)
        );
        let c = compare_metric(
            &metric(1.0, vec![1.0], Better::Higher, None),
            &metric(2.0, vec![2.0], Better::Higher, None),
        );
        assert_eq!(
            (c.verdict, c.rule),
            (Verdict::Unchanged, Rule::TooFewSamples)
        );
    }

    #[test]
    fn direction_follows_better_lower_and_closer_to_target() {
        let lower = compare_metric(
            &metric(0.6, samples(0.6, 0.01), Better::Lower, None),
            &metric(0.7, samples(0.7, 0.01), Better::Lower, None),
        );
        assert_eq!(
            (lower.verdict, lower.meaningful, lower.rule),
            (Verdict::Worse, true, Rule::BeyondUncertainty)
        );
        // Symmetry index: −12 % → +4 % is closer to 0, an improvement although the sign flips.
        let closer = compare_metric(
            &metric(-12.0, samples(-12.0, 1.0), Better::Closer(0.0), None),
            &metric(4.0, samples(4.0, 1.0), Better::Closer(0.0), None),
        );
        assert_eq!(closer.verdict, Verdict::Improved);
        // −5 % → +5 %: a real change, but not closer to symmetry.
        let mirrored = compare_metric(
            &metric(-5.0, samples(-5.0, 0.5), Better::Closer(0.0), None),
            &metric(5.0, samples(5.0, 0.5), Better::Closer(0.0), None),
        );
        assert_eq!(
            (mirrored.verdict, mirrored.rule),
            (Verdict::Unchanged, Rule::NotCloserToTarget)
        );
    }

    #[test]
    fn an_index_with_its_own_uncertainty_changes_only_beyond_both_combined() {
        use crate::report::model::Uncertainty;
        // SE 1.5 pp (df 20) in each session: combined SE 2.121 pp, Welch df 40
        let si = |value: f64, n: usize| Metric {
            uncertainty: Some(Uncertainty { se: 1.5, df: 20 }),
            strides_per_side: Some(PerSide { left: n, right: n }),
            // per-stride values with a far smaller spread must not decide
            ..metric(value, samples(value, 0.1), Better::Closer(0.0), None)
        };
        let h = crate::signal::stats::t_975(40) * (2.0f64 * 1.5 * 1.5).sqrt();
        let within = compare_metric(&si(8.0, 21), &si(8.0 - 0.95 * h, 25));
        assert_eq!(
            (within.verdict, within.rule),
            (Verdict::Unchanged, Rule::WithinUncertainty)
        );
        assert!((within.ci95_half_width.unwrap() - h).abs() < 1e-9);
        let beyond = compare_metric(&si(8.0, 21), &si(8.0 - 1.05 * h, 25));
        assert_eq!(
            (beyond.verdict, beyond.rule),
            (Verdict::Improved, Rule::BeyondUncertainty)
        );
        let text = beyond.explanation();
        assert!(
            text.ends_with("(left/right strides: 21/21 before, 25/25 after)"),
            "{text}"
        );
        // an index whose uncertainty is unknown in one session claims nothing
        let unknown = Metric {
            uncertainty: None,
            samples: Vec::new(),
            ..si(0.0, 1)
        };
        assert_eq!(
            compare_metric(&si(8.0, 21), &unknown).rule,
            Rule::TooFewSamples
        );
    }
}
