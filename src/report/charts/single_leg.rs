//! Best single-leg stance hold per side (left blue, right vermillion; an earlier session pale
//! beside it) against the eyes-open age norm of Springer et al. 2007 (horizontal line), so a
//! short hold on one leg is seen at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, Chart, DrawResult};
use crate::balance::norms::{self, NormComparison};
use crate::balance::SideComparison;
use crate::gait::{PerSide, Side};
use crate::report::model::SessionMetrics;

/// Best hold time per side, s, with the age norm where the age is known.
#[derive(Debug, Clone)]
pub struct SingleLegChart {
    pub best_hold_s: PerSide<Option<f64>>,
    /// The earlier session's best holds, drawn pale beside the later ones.
    pub before_best_hold_s: Option<PerSide<Option<f64>>>,
    /// (age band such as "70–79", norm in s); the same for both sides.
    pub norm: Option<(String, f64)>,
}

impl SingleLegChart {
    /// Chart of a left/right comparison; `None` when neither side has a single-leg stance.
    pub fn new(sides: &SideComparison) -> Option<Self> {
        let best = |s: Side| sides.single_leg.get(s).as_ref().map(|x| x.best_hold_s);
        let best_hold_s = PerSide {
            left: best(Side::Left),
            right: best(Side::Right),
        };
        if best_hold_s.left.is_none() && best_hold_s.right.is_none() {
            return None;
        }
        let norm = [&sides.single_leg_norm.left, &sides.single_leg_norm.right]
            .into_iter()
            .flatten()
            .next()
            .map(|n: &NormComparison| (n.age_group.clone(), n.norm_s));
        Some(SingleLegChart {
            best_hold_s,
            before_best_hold_s: None,
            norm,
        })
    }

    /// Chart of the single-leg metrics of `after`, with `before`'s beside them; `None` when
    /// `after` has no single-leg stance. The norm is shown when the age is known and the
    /// protocol's longest hold can reach it.
    pub fn from_metrics(after: &SessionMetrics, before: Option<&SessionMetrics>) -> Option<Self> {
        let best = |s: &SessionMetrics| PerSide {
            left: s.metric("sls_best_hold_left_s").map(|m| m.value),
            right: s.metric("sls_best_hold_right_s").map(|m| m.value),
        };
        let best_hold_s = best(after);
        if best_hold_s.left.is_none() && best_hold_s.right.is_none() {
            return None;
        }
        let max_hold_s = ["sls_best_hold_left_s", "sls_best_hold_right_s"]
            .iter()
            .find_map(|k| after.metric(k)?.limits.map(|l| l.1))
            .unwrap_or(f64::INFINITY);
        let norm = after
            .age_years
            .and_then(norms::sls_eyes_open_norm_s)
            .filter(|(_, n)| *n <= max_hold_s);
        let before_best_hold_s = before
            .map(best)
            .filter(|b| b.left.is_some() || b.right.is_some());
        Some(SingleLegChart {
            best_hold_s,
            before_best_hold_s,
            norm,
        })
    }
}

fn hold_text(v: Option<f64>) -> String {
    v.map_or_else(|| "not tested".into(), |v| format!("{v:.1} s"))
}

impl Chart for SingleLegChart {
    fn stem(&self) -> String {
        "single_leg".into()
    }

    fn size(&self) -> (u32, u32) {
        (900, 600)
    }

    fn title(&self) -> String {
        let (l, r) = (self.best_hold_s.left, self.best_hold_s.right);
        let was = |side: Side| {
            self.before_best_hold_s
                .as_ref()
                .and_then(|b| *b.get(side))
                .map_or_else(String::new, |v| format!(" (was {v:.1} s)"))
        };
        let mut t = format!(
            "Left leg holds {}{}, right {}{}",
            hold_text(l),
            was(Side::Left),
            hold_text(r),
            was(Side::Right)
        );
        if let Some((band, norm)) = &self.norm {
            let below: Vec<&str> = [("left", l), ("right", r)]
                .into_iter()
                .filter(|(_, v)| v.is_some_and(|v| v < *norm))
                .map(|(name, _)| name)
                .collect();
            let verdict = match below.as_slice() {
                [] => "at or above".to_string(),
                [one] => format!("{one} below"),
                _ => "both below".to_string(),
            };
            t.push_str(&format!(" — {verdict} the {norm:.0} s norm for {band} y"));
        }
        t
    }

    fn subtitle(&self) -> String {
        let pale = if self.before_best_hold_s.is_some() {
            " Pale: before."
        } else {
            ""
        };
        match &self.norm {
            Some(_) => format!("Best hold per leg standing on it, eyes open.{pale} Line: age norm (Springer 2007, best of 3)."),
            None => format!("Best hold per leg standing on it, eyes open.{pale} No norm shown (age not given, or beyond the protocol's longest hold)."),
        }
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let bars = [
            ("Left leg", Side::Left, theme::LEFT),
            ("Right leg", Side::Right, theme::RIGHT),
        ];
        let before = self.before_best_hold_s.as_ref();
        let y_max = [Side::Left, Side::Right]
            .iter()
            .flat_map(|&s| [*self.best_hold_s.get(s), before.and_then(|b| *b.get(s))])
            .flatten()
            .chain(self.norm.as_ref().map(|n| n.1))
            .fold(0.0f64, f64::max)
            * 1.2;
        let y_max = if y_max > 0.0 { y_max } else { 1.0 };
        let mut chart = theme::bar_chart(area, 2.0, 0f64..y_max, "Best single-leg stance time, s")?;
        for (i, (label, side, colour)) in bars.iter().enumerate() {
            let x0 = i as f64;
            // (value, left edge, right edge, alpha): before pale on the left of the after bar
            let mut drawn: Vec<(Option<f64>, f64, f64, f64)> = Vec::new();
            match before {
                Some(b) => {
                    drawn.push((*b.get(*side), 0.12, 0.48, theme::BEFORE_ALPHA));
                    drawn.push((*self.best_hold_s.get(*side), 0.52, 0.88, 1.0));
                }
                None => drawn.push((*self.best_hold_s.get(*side), 0.2, 0.8, 1.0)),
            }
            for (value, a, b, alpha) in drawn {
                let mid = x0 + (a + b) / 2.0;
                if let Some(v) = value {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x0 + a, 0.0), (x0 + b, v)],
                        colour.mix(alpha).filled(),
                    )))?;
                    chart.draw_series(std::iter::once(Text::new(
                        format!("{v:.1} s"),
                        (mid, v + y_max * 0.01),
                        theme::bold(theme::LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))?;
                } else {
                    chart.draw_series(std::iter::once(Text::new(
                        "not tested",
                        (mid, y_max * 0.05),
                        theme::font(theme::TICK_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))?;
                }
            }
            let pixel_of = |x: f64| chart.backend_coord(&(x, 0.0));
            let label = if before.is_some() {
                format!("{label}: before, now")
            } else {
                label.to_string()
            };
            theme::x_category_label(
                area,
                pixel_of,
                x0 + 0.5,
                &label,
                &theme::font(theme::TICK_PX),
            )?;
        }
        if let Some((band, norm)) = &self.norm {
            // label above the shorter bar, so it does not run over the taller one
            let left_shorter =
                self.best_hold_s.left.unwrap_or(0.0) <= self.best_hold_s.right.unwrap_or(0.0);
            let (label_x, h_pos) = if left_shorter {
                (0.02, HPos::Left)
            } else {
                (1.98, HPos::Right)
            };
            chart.draw_series(LineSeries::new(
                [(0.0, *norm), (2.0, *norm)],
                theme::NORMAL_BAND.stroke_width(3),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("Norm {norm:.0} s, ages {band} (Springer 2007)"),
                (label_x, *norm + y_max * 0.01),
                theme::font(theme::TICK_PX)
                    .color(&theme::NORMAL_BAND)
                    .pos(Pos::new(h_pos, VPos::Bottom)),
            )))?;
        }
        Ok(())
    }
}
