//! A config error names the file, the line and the key, so the operator can go straight to it.

use std::fmt;
use std::path::PathBuf;

/// What is wrong with a config file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {message}", file.display())]
    Read {
        /// The config file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// A value or key is wrong.
    #[error("{}", Located { file, line: *line, key, message })]
    Invalid {
        /// The config file.
        file: PathBuf,
        /// 1-based line, where the error has a place in the file.
        line: Option<usize>,
        /// The key, as a dotted path, e.g. `integration[stripe-main].settings.mode`.
        key: String,
        /// What is wrong, in words.
        message: String,
    },
}

struct Located<'a> {
    file: &'a PathBuf,
    line: Option<usize>,
    key: &'a str,
    message: &'a str,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    /// The line the error is about, if it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Invalid { line, .. } => *line,
            ConfigError::Read { .. } => None,
        }
    }

    /// The key the error is about ("" when it is about the whole file).
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Invalid { key, .. } => key,
            ConfigError::Read { .. } => "",
        }
    }
}
