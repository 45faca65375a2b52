//! Gait analysis. One module per pipeline stage, named by what it produces.

pub mod events;
pub mod live_steps;
pub mod symmetry;

pub use events::{Contact, PerSide, Side};
