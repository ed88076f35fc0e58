//! Spawning a service process with an exact fd layout; the child fills in its own LISTEN_PID.
//!
//! std's `Command` cannot do this job: LISTEN_PID must be the child's own pid,
//! passed fds need a `pre_exec` (which forces the slow fork path anyway) and the
//! credential switch must follow systemd's order. So this is the "fast, correct
//! path" of rust.md §3.5: everything is allocated in the parent; the child only
//! makes raw syscalls (no allocation, no locks, no logging, no Drop, no glibc
//! wrapper that keeps process-wide state) and reports a failure as (step, errno)
//! before `_exit(127)`. A returned pid is a program that has exec'ed.
//!
//! The child is created the vfork way: `clone(CLONE_VM | CLONE_VFORK | SIGCHLD)`
//! on a separate, cached, mmap'd stack, which is what glibc's posix_spawn and
//! busybox inetd do. No page tables are copied, so one spawn costs the same
//! whatever the daemon's size (bench/RESULTS.md points 5-7: fork-based inetds pay
//! ~200 µs more per connection). Because the child shares our memory, it writes
//! its failure report into a struct of the parent's, which the parent reads once
//! it resumes (CLONE_VFORK: after the child's execve or `_exit`), so there is no
//! error pipe. `libc::vfork` itself is unusable from Rust (returns twice, libc#1596).
//! If the kernel or a seccomp filter refuses that clone (ENOSYS, EINVAL, EPERM),
//! the original fork + execve path with a CLOEXEC error pipe takes over for good;
//! `spawn_forked` uses it directly.

use std::cell::Cell;
use std::ffi::CString;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::unistd::Pid;

use super::user::Credentials;
use super::Errno;
use crate::unit::model::{Resource, ResourceLimit};

mod child;

use child::{
    child_exec, ChildPlan, ChildReport, FdMove, LISTEN_PID_BUF, LISTEN_PID_PREFIX, STEPS, STEP_EXEC,
};

/// What the child's fd 0, 1 or 2 becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdio {
    /// `/dev/null`.
    Null,
    /// The daemon's own fd stays.
    Inherit,
    /// A dup of this fd (the accepted connection, a file). Sockets get O_NONBLOCK
    /// cleared, as inetd children expect a blocking stdio.
    Fd(RawFd),
    /// A dup of the previous stream: stdout = stdin, stderr = stdout.
    Same,
}

/// Everything a spawn needs, prepared by the engine before the fork.
#[derive(Debug, Clone)]
pub struct SpawnRequest {
    /// Absolute path of the executable (no PATH search happens here).
    pub path: CString,
    pub argv: Vec<CString>,
    /// `NAME=value` entries.
    pub envp: Vec<CString>,
    /// Append `LISTEN_PID=<child pid>`, written by the child itself.
    pub listen_pid_slot: bool,
    pub stdin: Stdio,
    pub stdout: Stdio,
    pub stderr: Stdio,
    /// Become fds 3, 4, ... in the child (FD_CLOEXEC cleared); everything else
    /// above 2 is closed.
    pub fds: Vec<RawFd>,
    /// O_NONBLOCK on the passed fds: Some(v) sets it to v, None leaves it
    /// (systemd: NonBlocking=, default false, i.e. cleared).
    pub nonblocking: Option<bool>,
    pub creds: Option<std::sync::Arc<Credentials>>,
    pub umask: u32,
    /// Working directory, entered after the credential switch (as systemd does).
    pub cwd: Option<CString>,
    pub rlimits: Vec<(Resource, ResourceLimit)>,
    pub nice: Option<i32>,
    pub new_session: bool,
}

impl SpawnRequest {
    /// A request for `path` with `argv`, no environment, stdio on /dev/null, no
    /// fds, umask 0022 and a new session; fill in the rest.
    pub fn new(path: CString, argv: Vec<CString>) -> SpawnRequest {
        SpawnRequest {
            path,
            argv,
            envp: Vec::new(),
            listen_pid_slot: false,
            stdin: Stdio::Null,
            stdout: Stdio::Null,
            stderr: Stdio::Null,
            fds: Vec::new(),
            nonblocking: None,
            creds: None,
            umask: 0o022,
            cwd: None,
            rlimits: Vec::new(),
            nice: None,
            new_session: true,
        }
    }
}

/// Why a spawn failed.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// execve() failed (ENOENT, EACCES, ENOEXEC...).
    #[error("failed to execute {path}: {errno}")]
    Exec { errno: Errno, path: String },
    /// A step before exec failed in the child (setresuid, chdir, ...).
    #[error("failed to set up child ({step}): {errno}")]
    Setup { step: &'static str, errno: Errno },
    #[error("fork failed: {0}")]
    Fork(Errno),
    #[error("failed to prepare spawn: {0}")]
    Prepare(Errno),
}

impl SpawnError {
    pub fn errno(&self) -> Errno {
        match self {
            SpawnError::Exec { errno, .. } | SpawnError::Setup { errno, .. } => *errno,
            SpawnError::Fork(e) | SpawnError::Prepare(e) => *e,
        }
    }
}

fn rlimit_resource(r: Resource) -> libc::c_int {
    (match r {
        Resource::Cpu => libc::RLIMIT_CPU,
        Resource::Fsize => libc::RLIMIT_FSIZE,
        Resource::Data => libc::RLIMIT_DATA,
        Resource::Stack => libc::RLIMIT_STACK,
        Resource::Core => libc::RLIMIT_CORE,
        Resource::Rss => libc::RLIMIT_RSS,
        Resource::Nofile => libc::RLIMIT_NOFILE,
        Resource::As => libc::RLIMIT_AS,
        Resource::Nproc => libc::RLIMIT_NPROC,
        Resource::Memlock => libc::RLIMIT_MEMLOCK,
        Resource::Locks => libc::RLIMIT_LOCKS,
        Resource::Sigpending => libc::RLIMIT_SIGPENDING,
        Resource::Msgqueue => libc::RLIMIT_MSGQUEUE,
        Resource::Nice => libc::RLIMIT_NICE,
        Resource::Rtprio => libc::RLIMIT_RTPRIO,
        Resource::Rttime => libc::RLIMIT_RTTIME,
    }) as libc::c_int
}

/// Set once clone(CLONE_VM|CLONE_VFORK) was refused; every later spawn forks.
static CLONE_UNUSABLE: AtomicBool = AtomicBool::new(false);

/// The clone path needs a downward-growing stack (every arch below).
const CLONE_SUPPORTED: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64",
    target_arch = "powerpc64",
    target_arch = "s390x",
    target_arch = "loongarch64"
));

/// Kernel signal set (64 signals; `_NSIG / 8` bytes on the arches above).
type KernelSigset = [u64; 1];
const KERNEL_SIGSET_SIZE: libc::c_long = std::mem::size_of::<KernelSigset>() as libc::c_long;

/// Block every signal in this thread, including the two glibc reserves for
/// itself (which `pthread_sigmask` would silently leave out), as glibc's
/// posix_spawn does: no handler may run on the child's stack or in a child that
/// has not reset its dispositions yet. Returns the previous mask.
fn block_all_signals() -> KernelSigset {
    let full: KernelSigset = [!0];
    let mut old: KernelSigset = [0];
    // SAFETY: rt_sigprocmask with pointers to two live, correctly sized sets.
    // Cannot fail with valid arguments; SIGKILL/SIGSTOP bits are ignored.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK as libc::c_long,
            full.as_ptr(),
            old.as_mut_ptr(),
            KERNEL_SIGSET_SIZE,
        );
    }
    old
}

fn restore_signals(old: &KernelSigset) {
    // SAFETY: as in block_all_signals; `old` is the mask it returned.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK as libc::c_long,
            old.as_ptr(),
            std::ptr::null_mut::<u64>(),
            KERNEL_SIGSET_SIZE,
        );
    }
}

/// Size of the clone child's stack. `child_exec` needs a few KiB even unoptimized;
/// glibc's posix_spawn uses 32 KiB + argv. Pages are only touched on use.
const CHILD_STACK_SIZE: usize = 128 * 1024;

/// An mmap'd stack with a PROT_NONE guard page at its low end.
struct ChildStack {
    base: *mut libc::c_void,
    len: usize,
}

impl ChildStack {
    fn new() -> Result<ChildStack, Errno> {
        // SAFETY: sysconf has no preconditions.
        let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
            n if n > 0 => n as usize,
            _ => 4096,
        };
        let len = CHILD_STACK_SIZE + page;
        // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Errno::last());
        }
        // SAFETY: the first page of the mapping we own; a failure only loses the
        // guard page (best effort).
        unsafe { libc::mprotect(base, page, libc::PROT_NONE) };
        Ok(ChildStack { base, len })
    }

    /// Initial stack pointer: the 16-byte aligned high end.
    fn top(&self) -> *mut libc::c_void {
        let end = self.base as usize + self.len;
        (end & !15) as *mut libc::c_void
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping created in new(); no child uses it
        // any more (CLONE_VFORK returned).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

thread_local! {
    /// One stack per spawning thread, reused: saves the mmap/munmap and the page
    /// faults of a fresh stack on every spawn.
    static SPARE_STACK: Cell<Option<ChildStack>> = const { Cell::new(None) };
}

fn take_stack() -> Result<ChildStack, Errno> {
    match SPARE_STACK.try_with(Cell::take) {
        Ok(Some(stack)) => Ok(stack),
        _ => ChildStack::new(),
    }
}

fn put_stack(stack: ChildStack) {
    // During thread teardown the slot may be gone: then the stack is unmapped here.
    let _ = SPARE_STACK.try_with(|s| s.set(Some(stack)));
}

/// Entry point of the clone child.
extern "C" fn clone_child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the `&ChildPlan` run_clone passed to clone(); the parent
    // thread is suspended (CLONE_VFORK) until we exec or exit, so the plan and
    // everything it points to stay alive and unchanged. child_exec never returns.
    unsafe { child_exec(&*(arg as *const ChildPlan<'_>)) }
}

/// How the child ended up: its pid, and (step, errno) if it failed before or in execve.
type Outcome = (libc::pid_t, Option<(u32, Errno)>);

/// clone(CLONE_VM | CLONE_VFORK) + execve. Returns once the child has exec'ed or
/// exited; Err is clone's or mmap's errno (the child never ran).
fn run_clone(plan: &mut ChildPlan<'_>) -> Result<Outcome, Errno> {
    let stack = take_stack()?;
    let mut report = ChildReport {
        failed: 0,
        step: 0,
        errno: 0,
    };
    plan.report = std::ptr::addr_of_mut!(report);
    plan.err_fd = -1;
    let plan_ptr: *const ChildPlan<'_> = plan;

    let old_mask = block_all_signals();
    // CLONE_VM: the child shares our memory. It runs on its own mapped stack,
    // reads only the prepared plan and writes only the plan's scratch array, the
    // LISTEN_PID slot and `report` (all owned by this frame, which no other thread
    // can see) plus this thread's errno. CLONE_VFORK suspends this thread until
    // the child has exec'ed or exited, so none of that is touched concurrently or
    // freed early; every signal is blocked, so no handler of ours runs on the
    // child's stack; the child makes raw syscalls only (no glibc state such as the
    // setxid broadcast list or locks), and no CLONE_SIGHAND, so its signal resets
    // stay its own.
    // SAFETY: see above: the child touches only memory this frame owns, and this
    // thread is suspended until the child has exec'ed or exited.
    let pid = unsafe {
        libc::clone(
            clone_child,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            plan_ptr as *mut libc::c_void,
        )
    };
    let clone_errno = Errno::last();
    restore_signals(&old_mask);
    put_stack(stack);
    plan.report = std::ptr::null_mut();
    if pid < 0 {
        return Err(clone_errno);
    }
    // SAFETY: the child has exec'ed or exited; nothing writes `report` any more.
    // Volatile because the write happened behind the compiler's back.
    let report = unsafe { std::ptr::read_volatile(std::ptr::addr_of!(report)) };
    let failure = (report.failed != 0).then(|| (report.step, Errno::from_raw(report.errno)));
    Ok((pid, failure))
}

/// fork + execve, failure reported through a CLOEXEC pipe (EOF = exec happened).
fn run_fork(plan: &mut ChildPlan<'_>) -> Result<Outcome, SpawnError> {
    let (err_r, err_w) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(SpawnError::Prepare)?;
    plan.err_fd = err_w.as_raw_fd();
    plan.report = std::ptr::null_mut();

    let old_mask = block_all_signals();
    // SAFETY: fork() in a process whose child only makes raw syscalls (child_exec
    // never returns, never allocates, never takes a lock); every signal is
    // blocked until the child has reset its dispositions.
    let pid = unsafe {
        let pid = libc::fork();
        if pid == 0 {
            child_exec(plan);
        }
        pid
    };
    let fork_errno = Errno::last();
    restore_signals(&old_mask);
    plan.err_fd = -1;
    drop(err_w);
    if pid < 0 {
        return Err(SpawnError::Fork(fork_errno));
    }

    let mut msg = [0u8; 8];
    let mut got = 0;
    while got < msg.len() {
        match nix::unistd::read(&err_r, &mut msg[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        }
    }
    if got < msg.len() {
        return Ok((pid, None));
    }
    let step = u32::from_le_bytes([msg[0], msg[1], msg[2], msg[3]]);
    let errno = Errno::from_raw(i32::from_le_bytes([msg[4], msg[5], msg[6], msg[7]]));
    Ok((pid, Some((step, errno))))
}

/// Start `req` (vfork-class clone, fork as fallback); returns the child's pid once
/// the exec has succeeded. The request is not modified and can be spawned again.
pub fn spawn(req: &SpawnRequest) -> Result<Pid, SpawnError> {
    let fork = !CLONE_SUPPORTED || CLONE_UNUSABLE.load(Ordering::Relaxed);
    spawn_with(req, fork)
}

/// Same as [`spawn`], always through fork + execve (the fallback path); for tests
/// and comparisons.
pub fn spawn_forked(req: &SpawnRequest) -> Result<Pid, SpawnError> {
    spawn_with(req, true)
}

fn spawn_with(req: &SpawnRequest, use_fork: bool) -> Result<Pid, SpawnError> {
    // ---- Parent, before the child exists: allocate everything.
    // argv and envp, each NULL-terminated, in one array: [argv.., NULL, envp.., NULL].
    let mut ptrs: Vec<*const libc::c_char> =
        Vec::with_capacity(req.argv.len() + req.envp.len() + 4);
    ptrs.extend(req.argv.iter().map(|a| a.as_ptr()));
    if ptrs.is_empty() {
        ptrs.push(req.path.as_ptr());
    }
    ptrs.push(std::ptr::null());
    let envp_start = ptrs.len();

    // The child writes its pid into this per-call buffer, never into `req`.
    let mut pid_entry = [0u8; LISTEN_PID_BUF];
    pid_entry[..LISTEN_PID_PREFIX.len()].copy_from_slice(LISTEN_PID_PREFIX);
    ptrs.extend(
        req.envp
            .iter()
            .filter(|e| !(req.listen_pid_slot && e.as_bytes().starts_with(LISTEN_PID_PREFIX)))
            .map(|e| e.as_ptr()),
    );
    let pid_slot = if req.listen_pid_slot {
        let base = pid_entry.as_mut_ptr();
        ptrs.push(base.cast_const().cast());
        // SAFETY: the offset is inside pid_entry (prefix length < buffer length).
        unsafe { base.add(LISTEN_PID_PREFIX.len()) }
    } else {
        std::ptr::null_mut()
    };
    ptrs.push(std::ptr::null());

    let n_targets = 3 + req.fds.len() as RawFd;
    let mut moves = Vec::with_capacity(req.fds.len() + 3);
    let mut null_stdio = [false; 3];
    let mut same_stdio = [false; 3];
    let mut fd_stdio = [false; 3];
    for (i, s) in [req.stdin, req.stdout, req.stderr].iter().enumerate() {
        match s {
            Stdio::Fd(fd) => {
                moves.push(FdMove {
                    src: *fd,
                    dst: i as RawFd,
                });
                fd_stdio[i] = true;
            }
            Stdio::Null => null_stdio[i] = true,
            Stdio::Same if i > 0 => {
                same_stdio[i] = true;
                fd_stdio[i] = fd_stdio[i - 1];
            }
            Stdio::Same | Stdio::Inherit => {}
        }
    }
    for (i, fd) in req.fds.iter().enumerate() {
        moves.push(FdMove {
            src: *fd,
            dst: 3 + i as RawFd,
        });
    }
    let mut scratch: Vec<RawFd> = vec![-1; moves.len() + 1];

    let rlimits: Vec<(libc::c_int, libc::rlimit)> = req
        .rlimits
        .iter()
        .map(|(r, l)| {
            let v = |x: Option<u64>| x.map_or(libc::RLIM_INFINITY, |n| n as libc::rlim_t);
            (
                rlimit_resource(*r),
                libc::rlimit {
                    rlim_cur: v(l.soft),
                    rlim_max: v(l.hard),
                },
            )
        })
        .collect();

    // Credentials: no switch when they are exactly the daemon's own (three syscalls
    // fewer in the child); a non-root daemon can only "switch" to itself, so skip
    // the calls then too, since setgroups() would fail with EPERM.
    let is_root = super::user::running_as_root();
    let ids = req.creds.as_ref().and_then(|c| {
        let skip = super::user::is_own_identity(c) || (!is_root && super::user::is_own_ids(c));
        (!skip).then_some((c.uid as libc::uid_t, c.gid as libc::gid_t))
    });
    let groups: Vec<libc::gid_t> = match (&req.creds, ids.is_some() && is_root) {
        (Some(c), true) => c.groups.iter().map(|g| *g as libc::gid_t).collect(),
        _ => Vec::new(),
    };
    let setgroups = (ids.is_some() && is_root).then_some(groups.as_slice());

    // SAFETY: sigaction is plain old data; all-zero is SIG_DFL, empty mask, no flags.
    let dfl_action: libc::sigaction = unsafe { std::mem::zeroed() };

    let mut plan = ChildPlan {
        path: req.path.as_ptr(),
        argv: ptrs.as_ptr(),
        envp: ptrs[envp_start..].as_ptr(),
        pid_slot,
        moves: &moves,
        scratch: scratch.as_mut_ptr(),
        null_stdio,
        same_stdio,
        fd_stdio,
        n_targets,
        nonblocking: req.nonblocking,
        rlimits: &rlimits,
        nice: req.nice,
        umask: (own_umask() != Some(req.umask)).then_some(req.umask as libc::mode_t),
        setgroups,
        ids,
        cwd: req.cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
        new_session: req.new_session,
        err_fd: -1,
        report: std::ptr::null_mut(),
        dfl_action,
        sig_max: libc::SIGRTMAX(),
        reset_mask: non_default_signals(),
    };

    let outcome = if use_fork {
        run_fork(&mut plan)?
    } else {
        match run_clone(&mut plan) {
            Ok(outcome) => outcome,
            Err(e @ (Errno::ENOSYS | Errno::EINVAL | Errno::EPERM)) => {
                log::warn!("clone(CLONE_VM|CLONE_VFORK) failed ({e}); spawning with fork()");
                CLONE_UNUSABLE.store(true, Ordering::Relaxed);
                run_fork(&mut plan)?
            }
            Err(e) => return Err(SpawnError::Fork(e)),
        }
    };
    // The child has exec'ed or exited: the prepared memory may go now.
    drop((ptrs, scratch, moves, rlimits, groups));

    let (pid, failure) = outcome;
    let Some((step, errno)) = failure else {
        return Ok(Pid::from_raw(pid));
    };
    // The child failed and is exiting: reap it here so the engine never sees a
    // pid it was not told about.
    while let Err(Errno::EINTR) = nix::sys::wait::waitpid(Pid::from_raw(pid), None) {}
    if step == STEP_EXEC {
        Err(SpawnError::Exec {
            errno,
            path: req.path.to_string_lossy().into_owned(),
        })
    } else {
        Err(SpawnError::Setup {
            step: STEPS.get(step as usize).copied().unwrap_or("setup"),
            errno,
        })
    }
}

/// The daemon's umask, from `/proc/self/status` (Linux 4.7+; reading it with
/// umask(2) would change it for a moment). Read once: activatord never changes
/// its umask. None when unknown, so the child always sets the unit's.
fn own_umask() -> Option<u32> {
    static UMASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("Umask:"))?;
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
    })
}

/// Signals this process ignores (SIG_IGN), as a bit mask (bit n-1 = signal n):
/// the only dispositions that survive execve(2) and so the only ones the child
/// must reset (a caught signal is reset to SIG_DFL by the exec itself, and every
/// signal is blocked in the child until its mask is emptied). Asked of the
/// kernel at most once a second and cached: activatord handles its signals
/// through a signalfd, so dispositions change only at start-up (Rust ignores
/// SIGPIPE); the refresh catches a library that changes one later.
fn non_default_signals() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static MASK: AtomicU64 = AtomicU64::new(0);
    static STAMP_MS: AtomicU64 = AtomicU64::new(0);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let stamp = STAMP_MS.load(Ordering::Relaxed);
    if stamp != 0 && now_ms.saturating_sub(stamp) < 1000 {
        return MASK.load(Ordering::Relaxed);
    }
    let mut mask = 0u64;
    let max = libc::SIGRTMAX().min(64);
    for sig in 1..=max {
        let mut old = [0u64; 4];
        // SAFETY: a NULL new action only reads the disposition into `old`, a
        // buffer as large as the kernel's struct sigaction (handler, flags,
        // restorer, 8-byte mask).
        let r = unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig as libc::c_long,
                std::ptr::null::<u64>(),
                old.as_mut_ptr(),
                8 as libc::c_long,
            )
        };
        // On error, or SIG_IGN (1): reset in the child.
        if r < 0 || old[0] == libc::SIG_IGN as u64 {
            mask |= 1u64 << (sig - 1);
        }
    }
    MASK.store(mask, Ordering::Relaxed);
    STAMP_MS.store(now_ms.max(1), Ordering::Relaxed);
    mask
}
