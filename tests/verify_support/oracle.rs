//! Differential oracle: run `systemd-analyze verify` and activator's loader on the same
//! unit directory and list every difference that matters to activation.
//!
//! Recipe from the reference notes (systemd.md §9): units in a scratch directory, stub
//! `sysinit.target`/`sockets.target`/`shutdown.target`/`basic.target` appended to
//! `SYSTEMD_UNIT_PATH`, `--man=no --recursive-errors=no`; one quiet run for the messages
//! and exit status, one `SYSTEMD_LOG_LEVEL=debug` run for the unit dump on stdout
//! (`ListenStream: …`, `Command Line: …`, `User: …`) and the `using service unit X.`
//! pairing line on stderr. Shared by tests/verify_corpus.rs and tests/verify_handwritten.rs.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use activator::unit::exec::render_exec_argv;
use activator::unit::loader::{load_named, LoaderOptions, UnitSet};
use activator::unit::table;
use activator::verify::{run_verify, VerifyOptions};

/// Targets every socket depends on by default (systemd.socket(5) "Implicit Dependencies").
const STUB_TARGETS: &[&str] = &[
    "sysinit.target",
    "sockets.target",
    "shutdown.target",
    "basic.target",
    "multi-user.target",
    "local-fs.target",
    "network.target",
    "network-online.target",
    "paths.target",
    "timers.target",
    "emergency.target",
    "rescue.target",
    "getty.target",
    "initrd.target",
    "initrd-root-fs.target",
    "initrd-switch-root.target",
    "remote-fs.target",
    "nss-lookup.target",
    "time-sync.target",
    "umount.target",
    "final.target",
    "default.target",
    "cryptsetup.target",
    "slices.target",
    "swap.target",
    "system.slice",
    "-.slice",
];

/// How long one systemd-analyze run may take before it is killed.
const ORACLE_TIMEOUT: Duration = Duration::from_secs(30);

pub fn systemd_analyze() -> Option<PathBuf> {
    ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Write stub targets into `dir` (which goes last on the search path).
pub fn write_stubs(dir: &Path) {
    fs::create_dir_all(dir).expect("stub dir");
    for t in STUB_TARGETS {
        let p = dir.join(t);
        if !p.exists() {
            fs::write(&p, format!("[Unit]\nDescription=stub {t}\n")).expect("stub");
        }
    }
}

/// Copy a directory tree keeping symlinks as symlinks.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success(), "cp -a {} failed", from.display());
}

/// One run of systemd-analyze.
#[derive(Debug, Default)]
pub struct Run {
    pub rc: i32,
    pub stdout: String,
    pub stderr: String,
}

fn run_bounded(mut cmd: Command, scratch: &Path) -> Run {
    let out = scratch.join(".oracle.out");
    let err = scratch.join(".oracle.err");
    cmd.stdin(Stdio::null())
        .stdout(fs::File::create(&out).expect("out"))
        .stderr(fs::File::create(&err).expect("err"));
    let mut child = cmd.spawn().expect("spawn systemd-analyze");
    let deadline = Instant::now() + ORACLE_TIMEOUT;
    let rc = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break -2;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        rc,
        stdout: fs::read_to_string(&out).unwrap_or_default(),
        stderr: fs::read_to_string(&err).unwrap_or_default(),
    };
    let _ = fs::remove_file(out);
    let _ = fs::remove_file(err);
    run
}

/// Run `systemd-analyze verify` on `arg` with `search` as `SYSTEMD_UNIT_PATH`.
pub fn systemd_verify(search: &[PathBuf], arg: &str, debug: bool, scratch: &Path) -> Run {
    let bin = systemd_analyze().expect("systemd-analyze");
    let mut cmd = Command::new(bin);
    let path: Vec<String> = search.iter().map(|p| p.display().to_string()).collect();
    cmd.env("SYSTEMD_UNIT_PATH", path.join(":"))
        .env("SYSTEMD_LOG_LEVEL", if debug { "debug" } else { "info" })
        .env("SYSTEMD_LOG_COLOR", "0")
        .env_remove("SYSTEMD_LOG_TARGET")
        .current_dir(&search[0])
        .args(["verify", "--man=no", "--recursive-errors=no", arg]);
    run_bounded(cmd, scratch)
}

/// The parts of a unit dump we compare.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    pub name: String,
    pub listen: Vec<String>,
    pub accept: bool,
    pub exec_start: Vec<String>,
    pub user: Option<String>,
    pub dropins: Vec<String>,
}

/// Parse systemd's `unit_dump()` text (`\t-> Unit NAME:` blocks).
pub fn parse_dump(text: &str) -> Vec<Facts> {
    let mut units: Vec<Facts> = Vec::new();
    let mut in_exec_start = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("\t-> Unit ") {
            units.push(Facts {
                name: rest.trim_end_matches(':').to_string(),
                ..Facts::default()
            });
            in_exec_start = false;
            continue;
        }
        let Some(u) = units.last_mut() else { continue };
        if let Some(rest) = line.strip_prefix("\t\t-> ") {
            in_exec_start = rest == "ExecStart:";
            continue;
        }
        if let Some(rest) = line.strip_prefix("\t\t\tCommand Line: ") {
            if in_exec_start {
                u.exec_start.push(rest.to_string());
            }
            continue;
        }
        let Some(kv) = line.strip_prefix("\t\t") else {
            continue;
        };
        if kv.starts_with('\t') {
            continue;
        }
        in_exec_start = false;
        let Some((k, v)) = kv
            .split_once(": ")
            .or_else(|| kv.strip_suffix(':').map(|k| (k, "")))
        else {
            continue;
        };
        match k {
            "ListenStream"
            | "ListenDatagram"
            | "ListenSequentialPacket"
            | "ListenFIFO"
            | "ListenSpecial"
            | "ListenNetlink"
            | "ListenMessageQueue"
            | "ListenUSBFunction" => u.listen.push(format!("{k}: {v}")),
            // socket_dump() prints the counters only for Accept=yes sockets.
            "Accepted" => u.accept = true,
            "User" => u.user = Some(v.to_string()),
            "DropIn Path" => u.dropins.push(v.to_string()),
            _ => {}
        }
    }
    units
}

/// The same facts from our loaded set.
pub fn our_facts(set: &UnitSet, name: &str) -> Option<Facts> {
    let real = set
        .aliases
        .get(name)
        .cloned()
        .unwrap_or_else(|| name.to_string());
    if let Some(s) = set.sockets.get(&real) {
        return Some(Facts {
            name: real.clone(),
            listen: s
                .listen
                .iter()
                .map(|l| format!("{}: {}", l.directive(), l))
                .collect(),
            accept: s.accept,
            exec_start: Vec::new(),
            user: s.exec.user.clone(),
            dropins: s
                .source
                .dropins
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        });
    }
    let s = set.services.get(&real)?;
    Some(Facts {
        name: real.clone(),
        listen: Vec::new(),
        accept: false,
        exec_start: s.exec_start.iter().map(render_exec_argv).collect(),
        user: s.exec.user.clone(),
        dropins: s
            .source
            .dropins
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    })
}

/// systemd's `X: using service unit Y.` debug line for socket X.
pub fn systemd_pairing(debug_stderr: &str, socket: &str) -> Option<String> {
    let prefix = format!("{socket}: using service unit ");
    debug_stderr
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|s| s.trim_end_matches('.').to_string())
}

/// Failure indicators other than syntax warnings in systemd-analyze's quiet output.
fn failure_line(line: &str) -> bool {
    line.contains(" not found.")
        || line.contains(" is masked.")
        || line.contains("has a bad unit file setting")
        || line.contains("not loaded, socket cannot be started")
        || line.contains("failed to load properly")
        || line.contains("Failed to prepare filename")
}

/// Notice-level syntax messages: printed, never fatal.
fn notice_line(line: &str) -> bool {
    line.contains(": Special user ")
}

/// Result of comparing one verify argument.
#[derive(Debug, Default)]
pub struct Comparison {
    pub mismatches: Vec<String>,
    pub notes: Vec<String>,
}

/// Verify `unit` (looked up as `search[0]/unit`) with both tools and compare.
pub fn compare(search: &[PathBuf], unit: &str, scratch: &Path) -> Comparison {
    let mut c = Comparison::default();
    let arg = search[0].join(unit).display().to_string();
    let root = scratch.display().to_string();
    let norm = |s: &str| s.replace(&root, "DIR");

    let quiet = systemd_verify(search, &arg, false, scratch);
    let debug = systemd_verify(search, &arg, true, scratch);
    if quiet.rc == -2 || debug.rc == -2 {
        c.mismatches
            .push(format!("{unit}: systemd-analyze timed out"));
        return c;
    }
    let sd_msgs: BTreeSet<String> = quiet.stderr.lines().map(norm).collect();
    let sd_fail = quiet.rc != 0;
    let opts = VerifyOptions {
        unit_paths: search.to_vec(),
        units: vec![arg.clone()],
        ..VerifyOptions::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let our_rc = run_verify(&opts, &mut out, &mut err);
    let set = load_named(
        &LoaderOptions {
            unit_paths: search.to_vec(),
        },
        std::slice::from_ref(&arg),
    );
    let activator_only: BTreeSet<String> = set
        .diagnostics
        .iter()
        .filter(|d| table::is_activator_only(d))
        .map(|d| norm(&d.to_string()))
        .collect();
    let our_msgs: BTreeSet<String> = String::from_utf8_lossy(&err)
        .lines()
        .map(norm)
        .filter(|l| !activator_only.contains(l))
        .collect();
    for l in &activator_only {
        c.notes.push(format!("{unit}: activator-only: {l}"));
    }

    // "Command X is not executable" for a command after the first of its Exec*= list:
    // current systemd's verify_executables() checks every command, 252's only the
    // first of each list, and activator follows current systemd.
    let later_commands: BTreeSet<String> = our_msgs
        .difference(&sd_msgs)
        .filter(|l| l.contains(" is not executable: "))
        .cloned()
        .collect();
    for l in &later_commands {
        c.notes.push(format!(
            "{unit}: current systemd checks later commands too: {l}"
        ));
    }
    let our_msgs: BTreeSet<String> = our_msgs.difference(&later_commands).cloned().collect();
    // Failing only because of those lines, where systemd 252 passes, is the same difference.
    let fails_alone = |l: &String| failure_line(l) || (l.starts_with("DIR/") && !notice_line(l));
    let only_later = !later_commands.is_empty() && !our_msgs.iter().any(fails_alone);
    let our_fail = our_rc != 0 && (sd_fail || !only_later);
    if sd_fail != our_fail {
        c.mismatches.push(format!(
            "{unit}: exit status differs: systemd {} (rc {}), activator {}",
            if sd_fail { "fails" } else { "passes" },
            quiet.rc,
            our_rc
        ));
    }
    for l in sd_msgs.difference(&our_msgs) {
        c.mismatches.push(format!("{unit}: only systemd says: {l}"));
    }
    for l in our_msgs.difference(&sd_msgs) {
        c.mismatches
            .push(format!("{unit}: only activator says: {l}"));
    }

    // The dump exists only for units that loaded.
    let sd_units = parse_dump(&debug.stdout);
    let real = set
        .requested
        .first()
        .and_then(|(_, n)| n.clone())
        .unwrap_or_else(|| unit.to_string());
    if let Some(sd) = sd_units.first() {
        match our_facts(&set, &real) {
            None => c.mismatches.push(format!(
                "{unit}: systemd dumped {} but activator has no unit",
                sd.name
            )),
            Some(ours) => {
                let mut ours = ours;
                let mut sd = sd.clone();
                ours.dropins = ours.dropins.iter().map(|s| norm(s)).collect();
                sd.dropins = sd.dropins.iter().map(|s| norm(s)).collect();
                // 252 prints no DropIn Path for units without fragment; compare sorted
                // lists since the dump lists them in application order too.
                for (what, a, b) in [
                    ("name", vec![sd.name.clone()], vec![ours.name.clone()]),
                    ("listen", sd.listen.clone(), ours.listen.clone()),
                    (
                        "accept",
                        vec![sd.accept.to_string()],
                        vec![ours.accept.to_string()],
                    ),
                    ("ExecStart", sd.exec_start.clone(), ours.exec_start.clone()),
                    (
                        "User",
                        sd.user.clone().into_iter().collect(),
                        ours.user.clone().into_iter().collect(),
                    ),
                    ("drop-ins", sd.dropins.clone(), ours.dropins.clone()),
                ] {
                    if a != b {
                        c.mismatches.push(format!(
                            "{unit}: {what} differs: systemd {a:?}, activator {b:?}"
                        ));
                    }
                }
                if real.ends_with(".socket") {
                    let sd_pair = systemd_pairing(&debug.stderr, &sd.name);
                    let our_pair = set.sockets.get(&ours.name).and_then(|s| {
                        if set.missing_service.contains_key(&s.name) {
                            None
                        } else if s.accept {
                            Some(s.service_name().replace("@.", "@internal."))
                        } else {
                            let n = s.service_name();
                            Some(set.aliases.get(&n).cloned().unwrap_or(n))
                        }
                    });
                    if sd_pair != our_pair {
                        c.mismatches.push(format!(
                            "{unit}: service pairing differs: systemd {sd_pair:?}, activator {our_pair:?}"
                        ));
                    }
                }
            }
        }
    }
    c
}
