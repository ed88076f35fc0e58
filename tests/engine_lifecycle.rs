//! Lifecycle: reload without dropping connections, rate limits that recover,
//! start limits, stop timeouts. Real daemon, real clients on loopback.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// Inode of the TCP socket listening on 127.0.0.1:port (from /proc/net/tcp).
fn listen_inode(port: u16) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let want = format!("0100007F:{port:04X}");
    text.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.get(1) == Some(&want.as_str()) && f.get(3) == Some(&"0A"))
            .then(|| f.get(9)?.parse().ok())
            .flatten()
    })
}

fn sighup(d: &Daemon) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGHUP,
    );
}

/// The reload test that matters (issue 5): while clients keep connecting to an
/// Accept=yes, an Accept=no and a built-in socket, 100 reloads (some changing
/// unrelated units) refuse or reset nothing, and the listening inodes never change.
#[test]
fn hundred_reloads_drop_no_connection_and_keep_inodes() {
    let (echo, hello, greeter, other_a, other_b) = (
        free_port(),
        free_port(),
        free_port(),
        free_port(),
        free_port(),
    );
    let units = UnitDir::new();
    units.write(
        "echo.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{echo}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    units.write(
        "hello.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{hello}\nAccept=yes\nMaxConnections=256\nTriggerLimitBurst=0\n"),
    );
    units.write(
        "hello@.service",
        "[Service]\nExecStart=/bin/echo hello\nStandardInput=socket\n",
    );
    units.write(
        "greeter.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{greeter}\n"),
    );
    units.write(
        "greeter.service",
        "[Service]\nExecStart=/usr/bin/perl -MIO::Socket -e '$$l=IO::Socket->new_from_fd(3,\"r\"); while ($$c=$$l->accept) { print $$c \"greeter\\n\"; close $$c }'\n",
    );
    let other = |port: u16| {
        format!(
            "[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=discard\n"
        )
    };
    units.write("other.socket", &other(other_a));
    let d = Daemon::start(&[
        "--unit-path",
        units.path().to_str().unwrap(),
        "--log-level=info",
    ]);
    d.wait_started();
    assert_eq!(exchange(greeter, b""), b"greeter\n");
    let inodes: Vec<Option<u64>> = [echo, hello, greeter]
        .iter()
        .map(|&p| listen_inode(p))
        .collect();
    assert!(inodes.iter().all(Option::is_some), "{inodes:?}");

    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for (port, expect) in [
        (echo, b"ping\n".to_vec()),
        (hello, b"hello\n".to_vec()),
        (greeter, b"greeter\n".to_vec()),
    ] {
        let (stop, failures, served) = (stop.clone(), failures.clone(), served.clone());
        clients.push(std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                let ok = (|| -> std::io::Result<bool> {
                    let mut s = TcpStream::connect(("127.0.0.1", port))?;
                    s.set_read_timeout(Some(Duration::from_secs(5)))?;
                    if port == echo {
                        s.write_all(b"ping\n")?;
                        s.shutdown(std::net::Shutdown::Write)?;
                    }
                    let mut out = Vec::new();
                    s.read_to_end(&mut out)?;
                    Ok(out == expect)
                })();
                match ok {
                    Ok(true) => served.fetch_add(1, Ordering::Relaxed),
                    other => {
                        eprintln!("port {port}: {other:?}");
                        failures.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    for i in 0..100 {
        // Every other reload changes an unrelated unit.
        if i % 2 == 0 {
            units.write(
                "other.socket",
                &other(if i % 4 == 0 { other_b } else { other_a }),
            );
        }
        if i % 10 == 5 {
            units.write(
                "extra.service",
                &format!("[Service]\nExecStart=/bin/true {i}\n"),
            );
        }
        sighup(&d);
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(d.wait_log("Reloaded.", Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "connections refused or reset"
    );
    assert!(
        served.load(Ordering::Relaxed) > 100,
        "clients made progress"
    );
    let after: Vec<Option<u64>> = [echo, hello, greeter]
        .iter()
        .map(|&p| listen_inode(p))
        .collect();
    assert_eq!(inodes, after, "listening sockets were re-bound");
    assert!(d.log_text().matches("Reloaded.").count() >= 90);
    assert_eq!(d.stop(), Some(0));
}

/// A changed socket keeps the fd of an address that stays and binds only the new
/// one; a removed socket is closed; a broken new definition keeps the old one.
#[test]
fn reload_applies_listen_diff_and_keeps_broken_units() {
    let (a, b, c) = (free_port(), free_port(), free_port());
    let units = UnitDir::new();
    units.write(
        "s.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{a}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    units.write(
        "gone.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{c}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let inode_a = listen_inode(a).expect("a listening");
    units.write(
        "s.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{a}\nListenStream=127.0.0.1:{b}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    std::fs::remove_file(units.path().join("gone.socket")).unwrap();
    sighup(&d);
    assert!(d.wait_log("Reloaded.", Duration::from_secs(5)));
    assert_eq!(listen_inode(a), Some(inode_a), "kept address keeps its fd");
    assert_eq!(exchange(b, b"new"), b"new");
    assert!(wait_for(Duration::from_secs(3), || listen_inode(c)
        .is_none()
        .then_some(()))
    .is_some());
    // A broken definition (no Listen at all) keeps the running one.
    units.write(
        "s.socket",
        "[Socket]\nAccept=yes\nX-Activator-Builtin=echo\n",
    );
    sighup(&d);
    assert!(
        d.wait_log("keeping the old definition", Duration::from_secs(5)),
        "{}",
        d.log_text()
    );
    assert_eq!(exchange(a, b"still"), b"still");
    assert_eq!(listen_inode(a), Some(inode_a));
    assert_eq!(d.stop(), Some(0));
}

/// systemd #15633 fixed: a flood of 10,000 connections on a socket with a trigger
/// limit pauses it, and it serves again by itself once the window passes.
#[test]
fn trigger_limit_pauses_and_recovers_without_intervention() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "flood.socket",
        &format!(
            "[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nTriggerLimitIntervalSec=1s\nTriggerLimitBurst=50\nMaxConnections=1000\n"
        ),
    );
    units.write(
        "flood@.service",
        "[Service]\nExecStart=/bin/echo ok\nStandardInput=socket\n",
    );
    let d = Daemon::start(&[
        "--unit-path",
        units.path().to_str().unwrap(),
        "--log-level=info",
    ]);
    d.wait_started();
    let mut refused_or_empty = 0;
    let mut ok = 0;
    let end = Instant::now() + Duration::from_secs(60);
    for _ in 0..10_000 {
        if Instant::now() > end {
            break;
        }
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => {
                drop(s);
                ok += 1;
            }
            Err(_) => refused_or_empty += 1,
        }
    }
    assert!(ok + refused_or_empty > 0);
    assert!(
        d.wait_log("Trigger limit hit", Duration::from_secs(10)),
        "{}",
        d.log_text()
    );
    // Nobody touches it: after the window it serves again.
    let served = wait_for(Duration::from_secs(15), || {
        let out = exchange(port, b"");
        (out == b"ok\n").then_some(())
    });
    assert!(served.is_some(), "socket did not recover: {}", d.log_text());
    assert!(d.log_text().contains("flood.socket: resuming."));
    assert_eq!(d.stop(), Some(0));
}

/// A crash-looping service backs off (RestartSec=) and is reported failed after
/// its start limit; the socket fails with service-start-limit-hit (systemd.md §4.5).
#[test]
fn crash_loop_backs_off_then_fails_at_start_limit() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "crash.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "crash.service",
        "[Unit]\nStartLimitIntervalSec=10s\nStartLimitBurst=3\n[Service]\nExecStart=/bin/sh -c 'exit 3'\nRestart=on-failure\nRestartSec=100ms\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(
        d.wait_log(
            "Failed with result 'start-limit-hit'",
            Duration::from_secs(10)
        ),
        "{}",
        d.log_text()
    );
    let log = d.log_text();
    assert!(log.contains("crash.service: Scheduled restart job, restart counter is at 1."));
    assert!(
        log.contains("crash.socket: Failed with result 'service-start-limit-hit'."),
        "{log}"
    );
    assert_eq!(
        log.matches("crash.service: Main process exited, code=exited, status=3")
            .count(),
        3
    );
    assert_eq!(d.stop(), Some(0));
}

/// Shutdown: a service that ignores SIGTERM is SIGKILLed after TimeoutStopSec=,
/// ExecStopPost= runs with $SERVICE_RESULT, and activatord exits 0 with nothing left.
#[test]
fn sigterm_escalates_to_sigkill_after_timeout_stop() {
    let port = free_port();
    let units = UnitDir::new();
    let post = units.path().join("post.out");
    units.write(
        "stubborn.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "stubborn.service",
        &format!(
            "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; echo $$$$; while :; do sleep 0.1; done'\nTimeoutStopSec=1s\nExecStopPost=/bin/sh -c 'echo $$SERVICE_RESULT $$EXIT_CODE > {}'\n",
            post.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    assert!(d.wait_log("stubborn.service: started as pid", Duration::from_secs(5)));
    let pid: i32 = d
        .log_text()
        .split("stubborn.service: started as pid ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let t0 = Instant::now();
    assert_eq!(d.stop(), Some(0));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "stopped before the timeout: {took:?}"
    );
    assert!(proc_state(pid).is_none(), "service survived");
    let text = std::fs::read_to_string(&post).unwrap_or_default();
    assert_eq!(text.trim(), "timeout killed", "ExecStopPost= environment");
}

/// systemd.kill(5) `KillMode=mixed`: the stop signal goes to the main process only,
/// the SIGKILL after `TimeoutStopSec=` to every process of the unit. The same service
/// under `control-group` shows the difference: there its child gets the SIGTERM too.
#[test]
fn kill_mode_mixed_terms_main_only_then_kills_all() {
    for (mode, child_termed) in [("mixed", false), ("control-group", true)] {
        let port = free_port();
        let units = UnitDir::new();
        let log = units.path().join("signals.log");
        let l = log.display();
        units.write(
            "mx.socket",
            &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
        );
        // The child traps SIGTERM and notes it (and exits); the main process notes
        // SIGTERM and carries on, so only the SIGKILL stage can end it.
        units.write(
            "child.sh",
            &format!("trap 'echo child-term >> {l}; exit 0' TERM\necho child-up $$ >> {l}\nwhile :; do sleep 0.1; done\n"),
        );
        units.write(
            "main.sh",
            &format!("/bin/sh {}/child.sh &\ntrap 'echo main-term >> {l}' TERM\nwhile :; do sleep 0.1; done\n", units.path().display()),
        );
        units.write(
            "mx.service",
            &format!(
                "[Service]\nExecStart=/bin/sh {}/main.sh\nKillMode={mode}\nTimeoutStopSec=1s\n",
                units.path().display()
            ),
        );
        let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
        d.wait_started();
        let _c = connect(port);
        assert!(
            wait_for(Duration::from_secs(5), || {
                let t = std::fs::read_to_string(&log).ok()?;
                t.contains("child-up").then_some(())
            })
            .is_some(),
            "{mode}: child never started; {}",
            d.log_text()
        );
        let child: i32 = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .split("child-up ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .expect("child pid");
        let t0 = Instant::now();
        assert_eq!(d.stop(), Some(0), "{mode}");
        // SIGKILL reached the whole group (a zombie awaiting its new parent is dead too).
        assert!(
            matches!(proc_state(child), None | Some('Z')),
            "{mode}: the child survived"
        );
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(text.contains("main-term"), "{mode}: {text}");
        assert_eq!(text.contains("child-term"), child_termed, "{mode}: {text}");
        // The main process ignores SIGTERM in both modes: only the timeout ends it.
        assert!(
            t0.elapsed() >= Duration::from_millis(900),
            "{mode}: stopped before the timeout"
        );
    }
}

/// ExecStartPre=/ExecStartPost=/ExecStop= run in order around the main process.
#[test]
fn exec_phases_run_in_order() {
    let port = free_port();
    let units = UnitDir::new();
    let log = units.path().join("phases.log");
    let l = log.display();
    units.write(
        "ph.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write(
        "ph.service",
        &format!(
            "[Service]\nExecStartPre=/bin/sh -c 'echo pre >> {l}'\nExecStartPre=-/bin/false\nExecStart=/bin/sh -c 'echo main >> {l}; exec sleep 0.3'\nExecStartPost=/bin/sh -c 'echo post >> {l}'\nExecStop=/bin/sh -c 'echo stop $$MAINPID >> {l}'\nExecStopPost=/bin/sh -c 'echo stoppost $$SERVICE_RESULT >> {l}'\n"
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    let text = wait_for(Duration::from_secs(10), || {
        let t = std::fs::read_to_string(&log).ok()?;
        t.contains("stoppost").then_some(t)
    })
    .unwrap_or_else(|| panic!("phases incomplete: {:?}", std::fs::read_to_string(&log)));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "pre");
    // ExecStartPost= starts once the main process is forked (Type=simple,
    // systemd.service(5)), so its line and the main process's may come in
    // either order.
    let mut started = [lines[1], lines[2]];
    started.sort_unstable();
    assert_eq!(started, ["main", "post"], "{lines:?}");
    assert!(lines[3].starts_with("stop"), "{lines:?}");
    assert_eq!(lines[4], "stoppost success");
    assert_eq!(d.stop(), Some(0));
}

/// Re-exec (SIGUSR2) keeps every listening socket (same inode) and every child:
/// clients see nothing, and the new image still handles the old service's exit.
#[test]
fn reexec_keeps_sockets_and_children() {
    let (echo, greeter) = (free_port(), free_port());
    let units = UnitDir::new();
    units.write(
        "echo.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{echo}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    units.write(
        "greeter.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{greeter}\n"),
    );
    units.write(
        "greeter.service",
        "[Service]\nExecStart=/usr/bin/perl -MIO::Socket -e '$$l=IO::Socket->new_from_fd(3,\"r\"); while ($$c=$$l->accept) { print $$c \"greeter $$$$\\n\"; close $$c }'\n",
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let first = String::from_utf8(exchange(greeter, b"")).unwrap();
    let service_pid: i32 = first.trim().split(' ').nth(1).unwrap().parse().unwrap();
    let inodes = (listen_inode(echo), listen_inode(greeter));
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let client = {
        let (stop, failures) = (stop.clone(), failures.clone());
        std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(30);
            while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                if exchange(echo, b"x") != b"x" {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d.pid()),
        nix::sys::signal::Signal::SIGUSR2,
    );
    assert!(d.wait_log("Re-executing.", Duration::from_secs(5)));
    assert!(
        wait_for(Duration::from_secs(10), || (d
            .log_text()
            .matches("Started:")
            .count()
            >= 2)
            .then_some(()))
        .is_some(),
        "{}",
        d.log_text()
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert_eq!((listen_inode(echo), listen_inode(greeter)), inodes);
    // The same service process still serves, and the new image reaps it.
    let again = String::from_utf8(exchange(greeter, b"")).unwrap();
    assert_eq!(again, first);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(service_pid),
        nix::sys::signal::Signal::SIGKILL,
    );
    assert!(
        d.wait_log(
            "greeter.service: Main process exited",
            Duration::from_secs(5)
        ),
        "{}",
        d.log_text()
    );
    // ...and the socket re-arms: a new connection starts a new service.
    let third = String::from_utf8(exchange(greeter, b"")).unwrap();
    assert!(third.starts_with("greeter ") && third != first, "{third}");
    assert!(d.zombies().is_empty());
    assert_eq!(d.stop(), Some(0));
}

/// systemd.md §4.3 pitfall 8: a service that exits without taking its pending
/// connection retriggers at once; the trigger limit must stop that from spinning
/// the daemon (a bounded number of starts, little CPU).
#[test]
fn service_that_never_accepts_does_not_spin_the_daemon() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "lazy.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
    );
    units.write("lazy.service", "[Service]\nExecStart=/bin/true\n");
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let _c = connect(port);
    std::thread::sleep(Duration::from_secs(3));
    let starts = d.log_text().matches("lazy.service: started as pid").count();
    // The start limit (5 per 10 s) or the trigger limit (20 per 2 s) stops it.
    assert!(starts <= 45, "{starts} starts in 3 s");
    let log = d.log_text();
    assert!(
        log.contains("Trigger limit hit") || log.contains("start-limit-hit"),
        "{log}"
    );
    let ticks = cpu_ticks(d.pid());
    assert!(ticks < 150, "daemon used {ticks} clock ticks of CPU in 3 s");
    assert_eq!(d.stop(), Some(0));
}

/// FlushPending=yes: what queued while the service ran is dropped before the
/// socket is polled again, so a service that never accepts runs once.
#[test]
fn flush_pending_drops_queued_connections() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "flush.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nFlushPending=yes\n"),
    );
    units.write("flush.service", "[Service]\nExecStart=/bin/true\n");
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let mut c = connect(port);
    let mut buf = Vec::new();
    // The flush accepts and closes the connection: the client sees EOF.
    assert_eq!(c.read_to_end(&mut buf).map(|_| buf.len()).ok(), Some(0));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        d.log_text()
            .matches("flush.service: started as pid")
            .count(),
        1
    );
    assert_eq!(d.stop(), Some(0));
}

/// CPU ticks (user + system) the process has used.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return 0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

/// accept() failing with EMFILE backs off (the socket pauses 100 ms) instead of
/// spinning on a listener that stays readable, and serving resumes by itself once
/// descriptors are free again (issue #5, systemd.md §4.3). The daemon runs with
/// RLIMIT_NOFILE 64 and a built-in echo, whose sessions hold their fds.
#[test]
fn emfile_on_accept_backs_off_and_recovers() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "e.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let d = Daemon::start_wrapped(
        &["sh", "-c", "ulimit -n 64 && exec \"$0\" \"$@\""],
        &["--unit-path", units.path().to_str().unwrap()],
        &[],
    );
    d.wait_started();
    let held: Vec<TcpStream> = (0..90).map(|_| connect(port)).collect();
    assert!(
        d.wait_log("out of file descriptors", Duration::from_secs(10)),
        "{}",
        d.log_text()
    );
    // While the limit lasts, the daemon sleeps between attempts.
    let before = cpu_ticks(d.pid());
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(d.pid()) - before;
    assert!(used < 30, "daemon used {used} clock ticks in 1 s at EMFILE");
    drop(held);
    let served = wait_for(Duration::from_secs(10), || {
        (exchange(port, b"ping\n") == b"ping\n").then_some(())
    });
    assert!(served.is_some(), "not served again: {}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}
