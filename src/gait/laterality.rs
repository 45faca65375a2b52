//! Stage 4: left/right assignment of each initial contact from a lower-back sensor, with a
//! confidence per stretch of walking.
//!
//! Cues: the pelvis yaw rate (`gyr_v`, McCamley et al. 2012) and roll rate (`gyr_ap`, Ullrich
//! et al. 2021), each band-passed 0.5–2 Hz (4th-order Butterworth, zero-phase) so that only
//! the stride-frequency rotation remains (body frame V/ML/AP = up/right/forward). On the
//! Mobilise-D fixtures (optical reference) both are **negative at left contacts**: yaw alone
//! labels 86–100 % of contacts right, roll alone 44–94 % (strong in daily-living walking,
//! weak in slow straight walks), and the two run in phase (the forward-axis check in
//! [`super::body_frame::heading_evidence`] relies on the same coupling). The contact's
//! value is the sum of both. A third cue, the medio-lateral sway ([`ml_swing`], stride-band
//! ML acceleration before minus after the contact), is also negative at left contacts
//! (98–100 %, turns included) and decides, with the other two, the contacts the alternation
//! leaves open.
//!
//! Alternation is enforced within runs of regular steps (an interval outside 0.6–1.5 × the
//! bout's median step starts a new one): the run picks the pattern L-R-L… or R-L-R… that
//! agrees best with the values, contacts inside turns counting [`TURN_WEIGHT`]. A contact
//! missed or added inside a turn would silently swap every side after it, so the stretches
//! between turns are also decided on their own; when two of them disagree, or more of the
//! turn's contacts support the other side than the pattern's on their own cues, each
//! stretch keeps its own pattern and the turn's contacts are left to their own evidence. A
//! pattern is trusted only when the values agree with it ([`MIN_CONSISTENCY`]) and neither
//! cue alone clearly points the other way ([`MAX_CUE_CONTRADICTION`]). A contact inside a turn
//! keeps its side only if its own cues support it: two of the three, the ML sway among them
//! (turning adds a yaw rate of its own). A contact still without a side takes one
//! - when all three of its cues point to it and a neighbour a clear step away
//!   ([`MIN_SINGLE_STEP_RATIO`]–[`MAX_SINGLE_STEP_RATIO`] median steps) is on the other side
//!   (by its side, or by its own cues' majority) and none a clear step away on the same —
//!   for a bout's first or last contact, whose step may be slow, a sided neighbour up to
//!   [`MAX_EDGE_STEP_RATIO`] median steps away counts too;
//! - or from a sided neighbour through the rhythm when its own cues support it: the alternate
//!   side up to [`MAX_FILL_STEP_RATIO`] median steps away (a slow first step), the same side
//!   up to [`MAX_MISSED_STEP_RATIO`] (a contact missed in between).
//!
//! A bout of fewer than [`MIN_STEPS_FOR_OWN_RHYTHM`] steps, whose median says little, judges
//! these intervals against the walk's typical step instead. Everything else is left without
//! a side: a wrong side is worse than none. Every rule uses
//! only the cues' signs relative to a side, so a mirrored walk swaps every side.

use super::events::Side;
use crate::signal::filter::Butterworth;

/// Weighted share of a segment's contacts whose own value must agree with the chosen
/// alternation pattern for its sides to be trusted.
pub const MIN_CONSISTENCY: f64 = 0.75;
/// A segment is not trusted when one cue on its own agrees with the chosen pattern for less
/// than this weighted share of its contacts (it clearly points the other way).
pub const MAX_CUE_CONTRADICTION: f64 = 0.25;
/// Fewest contacts in a segment whose sides can be trusted; with fewer than three, every
/// contact must agree.
pub const MIN_SEGMENT_CONTACTS: usize = 2;

/// The stride-band (0.5–2 Hz) part of an angular velocity, deg/s, at the input's rate. A
/// 0.5–2 Hz band needs no more than ~10 Hz: the filter runs on 0.1-s block means and the
/// result is interpolated back (the sign at each contact, all that is used, is unchanged).
pub fn stride_band(x_dps: &[f64], fs_hz: f64) -> Vec<f64> {
    let d = (fs_hz / 10.0).round().max(1.0) as usize;
    let means: Vec<f64> = x_dps
        .chunks(d)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    if means.is_empty() {
        return Vec::new();
    }
    let band = Butterworth::bandpass(4, 0.5, 2.0, fs_hz / d as f64).filtfilt(&means);
    if d == 1 {
        return band;
    }
    // block k is centred on sample k·d + (d − 1)/2
    let centre = (d as f64 - 1.0) / 2.0;
    (0..x_dps.len())
        .map(|i| value_at(&band, ((i as f64 - centre) / d as f64).max(0.0)))
        .collect()
}

/// Half-width of the window across which the medio-lateral acceleration's swing at a contact
/// is taken, s (see [`ml_swing`]).
pub const ML_SWING_HALF_WINDOW_S: f64 = 0.2;

/// The medio-lateral swing at a contact: stride-band (0.5–2 Hz) ML acceleration (+ right)
/// [`ML_SWING_HALF_WINDOW_S`] before the contact minus the same after it, m/s². Before a
/// left contact the pelvis accelerates to the left, after it to the right (towards, then over,
/// the new stance foot), so the swing is **negative at left contacts**: on the Mobilise-D
/// fixtures it agrees with the optical and INDIP references at 100 % of the straight-walk
/// contacts and 98–100 % of the daily-living ones, turns included. `ml_band` is
/// [`stride_band`] of the ML acceleration; `index` a fractional sample index into it.
pub fn ml_swing(ml_band: &[f64], index: f64, fs_hz: f64) -> f64 {
    let h = ML_SWING_HALF_WINDOW_S * fs_hz;
    value_at(ml_band, index - h) - value_at(ml_band, index + h)
}

/// The cues at one contact (stride band; each negative = left): pelvis yaw and roll rates,
/// deg/s, and the medio-lateral swing, m/s² ([`ml_swing`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cues {
    pub yaw_dps: f64,
    pub roll_dps: f64,
    pub ml_swing_mps2: f64,
}

impl Cues {
    fn combined(&self) -> f64 {
        self.yaw_dps + self.roll_dps
    }

    /// How many of the three cues point to `side` (0–3).
    fn votes(&self, side: Side) -> usize {
        [self.yaw_dps, self.roll_dps, self.ml_swing_mps2]
            .into_iter()
            .filter(|&v| agrees(v, side))
            .count()
    }

    /// The side at least two of the three cues point to (`None` when zeros leave no majority).
    fn majority(&self) -> Option<Side> {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|&s| self.votes(s) >= 2)
    }

    /// True when the contact's own cues support `side`: at least two of the three, and inside
    /// a turn (where the turning adds a yaw rate of its own) the ML swing among them.
    fn support(&self, side: Side, in_turn: bool) -> bool {
        self.votes(side) >= 2 && (!in_turn || agrees(self.ml_swing_mps2, side))
    }

    /// The side the ML sway and at least one of the two rotations point to: the evidence a
    /// contact inside a turn needs ([`Self::support`]), used to tell which foot a lobe is.
    pub fn foot(&self) -> Option<Side> {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|&s| self.support(s, true))
    }

    /// The side all three cues point to.
    fn unanimous(&self) -> Option<Side> {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|&s| self.votes(s) == 3)
    }
}

/// Sides of one walking bout and the evidence behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct BoutSides {
    /// One per contact; `None` where the evidence is not good enough.
    pub sides: Vec<Option<Side>>,
    /// Weighted share of the sided contacts whose own value agrees with their side, 0–1
    /// (0 when none is sided).
    pub confidence: f64,
    /// The same share for each cue alone, over all segments with at least two contacts.
    pub yaw_agreement: f64,
    pub roll_agreement: f64,
    /// Segments (regular runs cut at turns) the bout was split into.
    pub segments: usize,
}

/// Per-segment decision.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    /// true: even contacts (relative to the bout) are right
    even_right: bool,
    trusted: bool,
    /// weighted agreement (agree, total) of the yaw and roll values alone
    yaw: (f64, f64),
    roll: (f64, f64),
}

/// Weighted agreement of `values` (bout index, value, weight) with the pattern "even
/// contacts positive" (`even_pos`): (agreeing weight, total weight).
fn agreement(values: &[(usize, f64, f64)], even_pos: bool) -> (f64, f64) {
    let mut agree = 0.0;
    let mut total = 0.0;
    for &(i, v, w) in values {
        let want_pos = (i % 2 == 0) == even_pos;
        total += w * v.abs();
        if (v > 0.0) == want_pos && v != 0.0 {
            agree += w * v.abs();
        }
    }
    (agree, total)
}

fn share((a, t): (f64, f64)) -> f64 {
    if t > 0.0 {
        a / t
    } else {
        0.0
    }
}

/// Weight of a contact inside a turn: turning adds a yaw rate of its own, so those contacts
/// count less in the vote (on the daily-living fixture HA001 Test11, 0.1 raised left/right
/// accuracy from 0.72 to 0.93 without changing the straight walks).
pub const TURN_WEIGHT: f64 = 0.1;

/// Decides the alternation pattern of contacts `range` of a bout.
fn decide(range: std::ops::Range<usize>, cues: &[Cues], in_turn: &[bool]) -> Segment {
    let w = |k: usize| if in_turn[k] { TURN_WEIGHT } else { 1.0 };
    let vals = |f: &dyn Fn(&Cues) -> f64| -> Vec<(usize, f64, f64)> {
        range.clone().map(|k| (k, f(&cues[k]), w(k))).collect()
    };
    let c = vals(&|x| x.combined());
    let score: f64 = c
        .iter()
        .map(|&(k, v, w)| if k % 2 == 0 { w * v } else { -w * v })
        .sum();
    let even_right = score > 0.0;
    let combined = agreement(&c, even_right);
    let yaw = agreement(&vals(&|x| x.yaw_dps), even_right);
    let roll = agreement(&vals(&|x| x.roll_dps), even_right);
    let n = range.len();
    let need = if n < 3 { 1.0 } else { MIN_CONSISTENCY };
    let trusted = n >= MIN_SEGMENT_CONTACTS
        && share(combined) >= need
        && share(yaw) >= MAX_CUE_CONTRADICTION
        && share(roll) >= MAX_CUE_CONTRADICTION;
    Segment {
        start: range.start,
        end: range.end,
        even_right,
        trusted,
        yaw,
        roll,
    }
}

/// Sides of a bout's contacts (`ic_s` times, s) from the cues at each contact; `in_turn`
/// marks contacts inside a turn.
pub fn sides_for_bout(ic_s: &[f64], cues: &[Cues], in_turn: &[bool]) -> BoutSides {
    sides_for_bout_in_walk(ic_s, cues, in_turn, None)
}

/// [`sides_for_bout`] for a bout of a walk whose typical step is `walk_step_s`, s: a bout of
/// fewer than [`MIN_STEPS_FOR_OWN_RHYTHM`] steps judges its intervals against it.
pub fn sides_for_bout_in_walk(
    ic_s: &[f64],
    cues: &[Cues],
    in_turn: &[bool],
    walk_step_s: Option<f64>,
) -> BoutSides {
    let n = ic_s.len().min(cues.len()).min(in_turn.len());
    let steps: Vec<f64> = ic_s[..n].windows(2).map(|w| w[1] - w[0]).collect();
    let median = crate::signal::stats::median(&steps).unwrap_or(0.0);
    let rhythm = match walk_step_s {
        Some(t) if steps.len() < MIN_STEPS_FOR_OWN_RHYTHM && t.is_finite() && t > 0.0 => t,
        _ => median,
    };
    // runs of regular steps
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        let breaks = i == n || {
            let d = ic_s[i] - ic_s[i - 1];
            d > 1.5 * median || d < 0.6 * median
        };
        if breaks {
            runs.push(start..i);
            start = i;
        }
    }
    let mut sides = vec![None; n];
    let mut used: Vec<Segment> = Vec::new();
    for run in runs {
        // the stretches of the run between turns, each decided on its own
        let mut parts: Vec<Segment> = Vec::new();
        let mut i = run.start;
        while i < run.end {
            if in_turn[i] {
                i += 1;
                continue;
            }
            let s = i;
            while i < run.end && !in_turn[i] {
                i += 1;
            }
            parts.push(decide(s..i, cues, in_turn));
        }
        // a contact missed or added inside a turn swaps the parity after it: shown by two
        // trusted stretches that disagree, or by the turn's contacts; then each stretch keeps
        // its own pattern and the turn's contacts are left to their own evidence
        let trusted: Vec<&Segment> = parts.iter().filter(|p| p.trusted).collect();
        let slip = trusted
            .windows(2)
            .any(|w| w[0].even_right != w[1].even_right);
        let whole = decide(run.clone(), cues, in_turn);
        // the turn contacts' own evidence, which the vote weighs little, shows a slip too when
        // more of them support the other side than the pattern's
        let against_in_turns = {
            let (mut agree, mut against) = (0, 0);
            for k in run.clone().filter(|&k| in_turn[k]) {
                let s = pattern_side(k, whole.even_right);
                agree += usize::from(cues[k].support(s, true));
                against += usize::from(cues[k].support(s.opposite(), true));
            }
            against > agree
        };
        let slipped = slip || (whole.trusted && against_in_turns);
        if !slipped {
            if whole.trusted {
                for (k, side) in sides.iter_mut().enumerate().take(run.end).skip(run.start) {
                    *side = Some(pattern_side(k, whole.even_right));
                }
            }
            used.push(whole);
            continue;
        }
        for p in &parts {
            if p.trusted {
                for (k, side) in sides.iter_mut().enumerate().take(p.end).skip(p.start) {
                    *side = Some(pattern_side(k, p.even_right));
                }
            }
        }
        used.extend(parts);
    }
    // a turn contact carries its side from the alternation through a turn, where a missed or
    // added contact would swap it: it keeps the side only when its own cues support it
    for k in 0..n {
        if in_turn[k] {
            if let Some(s) = sides[k] {
                if !cues[k].support(s, true) {
                    sides[k] = None;
                }
            }
        }
    }
    // a contact whose three cues all point to one side, with a neighbour one step away on the
    // other side (its side, or its own cues' majority when it has none) and none one step away
    // on the same side: the stride rhythm and the contact's own rotation and sway agree
    let single_step =
        |d: f64| d >= MIN_SINGLE_STEP_RATIO * rhythm && d <= MAX_SINGLE_STEP_RATIO * rhythm;
    let edge_step =
        |d: f64| d >= MIN_SINGLE_STEP_RATIO * rhythm && d <= MAX_EDGE_STEP_RATIO * rhythm;
    let before = sides.clone();
    for k in 0..n {
        if before[k].is_some() {
            continue;
        }
        let Some(s) = cues[k].unanimous() else {
            continue;
        };
        let neighbours: Vec<Option<Side>> = [k.checked_sub(1), (k + 1 < n).then_some(k + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| {
                let d = (ic_s[k] - ic_s[j]).abs();
                if single_step(d) {
                    Some(before[j].or(cues[j].majority()))
                } else if (k == 0 || k + 1 == n) && edge_step(d) {
                    // the first and last steps of a bout may be slow (starting, stopping,
                    // leaving a turn): its only neighbour counts when it has a side
                    Some(before[j])
                } else {
                    None
                }
            })
            .collect();
        let supported = neighbours.contains(&Some(s.opposite()));
        let contradicted = neighbours.contains(&Some(s));
        if supported && !contradicted {
            sides[k] = Some(s);
        }
    }
    // a contact next to a sided one takes the side the stride rhythm implies, when its own
    // cues support it: the alternate side one step away (at most
    // [`MAX_FILL_STEP_RATIO`] median steps: a slow first step), the same side two steps away
    // (a contact missed in between, up to [`MAX_MISSED_STEP_RATIO`])
    for pass in 0..2 {
        let order: Vec<usize> = if pass == 0 {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        for k in order {
            if sides[k].is_some() {
                continue;
            }
            let neighbour = |j: usize| {
                let d = (ic_s[k] - ic_s[j]).abs();
                let s = sides[j]?;
                if d >= 0.6 * rhythm && d <= MAX_FILL_STEP_RATIO * rhythm {
                    Some(s.opposite())
                } else if d > MAX_FILL_STEP_RATIO * rhythm && d <= MAX_MISSED_STEP_RATIO * rhythm {
                    Some(s)
                } else {
                    None
                }
            };
            let implied: Vec<Side> = [k.checked_sub(1), (k + 1 < n).then_some(k + 1)]
                .into_iter()
                .flatten()
                .filter_map(neighbour)
                .collect();
            let Some(&s) = implied.first() else {
                continue;
            };
            if implied.iter().all(|&x| x == s) && cues[k].support(s, in_turn[k]) {
                sides[k] = Some(s);
            }
        }
    }
    // confidence over the sided contacts (turn contacts weighted as in the vote)
    let (mut a, mut t) = (0.0, 0.0);
    for (k, side) in sides.iter().enumerate() {
        if let Some(s) = side {
            let v = cues[k].combined();
            let w = if in_turn[k] { TURN_WEIGHT } else { 1.0 };
            t += w * v.abs();
            if (v > 0.0) == (*s == Side::Right) && v != 0.0 {
                a += w * v.abs();
            }
        }
    }
    let sum = |f: &dyn Fn(&Segment) -> (f64, f64)| {
        used.iter()
            .filter(|g| g.end - g.start >= 2)
            .map(f)
            .fold((0.0, 0.0), |x, y| (x.0 + y.0, x.1 + y.1))
    };
    BoutSides {
        sides,
        confidence: share((a, t)),
        yaw_agreement: share(sum(&|g| g.yaw)),
        roll_agreement: share(sum(&|g| g.roll)),
        segments: used.len(),
    }
}

/// True when a cue value points to `side` (negative = left).
fn agrees(v: f64, side: Side) -> bool {
    match side {
        Side::Left => v < 0.0,
        Side::Right => v > 0.0,
    }
}

/// Fewest steps for a bout's own median step to set the rhythm its contacts are judged by.
pub const MIN_STEPS_FOR_OWN_RHYTHM: usize = 4;

/// Longest interval, as a multiple of the bout's median step, across which a contact takes the
/// alternate side of its neighbour (a missed contact makes about 2).
pub const MAX_FILL_STEP_RATIO: f64 = 1.75;
/// Longest interval, as a multiple of the bout's median step, across which a contact takes the
/// same side as its neighbour (one contact missed in between).
pub const MAX_MISSED_STEP_RATIO: f64 = 2.3;
/// An interval between these multiples of the bout's median step is clearly one step, for a
/// contact sided by its own three cues (a missed contact or a slow step lies outside).
pub const MIN_SINGLE_STEP_RATIO: f64 = 0.7;
pub const MAX_SINGLE_STEP_RATIO: f64 = 1.3;
/// The same upper bound for the step between a bout's first (or last) contact and its only
/// neighbour: the first and last steps of a walk may be slow, and a contact missed there
/// would put the neighbour on the same side, against all three of the contact's own cues.
pub const MAX_EDGE_STEP_RATIO: f64 = MAX_MISSED_STEP_RATIO;

fn pattern_side(k: usize, even_right: bool) -> Side {
    if (k % 2 == 0) == even_right {
        Side::Right
    } else {
        Side::Left
    }
}

/// The raw per-contact rule: left if the cue value at the contact is ≤ 0.
pub fn side_from_value(v: f64) -> Side {
    if v <= 0.0 {
        Side::Left
    } else {
        Side::Right
    }
}

/// Interpolated value of `signal` at a fractional sample index.
pub fn value_at(signal: &[f64], index: f64) -> f64 {
    if signal.is_empty() {
        return 0.0;
    }
    let i = index.floor().clamp(0.0, (signal.len() - 1) as f64) as usize;
    let j = (i + 1).min(signal.len() - 1);
    let w = (index - i as f64).clamp(0.0, 1.0);
    signal[i] + w * (signal[j] - signal[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn cues(v: &[f64]) -> Vec<Cues> {
        v.iter()
            .map(|&y| Cues {
                yaw_dps: y,
                roll_dps: 0.4 * y,
                ml_swing_mps2: 0.1 * y,
            })
            .collect()
    }

    /// Cues without a medio-lateral swing (a sensor whose ML acceleration shows no sway).
    fn cues_without_ml(v: &[f64]) -> Vec<Cues> {
        cues(v)
            .into_iter()
            .map(|c| Cues {
                ml_swing_mps2: 0.0,
                ..c
            })
            .collect()
    }

    /// The walk seen in a mirror: every cue reverses.
    fn mirrored(c: &[Cues]) -> Vec<Cues> {
        c.iter()
            .map(|x| Cues {
                yaw_dps: -x.yaw_dps,
                roll_dps: -x.roll_dps,
                ml_swing_mps2: -x.ml_swing_mps2,
            })
            .collect()
    }

    /// Sides of a bout, checked to swap one for one on the mirrored cues.
    fn sides_checked(ic: &[f64], c: &[Cues], turn: &[bool]) -> BoutSides {
        let b = sides_for_bout(ic, c, turn);
        let m = sides_for_bout(ic, &mirrored(c), turn);
        let swapped: Vec<Option<Side>> = b.sides.iter().map(|s| s.map(Side::opposite)).collect();
        assert_eq!(m.sides, swapped, "mirrored cues must swap every side");
        b
    }

    #[test]
    fn pelvis_yawing_and_rolling_negative_at_a_contact_labels_it_left() {
        // stride-frequency (1 Hz) rotation; contacts every 0.5 s alternate between its
        // negative and positive half-waves
        let fs = 100.0;
        let n = 1200;
        let wave: Vec<f64> = (0..n)
            .map(|i| -20.0 * (2.0 * PI * (i as f64 / fs)).sin())
            .collect();
        let yaw = stride_band(&wave, fs);
        let roll = stride_band(&wave.iter().map(|v| 0.3 * v).collect::<Vec<_>>(), fs);
        // lateral sway a quarter stride later: to the left before a left contact, to the
        // right after it
        let sway: Vec<f64> = (0..n)
            .map(|i| 1.5 * (2.0 * PI * (i as f64 / fs - 2.25)).sin())
            .collect();
        let ml = stride_band(&sway, fs);
        // contacts at 2.25 s, 2.75 s, …: sin(2π·2.25) = +1 → −20 deg/s → left
        let ic: Vec<f64> = (0..12).map(|k| 2.25 + 0.5 * k as f64).collect();
        let c: Vec<Cues> = ic
            .iter()
            .map(|t| Cues {
                yaw_dps: value_at(&yaw, t * fs),
                roll_dps: value_at(&roll, t * fs),
                ml_swing_mps2: ml_swing(&ml, t * fs, fs),
            })
            .collect();
        assert_eq!(side_from_value(c[0].yaw_dps), Side::Left);
        assert_eq!(side_from_value(c[0].roll_dps), Side::Left);
        // ±0.2 s around a contact of a 1-Hz sway: 2 · 1.5 · sin(0.4π) = 2.853 m/s²
        for (k, x) in c.iter().enumerate() {
            let want = if k % 2 == 0 { -2.853 } else { 2.853 };
            // within the band-pass filter's attenuation of a 1-Hz wave
            assert!(
                (x.ml_swing_mps2 - want).abs() < 0.1 * want.abs(),
                "contact {k}: {x:?}"
            );
        }
        let b = sides_for_bout(&ic, &c, &[false; 12]);
        for (k, s) in b.sides.iter().enumerate() {
            let want = if k % 2 == 0 { Side::Left } else { Side::Right };
            assert_eq!(*s, Some(want), "contact {k}");
        }
        assert!(b.confidence > 0.99 && b.yaw_agreement > 0.99 && b.roll_agreement > 0.99);
        // the same walk mirrored (both rotations reversed) swaps every side
        let bm = sides_for_bout(&ic, &mirrored(&c), &[false; 12]);
        for (s, sm) in b.sides.iter().zip(&bm.sides) {
            assert_eq!(sm.map(Side::opposite), *s);
        }
    }

    #[test]
    fn alternation_overrides_a_single_noisy_contact() {
        let ic = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
        let b = sides_for_bout(&ic, &cues(&[-5.0, 4.0, -6.0, -0.5, -5.0, 6.0]), &[false; 6]);
        use Side::{Left as L, Right as R};
        assert_eq!(
            b.sides,
            [L, R, L, R, L, R].map(Some).to_vec(),
            "one weak contact against the pattern"
        );
        assert!((b.confidence - 26.0 / 26.5).abs() < 1e-9);
        // a missed contact (1.0 s interval) restarts the pattern: L after L is allowed there
        let ic = [0.0, 0.5, 1.0, 2.0, 2.5, 3.0];
        let b = sides_for_bout(&ic, &cues(&[-5.0, 4.0, -6.0, -5.0, 6.0, -4.0]), &[false; 6]);
        assert_eq!(b.sides, [L, R, L, L, R, L].map(Some).to_vec());
        assert_eq!(b.segments, 2);
    }

    #[test]
    fn a_parity_slip_inside_a_turn_is_not_carried_through_it() {
        // 6 straight contacts, 3 in a turn, 6 after it; an extra contact in the turn means the
        // contacts after it have the opposite parity from those before
        use Side::{Left as L, Right as R};
        let ic: Vec<f64> = (0..15).map(|k| 0.5 * k as f64).collect();
        let mut v = vec![-5.0, 5.0, -5.0, 5.0, -5.0, 5.0, 1.0, -1.0, 1.0];
        v.extend([-5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        let turn: Vec<bool> = (0..15).map(|k| (6..9).contains(&k)).collect();
        let mut c = cues(&v);
        for x in &mut c[6..9] {
            x.ml_swing_mps2 = 0.0;
        }
        let b = sides_checked(&ic, &c, &turn);
        let want: Vec<Option<Side>> = [L, R, L, R, L, R]
            .map(Some)
            .into_iter()
            .chain([None; 3])
            .chain([L, R, L, R, L, R].map(Some))
            .collect();
        assert_eq!(b.sides, want);
        assert_eq!(b.segments, 2);
        // with the ML swing too, the middle turn contact's three cues point left between two
        // contacts whose cues point right: it takes the left side on its own evidence; the
        // first turn contact, right like the sided contact one step before it, stays unknown,
        // and the last follows from its neighbour; none takes the side the parity before the
        // turn would have carried (L, R, L)
        let b = sides_checked(&ic, &cues(&v), &turn);
        assert_eq!(b.sides[6..9], [None, Some(L), Some(R)]);
        assert_eq!(b.sides[..6], want[..6]);
        assert_eq!(b.sides[9..], want[9..]);
        // without the slip the turn's contacts take their sides from both neighbours
        let mut v2 = vec![-5.0, 5.0, -5.0, 5.0, -5.0, 5.0, -1.0, 1.0, -1.0];
        v2.extend([5.0, -5.0, 5.0, -5.0, 5.0, -5.0]);
        let b2 = sides_checked(&ic, &cues(&v2), &turn);
        assert!(b2.sides.iter().all(Option::is_some));
        assert_eq!(b2.sides[7], Some(R));
    }

    #[test]
    fn contradicting_cues_or_inconsistent_values_leave_sides_unknown() {
        let ic: Vec<f64> = (0..8).map(|k| 0.5 * k as f64).collect();
        // yaw says L-R-L-R, roll (stronger) says R-L-R-L
        let c: Vec<Cues> = (0..8)
            .map(|k| {
                let s = if k % 2 == 0 { -1.0 } else { 1.0 };
                Cues {
                    yaw_dps: 5.0 * s,
                    roll_dps: -8.0 * s,
                    ml_swing_mps2: 0.0,
                }
            })
            .collect();
        let b = sides_for_bout(&ic, &c, &[false; 8]);
        assert!(b.sides.iter().all(Option::is_none));
        assert_eq!(b.confidence, 0.0);
        assert!(b.yaw_agreement < 0.01 && b.roll_agreement > 0.99);
        // values with no alternation at all
        let b = sides_checked(
            &ic,
            &cues(&[-5.0, -4.0, 5.0, 6.0, -5.0, -6.0, 4.0, 5.0]),
            &[false; 8],
        );
        assert!(b.sides.iter().all(Option::is_none));
        // two contacts must agree with each other; one alone is never trusted
        let b = sides_for_bout(&ic[..2], &cues(&[-5.0, 5.0]), &[false; 2]);
        assert_eq!(b.sides, vec![Some(Side::Left), Some(Side::Right)]);
        let b = sides_checked(&ic[..2], &cues(&[-5.0, -1.0]), &[false; 2]);
        assert_eq!(b.sides, vec![None, None]);
        let b = sides_for_bout(&ic[..1], &cues(&[-5.0]), &[false; 1]);
        assert_eq!(b.sides, vec![None]);
    }

    #[test]
    fn a_long_first_step_or_a_turn_contact_needs_both_of_its_own_cues() {
        use Side::{Left as L, Right as R};
        // a slow first step (1.6 × the median) cuts the first contact off its run; both of
        // its cues agree with the alternation, so it takes the alternate side
        let ic = [0.0, 0.8, 1.3, 1.8, 2.3, 2.8];
        let b = sides_for_bout(&ic, &cues(&[5.0, -5.0, 5.0, -5.0, 5.0, -5.0]), &[false; 6]);
        assert_eq!(b.sides, [R, L, R, L, R, L].map(Some).to_vec());
        // … also when only its roll rate points the other way (yaw and ML swing still agree),
        // but not when its roll rate and ML swing both do
        let mut c = cues(&[5.0, -5.0, 5.0, -5.0, 5.0, -5.0]);
        c[0].roll_dps = -1.0;
        assert_eq!(sides_checked(&ic, &c, &[false; 6]).sides[0], Some(R));
        c[0].ml_swing_mps2 = -0.1;
        let b = sides_checked(&ic, &c, &[false; 6]);
        assert_eq!(b.sides[0], None);
        assert_eq!(b.sides[1], Some(L));
        // a contact inside a turn whose roll rate and ML swing contradict the parity carried
        // through it; with its yaw rate and ML swing agreeing it keeps the side
        let ic: Vec<f64> = (0..8).map(|k| 0.5 * k as f64).collect();
        let mut c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        c[3].roll_dps = -2.0;
        let turn: Vec<bool> = (0..8).map(|k| k == 3).collect();
        assert_eq!(sides_checked(&ic, &c, &turn).sides[3], Some(R));
        c[3].ml_swing_mps2 = -0.2;
        let b = sides_checked(&ic, &c, &turn);
        assert_eq!(b.sides[3], None);
        assert_eq!(b.sides[4], Some(L));
        // inside a turn the yaw rate (which the turning itself moves) and the roll rate are not
        // enough without the ML swing
        c[3].roll_dps = 2.0;
        c[3].ml_swing_mps2 = 0.0;
        assert_eq!(sides_checked(&ic, &c, &turn).sides[3], None);
    }

    #[test]
    fn a_contact_missed_between_two_of_one_side_keeps_the_rhythm() {
        use Side::{Left as L, Right as R};
        // the left contact at 1.5 s was not detected: 1.0 → 2.0 s are two steps of the same
        // (right) foot; the run breaks there and the contact after the gap is decided by its
        // neighbour two steps back and its own cues
        let ic = [0.0, 0.5, 1.0, 2.0, 2.5];
        let b = sides_checked(&ic, &cues(&[-5.0, 5.0, -5.0, -5.0, 5.0]), &[false; 5]);
        assert_eq!(b.sides, [L, R, L, L, R].map(Some).to_vec());
        // in a turn the same gap is bridged when the ML swing agrees …
        let ic = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0];
        let turn = [false, false, false, false, false, true];
        let mut c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, -5.0]);
        c[5].roll_dps = 0.3;
        assert_eq!(sides_checked(&ic, &c, &turn).sides[5], Some(L));
        // … and not when the ML swing points the other way
        c[5].ml_swing_mps2 = 0.4;
        assert_eq!(sides_checked(&ic, &c, &turn).sides[5], None);
        // no cue of its own: no side however regular the rhythm
        let c = cues_without_ml(&[-5.0, 5.0, -5.0, 5.0, -5.0, 0.0]);
        assert_eq!(sides_checked(&ic, &c, &turn).sides[5], None);
    }

    #[test]
    fn three_agreeing_cues_side_a_contact_only_one_clear_step_from_the_other_side() {
        use Side::{Left as L, Right as R};
        // a quick step (0.25 s) cuts the walk into two runs; in the second, the first
        // contact's yaw rate points the wrong way strongly enough that the run is not trusted.
        // Its next two contacts' yaw, roll and ML swing all agree, each with a neighbour one
        // step away whose cues point the other way: they take their sides, and the first
        // contact follows from its neighbour (its roll and ML swing agree)
        let ic = [0.0, 0.5, 1.0, 1.25, 1.75, 2.25];
        let mut c = cues(&[-5.0, 5.0, -5.0, 0.0, -5.0, 5.0]);
        c[3] = Cues {
            yaw_dps: -9.0,
            roll_dps: 2.0,
            ml_swing_mps2: 0.5,
        };
        let alternating = [L, R, L, R, L, R].map(Some).to_vec();
        assert_eq!(sides_checked(&ic, &c, &[false; 6]).sides, alternating);
        // without the three cues agreeing the second run stays unknown
        let mut weak = c.clone();
        weak[4].ml_swing_mps2 = 0.0;
        weak[5].ml_swing_mps2 = 0.0;
        assert_eq!(sides_checked(&ic, &weak, &[false; 6]).sides[3..], [None; 3]);
        // the same inside a turn, where the ML swing agrees at each contact
        assert_eq!(sides_checked(&ic, &c, &[true; 6]).sides, alternating);
        // a neighbour one step away whose own cues point to the same side: no side (two left
        // contacts a step apart cannot both be right)
        let ic = [0.0, 0.55, 1.05, 2.5, 3.0, 3.5];
        let b = sides_checked(&ic, &cues(&[-5.0, -4.0, 5.0, -5.0, 5.0, -5.0]), &[false; 6]);
        assert_eq!(b.sides[0], None);
        // … and none when no neighbour is a clear step away (a slow step or a missed contact
        // could lie either side of it)
        let ic = [0.0, 0.8, 1.3, 1.8, 2.3];
        let b = sides_checked(&ic, &cues(&[-5.0, -5.0, 5.0, -5.0, 5.0]), &[false; 5]);
        assert_eq!(b.sides[0], None);
        assert_eq!(b.sides[1..], [L, R, L, R].map(Some));
    }

    #[test]
    fn a_first_or_last_contact_after_a_very_slow_step_needs_all_three_cues() {
        use Side::{Left as L, Right as R};
        // the first step takes 1.9 × the median (leaving a turn): beyond the reach of the
        // rhythm with two cues, within that of a missed contact (which would make it right)
        let ic = [0.0, 0.95, 1.45, 1.95, 2.45, 2.95];
        let c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        let b = sides_checked(&ic, &c, &[false; 6]);
        assert_eq!(b.sides, [L, R, L, R, L, R].map(Some).to_vec());
        // the same at the end of the bout
        let back: Vec<f64> = ic.iter().rev().map(|t| 2.95 - t).collect();
        let rc: Vec<Cues> = c.iter().rev().copied().collect();
        let b = sides_checked(&back, &rc, &[false; 6]);
        assert_eq!(b.sides, [R, L, R, L, R, L].map(Some).to_vec());
        // two of its three cues are not enough that far from its neighbour …
        let mut two = c.clone();
        two[0].roll_dps = 1.0;
        assert_eq!(sides_checked(&ic, &two, &[false; 6]).sides[0], None);
        // … while cues pointing to the neighbour's side show a contact missed in between
        let same = cues(&[5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        assert_eq!(sides_checked(&ic, &same, &[false; 6]).sides[0], Some(R));
    }

    #[test]
    fn turn_contacts_that_mostly_contradict_the_carried_parity_stop_it() {
        use Side::{Left as L, Right as R};
        // six straight contacts, then a turn with an extra contact at its start: the turn's
        // contacts are R, L, R, L where the parity carried from before would say L, R, L, R.
        // Three of them show it on their own cues; the third's yaw rate and ML swing (noise)
        // support the carried L. The vote (turn contacts weigh 0.1) trusts the pattern, but
        // the turn's own evidence stops it there: the noisy contact gets no side
        let ic: Vec<f64> = (0..10).map(|k| 0.5 * k as f64).collect();
        let mut c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, 5.0, 5.0, -5.0, 5.0, -5.0]);
        c[8] = Cues {
            yaw_dps: -3.0,
            roll_dps: 1.0,
            ml_swing_mps2: -0.2,
        };
        let turn: Vec<bool> = (0..10).map(|k| k >= 6).collect();
        let b = sides_checked(&ic, &c, &turn);
        assert_eq!(b.sides[..6], [L, R, L, R, L, R].map(Some));
        for k in 6..10 {
            let carried = if k % 2 == 0 { L } else { R };
            assert_ne!(b.sides[k], Some(carried), "contact {k}: {:?}", b.sides);
        }
        assert_eq!(b.sides[8], None);
        // when the turn's contacts agree with the carried parity it goes through the turn
        let c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        let b = sides_checked(&ic, &c, &turn);
        assert_eq!(b.sides, [L, R, L, R, L, R, L, R, L, R].map(Some).to_vec());
    }

    #[test]
    fn a_short_bout_judges_its_steps_by_the_walks_rhythm() {
        use Side::{Left as L, Right as R};
        // four contacts of a hesitant walk: 1.0 s, 0.4 s and 0.95 s apart. By the bout's own
        // median (0.95 s) the 0.4-s interval is no step and the 0.95-s one is; by the walk's
        // typical step of 0.5 s it is the other way round, and the third contact's three cues
        // (left) sit one step after a right contact
        let ic = [0.0, 1.0, 1.4, 2.35];
        let mut c = cues(&[-5.0, 5.0, -5.0, 0.0]);
        c[3] = Cues {
            yaw_dps: -2.0,
            roll_dps: -1.0,
            ml_swing_mps2: 0.1,
        };
        let turn = [false; 4];
        let own = sides_checked(&ic, &c, &turn);
        assert_eq!(own.sides[..3], [Some(L), Some(R), None]);
        for cues in [c.clone(), mirrored(&c)] {
            let b = sides_for_bout_in_walk(&ic, &cues, &turn, Some(0.5));
            let want = if cues[0].yaw_dps < 0.0 { L } else { R };
            assert_eq!(b.sides[2], Some(want));
            assert_eq!(b.sides[1], Some(want.opposite()));
        }
        // a bout long enough keeps its own rhythm
        let ic: Vec<f64> = (0..6).map(|k| 0.5 * k as f64).collect();
        let c = cues(&[-5.0, 5.0, -5.0, 5.0, -5.0, 5.0]);
        assert_eq!(
            sides_for_bout_in_walk(&ic, &c, &[false; 6], Some(2.0)).sides,
            sides_for_bout(&ic, &c, &[false; 6]).sides
        );
    }
}
