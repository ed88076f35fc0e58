//! Accept=yes instance names, as systemd 252 builds them (src/core/socket.c
//! `instance_from_socket`): `<nr>-<local>-<remote>` with addresses unescaped.
//!
//! systemd v258+ adds the socket cookie (`nr-COOKIE-…`); we follow 252's form because
//! it is what Debian 12 users see and what the reference tests pin.

use std::os::fd::BorrowedFd;

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
    let local = local.cloned().or_else(|| local_address(conn));
    match (local, peer) {
        (Some(SockName::Ip(l)), Some(SockName::Ip(r))) => {
            // One formatting pass (this runs once per accepted connection);
            // IPv4-mapped IPv6 addresses are printed as IPv4, as systemd does.
            format!(
                "{nr}-{}:{}-{}:{}",
                l.ip().to_canonical(),
                l.port(),
                r.ip().to_canonical(),
                r.port()
            )
        }
        (Some(SockName::Vsock { cid, port }), Some(SockName::Vsock { cid: rc, port: rp })) => {
            format!("{nr}-{cid}:{port}-{rc}:{rp}")
        }
        (Some(SockName::Unix(_) | SockName::Abstract(_) | SockName::Unnamed), _) => {
            match nix::sys::socket::getsockopt(&conn, nix::sys::socket::sockopt::PeerCredentials) {
                Ok(c) => format!("{nr}-{}-{}", c.pid(), c.uid()),
                Err(_) => format!("{nr}-unknown"),
            }
        }
        _ => format!("{nr}-unknown"),
    }
}

/// `prefix@instance.service` for the template `prefix@.service`.
pub fn instance_unit_name(template: &str, instance: &str) -> String {
    match template.split_once("@.") {
        Some((prefix, suffix)) => {
            let mut name = String::with_capacity(template.len() + instance.len());
            for part in [prefix, "@", instance, ".", suffix] {
                name.push_str(part);
            }
            name
        }
        None => template.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names() {
        assert_eq!(
            instance_unit_name("echo@.service", "0-127.0.0.1:7777-127.0.0.1:40312"),
            "echo@0-127.0.0.1:7777-127.0.0.1:40312.service"
        );
    }
}
