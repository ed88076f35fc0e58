//! Container init (issue 7): activatord as PID 1 in a new PID namespace (root),
//! or as a subreaper with `--init` (any user): orphans are reaped, the exit status
//! follows the main program (tini's convention), SIGTERM reaches it, and socket
//! units serve meanwhile.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Run `activatord --init ARGS -- CMD...`, in a new PID + mount namespace when
/// root (so it is PID 1), else as a subreaper.
fn spawn_init(units: &UnitDir, extra: &[&str], cmd: &[&str]) -> (Child, bool) {
    let runtime = units.path().join("run");
    let mut args: Vec<String> = vec![
        "--init".into(),
        "--unit-path".into(),
        units.path().display().to_string(),
        "--runtime-dir".into(),
        runtime.display().to_string(),
        "--bus=none".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--".into());
    args.extend(cmd.iter().map(|s| s.to_string()));
    let pid1 = is_root() && Command::new("unshare").arg("--version").output().is_ok();
    let mut c = if pid1 {
        let mut c = Command::new("unshare");
        c.args(["--pid", "--fork", "--mount-proc", "--kill-child", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    c.args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (c.spawn().expect("spawn"), pid1)
}

/// The activatord process (host pid): the child itself, or unshare's child.
fn daemon_pid(child: &Child, pid1: bool) -> i32 {
    let pid = child.id() as i32;
    if !pid1 {
        return pid;
    }
    wait_for(Duration::from_secs(5), || children_of(pid).first().copied()).expect("unshare's child")
}

fn wait_exit(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let end = Instant::now() + timeout;
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return Some(st);
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn exit_status_follows_the_main_program() {
    let units = UnitDir::new();
    let (mut child, _) = spawn_init(&units, &[], &["/bin/sh", "-c", "exit 7"]);
    let st = wait_exit(&mut child, Duration::from_secs(20)).expect("exited");
    assert_eq!(st.code(), Some(7));
}

#[test]
fn orphans_are_reaped_and_no_zombie_remains() {
    let units = UnitDir::new();
    // 200 orphans: each subshell exits at once, leaving its background child to
    // the init (PID 1, or the subreaper).
    let script = "i=0; while [ $i -lt 200 ]; do (sleep 0.05 &); i=$((i+1)); done; sleep 3";
    let (mut child, pid1) = spawn_init(&units, &[], &["/bin/sh", "-c", script]);
    let d = daemon_pid(&child, pid1);
    if pid1 {
        eprintln!("running as PID 1 in a new PID namespace");
    } else {
        skip("not root: testing --init as a subreaper instead of PID 1");
    }
    std::thread::sleep(Duration::from_millis(1500));
    let zombies: Vec<i32> = children_of(d)
        .into_iter()
        .filter(|&p| proc_state(p) == Some('Z'))
        .collect();
    assert!(zombies.is_empty(), "zombies of activatord: {zombies:?}");
    let st = wait_exit(&mut child, Duration::from_secs(20)).expect("exited");
    assert_eq!(st.code(), Some(0));
}

#[test]
fn sigterm_reaches_the_main_program_and_status_is_128_plus_signal() {
    let units = UnitDir::new();
    let (mut child, pid1) = spawn_init(&units, &[], &["/bin/sleep", "30"]);
    let d = daemon_pid(&child, pid1);
    // Wait until the main program runs.
    wait_for(Duration::from_secs(5), || {
        children_of(d).into_iter().find(|&p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "sleep")
        })
    })
    .expect("main program started");
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(d),
        nix::sys::signal::Signal::SIGTERM,
    );
    let st = wait_exit(&mut child, Duration::from_secs(20)).expect("stopped");
    assert_eq!(st.code(), Some(128 + libc::SIGTERM));
}

#[test]
fn socket_units_serve_while_the_main_program_runs() {
    let port = free_port();
    let units = UnitDir::new();
    units.write(
        "echo.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nX-Activator-Builtin=echo\n"),
    );
    let (mut child, _) = spawn_init(&units, &[], &["/bin/sleep", "3"]);
    assert_eq!(exchange(port, b"inside"), b"inside");
    let st = wait_exit(&mut child, Duration::from_secs(20)).expect("exited");
    assert_eq!(st.code(), Some(0));
}
