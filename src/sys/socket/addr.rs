//! Socket addresses: the kernel's `sockaddr_*` forms, decoding what
//! getsockname/getpeername/accept4 hand back, and what a connection's service is
//! told about its peer.
//!
//! The listening side builds a `RawAddr` to bind; everything else reads one back
//! as a `SockName`. `REMOTE_ADDR`/`REMOTE_PORT` follow systemd.socket(5) Accept=
//! and service.c (`service_spawn`), and `accept_with_peer` keeps the address
//! accept4 returns so a connection costs no extra getpeername().

use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::sys::addr_text::{decimal_string, ip_string};
use crate::sys::Errno;

/// A socket address in kernel form.
pub(super) struct RawAddr {
    pub(super) storage: libc::sockaddr_storage,
    pub(super) len: libc::socklen_t,
}

impl RawAddr {
    fn zeroed() -> RawAddr {
        RawAddr {
            // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
            storage: unsafe { std::mem::zeroed() },
            len: 0,
        }
    }

    /// Copy a concrete sockaddr struct into the storage.
    fn from_struct<T>(value: &T, len: usize) -> RawAddr {
        let mut raw = RawAddr::zeroed();
        debug_assert!(size_of::<T>() <= size_of::<libc::sockaddr_storage>());
        // SAFETY: T is a sockaddr_* struct no larger than sockaddr_storage; both are
        // plain old data and do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (value as *const T).cast::<u8>(),
                (&mut raw.storage as *mut libc::sockaddr_storage).cast::<u8>(),
                size_of::<T>(),
            );
        }
        raw.len = len as libc::socklen_t;
        raw
    }

    pub(super) fn ip(addr: SocketAddr) -> RawAddr {
        match addr {
            SocketAddr::V4(a) => {
                // SAFETY: sockaddr_in is plain old data.
                let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr.s_addr = u32::from(*a.ip()).to_be();
                RawAddr::from_struct(&sin, size_of::<libc::sockaddr_in>())
            }
            SocketAddr::V6(a) => {
                // SAFETY: sockaddr_in6 is plain old data.
                let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_addr.s6_addr = a.ip().octets();
                sin6.sin6_flowinfo = a.flowinfo();
                sin6.sin6_scope_id = a.scope_id();
                RawAddr::from_struct(&sin6, size_of::<libc::sockaddr_in6>())
            }
        }
    }

    /// AF_UNIX; `abstract_name` puts a leading NUL (abstract namespace).
    pub(super) fn unix(name: &[u8], abstract_name: bool) -> Result<RawAddr, Errno> {
        // SAFETY: sockaddr_un is plain old data.
        let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let start = usize::from(abstract_name);
        if name.is_empty() || start + name.len() > sun.sun_path.len() {
            return Err(Errno::ENAMETOOLONG);
        }
        for (i, b) in name.iter().enumerate() {
            sun.sun_path[start + i] = *b as libc::c_char;
        }
        let base = std::mem::offset_of!(libc::sockaddr_un, sun_path);
        // A path gets its NUL counted when it fits; an abstract name never does.
        let len = if abstract_name {
            base + 1 + name.len()
        } else {
            base + (name.len() + 1).min(sun.sun_path.len())
        };
        Ok(RawAddr::from_struct(&sun, len))
    }

    pub(super) fn vsock(cid: Option<u32>, port: u32) -> RawAddr {
        // SAFETY: sockaddr_vm is plain old data.
        let mut svm: libc::sockaddr_vm = unsafe { std::mem::zeroed() };
        svm.svm_family = libc::AF_VSOCK as libc::sa_family_t;
        svm.svm_port = port;
        svm.svm_cid = cid.unwrap_or(libc::VMADDR_CID_ANY);
        RawAddr::from_struct(&svm, size_of::<libc::sockaddr_vm>())
    }

    pub(super) fn netlink(groups: u32) -> RawAddr {
        // SAFETY: sockaddr_nl is plain old data.
        let mut snl: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        snl.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        snl.nl_groups = groups;
        RawAddr::from_struct(&snl, size_of::<libc::sockaddr_nl>())
    }

    fn family(&self) -> libc::c_int {
        self.storage.ss_family as libc::c_int
    }
}

/// A decoded socket address (from getsockname/getpeername).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SockName {
    Ip(SocketAddr),
    Unix(PathBuf),
    /// Abstract name without the leading NUL.
    Abstract(Vec<u8>),
    /// An unbound AF_UNIX socket (socketpair, unnamed client).
    Unnamed,
    Vsock {
        cid: u32,
        port: u32,
    },
    Netlink {
        pid: u32,
        groups: u32,
    },
    Other(libc::c_int),
}

fn decode(raw: &RawAddr) -> SockName {
    let p = (&raw.storage as *const libc::sockaddr_storage).cast::<u8>();
    match raw.family() {
        libc::AF_INET => {
            // SAFETY: the kernel wrote a sockaddr_in for AF_INET; read_unaligned copes
            // with any alignment and the storage is large enough.
            let sin: libc::sockaddr_in = unsafe { std::ptr::read_unaligned(p.cast()) };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            SockName::Ip(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6: libc::sockaddr_in6 = unsafe { std::ptr::read_unaligned(p.cast()) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            SockName::Ip(SocketAddr::V6(SocketAddrV6::new(
                ip,
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        libc::AF_UNIX => {
            // SAFETY: as above, for sockaddr_un.
            let sun: libc::sockaddr_un = unsafe { std::ptr::read_unaligned(p.cast()) };
            let base = std::mem::offset_of!(libc::sockaddr_un, sun_path);
            let n = (raw.len as usize)
                .saturating_sub(base)
                .min(sun.sun_path.len());
            let bytes: Vec<u8> = sun.sun_path[..n].iter().map(|c| *c as u8).collect();
            match bytes.first() {
                None => SockName::Unnamed,
                Some(0) => SockName::Abstract(bytes[1..].to_vec()),
                Some(_) => {
                    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
                    SockName::Unix(PathBuf::from(std::ffi::OsStr::from_bytes(&bytes[..end])))
                }
            }
        }
        libc::AF_VSOCK => {
            // SAFETY: as above, for sockaddr_vm.
            let svm: libc::sockaddr_vm = unsafe { std::ptr::read_unaligned(p.cast()) };
            SockName::Vsock {
                cid: svm.svm_cid,
                port: svm.svm_port,
            }
        }
        libc::AF_NETLINK => {
            // SAFETY: as above, for sockaddr_nl.
            let snl: libc::sockaddr_nl = unsafe { std::ptr::read_unaligned(p.cast()) };
            SockName::Netlink {
                pid: snl.nl_pid,
                groups: snl.nl_groups,
            }
        }
        f => SockName::Other(f),
    }
}

fn sock_name(fd: BorrowedFd<'_>, peer: bool) -> Option<SockName> {
    let mut raw = RawAddr::zeroed();
    raw.len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let ptr = (&mut raw.storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr>();
    // SAFETY: ptr/len describe the writable sockaddr_storage buffer.
    let r = unsafe {
        if peer {
            libc::getpeername(fd.as_raw_fd(), ptr, &mut raw.len)
        } else {
            libc::getsockname(fd.as_raw_fd(), ptr, &mut raw.len)
        }
    };
    (r == 0).then(|| decode(&raw))
}

/// `getsockname()`, decoded.
pub fn local_address(fd: BorrowedFd<'_>) -> Option<SockName> {
    sock_name(fd, false)
}

/// `getpeername()`, decoded.
pub fn peer_address(fd: BorrowedFd<'_>) -> Option<SockName> {
    sock_name(fd, true)
}

/// `REMOTE_ADDR`/`REMOTE_PORT` for an accepted connection (systemd.socket(5)
/// Accept=, service.c `service_spawn`): IPv4-mapped IPv6 peers are shown as IPv4,
/// vsock as the CID, unix peers as their path or `@name`; unnamed peers get nothing.
pub fn remote_env(fd: BorrowedFd<'_>) -> Vec<(&'static str, String)> {
    let mut env = Vec::new();
    if let Some(peer) = peer_address(fd) {
        push_remote_env(&mut env, &peer);
    }
    env
}

/// `remote_env` for a peer address already known (no getpeername()), appended
/// to `env` (which the engine sizes for the variables it adds next).
pub fn push_remote_env(env: &mut Vec<(&'static str, String)>, peer: &SockName) {
    match peer {
        SockName::Ip(a) => {
            env.push(("REMOTE_ADDR", ip_string(a.ip().to_canonical())));
            env.push(("REMOTE_PORT", decimal_string(a.port().into())));
        }
        SockName::Vsock { cid, port } => {
            env.push(("REMOTE_ADDR", cid.to_string()));
            env.push(("REMOTE_PORT", port.to_string()));
        }
        SockName::Unix(p) => env.push(("REMOTE_ADDR", p.display().to_string())),
        SockName::Abstract(n) => {
            env.push(("REMOTE_ADDR", format!("@{}", String::from_utf8_lossy(n))))
        }
        _ => {}
    }
}

/// `accept4(SOCK_CLOEXEC|SOCK_NONBLOCK)`; `Ok(None)` when nothing is pending.
pub fn accept_connection(fd: BorrowedFd<'_>) -> Result<Option<OwnedFd>, Errno> {
    Ok(accept_with_peer(fd)?.map(|(conn, _)| conn))
}

/// `accept4(SOCK_CLOEXEC|SOCK_NONBLOCK)` that keeps the peer address the kernel
/// hands back, so no `getpeername()` is needed afterwards; `Ok(None)` when nothing
/// is pending.
pub fn accept_with_peer(fd: BorrowedFd<'_>) -> Result<Option<(OwnedFd, Option<SockName>)>, Errno> {
    let mut raw = RawAddr::zeroed();
    raw.len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let ptr = (&mut raw.storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr>();
    // SAFETY: fd is open; ptr/len describe the writable sockaddr_storage buffer.
    let r = unsafe {
        libc::accept4(
            fd.as_raw_fd(),
            ptr,
            &mut raw.len,
            libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
        )
    };
    if r < 0 {
        return match Errno::last() {
            Errno::EAGAIN => Ok(None),
            e => Err(e),
        };
    }
    // SAFETY: accept4 returned a new fd that nothing else owns.
    let conn = unsafe { OwnedFd::from_raw_fd(r) };
    let peer = (raw.len > 0).then(|| decode(&raw));
    Ok(Some((conn, peer)))
}
