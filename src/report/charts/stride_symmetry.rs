//! Symmetry index of every stride over the walk, with the typical band (symmetry ratio
//! 0.9–1.1, Patterson et al. 2008, i.e. SI within ±9.5 %), before vs after.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{self, Chart, DrawResult};
pub use crate::report::compare::typical_si_limit_pct;
use crate::report::model::{SessionMetrics, StrideSymmetry, PLAUSIBLE_STRIDE_S};

#[derive(Debug, Clone)]
pub struct StrideSymmetryChart {
    /// (session label, series), oldest first.
    pub sessions: Vec<(String, StrideSymmetry)>,
}

impl StrideSymmetryChart {
    pub fn new(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        let a = after
            .stride_symmetry
            .clone()
            .filter(|s| !s.si_pct.is_empty())?;
        let mut sessions = Vec::new();
        if let Some(b) =
            before.and_then(|b| b.stride_symmetry.clone().map(|s| (b.label.clone(), s)))
        {
            sessions.push(b);
        }
        sessions.push((after.label.clone(), a));
        Some(Self { sessions })
    }
}

/// Number of strides whose |SI| is within the typical band.
pub fn strides_within_band(s: &StrideSymmetry) -> usize {
    let lim = typical_si_limit_pct();
    s.si_pct.iter().filter(|v| v.abs() <= lim).count()
}

impl Chart for StrideSymmetryChart {
    fn stem(&self) -> String {
        "stride_symmetry".into()
    }

    fn title(&self) -> String {
        let (label, last) = self.sessions.last().expect("at least one session");
        let mut t = format!(
            "{}: {} of {} strides in the typical band",
            last.parameter,
            strides_within_band(last),
            last.si_pct.len()
        );
        if self.sessions.len() > 1 {
            let (_, s0) = &self.sessions[self.sessions.len() - 2];
            t.push_str(&format!(
                ", was {} of {}",
                strides_within_band(s0),
                s0.si_pct.len()
            ));
        } else {
            t.push_str(&format!(" ({label})"));
        }
        t
    }

    fn subtitle(&self) -> String {
        format!(
            "Symmetry index per stride, + = right longer. Green band: typical (ratio 0.9–1.1, SI within ±{:.1} %).",
            typical_si_limit_pct()
        )
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let lim = typical_si_limit_pct();
        let t_max = self
            .sessions
            .iter()
            .flat_map(|(_, s)| s.t_s.iter().copied())
            .fold(1.0f64, f64::max);
        let y_abs = self
            .sessions
            .iter()
            .flat_map(|(_, s)| s.si_pct.iter().map(|v| v.abs()))
            .fold(lim * 1.6, f64::max)
            * 1.1;
        let parameter = &self
            .sessions
            .last()
            .expect("at least one session")
            .1
            .parameter;
        let mut chart = ChartBuilder::on(&area.margin(8, 16, 16, 16))
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..t_max * 1.02, -y_abs..y_abs)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme::GRID)
            .x_desc("Time in the recording, s")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc(format!("{parameter} symmetry index, %"))
            .axis_desc_style(theme::font(theme::LABEL_PX))
            .label_style(theme::font(theme::TICK_PX))
            .draw()?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, -lim), (t_max * 1.02, lim)],
                theme::NORMAL_BAND.mix(theme::BAND_ALPHA).filled(),
            )))?
            .label(format!("Typical (±{lim:.1} %)"))
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 6), (x + 18, y + 6)],
                    theme::NORMAL_BAND.mix(0.3).filled(),
                )
            });
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (t_max * 1.02, 0.0)],
            theme::TEXT.stroke_width(1),
        ))?;
        let n = self.sessions.len();
        for (i, (label, s)) in self.sessions.iter().enumerate() {
            let colour = if i + 1 == n {
                theme::AFTER
            } else {
                theme::BEFORE
            };
            let points: Vec<(f64, f64)> = s
                .t_s
                .iter()
                .copied()
                .zip(s.si_pct.iter().copied())
                .collect();
            // Consecutive strides are joined; a pause or another walk is not bridged.
            for run in points.chunk_by(|a, b| b.0 - a.0 <= PLAUSIBLE_STRIDE_S.1) {
                chart.draw_series(LineSeries::new(
                    run.iter().copied(),
                    colour.mix(0.6).stroke_width(2),
                ))?;
            }
            let series = if i + 1 == n {
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 6, colour.filled())))?
            } else {
                chart.draw_series(
                    points
                        .iter()
                        .map(|&p| TriangleMarker::new(p, 7, colour.filled())),
                )?
            };
            let latest = i + 1 == n;
            series
                .label(format!("{label} ({} strides)", s.si_pct.len()))
                .legend(move |(x, y)| {
                    if latest {
                        Circle::new((x + 9, y), 6, colour.filled()).into_dyn()
                    } else {
                        TriangleMarker::new((x + 9, y), 7, colour.filled()).into_dyn()
                    }
                });
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
