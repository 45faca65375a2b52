//! Many session folders at once (a cohort, a study's visits): every session folder found below
//! the given folders is analysed on a thread pool, one JSON per session and one summary row
//! per session are written to a results folder. A session that fails is recorded with its
//! error and does not stop the others. Each finished session leaves a record holding the
//! content hash of its inputs, so a second run skips the sessions whose inputs are unchanged
//! and an interrupted run resumes where it stopped.
//!
//! Results folder layout: `sessions/NAME.json` (the analysis, as `gaitkit analyze --json` or
//! `gaitkit balance --json` writes it), `.gaitkit-batch/NAME.json` (input hash and summary
//! row) and `summary.csv`. `NAME` is the session folder's path below the folder it was found
//! in, prefixed with that folder's name when several folders are given.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyze::{analyze_with, AnalyzeOptions};
use crate::error::{Error, Result};
use crate::recording::session::SESSION_FILE;
use crate::recording::{ImuTable, Session};
use crate::report::model::SessionMetrics;
use crate::report::Exporter;

/// Folder of the per-session records (input hash and summary row) inside the results folder.
pub const STATE_DIR: &str = ".gaitkit-batch";
/// Folder of the per-session analyses inside the results folder.
pub const SESSIONS_DIR: &str = "sessions";
/// Name of the summary table inside the results folder.
pub const SUMMARY_FILE: &str = "summary.csv";
/// Deepest folder level searched below each given folder.
pub const MAX_DEPTH: usize = 12;

/// One session folder to analyse and the name its results are stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub dir: PathBuf,
    /// Relative path of the results, `/`-separated, without extension.
    pub name: String,
}

/// Finds every session folder (a folder holding a `session.json`) below `roots`, recursively,
/// sorted by name. A session folder's own sub-folders are not searched. Folders in `exclude`
/// (the results folder, compared by canonical path) and everything below them are never
/// read, so results written inside an input folder are never taken for input. Symbolic links
/// are followed once: a folder reached twice is searched once.
pub fn find_sessions(roots: &[PathBuf], exclude: &[PathBuf]) -> Result<Vec<Job>> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut seen = HashSet::new();
    let mut jobs = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if !meta.is_dir() {
            return Err(Error::Unsupported(format!(
                "{}: is not a folder; give folders that hold session folders (or session folders)",
                root.display()
            )));
        }
        let prefix = if roots.len() > 1 {
            root.canonicalize()
                .ok()
                .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "input".into())
        } else {
            String::new()
        };
        let mut stack = vec![(root.clone(), Vec::<String>::new())];
        while let Some((dir, rel)) = stack.pop() {
            let Ok(canonical) = dir.canonicalize() else {
                continue;
            };
            if exclude.iter().any(|x| canonical.starts_with(x)) || !seen.insert(canonical) {
                continue;
            }
            if dir.join(SESSION_FILE).is_file() {
                let mut parts: Vec<String> = Vec::new();
                if !prefix.is_empty() {
                    parts.push(prefix.clone());
                }
                parts.extend(rel.iter().cloned());
                if parts.is_empty() {
                    // the root itself is a session folder
                    parts.push(
                        dir.canonicalize()
                            .ok()
                            .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                            .unwrap_or_else(|| "session".into()),
                    );
                }
                jobs.push(Job {
                    dir,
                    name: parts.join("/"),
                });
                continue;
            }
            if rel.len() >= MAX_DEPTH {
                continue;
            }
            let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            for e in entries {
                let e = e.map_err(|e| Error::io(&dir, e))?;
                let p = e.path();
                if p.is_dir() {
                    let mut r = rel.clone();
                    r.push(e.file_name().to_string_lossy().into_owned());
                    stack.push((p, r));
                }
            }
        }
    }
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    // two given folders with the same name: later ones get a numbered name
    let mut used: HashMap<String, usize> = HashMap::new();
    for j in &mut jobs {
        let n = used.entry(j.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            j.name = format!("{}-{}", j.name, n);
        }
    }
    Ok(jobs)
}

/// Content hash (XXH3-128, hex) of everything an analysis of `dir` reads: every regular file
/// directly in the folder (session.json and the sensor CSVs), by name and content, plus the
/// gaitkit version, the analysis options and the JSON layout, so new options, another layout or
/// a new version re-analyse.
pub fn input_hash(dir: &Path, opts: &AnalyzeOptions, compact: bool) -> Result<String> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let p = e.path();
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(format!("{opts:?}").as_bytes());
    if compact {
        h.update(b"compact");
    }
    let mut buf = vec![0u8; 1 << 20];
    for p in files {
        h.update(p.file_name().unwrap_or_default().as_encoded_bytes());
        h.update(&[0]);
        let mut f = std::fs::File::open(&p).map_err(|e| Error::io(&p, e))?;
        let mut len = 0u64;
        loop {
            let n = std::io::Read::read(&mut f, &mut buf).map_err(|e| Error::io(&p, e))?;
            if n == 0 {
                break;
            }
            len += n as u64;
            h.update(&buf[..n]);
        }
        h.update(&len.to_le_bytes());
    }
    Ok(format!("{:032x}", h.digest128()))
}

/// A headline value of one session with the number of values (steps, strides, trials) it
/// is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Value {
    pub key: String,
    pub value: f64,
    /// `None` when the metric does not keep its per-step or per-stride values.
    pub n: Option<usize>,
}

/// One line of `summary.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub name: String,
    pub folder: PathBuf,
    pub participant: Option<String>,
    pub task: Option<String>,
    /// Start date `YYYY-MM-DD` (the session's own offset) from session.json.
    pub date: Option<String>,
    pub walking_time_s: Option<f64>,
    pub bouts: Option<usize>,
    pub steps: Option<usize>,
    pub strides: Option<usize>,
    pub values: Vec<Value>,
    pub notes: Vec<String>,
    /// Why the session could not be analysed; `None` when it was.
    pub error: Option<String>,
}

/// What is stored per session in [`STATE_DIR`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    input_hash: String,
    row: SummaryRow,
}

/// How one session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Analysed,
    Failed,
    /// Inputs unchanged since the stored result: not analysed again.
    Unchanged,
}

/// One finished session, as reported to the progress callback and returned.
#[derive(Debug, Clone)]
pub struct Finished {
    pub outcome: Outcome,
    pub row: SummaryRow,
}

/// Options of a batch run.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    pub analyze: AnalyzeOptions,
    /// Worker threads; `None` = one per core.
    pub threads: Option<usize>,
    /// Per-session JSON of walks in the compact layout (summaries per bout and per day).
    pub compact: bool,
}

/// Analyses `jobs` into `out` (created if missing) and writes `summary.csv`. `progress` is
/// called once per finished session, from the worker threads, in completion order. Returns
/// the sessions in `jobs` order. Errors only when the results folder cannot be written.
pub fn run(
    jobs: &[Job],
    out: &Path,
    opts: &BatchOptions,
    progress: &(dyn Fn(&Finished) + Sync),
) -> Result<Vec<Finished>> {
    for d in [
        out.to_path_buf(),
        out.join(STATE_DIR),
        out.join(SESSIONS_DIR),
    ] {
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Unsupported(format!("cannot start the worker threads: {e}")))?;
    let results: Vec<Result<Finished>> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let f = one(job, out, opts)?;
                progress(&f);
                Ok(f)
            })
            .collect()
    });
    let results: Vec<Finished> = results.into_iter().collect::<Result<_>>()?;
    let path = out.join(SUMMARY_FILE);
    let rows: Vec<&SummaryRow> = results.iter().map(|f| &f.row).collect();
    let mut text = Vec::new();
    write_summary(&rows, &mut text).map_err(|e| Error::io(&path, e))?;
    write_atomic(&path, &text)?;
    Ok(results)
}

fn state_path(out: &Path, name: &str) -> PathBuf {
    out.join(STATE_DIR).join(format!("{name}.json"))
}

fn result_path(out: &Path, name: &str) -> PathBuf {
    out.join(SESSIONS_DIR).join(format!("{name}.json"))
}

/// Analyses one session unless its stored record has the same input hash. Errors only when
/// the results cannot be written; analysis errors go into the row.
fn one(job: &Job, out: &Path, batch: &BatchOptions) -> Result<Finished> {
    let (opts, compact) = (&batch.analyze, batch.compact);
    let hash = input_hash(&job.dir, opts, compact);
    let state = state_path(out, &job.name);
    if let Ok(h) = &hash {
        let stored = std::fs::read(&state)
            .ok()
            .and_then(|b| serde_json::from_slice::<Record>(&b).ok());
        if let Some(r) = stored {
            let done = r.row.error.is_some() || result_path(out, &job.name).is_file();
            if r.input_hash == *h && done {
                let mut row = r.row;
                row.folder = job.dir.clone();
                return Ok(Finished {
                    outcome: Outcome::Unchanged,
                    row,
                });
            }
        }
    }
    let analysed =
        hash.and_then(|h| analyze_one(job, opts, compact).map(|(json, row)| (h, json, row)));
    let (hash, row, outcome) = match analysed {
        Ok((h, json, row)) => {
            write_atomic(&result_path(out, &job.name), &json)?;
            (Some(h), row, Outcome::Analysed)
        }
        Err(e) => {
            let _ = std::fs::remove_file(result_path(out, &job.name));
            let mut row = empty_row(job);
            row.error = Some(e.to_string());
            // an unreadable folder has no hash: it is tried again next time
            (
                input_hash(&job.dir, opts, compact).ok(),
                row,
                Outcome::Failed,
            )
        }
    };
    if let Some(input_hash) = hash {
        let rec = Record {
            input_hash,
            row: row.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&rec).expect("a record serialises");
        write_atomic(&state, &bytes)?;
    }
    Ok(Finished { outcome, row })
}

fn empty_row(job: &Job) -> SummaryRow {
    SummaryRow {
        name: job.name.clone(),
        folder: job.dir.clone(),
        participant: None,
        task: None,
        date: None,
        walking_time_s: None,
        bouts: None,
        steps: None,
        strides: None,
        values: Vec::new(),
        notes: Vec::new(),
        error: None,
    }
}

/// Analyses one session folder: walking through the gait analysis, balance tasks through the
/// balance analysis. Returns the JSON document and the summary row.
pub fn analyze_one(
    job: &Job,
    opts: &AnalyzeOptions,
    compact: bool,
) -> Result<(Vec<u8>, SummaryRow)> {
    use crate::report::metrics_from_gait::{from_gait, session_label};
    let session = Session::read(&job.dir)?;
    let mut row = empty_row(job);
    row.participant = session.participant.id.clone();
    row.task = session.task.as_ref().map(|t| t.to_string());
    row.date = session.start_time.map(|t| t.format("%Y-%m-%d").to_string());
    let label = session_label(&job.dir, session.start_time);
    let mut json = Vec::new();
    if session.task.as_ref().is_some_and(|t| t.is_balance()) {
        let trial = crate::balance::analyze_session(&job.dir)?;
        let age = session.participant.age_years;
        let metrics = crate::report::metrics_from_balance::session_metrics(&trial, &session, age);
        row.notes = trial.warnings.clone();
        row.values = values(&metrics);
        let report = crate::balance::BalanceReport::new(vec![trial], age);
        serde_json::to_writer_pretty(&mut json, &crate::report::balance_text::json_value(&report))
            .map_err(|e| Error::Unsupported(format!("cannot encode the analysis: {e}")))?;
        json.push(b'\n');
        return Ok((json, row));
    }
    let analysis = analyze_with(&job.dir, &session, opts, &|p: &Path| ImuTable::read(p))?;
    let exporter: &dyn Exporter = if compact {
        &crate::report::compact::CompactJsonExporter
    } else {
        &crate::report::json::JsonExporter
    };
    exporter
        .export(&analysis, &mut json)
        .map_err(|e| Error::Unsupported(format!("cannot encode the analysis: {e}")))?;
    if let Some(g) = &analysis.gait {
        row.walking_time_s = Some(g.summary.walking_time_s);
        row.bouts = Some(g.summary.n_bouts);
        row.steps = Some(g.summary.n_steps);
        row.strides = Some(g.summary.n_strides);
        row.notes = g.notes.clone();
        if g.summary.n_steady_steps > 0 {
            row.values = values(&from_gait(&label, g, None));
        } else {
            row.notes.push("No steady walking: no gait metrics.".into());
        }
    }
    Ok((json, row))
}

/// Headline metrics (and each side of the per-side ones) with their n, finite values only.
fn values(m: &SessionMetrics) -> Vec<Value> {
    let mut v = Vec::new();
    for x in &m.metrics {
        v.push(Value {
            key: x.key.clone(),
            value: x.value,
            n: (!x.samples.is_empty()).then_some(x.samples.len()),
        });
    }
    for x in &m.side_metrics {
        for (side, value, n) in [
            ("left", x.mean.left, x.samples.left.len()),
            ("right", x.mean.right, x.samples.right.len()),
        ] {
            v.push(Value {
                key: format!("{}_{side}", x.key),
                value,
                n: (n > 0).then_some(n),
            });
        }
    }
    v.retain(|x| x.value.is_finite());
    v
}

/// Writes `summary.csv`: fixed columns, then `KEY` and `KEY_n` for every metric any row has
/// (in order of first appearance), then notes and error. Empty cell = not available.
pub fn write_summary(rows: &[&SummaryRow], out: &mut dyn Write) -> std::io::Result<()> {
    let mut keys: Vec<&str> = Vec::new();
    for r in rows {
        for v in &r.values {
            if !keys.contains(&v.key.as_str()) {
                keys.push(&v.key);
            }
        }
    }
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "name",
        "folder",
        "status",
        "participant",
        "task",
        "date",
        "walking_time_s",
        "bouts",
        "steps",
        "strides",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for k in &keys {
        header.push(k.to_string());
        header.push(format!("{k}_n"));
    }
    header.push("notes".into());
    header.push("error".into());
    w.write_record(&header).map_err(std::io::Error::other)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        let mut rec = vec![
            r.name.clone(),
            r.folder.display().to_string(),
            if r.error.is_some() { "failed" } else { "ok" }.to_string(),
            opt(r.participant.clone()),
            opt(r.task.clone()),
            opt(r.date.clone()),
            opt(r.walking_time_s.map(|x| format!("{x:.2}"))),
            opt(r.bouts.map(|x| x.to_string())),
            opt(r.steps.map(|x| x.to_string())),
            opt(r.strides.map(|x| x.to_string())),
        ];
        for k in &keys {
            match r.values.iter().find(|v| v.key == *k) {
                Some(v) => {
                    rec.push(format!("{}", round6(v.value)));
                    rec.push(opt(v.n.map(|n| n.to_string())));
                }
                None => {
                    rec.push(String::new());
                    rec.push(String::new());
                }
            }
        }
        rec.push(r.notes.join(" | "));
        rec.push(opt(r.error.clone()));
        w.write_record(&rec).map_err(std::io::Error::other)?;
    }
    w.flush()
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Writes a file through a temporary sibling and a rename, so an interrupted run never
/// leaves a half-written result that looks complete.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
