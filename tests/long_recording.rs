//! Long recordings analysed in pieces give the whole-file analysis: on every lower-back
//! fixture, and on recordings built from the fixtures joined by still periods (random
//! orders and still lengths, fixed seeds), with pieces forced small so that every still
//! period long enough is a cut, and with still periods as short as the cut rule accepts so
//! that cuts fall 15 s before a walk and the pieces' overlaps end in the middle of walks.
//! Contacts, sides, bouts, steps, strides, turns and gaps must be the same, and every number
//! of them and of the summary within 1e-9 (relative, or absolute near 0).

use std::path::{Path, PathBuf};

use gaitkit::analyze::{analyze_session, AnalyzeOptions, Pieces};
use gaitkit::gait::GaitAnalysis;
use gaitkit::long_recording::MIN_STILL_S;
use gaitkit::recording::{ImuCsvWriter, ImuSample, ImuTable, Session};
use serde_json::Value;

const FIXTURES: [&str; 6] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

fn gait(dir: &Path, pieces: Pieces) -> GaitAnalysis {
    let opts = AnalyzeOptions {
        pieces,
        ..AnalyzeOptions::default()
    };
    analyze_session(dir, &opts)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .gait
        .unwrap()
}

/// Deterministic uniform numbers in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A session of the fixtures in a random order, each followed by a still period of
/// `still_s` (drawn from the range): the sensor at rest with the gravity of the fixture's
/// first second and a little noise.
fn joined_session(name: &str, seed: u64, still_s: (f64, f64)) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("long_{name}_{seed}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Lcg(seed);
    let mut order: Vec<usize> = (0..FIXTURES.len()).collect();
    for i in (1..order.len()).rev() {
        let j = (rng.next() * (i + 1) as f64) as usize;
        order.swap(i, j);
    }
    let mut w = ImuCsvWriter::create(&dir.join("lower_back.csv")).unwrap();
    let mut n = 0usize;
    let mut write = |w: &mut ImuCsvWriter, mut s: ImuSample| {
        s.time_s = n as f64 * 0.01;
        w.write(&s).unwrap();
        n += 1;
    };
    for (k, &f) in order.iter().enumerate() {
        let t = ImuTable::read(&fixture(FIXTURES[f]).join("lower_back.csv")).unwrap();
        for i in 0..t.len() {
            write(&mut w, t.sample(i));
        }
        if k + 1 == order.len() {
            break;
        }
        let rest: [f64; 3] =
            std::array::from_fn(|a| t.acc_mps2[a][..100].iter().sum::<f64>() / 100.0);
        let len = still_s.0 + rng.next() * (still_s.1 - still_s.0);
        for _ in 0..(len * 100.0) as usize {
            write(
                &mut w,
                ImuSample {
                    time_s: 0.0,
                    acc_mps2: rest.map(|a| a + 0.02 * (rng.next() - 0.5)),
                    gyr_dps: [0.0; 3].map(|_| 0.4 * (rng.next() - 0.5)),
                },
            );
        }
    }
    w.flush().unwrap();
    Session::read(&fixture(FIXTURES[0]))
        .unwrap()
        .write(&dir)
        .unwrap();
    dir
}

/// Every difference between two JSON values beyond 1e-9 (relative, absolute below 1).
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
                out.push(format!("{path}: {x} vs {y}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} vs {} entries", x.len(), y.len()));
                return;
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), p, q, out);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(&format!("{path}.{k}"), p, q, out),
                    _ => out.push(format!("{path}.{k}: only in one")),
                }
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: {a} vs {b}")),
    }
}

/// The parts of an analysis that must agree, as JSON.
fn comparable(g: &GaitAnalysis) -> Value {
    let laterality: Vec<_> = g.quality.named("laterality").collect();
    serde_json::json!({
        "duration_s": g.duration_s,
        "sampling_rate_hz": g.sampling_rate_hz,
        "gaps": g.gaps,
        "bouts": g.bouts,
        "turns": g.turns,
        "uncertain_turns": g.uncertain_turns,
        "initial_contacts": g.initial_contacts,
        "final_contacts": g.final_contacts,
        "steps": g.steps,
        "strides": g.strides,
        "summary": g.summary,
        "laterality": laterality,
        "step_bounds": g.quality.named("step_bounds").collect::<Vec<_>>(),
    })
}

fn assert_same(whole: &GaitAnalysis, pieces: &GaitAnalysis, what: &str) {
    let mut diffs = Vec::new();
    differences("", &comparable(whole), &comparable(pieces), &mut diffs);
    assert!(
        diffs.is_empty(),
        "{what}: {} differences, first: {:#?}",
        diffs.len(),
        &diffs[..diffs.len().min(10)]
    );
    // sides exactly, contact by contact
    let sides = |g: &GaitAnalysis| {
        g.initial_contacts
            .iter()
            .map(|c| c.side)
            .collect::<Vec<_>>()
    };
    assert_eq!(sides(whole), sides(pieces), "{what}: sides");
    // the gravity is carried exactly; the tilt (only reported) to its 0.001° bin
    let (a, b) = (whole.alignment.unwrap(), pieces.alignment.unwrap());
    assert!(
        (a.gravity_mps2 - b.gravity_mps2).abs() < 1e-12 * a.gravity_mps2
            && (a.tilt_from_declared_deg - b.tilt_from_declared_deg).abs() <= 5e-4 + 1e-12,
        "{what}: alignment {a:?} vs {b:?}"
    );
}

#[test]
fn every_fixture_in_pieces_is_the_whole_file_analysis() {
    for f in FIXTURES {
        let dir = fixture(f);
        let whole = gait(&dir, Pieces::Whole);
        // one piece: the path of a long file; all but the tilt (to 0.001°) exactly the same
        let mut one = gait(&dir, Pieces::Samples(1_000_000));
        assert_same(&whole, &one, f);
        one.alignment = whole.alignment;
        assert_eq!(whole, one, "{f}");
        let small = gait(&dir, Pieces::Samples(500));
        assert_same(&whole, &small, f);
        assert!(whole.initial_contacts.len() >= 10, "{f}");
    }
}

#[test]
fn fixtures_joined_by_still_periods_in_small_pieces_match_the_whole_recording() {
    let seed = 1u64;
    let dir = joined_session("rests", seed, (35.0, 120.0));
    let whole = gait(&dir, Pieces::Whole);
    // pieces of 60 s (cut after 4 × 60 s at most, more than the longest fixture)
    let pieces = gait(&dir, Pieces::Samples(6000));
    assert_same(&whole, &pieces, &format!("seed {seed}"));
    // every fixture's walks are there (together the fixtures hold over 30 bouts)
    assert!(
        whole.bouts.len() >= 30,
        "seed {seed}: {} bouts",
        whole.bouts.len()
    );
    assert!(
        pieces
            .notes
            .iter()
            .all(|n| !n.contains("without a still period")),
        "seed {seed}: {:?}",
        pieces.notes
    );
}

#[test]
fn cuts_at_the_worst_places_the_rule_allows_change_nothing() {
    // still periods just long enough for a cut: the cut falls 15 s before the next walk,
    // and each piece's 60-s overlap ends inside a walk, in the middle of its filters' reach
    for seed in [11u64, 12] {
        let dir = joined_session("worst", seed, (MIN_STILL_S + 1.5, MIN_STILL_S + 2.5));
        let whole = gait(&dir, Pieces::Whole);
        let pieces = gait(&dir, Pieces::Samples(6000));
        assert_same(&whole, &pieces, &format!("seed {seed}"));
        let cuts = pieces
            .notes
            .iter()
            .filter(|n| n.contains("without a still period"))
            .count();
        assert_eq!(cuts, 0, "seed {seed}");
    }
}

#[test]
fn a_recording_without_still_periods_is_cut_anyway_and_says_so() {
    // the fixtures back to back, in pieces of 10 s: the daily-living walks go on for more
    // than 4 × 10 s without a still period of 30 s, so they are cut inside activity and the
    // report says where
    let dir = joined_session("nostill", 5, (0.0, 0.0));
    let pieces = gait(&dir, Pieces::Samples(1000));
    let note = pieces
        .notes
        .iter()
        .find(|n| n.contains("without a still period"))
        .unwrap_or_else(|| panic!("{:?}", pieces.notes));
    assert!(note.contains(" s without"), "{note}");
    let whole = gait(&dir, Pieces::Whole);
    let ratio = pieces.initial_contacts.len() as f64 / whole.initial_contacts.len() as f64;
    assert!((0.95..=1.05).contains(&ratio), "{ratio}");
}
