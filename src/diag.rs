//! Diagnostics: what every parser returns instead of failing.
//!
//! Parsers never fail (rust-analyzer's rule): they return what they could make of
//! the input plus a list of `Diagnostic`s. The text mirrors `systemd-analyze verify`:
//! `FILE:LINE: message` when a line is known, `UNIT: message` otherwise.

use std::fmt;
use std::path::PathBuf;

/// How bad a diagnostic is. `Error` means the unit (or inetd entry) it names
/// does not load; `Warning` means a setting was ignored and loading went on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One message about the configuration, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// File the message is about, if any.
    pub file: Option<PathBuf>,
    /// 1-based line number in `file`; 0 when the message is about the whole file or unit.
    pub line: u32,
    /// Unit (or generated unit) the message is about, if known.
    pub unit: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn warning_at(file: impl Into<PathBuf>, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            file: Some(file.into()),
            line,
            unit: None,
            message: message.into(),
        }
    }

    pub fn error_at(file: impl Into<PathBuf>, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..Diagnostic::warning_at(file, line, message)
        }
    }

    pub fn unit_warning(unit: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            file: None,
            line: 0,
            unit: Some(unit.into()),
            message: message.into(),
        }
    }

    pub fn unit_error(unit: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..Diagnostic::unit_warning(unit, message)
        }
    }

    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE: message` as `systemd-analyze verify` prints it; `UNIT: message`
    /// when no line is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, &self.unit) {
            (Some(file), line, _) if line > 0 => {
                write!(f, "{}:{}: {}", file.display(), line, self.message)
            }
            (_, _, Some(unit)) => write!(f, "{}: {}", unit, self.message),
            (Some(file), _, None) => write!(f, "{}: {}", file.display(), self.message),
            (None, _, None) => write!(f, "{}", self.message),
        }
    }
}

/// A list of diagnostics, in the order they were found.
pub type Diagnostics = Vec<Diagnostic>;
