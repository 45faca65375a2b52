//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod reference;
pub mod synthetic_walk;
