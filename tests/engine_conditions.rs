//! `Condition*=`/`Assert*=` end to end (systemd.unit(5) "Conditions and Asserts"):
//! a real daemon, real clients on loopback, a flag file the test creates and
//! removes, and `activatorctl status` showing what systemctl shows.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;

/// Read until EOF (bounded); what the server wrote.
fn reply(port: u16) -> String {
    let mut s = connect(port);
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn conditions_skip_services_and_sockets_until_they_hold() {
    let (gated, ungated, never, asserted) = (free_port(), free_port(), free_port(), free_port());
    let dir = UnitDir::new();
    let flag = dir.path().join("enabled-flag");
    let flag_s = flag.display().to_string();
    // Accept=yes: each connection's instance checks the condition anew.
    dir.write(
        "gated.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{gated}\nAccept=yes\n"),
    );
    dir.write(
        "gated@.service",
        &format!(
            "[Unit]\nConditionPathExists={flag_s}\nConditionPathIsDirectory=|/\n\
             ConditionPathIsDirectory=|/nonexistent-h4\n\
             [Service]\nExecStart=/bin/echo served\nStandardInput=socket\n"
        ),
    );
    // A socket whose own condition fails is not bound; its neighbour serves.
    dir.write(
        "never.socket",
        &format!("[Unit]\nConditionPathExists=!/\n[Socket]\nListenStream=127.0.0.1:{never}\nAccept=yes\n"),
    );
    dir.write(
        "never@.service",
        "[Service]\nExecStart=/bin/echo no\nStandardInput=socket\n",
    );
    dir.write(
        "ungated.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{ungated}\nAccept=yes\n"),
    );
    dir.write(
        "ungated@.service",
        "[Unit]\nConditionPathIsDirectory=/\n[Service]\nExecStart=/bin/echo open\nStandardInput=socket\n",
    );
    // An assert that fails refuses the start.
    dir.write(
        "asserted.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{asserted}\nAccept=yes\n"),
    );
    dir.write(
        "asserted@.service",
        &format!("[Unit]\nAssertPathExists={flag_s}\n[Service]\nExecStart=/bin/echo asserted\nStandardInput=socket\n"),
    );
    // Started by hand: status shows the failed condition.
    dir.write(
        "manual.service",
        &format!("[Unit]\nConditionPathExists={flag_s}\nConditionPathIsDirectory=/\n[Service]\nExecStart=/bin/true\n"),
    );
    let unit_dir = dir.path().display().to_string();
    let d = Daemon::start(&["--unit-path", &unit_dir]);
    d.wait_started();

    assert_eq!(reply(ungated), "open\n");
    // Not met: the connection is closed without running the server.
    assert_eq!(reply(gated), "");
    assert_eq!(reply(asserted), "");
    assert!(d.wait_log("Condition check resulted in gated@", Duration::from_secs(5)));
    assert!(d.wait_log(
        "Starting requested but asserts failed.",
        Duration::from_secs(5)
    ));
    let log = d.log_text();
    assert!(
        log.contains(&format!("ConditionPathExists={flag_s} was not met.")),
        "{log}"
    );
    assert!(
        log.contains("never.socket: Condition check resulted in never.socket being skipped."),
        "{log}"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", never)).is_err(),
        "never.socket is bound"
    );

    let (rc, _) = d.ctl(&["start", "manual.service"]);
    assert_eq!(rc, 0);
    let (_, status) = d.ctl(&["status", "manual.service"]);
    assert!(status.contains("Active: inactive (dead)"), "{status}");
    assert!(
        status.contains("Condition: start condition failed at "),
        "{status}"
    );
    assert!(
        status.contains(&format!("└─ ConditionPathExists={flag_s} was not met")),
        "{status}"
    );
    assert!(
        !status.contains("ConditionPathIsDirectory=/ was not met"),
        "{status}"
    );
    let (_, show) = d.ctl(&["show", "manual.service", "-p", "ConditionResult"]);
    assert_eq!(show, "ConditionResult=no");

    // The condition holds from now on: the same sockets serve.
    std::fs::write(&flag, "").unwrap();
    assert_eq!(reply(gated), "served\n");
    assert_eq!(reply(asserted), "asserted\n");
    let (rc, _) = d.ctl(&["start", "manual.service"]);
    assert_eq!(rc, 0);
    let ok = wait_for(Duration::from_secs(5), || {
        let (_, show) = d.ctl(&["show", "manual.service", "-p", "ConditionResult"]);
        (show == "ConditionResult=yes").then_some(())
    });
    assert!(ok.is_some());
    assert_eq!(d.stop(), Some(0));
}
