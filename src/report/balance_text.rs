//! Balance results for people: terminal text per task (units everywhere, one plain-language
//! sentence per task), CSV rows per trial, attempt and repetition, and the JSON `balance` key.

use std::fmt::Write as _;
use std::io::Write;

use crate::balance::leg_lift::EventSource;
use crate::balance::single_leg_stance::{
    summarise, AttemptOf, LossKind, SingleLegStance, StanceAttempt, StanceSummary,
};
use crate::balance::squat::{SquatAnalysis, SquatKind};
use crate::balance::sway::Sway;
use crate::balance::{BalanceReport, BalanceTrial, SideComparison, TrialResult};
use crate::gait::symmetry::Symmetry;
use crate::gait::Side;

/// The whole report as terminal text.
pub fn text(report: &BalanceReport) -> String {
    let mut out = String::new();
    for trial in &report.trials {
        out.push_str(&trial_text(trial));
        out.push('\n');
    }
    out.push_str(&sides_text(&report.sides));
    out
}

/// `{"balance": …}`: trials and per-side comparison, for the JSON export.
pub fn json_value(report: &BalanceReport) -> serde_json::Value {
    serde_json::json!({ "balance": report })
}

fn side_word(side: Side) -> &'static str {
    side.as_str()
}

/// "on the left leg", or "side unknown" when the stance side is not known.
fn on_leg(side: Option<Side>) -> String {
    side.map_or("side unknown".into(), |s| {
        format!("on the {} leg", s.as_str())
    })
}

/// Text of one trial.
pub fn trial_text(trial: &BalanceTrial) -> String {
    let mut s = String::new();
    let detected = if trial.task_detected {
        " (task detected from the signals)"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "{} — {}{}, {:.1} s",
        trial.label, trial.task, detected, trial.duration_s
    );
    match &trial.result {
        TrialResult::Standing {
            eyes_closed, sway, ..
        } => {
            let eyes = if *eyes_closed { "closed" } else { "open" };
            let _ = writeln!(
                s,
                "  Quiet standing with eyes {eyes}: the lower back swayed with {:.3} m/s² RMS acceleration (forward-backward {:.3}, side-to-side {:.3} m/s²).",
                sway.rms_mps2, sway.rms_ap_mps2, sway.rms_ml_mps2
            );
            s.push_str(&sway_lines(sway, "  "));
        }
        TrialResult::SingleLegStance(sls) => s.push_str(&stance_text(&trial.label, sls)),
        TrialResult::Squat(a) => s.push_str(&squat_text(a)),
    }
    for w in &trial.warnings {
        let _ = writeln!(s, "  note: {w}");
    }
    s
}

fn sway_lines(sw: &Sway, indent: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{indent}sway: RMS {:.3} m/s², range AP {:.3} / ML {:.3} m/s², 95 % ellipse {:.4} (m/s²)², path {:.2} m/s², JERK {:.3} m²/s⁵, mean velocity {:.1} mm/s, over {:.1} s",
        sw.rms_mps2,
        sw.range_ap_mps2,
        sw.range_ml_mps2,
        sw.ellipse_area_m2ps4,
        sw.path_mps2,
        sw.jerk_m2ps5,
        1000.0 * sw.mean_velocity_mps,
        sw.duration_s
    );
    if let (Some(ap), Some(ml)) = (&sw.spectrum_ap, &sw.spectrum_ml) {
        let _ = writeln!(
            s,
            "{indent}frequency: centroid AP {:.2} / ML {:.2} Hz, F50 AP {:.2} / ML {:.2} Hz, F95 AP {:.2} / ML {:.2} Hz ({:.2}–{:.0} Hz band)",
            ap.centroid_hz, ml.centroid_hz, ap.f50_hz, ml.f50_hz, ap.f95_hz, ml.f95_hz, sw.settings.band_lo_hz, sw.settings.band_hi_hz
        );
    }
    s
}

fn loss_word(kind: LossKind) -> &'static str {
    match kind {
        LossKind::TouchDown => "foot down",
        LossKind::Hop => "hop",
        LossKind::ToeTouch => "toe touch",
        LossKind::CorrectiveExcursion => "large correction",
    }
}

fn attempt_line(i: usize, a: &StanceAttempt) -> String {
    let end = match a.touch_down_s {
        Some(t) => format!("touch-down {t:.2} s"),
        None if a.interrupted_by_gap => {
            "the data stopped during the hold (a gap without data; the hold is at least this long)"
                .to_string()
        }
        None => "recording ended during the hold".to_string(),
    };
    let losses = if a.losses.is_empty() {
        "no balance loss".to_string()
    } else {
        let items: Vec<String> = a
            .losses
            .iter()
            .map(|l| format!("{} at {:.1} s", loss_word(l.kind), l.t_s))
            .collect();
        format!("{} balance loss(es): {}", a.losses.len(), items.join(", "))
    };
    let sway = a.sway.as_ref().map_or(String::new(), |sw| {
        format!(
            "; sway side-to-side (ML) {:.3}, forward-backward (AP) {:.3} m/s² RMS",
            sw.rms_ml_mps2, sw.rms_ap_mps2
        )
    });
    let timed = match a.events_from {
        EventSource::LegSensor => " (timed by the leg sensor)",
        EventSource::LowerBack => "",
    };
    let max = if a.reached_max_hold {
        ", the protocol maximum"
    } else {
        ""
    };
    format!(
        "  attempt {} {}{timed}: lift-off {:.2} s, {end}, held {:.1} s{max}; {losses}{sway}\n",
        i + 1,
        on_leg(a.stance_side),
        a.lift_off_s,
        a.hold_s
    )
}

fn stance_text(label: &str, sls: &SingleLegStance) -> String {
    let mut s = String::new();
    if sls.attempts.is_empty() {
        s.push_str("  No single-leg stance attempt was found.\n");
        return s;
    }
    let all: Vec<AttemptOf> = AttemptOf::all(label, sls).collect();
    for side in [Side::Left, Side::Right] {
        if let Some(sum) = summarise(&all, side, sls.settings.max_hold_s) {
            let _ = writeln!(
                s,
                "  Standing on the {} leg: held {:.1} s at best and {:.1} s on average over {} attempt(s), with {} balance loss(es) (protocol maximum {:.0} s).",
                side_word(side),
                sum.best_hold_s,
                sum.mean_hold_s,
                sum.attempts,
                sum.losses,
                sls.settings.max_hold_s
            );
        }
    }
    let unknown = sls.side_unknown();
    if unknown > 0 {
        let _ = writeln!(
            s,
            "  {unknown} attempt(s) with the side unknown (the weight shift does not show the stance leg clearly), left out of the per-leg figures."
        );
    }
    for (i, a) in sls.attempts.iter().enumerate() {
        s.push_str(&attempt_line(i, a));
    }
    s
}

fn squat_text(a: &SquatAnalysis) -> String {
    let mut s = String::new();
    let name = match a.kind {
        SquatKind::Squat => "Single-leg squat",
        SquatKind::StepDown => "Step-down",
    };
    let other = side_word(a.stance_side.opposite());
    match crate::balance::squat::summarise(&a.repetitions.iter().collect::<Vec<_>>()) {
        None => {
            let _ = writeln!(
                s,
                "  {name} on the {} leg: no repetition found.",
                side_word(a.stance_side)
            );
            return s;
        }
        Some(sum) => {
            let _ = writeln!(
                s,
                "  {name} on the {} leg: the {other} side of the pelvis dropped {:.1}° on average over {} repetition(s) (largest {:.1}°).",
                side_word(a.stance_side),
                sum.mean_pelvic_drop_deg,
                sum.repetitions,
                sum.max_pelvic_drop_deg
            );
        }
    }
    for (i, r) in a.repetitions.iter().enumerate() {
        let depth = r
            .depth_m
            .map_or(String::new(), |d| format!(", depth {:.0} cm", 100.0 * d));
        let tts = r.stabilisation_s.map_or(String::new(), |t| {
            format!(", stable {t:.2} s after landing")
        });
        let _ = writeln!(
            s,
            "  rep {} at {:.1} s: pelvic drop {:.1}°, frontal range {:.1}°, rotation range {:.1}°, forward lean {:.1}°{depth}{tts}",
            i + 1,
            r.bottom_s,
            r.pelvic_drop_deg,
            r.frontal_rom_deg,
            r.transverse_rom_deg,
            r.trunk_forward_lean_deg
        );
    }
    s
}

fn symmetry_phrase(sym: &Option<Symmetry>) -> String {
    match sym.and_then(|s| s.si_pct) {
        Some(si) => format!("symmetry index {si:+.0} % (right relative to left)"),
        None => "symmetry index not defined".into(),
    }
}

/// "2 (foot down 1, hop 1)" style count of a side's losses by kind.
fn loss_counts_text(sum: &StanceSummary) -> String {
    let c = &sum.loss_counts;
    let parts: Vec<String> = [
        (LossKind::TouchDown, c.touch_down),
        (LossKind::Hop, c.hop),
        (LossKind::ToeTouch, c.toe_touch),
        (LossKind::CorrectiveExcursion, c.corrective_excursion),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{} {n}", loss_word(k)))
    .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        format!("{} ({})", sum.losses, parts.join(", "))
    }
}

fn source_word(source: EventSource) -> &'static str {
    match source {
        EventSource::LowerBack => "the lower-back sensor (weight shift and foot impact)",
        EventSource::LegSensor => "the raised leg's own sensor",
    }
}

/// The single-leg values of one leg, as a block of lines.
pub fn leg_text(side: Side, sum: &StanceSummary) -> String {
    let mut s = String::new();
    let max = if sum.reached_max_hold {
        format!(
            "reached the {:.0} s maximum in {} of {} attempt(s)",
            sum.max_hold_s, sum.attempts_at_max_hold, sum.attempts
        )
    } else {
        format!("did not reach the {:.0} s maximum", sum.max_hold_s)
    };
    let _ = writeln!(
        s,
        "  {} leg: best hold {:.1} s, mean {:.1} s over {} attempt(s); {max}",
        capitalised(side_word(side)),
        sum.best_hold_s,
        sum.mean_hold_s,
        sum.attempts
    );
    let mut line = format!("    balance losses: {}", loss_counts_text(sum));
    // times grouped by attempt, each group named once
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for e in &sum.loss_events {
        let name = format!("{}, attempt {}", e.recording, e.attempt);
        let item = format!("{} at {:.1} s", loss_word(e.kind), e.t_s);
        match groups.last_mut() {
            Some((n, items)) if *n == name => items.push(item),
            _ => groups.push((name, vec![item])),
        }
    }
    if !groups.is_empty() {
        let g: Vec<String> = groups
            .into_iter()
            .map(|(n, items)| format!("{} ({n})", items.join(", ")))
            .collect();
        line.push_str(": ");
        line.push_str(&g.join("; "));
    }
    let _ = writeln!(s, "{line}");
    match (sum.sway_rms_ml_mps2, sum.sway_rms_ap_mps2) {
        (Some(ml), Some(ap)) => {
            let mut line = format!(
                "    sway while holding: side-to-side (ML) {ml:.3} m/s² RMS, forward-backward (AP) {ap:.3} m/s² RMS"
            );
            if let Some(r) = sum.sway_rms_mps2 {
                let _ = write!(line, ", overall {r:.3} m/s² RMS");
            }
            if let Some(e) = sum.ellipse_area_m2ps4 {
                let _ = write!(line, ", 95 % ellipse {e:.4} (m/s²)²");
            }
            let _ = writeln!(s, "{line}");
        }
        _ => {
            let _ = writeln!(s, "    sway while holding: not measured (holds under 2 s)");
        }
    }
    let sources: Vec<&str> = sum.events_from.iter().map(|e| source_word(*e)).collect();
    let _ = writeln!(
        s,
        "    lift-off and touch-down timed by {}",
        sources.join(" and ")
    );
    s
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// Per-leg single-leg section, then left versus right.
pub fn sides_text(c: &SideComparison) -> String {
    let mut s = String::new();
    let legs: Vec<(Side, &StanceSummary)> = [Side::Left, Side::Right]
        .into_iter()
        .filter_map(|side| Some((side, c.single_leg.get(side).as_ref()?)))
        .collect();
    if let Some((_, first)) = legs.first() {
        let _ = writeln!(
            s,
            "Single-leg stance per leg (standing on that leg; protocol maximum {:.0} s; times on each recording's clock):",
            first.max_hold_s
        );
        for (side, sum) in &legs {
            s.push_str(&leg_text(*side, sum));
        }
    }
    if let (Some(l), Some(r)) = (&c.single_leg.left, &c.single_leg.right) {
        let weaker = if l.best_hold_s < r.best_hold_s {
            "left"
        } else {
            "right"
        };
        let equal = (l.best_hold_s - r.best_hold_s).abs() < 1e-9;
        let lead = if equal {
            "Both legs held equally long".to_string()
        } else {
            format!("The {weaker} leg is less stable")
        };
        let _ = writeln!(
            s,
            "Left vs right, single-leg stance: {lead}: best hold {:.1} s left vs {:.1} s right, {}; mean hold {:.1} vs {:.1} s; balance losses {} vs {}.",
            l.best_hold_s,
            r.best_hold_s,
            symmetry_phrase(&c.single_leg_best_hold),
            l.mean_hold_s,
            r.mean_hold_s,
            l.losses,
            r.losses
        );
        if let (Some(ls), Some(rs)) = (l.sway_rms_ml_mps2, r.sway_rms_ml_mps2) {
            let _ = writeln!(
                s,
                "  side-to-side sway while holding: {ls:.3} vs {rs:.3} m/s² RMS, {}",
                symmetry_phrase(&c.single_leg_sway_rms_ml)
            );
        }
    }
    for (side, n) in [
        (Side::Left, &c.single_leg_norm.left),
        (Side::Right, &c.single_leg_norm.right),
    ] {
        if let Some(n) = n {
            let verdict = if n.below_norm { "below" } else { "at or above" };
            let _ = writeln!(
                s,
                "  {} leg best hold {:.1} s is {verdict} the norm for ages {} ({:.0} s; {}).",
                side_word(side),
                n.value_s,
                n.age_group,
                n.norm_s,
                n.source
            );
        }
    }
    for (name, p, sym) in [
        ("single-leg squat", &c.squat, &c.squat_pelvic_drop),
        ("step-down", &c.step_down, &c.step_down_pelvic_drop),
    ] {
        if let (Some(l), Some(r)) = (&p.left, &p.right) {
            let worse = if l.mean_pelvic_drop_deg > r.mean_pelvic_drop_deg {
                "left"
            } else {
                "right"
            };
            let _ = writeln!(
                s,
                "Left vs right, {name}: the pelvis drops more when standing on the {worse} leg: {:.1}° on the left vs {:.1}° on the right, {}.",
                l.mean_pelvic_drop_deg,
                r.mean_pelvic_drop_deg,
                symmetry_phrase(sym)
            );
        }
    }
    if let (Some(l), Some(r)) = (&c.step_down.left, &c.step_down.right) {
        if let (Some(lt), Some(rt)) = (l.mean_stabilisation_s, r.mean_stabilisation_s) {
            let _ = writeln!(
                s,
                "  time to stabilise after landing: {lt:.2} s left vs {rt:.2} s right, {}",
                symmetry_phrase(&c.step_down_stabilisation)
            );
        }
    }
    s
}

/// CSV header of [`write_csv`].
pub const CSV_HEADER: [&str; 27] = [
    "label",
    "task",
    "row",
    "index",
    "side",
    "start_s",
    "end_s",
    "hold_s",
    "losses",
    "pelvic_drop_deg",
    "frontal_rom_deg",
    "transverse_rom_deg",
    "trunk_forward_lean_deg",
    "depth_m",
    "stabilisation_s",
    "sway_rms_mps2",
    "sway_rms_ap_mps2",
    "sway_rms_ml_mps2",
    "ellipse_area_m2ps4",
    "jerk_m2ps5",
    "path_mps2",
    "mean_velocity_mps",
    "centroid_ap_hz",
    "centroid_ml_hz",
    "f50_ap_hz",
    "f95_ap_hz",
    "f50_ml_hz",
];

/// One CSV row per standing trial, single-leg attempt and squat/step-down repetition.
/// Empty cells mean "not applicable".
pub fn write_csv(report: &BalanceReport, w: impl Write) -> csv::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(CSV_HEADER)?;
    let f = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.4}"));
    for t in &report.trials {
        let sway_cells = |sw: Option<&Sway>| -> Vec<String> {
            vec![
                f(sw.map(|s| s.rms_mps2)),
                f(sw.map(|s| s.rms_ap_mps2)),
                f(sw.map(|s| s.rms_ml_mps2)),
                f(sw.map(|s| s.ellipse_area_m2ps4)),
                f(sw.map(|s| s.jerk_m2ps5)),
                f(sw.map(|s| s.path_mps2)),
                f(sw.map(|s| s.mean_velocity_mps)),
                f(sw.and_then(|s| s.spectrum_ap.map(|p| p.centroid_hz))),
                f(sw.and_then(|s| s.spectrum_ml.map(|p| p.centroid_hz))),
                f(sw.and_then(|s| s.spectrum_ap.map(|p| p.f50_hz))),
                f(sw.and_then(|s| s.spectrum_ap.map(|p| p.f95_hz))),
                f(sw.and_then(|s| s.spectrum_ml.map(|p| p.f50_hz))),
            ]
        };
        let mut row = |kind: &str,
                       index: usize,
                       side: &str,
                       cells: [String; 10],
                       sway: Vec<String>|
         -> csv::Result<()> {
            let mut r = vec![
                t.label.clone(),
                t.task.clone(),
                kind.to_string(),
                index.to_string(),
                side.to_string(),
            ];
            r.extend(cells);
            r.extend(sway);
            wr.write_record(&r)
        };
        let e = String::new;
        match &t.result {
            TrialResult::Standing { sway, .. } => {
                row(
                    "standing",
                    1,
                    "",
                    [
                        f(Some(0.0)),
                        f(Some(t.duration_s)),
                        e(),
                        e(),
                        e(),
                        e(),
                        e(),
                        e(),
                        e(),
                        e(),
                    ],
                    sway_cells(Some(sway.as_ref())),
                )?;
            }
            TrialResult::SingleLegStance(sls) => {
                for (i, a) in sls.attempts.iter().enumerate() {
                    row(
                        "attempt",
                        i + 1,
                        a.stance_side.map_or("unknown", side_word),
                        [
                            f(Some(a.lift_off_s)),
                            f(a.touch_down_s),
                            f(Some(a.hold_s)),
                            a.losses.len().to_string(),
                            e(),
                            e(),
                            e(),
                            e(),
                            e(),
                            e(),
                        ],
                        sway_cells(a.sway.as_ref()),
                    )?;
                }
            }
            TrialResult::Squat(a) => {
                for (i, r) in a.repetitions.iter().enumerate() {
                    row(
                        "repetition",
                        i + 1,
                        side_word(a.stance_side),
                        [
                            f(Some(r.start_s)),
                            f(Some(r.end_s)),
                            e(),
                            e(),
                            f(Some(r.pelvic_drop_deg)),
                            f(Some(r.frontal_rom_deg)),
                            f(Some(r.transverse_rom_deg)),
                            f(Some(r.trunk_forward_lean_deg)),
                            f(r.depth_m),
                            f(r.stabilisation_s),
                        ],
                        sway_cells(None),
                    )?;
                }
            }
        }
    }
    wr.flush()?;
    Ok(())
}

/// [`write_csv`] into a string.
pub fn csv_string(report: &BalanceReport) -> String {
    let mut buf = Vec::new();
    write_csv(report, &mut buf).expect("writing CSV to memory cannot fail");
    String::from_utf8(buf).expect("CSV of UTF-8 fields is UTF-8")
}
