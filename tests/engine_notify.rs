//! Type=notify and the NOTIFY_SOCKET protocol (sd_notify(3), systemd.md §4.7):
//! readiness, STATUS=, NotifyAccess= enforcement, watchdog.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

const CTL: &str = env!("CARGO_BIN_EXE_activatorctl");

/// `activatorctl show -p PROP --value UNIT` against the test daemon.
fn prop(d: &Daemon, unit: &str, p: &str) -> String {
    let out = Command::new(CTL)
        .arg("--control-socket")
        .arg(d.control_socket())
        .args(["show", "-p", p, "--value", unit])
        .output()
        .expect("activatorctl");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A perl one-liner that sends `msg` to $NOTIFY_SOCKET from its own pid.
fn notify_perl(msg: &str) -> String {
    format!(
        "use Socket; socket(my $$s, AF_UNIX, SOCK_DGRAM, 0) or die; send($$s, \"{msg}\", 0, pack_sockaddr_un($$ENV{{NOTIFY_SOCKET}})) or die \"send: $$!\";"
    )
}

/// Given a Type=notify service, it is `activating` until it sends READY=1, then
/// `active (running)`, with its STATUS= text.
#[test]
fn notify_service_is_activating_until_ready() {
    let port = free_port();
    let units = UnitDir::new();
    let flag = units.path().join("go");
    units.write(
        "n.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "n.service",
        &format!(
            "[Service]\nType=notify\nExecStart=/usr/bin/perl -e 'until (-e \"{}\") {{ select(undef,undef,undef,0.05) }} {} sleep 30'\n",
            flag.display(),
            notify_perl("READY=1\\nSTATUS=serving requests")
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(d.wait_log("n.service: started as pid", Duration::from_secs(5)));
    assert_eq!(prop(&d, "n.service", "ActiveState"), "activating");
    assert_eq!(prop(&d, "n.service", "SubState"), "start");
    std::fs::write(&flag, "").unwrap();
    let active = wait_for(Duration::from_secs(10), || {
        (prop(&d, "n.service", "ActiveState") == "active").then_some(())
    });
    assert!(active.is_some(), "never became active: {}", d.log_text());
    assert_eq!(prop(&d, "n.service", "SubState"), "running");
    assert_eq!(prop(&d, "n.service", "StatusText"), "serving requests");
    assert_eq!(d.stop(), Some(0));
}

/// NotifyAccess=main (the default for Type=notify): a message from another
/// process of the service is refused; the unit stays activating.
#[test]
fn notify_from_a_process_the_unit_does_not_own_is_refused() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "m.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    // The shell (main pid) forks perl, which sends READY=1 from its own pid and
    // stays a moment: the sender is looked up by its process group, which a
    // process that already exited no longer has (systemd's cgroup lookup has the
    // same race and logs the same "Cannot find unit" line).
    units.write(
        "m.service",
        &format!(
            "[Service]\nType=notify\nTimeoutStartSec=30\nExecStart=/bin/sh -c \"/usr/bin/perl -e '{} sleep 5;'; sleep 30\"\n",
            notify_perl("READY=1").replace('"', "\\\"")
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(
        d.wait_log(
            "but reception only permitted for main PID",
            Duration::from_secs(10)
        ),
        "{}",
        d.log_text()
    );
    assert_eq!(prop(&d, "m.service", "ActiveState"), "activating");
    assert_eq!(d.stop(), Some(0));
}

/// WatchdogSec=: a service that stops sending WATCHDOG=1 is killed with result
/// `watchdog`; one that keeps sending stays up.
#[test]
fn watchdog_kills_a_silent_service() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "w.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "w.service",
        &format!(
            "[Service]\nType=notify\nWatchdogSec=1s\nExecStart=/usr/bin/perl -e '{} sleep 30'\n",
            notify_perl("READY=1")
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(
        d.wait_log("w.service: Watchdog timeout", Duration::from_secs(10)),
        "{}",
        d.log_text()
    );
    assert!(d.wait_log(
        "w.service: Failed with result 'watchdog'",
        Duration::from_secs(10)
    ));
    assert_eq!(d.stop(), Some(0));
}

/// TimeoutStartSec= covers a notify service that never says READY=1: it is
/// killed and fails with result `timeout`.
#[test]
fn notify_service_without_ready_times_out() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "t.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "t.service",
        "[Service]\nType=notify\nTimeoutStartSec=500ms\nExecStart=/bin/sleep 30\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(
        d.wait_log(
            "t.service: start operation timed out. Terminating.",
            Duration::from_secs(10)
        ),
        "{}",
        d.log_text()
    );
    assert!(d.wait_log(
        "t.service: Failed with result 'timeout'.",
        Duration::from_secs(10)
    ));
    assert_eq!(d.stop(), Some(0));
}

/// FileDescriptorStoreMax=: an fd a service hands over with `FDSTORE=1` comes back
/// to its next main process among the passed fds, named by `FDNAME=` in
/// `LISTEN_FDNAMES` (systemd.service(5) FileDescriptorStoreMax=, sd_pid_notify_with_fds(3)).
/// The helper's first run stores a pipe holding a text and fails; the restarted run
/// reads the text back from the stored fd.
#[test]
fn stored_fd_comes_back_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(prog) = build_test_prog("fdstore", tmp.path()) else {
        skip("no C compiler; FileDescriptorStore round trip not tested");
        return;
    };
    let out = tmp.path().join("out");
    let units = UnitDir::new();
    units.write(
        "fds.service",
        &format!(
            "[Service]\nExecStart={} {}\nFileDescriptorStoreMax=1\nRestart=on-failure\nRestartSec=100ms\n",
            prog.display(),
            out.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap(), "fds.service"]);
    let text = wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&out).ok().filter(|t| !t.is_empty())
    });
    assert_eq!(text.as_deref(), Some("kept-by-run-1"), "{}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}
