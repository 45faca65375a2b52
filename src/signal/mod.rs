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
