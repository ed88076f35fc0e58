//! End-to-end activation: real activatord, real sockets on loopback, real
//! processes. Each test pins one behaviour of systemd.socket(5) / inetd(8).

mod common;

use std::io::{Read, Write};
use std::net::UdpSocket;
use std::time::Duration;

use common::*;

/// Bit of SIGPIPE (13) in /proc/PID/status masks.
const SIGPIPE_BIT: u64 = 1 << 12;

/// The `SigIgn:` mask of `pid`.
fn sig_ignored(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .expect("SigIgn line")
        .trim();
    u64::from_str_radix(hex, 16).expect("hex mask")
}

/// Given a built-in echo socket, a client gets its bytes back (RFC 862).
#[test]
fn builtin_echo_tcp_echoes_bytes() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "echo.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    assert_eq!(exchange(port, b"hello echo\n"), b"hello echo\n");
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(exchange(port, &big), big);
    assert_eq!(d.stop(), Some(0));
}

/// systemd.socket(5) Accept=yes + StandardInput=socket: the connection is fd 0,
/// 1 and 2 of the instance, nothing else is open, and REMOTE_ADDR is set.
#[test]
fn accept_yes_stdio_child_has_exactly_the_connection() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "probe.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n"),
    );
    units.write(
        "probe@.service",
        "[Unit]\nDescription=Probe connection\n[Service]\nExecStart=/bin/sh -c 'echo $$$$ $${REMOTE_ADDR} %i; exec sleep 5'\nStandardInput=socket\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let mut s = connect(port);
    let line = read_line(&mut s);
    let mut parts = line.split_whitespace();
    let pid: i32 = parts.next().and_then(|p| p.parse().ok()).expect("pid line");
    assert_eq!(parts.next(), Some("127.0.0.1"));
    let instance = parts.next().expect("instance");
    assert!(
        instance.starts_with(&format!("0-127.0.0.1:{port}-127.0.0.1:")),
        "systemd 252 instance naming: {instance}"
    );
    let fds = proc_fds(pid);
    let nums: Vec<i32> = fds.iter().map(|(n, _)| *n).collect();
    assert_eq!(nums, vec![0, 1, 2], "fds of the instance: {fds:?}");
    assert!(fds
        .iter()
        .all(|(_, t)| t == &fds[0].1 && t.starts_with("socket:")));
    // The daemon ignores SIGPIPE (as Rust's start-up would); the child starts
    // with every disposition at its default, as under systemd.
    assert_eq!(sig_ignored(d.pid()) & SIGPIPE_BIT, SIGPIPE_BIT);
    assert_eq!(sig_ignored(pid), 0, "instance inherits no ignored signal");
    // systemd's socket.c: the instance's description names the peer.
    let client = s.local_addr().unwrap();
    let (code, description) = d.ctl(&[
        "show",
        "-p",
        "Description",
        "--value",
        &format!("probe@{instance}.service"),
    ]);
    assert_eq!(code, 0);
    assert_eq!(description, format!("Probe connection ({client})"));
    drop(s);
    assert_eq!(d.stop(), Some(0));
}

/// Accept=no: the service gets every listening fd from 3 in Listen order with
/// LISTEN_FDS, LISTEN_PID = its own pid and LISTEN_FDNAMES (sd_listen_fds(3)).
#[test]
fn accept_no_passes_listen_fds_with_own_pid() {
    let (p1, p2) = (free_port(), free_port());
    let units = UnitDir::new();
    let out = units.path().join("env.out");
    units.write(
        "multi.socket",
        &format!(
            "[Socket]\nListenStream=127.0.0.1:{p1}\nListenStream=127.0.0.1:{p2}\nFileDescriptorName=web\n"
        ),
    );
    units.write(
        "multi.service",
        &format!(
            "[Service]\nExecStart=/bin/sh -c 'echo $$LISTEN_FDS $$LISTEN_PID $$$$ $$LISTEN_FDNAMES > {}; exec sleep 5'\n",
            out.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(p2);
    let text = wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&out)
            .ok()
            .filter(|t| t.ends_with('\n'))
    })
    .expect("service wrote its environment");
    let f: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(f[0], "2", "LISTEN_FDS");
    assert_eq!(f[1], f[2], "LISTEN_PID equals the service's pid");
    assert_eq!(f[3], "web:web", "LISTEN_FDNAMES");
    let pid: i32 = f[2].parse().unwrap();
    let fds = proc_fds(pid);
    let nums: Vec<i32> = fds.iter().map(|(n, _)| *n).collect();
    assert_eq!(nums, vec![0, 1, 2, 3, 4], "fds: {fds:?}");
    assert_eq!(fds[0].1, "/dev/null");
    assert!(fds[3].1.starts_with("socket:") && fds[4].1.starts_with("socket:"));
    assert_eq!(d.stop(), Some(0));
}

/// inetd `wait` for datagrams: the first datagram starts one server that owns the
/// socket on stdin; datagrams sent while it starts are not lost.
#[test]
fn udp_wait_service_receives_datagrams_sent_while_starting() {
    let units = UnitDir::new();
    let Some(errlogd) = build_errlogd(units.path()) else {
        return skip("no C compiler to build contrib/errlogd");
    };
    let port = free_udp_port();
    let log = units.path().join("errlog.log");
    units.write(
        "errlog.socket",
        &format!("[Socket]\nListenDatagram=127.0.0.1:{port}\n"),
    );
    units.write(
        "errlog.service",
        &format!(
            "[Service]\nExecStart={} {} 5\nStandardInput=socket\n",
            errlogd.display(),
            log.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..50 {
        client
            .send_to(format!("line {i}").as_bytes(), ("127.0.0.1", port))
            .unwrap();
    }
    let lines = wait_for(Duration::from_secs(10), || {
        let t = std::fs::read_to_string(&log).ok()?;
        (t.lines().count() >= 50).then_some(t)
    })
    .unwrap_or_else(|| {
        panic!(
            "not all datagrams logged: {:?}",
            std::fs::read_to_string(&log)
        )
    });
    for i in 0..50 {
        assert!(
            lines.contains(&format!("127.0.0.1 line {i}\n")),
            "line {i} missing"
        );
    }
    assert!(
        d.log_text().matches("errlog.service: started").count() == 1,
        "exactly one server for the socket"
    );
    assert_eq!(d.stop(), Some(0));
}

/// 1,000 connections to an Accept=yes service leave no zombie and no leaked fd.
#[test]
fn thousand_connections_leave_no_zombie_and_no_fd() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "hi.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nMaxConnections=1024\nTriggerLimitBurst=0\n"),
    );
    units.write(
        "hi@.service",
        "[Service]\nExecStart=/bin/echo hi\nStandardInput=socket\n",
    );
    let d = Daemon::start(&[
        "--unit-path",
        units.path().to_str().unwrap(),
        "--log-level=info",
    ]);
    d.wait_started();
    assert_eq!(exchange(port, b""), b"hi\n");
    let fds_before = d.fd_count();
    for _ in 0..1000 {
        assert_eq!(exchange(port, b""), b"hi\n");
    }
    let settled = wait_for(Duration::from_secs(10), || {
        (d.zombies().is_empty() && children_of(d.pid()).is_empty()).then_some(())
    });
    assert!(
        settled.is_some(),
        "children left: {:?}",
        children_of(d.pid())
    );
    assert_eq!(d.fd_count(), fds_before, "fd leak in activatord");
    assert_eq!(d.stop(), Some(0));
}

/// Bad runtime input: a missing binary, a port already in use and an unknown user
/// each fail only their own unit, with a log line naming it; the rest serves.
#[test]
fn bad_runtime_input_fails_only_that_unit() {
    let (good, busy, nobin, nouser) = (free_port(), free_port(), free_port(), free_port());
    let _holder = std::net::TcpListener::bind(("127.0.0.1", busy)).unwrap();
    let units = UnitDir::new();
    units.write(
        "good.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{good}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    units.write(
        "busy.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{busy}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    units.write(
        "nobin.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{nobin}\nAccept=yes\n"),
    );
    units.write(
        "nobin@.service",
        "[Service]\nExecStart=/nonexistent/server\nStandardInput=socket\n",
    );
    units.write(
        "nouser.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{nouser}\nAccept=yes\n"),
    );
    units.write(
        "nouser@.service",
        "[Service]\nExecStart=/bin/echo hi\nUser=no-such-user-xyz\nStandardInput=socket\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    assert!(
        d.log_text().contains("busy.socket: Failed to listen on"),
        "{}",
        d.log_text()
    );
    // The refused connections just close; the daemon and the good unit carry on.
    assert_eq!(exchange(nobin, b""), b"");
    assert_eq!(exchange(nouser, b""), b"");
    assert!(d.wait_log("/nonexistent/server", Duration::from_secs(5)));
    assert!(d.wait_log("no-such-user-xyz", Duration::from_secs(5)));
    let log = d.log_text();
    assert!(log.contains("/nonexistent/server"), "{log}");
    assert!(log.contains("no-such-user-xyz"), "{log}");
    assert_eq!(exchange(good, b"still here"), b"still here");
    assert_eq!(d.stop(), Some(0));
}

/// A server run as `User=nobody` really runs as nobody (needs root).
#[test]
fn user_nobody_really_runs_as_nobody() {
    if !is_root() {
        return skip("needs root to switch users");
    }
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "who.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n"),
    );
    units.write(
        "who@.service",
        "[Service]\nExecStart=/bin/sh -c 'id -u; id -g; id -G'\nUser=nobody\nStandardInput=socket\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let out = String::from_utf8(exchange(port, b"")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    assert_eq!(lines[0], nobody.uid.to_string());
    assert_eq!(lines[1], nobody.gid.to_string());
    assert!(
        !lines[2].split(' ').any(|g| g == "0"),
        "root group kept: {out}"
    );
    assert_eq!(d.stop(), Some(0));
}

/// SIGTERM stops running services (KillSignal=) and removes RemoveOnStop= nodes.
#[test]
fn sigterm_stops_services_and_removes_nodes() {
    let units = UnitDir::new();
    let sock = units.path().join("run/app.sock");
    units.write(
        "app.socket",
        &format!(
            "[Socket]\nListenStream={}\nRemoveOnStop=yes\nSocketMode=0600\n",
            sock.display()
        ),
    );
    units.write("app.service", "[Service]\nExecStart=/bin/sleep 60\n");
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "SocketMode=");
    let _c = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    assert!(d.wait_log("app.service: started as pid", Duration::from_secs(5)));
    let log = d.log_text();
    let pid: i32 = log
        .split("app.service: started as pid ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    assert_eq!(d.stop(), Some(0));
    assert!(
        proc_state(pid).is_none(),
        "service still running after stop"
    );
    assert!(!sock.exists(), "RemoveOnStop= node left behind");
}

/// The socket is not polled while an Accept=no service runs, and re-arms after it
/// exits: a second connection after exit starts a second service.
#[test]
fn accept_no_rearms_after_service_exit() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "once.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    // Accept one connection on fd 3 with perl, answer, exit.
    units.write(
        "once.service",
        "[Service]\nExecStart=/usr/bin/perl -MIO::Socket -e '$$l=IO::Socket->new_from_fd(3,\"r\"); $$c=$$l->accept; print $$c \"pid $$$$\\n\"; close $$c'\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let a = String::from_utf8(exchange(port, b"")).unwrap();
    assert!(
        a.starts_with("pid "),
        "first answer: {a:?}; log {}",
        d.log_text()
    );
    assert!(d.wait_log("once.service: Main process exited", Duration::from_secs(5)));
    let b = String::from_utf8(exchange(port, b"")).unwrap();
    assert!(
        b.starts_with("pid ") && a != b,
        "second service: {a:?} {b:?}"
    );
    let mut s = connect(port);
    let mut buf = Vec::new();
    let _ = s.write_all(b"");
    let _ = s.read_to_end(&mut buf);
    assert_eq!(d.stop(), Some(0));
}

/// What an instance of `envdump@.service` reports: its marker line, its pid (the
/// first field of /proc/self/stat) and its environment, in order.
fn env_dump(port: u16) -> (String, i32, Vec<(String, String)>) {
    let out = String::from_utf8_lossy(&exchange(port, b"")).into_owned();
    let mut parts = out.splitn(3, '\n');
    let marker = parts.next().unwrap_or_default().to_string();
    let stat = parts.next().unwrap_or_default();
    let pid = stat
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {out:?}"));
    let env = parts
        .next()
        .unwrap_or_default()
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (marker, pid, env)
}

fn var<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Accept=yes instances of a template without specifiers spawn from a request the
/// daemon keeps (engine/spawn_cache.rs): every connection still gets its own
/// REMOTE_PORT, INVOCATION_ID and LISTEN_PID, in systemd's order, and a reload
/// that changes the template's ExecStart= and Environment= applies to the next
/// connection.
#[test]
fn kept_spawn_request_follows_each_connection_and_reload() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "envdump.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n"),
    );
    // No `$` and no `%`: a request to keep. cat itself is the spawned process.
    let service = |env: &str, marker: &str| {
        let file = units.write(&format!("{marker}.txt"), &format!("{marker}\n"));
        format!(
            "[Service]\nEnvironment={env}\nExecStart=/bin/cat {} /proc/self/stat /proc/self/environ\nStandardOutput=socket\n",
            file.display()
        )
    };
    units.write("envdump@.service", &service("COLOR=red", "before"));
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();

    let (m1, pid1, env1) = env_dump(port);
    let (m2, pid2, env2) = env_dump(port);
    assert_eq!((m1.as_str(), m2.as_str()), ("before", "before"));
    let order = [
        "PATH",
        "LISTEN_FDS",
        "LISTEN_FDNAMES",
        "REMOTE_ADDR",
        "REMOTE_PORT",
        "INVOCATION_ID",
        "COLOR",
        "LISTEN_PID",
    ];
    for (pid, env) in [(pid1, &env1), (pid2, &env2)] {
        let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, order, "systemd's order: {env:?}");
        assert_eq!(var(env, "LISTEN_PID"), Some(pid.to_string().as_str()));
        assert_eq!(var(env, "LISTEN_FDS"), Some("1"));
        assert_eq!(var(env, "REMOTE_ADDR"), Some("127.0.0.1"));
        assert_eq!(var(env, "COLOR"), Some("red"));
    }
    assert_ne!(pid1, pid2);
    assert_ne!(var(&env1, "REMOTE_PORT"), var(&env2, "REMOTE_PORT"));
    assert_ne!(var(&env1, "INVOCATION_ID"), var(&env2, "INVOCATION_ID"));

    units.write("envdump@.service", &service("COLOR=blue", "after"));
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGHUP,
    );
    assert!(
        d.wait_log("Reloaded.", Duration::from_secs(5)),
        "{}",
        d.log_text()
    );
    let (m3, pid3, env3) = env_dump(port);
    assert_eq!(m3, "after", "the reloaded ExecStart= runs");
    assert_eq!(var(&env3, "COLOR"), Some("blue"));
    assert_eq!(var(&env3, "LISTEN_PID"), Some(pid3.to_string().as_str()));
    assert_eq!(d.stop(), Some(0));
}

/// Started with stdin and stdout closed, activatord puts /dev/null on them before
/// it opens anything, as Rust's own start-up does (the binary has its own C
/// `main`): no listening socket may become fd 0 or 1, and the socket still serves.
#[test]
fn closed_standard_fds_get_dev_null_not_a_socket() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "echo.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let d = Daemon::start_wrapped(
        &["sh", "-c", "exec \"$0\" \"$@\" 0<&- 1>&-"],
        &["--unit-path", units.path().to_str().unwrap()],
        &[],
    );
    d.wait_started();
    let fds = proc_fds(d.pid());
    for n in [0, 1] {
        let target = fds.iter().find(|(f, _)| *f == n).map(|(_, t)| t.as_str());
        assert_eq!(target, Some("/dev/null"), "fd {n}; all fds: {fds:?}");
    }
    assert_eq!(exchange(port, b"still serving\n"), b"still serving\n");
    assert_eq!(d.stop(), Some(0));
}

/// systemd user-util.c `synthesize_user_creds()`: `root` is hardcoded, not looked
/// up. In a mount namespace whose /etc/passwd and /etc/group are empty, an inetd
/// line run as root still loads and serves; with an NSS lookup it would be
/// rejected as "Unknown user 'root'".
#[test]
fn root_resolves_without_the_user_database() {
    if !is_root()
        || std::process::Command::new("unshare")
            .arg("--version")
            .output()
            .is_err()
    {
        return skip("needs root and unshare (a private mount namespace)");
    }
    let port = free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").expect("empty file");
    let conf = dir.path().join("inetd.conf");
    std::fs::write(
        &conf,
        format!("127.0.0.1:{port} stream tcp nowait root /bin/echo echo served\n"),
    )
    .expect("inetd.conf");
    let e = empty.display();
    let script = format!(
        "mount --bind {e} /etc/passwd && mount --bind {e} /etc/group && exec \"$0\" \"$@\""
    );
    let d = Daemon::start_wrapped(
        &["unshare", "-m", "sh", "-c", &script],
        &["--inetd-conf", conf.to_str().unwrap()],
        &[],
    );
    d.wait_started();
    assert_eq!(exchange(port, b""), b"served\n", "log:\n{}", d.log_text());
    assert!(!d.log_text().contains("Unknown user"), "{}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}
