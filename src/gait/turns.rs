//! Turns, so that strides inside them are left out of steady-state metrics.
//!
//! Algorithm: El-Gohary et al. 2014 as used in mobgap (`TdElGohary`), with the decision made
//! robust to small changes in the signal: the yaw rate (body-frame vertical angular velocity)
//! is low-passed at 0.5 Hz (4th order, zero-phase); an episode is a run of one sign with
//! |yaw rate| ≥ [`BORDER_DPS`], its ends interpolated to where the rate crosses that level;
//! episodes of the same direction less than [`MERGE_GAP_S`] apart are one episode (a turn
//! whose rate dips briefly is not two turns, nor a 180° turn one of 105°). An episode is a
//! **turn** when it reaches [`PEAK_DPS`], lasts at least [`MIN_DURATION_S`] and turns at
//! least [`MIN_ANGLE_DEG`] (mobgap: 15 deg/s, 0.5 s, 45°). An episode that misses a criterion
//! by less than its guard ([`PEAK_GUARD_DPS`], [`DURATION_GUARD_S`], [`ANGLE_GUARD_DEG`])
//! and passes the others at least that closely is an **uncertain turn**: whether it is a
//! turn depends on the noise, so the strides inside it are left out too. Unlike mobgap,
//! long turns (> 10 s, e.g. walking in a circle) stay turns. The yaw rate is averaged over
//! 0.1-s blocks first (ample for a 0.5 Hz band).

use serde::Serialize;

use crate::signal::filter::Butterworth;

/// |yaw rate| at the ends of an episode, deg/s (El-Gohary: 5).
pub const BORDER_DPS: f64 = 5.0;
/// Peak |yaw rate| of a turn, deg/s (El-Gohary: 15).
pub const PEAK_DPS: f64 = 15.0;
/// Shortest turn, s (El-Gohary: 0.5).
pub const MIN_DURATION_S: f64 = 0.5;
/// Smallest turn, deg (El-Gohary: 45).
pub const MIN_ANGLE_DEG: f64 = 45.0;
/// How far below each criterion an episode is still an uncertain turn.
pub const PEAK_GUARD_DPS: f64 = 3.0;
pub const DURATION_GUARD_S: f64 = 0.1;
pub const ANGLE_GUARD_DEG: f64 = 10.0;
/// Episodes of one direction closer than this are one turn, s.
pub const MERGE_GAP_S: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    pub start_s: f64,
    pub end_s: f64,
    /// Total rotation, degrees; positive = to the left (counter-clockwise seen from above).
    pub angle_deg: f64,
}

/// Turns and uncertain turns of one recording (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnDetection {
    pub turns: Vec<Turn>,
    pub uncertain: Vec<Turn>,
}

impl TurnDetection {
    /// Both lists shifted by `offset_s`.
    pub fn shifted(self, offset_s: f64) -> TurnDetection {
        let shift = |v: Vec<Turn>| {
            v.into_iter()
                .map(|t| Turn {
                    start_s: t.start_s + offset_s,
                    end_s: t.end_s + offset_s,
                    angle_deg: t.angle_deg,
                })
                .collect()
        };
        TurnDetection {
            turns: shift(self.turns),
            uncertain: shift(self.uncertain),
        }
    }
}

/// Turns in a continuous segment of yaw rate; times relative to the segment start.
pub fn detect_turns(gyr_v_dps: &[f64], fs_hz: f64) -> Vec<Turn> {
    detect(gyr_v_dps, fs_hz).turns
}

/// Turns and uncertain turns in a continuous segment of yaw rate; times relative to the
/// segment start.
pub fn detect(gyr_v_dps: &[f64], fs_hz: f64) -> TurnDetection {
    // a 0.5 Hz band needs no more than ~10 Hz: block means of 0.1 s, then the low-pass
    let d = (fs_hz / 10.0).floor().max(1.0) as usize;
    let fs_hz = fs_hz / d as f64;
    let means: Vec<f64> = gyr_v_dps
        .chunks(d)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    if means.is_empty() {
        return TurnDetection::default();
    }
    let yaw = Butterworth::lowpass(4, 0.5, fs_hz).filtfilt(&means);
    let n = yaw.len();
    // block i holds the mean over [i, i + 1) / fs: its value sits at the block centre
    let t_of = |i: f64| (i + 0.5) / fs_hz;
    // fractional block where |yaw| crosses BORDER_DPS between blocks a and b
    let crossing = |a: usize, b: usize| {
        let (ya, yb) = (yaw[a].abs(), yaw[b].abs());
        let f = if (yb - ya).abs() > 1e-12 {
            ((BORDER_DPS - ya) / (yb - ya)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        a as f64 + f * (b as f64 - a as f64)
    };
    // (start s, end s, sign, peak |yaw|, first block, last block)
    let mut spans: Vec<(f64, f64, f64, f64, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if yaw[i].abs() < BORDER_DPS {
            i += 1;
            continue;
        }
        let sign = yaw[i].signum();
        let s = i;
        let mut peak = 0.0f64;
        while i < n && yaw[i].abs() >= BORDER_DPS && yaw[i].signum() == sign {
            peak = peak.max(yaw[i].abs());
            i += 1;
        }
        let e = i - 1;
        if peak < PEAK_DPS - PEAK_GUARD_DPS {
            continue;
        }
        let start = if s > 0 { t_of(crossing(s - 1, s)) } else { 0.0 };
        let end = if e + 1 < n {
            t_of(crossing(e, e + 1))
        } else {
            n as f64 / fs_hz
        };
        match spans.last_mut() {
            Some(last) if last.2 == sign && start - last.1 < MERGE_GAP_S => {
                last.1 = end;
                last.3 = last.3.max(peak);
                last.5 = e;
            }
            _ => spans.push((start, end, sign, peak, s, e)),
        }
    }
    let mut out = TurnDetection::default();
    for (start_s, end_s, _, peak, s, e) in spans {
        let dur = end_s - start_s;
        let angle: f64 = yaw[s..=e].iter().sum::<f64>() / fs_hz;
        let turn = Turn {
            start_s,
            end_s,
            angle_deg: angle,
        };
        if peak >= PEAK_DPS && dur >= MIN_DURATION_S && angle.abs() >= MIN_ANGLE_DEG {
            out.turns.push(turn);
        } else if peak >= PEAK_DPS - PEAK_GUARD_DPS
            && dur >= MIN_DURATION_S - DURATION_GUARD_S
            && angle.abs() >= MIN_ANGLE_DEG - ANGLE_GUARD_DEG
        {
            out.uncertain.push(turn);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_180_degree_left_turn_and_ignores_small_wobbles() {
        let fs = 100.0;
        // 5 s straight with ±8 deg/s wobble, 2 s turning at 90 deg/s (left), 5 s straight
        let x: Vec<f64> = (0..1200)
            .map(|i| {
                let t = i as f64 / fs;
                let wobble = 8.0 * (2.0 * std::f64::consts::PI * 1.0 * t).sin();
                wobble + if (5.0..7.0).contains(&t) { 90.0 } else { 0.0 }
            })
            .collect();
        let turns = detect_turns(&x, fs);
        assert_eq!(turns.len(), 1, "{turns:?}");
        let t = &turns[0];
        assert!((t.angle_deg - 180.0).abs() < 15.0, "{t:?}");
        assert!(
            (t.start_s - 5.0).abs() < 0.6 && (t.end_s - 7.0).abs() < 0.6,
            "{t:?}"
        );
        let right: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!(detect_turns(&right, fs)[0].angle_deg < -150.0);
    }
    /// 5 s straight, then `turn` (rate deg/s for `dur` s, as a function of time within it), 5 s straight.
    fn walk_with(fs: f64, dur: f64, rate: impl Fn(f64) -> f64) -> Vec<f64> {
        let n = ((10.0 + dur) * fs) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let wobble = 8.0 * (2.0 * std::f64::consts::PI * 1.0 * t).sin();
                wobble
                    + if (5.0..5.0 + dur).contains(&t) {
                        rate(t - 5.0)
                    } else {
                        0.0
                    }
            })
            .collect()
    }

    #[test]
    fn a_turn_whose_rate_dips_stays_one_turn() {
        // 180° in 3 s with the rate falling to zero for 0.3 s in the middle
        let x = walk_with(
            100.0,
            3.3,
            |t| if (1.5..1.8).contains(&t) { 0.0 } else { 60.0 },
        );
        let d = detect(&x, 100.0);
        assert_eq!(d.turns.len(), 1, "{d:?}");
        assert!((d.turns[0].angle_deg - 180.0).abs() < 15.0, "{d:?}");
        assert!(d.uncertain.is_empty());
    }

    #[test]
    fn turns_just_short_of_the_criteria_are_uncertain_and_smaller_ones_straight_walking() {
        // 40° over 2 s at 20 deg/s: a turn but for 5° of its angle
        let short = detect(&walk_with(100.0, 2.0, |_| 20.0), 100.0);
        assert!(
            short.turns.is_empty() && short.uncertain.len() == 1,
            "{short:?}"
        );
        assert!((short.uncertain[0].angle_deg - 40.0).abs() < 5.0);
        // 60° at 13 deg/s: its rate misses the turn peak of 15 deg/s by less than the guard
        let slow = detect(&walk_with(100.0, 4.6, |_| 13.0), 100.0);
        assert!(
            slow.turns.is_empty() && slow.uncertain.len() == 1,
            "{slow:?}"
        );
        // 25° of heading change: straight walking
        let drift = detect(&walk_with(100.0, 1.25, |_| 20.0), 100.0);
        assert_eq!(drift, TurnDetection::default());
    }

    #[test]
    fn turn_ends_move_with_the_signal_not_in_blocks() {
        // shifting the recording by 30 ms shifts the turn by 30 ms (not by 0 or 100 ms)
        let x = walk_with(100.0, 2.0, |_| 90.0);
        let shifted: Vec<f64> = std::iter::repeat_n(x[0], 3)
            .chain(x.iter().copied())
            .collect();
        let (a, b) = (
            &detect(&x, 100.0).turns[0],
            &detect(&shifted, 100.0).turns[0],
        );
        assert!((b.start_s - a.start_s - 0.03).abs() < 0.01, "{a:?} {b:?}");
        assert!((b.end_s - a.end_s - 0.03).abs() < 0.01, "{a:?} {b:?}");
    }

    #[test]
    fn a_long_turn_stays_a_turn() {
        // walking round at 20 deg/s for 24 s
        let d = detect(&walk_with(100.0, 24.0, |_| 20.0), 100.0);
        assert_eq!(d.turns.len(), 1, "{d:?}");
        assert!((d.turns[0].angle_deg - 480.0).abs() < 20.0, "{d:?}");
    }
}
