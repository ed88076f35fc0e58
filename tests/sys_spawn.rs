//! sys::spawn with real processes: the exact fd layout, LISTEN_PID, environment,
//! stdio on a socket, limits, credentials and error reporting — on the default
//! clone(CLONE_VM|CLONE_VFORK) path and on the fork fallback (`spawn_forked`).

use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use activator::sys::spawn::{spawn, spawn_forked, SpawnError, SpawnRequest, Stdio};
use activator::sys::user::resolve_credentials;
use activator::unit::model::{Resource, ResourceLimit};
use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn sh(script: &str) -> SpawnRequest {
    SpawnRequest::new(c("/bin/sh"), vec![c("sh"), c("-c"), c(script)])
}

type SpawnFn = fn(&SpawnRequest) -> Result<Pid, SpawnError>;

/// Run `req` with stdout on a pipe; return (pid, output, exit status).
fn run_capture(req: SpawnRequest) -> (Pid, String, WaitStatus) {
    run_capture_with(spawn, req)
}

fn run_capture_with(spawn: SpawnFn, mut req: SpawnRequest) -> (Pid, String, WaitStatus) {
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    req.stdout = Stdio::Fd(w.as_raw_fd());
    let pid = spawn(&req).unwrap();
    drop(w);
    let mut out = String::new();
    std::fs::File::from(r).read_to_string(&mut out).unwrap();
    let status = waitpid(pid, None).unwrap();
    (pid, out, status)
}

fn socket_inode(fd: &OwnedFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .unwrap()
        .display()
        .to_string()
}

/// Kill and reap a child, bounded in time.
fn kill_and_reap(pid: Pid) {
    let _ = kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, None);
}

#[test]
fn listen_pid_is_the_child_pid() {
    let mut req = sh("echo $LISTEN_PID $$ $LISTEN_FDS");
    req.envp = vec![c("LISTEN_FDS=0"), c("LISTEN_PID=999999999")];
    req.listen_pid_slot = true;
    let (pid, out, status) = run_capture(req);
    assert_eq!(status, WaitStatus::Exited(pid, 0));
    let p = pid.as_raw().to_string();
    assert_eq!(out.trim(), format!("{p} {p} 0"));
}

#[test]
fn environment_is_exactly_envp() {
    let mut req = SpawnRequest::new(c("/usr/bin/env"), vec![c("env")]);
    req.envp = vec![c("FOO=bar baz"), c("EMPTY=")];
    let (_, out, _) = run_capture(req);
    assert_eq!(out, "FOO=bar baz\nEMPTY=\n");
}

/// Wait (at most 5 s) until `pid` sleeps in nanosleep: `spawn` returns once
/// execve succeeded, but the dynamic loader then opens and closes its libraries,
/// so the fd table is only settled once the program itself runs.
fn wait_until_sleeping(pid: i32) {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        let wchan = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
        if wchan.contains("nanosleep") {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn child_gets_exactly_its_fds() {
    let (a, _a_peer) = UnixStream::pair().unwrap();
    let (b, _b_peer) = UnixStream::pair().unwrap();
    let a = OwnedFd::from(a);
    let b = OwnedFd::from(b);
    // Some noise the child must not get (CLOEXEC or not).
    let leak = nix::fcntl::open(
        "/dev/null",
        nix::fcntl::OFlag::O_RDONLY,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    nix::fcntl::fcntl(
        &a,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )
    .unwrap();
    let mut req = SpawnRequest::new(c("/bin/sleep"), vec![c("sleep"), c("10")]);
    // Passed in reverse order and one twice: 3 = b, 4 = a, 5 = b.
    req.fds = vec![b.as_raw_fd(), a.as_raw_fd(), b.as_raw_fd()];
    req.nonblocking = Some(false);
    let pid = spawn(&req).unwrap();
    wait_until_sleeping(pid.as_raw());
    let dir = format!("/proc/{pid}/fd");
    let mut fds: Vec<i32> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().parse().unwrap())
        .collect();
    fds.sort();
    let links: Vec<String> = fds
        .iter()
        .map(|fd| {
            std::fs::read_link(format!("{dir}/{fd}"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let fdinfo3 = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/3")).unwrap();
    kill_and_reap(pid);
    drop(leak);
    assert_eq!(fds, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(links[0], "/dev/null");
    assert_eq!(links[3], socket_inode(&b));
    assert_eq!(links[4], socket_inode(&a));
    assert_eq!(links[5], socket_inode(&b));
    // flags: octal; O_CLOEXEC (02000000) and O_NONBLOCK (04000) are both clear.
    let flags = fdinfo3
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
        .unwrap();
    assert_eq!(flags & 0o2000000, 0, "CLOEXEC set on fd 3");
    assert_eq!(flags & 0o4000, 0, "O_NONBLOCK set on fd 3");
    // The shared open file description of `a` was switched to blocking too.
    let fl = nix::fcntl::fcntl(&a, nix::fcntl::FcntlArg::F_GETFL).unwrap();
    assert_eq!(fl & libc::O_NONBLOCK, 0);
}

#[test]
fn fds_already_in_the_target_range_are_not_clobbered() {
    // Sources that are low-numbered and swapped relative to their targets.
    let pairs: Vec<(UnixStream, UnixStream)> =
        (0..4).map(|_| UnixStream::pair().unwrap()).collect();
    let mut order: Vec<i32> = pairs.iter().map(|(x, _)| x.as_raw_fd()).collect();
    order.reverse();
    let expect: Vec<String> = order
        .iter()
        .map(|fd| {
            std::fs::read_link(format!("/proc/self/fd/{fd}"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let mut req = SpawnRequest::new(c("/bin/sleep"), vec![c("sleep"), c("10")]);
    req.fds = order.clone();
    let pid = spawn(&req).unwrap();
    wait_until_sleeping(pid.as_raw());
    let got: Vec<String> = (0..order.len())
        .map(|i| {
            std::fs::read_link(format!("/proc/{pid}/fd/{}", 3 + i))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    kill_and_reap(pid);
    assert_eq!(got, expect);
}

#[test]
fn stdio_on_a_socket_inetd_style() {
    let (ours, theirs) = UnixStream::pair().unwrap();
    theirs.set_nonblocking(true).unwrap();
    let mut req = sh("read line; echo got:$line; echo err:$line >&2");
    req.stdin = Stdio::Fd(theirs.as_raw_fd());
    req.stdout = Stdio::Same;
    req.stderr = Stdio::Same;
    let pid = spawn(&req).unwrap();
    // O_NONBLOCK was cleared on the connection (shared open file description).
    let fl = nix::fcntl::fcntl(theirs.as_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap();
    assert_eq!(fl & libc::O_NONBLOCK, 0);
    drop(theirs);
    let mut ours = ours;
    ours.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    ours.write_all(b"hello\n").unwrap();
    let mut out = String::new();
    ours.read_to_string(&mut out).unwrap();
    assert_eq!(out, "got:hello\nerr:hello\n");
    assert_eq!(waitpid(pid, None).unwrap(), WaitStatus::Exited(pid, 0));
}

#[test]
fn exec_failure_is_reported_with_errno() {
    let req = SpawnRequest::new(c("/nonexistent/prog"), vec![c("prog")]);
    match spawn(&req) {
        Err(SpawnError::Exec { errno, path }) => {
            assert_eq!(errno, Errno::ENOENT);
            assert_eq!(path, "/nonexistent/prog");
        }
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("not-exec");
    std::fs::write(&f, "#!/bin/sh\n").unwrap();
    let req = SpawnRequest::new(c(f.to_str().unwrap()), vec![c("x")]);
    assert!(matches!(
        spawn(&req),
        Err(SpawnError::Exec {
            errno: Errno::EACCES,
            ..
        })
    ));
}

#[test]
fn chdir_failure_is_a_setup_error() {
    let mut req = sh("true");
    req.cwd = Some(c("/nonexistent-dir"));
    match spawn(&req) {
        Err(SpawnError::Setup { step, errno }) => {
            assert_eq!((step, errno), ("chdir", Errno::ENOENT));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn umask_cwd_rlimit_nice_session() {
    let mut req = sh(
        "umask; pwd; ulimit -n; nice; ps -o sid= -p $$ 2>/dev/null || cut -d' ' -f6 /proc/$$/stat",
    );
    req.umask = 0o077;
    req.cwd = Some(c("/tmp"));
    req.rlimits = vec![(
        Resource::Nofile,
        ResourceLimit {
            soft: Some(100),
            hard: Some(200),
        },
    )];
    req.nice = Some(5);
    req.new_session = true;
    let (pid, out, status) = run_capture(req);
    assert_eq!(status, WaitStatus::Exited(pid, 0));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "0077");
    assert_eq!(lines[1], "/tmp");
    assert_eq!(lines[2], "100");
    assert_eq!(lines[3].trim(), "5");
    // setsid(): the session id is the child's pid.
    assert_eq!(lines[4].trim(), pid.as_raw().to_string());
}

#[test]
fn signals_are_reset_in_the_child() {
    // Rust ignores SIGPIPE; block a few more in this thread to prove the reset.
    let mut set = nix::sys::signal::SigSet::empty();
    set.add(Signal::SIGUSR1);
    set.add(Signal::SIGTERM);
    set.thread_block().unwrap();
    let req = SpawnRequest::new(c("/bin/cat"), vec![c("cat"), c("/proc/self/status")]);
    let (_, out, _) = run_capture(req);
    set.thread_unblock().unwrap();
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap()
    };
    assert_eq!(field("SigBlk:"), "0000000000000000");
    assert_eq!(field("SigIgn:"), "0000000000000000");
}

#[test]
fn same_request_spawned_twice_each_child_sees_its_own_pid() {
    // The child writes LISTEN_PID into per-spawn memory of the parent (CLONE_VM):
    // the request itself must stay intact and reusable.
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let mut req = sh("echo $LISTEN_PID $$");
    req.envp = vec![c("LISTEN_FDS=0"), c("LISTEN_PID=1")];
    req.listen_pid_slot = true;
    req.stdout = Stdio::Fd(w.as_raw_fd());
    let before = format!("{req:?}");
    let first = spawn(&req).unwrap();
    let second = spawn(&req).unwrap();
    assert_eq!(format!("{req:?}"), before, "request changed by spawn");
    drop(w);
    let mut out = String::new();
    std::fs::File::from(r).read_to_string(&mut out).unwrap();
    assert_eq!(waitpid(first, None).unwrap(), WaitStatus::Exited(first, 0));
    assert_eq!(
        waitpid(second, None).unwrap(),
        WaitStatus::Exited(second, 0)
    );
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    let mut want = vec![format!("{first} {first}"), format!("{second} {second}")];
    want.sort();
    assert_ne!(first, second);
    assert_eq!(lines, want);
}

#[test]
fn spawning_from_several_threads_at_once() {
    // Each thread has its own cached child stack; children must not mix them up.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..25 {
                    let mut req = sh("echo $LISTEN_PID $$");
                    req.listen_pid_slot = true;
                    let (pid, out, status) = run_capture(req);
                    assert_eq!(status, WaitStatus::Exited(pid, 0));
                    assert_eq!(out.trim(), format!("{pid} {pid}"));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn fork_fallback_has_the_same_semantics() {
    let mut req = sh("echo $LISTEN_PID $$ $LISTEN_FDS");
    req.envp = vec![c("LISTEN_FDS=0"), c("LISTEN_PID=999999999")];
    req.listen_pid_slot = true;
    let (pid, out, status) = run_capture_with(spawn_forked, req);
    assert_eq!(status, WaitStatus::Exited(pid, 0));
    assert_eq!(out.trim(), format!("{pid} {pid} 0"));

    let (a, _a_peer) = UnixStream::pair().unwrap();
    let mut req = SpawnRequest::new(c("/bin/sleep"), vec![c("sleep"), c("10")]);
    req.fds = vec![a.as_raw_fd(), a.as_raw_fd()];
    let pid = spawn_forked(&req).unwrap();
    wait_until_sleeping(pid.as_raw());
    let mut fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().parse().unwrap())
        .collect();
    kill_and_reap(pid);
    fds.sort();
    assert_eq!(fds, vec![0, 1, 2, 3, 4]);

    let req = SpawnRequest::new(c("/nonexistent/prog"), vec![c("prog")]);
    assert!(matches!(
        spawn_forked(&req),
        Err(SpawnError::Exec {
            errno: Errno::ENOENT,
            ..
        })
    ));
    let mut req = sh("true");
    req.cwd = Some(c("/nonexistent-dir"));
    assert!(matches!(
        spawn_forked(&req),
        Err(SpawnError::Setup {
            step: "chdir",
            errno: Errno::ENOENT
        })
    ));
}

/// The `Uid:` line of every thread of this process.
fn thread_uids() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path().join("status");
            let status = std::fs::read_to_string(path).ok()?;
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn credentials_drop_to_nobody() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIP: switching users needs root");
        return;
    }
    let Ok(Some(creds)) = resolve_credentials(Some("nobody"), None, &[], false) else {
        eprintln!("SKIP: no user nobody");
        return;
    };
    // A second thread that must keep its root identity: whatever the child
    // (sharing our memory) does to switch users must stay in the child.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let bystander = std::thread::spawn(move || {
        let _ = stop_rx.recv_timeout(Duration::from_secs(30));
    });
    let mut req = sh("id -u; id -g; id -G");
    req.creds = Some(creds.clone().into());
    let (pid, out, status) = run_capture(req);
    assert_eq!(status, WaitStatus::Exited(pid, 0));
    for uids in thread_uids() {
        assert_eq!(
            uids.split_whitespace().collect::<Vec<_>>(),
            ["Uid:", "0", "0", "0", "0"]
        );
    }
    assert!(nix::unistd::geteuid().is_root());
    drop(stop_tx);
    bystander.join().unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], creds.uid.to_string());
    assert_eq!(lines[1], creds.gid.to_string());
    let mut groups: Vec<u32> = lines[2]
        .split_whitespace()
        .map(|g| g.parse().unwrap())
        .collect();
    groups.sort();
    let mut want = creds.groups.clone();
    want.push(creds.gid);
    want.sort();
    want.dedup();
    groups.dedup();
    assert_eq!(groups, want);
}

#[test]
fn spawn_is_fast() {
    let n = 200;
    let start = Instant::now();
    for _ in 0..n {
        let req = SpawnRequest::new(c("/bin/true"), vec![c("true")]);
        let pid = spawn(&req).unwrap();
        waitpid(pid, None).unwrap();
    }
    let per = start.elapsed() / n;
    let start = Instant::now();
    for _ in 0..n {
        std::process::Command::new("/bin/true").status().unwrap();
    }
    let std_per = start.elapsed() / n;
    eprintln!("spawn+exec+wait of /bin/true: {per:?} each (std Command: {std_per:?})");
    assert!(per < Duration::from_millis(20), "{per:?}");
}
