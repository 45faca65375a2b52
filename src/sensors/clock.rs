//! Putting one sensor's samples on the host timeline.
//!
//! Host time of a sample = device time + offset. Every packet gives a candidate offset
//! `arrival − device time of its last sample`, which exceeds the true offset by the transport
//! latency. The offset target is the minimum candidate over a sliding window (the latency
//! floor, as in NTP-style minimum filtering); the applied offset follows the target at a
//! bounded slew rate, so mapped times stay strictly increasing and sample spacing changes by
//! at most [`MAX_SLEW`]. The sliding window follows clock drift.
//!
//! Devices without timestamps (WitMotion, MetaWear) use "device time" = sample index × period,
//! the period measured from arrival times over the segment (nominal for the first second), so
//! arrival jitter is smoothed instead of copied into the sample times. A reconnect starts a
//! new segment for them; device clocks (Polar, Movesense) keep running across reconnects.

use std::collections::VecDeque;

/// Window of the minimum filter, seconds of host time.
pub const WINDOW_S: f64 = 10.0;
/// Largest change of the applied offset per second of device time (0.5 %).
pub const MAX_SLEW: f64 = 0.005;
/// Data needed before the arrival-time period estimate replaces the nominal period, s.
const PERIOD_SPAN_S: f64 = 1.0;
/// Warm-up excluded from the sync estimate, s.
const WARMUP_S: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// Device timestamps (Polar, Movesense).
    Device,
    /// Arrival times only, smoothed (WitMotion, MetaWear).
    Arrival,
}

#[derive(Debug, Clone)]
pub struct Clock {
    source: TimeSource,
    nominal_period_s: f64,
    /// (arrival host s, candidate offset s) per packet in the window.
    window: VecDeque<(f64, f64)>,
    applied: Option<f64>,
    last_device_s: Option<f64>,
    /// Arrival mode: samples seen in this segment; least-squares sums of (index, arrival)
    /// per packet: n, Σi, Σa, Σi², Σi·a.
    index: u64,
    fit: [f64; 5],
    segment_start_s: Option<f64>,
    period_s: f64,
    /// Arrival mode: device time = `base_s` + (index − `base_index`) × period, re-anchored
    /// whenever the period estimate changes so device time stays continuous.
    base_s: f64,
    base_index: u64,
    /// (device s, target offset) once per second after warm-up, for the sync estimate.
    history: Vec<(f64, f64)>,
    first_device_s: Option<f64>,
}

impl Clock {
    pub fn new(source: TimeSource, nominal_rate_hz: f64) -> Self {
        let p = 1.0 / nominal_rate_hz;
        Clock {
            source,
            nominal_period_s: p,
            window: VecDeque::new(),
            applied: None,
            last_device_s: None,
            index: 0,
            fit: [0.0; 5],
            segment_start_s: None,
            period_s: p,
            base_s: 0.0,
            base_index: 0,
            history: Vec::new(),
            first_device_s: None,
        }
    }

    pub fn source(&self) -> TimeSource {
        self.source
    }

    /// Sample period currently assumed, s (measured for arrival-time devices).
    pub fn period_s(&self) -> f64 {
        self.period_s
    }

    /// Arrival mode: the next packet starts a new segment (after a reconnect).
    pub fn new_segment(&mut self) {
        if self.source == TimeSource::Arrival {
            self.window.clear();
            self.fit = [0.0; 5];
            self.segment_start_s = None;
            self.index = 0;
            self.period_s = self.nominal_period_s;
            self.base_s = 0.0;
            self.base_index = 0;
            self.applied = None;
            self.last_device_s = None;
        }
    }

    /// Device times for `n` samples of an arrival-time packet: sample index × period, the
    /// period being the least-squares slope of arrival time over sample index in the segment.
    pub fn arrival_device_times(&mut self, arrival_s: f64, n: usize, out: &mut Vec<f64>) {
        let first_index = self.index;
        self.index += n as u64;
        let i = (self.index - 1) as f64;
        let start = *self.segment_start_s.get_or_insert(arrival_s);
        let a = arrival_s - start;
        let f = &mut self.fit;
        f[0] += 1.0;
        f[1] += i;
        f[2] += a;
        f[3] += i * i;
        f[4] += i * a;
        if a >= PERIOD_SPAN_S {
            let sxx = f[3] - f[1] * f[1] / f[0];
            let sxy = f[4] - f[1] * f[2] / f[0];
            if sxx > 0.0 {
                let p = sxy / sxx;
                if (p - self.nominal_period_s).abs() < 0.2 * self.nominal_period_s {
                    self.base_s += (first_index - self.base_index) as f64 * self.period_s;
                    self.base_index = first_index;
                    if (p - self.period_s).abs() > 1e-3 * self.period_s {
                        // offsets measured under a clearly wrong period would bias the floor
                        self.window.clear();
                    }
                    self.period_s = p;
                }
            }
        }
        let (b, bi, p) = (self.base_s, self.base_index, self.period_s);
        out.extend((first_index..self.index).map(|i| b + (i - bi) as f64 * p));
    }

    /// Maps one packet: `device_s` holds device times of its samples (in order), replaced by
    /// host times. Returns `false` (and leaves them) if the packet is not newer than the last.
    pub fn map(&mut self, arrival_s: f64, device_s: &mut [f64]) -> bool {
        let (Some(&first), Some(&last)) = (device_s.first(), device_s.last()) else {
            return false;
        };
        if self.last_device_s.is_some_and(|prev| first <= prev) {
            return false;
        }
        self.window.push_back((arrival_s, arrival_s - last));
        while self
            .window
            .front()
            .is_some_and(|&(a, _)| a < arrival_s - WINDOW_S)
        {
            self.window.pop_front();
        }
        let target = self
            .window
            .iter()
            .map(|&(_, c)| c)
            .fold(f64::INFINITY, f64::min);
        let prev_last = self.last_device_s;
        let elapsed = prev_last.map_or(0.0, |p| last - p);
        let prev_applied = self.applied.unwrap_or(target);
        let step = MAX_SLEW * elapsed;
        let applied = prev_applied + (target - prev_applied).clamp(-step, step);
        self.applied = Some(applied);
        self.last_device_s = Some(last);
        let first_dev = *self.first_device_s.get_or_insert(first);
        if last - first_dev >= WARMUP_S && self.history.last().is_none_or(|&(d, _)| last - d >= 1.0)
        {
            self.history.push((last, target));
        }
        // spread the offset change over the packet so no single step absorbs it
        match prev_last {
            Some(p) if elapsed > 0.0 => {
                for t in device_s.iter_mut() {
                    *t += prev_applied + (applied - prev_applied) * ((*t - p) / elapsed);
                }
            }
            _ => {
                for t in device_s.iter_mut() {
                    *t += applied;
                }
            }
        }
        true
    }

    /// How much the latency-floor estimate wandered around its drift line after warm-up, s:
    /// the range of residuals of a straight-line fit of the offset target over device time.
    /// Constant latency differences between devices cannot be observed and are not included.
    pub fn sync_wander_s(&self) -> Option<f64> {
        let h = &self.history;
        if h.len() < 3 {
            return None;
        }
        let n = h.len() as f64;
        let mx = h.iter().map(|p| p.0).sum::<f64>() / n;
        let my = h.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = h.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = h.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let r = h.iter().map(|p| p.1 - (my + slope * (p.0 - mx)));
        let (lo, hi) = r.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        Some(hi - lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_times_keep_their_spacing_and_take_the_latency_floor() {
        let mut c = Clock::new(TimeSource::Device, 100.0);
        // device clock 1000 s ahead of the host; latencies 30, 12, 20 ms
        let mut p1 = [1000.00, 1000.01];
        assert!(c.map(0.01 + 0.030, &mut p1));
        assert!((p1[0] - 0.030).abs() < 1e-9 && (p1[1] - 0.040).abs() < 1e-9);
        let mut p2 = [1000.02, 1000.03];
        assert!(c.map(0.03 + 0.012, &mut p2));
        // target dropped by 18 ms but the applied offset may move only 0.5 % of 20 ms
        assert!((p2[1] - (0.03 + 0.030 - 0.0001)).abs() < 1e-9, "{p2:?}");
        // the offset change is spread over the samples since the last packet: 0.5 % each
        assert!((p2[1] - p2[0] - 0.01 * (1.0 - MAX_SLEW)).abs() < 1e-12);
        assert!((p2[0] - p1[1] - 0.01 * (1.0 - MAX_SLEW)).abs() < 1e-12);
        // after 10 s the applied offset has converged to the 12 ms floor
        let mut t = 1000.04;
        let mut last = [0.0];
        for k in 0..1000 {
            let mut p = [t];
            assert!(c.map(t - 1000.0 + 0.012 + 0.01 * (k % 3) as f64, &mut p));
            assert!(p[0] > last[0]);
            last = p;
            t += 0.01;
        }
        assert!((last[0] - (t - 0.01 - 1000.0 + 0.012)).abs() < 1e-9);
    }

    #[test]
    fn duplicate_and_old_packets_are_refused() {
        let mut c = Clock::new(TimeSource::Device, 100.0);
        assert!(c.map(1.0, &mut [5.0, 5.01]));
        assert!(!c.map(1.02, &mut [5.0, 5.01]), "duplicate");
        assert!(!c.map(1.03, &mut [4.9]), "out of order");
        assert!(!c.map(1.03, &mut []));
        assert!(c.map(1.04, &mut [5.02]));
    }

    #[test]
    fn arrival_times_are_smoothed_to_the_measured_period() {
        // true period 10.1 ms (a "100 Hz" device running 1 % slow), one sample per packet,
        // arrival latency 10 ms + 0..20 ms jitter
        let mut c = Clock::new(TimeSource::Arrival, 100.0);
        let mut dev = Vec::new();
        let mut prev = f64::NEG_INFINITY;
        let mut max_err: f64 = 0.0;
        for i in 0..3000u64 {
            let true_t = i as f64 * 0.0101;
            let jitter = ((i * 7919) % 21) as f64 * 1e-3;
            let arrival = true_t + 0.010 + jitter;
            dev.clear();
            c.arrival_device_times(arrival, 1, &mut dev);
            assert!(c.map(arrival, &mut dev));
            assert!(dev[0] > prev);
            prev = dev[0];
            if i > 1500 {
                max_err = max_err.max((dev[0] - (true_t + 0.010)).abs());
            }
        }
        assert!((c.period_s() - 0.0101).abs() < 1e-5, "{}", c.period_s());
        assert!(
            max_err < 0.002,
            "smoothed times within 2 ms of true + latency floor, got {max_err}"
        );
        let w = c.sync_wander_s().unwrap();
        assert!(w < 0.005, "{w}");
    }

    #[test]
    fn a_new_segment_restarts_arrival_times_but_not_device_clocks() {
        let mut c = Clock::new(TimeSource::Arrival, 100.0);
        let mut d = Vec::new();
        c.arrival_device_times(1.0, 2, &mut d);
        assert!(c.map(1.0, &mut d));
        c.new_segment();
        d.clear();
        c.arrival_device_times(5.0, 1, &mut d);
        assert_eq!(d, vec![0.0]);
        assert!(c.map(5.0, &mut d));
        assert!((d[0] - 5.0).abs() < 1e-12);
        let mut dc = Clock::new(TimeSource::Device, 100.0);
        assert!(dc.map(1.0, &mut [10.0]));
        dc.new_segment();
        assert!(!dc.map(2.0, &mut [9.0]));
    }
}
