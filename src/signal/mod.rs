//! Signal processing as pure functions over slices: filters, wavelets, integration,
//! spectra, autocorrelation, peaks, orientation, statistics.

pub mod ahrs;
pub mod autocorr;
pub mod cross_correlation;
pub mod filter;
pub mod integrate;
pub mod peaks;
pub mod stats;
pub mod wavelet;
pub mod welch;

/// Signals at least this long (samples: 10 min at 100 Hz) are processed on all cores where
/// their parts are independent; shorter ones (the live windows, single walks) gain less than
/// the threads cost. The results are the same either way.
pub const PARALLEL_MIN_SAMPLES: usize = 60_000;

/// `f` of every item, in the items' order; on all cores when `parallel` (the same values
/// either way: each item is computed on its own).
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    parallel: bool,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if parallel {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}
