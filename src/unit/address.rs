//! The address grammar of `ListenStream=`/`ListenDatagram=`/`ListenSequentialPacket=`
//! and `ListenNetlink=` (systemd.socket(5)), and the canonical way to print them.
//!
//! Transcribed from systemd's `socket_address_parse()` and
//! `in_addr_port_ifindex_name_from_string_auto()` (src/shared/socket-netlink.c, v252);
//! results were checked against `systemd-analyze verify` (252) — see the tests. The
//! parse order is: unix path or `@abstract`, `vsock:CID:PORT`, a bare port, then
//! `IPv4:PORT` / `[IPv6]:PORT[%ifname]`. Host names, `*`, bare addresses and port 0
//! are rejected; an out-of-range port is ERANGE.

use std::ffi::CString;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::path::PathBuf;

use super::model::{Listen, NetlinkAddress, SocketAddress};
use super::values::ValueError;

/// `sizeof(sockaddr_un.sun_path)`.
pub(crate) const SUN_PATH_LEN: usize = 108;

/// Netlink family names of systemd's `netlink_family_table` (src/basic/socket-util.c),
/// indexed by protocol number.
const NETLINK_FAMILIES: &[(&str, u32)] = &[
    ("route", 0),
    ("firewall", 3),
    ("inet-diag", 4),
    ("nflog", 5),
    ("xfrm", 6),
    ("selinux", 7),
    ("iscsi", 8),
    ("audit", 9),
    ("fib-lookup", 10),
    ("connector", 11),
    ("netfilter", 12),
    ("ip6-fw", 13),
    ("dnrtmsg", 14),
    ("kobject-uevent", 15),
    ("generic", 16),
    ("scsitransport", 18),
    ("ecryptfs", 19),
    ("rdma", 20),
];

/// Parse a socket address as `ListenStream=` takes it (systemd.socket(5)).
///
/// Errors are the errno systemd reports: `Invalid argument`, `Numerical result out of
/// range` (port > 65535), `File name too long` (unix path ≥ 108 bytes), `No such device`
/// (unknown `%ifname`).
pub fn parse_socket_address(s: &str) -> Result<SocketAddress, ValueError> {
    // socket_address_parse_unix(): "/path" or "@abstract".
    if s.starts_with('/') || s.starts_with('@') {
        return parse_unix(s);
    }
    // socket_address_parse_vsock(): "vsock:CID:PORT", empty CID = any.
    if let Some(rest) = s.strip_prefix("vsock:") {
        let (cid, port) = rest.split_once(':').ok_or(ValueError::Invalid)?;
        let port = safe_atou32(port)?;
        let cid = if cid.is_empty() {
            None
        } else {
            Some(safe_atou32(cid)?)
        };
        return Ok(SocketAddress::Vsock { cid, port });
    }
    // A bare port: [::]:port (the engine falls back to 0.0.0.0 without IPv6).
    match parse_ip_port(s) {
        Err(ValueError::OutOfRange) => return Err(ValueError::OutOfRange),
        Ok(port) => {
            return Ok(SocketAddress::Ip {
                addr: SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0)),
                ifname: None,
                port_only: true,
            })
        }
        Err(_) => {}
    }
    parse_ip_with_port(s)
}

fn parse_unix(s: &str) -> Result<SocketAddress, ValueError> {
    // sockaddr_un_set_path(): at least one character after '/' or '@', and it must fit
    // sun_path with the terminating NUL.
    if s.len() < 2 {
        return Err(ValueError::Invalid);
    }
    if s.len() > SUN_PATH_LEN - 1 {
        return Err(if s.starts_with('/') {
            ValueError::Other("File name too long".into())
        } else {
            ValueError::Invalid
        });
    }
    if s.contains('\0') {
        return Err(ValueError::Invalid);
    }
    Ok(match s.strip_prefix('@') {
        Some(name) => SocketAddress::Abstract(name.to_string()),
        None => SocketAddress::Unix(PathBuf::from(s)),
    })
}

/// `strtoul()` with systemd's `safe_atou*()` checks in base 0 (so `0x50` is 80 and
/// `080` is invalid), limited to `max`.
fn safe_atou_max(s: &str, max: u64) -> Result<u64, ValueError> {
    let v = super::values::parse_unsigned(s)?;
    if v > max {
        return Err(ValueError::OutOfRange);
    }
    Ok(v)
}

fn safe_atou32(s: &str) -> Result<u32, ValueError> {
    safe_atou_max(s, u64::from(u32::MAX)).map(|v| v as u32)
}

/// `parse_ip_port()`: 1–65535; 0 is EINVAL.
fn parse_ip_port(s: &str) -> Result<u16, ValueError> {
    let v = safe_atou_max(s, u64::from(u16::MAX))?;
    if v == 0 {
        return Err(ValueError::Invalid);
    }
    Ok(v as u16)
}

/// `ifname_valid_full(…, IFNAME_VALID_ALTERNATIVE | IFNAME_VALID_NUMERIC)` (roughly).
fn ifname_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() < 128
        && s != "."
        && s != ".."
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | ':' | '%') || c.is_control())
}

/// Resolve a `%scope` to (ifindex, name), like `rtnl_resolve_interface()`.
fn resolve_interface(s: &str) -> Result<(u32, String), ValueError> {
    if !ifname_valid(s) {
        return Err(ValueError::Invalid);
    }
    let no_dev = || ValueError::Other("No such device".into());
    if let Ok(idx) = super::values::parse_unsigned(s) {
        let idx = u32::try_from(idx).map_err(|_| no_dev())?;
        if idx == 0 {
            return Err(ValueError::Invalid);
        }
        let name = nix::net::if_::if_indextoname(idx).map_err(|_| no_dev())?;
        return Ok((idx, name.to_string_lossy().into_owned()));
    }
    let c = CString::new(s).map_err(|_| ValueError::Invalid)?;
    let idx = nix::net::if_::if_nametoindex(c.as_c_str()).map_err(|_| no_dev())?;
    Ok((idx, s.to_string()))
}

/// `in_addr_port_ifindex_name_from_string_auto()` with a required port.
fn parse_ip_with_port(s: &str) -> Result<SocketAddress, ValueError> {
    if s.contains('#') {
        // Server names are not allowed here.
        return Err(ValueError::Invalid);
    }
    let (s, scope) = match s.split_once('%') {
        Some((addr, scope)) => {
            if scope.is_empty() {
                return Err(ValueError::Invalid);
            }
            (addr, Some(resolve_interface(scope)?))
        }
        None => (s, None),
    };
    let Some(colon) = s.rfind(':') else {
        // Only an IPv4 address: valid syntax, but no port.
        s.parse::<Ipv4Addr>().map_err(|_| ValueError::Invalid)?;
        return Err(ValueError::Invalid);
    };
    let (host, port_s) = (&s[..colon], &s[colon + 1..]);
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(ValueError::Invalid)?;
        let port = parse_ip_port(port_s)?;
        let ip: Ipv6Addr = inner.parse().map_err(|_| ValueError::Invalid)?;
        let (scope_id, ifname) = match scope {
            Some((idx, name)) => (idx, Some(name)),
            None => (0, None),
        };
        return Ok(SocketAddress::Ip {
            addr: SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope_id)),
            ifname,
            port_only: false,
        });
    }
    if s.parse::<Ipv6Addr>().is_ok() {
        // An unbracketed IPv6 address (`::1:87`) has no port: "No port, no go".
        return Err(ValueError::Invalid);
    }
    let ip: Ipv4Addr = host.parse().map_err(|_| ValueError::Invalid)?;
    let port = parse_ip_port(port_s)?;
    // The scope is ignored for IPv4 (socket_address_parse()).
    Ok(SocketAddress::Ip {
        addr: SocketAddr::V4(SocketAddrV4::new(ip, port)),
        ifname: None,
        port_only: false,
    })
}

/// `ListenNetlink=family [group]` (systemd.socket(5)); the family may be a name from
/// systemd's table or a protocol number, which is printed by name when known.
pub fn parse_netlink(s: &str) -> Result<NetlinkAddress, ValueError> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let (word, rest) = match s.find([' ', '\t', '\n', '\r']) {
        Some(i) => (&s[..i], s[i..].trim_start_matches([' ', '\t', '\n', '\r'])),
        None => (s, ""),
    };
    if word.is_empty() {
        return Err(ValueError::Invalid);
    }
    let family = match NETLINK_FAMILIES.iter().find(|(n, _)| *n == word) {
        Some((n, _)) => (*n).to_string(),
        None => {
            let num = super::values::parse_unsigned(word).map_err(|_| ValueError::Invalid)?;
            if num > i32::MAX as u64 {
                return Err(ValueError::Invalid);
            }
            match NETLINK_FAMILIES.iter().find(|(_, v)| u64::from(*v) == num) {
                Some((n, _)) => (*n).to_string(),
                None => num.to_string(),
            }
        }
    };
    let group = if rest.is_empty() {
        0
    } else {
        safe_atou32(rest).map_err(|_| ValueError::Invalid)?
    };
    Ok(NetlinkAddress { family, group })
}

impl NetlinkAddress {
    /// The netlink protocol number (`NETLINK_ROUTE` = 0 …), for socket().
    pub fn protocol(&self) -> Option<i32> {
        NETLINK_FAMILIES
            .iter()
            .find(|(n, _)| *n == self.family)
            .map(|(_, v)| *v as i32)
            .or_else(|| self.family.parse().ok())
    }
}

impl fmt::Display for SocketAddress {
    /// systemd's `sockaddr_pretty()` as shown by the unit dump and `systemctl status`:
    /// `[::]:80`, `0.0.0.0:81`, `[fe80::1]:83%lo`, `/path`, `@abstract`, `vsock:2:1234`,
    /// `vsock::1234`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketAddress::Ip { addr, ifname, .. } => match addr {
                SocketAddr::V4(a) => write!(f, "{}:{}", a.ip(), a.port()),
                SocketAddr::V6(a) => {
                    write!(f, "[{}]:{}", a.ip(), a.port())?;
                    if let Some(n) = ifname {
                        write!(f, "%{n}")?;
                    }
                    Ok(())
                }
            },
            SocketAddress::Unix(p) => write!(f, "{}", p.display()),
            SocketAddress::Abstract(n) => write!(f, "@{n}"),
            SocketAddress::Vsock { cid, port } => match cid {
                Some(c) => write!(f, "vsock:{c}:{port}"),
                None => write!(f, "vsock::{port}"),
            },
        }
    }
}

impl fmt::Display for Listen {
    /// The address text only (`[::]:80`, `/run/x.fifo`, `route 0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => {
                write!(f, "{a}")
            }
            Listen::Fifo(p) | Listen::Special(p) | Listen::UsbFunction(p) => {
                write!(f, "{}", p.display())
            }
            Listen::Netlink(n) => write!(f, "{} {}", n.family, n.group),
            Listen::MessageQueue(q) => f.write_str(q),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match parse_socket_address(s) {
            Ok(a) => a.to_string(),
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn err(s: &str) -> String {
        match parse_socket_address(s) {
            Ok(a) => panic!("{s} parsed as {a}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn accepted_like_systemd_252() {
        // Each pair verified with `systemd-analyze verify` (252) dump output.
        assert_eq!(ok("80"), "[::]:80");
        assert_eq!(ok("0x50"), "[::]:80");
        assert_eq!(ok("+93"), "[::]:93");
        assert_eq!(ok(" 94"), "[::]:94");
        assert_eq!(ok("0.0.0.0:81"), "0.0.0.0:81");
        assert_eq!(ok("127.0.0.1:7"), "127.0.0.1:7");
        assert_eq!(ok("[::]:96"), "[::]:96");
        assert_eq!(ok("[::ffff:1.2.3.4]:90"), "[::ffff:1.2.3.4]:90");
        assert_eq!(ok("[fe80::1]:84%lo"), "[fe80::1]:84%lo");
        assert_eq!(ok("[fe80::1]:85%1"), "[fe80::1]:85%lo");
        assert_eq!(ok("1.2.3.4:86%lo"), "1.2.3.4:86");
        assert_eq!(ok("/a//b/"), "/a//b/");
        assert_eq!(ok("@a"), "@a");
        assert_eq!(ok("vsock::1235"), "vsock::1235");
        assert_eq!(ok("vsock:2:0x10"), "vsock:2:16");
        let long = format!("/{}", "a".repeat(106));
        assert_eq!(ok(&long), long);
    }

    #[test]
    fn port_only_is_flagged() {
        match parse_socket_address("8080").unwrap() {
            SocketAddress::Ip {
                addr, port_only, ..
            } => {
                assert!(port_only);
                assert_eq!(addr.port(), 8080);
                assert!(addr.is_ipv6());
            }
            other => panic!("{other:?}"),
        }
        match parse_socket_address("[fe80::1]:84%lo").unwrap() {
            SocketAddress::Ip {
                addr: SocketAddr::V6(a),
                ifname,
                port_only,
            } => {
                assert!(!port_only);
                assert_eq!(ifname.as_deref(), Some("lo"));
                assert!(a.scope_id() > 0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejected_like_systemd_252() {
        const INVAL: &str = "Invalid argument";
        const RANGE: &str = "Numerical result out of range";
        assert_eq!(err("localhost:85"), INVAL);
        assert_eq!(err("*:86"), INVAL);
        assert_eq!(err("::1:87"), INVAL);
        assert_eq!(err("::1"), INVAL);
        assert_eq!(err("1.2.3.4"), INVAL);
        assert_eq!(err("1.2.3.4:"), INVAL);
        assert_eq!(err("0"), INVAL);
        assert_eq!(err("1.2.3.4:0"), INVAL);
        assert_eq!(err("99999"), RANGE);
        assert_eq!(err("-1"), RANGE);
        assert_eq!(err("127.0.0.1:99999"), RANGE);
        assert_eq!(err("[::1]:65536"), RANGE);
        assert_eq!(err("080"), INVAL);
        assert_eq!(err("01.2.3.4:91"), INVAL);
        assert_eq!(err("[::1]:092"), INVAL);
        assert_eq!(err("[1.2.3.4]:95"), INVAL);
        assert_eq!(err("[::1]:87%"), INVAL);
        assert_eq!(err("1.2.3.4:89#foo"), INVAL);
        assert_eq!(err("[fe80::1]:83%nosuchdev"), "No such device");
        assert_eq!(err("/"), INVAL);
        assert_eq!(err("@"), INVAL);
        assert_eq!(err(&format!("/{}", "a".repeat(107))), "File name too long");
        assert_eq!(err(&format!("@{}", "a".repeat(107))), INVAL);
        assert_eq!(err("vsock:x:1"), INVAL);
        assert_eq!(err("vsock:1"), INVAL);
        assert_eq!(err("vsock:1:"), INVAL);
        assert_eq!(err(""), INVAL);
    }

    #[test]
    fn netlink() {
        let n = parse_netlink("route").unwrap();
        assert_eq!((n.family.as_str(), n.group), ("route", 0));
        assert_eq!(Listen::Netlink(n.clone()).to_string(), "route 0");
        assert_eq!(n.protocol(), Some(0));
        let n = parse_netlink("kobject-uevent 1").unwrap();
        assert_eq!(Listen::Netlink(n).to_string(), "kobject-uevent 1");
        let n = parse_netlink("16 3").unwrap();
        assert_eq!(Listen::Netlink(n).to_string(), "generic 3");
        assert!(parse_netlink("bogus").is_err());
        assert!(parse_netlink("route x").is_err());
        assert!(parse_netlink("").is_err());
    }

    #[test]
    fn listen_display() {
        assert_eq!(
            Listen::Fifo(PathBuf::from("/run/x.fifo")).to_string(),
            "/run/x.fifo"
        );
        assert_eq!(
            Listen::Datagram(parse_socket_address("514").unwrap()).to_string(),
            "[::]:514"
        );
        assert_eq!(Listen::MessageQueue("/q".into()).to_string(), "/q");
    }
}
