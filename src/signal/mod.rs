//! Signal processing as pure functions over slices: filters, wavelets, integration,
//! spectra, autocorrelation, peaks, orientation, statistics.

pub mod filter;
pub mod stats;
pub mod cross_correlation;
pub mod peaks;
