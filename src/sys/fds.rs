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
