//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod alloc_meter;
pub mod balance_sim;
pub mod browser;
#[cfg(target_os = "linux")]
pub mod devices;
#[cfg(target_os = "linux")]
pub mod fake_bluez;
pub mod images;
pub mod reference;
pub mod synthetic_walk;

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs the `gaitkit` binary of this build with `args`.
pub fn run_gaitkit<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `gaitkit` and asserts it succeeded (showing both streams if not); its stdout.
pub fn gaitkit_ok<S: AsRef<OsStr>>(args: &[S]) -> String {
    let out = run_gaitkit(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
