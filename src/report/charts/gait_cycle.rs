//! Mean gait cycle normalised to 0–100 % of the stride: strides starting with a left initial
//! contact against strides starting with a right one, before (dashed) vs after (solid).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{self, Chart, DrawResult};
use crate::report::model::{GaitCycle, SessionMetrics};
use crate::signal::stats;

#[derive(Debug, Clone)]
pub struct GaitCycleChart {
    /// (session label, mean cycles), oldest first.
    pub sessions: Vec<(String, GaitCycle)>,
}

impl GaitCycleChart {
    pub fn new(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        let a = after
            .gait_cycle
            .clone()
            .filter(|c| c.left.len() >= 2 && c.right.len() >= 2)?;
        let mut sessions = Vec::new();
        if let Some(b) = before.and_then(|b| b.gait_cycle.clone().map(|c| (b.label.clone(), c))) {
            sessions.push(b);
        }
        sessions.push((after.label.clone(), a));
        Some(Self { sessions })
    }
}

/// Left–right difference of the mean cycles: RMS of (left − right) over the cycle, as % of the
/// range (max − min) of the two curves; 0 = identical. Curves of different length are compared
/// over the shorter one.
pub fn left_right_difference_pct(c: &GaitCycle) -> Option<f64> {
    let n = c.left.len().min(c.right.len());
    let diff: Vec<f64> = (0..n).map(|i| c.left[i] - c.right[i]).collect();
    let all = c.left[..n].iter().chain(&c.right[..n]);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    let range = hi - lo;
    (range > 0.0).then(|| 100.0 * stats::rms(&diff).unwrap_or(0.0) / range)
}

fn percent_axis(curve: &[f64]) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
    let n = curve.len();
    curve
        .iter()
        .enumerate()
        .map(move |(i, &v)| (100.0 * i as f64 / (n - 1) as f64, v))
}

impl Chart for GaitCycleChart {
    fn stem(&self) -> String {
        "gait_cycle".into()
    }

    fn title(&self) -> String {
        let (label, last) = self.sessions.last().expect("at least one session");
        let d = left_right_difference_pct(last).unwrap_or(0.0);
        let mut t = format!("Left and right strides differ by {d:.0} % of the curve's range");
        if self.sessions.len() > 1 {
            let (_, c0) = &self.sessions[self.sessions.len() - 2];
            t.push_str(&format!(
                ", was {:.0} %",
                left_right_difference_pct(c0).unwrap_or(0.0)
            ));
        } else {
            t.push_str(&format!(" ({label})"));
        }
        t
    }

    fn subtitle(&self) -> String {
        let signal = &self.sessions.last().expect("at least one session").1.signal;
        if self.sessions.len() > 1 {
            format!(
                "Mean {} over the stride; dashed = {}, solid = {}",
                signal.to_lowercase(),
                self.sessions[0].0,
                self.sessions[1].0
            )
        } else {
            format!("Mean {} over the stride", signal.to_lowercase())
        }
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (lo, hi) = self
            .sessions
            .iter()
            .flat_map(|(_, c)| c.left.iter().chain(&c.right))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let pad = ((hi - lo) * 0.08).max(1e-6);
        let last = &self.sessions.last().expect("at least one session").1;
        let mut chart = ChartBuilder::on(&area.margin(8, 16, 16, 32))
            .x_label_area_size(50)
            .y_label_area_size(80)
            // Room above the curves for the legend.
            .build_cartesian_2d(0f64..100f64, (lo - pad)..(hi + pad + (hi - lo) * 0.4))?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme::GRID)
            .x_desc("Stride, % (0 % and 100 % = initial contact of the same foot)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| {
                if hi - lo > 20.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .y_desc(format!("{}, {}", last.signal, last.unit))
            .axis_desc_style(theme::font(theme::LABEL_PX))
            .label_style(theme::font(theme::TICK_PX))
            .draw()?;
        let n = self.sessions.len();
        for (i, (label, c)) in self.sessions.iter().enumerate() {
            let latest = i + 1 == n;
            for (side_name, curve, colour) in [
                ("Left", &c.left, theme::LEFT),
                ("Right", &c.right, theme::RIGHT),
            ] {
                let name = if n > 1 {
                    format!("{side_name} stride, {label}")
                } else {
                    format!("{side_name} stride")
                };
                if latest {
                    chart
                        .draw_series(LineSeries::new(percent_axis(curve), colour.stroke_width(3)))?
                        .label(name)
                        .legend(move |(x, y)| {
                            PathElement::new([(x, y), (x + 24, y)], colour.stroke_width(3))
                        });
                } else {
                    chart
                        .draw_series(DashedLineSeries::new(
                            percent_axis(curve),
                            8,
                            6,
                            colour.mix(0.8).stroke_width(2),
                        ))?
                        .label(name)
                        .legend(move |(x, y)| {
                            EmptyElement::at((x, y))
                                + PathElement::new([(0, 0), (8, 0)], colour.stroke_width(2))
                                + PathElement::new([(14, 0), (24, 0)], colour.stroke_width(2))
                        });
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(theme::GRID)
            .label_font(theme::font(theme::TICK_PX))
            .draw()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_curves_differ_by_zero_and_offset_curves_by_known_percent() {
        let left: Vec<f64> = (0..=100)
            .map(|i| (i as f64 * std::f64::consts::TAU / 100.0).sin())
            .collect();
        let same = GaitCycle {
            signal: "s".into(),
            unit: "u".into(),
            left: left.clone(),
            right: left.clone(),
        };
        assert_eq!(left_right_difference_pct(&same), Some(0.0));
        // Right = left + 0.2: RMS difference 0.2 over a range of 2.2 → 9.09 %.
        let right: Vec<f64> = left.iter().map(|v| v + 0.2).collect();
        let shifted = GaitCycle {
            signal: "s".into(),
            unit: "u".into(),
            left,
            right,
        };
        assert!((left_right_difference_pct(&shifted).unwrap() - 100.0 * 0.2 / 2.2).abs() < 1e-9);
    }
}
