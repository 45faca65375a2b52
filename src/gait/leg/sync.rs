//! Time alignment of the two leg sensors.
//!
//! Walking alone cannot establish it: a clock offset between the legs is indistinguishable
//! from a shift of one leg's phase, which is exactly the asymmetry to be measured. So:
//!
//! * sensors recorded by gaitkit share the host timeline (`session.json` has `sync`), and
//!   their timestamps are used as they are;
//! * otherwise the **sync jump** is looked for: the recording starts with the person standing
//!   still, then one jump with both feet together, then walking (README, "Synchronising two
//!   leg sensors"). Its landing impacts hit both sensors at the same instant; the lag that
//!   maximises the cross-correlation of the two impact signals (acceleration-norm deviation
//!   from g) before each leg's walking starts ([`walking_start_s`]) is the offset, accepted
//!   when both sensors see an impact of at least 5 m/s², the correlation is ≥ 0.6 and clearly
//!   unique (no other peak above 80 % of it more than 50 ms away) and the lag keeps ≥ 1 s of
//!   overlap;
//! * without a sync jump the timestamps are used only if the walk itself is plausible: both
//!   double-support phases positive on average and the contralateral initial contact between
//!   30 % and 70 % of the stride. Otherwise the analysis is refused with the estimated offset.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::signal::cross_correlation::cross_correlation;
use crate::signal::peaks::find_peaks;

use super::alignment::G_MPS2;

const MIN_SYNC_R: f64 = 0.6;
const MIN_IMPACT_MPS2: f64 = 5.0;
const MIN_OVERLAP_S: f64 = 1.0;
const UNIQUE_RATIO: f64 = 0.8;
const UNIQUE_GAP_S: f64 = 0.05;
/// Longest clock offset searched, s.
pub const MAX_OFFSET_S: f64 = 2.0;
/// Longest pre-walk part searched for the sync jump, s.
pub const SEARCH_S: f64 = 15.0;

/// How the two leg sensors were put on one timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMethod {
    /// Recorded on the shared host timeline (`session.json` declares `sync`).
    SharedTimeline,
    /// Offset measured from the start-of-recording sync jump.
    SyncJump,
    /// Timestamps of the files taken as they are; no sync jump found, walking plausible.
    FileTimestamps,
}

/// Time alignment applied to the right-leg sensor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SyncReport {
    pub method: SyncMethod,
    /// Added to the right sensor's timestamps to put it on the left sensor's timeline, s.
    pub right_offset_s: f64,
    /// Peak impact cross-correlation of the sync jump (only for `sync-jump`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<f64>,
}

/// Impact signal: deviation of the acceleration norm from g, m/s².
pub fn impact_signal(acc_mps2: &[Vec<f64>; 3]) -> Vec<f64> {
    (0..acc_mps2[0].len())
        .map(|i| {
            ((acc_mps2[0][i].powi(2) + acc_mps2[1][i].powi(2) + acc_mps2[2][i].powi(2)).sqrt()
                - G_MPS2)
                .abs()
        })
        .collect()
}

/// Offset (s) to add to the right sensor's timestamps, from the sync jump in the first
/// `left_impacts.len()` / `right_impacts.len()` samples (both at `fs_hz`, both starting at the
/// same nominal time). `None` if no unique simultaneous impact is found.
pub fn sync_jump_offset(
    left_impacts: &[f64],
    right_impacts: &[f64],
    fs_hz: f64,
) -> Option<(f64, f64)> {
    let strongest = |x: &[f64]| x.iter().copied().fold(0.0, f64::max);
    if strongest(left_impacts) < MIN_IMPACT_MPS2 || strongest(right_impacts) < MIN_IMPACT_MPS2 {
        return None;
    }
    let max_lag = (MAX_OFFSET_S * fs_hz) as usize;
    let xc = cross_correlation(
        left_impacts,
        right_impacts,
        max_lag,
        (MIN_OVERLAP_S * fs_hz) as usize,
    );
    let (best_lag, best_r) = xc.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    if best_r < MIN_SYNC_R {
        return None;
    }
    let gap = (UNIQUE_GAP_S * fs_hz).ceil() as isize;
    let r: Vec<f64> = xc.iter().map(|x| x.1).collect();
    let rival = find_peaks(&r, UNIQUE_RATIO * best_r, 1)
        .into_iter()
        .any(|k| (xc[k].0 - best_lag).abs() > gap);
    if rival {
        return None;
    }
    // right sample j shows the jump left sample j - lag shows; right time + offset = left time
    Some((-(best_lag as f64) / fs_hz, best_r))
}

/// Toe-off that starts a leg's walking, s: the first cycle followed by two strides within
/// ±25 % of the leg's median stride time. A sync jump can itself look like a gait cycle; the
/// pause after it keeps it out of the walking run, so the search for it ends here.
pub fn walking_start_s(ic_s: &[f64], fc_s: &[f64]) -> f64 {
    let strides: Vec<f64> = ic_s.windows(2).map(|w| w[1] - w[0]).collect();
    let Some(median) = crate::signal::stats::median(&strides) else {
        return fc_s.first().copied().unwrap_or(0.0);
    };
    let regular = |d: f64| (0.75 * median..=1.25 * median).contains(&d);
    (0..strides.len().saturating_sub(1))
        .find(|&k| regular(strides[k]) && regular(strides[k + 1]))
        .map_or(fc_s[0], |k| fc_s[k])
}

/// Per-stride timing used to judge whether unsynchronised timestamps are plausible.
#[derive(Debug, Clone, Copy)]
pub struct PhaseCheck {
    pub mean_initial_double_support_s: Option<f64>,
    pub mean_terminal_double_support_s: Option<f64>,
    /// Mean contralateral initial contact as a fraction of the left stride (0.5 = anti-phase).
    pub mean_left_phase: Option<f64>,
    pub mean_stride_time_s: Option<f64>,
}

/// Refuses timestamps that cannot be on one timeline (see module docs).
pub fn check_plausible(check: &PhaseCheck) -> Result<()> {
    let phase = check.mean_left_phase;
    let ds_negative = [
        check.mean_initial_double_support_s,
        check.mean_terminal_double_support_s,
    ]
    .iter()
    .flatten()
    .any(|&d| d < 0.0);
    let phase_off = phase.is_some_and(|p| !(0.3..=0.7).contains(&p));
    if !(ds_negative || phase_off) {
        return Ok(());
    }
    let estimate = match (phase, check.mean_stride_time_s) {
        (Some(p), Some(t)) => format!(
            " (the right leg's contacts come {:+.2} s from where anti-phase walking puts them)",
            (p - 0.5) * t
        ),
        _ => String::new(),
    };
    Err(Error::Unsupported(format!(
        "the left and right leg sensors do not seem to share a timeline{estimate}: walking with these timestamps would need \
         negative double support or legs far out of phase. The session declares no \"sync\" and no sync jump was found. \
         Re-record starting with 2 s standing still and one jump with both feet before walking, or record with gaitkit, \
         which puts both sensors on the host clock."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jump_at(n: usize, fs: f64, t_land: f64, steps_from: Option<f64>) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let land = 25.0 * (-((t - t_land) / 0.01).powi(2)).exp();
                let steps = steps_from.map_or(0.0, |s0| {
                    if t > s0 {
                        8.0 * (((t - s0) * 2.0 * std::f64::consts::PI / 1.1).sin().max(0.0)).powi(8)
                    } else {
                        0.0
                    }
                });
                0.05 * ((i * 7919 % 97) as f64 / 97.0) + land + steps
            })
            .collect()
    }

    #[test]
    fn sync_jump_offset_has_the_right_sign_and_size() {
        let fs = 100.0;
        let left = jump_at(800, fs, 2.0, None);
        let right = jump_at(800, fs, 2.35, None); // right clock runs 0.35 s ahead
        let (offset, r) = sync_jump_offset(&left, &right, fs).unwrap();
        assert!((offset + 0.35).abs() < 1e-9, "{offset}");
        assert!(r > 0.9);
        // periodic walking impacts alone give no unique answer
        let walk_l = jump_at(800, fs, -5.0, Some(0.0));
        let walk_r = jump_at(800, fs, -5.0, Some(0.55));
        assert_eq!(sync_jump_offset(&walk_l, &walk_r, fs), None);
    }

    #[test]
    fn implausible_timing_is_refused_with_an_estimate() {
        let ok = PhaseCheck {
            mean_initial_double_support_s: Some(0.12),
            mean_terminal_double_support_s: Some(0.11),
            mean_left_phase: Some(0.51),
            mean_stride_time_s: Some(1.1),
        };
        assert!(check_plausible(&ok).is_ok());
        let off = PhaseCheck {
            mean_initial_double_support_s: Some(-0.2),
            mean_terminal_double_support_s: Some(0.4),
            mean_left_phase: Some(0.79),
            mean_stride_time_s: Some(1.0),
        };
        let err = check_plausible(&off).unwrap_err().to_string();
        assert!(
            err.contains("+0.29 s") && err.contains("sync jump"),
            "{err}"
        );
    }

    #[test]
    fn walking_starts_at_the_first_regular_run_of_strides() {
        // a jump "cycle" at 2.0 s, a pause, then strides of 1.1 s from 4.0 s
        let ic = [2.0, 4.0, 5.1, 6.2, 7.3];
        let fc = [1.65, 3.56, 4.66, 5.76, 6.86];
        assert_eq!(walking_start_s(&ic, &fc), 3.56);
        // walking from the first cycle
        assert_eq!(walking_start_s(&ic[1..], &fc[1..]), 3.56);
        assert_eq!(walking_start_s(&[4.0], &[3.56]), 3.56);
    }
}
