//! Spawn-rate benchmark (not a test): `spawn_bench [N] [--touch-mib M] [--prog PATH]`
//! starts /bin/true (or the static PATH, e.g. the bench's `hello`) N times (default 2000) with `sys::spawn` (clone CLONE_VM|CLONE_VFORK),
//! with `sys::spawn_forked` (the fork fallback) and with `std::process::Command`
//! (glibc posix_spawn), waiting for each child, and prints spawns/s for each. All
//! three give the child /dev/null as stdin/stdout/stderr.
//! The methods take turns in 5 rounds of N/5 so that load from other programs
//! hits all of them alike; the median round and the best round are printed, and
//! the CPU time per spawn of this process (the "daemon") and of its children
//! (getrusage), which other programs on the machine disturb much less.
//! `--touch-mib M` first dirties M MiB of heap to show fork's page-table cost
//! growing with the daemon's size (rust.md §3.5, bench/RESULTS.md point 7).
//! Run with `cargo run --release --example spawn_bench`.

use std::ffi::CString;
use std::time::Instant;

use activator::sys::spawn::{spawn, spawn_forked, SpawnRequest};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::wait::waitpid;

const ROUNDS: usize = 5;

/// A method's label, its one-spawn closure and its per-round results.
type Method<'a> = (&'static str, &'a mut dyn FnMut(), Vec<Round>);

/// One round: spawns/s, and CPU µs per spawn of this process and of its children.
#[derive(Clone, Copy)]
struct Round {
    rate: f64,
    self_cpu_us: f64,
    child_cpu_us: f64,
}

/// User + system CPU seconds used so far by `who`.
fn cpu_secs(who: UsageWho) -> f64 {
    getrusage(who).map_or(0.0, |u| {
        let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 * 1e-6;
        t(u.user_time()) + t(u.system_time())
    })
}

fn round(n: u32, one: &mut dyn FnMut()) -> Round {
    let (self0, child0) = (
        cpu_secs(UsageWho::RUSAGE_SELF),
        cpu_secs(UsageWho::RUSAGE_CHILDREN),
    );
    let start = Instant::now();
    for _ in 0..n {
        one();
    }
    let secs = start.elapsed().as_secs_f64();
    let per = |d: f64| d * 1e6 / f64::from(n);
    Round {
        rate: f64::from(n) / secs,
        self_cpu_us: per(cpu_secs(UsageWho::RUSAGE_SELF) - self0),
        child_cpu_us: per(cpu_secs(UsageWho::RUSAGE_CHILDREN) - child0),
    }
}

fn main() {
    let mut n: u32 = 2000;
    let mut touch_mib: usize = 0;
    let mut prog = String::from("/bin/true");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--touch-mib" => touch_mib = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--prog" => prog = args.next().unwrap_or(prog),
            v => n = v.parse().unwrap_or(n),
        }
    }
    // Dirty memory makes fork copy page tables; kept alive until the end.
    let ballast: Vec<u8> = vec![1u8; touch_mib << 20];
    println!(
        "spawn + exec {prog} + waitpid, {n} iterations in {ROUNDS} rounds, {touch_mib} MiB touched"
    );

    let req = SpawnRequest::new(
        CString::new(prog.as_str()).unwrap_or_default(),
        vec![CString::new(prog.as_str()).unwrap_or_default()],
    );
    let mut clone_vfork = || {
        let pid = spawn(&req).expect("spawn");
        let _ = waitpid(pid, None);
    };
    let mut fork = || {
        let pid = spawn_forked(&req).expect("spawn_forked");
        let _ = waitpid(pid, None);
    };
    let mut command = || {
        let _ = std::process::Command::new(&prog)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    };
    let mut methods: [Method<'_>; 3] = [
        ("sys::spawn (clone VM|VFORK)", &mut clone_vfork, Vec::new()),
        ("sys::spawn_forked (fork)", &mut fork, Vec::new()),
        ("std Command (posix_spawn)", &mut command, Vec::new()),
    ];
    let per_round = (n / ROUNDS as u32).max(1);
    for (_, one, _) in methods.iter_mut() {
        round(per_round / 10 + 1, *one); // warm-up
    }
    for _ in 0..ROUNDS {
        for (_, one, rates) in methods.iter_mut() {
            rates.push(round(per_round, *one));
        }
    }
    println!(
        "{:<30} {:>8} {:>8} {:>9} {:>9}",
        "method", "median/s", "best/s", "self µs", "child µs"
    );
    for (label, _, rounds) in methods.iter_mut() {
        let median = |f: fn(&Round) -> f64| {
            let mut v: Vec<f64> = rounds.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let best = rounds.iter().map(|r| r.rate).fold(0.0, f64::max);
        println!(
            "{label:<30} {:>8.0} {best:>8.0} {:>9.1} {:>9.1}",
            median(|r| r.rate),
            median(|r| r.self_cpu_us),
            median(|r| r.child_cpu_us)
        );
    }
    std::hint::black_box(&ballast);
}
