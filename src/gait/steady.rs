//! Which strides count: the steady-state selection shared by every pipeline (lower back and
//! two leg sensors), so that tiny changes in the signal cannot change which strides the
//! per-side values and left/right indices are computed from.
//!
//! A stride counts only when nothing about it is in doubt; otherwise it is left out with the
//! first reason that applies ([`LeftOut`]):
//!
//! 0. each of its two steps lasts [`MIN_STEP_S`]–[`MAX_STEP_S`] (outside that no walking
//!    step is physically possible, so an event is missing, extra or on a wrong clock); the
//!    same bound keeps such steps out of cadence and step-time variability
//!    ([`step_in_bounds`]) and [`step_bounds_check`] reports how many there were;
//! 1. its side and its toe-off are known;
//! 2. it lies wholly outside turns and outside *uncertain* turns (heading changes that
//!    are turns or not depending on the noise, see [`turns`](super::turns));
//! 3. it is not at a bout edge: not the first stride of a walk started from standing, not the
//!    last of one that stops, not touching a step that could have split the bout (much
//!    longer or shorter than its neighbours, whether or not it split), and not within half a
//!    stride of a contact whose detection was marginal;
//! 4. its stride time, stance, swing and step time each lie well inside the bout's band: the
//!    bout median of that side ± [`BAND_MIN_FRACTION`] of it, widened to ± [`BAND_SDS`]
//!    robust SDs (1.4826 × MAD) for variable walkers when the median comes from at least
//!    [`MIN_MAD_STRIDES`] strides (the MAD of a few strides is itself too noisy to set a
//!    limit), and never beyond 0.7–1.4 × the median ([`BAND_RATIO`]). A value in the outer
//!    quarter of the band or within a quarter band beyond it is *near the band edge* and
//!    left out as well (a noise-sized change could move it across). The median comes from
//!    the bout's strides of that side that passed rules 1–3, else (fewer than three) from all
//!    its strides of that side, else from all its strides; a bout of fewer than three
//!    strides gives no band and counts no stride;
//! 5. a steady stride of the other foot lies within one stride time of it in the same bout
//!    (overlapping or next to it), so that both sides come from the same stretches of
//!    walking.
//!
//! Every threshold that remains sits where strides are rare (a stride 4 robust SDs from its
//! bout's median, a heading change of 20°), so noise can move a stride between "left out"
//! and "counted" only rarely.

use std::collections::BTreeMap;

use serde::Serialize;

use super::analysis::Step;
use super::events::Side;
use super::quality::{Check, Outcome};
use crate::signal::stats::{mad_sd, median};

/// Shortest step any walk has, s (cadence 240 steps/min, beyond running).
pub const MIN_STEP_S: f64 = 0.25;
/// Longest step of a walk, s: slower than that it is standing and stepping.
pub const MAX_STEP_S: f64 = 3.0;

/// True for a step time a walk can have ([`MIN_STEP_S`]–[`MAX_STEP_S`]).
pub fn step_in_bounds(step_time_s: f64) -> bool {
    (MIN_STEP_S..=MAX_STEP_S).contains(&step_time_s)
}

/// The `step_bounds` check over a walk's steps: how many lie outside
/// [`MIN_STEP_S`]–[`MAX_STEP_S`] (those are kept out of every summary value).
pub fn step_bounds_check(steps: &[Step]) -> Check {
    let short = steps.iter().filter(|s| s.step_time_s < MIN_STEP_S).count();
    let long = steps.iter().filter(|s| s.step_time_s > MAX_STEP_S).count();
    let times = steps.iter().map(|s| s.step_time_s);
    let shortest = times.clone().fold(f64::INFINITY, f64::min);
    let longest = times.fold(f64::NEG_INFINITY, f64::max);
    let check = if short + long == 0 {
        Check::new(
            "step_bounds",
            Outcome::Passed,
            format!("Every step lasts {MIN_STEP_S}–{MAX_STEP_S} s."),
        )
    } else {
        Check::new(
            "step_bounds",
            Outcome::Corrected,
            format!(
                "{} of {} steps are outside {MIN_STEP_S}–{MAX_STEP_S} s ({short} shorter, {long} longer), which no walk has: \
                 they and their strides were left out of every summary value.",
                short + long,
                steps.len()
            ),
        )
    };
    check
        .with("n_steps", steps.len() as f64)
        .with("n_short", short as f64)
        .with("n_long", long as f64)
        .with("shortest_step_s", shortest)
        .with("longest_step_s", longest)
        .with("min_step_s", MIN_STEP_S)
        .with("max_step_s", MAX_STEP_S)
}

/// Half-width of the band around the bout median, robust SDs.
pub const BAND_SDS: f64 = 4.0;
/// Smallest half-width of the band, fraction of the median: the band is there to catch
/// missed or extra events and pivots, not to trim the natural spread (the trimmed mean does
/// that), and the spread of very regular strides is easily underestimated.
pub const BAND_MIN_FRACTION: f64 = 0.25;
/// Fewest strides whose MAD may widen the band.
pub const MIN_MAD_STRIDES: usize = 10;
/// The band never reaches beyond these multiples of the median.
pub const BAND_RATIO: (f64, f64) = (0.7, 1.4);
/// Fraction of the band's half-width, inside and beyond each edge, in which a value is near
/// the edge.
pub const BAND_GUARD: f64 = 0.25;
/// A contact whose detection was marginal makes strides within this fraction of a stride
/// time of it uncertain.
pub const UNCERTAIN_CONTACT_MARGIN: f64 = 0.5;
/// Strides within this fraction of the bout's median stride time of a bout start (end) are
/// its first (last) stride.
pub const EDGE_FRACTION: f64 = 0.25;
/// Fewest strides that give a bout its band.
pub const MIN_BAND_STRIDES: usize = 3;

/// Why a stride does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOut {
    /// One of its steps is shorter than [`MIN_STEP_S`] or longer than [`MAX_STEP_S`].
    ImplausibleStep,
    /// The foot it belongs to is not known.
    NoSide,
    /// Its toe-off was not found, so stance and swing are unknown.
    NoToeOff,
    /// It overlaps a turn.
    Turn,
    /// It overlaps an uncertain turn.
    UncertainTurn,
    /// First or last stride of a walk, next to a possible bout split, or near a contact
    /// whose detection was marginal.
    BoutEdge,
    /// Its bout has too few strides to tell a typical stride from an odd one.
    ShortBout,
    /// Stride time, stance, swing or step time far from the bout's typical value.
    OutOfBand,
    /// Stride time, stance, swing or step time close to the edge of the bout's band.
    NearBandEdge,
    /// No steady stride of the other foot lies beside it.
    Unpaired,
}

impl LeftOut {
    pub const ALL: [LeftOut; 10] = [
        LeftOut::ImplausibleStep,
        LeftOut::NoSide,
        LeftOut::NoToeOff,
        LeftOut::Turn,
        LeftOut::UncertainTurn,
        LeftOut::BoutEdge,
        LeftOut::ShortBout,
        LeftOut::OutOfBand,
        LeftOut::NearBandEdge,
        LeftOut::Unpaired,
    ];

    /// The reason as written in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            LeftOut::ImplausibleStep => "implausible_step",
            LeftOut::NoSide => "no_side",
            LeftOut::NoToeOff => "no_toe_off",
            LeftOut::Turn => "turn",
            LeftOut::UncertainTurn => "uncertain_turn",
            LeftOut::BoutEdge => "bout_edge",
            LeftOut::ShortBout => "short_bout",
            LeftOut::OutOfBand => "out_of_band",
            LeftOut::NearBandEdge => "near_band_edge",
            LeftOut::Unpaired => "unpaired",
        }
    }

    /// Plain-language reason, for notes.
    pub fn describe(self) -> &'static str {
        match self {
            LeftOut::ImplausibleStep => "with a step shorter than 0.25 s or longer than 3 s",
            LeftOut::NoSide => "without a known side",
            LeftOut::NoToeOff => "without a toe-off",
            LeftOut::Turn => "in turns",
            LeftOut::UncertainTurn => "in uncertain turns",
            LeftOut::BoutEdge => {
                "at the start or end of a walk, at a possible pause or next to an uncertain contact"
            }
            LeftOut::ShortBout => "in walks too short to judge",
            LeftOut::OutOfBand => "with stride, stance, swing or step time far from typical",
            LeftOut::NearBandEdge => "close to the limit of typical",
            LeftOut::Unpaired => "without a steady stride of the other foot beside them",
        }
    }
}

/// Timing of one stride, seconds. `bout` indexes [`Context::bouts`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrideTiming {
    pub bout: usize,
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub stride_time_s: f64,
    pub stance_time_s: Option<f64>,
    pub swing_time_s: Option<f64>,
    /// The step that ends with this stride's last contact.
    pub step_time_s: Option<f64>,
}

/// A walking bout as the selection sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoutEdges {
    /// First and last contact, s.
    pub start_s: f64,
    pub end_s: f64,
    /// The walk starts here from standing (gait initiation), rather than being cut by missing
    /// data.
    pub initiation: bool,
    /// The walk stops here (gait termination).
    pub termination: bool,
}

/// Everything around the strides that the selection looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub bouts: &'a [BoutEdges],
    /// Turns, (start, end) s.
    pub turns: &'a [(f64, f64)],
    /// Uncertain turns, (start, end) s.
    pub uncertain_turns: &'a [(f64, f64)],
    /// Times of contacts whose detection was marginal (accepted or not), s.
    pub uncertain_contacts_s: &'a [f64],
    /// Steps that could have split a bout, (start, end) s.
    pub possible_breaks: &'a [(f64, f64)],
}

fn overlaps(spans: &[(f64, f64)], a: f64, b: f64) -> bool {
    spans.iter().any(|&(s, e)| a < e && b > s)
}

/// Where `x` lies in the band around the median `m` (robust SD `sd`, zero when not to be
/// used): `None` inside, else the reason.
fn band_check(x: f64, m: f64, sd: f64) -> Option<LeftOut> {
    let ratio_hw = if x >= m {
        (BAND_RATIO.1 - 1.0) * m
    } else {
        (1.0 - BAND_RATIO.0) * m
    };
    let hw = (BAND_SDS * sd).max(BAND_MIN_FRACTION * m).min(ratio_hw);
    let d = (x - m).abs();
    if d <= (1.0 - BAND_GUARD) * hw {
        None
    } else if d <= (1.0 + BAND_GUARD) * hw {
        Some(LeftOut::NearBandEdge)
    } else {
        Some(LeftOut::OutOfBand)
    }
}

/// Classifies every stride: `None` = counts, else why it is left out (see the module docs).
pub fn classify(strides: &[StrideTiming], ctx: &Context<'_>) -> Vec<Option<LeftOut>> {
    // median stride time per bout sets the edge and contact margins
    let mut per_bout: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for s in strides {
        per_bout.entry(s.bout).or_default().push(s.stride_time_s);
    }
    let typical: BTreeMap<usize, f64> = per_bout
        .iter()
        .filter_map(|(&b, v)| Some((b, median(v)?)))
        .collect();

    // rules 1–3
    let mut out: Vec<Option<LeftOut>> = strides
        .iter()
        .map(|s| {
            let t = typical.get(&s.bout).copied().unwrap_or(s.stride_time_s);
            let own_step = s.step_time_s.unwrap_or(s.stride_time_s / 2.0);
            if !step_in_bounds(own_step) || !step_in_bounds(s.stride_time_s - own_step) {
                return Some(LeftOut::ImplausibleStep);
            }
            if s.side.is_none() {
                return Some(LeftOut::NoSide);
            }
            if s.stance_time_s.is_none() || s.swing_time_s.is_none() {
                return Some(LeftOut::NoToeOff);
            }
            if overlaps(ctx.turns, s.start_s, s.end_s) {
                return Some(LeftOut::Turn);
            }
            if overlaps(ctx.uncertain_turns, s.start_s, s.end_s) {
                return Some(LeftOut::UncertainTurn);
            }
            let edge = ctx.bouts.get(s.bout).is_some_and(|b| {
                (b.initiation && s.start_s < b.start_s + EDGE_FRACTION * t)
                    || (b.termination && s.end_s > b.end_s - EDGE_FRACTION * t)
            });
            let margin = UNCERTAIN_CONTACT_MARGIN * t;
            let near_uncertain = ctx
                .uncertain_contacts_s
                .iter()
                .any(|&c| c > s.start_s - margin && c < s.end_s + margin);
            let near_break = ctx
                .possible_breaks
                .iter()
                .any(|&(a, b)| s.start_s <= b + 1e-9 && s.end_s >= a - 1e-9);
            (edge || near_uncertain || near_break).then_some(LeftOut::BoutEdge)
        })
        .collect();

    // rule 4: the band of each bout and side from the strides still in
    type Getter = fn(&StrideTiming) -> Option<f64>;
    let params: [Getter; 4] = [
        |s| Some(s.stride_time_s),
        |s| s.stance_time_s,
        |s| s.swing_time_s,
        |s| s.step_time_s,
    ];
    let candidates: Vec<usize> = (0..strides.len()).filter(|&i| out[i].is_none()).collect();
    let mut band_reason: Vec<Option<LeftOut>> = vec![None; strides.len()];
    for &i in &candidates {
        let s = &strides[i];
        let pick = |pool: &mut dyn Iterator<Item = &StrideTiming>, same_side: bool| {
            pool.filter(|o| o.bout == s.bout && (!same_side || o.side == s.side))
                .copied()
                .collect::<Vec<StrideTiming>>()
        };
        let mut sample = pick(&mut candidates.iter().map(|&j| &strides[j]), true);
        if sample.len() < MIN_BAND_STRIDES {
            sample = pick(&mut strides.iter(), true);
        }
        if sample.len() < MIN_BAND_STRIDES {
            sample = pick(&mut strides.iter(), false);
        }
        if sample.len() < MIN_BAND_STRIDES {
            band_reason[i] = Some(LeftOut::ShortBout);
            continue;
        }
        for get in params {
            let Some(x) = get(s) else { continue };
            let values: Vec<f64> = sample.iter().filter_map(get).collect();
            let Some(m) = median(&values) else {
                continue;
            };
            let sd = if values.len() >= MIN_MAD_STRIDES {
                mad_sd(&values).unwrap_or(0.0)
            } else {
                0.0
            };
            let reason = band_check(x, m, sd);
            // the stronger reason wins: out of band over near its edge
            band_reason[i] = match (band_reason[i], reason) {
                (Some(LeftOut::OutOfBand), _) | (_, Some(LeftOut::OutOfBand)) => {
                    Some(LeftOut::OutOfBand)
                }
                (a, b) => a.or(b),
            };
        }
    }
    for i in candidates {
        out[i] = band_reason[i];
    }

    // rule 5: a steady stride of the other foot within one stride time, in the same bout
    let steady: Vec<usize> = (0..strides.len()).filter(|&i| out[i].is_none()).collect();
    for &i in &steady {
        let s = &strides[i];
        let t = s.stride_time_s;
        let paired = steady.iter().any(|&j| {
            let o = &strides[j];
            o.bout == s.bout
                && o.side != s.side
                && o.start_s < s.end_s + t
                && o.end_s > s.start_s - t
        });
        if !paired {
            out[i] = Some(LeftOut::Unpaired);
        }
    }
    out
}

/// Strides left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeftOutCounts {
    pub implausible_step: usize,
    pub no_side: usize,
    pub no_toe_off: usize,
    pub turn: usize,
    pub uncertain_turn: usize,
    pub bout_edge: usize,
    pub short_bout: usize,
    pub out_of_band: usize,
    pub near_band_edge: usize,
    pub unpaired: usize,
}

impl LeftOutCounts {
    pub fn of(reasons: impl IntoIterator<Item = Option<LeftOut>>) -> LeftOutCounts {
        let mut c = LeftOutCounts::default();
        for r in reasons.into_iter().flatten() {
            *c.get_mut(r) += 1;
        }
        c
    }

    pub fn get(&self, r: LeftOut) -> usize {
        match r {
            LeftOut::ImplausibleStep => self.implausible_step,
            LeftOut::NoSide => self.no_side,
            LeftOut::NoToeOff => self.no_toe_off,
            LeftOut::Turn => self.turn,
            LeftOut::UncertainTurn => self.uncertain_turn,
            LeftOut::BoutEdge => self.bout_edge,
            LeftOut::ShortBout => self.short_bout,
            LeftOut::OutOfBand => self.out_of_band,
            LeftOut::NearBandEdge => self.near_band_edge,
            LeftOut::Unpaired => self.unpaired,
        }
    }

    fn get_mut(&mut self, r: LeftOut) -> &mut usize {
        match r {
            LeftOut::ImplausibleStep => &mut self.implausible_step,
            LeftOut::NoSide => &mut self.no_side,
            LeftOut::NoToeOff => &mut self.no_toe_off,
            LeftOut::Turn => &mut self.turn,
            LeftOut::UncertainTurn => &mut self.uncertain_turn,
            LeftOut::BoutEdge => &mut self.bout_edge,
            LeftOut::ShortBout => &mut self.short_bout,
            LeftOut::OutOfBand => &mut self.out_of_band,
            LeftOut::NearBandEdge => &mut self.near_band_edge,
            LeftOut::Unpaired => &mut self.unpaired,
        }
    }

    pub fn total(&self) -> usize {
        LeftOut::ALL.iter().map(|&r| self.get(r)).sum()
    }

    /// "12 strides were left out: 5 in turns, 4 next to turns or uncertain turns, …", or
    /// `None` when none was.
    pub fn sentence(&self, counted: usize) -> Option<String> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let parts: Vec<String> = LeftOut::ALL
            .iter()
            .filter(|&&r| self.get(r) > 0)
            .map(|&r| format!("{} {}", self.get(r), r.describe()))
            .collect();
        Some(format!(
            "{counted} strides count towards the per-side values and symmetry indices; {total} {} left out: {}.",
            if total == 1 { "was" } else { "were" },
            parts.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alternating strides of a straight walk: left strides start at k·1.1 s, right ones
    /// 0.55 s later; stance 0.66 s, swing 0.44 s, step 0.55 s.
    fn walk(n_per_side: usize) -> Vec<StrideTiming> {
        (0..2 * n_per_side)
            .map(|k| {
                let start = 0.55 * k as f64;
                StrideTiming {
                    bout: 0,
                    side: Some(if k % 2 == 0 { Side::Left } else { Side::Right }),
                    start_s: start,
                    end_s: start + 1.1,
                    stride_time_s: 1.1,
                    stance_time_s: Some(0.66 + 0.003 * ((k % 3) as f64 - 1.0)),
                    swing_time_s: Some(0.44 - 0.003 * ((k % 3) as f64 - 1.0)),
                    step_time_s: Some(0.55),
                }
            })
            .collect()
    }

    fn bout(strides: &[StrideTiming]) -> [BoutEdges; 1] {
        [BoutEdges {
            start_s: strides[0].start_s,
            end_s: strides[strides.len() - 1].end_s,
            initiation: true,
            termination: true,
        }]
    }

    #[test]
    fn first_and_last_strides_are_edges_the_rest_count() {
        let w = walk(8);
        let b = bout(&w);
        let c = classify(
            &w,
            &Context {
                bouts: &b,
                ..Default::default()
            },
        );
        assert_eq!(c[0], Some(LeftOut::BoutEdge));
        assert_eq!(c[w.len() - 1], Some(LeftOut::BoutEdge));
        assert!(c[1..w.len() - 1].iter().all(|r| r.is_none()), "{c:?}");
        // a walk cut by missing data keeps its first stride
        let cut = [BoutEdges {
            initiation: false,
            ..b[0]
        }];
        let c = classify(
            &w,
            &Context {
                bouts: &cut,
                ..Default::default()
            },
        );
        assert_eq!(c[0], None);
    }

    #[test]
    fn turns_and_uncertain_turns_leave_the_strides_overlapping_them_out() {
        let w = walk(10);
        let b = bout(&w);
        let c = classify(
            &w,
            &Context {
                bouts: &b,
                turns: &[(5.0, 5.5)],
                uncertain_turns: &[(9.0, 9.2)],
                ..Default::default()
            },
        );
        for (s, r) in w.iter().zip(&c) {
            let expected = if s.start_s < 5.5 && s.end_s > 5.0 {
                Some(LeftOut::Turn)
            } else if s.start_s < 9.2 && s.end_s > 9.0 {
                Some(LeftOut::UncertainTurn)
            } else if s.start_s < 0.1 || s.end_s > w[w.len() - 1].end_s - 0.1 {
                Some(LeftOut::BoutEdge)
            } else {
                None
            };
            assert_eq!(*r, expected, "{s:?}");
        }
    }

    #[test]
    fn odd_strides_are_out_of_band_and_borderline_ones_near_its_edge() {
        let mut w = walk(10);
        // swing 0.44 s: band half-width = max(4 SD, 25 %) = 0.11 s → inside up to 0.0825 s,
        // near the edge up to 0.1375 s
        w[6].swing_time_s = Some(0.44 + 0.1);
        w[8].stance_time_s = Some(0.66 * 1.5);
        w[10].step_time_s = Some(0.55 + 0.08);
        let b = bout(&w);
        let c = classify(
            &w,
            &Context {
                bouts: &b,
                ..Default::default()
            },
        );
        assert_eq!(c[6], Some(LeftOut::NearBandEdge));
        assert_eq!(c[8], Some(LeftOut::OutOfBand));
        assert_eq!(c[10], None);
    }

    #[test]
    fn uncertain_contacts_possible_breaks_short_bouts_and_missing_partners() {
        let w = walk(10);
        let b = bout(&w);
        let c = classify(
            &w,
            &Context {
                bouts: &b,
                uncertain_contacts_s: &[4.4],
                possible_breaks: &[(8.8, 9.35)],
                ..Default::default()
            },
        );
        for (s, r) in w.iter().zip(&c) {
            let near_contact = s.start_s < 4.4 + 0.55 && s.end_s > 4.4 - 0.55;
            let at_break = s.start_s <= 9.35 && s.end_s >= 8.8;
            if near_contact || at_break {
                assert_eq!(*r, Some(LeftOut::BoutEdge), "{s:?}");
            }
        }
        // a two-stride piece of a walk cut by missing data: too few strides for a band
        let short = walk(1);
        let cut = [BoutEdges {
            initiation: false,
            ..bout(&short)[0]
        }];
        let c = classify(
            &short,
            &Context {
                bouts: &cut,
                ..Default::default()
            },
        );
        assert_eq!(c, vec![Some(LeftOut::ShortBout), Some(LeftOut::BoutEdge)]);
        // left strides only: none has a partner
        let lefts: Vec<StrideTiming> = walk(8)
            .into_iter()
            .filter(|s| s.side == Some(Side::Left))
            .collect();
        let c = classify(
            &lefts,
            &Context {
                bouts: &bout(&lefts),
                ..Default::default()
            },
        );
        assert!(c[1..lefts.len() - 1]
            .iter()
            .all(|r| *r == Some(LeftOut::Unpaired)));
        let counts = LeftOutCounts::of(c.iter().copied());
        assert_eq!(counts.bout_edge + counts.unpaired, lefts.len());
        assert!(counts
            .sentence(0)
            .unwrap()
            .contains("without a steady stride"));
    }

    #[test]
    fn steps_outside_the_bounds_of_any_walk_leave_their_strides_out() {
        assert!(step_in_bounds(0.25) && step_in_bounds(3.0));
        assert!(!step_in_bounds(0.249) && !step_in_bounds(3.01) && !step_in_bounds(f64::NAN));
        // a 0.03-s step and its 1.07-s partner: every stride holds one of each
        let w: Vec<StrideTiming> = walk(8)
            .into_iter()
            .map(|s| StrideTiming {
                step_time_s: Some(if s.side == Some(Side::Left) {
                    0.03
                } else {
                    1.07
                }),
                ..s
            })
            .collect();
        let c = classify(
            &w,
            &Context {
                bouts: &bout(&w),
                ..Default::default()
            },
        );
        assert!(
            c.iter().all(|r| *r == Some(LeftOut::ImplausibleStep)),
            "{c:?}"
        );
        let counts = LeftOutCounts::of(c.iter().copied());
        assert_eq!(counts.implausible_step, w.len());
        assert!(counts.sentence(0).unwrap().contains("shorter than 0.25 s"));
        let step = |t: f64| Step {
            bout: 0,
            side: Some(Side::Left),
            start_s: 0.0,
            end_s: t,
            step_time_s: t,
            step_length_m: None,
            in_turn: false,
            regular: true,
            steady: true,
        };
        let check = step_bounds_check(&[step(0.55), step(0.03), step(3.5), step(0.6)]);
        assert_eq!(check.outcome, Outcome::Corrected);
        assert_eq!(
            (check.numbers["n_short"], check.numbers["n_long"]),
            (1.0, 1.0)
        );
        assert_eq!(check.numbers["shortest_step_s"], 0.03);
        assert_eq!(step_bounds_check(&[step(0.55)]).outcome, Outcome::Passed);
        // no steps: passes, and nothing non-finite is recorded
        let none = step_bounds_check(&[]);
        assert_eq!(none.outcome, Outcome::Passed);
        assert!(!none.numbers.contains_key("shortest_step_s"));
    }
}
