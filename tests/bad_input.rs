//! Every kind of input a real user gets wrong, through the binary: no panic, no hang, no
//! confident nonsense and no overwritten recording; one clear message naming the file, the
//! line or field, the problem and what to do, and exit code 1 (2 for unparsable options).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::reference::fixtures_dir;
use support::run_gaitkit as gaitkit;

const SHORT_WALK: &str = "mobilised_HA001_Test5_Trial1";
const LONG_WALK: &str = "mobilised_HA001_Test11_Trial1";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exit code 1 and one `error:` line containing every `want`, without panic or OS error
/// numbers, said once.
fn assert_refused(o: &Output, wants: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}\n{}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("(os error"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    for want in wants {
        assert!(err.contains(want), "expected {want:?} in {err:?}");
    }
    err
}

fn fixture_rows(name: &str) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(fixtures_dir().join(name).join("lower_back.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

/// Writes the fixture's lower-back CSV with each row transformed (`None` drops the row).
fn write_csv(
    path: &Path,
    name: &str,
    f: impl Fn(usize, &[String]) -> Option<Vec<String>>,
) -> PathBuf {
    let (header, rows) = fixture_rows(name);
    let mut out = header + "\n";
    for (i, r) in rows.iter().enumerate() {
        if let Some(r) = f(i, r) {
            out.push_str(&r.join(","));
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
    path.to_path_buf()
}

fn map_cols(r: &[String], cols: std::ops::Range<usize>, f: impl Fn(f64) -> f64) -> Vec<String> {
    r.iter()
        .enumerate()
        .map(|(k, v)| {
            if cols.contains(&k) {
                format!("{}", f(v.parse::<f64>().unwrap()))
            } else {
                v.clone()
            }
        })
        .collect()
}

/// A copy of a fixture session folder.
fn copy_session(name: &str, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(fixtures_dir().join(name)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    to.to_path_buf()
}

fn edit_session_json(dir: &Path, f: impl Fn(&mut serde_json::Value)) {
    let p = dir.join("session.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the binary with a deadline; a hang fails the test instead of blocking it.
fn gaitkit_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("gaitkit {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// All files of a folder with their contents, to show nothing was changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn time_in_microseconds_or_milliseconds_is_refused_with_the_rate_for_every_sensor_set() {
    let dir = tempfile::tempdir().unwrap();
    for (scale, unit) in [
        (1e6, "microseconds"),
        (1e3, "milliseconds"),
        (400.0, "seconds"),
    ] {
        let csv = write_csv(&dir.path().join("t.csv"), SHORT_WALK, |_, r| {
            Some(map_cols(r, 0..1, |t| t * scale))
        });
        let o = gaitkit(&["analyze", s(&csv), "--axes", "URF"]);
        assert_refused(&o, &["t.csv", "Hz; gaitkit reads 10–2000 Hz", unit]);
    }
    // feet
    let feet = copy_session("feet_healthy_2x20m", &dir.path().join("feet"));
    let text = std::fs::read_to_string(feet.join("left_foot.csv")).unwrap();
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(l);
        } else {
            let (t, rest) = l.split_once(',').unwrap();
            out.push_str(&format!("{},{rest}", t.parse::<f64>().unwrap() * 1e6));
        }
        out.push('\n');
    }
    std::fs::write(feet.join("left_foot.csv"), out).unwrap();
    let o = gaitkit(&["analyze", s(&feet)]);
    assert_refused(&o, &["left_foot.csv", "microseconds"]);
    // standing balance
    let stand = copy_session(SHORT_WALK, &dir.path().join("stand"));
    edit_session_json(&stand, |v| v["task"] = "stand".into());
    write_csv(&stand.join("lower_back.csv"), SHORT_WALK, |_, r| {
        Some(map_cols(r, 0..1, |t| t * 1e6))
    });
    let o = gaitkit(&["balance", s(&stand)]);
    assert_refused(&o, &["lower_back.csv", "microseconds"]);
}

#[test]
fn timestamp_jumps_never_size_memory_and_long_gaps_are_gaps() {
    let dir = tempfile::tempdir().unwrap();
    // 1e9 s: refused at once with the numbers and the line
    let csv = write_csv(&dir.path().join("jump.csv"), LONG_WALK, |i, r| {
        Some(map_cols(r, 0..1, |t| if i > 5000 { t + 1e9 } else { t }))
    });
    let o = gaitkit_within(
        &["analyze", s(&csv), "--axes", "URF"],
        Duration::from_secs(60),
    );
    assert_refused(
        &o,
        &[
            "jump.csv, line 5003",
            "1.000e9 s",
            "1.000e11 samples",
            "at most 10000000",
        ],
    );
    // an hour missing from a 138-s recording: more missing than recorded
    let csv = write_csv(&dir.path().join("hour.csv"), LONG_WALK, |i, r| {
        Some(map_cols(r, 0..1, |t| if i > 5000 { t + 3600.0 } else { t }))
    });
    let o = gaitkit(&["analyze", s(&csv), "--axes", "URF"]);
    assert_refused(
        &o,
        &["hour.csv, line 5003", "jumps from 50 to 3650 s", "split"],
    );
    // five minutes missing: a gap that ends a bout, analysed
    let csv = write_csv(&dir.path().join("five.csv"), LONG_WALK, |i, r| {
        Some(map_cols(r, 0..1, |t| if i > 5000 { t + 300.0 } else { t }))
    });
    let o = gaitkit(&["analyze", s(&csv), "--axes", "URF"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 gap(s), 300.0 s in total"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn durations_too_long_for_a_scan_or_recording_are_refused_before_any_bluetooth() {
    for args in [
        vec!["scan", "--timeout", "1e20s"],
        vec![
            "record",
            "--sensor",
            "lower-back=X",
            "--out",
            "x",
            "--duration",
            "99999999999999999999s",
        ],
    ] {
        let o = gaitkit(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("longest accepted duration of 24 h") && !err.contains("panicked"),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn named_pipes_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("walk.csv");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let o = gaitkit_within(
        &["analyze", s(&fifo), "--axes", "URF"],
        Duration::from_secs(20),
    );
    assert_refused(&o, &["walk.csv", "not a regular file"]);
    // as a session's CSV and as its session.json
    let sess = copy_session(SHORT_WALK, &dir.path().join("s"));
    std::fs::remove_file(sess.join("lower_back.csv")).unwrap();
    Command::new("mkfifo")
        .arg(sess.join("lower_back.csv"))
        .status()
        .unwrap();
    let o = gaitkit_within(&["analyze", s(&sess)], Duration::from_secs(20));
    assert_refused(&o, &["lower_back.csv", "not a regular file"]);
    std::fs::remove_file(sess.join("session.json")).unwrap();
    Command::new("mkfifo")
        .arg(sess.join("session.json"))
        .status()
        .unwrap();
    let o = gaitkit_within(&["analyze", s(&sess)], Duration::from_secs(20));
    assert_refused(&o, &["session.json", "not a regular file"]);
}

#[test]
fn binary_files_long_lines_and_huge_fields_give_short_messages() {
    let dir = tempfile::tempdir().unwrap();
    let nul = dir.path().join("nul.csv");
    std::fs::write(&nul, vec![0u8; 8 << 20]).unwrap();
    let o = gaitkit_within(
        &["analyze", s(&nul), "--axes", "URF"],
        Duration::from_secs(30),
    );
    let err = assert_refused(&o, &["nul.csv, line 1", "NUL bytes"]);
    assert!(err.len() < 300, "{err}");
    // one 10 MB field in a data row, and a 1000-byte non-number
    let header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n";
    let long = dir.path().join("long.csv");
    std::fs::write(
        &long,
        format!("{header}0,{},0,0,0,0,0\n", "1".repeat(10 << 20)),
    )
    .unwrap();
    let o = gaitkit(&["analyze", s(&long), "--axes", "URF"]);
    let err = assert_refused(&o, &["long.csv, line 2", "longer than 65536 bytes"]);
    assert!(err.len() < 300, "{err}");
    let word = dir.path().join("word.csv");
    std::fs::write(&word, format!("{header}0,{},0,0,0,0,0\n", "x".repeat(1000))).unwrap();
    let o = gaitkit(&["analyze", s(&word), "--axes", "URF"]);
    let err = assert_refused(
        &o,
        &[
            "word.csv, line 2",
            "acc_x = \"xxxx",
            "… (1000 bytes)\" is not a finite number",
        ],
    );
    assert!(err.len() < 300, "{err}");
}

#[test]
fn gyroscope_units_are_checked_against_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("deg.csv");
    write_csv(&base, LONG_WALK, |_, r| Some(r.to_vec()));
    let json = |p: &Path, extra: &[&str]| -> serde_json::Value {
        let out = dir.path().join("a.json");
        let mut args = vec!["analyze", s(p), "--axes", "URF", "--json", s(&out)];
        args.extend(extra);
        let o = gaitkit(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
    };
    let reference = json(&base, &[]);
    let rad = write_csv(&dir.path().join("rad.csv"), LONG_WALK, |_, r| {
        Some(map_cols(r, 4..7, f64::to_radians))
    });
    let o = gaitkit(&["analyze", s(&rad), "--axes", "URF"]);
    assert_refused(&o, &["rad.csv", "probably in rad/s", "--gyr-unit rad/s"]);
    // declared, the rad/s file gives the deg/s file's contacts, sides and symmetry
    let converted = json(&rad, &["--gyr-unit", "rad/s"]);
    assert_eq!(
        converted["gait"]["initial_contacts"]
            .as_array()
            .unwrap()
            .len(),
        reference["gait"]["initial_contacts"]
            .as_array()
            .unwrap()
            .len()
    );
    let sides = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["gait"]["initial_contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["side"].clone())
            .collect()
    };
    assert_eq!(sides(&converted), sides(&reference));
    assert_eq!(
        converted["gait"]["turns"].as_array().unwrap().len(),
        reference["gait"]["turns"].as_array().unwrap().len()
    );
    // feet in rad/s: far larger numbers than a trunk, still caught
    let feet = copy_session("feet_healthy_2x20m", &dir.path().join("feet"));
    for side in ["left", "right"] {
        let p = feet.join(format!("{side}_foot.csv"));
        let text = std::fs::read_to_string(&p).unwrap();
        let mut out = String::new();
        for (i, l) in text.lines().enumerate() {
            let fields: Vec<String> = l
                .split(',')
                .enumerate()
                .map(|(k, v)| match (i, k) {
                    (0, _) | (_, 0..=3) => v.to_string(),
                    _ => format!("{}", v.parse::<f64>().unwrap().to_radians()),
                })
                .collect();
            out.push_str(&(fields.join(",") + "\n"));
        }
        std::fs::write(&p, out).unwrap();
    }
    assert_refused(
        &gaitkit(&["analyze", s(&feet)]),
        &["left_foot.csv", "probably in rad/s"],
    );
    let o = gaitkit(&["analyze", s(&feet), "--gyr-unit", "rad/s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("61 steps"), "{}", stdout(&o));
    // deg/s declared as rad/s
    let o = gaitkit(&["analyze", s(&base), "--axes", "URF", "--gyr-unit", "rad/s"]);
    assert_refused(&o, &["deg.csv", "in deg/s already"]);
    let zero = write_csv(&dir.path().join("zero.csv"), LONG_WALK, |_, r| {
        Some(map_cols(r, 4..7, |_| 0.0))
    });
    assert_refused(
        &gaitkit(&["analyze", s(&zero), "--axes", "URF"]),
        &["zero.csv", "all 0", "Polar H10"],
    );
    let milli = write_csv(&dir.path().join("milli.csv"), LONG_WALK, |_, r| {
        Some(map_cols(r, 4..7, |v| v * 1000.0))
    });
    assert_refused(
        &gaitkit(&["analyze", s(&milli), "--axes", "URF"]),
        &["milli.csv, line", "beyond ±5000 deg/s", "millidegrees"],
    );
}

/// 60 s at 100 Hz of a trunk sensor (x up) given (acc, gyr) at each time.
fn synthetic_csv(
    path: &Path,
    f: impl Fn(f64, &mut support::balance_sim::Rng) -> ([f64; 3], [f64; 3]),
) {
    let mut rng = support::balance_sim::Rng::new(11);
    let mut out = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
    for i in 0..6000 {
        let t = i as f64 / 100.0;
        let (a, w) = f(t, &mut rng);
        out.push_str(&format!(
            "{t:.2},{:.5},{:.5},{:.5},{:.4},{:.4},{:.4}\n",
            a[0], a[1], a[2], w[0], w[1], w[2]
        ));
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn vibrations_are_not_reported_as_walking() {
    use std::f64::consts::PI;
    let dir = tempfile::tempdir().unwrap();
    // a 2 Hz vertical vibration of a sensor held in a hand that wobbles (so the gyroscope moves)
    let held = dir.path().join("held.csv");
    synthetic_csv(&held, |t, rng| {
        (
            [
                9.81 + 2.0 * (2.0 * PI * 2.0 * t).sin(),
                0.05 * rng.gauss(),
                0.05 * rng.gauss(),
            ],
            [8.0 * rng.gauss(), 8.0 * rng.gauss(), 8.0 * rng.gauss()],
        )
    });
    let o = gaitkit(&["analyze", s(&held), "--axes", "URF"]);
    assert_refused(
        &o,
        &[
            "held.csv",
            "is not walking",
            "hardly moves forward or sideways",
            "vibration",
        ],
    );
    // the same vibration on a table: the gyroscope shows only noise
    let table = dir.path().join("table.csv");
    synthetic_csv(&table, |t, rng| {
        (
            [
                9.81 + 2.0 * (2.0 * PI * 2.0 * t).sin(),
                0.02 * rng.gauss(),
                0.02 * rng.gauss(),
            ],
            [0.3 * rng.gauss(), 0.3 * rng.gauss(), 0.3 * rng.gauss()],
        )
    });
    let o = gaitkit(&["analyze", s(&table), "--axes", "URF"]);
    assert_refused(&o, &["table.csv", "did not rotate", "lying on a table"]);
}

#[test]
fn absurd_finite_values_are_refused_with_column_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (col, value, want) in [
        (1, "1e300", "acc_x = 1e300 is beyond ±50 g"),
        (3, "-1e30", "acc_z = -1e30 is beyond ±50 g"),
        (5, "1e30", "gyr_y = 1e30 is beyond ±5000 deg/s"),
        (0, "1e300", "time_s = 1e300 is beyond"),
    ] {
        let csv = write_csv(&dir.path().join("big.csv"), SHORT_WALK, |i, r| {
            let mut r = r.to_vec();
            if i == 600 {
                r[col] = value.into();
            }
            Some(r)
        });
        let o = gaitkit(&["analyze", s(&csv), "--axes", "URF"]);
        assert_refused(&o, &["big.csv, line 602", want]);
    }
}

#[test]
fn gaps_in_session_json_split_bouts_like_gaps_in_the_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (80.0, 80.6);
    // the gap as a hole in the timestamps
    let holed = copy_session(LONG_WALK, &dir.path().join("holed"));
    write_csv(&holed.join("lower_back.csv"), LONG_WALK, |_, r| {
        let t: f64 = r[0].parse().unwrap();
        (t <= from + 1e-9 || t >= to - 1e-9).then(|| r.to_vec())
    });
    // the same gap written by `record` into session.json, the data left in place
    let listed = copy_session(LONG_WALK, &dir.path().join("listed"));
    edit_session_json(&listed, |v| {
        v["gaps"] = serde_json::json!([{"placement": "lower-back", "start_s": from, "end_s": to, "reason": "disconnected"}]);
    });
    let analyse = |d: &Path| -> serde_json::Value {
        let out = dir.path().join("out.json");
        let o = gaitkit(&["analyze", s(d), "--json", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
    };
    let (a, b, none) = (
        analyse(&holed),
        analyse(&listed),
        analyse(&fixtures_dir().join(LONG_WALK)),
    );
    let bouts = |v: &serde_json::Value| -> Vec<(f64, f64, String)> {
        v["gait"]["bouts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["start_s"].as_f64().unwrap(),
                    b["end_s"].as_f64().unwrap(),
                    b["ended_by"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (ba, bb) = (bouts(&a), bouts(&b));
    assert_eq!(ba.len(), bb.len(), "{ba:?}\n{bb:?}");
    for (x, y) in ba.iter().zip(&bb) {
        assert!(
            (x.0 - y.0).abs() < 0.05 && (x.1 - y.1).abs() < 0.05 && x.2 == y.2,
            "{x:?} {y:?}"
        );
    }
    assert!(bb.iter().any(|x| x.2 == "gap"), "{bb:?}");
    assert_ne!(
        bouts(&none).len(),
        bb.len(),
        "the gap must change the bouts"
    );
    // no step spans the listed gap
    for st in b["gait"]["steps"].as_array().unwrap() {
        let (s0, s1) = (
            st["start_s"].as_f64().unwrap(),
            st["end_s"].as_f64().unwrap(),
        );
        assert!(s1 <= from || s0 >= to, "step {s0}–{s1} spans the gap");
    }
    assert_eq!(b["gait"]["gaps"][0]["filled"], false);
}

#[test]
fn every_option_and_session_field_is_checked_value_by_value() {
    let dir = tempfile::tempdir().unwrap();
    let session = fixtures_dir().join(SHORT_WALK);
    for v in ["NaN", "inf", "-1", "5"] {
        let o = gaitkit(&["analyze", s(&session), "--max-gap-fill-s", v]);
        assert_refused(&o, &["--max-gap-fill-s", "from 0 to 1"]);
    }
    let o = gaitkit(&["balance", s(&session), "--age-years", "-4"]);
    assert_refused(&o, &["--age-years -4", "0–120"]);
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["format_version"] = 99.into()),
            "field \"format_version\": 99 is not a session format",
        ),
        (
            Box::new(|v| v["format_version"] = (-1).into()),
            "field \"format_version\": invalid value: integer `-1`",
        ),
        (
            Box::new(|v| v["sensors"][0]["sampling_rate_hz"] = (-100.0).into()),
            "field \"sensors[0].sampling_rate_hz\": -100 is outside 10–2000 Hz",
        ),
        (
            Box::new(|v| v["participant"]["age_years"] = (-3.0).into()),
            "field \"participant.age_years\": -3 is outside 0–120 years",
        ),
        (
            Box::new(|v| v["participant"]["height_m"] = "tall".into()),
            "field \"participant.height_m\": invalid type: string \"tall\"",
        ),
        (
            Box::new(|v| v["sensors"][0]["placement"] = "neck".into()),
            "field \"sensors[0].placement\": unknown placement \"neck\"",
        ),
        (
            Box::new(|v| v["sensors"][0]["file"] = "../other/x.csv".into()),
            "field \"sensors[0].file\": must be the name of a CSV file inside the session folder",
        ),
        (
            Box::new(|v| {
                v["gaps"] =
                    serde_json::json!([{"placement": "left-foot", "start_s": 1, "end_s": 2}])
            }),
            "field \"gaps[0].placement\": \"left-foot\" is not one of this session's sensors",
        ),
        (
            Box::new(|v| {
                v["gaps"] =
                    serde_json::json!([{"placement": "lower-back", "start_s": 3, "end_s": 2}])
            }),
            "field \"gaps[0]\": start_s 3 and end_s 2",
        ),
    ];
    for (i, (edit, want)) in cases.iter().enumerate() {
        let d = copy_session(SHORT_WALK, &dir.path().join(format!("s{i}")));
        edit_session_json(&d, edit);
        let o = gaitkit(&["analyze", s(&d)]);
        assert_refused(&o, &[&format!("s{i}/session.json"), want]);
    }
    // unknown keys (newer writers, an import's provenance) are accepted
    let d = copy_session(SHORT_WALK, &dir.path().join("extra"));
    edit_session_json(&d, |v| {
        v["source"] = serde_json::json!({"app": "other", "exported": "2026-01-01"});
        v["sensors"][0]["colour"] = "red".into();
    });
    let o = gaitkit(&["analyze", s(&d)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn progress_that_cannot_analyse_a_session_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let patient = dir.path().join("anna");
    for (name, day) in [("v1", "02"), ("v2", "09"), ("v3", "16")] {
        let d = copy_session(SHORT_WALK, &patient.join(name));
        edit_session_json(&d, |v| {
            v["start_time"] = format!("2026-03-{day}T10:00:00+01:00").into()
        });
    }
    std::fs::write(patient.join("v2/lower_back.csv"), "time_s,acc_x\n").unwrap();
    let out = dir.path().join("out");
    let o = gaitkit(&["progress", s(&patient), "--out", s(&out)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("skipped") && err.contains("v2"), "{err}");
    assert!(
        err.contains("1 of the 3 session folders") && err.contains("could not be analysed"),
        "{err}"
    );
    // the sessions that could be analysed are still drawn
    assert!(out.join("progress.html").exists());
}

#[test]
fn no_command_writes_over_its_inputs_and_record_never_reuses_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let sess = copy_session(SHORT_WALK, &dir.path().join("S"));
    let csv = dir.path().join("walk.csv");
    std::fs::copy(sess.join("lower_back.csv"), &csv).unwrap();
    let before = snapshot(&sess);
    let csv_before = std::fs::read(&csv).unwrap();
    let sneaky = dir.path().join("S/../S/lower_back.csv");
    let json = sess.join("session.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["analyze", s(&csv), "--axes", "URF", "--csv", s(&csv)],
        vec!["analyze", s(&csv), "--axes", "URF", "--json", s(&csv)],
        vec!["analyze", s(&sess), "--json", s(&json)],
        vec!["analyze", s(&sess), "--csv", s(&sneaky)],
        vec!["analyze", s(&sess), "--strides-csv", s(&json)],
        vec!["balance", s(&sess), "--json", s(&json)],
        vec!["balance", s(&sess), "--charts", s(&sess)],
        vec!["compare", s(&sess), s(&sess), "--out", s(&sess)],
        vec!["report", s(&sess), "--out", s(&json)],
        vec!["progress", s(dir.path()), "--out", s(&sess)],
    ];
    for args in &cases {
        let o = gaitkit(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("Choose another"), "{args:?}: {err}");
        assert_eq!(snapshot(&sess), before, "{args:?} changed the session");
        assert_eq!(
            std::fs::read(&csv).unwrap(),
            csv_before,
            "{args:?} changed the CSV"
        );
    }
    // record refuses an existing session folder, or any folder with files, before any Bluetooth
    let o = gaitkit(&[
        "record",
        "--sensor",
        "lower-back=X",
        "--out",
        s(&sess),
        "--duration",
        "1s",
    ]);
    assert_refused(
        &o,
        &["--out", "already holds a session", "choose another folder"],
    );
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("lower_back.csv"), "precious").unwrap();
    let o = gaitkit(&[
        "record",
        "--sensor",
        "lower-back=X",
        "--out",
        s(&other),
        "--duration",
        "1s",
    ]);
    assert_refused(&o, &["not empty"]);
    assert_eq!(
        std::fs::read(other.join("lower_back.csv")).unwrap(),
        b"precious"
    );
    assert_eq!(snapshot(&sess), before);
}

#[test]
fn messages_say_what_is_wrong_once_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    for args in [
        vec!["analyze", s(&missing)],
        vec!["compare", s(&missing), s(&missing), "--out", "o"],
        vec!["report", s(&missing), "--out", "r.html"],
        vec!["balance", s(&missing)],
        vec!["progress", s(&missing), "--out", "o"],
    ] {
        let err = assert_refused(&gaitkit(&args), &["nothing-here", "no such file or folder"]);
        assert_eq!(err.matches("no such").count(), 1, "{err}");
    }
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    assert_refused(
        &gaitkit(&["compare", s(&file), s(&file), "--out", "o"]),
        &["file.txt: is a file, not a session or visit folder"],
    );
    let session = fixtures_dir().join(SHORT_WALK);
    assert_refused(
        &gaitkit(&[
            "report",
            s(&session),
            "--out",
            &format!("{}/r.html", s(&file)),
        ]),
        &["cannot write", "file.txt is a file, not a folder"],
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_refused(
        &gaitkit(&["analyze", s(&empty)]),
        &["empty: no session.json in this folder", "gaitkit record"],
    );
    let sess = copy_session(SHORT_WALK, &dir.path().join("S"));
    std::fs::remove_file(sess.join("lower_back.csv")).unwrap();
    assert_refused(
        &gaitkit(&["analyze", s(&sess)]),
        &[
            "S/lower_back.csv: no such file, but",
            "S/session.json names it as the lower-back sensor's file",
        ],
    );
    let csv = write_csv(&dir.path().join("walk.csv"), SHORT_WALK, |_, r| {
        Some(r.to_vec())
    });
    assert_refused(
        &gaitkit(&[
            "analyze",
            s(&csv),
            "--axes",
            "URF",
            "--placement",
            "left-foot",
        ]),
        &[
            "walk.csv: a single left-foot sensor cannot be analysed",
            "both feet",
        ],
    );
    // 4.99 s is not "5.0 s"
    let short = write_csv(&dir.path().join("short.csv"), SHORT_WALK, |i, r| {
        (i < 500).then(|| r.to_vec())
    });
    assert_refused(
        &gaitkit(&["analyze", s(&short), "--axes", "URF"]),
        &["recording is 4.99 s long; at least 5 s"],
    );
    // other CSV dialects get a hint
    let (header, rows) = fixture_rows(SHORT_WALK);
    for (name, sep, decimal, want) in [
        ("semicolon.csv", ";", ",", "separated by semicolons"),
        ("tab.csv", "\t", ".", "separated by tabs"),
        ("comma.csv", ",", ",", "decimal commas"),
    ] {
        let mut text = header.replace(',', sep) + "\n";
        for r in &rows {
            let r: Vec<String> = r.iter().map(|v| v.replace('.', decimal)).collect();
            text.push_str(&(r.join(sep) + "\n"));
        }
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        assert_refused(
            &gaitkit(&["analyze", s(&p), "--axes", "URF"]),
            &[name, want],
        );
    }
}
