//! Stage 4: training targets and whether each step meets them.
//!
//! Targets as typed on the command line: `evenness=95%` (rolling evenness ≥ 95 %),
//! `cadence=110` or `cadence=110±4` (this step's own cadence, 60 / step time, within
//! ±tolerance steps/min, default ±[`DEFAULT_CADENCE_TOLERANCE_SPM`]; adds a metronome at
//! the target), `stance-si=0±5%` and `step-si=0±5%` (rolling SI within the interval). A step
//! is on target when every target is met, off target when one is missed, and unknown
//! (`None`) when a value a target needs is unknown (side unknown, first step after a pause).

use serde::Serialize;

use super::rolling::RollingValues;

/// Cadence tolerance when none is given, steps/min.
pub const DEFAULT_CADENCE_TOLERANCE_SPM: f64 = 5.0;

/// One target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "metric", rename_all = "kebab-case")]
pub enum Target {
    /// Rolling step-time evenness at least this, %.
    Evenness { min_pct: f64 },
    /// This step's cadence within `spm ± tolerance_spm`.
    Cadence { spm: f64, tolerance_spm: f64 },
    /// Rolling stance-time SI within `centre_pct ± tolerance_pct`.
    StanceSi { centre_pct: f64, tolerance_pct: f64 },
    /// Rolling step-time SI within `centre_pct ± tolerance_pct`.
    StepSi { centre_pct: f64, tolerance_pct: f64 },
}

impl Target {
    /// Whether a step with this step time and these rolling values meets the target.
    pub fn met(&self, step_time_s: Option<f64>, r: &RollingValues) -> Option<bool> {
        match *self {
            Target::Evenness { min_pct } => r.evenness_pct.map(|e| e >= min_pct),
            Target::Cadence { spm, tolerance_spm } => step_time_s
                .filter(|&t| t > 0.0)
                .map(|t| (60.0 / t - spm).abs() <= tolerance_spm),
            Target::StanceSi {
                centre_pct,
                tolerance_pct,
            } => r
                .stance_si_pct
                .map(|s| (s - centre_pct).abs() <= tolerance_pct),
            Target::StepSi {
                centre_pct,
                tolerance_pct,
            } => r
                .step_time_si_pct
                .map(|s| (s - centre_pct).abs() <= tolerance_pct),
        }
    }

    /// Metronome beat interval for a cadence target, s.
    pub fn metronome_interval_s(&self) -> Option<f64> {
        match *self {
            Target::Cadence { spm, .. } => Some(60.0 / spm),
            _ => None,
        }
    }

    /// Short label for displays, e.g. `cadence 110±5/min`.
    pub fn label(&self) -> String {
        match *self {
            Target::Evenness { min_pct } => format!("evenness ≥ {min_pct}%"),
            Target::Cadence { spm, tolerance_spm } => {
                format!("cadence {spm}±{tolerance_spm}/min")
            }
            Target::StanceSi {
                centre_pct,
                tolerance_pct,
            } => format!("stance SI {centre_pct}±{tolerance_pct}%"),
            Target::StepSi {
                centre_pct,
                tolerance_pct,
            } => format!("step SI {centre_pct}±{tolerance_pct}%"),
        }
    }
}

/// Every target met (`Some(true)`), one missed (`Some(false)`), or a needed value unknown
/// with none missed (`None`). No targets: `None`.
pub fn on_target(targets: &[Target], step_time_s: Option<f64>, r: &RollingValues) -> Option<bool> {
    let mut all = Some(true);
    for t in targets {
        match t.met(step_time_s, r) {
            Some(false) => return Some(false),
            None => all = None,
            Some(true) => {}
        }
    }
    if targets.is_empty() {
        None
    } else {
        all
    }
}

/// Parses `METRIC=VALUE` as described in the module docs; the error says what is expected.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let (metric, value) = s.split_once('=').ok_or_else(|| {
        format!("\"{s}\": expected METRIC=VALUE, e.g. evenness=95%, cadence=110, stance-si=0±5%")
    })?;
    let value = value.trim().trim_end_matches('%');
    let number = |v: &str, what: &str| -> Result<f64, String> {
        let x: f64 = v
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| format!("\"{s}\": {what} \"{v}\" is not a number"))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("\"{s}\": {what} must be finite"))
        }
    };
    let centre_tolerance = |v: &str| -> Result<(f64, Option<f64>), String> {
        match v.split_once('±').or_else(|| v.split_once("+-")) {
            Some((c, t)) => {
                let t = number(t, "tolerance")?;
                if t < 0.0 {
                    return Err(format!("\"{s}\": the tolerance must not be negative"));
                }
                Ok((number(c, "value")?, Some(t)))
            }
            None => Ok((number(v, "value")?, None)),
        }
    };
    match metric.trim() {
        "evenness" => {
            let v = number(value, "evenness")?;
            if !(0.0..=100.0).contains(&v) {
                return Err(format!("\"{s}\": evenness is a percentage from 0 to 100"));
            }
            Ok(Target::Evenness { min_pct: v })
        }
        "cadence" => {
            let (spm, tol) = centre_tolerance(value)?;
            if !(30.0..=200.0).contains(&spm) {
                return Err(format!(
                    "\"{s}\": cadence is in steps per minute, 30 to 200 (e.g. cadence=110)"
                ));
            }
            Ok(Target::Cadence {
                spm,
                tolerance_spm: tol.unwrap_or(DEFAULT_CADENCE_TOLERANCE_SPM),
            })
        }
        m @ ("stance-si" | "step-si") => {
            let (c, tol) = centre_tolerance(value)?;
            let tol = tol.ok_or_else(|| {
                format!("\"{s}\": give the interval as CENTRE±TOLERANCE, e.g. {m}=0±5%")
            })?;
            if c.abs() > 100.0 || tol > 100.0 {
                return Err(format!("\"{s}\": SI values are percentages within ±100"));
            }
            Ok(if m == "stance-si" {
                Target::StanceSi {
                    centre_pct: c,
                    tolerance_pct: tol,
                }
            } else {
                Target::StepSi {
                    centre_pct: c,
                    tolerance_pct: tol,
                }
            })
        }
        other => Err(format!(
            "\"{s}\": unknown metric \"{other}\"; targets: evenness, cadence, stance-si, step-si"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms_and_refuses_others() {
        assert_eq!(
            parse_target("evenness=95%"),
            Ok(Target::Evenness { min_pct: 95.0 })
        );
        assert_eq!(
            parse_target("cadence=110"),
            Ok(Target::Cadence {
                spm: 110.0,
                tolerance_spm: 5.0
            })
        );
        assert_eq!(
            parse_target("cadence=110±3"),
            Ok(Target::Cadence {
                spm: 110.0,
                tolerance_spm: 3.0
            })
        );
        assert_eq!(
            parse_target("stance-si=0±5%"),
            Ok(Target::StanceSi {
                centre_pct: 0.0,
                tolerance_pct: 5.0
            })
        );
        assert_eq!(
            parse_target("step-si=-2+-4"),
            Ok(Target::StepSi {
                centre_pct: -2.0,
                tolerance_pct: 4.0
            })
        );
        for bad in [
            "evenness",
            "evenness=120%",
            "cadence=fast",
            "cadence=1100",
            "stance-si=0",
            "stance-si=0±-1",
            "speed=1.2",
            "cadence=NaN",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cadence_target_marks_each_step_by_its_own_cadence() {
        let t = [parse_target("cadence=110").unwrap()];
        let r = RollingValues::default();
        // 60/0.545 = 110.1 on; 60/0.5 = 120 off; 60/0.57 = 105.3 on; 60/0.58 = 103.4 off
        let marks: Vec<Option<bool>> = [Some(0.545), Some(0.5), Some(0.57), Some(0.58), None]
            .iter()
            .map(|&st| on_target(&t, st, &r))
            .collect();
        assert_eq!(
            marks,
            vec![Some(true), Some(false), Some(true), Some(false), None]
        );
        assert_eq!(t[0].metronome_interval_s(), Some(60.0 / 110.0));
    }

    #[test]
    fn every_target_must_be_met_and_unknown_values_stay_unknown() {
        let t = [
            parse_target("evenness=95%").unwrap(),
            parse_target("stance-si=0±5%").unwrap(),
        ];
        let mut r = RollingValues {
            evenness_pct: Some(96.0),
            stance_si_pct: Some(-4.0),
            ..Default::default()
        };
        assert_eq!(on_target(&t, Some(0.5), &r), Some(true));
        r.stance_si_pct = Some(6.0);
        assert_eq!(on_target(&t, Some(0.5), &r), Some(false));
        r.stance_si_pct = None;
        assert_eq!(on_target(&t, Some(0.5), &r), None);
        r.evenness_pct = Some(90.0);
        assert_eq!(on_target(&t, Some(0.5), &r), Some(false));
        assert_eq!(on_target(&[], Some(0.5), &r), None);
    }
}
