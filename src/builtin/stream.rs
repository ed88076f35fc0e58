//! Stream builtins: one non-blocking state machine per connection.
//!
//! BSD inetd forks for echo/discard/chargen and writes daytime/time with a
//! blocking write from its main loop. Here every connection is a small state
//! machine the engine drives from epoll: it calls `on_readable`/`on_writable`
//! when the fd is ready (and may call `on_writable` right after accept when
//! `wants_write()` is already true), registers interest per `wants_read()` /
//! `wants_write()`, and closes the fd on `Progress::Close`. No call blocks;
//! echo holds at most `ECHO_BUFFER` bytes and stops reading while they are
//! unsent; chargen writes until EAGAIN (bounded per call for fairness).
//! Writes use MSG_NOSIGNAL, so a vanished peer is an error, not a SIGPIPE.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::SystemTime;

use nix::errno::Errno;
use nix::sys::socket::{recv, send, MsgFlags};

use super::content;
use crate::unit::model::Builtin;

/// Echo's buffer (OpenBSD inetd's BUFSIZE).
pub const ECHO_BUFFER: usize = 4096;
/// At most this many bytes are read or written in one callback, so one fast
/// peer cannot starve the event loop.
const MAX_PER_CALL: usize = 256 * 1024;

/// What the engine does with the connection after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Continue,
    /// Done or failed: close the connection.
    Close,
}

#[derive(Debug)]
enum State {
    Echo {
        buf: Box<[u8; ECHO_BUFFER]>,
        start: usize,
        end: usize,
        eof: bool,
    },
    Discard,
    /// Offset into the repeating chargen period.
    Chargen {
        pos: usize,
        eof: bool,
    },
    /// daytime/time: a fixed reply, then close.
    Reply {
        bytes: Vec<u8>,
        pos: usize,
    },
}

/// One connection served by a builtin.
#[derive(Debug)]
pub struct StreamBuiltin {
    kind: Builtin,
    state: State,
}

/// Result of one read: data, end of stream, nothing now, or a hard error.
enum ReadResult {
    Data(usize),
    Eof,
    Again,
    Error,
}

fn read_some(fd: BorrowedFd<'_>, buf: &mut [u8]) -> ReadResult {
    loop {
        return match recv(fd.as_raw_fd(), buf, MsgFlags::MSG_DONTWAIT) {
            Ok(0) => ReadResult::Eof,
            Ok(n) => ReadResult::Data(n),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => ReadResult::Again,
            Err(_) => ReadResult::Error,
        };
    }
}

/// Send as much of `data` as the socket takes: Ok(bytes sent), Err on a hard error.
fn write_some(fd: BorrowedFd<'_>, data: &[u8]) -> Result<usize, ()> {
    let mut sent = 0;
    while sent < data.len() {
        match send(
            fd.as_raw_fd(),
            &data[sent..],
            MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT,
        ) {
            Ok(0) => break,
            Ok(n) => sent += n,
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => break,
            Err(_) => return Err(()),
        }
    }
    Ok(sent)
}

/// Read and drop input (bounded per call). Returns (still usable, saw EOF).
fn drain(fd: BorrowedFd<'_>) -> (bool, bool) {
    let mut scratch = [0u8; 8192];
    let mut total = 0;
    while total < MAX_PER_CALL {
        match read_some(fd, &mut scratch) {
            ReadResult::Data(n) => total += n,
            ReadResult::Eof => return (true, true),
            ReadResult::Again => return (true, false),
            ReadResult::Error => return (false, false),
        }
    }
    (true, false)
}

impl StreamBuiltin {
    /// State for a new connection; `now` fixes the daytime/time reply.
    pub fn new(kind: Builtin, now: SystemTime) -> Self {
        let state = match kind {
            Builtin::Echo => State::Echo {
                buf: Box::new([0u8; ECHO_BUFFER]),
                start: 0,
                end: 0,
                eof: false,
            },
            Builtin::Discard => State::Discard,
            Builtin::Chargen => State::Chargen { pos: 0, eof: false },
            Builtin::Daytime => State::Reply {
                bytes: content::daytime_bytes(now),
                pos: 0,
            },
            Builtin::Time => State::Reply {
                bytes: content::time_bytes(now).to_vec(),
                pos: 0,
            },
        };
        StreamBuiltin { kind, state }
    }

    pub fn kind(&self) -> Builtin {
        self.kind
    }

    /// The fd is readable (or hung up).
    pub fn on_readable(&mut self, fd: BorrowedFd<'_>) -> Progress {
        match &mut self.state {
            State::Echo {
                buf,
                start,
                end,
                eof,
            } => {
                let mut total = 0;
                while !*eof && *end < ECHO_BUFFER && total < MAX_PER_CALL {
                    match read_some(fd, &mut buf[*end..]) {
                        ReadResult::Data(n) => {
                            *end += n;
                            total += n;
                        }
                        ReadResult::Eof => *eof = true,
                        ReadResult::Again => break,
                        ReadResult::Error => return Progress::Close,
                    }
                    // Echo right away; whatever the socket does not take waits
                    // for on_writable.
                    if echo_flush(fd, buf, start, end).is_err() {
                        return Progress::Close;
                    }
                }
                if *eof && *start == *end {
                    Progress::Close
                } else {
                    Progress::Continue
                }
            }
            State::Discard => match drain(fd) {
                (true, false) => Progress::Continue,
                _ => Progress::Close,
            },
            State::Chargen { eof, .. } => match drain(fd) {
                // BSD's chargen never reads: a half-close does not stop the
                // stream, only a failing write does.
                (true, saw_eof) => {
                    *eof |= saw_eof;
                    Progress::Continue
                }
                (false, _) => Progress::Close,
            },
            State::Reply { .. } => match drain(fd) {
                (true, _) => self.on_writable(fd),
                (false, _) => Progress::Close,
            },
        }
    }

    /// The fd is writable.
    pub fn on_writable(&mut self, fd: BorrowedFd<'_>) -> Progress {
        match &mut self.state {
            State::Echo {
                buf,
                start,
                end,
                eof,
            } => {
                if echo_flush(fd, buf, start, end).is_err() {
                    return Progress::Close;
                }
                if *eof && *start == *end {
                    Progress::Close
                } else {
                    Progress::Continue
                }
            }
            State::Discard => Progress::Continue,
            State::Chargen { pos, .. } => {
                let period = content::chargen_period();
                let mut total = 0;
                while total < MAX_PER_CALL {
                    match write_some(fd, &period[*pos..]) {
                        Err(()) => return Progress::Close,
                        Ok(0) => break,
                        Ok(n) => {
                            total += n;
                            *pos = (*pos + n) % period.len();
                        }
                    }
                }
                Progress::Continue
            }
            State::Reply { bytes, pos } => match write_some(fd, &bytes[*pos..]) {
                Err(()) => Progress::Close,
                Ok(n) => {
                    *pos += n;
                    if *pos >= bytes.len() {
                        Progress::Close
                    } else {
                        Progress::Continue
                    }
                }
            },
        }
    }

    /// Whether to poll for input now.
    pub fn wants_read(&self) -> bool {
        match &self.state {
            State::Echo { end, eof, .. } => !*eof && *end < ECHO_BUFFER,
            State::Discard => true,
            State::Chargen { eof, .. } => !*eof,
            State::Reply { .. } => false,
        }
    }

    /// Whether to poll for output now.
    pub fn wants_write(&self) -> bool {
        match &self.state {
            State::Echo { start, end, .. } => start < end,
            State::Discard => false,
            State::Chargen { .. } => true,
            State::Reply { bytes, pos } => *pos < bytes.len(),
        }
    }
}

/// Send the pending echo bytes; compacts the buffer when everything went out.
fn echo_flush(
    fd: BorrowedFd<'_>,
    buf: &[u8; ECHO_BUFFER],
    start: &mut usize,
    end: &mut usize,
) -> Result<(), ()> {
    if *start < *end {
        *start += write_some(fd, &buf[*start..*end])?;
    }
    if *start == *end {
        *start = 0;
        *end = 0;
    }
    Ok(())
}
