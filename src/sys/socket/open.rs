//! Creating the fd for one `Listen*=` entry, as systemd's socket.c
//! (`socket_open_fds`, `fifo_address_create`, `special_address_create`,
//! `socket_symlink`) and socket-util.c (`socket_address_listen`) do.
//!
//! Sockets are created CLOEXEC|NONBLOCK, get their pre-bind options, are bound
//! (a unix node with exactly `SocketMode=`, in parent directories made with
//! `DirectoryMode=`, a stale node unlinked and the bind retried), listen, have
//! their node chowned, then get the remaining options. FIFOs, special files and
//! netlink sockets, the node's removal and `Symlinks=` live here too because they
//! share those steps; so do the options applied to each accepted connection.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

use super::addr::RawAddr;
use super::describe;
use crate::sys::sockopt::{self, SockKind};
use crate::sys::{user, Errno, SysError};
use crate::unit::model::{Listen, NetlinkAddress, SocketAddress, SocketOptions};

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
    r.map_err(|e| SysError::os("chown", path.display().to_string(), errno_of(&e)))
}

fn ifindex(name: &str) -> u32 {
    nix::net::if_::if_nametoindex(name).unwrap_or(0)
}

/// Create, bind and (for stream/seqpacket) listen on one socket address.
pub(super) fn open_socket(
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
pub(super) fn open_fifo(path: &Path, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
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
pub(super) fn open_special(path: &Path, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
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
pub(super) fn open_netlink(nl: &NetlinkAddress, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
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

/// The kind of an fd, for applying per-connection options.
pub(super) fn sock_kind(fd: BorrowedFd<'_>) -> Option<SockKind> {
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
