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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toe_off_is_the_downward_crossing_after_the_contact_plus_the_delay() {
        let fs = 100.0;
        // rate-of-change signal: positive lobe 100–130 (loading), negative until 160, positive again
        let w: Vec<f64> = (0..300)
            .map(|i| match i {
                100..=129 => 1.0,
                130..=159 => -1.0,
                160..=189 => 1.0,
                _ => -0.5,
            })
            .collect();
        let fc = detect(&w, &[110.0, 170.0], fs, 0.11);
        // crossing between samples 129 (+1) and 130 (−1): 129.5, plus 11 samples
        assert!((fc[0].unwrap() - 140.5).abs() < 1e-9, "{fc:?}");
        // the second contact has no later contact: the search runs 1.5 s at most, crossing at 189.67
        assert!(
            (fc[1].unwrap() - (189.0 + 1.0 / 1.5 + 11.0)).abs() < 1e-9,
            "{fc:?}"
        );
        // a toe-off that would fall after the next contact is not reported
        assert_eq!(detect(&w, &[110.0, 135.0], fs, 0.11)[0], None);
    }
}
