//! Standing balance and single-leg stability from the lower-back sensor.

pub mod norms;
pub mod single_leg_stance;
pub mod squat;
pub mod stabilisation;
pub mod sway;
pub mod trunk_motion;
