//! Terminal report: what a therapist reads first — walking found, cadence, speed, a
//! left | right | symmetry table with units, regularity, and one plain-language sentence on
//! symmetry.

use std::fmt::Write as _;
use std::io::Write;

use super::Exporter;
use crate::analyze::SessionAnalysis;
use crate::gait::analysis::GaitAnalysis;
use crate::gait::quality::Outcome;
use crate::gait::symmetry::{evenness_pct, symmetry_index_pct, SideComparison};
use crate::gait::PerSide;

pub struct TextReport;

impl Exporter for TextReport {
    fn name(&self) -> &'static str {
        "text"
    }

    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(render(analysis).as_bytes())
    }
}

fn num(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(x) => format!("{x:.decimals$} {unit}").trim_end().to_string(),
        None => "–".into(),
    }
}

fn si(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:+.1} %"),
        None => "–".into(),
    }
}

/// The plain-language reading of left/right symmetry, from step-time evenness. It names
/// the longer side only when the step-time symmetry index's 95 % interval excludes zero,
/// and says nothing about symmetry when fewer than half the steps have a trustworthy side.
pub fn symmetry_sentence(g: &GaitAnalysis) -> String {
    let s = &g.summary;
    let sided = g.steps.iter().filter(|st| st.side.is_some()).count();
    let unknown = g.steps.len() - sided;
    let suffix = if unknown > 0 {
        format!(
            " {sided} of {} steps have a trustworthy side (side unknown for the others, which are left out).",
            g.steps.len()
        )
    } else {
        String::new()
    };
    if 2 * sided < g.steps.len() {
        return format!(
            "Too few steps with a trustworthy side to judge left/right symmetry.{suffix}"
        );
    }
    let (Some(l), Some(r)) = (s.step_time_s.left, s.step_time_s.right) else {
        return format!("Too few steady steps on each side to judge left/right symmetry.{suffix}");
    };
    let even = evenness_pct(l, r).unwrap_or(100.0);
    let longer = if r > l { "right" } else { "left" };
    // the side is named only when the interval of the index excludes equal sides
    let supported = s
        .comparisons
        .step_time
        .as_ref()
        .and_then(|c| Some(c.si_pct.abs() > c.si_ci95_pct?))
        .unwrap_or(false);
    let body = if even >= 95.0 {
        format!("Left and right steps are {even:.0} % even: symmetric (90 % or more is typical).")
    } else if !supported {
        format!("Left and right steps are {even:.0} % even, but the difference between the sides is within its uncertainty: no side can be said to take longer.")
    } else if even >= 90.0 {
        format!("Left and right steps are {even:.0} % even, within the typical range (90 % or more); the {longer} step is slightly longer.")
    } else if even >= 80.0 {
        format!("Left and right steps are {even:.0} % even, below the typical 90 %: the {longer} step takes longer.")
    } else {
        format!("Left and right steps are only {even:.0} % even (typical: 90 % or more): the {longer} step takes clearly longer.")
    };
    format!("{body}{suffix}")
}

/// Renders the whole terminal report.
pub fn render(a: &SessionAnalysis) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "gaitkit {} — gait analysis", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(o, "Recording      {}", a.source.display());
    let info = &a.session;
    if let Some(t) = &info.task {
        let _ = writeln!(o, "Task           {t}");
    }
    if let Some(t) = &info.start_time {
        let _ = writeln!(o, "Recorded       {t}");
    }
    let mut who = Vec::new();
    if let Some(id) = &info.participant_id {
        who.push(format!("participant {id}"));
    }
    if let Some(h) = info.height_m {
        who.push(format!("height {h:.2} m"));
    }
    if let (Some(h), Some(src)) = (info.sensor_height_m, &info.sensor_height_source) {
        who.push(format!("sensor height {h:.2} m ({src})"));
    }
    if !who.is_empty() {
        let _ = writeln!(o, "Participant    {}", who.join(", "));
    }
    let Some(g) = &a.gait else {
        let _ = writeln!(o, "\nNo gait analysis (no suitable sensor).");
        return o;
    };
    let s = &g.summary;
    let _ = writeln!(
        o,
        "Sensors        {} ({:.1} s at {:.0} Hz)",
        g.source, g.duration_s, g.sampling_rate_hz
    );
    let missing: Vec<_> = g.gaps.iter().filter(|x| !x.filled).collect();
    if !g.gaps.is_empty() {
        let _ = writeln!(
            o,
            "Missing data   {} gap(s), {:.1} s in total; {} longer than the fill limit split the walk",
            g.gaps.len(),
            g.gaps.iter().map(|x| x.duration_s()).sum::<f64>(),
            missing.len()
        );
    }
    let _ = writeln!(o);
    if g.bouts.is_empty() {
        let _ = writeln!(o, "No walking found in this recording.");
        quality_lines(&mut o, g);
        for n in &g.notes {
            let _ = writeln!(o, "Note: {n}");
        }
        return o;
    }
    let _ = writeln!(
        o,
        "Walking        {} bout(s), {:.1} s of walking, {} steps; {} left and {} right steady strides count (outside turns, away from walk starts, ends and pauses, typical timing)",
        s.n_bouts,
        s.walking_time_s,
        s.n_steps,
        s.n_steady_strides.left,
        s.n_steady_strides.right
    );
    for (i, b) in g.bouts.iter().enumerate() {
        let _ = writeln!(
            o,
            "  bout {:<3} {:>7.2}–{:<7.2} s  {:>3} steps  ended by {}",
            i + 1,
            b.start_s,
            b.end_s,
            b.n_steps,
            b.ended_by
        );
    }
    if !g.turns.is_empty() {
        let _ = writeln!(
            o,
            "Turns          {} (strides inside them are left out of the steady-state values)",
            g.turns.len()
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Cadence        {}", num(s.cadence_spm, 1, "steps/min"));
    let _ = writeln!(o, "Walking speed  {}", num(s.walking_speed_mps, 2, "m/s"));
    let _ = writeln!(o, "Stride length  {}", num(s.stride_length_m, 2, "m"));
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "                      {:>10} {:>10} {:>16} {:>10}",
        "left", "right", "symmetry index", "95 % ±"
    );
    let row = |o: &mut String,
               name: &str,
               v: &PerSide<Option<f64>>,
               c: &Option<SideComparison>,
               unit: &str,
               decimals: usize| {
        let idx = match (v.left, v.right) {
            (Some(l), Some(r)) => symmetry_index_pct(l, r),
            _ => None,
        };
        let _ = writeln!(
            o,
            "{:<21} {:>10} {:>10} {:>16} {:>10}",
            name,
            num(v.left, decimals, unit),
            num(v.right, decimals, unit),
            si(idx),
            num(c.as_ref().and_then(|c| c.si_ci95_pct), 1, "pp")
        );
    };
    let c = &s.comparisons;
    row(&mut o, "Step time", &s.step_time_s, &c.step_time, "s", 3);
    row(
        &mut o,
        "Stride time",
        &s.stride_time_s,
        &c.stride_time,
        "s",
        3,
    );
    row(
        &mut o,
        "Stance time*",
        &s.stance_time_s,
        &c.stance_time,
        "s",
        3,
    );
    row(
        &mut o,
        "Swing time*",
        &s.swing_time_s,
        &c.swing_time,
        "s",
        3,
    );
    row(
        &mut o,
        "Single support*",
        &s.single_support_s,
        &c.single_support,
        "s",
        3,
    );
    row(
        &mut o,
        "Double support*",
        &s.double_support_s,
        &c.double_support,
        "s",
        3,
    );
    row(
        &mut o,
        "Step length",
        &s.step_length_per_side_m,
        &c.step_length,
        "m",
        2,
    );
    let starred = if g.source == "lower-back" {
        "estimated from the trunk"
    } else {
        "measured per leg"
    };
    let _ = writeln!(
        o,
        "(per side: 20 % trimmed mean of the steady strides; symmetry index = (right − left) / mean × 100, positive = right larger, with the half-width of its 95 % interval; * {starred})"
    );
    let _ = writeln!(o);
    let y = &s.symmetry;
    let _ =
        writeln!(
        o,
        "Symmetry       step-time ratio {}, gait asymmetry (swing) {}, phase coordination index {}",
        y.step_time_ratio.map(|r| format!("{r:.2}")).unwrap_or("–".into()),
        y.swing_time_ga_pct.map(|r| format!("{r:.1} %")).unwrap_or("–".into()),
        y.pci_pct.map(|r| format!("{r:.1} %")).unwrap_or("–".into()),
    );
    if let Some(r) = &s.regularity {
        let _ = writeln!(
            o,
            "Regularity     vertical: step {:.2}, stride {:.2}, step symmetry {:.2}; AP: step {:.2}, stride {:.2} (1 = identical)",
            r.step_regularity_v, r.stride_regularity_v, r.step_symmetry_v, r.step_regularity_ap, r.stride_regularity_ap
        );
    }
    if let Some(h) = &s.harmonic_ratio {
        let _ = writeln!(
            o,
            "Harmonic ratio AP {:.2}, V {:.2}, ML {:.2}; improved HR AP {:.0} %, V {:.0} %, ML {:.0} % ({} strides)",
            h.hr_ap, h.hr_v, h.hr_ml, h.ihr_ap_pct, h.ihr_v_pct, h.ihr_ml_pct, h.n_strides
        );
    }
    let v = &s.variability;
    let _ = writeln!(
        o,
        "Variability    step time CV {}, stride time CV {}",
        num(v.step_time_cv_pct, 1, "%"),
        num(v.stride_time_cv_pct, 1, "%")
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "Reading: {}", symmetry_sentence(g));
    quality_lines(&mut o, g);
    for n in &g.notes {
        let _ = writeln!(o, "Note: {n}");
    }
    o
}

/// One line per quality check that failed or corrected something.
fn quality_lines(o: &mut String, g: &GaitAnalysis) {
    for c in g.quality.to_report() {
        let label = match c.outcome {
            Outcome::Corrected => "Corrected",
            _ => "Check failed",
        };
        let _ = match c.bout {
            Some(b) => writeln!(o, "{label}: bout {}: {}", b + 1, c.message),
            None => writeln!(o, "{label}: {}", c.message),
        };
    }
}
