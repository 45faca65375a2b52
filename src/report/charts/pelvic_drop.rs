//! Pelvic drop of every squat or step-down repetition, standing on the left (blue) and on the
//! right (vermillion), deg, positive = the free side of the pelvis drops (metrics.md B5). With
//! an earlier session: the mean per leg before (pale) and now, each repetition as a dot.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, Chart, DrawResult};
use crate::balance::squat::SquatKind;
use crate::balance::{BalanceTrial, TrialResult};
use crate::gait::{PerSide, Side};
use crate::report::metrics_from_balance::squat_key;
use crate::report::model::SessionMetrics;
use crate::signal::stats::mean;

/// Pelvic drop per repetition, deg, per stance side, of one task kind.
#[derive(Debug, Clone)]
pub struct PelvicDropChart {
    pub kind: SquatKind,
    pub drops_deg: PerSide<Vec<f64>>,
    /// The earlier session's repetitions.
    pub before_deg: Option<PerSide<Vec<f64>>>,
}

impl PelvicDropChart {
    /// Chart of the `kind` repetitions of all trials; `None` when there are none.
    pub fn new(trials: &[BalanceTrial], kind: SquatKind) -> Option<Self> {
        let mut drops_deg = PerSide {
            left: Vec::new(),
            right: Vec::new(),
        };
        for t in trials {
            if let TrialResult::Squat(a) = &t.result {
                if a.kind == kind {
                    let v = match a.stance_side {
                        Side::Left => &mut drops_deg.left,
                        Side::Right => &mut drops_deg.right,
                    };
                    v.extend(a.repetitions.iter().map(|r| r.pelvic_drop_deg));
                }
            }
        }
        (!drops_deg.left.is_empty() || !drops_deg.right.is_empty()).then_some(PelvicDropChart {
            kind,
            drops_deg,
            before_deg: None,
        })
    }

    /// Chart of the `kind` pelvic-drop metrics of `after` (one sample per repetition), with
    /// `before`'s; `None` when `after` has no such repetition.
    pub fn from_metrics(
        after: &SessionMetrics,
        before: Option<&SessionMetrics>,
        kind: SquatKind,
    ) -> Option<Self> {
        let reps = |s: &SessionMetrics| {
            let side = |word: &str| {
                s.metric(&format!("{}_pelvic_drop_{word}_deg", squat_key(kind)))
                    .map_or_else(Vec::new, |m| m.samples.clone())
            };
            PerSide {
                left: side("left"),
                right: side("right"),
            }
        };
        let any = |p: &PerSide<Vec<f64>>| !p.left.is_empty() || !p.right.is_empty();
        let drops_deg = reps(after);
        any(&drops_deg).then(|| PelvicDropChart {
            kind,
            drops_deg,
            before_deg: before.map(reps).filter(any),
        })
    }

    fn task(&self) -> &'static str {
        match self.kind {
            SquatKind::Squat => "Single-leg squat",
            SquatKind::StepDown => "Step-down",
        }
    }
}

impl Chart for PelvicDropChart {
    fn stem(&self) -> String {
        match self.kind {
            SquatKind::Squat => "pelvic_drop_squat".into(),
            SquatKind::StepDown => "pelvic_drop_step_down".into(),
        }
    }

    fn title(&self) -> String {
        let (l, r) = (mean(&self.drops_deg.left), mean(&self.drops_deg.right));
        let fmt = |m: Option<f64>| m.map_or_else(|| "not tested".into(), |m| format!("{m:.1}°"));
        if let Some(b) = &self.before_deg {
            let side = |was: &[f64], now: Option<f64>| match (mean(was), now) {
                (Some(w), Some(n)) => format!("{w:.1}° → {n:.1}°"),
                (None, now) => fmt(now),
                (Some(w), None) => format!("{w:.1}° → not tested"),
            };
            return format!(
                "{} pelvic drop: left leg {}, right leg {}",
                self.task(),
                side(&b.left, l),
                side(&b.right, r)
            );
        }
        let mut t = format!(
            "{} pelvic drop: on the left leg {}, on the right {}",
            self.task(),
            fmt(l),
            fmt(r)
        );
        if let (Some(l), Some(r)) = (l, r) {
            if (l - r).abs() >= 0.05 {
                t.push_str(if l > r {
                    " — larger on the left"
                } else {
                    " — larger on the right"
                });
            }
        }
        t
    }

    fn subtitle(&self) -> String {
        if self.before_deg.is_some() {
            return "Mean peak drop of the free side of the pelvis, pale before and solid now; dots: each repetition. Lower is better.".into();
        }
        "Peak drop of the free side of the pelvis per repetition. Blue: standing on the left leg, orange: on the right.".into()
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        if let Some(before) = &self.before_deg {
            return self.draw_before_after(area, before);
        }
        let n = self.drops_deg.left.len().max(self.drops_deg.right.len());
        let all = self.drops_deg.left.iter().chain(&self.drops_deg.right);
        let y_max = all.clone().fold(0.0f64, |a, &v| a.max(v)) * 1.2;
        let y_min = all.fold(0.0f64, |a, &v| a.min(v)) * 1.2;
        let y_max = if y_max > y_min { y_max } else { y_min + 1.0 };
        let mut chart = theme::bar_chart(area, n as f64, y_min..y_max, "Pelvic drop, deg")?;
        let series = [
            (&self.drops_deg.left, theme::LEFT, 0.1, 0.48),
            (&self.drops_deg.right, theme::RIGHT, 0.52, 0.9),
        ];
        for (drops, colour, a, b) in series {
            for (i, v) in drops.iter().enumerate() {
                let x0 = i as f64;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0 + a, 0.0), (x0 + b, *v)],
                    colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!("{v:.1}°"),
                    (x0 + (a + b) / 2.0, v.max(0.0) + (y_max - y_min) * 0.01),
                    theme::font(theme::TICK_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))?;
            }
        }
        for i in 0..n {
            let pixel_of = |x: f64| chart.backend_coord(&(x, y_min));
            theme::x_category_label(
                area,
                pixel_of,
                i as f64 + 0.5,
                &format!("Repetition {}", i + 1),
                &theme::font(theme::TICK_PX),
            )?;
        }
        Ok(())
    }
}

impl PelvicDropChart {
    /// Before/after: per leg a pale bar (mean before) and a solid bar (mean now), each
    /// repetition a dot on its bar.
    fn draw_before_after<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        before: &PerSide<Vec<f64>>,
    ) -> DrawResult<DB> {
        let all = || {
            before
                .left
                .iter()
                .chain(&before.right)
                .chain(&self.drops_deg.left)
                .chain(&self.drops_deg.right)
        };
        let y_max = all().fold(0.0f64, |a, &v| a.max(v)) * 1.2;
        let y_min = all().fold(0.0f64, |a, &v| a.min(v)) * 1.2;
        let y_max = if y_max > y_min { y_max } else { y_min + 1.0 };
        let mut chart = theme::bar_chart(area, 2.0, y_min..y_max, "Pelvic drop, deg")?;
        for (i, (label, side)) in [("Left leg", Side::Left), ("Right leg", Side::Right)]
            .into_iter()
            .enumerate()
        {
            let x0 = i as f64;
            let colour = theme::side_colour(side);
            for (reps, a, b, alpha) in [
                (before.get(side), 0.12, 0.48, theme::BEFORE_ALPHA),
                (self.drops_deg.get(side), 0.52, 0.88, 1.0),
            ] {
                let mid = x0 + (a + b) / 2.0;
                let Some(m) = mean(reps) else {
                    chart.draw_series(std::iter::once(Text::new(
                        "not tested",
                        (mid, y_min + (y_max - y_min) * 0.05),
                        theme::font(theme::TICK_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))?;
                    continue;
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0 + a, 0.0), (x0 + b, m)],
                    colour.mix(alpha).filled(),
                )))?;
                chart.draw_series(reps.iter().enumerate().map(|(k, v)| {
                    // spread the dots across the bar so repeated values stay visible
                    let x = x0 + a + (b - a) * (k as f64 + 1.0) / (reps.len() as f64 + 1.0);
                    Circle::new((x, *v), 5, theme::AFTER.filled())
                }))?;
                let top = reps.iter().fold(m, |t, v| t.max(*v)).max(0.0);
                chart.draw_series(std::iter::once(Text::new(
                    format!("{m:.1}°"),
                    (mid, top + (y_max - y_min) * 0.01),
                    theme::bold(theme::LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))?;
            }
            let pixel_of = |x: f64| chart.backend_coord(&(x, y_min));
            theme::x_category_label(
                area,
                pixel_of,
                x0 + 0.5,
                &format!("{label}: before, now"),
                &theme::font(theme::TICK_PX),
            )?;
        }
        Ok(())
    }
}
