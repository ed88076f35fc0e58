//! Link-time layout of the `activatord` release binary (see build/gen-symbol-order.sh).
//!
//! - `--symbol-ordering-file=build/activatord.order`: the functions the daemon runs
//!   while it starts, idles and serves are placed together, so an idle daemon keeps
//!   about 0.6 MB of its code resident instead of about 2 MB.
//! - `-z pack-relative-relocs` (DT_RELR, glibc ≥ 2.36): the ~3,500 relative
//!   relocations of a PIE take 2 KB instead of 84 KB, read once at start.
//!
//! Both need LLD, rustc's default linker on x86_64-unknown-linux-gnu since 1.90.
//! They are left out when RUSTFLAGS or CARGO_TARGET_…_LINKER choose the linker; set
//! `ACTIVATOR_PLAIN_LINK=1` to leave them out otherwise (a linker set in a cargo
//! config file, a glibc older than 2.36).

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build/activatord.order");
    println!("cargo:rerun-if-env-changed=ACTIVATOR_PLAIN_LINK");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    // A linker chosen by hand may not be LLD.
    let own_linker = env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some()
        || env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|f| f.contains("link"));
    if own_linker
        || env::var_os("ACTIVATOR_PLAIN_LINK").is_some()
        || env::var("PROFILE").as_deref() != Ok("release")
        || env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || !rustc_links_with_lld()
    {
        return;
    }
    let order = format!(
        "{}/build/activatord.order",
        env::var("CARGO_MANIFEST_DIR").unwrap_or_default()
    );
    if std::path::Path::new(&order).exists() {
        println!("cargo:rustc-link-arg-bin=activatord=-Wl,--symbol-ordering-file={order}");
        println!("cargo:rustc-link-arg-bin=activatord=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo:rustc-link-arg-bin=activatord=-Wl,-z,pack-relative-relocs");
}

/// rustc ≥ 1.90 links x86_64-unknown-linux-gnu with its bundled LLD.
fn rustc_links_with_lld() -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("-V").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    let mut parts = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}
