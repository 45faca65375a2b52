//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod balance_sim;
pub mod reference;
pub mod synthetic_walk;
