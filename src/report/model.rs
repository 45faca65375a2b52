//! Input model of the charts and reports: one session's metrics as numbers with their units,
//! direction of improvement, per-stride (or per-trial) samples, normal range and published
//! minimal clinically important difference. Every analysis (lower back, legs, balance) is turned
//! into this model, so a new metric is one more [`Metric`] and every chart and table picks it up.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::balance::leg_lift::EventSource;
use crate::balance::single_leg_stance::{BalanceLoss, MlTrace};
use crate::balance::sway::SwayPath;
use crate::gait::{PerSide, Side};
use crate::recording::{Placement, Task};
use crate::signal::stats;

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    /// Closer to this target value (e.g. a symmetry index of 0 %).
    Closer(f64),
}

/// Who a metric is shown to. Patients see only headline, interpreted outcomes
/// (metrics.md C5); therapists see everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Patient,
    Therapist,
}

/// A published minimal clinically important difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mcid {
    /// In the metric's unit.
    pub value: f64,
    pub citation: String,
}

/// Wording of a metric for the patient page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlainLanguage {
    /// Sentence subject, e.g. "Your walking speed", "Your left and right steps".
    pub subject: String,
    /// Verb agreeing with the subject ("is" / "are").
    pub verb: String,
    /// Word after the value, e.g. "even" in "94 % even"; empty for none.
    pub after_value: String,
    /// Word for a change in the better direction, e.g. "faster", "more even".
    pub better: String,
    /// Word for a change in the worse direction, e.g. "slower", "less even".
    pub worse: String,
}

/// One metric of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Stable identifier, used to match metrics across sessions (e.g. `walking_speed_mps`).
    pub key: String,
    /// Name for tables and chart axes, e.g. "Walking speed".
    pub name: String,
    /// Unit as printed, e.g. "m/s", "%", "steps/min"; empty for unitless ratios.
    pub unit: String,
    /// Decimal places when printed.
    pub decimals: usize,
    pub better: Better,
    /// Session value (mean over steady strides or trials).
    pub value: f64,
    /// Per-stride or per-trial values the session value summarises; their spread gives the
    /// 95 % interval of the session value. Empty when only the summary is known.
    pub samples: Vec<f64>,
    /// Typical range in healthy adults, with its source.
    pub normal_range: Option<NormalRange>,
    /// Range of possible values (e.g. evenness 0–100 %); intervals are drawn clipped to it.
    #[serde(default)]
    pub limits: Option<(f64, f64)>,
    pub mcid: Option<Mcid>,
    pub audience: Audience,
    pub plain: Option<PlainLanguage>,
    /// Uncertainty of `value` when it is not simply the mean of `samples` (e.g. a symmetry
    /// index of two robust per-side values); verdicts and intervals use it instead of the
    /// samples' spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Uncertainty>,
    /// Strides of each side the value comes from (left/right indices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strides_per_side: Option<PerSide<usize>>,
}

/// Standard error of a session value with its degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    pub se: f64,
    pub df: usize,
}

impl Uncertainty {
    /// Of the mean of `samples` (SD / √n, n − 1 degrees of freedom); `None` with fewer than
    /// two samples.
    pub fn of_mean(samples: &[f64]) -> Option<Uncertainty> {
        let sd = stats::std_dev(samples)?;
        Some(Uncertainty {
            se: sd / (samples.len() as f64).sqrt(),
            df: samples.len() - 1,
        })
    }

    /// Half-width of the 95 % interval (t quantile × SE).
    pub fn ci95_half_width(&self) -> f64 {
        stats::t_975(self.df) * self.se
    }

    /// Of the difference of two independent values: SEs combined in quadrature,
    /// Welch–Satterthwaite degrees of freedom (rounded down).
    pub fn of_difference(a: &Uncertainty, b: &Uncertainty) -> Uncertainty {
        let (va, vb) = (a.se * a.se, b.se * b.se);
        let v = va + vb;
        let df = if v > 0.0 {
            let (da, db) = (a.df.max(1) as f64, b.df.max(1) as f64);
            (v * v / (va * va / da + vb * vb / db)).floor() as usize
        } else {
            a.df + b.df
        };
        Uncertainty {
            se: v.sqrt(),
            df: df.max(1),
        }
    }
}

/// A typical range of a metric and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalRange {
    pub low: f64,
    pub high: f64,
    pub source: String,
}

/// A per-side parameter (e.g. step time) with the per-stride values of each side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideMetric {
    pub key: String,
    /// E.g. "Step time".
    pub name: String,
    pub unit: String,
    pub decimals: usize,
    /// Value per side (for gait: 20 % trimmed mean of the counted strides).
    pub mean: PerSide<f64>,
    /// Per-stride values per side.
    pub samples: PerSide<Vec<f64>>,
}

impl SideMetric {
    /// Symmetry index, % (Robinson 1987), right relative to left.
    pub fn symmetry_index_pct(&self) -> Option<f64> {
        crate::gait::symmetry::symmetry_index_pct(self.mean.left, self.mean.right)
    }

    /// Evenness, % = smaller / larger × 100 (100 = perfectly even).
    pub fn evenness_pct(&self) -> Option<f64> {
        crate::gait::symmetry::evenness_pct(self.mean.left, self.mean.right)
    }

    /// Symmetry ratio larger/smaller (Patterson 2010); typical 0.9–1.1.
    pub fn symmetry_ratio(&self) -> Option<f64> {
        crate::gait::symmetry::symmetry_ratio(self.mean.left, self.mean.right)
    }
}

/// Mean gait cycle of one signal, normalised to 0–100 % of the stride, per side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaitCycle {
    /// E.g. "Vertical trunk acceleration" (body frame V) or "Sagittal shank angular velocity".
    pub signal: String,
    pub unit: String,
    /// Mean curve of the strides starting with a left initial contact, one value per
    /// percent of stride (101 values, 0–100 %).
    pub left: Vec<f64>,
    /// Same for strides starting with a right initial contact.
    pub right: Vec<f64>,
}

/// Symmetry of one parameter stride by stride over the walk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrideSymmetry {
    /// E.g. "Step time".
    pub parameter: String,
    /// Time of each stride's first initial contact, seconds from the start of the recording.
    pub t_s: Vec<f64>,
    /// Symmetry index of each stride, %, right relative to left.
    pub si_pct: Vec<f64>,
}

/// Everything the charts and reports need from one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionMetrics {
    /// Short name shown in legends, e.g. the session folder name or its date.
    pub label: String,
    pub start_time: Option<DateTime<FixedOffset>>,
    pub task: Option<Task>,
    pub placements: Vec<Placement>,
    /// Number of strides the gait metrics are computed from.
    pub strides: usize,
    pub metrics: Vec<Metric>,
    pub side_metrics: Vec<SideMetric>,
    pub gait_cycle: Option<GaitCycle>,
    pub stride_symmetry: Option<StrideSymmetry>,
    /// Number of balance trials, single-leg attempts and squat repetitions the balance
    /// metrics are computed from.
    #[serde(default)]
    pub balance_trials: usize,
    /// Sway path and 95 % ellipse of a quiet-standing trial.
    #[serde(default)]
    pub sway: Option<SwayShape>,
    /// Each single-leg recording's events over its trunk acceleration, in recording order.
    #[serde(default)]
    pub single_leg_events: Vec<SingleLegEvents>,
    /// Participant age, years (for age norms).
    #[serde(default)]
    pub age_years: Option<f64>,
    /// True when the metrics merge several session folders of one visit (e.g. a walk and
    /// single-leg stances on both legs); `task` is then `None`.
    #[serde(default)]
    pub visit: bool,
}

/// The horizontal sway of one quiet-standing trial: its trajectory (AP +forward, ML +right,
/// m/s²) and 95 % prediction ellipse (Prieto 1996), for the sway-path chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwayShape {
    pub eyes_closed: bool,
    pub path: SwayPath,
    /// Semi-axes of the 95 % ellipse, m/s², major first.
    pub ellipse_major_mps2: f64,
    pub ellipse_minor_mps2: f64,
    /// Direction of the major axis from AP towards ML (right), deg.
    pub ellipse_angle_deg: f64,
    /// 5.991·π·√(λ₁λ₂), (m/s²)².
    pub ellipse_area_m2ps4: f64,
    /// RMS of the resultant acceleration, m/s².
    pub rms_mps2: f64,
    /// Standing trials of this eyes condition in the session; the shape is the first one's.
    pub trials: usize,
}

/// One single-leg recording for the events chart: its side-to-side trunk acceleration and the
/// detected lift-off, touch-down, hold and balance losses of every attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SingleLegEvents {
    /// Recording (session folder) name.
    pub label: String,
    /// Task analysed, e.g. `single-leg-left`.
    pub task: String,
    /// Protocol maximum of a hold, s.
    pub max_hold_s: f64,
    pub trace: MlTrace,
    pub attempts: Vec<AttemptEvents>,
}

/// The events of one single-leg attempt, s on the recording clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptEvents {
    /// Leg stood on; `None` when unknown.
    pub stance_side: Option<Side>,
    pub lift_off_s: f64,
    /// `None` when the recording ended during the hold.
    pub touch_down_s: Option<f64>,
    pub hold_s: f64,
    pub reached_max_hold: bool,
    /// True when a gap without data cut the hold short (no touch-down; a lower bound).
    #[serde(default)]
    pub interrupted_by_gap: bool,
    pub losses: Vec<BalanceLoss>,
    pub events_from: EventSource,
}

/// Plausible stride duration, s (Mobilise-D DMO plausibility range, metrics.md C2); strides
/// outside it (pauses, missed contacts) are left out of the mean cycle.
pub const PLAUSIBLE_STRIDE_S: (f64, f64) = (0.46, 3.0);

impl GaitCycle {
    /// Mean time-normalised cycle per side from a uniformly sampled signal.
    ///
    /// `signal` is sampled at `fs_hz` with sample 0 at `t0_s`; `contacts` are initial contacts
    /// with their side, in time order. A stride runs from an initial contact to the next one of
    /// the same foot; it is resampled to 101 points (0–100 %) by linear interpolation and the
    /// strides starting on each side are averaged. Strides touching missing data (non-finite
    /// samples) are left out. `None` when either side has no plausible stride inside the signal.
    pub fn from_strides(
        signal_name: &str,
        unit: &str,
        signal: &[f64],
        fs_hz: f64,
        t0_s: f64,
        contacts: &[crate::gait::Contact],
    ) -> Option<GaitCycle> {
        let value_at = |t_s: f64| -> Option<f64> {
            let x = (t_s - t0_s) * fs_hz;
            let i = x.floor();
            if i < 0.0 || i as usize + 1 >= signal.len() {
                return None;
            }
            let (i, f) = (i as usize, x - i);
            let v = signal[i] + f * (signal[i + 1] - signal[i]);
            v.is_finite().then_some(v)
        };
        let mut sums = PerSide {
            left: vec![0.0; 101],
            right: vec![0.0; 101],
        };
        let mut counts = PerSide {
            left: 0usize,
            right: 0usize,
        };
        for (k, start) in contacts.iter().enumerate() {
            let Some(side) = start.side else { continue };
            let Some(end) = contacts[k + 1..].iter().find(|c| c.side == Some(side)) else {
                continue;
            };
            let duration = end.t_s - start.t_s;
            if !(PLAUSIBLE_STRIDE_S.0..=PLAUSIBLE_STRIDE_S.1).contains(&duration) {
                continue;
            }
            let curve: Option<Vec<f64>> = (0..=100)
                .map(|p| value_at(start.t_s + duration * p as f64 / 100.0))
                .collect();
            let Some(curve) = curve else { continue };
            for (acc, v) in sums.get_mut(side).iter_mut().zip(curve) {
                *acc += v;
            }
            *counts.get_mut(side) += 1;
        }
        if counts.left == 0 || counts.right == 0 {
            return None;
        }
        let mean = |sum: &[f64], n: usize| sum.iter().map(|v| v / n as f64).collect();
        Some(GaitCycle {
            signal: signal_name.to_string(),
            unit: unit.to_string(),
            left: mean(&sums.left, counts.left),
            right: mean(&sums.right, counts.right),
        })
    }
}

impl SessionMetrics {
    pub fn metric(&self, key: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.key == key)
    }

    pub fn side_metric(&self, key: &str) -> Option<&SideMetric> {
        self.side_metrics.iter().find(|m| m.key == key)
    }
}

impl Metric {
    /// A therapist-level metric with no typical range, limits, MCID or plain-language
    /// wording; set those on the result where they exist.
    pub fn new(
        key: &str,
        name: &str,
        unit: &str,
        decimals: usize,
        better: Better,
        value: f64,
        samples: Vec<f64>,
    ) -> Metric {
        Metric {
            key: key.into(),
            name: name.into(),
            unit: unit.into(),
            decimals,
            better,
            value,
            samples,
            normal_range: None,
            limits: None,
            mcid: None,
            audience: Audience::Therapist,
            plain: None,
            uncertainty: None,
            strides_per_side: None,
        }
    }

    /// Uncertainty of the session value: the explicit one, else that of the mean of its
    /// samples; `None` when neither is known.
    pub fn value_uncertainty(&self) -> Option<Uncertainty> {
        self.uncertainty
            .or_else(|| Uncertainty::of_mean(&self.samples))
    }

    /// Half-width of the 95 % confidence interval of the session value (t distribution);
    /// `None` when its uncertainty is unknown.
    pub fn ci95_half_width(&self) -> Option<f64> {
        self.value_uncertainty().map(|u| u.ci95_half_width())
    }

    /// Value with the metric's decimals and unit, e.g. "1.12 m/s", "94 %".
    pub fn format(&self, value: f64) -> String {
        format_value(value, self.decimals, &self.unit)
    }
}

/// `value` with `decimals` places and `unit` ("%" is separated by a space too, as in SI style;
/// "°" is not).
pub fn format_value(value: f64, decimals: usize, unit: &str) -> String {
    let v = format!("{value:.decimals$}");
    // "-0.0" reads as a negative value; print zero plainly.
    let v = if v.starts_with('-') && v[1..].chars().all(|c| c == '0' || c == '.') {
        v[1..].to_string()
    } else {
        v
    };
    match unit {
        "" => v,
        // angles: no space before the degree sign (SI brochure)
        "°" => format!("{v}°"),
        _ => format!("{v} {unit}"),
    }
}

/// Synthetic walking sessions with known values, for examples, tests and benchmarks.
pub mod synthetic {
    use super::*;

    /// Deterministic pseudo-random numbers in [−1, 1] (64-bit LCG, Knuth's MMIX constants).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        }
    }

    /// A walk of `strides` strides with mean walking speed `speed_mps` and the right step
    /// `right_longer_pct` % longer than the left one (step time 0.55 s on the left).
    /// Per-stride values scatter by ±`noise` (fraction, uniform) around the means; the session
    /// values are the means of the samples, except the step-time symmetry measures, which are
    /// those of the two side means (as in the gait analysis).
    pub fn walk(
        label: &str,
        start_time: Option<DateTime<FixedOffset>>,
        speed_mps: f64,
        right_longer_pct: f64,
        strides: usize,
        noise: f64,
        seed: u64,
    ) -> SessionMetrics {
        let mut rng = Lcg(seed);
        let mut jitter = |m: f64| -> Vec<f64> {
            (0..strides)
                .map(|_| m * (1.0 + noise * rng.next()))
                .collect()
        };
        let step_l = 0.55;
        let step_r = step_l * (1.0 + right_longer_pct / 100.0);
        let side =
            |key: &str, name: &str, l: f64, r: f64, jitter: &mut dyn FnMut(f64) -> Vec<f64>| {
                let samples = PerSide {
                    left: jitter(l),
                    right: jitter(r),
                };
                let mean = samples.map(|v| stats::mean(v).unwrap_or(f64::NAN));
                SideMetric {
                    key: key.into(),
                    name: name.into(),
                    unit: "s".into(),
                    decimals: 2,
                    mean,
                    samples,
                }
            };
        let side_metrics = vec![
            side("step_time_s", "Step time", step_l, step_r, &mut jitter),
            side(
                "stance_time_s",
                "Stance time",
                0.66,
                0.66 * (1.0 + right_longer_pct / 100.0),
                &mut jitter,
            ),
            side(
                "swing_time_s",
                "Swing time",
                0.44,
                0.44 * (1.0 - right_longer_pct / 200.0),
                &mut jitter,
            ),
            side(
                "single_support_time_s",
                "Single support",
                0.44 * (1.0 - right_longer_pct / 200.0),
                0.44,
                &mut jitter,
            ),
        ];
        let step = &side_metrics[0];
        let per_stride = |f: fn(f64, f64) -> Option<f64>| -> Vec<f64> {
            step.samples
                .left
                .iter()
                .zip(&step.samples.right)
                .filter_map(|(l, r)| f(*l, *r))
                .collect()
        };
        let si = per_stride(crate::gait::symmetry::symmetry_index_pct);
        let evenness = per_stride(crate::gait::symmetry::evenness_pct);
        let speed = jitter(speed_mps);
        let stride_time: Vec<f64> = step
            .samples
            .left
            .iter()
            .zip(&step.samples.right)
            .map(|(l, r)| l + r)
            .collect();
        let cadence: Vec<f64> = stride_time.iter().map(|t| 120.0 / t).collect();
        use crate::report::metrics_from_gait as gait;
        let mean = |v: &[f64]| stats::mean(v).unwrap_or(f64::NAN);
        let metrics = vec![
            gait::walking_speed_metric(mean(&speed), speed),
            gait::step_time_evenness_metric(mean(&evenness), evenness),
            gait::symmetry_index_metric(
                "step_time_si_pct",
                "Step-time symmetry index",
                mean(&si),
                si.clone(),
            ),
            gait::cadence_metric(mean(&cadence), cadence),
            Metric::new(
                "stride_time_s",
                "Stride time",
                "s",
                2,
                Better::Lower,
                mean(&stride_time),
                stride_time.clone(),
            ),
        ];
        // As in the analysis: symmetry of the side means, not the mean of per-stride values.
        let mut metrics = metrics;
        for m in metrics.iter_mut() {
            let (l, r) = (step.mean.left, step.mean.right);
            match m.key.as_str() {
                "step_time_evenness_pct" => {
                    m.value = crate::gait::symmetry::evenness_pct(l, r).unwrap_or(f64::NAN)
                }
                "step_time_si_pct" => {
                    m.value = crate::gait::symmetry::symmetry_index_pct(l, r).unwrap_or(f64::NAN)
                }
                _ => {}
            }
        }
        let mut t = 1.0;
        let t_s = stride_time
            .iter()
            .map(|d| {
                let now = t;
                t += d;
                now
            })
            .collect();
        let cycle = |phase: f64, amp: f64| -> Vec<f64> {
            (0..=100)
                .map(|i| {
                    let x = std::f64::consts::TAU * i as f64 / 100.0;
                    9.81 * amp * ((2.0 * x + phase).sin() + 0.3 * (x).sin())
                })
                .collect()
        };
        SessionMetrics {
            label: label.into(),
            start_time,
            task: Some(Task::Walk),
            placements: vec![Placement::LowerBack],
            strides,
            metrics,
            side_metrics,
            gait_cycle: Some(GaitCycle {
                signal: "Vertical trunk acceleration".into(),
                unit: "m/s²".into(),
                left: cycle(0.0, 0.25),
                right: cycle(
                    right_longer_pct / 100.0,
                    0.25 * (1.0 - right_longer_pct / 100.0),
                ),
            }),
            stride_symmetry: Some(StrideSymmetry {
                parameter: "Step time".into(),
                t_s,
                si_pct: si,
            }),
            ..SessionMetrics::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_cycle_of_a_periodic_signal_is_its_period_and_right_is_half_a_stride_later() {
        use crate::gait::{Contact, Side};
        // Stride 1.2 s, fs 100 Hz, signal sin(2π t / 1.2); left ICs at 0.1 + 1.2 k, right ICs
        // half a stride later: left cycles are sin(2π (p + 0.1/1.2)), right ones are the same
        // shifted by half a cycle, i.e. negated.
        let fs = 100.0;
        let stride = 1.2;
        let signal: Vec<f64> = (0..1000)
            .map(|i| (std::f64::consts::TAU * i as f64 / fs / stride).sin())
            .collect();
        let contacts: Vec<Contact> = (0..14)
            .map(|k| Contact {
                t_s: 0.1 + 0.6 * k as f64,
                side: Some(if k % 2 == 0 { Side::Left } else { Side::Right }),
            })
            .collect();
        let c = GaitCycle::from_strides("s", "u", &signal, fs, 0.0, &contacts).unwrap();
        assert_eq!((c.left.len(), c.right.len()), (101, 101));
        for p in 0..=100 {
            let phase = std::f64::consts::TAU * (p as f64 / 100.0 + 0.1 / stride);
            // Linear interpolation of a 120-sample sine: error ≤ (2π/120)²/8 ≈ 3.4e-4.
            assert!((c.left[p] - phase.sin()).abs() < 4e-4, "left {p}");
            assert!((c.right[p] + phase.sin()).abs() < 4e-4, "right {p}");
        }
        // A sample missing at 3.0 s drops the strides over it, not the whole cycle; the signal
        // starting 0.5 s into the recording shifts every contact by as much.
        let mut holed = signal.clone();
        holed[300] = f64::NAN;
        let late: Vec<Contact> = contacts
            .iter()
            .map(|c| Contact {
                t_s: c.t_s + 0.5,
                side: c.side,
            })
            .collect();
        let c2 = GaitCycle::from_strides("s", "u", &holed, fs, 0.5, &late).unwrap();
        assert!(c2.left.iter().chain(&c2.right).all(|v| v.is_finite()));
        assert!(c2
            .left
            .iter()
            .zip(&c.left)
            .all(|(a, b)| (a - b).abs() < 1e-3));
        // Strides reaching past the signal end are left out, not padded.
        let only_left: Vec<Contact> = contacts
            .iter()
            .copied()
            .filter(|c| c.side == Some(Side::Left))
            .collect();
        assert_eq!(
            GaitCycle::from_strides("s", "u", &signal, fs, 0.0, &only_left),
            None
        );
        // A 5 s pause between contacts is not a stride.
        let paused = [
            Contact {
                t_s: 0.1,
                side: Some(Side::Left),
            },
            Contact {
                t_s: 0.7,
                side: Some(Side::Right),
            },
            Contact {
                t_s: 5.1,
                side: Some(Side::Left),
            },
            Contact {
                t_s: 5.7,
                side: Some(Side::Right),
            },
        ];
        assert_eq!(
            GaitCycle::from_strides("s", "u", &signal, fs, 0.0, &paused),
            None
        );
    }

    #[test]
    fn format_value_uses_decimals_and_never_prints_negative_zero() {
        assert_eq!(format_value(1.23456, 2, "m/s"), "1.23 m/s");
        assert_eq!(format_value(93.6, 0, "%"), "94 %");
        assert_eq!(format_value(-0.001, 1, "%"), "0.0 %");
        assert_eq!(format_value(1.04, 2, ""), "1.04");
    }
}
