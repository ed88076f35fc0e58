//! Socket options of systemd.socket(5) §Options, applied one at a time.
//!
//! systemd treats every option as best effort: a failure is logged as
//! "Failed to set X socket option, ignoring" and the socket is used anyway
//! (src/core/socket.c `socket_apply_socket_options`). The order and the kernel
//! knobs follow that function and `socket_address_listen` (src/basic/socket-util.c).

use std::ffi::CString;
use std::mem::size_of;
use std::os::fd::{AsRawFd, BorrowedFd};

use super::Errno;
use crate::unit::model::{SocketOptions, Timestamping};

/// Which options make sense: IP options only on AF_INET/AF_INET6, TCP ones on stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SockKind {
    pub family: libc::c_int,
    pub ty: libc::c_int,
}

impl SockKind {
    fn is_ip(self) -> bool {
        self.family == libc::AF_INET || self.family == libc::AF_INET6
    }
}

/// `setsockopt(fd, level, opt, &int)`.
pub fn set_int(fd: BorrowedFd<'_>, level: i32, opt: i32, value: i32) -> Result<(), Errno> {
    // SAFETY: the pointer and length describe a live c_int; fd is a borrowed, open fd.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            (&value as *const i32).cast(),
            size_of::<i32>() as libc::socklen_t,
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// `getsockopt(fd, level, opt)` for int-valued options (used by `listen_matches` and tests).
pub fn get_int(fd: BorrowedFd<'_>, level: i32, opt: i32) -> Result<i32, Errno> {
    let mut value: i32 = 0;
    let mut len = size_of::<i32>() as libc::socklen_t;
    // SAFETY: value/len describe a live c_int buffer of the given size.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            (&mut value as *mut i32).cast(),
            &mut len,
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(value)
    }
}

/// `setsockopt` with a byte string value (SO_BINDTODEVICE, TCP_CONGESTION).
pub fn set_bytes(fd: BorrowedFd<'_>, level: i32, opt: i32, value: &[u8]) -> Result<(), Errno> {
    // SAFETY: the pointer and length describe the live slice `value`.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            value.as_ptr().cast(),
            value.len() as libc::socklen_t,
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// `getsockopt` into a byte buffer; returns the bytes the kernel filled in.
pub fn get_bytes(fd: BorrowedFd<'_>, level: i32, opt: i32, max: usize) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; max];
    let mut len = max as libc::socklen_t;
    // SAFETY: buf has `max` writable bytes and len says so.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if r < 0 {
        return Err(Errno::last());
    }
    buf.truncate(len as usize);
    Ok(buf)
}

fn warn_on_err(name: &str, r: Result<(), Errno>) {
    if let Err(e) = r {
        log::warn!("Failed to set {name} socket option, ignoring: {}", e.desc());
    }
}

fn int_opt(fd: BorrowedFd<'_>, name: &str, level: i32, opt: i32, value: i32) {
    warn_on_err(name, set_int(fd, level, opt, value));
}

fn clamp_i32(v: u64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Seconds of a `Usec`, as the TCP_KEEP*/TCP_DEFER_ACCEPT options take them.
fn usec_to_secs(u: crate::unit::values::Usec) -> i32 {
    if u.is_infinity() {
        return i32::MAX;
    }
    clamp_i32(u.0 / 1_000_000)
}

/// Options set before bind() (socket-util.c `socket_address_listen`): IPV6_V6ONLY,
/// SO_BINDTODEVICE, SO_REUSEPORT, IP_FREEBIND, IP_TRANSPARENT, SO_REUSEADDR.
pub(crate) fn apply_pre_bind(
    fd: BorrowedFd<'_>,
    kind: SockKind,
    opts: &SocketOptions,
    v6only: Option<bool>,
) {
    use crate::unit::model::BindIpv6Only;
    if kind.family == libc::AF_INET6 {
        let only = match (opts.bind_ipv6_only, v6only) {
            (BindIpv6Only::Both, _) => Some(false),
            (BindIpv6Only::Ipv6Only, _) => Some(true),
            (BindIpv6Only::Default, forced) => forced,
        };
        if let Some(only) = only {
            int_opt(
                fd,
                "IPV6_V6ONLY",
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                only as i32,
            );
        }
    }
    if kind.is_ip() {
        if let Some(dev) = &opts.bind_to_device {
            warn_on_err(
                "SO_BINDTODEVICE",
                set_bytes(fd, libc::SOL_SOCKET, libc::SO_BINDTODEVICE, dev.as_bytes()),
            );
        }
        if opts.reuse_port {
            int_opt(fd, "SO_REUSEPORT", libc::SOL_SOCKET, libc::SO_REUSEPORT, 1);
        }
        if opts.free_bind {
            let r = if kind.family == libc::AF_INET6 {
                // IPV6_FREEBIND needs Linux 4.15; IP_FREEBIND works on v6 sockets too.
                set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_FREEBIND, 1)
                    .or_else(|_| set_int(fd, libc::IPPROTO_IP, libc::IP_FREEBIND, 1))
            } else {
                set_int(fd, libc::IPPROTO_IP, libc::IP_FREEBIND, 1)
            };
            warn_on_err("IP_FREEBIND", r);
        }
        if opts.transparent {
            let r = if kind.family == libc::AF_INET6 {
                set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_TRANSPARENT, 1)
            } else {
                set_int(fd, libc::IPPROTO_IP, libc::IP_TRANSPARENT, 1)
            };
            warn_on_err("IP_TRANSPARENT", r);
        }
    }
    // systemd sets SO_REUSEADDR on every socket it listens on.
    if kind.family != libc::AF_NETLINK {
        int_opt(fd, "SO_REUSEADDR", libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
    }
}

/// Whether any option of `apply_socket_options` is configured (lets the
/// per-connection path skip its getsockopt calls in the common case).
pub(crate) fn has_socket_options(o: &SocketOptions) -> bool {
    o.keep_alive
        || o.keep_alive_time.is_some()
        || o.keep_alive_interval.is_some()
        || o.keep_alive_probes.is_some()
        || o.defer_accept.is_some_and(|t| t.0 > 0)
        || o.no_delay
        || o.broadcast
        || o.pass_credentials
        || o.pass_security
        || o.pass_packet_info
        || o.timestamping != Timestamping::Off
        || o.priority.is_some()
        || o.receive_buffer.is_some()
        || o.send_buffer.is_some()
        || o.mark.is_some()
        || o.ip_tos.is_some()
        || o.ip_ttl.is_some()
        || o.tcp_congestion.is_some()
}

/// Options applied after bind to the listening fd and, for Accept=yes, to every
/// connection (socket.c `socket_apply_socket_options`).
pub(crate) fn apply_socket_options(fd: BorrowedFd<'_>, kind: SockKind, opts: &SocketOptions) {
    if opts.keep_alive {
        int_opt(fd, "SO_KEEPALIVE", libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
    }
    if let Some(t) = opts.keep_alive_time {
        int_opt(
            fd,
            "TCP_KEEPIDLE",
            libc::IPPROTO_TCP,
            libc::TCP_KEEPIDLE,
            usec_to_secs(t),
        );
    }
    if let Some(t) = opts.keep_alive_interval {
        int_opt(
            fd,
            "TCP_KEEPINTVL",
            libc::IPPROTO_TCP,
            libc::TCP_KEEPINTVL,
            usec_to_secs(t),
        );
    }
    if let Some(n) = opts.keep_alive_probes {
        int_opt(
            fd,
            "TCP_KEEPCNT",
            libc::IPPROTO_TCP,
            libc::TCP_KEEPCNT,
            clamp_i32(n.into()),
        );
    }
    if let Some(t) = opts.defer_accept {
        if t.0 > 0 {
            int_opt(
                fd,
                "TCP_DEFER_ACCEPT",
                libc::IPPROTO_TCP,
                libc::TCP_DEFER_ACCEPT,
                usec_to_secs(t),
            );
        }
    }
    if opts.no_delay {
        int_opt(fd, "TCP_NODELAY", libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    if opts.broadcast {
        int_opt(fd, "SO_BROADCAST", libc::SOL_SOCKET, libc::SO_BROADCAST, 1);
    }
    if opts.pass_credentials {
        int_opt(fd, "SO_PASSCRED", libc::SOL_SOCKET, libc::SO_PASSCRED, 1);
    }
    if opts.pass_security {
        int_opt(fd, "SO_PASSSEC", libc::SOL_SOCKET, libc::SO_PASSSEC, 1);
    }
    if opts.pass_packet_info {
        let r = match kind.family {
            libc::AF_INET => set_int(fd, libc::IPPROTO_IP, libc::IP_PKTINFO, 1),
            libc::AF_INET6 => set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1),
            libc::AF_NETLINK => set_int(fd, libc::SOL_NETLINK, libc::NETLINK_PKTINFO, 1),
            libc::AF_PACKET => set_int(fd, libc::SOL_PACKET, libc::PACKET_AUXDATA, 1),
            _ => Err(Errno::EAFNOSUPPORT),
        };
        warn_on_err("packet info", r);
    }
    match opts.timestamping {
        Timestamping::Off => {}
        Timestamping::Microseconds => {
            int_opt(fd, "SO_TIMESTAMP", libc::SOL_SOCKET, libc::SO_TIMESTAMP, 1)
        }
        Timestamping::Nanoseconds => int_opt(
            fd,
            "SO_TIMESTAMPNS",
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            1,
        ),
    }
    if let Some(p) = opts.priority {
        int_opt(fd, "SO_PRIORITY", libc::SOL_SOCKET, libc::SO_PRIORITY, p);
    }
    if let Some(n) = opts.receive_buffer {
        let n = clamp_i32(n);
        let r = set_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, n)
            .or_else(|_| set_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, n));
        warn_on_err("SO_RCVBUF", r);
    }
    if let Some(n) = opts.send_buffer {
        let n = clamp_i32(n);
        let r = set_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, n)
            .or_else(|_| set_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, n));
        warn_on_err("SO_SNDBUF", r);
    }
    if let Some(m) = opts.mark {
        int_opt(fd, "SO_MARK", libc::SOL_SOCKET, libc::SO_MARK, m);
    }
    if let Some(tos) = opts.ip_tos {
        int_opt(fd, "IP_TOS", libc::IPPROTO_IP, libc::IP_TOS, tos);
    }
    if let Some(ttl) = opts.ip_ttl {
        let r = if kind.family == libc::AF_INET6 {
            set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS, ttl)
        } else {
            set_int(fd, libc::IPPROTO_IP, libc::IP_TTL, ttl)
        };
        warn_on_err("IP_TTL/IPV6_UNICAST_HOPS", r);
    }
    if let Some(cc) = &opts.tcp_congestion {
        let r = match CString::new(cc.as_bytes()) {
            Ok(c) => set_bytes(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_CONGESTION,
                c.as_bytes_with_nul(),
            ),
            Err(_) => Err(Errno::EINVAL),
        };
        warn_on_err("TCP_CONGESTION", r);
    }
}
