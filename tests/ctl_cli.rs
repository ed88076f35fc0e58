//! activatorctl end to end against the real control plane and a fake event
//! loop: output, exit codes (systemctl's), JSON, the one-line error when no
//! daemon answers, and the 20 ms `status` budget with 500 units.

mod bus_support;

use std::process::Command;
use std::time::{Duration, Instant};

use activator::bus::BusChoice;
use activator::engine::control::{ControlRequest, UnitStatus};
use bus_support::{run_cmd, service_unit, socket_unit, FakeEngine};

const CTL: &str = env!("CARGO_BIN_EXE_activatorctl");

fn ctl(fake: &FakeEngine, args: &[&str]) -> (i32, String, String) {
    run_cmd(
        Command::new(CTL)
            .arg("--control-socket")
            .arg(&fake.socket)
            .args(args),
        Duration::from_secs(20),
    )
}

fn units() -> Vec<UnitStatus> {
    let mut failed = service_unit("broken.service");
    failed.active_state = "failed".into();
    failed.sub_state = "failed".into();
    failed.result = "exit-code".into();
    let mut web = socket_unit("web.socket", false, 8080);
    web.triggers = vec!["web.service".into()];
    let mut svc = service_unit("web.service");
    svc.triggered_by = vec!["web.socket".into()];
    vec![socket_unit("echo.socket", true, 7777), web, svc, failed]
}

#[test]
fn status_exit_codes_follow_systemctl() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    let (code, out, err) = ctl(&fake, &["status", "echo.socket"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("● echo.socket - echo.socket test socket\n"),
        "{out}"
    );
    assert!(out.contains("     Listen: 127.0.0.1:7777 (Stream)\n"));
    assert!(out.contains("   Accepted: 0; Connected: 0;\n"));
    assert!(!out.contains('\x1b'), "no colours when stdout is not a tty");

    let (code, out, _) = ctl(&fake, &["status", "web.service"]);
    assert_eq!(code, 3, "inactive unit");
    assert!(out.starts_with("○ web.service"));
    assert!(out.contains("TriggeredBy: ● web.socket"), "{out}");

    let (code, out, _) = ctl(&fake, &["status", "broken.service"]);
    assert_eq!(code, 3, "failed unit");
    assert!(out.starts_with("× broken.service"));

    let (code, out, err) = ctl(&fake, &["status", "nope.socket"]);
    assert_eq!(code, 4, "unknown unit");
    assert_eq!(err.trim(), "Unit nope.socket could not be found.");
    assert_eq!(out, "");

    // Several units: the first non-zero code wins; a name without suffix is a service.
    let (code, out, _) = ctl(&fake, &["status", "echo.socket", "web"]);
    assert_eq!(code, 3);
    assert!(out.contains("\n\n○ web.service"), "{out}");

    let (code, out, err) = ctl(&fake, &["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("    State: degraded\n"), "{out}");
    assert!(out.contains("   Failed: 1 unit\n"));
}

#[test]
fn is_active_is_failed() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    assert_eq!(
        ctl(&fake, &["is-active", "echo.socket"]),
        (0, "active\n".into(), String::new())
    );
    assert_eq!(ctl(&fake, &["is-active", "web.service"]).0, 3);
    assert_eq!(
        ctl(&fake, &["is-active", "web.service", "echo.socket"]),
        (0, "inactive\nactive\n".into(), String::new())
    );
    assert_eq!(
        ctl(&fake, &["is-active", "nope.service"]),
        (3, "inactive\n".into(), String::new())
    );
    assert_eq!(
        ctl(&fake, &["is-active", "-q", "echo.socket"]),
        (0, String::new(), String::new())
    );
    assert_eq!(
        ctl(&fake, &["is-failed", "broken.service"]),
        (0, "failed\n".into(), String::new())
    );
    assert_eq!(
        ctl(&fake, &["is-failed", "echo.socket"]),
        (1, "active\n".into(), String::new())
    );
}

#[test]
fn lists_show_cat_and_json() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    let (code, out, err) = ctl(&fake, &["list-sockets"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "LISTEN         UNIT        ACTIVATES\n127.0.0.1:7777 echo.socket -\n127.0.0.1:8080 web.socket  web.service\n\n2 sockets listed.\nPass --all to see loaded but inactive sockets, too.\n"
    );
    let (_, out, _) = ctl(&fake, &["list-sockets", "--no-legend", "web*"]);
    assert_eq!(out, "127.0.0.1:8080 web.socket web.service\n");
    let (_, out, _) = ctl(&fake, &["list-sockets", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[1]["unit"], "web.socket");
    assert_eq!(v[1]["activates"][0], "web.service");

    let (code, out, _) = ctl(&fake, &["list-units"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("● broken.service loaded failed failed"),
        "{out}"
    );
    assert!(!out.contains("web.service"), "inactive units need --all");
    assert!(out.contains("3 loaded units listed. Pass --all"));
    let (_, out, _) = ctl(&fake, &["list-units", "--all", "--no-legend"]);
    assert_eq!(out.lines().count(), 4);
    // No command = list-units, like systemctl.
    assert_eq!(ctl(&fake, &[]).1, ctl(&fake, &["list-units"]).1);

    let (code, out, _) = ctl(
        &fake,
        &["show", "-p", "NAccepted,ActiveState", "echo.socket"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "NAccepted=0\nActiveState=active\n");
    let (_, out, _) = ctl(&fake, &["show", "--value", "-p", "SubState", "web.socket"]);
    assert_eq!(out, "listening\n");
    let (code, out, _) = ctl(&fake, &["show", "-p", "LoadState", "nope.socket"]);
    assert_eq!((code, out.as_str()), (0, "LoadState=not-found\n"));
    let (_, out, _) = ctl(&fake, &["show", "-p", "Version"]);
    assert_eq!(out, "Version=0.1.0\n");

    let (code, out, _) = ctl(&fake, &["cat", "web.socket"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# /etc/systemd/system/web.socket\n"));
    let (code, _, err) = ctl(&fake, &["cat", "nope.socket"]);
    assert_eq!(code, 1);
    assert_eq!(err.trim(), "No files found for nope.socket.");

    let (_, out, _) = ctl(&fake, &["status", "-o", "json", "echo.socket"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["socket"]["listen"][0][1], "127.0.0.1:7777");
}

#[test]
fn control_commands_reach_the_engine() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    assert_eq!(ctl(&fake, &["start", "web"]).0, 0);
    assert_eq!(fake.unit("web.service").active_state, "active");
    assert_eq!(ctl(&fake, &["stop", "web.service"]).0, 0);
    assert_eq!(fake.unit("web.service").active_state, "inactive");
    assert_eq!(ctl(&fake, &["restart", "web.service"]).0, 0);
    assert_eq!(ctl(&fake, &["reload", "web.service"]).0, 0);
    assert_eq!(
        ctl(
            &fake,
            &[
                "kill",
                "--signal",
                "HUP",
                "--kill-whom",
                "main",
                "web.service"
            ]
        )
        .0,
        0
    );
    assert_eq!(ctl(&fake, &["kill", "-s", "9", "web.service"]).0, 0);
    assert_eq!(ctl(&fake, &["reset-failed", "broken.service"]).0, 0);
    assert_eq!(ctl(&fake, &["reset-failed"]).0, 0);
    assert_eq!(ctl(&fake, &["daemon-reload"]).0, 0);
    assert_eq!(ctl(&fake, &["daemon-reexec"]).0, 0);
    let (code, _, err) = ctl(&fake, &["start", "nope.service"]);
    assert_eq!(code, 5, "NoSuchUnit → EXIT_NOTINSTALLED");
    assert_eq!(
        err.trim(),
        "Failed to start nope.service: Unit nope.service not loaded."
    );
    let (code, _, err) = ctl(&fake, &["kill", "--signal", "NOPE", "web.service"]);
    assert_eq!(code, 1);
    assert!(err.contains("Failed to parse signal string NOPE."));
    let reqs = fake.requests.lock().unwrap().clone();
    for want in [
        ControlRequest::Kill {
            name: "web.service".into(),
            whom: "main".into(),
            signal: 1,
        },
        ControlRequest::Kill {
            name: "web.service".into(),
            whom: "all".into(),
            signal: 9,
        },
        ControlRequest::ResetFailed {
            name: Some("broken.service".into()),
        },
        ControlRequest::ResetFailed { name: None },
        ControlRequest::DaemonReload,
        ControlRequest::DaemonReexec,
        ControlRequest::Restart {
            name: "web.service".into(),
        },
        ControlRequest::Reload {
            name: "web.service".into(),
        },
    ] {
        assert!(reqs.contains(&want), "{want:?} missing in {reqs:?}");
    }
}

#[test]
fn address_option_goes_through_the_hello_stub() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    let (code, out, err) = run_cmd(
        Command::new(CTL)
            .arg("--address")
            .arg(fake.address())
            .args(["is-active", "echo.socket"]),
        Duration::from_secs(20),
    );
    assert_eq!((code, out.as_str()), (0, "active\n"), "{err}");
}

#[test]
fn one_clear_line_when_no_daemon_answers() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("private");
    let (code, out, err) = run_cmd(
        Command::new(CTL)
            .arg("--control-socket")
            .arg(&sock)
            .arg("status"),
        Duration::from_secs(20),
    );
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "Failed to connect to activatord at {}: ",
            sock.display()
        )),
        "{err}"
    );
}

#[test]
fn status_answers_in_under_20ms_with_500_units() {
    let mut all = Vec::new();
    for i in 0..250 {
        all.push(socket_unit(&format!("s{i}.socket"), true, 10000 + i as u16));
        all.push(service_unit(&format!("s{i}@.service")));
    }
    let fake = FakeEngine::start(all, BusChoice::None);
    // Warm up (first exec of the binary, page cache).
    assert_eq!(ctl(&fake, &["status", "s7.socket"]).0, 0);
    let mut times = Vec::new();
    for i in 0..20 {
        let t0 = Instant::now();
        let (code, out, err) = ctl(&fake, &["status", &format!("s{i}.socket")]);
        times.push(t0.elapsed());
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Listen:"));
    }
    times.sort();
    let small = FakeEngine::start(units(), BusChoice::None);
    let t0 = Instant::now();
    for _ in 0..10 {
        assert_eq!(ctl(&small, &["status", "echo.socket"]).0, 0);
    }
    eprintln!(
        "activatorctl status with 4 units: mean {:?}",
        t0.elapsed() / 10
    );
    let median = times[times.len() / 2];
    eprintln!(
        "activatorctl status with 500 units: median {median:?}, max {:?}",
        times.last().unwrap()
    );
    assert!(median < Duration::from_millis(20), "median {median:?}");
}
