//! CPU placement for a short-lived helper thread: which CPUs it may use besides the
//! one the calling thread is on, and moving it there.

pub use nix::sched::CpuSet;
use nix::sched::{sched_getaffinity, sched_getcpu, sched_setaffinity};
use nix::unistd::Pid;

/// The CPUs this thread may run on other than the one it is running on now; None
/// when there are none (one CPU allowed) or the kernel will not say.
pub fn other_cpus() -> Option<CpuSet> {
    let me = Pid::from_raw(0);
    let mut set = sched_getaffinity(me).ok()?;
    let here = sched_getcpu().ok()?;
    if !set.is_set(here).ok()? {
        return None;
    }
    set.unset(here).ok()?;
    (0..CpuSet::count())
        .any(|cpu| set.is_set(cpu).unwrap_or(false))
        .then_some(set)
}

/// Restrict the calling thread to `cpus` (best effort: a refusal leaves it where it
/// may already run).
pub fn run_on(cpus: &CpuSet) {
    let _ = sched_setaffinity(Pid::from_raw(0), cpus);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread moved to the other CPUs runs on one of them, never on the caller's.
    #[test]
    fn helper_moves_off_the_callers_cpu() {
        let Some(others) = other_cpus() else {
            eprintln!("SKIP helper_moves_off_the_callers_cpu: only one CPU allowed");
            return;
        };
        let seen = std::thread::spawn(move || {
            run_on(&others);
            (sched_getcpu().unwrap(), others)
        })
        .join()
        .unwrap();
        assert!(seen.1.is_set(seen.0).unwrap());
    }
}
