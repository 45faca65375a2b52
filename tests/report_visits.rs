//! Balance in `compare`, `report` and `progress`: simulated visits (single-leg stance on both
//! legs, two quiet-standing trials, a left single-leg squat) with known holds, sway and pelvic
//! drop, before and after re-training, end to end through the binary.

mod support;

use gaitkit::gait::Side;
use support::balance_sim::*;
use support::images::{decode_png, parse_svg};

fn before() -> Visit {
    Visit {
        date: "2026-03-02",
        left_holds_s: vec![5.0, 6.0, 7.0],
        right_holds_s: vec![12.0, 13.0, 14.0],
        sway_scale: 2.0,
        squat_drops_deg: vec![10.0, 11.0, 12.0],
    }
}

fn after() -> Visit {
    Visit {
        date: "2026-03-30",
        left_holds_s: vec![14.0, 15.0, 16.0],
        right_holds_s: vec![22.0, 23.0, 24.0],
        sway_scale: 1.0,
        squat_drops_deg: vec![4.0, 5.0, 6.0],
    }
}

fn gaitkit(args: &[&str]) -> (String, String, bool) {
    let out = support::run_gaitkit(args);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn change<'a>(json: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no change {key} in {json}"))
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn compare_of_two_visits_gives_balance_verdicts_and_charts() {
    let root = tempfile::tempdir().unwrap();
    let b = write_visit(root.path(), "visit-1", &before());
    let a = write_visit(root.path(), "visit-2", &after());
    let out = root.path().join("compare");
    let (stdout, stderr, ok) = gaitkit(&[
        "compare",
        b.to_str().unwrap(),
        a.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap())
            .unwrap();

    // best holds: 7 → 16 s (left), 14 → 24 s (right); event timing within 0.1 s
    for (key, was, now) in [
        ("sls_best_hold_left_s", 7.0, 16.0),
        ("sls_best_hold_right_s", 14.0, 24.0),
    ] {
        let c = change(&json, key);
        assert!(
            (num(&c["before"]) - was).abs() < 0.15 && (num(&c["after"]) - now).abs() < 0.15,
            "{c}"
        );
        assert_eq!(
            (c["verdict"].as_str(), c["meaningful"].as_bool()),
            (Some("improved"), Some(true)),
            "{c}"
        );
    }
    // left squat pelvic drop 11° → 5° (recovered within 2°): lower is better
    let c = change(&json, "squat_pelvic_drop_left_deg");
    assert!(
        (num(&c["before"]) - 11.0).abs() < 2.0 && (num(&c["after"]) - 5.0).abs() < 2.0,
        "{c}"
    );
    assert_eq!(c["verdict"], "improved", "{c}");
    // sway noise halved: RMS about halves, two trials per visit give its interval
    let c = change(&json, "sway_rms_eo_mps2");
    let ratio = num(&c["after"]) / num(&c["before"]);
    assert!((ratio - 0.5).abs() < 0.08, "{ratio} {c}");
    assert_eq!(c["verdict"], "improved", "{c}");
    assert!(num(&c["ci95_half_width"]) > 0.0, "{c}");
    assert!(
        stdout.contains("Single-leg stance, left leg (best)"),
        "{stdout}"
    );

    // charts: single-leg before/after against the age-75 norm (21 s), pelvic drop per side,
    // sway path with its ellipse
    for stem in ["single_leg", "pelvic_drop_squat", "sway_path"] {
        let svg = out.join(format!("{stem}.svg"));
        assert!(
            stdout.contains(&svg.display().to_string()),
            "{stem}: {stdout}"
        );
        let (w, h, _) = decode_png(&out.join(format!("{stem}.png")));
        assert!(w >= 900 && h >= 560, "{stem}: {w}×{h}");
    }
    let (_, _, _, text) = parse_svg(&std::fs::read_to_string(out.join("single_leg.svg")).unwrap());
    let title = text
        .lines()
        .find(|l| l.starts_with("Left leg holds"))
        .unwrap();
    let f1 = |k: &str, side: &str| {
        let v = num(&change(&json, &format!("sls_best_hold_{side}_s"))[k]);
        format!("{v:.1} s")
    };
    assert_eq!(
        title,
        format!(
            "Left leg holds {} (was {}), right {} (was {}) — left below the 21 s norm for 70–79 y",
            f1("after", "left"),
            f1("before", "left"),
            f1("after", "right"),
            f1("before", "right")
        )
    );
    assert!(text.contains("Left leg: before, now"), "{text}");

    let (_, _, _, text) =
        parse_svg(&std::fs::read_to_string(out.join("pelvic_drop_squat.svg")).unwrap());
    let c = change(&json, "squat_pelvic_drop_left_deg");
    let title = text
        .lines()
        .find(|l| l.starts_with("Single-leg squat pelvic drop"))
        .unwrap();
    assert_eq!(
        title,
        format!(
            "Single-leg squat pelvic drop: left leg {:.1}° → {:.1}°, right leg not tested",
            num(&c["before"]),
            num(&c["after"])
        )
    );

    let svg = std::fs::read_to_string(out.join("sway_path.svg")).unwrap();
    let (_, _, _, text) = parse_svg(&svg);
    let c = change(&json, "sway_ellipse_eo_m2ps4");
    let title = text
        .lines()
        .find(|l| l.starts_with("Sway ellipse"))
        .unwrap();
    // the chart draws the first eyes-open trial of each visit; its area shrinks by about
    // three quarters (noise halved → area × 0.25)
    let pct: f64 = title
        .rsplit_once(", ")
        .and_then(|(_, w)| w.strip_suffix(" % smaller"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{title}"));
    assert!((60.0..=88.0).contains(&pct), "{title}");
    assert!(title.contains(" (m/s²)² → "), "{title}");
    assert!(num(&c["after"]) < num(&c["before"]), "{c}");
    assert!(
        text.contains("side-to-side (ML) acceleration, m/s²"),
        "{text}"
    );
    // the earlier path is grey, the later one black
    assert!(svg.contains("#888888") && svg.contains("#000000"));
}

#[test]
fn report_of_a_visit_speaks_of_balance_and_embeds_its_charts() {
    let root = tempfile::tempdir().unwrap();
    let b = write_visit(root.path(), "visit-1", &before());
    let a = write_visit(root.path(), "visit-2", &after());
    let html_path = root.path().join("report.html");
    let (stdout, stderr, ok) = gaitkit(&[
        "report",
        a.to_str().unwrap(),
        "--compare",
        b.to_str().unwrap(),
        "--out",
        html_path.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("<title>Balance report — After (30 Mar 2026)</title>"),
        "{}",
        &html[..300]
    );
    assert!(html.contains("<h1>Your balance</h1>"));
    // the patient card of the left leg: now ≈16 s, was ≈7 s, below the 21 s norm of 70–79 y
    let card = html
        .split("<div class=\"card")
        .find(|c| c.contains("data-metric=\"sls_best_hold_left_s\""))
        .expect("left single-leg card");
    assert!(card.starts_with(" good\""), "{card}");
    assert!(
        card.contains("Your balance time on the left leg is now 1"),
        "{card}"
    );
    assert!(card.contains("21.0 s or more is typical."), "{card}");
    assert!(card.contains("Clearly longer than before."), "{card}");
    let card = html
        .split("<div class=\"card")
        .find(|c| c.contains("data-metric=\"squat_pelvic_drop_left_deg\""))
        .expect("pelvic drop card");
    assert!(card.contains("Clearly smaller than before."), "{card}");
    // patient page: the single-leg chart; therapist page: every balance chart
    let (patient, therapist) = html.split_once("Therapist summary").unwrap();
    assert!(patient.contains("data-chart=\"single_leg\""));
    for stem in ["single_leg", "pelvic_drop_squat", "sway_path"] {
        assert!(
            therapist.contains(&format!("data-chart=\"{stem}\"")),
            "{stem}"
        );
    }
    assert!(therapist.contains("visit with several tasks"));
    assert!(therapist.contains("age 75"));
}

#[test]
fn progress_over_visits_tracks_balance_with_the_age_norm() {
    let root = tempfile::tempdir().unwrap();
    let patient = root.path().join("patient");
    write_visit(&patient, "b-first", &before());
    // named to sort first, recorded last: the order comes from the start times
    write_visit(&patient, "a-last", &after());
    let middle = Visit {
        date: "2026-03-16",
        left_holds_s: vec![9.0, 10.0, 11.0],
        right_holds_s: vec![17.0, 18.0, 19.0],
        sway_scale: 1.5,
        squat_drops_deg: vec![8.0, 8.0, 9.0],
    };
    write_visit(&patient, "c-middle", &middle);
    let out = root.path().join("progress");
    let (stdout, stderr, ok) = gaitkit(&[
        "progress",
        patient.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("visit: 3 sessions (2 Mar 2026, 16 Mar 2026, 30 Mar 2026)"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("progress.json")).unwrap()).unwrap();
    let trend = json["trends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "sls_best_hold_left_s")
        .unwrap();
    let values: Vec<f64> = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["value"]))
        .collect();
    assert_eq!(values.len(), 3);
    for (v, expected) in values.iter().zip([7.0, 11.0, 16.0]) {
        assert!((v - expected).abs() < 0.15, "{values:?}");
    }
    assert_eq!(num(&trend["normal_range"]["low"]), 21.0);
    assert_eq!(
        trend["points"][2]["change_from_first"]["verdict"],
        "improved"
    );
    assert!(out.join("trend_sls_best_hold_left_s.svg").is_file());
    assert!(out.join("trend_squat_pelvic_drop_left_deg.png").is_file());
    let html = std::fs::read_to_string(out.join("progress.html")).unwrap();
    assert!(html.contains("data-metric=\"sls_best_hold_left_s\""));
}

#[test]
fn bad_visit_folders_are_refused_with_the_reason() {
    let root = tempfile::tempdir().unwrap();
    // neither a session nor a visit
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = root.path().join("out.html");
    let (_, stderr, ok) = gaitkit(&[
        "report",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "{}: neither a session folder (no session.json) nor a visit folder (no sub-folder with a session.json)",
            empty.display()
        )),
        "{stderr}"
    );
    assert!(!out.exists());
    // left single-leg stance against right single-leg stance: different tasks
    let (l, r) = (root.path().join("sls-l"), root.path().join("sls-r"));
    write_single_leg_session(&l, Side::Left, (6.0, 16.0), "single-leg-left");
    write_single_leg_session(&r, Side::Right, (6.0, 16.0), "single-leg-right");
    let (_, stderr, ok) = gaitkit(&[
        "compare",
        l.to_str().unwrap(),
        r.to_str().unwrap(),
        "--out",
        root.path().join("cmp").to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("(task single-leg-left) with \"After (sls-r)\" (task single-leg-right): sessions of different tasks are not comparable"),
        "{stderr}"
    );
    // a visit whose session cannot be analysed names that session
    let visit = root.path().join("visit");
    std::fs::create_dir(&visit).unwrap();
    std::fs::rename(&l, visit.join("sls-l")).unwrap();
    let short = visit.join("stand");
    std::fs::create_dir(&short).unwrap();
    simulate_standing(
        &StandingScript {
            duration_s: 3.0,
            ..StandingScript::default()
        },
        ImuModel::default(),
    )
    .write_session(&short, Some("stand"), None);
    let (_, stderr, ok) = gaitkit(&[
        "report",
        visit.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(stderr.contains(&short.display().to_string()), "{stderr}");
    assert!(
        stderr.contains("a balance trial needs at least 7 s"),
        "{stderr}"
    );
}
