//! Stage 2: walking bouts.
//!
//! Walking is periodic at the step frequency and moves the trunk vertically. The vertical
//! acceleration (averaged to ~25 Hz, low-passed at 5 Hz) is cut into 4-s windows every 1 s;
//! a window is walking when its unbiased autocorrelation has a peak at a plausible step
//! period (0.3–1.1 s, i.e. 55–200 steps/min) of at least `min_periodicity` and its SD is at
//! least `min_sd_mps2`. Overlapping walking windows merge into candidate regions, each
//! with its median step period, which sets the scales of the contact detector. Bouts are
//! then formed from the detected contacts themselves: a bout is a run of at least
//! `min_steps` steps whose step times stay within 0.5–2.2 × the region's step period
//! (a longer interval is a pause and ends the bout), following the Mobilise-D definition
//! of a walking bout (≥ 2 strides). Contacts whose wavelet lobe is under 20 % of the region's typical (80th
//! percentile) lobe are weight shifts, not steps, unless the walk's rhythm puts a missed step
//! there ([`rhythm_contacts`]: midway between two contacts of the same foot). Settings were
//! chosen by measured accuracy on the daily-living fixtures (see `tests/evaluation.rs`).

use serde::Serialize;

use super::events::Side;
use crate::signal::autocorr::unbiased_autocorrelation;
use crate::signal::filter::Butterworth;
use crate::signal::peaks::local_maxima;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoutParams {
    pub window_s: f64,
    pub hop_s: f64,
    pub min_periodicity: f64,
    pub min_sd_mps2: f64,
    /// Fewest steps (contact-to-contact intervals) in a bout.
    pub min_steps: usize,
    /// Contacts whose lobe is weaker than this fraction of the region's 80th-percentile lobe
    /// are weight shifts or sway, not steps.
    pub min_relative_strength: f64,
    /// Absolute floor of the lobe height (CWT units of m/s² per s).
    pub min_strength: f64,
    /// A step longer than this multiple of the region's step period is a pause.
    pub max_step_ratio: f64,
    /// A contact whose lobe is within this factor of the acceptance threshold (above or
    /// below) is marginal: noise could add or remove it, so strides next to it do not count.
    pub marginal_strength_factor: f64,
    /// A lobe under the acceptance threshold but at least this fraction of it is still a step
    /// when the walk's rhythm puts one there (see [`rhythm_contacts`]).
    pub min_rhythm_strength_factor: f64,
}

impl BoutParams {
    /// True when a contact of lobe height `strength` is marginal for `threshold`.
    pub fn is_marginal_strength(&self, strength: f64, threshold: f64) -> bool {
        strength >= threshold / self.marginal_strength_factor
            && strength < threshold * self.marginal_strength_factor
    }
}

impl Default for BoutParams {
    fn default() -> Self {
        BoutParams {
            window_s: 4.0,
            hop_s: 1.0,
            min_periodicity: 0.25,
            min_sd_mps2: 0.25,
            min_steps: 2,
            min_relative_strength: 0.2,
            min_strength: 0.1,
            max_step_ratio: 2.2,
            marginal_strength_factor: 1.5,
            min_rhythm_strength_factor: 0.5,
        }
    }
}

/// A stretch of signal that looks like walking, in samples of the analysed segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkingRegion {
    pub start: usize,
    pub end: usize,
    pub step_period_s: f64,
}

/// A walking bout, seconds from the first sample of the recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalkingBout {
    pub start_s: f64,
    pub end_s: f64,
    pub n_steps: usize,
    /// Why the bout ended: `pause`, `gap` (missing data) or `end` (end of recording).
    pub ended_by: &'static str,
}

impl WalkingBout {
    pub fn duration_s(&self) -> f64 {
        self.end_s - self.start_s
    }
}

/// Candidate walking regions of a continuous segment of vertical acceleration.
pub fn walking_regions(acc_v_mps2: &[f64], fs_hz: f64, p: &BoutParams) -> Vec<WalkingRegion> {
    let factor = (fs_hz / 25.0).floor().max(1.0) as usize;
    let fs_d = fs_hz / factor as f64;
    // 0.04-s block means, then the 5 Hz low-pass at the reduced rate
    let means: Vec<f64> = acc_v_mps2
        .chunks(factor)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let x = Butterworth::lowpass(4, 5.0, fs_d).filtfilt(&means);
    let win = (p.window_s * fs_d).round() as usize;
    // windows start at whole multiples of the hop in time, not in samples, so that the same
    // walk at another sampling rate is cut at the same instants
    let hop_samples = (p.hop_s * fs_d).max(1.0);
    let min_lag = (0.3 * fs_d).floor() as usize;
    let max_lag = (1.1 * fs_d).ceil() as usize;
    // decimated start, end, step period of every periodic window
    let mut windows: Vec<(usize, usize, f64)> = Vec::new();
    if x.len() >= win && win > max_lag + 2 {
        let mut starts = Vec::new();
        let mut k = 0usize;
        let mut s = 0;
        while s + win <= x.len() {
            starts.push(s);
            k += 1;
            s = (k as f64 * hop_samples).round() as usize;
        }
        let periodic = |&s: &usize| -> Option<(usize, usize, f64)> {
            let w = &x[s..s + win];
            let mean = w.iter().sum::<f64>() / win as f64;
            let sd = (w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / win as f64).sqrt();
            if sd < p.min_sd_mps2 {
                return None;
            }
            let ac = unbiased_autocorrelation(w, max_lag + 1);
            let peaks: Vec<usize> = local_maxima(&ac)
                .into_iter()
                .filter(|&l| l >= min_lag && l <= max_lag)
                .collect();
            let best = peaks
                .iter()
                .copied()
                .max_by(|&a, &b| ac[a].total_cmp(&ac[b]))?;
            // a stride-periodic signal peaks at twice the step period: prefer the half lag
            // when it is a clear peak too
            let l = peaks
                .iter()
                .copied()
                .find(|&h| {
                    (h as f64 - best as f64 / 2.0).abs() <= 0.15 * best as f64
                        && ac[h] >= 0.5 * ac[best]
                })
                .unwrap_or(best);
            (ac[l] >= p.min_periodicity).then(|| {
                let lag = l as f64 + crate::signal::peaks::parabolic_offset(&ac, l);
                (s, s + win, lag / fs_d)
            })
        };
        let parallel = acc_v_mps2.len() >= crate::signal::PARALLEL_MIN_SAMPLES;
        windows = crate::signal::map_in_order(&starts, parallel, periodic)
            .into_iter()
            .flatten()
            .collect();
    }
    let mut regions: Vec<(usize, usize, Vec<f64>)> = Vec::new();
    for (s, e, period) in windows {
        match regions.last_mut() {
            Some(last) if s <= last.1 => {
                last.1 = e;
                last.2.push(period);
            }
            _ => regions.push((s, e, vec![period])),
        }
    }
    regions
        .into_iter()
        .map(|(s, e, periods)| WalkingRegion {
            start: (s * factor).min(acc_v_mps2.len()),
            end: (e * factor).min(acc_v_mps2.len()),
            step_period_s: crate::signal::stats::median(&periods).unwrap_or(0.55),
        })
        .collect()
}

/// Shortest and longest interval, as multiples of the region's step period, that counts as one
/// step of the rhythm in [`rhythm_contacts`].
pub const RHYTHM_STEP_RATIOS: (f64, f64) = (0.6, 1.5);
/// A contact filling a gap lies this close to the gap's middle: both of its steps within this
/// fraction of half the gap (a missed step of a steady rhythm lies about midway).
pub const RHYTHM_FILL_BALANCE: f64 = 0.25;

/// The weak lobes a walk's rhythm vouches for: a lobe under the acceptance threshold but at
/// least `floor` high that lies midway in a gap of about two steps between two accepted
/// contacts of the same foot, where the other foot's step is missing (a soft step). Between contacts of opposite feet the gap is one slow step and nothing is added;
/// nothing is added before the first or after the last contact either (standing weight
/// shifts follow a walk's closing step at about the step period).
///
/// `feet` is the foot each lobe's own cues point to ([`super::laterality::Cues::foot`]); a
/// lobe without one neither vouches nor is added. `lobes` are (time s, lobe height) sorted by time,
/// `accepted` which of them passed the threshold; returns the indices of the lobes to add,
/// sorted. Each gap gets at most one lobe.
pub fn rhythm_contacts(
    lobes: &[(f64, f64)],
    accepted: &[bool],
    feet: &[Option<Side>],
    step_period_s: f64,
    floor: f64,
) -> Vec<usize> {
    let n = lobes.len().min(accepted.len()).min(feet.len());
    if !(step_period_s.is_finite() && step_period_s > 0.0) {
        return Vec::new();
    }
    let (lo, hi) = (
        RHYTHM_STEP_RATIOS.0 * step_period_s,
        RHYTHM_STEP_RATIOS.1 * step_period_s,
    );
    let one_step = |d: f64| d >= lo && d <= hi;
    let acc: Vec<usize> = (0..n).filter(|&i| accepted[i]).collect();
    let t = |i: usize| lobes[i].0;
    acc.windows(2)
        .filter(|w| t(w[1]) - t(w[0]) > hi && feet[w[0]].is_some() && feet[w[0]] == feet[w[1]])
        .filter_map(|w| {
            let (p, q) = (w[0], w[1]);
            let half = (t(q) - t(p)) / 2.0;
            (p + 1..q)
                .filter(|&i| {
                    let x = t(i);
                    lobes[i].1.is_finite()
                        && lobes[i].1 >= floor
                        && feet[i].is_some()
                        && feet[i] == feet[p].map(Side::opposite)
                        && one_step(x - t(p))
                        && one_step(t(q) - x)
                        && ((x - t(p)) - half).abs() <= RHYTHM_FILL_BALANCE * half
                })
                .max_by(|&a, &b| lobes[a].1.total_cmp(&lobes[b].1))
        })
        .collect()
}

/// Splits sorted contact times into runs of regular steps. Returns index ranges into
/// `ic_s` (end exclusive) of runs with at least `min_steps` steps.
pub fn bouts_from_contacts(
    ic_s: &[f64],
    step_period_s: f64,
    min_steps: usize,
    max_step_ratio: f64,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=ic_s.len() {
        let ends = i == ic_s.len() || {
            let d = ic_s[i] - ic_s[i - 1];
            d > max_step_ratio * step_period_s || d < 0.5 * step_period_s
        };
        if ends {
            if i - start > min_steps {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn finds_walking_between_quiet_standing_with_its_step_period() {
        let fs = 100.0;
        // 10 s quiet, 20 s walking at 0.5 s steps, 10 s quiet
        let x: Vec<f64> = (0..4000)
            .map(|i| {
                let t = i as f64 / fs;
                if (10.0..30.0).contains(&t) {
                    2.0 * (2.0 * PI * 2.0 * t).sin() + 0.5 * (2.0 * PI * 1.0 * t).sin()
                } else {
                    0.02 * (2.0 * PI * 0.3 * t).sin()
                }
            })
            .collect();
        let r = walking_regions(&x, fs, &BoutParams::default());
        assert_eq!(r.len(), 1, "{r:?}");
        // a 4-s window counts as walking once about half of it is walking
        assert!(
            (r[0].start as f64 / fs - 10.0).abs() <= 3.0
                && (r[0].end as f64 / fs - 30.0).abs() <= 3.0,
            "{r:?}"
        );
        assert!((r[0].step_period_s - 0.5).abs() < 0.01);
    }

    #[test]
    fn pauses_and_irregular_intervals_split_bouts() {
        let ics = [
            1.0, 1.5, 2.0, 2.5, 3.0, 6.0, 6.5, 7.0, 7.1, 7.6, 8.1, 8.6, 9.1,
        ];
        let b = bouts_from_contacts(&ics, 0.5, 3, 1.8);
        assert_eq!(b, vec![0..5, 8..13]);
    }

    /// Lobes (time s, height), which passed the threshold, and the foot of each.
    type Lobes = (Vec<(f64, f64)>, Vec<bool>, Vec<Option<Side>>);

    /// Steps every 0.5 s alternating R, L, …; the lobe at `missing` is weak (0.15 against a
    /// threshold of 0.3) and its foot as given.
    fn walk_with_weak_step(missing: usize, weak_foot: Option<Side>) -> Lobes {
        let n = 10;
        let lobes: Vec<(f64, f64)> = (0..n)
            .map(|k| (1.0 + 0.5 * k as f64, if k == missing { 0.15 } else { 1.0 }))
            .collect();
        let accepted: Vec<bool> = lobes.iter().map(|l| l.1 >= 0.3).collect();
        let feet: Vec<Option<Side>> = (0..n)
            .map(|k| {
                if k == missing {
                    weak_foot
                } else if k % 2 == 0 {
                    Some(Side::Right)
                } else {
                    Some(Side::Left)
                }
            })
            .collect();
        (lobes, accepted, feet)
    }

    #[test]
    fn a_weak_step_between_two_contacts_of_one_foot_is_added() {
        for missing in [3, 4, 6] {
            let foot = if missing % 2 == 0 {
                Side::Right
            } else {
                Side::Left
            };
            let (lobes, accepted, feet) = walk_with_weak_step(missing, Some(foot));
            assert_eq!(
                rhythm_contacts(&lobes, &accepted, &feet, 0.5, 0.1),
                vec![missing]
            );
            // mirrored: every foot swapped, the same lobe added
            let mirrored: Vec<Option<Side>> = feet.iter().map(|f| f.map(Side::opposite)).collect();
            assert_eq!(
                rhythm_contacts(&lobes, &accepted, &mirrored, 0.5, 0.1),
                vec![missing]
            );
            // below the floor, with the wrong foot or no clear foot: nothing added
            assert!(rhythm_contacts(&lobes, &accepted, &feet, 0.5, 0.2).is_empty());
            let (l, a, f) = walk_with_weak_step(missing, Some(foot.opposite()));
            assert!(rhythm_contacts(&l, &a, &f, 0.5, 0.1).is_empty());
            let (l, a, f) = walk_with_weak_step(missing, None);
            assert!(rhythm_contacts(&l, &a, &f, 0.5, 0.1).is_empty());
        }
    }

    #[test]
    fn no_step_is_added_in_a_slow_step_at_the_ends_or_off_the_middle() {
        // a slow step of 1 s between a right and a left contact: one step, nothing missing
        let lobes = [(1.0, 1.0), (1.5, 1.0), (2.0, 0.15), (2.5, 1.0), (3.0, 1.0)];
        let accepted = [true, true, false, true, true];
        let r = Some(Side::Right);
        let l = Some(Side::Left);
        assert!(rhythm_contacts(&lobes, &accepted, &[r, l, r, r, l], 0.5, 0.1).is_empty());
        // same foot either side but the weak lobe a third of the way: not the missed step
        let lobes = [(1.0, 1.0), (1.5, 1.0), (1.85, 0.15), (2.5, 1.0), (3.0, 1.0)];
        assert!(rhythm_contacts(&lobes, &accepted, &[r, l, r, l, r], 0.5, 0.1).is_empty());
        // weak lobes one step before the first and after the last contact stay out
        let lobes = [(0.5, 0.15), (1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (2.5, 0.15)];
        let accepted = [false, true, true, true, false];
        assert!(rhythm_contacts(&lobes, &accepted, &[l, r, l, r, l], 0.5, 0.1).is_empty());
    }
}
