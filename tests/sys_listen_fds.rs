//! take_listen_fds (sd_listen_fds_with_names semantics), end to end: this test
//! binary spawns itself through sys::spawn with two listening fds, and the child
//! half checks what it adopted.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd};
use std::path::PathBuf;

use activator::sys::socket::{listen_matches, open_listen, take_listen_fds};
use activator::sys::spawn::{spawn, SpawnRequest, Stdio};
use activator::unit::model::{Listen, SocketAddress, SocketOptions};

const CHILD_ENV: &str = "ACTIVATOR_TEST_LISTEN_CHILD_DIR";

fn listens(dir: &std::path::Path) -> (Listen, Listen) {
    (
        Listen::Stream(SocketAddress::Unix(dir.join("a"))),
        Listen::Datagram(SocketAddress::Unix(dir.join("b"))),
    )
}

/// The child half: only does something when spawned by `adopts_named_fds`.
#[test]
fn child_side() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (la, lb) = listens(&PathBuf::from(dir));
    let fds = take_listen_fds();
    let ok = fds.len() == 2
        && fds[0].0.as_raw_fd() == 3
        && fds[0].1.as_deref() == Some("web")
        && fds[1].1.as_deref() == Some("unknown-name-check")
        && listen_matches(fds[0].0.as_fd(), &la)
        && listen_matches(fds[1].0.as_fd(), &lb)
        && !listen_matches(fds[1].0.as_fd(), &la)
        && std::env::var("LISTEN_PID").is_err()
        && std::env::var("LISTEN_FDS").is_err()
        && nix::fcntl::fcntl(fds[0].0.as_fd(), nix::fcntl::FcntlArg::F_GETFD)
            .is_ok_and(|f| f & libc::FD_CLOEXEC != 0);
    assert!(ok, "child saw {fds:?}");
}

#[test]
fn adopts_named_fds() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (la, lb) = listens(dir.path());
    let a = open_listen(&la, &SocketOptions::default()).unwrap();
    let b = open_listen(&lb, &SocketOptions::default()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let exe = CString::new(exe.to_str().unwrap()).unwrap();
    let mut req = SpawnRequest::new(
        exe.clone(),
        vec![
            exe,
            CString::new("--exact").unwrap(),
            CString::new("child_side").unwrap(),
            CString::new("--test-threads=1").unwrap(),
        ],
    );
    req.envp = vec![
        CString::new(format!("{CHILD_ENV}={}", dir.path().display())).unwrap(),
        CString::new("LISTEN_FDS=2").unwrap(),
        CString::new("LISTEN_FDNAMES=web:unknown-name-check").unwrap(),
        // A stale value the slot must replace.
        CString::new("LISTEN_PID=1").unwrap(),
    ];
    req.listen_pid_slot = true;
    req.fds = vec![a.as_raw_fd(), b.as_raw_fd()];
    req.stdout = Stdio::Inherit;
    req.stderr = Stdio::Inherit;
    let pid = spawn(&req).unwrap();
    let status = nix::sys::wait::waitpid(pid, None).unwrap();
    assert_eq!(status, nix::sys::wait::WaitStatus::Exited(pid, 0));
}

#[test]
fn wrong_pid_takes_nothing() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    // LISTEN_PID of another process: nothing is taken, the variables are removed.
    // (Runs in the parent, which has no LISTEN_* of its own; touching only env.)
    std::env::set_var("LISTEN_PID", "1");
    std::env::set_var("LISTEN_FDS", "2");
    assert!(take_listen_fds().is_empty());
    assert!(std::env::var("LISTEN_FDS").is_err());
    assert!(std::env::var("LISTEN_PID").is_err());
}
