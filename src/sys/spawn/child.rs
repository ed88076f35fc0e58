//! The child side of a spawn: the plan the parent builds for it and the code that
//! runs between clone/fork and execve (raw syscalls only, see the parent module).

use std::os::fd::RawFd;

use super::{KernelSigset, KERNEL_SIGSET_SIZE};

// Steps the child reports on failure (first word of the error-pipe message).
pub(super) const STEP_EXEC: u32 = 0;
pub(super) const STEPS: [&str; 12] = [
    "execve",
    "signals",
    "setsid",
    "open /dev/null",
    "fd layout",
    "close fds",
    "setrlimit",
    "setpriority",
    "setgroups",
    "setresgid",
    "setresuid",
    "chdir",
];
pub(super) const STEP_SIGNALS: u32 = 1;
pub(super) const STEP_SETSID: u32 = 2;
pub(super) const STEP_DEVNULL: u32 = 3;
pub(super) const STEP_FDS: u32 = 4;
pub(super) const STEP_CLOSE: u32 = 5;
pub(super) const STEP_RLIMIT: u32 = 6;
pub(super) const STEP_NICE: u32 = 7;
pub(super) const STEP_SETGROUPS: u32 = 8;
pub(super) const STEP_SETGID: u32 = 9;
pub(super) const STEP_SETUID: u32 = 10;
pub(super) const STEP_CHDIR: u32 = 11;

// The 32-bit-id credential syscalls (on 32-bit x86/arm the plain ones take 16-bit ids).
#[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
use libc::{
    SYS_setgroups as SYS_SETGROUPS, SYS_setresgid as SYS_SETRESGID, SYS_setresuid as SYS_SETRESUID,
};
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
use libc::{
    SYS_setgroups32 as SYS_SETGROUPS, SYS_setresgid32 as SYS_SETRESGID,
    SYS_setresuid32 as SYS_SETRESUID,
};

/// Space for `LISTEN_PID=` + up to 20 digits + NUL.
pub(super) const LISTEN_PID_PREFIX: &[u8] = b"LISTEN_PID=";
pub(super) const LISTEN_PID_BUF: usize = LISTEN_PID_PREFIX.len() + 21;

/// One fd the child places: `src` (in the parent's numbering) becomes `dst`.
#[derive(Clone, Copy)]
pub(super) struct FdMove {
    pub(super) src: RawFd,
    pub(super) dst: RawFd,
}

/// Everything the child reads, built before the clone/fork. Only raw pointers into
/// memory owned by `spawn_with`'s stack frame, which stays alive and untouched
/// until the child has exec'ed (clone: the parent thread is suspended; fork: the
/// child has its own copy).
pub(super) struct ChildPlan<'a> {
    pub(super) path: *const libc::c_char,
    pub(super) argv: *const *const libc::c_char,
    pub(super) envp: *const *const libc::c_char,
    /// Where the child writes its pid digits (inside the LISTEN_PID entry), or null.
    pub(super) pid_slot: *mut u8,
    pub(super) moves: &'a [FdMove],
    /// Scratch space, same length as `moves`, for the moved-away copies.
    pub(super) scratch: *mut RawFd,
    /// Stdio slots that come from /dev/null (index 0..3).
    pub(super) null_stdio: [bool; 3],
    pub(super) same_stdio: [bool; 3],
    /// Stdio slots that are dups of a given fd (clear O_NONBLOCK on sockets).
    pub(super) fd_stdio: [bool; 3],
    pub(super) n_targets: RawFd,
    pub(super) nonblocking: Option<bool>,
    pub(super) rlimits: &'a [(libc::c_int, libc::rlimit)],
    pub(super) nice: Option<i32>,
    /// None: the daemon's own umask is already the unit's.
    pub(super) umask: Option<libc::mode_t>,
    pub(super) setgroups: Option<&'a [libc::gid_t]>,
    pub(super) ids: Option<(libc::uid_t, libc::gid_t)>,
    pub(super) cwd: *const libc::c_char,
    pub(super) new_session: bool,
    /// fork path: write end of the CLOEXEC error pipe; -1 on the clone path.
    pub(super) err_fd: RawFd,
    /// clone path: the parent's report struct; null on the fork path.
    pub(super) report: *mut ChildReport,
    pub(super) dfl_action: libc::sigaction,
    /// Highest signal number (SIGRTMAX), read in the parent.
    pub(super) sig_max: libc::c_int,
    /// Bit n-1 set: signal n may be ignored in the parent, so the child resets
    /// it (see `non_default_signals`).
    pub(super) reset_mask: u64,
}

/// What a failed clone child leaves in the parent's memory before `_exit(127)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct ChildReport {
    pub(super) failed: u32,
    pub(super) step: u32,
    pub(super) errno: i32,
}

/// Report `step` and the current errno to the parent, then exit: into the
/// shared report struct (clone path) or the error pipe (fork path).
///
/// # Safety
/// Only called in the child.
pub(super) unsafe fn child_fail(plan: &ChildPlan<'_>, err_fd: RawFd, step: u32) -> ! {
    let errno = *libc::__errno_location();
    if !plan.report.is_null() {
        std::ptr::write_volatile(
            plan.report,
            ChildReport {
                failed: 1,
                step,
                errno,
            },
        );
    } else {
        let mut msg = [0u8; 8];
        msg[..4].copy_from_slice(&step.to_le_bytes());
        msg[4..].copy_from_slice(&errno.to_le_bytes());
        libc::write(err_fd, msg.as_ptr().cast(), msg.len());
    }
    libc::_exit(127);
}

/// Write `n` in decimal at `dst`, followed by a NUL. `dst` has room for 21 bytes.
///
/// # Safety
/// `dst` must point to 21 writable bytes.
unsafe fn write_decimal(dst: *mut u8, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        *dst.add(i) = digits[len - 1 - i];
    }
    *dst.add(len) = 0;
}

pub(super) fn set_nonblock_raw(fd: RawFd, on: bool) {
    // SAFETY: fcntl on an fd number; errors are ignored (best effort, like systemd).
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return;
        }
        let new = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        if new != flags {
            libc::fcntl(fd, libc::F_SETFL, new);
        }
    }
}

/// The child side. Raw syscalls only; never returns.
///
/// Only the thin glibc wrappers that are a single syscall are used (open, dup2,
/// fcntl, setsid, setrlimit, umask, chdir, getpid, execve, _exit); errno lands in
/// the spawning thread's TLS slot, which is ours while that thread sleeps.
///
/// # Safety
/// Only called in the child (clone: sharing the suspended parent's memory; fork:
/// in its copy of it); `plan`'s pointers are valid there.
pub(super) unsafe fn child_exec(plan: &ChildPlan<'_>) -> ! {
    let mut err_fd = plan.err_fd;

    // 1. Default dispositions for the signals the daemon ignores (Rust ignores
    //    SIGPIPE), the only ones that would survive exec; caught signals are reset
    //    by the exec itself, and all stay blocked (the parent blocked them around
    //    the clone) until the mask is emptied just before execve (step 10).
    //    The raw rt_sigaction syscall also reaches the signals glibc reserves for
    //    itself (32, 33), whose "ignored" state would otherwise survive exec. An
    //    all-zero kernel sigaction is SIG_DFL, no flags, empty mask on every arch.
    let dfl_kernel = [0u64; 4];
    for sig in 1..=plan.sig_max {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // Only the signals the parent ignores (one syscall each instead of 62:
        // the child runs while the vfork parent waits).
        if sig <= 64 && plan.reset_mask & (1u64 << (sig - 1)) == 0 {
            continue;
        }
        let r = libc::syscall(
            libc::SYS_rt_sigaction,
            sig as libc::c_long,
            dfl_kernel.as_ptr(),
            std::ptr::null_mut::<u64>(),
            8 as libc::c_long,
        );
        if r < 0 {
            libc::sigaction(sig, &plan.dfl_action, std::ptr::null_mut());
        }
    }

    // 2. Own session (inetd children and systemd services both get one).
    if plan.new_session && libc::setsid() < 0 {
        child_fail(plan, err_fd, STEP_SETSID);
    }

    // 3. fd layout. First move the error pipe and every source that sits inside
    //    the target range [0, n_targets) out of the way, so no dup2 clobbers a
    //    source another move still needs.
    if err_fd >= 0 && err_fd < plan.n_targets {
        let moved = libc::fcntl(err_fd, libc::F_DUPFD_CLOEXEC, plan.n_targets);
        if moved < 0 {
            child_fail(plan, err_fd, STEP_FDS);
        }
        err_fd = moved;
    }
    let mut devnull: RawFd = -1;
    if plan.null_stdio.iter().any(|b| *b) {
        devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
        if devnull < 0 {
            child_fail(plan, err_fd, STEP_DEVNULL);
        }
        if devnull < plan.n_targets {
            let moved = libc::fcntl(devnull, libc::F_DUPFD_CLOEXEC, plan.n_targets);
            if moved < 0 {
                child_fail(plan, err_fd, STEP_FDS);
            }
            devnull = moved;
        }
    }
    for (i, m) in plan.moves.iter().enumerate() {
        let mut src = m.src;
        if src != m.dst && src >= 0 && src < plan.n_targets {
            src = libc::fcntl(src, libc::F_DUPFD_CLOEXEC, plan.n_targets);
            if src < 0 {
                child_fail(plan, err_fd, STEP_FDS);
            }
        }
        *plan.scratch.add(i) = src;
    }
    for (i, m) in plan.moves.iter().enumerate() {
        let src = *plan.scratch.add(i);
        if src == m.dst {
            // dup2 would be a no-op and leave FD_CLOEXEC set.
            if libc::fcntl(src, libc::F_SETFD, 0) < 0 {
                child_fail(plan, err_fd, STEP_FDS);
            }
        } else if libc::dup2(src, m.dst) < 0 {
            child_fail(plan, err_fd, STEP_FDS);
        }
    }
    for i in 0..3 {
        if plan.null_stdio[i] && libc::dup2(devnull, i as RawFd) < 0 {
            child_fail(plan, err_fd, STEP_FDS);
        }
        if plan.same_stdio[i] && libc::dup2(i as RawFd - 1, i as RawFd) < 0 {
            child_fail(plan, err_fd, STEP_FDS);
        }
    }

    // 4. Close everything else but the error pipe (which is CLOEXEC).
    let close_range = |lo: RawFd, hi: libc::c_uint| -> bool {
        lo as libc::c_uint > hi
            || libc::syscall(libc::SYS_close_range, lo as libc::c_uint, hi, 0u32) == 0
    };
    let (lo_ok, hi_ok) = if err_fd < 0 {
        (close_range(plan.n_targets, libc::c_uint::MAX), true)
    } else {
        (
            close_range(plan.n_targets, (err_fd - 1) as libc::c_uint),
            close_range(err_fd + 1, libc::c_uint::MAX),
        )
    };
    if !lo_ok || !hi_ok {
        // Kernel < 5.9: close one by one up to RLIMIT_NOFILE.
        let mut rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) < 0 {
            child_fail(plan, err_fd, STEP_CLOSE);
        }
        let max = rl.rlim_cur.min(1 << 20) as RawFd;
        let mut fd = plan.n_targets;
        while fd < max {
            if fd != err_fd {
                libc::close(fd);
            }
            fd += 1;
        }
    }

    // 5. O_NONBLOCK: passed fds per NonBlocking=; stdio sockets blocking (inetd).
    if let Some(on) = plan.nonblocking {
        for fd in 3..plan.n_targets {
            set_nonblock_raw(fd, on);
        }
    }
    // A stdio slot that is a dup of the one before shares its open file
    // description, so one fcntl covers both. Files and ttys we opened are
    // blocking already, so no fstat() to single out sockets.
    for i in 0..3 {
        if plan.fd_stdio[i] && !plan.same_stdio[i] {
            set_nonblock_raw(i as RawFd, false);
        }
    }

    // 6. Limits, priority, umask.
    for (res, lim) in plan.rlimits {
        if libc::setrlimit(*res as _, lim) < 0 {
            child_fail(plan, err_fd, STEP_RLIMIT);
        }
    }
    if let Some(nice) = plan.nice {
        if libc::setpriority(libc::PRIO_PROCESS, 0, nice) < 0 {
            child_fail(plan, err_fd, STEP_NICE);
        }
    }
    if let Some(mask) = plan.umask {
        libc::umask(mask);
    }

    // 7. Credentials: groups, then gid, then uid (dropping uid last). Raw
    //    syscalls: in a multi-threaded process glibc's wrappers run the setxid
    //    protocol (take the thread-list lock, which another daemon thread may
    //    hold, then signal every thread it knows of), and a CLONE_VM child sees
    //    the daemon's thread list. glibc's own spawni.c uses raw syscalls too.
    if let Some(groups) = plan.setgroups {
        if libc::syscall(SYS_SETGROUPS, groups.len() as libc::c_long, groups.as_ptr()) < 0 {
            child_fail(plan, err_fd, STEP_SETGROUPS);
        }
    }
    if let Some((uid, gid)) = plan.ids {
        let (uid, gid) = (uid as libc::c_long, gid as libc::c_long);
        if libc::syscall(SYS_SETRESGID, gid, gid, gid) < 0 {
            child_fail(plan, err_fd, STEP_SETGID);
        }
        if libc::syscall(SYS_SETRESUID, uid, uid, uid) < 0 {
            child_fail(plan, err_fd, STEP_SETUID);
        }
    }

    // 8. Working directory (after the switch, so the user's permissions apply).
    if !plan.cwd.is_null() && libc::chdir(plan.cwd) < 0 {
        child_fail(plan, err_fd, STEP_CHDIR);
    }

    // 9. LISTEN_PID is our own pid.
    if !plan.pid_slot.is_null() {
        write_decimal(plan.pid_slot, libc::getpid() as u64);
    }

    // 10. An empty signal mask, last, so no handler of the daemon can run here.
    let empty: KernelSigset = [0];
    if libc::syscall(
        libc::SYS_rt_sigprocmask,
        libc::SIG_SETMASK as libc::c_long,
        empty.as_ptr(),
        std::ptr::null_mut::<u64>(),
        KERNEL_SIGSET_SIZE,
    ) < 0
    {
        child_fail(plan, err_fd, STEP_SIGNALS);
    }

    libc::execve(plan.path, plan.argv, plan.envp);
    child_fail(plan, err_fd, STEP_EXEC);
}
