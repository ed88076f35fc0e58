//! Listening fds: create and bind them, adopt inherited ones, and compare them.
//!
//! `open_listen` does for one `Listen*=` entry what systemd's socket.c
//! (`socket_open_fds`) and socket-util.c (`socket_address_listen`) do: create the
//! fd CLOEXEC|NONBLOCK, set the pre-bind options, create parent directories,
//! bind (a unix node gets exactly `SocketMode=`; a stale node is unlinked and the
//! bind retried), listen, chown the node, then apply the remaining options.
//! `take_listen_fds` is the client side of the protocol (sd_listen_fds_with_names),
//! used when activator is itself socket-activated.

use std::ffi::CString;
use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::addr_text::{decimal_string, ip_string};
use super::sockopt::{self, SockKind};
use super::{user, Errno, SysError};
use crate::unit::model::{Listen, NetlinkAddress, SocketAddress, SocketOptions};

/// A socket address in kernel form.
struct RawAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
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

    fn ip(addr: SocketAddr) -> RawAddr {
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
    fn unix(name: &[u8], abstract_name: bool) -> Result<RawAddr, Errno> {
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

    fn vsock(cid: Option<u32>, port: u32) -> RawAddr {
        // SAFETY: sockaddr_vm is plain old data.
        let mut svm: libc::sockaddr_vm = unsafe { std::mem::zeroed() };
        svm.svm_family = libc::AF_VSOCK as libc::sa_family_t;
        svm.svm_port = port;
        svm.svm_cid = cid.unwrap_or(libc::VMADDR_CID_ANY);
        RawAddr::from_struct(&svm, size_of::<libc::sockaddr_vm>())
    }

    fn netlink(groups: u32) -> RawAddr {
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

/// The address as text for error messages (`[::]:80`, `/run/x.sock`, `@name`).
fn describe(listen: &Listen) -> String {
    match listen {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => match a {
            SocketAddress::Ip {
                addr, port_only, ..
            } => {
                if *port_only {
                    format!("[::]:{}", addr.port())
                } else {
                    addr.to_string()
                }
            }
            SocketAddress::Unix(p) => p.display().to_string(),
            SocketAddress::Abstract(n) => format!("@{n}"),
            SocketAddress::Vsock { cid, port } => match cid {
                Some(c) => format!("vsock:{c}:{port}"),
                None => format!("vsock::{port}"),
            },
        },
        Listen::Fifo(p) | Listen::Special(p) | Listen::UsbFunction(p) => p.display().to_string(),
        Listen::Netlink(n) => format!("{} {}", n.family, n.group),
        Listen::MessageQueue(q) => q.clone(),
    }
}

fn socket_type(listen: &Listen) -> Option<libc::c_int> {
    match listen {
        Listen::Stream(_) => Some(libc::SOCK_STREAM),
        Listen::Datagram(_) => Some(libc::SOCK_DGRAM),
        Listen::SequentialPacket(_) => Some(libc::SOCK_SEQPACKET),
        _ => None,
    }
}

fn new_socket(family: libc::c_int, ty: libc::c_int, proto: libc::c_int) -> Result<OwnedFd, Errno> {
    // SAFETY: plain syscall; the result is checked before use.
    let fd = unsafe { libc::socket(family, ty | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, proto) };
    if fd < 0 {
        return Err(Errno::last());
    }
    // SAFETY: socket() returned a fresh fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn bind_raw(fd: BorrowedFd<'_>, addr: &RawAddr) -> Result<(), Errno> {
    let ptr = (&addr.storage as *const libc::sockaddr_storage).cast::<libc::sockaddr>();
    // SAFETY: ptr/len describe an initialized sockaddr of that length.
    let r = unsafe { libc::bind(fd.as_raw_fd(), ptr, addr.len) };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

fn listen_raw(fd: BorrowedFd<'_>, backlog: u32) -> Result<(), Errno> {
    // systemd passes Backlog= as an int (default SOMAXCONN_DELUXE = INT_MAX); the
    // kernel silently caps it at net.core.somaxconn.
    let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
    // SAFETY: plain syscall on an open fd.
    if unsafe { libc::listen(fd.as_raw_fd(), backlog) } < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Set the process umask, returning the old one.
fn set_umask(mask: u32) -> u32 {
    // SAFETY: umask cannot fail.
    unsafe { libc::umask(mask as libc::mode_t) as u32 }
}

/// `mkdir -p` of `path`'s parents; directories created here get exactly `mode`.
fn mkdir_parents(path: &Path, mode: u32) {
    let Some(parent) = path.parent() else { return };
    let mut missing = Vec::new();
    let mut cur = parent;
    while !cur.as_os_str().is_empty() && !cur.exists() {
        missing.push(cur.to_path_buf());
        match cur.parent() {
            Some(p) => cur = p,
            None => break,
        }
    }
    for dir in missing.iter().rev() {
        match std::fs::DirBuilder::new().mode(mode).create(dir) {
            Ok(()) => {
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                log::warn!("Failed to create directory {}: {e}", dir.display());
                return;
            }
        }
    }
}

/// chown a node to SocketUser=/SocketGroup= (user without group: the user's
/// primary group). `fd` is used for FIFOs, the path for socket nodes.
fn chown_node(
    path: &Path,
    fd: Option<BorrowedFd<'_>>,
    opts: &SocketOptions,
) -> Result<(), SysError> {
    if opts.socket_user.is_none() && opts.socket_group.is_none() {
        return Ok(());
    }
    let mut uid: Option<u32> = None;
    let mut gid: Option<u32> = None;
    if let Some(u) = &opts.socket_user {
        let e = user::lookup_user(u)?;
        uid = Some(e.uid);
        gid = Some(e.gid);
    }
    if let Some(g) = &opts.socket_group {
        gid = Some(user::lookup_group(g)?);
    }
    let r = match fd {
        Some(fd) => std::os::unix::fs::fchown(fd, uid, gid),
        None => std::os::unix::fs::lchown(path, uid, gid),
    };
    r.map_err(|e| {
        SysError::os(
            "chown",
            path.display().to_string(),
            Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
        )
    })
}

fn ifindex(name: &str) -> u32 {
    nix::net::if_::if_nametoindex(name).unwrap_or(0)
}

/// Create, bind and (for stream/seqpacket) listen on one socket address.
fn open_socket(
    listen: &Listen,
    addr: &SocketAddress,
    ty: libc::c_int,
    opts: &SocketOptions,
) -> Result<OwnedFd, SysError> {
    // Formatted only on failure: this runs once per socket at startup.
    let what = || describe(listen);
    let (fd, raw, kind, path) = match addr {
        SocketAddress::Ip {
            addr: sa,
            ifname,
            port_only,
        } => {
            let mut sa = *sa;
            if let (SocketAddr::V6(v6), Some(name)) = (&mut sa, ifname) {
                if v6.scope_id() == 0 {
                    v6.set_scope_id(ifindex(name));
                }
            }
            if *port_only {
                sa = SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, sa.port(), 0, 0));
            }
            let family = if sa.is_ipv6() {
                libc::AF_INET6
            } else {
                libc::AF_INET
            };
            match new_socket(family, ty, 0) {
                Ok(fd) => (fd, RawAddr::ip(sa), SockKind { family, ty }, None),
                Err(Errno::EAFNOSUPPORT) if *port_only => {
                    // No IPv6 in this kernel: a bare port means 0.0.0.0:port.
                    let sa4 = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, sa.port()));
                    let fd = new_socket(libc::AF_INET, ty, 0)
                        .map_err(|e| SysError::os("create socket for", what(), e))?;
                    let kind = SockKind {
                        family: libc::AF_INET,
                        ty,
                    };
                    (fd, RawAddr::ip(sa4), kind, None)
                }
                Err(e) => return Err(SysError::os("create socket for", what(), e)),
            }
        }
        SocketAddress::Unix(p) => {
            let raw = RawAddr::unix(p.as_os_str().as_bytes(), false)
                .map_err(|e| SysError::os("bind", what(), e))?;
            let fd = new_socket(libc::AF_UNIX, ty, 0)
                .map_err(|e| SysError::os("create socket for", what(), e))?;
            let kind = SockKind {
                family: libc::AF_UNIX,
                ty,
            };
            (fd, raw, kind, Some(p.as_path()))
        }
        SocketAddress::Abstract(n) => {
            let raw =
                RawAddr::unix(n.as_bytes(), true).map_err(|e| SysError::os("bind", what(), e))?;
            let fd = new_socket(libc::AF_UNIX, ty, 0)
                .map_err(|e| SysError::os("create socket for", what(), e))?;
            let kind = SockKind {
                family: libc::AF_UNIX,
                ty,
            };
            (fd, raw, kind, None)
        }
        SocketAddress::Vsock { cid, port } => {
            let fd = new_socket(libc::AF_VSOCK, ty, 0)
                .map_err(|e| SysError::os("create socket for", what(), e))?;
            let kind = SockKind {
                family: libc::AF_VSOCK,
                ty,
            };
            (fd, RawAddr::vsock(*cid, *port), kind, None)
        }
    };

    // A bare port with BindIPv6Only=default leaves the kernel default (bindv6only).
    sockopt::apply_pre_bind(fd.as_fd(), kind, opts, None);

    match path {
        Some(p) => bind_unix_node(fd.as_fd(), &raw, p, opts)
            .map_err(|e| SysError::os("bind", what(), e))?,
        None => bind_raw(fd.as_fd(), &raw).map_err(|e| SysError::os("bind", what(), e))?,
    }
    if ty == libc::SOCK_STREAM || ty == libc::SOCK_SEQPACKET {
        listen_raw(fd.as_fd(), opts.backlog).map_err(|e| SysError::os("listen on", what(), e))?;
    }
    if let Some(p) = path {
        chown_node(p, None, opts)?;
    }
    sockopt::apply_socket_options(fd.as_fd(), kind, opts);
    Ok(fd)
}

/// Bind a unix socket node so it gets exactly `SocketMode=`; a stale node in the
/// way is unlinked and the bind retried (socket-util.c `socket_address_listen`).
fn bind_unix_node(
    fd: BorrowedFd<'_>,
    raw: &RawAddr,
    path: &Path,
    opts: &SocketOptions,
) -> Result<(), Errno> {
    mkdir_parents(path, opts.directory_mode);
    let mode = opts.socket_mode & 0o7777;
    let old = set_umask(!mode & 0o777);
    let mut r = bind_raw(fd, raw);
    if r == Err(Errno::EADDRINUSE) && std::fs::remove_file(path).is_ok() {
        r = bind_raw(fd, raw);
    }
    set_umask(old);
    r?;
    // The umask is process-wide; make the mode exact even if a thread raced us.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    Ok(())
}

fn open_flags_fd(path: &Path, flags: libc::c_int) -> Result<OwnedFd, Errno> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
    let flags = flags | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_NOFOLLOW;
    // SAFETY: c is a valid NUL-terminated path.
    let fd = unsafe { libc::open(c.as_ptr(), flags) };
    if fd < 0 {
        return Err(Errno::last());
    }
    // SAFETY: open() returned a fresh fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// ListenFIFO= (socket.c `fifo_address_create`): mkfifo with SocketMode=, open RDWR.
fn open_fifo(path: &Path, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
    let what = path.display().to_string();
    mkdir_parents(path, opts.directory_mode);
    let mode = opts.socket_mode & 0o7777;
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| SysError::os("mkfifo", &what, Errno::EINVAL))?;
    let old = set_umask(!mode & 0o777);
    // SAFETY: c is a valid NUL-terminated path.
    let r = unsafe { libc::mkfifo(c.as_ptr(), mode as libc::mode_t) };
    let err = Errno::last();
    set_umask(old);
    let created = r == 0;
    if !created && err != Errno::EEXIST {
        return Err(SysError::os("mkfifo", what, err));
    }
    let fd = open_flags_fd(path, libc::O_RDWR).map_err(|e| SysError::os("open FIFO", &what, e))?;
    let meta = std::fs::File::from(
        fd.try_clone()
            .map_err(|e| SysError::os("dup", &what, errno_of(&e)))?,
    )
    .metadata()
    .map_err(|e| SysError::os("stat", &what, errno_of(&e)))?;
    if meta.mode() & libc::S_IFMT != libc::S_IFIFO {
        return Err(SysError::os("open FIFO", what, Errno::EEXIST));
    }
    if created {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    chown_node(path, Some(fd.as_fd()), opts)?;
    if let Some(size) = opts.pipe_size {
        let size = i32::try_from(size).unwrap_or(i32::MAX);
        // SAFETY: fcntl on an open fd with an int argument.
        if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETPIPE_SZ, size) } < 0 {
            log::warn!(
                "Setting pipe size failed, ignoring: {}",
                Errno::last().desc()
            );
        }
    }
    Ok(fd)
}

fn errno_of(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

/// ListenSpecial= (socket.c `special_address_create`): RO, or RW with Writable=;
/// only regular files and character devices.
fn open_special(path: &Path, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
    let what = path.display().to_string();
    let flags = if opts.writable {
        libc::O_RDWR
    } else {
        libc::O_RDONLY
    };
    let fd = open_flags_fd(path, flags).map_err(|e| SysError::os("open", &what, e))?;
    let meta = std::fs::File::from(
        fd.try_clone()
            .map_err(|e| SysError::os("dup", &what, errno_of(&e)))?,
    )
    .metadata()
    .map_err(|e| SysError::os("stat", &what, errno_of(&e)))?;
    let fmt = meta.mode() & libc::S_IFMT;
    if fmt != libc::S_IFREG && fmt != libc::S_IFCHR {
        return Err(SysError::os("open", what, Errno::EEXIST));
    }
    Ok(fd)
}

/// The netlink protocol number for a family name (`route` → 0), from the
/// unit language's table (systemd's `netlink_family` table).
pub fn netlink_family(name: &str) -> Option<i32> {
    crate::unit::NetlinkAddress {
        family: name.to_string(),
        group: 0,
    }
    .protocol()
}

/// ListenNetlink=: SOCK_RAW socket of the family, bound to the multicast group.
fn open_netlink(nl: &NetlinkAddress, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
    let what = format!("{} {}", nl.family, nl.group);
    let proto = netlink_family(&nl.family)
        .ok_or_else(|| SysError::Unsupported(format!("netlink family {}", nl.family)))?;
    let fd = new_socket(libc::AF_NETLINK, libc::SOCK_RAW, proto)
        .map_err(|e| SysError::os("create netlink socket", &what, e))?;
    let kind = SockKind {
        family: libc::AF_NETLINK,
        ty: libc::SOCK_RAW,
    };
    sockopt::apply_pre_bind(fd.as_fd(), kind, opts, None);
    bind_raw(fd.as_fd(), &RawAddr::netlink(nl.group))
        .map_err(|e| SysError::os("bind", &what, e))?;
    sockopt::apply_socket_options(fd.as_fd(), kind, opts);
    Ok(fd)
}

/// Create the fd for one `Listen*=` entry (systemd.socket(5)), CLOEXEC|NONBLOCK.
/// Option failures are logged and ignored; creation and bind failures are errors.
pub fn open_listen(listen: &Listen, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
    match listen {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => {
            let ty = socket_type(listen).unwrap_or(libc::SOCK_STREAM);
            open_socket(listen, a, ty, opts)
        }
        Listen::Fifo(p) => open_fifo(p, opts),
        Listen::Special(p) => open_special(p, opts),
        Listen::Netlink(n) => open_netlink(n, opts),
        Listen::MessageQueue(_) | Listen::UsbFunction(_) => Err(SysError::Unsupported(format!(
            "{}={}",
            listen.directive(),
            describe(listen)
        ))),
    }
}

/// The kind of an fd, for applying per-connection options.
fn sock_kind(fd: BorrowedFd<'_>) -> Option<SockKind> {
    let family = sockopt::get_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN).ok()?;
    let ty = sockopt::get_int(fd, libc::SOL_SOCKET, libc::SO_TYPE).ok()?;
    Some(SockKind { family, ty })
}

/// Apply the socket options to an accepted connection (Accept=yes; socket.c
/// applies `socket_apply_socket_options` to each connection fd too).
pub fn apply_connection_options(fd: BorrowedFd<'_>, opts: &SocketOptions) {
    if !sockopt::has_socket_options(opts) {
        return;
    }
    if let Some(kind) = sock_kind(fd) {
        sockopt::apply_socket_options(fd, kind, opts);
    }
}

/// Unlink the filesystem node of `listen` (RemoveOnStop=); a missing node is fine.
pub fn remove_node(listen: &Listen) {
    if let Some(p) = listen.fs_path() {
        if let Err(e) = std::fs::remove_file(p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                log::warn!("Failed to remove {}: {e}", p.display());
            }
        }
    }
}

/// `Symlinks=` (socket.c `socket_symlink`): link each path to the unit's single
/// filesystem node. An existing correct link is fine; something else in the way
/// is replaced only with RemoveOnStop=yes. Failures are warnings.
pub fn create_symlinks(node: &Path, opts: &SocketOptions) {
    for link in &opts.symlinks {
        mkdir_parents(link, opts.directory_mode);
        let mut r = symlink_idempotent(node, link);
        if r == Err(Errno::EEXIST) && opts.remove_on_stop && std::fs::remove_file(link).is_ok() {
            r = symlink_idempotent(node, link);
        }
        if let Err(e) = r {
            log::warn!(
                "Failed to create symlink {} \u{2192} {}, ignoring: {}",
                node.display(),
                link.display(),
                e.desc()
            );
        }
    }
}

fn symlink_idempotent(target: &Path, link: &Path) -> Result<(), Errno> {
    match std::os::unix::fs::symlink(target, link) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match std::fs::read_link(link) {
            Ok(t) if t == target => Ok(()),
            _ => Err(Errno::EEXIST),
        },
        Err(e) => Err(errno_of(&e)),
    }
}

/// Remove the `Symlinks=` links (RemoveOnStop=yes).
pub fn remove_symlinks(opts: &SocketOptions) {
    for link in &opts.symlinks {
        let _ = std::fs::remove_file(link);
    }
}

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
        let _ = super::fds::set_cloexec(fd.as_fd(), true);
        let name = names
            .as_ref()
            .and_then(|v| v.get(i as usize).cloned())
            .unwrap_or_else(|| "unknown".to_string());
        out.push((fd, Some(name)));
    }
    out
}
