//! The closed set of things the event loop reacts to, and how epoll tokens map to them.

use crate::sys::signals::ExitStatus;

use super::timers::Timer;

/// One thing that happened. The loop turns every wakeup into `Event`s and hands
/// each to `Engine::handle`, the only code that changes engine state.
#[derive(Debug)]
pub enum Event {
    /// A listening fd (`socket`, `fd` index in its Listen list) is readable: a
    /// connection to accept or a datagram to read/hand over.
    ListenerReadable { socket: usize, fd: usize },
    /// A built-in stream connection is readable and/or writable.
    BuiltinIo {
        conn: usize,
        readable: bool,
        writable: bool,
    },
    /// A child process ended (already reaped).
    ChildExited { pid: i32, status: ExitStatus },
    /// A timer fired.
    Timer(Timer),
    /// A signal arrived through the signalfd (SIGCHLD is turned into ChildExited).
    Signal(i32),
    /// The notify socket is readable.
    NotifyReadable,
    /// A request from the control plane.
    Control(super::control::ControlMessage),
    /// The first client knocks on a control socket whose plane is not started.
    ControlClient,
}

/// epoll token kinds (top byte of the u64).
pub const TOKEN_SIGNAL: u64 = 1;
pub const TOKEN_LISTENER: u64 = 2;
pub const TOKEN_BUILTIN: u64 = 3;
pub const TOKEN_CONTROL: u64 = 4;
pub const TOKEN_NOTIFY: u64 = 5;
pub const TOKEN_CONTROL_LISTENER: u64 = 6;

pub fn control_listener_token() -> u64 {
    TOKEN_CONTROL_LISTENER << 56
}

pub fn notify_token() -> u64 {
    TOKEN_NOTIFY << 56
}

pub fn control_token() -> u64 {
    TOKEN_CONTROL << 56
}

pub fn listener_token(socket: usize, fd: usize) -> u64 {
    (TOKEN_LISTENER << 56) | ((socket as u64) << 16) | (fd as u64 & 0xffff)
}

pub fn builtin_token(conn: usize) -> u64 {
    (TOKEN_BUILTIN << 56) | conn as u64
}

pub fn signal_token() -> u64 {
    TOKEN_SIGNAL << 56
}

/// Split a token into (kind, id, sub).
pub fn decode(token: u64) -> (u64, usize, usize) {
    let kind = token >> 56;
    match kind {
        TOKEN_LISTENER => (
            kind,
            ((token >> 16) & 0xff_ffff_ffff) as usize,
            (token & 0xffff) as usize,
        ),
        _ => (kind, (token & 0x00ff_ffff_ffff_ffff) as usize, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        assert_eq!(decode(listener_token(7, 3)), (TOKEN_LISTENER, 7, 3));
        assert_eq!(decode(builtin_token(99)), (TOKEN_BUILTIN, 99, 0));
        assert_eq!(decode(signal_token()).0, TOKEN_SIGNAL);
    }
}
