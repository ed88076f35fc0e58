//! The real daemon's control plane: it starts on the first client of the
//! private socket (an idle daemon is one thread), then serves `activatorctl`
//! like any other, and a stopped daemon removes its socket.

mod common;

use std::time::Duration;

use common::*;

fn threads(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn control_plane_starts_on_first_client() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "lazy.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    assert!(d.control_socket().exists(), "control socket bound at start");
    assert_eq!(threads(d.pid()), 1, "no control thread before a client");

    let text = wait_for(Duration::from_secs(10), || {
        let (code, out) = d.ctl(&["list-sockets"]);
        (code == 0).then_some(out)
    })
    .expect("activatorctl list-sockets");
    assert!(text.contains("lazy.socket"), "{text}");
    assert!(threads(d.pid()) > 1, "control thread runs after a client");
    assert!(d.wait_log("First control client", Duration::from_secs(5)));

    let sock = d.control_socket();
    assert_eq!(d.stop(), Some(0));
    assert!(!sock.exists(), "control socket removed on stop");
}

#[test]
fn unserved_control_socket_is_removed_on_stop() {
    let units = UnitDir::new();
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let sock = d.control_socket();
    assert!(sock.exists());
    assert_eq!(d.stop(), Some(0));
    assert!(!sock.exists(), "control socket removed on stop");
}
