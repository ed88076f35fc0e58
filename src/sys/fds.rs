//! Small fd helpers: O_NONBLOCK / FD_CLOEXEC flags, fd type checks.

use std::os::fd::BorrowedFd;

use super::Errno;

/// Set or clear O_NONBLOCK on the open file description behind `fd`.
pub fn set_nonblocking(fd: BorrowedFd<'_>, on: bool) -> Result<(), Errno> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    let new = if on {
        flags | OFlag::O_NONBLOCK
    } else {
        flags - OFlag::O_NONBLOCK
    };
    if new != flags {
        fcntl(fd, FcntlArg::F_SETFL(new))?;
    }
    Ok(())
}

/// Set or clear FD_CLOEXEC on `fd`.
pub fn set_cloexec(fd: BorrowedFd<'_>, on: bool) -> Result<(), Errno> {
    use nix::fcntl::{fcntl, FcntlArg, FdFlag};
    let flags = FdFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFD)?);
    let new = if on {
        flags | FdFlag::FD_CLOEXEC
    } else {
        flags - FdFlag::FD_CLOEXEC
    };
    if new != flags {
        fcntl(fd, FcntlArg::F_SETFD(new))?;
    }
    Ok(())
}

/// Take ownership of an inherited fd number (a re-exec hands its sockets to the
/// new image by number). None when `raw` is not an open fd. The fd gets FD_CLOEXEC.
pub fn adopt_raw_fd(raw: std::os::fd::RawFd) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    if raw < 3 {
        return None;
    }
    // SAFETY: F_GETFD only inspects the descriptor table; no memory is touched.
    if unsafe { libc::fcntl(raw, libc::F_GETFD) } < 0 {
        return None;
    }
    // SAFETY: `raw` is open (checked above) and, by the re-exec protocol, owned by
    // nobody else in this process: it was listed in the serialized state that only
    // this function consumes, once per fd.
    let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(raw) };
    let _ = set_cloexec(std::os::fd::AsFd::as_fd(&fd), true);
    Some(fd)
}

/// Open `/dev/null` on whichever of fds 0, 1 and 2 is closed, as Rust's own
/// start-up does (`sys::init` → `sanitize_standard_fds`) for binaries that use it:
/// otherwise the first socket or log file would become stdin or stderr. For a
/// binary that starts without Rust's `lang_start` (see `src/bin/activatord.rs`);
/// call it before anything opens an fd. Fails only when /dev/null cannot be opened.
pub fn sanitize_standard_fds() -> Result<(), Errno> {
    use nix::fcntl::{open, OFlag};
    use nix::sys::stat::Mode;
    use std::os::fd::IntoRawFd;
    // One poll(2) for the three, as Rust's start-up does: POLLNVAL marks a closed fd.
    // Raw numbers, not std::io's handles, whose first use allocates their buffers.
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a live array of three pollfd for the duration of the call,
    // and poll writes only their `revents`; a zero timeout never blocks.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } >= 0;
    for p in fds {
        let closed = if polled {
            p.revents & libc::POLLNVAL != 0
        } else {
            // poll itself failed (EINVAL under a tiny RLIMIT_NOFILE): ask each fd.
            // SAFETY: F_GETFD only inspects the descriptor table; no memory is touched.
            let r = unsafe { libc::fcntl(p.fd, libc::F_GETFD) };
            r < 0 && Errno::last() == Errno::EBADF
        };
        if closed {
            // The lowest free number is this one: the ones below are open by now.
            let _ = open("/dev/null", OFlag::O_RDWR, Mode::empty())?.into_raw_fd();
        }
    }
    Ok(())
}
