//! Where an entry listens: the host, service and protocol fields of an inetd.conf
//! line (inetd.md §1) become `Listen*=` entries and `BindIPv6Only=` (systemd.socket(5)).
//! The service is a port (services(5)), each host an IP literal (an IPv6 one may carry
//! a `%scope`) or a name getaddrinfo resolves, and the dialect says which address
//! families a protocol word binds. `listen_set` is a `Mapper` method because ports and
//! host names go through the mapper's caches; the helpers need no state.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};
use std::path::PathBuf;

use super::dialect::Family;
use super::entry::{Entry, Hosts, ServiceSpec, SocketType};
use super::mapping::Mapper;
use crate::unit::model::{BindIpv6Only, Listen, SocketAddress};

/// A host's addresses (port 0) with IPv6 scope names, or why it has none.
pub(super) type HostAddrs = Result<Vec<(SocketAddr, Option<String>)>, String>;

/// One socket unit's worth of listening addresses.
pub(super) struct ListenSet {
    pub(super) listen: Vec<Listen>,
    pub(super) bind_ipv6_only: BindIpv6Only,
    /// Whether these are the wildcard addresses (`*`), which `split_suffix` names
    /// by family rather than by address.
    pub(super) wildcard: bool,
}

/// Name suffix of a listen address when a `wait` entry is split into one unit per
/// socket: `v4`/`v6` for the wildcards, else the address (made only then: most
/// entries are not split).
pub(super) fn split_suffix(wildcard: bool, l: &Listen) -> String {
    match l.socket_address() {
        Some(SocketAddress::Ip { addr, .. }) if wildcard => {
            if addr.is_ipv4() { "v4" } else { "v6" }.to_string()
        }
        Some(SocketAddress::Ip { addr, .. }) => crate::sys::addr_text::ip_string(addr.ip()),
        _ => String::new(),
    }
}

impl Mapper<'_> {
    pub(super) fn listen_set(
        &mut self,
        e: &Entry,
        default_hosts: &Hosts,
    ) -> Result<ListenSet, String> {
        let wrap = |addr: SocketAddress| match e.socket_type {
            SocketType::Dgram => Listen::Datagram(addr),
            SocketType::SeqPacket => Listen::SequentialPacket(addr),
            _ => Listen::Stream(addr),
        };
        let (hosts, service) = match &e.service {
            ServiceSpec::Unix { path, .. } => {
                return Ok(ListenSet {
                    listen: vec![wrap(SocketAddress::Unix(path.clone()))],
                    bind_ipv6_only: BindIpv6Only::Default,
                    wildcard: false,
                })
            }
            ServiceSpec::Inet { hosts, service } => {
                (hosts.as_ref().unwrap_or(default_hosts), service)
            }
            _ => return Err("Unsupported service".to_string()),
        };
        let port = self.resolve_port(e, service)?;
        let families = self
            .dialect()
            .families(&e.protocol.word)
            .ok_or_else(|| format!("Unknown protocol '{}'", e.protocol.word))?;
        // Sized for one address per family (any host) or per host: the units keep
        // these vectors.
        let mut listen = Vec::with_capacity(match hosts {
            Hosts::Any => families.len(),
            Hosts::List(list) => list.len(),
        });
        let mut push = |addr: SocketAddr, ifname: Option<String>| {
            let l = wrap(SocketAddress::Ip {
                addr,
                ifname,
                port_only: false,
            });
            if !listen.contains(&l) {
                listen.push(l);
            }
        };
        match hosts {
            Hosts::Any => {
                for f in families {
                    match f {
                        Family::V4 => push(
                            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
                            None,
                        ),
                        _ => push(
                            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
                            None,
                        ),
                    }
                }
            }
            Hosts::List(list) => {
                for host in list {
                    let mut matched = false;
                    for (addr, ifname) in self.host_addrs(host)? {
                        let mut addr = *addr;
                        addr.set_port(port);
                        let fits = families.iter().any(|f| match f {
                            Family::V4 => addr.is_ipv4(),
                            _ => addr.is_ipv6(),
                        });
                        if fits {
                            matched = true;
                            push(addr, ifname.clone());
                        }
                    }
                    if !matched {
                        return Err(format!(
                            "Host '{host}' has no address of the family protocol '{}' binds",
                            e.protocol.word
                        ));
                    }
                }
            }
        }
        // IPV6_V6ONLY only matters when an AF_INET6 socket is bound (a v4 host with
        // OpenBSD's bare `tcp` gives only the v4 socket).
        let any_v6 = listen.iter().any(|l| {
            matches!(l.socket_address(), Some(SocketAddress::Ip { addr, .. }) if addr.is_ipv6())
        });
        let mut bind_ipv6_only = BindIpv6Only::Default;
        for f in families.iter().filter(|_| any_v6) {
            match f {
                Family::V6Only => bind_ipv6_only = BindIpv6Only::Ipv6Only,
                Family::Dual => bind_ipv6_only = BindIpv6Only::Both,
                _ => {}
            }
        }
        listen.shrink_to_fit();
        Ok(ListenSet {
            listen,
            bind_ipv6_only,
            wildcard: matches!(hosts, Hosts::Any),
        })
    }
}

/// IP literal (with optional `%scope`) or host name → addresses.
pub(super) fn resolve_host(host: &str, port: u16) -> HostAddrs {
    let (ip_part, scope) = match host.split_once('%') {
        Some((a, s)) => (a, Some(s)),
        None => (host, None),
    };
    if let Ok(ip) = ip_part.parse::<IpAddr>() {
        return match (ip, scope) {
            (IpAddr::V6(v6), Some(scope)) => {
                let index = match scope.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => nix::net::if_::if_nametoindex(scope)
                        .map_err(|_| format!("Unknown interface '{scope}' in '{host}'"))?,
                };
                Ok(vec![(
                    SocketAddr::V6(SocketAddrV6::new(v6, port, 0, index)),
                    Some(scope.to_string()),
                )])
            }
            (IpAddr::V4(_), Some(_)) => Err(format!("Scope on an IPv4 address '{host}'")),
            (ip, None) => Ok(vec![(SocketAddr::new(ip, port), None)]),
        };
    }
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|err| format!("Cannot resolve host '{host}': {err}"))?;
    let mut out: Vec<(SocketAddr, Option<String>)> = Vec::new();
    for a in addrs {
        if !out.iter().any(|(x, _)| *x == a) {
            out.push((a, None));
        }
    }
    if out.is_empty() {
        return Err(format!("Host '{host}' has no addresses"));
    }
    Ok(out)
}

pub(super) fn listen_address(l: &Listen) -> SocketAddress {
    match l.socket_address() {
        Some(a) => a.clone(),
        None => SocketAddress::Unix(PathBuf::new()),
    }
}

pub(super) fn display_listen(l: &Listen) -> String {
    match l.socket_address() {
        Some(SocketAddress::Ip { addr, .. }) => addr.to_string(),
        Some(SocketAddress::Unix(p)) => p.display().to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_hosts() {
        let v = resolve_host("fe80::1%1", 7).unwrap();
        assert_eq!(v[0].1.as_deref(), Some("1"));
        assert!(resolve_host("127.0.0.1%lo", 7).is_err());
        assert_eq!(
            resolve_host("::1", 7).unwrap()[0].0,
            "[::1]:7".parse().unwrap()
        );
    }
}
