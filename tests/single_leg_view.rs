//! What the therapist decides single-leg stance from, on simulated sessions with known holds
//! and losses (tests/support/balance_sim.rs): the per-leg values in the text and JSON of
//! `gaitkit balance`, the events chart written by `--charts` (lines at the detected times,
//! checked pixel by pixel against the time axis) and its place on the HTML report's therapist
//! page.

mod support;

use std::path::Path;

use gaitkit::gait::Side;
use gaitkit::report::charts::single_leg_events::{self, SingleLegEventsChart};
use serde_json::Value;
use support::balance_sim::*;
use support::gaitkit_ok;
use support::images::{decode_png, parse_svg};

/// Simulated leg: one attempt with a hop and a corrective excursion during the hold, then
/// one held `second_hold_s` (past the 30-s maximum when above it).
struct Leg {
    stance: Side,
    first: (f64, f64),
    hop_s: f64,
    kick_s: f64,
    second_hold_s: f64,
    seed: u64,
}

impl Leg {
    fn script(&self) -> SlsScript {
        let lift2 = self.first.1 + 7.0;
        SlsScript {
            duration_s: lift2 + self.second_hold_s + 6.0,
            attempts: vec![
                SlsAttempt {
                    stance: self.stance,
                    lift_off_s: self.first.0,
                    touch_down_s: self.first.1,
                    losses: vec![
                        (self.kick_s, SimLoss::Excursion(0.7)),
                        (self.hop_s, SimLoss::Hop),
                    ],
                },
                SlsAttempt {
                    stance: self.stance,
                    lift_off_s: lift2,
                    touch_down_s: lift2 + self.second_hold_s,
                    losses: vec![],
                },
            ],
            transfer_m: 0.09,
            transfer_s: 0.7,
            hike_deg: 3.0,
            seed: self.seed,
        }
    }

    fn write(&self, dir: &Path) {
        self.write_script(dir, &self.script());
    }

    fn write_script(&self, dir: &Path, script: &SlsScript) {
        let task = match self.stance {
            Side::Left => "single-leg-left",
            Side::Right => "single-leg-right",
        };
        std::fs::create_dir_all(dir).unwrap();
        let imu = ImuModel {
            seed: self.seed + 100,
            ..ImuModel::default()
        };
        simulate_single_leg(script, imu).write_session(dir, Some(task), Some(70.0));
    }
}

/// A family of left/right pairs with randomised holds, loss times and seeds (fixed seed).
fn family() -> Vec<(Leg, Leg)> {
    let mut rng = Rng::new(20261203);
    (0..2)
        .map(|k| {
            let mut leg = |stance, long: bool| {
                let lift = 5.5 + rng.uniform();
                let hold = 10.0 + 6.0 * rng.uniform();
                Leg {
                    stance,
                    first: (lift, lift + hold),
                    kick_s: lift + 2.5 + rng.uniform(),
                    hop_s: lift + hold - 3.0 - rng.uniform(),
                    second_hold_s: if long {
                        33.0
                    } else {
                        14.0 + 4.0 * rng.uniform()
                    },
                    seed: 300 + 10 * k + stance as u64,
                }
            };
            // the right leg of the first pair and the left of the second reach the maximum
            (leg(Side::Left, k == 1), leg(Side::Right, k == 0))
        })
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Equal up to the last digit JSON parsing may change (serde_json reads floats to ±1 ulp).
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// Pixel columns where `colour` covers at least `share` of the plot's height, grouped into
/// runs of adjacent columns; the centre of each run.
fn line_columns(
    rgba: &[u8],
    width: u32,
    rows: (i32, i32),
    colour: [u8; 3],
    share: f64,
) -> Vec<f64> {
    let need = (((rows.1 - rows.0) as f64 * share) as usize).max(1);
    let cols: Vec<u32> = (0..width)
        .filter(|&x| {
            (rows.0..rows.1)
                .filter(|&y| {
                    let i = 4 * (y as usize * width as usize + x as usize);
                    rgba[i..i + 3] == colour
                })
                .count()
                >= need
        })
        .collect();
    let mut runs: Vec<Vec<u32>> = Vec::new();
    for c in cols {
        match runs.last_mut() {
            Some(r) if c == r[r.len() - 1] + 1 => r.push(c),
            _ => runs.push(vec![c]),
        }
    }
    runs.iter()
        .map(|r| r.iter().map(|&c| c as f64).sum::<f64>() / r.len() as f64)
        .collect()
}

/// Centres of the blobs of `colour` in the rows `rows` (columns with any such pixel, grouped).
fn blob_columns(rgba: &[u8], width: u32, rows: (i32, i32), colour: [u8; 3]) -> Vec<f64> {
    line_columns(rgba, width, rows, colour, 1e-9)
}

fn expected_column(chart: &SingleLegEventsChart, t_s: f64) -> f64 {
    let (t0, t1) = chart.time_range_s();
    let (p0, p1) = chart.time_axis_px();
    p0 as f64 + (t_s - t0) / (t1 - t0) * (p1 - p0) as f64
}

fn assert_columns(found: &[f64], times: &[f64], chart: &SingleLegEventsChart, what: &str) {
    let want: Vec<f64> = times.iter().map(|t| expected_column(chart, *t)).collect();
    assert_eq!(
        found.len(),
        want.len(),
        "{what}: columns {found:?}, expected {want:?}"
    );
    for (g, w) in found.iter().zip(&want) {
        assert!((g - w).abs() <= 2.0, "{what}: column {g} vs {w} expected");
    }
}

#[test]
fn per_leg_values_and_events_chart_on_a_family_of_sessions() {
    for (k, (left, right)) in family().into_iter().enumerate() {
        let root = tempfile::tempdir().unwrap();
        let visit = root.path().join("visit");
        let (l, r) = (visit.join("sls-left"), visit.join("sls-right"));
        left.write(&l);
        right.write(&r);
        let (json_path, charts) = (root.path().join("out.json"), root.path().join("charts"));
        let stdout = gaitkit_ok(&[
            "balance",
            l.to_str().unwrap(),
            r.to_str().unwrap(),
            "--json",
            json_path.to_str().unwrap(),
            "--charts",
            charts.to_str().unwrap(),
        ]);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        let b = &json["balance"];
        for (t, (leg, side)) in [(&left, "left"), (&right, "right")].into_iter().enumerate() {
            let attempts = b["trials"][t]["result"]["attempts"].as_array().unwrap();
            let sum = &b["sides"]["single_leg"][side];
            let ctx = format!("pair {k} {side}: {sum}");
            // against the simulation: both attempts, holds within 0.2 s, the hop found
            assert_eq!(attempts.len(), 2, "{ctx}");
            let truth = [leg.first.1 - leg.first.0, leg.second_hold_s.min(30.0)];
            for (a, h) in attempts.iter().zip(truth) {
                assert!(
                    (f(&a["hold_s"]) - h).abs() < 0.2,
                    "{ctx}: hold {} vs {h}",
                    a["hold_s"]
                );
            }
            let at_max = leg.second_hold_s > 30.0;
            assert_eq!(attempts[1]["reached_max_hold"], at_max, "{ctx}");
            assert_eq!(attempts[0]["reached_max_hold"], false, "{ctx}");
            // the summary is exactly what the attempts say
            let holds: Vec<f64> = attempts.iter().map(|a| f(&a["hold_s"])).collect();
            assert!(
                same(f(&sum["best_hold_s"]), holds[0].max(holds[1])),
                "{ctx}"
            );
            assert!(
                same(f(&sum["mean_hold_s"]), (holds[0] + holds[1]) / 2.0),
                "{ctx}"
            );
            assert_eq!(f(&sum["max_hold_s"]), 30.0);
            assert_eq!(sum["reached_max_hold"], at_max, "{ctx}");
            assert_eq!(sum["attempts_at_max_hold"], at_max as u64, "{ctx}");
            let mut events: Vec<(u64, f64, String)> = Vec::new();
            for (i, a) in attempts.iter().enumerate() {
                let mut ls: Vec<(u64, f64, String)> = a["losses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| {
                        (
                            i as u64 + 1,
                            f(&l["t_s"]),
                            l["kind"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                ls.sort_by(|x, y| x.1.total_cmp(&y.1));
                events.extend(ls);
            }
            let listed: Vec<(u64, f64, String)> = sum["loss_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    assert_eq!(
                        e["recording"],
                        if side == "left" {
                            "sls-left"
                        } else {
                            "sls-right"
                        }
                    );
                    (
                        e["attempt"].as_u64().unwrap(),
                        f(&e["t_s"]),
                        e["kind"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(listed.len(), events.len(), "{ctx}");
            for (a, e) in listed.iter().zip(&events) {
                assert!(
                    a.0 == e.0 && a.2 == e.2 && same(a.1, e.1),
                    "{ctx}: {a:?} vs {e:?}"
                );
            }
            assert_eq!(sum["losses"], events.len() as u64);
            let count = |kind: &str| events.iter().filter(|e| e.2 == kind).count() as u64;
            for kind in ["touch_down", "hop", "corrective_excursion"] {
                assert_eq!(sum["loss_counts"][kind], count(kind), "{ctx}: {kind}");
            }
            // the first attempt ends early (a loss), the one held to the maximum does not
            assert_eq!(count("touch_down"), if at_max { 1 } else { 2 }, "{ctx}");
            assert!(
                events
                    .iter()
                    .any(|e| e.2 == "hop" && e.0 == 1 && (e.1 - leg.hop_s).abs() < 0.5),
                "{ctx}: hop at {:.2} s",
                leg.hop_s
            );
            let sway_mean =
                |key: &str| (f(&attempts[0]["sway"][key]) + f(&attempts[1]["sway"][key])) / 2.0;
            assert!(
                same(f(&sum["sway_rms_ml_mps2"]), sway_mean("rms_ml_mps2")),
                "{ctx}"
            );
            assert!(
                same(f(&sum["sway_rms_ap_mps2"]), sway_mean("rms_ap_mps2")),
                "{ctx}"
            );
            assert!(f(&sum["sway_rms_ap_mps2"]) > 0.0);
            assert_eq!(
                sum["events_from"],
                serde_json::json!(["lower_back"]),
                "{ctx}"
            );

            // the text states the same values per leg
            let title = if side == "left" { "Left" } else { "Right" };
            let maximum = if at_max {
                "reached the 30 s maximum in 1 of 2 attempt(s)".to_string()
            } else {
                "did not reach the 30 s maximum".to_string()
            };
            let head = format!(
                "  {title} leg: best hold {:.1} s, mean {:.1} s over 2 attempt(s); {maximum}\n",
                f(&sum["best_hold_s"]),
                f(&sum["mean_hold_s"])
            );
            let block = stdout
                .split_once(&head)
                .unwrap_or_else(|| panic!("{ctx}: no line {head:?} in\n{stdout}"))
                .1;
            let word = |kind: &str| match kind {
                "touch_down" => "foot down",
                "hop" => "hop",
                _ => "large correction",
            };
            let mut times = Vec::new();
            for n in [1u64, 2] {
                let of: Vec<String> = events
                    .iter()
                    .filter(|e| e.0 == n)
                    .map(|e| format!("{} at {:.1} s", word(&e.2), e.1))
                    .collect();
                if !of.is_empty() {
                    times.push(format!("{} (sls-{side}, attempt {n})", of.join(", ")));
                }
            }
            let lines: Vec<&str> = block.lines().take(3).collect();
            assert!(
                lines[0].starts_with(&format!("    balance losses: {} (", events.len()))
                    && lines[0].ends_with(&format!(": {}", times.join("; "))),
                "{ctx}: {}",
                lines[0]
            );
            assert!(
                lines[1].starts_with(&format!(
                    "    sway while holding: side-to-side (ML) {:.3} m/s² RMS, forward-backward (AP) {:.3} m/s² RMS",
                    f(&sum["sway_rms_ml_mps2"]),
                    f(&sum["sway_rms_ap_mps2"])
                )),
                "{ctx}: {}",
                lines[1]
            );
            assert_eq!(
                lines[2],
                "    lift-off and touch-down timed by the lower-back sensor (weight shift and foot impact)"
            );

            // the events chart: valid files of the declared size, lines at the detected times
            let stem = format!("single_leg_events_{side}");
            let (png, svg) = (
                charts.join(format!("{stem}.png")),
                charts.join(format!("{stem}.svg")),
            );
            assert!(
                stdout.contains(&format!("Wrote {}", svg.display())),
                "{stdout}"
            );
            let (w, h, rgba) = decode_png(&png);
            assert_eq!((w, h), single_leg_events::SIZE);
            let svg_text = std::fs::read_to_string(&svg).unwrap();
            let (root_el, sw, sh, text) = parse_svg(&svg_text);
            assert_eq!(
                (root_el.as_str(), sw.as_str(), sh.as_str()),
                ("svg", "1100", "520")
            );
            // the x axis spans the recording: 100-Hz samples kept every 2nd, from 0 s
            let n = (f(&b["trials"][t]["duration_s"]) * 100.0).round() as usize;
            let axis = gaitkit::report::model::SingleLegEvents {
                label: format!("sls-{side}"),
                task: format!("single-leg-{side}"),
                max_hold_s: 30.0,
                trace: gaitkit::balance::single_leg_stance::MlTrace {
                    fs_hz: 50.0,
                    t0_s: 0.0,
                    ml_mps2: vec![0.0; n.div_ceil(2)],
                },
                attempts: vec![],
            };
            let chart = SingleLegEventsChart::for_recordings(&[axis]).remove(0);
            let rows = chart.plot_rows_px();
            let lift: Vec<f64> = attempts.iter().map(|a| f(&a["lift_off_s"])).collect();
            let down: Vec<f64> = attempts.iter().map(|a| f(&a["touch_down_s"])).collect();
            let lift_cols = line_columns(&rgba, w, rows, [0, 158, 115], 0.6);
            let down_cols = line_columns(&rgba, w, rows, [204, 121, 167], 0.6);
            assert_columns(&lift_cols, &lift, &chart, &format!("{ctx}: lift-off"));
            assert_columns(&down_cols, &down, &chart, &format!("{ctx}: touch-down"));
            // loss symbols by kind, on their row above the trace
            let hops: Vec<f64> = events
                .iter()
                .filter(|e| e.2 == "hop")
                .map(|e| e.1)
                .collect();
            let fixes: Vec<f64> = events
                .iter()
                .filter(|e| e.2 == "corrective_excursion")
                .map(|e| e.1)
                .collect();
            let marker_rows = (rows.0 + 20, (rows.0 + rows.1) / 2);
            assert_columns(
                &blob_columns(&rgba, w, marker_rows, [230, 159, 0]),
                &hops,
                &chart,
                &format!("{ctx}: hops"),
            );
            assert_columns(
                &blob_columns(&rgba, w, marker_rows, [86, 180, 233]),
                &fixes,
                &chart,
                &format!("{ctx}: large corrections"),
            );
            // labels with the detected times, the leg and the hold named
            for t in &lift {
                assert!(
                    text.contains(&format!(" lift-off {t:.1} s")),
                    "{ctx}: {text}"
                );
            }
            for t in &down {
                assert!(
                    text.contains(&format!("touch-down {t:.1} s ")),
                    "{ctx}: {text}"
                );
            }
            for hold in &holds {
                assert!(
                    text.contains(&format!("{side} leg, {hold:.1} s")),
                    "{ctx}: {text}"
                );
            }
            assert!(text.contains(&format!(
                "Standing on the {side} leg: 2 attempts, best hold "
            )));
        }

        // the HTML report of the visit shows both charts on the therapist page only; charts
        // are never written into a session folder
        if k == 0 {
            let inside = l.join("charts");
            let out = support::run_gaitkit(&[
                "balance",
                l.to_str().unwrap(),
                "--charts",
                inside.to_str().unwrap(),
            ]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success() && err.contains("inside the session folder"),
                "{err}"
            );
            assert!(!inside.exists());
            let metrics = gaitkit::report::metrics_from_dir::metrics_from_dir(
                &visit,
                &gaitkit::analyze::AnalyzeOptions::default(),
            )
            .unwrap();
            let report = gaitkit::report::html::build_report(&metrics, None).unwrap();
            let (patient, therapist) = report
                .html
                .split_once("<section class=\"page therapist\">")
                .unwrap();
            for side in ["left", "right"] {
                let tag = format!("<figure data-chart=\"single_leg_events_{side}\">");
                assert!(
                    therapist.contains(&tag),
                    "{side}: not on the therapist page"
                );
                assert!(!patient.contains(&tag), "{side}: on the patient page");
                let fig = therapist.split_once(&tag).unwrap().1;
                assert!(fig
                    .trim_start()
                    .starts_with("<svg role=\"img\" aria-label=\"Standing on the"));
            }
        }
    }
}

#[test]
fn event_times_stay_on_the_recording_clock_after_a_data_gap() {
    // 4 s of data, a 3-s gap, then the whole simulated recording: the analysed part starts
    // at 7 s, and every time reported (and the chart's axis) is on the recording's clock
    let leg = Leg {
        stance: Side::Right,
        first: (6.0, 16.0),
        hop_s: 12.0,
        kick_s: 9.0,
        second_hold_s: 12.0,
        seed: 401,
    };
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("sls-gap");
    // holds without losses: this test is about the clock, not about finding losses
    let mut script = leg.script();
    script.attempts.iter_mut().for_each(|a| a.losses.clear());
    leg.write_script(&dir, &script);
    let csv_path = dir.join("lower_back.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let rows: Vec<(f64, &str)> = lines
        .map(|l| {
            let (t, rest) = l.split_once(',').unwrap();
            (t.parse::<f64>().unwrap(), rest)
        })
        .collect();
    let mut out = format!("{header}\n");
    for (t, rest) in rows.iter().filter(|(t, _)| *t < 4.0) {
        out.push_str(&format!("{t:.4},{rest}\n"));
    }
    for (t, rest) in &rows {
        out.push_str(&format!("{:.4},{rest}\n", t + 7.0));
    }
    std::fs::write(&csv_path, out).unwrap();
    let trial = gaitkit::balance::analyze_session(&dir).unwrap();
    assert!(
        trial.warnings.iter().any(|w| w.contains("7.0–")),
        "{:?}",
        trial.warnings
    );
    let events = gaitkit::report::metrics_from_balance::single_leg_events(&trial).unwrap();
    assert!(
        (events.trace.t0_s - 7.0).abs() < 1e-9,
        "{}",
        events.trace.t0_s
    );
    // the same recording without the gap and its first 7 s: the same events, 7 s earlier
    let plain = root.path().join("sls");
    leg.write_script(&plain, &script);
    let without = gaitkit::report::metrics_from_balance::single_leg_events(
        &gaitkit::balance::analyze_session(&plain).unwrap(),
    )
    .unwrap();
    assert_eq!(events.attempts.len(), 2, "{:?}", events.attempts);
    assert_eq!(without.attempts.len(), 2, "{:?}", without.attempts);
    for (a, b) in events.attempts.iter().zip(&without.attempts) {
        assert!(
            (a.lift_off_s - b.lift_off_s - 7.0).abs() < 1e-6,
            "{a:?} vs {b:?}"
        );
        let (ta, tb) = (a.touch_down_s.unwrap(), b.touch_down_s.unwrap());
        assert!((ta - tb - 7.0).abs() < 1e-6, "{a:?} vs {b:?}");
        assert!((a.hold_s - b.hold_s).abs() < 1e-6 && a.losses.len() == b.losses.len());
        for (la, lb) in a.losses.iter().zip(&b.losses) {
            assert!(la.kind == lb.kind && (la.t_s - lb.t_s - 7.0).abs() < 1e-6);
        }
    }
    // and the simulated truth, at the detector's accuracy
    let truth = [(6.0, 16.0), (23.0, 35.0)];
    for (a, (lo, td)) in without.attempts.iter().zip(truth) {
        let (e_lo, e_td) = (a.lift_off_s - lo, a.touch_down_s.unwrap() - td);
        assert!(
            e_lo.abs() < 0.15 && e_td.abs() < 0.15,
            "lift-off {e_lo:+.3} s, touch-down {e_td:+.3} s"
        );
    }
    let chart = SingleLegEventsChart::for_recordings(&[events]).remove(0);
    let (t0, t1) = chart.time_range_s();
    assert!((t0 - 7.0).abs() < 1e-9, "{t0}");
    assert!((t1 - (7.0 + trial.duration_s - 0.02)).abs() < 0.03, "{t1}");
}

/// The chart shown in the README, from a simulated left-leg session: kept in
/// `docs/single-leg-events.png` and compared tolerantly (anti-aliasing may differ between
/// platforms). Regenerate after an intended change with
/// `GAITKIT_UPDATE_GOLDEN=1 cargo test --test single_leg_view` and look at the new image.
#[test]
fn readme_chart_matches_docs_image() {
    let leg = Leg {
        stance: Side::Left,
        first: (5.6, 17.2),
        kick_s: 9.0,
        hop_s: 13.8,
        second_hold_s: 9.0,
        seed: 501,
    };
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("sls-left");
    leg.write(&dir);
    let trial = gaitkit::balance::analyze_session(&dir).unwrap();
    let events = gaitkit::report::metrics_from_balance::single_leg_events(&trial).unwrap();
    let chart = SingleLegEventsChart::for_recordings(&[events]).remove(0);
    let rendered = gaitkit::report::charts::write_chart(&chart, root.path()).unwrap();
    let (_, png) = rendered.files.unwrap();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/single-leg-events.png");
    if std::env::var_os("GAITKIT_UPDATE_GOLDEN").is_some() {
        // the same pixels, compressed harder for the repository
        let (w, h, rgba) = decode_png(&png);
        let rgb: Vec<u8> = rgba.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        std::fs::create_dir_all(docs.parent().unwrap()).unwrap();
        let mut enc = png::Encoder::new(std::fs::File::create(&docs).unwrap(), w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_compression(png::Compression::Best);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut wr = enc.write_header().unwrap();
        wr.write_image_data(&rgb).unwrap();
    }
    let size = std::fs::metadata(&docs).unwrap().len();
    assert!(size < 100_000, "{} is {size} bytes", docs.display());
    let ((w, h, got), (dw, dh, want)) = (decode_png(&png), decode_png(&docs));
    assert_eq!((w, h), (dw, dh));
    let differ = got
        .chunks(4)
        .zip(want.chunks(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 48))
        .count();
    let share = differ as f64 / (w * h) as f64;
    assert!(
        share <= 0.005,
        "{:.2} % of pixels differ from {}",
        100.0 * share,
        docs.display()
    );
}
