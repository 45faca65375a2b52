//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod balance_sim;
pub mod devices;
pub mod fake_bluez;
pub mod images;
pub mod reference;
pub mod synthetic_walk;
