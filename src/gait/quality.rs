//! The checks run on a recording before its numbers are trusted, and what each found.
//!
//! Every check that can change or withhold a result (laterality per bout, forward axis, clock
//! between sensors, sensor coverage, step-time bounds) records one [`Check`]: its outcome, the
//! numbers it decided on and a sentence for the report. The JSON carries all of them; the text
//! report prints one line per check that failed or corrected something.

use std::collections::BTreeMap;

use serde::Serialize;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The data agree with what was declared or expected.
    Passed,
    /// The data clearly disagreed; gaitkit corrected it (the message says how).
    Corrected,
    /// The evidence is too weak or contradicts itself; the affected values are withheld.
    Failed,
    /// The check needs data the recording does not have (e.g. one sensor only).
    NotRun,
}

/// One check, its outcome and the numbers it was decided on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `laterality`, `forward_axis`, `clock`, `coverage`, `step_bounds`.
    pub name: String,
    /// Walking bout the check applies to; `None` for the whole recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bout: Option<usize>,
    pub outcome: Outcome,
    /// Evidence, by name with its unit in the name (e.g. `confidence`, `offset_s`, `overlap_pct`).
    pub numbers: BTreeMap<String, f64>,
    /// One sentence for the report: what was checked, what was found and what it means.
    pub message: String,
}

impl Check {
    pub fn new(name: &str, outcome: Outcome, message: impl Into<String>) -> Self {
        Check {
            name: name.to_string(),
            bout: None,
            outcome,
            numbers: BTreeMap::new(),
            message: message.into(),
        }
    }

    pub fn for_bout(mut self, bout: usize) -> Self {
        self.bout = Some(bout);
        self
    }

    /// Adds one piece of evidence; non-finite values are not recorded (JSON has no NaN).
    pub fn with(mut self, key: &str, value: f64) -> Self {
        if value.is_finite() {
            self.numbers.insert(key.to_string(), value);
        }
        self
    }
}

/// All checks run on one analysis, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    pub checks: Vec<Check>,
}

impl Quality {
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// The checks a reader must see: those that failed or corrected something.
    pub fn to_report(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Corrected | Outcome::Failed))
    }

    /// Checks of one name, in order.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Check> + 'a {
        self.checks.iter().filter(move |c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failed_and_corrected_checks_are_reported() {
        let mut q = Quality::default();
        q.push(Check::new("clock", Outcome::Passed, "clocks agree"));
        q.push(Check::new("laterality", Outcome::Failed, "sides unknown").for_bout(2));
        q.push(Check::new(
            "forward_axis",
            Outcome::Corrected,
            "worn back to front",
        ));
        q.push(Check::new("coverage", Outcome::NotRun, "one sensor"));
        let shown: Vec<&str> = q.to_report().map(|c| c.name.as_str()).collect();
        assert_eq!(shown, ["laterality", "forward_axis"]);
        assert_eq!(q.named("laterality").next().unwrap().bout, Some(2));
    }

    #[test]
    fn non_finite_evidence_is_left_out_of_the_json() {
        let c = Check::new("clock", Outcome::Failed, "x")
            .with("offset_s", f64::NAN)
            .with("overlap_pct", 20.0);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"name":"clock","outcome":"failed","numbers":{"overlap_pct":20.0},"message":"x"}"#
        );
    }
}
