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
pub mod sse;
pub mod synthetic_walk;

use std::ffi::OsStr;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// Uniform numbers in [lo, hi) from a 64-bit linear congruential generator (Knuth's MMIX
/// constants) started at `seed`: the same sequence on every machine.
pub fn seeded_uniform(mut seed: u64) -> impl FnMut(f64, f64) -> f64 {
    move |lo: f64, hi: f64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((seed >> 11) as f64 / (1u64 << 53) as f64)
    }
}

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

/// `f` over `items` on two threads (the machines this runs on have at least two cores), in
/// the order of `items`. Each thread takes the next item not yet taken, so that items of very
/// different cost keep both threads busy to the end.
pub fn map_on_two_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let f = &f;
    let next = &std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Presses Ctrl-C (SIGINT) in `child` and waits up to `timeout` for it to exit; whether it did.
pub fn interrupt_and_wait(child: &mut Child, timeout: Duration) -> bool {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    while start.elapsed() < timeout {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.try_wait().unwrap().is_some()
}

/// A JSON Lines file (e.g. `gaitkit live --events-out`), one value per line.
pub fn read_json_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
