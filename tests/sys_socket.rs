//! open_listen against real sockets: every Listen kind binds, accepts traffic and
//! carries the options systemd.socket(5) asks for.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use activator::sys::socket::{self, listen_matches, local_address, open_listen, SockName};
use activator::sys::sockopt::get_int;
use activator::sys::user::lookup_user;
use activator::unit::model::{
    BindIpv6Only, Listen, NetlinkAddress, SocketAddress, SocketOptions, Timestamping,
};
use activator::unit::values::Usec;

fn ip(addr: &str) -> SocketAddress {
    SocketAddress::Ip {
        addr: addr.parse().unwrap(),
        ifname: None,
        port_only: false,
    }
}

fn port_of(fd: BorrowedFd<'_>) -> u16 {
    match local_address(fd) {
        Some(SockName::Ip(a)) => a.port(),
        other => panic!("not an IP socket: {other:?}"),
    }
}

fn fd_flags(fd: BorrowedFd<'_>) -> (bool, bool) {
    let fl = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).unwrap();
    let fdfl = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).unwrap();
    (fl & libc::O_NONBLOCK != 0, fdfl & libc::FD_CLOEXEC != 0)
}

fn accept_within(fd: BorrowedFd<'_>) -> OwnedFd {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(c) = socket::accept_connection(fd).unwrap() {
            return c;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no connection within 5s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn tcp_v4_listens_nonblocking_cloexec_reuseaddr() {
    let l = Listen::Stream(ip("127.0.0.1:0"));
    let fd = open_listen(&l, &SocketOptions::default()).unwrap();
    assert_eq!(fd_flags(fd.as_fd()), (true, true));
    assert_eq!(
        get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR),
        Ok(1)
    );
    assert_eq!(
        get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_ACCEPTCONN),
        Ok(1)
    );
    let port = port_of(fd.as_fd());
    let mut client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    let conn = accept_within(fd.as_fd());
    assert_eq!(fd_flags(conn.as_fd()), (true, true));
    client.write_all(b"x").unwrap();
    let env = socket::remote_env(conn.as_fd());
    assert_eq!(env[0], ("REMOTE_ADDR", "127.0.0.1".to_string()));
    assert_eq!(env[1].1, client.local_addr().unwrap().port().to_string());
    // listen_matches: same address yes; other port, other type no.
    let bound = Listen::Stream(ip(&format!("127.0.0.1:{port}")));
    assert!(listen_matches(fd.as_fd(), &bound));
    assert!(!listen_matches(
        fd.as_fd(),
        &Listen::Stream(ip("127.0.0.1:1"))
    ));
    assert!(!listen_matches(
        fd.as_fd(),
        &Listen::Datagram(ip(&format!("127.0.0.1:{port}")))
    ));
}

#[test]
fn bind_failure_names_address_and_errno() {
    let first = open_listen(
        &Listen::Stream(ip("127.0.0.1:0")),
        &SocketOptions::default(),
    )
    .unwrap();
    let port = port_of(first.as_fd());
    // Without SO_REUSEPORT a second listener on the same port fails.
    let err = open_listen(
        &Listen::Stream(ip(&format!("127.0.0.1:{port}"))),
        &SocketOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.errno(), Some(nix::errno::Errno::EADDRINUSE));
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn port_only_is_dual_stack_ipv6_any() {
    let l = Listen::Stream(SocketAddress::Ip {
        addr: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        ifname: None,
        port_only: true,
    });
    let fd = open_listen(&l, &SocketOptions::default()).unwrap();
    let port = match local_address(fd.as_fd()) {
        Some(SockName::Ip(a)) => {
            if a.is_ipv4() {
                eprintln!("SKIP: no IPv6 in this kernel, fell back to {a}");
                return;
            }
            assert_eq!(a.ip(), Ipv6Addr::UNSPECIFIED);
            a.port()
        }
        other => panic!("{other:?}"),
    };
    let bindv6only = std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only").unwrap_or_default();
    if bindv6only.trim() == "0" {
        TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("v4 via dual-stack");
    }
    let _ = TcpStream::connect((Ipv6Addr::LOCALHOST, port));
    let any = Listen::Stream(SocketAddress::Ip {
        addr: SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
        ifname: None,
        port_only: true,
    });
    assert!(listen_matches(fd.as_fd(), &any));
}

#[test]
fn bind_ipv6_only_sets_v6only() {
    let mut opts = SocketOptions {
        bind_ipv6_only: BindIpv6Only::Ipv6Only,
        ..SocketOptions::default()
    };
    let Ok(fd) = open_listen(&Listen::Stream(ip("[::1]:0")), &opts) else {
        eprintln!("SKIP: cannot bind [::1]");
        return;
    };
    assert_eq!(
        get_int(fd.as_fd(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
        Ok(1)
    );
    opts.bind_ipv6_only = BindIpv6Only::Both;
    let fd = open_listen(&Listen::Stream(ip("[::]:0")), &opts).unwrap();
    assert_eq!(
        get_int(fd.as_fd(), libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
        Ok(0)
    );
}

#[test]
fn udp_v4_receives() {
    let fd = open_listen(
        &Listen::Datagram(ip("127.0.0.1:0")),
        &SocketOptions::default(),
    )
    .unwrap();
    assert_eq!(
        get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_TYPE),
        Ok(libc::SOCK_DGRAM)
    );
    let port = port_of(fd.as_fd());
    let c = UdpSocket::bind("127.0.0.1:0").unwrap();
    c.send_to(b"ping", ("127.0.0.1", port)).unwrap();
    let sock = UdpSocket::from(fd);
    sock.set_nonblocking(false).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = sock.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(from, c.local_addr().unwrap());
}

#[test]
fn unix_stream_node_mode_parents_and_stale_node() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/sock");
    let opts = SocketOptions {
        socket_mode: 0o640,
        directory_mode: 0o750,
        ..SocketOptions::default()
    };
    let l = Listen::Stream(SocketAddress::Unix(path.clone()));
    let fd = open_listen(&l, &opts).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    let dmeta = std::fs::metadata(dir.path().join("a/b")).unwrap();
    assert_eq!(dmeta.permissions().mode() & 0o7777, 0o750);
    assert!(listen_matches(fd.as_fd(), &l));
    let mut c = UnixStream::connect(&path).unwrap();
    let conn = accept_within(fd.as_fd());
    c.write_all(b"hello").unwrap();
    let mut s = UnixStream::from(conn);
    s.set_nonblocking(false).unwrap();
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
    // The node stays after close (RemoveOnStop=no); a new bind replaces it.
    drop(fd);
    assert!(path.exists());
    let fd2 = open_listen(&l, &opts).unwrap();
    UnixStream::connect(&path).expect("rebound over stale node");
    socket::remove_node(&l);
    assert!(!path.exists());
    drop(fd2);
}

#[test]
fn unix_node_owner() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIP: chown of socket nodes needs root");
        return;
    }
    let Ok(nobody) = lookup_user("nobody") else {
        eprintln!("SKIP: no user nobody");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owned.sock");
    let opts = SocketOptions {
        socket_user: Some("nobody".into()),
        ..SocketOptions::default()
    };
    let _fd = open_listen(&Listen::Datagram(SocketAddress::Unix(path.clone())), &opts).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    // User without group: the user's primary group.
    assert_eq!((meta.uid(), meta.gid()), (nobody.uid, nobody.gid));
    let opts = SocketOptions {
        socket_user: Some("nobody".into()),
        socket_group: Some("0".into()),
        ..SocketOptions::default()
    };
    let path2 = dir.path().join("owned2.sock");
    let _fd2 = open_listen(&Listen::Stream(SocketAddress::Unix(path2.clone())), &opts).unwrap();
    let meta = std::fs::metadata(&path2).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (nobody.uid, 0));
    let bad = SocketOptions {
        socket_user: Some("no-such-user-xyz".into()),
        ..SocketOptions::default()
    };
    let err = open_listen(
        &Listen::Stream(SocketAddress::Unix(dir.path().join("bad.sock"))),
        &bad,
    )
    .unwrap_err();
    assert!(
        matches!(err, activator::sys::SysError::UnknownUser(_)),
        "{err:?}"
    );
}

#[test]
fn abstract_and_unix_datagram() {
    let name = format!("activator-test-{}", std::process::id());
    let l = Listen::Stream(SocketAddress::Abstract(name.clone()));
    let fd = open_listen(&l, &SocketOptions::default()).unwrap();
    assert!(listen_matches(fd.as_fd(), &l));
    assert_eq!(
        local_address(fd.as_fd()),
        Some(SockName::Abstract(name.as_bytes().to_vec()))
    );
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    UnixStream::connect_addr(&addr).unwrap();
    let _conn = accept_within(fd.as_fd());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgram");
    let fd = open_listen(
        &Listen::Datagram(SocketAddress::Unix(path.clone())),
        &SocketOptions::default(),
    )
    .unwrap();
    let c = UnixDatagram::unbound().unwrap();
    c.send_to(b"dg", &path).unwrap();
    let mut buf = [0u8; 4];
    let n = nix::unistd::read(&fd, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"dg");
}

#[test]
fn seqpacket_unix() {
    use nix::sys::socket::{connect, socket, AddressFamily, SockFlag, SockType, UnixAddr};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seq");
    let l = Listen::SequentialPacket(SocketAddress::Unix(path.clone()));
    let fd = open_listen(&l, &SocketOptions::default()).unwrap();
    assert_eq!(
        get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_TYPE),
        Ok(libc::SOCK_SEQPACKET)
    );
    assert!(listen_matches(fd.as_fd(), &l));
    assert!(!listen_matches(
        fd.as_fd(),
        &Listen::Stream(SocketAddress::Unix(path.clone()))
    ));
    let c = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    connect(c.as_raw_fd(), &UnixAddr::new(&path).unwrap()).unwrap();
    let _conn = accept_within(fd.as_fd());
}

#[test]
fn fifo_mode_pipe_size_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/fifo");
    let opts = SocketOptions {
        socket_mode: 0o620,
        pipe_size: Some(128 * 1024),
        ..SocketOptions::default()
    };
    let l = Listen::Fifo(path.clone());
    let fd = open_listen(&l, &opts).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_fifo());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o620);
    assert_eq!(fd_flags(fd.as_fd()), (true, true));
    let sz = nix::fcntl::fcntl(fd.as_fd(), nix::fcntl::FcntlArg::F_GETPIPE_SZ).unwrap();
    assert_eq!(sz, 128 * 1024);
    assert!(listen_matches(fd.as_fd(), &l));
    assert!(!listen_matches(
        fd.as_fd(),
        &Listen::Fifo(dir.path().join("other"))
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .write_all(b"f")
        .unwrap();
    let mut buf = [0u8; 2];
    assert_eq!(nix::unistd::read(&fd, &mut buf), Ok(1));
    // An existing FIFO is reused.
    let _again = open_listen(&l, &opts).unwrap();
}

#[test]
fn special_files() {
    let l = Listen::Special(PathBuf::from("/dev/null"));
    let fd = open_listen(&l, &SocketOptions::default()).unwrap();
    let fl = nix::fcntl::fcntl(fd.as_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap();
    assert_eq!(fl & libc::O_ACCMODE, libc::O_RDONLY);
    assert!(listen_matches(fd.as_fd(), &l));
    let rw = SocketOptions {
        writable: true,
        ..SocketOptions::default()
    };
    let fd = open_listen(&l, &rw).unwrap();
    let fl = nix::fcntl::fcntl(fd.as_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap();
    assert_eq!(fl & libc::O_ACCMODE, libc::O_RDWR);
    // Directories are refused.
    assert!(open_listen(
        &Listen::Special(PathBuf::from("/")),
        &SocketOptions::default()
    )
    .is_err());
}

#[test]
fn netlink_route_best_effort() {
    let l = Listen::Netlink(NetlinkAddress {
        family: "route".into(),
        group: 0,
    });
    match open_listen(&l, &SocketOptions::default()) {
        Ok(fd) => assert!(listen_matches(fd.as_fd(), &l)),
        Err(e) => eprintln!("SKIP: netlink unavailable here: {e}"),
    }
    let bad = Listen::Netlink(NetlinkAddress {
        family: "no-such-family".into(),
        group: 0,
    });
    assert!(open_listen(&bad, &SocketOptions::default()).is_err());
}

#[test]
fn tcp_options_are_visible() {
    let opts = SocketOptions {
        backlog: 17,
        reuse_port: true,
        free_bind: true,
        keep_alive: true,
        keep_alive_time: Some(Usec::from_secs(600)),
        keep_alive_interval: Some(Usec::from_secs(30)),
        keep_alive_probes: Some(4),
        no_delay: true,
        defer_accept: Some(Usec::from_secs(5)),
        receive_buffer: Some(256 * 1024),
        send_buffer: Some(256 * 1024),
        // IP_TOS is left out here: setting it rewrites SO_PRIORITY in the kernel
        // (systemd applies them in the same order, with the same effect).
        priority: Some(3),
        ip_ttl: Some(42),
        mark: Some(7),
        tcp_congestion: Some("reno".into()),
        ..SocketOptions::default()
    };
    let fd = open_listen(&Listen::Stream(ip("127.0.0.1:0")), &opts).unwrap();
    let b = fd.as_fd();
    let sol = libc::SOL_SOCKET;
    assert_eq!(get_int(b, sol, libc::SO_REUSEPORT), Ok(1));
    assert_eq!(get_int(b, libc::IPPROTO_IP, libc::IP_FREEBIND), Ok(1));
    assert_eq!(get_int(b, sol, libc::SO_KEEPALIVE), Ok(1));
    assert_eq!(get_int(b, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), Ok(600));
    assert_eq!(get_int(b, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL), Ok(30));
    assert_eq!(get_int(b, libc::IPPROTO_TCP, libc::TCP_KEEPCNT), Ok(4));
    assert_eq!(get_int(b, libc::IPPROTO_TCP, libc::TCP_NODELAY), Ok(1));
    assert!(get_int(b, libc::IPPROTO_TCP, libc::TCP_DEFER_ACCEPT).unwrap() >= 5);
    // The kernel doubles SO_RCVBUF/SO_SNDBUF values.
    assert!(get_int(b, sol, libc::SO_RCVBUF).unwrap() >= 256 * 1024);
    assert!(get_int(b, sol, libc::SO_SNDBUF).unwrap() >= 256 * 1024);
    assert_eq!(get_int(b, sol, libc::SO_PRIORITY), Ok(3));
    assert_eq!(get_int(b, libc::IPPROTO_IP, libc::IP_TTL), Ok(42));
    if nix::unistd::geteuid().is_root() {
        assert_eq!(get_int(b, sol, libc::SO_MARK), Ok(7));
    }
    let cc =
        activator::sys::sockopt::get_bytes(b, libc::IPPROTO_TCP, libc::TCP_CONGESTION, 16).unwrap();
    assert!(cc.starts_with(b"reno"), "{cc:?}");

    // Accepted connections get the per-connection options too.
    let port = port_of(b);
    let _c = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    // TCP_DEFER_ACCEPT holds the connection until data arrives.
    (&_c).write_all(b"x").unwrap();
    let conn = accept_within(b);
    socket::apply_connection_options(conn.as_fd(), &opts);
    assert_eq!(
        get_int(conn.as_fd(), libc::IPPROTO_TCP, libc::TCP_NODELAY),
        Ok(1)
    );
    assert_eq!(
        get_int(conn.as_fd(), libc::IPPROTO_TCP, libc::TCP_KEEPCNT),
        Ok(4)
    );
}

#[test]
fn udp_and_unix_options_are_visible() {
    let opts = SocketOptions {
        broadcast: true,
        pass_packet_info: true,
        timestamping: Timestamping::Nanoseconds,
        ip_ttl: Some(9),
        ip_tos: Some(0x10),
        ..SocketOptions::default()
    };
    let fd = open_listen(&Listen::Datagram(ip("127.0.0.1:0")), &opts).unwrap();
    let b = fd.as_fd();
    assert_eq!(get_int(b, libc::SOL_SOCKET, libc::SO_BROADCAST), Ok(1));
    assert_eq!(get_int(b, libc::IPPROTO_IP, libc::IP_PKTINFO), Ok(1));
    assert_eq!(get_int(b, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS), Ok(1));
    assert_eq!(get_int(b, libc::IPPROTO_IP, libc::IP_TTL), Ok(9));
    assert_eq!(get_int(b, libc::IPPROTO_IP, libc::IP_TOS), Ok(0x10));

    let v6 = SocketOptions {
        ip_ttl: Some(11),
        pass_packet_info: true,
        ..SocketOptions::default()
    };
    if let Ok(fd6) = open_listen(&Listen::Datagram(ip("[::1]:0")), &v6) {
        assert_eq!(
            get_int(fd6.as_fd(), libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS),
            Ok(11)
        );
        assert_eq!(
            get_int(fd6.as_fd(), libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO),
            Ok(1)
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let opts = SocketOptions {
        pass_credentials: true,
        pass_security: true,
        ..SocketOptions::default()
    };
    let fd = open_listen(
        &Listen::Datagram(SocketAddress::Unix(dir.path().join("u"))),
        &opts,
    )
    .unwrap();
    assert_eq!(
        get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_PASSCRED),
        Ok(1)
    );
    // SO_PASSSEC needs an LSM; it is best effort.
    let _ = get_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_PASSSEC);
}

#[test]
fn unsupported_kinds_are_errors() {
    assert!(open_listen(
        &Listen::MessageQueue("/q".into()),
        &SocketOptions::default()
    )
    .is_err());
}

#[test]
fn symlinks_point_at_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("s.sock");
    let link = dir.path().join("links/l.sock");
    let other = dir.path().join("taken");
    std::fs::write(&other, "x").unwrap();
    let mut opts = SocketOptions {
        symlinks: vec![link.clone(), other.clone()],
        ..SocketOptions::default()
    };
    let _fd = open_listen(&Listen::Stream(SocketAddress::Unix(node.clone())), &opts).unwrap();
    socket::create_symlinks(&node, &opts);
    assert_eq!(std::fs::read_link(&link).unwrap(), node);
    // Something else in the way stays without RemoveOnStop=, is replaced with it.
    assert!(std::fs::read_link(&other).is_err());
    socket::create_symlinks(&node, &opts); // idempotent
    opts.remove_on_stop = true;
    socket::create_symlinks(&node, &opts);
    assert_eq!(std::fs::read_link(&other).unwrap(), node);
    UnixStream::connect(&link).unwrap();
    socket::remove_symlinks(&opts);
    assert!(!link.exists() && std::fs::symlink_metadata(&other).is_err());
}

#[test]
fn vsock_best_effort() {
    let l = Listen::Stream(SocketAddress::Vsock {
        cid: None,
        port: 40000 + std::process::id() % 20000,
    });
    match open_listen(&l, &SocketOptions::default()) {
        Ok(fd) => assert!(listen_matches(fd.as_fd(), &l)),
        Err(e) => eprintln!("SKIP: AF_VSOCK unavailable here: {e}"),
    }
}
