//! Two-leg consistency checks on `fixtures/feet_healthy_2x20m` (both feet, 204.8 Hz, one
//! clock, 2 × 20 m with a 180° turn), altered the ways real sessions go wrong: an impact at
//! the start of walking that looks like a sync jump, one foot's file given for both, one foot
//! cut to the first fifth, clock offsets between the feet with and without a declared shared
//! clock (on a shared clock from −1.5 to +1.5 s, on the walk and on its mirror, led by the
//! other foot), a true step-time asymmetry, and a real sync jump in front of the walk. Each
//! yields the documented refusal or check, never an implausible step, and the untouched walk
//! keeps its results.

use std::path::{Path, PathBuf};
use std::process::Command;

use gaitkit::analyze::{analyze_session, AnalyzeOptions, SessionAnalysis};
use gaitkit::gait::leg::{LegInput, LegSensor, LegSensorKind, LegsOnOwnClocks, SyncMethod};
use gaitkit::gait::quality::Outcome;
use gaitkit::gait::{GaitAnalysis, PerSide, Side};
use gaitkit::recording::resample::DEFAULT_MAX_FILL_S;
use gaitkit::recording::{ImuTable, UniformImu};

const FS: f64 = 204.8;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feet_healthy_2x20m")
}

fn table(side: Side) -> ImuTable {
    ImuTable::read(&fixture().join(format!("{}_foot.csv", side.as_str()))).unwrap()
}

fn write_csv(t: &ImuTable, path: &Path) {
    let mut out = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
    for i in 0..t.len() {
        out += &format!(
            "{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}\n",
            t.time_s[i],
            t.acc_mps2[0][i],
            t.acc_mps2[1][i],
            t.acc_mps2[2][i],
            t.gyr_dps[0][i],
            t.gyr_dps[1][i],
            t.gyr_dps[2][i]
        );
    }
    std::fs::write(path, out).unwrap();
}

/// A session folder with both feet's tables; `clock` replaces the fixture's declared
/// `"clock": "shared"` (`None`: no declaration, i.e. separate clocks).
fn session(left: &ImuTable, right: &ImuTable, clock: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let json = std::fs::read_to_string(fixture().join("session.json")).unwrap();
    assert!(json.contains("\"clock\": \"shared\",\n"));
    let json = json.replace(
        "\"clock\": \"shared\",\n",
        &clock.map_or(String::new(), |c| format!("\"clock\": \"{c}\",\n")),
    );
    std::fs::write(dir.path().join("session.json"), json).unwrap();
    write_csv(left, &dir.path().join("left_foot.csv"));
    write_csv(right, &dir.path().join("right_foot.csv"));
    dir
}

fn shifted(t: &ImuTable, by_s: f64) -> ImuTable {
    let mut t = t.clone();
    t.time_s.iter_mut().for_each(|x| *x += by_s);
    t
}

fn analyze(dir: &Path) -> gaitkit::error::Result<SessionAnalysis> {
    analyze_session(dir, &AnalyzeOptions::default())
}

/// Initial contacts of one foot in the reference (motion capture), s.
fn reference_ic(side: Side) -> Vec<f64> {
    let text = std::fs::read_to_string(fixture().join("reference.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["reference"]["per_foot"][side.as_str()]["strides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ic"].as_f64().unwrap() / FS)
        .collect()
}

/// Adds a landing-like impact (`peak` m/s² along the sensor's gravity direction, 15 ms wide)
/// at `t_s`.
fn add_impact(t: &mut ImuTable, t_s: f64, peak: f64) {
    let i0 = (t_s * FS) as usize;
    let mut up = [0.0; 3];
    for (k, u) in up.iter_mut().enumerate() {
        *u = t.acc_mps2[k][..(0.5 * FS) as usize].iter().sum::<f64>() / (0.5 * FS);
    }
    let norm = (up[0] * up[0] + up[1] * up[1] + up[2] * up[2]).sqrt();
    for i in i0.saturating_sub(20)..(i0 + 20).min(t.len()) {
        let g = peak * (-0.5 * ((t.time_s[i] - t_s) / 0.015).powi(2)).exp();
        for (k, u) in up.iter().enumerate() {
            t.acc_mps2[k][i] += g * u / norm;
        }
    }
}

/// Every step and summary value a reader sees is physically possible.
fn assert_plausible(g: &GaitAnalysis) {
    let s = &g.summary;
    if let Some(c) = s.cadence_spm {
        assert!((60.0..=200.0).contains(&c), "cadence {c}");
    }
    for st in g.steps.iter().filter(|st| st.steady || st.regular) {
        assert!(
            (0.25..=3.0).contains(&st.step_time_s),
            "step of {} s counted: {st:?}",
            st.step_time_s
        );
    }
    for st in g.strides.iter().filter(|st| st.steady) {
        let step = st.step_time_s.unwrap();
        assert!(step >= 0.25 && st.stride_time_s - step >= 0.25, "{st:?}");
    }
}

fn outcome(g: &GaitAnalysis, name: &str) -> Outcome {
    let c: Vec<_> = g.quality.named(name).collect();
    assert_eq!(c.len(), 1, "{name}: {:?}", g.quality);
    c[0].outcome
}

fn number(g: &GaitAnalysis, name: &str, key: &str) -> f64 {
    g.quality.named(name).next().unwrap().numbers[key]
}

fn gait(a: &SessionAnalysis) -> &GaitAnalysis {
    a.gait.as_ref().unwrap()
}

#[test]
fn the_untouched_walk_passes_every_check_and_keeps_its_results() {
    let a = analyze(&fixture()).unwrap();
    let g = gait(&a);
    for name in ["same_data", "clock", "coverage", "step_bounds"] {
        assert_eq!(outcome(g, name), Outcome::Passed, "{name}: {:?}", g.quality);
    }
    assert_eq!(outcome(g, "sync_jump"), Outcome::NotRun);
    assert_eq!(
        a.legs.as_ref().unwrap().sync.method,
        SyncMethod::SharedTimeline
    );
    assert!(number(g, "same_data", "difference_pct") > 20.0);
    assert!((number(g, "clock", "phase_pct") - 50.0).abs() < 5.0);
    assert!(number(g, "coverage", "overlap_pct") > 90.0);
    assert_eq!(number(g, "step_bounds", "n_short"), 0.0);
    assert_plausible(g);
    let s = &g.summary;
    assert!((s.cadence_spm.unwrap() - 110.2).abs() < 1.5);
    assert!(s.symmetry.step_time_si_pct.unwrap().abs() < 5.0);
    assert!(s.symmetry.pci_pct.unwrap() < 10.0);
    assert!(g.quality.to_report().next().is_none(), "{:?}", g.quality);
}

#[test]
fn separate_clocks_without_a_sync_jump_withhold_the_timing_between_the_legs() {
    let (l, r) = (table(Side::Left), table(Side::Right));
    for clock in [None, Some("separate")] {
        let d = session(&l, &r, clock);
        let a = analyze(d.path()).unwrap();
        let g = gait(&a);
        assert_eq!(
            a.legs.as_ref().unwrap().sync.method,
            SyncMethod::FileTimestamps
        );
        assert_eq!(outcome(g, "clock"), Outcome::Failed);
        assert_eq!(outcome(g, "sync_jump"), Outcome::NotRun);
        assert_plausible(g);
        let s = &g.summary;
        // timing between the legs is withheld; each leg's own timing is not
        assert_eq!(s.symmetry.step_time_si_pct, None);
        assert_eq!(s.symmetry.pci_pct, None);
        assert_eq!(s.step_time_s.left, None);
        assert!(s.symmetry.stance_time_si_pct.unwrap().abs() < 5.0);
        assert!((s.cadence_spm.unwrap() - 110.2).abs() < 1.5);
        let legs = &a.legs.as_ref().unwrap().summary;
        assert!(legs.symmetry.step_time.is_none() && legs.symmetry.stance_time.is_some());
    }
}

#[test]
fn impacts_at_the_start_of_walking_are_not_taken_for_a_sync_jump() {
    let (l, r) = (table(Side::Left), table(Side::Right));
    let base = analyze(&fixture()).unwrap();
    let (ic_l, ic_r) = (reference_ic(Side::Left)[0], reference_ic(Side::Right)[0]);
    let first = ic_l.min(ic_r);
    // each foot's first heel strike made as hard as a landing (a "jump" half a step apart),
    // and one impact in both feet at once as walking starts: the search for a sync jump
    // ends before walking, so neither is taken (a jump straight into walking, next test, is
    // searched and rejected)
    for (tl, tr) in [(ic_l, ic_r), (first, first)] {
        let (mut l2, mut r2) = (l.clone(), r.clone());
        add_impact(&mut l2, tl, 30.0);
        add_impact(&mut r2, tr, 30.0);
        let d = session(&l2, &r2, None);
        let a = analyze(d.path()).unwrap();
        let g = gait(&a);
        let legs = a.legs.as_ref().unwrap();
        assert_eq!(
            legs.sync.method,
            SyncMethod::FileTimestamps,
            "{:?}",
            g.quality
        );
        assert_eq!(legs.sync.right_offset_s, 0.0);
        assert_eq!(outcome(g, "sync_jump"), Outcome::NotRun, "{tl} {tr}");
        assert_eq!(outcome(g, "clock"), Outcome::Failed);
        assert_plausible(g);
        // the same contacts as the untouched walk
        assert_eq!(g.initial_contacts.len(), gait(&base).initial_contacts.len());
        for (x, y) in g.initial_contacts.iter().zip(&gait(&base).initial_contacts) {
            assert!((x.t_s - y.t_s).abs() < 0.011 && x.side == y.side);
        }
    }
}

#[test]
fn a_jump_straight_into_walking_is_not_a_sync_jump() {
    // landing at 2.6 s, walking from 3.0 s without the pause the protocol asks for
    let (l, r) = (
        with_jump_at(&table(Side::Left), 3.0, 2.6, 0.85),
        with_jump_at(&table(Side::Right), 3.0, 2.6, 0.85),
    );
    let d = session(&l, &r, None);
    let a = analyze(d.path()).unwrap();
    let g = gait(&a);
    assert_eq!(
        a.legs.as_ref().unwrap().sync.method,
        SyncMethod::FileTimestamps
    );
    let jump = g.quality.named("sync_jump").next().unwrap();
    assert_eq!(jump.outcome, Outcome::Failed, "{jump:?}");
    assert!(
        jump.message.contains("not followed by standing still")
            || jump.message.contains("gait cycle"),
        "{jump:?}"
    );
    assert!(jump.numbers["still_after_dps"] >= 25.0 || jump.numbers["cycles_near"] > 0.0);
    assert_plausible(g);
    // on separate clocks 0.3 s apart the rejected jump leaves the offset in: refused
    let d = session(&l, &shifted(&r, 0.3), None);
    let err = analyze(d.path()).unwrap_err().to_string();
    assert!(err.contains("do not seem to share a timeline"), "{err}");
}

#[test]
fn the_same_data_for_both_legs_is_refused_naming_the_files() {
    let l = table(Side::Left);
    for copy in [l.clone(), shifted(&l, 0.4)] {
        let d = session(&l, &copy, Some("shared"));
        let err = analyze(d.path()).unwrap_err().to_string();
        assert!(
            err.contains("same data")
                && err.contains("left_foot.csv")
                && err.contains("right_foot.csv"),
            "{err}"
        );
    }
}

/// The right foot's file cut to its first fifth.
fn truncated_session() -> tempfile::TempDir {
    let (l, mut r) = (table(Side::Left), table(Side::Right));
    let n = r.len() / 5;
    r.time_s.truncate(n);
    for k in 0..3 {
        r.acc_mps2[k].truncate(n);
        r.gyr_dps[k].truncate(n);
    }
    session(&l, &r, Some("shared"))
}

#[test]
fn a_foot_that_covers_a_fifth_of_the_walk_gives_no_symmetry() {
    let d = truncated_session();
    let a = analyze(d.path()).unwrap();
    let g = gait(&a);
    assert_eq!(outcome(g, "coverage"), Outcome::Failed);
    assert!(number(g, "coverage", "overlap_pct") < 25.0);
    assert_eq!(g.summary.symmetry, Default::default());
    assert_eq!(g.summary.comparisons, Default::default());
    assert!(a
        .legs
        .as_ref()
        .unwrap()
        .summary
        .symmetry
        .stance_time
        .is_none());
    assert_plausible(g);
    let msg = &g.quality.named("coverage").next().unwrap().message;
    assert!(
        msg.contains("walk together for only") && msg.contains("no symmetry"),
        "{msg}"
    );
}

#[test]
fn clock_offsets_between_the_feet_are_refused_or_withhold_the_timing() {
    let (l, r) = (table(Side::Left), table(Side::Right));
    for off in [0.3, 0.5, 1.0, -0.3, -0.5, -1.0] {
        for clock in [Some("shared"), None] {
            let d = session(&l, &shifted(&r, off), clock);
            match analyze(d.path()) {
                Err(e) => {
                    let e = e.to_string();
                    assert!(
                        e.contains("do not seem to share a timeline")
                            && e.contains("left_foot.csv")
                            && e.contains("30–70 %"),
                        "{off} {clock:?}: {e}"
                    );
                    // the estimate: how far the right contacts sit from anti-phase
                    assert!(
                        e.contains(&format!("{:+.1}", off)) || off.abs() > 0.45,
                        "{e}"
                    );
                }
                Ok(a) => {
                    let g = gait(&a);
                    assert_plausible(g);
                    // only an offset of about a whole stride (1.0 s of 1.08 s) keeps the walk
                    // plausible. On separate clocks the timing between the legs is then
                    // withheld. On a declared shared clock, the 180° turn shows the late leg
                    // changing heading 1 s after the other; a late leg that trails also shows
                    // at the walk's start and end (the leading foot swings twice before its
                    // first swing). This walk is led by the right foot.
                    assert_eq!(off.abs(), 1.0, "{off} {clock:?} accepted");
                    assert_eq!(outcome(g, "clock"), Outcome::Failed);
                    assert_eq!(g.summary.symmetry.step_time_si_pct, None);
                    assert_eq!(g.summary.symmetry.pci_pct, None);
                    if clock.is_some() {
                        let c = g.quality.named("clock").next().unwrap();
                        let late = if off > 0.0 { "right" } else { "left" };
                        assert!(
                            c.message.contains(&format!("{late} leg changes heading"))
                                && c.message
                                    .contains(&format!("{late} leg about a stride late")),
                            "{}",
                            c.message
                        );
                        assert!((number(g, "clock", "turn_lag_s") - off).abs() < 0.05);
                        let edges = if off > 0.0 { 0.0 } else { 2.0 };
                        assert_eq!(number(g, "clock", "edges_swinging_one_leg_twice"), edges);
                    }
                }
            }
        }
    }
}

/// `s` of standing still at the start of a table: its first 0.5 s repeated.
fn standing(t: &ImuTable, s: f64) -> ImuTable {
    let m = (0.5 * FS) as usize;
    let n = (s * FS).round() as usize;
    let mut out = ImuTable {
        time_s: Vec::with_capacity(n),
        acc_mps2: Default::default(),
        gyr_dps: Default::default(),
    };
    for i in 0..n {
        out.time_s.push(i as f64 / FS);
        for k in 0..3 {
            out.acc_mps2[k].push(t.acc_mps2[k][i % m]);
            out.gyr_dps[k].push(t.gyr_dps[k][i % m]);
        }
    }
    out
}

/// `standing_s` of standing with a two-footed jump landing at `land_s`, then the recording
/// from `skip_s` on (its first `skip_s` left out), continuing the timeline.
fn with_jump_at(t: &ImuTable, standing_s: f64, land_s: f64, skip_s: f64) -> ImuTable {
    let mut out = standing(t, standing_s);
    // push-off and flight (free fall), then the landing impact
    for i in 0..out.len() {
        let ts = out.time_s[i];
        let g = |c: f64, w: f64| (-0.5 * ((ts - c) / w).powi(2)).exp();
        out.gyr_dps[1][i] += -250.0 * g(land_s - 0.45, 0.05) + 200.0 * g(land_s - 0.05, 0.04);
        if (land_s - 0.35..land_s - 0.02).contains(&ts) {
            for k in 0..3 {
                out.acc_mps2[k][i] *= 0.1;
            }
        }
    }
    add_impact(&mut out, land_s, 40.0);
    let first = t.time_s.partition_point(|&x| x < skip_s);
    for i in first..t.len() {
        out.time_s.push(t.time_s[i] - t.time_s[first] + standing_s);
        for k in 0..3 {
            out.acc_mps2[k].push(t.acc_mps2[k][i]);
            out.gyr_dps[k].push(t.gyr_dps[k][i]);
        }
    }
    out
}

/// The protocol: 2.5 s standing, the jump, 2.5 s standing, then the recording (5 s later).
fn with_jump(t: &ImuTable) -> ImuTable {
    with_jump_at(t, 5.0, 2.5, 0.0)
}

#[test]
fn a_real_sync_jump_still_puts_the_feet_on_one_timeline() {
    let (l, r) = (
        with_jump(&table(Side::Left)),
        with_jump(&table(Side::Right)),
    );
    let base = analyze(&fixture()).unwrap();
    for off in [0.3, -0.7] {
        let d = session(&l, &shifted(&r, off), None);
        let a = analyze(d.path()).unwrap();
        let g = gait(&a);
        let legs = a.legs.as_ref().unwrap();
        assert_eq!(legs.sync.method, SyncMethod::SyncJump, "{:?}", g.quality);
        assert!(
            (legs.sync.right_offset_s + off).abs() < 0.011,
            "{}",
            legs.sync.right_offset_s
        );
        assert_eq!(outcome(g, "sync_jump"), Outcome::Corrected);
        assert_eq!(outcome(g, "clock"), Outcome::Passed);
        assert!((number(g, "sync_jump", "landing_s") - 2.5).abs() < 0.02);
        assert_plausible(g);
        // the walk's contacts are the untouched walk's, 5 s later
        let walk: Vec<_> = g.initial_contacts.iter().filter(|c| c.t_s > 5.0).collect();
        assert_eq!(walk.len(), gait(&base).initial_contacts.len());
        for (x, y) in walk.iter().zip(&gait(&base).initial_contacts) {
            assert!(
                (x.t_s - 5.0 - y.t_s).abs() < 0.011 && x.side == y.side,
                "{x:?} {y:?}"
            );
        }
        let (s, b) = (&g.summary.symmetry, &gait(&base).summary.symmetry);
        assert!((s.step_time_si_pct.unwrap() - b.step_time_si_pct.unwrap()).abs() < 1.0);
    }
}

#[test]
fn the_binary_shows_failed_checks_in_text_and_json() {
    let d = truncated_session();
    let json = d.path().join("out.json");
    let out = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .arg("analyze")
        .arg(d.path())
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("Check failed:") && l.contains("walk together for only")),
        "{text}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let checks = v["gait"]["quality"]["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["same_data", "sync_jump", "clock", "coverage", "step_bounds"]
    );
    let cov = checks.iter().find(|c| c["name"] == "coverage").unwrap();
    assert_eq!(cov["outcome"], "failed");
    assert!(cov["numbers"]["overlap_pct"].as_f64().unwrap() < 25.0);
    assert!(v["gait"]["summary"]["symmetry"]["step_time_si_pct"].is_null());

    // the same file for both feet: refused, both files named
    let l = table(Side::Left);
    let d = session(&l, &l, Some("shared"));
    let out = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .arg("analyze")
        .arg(d.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("same data")
            && err.contains("left_foot.csv")
            && err.contains("right_foot.csv"),
        "{err}"
    );
}

/// The same motion seen in a mirror (the sagittal plane): for FLU sensors, y (left) changes
/// sign in the acceleration, and x and z in the angular velocity (an axial vector).
fn mirrored(mut t: ImuTable) -> ImuTable {
    t.acc_mps2[1].iter_mut().for_each(|x| *x = -*x);
    t.gyr_dps[0].iter_mut().for_each(|x| *x = -*x);
    t.gyr_dps[2].iter_mut().for_each(|x| *x = -*x);
    t
}

/// Both feet on a declared shared clock; `mirror`: each foot's mirrored data worn on the
/// other foot (a walk led by the left foot, turning right).
fn shared_input(mirror: bool) -> LegInput {
    let declared = "FLU"
        .parse::<gaitkit::recording::Axes>()
        .unwrap()
        .sensor_to_body();
    let sensor = |side: Side| {
        let t = if mirror {
            mirrored(table(side.opposite()))
        } else {
            table(side)
        };
        LegSensor {
            imu: UniformImu::from_table(&t, DEFAULT_MAX_FILL_S).unwrap(),
            declared,
            file: format!("{}_foot.csv", side.as_str()),
        }
    };
    LegInput {
        kind: LegSensorKind::Foot,
        sensors: PerSide {
            left: sensor(Side::Left),
            right: sensor(Side::Right),
        },
        shared_timeline: true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    Refused,
    /// The `clock` check failed naming this leg late.
    Late(Side),
    Passed,
}

#[test]
fn clock_offsets_from_minus_to_plus_one_and_a_half_seconds_on_a_shared_clock() {
    // the fixture (led by the right foot, turning left) and its mirror (led by the left foot,
    // turning right); the right sensor's clock shifted by −1.5…+1.5 s
    let mut table_rows = vec![String::from(
        "| right clock | walk led by the right foot, left turn | mirrored |\n|---|---|---|",
    )];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for mirror in [false, true] {
        let input = shared_input(mirror);
        let legs = LegsOnOwnClocks::analyze(&input).unwrap();
        let base = legs.on_one_timeline(0.0).unwrap();
        let clock = |a: &gaitkit::gait::leg::LegAnalysis, k: &str| {
            a.quality
                .named("clock")
                .next()
                .unwrap()
                .numbers
                .get(k)
                .copied()
        };
        let lag0 = clock(&base, "turn_lag_s").unwrap();
        assert!(lag0.abs() < 0.05, "{lag0}");
        for (i, k) in (-15..=15).enumerate() {
            let off = k as f64 / 10.0;
            let (verdict, cell) = match legs.on_one_timeline(off) {
                Err(e) => {
                    let e = e.to_string();
                    assert!(e.contains("do not seem to share a timeline"), "{e}");
                    (Verdict::Refused, "refused (phase)".to_string())
                }
                Ok(a) => {
                    let c = a.quality.named("clock").next().unwrap();
                    let lag = clock(&a, "turn_lag_s").unwrap();
                    // the turn shows the shift itself
                    assert!((lag - lag0 - off).abs() < 0.011, "{off}: {lag}");
                    let phase = clock(&a, "phase_pct").unwrap();
                    let step_si = a.summary.symmetry.step_time.and_then(|s| s.si_pct);
                    match c.outcome {
                        Outcome::Passed => {
                            let si = step_si.unwrap();
                            (
                                Verdict::Passed,
                                format!("passed: phase {phase:.0} %, turn lag {lag:+.2} s, step-time SI {si:+.0} %"),
                            )
                        }
                        Outcome::Failed => {
                            assert_eq!(step_si, None);
                            let late = if c.message.contains("puts the right leg") {
                                Side::Right
                            } else {
                                Side::Left
                            };
                            let edges = clock(&a, "edges_swinging_one_leg_twice").unwrap();
                            (
                                Verdict::Late(late),
                                format!("`clock` failed, {} late: phase {phase:.0} %, turn lag {lag:+.2} s, edges {edges:.0}", late.as_str()),
                            )
                        }
                        o => panic!("{off}: {o:?}"),
                    }
                }
            };
            // nothing printed is wrong: a shift beyond 0.2 s (a step-time asymmetry of more
            // than 70 %) never passes, and a flagged leg is the late one
            match verdict {
                Verdict::Passed => assert!(off.abs() <= 0.2 + 1e-9, "{off} passed"),
                Verdict::Late(side) => {
                    assert!(off.abs() >= 0.8, "{off}");
                    assert_eq!(side, if off > 0.0 { Side::Right } else { Side::Left });
                }
                Verdict::Refused => assert!(off.abs() >= 0.2 - 1e-9, "{off} refused"),
            }
            // about a whole stride (0.9–1.3 s of 1.08 s) either way is caught
            if (0.9..=1.3).contains(&off.abs()) {
                assert_ne!(verdict, Verdict::Passed, "{off}");
            }
            if mirror {
                rows[i].push(cell);
            } else {
                rows.push(vec![format!("{off:+.1} s"), cell]);
            }
        }
    }
    for r in rows {
        table_rows.push(format!("| {} |", r.join(" | ")));
    }
    println!("{}", table_rows.join("\n"));
}

#[test]
fn a_true_step_time_asymmetry_on_a_shared_clock_is_not_flagged() {
    // the right foot's strides moved 0.06–0.08 s later or earlier against the left's: a
    // step-time asymmetry of 20–30 % on a correct clock, turn and all, either walk direction
    for mirror in [false, true] {
        let input = shared_input(mirror);
        let legs = LegsOnOwnClocks::analyze(&input).unwrap();
        for by in [0.06, 0.08, -0.06, -0.08] {
            let a = legs.on_one_timeline(by).unwrap();
            let c = a.quality.named("clock").next().unwrap();
            assert_eq!(c.outcome, Outcome::Passed, "{by}: {}", c.message);
            let si = a.summary.symmetry.step_time.unwrap().si_pct.unwrap();
            assert!(
                (20.0..=31.0).contains(&si.abs()) && si * by > 0.0,
                "{by}: {si}"
            );
        }
    }
}
