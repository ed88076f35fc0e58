//! activatord under an outer service manager: the sd_notify datagrams it sends
//! (checked on a real receiver socket, path and abstract forms), the environment it
//! hides from its children, the daemon's READY=1/STOPPING=1 contract end to end,
//! `--syslog` lines on a syslog socket, and `systemd-analyze verify` on the shipped
//! contrib/systemd units.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use activator::supervisor::{monotonic_usec, Supervisor};
use common::{free_port, skip, Daemon, UnitDir};

fn receiver(dir: &Path) -> (UnixDatagram, String) {
    let path = dir.join("notify");
    let rx = UnixDatagram::bind(&path).expect("bind receiver");
    rx.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    (rx, path.display().to_string())
}

fn recv(rx: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let n = rx.recv(&mut buf).expect("notify datagram");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Receive until a datagram containing `needle` arrives (bounded); returns all seen.
fn recv_until(rx: &UnixDatagram, needle: &str, timeout: Duration) -> Option<Vec<String>> {
    let end = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        rx.set_read_timeout(Some(
            end.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1)),
        ))
        .ok()?;
        let Ok(n) = rx.recv(&mut buf) else {
            break;
        };
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        let hit = msg.lines().any(|l| l == needle);
        seen.push(msg);
        if hit {
            return Some(seen);
        }
    }
    eprintln!("never got {needle:?}; saw {seen:?}");
    None
}

#[test]
fn datagrams_on_a_path_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let sup = Supervisor::connect(&path, None).expect("supervisor");

    sup.ready("3 sockets listening");
    assert_eq!(recv(&rx), "READY=1\nSTATUS=3 sockets listening\n");

    sup.status("two\nlines");
    assert_eq!(recv(&rx), "STATUS=two lines\n");

    let before = monotonic_usec();
    sup.reloading();
    let msg = recv(&rx);
    let after = monotonic_usec();
    let lines: Vec<&str> = msg.lines().collect();
    assert_eq!(lines[0], "RELOADING=1");
    let usec: u64 = lines[1]
        .strip_prefix("MONOTONIC_USEC=")
        .expect("MONOTONIC_USEC second")
        .parse()
        .expect("number");
    assert!(
        before <= usec && usec <= after,
        "{before} <= {usec} <= {after}"
    );

    sup.ready_again("reloaded");
    assert_eq!(recv(&rx), "READY=1\nSTATUS=reloaded\n");

    sup.ping_watchdog();
    assert_eq!(recv(&rx), "WATCHDOG=1\n");

    sup.stopping();
    let msg = recv(&rx);
    assert_eq!(msg.lines().next(), Some("STOPPING=1"));
    assert!(msg.ends_with('\n'));
}

#[test]
fn datagrams_on_an_abstract_socket() {
    let name = format!("activator-test-notify-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract");
    let rx = UnixDatagram::bind_addr(&addr).expect("bind abstract");
    rx.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let sup = Supervisor::connect(&format!("@{name}"), None).expect("supervisor");
    sup.ready("up");
    assert_eq!(recv(&rx), "READY=1\nSTATUS=up\n");
    sup.stopping();
    assert!(recv(&rx).starts_with("STOPPING=1\n"));
}

#[test]
fn send_errors_are_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gone = dir.path().join("nobody-listens");
    let sup = Supervisor::connect(&gone.display().to_string(), None).expect("supervisor");
    sup.ready("x");
    sup.stopping();
    sup.ping_watchdog();
    assert!(Supervisor::connect("vsock:2:99", None).is_none());
}

#[test]
fn watchdog_pacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let sup = Supervisor::connect(&path, Some(Duration::from_millis(400))).expect("supervisor");
    assert_eq!(sup.watchdog_interval(), Some(Duration::from_millis(400)));
    assert_eq!(sup.watchdog_period(), Some(Duration::from_millis(200)));
    // Never pinged: due now.
    assert_eq!(sup.watchdog_due_in(Instant::now()), Some(Duration::ZERO));
    sup.ping_watchdog_if_due();
    assert_eq!(recv(&rx), "WATCHDOG=1\n");
    let due = sup.watchdog_due_in(Instant::now()).expect("due");
    assert!(due > Duration::from_millis(100) && due <= Duration::from_millis(200));
    // Not due yet: nothing sent.
    sup.ping_watchdog_if_due();
    rx.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0u8; 64];
    assert!(rx.recv(&mut buf).is_err(), "pinged too early");

    let without = Supervisor::connect(&path, None).expect("supervisor");
    assert_eq!(without.watchdog_due_in(Instant::now()), None);
    without.ping_watchdog_if_due();
    assert!(rx.recv(&mut buf).is_err(), "pinged without a watchdog");
}

/// The only test that touches this process's environment.
#[test]
fn from_env_reads_and_unsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let pid = std::process::id().to_string();
    std::env::set_var("NOTIFY_SOCKET", &path);
    std::env::set_var("WATCHDOG_USEC", "3000000");
    std::env::set_var("WATCHDOG_PID", &pid);
    let sup = Supervisor::from_env().expect("supervisor from env");
    for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
        assert!(std::env::var_os(k).is_none(), "{k} still set");
    }
    assert_eq!(sup.watchdog_interval(), Some(Duration::from_secs(3)));
    let env: Vec<String> = sup
        .exec_env()
        .into_iter()
        .map(|c| c.into_string().expect("utf8"))
        .collect();
    assert_eq!(
        env,
        vec![
            format!("NOTIFY_SOCKET={path}"),
            "WATCHDOG_USEC=3000000".to_string(),
            format!("WATCHDOG_PID={pid}"),
        ]
    );
    sup.ready("ok");
    assert_eq!(recv(&rx), "READY=1\nSTATUS=ok\n");

    // The watchdog is someone else's: ignored; no NOTIFY_SOCKET: no supervisor.
    std::env::set_var("NOTIFY_SOCKET", &path);
    std::env::set_var("WATCHDOG_USEC", "3000000");
    std::env::set_var("WATCHDOG_PID", "1");
    let sup = Supervisor::from_env().expect("supervisor from env");
    assert_eq!(sup.watchdog_interval(), None);
    assert!(std::env::var_os("WATCHDOG_USEC").is_none());
    std::env::set_var("WATCHDOG_USEC", "3000000");
    assert!(Supervisor::from_env().is_none());
    assert!(std::env::var_os("WATCHDOG_USEC").is_none());
}

/// Unit files for `n` echo sockets plus one per-connection shell that prints what
/// it inherited of the notify variables.
fn notify_units(units: &UnitDir, n: usize) -> (Vec<u16>, u16) {
    let mut ports = Vec::new();
    for i in 0..n {
        let port = free_port();
        units.write(
            &format!("echo{i}.socket"),
            &format!(
                "[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"
            ),
        );
        ports.push(port);
    }
    let envport = free_port();
    units.write(
        "envdump.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{envport}\nAccept=yes\n"),
    );
    units.write(
        "envdump@.service",
        "[Service]\nPassEnvironment=NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID\n\
         ExecStart=/bin/sh -c 'echo \"notify=[$${NOTIFY_SOCKET}] wd=[$${WATCHDOG_USEC}]\"'\n\
         StandardInput=socket\n",
    );
    (ports, envport)
}

#[test]
fn daemon_ready_after_listening_and_stopping_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let units = UnitDir::new();
    let (ports, envport) = notify_units(&units, 6);
    let unit_path = units.path().display().to_string();
    let d = Daemon::start_with_env(&["--unit-path", &unit_path], &[("NOTIFY_SOCKET", &path)]);

    let seen = recv_until(&rx, "READY=1", Duration::from_secs(15));
    // Right when READY=1 arrives, every port must accept.
    for &p in ports.iter().chain([envport].iter()) {
        TcpStream::connect(("127.0.0.1", p))
            .unwrap_or_else(|e| panic!("port {p} not accepting at READY=1: {e}"));
    }
    let seen = seen.unwrap_or_else(|| panic!("no READY=1; log:\n{}", d.log_text()));
    let ready = seen.last().expect("ready datagram");
    assert!(
        ready.lines().any(|l| l.starts_with("STATUS=")),
        "READY=1 without STATUS=: {ready:?}"
    );
    assert!(seen.iter().all(|m| !m.contains("STOPPING=1")), "{seen:?}");

    // Services never see our manager's variables.
    let mut conn = TcpStream::connect(("127.0.0.1", envport)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = String::new();
    let _ = conn.read_to_string(&mut out);
    assert_eq!(out.trim(), "notify=[] wd=[]", "log:\n{}", d.log_text());

    // A reload: RELOADING=1 then READY=1 again.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .expect("SIGHUP");
    let seen = recv_until(&rx, "RELOADING=1", Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no RELOADING=1; log:\n{}", d.log_text()));
    assert!(seen
        .last()
        .expect("msg")
        .lines()
        .any(|l| l.starts_with("MONOTONIC_USEC=")));
    recv_until(&rx, "READY=1", Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no READY=1 after reload; log:\n{}", d.log_text()));
    let mut echo = TcpStream::connect(("127.0.0.1", ports[0])).expect("connect after reload");
    echo.write_all(b"x\n").expect("write");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    recv_until(&rx, "STOPPING=1", Duration::from_secs(15))
        .unwrap_or_else(|| panic!("no STOPPING=1; log:\n{}", d.log_text()));
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn daemon_pings_the_watchdog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let units = UnitDir::new();
    let _ = notify_units(&units, 1);
    let unit_path = units.path().display().to_string();
    let d = Daemon::start_with_env(
        &["--unit-path", &unit_path],
        &[("NOTIFY_SOCKET", &path), ("WATCHDOG_USEC", "400000")],
    );
    recv_until(&rx, "READY=1", Duration::from_secs(15))
        .unwrap_or_else(|| panic!("no READY=1; log:\n{}", d.log_text()));
    // Half the interval is 200 ms: several pings within two seconds.
    let start = Instant::now();
    let mut pings = 0;
    while start.elapsed() < Duration::from_secs(2) {
        if recv_until(&rx, "WATCHDOG=1", Duration::from_secs(1)).is_some() {
            pings += 1;
        }
    }
    assert!(
        pings >= 3,
        "{pings} watchdog pings in 2 s; log:\n{}",
        d.log_text()
    );
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn contrib_systemd_units_verify() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let service = root.join("contrib/systemd/activatord.service");
    let socket = root.join("contrib/systemd/activatord.socket");
    assert!(service.is_file() && socket.is_file());
    let Ok(out) = Command::new("systemd-analyze")
        .arg("verify")
        .arg("--man=no")
        .arg(&service)
        .arg(&socket)
        .output()
    else {
        return skip("systemd-analyze not installed");
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        // The binary is not installed here.
        .filter(|l| !(l.contains("/usr/local/bin/activatord") && l.contains("not executable")))
        .collect();
    assert!(
        problems.is_empty(),
        "systemd-analyze verify:\n{}",
        problems.join("\n")
    );
}

#[test]
fn daemon_keeps_notifying_after_reexec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rx, path) = receiver(dir.path());
    let units = UnitDir::new();
    let (ports, _) = notify_units(&units, 1);
    let unit_path = units.path().display().to_string();
    let d = Daemon::start_with_env(
        &["--unit-path", &unit_path],
        &[("NOTIFY_SOCKET", &path), ("WATCHDOG_USEC", "400000")],
    );
    recv_until(&rx, "READY=1", Duration::from_secs(15))
        .unwrap_or_else(|| panic!("no READY=1; log:\n{}", d.log_text()));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGUSR2,
    )
    .expect("SIGUSR2");
    assert!(
        d.wait_log("Re-executing.", Duration::from_secs(10)),
        "no re-exec; log:\n{}",
        d.log_text()
    );
    // The new image (same pid) announces itself and keeps the watchdog fed.
    recv_until(&rx, "READY=1", Duration::from_secs(15))
        .unwrap_or_else(|| panic!("no READY=1 after re-exec; log:\n{}", d.log_text()));
    recv_until(&rx, "WATCHDOG=1", Duration::from_secs(2))
        .unwrap_or_else(|| panic!("no watchdog after re-exec; log:\n{}", d.log_text()));
    TcpStream::connect(("127.0.0.1", ports[0])).expect("still listening");
    assert_eq!(d.stop(), Some(0));
}

/// `--syslog=PATH`: every line goes to the syslog socket as
/// `<PRI>activatord[PID]: message` with facility daemon (syslog(3)), nothing to
/// stderr.
#[test]
fn syslog_receives_the_daemon_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let rx = UnixDatagram::bind(&path).expect("bind syslog receiver");
    rx.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let units = UnitDir::new();
    let port = free_port();
    units.write(
        "s.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let syslog = format!("--syslog={}", path.display());
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap(), &syslog]);
    let prefix = format!("activatord[{}]: ", d.pid());
    let end = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    while Instant::now() < end && !lines.iter().any(|l: &String| l.contains("Started:")) {
        lines.push(recv(&rx));
    }
    let started = lines
        .iter()
        .find(|l| l.contains("Started:"))
        .unwrap_or_else(|| panic!("no Started: line in {lines:?}"));
    // LOG_DAEMON | LOG_INFO = 30.
    assert!(started.starts_with(&format!("<30>{prefix}")), "{started}");
    assert!(
        !d.log_text().contains("Started:"),
        "stderr stays quiet: {}",
        d.log_text()
    );
    assert_eq!(d.stop(), Some(0));
}
