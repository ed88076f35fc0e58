//! Datagram builtins: request in, at most one reply out.
//!
//! Loop protection (inetd.md §2.3, CVE-1999-0103): no reply to privileged source
//! ports (< 1024, OpenBSD `dg_badinput`), to NFS (2049), to the ports of our own
//! UDP builtins (FreeBSD `check_loop`: two echo/chargen servers would otherwise
//! talk to each other forever), nor to sources that cannot be a real peer
//! (unspecified, multicast, broadcast). Replies stay small: chargen sends one
//! 74-byte line per datagram like BSD, never the 1 KiB xinetd sends.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use super::content;
use crate::unit::model::Builtin;

/// NFS, refused by OpenBSD's `dg_badinput` alongside the reserved ports.
const NFS_PORT: u16 = 2049;

/// Whether a datagram from `peer` must get no reply.
pub fn refuse_source(peer: &SocketAddr, own_ports: &[u16]) -> bool {
    let port = peer.port();
    if port < 1024 || port == NFS_PORT || own_ports.contains(&port) {
        return true;
    }
    match peer.ip().to_canonical() {
        IpAddr::V4(v4) => v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.is_unspecified() || v6.is_multicast(),
    }
}

/// BSD keeps one static ring position across all chargen datagrams (inetd.c
/// `chargen_dg`: `static char *rs`), so consecutive replies are consecutive lines.
static CHARGEN_DG_LINE: AtomicUsize = AtomicUsize::new(0);

/// The reply to one datagram, or None (discard, or refused by loop protection).
/// Echo returns the request as received (the engine's receive buffer bounds it).
pub fn datagram_reply(
    kind: Builtin,
    request: &[u8],
    peer: &SocketAddr,
    own_ports: &[u16],
    now: SystemTime,
) -> Option<Vec<u8>> {
    if kind == Builtin::Discard {
        return None;
    }
    if refuse_source(peer, own_ports) {
        log::debug!("{}/udp: loop request REFUSED from {peer}", kind.name());
        return None;
    }
    Some(match kind {
        Builtin::Echo => request.to_vec(),
        Builtin::Chargen => {
            let k = CHARGEN_DG_LINE.fetch_add(1, Ordering::Relaxed) % content::RING_LEN;
            content::chargen_line(k).to_vec()
        }
        Builtin::Daytime => content::daytime_bytes(now),
        Builtin::Time => content::time_bytes(now).to_vec(),
        Builtin::Discard => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn loop_protection() {
        let own = [7u16, 19, 40007];
        assert!(refuse_source(&peer("127.0.0.1:7"), &own));
        assert!(refuse_source(&peer("127.0.0.1:1023"), &own));
        assert!(refuse_source(&peer("127.0.0.1:2049"), &own));
        assert!(refuse_source(&peer("127.0.0.1:40007"), &own));
        assert!(refuse_source(&peer("[::ffff:255.255.255.255]:5000"), &own));
        assert!(refuse_source(&peer("224.0.0.1:5000"), &own));
        assert!(!refuse_source(&peer("127.0.0.1:5000"), &own));
        assert!(!refuse_source(&peer("[::1]:5000"), &own));
    }

    #[test]
    fn replies() {
        let p = peer("127.0.0.1:40000");
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            datagram_reply(Builtin::Echo, b"hi", &p, &[], now),
            Some(b"hi".to_vec())
        );
        assert_eq!(datagram_reply(Builtin::Discard, b"hi", &p, &[], now), None);
        assert_eq!(
            datagram_reply(Builtin::Time, b"", &p, &[], now),
            Some(2_208_988_800u32.to_be_bytes().to_vec())
        );
        let a = datagram_reply(Builtin::Chargen, b"", &p, &[], now).unwrap();
        let b = datagram_reply(Builtin::Chargen, b"", &p, &[], now).unwrap();
        assert_eq!((a.len(), b.len()), (74, 74));
        assert_ne!(a, b);
        assert_eq!(
            datagram_reply(Builtin::Echo, b"hi", &peer("127.0.0.1:53"), &[], now),
            None
        );
    }
}
