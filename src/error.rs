//! Error type of the library: every input problem names the file, the line (when there is
//! one) and what is wrong, so a user can fix the recording without reading code.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in the input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based line number in a text file (the CSV header is line 1).
    pub line: Option<u64>,
}

impl Location {
    pub fn file(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            line: None,
        }
    }

    pub fn line(path: impl AsRef<Path>, line: u64) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}", self.path.display(), line),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file exists but its content is unusable.
    #[error("{location}: {problem}")]
    Input { location: Location, problem: String },
    /// The input file could not be read or the output could not be written. The OS error is
    /// part of the message (and deliberately not a `source`, so chained error printing does not
    /// repeat it).
    #[error("{}: {}", path.display(), describe_io(io))]
    Io { path: PathBuf, io: std::io::Error },
    /// The recording is valid but holds too little of what the analysis needs.
    #[error("{0}")]
    NotEnoughData(String),
    /// A request the analysis cannot serve (wrong task, missing sensor, ...).
    #[error("{0}")]
    Unsupported(String),
}

impl Error {
    pub fn input(location: Location, problem: impl Into<String>) -> Self {
        Error::Input {
            location,
            problem: problem.into(),
        }
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            io: source,
        }
    }
}

/// An OS error in plain words, without the "(os error N)" suffix, with what to do for the
/// common kinds.
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or folder; check the path".into(),
        K::PermissionDenied => "permission denied; check the file's permissions".into(),
        K::AlreadyExists => "already exists".into(),
        K::IsADirectory => "is a folder, not a file".into(),
        K::NotADirectory => "a part of this path is a file, not a folder".into(),
        K::StorageFull => "the disk is full".into(),
        K::ReadOnlyFilesystem => "the file system is read-only".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// Most bytes of user data quoted in a message; longer values are cut and their length given.
pub const MAX_QUOTED_BYTES: usize = 40;

/// `bytes` as text for a message: at most [`MAX_QUOTED_BYTES`], control characters escaped,
/// and the full length when it was cut (a 10 MB field must not become a 10 MB message).
pub fn quote_bytes(bytes: &[u8]) -> String {
    let cut = bytes.len() > MAX_QUOTED_BYTES;
    let shown = &bytes[..bytes.len().min(MAX_QUOTED_BYTES)];
    let mut out: String = String::from_utf8_lossy(shown)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if cut {
        out.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_said_once_without_the_error_number() {
        let e = Error::io("/x/y.csv", std::io::Error::from_raw_os_error(2));
        assert_eq!(
            e.to_string(),
            "/x/y.csv: no such file or folder; check the path"
        );
        assert!(std::error::Error::source(&e).is_none());
        let anyhow_text = format!("{:#}", anyhow::Error::from(e).context("reading"));
        assert_eq!(
            anyhow_text,
            "reading: /x/y.csv: no such file or folder; check the path"
        );
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(quote_bytes(b"abc"), "abc");
        let long = vec![b'x'; 10_000_000];
        let q = quote_bytes(&long);
        assert!(q.len() < 80 && q.ends_with("(10000000 bytes)"), "{q}");
        assert_eq!(quote_bytes(b"a\0b\n"), "a\\u{0}b\\n");
    }
}
