//! `activatord verify`: load units like `systemd-analyze verify` and print diagnostics.
//!
//! Output copies systemd-analyze: one `FILE:LINE: message` (or `UNIT: message`) line per
//! diagnostic on stderr, and exit status 1 when a named unit did not load (not found,
//! masked, bad setting, unreadable), when a socket's service is missing, when a named
//! unit's command is not an executable file (`verify_executables()`), when any
//! loaded unit file produced a syntax warning — systemd-analyze (v250+,
//! src/analyze/analyze-verify-util.c `log_syntax_callback()`) fails on those too — or
//! when an inetd.conf entry had an error. Warnings about settings only activator cares
//! about (`table::is_activator_only`) and systemd's notice-level remarks never change
//! the exit status.

use std::io::Write;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Severity};
use crate::engine::exec_plan::find_executable;
use crate::inetd::{load_inetd, InetdOptions};
use crate::unit::dump::dump_unit;
use crate::unit::loader::{load_all, load_named, LoaderOptions, UnitSet};
use crate::unit::model::{ExecCommand, LoadState, ServiceUnit, SocketUnit, Unit};
use crate::unit::table;

/// What `activatord verify` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Search path; empty means systemd's default system path.
    pub unit_paths: Vec<PathBuf>,
    /// inetd.conf files to load too.
    pub inetd_confs: Vec<PathBuf>,
    pub inetd: InetdOptions,
    /// Unit names or unit file paths. With neither units nor inetd files, every socket
    /// on the search path is verified.
    pub units: Vec<String>,
    /// Print every loaded unit (`dump_unit`) on `out`.
    pub dump: bool,
    /// Print every loaded unit as a JSON array on `out`.
    pub json: bool,
}

/// Messages systemd logs below warning level (`log_syntax(…, LOG_NOTICE, …)`): shown,
/// but `systemd-analyze verify` does not fail on them.
const NOTICE_PREFIXES: &[&str] = &["Special user "];

fn is_notice(d: &Diagnostic) -> bool {
    NOTICE_PREFIXES.iter().any(|p| d.message.starts_with(p))
}

/// A warning that makes systemd-analyze exit 1: a syntax warning on a line of a unit file.
fn counts_as_syntax_error(d: &Diagnostic) -> bool {
    d.severity == Severity::Warning
        && d.file.is_some()
        && d.line > 0
        && !is_notice(d)
        && !table::is_activator_only(d)
}

/// Load what `opts` names, write diagnostics to `err` (and the dump or JSON to `out`),
/// and return the exit status.
pub fn run_verify(opts: &VerifyOptions, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // Search paths and file arguments absolute, as systemd-analyze makes them
    // (`path_make_absolute_cwd()`): %Y and FragmentPath come from them.
    let cwd = std::env::current_dir().ok();
    let loader_opts = LoaderOptions {
        unit_paths: match &cwd {
            Some(cwd) => opts.unit_paths.iter().map(|p| cwd.join(p)).collect(),
            None => opts.unit_paths.clone(),
        },
    };
    let args: Vec<String> = opts
        .units
        .iter()
        .map(|u| verify_argument(u, cwd.as_deref()))
        .collect();
    let mut set = if args.is_empty() && opts.inetd_confs.is_empty() {
        load_all(&loader_opts)
    } else {
        load_named(&loader_opts, &args)
    };
    let mut failed = named_units_failed(&set);
    let missing = missing_executables(&set);
    failed |= !missing.is_empty();
    set.diagnostics.extend(missing);
    // Only unit files follow systemd-analyze's "any syntax warning fails" rule; inetd.conf
    // entries fail on errors (an entry that was dropped).
    failed |= set.diagnostics.iter().any(counts_as_syntax_error);
    if !opts.inetd_confs.is_empty() {
        let inetd = load_inetd(&opts.inetd_confs, &opts.inetd);
        failed |= inetd.diagnostics.iter().any(Diagnostic::is_error);
        set.add_units(inetd.sockets, inetd.services, inetd.diagnostics);
    }
    for d in &set.diagnostics {
        // Write errors on stderr cannot be reported anywhere better.
        let _ = writeln!(err, "{d}");
    }
    if opts.json {
        let units = all_units(&set);
        match serde_json::to_string_pretty(&units) {
            Ok(s) => {
                let _ = writeln!(out, "{s}");
            }
            Err(e) => {
                let _ = writeln!(err, "Failed to serialize units: {e}");
                failed = true;
            }
        }
    } else if opts.dump {
        for u in all_units(&set) {
            let _ = write!(out, "{}", dump_unit(&u));
        }
    }
    i32::from(failed)
}

/// systemd-analyze resolves every argument against the current directory
/// (`verify_prepare_filename()`: `path_make_absolute_cwd()`); we do that for paths and
/// for names that exist there as files, and look other names up on the search path.
fn verify_argument(arg: &str, cwd: Option<&std::path::Path>) -> String {
    let has_slash = arg.contains('/');
    if !has_slash && !std::path::Path::new(arg).is_file() {
        return arg.to_string();
    }
    match cwd {
        Some(cwd) => cwd.join(arg).display().to_string(),
        None if has_slash => arg.to_string(),
        None => format!("./{arg}"),
    }
}

/// True when a unit named on the command line is unusable, or a socket among the
/// loaded ones cannot be started for lack of its service.
fn named_units_failed(set: &UnitSet) -> bool {
    let bad_name = set.requested.iter().any(|(_, n)| n.is_none());
    let bad_state = set
        .requested
        .iter()
        .filter_map(|(_, n)| n.as_deref())
        .any(|n| {
            matches!(
                set.load_state(n),
                Some(
                    LoadState::NotFound
                        | LoadState::Masked
                        | LoadState::BadSetting
                        | LoadState::Error
                )
            )
        });
    bad_name || bad_state || !set.missing_service.is_empty()
}

/// `verify_executables()` (src/analyze/analyze-verify-util.c): every command of a
/// service or socket named for verification (and loaded) must be an executable file,
/// unless `-` ignores its failure. Current systemd checks each command of every
/// `Exec*=` list; 252 checked only the first of each list (followed: current).
fn missing_executables(set: &UnitSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for name in set.requested.iter().filter_map(|(_, n)| n.as_deref()) {
        if set.load_state(name) != Some(LoadState::Loaded) {
            continue;
        }
        let commands: Vec<&ExecCommand> = if let Some(s) = set.services.get(name) {
            // ServiceExecCommand order (src/core/service.h).
            [
                &*s.exec_condition,
                &*s.exec_start_pre,
                &s.exec_start,
                &*s.exec_start_post,
                &*s.exec_reload,
                &*s.exec_stop,
                &*s.exec_stop_post,
            ]
            .into_iter()
            .flatten()
            .collect()
        } else if let Some(s) = set.sockets.get(name) {
            // SocketExecCommand order (src/core/socket.h).
            [
                &*s.exec_start_pre,
                &*s.exec_start_post,
                &*s.exec_stop_pre,
                &*s.exec_stop_post,
            ]
            .into_iter()
            .flatten()
            .collect()
        } else {
            continue;
        };
        for cmd in commands.into_iter().filter(|c| !c.ignore_failure) {
            if let Err(e) = find_executable(&cmd.path) {
                out.push(Diagnostic::unit_error(
                    name,
                    format!("Command {} is not executable: {}", cmd.path, e.desc()),
                ));
            }
        }
    }
    out
}

/// Every unit of the set, sockets first, each group sorted by name.
fn all_units(set: &UnitSet) -> Vec<Unit> {
    set.sockets
        .values()
        .map(|s| Unit::Socket(SocketUnit::clone(s)))
        .chain(
            set.services
                .values()
                .map(|s| Unit::Service(ServiceUnit::clone(s))),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_do_not_count() {
        let d = Diagnostic::warning_at(
            "/x.service",
            3,
            "Special user nobody configured, this is not safe!",
        );
        assert!(is_notice(&d));
        let unit_level = Diagnostic::unit_error("x.socket", "boom");
        assert!(!counts_as_syntax_error(&unit_level));
    }
}
