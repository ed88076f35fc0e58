//! The control plane of the real daemon: zbus and busctl against
//! `activatord --control-socket`, PropertiesChanged within 50 ms of a real
//! connection, access control for `nobody`, activatorctl start/stop, the bus
//! under a real dbus-daemon (`--bus session`), and connection handling that
//! loses nothing while `activatorctl status` runs in a loop.

mod bus_support;
mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use activator::bus::names::{unit_path, MANAGER_IFACE, MANAGER_PATH, SOCKET_IFACE, UNIT_IFACE};
use activator::bus::UnitRow;
use bus_support::{call, next_matching, rt, run_cmd, which};
use common::{free_port, is_root, skip, Daemon, UnitDir};
use zbus::{MessageStream, OwnedObjectPath};

const CTL: &str = env!("CARGO_BIN_EXE_activatorctl");

/// The tests here measure latencies and one of them loads both CPUs: run them
/// one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// An Accept=yes echo socket (cat) and an Accept=no socket with its service.
fn units(dir: &UnitDir, echo_port: u16, web_port: u16) {
    dir.write(
        "echo.socket",
        &format!(
            "[Unit]\nDescription=Echo\n[Socket]\nListenStream=127.0.0.1:{echo_port}\nAccept=yes\n"
        ),
    );
    dir.write(
        "echo@.service",
        "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n",
    );
    dir.write(
        "web.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{web_port}\n"),
    );
    dir.write("web.service", "[Service]\nExecStart=/bin/sleep 1000\n");
}

/// A directory every user may traverse, for sockets `nobody` must reach.
fn open_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    d
}

fn start_daemon(dir: &UnitDir, socket: &Path, extra: &[&str], env: &[(&str, &str)]) -> Daemon {
    let mut args = vec![
        "--unit-path",
        dir.path().to_str().unwrap(),
        "--control-socket",
        socket.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let d = Daemon::start_with_env(&args, env);
    d.wait_started();
    assert!(
        common::wait_for(Duration::from_secs(10), || socket.exists().then_some(())).is_some(),
        "no control socket; log:\n{}",
        d.log_text()
    );
    d
}

fn ctl(socket: &Path, args: &[&str]) -> (i32, String, String) {
    run_cmd(
        Command::new(CTL)
            .arg("--control-socket")
            .arg(socket)
            .args(args),
        Duration::from_secs(20),
    )
}

fn echo_once(port: u16, text: &str) -> String {
    let mut s = common::connect(port);
    s.write_all(text.as_bytes()).unwrap();
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn zbus_client_against_the_real_daemon() {
    let _serial = serial();
    let dir = UnitDir::new();
    let (ep, wp) = (free_port(), free_port());
    units(&dir, ep, wp);
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(&dir, &socket, &[], &[]);
    rt().block_on(async {
        let s = std::os::unix::net::UnixStream::connect(&socket).unwrap();
        let c = zbus::connection::Builder::unix_stream(s)
            .p2p()
            .build()
            .await
            .unwrap();
        let rows: Vec<UnitRow> = call(&c, MANAGER_PATH, MANAGER_IFACE, "ListUnits", &())
            .await
            .unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert!(
            names.contains(&"echo.socket") && names.contains(&"web.socket"),
            "{names:?}"
        );
        let p: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            &("echo.socket",),
        )
        .await
        .unwrap();
        assert_eq!(p.as_str(), "/org/activator1/unit/echo_2esocket");
        let listen: zbus::OwnedVariant = call(
            &c,
            p.as_str(),
            "org.freedesktop.DBus.Properties",
            "Get",
            &(SOCKET_IFACE, "Listen"),
        )
        .await
        .unwrap();
        let listen: Vec<(String, String)> = Vec::try_from(listen).unwrap();
        assert_eq!(
            listen,
            vec![("Stream".to_string(), format!("127.0.0.1:{ep}"))]
        );

        // A connection to the Accept=yes socket shows up as PropertiesChanged
        // (NAccepted, a counter systemd does not announce) within 50 ms.
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &())
            .await
            .unwrap();
        let mut stream = MessageStream::from(&c);
        let path = unit_path("echo.socket");
        let t0 = Instant::now();
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", ep)).unwrap();
        let m = next_matching(&mut stream, Duration::from_secs(5), |m| {
            m.header()
                .path()
                .map(|p| p.as_str() == path)
                .unwrap_or(false)
                && m.header()
                    .member()
                    .map(|x| x.as_str() == "PropertiesChanged")
                    .unwrap_or(false)
                && m.body()
                    .deserialize::<(String, HashMap<String, zbus::OwnedVariant>, Vec<String>)>()
                    .map(|(_, ch, _)| ch.contains_key("NAccepted"))
                    .unwrap_or(false)
        })
        .await
        .unwrap_or_else(|| panic!("no PropertiesChanged(NAccepted); log:\n{}", d.log_text()));
        let latency = t0.elapsed();
        eprintln!("PropertiesChanged(NAccepted) {latency:?} after connect()");
        assert!(latency < Duration::from_millis(50), "{latency:?}");
        let (_, ch, _): (String, HashMap<String, zbus::OwnedVariant>, Vec<String>) =
            m.body().deserialize().unwrap();
        assert_eq!(u32::try_from(&ch["NAccepted"]).unwrap(), 1);
        tcp.write_all(b"x").unwrap();
        drop(tcp);

        // Stop and start through the bus; the state shows in ActiveState.
        let _: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "StopUnit",
            &("web.socket", "replace"),
        )
        .await
        .unwrap();
        let wpath = unit_path("web.socket");
        let st = || async {
            let v: zbus::OwnedVariant = call(
                &c,
                &wpath,
                "org.freedesktop.DBus.Properties",
                "Get",
                &(UNIT_IFACE, "ActiveState"),
            )
            .await
            .unwrap();
            String::try_from(v).unwrap()
        };
        assert_eq!(st().await, "inactive");
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", wp)).is_err(),
            "stopped socket still listens"
        );
        let _: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            &("web.socket", "replace"),
        )
        .await
        .unwrap();
        assert_eq!(st().await, "active");
        let e = call::<_, OwnedObjectPath>(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            &("nope.socket",),
        )
        .await
        .unwrap_err();
        assert!(format!("{e}").contains("nope.socket"), "{e}");
    });
    // busctl through the Hello stub.
    if which("busctl") {
        let addr = format!("--address=unix:path={}", socket.display());
        let (code, out, err) = run_cmd(
            Command::new("busctl").args([
                &addr,
                "get-property",
                "org.activator1",
                &unit_path("echo.socket"),
                SOCKET_IFACE,
                "NAccepted",
            ]),
            Duration::from_secs(20),
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "u 1");
        let (code, out, err) = run_cmd(
            Command::new("busctl").args([
                &addr,
                "call",
                "org.activator1",
                MANAGER_PATH,
                MANAGER_IFACE,
                "ListUnits",
            ]),
            Duration::from_secs(20),
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("\"echo.socket\""), "{out}");
    } else {
        skip("busctl not installed");
    }
    d.stop();
}

#[test]
fn activatorctl_against_the_real_daemon() {
    let _serial = serial();
    let dir = UnitDir::new();
    let (ep, wp) = (free_port(), free_port());
    units(&dir, ep, wp);
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(&dir, &socket, &[], &[]);
    let (code, out, err) = ctl(&socket, &["status", "echo.socket"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("● echo.socket - Echo\n"), "{out}");
    assert!(
        out.contains(&format!("     Listen: 127.0.0.1:{ep} (Stream)\n")),
        "{out}"
    );
    assert!(out.contains("   Accepted: 0; Connected: 0;\n"), "{out}");
    assert_eq!(echo_once(ep, "hello"), "hello");
    let (_, out, _) = ctl(
        &socket,
        &["show", "-p", "NAccepted", "--value", "echo.socket"],
    );
    assert_eq!(out.trim(), "1");
    let (_, out, _) = ctl(&socket, &["list-sockets", "--no-legend"]);
    assert!(
        out.contains(&format!("127.0.0.1:{ep}")) && out.contains(&format!("127.0.0.1:{wp}")),
        "{out}"
    );
    assert_eq!(ctl(&socket, &["stop", "echo.socket"]).0, 0);
    assert_eq!(
        ctl(&socket, &["is-active", "echo.socket"]),
        (3, "inactive\n".into(), String::new())
    );
    assert_eq!(ctl(&socket, &["status", "echo.socket"]).0, 3);
    assert_eq!(ctl(&socket, &["start", "echo.socket"]).0, 0);
    assert_eq!(ctl(&socket, &["is-active", "echo.socket"]).0, 0);
    assert_eq!(echo_once(ep, "again"), "again");
    assert_eq!(ctl(&socket, &["status", "nope.socket"]).0, 4);
    assert_eq!(ctl(&socket, &["start", "nope.socket"]).0, 5);
    let (code, out, _) = ctl(&socket, &["cat", "echo.socket"]);
    assert_eq!(code, 0);
    assert!(out.contains("Accept=yes"), "{out}");
    d.stop();
}

#[test]
fn nobody_cannot_stop_the_real_daemons_sockets() {
    let _serial = serial();
    if !is_root() {
        skip("access-control test needs root (to run a client as nobody)");
        return;
    }
    if !which("setpriv") || !which("busctl") {
        skip("setpriv or busctl not installed");
        return;
    }
    let dir = UnitDir::new();
    let (ep, wp) = (free_port(), free_port());
    units(&dir, ep, wp);
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(&dir, &socket, &[], &[]);
    let nobody = |args: &[&str]| {
        run_cmd(
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .args(args),
            Duration::from_secs(20),
        )
    };
    let addr = format!("--address=unix:path={}", socket.display());
    let (code, _, err) = nobody(&[
        "busctl",
        &addr,
        "call",
        "org.activator1",
        MANAGER_PATH,
        MANAGER_IFACE,
        "StopUnit",
        "ss",
        "echo.socket",
        "replace",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("Access denied"), "{err}");
    let (code, _, err) = nobody(&[
        CTL,
        "--control-socket",
        socket.to_str().unwrap(),
        "stop",
        "web.socket",
    ]);
    assert_eq!(code, 4, "{err}");
    let (code, _, _) = nobody(&[
        CTL,
        "--control-socket",
        socket.to_str().unwrap(),
        "daemon-reload",
    ]);
    assert_eq!(code, 4);
    // Nothing changed: both sockets still listen and echo works.
    assert_eq!(echo_once(ep, "still"), "still");
    assert!(std::net::TcpStream::connect(("127.0.0.1", wp)).is_ok());
    // Reads work.
    let (code, out, err) = nobody(&[
        CTL,
        "--control-socket",
        socket.to_str().unwrap(),
        "is-active",
        "echo.socket",
    ]);
    assert_eq!((code, out.as_str()), (0, "active\n"), "{err}");
    let (code, out, err) = nobody(&[
        "busctl",
        &addr,
        "get-property",
        "org.activator1",
        &unit_path("web.socket"),
        UNIT_IFACE,
        "ActiveState",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "s \"active\"");
    // Root may.
    assert_eq!(ctl(&socket, &["stop", "web.socket"]).0, 0);
    assert_eq!(ctl(&socket, &["is-active", "web.socket"]).0, 3);
    d.stop();
}

#[test]
fn connections_lose_nothing_while_status_runs_in_a_loop() {
    let _serial = serial();
    let dir = UnitDir::new();
    let (ep, wp) = (free_port(), free_port());
    units(&dir, ep, wp);
    // This test is about the control plane not stalling connection handling;
    // keep the limits out of the way: MaxConnections= (default 64; instances
    // still being reaped count against it) and the trigger rate limit
    // (Accept=yes default 200 per 2 s, systemd.socket(5) TriggerLimitBurst=).
    dir.write(
        "echo.socket.d/limits.conf",
        "[Socket]\nMaxConnections=1024\nTriggerLimitBurst=100000\n",
    );
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(&dir, &socket, &[], &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(AtomicUsize::new(0));
    let exchanges = Arc::new(AtomicUsize::new(0));
    let looper = {
        let (stop, statuses, socket) = (stop.clone(), statuses.clone(), socket.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let (code, _, err) = ctl(&socket, &["status", "echo.socket", "web.socket"]);
                assert_eq!(code, 0, "{err}");
                statuses.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // 16 clients keep connecting until `status` has run 10 times (bounded).
    let clients: Vec<_> = (0..16)
        .map(|i| {
            let (stop, exchanges) = (stop.clone(), exchanges.clone());
            std::thread::spawn(move || {
                let mut j = 0;
                while !stop.load(Ordering::Relaxed) || j < 5 {
                    let msg = format!("client {i} message {j}\n");
                    assert_eq!(echo_once(ep, &msg), msg);
                    exchanges.fetch_add(1, Ordering::Relaxed);
                    j += 1;
                }
            })
        })
        .collect();
    let enough = common::wait_for(Duration::from_secs(60), || {
        (statuses.load(Ordering::Relaxed) >= 10).then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("a client lost its echo");
    }
    looper.join().expect("status loop failed");
    assert!(
        enough.is_some(),
        "status ran only {} times",
        statuses.load(Ordering::Relaxed)
    );
    let n = exchanges.load(Ordering::Relaxed);
    eprintln!(
        "{n} echo exchanges while activatorctl status ran {} times",
        statuses.load(Ordering::Relaxed)
    );
    let (_, out, _) = ctl(
        &socket,
        &["show", "-p", "NAccepted", "--value", "echo.socket"],
    );
    assert_eq!(
        out.trim(),
        n.to_string(),
        "NAccepted counts every connection"
    );
    d.stop();
}

/// A private dbus-daemon with a session-bus config every uid may use (the
/// stock session config admits only its own uid). Killed on drop.
struct TestBus {
    child: std::process::Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl TestBus {
    fn start() -> Option<TestBus> {
        if !which("dbus-daemon") {
            return None;
        }
        let dir = open_dir();
        let sock: PathBuf = dir.path().join("bus");
        let conf = dir.path().join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                sock.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        let mut out = child.stdout.take()?;
        let mut b = [0u8; 1];
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end && out.read(&mut b).ok()? == 1 && b[0] != b'\n' {
            line.push(b[0] as char);
        }
        let address = line.trim().to_string();
        if address.is_empty() {
            let _ = child.kill();
            return None;
        }
        Some(TestBus {
            child,
            address,
            _dir: dir,
        })
    }
}

impl Drop for TestBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn on_a_real_session_bus() {
    let _serial = serial();
    let Some(bus) = TestBus::start() else {
        skip("dbus-daemon not installed");
        return;
    };
    let dir = UnitDir::new();
    let (ep, wp) = (free_port(), free_port());
    units(&dir, ep, wp);
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(
        &dir,
        &socket,
        &["--bus", "session"],
        &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)],
    );
    assert!(
        d.wait_log("session bus", Duration::from_secs(5)),
        "log:\n{}",
        d.log_text()
    );
    rt().block_on(async {
        let c = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let rows: Vec<UnitRow> = call(&c, MANAGER_PATH, MANAGER_IFACE, "ListUnits", &())
            .await
            .unwrap();
        assert!(rows.iter().any(|r| r.0 == "echo.socket"));
        // Unit objects are served without a GetUnit first on the bus.
        let v: zbus::OwnedVariant = call(
            &c,
            &unit_path("web.socket"),
            "org.freedesktop.DBus.Properties",
            "Get",
            &(UNIT_IFACE, "SubState"),
        )
        .await
        .unwrap();
        assert_eq!(String::try_from(v).unwrap(), "listening");

        // Signals reach a subscribed bus client, within 50 ms.
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &())
            .await
            .unwrap();
        let rule = format!(
            "type='signal',sender='org.activator1',path='{}'",
            unit_path("echo.socket")
        );
        let () = c
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "AddMatch",
                &(rule.as_str(),),
            )
            .await
            .unwrap()
            .body()
            .deserialize()
            .unwrap();
        let mut stream = MessageStream::from(&c);
        let t0 = Instant::now();
        let _tcp = std::net::TcpStream::connect(("127.0.0.1", ep)).unwrap();
        let got = next_matching(&mut stream, Duration::from_secs(5), |m| {
            m.header()
                .member()
                .map(|x| x.as_str() == "PropertiesChanged")
                .unwrap_or(false)
        })
        .await;
        assert!(got.is_some(), "no PropertiesChanged on the bus");
        let latency = t0.elapsed();
        eprintln!("session bus PropertiesChanged after {latency:?}");
        assert!(latency < Duration::from_millis(50), "{latency:?}");
    });
    // busctl and activatorctl on the bus.
    if which("busctl") {
        let (code, out, err) = run_cmd(
            Command::new("busctl")
                .arg(format!("--address={}", bus.address))
                .args([
                    "get-property",
                    "org.activator1",
                    &unit_path("echo.socket"),
                    SOCKET_IFACE,
                    "Accept",
                ]),
            Duration::from_secs(20),
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "b true");
    }
    let (code, out, err) = run_cmd(
        Command::new(CTL)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .args(["--bus", "session", "is-active", "web.socket"]),
        Duration::from_secs(20),
    );
    assert_eq!((code, out.as_str()), (0, "active\n"), "{err}");
    let (code, _, err) = run_cmd(
        Command::new(CTL)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .args(["--bus", "session", "stop", "web.socket"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 0, "{err}");
    // Access control on a bus: GetConnectionCredentials of the sender.
    if is_root() && which("setpriv") && which("busctl") {
        let (code, _, err) = run_cmd(
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "busctl"])
                .arg(format!("--address={}", bus.address))
                .args([
                    "call",
                    "org.activator1",
                    MANAGER_PATH,
                    MANAGER_IFACE,
                    "StartUnit",
                    "ss",
                    "web.socket",
                    "replace",
                ]),
            Duration::from_secs(20),
        );
        assert_ne!(code, 0);
        assert!(err.contains("Access denied"), "{err}");
        let (code, out, err) = run_cmd(
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "busctl"])
                .arg(format!("--address={}", bus.address))
                .args([
                    "get-property",
                    "org.activator1",
                    &unit_path("web.socket"),
                    UNIT_IFACE,
                    "ActiveState",
                ]),
            Duration::from_secs(20),
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.trim(),
            "s \"inactive\"",
            "the refused StartUnit changed nothing"
        );
    } else {
        skip("bus access-control check needs root, setpriv and busctl");
    }
    d.stop();
}

#[test]
fn status_is_fast_with_500_units_in_the_real_daemon() {
    let _serial = serial();
    let dir = UnitDir::new();
    let socks = open_dir();
    for i in 0..250 {
        dir.write(
            &format!("u{i}.socket"),
            &format!(
                "[Socket]\nListenStream={}/u{i}.sock\n",
                socks.path().display()
            ),
        );
        dir.write(
            &format!("u{i}.service"),
            "[Service]\nExecStart=/bin/sleep 1000\n",
        );
    }
    let sockdir = open_dir();
    let socket = sockdir.path().join("private");
    let d = start_daemon(&dir, &socket, &[], &[]);
    let (_, out, _) = ctl(&socket, &["list-units", "--all", "--no-legend"]);
    assert_eq!(out.lines().count(), 500, "{out}");
    assert_eq!(ctl(&socket, &["status", "u1.socket"]).0, 0);
    let mut times = Vec::new();
    for i in 0..20 {
        let t0 = Instant::now();
        let (code, out, err) = ctl(&socket, &["status", &format!("u{i}.socket")]);
        times.push(t0.elapsed());
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Triggers: ● "), "{out}");
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "real daemon, 500 units: activatorctl status median {median:?}, max {:?}",
        times.last().unwrap()
    );
    assert!(median < Duration::from_millis(20), "median {median:?}");
    d.stop();
}
