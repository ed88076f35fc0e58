//! Link-time layout of the `activatord` release binary (see build/gen-symbol-order.sh).
//!
//! - `--symbol-ordering-file=build/activatord.order`: the functions the daemon runs
//!   are placed together, in phase order, so an idle daemon keeps about 0.5 MB of
//!   its code resident instead of about 2 MB.
//! - `-z pack-relative-relocs` (DT_RELR, glibc ≥ 2.36): the ~3,500 relative
//!   relocations of a PIE take 1 KB instead of 84 KB, read once at start.
//! - the unwinder from gcc's static `libgcc_eh.a` instead of `libgcc_s.so.1` (what
//!   std does for `crt-static`): named before std's `-lgcc_s`, it resolves the
//!   `_Unwind_*` symbols first, so `--as-needed` drops `libgcc_s.so.1`. Loading that
//!   library and running its constructor (`__cpu_indicator_init`, a dozen `cpuid`
//!   instructions, each a VM exit of about 6 µs on a Firecracker guest) took
//!   0.10-0.12 ms of every start, a third of what separated activatord's start-up
//!   from busybox inetd's (issue #4).
//!
//! Each is used only when a probe program links with it, using the same rustc,
//! target, flags and linker as this build (rustc's bundled LLD, the default on
//! x86_64-unknown-linux-gnu since 1.90, takes all three; GNU ld takes only the
//! last two), and for DT_RELR and the static unwinder only when the probe also runs
//! here (the unwinder's probe catches a panic). `ACTIVATOR_PLAIN_LINK=1` leaves all
//! three out.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=build/activatord.order");
    println!("cargo:rerun-if-env-changed=ACTIVATOR_PLAIN_LINK");
    if env::var_os("ACTIVATOR_PLAIN_LINK").is_some()
        || env::var("PROFILE").as_deref() != Ok("release")
        || env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux")
    {
        return;
    }
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let order = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("build/activatord.order");
    if order.exists() {
        let ordering = [
            format!("-Wl,--symbol-ordering-file={}", order.display()),
            "-Wl,--no-warn-symbol-ordering".to_string(),
        ];
        if probe(&out, "order", &ordering, false) {
            for arg in ordering {
                println!("cargo:rustc-link-arg-bin=activatord={arg}");
            }
        }
    }
    let relr = ["-Wl,-z,pack-relative-relocs".to_string()];
    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    if native && probe(&out, "relr", &relr, true) {
        println!("cargo:rustc-link-arg-bin=activatord={}", relr[0]);
    }
    if native && probe_static_unwinder(&out) {
        // A crate-level native library: rustc lists it before the libraries of std.
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}

/// Whether a program that catches a panic links and runs with `-l static=gcc_eh`.
fn probe_static_unwinder(out: &Path) -> bool {
    let body = "fn main() {\n    \
        let caught = std::panic::catch_unwind(|| {\n        \
        std::panic::set_hook(Box::new(|_| {}));\n        \
        if std::env::args().count() < 9 { panic!(\"probe\") }\n    });\n    \
        std::process::exit(if caught.is_err() { 0 } else { 1 });\n}\n";
    rustc_probe(out, "unwind", body, &["-lstatic=gcc_eh".to_string()], true)
}

/// Whether an empty program links with `link_args` (and, with `run`, starts).
fn probe(out: &Path, name: &str, link_args: &[String], run: bool) -> bool {
    let args: Vec<String> = link_args
        .iter()
        .map(|a| format!("-Clink-arg={a}"))
        .collect();
    rustc_probe(out, name, "fn main() {}\n", &args, run)
}

/// Whether `source` compiles and links with the extra rustc `args` (and, with
/// `run`, exits 0).
fn rustc_probe(out: &Path, name: &str, source: &str, args: &[String], run: bool) -> bool {
    let src = out.join(format!("probe-{name}.rs"));
    if fs::write(&src, source).is_err() {
        return false;
    }
    let bin = out.join(format!("probe-{name}"));
    let mut cmd = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()));
    cmd.arg("--crate-name")
        .arg(format!("probe_{name}"))
        .arg("-o")
        .arg(&bin)
        .arg(&src);
    if let Ok(target) = env::var("TARGET") {
        cmd.arg("--target").arg(target);
    }
    if let Ok(linker) = env::var("RUSTC_LINKER") {
        cmd.arg(format!("-Clinker={linker}"));
    }
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        cmd.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    cmd.args(args);
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    quiet(&mut cmd) && (!run || quiet(&mut Command::new(&bin)))
}
