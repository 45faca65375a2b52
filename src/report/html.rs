//! Self-contained HTML reports (one session, or progress over sessions): a patient page in
//! plain language and large type, and a therapist page with the full tables and every chart.
//! Charts are inline SVG and the bundled font is embedded, so the file needs no network and
//! looks the same everywhere; print CSS lays it out on A4 with each page on its own sheet.

use std::fmt::Write as _;

use base64::Engine as _;

use super::charts::{self, theme, RenderedChart};
use super::compare::{self, Change, Comparison, Verdict};
use super::model::{format_value, Audience, Better, Metric, SessionMetrics};
use super::progress::Progress;
use crate::error::{Error, Result};

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    pub html: String,
    /// The charts embedded in the report (SVG only; nothing is written to disk).
    pub charts: Vec<RenderedChart>,
    pub comparison: Option<Comparison>,
}

/// Builds the report of `session`, compared with `before` where given.
///
/// Errors: a session without metrics, or a `before` session that is not comparable (other
/// task or sensor placements).
pub fn build_report(session: &SessionMetrics, before: Option<&SessionMetrics>) -> Result<Report> {
    if session.metrics.is_empty() && session.side_metrics.is_empty() {
        return Err(Error::NotEnoughData(format!(
            "session \"{}\" has no measured metrics (no walking or trial was found); there is nothing to report",
            session.label
        )));
    }
    let comparison = before.map(|b| compare::compare(b, session)).transpose()?;
    let charts = charts::session_charts(session, before, None)?;
    let html = render(session, before, comparison.as_ref(), &charts);
    Ok(Report {
        html,
        charts,
        comparison,
    })
}

/// One self-contained HTML page of a progress track: the patient's headline trends in plain
/// language, then the therapist's table of changes since the first session and every trend
/// chart. `charts` are the track's trend charts (see [`charts::progress_charts`]).
pub fn progress_html(progress: &Progress, charts: &[RenderedChart]) -> String {
    let mut h = String::with_capacity(2_500_000);
    head(
        &mut h,
        &format!("Progress — {} sessions", progress.sessions.len()),
    );
    let (first, last) = (progress.sessions.first(), progress.sessions.last());
    let span = match (first, last) {
        (Some(a), Some(b)) if progress.sessions.len() > 1 => {
            format!("{} sessions, {a} to {b}", progress.sessions.len())
        }
        (Some(a), _) => format!("one session, {a}"),
        _ => String::new(),
    };
    h.push_str("<section class=\"page patient\">\n<h1>Your progress</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} · {}</p>",
        escape(&span),
        escape(&progress.task)
    );
    let mut patient_chart = None;
    for t in progress
        .trends
        .iter()
        .filter(|t| t.audience == Audience::Patient)
    {
        let (Some(p0), Some(pn)) = (t.points.first(), t.points.last()) else {
            continue;
        };
        let now = t.metric_at(pn);
        let was = (t.points.len() > 1).then(|| t.metric_at(p0));
        let Some(sentence) = patient_sentence(&now, was.as_ref()) else {
            continue;
        };
        let (class, status) = match &pn.change_from_first {
            Some(c) => patient_status(&now, c),
            None => range_status(&now),
        };
        let _ = write!(
            h,
            "<div class=\"card {class}\" data-metric=\"{}\">{}",
            escape(&t.key),
            escape(&sentence)
        );
        if !status.is_empty() {
            let _ = write!(h, "<span class=\"status\">{}</span>", escape(&status));
        }
        h.push_str("</div>\n");
        if patient_chart.is_none() {
            patient_chart = charts.iter().find(|c| c.stem == format!("trend_{}", t.key));
        }
    }
    if let Some(c) = patient_chart {
        figure(&mut h, c);
    }
    h.push_str(
        "<p class=\"note\">“Clearly” compares with your first session: the change is larger than what varies \
         from stride to stride and, for walking speed, at least the change patients notice (0.10 m/s).</p>\n</section>\n",
    );
    h.push_str("<section class=\"page therapist\">\n<h1>Therapist summary</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} · {} · sessions: {}</p>",
        escape(&span),
        escape(&progress.task),
        escape(&progress.sessions.join(", "))
    );
    h.push_str(
        "<h2>Since the first session</h2>\n<table class=\"changes\">\n<tr><th>Metric</th><th>First</th><th>Latest</th><th>Change</th>\
         <th>95 % interval of change</th><th>Verdict</th></tr>\n",
    );
    for t in &progress.trends {
        let (Some(p0), Some(pn)) = (t.points.first(), t.points.last()) else {
            continue;
        };
        let Some(ch) = &pn.change_from_first else {
            continue;
        };
        change_rows(&mut h, &t.name, p0.value, pn.value, ch);
    }
    h.push_str("</table>\n<h2>Charts</h2>\n");
    for c in charts {
        figure(&mut h, c);
    }
    h.push_str("</section>\n</body>\n</html>\n");
    h
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "91 % or more is typical" / "0.94–1.43 m/s is typical".
fn typical_text(m: &Metric) -> Option<String> {
    let r = m.normal_range.as_ref()?;
    Some(match m.better {
        Better::Higher => format!("{} or more is typical", m.format(r.low)),
        Better::Lower => format!("{} or less is typical", m.format(r.high)),
        Better::Closer(_) => format!(
            "{}–{} is typical",
            format_value(r.low, m.decimals, ""),
            m.format(r.high)
        ),
    })
}

/// The plain-language sentence of a patient metric, e.g. "Your left and right steps are now
/// 94 % even — was 81 %; 91 % or more is typical."
pub fn patient_sentence(m: &Metric, before: Option<&Metric>) -> Option<String> {
    let p = m.plain.as_ref()?;
    let with_word = |v: f64| {
        let v = m.format(v);
        if p.after_value.is_empty() {
            v
        } else {
            format!("{v} {}", p.after_value)
        }
    };
    let mut s = match before {
        Some(b) => format!(
            "{} {} now {} — was {}",
            p.subject,
            p.verb,
            with_word(m.value),
            m.format(b.value)
        ),
        None => format!("{} {} {}", p.subject, p.verb, with_word(m.value)),
    };
    if let Some(t) = typical_text(m) {
        s.push_str("; ");
        s.push_str(&t);
    }
    s.push('.');
    Some(s)
}

/// Status words for the patient page: (css class, text).
fn patient_status(m: &Metric, change: &Change) -> (&'static str, String) {
    let p = m.plain.as_ref();
    let better = p.map_or("better", |p| p.better.as_str());
    let worse = p.map_or("worse", |p| p.worse.as_str());
    match (change.verdict, change.meaningful) {
        (Verdict::Improved, true) => ("good", format!("Clearly {better} than before.")),
        (Verdict::Improved, false) => (
            "same",
            format!("A little {better}, not yet a clear change."),
        ),
        (Verdict::Worse, true) => (
            "warn",
            format!("Clearly {worse} than before — worth talking about with your therapist."),
        ),
        (Verdict::Worse, false) => (
            "same",
            format!("A little {worse}, within what varies from day to day."),
        ),
        (Verdict::Unchanged, _) => ("same", "About the same as before.".to_string()),
    }
}

/// Status of a single session against the typical range: (css class, text).
fn range_status(m: &Metric) -> (&'static str, String) {
    let Some(r) = &m.normal_range else {
        return ("", String::new());
    };
    if m.value >= r.low && m.value <= r.high {
        ("good", "In the typical range.".into())
    } else if m.value < r.low {
        ("warn", "Below the typical range.".into())
    } else {
        ("warn", "Above the typical range.".into())
    }
}

fn font_face(weight: &str, ttf: &[u8]) -> String {
    format!(
        "@font-face{{font-family:'{}';font-weight:{weight};src:url(data:font/ttf;base64,{}) format('truetype');}}\n",
        theme::FONT,
        base64::engine::general_purpose::STANDARD.encode(ttf)
    )
}

const CSS: &str = r#"
:root{--left:#0072B2;--right:#D55E00;--good:#009E73;--warn:#E69F00;--ink:#141414;--muted:#555}
*{box-sizing:border-box}
body{font-family:'DejaVu Sans',sans-serif;color:var(--ink);margin:0;background:#f4f4f4}
.page{background:#fff;max-width:210mm;margin:8mm auto;padding:14mm 14mm}
h1{font-size:22pt;margin:0 0 4mm}
h2{font-size:15pt;margin:8mm 0 3mm}
.meta{color:var(--muted);font-size:10pt;margin-bottom:6mm}
.patient h1{font-size:30pt}
.patient .card{border-left:8px solid #999;padding:3mm 5mm;margin:0 0 6mm;font-size:19pt;line-height:1.35;break-inside:avoid}
.patient .card.good{border-color:var(--good)}
.patient .card.warn{border-color:var(--warn)}
.patient .status{display:block;font-size:15pt;font-weight:bold;margin-top:2mm}
.patient .good .status{color:var(--good)}
.patient .warn .status{color:#9a6a00}
.patient .note{font-size:13pt;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:9.5pt;margin-bottom:4mm}
th,td{border-bottom:1px solid #ddd;padding:1.6mm 2mm;text-align:left;vertical-align:top}
th{background:#f0f0f0}
tr.why td{color:var(--muted);font-size:8.5pt;padding-top:0}
table.changes tr:not(.why) td{border-bottom:none}
td.num{text-align:right;white-space:nowrap}
.verdict-improved{color:#00704f;font-weight:bold}
.verdict-worse{color:#8a3f6a;font-weight:bold}
figure{margin:0 0 6mm;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:9pt;color:var(--muted)}
@page{size:A4;margin:10mm}
@media print{
  body{background:#fff}
  .page{margin:0;padding:0;max-width:none;break-after:page}
  .page:last-child{break-after:auto}
}
"#;

fn render(
    session: &SessionMetrics,
    before: Option<&SessionMetrics>,
    comparison: Option<&Comparison>,
    charts: &[RenderedChart],
) -> String {
    let mut h = String::with_capacity(2_500_000);
    let kind = match (session.strides > 0, session.balance_trials > 0) {
        (true, true) => "Gait and balance report",
        (false, true) => "Balance report",
        _ => "Gait report",
    };
    head(&mut h, &format!("{kind} — {}", session.label));
    patient_page(&mut h, session, before, comparison, charts);
    therapist_page(&mut h, session, before, comparison, charts);
    h.push_str("</body>\n</html>\n");
    h
}

/// Document head with the embedded font and the style sheet, and the opening body tag.
fn head(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n",
        escape(title)
    );
    h.push_str(&font_face("normal", theme::FONT_REGULAR_TTF));
    h.push_str(&font_face("bold", theme::FONT_BOLD_TTF));
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n");
}

/// Two table rows of one change: the numbers and verdict, then the rule that decided.
fn change_rows(h: &mut String, name: &str, before: f64, after: f64, ch: &Change) {
    let f = |v: f64| format_value(v, ch.decimals, &ch.unit);
    let sign = if ch.delta > 0.0 { "+" } else { "" };
    let _ = writeln!(
        h,
        "<tr data-metric=\"{}\"><td rowspan=\"2\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{sign}{}</td>\
         <td class=\"num\">{}</td><td class=\"verdict-{}\">{}</td></tr>\n<tr class=\"why\"><td colspan=\"5\">Decided by: {}</td></tr>",
        escape(&ch.key),
        escape(name),
        escape(&f(before)),
        escape(&f(after)),
        escape(&f(ch.delta)),
        ch.ci95_half_width.map_or("—".to_string(), |w| escape(&format!("±{}", f(w)))),
        ch.verdict.as_str(),
        escape(&ch.verdict_text()),
        escape(&ch.explanation()),
    );
}

fn session_meta(s: &SessionMetrics) -> String {
    let date = s.start_time.map_or_else(
        || "date not recorded".to_string(),
        |t| t.format("%-d %B %Y, %H:%M").to_string(),
    );
    let task = match (&s.task, s.visit) {
        (Some(t), _) => t.to_string(),
        (None, true) => "visit with several tasks".to_string(),
        (None, false) => "task not recorded".to_string(),
    };
    let sensors: Vec<&str> = s.placements.iter().map(|p| p.as_str()).collect();
    let mut counts = Vec::new();
    if s.strides > 0 {
        counts.push(format!("{} strides", s.strides));
    }
    if s.balance_trials > 0 {
        counts.push(format!(
            "{} balance trials, attempts or repetitions",
            s.balance_trials
        ));
    }
    if let Some(age) = s.age_years {
        counts.push(format!("age {age:.0}"));
    }
    format!(
        "{} · {date} · {task} · sensors: {} · {}",
        escape(&s.label),
        escape(&sensors.join(", ")),
        escape(&counts.join(" · "))
    )
}

/// Heading of the patient page for what the session measured.
fn patient_heading(s: &SessionMetrics) -> &'static str {
    match (s.strides > 0, s.balance_trials > 0) {
        (true, true) => "Your walking and balance",
        (false, true) => "Your balance",
        _ => "Your walking",
    }
}

/// Charts shown on the patient page: plain left/right comparisons only.
const PATIENT_CHARTS: [&str; 2] = ["side_bars_patient", "single_leg"];

fn patient_page(
    h: &mut String,
    s: &SessionMetrics,
    before: Option<&SessionMetrics>,
    comparison: Option<&Comparison>,
    charts: &[RenderedChart],
) {
    let _ = writeln!(
        h,
        "<section class=\"page patient\">\n<h1>{}</h1>",
        patient_heading(s)
    );
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", session_meta(s));
    for m in s.metrics.iter().filter(|m| m.audience == Audience::Patient) {
        let prev = before.and_then(|b| b.metric(&m.key));
        let Some(sentence) = patient_sentence(m, prev) else {
            continue;
        };
        let change = comparison.and_then(|c| c.change(&m.key));
        let (class, status) = match change {
            Some(c) => patient_status(m, c),
            None => range_status(m),
        };
        let _ = write!(
            h,
            "<div class=\"card {class}\" data-metric=\"{}\">{}",
            escape(&m.key),
            escape(&sentence)
        );
        if !status.is_empty() {
            let _ = write!(h, "<span class=\"status\">{}</span>", escape(&status));
        }
        h.push_str("</div>\n");
    }
    for stem in PATIENT_CHARTS {
        if let Some(c) = charts.iter().find(|c| c.stem == stem) {
            figure(h, c);
        }
    }
    h.push_str("<p class=\"note\">Blue is always your left side, orange your right side.");
    if comparison.is_some() {
        h.push_str(
            " “Clearly” means the change is larger than what varies from stride to stride \
             (or attempt to attempt) and, for walking speed, at least the change patients \
             notice (0.10 m/s).",
        );
    }
    h.push_str("</p>\n</section>\n");
}

fn figure(h: &mut String, c: &RenderedChart) {
    let svg = c.svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(&c.title)),
        1,
    );
    let _ = write!(
        h,
        "<figure data-chart=\"{}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(&c.stem),
        escape(&c.subtitle)
    );
}

fn therapist_page(
    h: &mut String,
    s: &SessionMetrics,
    before: Option<&SessionMetrics>,
    comparison: Option<&Comparison>,
    charts: &[RenderedChart],
) {
    h.push_str("<section class=\"page therapist\">\n<h1>Therapist summary</h1>\n");
    let _ = writeln!(h, "<p class=\"meta\">{}", session_meta(s));
    if let Some(b) = before {
        let _ = write!(h, "<br>compared with: {}", session_meta(b));
    }
    h.push_str("</p>\n");
    if let Some(c) = comparison {
        h.push_str(
            "<h2>Before / after</h2>\n<table class=\"changes\">\n<tr><th>Metric</th><th>Before</th><th>After</th><th>Change</th>\
             <th>95 % interval of change</th><th>Verdict</th></tr>\n",
        );
        for ch in &c.changes {
            change_rows(h, &ch.name, ch.before, ch.after, ch);
        }
        h.push_str("</table>\n");
    }
    h.push_str(
        "<h2>Metrics</h2>\n<table class=\"metrics\">\n<tr><th>Metric</th><th>Value</th><th>95 % interval</th><th>n</th>\
         <th>Typical range</th><th>Better</th></tr>\n",
    );
    for m in &s.metrics {
        let better = match m.better {
            Better::Higher => "higher".to_string(),
            Better::Lower => "lower".to_string(),
            Better::Closer(t) => format!("closer to {}", m.format(t)),
        };
        let _ = writeln!(
            h,
            "<tr data-metric=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.key),
            escape(&m.name),
            escape(&m.format(m.value)),
            m.ci95_half_width().map_or("—".to_string(), |w| escape(&format!("±{}", m.format(w)))),
            m.samples.len(),
            m.normal_range.as_ref().map_or("—".to_string(), |r| escape(&format!(
                "{}–{} ({})",
                format_value(r.low, m.decimals, ""),
                m.format(r.high),
                r.source
            ))),
            escape(&better),
        );
    }
    h.push_str("</table>\n");
    if !s.side_metrics.is_empty() {
        h.push_str(
            "<h2>Left and right</h2>\n<table class=\"sides\">\n<tr><th>Parameter</th><th>Left</th><th>Right</th>\
             <th>SI (+ = right larger)</th><th>Ratio (typical 0.9–1.1)</th><th>Strides L/R</th></tr>\n",
        );
        for m in &s.side_metrics {
            let _ = writeln!(
                h,
                "<tr data-metric=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}/{}</td></tr>",
                escape(&m.key),
                escape(&m.name),
                escape(&format_value(m.mean.left, m.decimals, &m.unit)),
                escape(&format_value(m.mean.right, m.decimals, &m.unit)),
                m.symmetry_index_pct().map_or("—".to_string(), |v| format!("{v:+.1} %")),
                m.symmetry_ratio().map_or("—".to_string(), |v| format!("{v:.2}")),
                m.samples.left.len(),
                m.samples.right.len(),
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Charts</h2>\n");
    for c in charts.iter().filter(|c| c.stem != "side_bars_patient") {
        figure(h, c);
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::synthetic;

    #[test]
    fn patient_sentence_reads_like_the_issue_example() {
        let before = synthetic::walk("before", None, 1.0, 20.0, 12, 0.0, 1);
        let after = synthetic::walk("after", None, 1.1, 6.0, 12, 0.0, 2);
        let m = after.metric("step_time_evenness_pct").unwrap();
        let b = before.metric("step_time_evenness_pct").unwrap();
        // Noise-free: evenness = 100 / 1.06 = 94.3 %, before 100 / 1.2 = 83.3 %.
        assert_eq!(
            patient_sentence(m, Some(b)).unwrap(),
            "Your left and right steps are now 94 % even — was 83 %; 90 % or more is typical."
        );
        let speed = after.metric("walking_speed_mps").unwrap();
        assert_eq!(
            patient_sentence(speed, None).unwrap(),
            "Your walking speed is 1.10 m/s; 0.94 m/s or more is typical."
        );
    }

    #[test]
    fn patient_card_and_patient_chart_state_the_same_evenness() {
        let s = synthetic::walk("s", None, 1.0, 7.0, 20, 0.08, 11);
        let even = s
            .side_metric("step_time_s")
            .unwrap()
            .evenness_pct()
            .unwrap();
        let sentence = patient_sentence(s.metric("step_time_evenness_pct").unwrap(), None).unwrap();
        assert!(
            sentence.contains(&format!("are {even:.0} % even")),
            "{sentence} vs {even}"
        );
        let chart = crate::report::charts::side_bars::SideBars::for_patient(&s, None).unwrap();
        use crate::report::charts::Chart;
        assert!(
            chart.title().ends_with(&format!("{even:.0} % even")),
            "{}",
            chart.title()
        );
    }

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
