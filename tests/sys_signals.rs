//! Signals through the signalfd and reaping of children.

use std::ffi::CString;
use std::time::{Duration, Instant};

use activator::sys::signals::{block_signals, reap_children, ExitStatus, SignalFd};
use activator::sys::spawn::{spawn, SpawnRequest};
use nix::sys::signal::{raise, Signal};

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// One test: it blocks signals in its thread and reaps every child of this process.
#[test]
fn signalfd_and_reaping() {
    block_signals();
    let mut sfd = SignalFd::new().unwrap();
    assert!(sfd.raw_fd() > 2);
    assert!(sfd.read_all().is_empty());
    // Thread-directed, so it stays pending for this thread (other harness threads
    // do not block it).
    raise(Signal::SIGUSR1).unwrap();
    raise(Signal::SIGHUP).unwrap();
    let mut got = sfd.read_all();
    got.sort();
    assert_eq!(got, vec![libc::SIGHUP, libc::SIGUSR1]);

    let ok = spawn(&SpawnRequest::new(
        c("/bin/sh"),
        vec![c("sh"), c("-c"), c("exit 3")],
    ))
    .unwrap();
    let killed = spawn(&SpawnRequest::new(
        c("/bin/sh"),
        vec![c("sh"), c("-c"), c("kill -TERM $$")],
    ))
    .unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < 2 && Instant::now() < deadline {
        seen.extend(reap_children());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(seen.contains(&(ok, ExitStatus::Exited(3))), "{seen:?}");
    assert!(
        seen.contains(&(killed, ExitStatus::Signaled(libc::SIGTERM, false))),
        "{seen:?}"
    );
    assert!(reap_children().is_empty());
}
