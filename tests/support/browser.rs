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

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// JSON messages ended by NUL on file descriptors 3 and 4), attached to its one page: scripts
/// injected before a page's own, navigation, evaluation in the page.
pub struct DevTools {
    child: std::process::Child,
    to_browser: std::fs::File,
    replies: std::sync::mpsc::Receiver<serde_json::Value>,
    session: String,
    next_id: u64,
}

impl DevTools {
    /// Starts Chromium on `about:blank` with its profile in `profile` and attaches to the page.
    pub fn start(bin: &Path, profile: &Path) -> DevTools {
        use std::io::{BufRead, BufReader};
        use std::os::fd::{FromRawFd, IntoRawFd};
        use std::os::unix::process::CommandExt;
        std::fs::create_dir_all(profile).unwrap();
        let pipe = || {
            let mut fds = [0; 2];
            // SAFETY: pipe2 writes two new descriptors (close-on-exec) into the array; each is
            // owned by one File from here on.
            assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
            unsafe {
                (
                    std::fs::File::from_raw_fd(fds[0]),
                    std::fs::File::from_raw_fd(fds[1]),
                )
            }
        };
        let (cmd_read, cmd_write) = pipe();
        let (reply_read, reply_write) = pipe();
        let (cmd_fd, reply_fd) = (cmd_read.into_raw_fd(), reply_write.into_raw_fd());
        let mut command = Command::new(bin);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(profile.join("stderr.txt")).unwrap());
        // SAFETY: only async-signal-safe dup2 calls between fork and exec; the duplicates
        // (3: commands in, 4: replies out) do not carry close-on-exec.
        unsafe {
            command.pre_exec(move || {
                // first above 4, so neither end is overwritten by the other's dup2
                let (c, r) = (
                    libc::fcntl(cmd_fd, libc::F_DUPFD, 10),
                    libc::fcntl(reply_fd, libc::F_DUPFD, 10),
                );
                if c < 0 || r < 0 || libc::dup2(c, 3) < 0 || libc::dup2(r, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("Chromium starts");
        // SAFETY: the parent's copies of the child's ends, owned here and closed once.
        unsafe {
            drop(std::fs::File::from_raw_fd(cmd_fd));
            drop(std::fs::File::from_raw_fd(reply_fd));
        }
        let (tx, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(reply_read);
            loop {
                let mut buf = Vec::new();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                if let Ok(v) = serde_json::from_slice(&buf) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut dt = DevTools {
            child,
            to_browser: cmd_write,
            replies,
            session: String::new(),
            next_id: 0,
        };
        let targets = dt.call("Target.getTargets", serde_json::json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .expect("Chromium has a page")["targetId"]
            .clone();
        let attached = dt.call(
            "Target.attachToTarget",
            serde_json::json!({ "targetId": page, "flatten": true }),
        );
        dt.session = attached["sessionId"].as_str().unwrap().to_string();
        dt.call("Page.enable", serde_json::json!({}));
        dt.call("Runtime.enable", serde_json::json!({}));
        dt
    }

    /// Sends one command (to the page once attached) and waits up to 30 s for its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        use std::io::Write;
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = serde_json::json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = serde_json::Value::String(self.session.clone());
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self
                .replies
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply from Chromium to {method}"));
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
            if v["method"] == "Runtime.consoleAPICalled" || v["method"] == "Runtime.exceptionThrown"
            {
                panic!("page console: {v}");
            }
        }
    }

    /// Runs `source` in every document before the document's own scripts.
    pub fn inject(&mut self, source: &str) {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": source }),
        );
    }

    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", serde_json::json!({ "url": url }));
    }

    /// Value of a JavaScript expression in the page (promises awaited), as a user gesture.
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({
                "expression": expression,
                "returnByValue": true,
                "awaitPromise": true,
                "userGesture": true,
            }),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Evaluates `expression` every 50 ms until it is `true`, at most `timeout`.
    pub fn wait_for(&mut self, expression: &str, timeout: Duration) {
        let start = Instant::now();
        while self.eval(expression) != serde_json::Value::Bool(true) {
            assert!(start.elapsed() < timeout, "page never had {expression}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for DevTools {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
