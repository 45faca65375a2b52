//! Gait analysis. One module per pipeline stage, named by what it produces.

pub mod body_frame;
pub mod events;
pub mod leg;
pub mod symmetry;

pub use events::{Contact, PerSide, Side};
pub mod evaluation;
pub mod initial_contacts;
pub mod walking_bouts;
pub mod laterality;
pub mod turns;
pub mod analysis;
pub mod harmonic_ratio;
pub mod regularity;
pub mod spatial;
pub mod temporal;
pub mod summary;
pub mod final_contacts;
pub mod lower_back;

pub use analysis::GaitAnalysis;
