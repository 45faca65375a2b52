//! Charts rendered with plotters to SVG and PNG, one file per chart kind. Each kind is built
//! from [`SessionMetrics`](crate::report::model::SessionMetrics) and returns `None` when the
//! session lacks its data, so a new metric or chart is one small addition here.

pub mod gait_cycle;
pub mod pelvic_drop;
pub mod side_bars;
pub mod single_leg;
pub mod single_leg_events;
pub mod stride_symmetry;
pub mod sway_path;
pub mod theme;
pub mod trend;

use std::path::Path;

pub use theme::{render_svg, write_chart, Chart, RenderedChart};

use crate::balance::squat::SquatKind;
use crate::error::Result;
use crate::report::model::SessionMetrics;
use crate::report::progress::Progress;

/// One pelvic-drop chart per task kind.
const SQUAT_KINDS: [SquatKind; 2] = [SquatKind::Squat, SquatKind::StepDown];

fn emit<C: Chart>(
    chart: Option<C>,
    dir: Option<&Path>,
    out: &mut Vec<RenderedChart>,
) -> Result<()> {
    if let Some(c) = chart {
        out.push(match dir {
            Some(d) => write_chart(&c, d)?,
            None => render_svg(&c)?,
        });
    }
    Ok(())
}

/// Every chart of one session, with `before` alongside where given. With `dir`, each chart is
/// also written as `<dir>/<name>.svg` and `<dir>/<name>.png`.
pub fn session_charts(
    after: &SessionMetrics,
    before: Option<&SessionMetrics>,
    dir: Option<&Path>,
) -> Result<Vec<RenderedChart>> {
    let mut out = Vec::new();
    emit(side_bars::SideBars::new(after, before), dir, &mut out)?;
    emit(
        side_bars::SideBars::for_patient(after, before),
        dir,
        &mut out,
    )?;
    emit(
        stride_symmetry::StrideSymmetryChart::new(after, before),
        dir,
        &mut out,
    )?;
    emit(
        gait_cycle::GaitCycleChart::new(after, before),
        dir,
        &mut out,
    )?;
    emit(
        single_leg::SingleLegChart::from_metrics(after, before),
        dir,
        &mut out,
    )?;
    for kind in SQUAT_KINDS {
        emit(
            pelvic_drop::PelvicDropChart::from_metrics(after, before, kind),
            dir,
            &mut out,
        )?;
    }
    emit(sway_path::SwayPathChart::new(after, before), dir, &mut out)?;
    for c in single_leg_events::SingleLegEventsChart::for_recordings(&after.single_leg_events) {
        emit(Some(c), dir, &mut out)?;
    }
    Ok(out)
}

/// One trend chart per metric of a progress track.
pub fn progress_charts(progress: &Progress, dir: Option<&Path>) -> Result<Vec<RenderedChart>> {
    let mut out = Vec::new();
    for t in &progress.trends {
        emit(trend::TrendChart::new(t), dir, &mut out)?;
    }
    Ok(out)
}

/// Every chart of a balance report. With `dir`, each chart is also written as
/// `<dir>/<name>.svg` and `<dir>/<name>.png`.
pub fn balance_charts(
    report: &crate::balance::BalanceReport,
    dir: Option<&Path>,
) -> Result<Vec<RenderedChart>> {
    let mut out = Vec::new();
    emit(
        single_leg::SingleLegChart::new(&report.sides),
        dir,
        &mut out,
    )?;
    for kind in SQUAT_KINDS {
        emit(
            pelvic_drop::PelvicDropChart::new(&report.trials, kind),
            dir,
            &mut out,
        )?;
    }
    let recordings: Vec<_> = report
        .trials
        .iter()
        .filter_map(crate::report::metrics_from_balance::single_leg_events)
        .collect();
    for c in single_leg_events::SingleLegEventsChart::for_recordings(&recordings) {
        emit(Some(c), dir, &mut out)?;
    }
    Ok(out)
}
