//! Service types and Exec phases beyond the basics (systemd.service(5)):
//! ExecCondition=, Type=oneshot with RemainAfterExit=, Type=forking with
//! PIDFile=, and a socket's own ExecStartPre=/ExecStartPost=.

mod common;

use std::time::Duration;

use common::*;

fn state(d: &Daemon, unit: &str) -> String {
    d.ctl(&["show", "-p", "ActiveState", "--value", unit]).1
}

/// ExecCondition= exiting 1–254 skips the unit without failing it (the main
/// process never runs); exit 0 lets it start.
#[test]
fn exec_condition_skips_or_allows_the_start() {
    let units = UnitDir::new();
    let ran = units.path().join("ran");
    units.write(
        "skip.service",
        &format!(
            "[Service]\nExecCondition=/bin/sh -c 'exit 1'\nExecStart=/bin/touch {}\n",
            ran.display()
        ),
    );
    units.write("go.service", "[Service]\nType=oneshot\nExecCondition=/bin/true\nExecStart=/bin/true\nRemainAfterExit=yes\n");
    let d = Daemon::start(&[
        "--unit-path",
        units.path().to_str().unwrap(),
        "skip.service",
        "go.service",
    ]);
    d.wait_started();
    assert!(
        d.wait_log(
            "skip.service: Skipped due to 'exec-condition'.",
            Duration::from_secs(5)
        ),
        "{}",
        d.log_text()
    );
    assert!(!ran.exists(), "the main process ran despite the condition");
    assert_eq!(state(&d, "skip.service"), "inactive");
    let active = wait_for(Duration::from_secs(5), || {
        (state(&d, "go.service") == "active").then_some(())
    });
    assert!(active.is_some(), "{}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}

/// Type=oneshot + RemainAfterExit=yes: `active (exited)` after the commands
/// ran in order; `stop` runs ExecStop= and it becomes inactive.
#[test]
fn oneshot_remain_after_exit_is_active_exited_until_stopped() {
    let units = UnitDir::new();
    let log = units.path().join("o.log");
    let l = log.display();
    units.write(
        "o.service",
        &format!(
            "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo one >> {l}'\nExecStart=/bin/sh -c 'echo two >> {l}'\nExecStop=/bin/sh -c 'echo stop >> {l}'\n"
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let (code, _) = d.ctl(&["start", "o.service"]);
    assert_eq!(code, 0);
    let exited = wait_for(Duration::from_secs(5), || {
        (d.ctl(&["show", "-p", "SubState", "--value", "o.service"]).1 == "exited").then_some(())
    });
    assert!(exited.is_some(), "{}", d.log_text());
    assert_eq!(state(&d, "o.service"), "active");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\n");
    assert_eq!(d.ctl(&["stop", "o.service"]).0, 0);
    let stopped = wait_for(Duration::from_secs(5), || {
        (state(&d, "o.service") == "inactive").then_some(())
    });
    assert!(stopped.is_some());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\nstop\n");
    assert_eq!(d.stop(), Some(0));
}

/// Type=forking: the start process exits, the daemon it left behind (PIDFile=)
/// becomes the main process and is stopped with the unit.
#[test]
fn forking_service_tracks_the_pid_file() {
    let units = UnitDir::new();
    let pidfile = units.path().join("f.pid");
    units.write(
        "f.service",
        &format!(
            "[Service]\nType=forking\nPIDFile={p}\nExecStart=/bin/sh -c 'sleep 30 & echo $$! > {p}'\n",
            p = pidfile.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap(), "f.service"]);
    d.wait_started();
    let running = wait_for(Duration::from_secs(5), || {
        (d.ctl(&["show", "-p", "SubState", "--value", "f.service"]).1 == "running").then_some(())
    });
    assert!(running.is_some(), "{}", d.log_text());
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        d.ctl(&["show", "-p", "MainPID", "--value", "f.service"]).1,
        pid.to_string()
    );
    assert_eq!(d.ctl(&["stop", "f.service"]).0, 0);
    let gone = wait_for(Duration::from_secs(10), || {
        proc_state(pid).is_none().then_some(())
    });
    assert!(gone.is_some(), "forked daemon survived the stop");
    assert_eq!(d.stop(), Some(0));
}

/// A socket's own ExecStartPre= runs before the bind and ExecStartPost= after
/// (systemd.socket(5)); a failing ExecStartPre= fails only that socket.
#[test]
fn socket_exec_start_pre_and_post() {
    let (good, bad) = (free_port(), free_port());
    let units = UnitDir::new();
    let log = units.path().join("s.log");
    let l = log.display();
    units.write(
        "good.socket",
        &format!(
            "[Socket]\nListenStream=127.0.0.1:{good}\nAccept=yes\nX-Activator-Builtin=echo\nExecStartPre=/bin/sh -c 'echo pre >> {l}'\nExecStartPost=/bin/sh -c 'echo post >> {l}'\n"
        ),
    );
    units.write(
        "bad.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{bad}\nAccept=yes\nX-Activator-Builtin=echo\nExecStartPre=/bin/false\n"),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let listening = wait_for(Duration::from_secs(5), || {
        (d.ctl(&["show", "-p", "SubState", "--value", "good.socket"])
            .1
            == "listening")
            .then_some(())
    });
    assert!(listening.is_some(), "{}", d.log_text());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "pre\npost\n");
    assert_eq!(exchange(good, b"x"), b"x");
    let failed = wait_for(Duration::from_secs(5), || {
        (state(&d, "bad.socket") == "failed").then_some(())
    });
    assert!(failed.is_some(), "{}", d.log_text());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", bad)).is_err(),
        "bad socket must not be bound"
    );
    assert_eq!(d.stop(), Some(0));
}
