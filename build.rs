//! Link-time layout of the `activatord` release binary (see build/gen-symbol-order.sh).
//!
//! - `--symbol-ordering-file=build/activatord.order`: the functions the daemon runs
//!   are placed together, in phase order, so an idle daemon keeps about 0.5 MB of
//!   its code resident instead of about 2 MB.
//! - `-z pack-relative-relocs` (DT_RELR, glibc ≥ 2.36): the ~3,500 relative
//!   relocations of a PIE take 1 KB instead of 84 KB, read once at start.
//!
//! Each is used only when a probe program links with it, using the same rustc,
//! target, flags and linker as this build (rustc's bundled LLD, the default on
//! x86_64-unknown-linux-gnu since 1.90, takes both; GNU ld takes only the second),
//! and for DT_RELR only when the probe also runs here. `ACTIVATOR_PLAIN_LINK=1`
//! leaves both out.

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
}

/// Whether an empty program links with `link_args` (and, with `run`, starts).
fn probe(out: &Path, name: &str, link_args: &[String], run: bool) -> bool {
    let src = out.join("probe.rs");
    if fs::write(&src, "fn main() {}\n").is_err() {
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
    for arg in link_args {
        cmd.arg(format!("-Clink-arg={arg}"));
    }
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    quiet(&mut cmd) && (!run || quiet(&mut Command::new(&bin)))
}
