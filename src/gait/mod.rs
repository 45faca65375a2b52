//! Gait analysis. One module per pipeline stage, named by what it produces.

pub mod body_frame;
pub mod events;
pub mod leg;
pub mod symmetry;

pub use events::{Contact, PerSide, Side};
pub mod analysis;
pub mod evaluation;
pub mod final_contacts;
pub mod harmonic_ratio;
pub mod initial_contacts;
pub mod laterality;
pub mod lower_back;
pub mod regularity;
pub mod spatial;
pub mod summary;
pub mod temporal;
pub mod turns;
pub mod walking_bouts;

pub use analysis::GaitAnalysis;
