//! State glyphs and colours, as systemctl picks them.
//!
//! systemd: `unit_active_state_to_glyph()` (● active/activating/deactivating,
//! ○ inactive/maintenance, × failed, ↻ reloading/refreshing) and
//! `format_active_state()` in systemctl-util.c (failed → bold red,
//! active/reloading → bold green). Colour is used only when stdout is a tty.

use crate::unit::values::EXIT_STATUS_NAMES;

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

/// systemd's `exit_status_to_string(…, EXIT_STATUS_FULL)` (src/basic/exit-status.c,
/// v252): the libc, LSB and systemd names of the unit parser's table, not the BSD
/// ones (64–78), for `status=N/NAME`; compared with `systemd-analyze exit-status`
/// in tests/ctl_format.rs.
pub fn exit_status_name(status: i32) -> Option<&'static str> {
    if (64..=78).contains(&status) {
        return None;
    }
    EXIT_STATUS_NAMES
        .iter()
        .find(|(_, n)| i32::from(*n) == status)
        .map(|(name, _)| *name)
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
