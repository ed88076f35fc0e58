//! The README's run command works: the shipped example units in `units/`, started
//! with a relative `--unit-path units`, serve on their unprivileged ports.

mod common;

use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

use common::*;

#[test]
fn shipped_example_units_serve() {
    let root = env!("CARGO_MANIFEST_DIR");
    let built = Command::new("make")
        .args(["-s", "-C", "contrib/errlogd"])
        .current_dir(root)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !built {
        return skip("make/cc not available to build contrib/errlogd");
    }
    if [7007u16, 7008, 7009]
        .iter()
        .any(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_err())
    {
        return skip("example ports 7007-7009 are in use (is the example daemon running?)");
    }
    // %T in errlog.service: keep the log out of the real /tmp.
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().to_str().unwrap().to_string();
    std::env::set_current_dir(root).unwrap();
    let d = Daemon::start_with_env(&["--unit-path", "units"], &[("TMPDIR", &tmpdir)]);
    d.wait_started();
    assert!(
        d.log_text()
            .contains("Started: 4 of 4 socket units listening"),
        "{}",
        d.log_text()
    );
    assert_eq!(exchange(7007, b"hi\n"), b"hi\n");
    let hello = String::from_utf8(exchange(7008, b"world\n")).unwrap();
    assert!(
        hello.contains("this is hello@0-127.0.0.1:7008-") && hello.contains("you said: world"),
        "{hello}"
    );
    let greeter = String::from_utf8(exchange(7009, b"")).unwrap();
    assert!(greeter.contains("LISTEN_FDNAMES=greeter"), "{greeter}");
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .send_to(b"disk full", "127.0.0.1:5140")
        .unwrap();
    let log = tmp.path().join("activator-errlog.log");
    let text = wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&log)
            .ok()
            .filter(|t| t.contains("disk full"))
    });
    assert!(text.is_some(), "errlogd did not log: {}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}
