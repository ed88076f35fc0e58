//! Helpers for integration tests: start `activatord` on a temp dir with free
//! loopback ports, wait for its sockets, talk to it, and always stop it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_activatord");

/// Print a visible skip notice (tests that need root or an optional tool).
pub fn skip(reason: &str) {
    eprintln!("SKIP: {reason}");
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A loopback TCP port that was free a moment ago.
pub fn free_port() -> u16 {
    next_test_port()
}

/// A loopback UDP port that was free a moment ago.
pub fn free_udp_port() -> u16 {
    next_test_port()
}

/// Ports come from below the kernel's ephemeral range, so the client sockets of
/// tests running in parallel can never take one between this check and the
/// daemon's bind (a port from `bind(:0)` could be), and from a per-process
/// offset so that two test binaries rarely try the same ones. Each port is
/// checked free for TCP and UDP on 127.0.0.1.
fn next_test_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    const LOW: u32 = 10_000;
    let high = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768)
        .clamp(LOW + 1_000, 32_768);
    let span = high - LOW;
    let base = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..span {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let port = (LOW + (base + n) % span) as u16;
        // The bench harness's ports (../shared/bench: 21000-21999) stay free.
        if (21_000..22_000).contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && UdpSocket::bind(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
    }
    panic!("no free loopback port below the ephemeral range");
}

/// Poll `f` until it returns Some or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A temp directory holding unit files.
pub struct UnitDir {
    pub dir: tempfile::TempDir,
}

impl UnitDir {
    pub fn new() -> UnitDir {
        UnitDir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write unit");
        p
    }
}

/// A running activatord; killed on drop.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
    /// The daemon's `--runtime-dir` (control socket `private`, notify socket `notify`).
    pub runtime: PathBuf,
    _logdir: tempfile::TempDir,
}

impl Daemon {
    /// Start `activatord ARGS` with debug logging into a file.
    pub fn start(args: &[&str]) -> Daemon {
        Daemon::start_with_env(args, &[])
    }

    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Daemon {
        Daemon::start_wrapped(&[], args, env)
    }

    /// Start `WRAPPER... activatord ARGS` (e.g. `nsenter --net=...`).
    pub fn start_wrapped(wrapper: &[&str], args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let logdir = tempfile::tempdir().expect("tempdir");
        let log = logdir.path().join("activatord.log");
        let runtime = logdir.path().join("run");
        let logfile = std::fs::File::create(&log).expect("log file");
        let mut cmd = match wrapper.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        // Never the real /run or the machine's system bus; the caller's args may
        // override both (later flags win).
        cmd.arg("--runtime-dir")
            .arg(&runtime)
            .arg("--bus=none")
            .arg("--log-level=debug")
            .args(args)
            .stdin(Stdio::null())
            .stdout(logfile.try_clone().expect("dup"))
            .stderr(logfile);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn activatord");
        Daemon {
            child,
            log,
            runtime,
            _logdir: logdir,
        }
    }

    /// The private control socket.
    pub fn control_socket(&self) -> PathBuf {
        self.runtime.join("private")
    }

    /// Run `activatorctl` against this daemon: (exit code, trimmed stdout).
    #[allow(dead_code)] // not every test file asks for status
    pub fn ctl(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_activatorctl"))
            .arg("--control-socket")
            .arg(self.control_socket())
            .args(args)
            .output()
            .expect("activatorctl");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    }

    /// The activatord process (the wrapper execs it, so the pid is the same).
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait until the log contains `needle`.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> bool {
        wait_for(timeout, || self.log_text().contains(needle).then_some(())).is_some()
    }

    /// Wait until the daemon says it has started.
    pub fn wait_started(&self) {
        assert!(
            self.wait_log("Started:", Duration::from_secs(10)),
            "daemon did not start; log:\n{}",
            self.log_text()
        );
    }

    /// SIGTERM and wait (bounded); returns the exit code.
    pub fn stop(mut self) -> Option<i32> {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.pid()),
            nix::sys::signal::Signal::SIGTERM,
        );
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Open fds of the daemon (count of /proc/PID/fd entries).
    pub fn fd_count(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Zombie children of the daemon.
    pub fn zombies(&self) -> Vec<i32> {
        children_of(self.pid())
            .into_iter()
            .filter(|&p| proc_state(p) == Some('Z'))
            .collect()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pids whose parent is `ppid`.
pub fn children_of(ppid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    if let Ok(d) = std::fs::read_dir("/proc") {
        for e in d.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            if let Some((_, pp)) = proc_stat(pid) {
                if pp == ppid {
                    out.push(pid);
                }
            }
        }
    }
    out
}

/// (state, ppid) from /proc/PID/stat.
pub fn proc_stat(pid: i32) -> Option<(char, i32)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let mut it = rest.split_whitespace();
    let state = it.next()?.chars().next()?;
    let ppid = it.next()?.parse().ok()?;
    Some((state, ppid))
}

pub fn proc_state(pid: i32) -> Option<char> {
    proc_stat(pid).map(|(s, _)| s)
}

/// The fds of a process: (number, readlink target).
pub fn proc_fds(pid: i32) -> Vec<(i32, String)> {
    let mut v: Vec<(i32, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().parse().ok()?;
                    let t = std::fs::read_link(e.path()).ok()?;
                    Some((n, t.to_string_lossy().into_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Connect to 127.0.0.1:port, retrying while the daemon starts.
pub fn connect(port: u16) -> TcpStream {
    let s = wait_for(Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    })
    .unwrap_or_else(|| panic!("cannot connect to port {port}"));
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    s.set_write_timeout(Some(Duration::from_secs(10))).ok();
    s
}

/// Send `input`, half-close, read everything.
pub fn exchange(port: u16, input: &[u8]) -> Vec<u8> {
    let mut s = connect(port);
    s.write_all(input).expect("write");
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

/// Read one line from a stream.
pub fn read_line(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    while let Ok(1) = s.read(&mut b) {
        if b[0] == b'\n' {
            break;
        }
        out.push(b[0]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Build contrib/errlogd with the system C compiler into `dir`; None if no compiler.
pub fn build_errlogd(dir: &Path) -> Option<PathBuf> {
    build_c(Path::new("contrib/errlogd/errlogd.c"), &dir.join("errlogd"))
}

/// Build the test helper `tests/fixtures/progs/NAME.c` into `dir`; None if no compiler.
pub fn build_test_prog(name: &str, dir: &Path) -> Option<PathBuf> {
    let src = Path::new("tests/fixtures/progs").join(format!("{name}.c"));
    build_c(&src, &dir.join(name))
}

/// `cc -O2 -o OUT SRC` with SRC relative to the crate; None if that fails.
fn build_c(src: &Path, out: &Path) -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let out = out.to_path_buf();
    let ok = Command::new("cc")
        .arg("-O2")
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(out)
}
