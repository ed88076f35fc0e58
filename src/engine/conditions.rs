//! Checking `Condition*=`/`Assert*=` against this host, as systemd's condition.c
//! (v252) does for the kinds activator implements (`ConditionKind`). Each check is
//! compared with `systemd-analyze condition` in tests/unit_tables.rs.

use std::path::Path;

use nix::unistd::{getegid, geteuid, getgid, getgroups, getuid};

use crate::unit::exec::{list, list_words};
use crate::unit::model::{Condition, ConditionKind};
use crate::unit::specifier::architecture_from_uname;

/// Debian's `SYSTEM_UID_MAX` (login.defs), for `ConditionUser=@system`.
const SYSTEM_UID_MAX: u32 = 999;

/// The capability names of capability_from_name(), in bit order (linux/capability.h).
const CAPABILITIES: [&str; 41] = [
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

/// The architectures systemd names (architecture.c), and `native`, for
/// ConditionArchitecture=.
const ARCHITECTURES: [&str; 34] = [
    "x86",
    "x86-64",
    "ppc",
    "ppc-le",
    "ppc64",
    "ppc64-le",
    "ia64",
    "parisc",
    "parisc64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "mips",
    "mips-le",
    "mips64",
    "mips64-le",
    "alpha",
    "arm",
    "arm-be",
    "arm64",
    "arm64-be",
    "sh",
    "sh64",
    "m68k",
    "tilegx",
    "cris",
    "nios2",
    "riscv32",
    "riscv64",
    "arc",
    "arc-be",
    "loongarch64",
    "native",
];

/// condition_test_list(): whether a list holds — every plain condition, and at
/// least one of the `|` ones if there are any — and each one's outcome, in order.
pub fn test_list(list: &[Condition]) -> (bool, Vec<bool>) {
    let outcomes: Vec<bool> = list.iter().map(holds).collect();
    let mut any_trigger = false;
    let mut triggered = false;
    let mut plain = true;
    for (c, &ok) in list.iter().zip(&outcomes) {
        if c.trigger {
            any_trigger = true;
            triggered |= ok;
        } else {
            plain &= ok;
        }
    }
    (plain && (triggered || !any_trigger), outcomes)
}

/// The conditions that did not hold when the list as a whole does not (for logs and
/// tests); empty when it holds.
pub fn unmet(list: &[Condition]) -> Vec<&Condition> {
    let (ok, outcomes) = test_list(list);
    if ok {
        return Vec::new();
    }
    list.iter()
        .zip(outcomes)
        .filter(|(_, held)| !held)
        .map(|(c, _)| c)
        .collect()
}

/// Log why a start did not happen: each unmet condition, then systemd's line for
/// a skipped start (`Condition`) or a refused one (`Assert`).
pub fn report<'c>(unit: &str, prefix: &str, unmet: impl IntoIterator<Item = &'c Condition>) {
    for c in unmet {
        log::info!("{unit}: {} was not met.", c.describe(prefix));
    }
    if prefix == "Assert" {
        log::error!("{unit}: Starting requested but asserts failed.");
    } else {
        log::info!("{unit}: Condition check resulted in {unit} being skipped.");
    }
}

/// One condition, negation applied; a check that cannot be made counts as not met
/// whatever the `!` ("Couldn't determine result …, assuming failed").
pub fn holds(c: &Condition) -> bool {
    match check(c.kind, &c.parameter) {
        Some(r) => r != c.negate,
        None => false,
    }
}

/// The check itself; None when it cannot be made (unknown name, unreadable file).
fn check(kind: ConditionKind, p: &str) -> Option<bool> {
    use ConditionKind::*;
    let path = Path::new(p);
    Some(match kind {
        PathExists => path.exists(),
        PathExistsGlob => glob::glob(p).ok()?.any(|m| m.is_ok()),
        PathIsDirectory => path.is_dir(),
        PathIsSymbolicLink => path.is_symlink(),
        PathIsMountPoint => is_mount_point(path),
        PathIsReadWrite => is_read_write(path),
        DirectoryNotEmpty => directory_not_empty(path),
        FileNotEmpty => path.metadata().is_ok_and(|m| m.is_file() && m.len() > 0),
        FileIsExecutable => {
            use std::os::unix::fs::PermissionsExt;
            path.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        User => user_is(p),
        Group => group_is(p),
        Host => host_is(p)?,
        KernelCommandLine => {
            let cmdline = kernel_command_line()?;
            let equal = p.contains('=');
            let found = list_words(cmdline.trim_end_matches('\n'), list::KERNEL_CMDLINE)
                .map_while(Result::ok)
                .any(|w| {
                    if equal {
                        w == p
                    } else {
                        w.strip_prefix(p)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
                    }
                });
            found
        }
        Environment => {
            let equal = p.contains('=');
            std::env::vars_os().any(|(k, v)| {
                let (k, v) = (k.to_string_lossy(), v.to_string_lossy());
                if equal {
                    format!("{k}={v}") == p
                } else {
                    k == p
                }
            })
        }
        Architecture => {
            // "unknown architecture? Then it's definitely not ours" (condition.c).
            if !ARCHITECTURES.contains(&p) {
                return Some(false);
            }
            let uname = nix::sys::utsname::uname().ok()?;
            let here = architecture_from_uname(&uname.machine().to_string_lossy());
            p == "native" || p == here
        }
        Capability => {
            let bit = capability_from_name(p)?;
            let status = std::fs::read_to_string("/proc/self/status").ok()?;
            let bounding = status
                .lines()
                .find_map(|l| l.strip_prefix("CapBnd:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
                .unwrap_or(u64::MAX);
            bounding & (1u64 << bit) != 0
        }
    })
}

/// capability_from_name(): a name with or without `cap_`, any case, or a number.
fn capability_from_name(name: &str) -> Option<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return (n < 63).then_some(n);
    }
    let lower = name.to_ascii_lowercase();
    let bare = lower.strip_prefix("cap_").unwrap_or(&lower);
    CAPABILITIES
        .iter()
        .position(|c| *c == bare)
        .map(|i| i as u32)
}

/// path_is_mount_point(…, AT_SYMLINK_FOLLOW) > 0: the resolved path is the mount
/// point of an entry in /proc/self/mountinfo (a missing path is not one).
fn is_mount_point(path: &Path) -> bool {
    let (Ok(real), Ok(mountinfo)) = (
        path.canonicalize(),
        std::fs::read_to_string("/proc/self/mountinfo"),
    ) else {
        return false;
    };
    let real = real.to_string_lossy();
    mountinfo.lines().any(|l| {
        l.split(' ')
            .nth(4)
            .is_some_and(|m| unescape_mountinfo(m) == real)
    })
}

/// detect_container() > 0, from the marks container managers leave.
fn in_container() -> bool {
    [
        "/run/systemd/container",
        "/run/host/container-manager",
        "/run/.containerenv",
        "/.dockerenv",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
        || std::fs::read("/proc/1/environ")
            .is_ok_and(|e| e.split(|b| *b == 0).any(|v| v.starts_with(b"container=")))
        || (Path::new("/proc/vz").exists() && !Path::new("/proc/bc").exists())
}

/// proc_cmdline(): the kernel command line, or in a container the command line of
/// its PID 1, arguments joined by blanks.
fn kernel_command_line() -> Option<String> {
    if in_container() {
        let raw = std::fs::read("/proc/1/cmdline").ok()?;
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        return Some(args.join(" "));
    }
    std::fs::read_to_string("/proc/cmdline").ok()
}

/// Mount points in mountinfo escape blanks, tabs, newlines and backslashes as `\ooo`.
fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (b[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// condition_test_path_is_read_write(): the path exists on a file system mounted
/// read-write.
fn is_read_write(path: &Path) -> bool {
    match nix::sys::statvfs::statvfs(path) {
        Ok(st) => !st.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY),
        Err(e) => e != nix::errno::Errno::ENOENT,
    }
}

/// condition_test_directory_not_empty(): a directory with an entry other than
/// hidden and backup files; an error other than "missing" or "not a directory"
/// counts as not empty.
fn directory_not_empty(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .any(|e| !hidden_or_backup(&e.file_name().to_string_lossy())),
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
        ),
    }
}

/// hidden_or_backup_file() (src/basic/path-util.c).
fn hidden_or_backup(name: &str) -> bool {
    if name.starts_with('.')
        || matches!(name, "lost+found" | "aquota.user" | "aquota.group")
        || name.ends_with('~')
    {
        return true;
    }
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    matches!(
        ext,
        "rpmnew"
            | "rpmsave"
            | "rpmorig"
            | "dpkg-old"
            | "dpkg-new"
            | "dpkg-tmp"
            | "dpkg-dist"
            | "dpkg-bak"
            | "dpkg-backup"
            | "dpkg-remove"
            | "ucf-new"
            | "ucf-old"
            | "ucf-dist"
            | "swp"
            | "bak"
            | "old"
            | "new"
    )
}

/// condition_test_user(): a uid, `@system`, or a user name (looked up).
fn user_is(p: &str) -> bool {
    let (uid, euid) = (getuid().as_raw(), geteuid().as_raw());
    if let Ok(id) = p.parse::<u32>() {
        return id == uid || id == euid;
    }
    if p == "@system" {
        return uid <= SYSTEM_UID_MAX || euid <= SYSTEM_UID_MAX;
    }
    if std::process::id() == 1 {
        return p == "root";
    }
    crate::sys::user::lookup_user(p).is_ok_and(|u| u.uid == uid || u.uid == euid)
}

/// condition_test_group(): a gid or a group name, among the real, effective and
/// supplementary groups.
fn group_is(p: &str) -> bool {
    let gid = match p.parse::<u32>() {
        Ok(id) => id,
        Err(_) if std::process::id() == 1 => return p == "root",
        Err(_) => match crate::sys::user::lookup_group(p) {
            Ok(id) => id,
            Err(_) => return false,
        },
    };
    gid == getgid().as_raw()
        || gid == getegid().as_raw()
        || getgroups().is_ok_and(|g| g.iter().any(|x| x.as_raw() == gid))
}

/// condition_test_host(): a machine ID, or a host name pattern (fnmatch, any case).
fn host_is(p: &str) -> Option<bool> {
    let hex: String = p.chars().filter(|c| *c != '-').collect();
    let is_id = (p.len() == 32 || (p.len() == 36 && hex.len() == 32))
        && hex.chars().all(|c| c.is_ascii_hexdigit());
    if is_id {
        let machine = std::fs::read_to_string("/etc/machine-id").ok()?;
        return Some(machine.trim().eq_ignore_ascii_case(&hex));
    }
    let name = nix::unistd::gethostname().ok()?;
    let options = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    Some(glob::Pattern::new(p).is_ok_and(|pat| pat.matches_with(&name.to_string_lossy(), options)))
}
