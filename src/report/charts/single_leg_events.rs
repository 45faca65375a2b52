//! The events of one single-leg recording over its side-to-side trunk acceleration, so a
//! therapist can check what the analysis found: the ML acceleration of the lower back (body
//! frame, + right) over time, each attempt's lift-off (bluish green) and touch-down (reddish
//! purple) as labelled vertical lines, the hold shaded in the stance leg's colour and named,
//! and balance losses marked by kind (hop: orange triangle, large correction: sky-blue circle,
//! foot down before the maximum: purple cross). Colours are Okabe–Ito and every kind also has
//! its own shape or label, so nothing depends on telling colours apart.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{self, okabe_ito, Chart, DrawResult};
use crate::balance::leg_lift::EventSource;
use crate::balance::single_leg_stance::LossKind;
use crate::gait::Side;
use crate::report::model::{AttemptEvents, SingleLegEvents};

/// Lift-off line colour.
pub const LIFT_OFF: RGBColor = okabe_ito::BLUISH_GREEN;
/// Touch-down line colour (and the cross of a foot-down loss).
pub const TOUCH_DOWN: RGBColor = okabe_ito::REDDISH_PURPLE;
/// Hop marker colour.
pub const HOP: RGBColor = okabe_ito::ORANGE;
/// Large-correction marker colour.
pub const CORRECTION: RGBColor = okabe_ito::SKY_BLUE;
/// The acceleration trace.
pub const TRACE: RGBColor = RGBColor(60, 60, 60);

/// Chart size, px.
pub const SIZE: (u32, u32) = (1100, 520);
/// Height of the title block above the body, px (as drawn by the theme).
const HEAD_PX: u32 = theme::TITLE_PX + theme::SUBTITLE_PX + 30;
/// Height of the legend row under the plot, px.
const LEGEND_PX: u32 = 40;
/// Margins of the plot inside the body (top, bottom, left, right), px.
const MARGIN: (u32, u32, u32, u32) = (8, 4, 16, 24);
const X_LABEL_PX: u32 = 44;
const Y_LABEL_PX: u32 = 80;

/// One single-leg recording's events chart.
#[derive(Debug, Clone)]
pub struct SingleLegEventsChart {
    pub events: SingleLegEvents,
    /// File name without extension, e.g. `single_leg_events_left`.
    pub stem: String,
}

/// Which leg a recording stood on, as a word: from its attempts, else from its task.
fn leg_word(e: &SingleLegEvents) -> &'static str {
    let has = |s: Side| e.attempts.iter().any(|a| a.stance_side == Some(s));
    match (has(Side::Left), has(Side::Right)) {
        (true, true) => "both",
        (true, false) => "left",
        (false, true) => "right",
        (false, false) if e.task.ends_with("-left") => "left",
        (false, false) if e.task.ends_with("-right") => "right",
        _ => "unknown",
    }
}

impl SingleLegEventsChart {
    /// One chart per recording with a trace, named `single_leg_events_<leg>` (leg = `left`,
    /// `right`, `both` or `unknown`), with `_2`, `_3`, … for further recordings of that leg.
    pub fn for_recordings(recordings: &[SingleLegEvents]) -> Vec<SingleLegEventsChart> {
        let mut out: Vec<SingleLegEventsChart> = Vec::new();
        for e in recordings.iter().filter(|e| e.trace.len() >= 2) {
            let base = format!("single_leg_events_{}", leg_word(e));
            let n = out
                .iter()
                .filter(|c| c.stem == base || c.stem.starts_with(&format!("{base}_")))
                .count();
            let stem = if n == 0 {
                base
            } else {
                format!("{base}_{}", n + 1)
            };
            out.push(SingleLegEventsChart {
                events: e.clone(),
                stem,
            });
        }
        out
    }

    /// Time range of the x axis, s on the recording clock.
    pub fn time_range_s(&self) -> (f64, f64) {
        let t = &self.events.trace;
        let (a, b) = (t.t0_s, t.time_s(t.len().saturating_sub(1)));
        if b > a {
            (a, b)
        } else {
            (a, a + 1.0)
        }
    }

    /// Pixel columns of the x axis ends in the rendered image: the time range maps linearly
    /// from the first to the second.
    pub fn time_axis_px(&self) -> (i32, i32) {
        let left = MARGIN.2 + Y_LABEL_PX;
        let right = SIZE.0 - MARGIN.3;
        (left as i32, right as i32)
    }

    /// Pixel rows of the plot area's top and bottom in the rendered image.
    pub fn plot_rows_px(&self) -> (i32, i32) {
        let top = HEAD_PX + MARGIN.0;
        let bottom = SIZE.1 - LEGEND_PX - MARGIN.1 - X_LABEL_PX;
        (top as i32, bottom as i32)
    }

    /// Half-range of the acceleration values, m/s² (at least 0.05).
    fn amplitude(&self) -> f64 {
        let r = self
            .events
            .trace
            .ml_mps2
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        r.max(0.05)
    }

    fn legs_sentence(&self) -> String {
        match leg_word(&self.events) {
            "both" => "Standing on either leg".to_string(),
            "unknown" => "Single-leg stance".to_string(),
            leg => format!("Standing on the {leg} leg"),
        }
    }
}

fn hold_end_s(a: &AttemptEvents, end_s: f64) -> f64 {
    a.touch_down_s.unwrap_or(end_s)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Chart for SingleLegEventsChart {
    fn stem(&self) -> String {
        self.stem.clone()
    }

    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn title(&self) -> String {
        let e = &self.events;
        if e.attempts.is_empty() {
            return format!("{}: no single-leg attempt found", self.legs_sentence());
        }
        let best = e.attempts.iter().map(|a| a.hold_s).fold(0.0, f64::max);
        let losses: usize = e.attempts.iter().map(|a| a.losses.len()).sum();
        let at_max = if e.attempts.iter().any(|a| a.reached_max_hold) {
            format!(" (the {:.0} s maximum)", e.max_hold_s)
        } else {
            String::new()
        };
        format!(
            "{}: {}, best hold {best:.1} s{at_max}, {}",
            self.legs_sentence(),
            plural(e.attempts.len(), "attempt", "attempts"),
            plural(losses, "balance loss", "balance losses")
        )
    }

    fn subtitle(&self) -> String {
        let e = &self.events;
        let leg = e
            .attempts
            .iter()
            .any(|a| a.events_from == EventSource::LegSensor);
        let lower = e
            .attempts
            .iter()
            .any(|a| a.events_from == EventSource::LowerBack);
        let timed = match (lower, leg) {
            (true, true) => "lower-back and leg sensors",
            (false, true) => "the raised leg's sensor",
            _ => "the lower-back sensor",
        };
        format!(
            "{}: side-to-side trunk acceleration (body frame, + right) with lift-off and touch-down timed by {timed}; shaded: hold.",
            e.label
        )
    }

    fn draw_body<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = area.split_vertically(area.dim_in_pixel().1.saturating_sub(LEGEND_PX));
        let (t_from, t_to) = self.time_range_s();
        let r = self.amplitude();
        // room above the trace for the event labels and loss symbols, below for the leg name
        let (y_lo, y_hi) = (-1.35 * r, 1.9 * r);
        let mut chart = ChartBuilder::on(&plot.margin(MARGIN.0, MARGIN.1, MARGIN.2, MARGIN.3))
            .x_label_area_size(X_LABEL_PX)
            .y_label_area_size(Y_LABEL_PX)
            .build_cartesian_2d(t_from..t_to, y_lo..y_hi)?;
        let decimals = if r < 0.5 { 2 } else { 1 };
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme::GRID)
            .x_desc("Time, s (recording clock)")
            .y_desc("ML acceleration, m/s²")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.decimals$}"))
            .axis_desc_style(theme::font(theme::TICK_PX))
            .label_style(theme::font(theme::TICK_PX))
            .draw()?;
        let e = &self.events;
        // holds shaded in the stance leg's colour, the leg named at the bottom
        for a in &e.attempts {
            let end = hold_end_s(a, t_to).min(t_to);
            let colour = a.stance_side.map_or(theme::BEFORE, theme::side_colour);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a.lift_off_s.max(t_from), y_lo), (end, y_hi)],
                colour.mix(theme::BAND_ALPHA).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                match a.stance_side {
                    Some(side) => format!("{} leg, {:.1} s", side.as_str(), a.hold_s),
                    None => format!("side unknown, {:.1} s", a.hold_s),
                },
                ((a.lift_off_s.max(t_from) + end) / 2.0, y_lo + 0.06 * r),
                theme::bold(theme::TICK_PX)
                    .color(&colour)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
        chart.draw_series(LineSeries::new(
            [(t_from, 0.0), (t_to, 0.0)],
            theme::GRID.stroke_width(1),
        ))?;
        let t = &e.trace;
        chart.draw_series(LineSeries::new(
            (0..t.len()).map(|i| (t.time_s(i), t.ml_mps2[i])),
            TRACE.stroke_width(1),
        ))?;
        // lift-off and touch-down: full-height lines, labels in two rows above the trace
        let (row1, row2) = (y_hi - 0.04 * r, y_hi - 0.3 * r);
        for a in &e.attempts {
            chart.draw_series(LineSeries::new(
                [(a.lift_off_s, y_lo), (a.lift_off_s, y_hi)],
                LIFT_OFF.stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(" lift-off {:.1} s", a.lift_off_s),
                (a.lift_off_s, row1),
                theme::bold(theme::TICK_PX)
                    .color(&LIFT_OFF)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            )))?;
            if let Some(td) = a.touch_down_s {
                chart.draw_series(LineSeries::new(
                    [(td, y_lo), (td, y_hi)],
                    TOUCH_DOWN.stroke_width(2),
                ))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!("touch-down {td:.1} s "),
                    (td, row2),
                    theme::bold(theme::TICK_PX)
                        .color(&TOUCH_DOWN)
                        .pos(Pos::new(HPos::Right, VPos::Top)),
                )))?;
            }
        }
        // losses by kind, on one row above the trace
        let y_mark = 1.2 * r;
        for l in e.attempts.iter().flat_map(|a| &a.losses) {
            match l.kind {
                LossKind::Hop => chart.draw_series(std::iter::once(TriangleMarker::new(
                    (l.t_s, y_mark),
                    9,
                    HOP.filled(),
                )))?,
                LossKind::CorrectiveExcursion => chart.draw_series(std::iter::once(
                    Circle::new((l.t_s, y_mark), 7, CORRECTION.filled()),
                ))?,
                LossKind::ToeTouch => chart.draw_series(std::iter::once(Circle::new(
                    (l.t_s, y_mark),
                    7,
                    TOUCH_DOWN.stroke_width(2),
                )))?,
                LossKind::TouchDown => chart.draw_series(std::iter::once(Cross::new(
                    (l.t_s, y_mark),
                    7,
                    TOUCH_DOWN.stroke_width(3),
                )))?,
            };
        }
        if e.attempts.is_empty() {
            chart.draw_series(std::iter::once(Text::new(
                "no lift-off found",
                ((t_from + t_to) / 2.0, 1.5 * r),
                theme::bold(theme::LABEL_PX).pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
        draw_legend(&legend)
    }
}

/// One legend row: the two event lines and the three loss symbols.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let y = 20;
    let mut x = MARGIN.2 as i32 + Y_LABEL_PX as i32;
    let label = |area: &DrawingArea<DB, Shift>, x: i32, text: &str| -> DrawResult<DB> {
        area.draw(&Text::new(
            text.to_string(),
            (x, y),
            theme::font(theme::TICK_PX).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
    };
    let step = |text: &str| 30 + text.chars().count() as i32 * 9 + 26;
    for (text, colour) in [("lift-off", LIFT_OFF), ("touch-down", TOUCH_DOWN)] {
        area.draw(&PathElement::new(
            vec![(x + 10, y - 10), (x + 10, y + 10)],
            colour.stroke_width(2),
        ))?;
        label(area, x + 24, text)?;
        x += step(text);
    }
    let hop = "hop";
    area.draw(&TriangleMarker::new((x + 10, y), 9, HOP.filled()))?;
    label(area, x + 24, hop)?;
    x += step(hop);
    let corr = "large correction";
    area.draw(&Circle::new((x + 10, y), 7, CORRECTION.filled()))?;
    label(area, x + 24, corr)?;
    x += step(corr);
    let down = "foot down before the maximum";
    area.draw(&Cross::new((x + 10, y), 7, TOUCH_DOWN.stroke_width(3)))?;
    label(area, x + 24, down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::single_leg_stance::{BalanceLoss, MlTrace};

    fn events(task: &str, sides: &[Side]) -> SingleLegEvents {
        SingleLegEvents {
            label: "rec".into(),
            task: task.into(),
            max_hold_s: 30.0,
            trace: MlTrace {
                fs_hz: 50.0,
                t0_s: 0.0,
                ml_mps2: vec![0.0; 2000],
            },
            attempts: sides
                .iter()
                .enumerate()
                .map(|(i, &s)| AttemptEvents {
                    stance_side: Some(s),
                    lift_off_s: 5.0 + 12.0 * i as f64,
                    touch_down_s: Some(15.0 + 12.0 * i as f64),
                    hold_s: 10.0,
                    reached_max_hold: false,
                    interrupted_by_gap: false,
                    losses: vec![BalanceLoss {
                        t_s: 15.0 + 12.0 * i as f64,
                        kind: LossKind::TouchDown,
                    }],
                    events_from: EventSource::LowerBack,
                })
                .collect(),
        }
    }

    #[test]
    fn stems_name_the_leg_and_number_repeats() {
        let recs = [
            events("single-leg-left", &[Side::Left]),
            events("single-leg-right", &[Side::Right]),
            events("single-leg-left", &[Side::Left, Side::Left]),
            events("single-leg-stance", &[Side::Left, Side::Right]),
            events("single-leg-right", &[]),
            events("single-leg-stance", &[]),
        ];
        let stems: Vec<String> = SingleLegEventsChart::for_recordings(&recs)
            .into_iter()
            .map(|c| c.stem)
            .collect();
        assert_eq!(
            stems,
            [
                "single_leg_events_left",
                "single_leg_events_right",
                "single_leg_events_left_2",
                "single_leg_events_both",
                "single_leg_events_right_2",
                "single_leg_events_unknown"
            ]
        );
    }

    #[test]
    fn title_states_attempts_best_hold_and_losses() {
        let c = &SingleLegEventsChart::for_recordings(&[events(
            "single-leg-left",
            &[Side::Left, Side::Left],
        )])[0];
        assert_eq!(
            c.title(),
            "Standing on the left leg: 2 attempts, best hold 10.0 s, 2 balance losses"
        );
        let c = &SingleLegEventsChart::for_recordings(&[events("single-leg-right", &[])])[0];
        assert_eq!(
            c.title(),
            "Standing on the right leg: no single-leg attempt found"
        );
        assert_eq!(c.time_range_s(), (0.0, 39.98));
    }
}
