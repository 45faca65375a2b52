//! One metric over dated sessions: values with their 95 % intervals, the typical range shaded,
//! the MCID line from the first session where one is published, and sessions with a meaningful
//! change from the first session marked.

use chrono::Duration;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{self, Chart, DrawResult};
use crate::report::compare::Verdict;
use crate::report::model::{format_value, Better};
use crate::report::progress::{Trend, TrendPoint};

#[derive(Debug, Clone)]
pub struct TrendChart {
    pub trend: Trend,
}

impl TrendChart {
    /// `None` for an empty trend.
    pub fn new(trend: &Trend) -> Option<Self> {
        (!trend.points.is_empty()).then(|| Self {
            trend: trend.clone(),
        })
    }

    fn days(&self, i: usize) -> f64 {
        let t0 = self.trend.points[0].start_time;
        (self.trend.points[i].start_time - t0).num_seconds() as f64 / 86_400.0
    }
}

impl Chart for TrendChart {
    fn stem(&self) -> String {
        format!("trend_{}", self.trend.key)
    }

    fn title(&self) -> String {
        let t = &self.trend;
        let first = &t.points[0];
        let last = t.points.last().expect("non-empty trend");
        let fmt = |v| format_value(v, t.decimals, &t.unit);
        match &last.change_from_first {
            None => format!("{}: {} (one session so far)", t.name, fmt(first.value)),
            Some(c) => format!(
                "{}: {} → {} over {} sessions — {}",
                t.name,
                fmt(first.value),
                fmt(last.value),
                t.points.len(),
                c.verdict_text()
            ),
        }
    }

    fn subtitle(&self) -> String {
        let mut s =
            "Session value with 95 % interval; filled = meaningful change since the first session"
                .to_string();
        if let Some(r) = &self.trend.normal_range {
            s.push_str(&format!("; green = typical ({})", r.source));
        }
        s
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let t = &self.trend;
        let n = t.points.len();
        let span = self.days(n - 1).max(1.0);
        let base = t.points[0].value;
        let mcid_lines: Vec<f64> = match (&t.mcid, t.better) {
            (Some(m), Better::Higher) => vec![base + m.value],
            (Some(m), Better::Lower) => vec![base - m.value],
            (Some(m), Better::Closer(_)) => vec![base - m.value, base + m.value],
            (None, _) => vec![],
        };
        let (lim_lo, lim_hi) = t.limits.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        // 95 % interval of a session, clipped to the possible values.
        let interval = |p: &TrendPoint| {
            let h = p.ci95_half_width.unwrap_or(0.0);
            ((p.value - h).max(lim_lo), (p.value + h).min(lim_hi))
        };
        let mut ys: Vec<f64> = t
            .points
            .iter()
            .flat_map(|p| {
                let (a, b) = interval(p);
                [a, b]
            })
            .collect();
        ys.extend(&mcid_lines);
        if let Some(r) = &t.normal_range {
            ys.extend([r.low, r.high]);
        }
        let (lo, hi) = ys
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let pad = ((hi - lo) * 0.12).max(10f64.powi(-(t.decimals as i32)));
        // The legend sits in the lower part of the plot, kept free of data; where that would
        // reach below the possible values (a negative time, say), it sits above the data.
        let legend_room = (hi - lo + 2.0 * pad) * 0.45;
        let legend_below = lo - pad - legend_room >= lim_lo;
        let (y0, y1) = if legend_below {
            (lo - pad - legend_room, hi + pad)
        } else {
            ((lo - pad).max(lim_lo), hi + pad + legend_room)
        };
        let (x0, x1) = (-span * 0.05, span * 1.05);
        let t0 = t.points[0].start_time;
        let date_of = |d: &f64| {
            (t0 + Duration::seconds((d * 86_400.0).round() as i64))
                .format("%-d %b %Y")
                .to_string()
        };
        let mut chart = ChartBuilder::on(&area.margin(8, 24, 16, 16))
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme::GRID)
            .x_labels(6)
            .x_label_formatter(&date_of)
            .x_desc("Session date")
            .y_label_formatter(&|v| format!("{v:.*}", t.decimals))
            .y_desc(if t.unit.is_empty() {
                t.name.clone()
            } else {
                format!("{}, {}", t.name, t.unit)
            })
            .axis_desc_style(theme::font(theme::LABEL_PX))
            .label_style(theme::font(theme::TICK_PX))
            .draw()?;
        if let Some(r) = &t.normal_range {
            let (a, b) = (r.low.max(y0), r.high.min(y1));
            if a < b {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, a), (x1, b)],
                        theme::NORMAL_BAND.mix(theme::BAND_ALPHA).filled(),
                    )))?
                    .label(format!(
                        "Typical {}–{}",
                        format_value(r.low, t.decimals, ""),
                        format_value(r.high, t.decimals, &t.unit)
                    ))
                    .legend(|(x, y)| {
                        Rectangle::new(
                            [(x, y - 6), (x + 18, y + 6)],
                            theme::NORMAL_BAND.mix(0.3).filled(),
                        )
                    });
            }
        }
        for (k, &y) in mcid_lines.iter().enumerate() {
            let s = chart.draw_series(DashedLineSeries::new(
                [(x0, y), (x1, y)],
                10,
                6,
                theme::okabe_ito::ORANGE.stroke_width(2),
            ))?;
            if k == 0 {
                let m = t.mcid.as_ref().expect("lines only with an MCID");
                let sign = match t.better {
                    Better::Higher => "+",
                    Better::Lower => "−",
                    Better::Closer(_) => "±",
                };
                s.label(format!(
                    "First session {sign} MCID {} ({})",
                    format_value(m.value, t.decimals, &t.unit),
                    m.citation
                ))
                .legend(|(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(
                            [(0, 0), (8, 0)],
                            theme::okabe_ito::ORANGE.stroke_width(2),
                        )
                        + PathElement::new(
                            [(13, 0), (22, 0)],
                            theme::okabe_ito::ORANGE.stroke_width(2),
                        )
                });
            }
        }
        let xy: Vec<(f64, f64)> = (0..n).map(|i| (self.days(i), t.points[i].value)).collect();
        chart.draw_series(LineSeries::new(
            xy.clone(),
            theme::AFTER.mix(0.7).stroke_width(2),
        ))?;
        let cap = span * 0.008;
        for (i, &(x, _)) in xy.iter().enumerate() {
            if t.points[i].ci95_half_width.is_some() {
                let (a, b) = interval(&t.points[i]);
                let style = theme::AFTER.stroke_width(2);
                chart.draw_series([
                    PathElement::new([(x, a), (x, b)], style),
                    PathElement::new([(x - cap, a), (x + cap, a)], style),
                    PathElement::new([(x - cap, b), (x + cap, b)], style),
                ])?;
            }
        }
        let kind = |i: usize| match &t.points[i].change_from_first {
            Some(c) if c.meaningful && c.verdict == Verdict::Improved => 1,
            Some(c) if c.meaningful && c.verdict == Verdict::Worse => 2,
            _ => 0,
        };
        for (k, label, colour) in [
            (0, "No meaningful change", theme::AFTER),
            (1, "Meaningful improvement", theme::IMPROVED),
            (2, "Meaningful worsening", theme::WORSE),
        ] {
            let idx: Vec<usize> = (0..n).filter(|&i| kind(i) == k).collect();
            if idx.is_empty() {
                continue;
            }
            let filled = k != 0;
            let style = move || {
                if filled {
                    colour.filled()
                } else {
                    colour.stroke_width(2)
                }
            };
            chart.draw_series(
                idx.iter()
                    .map(|&i| Circle::new(xy[i], if filled { 9 } else { 7 }, WHITE.filled())),
            )?;
            chart
                .draw_series(
                    idx.iter()
                        .map(|&i| Circle::new(xy[i], if filled { 9 } else { 7 }, style())),
                )?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 9, y), 7, style()));
        }
        let value_style =
            theme::font(theme::TICK_PX - 1).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Bottom,
            ));
        chart.draw_series((0..n).map(|i| {
            let top = interval(&t.points[i]).1;
            Text::new(
                format!("{:.*}", t.decimals, xy[i].1),
                (xy[i].0, top + (y1 - y0) * 0.015),
                value_style.clone(),
            )
        }))?;
        chart
            .configure_series_labels()
            .position(if legend_below {
                SeriesLabelPosition::LowerRight
            } else {
                SeriesLabelPosition::UpperRight
            })
            .background_style(WHITE.mix(0.9))
            .border_style(theme::GRID)
            .label_font(theme::font(theme::TICK_PX))
            .draw()?;
        Ok(())
    }
}
