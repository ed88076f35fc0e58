//! Signals: the daemon blocks the ones it handles and reads them from a signalfd.
//!
//! rust.md §1.6 duty checklist: block the handled signals in the main thread
//! before any other thread exists (threads inherit the mask), read them from a
//! signalfd in the event loop, and on SIGCHLD reap with `waitpid(-1, WNOHANG)`
//! until nothing is left, tolerating pids we never spawned. Children reset the
//! mask and every disposition (sys::spawn), so blocking SIGPIPE here is harmless.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd as NixSignalFd};
use nix::unistd::Pid;

use super::SysError;

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit(code)`.
    Exited(i32),
    /// Signal number, core dumped.
    Signaled(i32, bool),
}

/// The signals the daemon handles through its signalfd.
pub fn handled_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGCHLD,
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGPIPE,
        Signal::SIGQUIT,
    ] {
        set.add(s);
    }
    set
}

/// Ignore SIGPIPE, as Rust's start-up does for binaries that use it (activatord
/// starts without it, see `src/bin/activatord.rs`): until the loop blocks it, a
/// write to a closed pipe is an EPIPE error instead of death. Children get the
/// default back (sys::spawn resets every disposition, as std's Command does).
pub fn ignore_sigpipe() {
    use nix::sys::signal::{signal, SigHandler};
    // SAFETY: SIG_IGN installs no handler function, so no code of ours ever runs
    // in signal context.
    if let Err(e) = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) } {
        log::warn!("Failed to ignore SIGPIPE: {e}");
    }
}

/// Block the handled signals in the calling thread (call before any thread starts).
pub fn block_signals() {
    if let Err(e) = handled_signals().thread_block() {
        log::error!("Failed to block signals: {e}");
    }
}

/// A non-blocking, CLOEXEC signalfd for the handled signals.
pub struct SignalFd {
    inner: NixSignalFd,
}

impl SignalFd {
    pub fn new() -> Result<SignalFd, SysError> {
        let inner = NixSignalFd::with_flags(
            &handled_signals(),
            SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
        )
        .map_err(|e| SysError::os("create", "signalfd", e))?;
        Ok(SignalFd { inner })
    }

    /// The raw fd, for registering with epoll.
    pub fn raw_fd(&self) -> RawFd {
        self.as_raw_fd()
    }

    /// Drain every pending signal; returns their numbers in arrival order.
    pub fn read_all(&mut self) -> Vec<i32> {
        let mut out = Vec::new();
        while let Ok(Some(info)) = self.inner.read_signal() {
            out.push(info.ssi_signo as i32);
        }
        out
    }
}

impl AsFd for SignalFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for SignalFd {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_fd().as_raw_fd()
    }
}

/// Reap every exited child: `waitpid(-1, WNOHANG)` until none is left.
pub fn reap_children() -> Vec<(Pid, ExitStatus)> {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    let mut out = Vec::new();
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) => out.push((pid, ExitStatus::Exited(code))),
            Ok(WaitStatus::Signaled(pid, sig, core)) => {
                out.push((pid, ExitStatus::Signaled(sig as i32, core)))
            }
            Ok(WaitStatus::StillAlive) => break,
            // Stopped/continued are not requested (no WUNTRACED/WCONTINUED).
            Ok(_) => continue,
            Err(nix::errno::Errno::EINTR) => continue,
            // ECHILD: no children left.
            Err(_) => break,
        }
    }
    out
}
