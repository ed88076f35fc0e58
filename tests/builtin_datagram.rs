//! Datagram builtins over real loopback UDP, with the loop protection.

use std::net::UdpSocket;
use std::time::{Duration, SystemTime};

use activator::builtin::datagram_reply;
use activator::unit::model::Builtin;

/// A minimal server turn: receive one datagram, reply per datagram_reply.
fn turn(server: &UdpSocket, kind: Builtin, own: &[u16]) {
    let mut buf = [0u8; 65536];
    let (n, peer) = server.recv_from(&mut buf).unwrap();
    if let Some(reply) = datagram_reply(kind, &buf[..n], &peer, own, SystemTime::now()) {
        server.send_to(&reply, peer).unwrap();
    }
}

#[test]
fn echo_chargen_time_over_udp() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let own = [server.local_addr().unwrap().port()];
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.connect(server.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 65536];

    client.send(b"hello udp").unwrap();
    turn(&server, Builtin::Echo, &own);
    let n = client.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello udp");

    client.send(b"").unwrap();
    turn(&server, Builtin::Chargen, &own);
    let n = client.recv(&mut buf).unwrap();
    assert_eq!(n, 74);
    assert!(n <= 512);
    assert_eq!(&buf[72..74], b"\r\n");

    client.send(b"").unwrap();
    turn(&server, Builtin::Time, &own);
    assert_eq!(client.recv(&mut buf).unwrap(), 4);
}

#[test]
fn no_reply_to_our_own_builtin_port() {
    // Two builtins pointed at each other must not ping-pong (CVE-1999-0103).
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let own = [
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    ];
    a.send_to(b"x", b.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 16];
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (n, peer) = b.recv_from(&mut buf).unwrap();
    assert_eq!(
        datagram_reply(Builtin::Echo, &buf[..n], &peer, &own, SystemTime::now()),
        None
    );
}
