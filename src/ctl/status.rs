//! `activatorctl status`: the text systemctl's `print_status_info()`
//! (src/systemctl/systemctl-show.c) prints, as a pure function of a
//! `UnitStatus` so it can be snapshot-tested.
//!
//! Layout rules copied from systemctl (systemd.md §6.6): first line = state
//! glyph + id + ` - Description` (omitted when equal to the id); labels are
//! right-aligned so the colon sits in column 12 and the value follows one space
//! later; `Listen:` lines are `ADDRESS (Type)`; `Accepted: N; Connected: N;`
//! only for Accept=yes sockets, with `   Refused: N` appended when non-zero;
//! `Triggers:` lines always carry ● coloured by the triggered unit's state,
//! `TriggeredBy:` lines the state glyph of the socket. cgroup lines (Tasks,
//! Memory, CPU, CGroup) and journal lines have no equivalent here.

use std::collections::HashMap;

use super::style::{exit_description, paint, state_colors, state_glyph, CYAN, RED, YELLOW};
use super::time::{format_relative, format_timespan, format_timestamp};
use crate::engine::control::{ManagerStatus, UnitStatus};

/// What the status text needs besides the unit itself.
#[derive(Debug, Clone, Default)]
pub struct StatusContext {
    /// "Now" for the relative times (µs since the epoch).
    pub now: u64,
    pub color: bool,
    /// Active state of the units named in Triggers/TriggeredBy.
    pub unit_states: HashMap<String, String>,
    /// `comm` of running main processes (systemctl reads /proc/PID/comm).
    pub comms: HashMap<u32, String>,
}

/// A label right-aligned so its colon lands in column 12 (`     Listen:`);
/// an empty label gives the 12-space continuation indent.
fn label(l: &str) -> String {
    format!("{l:>12}")
}

fn active_since(u: &UnitStatus) -> u64 {
    match u.active_state.as_str() {
        "active" | "reloading" => u.active_enter_timestamp,
        "inactive" | "failed" => u.inactive_enter_timestamp,
        "activating" => u.inactive_exit_timestamp,
        _ => u.active_exit_timestamp,
    }
}

/// systemctl's `Condition:`/`Assert:` lines (print_status_info() in
/// systemctl-show.c) when the last start's check failed.
fn condition_lines(out: &mut String, u: &UnitStatus, ctx: &StatusContext) {
    let header = |out: &mut String, label: &str, what: &str, code: &str, ts: u64| {
        let what = paint(what, code, ctx.color);
        let when = format!("{}; {}", format_timestamp(ts), format_relative(ts, ctx.now));
        push_line(out, label, &format!("start {what} at {when}"));
    };
    let text = |c: &(String, bool, bool, String, i32)| {
        let (trigger, negate) = (if c.1 { "|" } else { "" }, if c.2 { "!" } else { "" });
        format!("{}={trigger}{negate}{} was not met", c.0, c.3)
    };
    if !u.condition_result && u.condition_timestamp > 0 {
        header(
            out,
            "Condition:",
            "condition failed",
            YELLOW,
            u.condition_timestamp,
        );
        let unmet: Vec<_> = u.conditions.iter().filter(|c| c.4 < 0).collect();
        for (i, c) in unmet.iter().enumerate() {
            let glyph = if i + 1 < unmet.len() {
                "├─"
            } else {
                "└─"
            };
            push_line(out, "", &format!("{glyph} {}", text(c)));
        }
    }
    if !u.assert_result && u.assert_timestamp > 0 {
        header(out, "Assert:", "assertion failed", RED, u.assert_timestamp);
        match u.asserts.iter().find(|c| c.4 < 0 && !c.1) {
            Some(c) => push_line(out, "", &text(c)),
            None => push_line(out, "", "none of the trigger assertions were met"),
        }
    }
}

fn push_line(out: &mut String, l: &str, value: &str) {
    out.push_str(&label(l));
    out.push(' ');
    out.push_str(value);
    out.push('\n');
}

fn loaded_line(u: &UnitStatus, color: bool) -> String {
    let bad = matches!(u.load_state.as_str(), "error" | "not-found" | "bad-setting");
    let load = paint(
        if u.load_state.is_empty() {
            "n/a"
        } else {
            &u.load_state
        },
        if bad { RED } else { "" },
        color,
    );
    let path = &u.fragment_path;
    if !path.is_empty() && !u.unit_file_state.is_empty() {
        format!("{load} ({path}; {})", u.unit_file_state)
    } else if !path.is_empty() {
        format!("{load} ({path})")
    } else {
        load
    }
}

fn drop_in_lines(out: &mut String, paths: &[String]) {
    // systemctl groups consecutive drop-ins of one directory: the directory on
    // its own line, then `└─a.conf, b.conf`.
    let mut i = 0;
    let mut first = true;
    while i < paths.len() {
        let dir = match paths[i].rfind('/') {
            Some(0) => "/",
            Some(p) => &paths[i][..p],
            None => ".",
        };
        let mut names = Vec::new();
        while i < paths.len() && paths[i].starts_with(dir) {
            names.push(paths[i].rsplit('/').next().unwrap_or(&paths[i]).to_string());
            i += 1;
        }
        push_line(out, if first { "Drop-In:" } else { "" }, dir);
        push_line(out, "", &format!("└─{}", names.join(", ")));
        first = false;
    }
}

fn active_line(u: &UnitStatus, ctx: &StatusContext) -> String {
    let (on, off) = state_colors(&u.active_state, ctx.color);
    let state = if u.active_state.is_empty() {
        "n/a"
    } else {
        &u.active_state
    };
    let mut s = if u.sub_state.is_empty() || u.sub_state == u.active_state {
        format!("{on}{state}{off}")
    } else {
        format!("{on}{state} ({}){off}", u.sub_state)
    };
    if !u.result.is_empty() && u.result != "success" {
        s.push_str(&format!(" (Result: {})", u.result));
    }
    let ts = active_since(u);
    if ts > 0 {
        s.push_str(&format!(
            " since {}; {}",
            format_timestamp(ts),
            format_relative(ts, ctx.now)
        ));
    }
    s
}

/// The full `status` text of one unit (ends with a newline).
pub fn format_unit_status(u: &UnitStatus, ctx: &StatusContext) -> String {
    let mut out = String::new();
    let (on, off) = state_colors(&u.active_state, ctx.color);
    out.push_str(&format!(
        "{on}{}{off} {}",
        state_glyph(&u.active_state),
        u.id
    ));
    if !u.description.is_empty() && u.description != u.id {
        out.push_str(&format!(" - {}", u.description));
    }
    out.push('\n');
    push_line(&mut out, "Loaded:", &loaded_line(u, ctx.color));
    drop_in_lines(&mut out, &u.drop_in_paths);
    push_line(&mut out, "Active:", &active_line(u, ctx));
    if active_since(u) > 0
        && matches!(u.active_state.as_str(), "inactive" | "failed")
        && u.active_enter_timestamp > 0
        && u.active_exit_timestamp >= u.active_enter_timestamp
    {
        let d = u.active_exit_timestamp - u.active_enter_timestamp;
        push_line(&mut out, "Duration:", &format_timespan(d));
    }
    let state_of = |n: &str| {
        ctx.unit_states
            .get(n)
            .cloned()
            .unwrap_or_else(|| "inactive".into())
    };
    for (i, t) in u.triggered_by.iter().enumerate() {
        let st = state_of(t);
        let (on, off) = state_colors(&st, ctx.color);
        push_line(
            &mut out,
            if i == 0 { "TriggeredBy:" } else { "" },
            &format!("{on}{}{off} {t}", state_glyph(&st)),
        );
    }
    for (i, t) in u.triggers.iter().enumerate() {
        let st = state_of(t);
        let (on, off) = state_colors(&st, ctx.color);
        push_line(
            &mut out,
            if i == 0 { "Triggers:" } else { "" },
            &format!("{on}●{off} {t}"),
        );
    }
    condition_lines(&mut out, u, ctx);
    if let Some(k) = &u.socket {
        for (i, (ty, addr)) in k.listen.iter().enumerate() {
            push_line(
                &mut out,
                if i == 0 { "Listen:" } else { "" },
                &format!("{addr} ({ty})"),
            );
        }
        if k.accept {
            let mut l = format!("{}; Connected: {};", k.n_accepted, k.n_connections);
            if k.n_refused > 0 {
                l.push_str(&format!("   Refused: {}", k.n_refused));
            }
            push_line(&mut out, "Accepted:", &l);
        }
        if !k.builtin.is_empty() {
            push_line(&mut out, "Builtin:", &k.builtin);
        }
    }
    if let Some(v) = &u.service {
        service_lines(&mut out, v, ctx);
    }
    out
}

fn service_lines(out: &mut String, v: &crate::engine::control::ServiceStatus, ctx: &StatusContext) {
    if v.exec_main_code != 0 && !v.exec_start.is_empty() {
        let good = v.exec_main_code == 1 && v.exec_main_status == 0;
        let desc = exit_description(v.exec_main_code, v.exec_main_status);
        let desc = if good {
            desc
        } else {
            paint(&desc, RED, ctx.color)
        };
        push_line(
            out,
            "Process:",
            &format!(
                "{} ExecStart={} {desc}",
                v.exec_main_pid,
                v.exec_start.join(" ")
            ),
        );
    }
    // systemctl reads ExecMainPID after MainPID into the same field; "running"
    // comes from MainPID alone.
    let pid = if v.exec_main_pid > 0 {
        v.exec_main_pid
    } else {
        v.main_pid
    };
    if pid > 0 {
        let mut l = pid.to_string();
        if v.main_pid > 0 {
            if let Some(comm) = ctx.comms.get(&pid) {
                l.push_str(&format!(" ({comm})"));
            }
        } else if v.exec_main_code > 0 {
            l.push(' ');
            l.push_str(&exit_description(v.exec_main_code, v.exec_main_status));
        }
        push_line(out, "Main PID:", &l);
    }
    if !v.status_text.is_empty() {
        push_line(
            out,
            "Status:",
            &format!("\"{}\"", paint(&v.status_text, CYAN, ctx.color)),
        );
    }
}

/// `activatorctl status` without a unit: the manager overview, shaped like
/// systemctl's (`print_overview` in systemctl-show.c: host line, then
/// `State:`, `Units:`, `Jobs:`, `Failed:`, `Since:` with colons in column 10).
pub fn format_manager_status(m: &ManagerStatus, host: &str, ctx: &StatusContext) -> String {
    let state = if m.state == "running" && m.n_failed_units > 0 {
        "degraded".to_string()
    } else {
        m.state.clone()
    };
    let (on, off) = match state.as_str() {
        "running" => state_colors("active", ctx.color),
        "degraded" | "stopping" => state_colors("failed", ctx.color),
        _ => ("", ""),
    };
    let mut out = format!("{on}●{off} {host}\n");
    let line = |out: &mut String, l: &str, v: &str| out.push_str(&format!("{l:>10} {v}\n"));
    line(&mut out, "State:", &format!("{on}{state}{off}"));
    line(&mut out, "Units:", &format!("{} loaded", m.n_units));
    line(
        &mut out,
        "Sockets:",
        &format!("{} listening", m.n_sockets_listening),
    );
    line(&mut out, "Jobs:", &format!("{} queued", m.n_jobs));
    let failed = if m.n_failed_units == 1 {
        "unit"
    } else {
        "units"
    };
    line(
        &mut out,
        "Failed:",
        &format!("{} {failed}", m.n_failed_units),
    );
    if m.startup_timestamp > 0 {
        line(
            &mut out,
            "Since:",
            &format!(
                "{}; {}",
                format_timestamp(m.startup_timestamp),
                format_relative(m.startup_timestamp, ctx.now)
            ),
        );
    }
    line(
        &mut out,
        "Daemon:",
        &format!("activatord {} (PID {})", m.version, m.pid),
    );
    out
}
