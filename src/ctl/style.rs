//! State glyphs and colours, as systemctl picks them.
//!
//! systemd: `unit_active_state_to_glyph()` (● active/activating/deactivating,
//! ○ inactive/maintenance, × failed, ↻ reloading/refreshing) and
//! `format_active_state()` in systemctl-util.c (failed → bold red,
//! active/reloading → bold green). Colour is used only when stdout is a tty.

pub const RED: &str = "\x1b[0;1;31m";
pub const GREEN: &str = "\x1b[0;1;32m";
pub const CYAN: &str = "\x1b[0;1;36m";
/// ansi_highlight_yellow().
pub const YELLOW: &str = "\x1b[0;1;38;5;185m";
pub const NORMAL: &str = "\x1b[0m";

/// The glyph in front of a unit: systemd's `unit_active_state_to_glyph()`.
pub fn state_glyph(active_state: &str) -> &'static str {
    match active_state {
        "active" | "activating" | "deactivating" => "●",
        "failed" => "×",
        "reloading" | "refreshing" => "↻",
        _ => "○",
    }
}

/// The (on, off) colour codes for an active state.
pub fn state_colors(active_state: &str, color: bool) -> (&'static str, &'static str) {
    if !color {
        return ("", "");
    }
    match active_state {
        "failed" => (RED, NORMAL),
        "active" | "reloading" | "refreshing" => (GREEN, NORMAL),
        _ => ("", ""),
    }
}

/// `text` in `code` when colouring.
pub fn paint(text: &str, code: &str, color: bool) -> String {
    if color && !code.is_empty() {
        format!("{code}{text}{NORMAL}")
    } else {
        text.to_string()
    }
}

/// systemd's `exit_status_to_string(…, EXIT_STATUS_LIBC | EXIT_STATUS_SYSTEMD)`
/// (src/basic/exit-status.c), for `status=N/NAME`.
pub fn exit_status_name(status: i32) -> Option<&'static str> {
    Some(match status {
        0 => "SUCCESS",
        1 => "FAILURE",
        2 => "INVALIDARGUMENT",
        3 => "NOTIMPLEMENTED",
        4 => "NOPERMISSION",
        5 => "NOTINSTALLED",
        6 => "NOTCONFIGURED",
        7 => "NOTRUNNING",
        200 => "CHDIR",
        201 => "NICE",
        202 => "FDS",
        203 => "EXEC",
        204 => "MEMORY",
        205 => "LIMITS",
        206 => "OOM_ADJUST",
        207 => "SIGNAL_MASK",
        208 => "STDIN",
        209 => "STDOUT",
        210 => "CHROOT",
        211 => "IOPRIO",
        212 => "TIMERSLACK",
        213 => "SECUREBITS",
        214 => "SETSCHEDULER",
        215 => "CPUAFFINITY",
        216 => "GROUP",
        217 => "USER",
        218 => "CAPABILITIES",
        219 => "CGROUP",
        220 => "SETSID",
        221 => "CONFIRM",
        222 => "STDERR",
        224 => "PAM",
        225 => "NETWORK",
        226 => "NAMESPACE",
        227 => "NO_NEW_PRIVILEGES",
        228 => "SECCOMP",
        229 => "SELINUX_CONTEXT",
        230 => "PERSONALITY",
        231 => "APPARMOR_PROFILE",
        232 => "ADDRESS_FAMILIES",
        233 => "RUNTIME_DIRECTORY",
        235 => "CHOWN",
        236 => "SMACK_PROCESS_LABEL",
        237 => "KEYRING",
        238 => "STATE_DIRECTORY",
        239 => "CACHE_DIRECTORY",
        240 => "LOGS_DIRECTORY",
        241 => "CONFIGURATION_DIRECTORY",
        242 => "NUMA_POLICY",
        243 => "CREDENTIALS",
        245 => "BPF",
        _ => return None,
    })
}

/// `exited`, `killed`, `dumped`: systemd's `sigchld_code_to_string()`.
pub fn sigchld_code_name(code: i32) -> &'static str {
    match code {
        1 => "exited",
        2 => "killed",
        3 => "dumped",
        4 => "trapped",
        5 => "stopped",
        6 => "continued",
        _ => "unknown",
    }
}

/// `TERM` for 15: systemd's `signal_to_string()` has no `SIG` prefix.
pub fn signal_short_name(sig: i32) -> String {
    crate::unit::values::signal_name(sig)
        .map(|n| n.trim_start_matches("SIG").to_string())
        .unwrap_or_else(|| sig.to_string())
}

/// `(code=exited, status=1/FAILURE)` / `(code=killed, signal=TERM)`.
pub fn exit_description(code: i32, status: i32) -> String {
    let what = if code == 1 {
        match exit_status_name(status) {
            Some(n) => format!("status={status}/{n}"),
            None => format!("status={status}"),
        }
    } else {
        format!("signal={}", signal_short_name(status))
    };
    format!("(code={}, {what})", sigchld_code_name(code))
}
