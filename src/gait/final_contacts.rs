//! Stage 3b: final contacts (toe-offs) from the trunk's vertical acceleration.
//!
//! After each heel strike the trunk's upward acceleration peaks while both feet are loaded;
//! the other foot leaves the ground as that acceleration turns down. The toe-off is taken
//! as the first instant after the contact where the fine-scale rate-of-change signal of
//! [`super::initial_contacts::ic_signal`] crosses zero downwards (the acceleration peak),
//! plus a fixed delay; it must fall before the next contact. As in every validation of
//! lower-back methods, toe-off is markedly less accurate than heel strike, so stance, swing
//! and double support from one trunk sensor are estimates.

/// Toe-off after each contact (fractional sample indices), `None` when no candidate lies
/// between the contact and the next one.
pub fn detect(fine_signal: &[f64], ic_index: &[f64], fs_hz: f64, delay_s: f64) -> Vec<Option<f64>> {
    let n = fine_signal.len();
    ic_index
        .iter()
        .enumerate()
        .map(|(k, &ic)| {
            let limit = ic_index
                .get(k + 1)
                .copied()
                .unwrap_or(ic + 1.5 * fs_hz)
                .min(n as f64 - 1.0);
            let mut i = ic.ceil() as usize;
            // leave the positive lobe that marks the heel strike, then find the downward crossing
            while (i as f64) < limit && i + 1 < n {
                if fine_signal[i] > 0.0 && fine_signal[i + 1] <= 0.0 {
                    let a = fine_signal[i];
                    let b = fine_signal[i + 1];
                    let t = i as f64 + a / (a - b) + delay_s * fs_hz;
                    return (t < limit).then_some(t);
                }
                i += 1;
            }
            None
        })
        .collect()
}
