//! Headless Chromium for the page tests: finding the binary, running it with the flags that
//! keep it quiet and offline, its console messages, DOM dumps and screenshots.
//!
//! Tests skip with [`SKIP`] where no Chromium is installed (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What a test prints when it skips for want of a browser.
pub const SKIP: &str =
    "no Chromium at /usr/bin/chromium (apt-get install chromium, or set GAITKIT_CHROMIUM)";

/// The Chromium binary: `GAITKIT_CHROMIUM`, else the usual Debian paths.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GAITKIT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium with `args` on `url`, killing it after 90 s. Output goes through
/// files, so a large DOM dump cannot block on a full pipe.
pub fn run_chromium(bin: &Path, profile: &Path, args: &[String], url: &str) -> Output {
    std::fs::create_dir_all(profile).unwrap();
    let (out_path, err_path) = (profile.join("stdout.txt"), profile.join("stderr.txt"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("Chromium starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("Chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = Output {
        status: child.wait().unwrap(),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    assert!(
        out.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Console messages of the page (Chromium logs them as `INFO:CONSOLE...`).
pub fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("CONSOLE("))
        .map(str::to_string)
        .collect()
}

/// Asserts Chromium's page logged nothing to the console.
pub fn assert_no_console(out: &Output) {
    let console = console_lines(&out.stderr);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
}

/// The page's DOM after loading (and `extra` flags, e.g. a virtual-time budget), asserting
/// the page logged nothing to the console.
pub fn load_dom(bin: &Path, profile: &Path, url: &str, extra: &[String]) -> String {
    let mut args = vec!["--dump-dom".to_string()];
    args.extend_from_slice(extra);
    let out = run_chromium(bin, profile, &args, url);
    assert_no_console(&out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Screenshot of the page in a window of `size` pixels, saved to `shot`: (width, height, RGB).
pub fn screenshot(
    bin: &Path,
    profile: &Path,
    url: &str,
    size: (u32, u32),
    shot: &Path,
    extra: &[String],
) -> (u32, u32, Vec<u8>) {
    let mut args = vec![
        format!("--window-size={},{}", size.0, size.1),
        format!("--screenshot={}", shot.display()),
    ];
    args.extend_from_slice(extra);
    let out = run_chromium(bin, profile, &args, url);
    assert_no_console(&out);
    let (w, h, rgba) = super::images::decode_png(shot);
    (
        w,
        h,
        rgba.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
    )
}

/// Pixels of `rgb` within ±12 of a colour on every channel.
pub fn count_near(rgb: &[u8], (r, g, b): (u8, u8, u8)) -> usize {
    rgb.chunks(3)
        .filter(|p| p[0].abs_diff(r) <= 12 && p[1].abs_diff(g) <= 12 && p[2].abs_diff(b) <= 12)
        .count()
}
