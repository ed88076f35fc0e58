//! activatord's side of the sd_notify protocol toward an *outer* service manager:
//! systemd (or podman `--sdnotify=container`) running activatord as `Type=notify`.
//!
//! The manager passes `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket) and,
//! with `WatchdogSec=`, `WATCHDOG_USEC`/`WATCHDOG_PID`. We send newline-separated
//! `KEY=VALUE` datagrams (sd_notify(3), systemd.md §4.7): `READY=1` once every socket
//! listens, `STATUS=` with a one-line summary, `RELOADING=1` + `MONOTONIC_USEC=` and
//! then `READY=1` around a reload, `STOPPING=1` on shutdown, `WATCHDOG=1` pings.
//! The manager needs no credentials from us: the kernel attaches SCM_CREDENTIALS
//! itself because the receiver sets SO_PASSCRED.
//!
//! Like sd_notify(3) with `unset_environment`, `from_env` removes the variables so
//! the processes we spawn never talk to *our* manager. Sending never fails the
//! daemon: the first error is logged at debug level, later ones are silent.

use std::ffi::CString;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The variables sd_notify(3) consumes.
const ENV_VARS: [&str; 3] = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

/// A connection to the outer service manager's notify socket.
#[derive(Debug)]
pub struct Supervisor {
    socket: UnixDatagram,
    addr: SocketAddr,
    /// `NOTIFY_SOCKET` as given, for a re-exec of ourselves.
    notify_socket: String,
    watchdog: Option<Duration>,
    last_ping: Mutex<Option<Instant>>,
    send_failed: AtomicBool,
}

impl Supervisor {
    /// Read `NOTIFY_SOCKET` (and the watchdog variables) and remove all three from
    /// our environment. `None` when we do not run under a notify-aware manager or
    /// the address is unusable.
    ///
    /// Call it before any thread exists: it changes the process environment.
    pub fn from_env() -> Option<Supervisor> {
        let vars: Vec<Option<String>> = ENV_VARS
            .iter()
            .map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .collect();
        for k in ENV_VARS {
            // Edition 2021: safe; single-threaded here per the doc above.
            std::env::remove_var(k);
        }
        let notify = vars[0].clone()?;
        let watchdog = watchdog_from(vars[1].as_deref(), vars[2].as_deref(), std::process::id());
        Supervisor::connect(&notify, watchdog)
    }

    /// A supervisor for an explicit `NOTIFY_SOCKET` value (tests, re-exec).
    pub fn connect(notify_socket: &str, watchdog: Option<Duration>) -> Option<Supervisor> {
        let addr = match parse_notify_socket(notify_socket) {
            Ok(a) => a,
            Err(why) => {
                log::debug!("NOTIFY_SOCKET={notify_socket}: {why}, not notifying.");
                return None;
            }
        };
        // std creates it SOCK_CLOEXEC: no service we spawn inherits it.
        let socket = match UnixDatagram::unbound() {
            Ok(s) => s,
            Err(e) => {
                log::debug!("Cannot create the notify socket: {e}, not notifying.");
                return None;
            }
        };
        let _ = socket.set_nonblocking(true);
        Some(Supervisor {
            socket,
            addr,
            notify_socket: notify_socket.to_string(),
            watchdog,
            last_ping: Mutex::new(None),
            send_failed: AtomicBool::new(false),
        })
    }

    /// `READY=1` and `STATUS=`: start-up is complete, every socket listens.
    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={}\n", one_line(status)));
    }

    /// `READY=1` after a `reloading()`: the reload is done.
    pub fn ready_again(&self, status: &str) {
        self.ready(status);
    }

    /// `STATUS=`: free text shown by `systemctl status`.
    pub fn status(&self, status: &str) {
        self.send(&format!("STATUS={}\n", one_line(status)));
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (needed by `Type=notify-reload`); must be
    /// followed by `ready_again`.
    pub fn reloading(&self) {
        self.send(&format!(
            "RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=Reloading configuration\n",
            monotonic_usec()
        ));
    }

    /// `STOPPING=1`: we are shutting down (final).
    pub fn stopping(&self) {
        self.send("STOPPING=1\nSTATUS=Stopping\n");
    }

    /// The manager's watchdog interval (`WATCHDOG_USEC`), when it is meant for us.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog
    }

    /// How often to ping: half the interval, as sd_watchdog_enabled(3) recommends.
    pub fn watchdog_period(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 2)
    }

    /// `WATCHDOG=1`.
    pub fn ping_watchdog(&self) {
        if let Ok(mut last) = self.last_ping.lock() {
            *last = Some(Instant::now());
        }
        self.send("WATCHDOG=1\n");
    }

    /// Time until the next ping is due (zero when overdue); `None` without a
    /// watchdog. Cap the event loop's wait with it.
    pub fn watchdog_due_in(&self, now: Instant) -> Option<Duration> {
        let period = self.watchdog_period()?;
        let last = self.last_ping.lock().ok().and_then(|l| *l);
        Some(match last {
            Some(t) => (t + period).saturating_duration_since(now),
            None => Duration::ZERO,
        })
    }

    /// Ping if a watchdog is configured and half its interval has passed since the
    /// last ping. Call it on every turn of the event loop: a stuck loop stops
    /// pinging, which is the point.
    pub fn ping_watchdog_if_due(&self) {
        if self.watchdog_due_in(Instant::now()) == Some(Duration::ZERO) {
            self.ping_watchdog();
        }
    }

    /// `NAME=VALUE` entries to add to the environment of a re-exec of ourselves
    /// (same pid), so the new image finds the manager again.
    pub fn exec_env(&self) -> Vec<CString> {
        let mut out = Vec::new();
        let mut push = |k: &str, v: String| {
            if let Ok(c) = CString::new(format!("{k}={v}")) {
                out.push(c);
            }
        };
        push("NOTIFY_SOCKET", self.notify_socket.clone());
        if let Some(w) = self.watchdog {
            push("WATCHDOG_USEC", w.as_micros().to_string());
            push("WATCHDOG_PID", std::process::id().to_string());
        }
        out
    }

    fn send(&self, msg: &str) {
        if let Err(e) = self.socket.send_to_addr(msg.as_bytes(), &self.addr) {
            if !self.send_failed.swap(true, Ordering::Relaxed) {
                log::debug!(
                    "Cannot notify the service manager at {}: {e}",
                    self.notify_socket
                );
            }
        }
    }
}

/// `NOTIFY_SOCKET` → socket address: `/path` or `@abstract` (sd_notify(3)); `vsock:`
/// forms are not supported.
pub fn parse_notify_socket(s: &str) -> Result<SocketAddr, String> {
    if let Some(name) = s.strip_prefix('@') {
        SocketAddr::from_abstract_name(name.as_bytes()).map_err(|e| e.to_string())
    } else if s.starts_with('/') {
        SocketAddr::from_pathname(s).map_err(|e| e.to_string())
    } else {
        Err("unsupported address (only /path and @abstract)".to_string())
    }
}

/// sd_watchdog_enabled(3): `WATCHDOG_USEC` > 0, and `WATCHDOG_PID` (if set) is us.
pub fn watchdog_from(usec: Option<&str>, pid: Option<&str>, our_pid: u32) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    if let Some(p) = pid {
        if p.trim().parse::<u32>().ok() != Some(our_pid) {
            return None;
        }
    }
    Some(Duration::from_micros(usec))
}

/// `clock_gettime(CLOCK_MONOTONIC)` in µs, the clock `MONOTONIC_USEC=` uses.
pub fn monotonic_usec() -> u64 {
    match nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC) {
        Ok(ts) => (ts.tv_sec() as u64) * 1_000_000 + (ts.tv_nsec() as u64) / 1_000,
        Err(_) => 0,
    }
}

/// A status is one line (the protocol separates fields by newlines).
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_rules() {
        assert_eq!(
            watchdog_from(Some("2000000"), None, 5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            watchdog_from(Some("2000000"), Some("5"), 5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(watchdog_from(Some("2000000"), Some("6"), 5), None);
        assert_eq!(watchdog_from(Some("0"), None, 5), None);
        assert_eq!(watchdog_from(Some("x"), None, 5), None);
        assert_eq!(watchdog_from(None, Some("5"), 5), None);
    }

    #[test]
    fn addresses() {
        assert!(parse_notify_socket("/run/systemd/notify").is_ok());
        let a = parse_notify_socket("@foo").expect("abstract");
        assert_eq!(a.as_abstract_name(), Some(&b"foo"[..]));
        assert!(parse_notify_socket("vsock:2:1234").is_err());
        assert!(parse_notify_socket("relative").is_err());
    }

    #[test]
    fn status_is_one_line() {
        assert_eq!(one_line("a\nb\r"), "a b ");
    }
}
