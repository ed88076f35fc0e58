//! The daemon's log backend for the `log` facade: plain lines on stderr, without
//! timestamps (a container runtime or the journal adds its own), prefixed with a
//! syslog-style `<N>` level when stderr is the journal (`JOURNAL_STREAM`), so
//! journald records the right priority (sd-daemon(3) "SD_ERR").

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct StderrLogger {
    level: LevelFilter,
    journal_prefix: bool,
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Logs from dependencies (zbus…) only at debug.
        if !record.target().starts_with("activator") && record.level() > Level::Warn {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = if self.journal_prefix {
            let prio = match record.level() {
                Level::Error => 3,
                Level::Warn => 4,
                Level::Info => 6,
                Level::Debug | Level::Trace => 7,
            };
            writeln!(err, "<{prio}>{}", record.args())
        } else {
            let tag = match record.level() {
                Level::Error => "error: ",
                Level::Warn => "warning: ",
                _ => "",
            };
            writeln!(err, "activatord: {tag}{}", record.args())
        };
    }

    fn flush(&self) {}
}

/// Parse `error|warn|info|debug|trace`.
pub fn parse_level(s: &str) -> Option<LevelFilter> {
    s.parse().ok()
}

/// Install the logger once; later calls are ignored.
pub fn init(level: LevelFilter) {
    let journal_prefix = std::env::var_os("JOURNAL_STREAM").is_some();
    let logger = Box::new(StderrLogger {
        level,
        journal_prefix,
    });
    if log::set_boxed_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}
