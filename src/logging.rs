//! The daemon's log backend for the `log` facade.
//!
//! In a shell or a container: plain `activatord: …` lines on stderr, without
//! timestamps (the container runtime adds its own). Under systemd, when stderr *is*
//! the journal stream (`JOURNAL_STREAM` names stderr's `st_dev:st_ino`, the check
//! sd_journal_stream_fd(3) and systemd.exec(5) "$JOURNAL_STREAM" document), entries
//! go to journald's native socket (systemd-journald.service(8) "native protocol":
//! one datagram of `KEY=VALUE\n` fields) with `PRIORITY=`, `SYSLOG_IDENTIFIER=` and
//! `ACTIVATOR_UNIT=` when the message is about a unit (`foo.socket: …`), so
//! `journalctl ACTIVATOR_UNIT=foo.socket` shows one unit's events. Without that socket
//! the lines go to stderr with an `<N>` priority prefix, which journald parses
//! (sd-daemon(3) "SD_ERR").
//!
//! With `--syslog[=PATH]` every line goes to the syslog socket (`/dev/log`) as
//! `<PRI>activatord[PID]: message` with facility `daemon` (RFC 3164 without the
//! timestamp, which journald and rsyslog add on reception); if a send fails the
//! line goes to stderr.

use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use log::{Level, LevelFilter, Log, Metadata, Record};

/// journald's native protocol socket.
pub const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// The `SYSLOG_IDENTIFIER=` of our entries.
const IDENTIFIER: &str = "activatord";

/// Where log lines go.
enum Sink {
    /// `activatord: [error: |warning: ]message`.
    Stderr,
    /// `<N>message` on stderr (stderr is the journal stream).
    JournalStream,
    /// Native journal entries to the socket at the path (sent by path each time,
    /// so a restarted journald is found again); `<N>message` on stderr if a send
    /// fails.
    Journal(UnixDatagram, PathBuf),
    /// syslog lines to the socket at the path (sent by path each time, like the
    /// journal); a plain stderr line if a send fails.
    Syslog(UnixDatagram, PathBuf),
}

struct Logger {
    level: LevelFilter,
    sink: Sink,
}

impl Log for Logger {
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
        let message = record.args().to_string();
        let prio = priority(record.level());
        match &self.sink {
            Sink::Stderr => write_stderr(&stderr_line(record.level(), &message)),
            Sink::JournalStream => write_stderr(&format!("<{prio}>{message}\n")),
            Sink::Journal(socket, path) => {
                let entry = journal_entry(&message, prio, record.module_path(), record.line());
                if socket.send_to(&entry, path).is_err() {
                    write_stderr(&format!("<{prio}>{message}\n"));
                }
            }
            Sink::Syslog(socket, path) => {
                if socket
                    .send_to(syslog_line(prio, &message).as_bytes(), path)
                    .is_err()
                {
                    write_stderr(&stderr_line(record.level(), &message));
                }
            }
        }
    }

    fn flush(&self) {}
}

fn write_stderr(line: &str) {
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The plain stderr line (tests grep these; keep the format).
fn stderr_line(level: Level, message: &str) -> String {
    let tag = match level {
        Level::Error => "error: ",
        Level::Warn => "warning: ",
        _ => "",
    };
    format!("activatord: {tag}{message}\n")
}

/// syslog(3) priority of a log level.
fn priority(level: Level) -> u8 {
    match level {
        Level::Error => 3,
        Level::Warn => 4,
        Level::Info => 6,
        Level::Debug | Level::Trace => 7,
    }
}

/// Parse `error|warn|info|debug|trace`.
pub fn parse_level(s: &str) -> Option<LevelFilter> {
    s.parse().ok()
}

/// Install the logger once; later calls are ignored.
pub fn init(level: LevelFilter) {
    let journal_stream = std::env::var("JOURNAL_STREAM").ok();
    install(
        level,
        choose_sink(journal_stream.as_deref(), Path::new(JOURNAL_SOCKET)),
    );
}

/// Install the logger with syslog output through the socket at `path`; stderr
/// when no socket can be made.
pub fn init_syslog(level: LevelFilter, path: &Path) {
    let sink = match UnixDatagram::unbound() {
        Ok(s) => Sink::Syslog(s, path.to_path_buf()),
        Err(_) => Sink::Stderr,
    };
    install(level, sink);
}

/// Install the logger once; later calls are ignored.
fn install(level: LevelFilter, sink: Sink) {
    if log::set_boxed_logger(Box::new(Logger { level, sink })).is_ok() {
        log::set_max_level(level);
    }
}

/// syslog facility `daemon` (3), as syslog(3) `LOG_DAEMON`.
const LOG_DAEMON: u8 = 3 << 3;

/// One syslog datagram: `<PRI>activatord[PID]: message`.
fn syslog_line(prio: u8, message: &str) -> String {
    format!(
        "<{}>{IDENTIFIER}[{}]: {message}",
        LOG_DAEMON | prio,
        std::process::id()
    )
}

fn choose_sink(journal_stream: Option<&str>, journal_socket: &Path) -> Sink {
    let Some(js) = journal_stream else {
        return Sink::Stderr;
    };
    if !stderr_is(js) {
        // Inherited from a parent whose stderr was the journal; ours is not.
        return Sink::Stderr;
    }
    match journal_socket_at(journal_socket) {
        Some(s) => Sink::Journal(s, journal_socket.to_path_buf()),
        None => Sink::JournalStream,
    }
}

/// Whether `JOURNAL_STREAM` (`DEV:INO`, decimal) names our stderr.
fn stderr_is(journal_stream: &str) -> bool {
    let Some((dev, ino)) = parse_journal_stream(journal_stream) else {
        return false;
    };
    // dev_t/ino_t are not u64 on every target.
    #[allow(clippy::unnecessary_cast)]
    match nix::sys::stat::fstat(std::io::stderr().as_fd()) {
        Ok(st) => st.st_dev as u64 == dev && st.st_ino as u64 == ino,
        Err(_) => false,
    }
}

fn parse_journal_stream(s: &str) -> Option<(u64, u64)> {
    let (dev, ino) = s.trim().split_once(':')?;
    Some((dev.parse().ok()?, ino.parse().ok()?))
}

/// An unbound datagram socket, if journald listens at `path` (a test connect).
fn journal_socket_at(path: &Path) -> Option<UnixDatagram> {
    UnixDatagram::unbound().ok()?.connect(path).ok()?;
    UnixDatagram::unbound().ok()
}

/// One native-protocol datagram: `KEY=VALUE\n` fields; a value with a newline is
/// sent as `KEY\n`, its length as 64-bit little endian, the bytes and `\n`.
fn journal_entry(message: &str, prio: u8, module: Option<&str>, line: Option<u32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 128);
    field(&mut out, "MESSAGE", message);
    field(&mut out, "PRIORITY", &prio.to_string());
    field(&mut out, "SYSLOG_IDENTIFIER", IDENTIFIER);
    if let Some(unit) = message_unit(message) {
        field(&mut out, "ACTIVATOR_UNIT", unit);
    }
    if let Some(m) = module {
        field(&mut out, "CODE_MODULE", m);
    }
    if let Some(l) = line {
        field(&mut out, "CODE_LINE", &l.to_string());
    }
    out
}

fn field(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(key.as_bytes());
    if value.contains('\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        out.push(b'=');
    }
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// The unit a message is about: its text up to the first `: `, if that is a valid
/// unit name (`foo.socket`, `foo@x.service`).
fn message_unit(message: &str) -> Option<&str> {
    let (head, _) = message.split_once(": ")?;
    let name = crate::unit::name::parse_unit_name(head)?;
    (!name.suffix.is_empty()).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syslog_lines_carry_facility_daemon_and_the_pid() {
        let line = syslog_line(priority(Level::Error), "x.socket: failed");
        assert_eq!(
            line,
            format!("<27>activatord[{}]: x.socket: failed", std::process::id())
        );
        assert!(syslog_line(priority(Level::Info), "m").starts_with("<30>"));
    }

    #[test]
    fn stderr_format_is_stable() {
        assert_eq!(
            stderr_line(Level::Error, "x failed"),
            "activatord: error: x failed\n"
        );
        assert_eq!(stderr_line(Level::Warn, "w"), "activatord: warning: w\n");
        assert_eq!(
            stderr_line(Level::Info, "Started: 1"),
            "activatord: Started: 1\n"
        );
    }

    #[test]
    fn unit_field() {
        assert_eq!(message_unit("foo.socket: started"), Some("foo.socket"));
        assert_eq!(
            message_unit("foo@1-2.service: exited"),
            Some("foo@1-2.service")
        );
        assert_eq!(message_unit("Started: 3 of 3"), None);
        assert_eq!(message_unit("/etc/x/foo.socket:3: bad"), None);
        assert_eq!(message_unit("no colon here"), None);
    }

    #[test]
    fn native_entry_fields() {
        let e = journal_entry("a.socket: up", 6, Some("activator::engine"), Some(7));
        assert_eq!(
            String::from_utf8(e).expect("utf8"),
            "MESSAGE=a.socket: up\nPRIORITY=6\nSYSLOG_IDENTIFIER=activatord\n\
             ACTIVATOR_UNIT=a.socket\nCODE_MODULE=activator::engine\nCODE_LINE=7\n"
        );
    }

    #[test]
    fn multiline_value_is_length_prefixed() {
        let mut out = Vec::new();
        field(&mut out, "MESSAGE", "a\nb");
        let mut want = b"MESSAGE\n".to_vec();
        want.extend_from_slice(&3u64.to_le_bytes());
        want.extend_from_slice(b"a\nb\n");
        assert_eq!(out, want);
    }

    #[test]
    fn journal_stream_parse() {
        assert_eq!(parse_journal_stream("8:12345"), Some((8, 12345)));
        assert_eq!(parse_journal_stream("8-12345"), None);
        assert_eq!(parse_journal_stream("x:1"), None);
    }

    #[test]
    fn sink_choice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sock = dir.path().join("journal");
        assert!(matches!(choose_sink(None, &sock), Sink::Stderr));
        // Does not name our stderr.
        assert!(matches!(choose_sink(Some("0:0"), &sock), Sink::Stderr));
        let st = nix::sys::stat::fstat(std::io::stderr().as_fd()).expect("fstat");
        let ours = format!("{}:{}", st.st_dev, st.st_ino);
        // Socket missing: stderr with <N> prefixes.
        assert!(matches!(
            choose_sink(Some(&ours), &sock),
            Sink::JournalStream
        ));
        let rx = UnixDatagram::bind(&sock).expect("bind");
        let sink = choose_sink(Some(&ours), &sock);
        assert!(matches!(sink, Sink::Journal(..)));
        let logger = Logger {
            level: LevelFilter::Info,
            sink,
        };
        logger.log(
            &Record::builder()
                .args(format_args!("echo.socket: listening"))
                .level(Level::Warn)
                .target("activator::engine")
                .build(),
        );
        rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = [0u8; 4096];
        let n = rx.recv(&mut buf).expect("entry");
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(text.starts_with("MESSAGE=echo.socket: listening\nPRIORITY=4\n"));
        assert!(text.contains("\nSYSLOG_IDENTIFIER=activatord\n"));
        assert!(text.contains("\nACTIVATOR_UNIT=echo.socket\n"));
    }
}
