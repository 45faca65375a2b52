//! Stability and sensitivity of the symmetry indices on every fixture.
//!
//! Stability: each recording is perturbed in ways that change nothing about the walk —
//! resampled by half a sample either way (linear interpolation; for the two feet also the
//! right foot alone), white sensor noise at datasheet level added (12 seeds), gains scaled by
//! ±2 %, 1 % of packets dropped (12 seeds) — and the whole pipeline is run again. The set of
//! steady strides may change by at most one stride. An index from at least
//! [`MIN_STRIDES_FOR_1PP`] strides per side may move by at most 1 percentage point; an index
//! from fewer strides (the short lower-back walks give three per side) by at most its own
//! 95 % interval, which is what it claims to know. Shifting one foot's signal moves its
//! contacts, so the step-time index is expected to move by exactly that much.
//!
//! Sensitivity: one foot's stance of the two-foot recording is stretched or shortened by 5, 10
//! and 20 % inside every stride (stride time kept, swing changed by as much) by time-warping
//! the recorded signal between the events found in the unwarped walk; the stance and
//! step-time indices must move by the true amount within 1 percentage point, with the right
//! sign, and so must the swing index (within 3 % of its change at ±20 %). The table also shows
//! the change the same warp makes to the motion-capture reference.
//!
//! `cargo test --test perturbation -- --nocapture` prints both tables.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gaitkit::analyze::{analyze_with, AnalyzeOptions};
use gaitkit::gait::analysis::GaitSummary;
use gaitkit::gait::symmetry::{symmetry_index_pct, SideComparison};
use gaitkit::gait::{GaitAnalysis, PerSide, Side};
use gaitkit::recording::{ImuTable, Placement, Session};
use support::reference::{fixtures_dir, load_json, LOWER_BACK_FIXTURES};

const FEET: &str = "feet_healthy_2x20m";
const SEEDS: u64 = 12;

/// Noise densities at the noisy end of consumer MEMS IMUs, from the InvenSense product
/// specifications: accelerometer 400 µg/√Hz (MPU-6050), gyroscope 0.01 °/s/√Hz (MPU-9250);
/// the Bosch BMI160/BMI270 of the MetaMotion boards are quieter (≤ 180 µg/√Hz,
/// ≤ 0.008 °/s/√Hz). White noise over the Nyquist band has σ = density · √(fs / 2).
const ACC_NOISE_G_PER_SQRT_HZ: f64 = 400e-6;
const GYR_NOISE_DPS_PER_SQRT_HZ: f64 = 0.01;
/// Samples per BLE notification (Movesense-style packing at ~100 Hz).
const PACKET_SAMPLES: usize = 4;

/// Largest allowed move of a symmetry index under a perturbation, percentage points.
const MAX_SI_MOVE_PP: f64 = 1.0;
/// Largest allowed change of the steady-stride set under a perturbation, strides.
const MAX_SET_CHANGE: usize = 1;

fn all_fixtures() -> Vec<&'static str> {
    let mut v: Vec<&str> = LOWER_BACK_FIXTURES.to_vec();
    v.push(FEET);
    v
}

/// Deterministic standard normal numbers (64-bit LCG seeded through SplitMix64, so that
/// nearby seeds give unrelated streams; Box–Muller).
struct Gauss(u64);
impl Gauss {
    fn new(seed: u64) -> Gauss {
        let mut z = seed.wrapping_add(0x9E3779B97F4A7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        Gauss(z ^ (z >> 31))
    }

    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn channels(t: &mut ImuTable) -> impl Iterator<Item = &mut Vec<f64>> {
    t.acc_mps2.iter_mut().chain(t.gyr_dps.iter_mut())
}

/// The same motion sampled half a sample off: values at t + dt/2 (`later`) or t − dt/2, by
/// linear interpolation; the end sample is kept.
fn half_sample(mut t: ImuTable, later: bool) -> ImuTable {
    for c in channels(&mut t) {
        let n = c.len();
        if later {
            for i in 0..n - 1 {
                c[i] = 0.5 * (c[i] + c[i + 1]);
            }
        } else {
            for i in (1..n).rev() {
                c[i] = 0.5 * (c[i] + c[i - 1]);
            }
        }
    }
    t
}

fn sampling_rate(t: &ImuTable) -> f64 {
    (t.len() - 1) as f64 / (t.time_s[t.len() - 1] - t.time_s[0])
}

fn with_noise(mut t: ImuTable, seed: u64) -> ImuTable {
    let band = (sampling_rate(&t) / 2.0).sqrt();
    let acc = ACC_NOISE_G_PER_SQRT_HZ * 9.80665 * band;
    let gyr = GYR_NOISE_DPS_PER_SQRT_HZ * band;
    let mut g = Gauss::new(seed);
    for c in t.acc_mps2.iter_mut() {
        c.iter_mut().for_each(|v| *v += acc * g.normal());
    }
    for c in t.gyr_dps.iter_mut() {
        c.iter_mut().for_each(|v| *v += gyr * g.normal());
    }
    t
}

fn scaled(mut t: ImuTable, factor: f64) -> ImuTable {
    for c in channels(&mut t) {
        c.iter_mut().for_each(|v| *v *= factor);
    }
    t
}

/// Drops 1 % of the packets (never the first or last), chosen by `seed`.
fn drop_packets(t: ImuTable, seed: u64) -> ImuTable {
    let n_packets = t.len() / PACKET_SAMPLES;
    let mut g = Gauss::new(seed);
    let mut dropped = vec![false; n_packets];
    let target = n_packets / 100;
    while dropped.iter().filter(|d| **d).count() < target {
        let k = 1 + (g.uniform() * (n_packets - 2) as f64) as usize;
        dropped[k] = true;
    }
    let mut out = ImuTable::with_capacity(t.len());
    for i in 0..t.len() {
        if !dropped.get(i / PACKET_SAMPLES).copied().unwrap_or(false) {
            out.push(&t.sample(i));
        }
    }
    out
}

struct Fixture {
    dir: PathBuf,
    session: Session,
    tables: BTreeMap<String, (Placement, ImuTable)>,
}

fn load(name: &str) -> Fixture {
    let dir = fixtures_dir().join(name);
    let session = Session::read(&dir).unwrap();
    let tables = session
        .sensors
        .iter()
        .map(|e| {
            let path = session.sensor_path(&dir, e);
            (
                path.display().to_string(),
                (e.placement, ImuTable::read(&path).unwrap()),
            )
        })
        .collect();
    Fixture {
        dir,
        session,
        tables,
    }
}

type Transform<'a> = &'a dyn Fn(Placement, ImuTable) -> ImuTable;

fn run(f: &Fixture, transform: Transform<'_>) -> GaitAnalysis {
    let read = |p: &Path| {
        let (placement, table) = &f.tables[&p.display().to_string()];
        Ok(transform(*placement, table.clone()))
    };
    analyze_with(&f.dir, &f.session, &AnalyzeOptions::default(), &read)
        .unwrap()
        .gait
        .unwrap()
}

/// One symmetry index of a summary: value (%), strides on the smaller side, and the
/// half-width of its 95 % interval.
struct Index {
    name: &'static str,
    si_pct: f64,
    n_min: usize,
    ci95_pct: Option<f64>,
}

/// The symmetry indices of a summary.
fn indices(s: &GaitSummary) -> Vec<Index> {
    let c = &s.comparisons;
    [
        ("step time", &c.step_time),
        ("stance", &c.stance_time),
        ("swing", &c.swing_time),
        ("single support", &c.single_support),
        ("step length", &c.step_length),
    ]
    .into_iter()
    .filter_map(|(name, c)| {
        let c = c.as_ref()?;
        Some(Index {
            name,
            si_pct: c.si_pct,
            n_min: c.left.n.min(c.right.n),
            ci95_pct: c.si_ci95_pct,
        })
    })
    .collect()
}

/// Fewest strides per side for which an index must stay within [`MAX_SI_MOVE_PP`]; an index
/// from fewer strides must stay within its own 95 % interval (it cannot be known better:
/// one contact moved by a lost packet shifts a 3-stride mean by a third of its error).
const MIN_STRIDES_FOR_1PP: usize = 5;

/// The bound an index must keep under a perturbation, pp (`None`: too few strides to have
/// an interval).
fn bound_pp(ix: &Index) -> Option<f64> {
    if ix.n_min >= MIN_STRIDES_FOR_1PP {
        Some(MAX_SI_MOVE_PP)
    } else {
        ix.ci95_pct.map(|ci| ci.max(MAX_SI_MOVE_PP))
    }
}

/// Steady strides as (side, start).
fn steady_set(g: &GaitAnalysis) -> Vec<(Option<Side>, f64)> {
    g.strides
        .iter()
        .filter(|s| s.steady)
        .map(|s| (s.side, s.start_s))
        .collect()
}

/// Strides in one set but not the other (same side, start within 0.2 s).
fn set_change(a: &[(Option<Side>, f64)], b: &[(Option<Side>, f64)]) -> usize {
    let missing = |x: &[(Option<Side>, f64)], y: &[(Option<Side>, f64)]| {
        x.iter()
            .filter(|(s, t)| !y.iter().any(|(s2, t2)| s == s2 && (t - t2).abs() < 0.2))
            .count()
    };
    missing(a, b) + missing(b, a)
}

/// One perturbed run compared with the unperturbed one.
struct Case {
    fixture: &'static str,
    /// Kind of perturbation (seeds of one kind are grouped in the table).
    kind: String,
    label: String,
    /// Worst index: name, |move| beyond the expected change (pp), its bound.
    worst: Option<(&'static str, f64, Option<f64>)>,
    /// Indices that moved beyond their bound or disappeared.
    violations: Vec<String>,
    moved_over_1pp: bool,
    set_change: usize,
    n_steady: (usize, usize),
}

type Perturbation = Box<dyn Fn(Placement, ImuTable) -> ImuTable>;

/// (kind, label, perturbation) for one fixture.
fn perturbations(name: &str) -> Vec<(String, String, Perturbation)> {
    let mut v: Vec<(String, String, Perturbation)> = vec![
        (
            "+½ sample".into(),
            "+½ sample".into(),
            Box::new(|_, t| half_sample(t, true)),
        ),
        (
            "−½ sample".into(),
            "−½ sample".into(),
            Box::new(|_, t| half_sample(t, false)),
        ),
    ];
    if name == FEET {
        for later in [true, false] {
            let label = format!("right foot {}½ sample", if later { "+" } else { "−" });
            v.push((
                label.clone(),
                label,
                Box::new(move |p, t| {
                    if p == Placement::RightFoot {
                        half_sample(t, later)
                    } else {
                        t
                    }
                }),
            ));
        }
    }
    for seed in 1..=SEEDS {
        v.push((
            "datasheet noise".into(),
            format!("noise, seed {seed}"),
            Box::new(move |p, t| with_noise(t, 100 * seed + p as u64)),
        ));
    }
    v.push((
        "gain +2 %".into(),
        "gain +2 %".into(),
        Box::new(|_, t| scaled(t, 1.02)),
    ));
    v.push((
        "gain −2 %".into(),
        "gain −2 %".into(),
        Box::new(|_, t| scaled(t, 0.98)),
    ));
    for seed in 1..=SEEDS {
        v.push((
            "1 % packets lost".into(),
            format!("1 % packets lost, seed {seed}"),
            Box::new(move |p, t| drop_packets(t, 100 * seed + p as u64)),
        ));
    }
    v
}

/// What shifting the right foot's signal by `h_s` (positive = later) does to the step-time
/// SI: right contacts move by `h_s`, so right steps (left → right contact) lengthen by `h_s`
/// and left steps shorten by as much. Nothing else changes.
fn expected_step_si_change(base: &GaitSummary, h_s: f64) -> f64 {
    let (l, r) = (
        base.step_time_s.left.unwrap(),
        base.step_time_s.right.unwrap(),
    );
    symmetry_index_pct(l - h_s, r + h_s).unwrap() - symmetry_index_pct(l, r).unwrap()
}

fn stability_cases(name: &'static str) -> Vec<Case> {
    let f = load(name);
    let base = run(&f, &|_, t| t);
    let base_ix = indices(&base.summary);
    let base_set = steady_set(&base);
    let fs = base.sampling_rate_hz;
    let n = &base.summary.n_steady_strides;
    perturbations(name)
        .into_iter()
        .map(|(kind, label, tf)| {
            let g = run(&f, &*tf);
            let ix = indices(&g.summary);
            // values at t + dt/2 show every event half a sample earlier
            let shift_s = match label.as_str() {
                "right foot +½ sample" => -0.5 / fs,
                "right foot −½ sample" => 0.5 / fs,
                _ => 0.0,
            };
            let mut worst: Option<(&'static str, f64, Option<f64>)> = None;
            let mut violations = Vec::new();
            let mut moved_over_1pp = false;
            for b in &base_ix {
                let expected = if b.name == "step time" {
                    expected_step_si_change(&base.summary, shift_s)
                } else {
                    0.0
                };
                let Some(p) = ix.iter().find(|x| x.name == b.name) else {
                    violations.push(format!("{} SI disappeared", b.name));
                    continue;
                };
                let m = (p.si_pct - b.si_pct - expected).abs();
                let bound = bound_pp(b);
                moved_over_1pp |= m > MAX_SI_MOVE_PP;
                if bound.is_some_and(|x| m > x) {
                    violations.push(format!(
                        "{} SI moved {m:.2} pp (bound {:.2} pp, {} strides per side)",
                        b.name,
                        bound.unwrap_or(f64::NAN),
                        b.n_min
                    ));
                }
                if worst.is_none_or(|w| m > w.1) {
                    worst = Some((b.name, m, bound));
                }
            }
            Case {
                fixture: name,
                kind,
                label,
                worst,
                violations,
                moved_over_1pp,
                set_change: set_change(&base_set, &steady_set(&g)),
                n_steady: (n.left, n.right),
            }
        })
        .collect()
}

#[test]
fn symmetry_indices_do_not_move_when_nothing_changed() {
    let cases: Vec<Case> = all_fixtures()
        .into_iter()
        .flat_map(stability_cases)
        .collect();
    println!(
        "\n{:<30} {:<22} {:>4} {:>7} {:>10} {:<15} {:>9} {:>6} {:>5}",
        "fixture",
        "perturbation",
        "runs",
        "steady",
        "max |ΔSI|",
        "(index)",
        "bound",
        ">1 pp",
        "set Δ"
    );
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for c in &cases {
        if !groups.contains(&(c.fixture, c.kind.as_str())) {
            groups.push((c.fixture, c.kind.as_str()));
        }
    }
    for (fixture, kind) in groups {
        let g: Vec<&Case> = cases
            .iter()
            .filter(|c| c.fixture == fixture && c.kind == kind)
            .collect();
        let worst = g
            .iter()
            .filter_map(|c| c.worst)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let (n_l, n_r) = g[0].n_steady;
        println!(
            "{:<30} {:<22} {:>4} {:>7} {:>10} {:<15} {:>9} {:>6} {:>5}",
            fixture,
            kind,
            g.len(),
            format!("{n_l}/{n_r}"),
            worst.map_or("–".into(), |w| format!("{:.2} pp", w.1)),
            worst.map_or("(no index)", |w| w.0),
            worst.map_or("–".into(), |w| w
                .2
                .map_or("none".into(), |b| format!("{b:.2} pp"))),
            g.iter().filter(|c| c.moved_over_1pp).count(),
            g.iter().map(|c| c.set_change).max().unwrap_or(0)
        );
    }
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|c| {
            let mut v: Vec<String> = c
                .violations
                .iter()
                .map(|x| format!("{} / {}: {x}", c.fixture, c.label))
                .collect();
            if c.set_change > MAX_SET_CHANGE {
                v.push(format!(
                    "{} / {}: steady set changed by {} strides",
                    c.fixture, c.label, c.set_change
                ));
            }
            v
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // the two-foot walk has enough strides for the strict bound on every index
    assert!(cases
        .iter()
        .filter(|c| c.fixture == FEET)
        .all(|c| c.worst.is_some_and(|w| w.2 == Some(MAX_SI_MOVE_PP))));
}

/// Motion-capture events of one foot: (previous IC, toe-off, IC) per stride, s, and whether the
/// stride is straight (|turning| < 20°).
fn reference_cycles(side: Side) -> Vec<(f64, f64, f64, bool)> {
    let v = load_json(FEET);
    let fs = 204.8;
    v["reference"]["per_foot"][side.as_str()]["strides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let t = |k: &str| s[k].as_f64().unwrap() / fs;
            (
                t("pre_ic"),
                t("tc"),
                t("ic"),
                s["turning_angle"].as_f64().unwrap().abs() < 20.0,
            )
        })
        .collect()
}

/// Knots (new time, recorded time) of the stance warp of one foot: every stance from a contact
/// to the toe-off before the next contact of that foot, as found in the unwarped walk `base`,
/// lasts `factor` times as long and the swing after it is shorter by as much; contacts and
/// stride times stay. With the knots at the detected events, the true change of every stride
/// is known exactly.
fn warp_knots(base: &GaitAnalysis, side: Side, factor: f64) -> Vec<(f64, f64)> {
    let times = |c: &[gaitkit::gait::Contact]| -> Vec<f64> {
        c.iter()
            .filter(|c| c.side == Some(side))
            .map(|c| c.t_s)
            .collect()
    };
    let (ics, fcs) = (times(&base.initial_contacts), times(&base.final_contacts));
    let mut knots: Vec<(f64, f64)> = Vec::new();
    for w in ics.windows(2) {
        let Some(&fc) = fcs.iter().find(|&&f| f > w[0] && f < w[1]) else {
            continue;
        };
        knots.push((w[0], w[0]));
        knots.push((w[0] + factor * (fc - w[0]), fc));
        knots.push((w[1], w[1]));
    }
    knots.sort_by(|a, b| a.0.total_cmp(&b.0));
    knots.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9);
    knots
}

/// Piecewise-linear map through `knots` from their `.0` to their `.1` coordinate; identity
/// outside them.
fn through(knots: &[(f64, f64)], x: f64) -> f64 {
    match knots.iter().position(|k| k.0 > x) {
        Some(0) | None => x,
        Some(j) => {
            let (a, b) = (knots[j - 1], knots[j]);
            a.1 + (x - a.0) * (b.1 - a.1) / (b.0 - a.0)
        }
    }
}

/// Half-width of the window over which the warp rate is averaged before it scales the angular
/// velocity, s.
const RATE_SMOOTHING_S: f64 = 0.02;

/// Time-warps a foot's recording through `knots` (see [`warp_knots`]): each new sample takes
/// the recorded signal at the mapped time (linear interpolation). Angular velocity is scaled
/// by the local rate of the warp, so the foot turns through the same angles in the shorter or
/// longer phase (the rotation the warped signal describes stays the recorded one and its
/// heading does not drift); acceleration is taken as recorded.
fn warp_stance(t: ImuTable, knots: &[(f64, f64)]) -> ImuTable {
    let fs = sampling_rate(&t);
    let t0 = t.time_s[0];
    let rate = |x: f64| match knots.iter().position(|k| k.0 > x) {
        Some(0) | None => 1.0,
        Some(j) => (knots[j].1 - knots[j - 1].1) / (knots[j].0 - knots[j - 1].0),
    };
    let mut out = t.clone();
    for i in 0..t.len() {
        let pos = ((through(knots, t.time_s[i]) - t0) * fs).clamp(0.0, (t.len() - 1) as f64);
        let (j, w) = (pos.floor() as usize, pos - pos.floor());
        let j1 = (j + 1).min(t.len() - 1);
        // the rate averaged over ±RATE_SMOOTHING_S, so the scaled signal has no jumps
        let r = (-4..=4)
            .map(|k| rate(t.time_s[i] + RATE_SMOOTHING_S * k as f64 / 4.0))
            .sum::<f64>()
            / 9.0;
        for k in 0..3 {
            out.acc_mps2[k][i] = t.acc_mps2[k][j] + w * (t.acc_mps2[k][j1] - t.acc_mps2[k][j]);
            out.gyr_dps[k][i] = r * (t.gyr_dps[k][j] + w * (t.gyr_dps[k][j1] - t.gyr_dps[k][j]));
        }
    }
    out
}

/// Stance and swing SI change that the warp injects into the reference: from the mean
/// motion-capture stance and swing of the straight strides of each foot.
fn reference_changes(side: Side, factor: f64) -> (f64, f64) {
    let means = |s: Side| {
        let c: Vec<(f64, f64, f64, bool)> =
            reference_cycles(s).into_iter().filter(|c| c.3).collect();
        let n = c.len() as f64;
        (
            c.iter().map(|c| c.1 - c.0).sum::<f64>() / n,
            c.iter().map(|c| c.2 - c.1).sum::<f64>() / n,
        )
    };
    let (l, r) = (means(Side::Left), means(Side::Right));
    let (mut l2, mut r2) = (l, r);
    let changed = if side == Side::Left { &mut l2 } else { &mut r2 };
    changed.1 -= (factor - 1.0) * changed.0;
    changed.0 *= factor;
    let si = |a: (f64, f64), b: (f64, f64)| {
        (
            symmetry_index_pct(a.0, b.0).unwrap(),
            symmetry_index_pct(a.1, b.1).unwrap(),
        )
    };
    let (before, after) = (si(l, r), si(l2, r2));
    (after.0 - before.0, after.1 - before.1)
}

/// True stance and swing SI changes for gaitkit's own strides: the steady strides of the
/// unwarped walk with the warped foot's stance multiplied by `factor` and its swing shortened
/// by as much (exact, as the warp's knots are the detected events), summarised the same way.
/// Step times do not change.
fn injected_changes(base: &GaitAnalysis, side: Side, factor: f64) -> (f64, f64) {
    let values = |f: f64| {
        let mut stance = PerSide::<Vec<f64>>::default();
        let mut swing = PerSide::<Vec<f64>>::default();
        for s in base.strides.iter().filter(|s| s.steady) {
            let ss = s.side.unwrap();
            let (st, sw) = (s.stance_time_s.unwrap(), s.swing_time_s.unwrap());
            let k = if ss == side { f } else { 1.0 };
            stance.get_mut(ss).push(k * st);
            swing.get_mut(ss).push(sw - (k - 1.0) * st);
        }
        let si = |v: &PerSide<Vec<f64>>| SideComparison::of(v).unwrap().si_pct;
        (si(&stance), si(&swing))
    };
    let (b, a) = (values(1.0), values(factor));
    (a.0 - b.0, a.1 - b.1)
}

#[test]
fn injected_stance_changes_are_recovered_with_sign_and_size() {
    let f = load(FEET);
    let base = run(&f, &|_, t| t);
    let b = &base.summary.symmetry;
    println!(
        "\n{:<6} {:>6} | {:>9} {:>8} {:>8} {:>7} | {:>9} {:>8} {:>8} {:>7} | {:>8} {:>7}",
        "foot",
        "stance",
        "mocap Δ",
        "true Δ",
        "found",
        "error",
        "mocap Δ",
        "true Δ",
        "found",
        "error",
        "found",
        "error"
    );
    println!(
        "{:<13} | {:^36} | {:^36} | {:^16}",
        "", "stance SI (pp)", "swing SI (pp)", "step-time SI"
    );
    let mut failures = Vec::new();
    for side in [Side::Left, Side::Right] {
        for pct in [-20.0, -10.0, -5.0, 5.0, 10.0, 20.0] {
            let factor = 1.0 + pct / 100.0;
            let knots = warp_knots(&base, side, factor);
            let g = run(&f, &|p, t| {
                let own = match side {
                    Side::Left => Placement::LeftFoot,
                    Side::Right => Placement::RightFoot,
                };
                if p == own {
                    warp_stance(t, &knots)
                } else {
                    t
                }
            });
            let s = &g.summary.symmetry;
            let (mocap_stance, mocap_swing) = reference_changes(side, factor);
            let (true_stance, true_swing) = injected_changes(&base, side, factor);
            let true_step = 0.0;
            let d = |a: Option<f64>, b: Option<f64>| a.unwrap() - b.unwrap();
            let stance = d(s.stance_time_si_pct, b.stance_time_si_pct);
            let swing = d(s.swing_time_si_pct, b.swing_time_si_pct);
            let step = d(s.step_time_si_pct, b.step_time_si_pct);
            println!(
                "{:<6} {:>+5.0}% | {:>+9.2} {:>+8.2} {:>+8.2} {:>+7.2} | {:>+9.2} {:>+8.2} {:>+8.2} {:>+7.2} | {:>+8.2} {:>+7.2}",
                side.as_str(),
                pct,
                mocap_stance,
                true_stance,
                stance,
                stance - true_stance,
                mocap_swing,
                true_swing,
                swing,
                swing - true_swing,
                step,
                step - true_step
            );
            // the stance and step-time indices to within 1 pp; the swing index too, but for
            // the ±20 % injections, where the swing is 40 % faster than recorded and the
            // toe-off lands a few ms off: within 3 % of its change
            for (what, truth, found, tolerance) in [
                ("stance", true_stance, stance, MAX_SI_MOVE_PP),
                (
                    "swing",
                    true_swing,
                    swing,
                    MAX_SI_MOVE_PP.max(0.03 * true_swing.abs()),
                ),
                ("step time", true_step, step, MAX_SI_MOVE_PP),
            ] {
                if (found - truth).abs() > tolerance
                    || (truth.abs() > MAX_SI_MOVE_PP && found.signum() != truth.signum())
                {
                    failures.push(format!(
                        "{} stance {pct:+}%: {what} SI change {found:+.2} pp, true {truth:+.2} pp",
                        side.as_str()
                    ));
                }
            }
            // the injected change is the reference's: a lengthened right stance raises the
            // stance SI (right relative to left)
            let sign = if side == Side::Right { 1.0 } else { -1.0 };
            assert_eq!(true_stance.signum(), sign * pct.signum());
            assert!(
                (true_stance - mocap_stance).abs() < 1.5,
                "{true_stance} vs {mocap_stance}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
