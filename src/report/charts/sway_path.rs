//! Sway path of quiet standing seen from above — side-to-side (ML, x, +right) against
//! forward-backward (AP, y, +forward) trunk acceleration, equal scales — with the 95 %
//! prediction ellipse (Prieto et al. 1996), the earlier session in grey behind the later one
//! in black, so a smaller, rounder cloud reads as steadier standing.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, Chart, DrawResult};
use crate::report::model::{SessionMetrics, SwayShape};

/// Sway of a session, with an earlier one where given (same eyes condition).
#[derive(Debug, Clone)]
pub struct SwayPathChart {
    /// (session label, sway), earlier session first.
    pub sessions: Vec<(String, SwayShape)>,
}

impl SwayPathChart {
    /// Chart of `after`'s sway, with `before`'s behind it when that was measured with the same
    /// eyes condition; `None` when `after` has no standing trial.
    pub fn new(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        let a = after.sway.as_ref().filter(|s| !s.path.is_empty())?;
        let mut sessions = Vec::new();
        if let Some((label, b)) = before.and_then(|b| Some((b.label.clone(), b.sway.as_ref()?))) {
            if b.eyes_closed == a.eyes_closed && !b.path.is_empty() {
                sessions.push((label, b.clone()));
            }
        }
        sessions.push((after.label.clone(), a.clone()));
        Some(SwayPathChart { sessions })
    }

    fn latest(&self) -> &SwayShape {
        &self.sessions.last().expect("at least one session").1
    }
}

/// Points of a 95 % ellipse in chart coordinates (ML, AP), closed.
pub fn ellipse_points(s: &SwayShape, centre: (f64, f64), n: usize) -> Vec<(f64, f64)> {
    let a = s.ellipse_angle_deg.to_radians();
    // major axis from AP towards ML: (ml, ap) = (sin a, cos a); minor perpendicular
    let (u, v) = ((a.sin(), a.cos()), (a.cos(), -a.sin()));
    (0..=n)
        .map(|k| {
            let t = std::f64::consts::TAU * k as f64 / n as f64;
            let (c, d) = (
                s.ellipse_major_mps2 * t.cos(),
                s.ellipse_minor_mps2 * t.sin(),
            );
            (centre.0 + c * u.0 + d * v.0, centre.1 + c * u.1 + d * v.1)
        })
        .collect()
}

fn centre(s: &SwayShape) -> (f64, f64) {
    let n = s.path.len().max(1) as f64;
    (
        s.path.ml_mps2.iter().sum::<f64>() / n,
        s.path.ap_mps2.iter().sum::<f64>() / n,
    )
}

/// Ellipse area as printed: three significant digits.
fn area_text(v: f64) -> String {
    let decimals = if v > 0.0 {
        (2 - v.log10().floor() as i32).clamp(0, 8) as usize
    } else {
        3
    };
    format!("{v:.decimals$} (m/s²)²")
}

fn eyes(s: &SwayShape) -> &'static str {
    if s.eyes_closed {
        "eyes closed"
    } else {
        "eyes open"
    }
}

impl Chart for SwayPathChart {
    fn stem(&self) -> String {
        "sway_path".into()
    }

    fn size(&self) -> (u32, u32) {
        (900, 860)
    }

    fn title(&self) -> String {
        let a = self.latest();
        match self.sessions.as_slice() {
            [(_, b), _] => {
                let change = 100.0 * (a.ellipse_area_m2ps4 / b.ellipse_area_m2ps4 - 1.0);
                let word = if change.abs() < 0.5 {
                    "about the same".to_string()
                } else if change < 0.0 {
                    format!("{:.0} % smaller", -change)
                } else {
                    format!("{change:.0} % larger")
                };
                format!(
                    "Sway ellipse {} → {}, {word}",
                    area_text(b.ellipse_area_m2ps4),
                    area_text(a.ellipse_area_m2ps4)
                )
            }
            _ => format!(
                "Sway ellipse {}, {}",
                area_text(a.ellipse_area_m2ps4),
                eyes(a)
            ),
        }
    }

    fn subtitle(&self) -> String {
        let first = if self.sessions.iter().any(|(_, s)| s.trials > 1) {
            "first trial of each session, "
        } else {
            ""
        };
        format!(
            "Trunk acceleration seen from above, quiet standing with {} ({first}ellipse: 95 % of the path, Prieto 1996).",
            eyes(self.latest())
        )
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = area.split_vertically(area.dim_in_pixel().1.saturating_sub(44));
        // half-range covering every path and ellipse, same scale on both axes
        let mut r: f64 = 0.0;
        for (_, s) in &self.sessions {
            for (x, y) in s.path.ml_mps2.iter().zip(&s.path.ap_mps2) {
                r = r.max(x.abs()).max(y.abs());
            }
            for (x, y) in ellipse_points(s, centre(s), 90) {
                r = r.max(x.abs()).max(y.abs());
            }
        }
        let r = if r > 0.0 { r * 1.1 } else { 0.01 };
        let (x_label, y_label) = (60, 90);
        let (w, h) = plot.dim_in_pixel();
        let (pw, ph) = (
            w.saturating_sub(y_label + 32) as f64,
            h.saturating_sub(x_label + 16) as f64,
        );
        let (rx, ry) = if pw >= ph {
            (r * pw / ph.max(1.0), r)
        } else {
            (r, r * ph / pw.max(1.0))
        };
        let mut chart = ChartBuilder::on(&plot.margin(8, 8, 16, 16))
            .x_label_area_size(x_label)
            .y_label_area_size(y_label)
            .build_cartesian_2d(-rx..rx, -ry..ry)?;
        let ticks = |v: &f64| {
            let d = if r < 0.05 { 3 } else { 2 };
            format!("{v:.d$}")
        };
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme::GRID)
            .x_desc("← left    side-to-side (ML) acceleration, m/s²    right →")
            .y_desc("back ←  forward-backward (AP), m/s²  → forward")
            .x_label_formatter(&ticks)
            .y_label_formatter(&ticks)
            .axis_desc_style(theme::font(theme::TICK_PX))
            .label_style(theme::font(theme::TICK_PX))
            .draw()?;
        let n = self.sessions.len();
        for (i, (_, s)) in self.sessions.iter().enumerate() {
            let latest = i + 1 == n;
            let colour = if latest { theme::AFTER } else { theme::BEFORE };
            let alpha = if latest { 0.55 } else { 0.45 };
            chart.draw_series(LineSeries::new(
                s.path
                    .ml_mps2
                    .iter()
                    .zip(&s.path.ap_mps2)
                    .map(|(x, y)| (*x, *y)),
                colour.mix(alpha).stroke_width(1),
            ))?;
            let c = centre(s);
            let ellipse = ellipse_points(s, c, 180);
            let style = if latest {
                theme::AFTER.stroke_width(3)
            } else {
                theme::BEFORE.stroke_width(3)
            };
            if latest {
                chart.draw_series(LineSeries::new(ellipse, style))?;
            } else {
                chart.draw_series(DashedLineSeries::new(ellipse, 10, 6, style))?;
            }
            // area label at the top of each ellipse
            let top = ellipse_points(s, c, 360)
                .into_iter()
                .fold((0.0, f64::MIN), |m, p| if p.1 > m.1 { p } else { m });
            chart.draw_series(std::iter::once(Text::new(
                area_text(s.ellipse_area_m2ps4),
                (top.0, top.1 + ry * 0.015),
                theme::bold(theme::TICK_PX)
                    .color(&colour)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
        let labels: Vec<String> = self
            .sessions
            .iter()
            .map(|(label, s)| format!("{label}, RMS {:.3} m/s²", s.rms_mps2))
            .collect();
        let mut entries = Vec::new();
        if n > 1 {
            entries.push((labels[0].as_str(), theme::BEFORE.mix(1.0)));
        }
        entries.push((labels[n - 1].as_str(), theme::AFTER.mix(1.0)));
        theme::swatch_legend(&legend, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::sway::SwayPath;

    fn shape(major: f64, minor: f64, angle_deg: f64) -> SwayShape {
        SwayShape {
            eyes_closed: false,
            path: SwayPath {
                fs_hz: 20.0,
                ap_mps2: vec![0.0, 0.01, -0.01],
                ml_mps2: vec![0.0, -0.02, 0.02],
            },
            ellipse_major_mps2: major,
            ellipse_minor_mps2: minor,
            ellipse_angle_deg: angle_deg,
            ellipse_area_m2ps4: std::f64::consts::PI * major * minor,
            rms_mps2: 0.02,
            trials: 1,
        }
    }

    #[test]
    fn ellipse_major_axis_points_from_ap_towards_the_right() {
        // 0°: major along AP (chart y); 90°: along ML (chart x, + = right)
        let p = ellipse_points(&shape(2.0, 1.0, 0.0), (0.0, 0.0), 4);
        assert!((p[0].0).abs() < 1e-12 && (p[0].1 - 2.0).abs() < 1e-12);
        assert!((p[1].0.abs() - 1.0).abs() < 1e-12 && p[1].1.abs() < 1e-12);
        let p = ellipse_points(&shape(2.0, 1.0, 90.0), (0.0, 0.0), 4);
        assert!((p[0].0 - 2.0).abs() < 1e-12 && p[0].1.abs() < 1e-12);
        // 45°: forward and to the right
        let p = ellipse_points(&shape(2.0, 1.0, 45.0), (0.5, 0.0), 4);
        let s = 2f64.sqrt();
        assert!((p[0].0 - (0.5 + s)).abs() < 1e-12 && (p[0].1 - s).abs() < 1e-12);
    }

    #[test]
    fn title_states_the_change_of_ellipse_area() {
        let mut before = crate::report::model::synthetic::walk("Before", None, 1.0, 0.0, 4, 0.0, 1);
        let mut after = before.clone();
        after.label = "After".into();
        before.sway = Some(shape(0.2, 0.1, 10.0)); // 0.0628
        after.sway = Some(shape(0.1, 0.1, 10.0)); // 0.0314, half
        let c = SwayPathChart::new(&after, Some(&before)).unwrap();
        assert_eq!(
            c.title(),
            "Sway ellipse 0.0628 (m/s²)² → 0.0314 (m/s²)², 50 % smaller"
        );
        // another eyes condition is not drawn behind
        before.sway.as_mut().unwrap().eyes_closed = true;
        let c = SwayPathChart::new(&after, Some(&before)).unwrap();
        assert_eq!(c.sessions.len(), 1);
        assert_eq!(c.title(), "Sway ellipse 0.0314 (m/s²)², eyes open");
        after.sway = None;
        assert!(SwayPathChart::new(&after, Some(&before)).is_none());
    }
}
