//! Adopting inherited listening fds, for when activator is itself
//! socket-activated.
//!
//! `take_listen_fds` is the client side of the protocol, as sd-daemon.c's
//! `sd_listen_fds_with_names` with unset_environment=1; `listen_matches` checks,
//! in the manner of sd-daemon's `sd_is_socket_*`, that an inherited fd is what a
//! `Listen*=` entry would have created, so the engine can use it instead of
//! binding again.

use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::addr::{local_address, SockName};
use super::open::{netlink_family, sock_kind};
use super::socket_type;
use crate::sys::sockopt;
use crate::unit::model::{Listen, SocketAddress};

fn same_inode(fd: BorrowedFd<'_>, path: &Path) -> bool {
    let Ok(dup) = fd.try_clone_to_owned() else {
        return false;
    };
    let (Ok(a), Ok(b)) = (std::fs::File::from(dup).metadata(), std::fs::metadata(path)) else {
        return false;
    };
    a.dev() == b.dev() && a.ino() == b.ino()
}

fn address_matches(name: &SockName, want: &SocketAddress) -> bool {
    match (name, want) {
        (
            SockName::Ip(have),
            SocketAddress::Ip {
                addr, port_only, ..
            },
        ) => {
            if *port_only {
                have.port() == addr.port() && have.ip().is_unspecified()
            } else {
                have.port() == addr.port() && have.ip() == addr.ip()
            }
        }
        (SockName::Unix(have), SocketAddress::Unix(p)) => have == p,
        (SockName::Abstract(have), SocketAddress::Abstract(n)) => have.as_slice() == n.as_bytes(),
        (SockName::Vsock { cid, port }, SocketAddress::Vsock { cid: wc, port: wp }) => {
            port == wp && wc.unwrap_or(libc::VMADDR_CID_ANY) == *cid
        }
        _ => false,
    }
}

/// Whether `fd` is what `listen` would create: same socket type, family and bound
/// address (sd_is_socket_* style), listening for stream/seqpacket; for FIFOs and
/// special files the same inode as the path. Used to adopt inherited fds.
pub fn listen_matches(fd: BorrowedFd<'_>, listen: &Listen) -> bool {
    match listen {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => {
            let Some(kind) = sock_kind(fd) else {
                return false;
            };
            if Some(kind.ty) != socket_type(listen) {
                return false;
            }
            if listen.is_accepting()
                && sockopt::get_int(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN) != Ok(1)
            {
                return false;
            }
            local_address(fd).is_some_and(|n| address_matches(&n, a))
        }
        Listen::Fifo(p) | Listen::Special(p) => same_inode(fd, p),
        Listen::Netlink(nl) => {
            let Some(kind) = sock_kind(fd) else {
                return false;
            };
            kind.family == libc::AF_NETLINK
                && netlink_family(&nl.family).is_some_and(|f| {
                    sockopt::get_int(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL) == Ok(f)
                })
        }
        Listen::MessageQueue(_) | Listen::UsbFunction(_) => false,
    }
}

/// sd_listen_fds_with_names(unset_environment=1): when `LISTEN_PID` is our pid,
/// take fds 3..3+LISTEN_FDS, mark them CLOEXEC and name them from
/// `LISTEN_FDNAMES` (`unknown` when absent or when the count does not match,
/// which sd-daemon would reject). The three variables are always removed so our
/// children never see stale values.
pub fn take_listen_fds() -> Vec<(OwnedFd, Option<String>)> {
    let pid = std::env::var("LISTEN_PID").ok();
    let count = std::env::var("LISTEN_FDS").ok();
    let names = std::env::var("LISTEN_FDNAMES").ok();
    for v in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
        std::env::remove_var(v);
    }
    let Some(pid) = pid.and_then(|p| p.trim().parse::<u32>().ok()) else {
        return Vec::new();
    };
    if pid != std::process::id() {
        return Vec::new();
    }
    let Some(n) = count
        .and_then(|c| c.trim().parse::<i32>().ok())
        .filter(|n| *n > 0)
    else {
        return Vec::new();
    };
    let names: Option<Vec<String>> = names.map(|s| s.split(':').map(str::to_string).collect());
    let names = match names {
        Some(v) if v.len() == n as usize => Some(v),
        Some(v) => {
            log::warn!(
                "LISTEN_FDNAMES has {} names for {n} fds, ignoring the names",
                v.len()
            );
            None
        }
        None => None,
    };
    let mut out = Vec::new();
    for i in 0..n {
        let raw: RawFd = 3 + i;
        // SAFETY: F_GETFD only checks that the fd is open.
        if unsafe { libc::fcntl(raw, libc::F_GETFD) } < 0 {
            log::warn!("LISTEN_FDS fd {raw} is not open, skipping");
            continue;
        }
        // SAFETY: the protocol hands fds 3.. to us; nothing else in this process
        // owns them, and we take each exactly once (the variables are now unset).
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let _ = crate::sys::fds::set_cloexec(fd.as_fd(), true);
        let name = names
            .as_ref()
            .and_then(|v| v.get(i as usize).cloned())
            .unwrap_or_else(|| "unknown".to_string());
        out.push((fd, Some(name)));
    }
    out
}
