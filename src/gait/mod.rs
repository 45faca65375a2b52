//! Gait analysis. One module per pipeline stage, named by what it produces.

pub mod events;
pub mod leg;
pub mod symmetry;

pub use events::{Contact, PerSide, Side};
