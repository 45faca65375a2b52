//! Recordings on disk: session folders (`session.json` + one CSV per sensor), their reading,
//! validation and writing, and the resampling of irregular wireless samples onto a uniform grid.

pub mod axes;
pub mod imu_csv;
pub mod resample;
pub mod session;
pub mod units;

pub use axes::Axes;
pub use imu_csv::{ImuCsvWriter, ImuTable};
pub use resample::{Gap, UniformImu};
pub use session::{ImportSource, Placement, SensorEntry, Session, Task};
pub use units::GyrUnit;

/// One IMU reading in raw sensor axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImuSample {
    /// Seconds from the session's first sample.
    pub time_s: f64,
    /// Acceleration including gravity, m/s².
    pub acc_mps2: [f64; 3],
    /// Angular velocity, deg/s.
    pub gyr_dps: [f64; 3],
}
