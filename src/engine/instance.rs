//! Accept=yes instance names, as systemd 252 builds them (src/core/socket.c
//! `instance_from_socket`): `<nr>-<local>-<remote>` with addresses unescaped.
//!
//! systemd v258+ adds the socket cookie (`nr-COOKIE-…`); we follow 252's form because
//! it is what Debian 12 users see and what the reference tests pin.

use std::ops::Range;
use std::os::fd::BorrowedFd;

use crate::sys::addr_text::{push_decimal, push_ip};
use crate::sys::socket::{local_address, SockName};
use crate::unit::{Listen, SocketAddress};

/// The local address every connection of `listen` has, when the socket is bound to
/// one specific IP address and port (so `getsockname()` per connection would only
/// repeat it). Wildcard and dual-stack sockets answer per connection.
pub fn fixed_local_address(listen: &Listen) -> Option<SockName> {
    match listen {
        Listen::Stream(SocketAddress::Ip {
            addr,
            port_only: false,
            ..
        })
        | Listen::SequentialPacket(SocketAddress::Ip {
            addr,
            port_only: false,
            ..
        }) if !addr.ip().is_unspecified() && addr.port() != 0 => Some(SockName::Ip(*addr)),
        _ => None,
    }
}

/// The instance text for connection number `nr` (NAccepted before increment);
/// `local` is the connection's local address when already known.
pub fn instance_name(
    nr: u64,
    conn: BorrowedFd<'_>,
    local: Option<&SockName>,
    peer: Option<&SockName>,
) -> String {
    let mut out = String::with_capacity(48);
    push_instance(&mut out, nr, conn, local, peer);
    out
}

/// The unit name of connection `nr`'s instance of `template` (see
/// `instance_name` and `instance_unit_name`), built in one buffer, with where the
/// instance text lies in it (`None` when `template` is no template: the name is
/// its own). This runs once per accepted connection: the addresses are written
/// without the formatter.
pub fn connection_unit_name(
    template: &str,
    nr: u64,
    conn: BorrowedFd<'_>,
    local: Option<&SockName>,
    peer: Option<&SockName>,
) -> (String, Option<Range<usize>>) {
    // `split_once("@.")` without setting up a substring searcher per connection.
    let Some(at) = template.as_bytes().windows(2).position(|w| w == b"@.") else {
        return (template.to_string(), None);
    };
    let (prefix, suffix) = (&template[..at], &template[at + 2..]);
    let mut name = String::with_capacity(template.len() + 48);
    name.push_str(prefix);
    name.push('@');
    let start = name.len();
    push_instance(&mut name, nr, conn, local, peer);
    let end = name.len();
    name.push('.');
    name.push_str(suffix);
    (name, Some(start..end))
}

fn push_instance(
    out: &mut String,
    nr: u64,
    conn: BorrowedFd<'_>,
    local: Option<&SockName>,
    peer: Option<&SockName>,
) {
    let local = match local {
        Some(l) => Some(l.clone()),
        None => local_address(conn),
    };
    push_decimal(out, nr);
    match (local, peer) {
        (Some(SockName::Ip(l)), Some(SockName::Ip(r))) => {
            // IPv4-mapped IPv6 addresses are printed as IPv4, as systemd does.
            for a in [l, *r] {
                out.push('-');
                push_ip(out, a.ip().to_canonical());
                out.push(':');
                push_decimal(out, u64::from(a.port()));
            }
        }
        (Some(SockName::Vsock { cid, port }), Some(SockName::Vsock { cid: rc, port: rp })) => {
            for (c, p) in [(cid, port), (*rc, *rp)] {
                out.push('-');
                push_decimal(out, u64::from(c));
                out.push(':');
                push_decimal(out, u64::from(p));
            }
        }
        (Some(SockName::Unix(_) | SockName::Abstract(_) | SockName::Unnamed), _) => {
            match nix::sys::socket::getsockopt(&conn, nix::sys::socket::sockopt::PeerCredentials) {
                Ok(c) => {
                    out.push('-');
                    push_decimal(out, c.pid() as u64);
                    out.push('-');
                    push_decimal(out, u64::from(c.uid()));
                }
                Err(_) => out.push_str("-unknown"),
            }
        }
        _ => out.push_str("-unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_names_are_written_as_the_formatter_would() {
        use std::net::{Ipv6Addr, SocketAddr};
        let sock = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let fd = std::os::fd::AsFd::as_fd(&sock);
        let v4 = |s: &str| SockName::Ip(s.parse::<SocketAddr>().unwrap());
        let mapped = SockName::Ip(SocketAddr::new(
            Ipv6Addr::from(0xffff_c0a8_0001u128).into(),
            65535,
        ));
        let (name, range) = connection_unit_name(
            "echo@.service",
            18446744073709551615,
            fd,
            Some(&v4("10.0.0.255:7")),
            Some(&mapped),
        );
        assert_eq!(
            name,
            "echo@18446744073709551615-10.0.0.255:7-192.168.0.1:65535.service"
        );
        assert_eq!(
            &name[range.unwrap()],
            "18446744073709551615-10.0.0.255:7-192.168.0.1:65535"
        );
        let v6 = v4("[2001:db8::1]:80");
        assert_eq!(
            instance_name(0, fd, Some(&v6), Some(&v4("0.0.0.0:0"))),
            "0-2001:db8::1:80-0.0.0.0:0"
        );
        assert_eq!(
            connection_unit_name("plain.service", 3, fd, Some(&v6), Some(&v6)),
            ("plain.service".to_string(), None)
        );
    }
}
