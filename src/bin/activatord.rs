//! `activatord`: the socket-activation daemon, plus `verify` and `convert`.
//! Thin: parse flags into library options and call the library.
//!
//! It starts without Rust's `lang_start` (`#![no_main]`, a C `main` below). That
//! start-up reads `/proc/self/maps` through glibc's `pthread_getattr_np` (fopen +
//! sscanf) only to label stack overflows, which keeps ~190 KiB of libc's stdio and
//! scanf code resident in every idle daemon and costs a file read at each start.
//! Of the rest of it, `main` redoes what the daemon needs: fds 0-2 are put on
//! /dev/null when closed and SIGPIPE is ignored (children start with every
//! disposition at its default, as before). A stack overflow ends in SIGSEGV
//! without Rust's one-line message.

#![no_main]

use std::path::PathBuf;

use activator::daemon::{self, DaemonOptions};
use activator::daemon_cli::{Cli, Command, ConfigArgs, DialectArg};
use activator::inetd::{Dialect, InetdOptions};
use activator::verify::{run_verify, VerifyOptions};
use clap::Parser;

fn inetd_options(c: &ConfigArgs) -> InetdOptions {
    InetdOptions {
        dialect: match c.inetd_dialect {
            DialectArg::Openbsd => Dialect::OpenBsd,
            DialectArg::Freebsd => Dialect::FreeBsd,
            DialectArg::Inetutils => Dialect::Inetutils,
            DialectArg::Busybox => Dialect::Busybox,
        },
        services_file: c.services.clone(),
    }
}

/// A unit argument that is a file path (it has a `/`) made absolute against `cwd`;
/// a unit name as given.
fn absolute_unit_arg(cwd: &std::path::Path, unit: &str) -> String {
    if unit.contains('/') {
        cwd.join(unit).display().to_string()
    } else {
        unit.to_string()
    }
}

/// The C entry point, called by the C runtime with the arguments `std::env`
/// already has (glibc passes them to Rust's `.init_array` hook).
// SAFETY: `no_mangle` exports the symbol `main`; this binary defines no other
// (`#![no_main]` above), so nothing else of that name can clash with it.
#[no_mangle]
pub extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    if activator::sys::fds::sanitize_standard_fds().is_err() {
        // Nowhere to report it: no stderr. Rust's start-up aborts here too.
        std::process::abort();
    }
    activator::sys::signals::ignore_sigpipe();
    // process::exit runs Rust's at-exit cleanup (flushes stdout), as lang_start does.
    std::process::exit(i32::from(real_main()))
}

/// The exit status (init mode passes the main program's on).
fn real_main() -> u8 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Verify {
            config,
            dump,
            json,
            units,
        }) => {
            let opts = VerifyOptions {
                unit_paths: config.unit_paths.clone(),
                inetd_confs: config.inetd_confs.clone(),
                inetd: inetd_options(&config),
                units,
                dump,
                json,
            };
            let code = run_verify(&opts, &mut std::io::stdout(), &mut std::io::stderr());
            code.clamp(0, 255) as u8
        }
        Some(Command::Convert { config, output }) => {
            if config.inetd_confs.is_empty() {
                eprintln!("activatord convert: --inetd-conf FILE is required");
                return 2;
            }
            match activator::inetd::convert(&config.inetd_confs, &inetd_options(&config), &output) {
                Ok(diags) => {
                    for d in &diags {
                        eprintln!("{d}");
                    }
                    0
                }
                Err(e) => {
                    eprintln!("activatord convert: {e}");
                    1
                }
            }
        }
        None => {
            let run = cli.run;
            let level =
                activator::logging::parse_level(&run.log_level).unwrap_or(log::LevelFilter::Info);
            match &run.syslog {
                Some(path) => activator::logging::init_syslog(level, path),
                None => activator::logging::init(level),
            }
            // Absolute paths before anything changes directory (--init works from /)
            // and because systemd's search paths, %Y and FragmentPath are absolute.
            let cwd = std::env::current_dir().unwrap_or_default();
            let abs = |p: &PathBuf| cwd.join(p);
            let mut inetd = inetd_options(&run.config);
            inetd.services_file = abs(&inetd.services_file);
            let opts = DaemonOptions {
                unit_paths: run.config.unit_paths.iter().map(abs).collect(),
                inetd_confs: run.config.inetd_confs.iter().map(abs).collect(),
                inetd,
                wanted_by: run.wanted_by,
                units: run
                    .units
                    .iter()
                    .map(|u| absolute_unit_arg(&cwd, u))
                    .collect(),
                deserialize_fd: run.deserialize,
                runtime_dir: run.runtime_dir.as_ref().map(abs),
                init: run.init,
                inetd_rate: run.inetd_rate,
                main_command: run.command,
                bus: activator::bus::BusOptions {
                    control_socket: run.control_socket.as_ref().map(abs),
                    bus: match run.bus.parse() {
                        Ok(b) => b,
                        Err(e) => {
                            eprintln!("activatord: {e}");
                            return 2;
                        }
                    },
                },
            };
            match daemon::run(&opts) {
                Ok(code) => code.clamp(0, 255) as u8,
                Err(e) => {
                    eprintln!("activatord: {e}");
                    1
                }
            }
        }
    }
}
