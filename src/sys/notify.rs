//! The receiving end of the service notification protocol (`NOTIFY_SOCKET`).
//!
//! Services report READY=1, STATUS=, MAINPID=, ... as datagrams on an AF_UNIX
//! socket whose path they find in `$NOTIFY_SOCKET` (sd_notify(3), systemd.md §4.7).
//! This module owns the socket and turns one datagram into a [`NotifyMessage`]:
//! the sender's kernel-verified credentials (SO_PASSCRED → SCM_CREDENTIALS), the
//! KEY=VALUE fields and any fds passed with SCM_RIGHTS. Policy (NotifyAccess=,
//! which unit a pid belongs to, dropping messages without credentials or
//! oversized ones) is the engine's, as in systemd's manager_dispatch_notify_fd().
//!
//! The socket is bound to a file-system path, never an abstract name: sd_notify
//! clients in other network namespaces can't reach abstract sockets, and the node
//! is made world-writable (0777) like /run/systemd/notify, so services running as
//! other users can send.

use std::ffi::OsStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{Errno, SysError};

/// Largest message systemd accepts (src/basic/def.h: NOTIFY_BUFFER_MAX = PIPE_BUF);
/// anything longer is "Received notify message exceeded maximum size. Ignoring.".
pub const NOTIFY_BUFFER_MAX: usize = 4096;

/// Most fds systemd takes from one message (def.h: NOTIFY_FD_MAX).
pub const NOTIFY_FD_MAX: usize = 768;

/// Receive buffer asked for (systemd's NOTIFY_RCVBUF_SIZE, 8 MiB), so a burst of
/// notifications from many services does not overflow the queue.
const NOTIFY_RCVBUF_SIZE: libc::c_int = 8 * 1024 * 1024;

/// One received notification datagram.
#[derive(Debug, Default)]
pub struct NotifyMessage {
    /// Sender pid from SCM_CREDENTIALS; None if the message carried no (valid)
    /// credentials. systemd drops those: "Received notify message without
    /// credentials. Ignoring."
    pub pid: Option<i32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// `KEY=VALUE` lines in order (duplicates kept; systemd's lookups use the
    /// first). Split on '\n' and '\r' like systemd's `strv_split(buf, NEWLINE)`;
    /// empty lines, lines without '=' or with an empty key, and lines that are
    /// not UTF-8 are skipped. Parsing stops at a NUL byte.
    pub fields: Vec<(String, String)>,
    /// fds passed with SCM_RIGHTS (received CLOEXEC); closed when dropped unless
    /// the engine takes them (FDSTORE=1, BARRIER=1, MAINPIDFD=1).
    pub fds: Vec<OwnedFd>,
    /// The datagram was longer than [`NOTIFY_BUFFER_MAX`] (fields then come from
    /// its first 4096 bytes), or the kernel had to drop control data (fds beyond
    /// [`NOTIFY_FD_MAX`]). systemd ignores such messages.
    pub truncated: bool,
}

impl NotifyMessage {
    /// The first value of `key`, like systemd's `strv_find_startswith(tags, "KEY=")`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Split a notification payload into its `KEY=VALUE` fields (see
/// [`NotifyMessage::fields`]).
pub fn parse_fields(payload: &[u8]) -> Vec<(String, String)> {
    let end = payload
        .iter()
        .position(|b| *b == 0)
        .unwrap_or(payload.len());
    payload[..end]
        .split(|b| *b == b'\n' || *b == b'\r')
        .filter_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let (key, value) = line.split_once('=')?;
            (!key.is_empty()).then(|| (key.to_string(), value.to_string()))
        })
        .collect()
}

/// The daemon's notification socket: AF_UNIX, SOCK_DGRAM, CLOEXEC|NONBLOCK,
/// SO_PASSCRED on, bound to a path.
#[derive(Debug)]
pub struct NotifySocket {
    fd: OwnedFd,
    path: PathBuf,
}

impl NotifySocket {
    /// Create the socket and bind it at `path`: creates missing parent
    /// directories (0755), replaces a stale node, sets the node to 0777.
    /// SO_PASSCRED is enabled before bind, so every datagram carries credentials.
    pub fn bind(path: &Path) -> Result<NotifySocket, SysError> {
        let os = |op: &'static str, e: Errno| SysError::os(op, path.display().to_string(), e);
        let io = |op: &'static str, e: std::io::Error| {
            SysError::os(
                op,
                path.display().to_string(),
                Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
            )
        };

        let addr = sockaddr_un(path.as_os_str()).ok_or_else(|| os("bind", Errno::ENAMETOOLONG))?;

        // SAFETY: plain socket(2); the result is checked and owned right away.
        let raw = unsafe {
            libc::socket(
                libc::AF_UNIX,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            )
        };
        if raw < 0 {
            return Err(os("create notify socket for", Errno::last()));
        }
        // SAFETY: `raw` is a fresh fd nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };

        setsockopt_int(fd.as_raw_fd(), libc::SO_PASSCRED, 1)
            .map_err(|e| os("enable SO_PASSCRED on", e))?;
        // Bigger queue: SO_RCVBUFFORCE works for root beyond rmem_max; best effort.
        if setsockopt_int(fd.as_raw_fd(), libc::SO_RCVBUFFORCE, NOTIFY_RCVBUF_SIZE).is_err() {
            let _ = setsockopt_int(fd.as_raw_fd(), libc::SO_RCVBUF, NOTIFY_RCVBUF_SIZE);
        }

        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(parent)
                .map_err(|e| io("create directory for", e))?;
        }
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("remove stale", e)),
        }

        let len = std::mem::size_of::<libc::sa_family_t>() + path.as_os_str().len() + 1;
        // SAFETY: `addr` is a valid sockaddr_un and `len` covers family + path + NUL.
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                std::ptr::addr_of!(addr).cast(),
                len as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(os("bind", Errno::last()));
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777))
            .map_err(|e| io("chmod", e))?;
        log::debug!("notify socket bound at {}", path.display());
        Ok(NotifySocket {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The path services get in `NOTIFY_SOCKET=`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Remove the socket node (on shutdown; a stale node is also replaced by the
    /// next `bind`).
    pub fn remove_node(&self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// Receive one datagram; `Ok(None)` when the queue is empty (EAGAIN).
    pub fn recv(&self) -> Result<Option<NotifyMessage>, SysError> {
        // One extra byte so that "exactly NOTIFY_BUFFER_MAX" and "longer" differ
        // even without MSG_TRUNC's length report.
        let mut buf = [0u8; NOTIFY_BUFFER_MAX + 1];
        // u64 array: cmsg data must be aligned for cmsghdr.
        const CMSG_BYTES: usize = cmsg_space(std::mem::size_of::<libc::ucred>())
            + cmsg_space(std::mem::size_of::<RawFd>() * NOTIFY_FD_MAX);
        let mut control = [0u64; CMSG_BYTES.div_ceil(8)];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is plain old data; all-zero is "no name, no iov, no control".
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;

        let n = loop {
            // SAFETY: `msg` points to live buffers of the lengths it states.
            let n = unsafe {
                libc::recvmsg(
                    self.fd.as_raw_fd(),
                    &mut msg,
                    libc::MSG_DONTWAIT | libc::MSG_CMSG_CLOEXEC | libc::MSG_TRUNC,
                )
            };
            if n >= 0 {
                break n as usize;
            }
            match Errno::last() {
                Errno::EINTR => continue,
                Errno::EAGAIN => return Ok(None),
                e => {
                    return Err(SysError::os(
                        "receive from notify socket",
                        self.path.display().to_string(),
                        e,
                    ))
                }
            }
        };

        let mut out = NotifyMessage {
            truncated: n > NOTIFY_BUFFER_MAX
                || msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0,
            ..NotifyMessage::default()
        };
        // SAFETY: the kernel filled `control` up to msg_controllen with valid
        // cmsghdrs; CMSG_FIRSTHDR/NXTHDR stay within it. Data is read unaligned.
        // Every SCM_RIGHTS fd is new in this process and owned by nobody else.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                let hdr = &*cmsg;
                let data = libc::CMSG_DATA(cmsg);
                let data_len = (hdr.cmsg_len as usize).saturating_sub(libc::CMSG_LEN(0) as usize);
                if hdr.cmsg_level == libc::SOL_SOCKET && hdr.cmsg_type == libc::SCM_RIGHTS {
                    for i in 0..data_len / std::mem::size_of::<RawFd>() {
                        let fd: RawFd = std::ptr::read_unaligned(data.cast::<RawFd>().add(i));
                        if fd >= 0 {
                            out.fds.push(OwnedFd::from_raw_fd(fd));
                        }
                    }
                } else if hdr.cmsg_level == libc::SOL_SOCKET
                    && hdr.cmsg_type == libc::SCM_CREDENTIALS
                    && data_len >= std::mem::size_of::<libc::ucred>()
                {
                    let cred: libc::ucred = std::ptr::read_unaligned(data.cast());
                    // pid 0: sender in another pid namespace or queued before
                    // SO_PASSCRED; systemd's pid_is_valid() rejects it.
                    out.pid = (cred.pid > 0).then_some(cred.pid);
                    out.uid = Some(cred.uid);
                    out.gid = Some(cred.gid);
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        out.fields = parse_fields(&buf[..n.min(NOTIFY_BUFFER_MAX)]);
        Ok(Some(out))
    }
}

impl AsFd for NotifySocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// CMSG_SPACE as a const fn (libc's is `unsafe`).
const fn cmsg_space(len: usize) -> usize {
    let align = std::mem::size_of::<usize>();
    let hdr = (std::mem::size_of::<libc::cmsghdr>() + align - 1) & !(align - 1);
    hdr + ((len + align - 1) & !(align - 1))
}

fn setsockopt_int(fd: RawFd, opt: libc::c_int, value: libc::c_int) -> Result<(), Errno> {
    // SAFETY: passes a pointer to a live c_int and its size.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            std::ptr::addr_of!(value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// A sockaddr_un for a path, or None if it does not fit (108 bytes with NUL) or
/// contains NUL.
fn sockaddr_un(path: &OsStr) -> Option<libc::sockaddr_un> {
    let bytes = path.as_bytes();
    // SAFETY: sockaddr_un is plain old data; all-zero is valid.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    if bytes.is_empty() || bytes.len() >= addr.sun_path.len() || bytes.contains(&0) {
        return None;
    }
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (dst, src) in addr.sun_path.iter_mut().zip(bytes) {
        *dst = *src as libc::c_char;
    }
    Some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_split_on_newlines() {
        assert_eq!(
            parse_fields(b"READY=1\nSTATUS=up and running\n"),
            kv(&[("READY", "1"), ("STATUS", "up and running")])
        );
        // Trailing newline optional, \r separates too, empty lines vanish.
        assert_eq!(
            parse_fields(b"READY=1\r\n\nMAINPID=42"),
            kv(&[("READY", "1"), ("MAINPID", "42")])
        );
    }

    #[test]
    fn odd_lines_are_skipped() {
        assert_eq!(
            parse_fields(b"garbage\n=novalue\nEMPTY=\nA=b=c\n"),
            kv(&[("EMPTY", ""), ("A", "b=c")])
        );
        // Backslashes and quotes are kept verbatim (EXTRACT_RETAIN_ESCAPE).
        assert_eq!(
            parse_fields(b"STATUS=\"C:\\dir\"\n"),
            kv(&[("STATUS", "\"C:\\dir\"")])
        );
        assert_eq!(
            parse_fields(b"BAD=\xff\nREADY=1\0IGNORED=1"),
            kv(&[("READY", "1")])
        );
        assert!(parse_fields(b"").is_empty());
    }

    #[test]
    fn get_returns_the_first_value() {
        let m = NotifyMessage {
            fields: kv(&[("STATUS", "one"), ("STATUS", "two")]),
            ..NotifyMessage::default()
        };
        assert_eq!(m.get("STATUS"), Some("one"));
        assert_eq!(m.get("READY"), None);
    }

    #[test]
    fn cmsg_space_matches_libc() {
        for len in [0usize, 4, 12, 16, 3072] {
            // SAFETY: CMSG_SPACE is pure arithmetic.
            let want = unsafe { libc::CMSG_SPACE(len as libc::c_uint) } as usize;
            assert_eq!(cmsg_space(len), want, "len {len}");
        }
    }

    #[test]
    fn too_long_path_is_an_error() {
        let long = PathBuf::from(format!("/tmp/{}", "x".repeat(200)));
        let err = NotifySocket::bind(&long).unwrap_err();
        assert_eq!(err.errno(), Some(Errno::ENAMETOOLONG));
    }
}
