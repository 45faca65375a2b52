//! Left vs right bars of each per-side timing (step, stance, swing, single support), one
//! panel per parameter, one pair of bars per session, with the symmetry index above each pair
//! and the range the right side would need to fall in for a typical symmetry ratio
//! (0.9–1.1, Patterson et al. 2008) given the left side.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, Chart, DrawResult};
use crate::report::compare::SYMMETRY_RATIO_NORMAL;
use crate::report::model::{format_value, SessionMetrics, SideMetric};

/// Per-side parameters of one or more sessions (oldest first).
#[derive(Debug, Clone)]
pub struct SideBars {
    /// (session label, its per-side metrics)
    pub sessions: Vec<(String, Vec<SideMetric>)>,
    /// Patient version: step time only, evenness in words instead of symmetry indices.
    pub plain: bool,
}

impl SideBars {
    /// Chart of `after`'s per-side gait timings, with `before` alongside; `None` when `after` has
    /// none.
    pub fn new(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        // single-leg stance has its own chart, against its age norm
        let gait = |s: &SessionMetrics| -> Vec<SideMetric> {
            s.side_metrics
                .iter()
                .filter(|m| m.key != "sls_hold_s")
                .cloned()
                .collect()
        };
        let latest = gait(after);
        if latest.is_empty() {
            return None;
        }
        let mut sessions = Vec::new();
        if let Some(b) = before {
            sessions.push((b.label.clone(), gait(b)));
        }
        sessions.push((after.label.clone(), latest));
        Some(SideBars {
            sessions,
            plain: false,
        })
    }

    /// Patient version: left vs right step time only, labelled with evenness (smaller/larger).
    pub fn for_patient(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        let only_steps = |s: &SessionMetrics| -> Vec<SideMetric> {
            s.side_metric("step_time_s").cloned().into_iter().collect()
        };
        let latest = only_steps(after);
        if latest.is_empty() {
            return None;
        }
        let mut sessions = Vec::new();
        if let Some(b) = before {
            sessions.push((b.label.clone(), only_steps(b)));
        }
        sessions.push((after.label.clone(), latest));
        Some(SideBars {
            sessions,
            plain: true,
        })
    }

    fn latest(&self) -> &[SideMetric] {
        &self
            .sessions
            .last()
            .expect("constructed with at least one session")
            .1
    }

    fn earlier(&self, key: &str) -> Option<&SideMetric> {
        let n = self.sessions.len();
        (n >= 2)
            .then(|| self.sessions[n - 2].1.iter().find(|m| m.key == key))
            .flatten()
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

fn is_typical(m: &SideMetric) -> bool {
    m.symmetry_ratio()
        .is_some_and(|r| r <= SYMMETRY_RATIO_NORMAL.1 + 1e-12)
}

fn longer_side(si: f64) -> &'static str {
    if si > 0.0 {
        "right longer"
    } else {
        "left longer"
    }
}

impl Chart for SideBars {
    fn stem(&self) -> String {
        if self.plain {
            "side_bars_patient".into()
        } else {
            "side_bars".into()
        }
    }

    fn size(&self) -> (u32, u32) {
        if self.plain {
            (900, 560)
        } else {
            (1100, 620)
        }
    }

    fn title(&self) -> String {
        if self.plain {
            let m = &self.latest()[0];
            let mut t = format!(
                "Your steps: left {}, right {} — {:.0} % even",
                format_value(m.mean.left, m.decimals, &m.unit),
                format_value(m.mean.right, m.decimals, &m.unit),
                m.evenness_pct().unwrap_or(100.0)
            );
            if let Some(e) = self.earlier(&m.key).and_then(|e| e.evenness_pct()) {
                t.push_str(&format!(", was {e:.0} %"));
            }
            return t;
        }
        let latest = self.latest();
        let worst = latest.iter().filter(|m| !is_typical(m)).max_by(|a, b| {
            a.symmetry_index_pct()
                .unwrap_or(0.0)
                .abs()
                .total_cmp(&b.symmetry_index_pct().unwrap_or(0.0).abs())
        });
        match worst {
            None => {
                let was_uneven: Vec<_> = latest
                    .iter()
                    .filter(|m| self.earlier(&m.key).is_some_and(|e| !is_typical(e)))
                    .map(|m| m.name.to_lowercase())
                    .collect();
                match was_uneven.len() {
                    0 => "Left and right even in every timing (ratio within 0.9–1.1)".to_string(),
                    1 => format!(
                        "All timings now even (ratio 0.9–1.1); {} was uneven before",
                        was_uneven[0]
                    ),
                    _ => format!(
                        "All timings now even (ratio 0.9–1.1); {} were uneven before",
                        join_and(&was_uneven)
                    ),
                }
            }
            Some(m) => {
                let si = m.symmetry_index_pct().unwrap_or(0.0);
                let mut t = format!(
                    "{} uneven: SI {si:+.1} % ({}), ratio {:.2} (typical 0.9–1.1)",
                    m.name,
                    longer_side(si),
                    m.symmetry_ratio().unwrap_or(f64::NAN)
                );
                if let Some(si0) = self.earlier(&m.key).and_then(|e| e.symmetry_index_pct()) {
                    t.push_str(&format!(", was {si0:+.1} %"));
                }
                t
            }
        }
    }

    fn subtitle(&self) -> String {
        if self.plain {
            return "Time of each step, by the foot that lands. Green box: where the right step is typical for this left step.".into();
        }
        let labels: Vec<_> = self.sessions.iter().map(|(l, _)| l.as_str()).collect();
        format!(
            "Mean per side, {}. SI = (right − left) / mean × 100. Green box: typical right value for this left.",
            if labels.len() > 1 { format!("pale = {}, solid = {}", labels[..labels.len() - 1].join(", "), labels[labels.len() - 1]) } else { labels[0].to_string() }
        )
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plots, legend) = area.split_vertically(area.dim_in_pixel().1.saturating_sub(44));
        let keys: Vec<&SideMetric> = self.latest().iter().collect();
        let panels = plots.split_evenly((1, keys.len()));
        let n = self.sessions.len();
        for (panel, key_metric) in panels.iter().zip(&keys) {
            let per_session: Vec<Option<&SideMetric>> = self
                .sessions
                .iter()
                .map(|(_, ms)| ms.iter().find(|m| m.key == key_metric.key))
                .collect();
            let y_max = per_session
                .iter()
                .flatten()
                .flat_map(|m| {
                    [
                        m.mean.left,
                        m.mean.right,
                        m.mean.left * SYMMETRY_RATIO_NORMAL.1,
                    ]
                })
                .fold(0.0f64, f64::max)
                * 1.22;
            let y_max = if y_max > 0.0 { y_max } else { 1.0 };
            let mut chart = ChartBuilder::on(&panel.margin(4, 4, 8, 8))
                .caption(&key_metric.name, theme::bold(theme::LABEL_PX + 2))
                .x_label_area_size(34)
                .y_label_area_size(62)
                .build_cartesian_2d(0f64..n as f64, 0f64..y_max)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .light_line_style(TRANSPARENT)
                .bold_line_style(theme::GRID)
                .y_desc(format!("{}, {}", key_metric.name, key_metric.unit))
                .y_label_formatter(&|v| format!("{v:.*}", key_metric.decimals.min(2)))
                .axis_desc_style(theme::font(theme::TICK_PX))
                .label_style(theme::font(theme::TICK_PX))
                .draw()?;
            for (i, m) in per_session.iter().enumerate() {
                let Some(m) = m else { continue };
                let x0 = i as f64;
                let alpha = if i + 1 < n { theme::BEFORE_ALPHA } else { 1.0 };
                let bars = [
                    (x0 + 0.12, x0 + 0.48, m.mean.left, theme::LEFT),
                    (x0 + 0.52, x0 + 0.88, m.mean.right, theme::RIGHT),
                ];
                for (a, b, v, colour) in bars {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, 0.0), (b, v)],
                        colour.mix(alpha).filled(),
                    )))?;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, 0.0), (b, v)],
                        colour.stroke_width(1),
                    )))?;
                }
                let (lo, hi) = (
                    m.mean.left / SYMMETRY_RATIO_NORMAL.1,
                    m.mean.left * SYMMETRY_RATIO_NORMAL.1,
                );
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0 + 0.50, lo), (x0 + 0.90, hi)],
                    theme::NORMAL_BAND.mix(0.25).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0 + 0.50, lo), (x0 + 0.90, hi)],
                    theme::NORMAL_BAND.stroke_width(2),
                )))?;
                let text_colour = if i + 1 < n { theme::TEXT } else { WHITE };
                let value_style = theme::bold(theme::TICK_PX - 2)
                    .color(&text_colour)
                    .pos(Pos::new(HPos::Center, VPos::Top));
                for (x, v) in [(x0 + 0.30, m.mean.left), (x0 + 0.70, m.mean.right)] {
                    let text = format!("{v:.*}", m.decimals);
                    chart.draw_series(std::iter::once(Text::new(
                        text,
                        (x, v * 0.5),
                        value_style.clone(),
                    )))?;
                }
                if let Some(si) = m.symmetry_index_pct() {
                    let top = m.mean.left.max(m.mean.right).max(hi);
                    let style =
                        theme::bold(theme::TICK_PX).pos(Pos::new(HPos::Center, VPos::Bottom));
                    chart.draw_series(std::iter::once(Text::new(
                        if self.plain {
                            format!("{:.0} % even", m.evenness_pct().unwrap_or(100.0))
                        } else {
                            format!("SI {si:+.1} %")
                        },
                        (x0 + 0.5, top + y_max * 0.07),
                        style,
                    )))?;
                }
                let pixel_of = |x: f64| chart.backend_coord(&(x, 0.0));
                theme::x_category_label(
                    panel,
                    pixel_of,
                    x0 + 0.5,
                    &self.sessions[i].0,
                    &theme::font(theme::TICK_PX),
                )?;
            }
        }
        draw_legend(&legend, n > 1)
    }
}

/// Swatch legend along the bottom: sides, pale = earlier session, typical range.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    with_before: bool,
) -> DrawResult<DB> {
    let mut entries = vec![
        ("Left", theme::LEFT.mix(1.0)),
        ("Right", theme::RIGHT.mix(1.0)),
    ];
    if with_before {
        entries.push(("Left (before)", theme::LEFT.mix(theme::BEFORE_ALPHA)));
        entries.push(("Right (before)", theme::RIGHT.mix(theme::BEFORE_ALPHA)));
    }
    entries.push((
        "Typical right for this left (ratio 0.9–1.1)",
        theme::NORMAL_BAND.mix(0.25),
    ));
    theme::swatch_legend(area, &entries)
}
