//! sys::notify with real sockets: credentials, field parsing, SCM_RIGHTS fds,
//! oversized datagrams, a sender of another uid, and systemd-notify(1) (systemd
//! 252's client) as an oracle for what a real service sends.

use std::ffi::CString;
use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use activator::sys::notify::{NotifyMessage, NotifySocket, NOTIFY_BUFFER_MAX};
use activator::sys::spawn::{spawn, SpawnRequest};
use activator::sys::user::resolve_credentials;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags, UnixAddr};
use nix::sys::wait::{waitpid, WaitStatus};

fn bound() -> (tempfile::TempDir, NotifySocket) {
    let dir = tempfile::tempdir().unwrap();
    let sock = NotifySocket::bind(&dir.path().join("notify")).unwrap();
    (dir, sock)
}

/// The next message, waiting up to 10 s.
fn recv_wait(sock: &NotifySocket) -> NotifyMessage {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(m) = sock.recv().unwrap() {
            return m;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no notify message within 10 s");
        let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN)];
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let _ = poll(&mut fds, PollTimeout::from(ms));
    }
}

fn send(path: &Path, payload: &[u8]) {
    let tx = UnixDatagram::unbound().unwrap();
    tx.send_to(payload, path).unwrap();
}

fn fields(m: &NotifyMessage) -> Vec<(&str, &str)> {
    m.fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn me() -> (i32, u32, u32) {
    (
        std::process::id() as i32,
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    )
}

#[test]
fn bind_makes_a_world_writable_node_and_replaces_stale_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run/activator/notify");
    let sock = NotifySocket::bind(&path).unwrap();
    assert_eq!(sock.path(), path);
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o777);
    let parent = std::fs::metadata(path.parent().unwrap()).unwrap();
    assert_eq!(parent.permissions().mode() & 0o777, 0o755);
    // Empty queue.
    assert!(sock.recv().unwrap().is_none());
    drop(sock);
    // The node left behind (and even a plain file) is replaced.
    let sock = NotifySocket::bind(&path).unwrap();
    drop(sock);
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "stale").unwrap();
    let sock = NotifySocket::bind(&path).unwrap();
    send(&path, b"READY=1");
    assert_eq!(fields(&recv_wait(&sock)), [("READY", "1")]);
    sock.remove_node();
    assert!(!path.exists());
}

#[test]
fn credentials_and_fields_of_a_raw_sender() {
    let (_dir, sock) = bound();
    send(
        sock.path(),
        b"READY=1\nSTATUS=Serving 3 clients\nnot a field\nMAINPID=7\n",
    );
    let m = recv_wait(&sock);
    let (pid, uid, gid) = me();
    assert_eq!((m.pid, m.uid, m.gid), (Some(pid), Some(uid), Some(gid)));
    assert_eq!(
        fields(&m),
        [
            ("READY", "1"),
            ("STATUS", "Serving 3 clients"),
            ("MAINPID", "7")
        ]
    );
    assert!(!m.truncated);
    assert!(m.fds.is_empty());
    assert_eq!(m.get("STATUS"), Some("Serving 3 clients"));
    assert!(sock.recv().unwrap().is_none());
}

#[test]
fn fds_passed_with_scm_rights_arrive_owned_and_cloexec() {
    let (_dir, sock) = bound();
    let (a, _a_peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let file = std::fs::File::open("/dev/null").unwrap();
    let want: Vec<String> = [a.as_raw_fd(), file.as_raw_fd()]
        .iter()
        .map(|fd| link(*fd))
        .collect();

    let tx = UnixDatagram::unbound().unwrap();
    let addr = UnixAddr::new(sock.path()).unwrap();
    let payload = b"FDSTORE=1\nFDNAME=conn";
    let passed = [a.as_raw_fd(), file.as_raw_fd()];
    sendmsg(
        tx.as_raw_fd(),
        &[IoSlice::new(payload)],
        &[ControlMessage::ScmRights(&passed)],
        MsgFlags::empty(),
        Some(&addr),
    )
    .unwrap();
    let m = recv_wait(&sock);
    assert_eq!(fields(&m), [("FDSTORE", "1"), ("FDNAME", "conn")]);
    assert_eq!(m.fds.len(), 2);
    let got: Vec<String> = m.fds.iter().map(|fd| link(fd.as_raw_fd())).collect();
    assert_eq!(got, want);
    for fd in &m.fds {
        let flags = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFD).unwrap();
        assert_ne!(flags & libc::FD_CLOEXEC, 0, "received fd without CLOEXEC");
    }
}

fn link(fd: i32) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

#[test]
fn oversized_message_is_flagged_truncated() {
    let (_dir, sock) = bound();
    // 5 KiB: STATUS= + 5113 'x' + "\nREADY=1" (beyond the 4096-byte limit).
    let mut big = b"STATUS=".to_vec();
    big.extend(std::iter::repeat_n(b'x', 5 * 1024 - 7));
    big.extend(b"\nREADY=1");
    send(sock.path(), &big);
    let m = recv_wait(&sock);
    assert!(m.truncated);
    assert_eq!(m.pid, Some(me().0));
    assert_eq!(m.fields.len(), 1);
    assert_eq!(m.fields[0].0, "STATUS");
    assert_eq!(m.fields[0].1.len(), NOTIFY_BUFFER_MAX - "STATUS=".len());
    assert_eq!(m.get("READY"), None);

    // Exactly the limit is fine, and the next message is unaffected.
    let mut exact = b"STATUS=".to_vec();
    exact.extend(std::iter::repeat_n(b'y', NOTIFY_BUFFER_MAX - 7));
    send(sock.path(), &exact);
    let m = recv_wait(&sock);
    assert!(!m.truncated);
    assert_eq!(m.fields[0].1.len(), NOTIFY_BUFFER_MAX - 7);
    send(sock.path(), b"READY=1");
    assert_eq!(fields(&recv_wait(&sock)), [("READY", "1")]);
}

/// Collect messages until BARRIER=1 (systemd-notify 252 ends with a barrier:
/// one fd that it waits on until the receiver closes it).
fn recv_until_barrier(sock: &NotifySocket) -> (Vec<NotifyMessage>, NotifyMessage) {
    let mut before = Vec::new();
    loop {
        let m = recv_wait(sock);
        if m.get("BARRIER") == Some("1") {
            return (before, m);
        }
        before.push(m);
    }
}

fn have_systemd_notify() -> bool {
    let ok = Command::new("systemd-notify")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIP: systemd-notify not installed");
    }
    ok
}

#[test]
fn systemd_notify_oracle() {
    if !have_systemd_notify() {
        return;
    }
    let (_dir, sock) = bound();
    let (pid, uid, gid) = me();

    // Default: the message is sent on behalf of the invoking process (us). The
    // kernel only lets a privileged sender claim another pid; otherwise
    // systemd-notify resends with its own.
    let mut child = Command::new("systemd-notify")
        .args(["READY=1", "STATUS=Waiting for work"])
        .env_clear()
        .env("NOTIFY_SOCKET", sock.path())
        .spawn()
        .unwrap();
    let sender = if nix::unistd::geteuid().is_root() {
        pid
    } else {
        child.id() as i32
    };
    let (msgs, barrier) = recv_until_barrier(&sock);
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        (msgs[0].pid, msgs[0].uid, msgs[0].gid),
        (Some(sender), Some(uid), Some(gid))
    );
    assert_eq!(
        fields(&msgs[0]),
        [("READY", "1"), ("STATUS", "Waiting for work")]
    );
    // The barrier comes from systemd-notify itself with exactly one fd; closing
    // it (dropping the message) releases the client.
    assert_eq!(barrier.pid, Some(child.id() as i32));
    assert_eq!(barrier.fds.len(), 1);
    assert_eq!(fields(&barrier), [("BARRIER", "1")]);
    drop(barrier);
    assert!(child.wait().unwrap().success());

    // --pid=N: credentials and MAINPID= both name N (root may send for any pid).
    if nix::unistd::geteuid().is_root() {
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        let mut child = Command::new("systemd-notify")
            .args([format!("--pid={}", sleeper.id()), "--ready".to_string()])
            .env_clear()
            .env("NOTIFY_SOCKET", sock.path())
            .spawn()
            .unwrap();
        let (msgs, barrier) = recv_until_barrier(&sock);
        drop(barrier);
        assert!(child.wait().unwrap().success());
        let _ = sleeper.kill();
        let _ = sleeper.wait();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].pid, Some(sleeper.id() as i32));
        let main_pid = sleeper.id().to_string();
        assert_eq!(
            fields(&msgs[0]),
            [("READY", "1"), ("MAINPID", main_pid.as_str())]
        );
    } else {
        eprintln!("SKIP: systemd-notify --pid=N for a foreign pid needs root");
    }
}

#[test]
fn sender_running_as_another_user() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIP: sending as another user needs root");
        return;
    }
    if !have_systemd_notify() {
        return;
    }
    let Ok(Some(creds)) = resolve_credentials(Some("nobody"), None, &[], false) else {
        eprintln!("SKIP: no user nobody");
        return;
    };
    // nobody must be able to reach the node: 0755 directories, 0777 node.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sock = NotifySocket::bind(&dir.path().join("sub/notify")).unwrap();

    let c = |s: &str| CString::new(s).unwrap();
    let mut req = SpawnRequest::new(
        c("/usr/bin/systemd-notify"),
        vec![
            c("systemd-notify"),
            c("--no-block"),
            c("STATUS=from nobody"),
        ],
    );
    req.envp = vec![c(&format!("NOTIFY_SOCKET={}", sock.path().display()))];
    req.creds = Some(creds.clone().into());
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    req.stderr = activator::sys::spawn::Stdio::Fd(w.as_raw_fd());
    let pid = spawn(&req).unwrap();
    drop(w);
    let status = waitpid(pid, None).unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut std::fs::File::from(r), &mut err).unwrap();
    assert_eq!(status, WaitStatus::Exited(pid, 0), "systemd-notify: {err}");
    let m = recv_wait(&sock);
    // systemd-notify tries to send on behalf of its parent (us); the kernel
    // refuses that to an unprivileged sender, so it resends with its own
    // credentials: its pid, nobody's uid/gid.
    assert_eq!(m.pid, Some(pid.as_raw()));
    assert_eq!(m.uid, Some(creds.uid));
    assert_eq!(m.gid, Some(creds.gid));
    assert_eq!(fields(&m), [("STATUS", "from nobody")]);
}
