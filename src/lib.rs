//! gaitkit: gait symmetry and single-leg stability from wearable IMUs.
//!
//! Data flow: [`recording`] (session folders, CSV) → [`signal`] (filters, orientation,
//! spectra) → gait and balance analyses → reports. The library never prints; the binary
//! (`main.rs`, `cli.rs`) does.

pub mod analyze;
pub mod balance;
pub mod batch;
pub mod cli;
pub mod demo;
pub mod error;
pub mod gait;
pub mod import;
pub mod long_recording;
pub mod recording;
pub mod report;
pub mod sensors;
pub mod serve;
pub mod signal;
pub mod stream;

pub use error::{Error, Result};
