//! Gait analysis. One module per pipeline stage, named by what it produces.
//!
//! Lower back (one trunk sensor), in pipeline order: [`body_frame`] → [`walking_bouts`] and
//! [`turns`] → [`initial_contacts`] and [`final_contacts`] → [`laterality`] → [`temporal`]
//! and [`spatial`] → [`steady`] (which strides count) → [`summary`] ([`symmetry`],
//! [`regularity`], [`harmonic_ratio`]), run by [`lower_back`]. Two leg sensors: [`leg`]
//! (same [`steady`] rules and [`summary`]). Results: [`analysis`], with the checks behind them in [`quality`]; accuracy: [`evaluation`].

pub mod analysis;
pub mod body_frame;
pub mod evaluation;
pub mod events;
pub mod final_contacts;
pub mod harmonic_ratio;
pub mod initial_contacts;
pub mod laterality;
pub mod leg;
pub mod live_steps;
pub mod lower_back;
pub mod quality;
pub mod regularity;
pub mod spatial;
pub mod steady;
pub mod summary;
pub mod symmetry;
pub mod temporal;
pub mod turns;
pub mod walking_bouts;
pub mod walking_check;

pub use analysis::GaitAnalysis;
pub use events::{Contact, PerSide, Side};
