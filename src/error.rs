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
    /// The input file could not be read or the output could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
