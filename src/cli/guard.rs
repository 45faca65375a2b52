//! Input and output paths of the commands: an output never replaces an input, folders for
//! outputs are created with clear messages, and inputs are checked before anything is read.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::error::describe_io;
use crate::recording::session::SESSION_FILE;

/// The files and folders a command reads, by canonical path.
#[derive(Debug, Default)]
pub struct Inputs {
    files: Vec<(PathBuf, String)>,
    dirs: Vec<(PathBuf, String)>,
}

impl Inputs {
    /// A lone input file.
    pub fn file(&mut self, path: &Path) {
        if let Ok(c) = path.canonicalize() {
            self.files
                .push((c, format!("the input {}", path.display())));
        }
    }

    /// An input folder (session, visit or patient folder): the folder itself and every file
    /// below it (session.json, the sensor CSVs, the sessions of a visit) are inputs.
    pub fn folder(&mut self, dir: &Path) {
        let Ok(root) = dir.canonicalize() else {
            return;
        };
        self.dirs
            .push((root.clone(), format!("the input folder {}", dir.display())));
        // session folders are one or two levels below a patient folder; a bounded walk
        let mut stack = vec![(root, 0usize)];
        let mut seen = 0usize;
        while let Some((d, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                seen += 1;
                if seen > 100_000 {
                    return;
                }
                let p = e.path();
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_dir() && depth < 3 {
                    stack.push((p, depth + 1));
                } else if let Ok(c) = p.canonicalize() {
                    let what = if c.file_name().is_some_and(|n| n == SESSION_FILE) {
                        format!("the session description {}", c.display())
                    } else {
                        format!("the input file {}", c.display())
                    };
                    self.files.push((c, what));
                }
            }
        }
    }

    /// Refuses an output file that is one of the inputs (or an input folder).
    pub fn check_output_file(&self, option: &str, path: &Path) -> anyhow::Result<()> {
        if let Some(target) = canonical_target(path) {
            for (input, what) in self.files.iter().chain(&self.dirs) {
                if *input == target {
                    bail!(
                        "{option} {}: this is {what}; writing there would destroy it. Choose another output path",
                        path.display()
                    );
                }
            }
        }
        Ok(())
    }

    /// Refuses an output folder that is an input folder or lies inside a session folder.
    pub fn check_output_dir(&self, option: &str, path: &Path) -> anyhow::Result<()> {
        if let Some(target) = canonical_target(path) {
            for (input, what) in self.files.iter().chain(&self.dirs) {
                if *input == target {
                    bail!(
                        "{option} {}: this is {what}; writing the results into it would mix them with (or replace) the recording. Choose another folder",
                        path.display()
                    );
                }
            }
            let mut p = Some(target.as_path());
            while let Some(d) = p {
                if d.join(SESSION_FILE).is_file() {
                    bail!(
                        "{option} {}: this is inside the session folder {}; the results would mix with the recording. Choose another folder",
                        path.display(),
                        d.display()
                    );
                }
                p = d.parent();
            }
        }
        Ok(())
    }
}

/// Refuses several outputs naming the same file.
pub fn check_distinct(outputs: &[(&str, &Path)]) -> anyhow::Result<()> {
    for (i, (a, pa)) in outputs.iter().enumerate() {
        for (b, pb) in &outputs[..i] {
            let same = match (canonical_target(pa), canonical_target(pb)) {
                (Some(x), Some(y)) => x == y,
                _ => pa == pb,
            };
            if same {
                bail!(
                    "{b} and {a} name the same file {}; give each output its own file",
                    pa.display()
                );
            }
        }
    }
    Ok(())
}

/// The canonical path `path` refers to, for an existing path or one whose parent exists.
fn canonical_target(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = path.canonicalize() {
        return Some(c);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// Creates the folder `dir` (and its parents) with a message that names what is in the way.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    if let Some(blocker) = dir.ancestors().find(|a| a.is_file()) {
        bail!(
            "cannot create the folder {}: {} is a file, not a folder; choose another path",
            dir.display(),
            blocker.display()
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the folder {}: {}",
            dir.display(),
            describe_io(&e)
        )
    })
}

/// Creates (or truncates) the output file `path`, creating its folder first.
pub fn create_file(path: &Path) -> anyhow::Result<File> {
    if path.is_dir() {
        bail!(
            "cannot write {}: it is a folder; give a file name",
            path.display()
        );
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Some(blocker) = parent.ancestors().find(|a| a.is_file()) {
            bail!(
                "cannot write {}: {} is a file, not a folder; choose another path",
                path.display(),
                blocker.display()
            );
        }
        create_dir(parent)?;
    }
    File::create(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {}", path.display(), describe_io(&e)))
}

/// Writes `bytes` to the output file `path` (creating its folder).
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = create_file(path)?;
    f.write_all(bytes.as_ref())
        .and_then(|_| f.flush())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), describe_io(&e)))
}

/// An input that must be an existing folder (session, visit or patient folder).
pub fn existing_folder(path: &Path, what: &str) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{}: no such file or folder, so not {what}; check the path",
            path.display()
        ),
        Err(e) => bail!("{}: {}", path.display(), describe_io(&e)),
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => bail!("{}: is a file, not {what}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_onto_inputs_are_refused_by_canonical_path() {
        let root = tempfile::tempdir().unwrap();
        let s = root.path().join("s1");
        std::fs::create_dir(&s).unwrap();
        std::fs::write(s.join(SESSION_FILE), "{}").unwrap();
        std::fs::write(s.join("lb.csv"), "x").unwrap();
        let mut inputs = Inputs::default();
        inputs.folder(&s);
        let sneaky = s.join("..").join("s1").join("lb.csv");
        let e = inputs
            .check_output_file("--csv", &sneaky)
            .unwrap_err()
            .to_string();
        assert!(e.contains("would destroy it"), "{e}");
        let e = inputs
            .check_output_file("--json", &s.join(SESSION_FILE))
            .unwrap_err()
            .to_string();
        assert!(e.contains("the session description"), "{e}");
        assert!(inputs
            .check_output_file("--json", &root.path().join("a.json"))
            .is_ok());
        assert!(inputs.check_output_dir("--out", &s).is_err());
        assert!(inputs.check_output_dir("--out", &s.join("charts")).is_err());
        assert!(inputs
            .check_output_dir("--out", &root.path().join("out"))
            .is_ok());
        let a = root.path().join("a.csv");
        assert!(
            check_distinct(&[("--csv", &a), ("--json", &root.path().join("./a.csv"))]).is_err()
        );
    }

    #[test]
    fn a_file_in_the_way_of_an_output_folder_is_named() {
        let root = tempfile::tempdir().unwrap();
        let f = root.path().join("file.txt");
        std::fs::write(&f, "x").unwrap();
        let e = create_file(&f.join("r.html")).unwrap_err().to_string();
        assert!(
            e.contains("cannot write") && e.contains("file.txt is a file, not a folder"),
            "{e}"
        );
    }
}
