//! Value grammars of the unit language (systemd.syntax(7), systemd.time(7)):
//! booleans, time spans, IEC sizes, modes, signals, exit-status lists, rlimits.
//!
//! Each parser takes the already-trimmed, specifier-expanded value and returns a typed
//! value or a `ValueError` whose text is the errno-style reason systemd prints after
//! "Failed to parse … value, ignoring: …".

use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// Microseconds, systemd's internal time unit. `Usec::INFINITY` is `u64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Usec(pub u64);

impl Usec {
    pub const INFINITY: Usec = Usec(u64::MAX);

    pub const fn from_secs(s: u64) -> Usec {
        Usec(s * 1_000_000)
    }

    pub const fn from_millis(ms: u64) -> Usec {
        Usec(ms * 1_000)
    }

    pub fn is_infinity(self) -> bool {
        self.0 == u64::MAX
    }

    /// As a `Duration`; None for infinity.
    pub fn to_duration(self) -> Option<Duration> {
        if self.is_infinity() {
            None
        } else {
            Some(Duration::from_micros(self.0))
        }
    }
}

impl fmt::Display for Usec {
    /// systemd's `format_timespan` style: `1min 30s`, `100ms`, `infinity`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_infinity() {
            return f.write_str("infinity");
        }
        if self.0 == 0 {
            return f.write_str("0");
        }
        const UNITS: [(&str, u64); 9] = [
            ("y", 31_557_600_000_000),
            ("month", 2_629_800_000_000),
            ("w", 604_800_000_000),
            ("d", 86_400_000_000),
            ("h", 3_600_000_000),
            ("min", 60_000_000),
            ("s", 1_000_000),
            ("ms", 1_000),
            ("us", 1),
        ];
        let mut rest = self.0;
        let mut first = true;
        for (name, size) in UNITS {
            if rest >= size {
                let n = rest / size;
                rest %= size;
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{n}{name}")?;
                first = false;
            }
        }
        Ok(())
    }
}

/// Why a value did not parse. Displayed as the reason systemd gives
/// (`Invalid argument`, `Numerical result out of range`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("Invalid argument")]
    Invalid,
    #[error("Numerical result out of range")]
    OutOfRange,
    #[error("{0}")]
    Other(String),
}
