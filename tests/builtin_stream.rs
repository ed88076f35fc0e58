//! Stream builtins over real loopback TCP, driven by a poll loop the way the
//! engine drives them, checked against the bytes BSD inetd sends.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant, SystemTime};

use activator::builtin::content::{chargen_period, daytime_bytes, time_bytes};
use activator::builtin::{Progress, StreamBuiltin};
use activator::unit::model::Builtin;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// A connected (server fd, client) pair on loopback; the server side nonblocking.
fn connection() -> (OwnedFd, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (server, _) = l.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (OwnedFd::from(server), client)
}

/// Drive `b` on `fd` until it asks to close or `limit` passes; returns whether it closed.
fn drive(mut b: StreamBuiltin, fd: OwnedFd, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    // Like the engine: try writing right away when there is something to say.
    if b.wants_write() && b.on_writable(fd.as_fd()) == Progress::Close {
        return true;
    }
    while Instant::now() < deadline {
        let mut flags = PollFlags::empty();
        if b.wants_read() {
            flags |= PollFlags::POLLIN;
        }
        if b.wants_write() {
            flags |= PollFlags::POLLOUT;
        }
        let mut pfd = [PollFd::new(fd.as_fd(), flags)];
        if poll(&mut pfd, PollTimeout::from(20u16)).unwrap() == 0 {
            continue;
        }
        let rev = pfd[0].revents().unwrap_or(PollFlags::empty());
        if rev.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR)
            && b.on_readable(fd.as_fd()) == Progress::Close
        {
            return true;
        }
        if rev.contains(PollFlags::POLLOUT) && b.on_writable(fd.as_fd()) == Progress::Close {
            return true;
        }
    }
    false
}

fn serve(kind: Builtin, now: SystemTime) -> (std::thread::JoinHandle<bool>, TcpStream) {
    let (fd, client) = connection();
    let b = StreamBuiltin::new(kind, now);
    (
        std::thread::spawn(move || drive(b, fd, Duration::from_secs(10))),
        client,
    )
}

#[test]
fn echo_returns_everything_until_eof() {
    let (server, mut client) = serve(Builtin::Echo, SystemTime::now());
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let writer = {
        let mut w = client.try_clone().unwrap();
        let data = data.clone();
        std::thread::spawn(move || {
            w.write_all(&data).unwrap();
            w.shutdown(Shutdown::Write).unwrap();
        })
    };
    let mut back = Vec::new();
    client.read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    assert_eq!(back.len(), data.len());
    assert!(back == data);
    assert!(server.join().unwrap(), "echo did not close after EOF");
}

#[test]
fn discard_reads_and_closes_on_eof() {
    let (server, mut client) = serve(Builtin::Discard, SystemTime::now());
    client.write_all(&vec![b'z'; 1 << 20]).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    client.read_to_end(&mut back).unwrap();
    assert!(back.is_empty());
    assert!(server.join().unwrap());
}

#[test]
fn chargen_streams_the_rfc864_ring() {
    let (server, mut client) = serve(Builtin::Chargen, SystemTime::now());
    let mut got = vec![0u8; 20_000];
    client.read_exact(&mut got).unwrap();
    let expect: Vec<u8> = chargen_period()
        .iter()
        .cycle()
        .take(got.len())
        .copied()
        .collect();
    assert!(got == expect, "chargen bytes differ");
    assert!(got.starts_with(b" !\"#$%&'()*+,-./0123456789"));
    // Half-closing does not stop it (BSD never reads); closing does.
    client.shutdown(Shutdown::Write).unwrap();
    client.read_exact(&mut got[..1000]).unwrap();
    drop(client);
    assert!(
        server.join().unwrap(),
        "chargen did not notice the peer went away"
    );
}

#[test]
fn daytime_sends_ctime_line_and_closes() {
    let now = SystemTime::now();
    let (server, mut client) = serve(Builtin::Daytime, now);
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, daytime_bytes(now));
    assert_eq!(got.len(), 26);
    let s = String::from_utf8(got).unwrap();
    assert!(s.ends_with("\r\n"));
    let b = s.as_bytes();
    assert_eq!(
        (b[3], b[7], b[10], b[13], b[16], b[19]),
        (b' ', b' ', b' ', b':', b':', b' ')
    );
    assert!(server.join().unwrap());
}

#[test]
fn time_sends_four_bytes_and_closes() {
    let now = SystemTime::now();
    let (server, mut client) = serve(Builtin::Time, now);
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, time_bytes(now).to_vec());
    let secs = u32::from_be_bytes([got[0], got[1], got[2], got[3]]) as u64;
    let unix = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(secs, (unix + 2_208_988_800) & 0xffff_ffff);
    assert!(server.join().unwrap());
}

#[test]
fn echo_stops_reading_when_its_buffer_is_full() {
    // The client never reads: echo must stop asking for input, not grow.
    let (fd, mut client) = connection();
    let mut b = StreamBuiltin::new(Builtin::Echo, SystemTime::now());
    client
        .set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let big = vec![b'q'; 1 << 16];
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.wants_read() && Instant::now() < deadline {
        let _ = client.write(&big);
        assert_eq!(b.on_readable(fd.as_fd()), Progress::Continue);
        assert_eq!(b.on_writable(fd.as_fd()), Progress::Continue);
    }
    assert!(!b.wants_read(), "echo kept reading with a stuck peer");
    assert!(b.wants_write());
}
