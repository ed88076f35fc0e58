//! The systemd.exec(5) settings activator implements, as one table over `ExecContext`
//! (credentials, directories, environment, umask, nice, OOM score, `NoNewPrivileges=`,
//! standard input/output, `Limit*=`), and the systemd.kill(5) table over
//! `KillContext` (`KillMode=`, the stop signals). systemd includes both in every
//! type's gperf table through the `EXEC_CONTEXT_CONFIG_ITEMS`/
//! `KILL_CONTEXT_CONFIG_ITEMS` macros of src/core/load-fragment-gperf.gperf.in. The
//! environment and stdio parsers the exec table names live in `environment` and
//! `stdio`.

use std::path::PathBuf;

use super::environment::{environment, environment_file, pass_environment, unset_environment};
use super::stdio::{standard_input, standard_output};
use super::words::{list, words};
use crate::unit::model::{ExecContext, KillContext, KillMode, WorkingDirectory};
use crate::unit::table::{
    abs_path, bool_value, mode_value, signal_value, valid_user_group, warn, Ctx, Entry, Expand,
    ParseResult, Reject, Sec,
};
use crate::unit::values::{parse_int, parse_rlimit, resource_from_key};

use Expand::{Fatal as XF, No as XN, Quoted as XQ};
use Sec::Type as T;

// ---------------------------------------------------------------- exec

#[rustfmt::skip]
pub(crate) static EXEC_TABLE: &[Entry<ExecContext>] = &[
    Entry::new(T, "User", XF, user, "Run processes as this user"),
    Entry::new(T, "Group", XF, group, "Run processes with this primary group"),
    Entry::new(T, "SupplementaryGroups", XN, supplementary_groups, "Extra groups"),
    Entry::new(T, "WorkingDirectory", XN, working_directory, "cwd; '-' prefix: may be missing; '~': home"),
    Entry::new(T, "RootDirectory", XN, root_directory, "chroot() before exec"),
    Entry::new(T, "Environment", XN, environment, "VAR=value assignments (quoted words)"),
    Entry::new(T, "EnvironmentFile", XQ, environment_file, "Read VAR=value lines from a file or the files a wildcard matches ('-': optional)"),
    Entry::new(T, "PassEnvironment", XN, pass_environment, "Import these variables from the manager"),
    Entry::new(T, "UnsetEnvironment", XN, unset_environment, "Remove these variables or assignments"),
    Entry::new(T, "UMask", XN, umask, "File mode creation mask (default 0022)"),
    Entry::new(T, "Nice", XN, nice, "Scheduling priority -20..19"),
    Entry::new(T, "OOMScoreAdjust", XN, oom_score_adjust, "OOM killer adjustment -1000..1000"),
    Entry::new(T, "NoNewPrivileges", XN, no_new_privileges, "PR_SET_NO_NEW_PRIVS"),
    Entry::new(T, "StandardInput", XN, standard_input, "null, tty, socket, data, file:PATH, fd:NAME"),
    Entry::new(T, "StandardOutput", XN, |e, c, v| standard_output(&mut e.standard_output, c, v), "inherit, null, tty, journal, kmsg, socket, file:/append:/truncate:PATH, fd:NAME"),
    Entry::new(T, "StandardError", XN, |e, c, v| standard_output(&mut e.standard_error, c, v), "Like StandardOutput=; default inherit (copy of stdout)"),
    Entry::new(T, "LimitCPU", XN, limit, "RLIMIT_CPU (soft[:hard])"),
    Entry::new(T, "LimitFSIZE", XN, limit, "RLIMIT_FSIZE"),
    Entry::new(T, "LimitDATA", XN, limit, "RLIMIT_DATA"),
    Entry::new(T, "LimitSTACK", XN, limit, "RLIMIT_STACK"),
    Entry::new(T, "LimitCORE", XN, limit, "RLIMIT_CORE"),
    Entry::new(T, "LimitRSS", XN, limit, "RLIMIT_RSS"),
    Entry::new(T, "LimitNOFILE", XN, limit, "RLIMIT_NOFILE"),
    Entry::new(T, "LimitAS", XN, limit, "RLIMIT_AS"),
    Entry::new(T, "LimitNPROC", XN, limit, "RLIMIT_NPROC"),
    Entry::new(T, "LimitMEMLOCK", XN, limit, "RLIMIT_MEMLOCK"),
    Entry::new(T, "LimitLOCKS", XN, limit, "RLIMIT_LOCKS"),
    Entry::new(T, "LimitSIGPENDING", XN, limit, "RLIMIT_SIGPENDING"),
    Entry::new(T, "LimitMSGQUEUE", XN, limit, "RLIMIT_MSGQUEUE"),
    Entry::new(T, "LimitNICE", XN, limit, "RLIMIT_NICE"),
    Entry::new(T, "LimitRTPRIO", XN, limit, "RLIMIT_RTPRIO"),
    Entry::new(T, "LimitRTTIME", XN, limit, "RLIMIT_RTTIME"),
];

/// config_parse_user_group_compat: an invalid name is fatal in systemd 252.
fn user_group(field: &mut Option<String>, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        *field = None;
        return Ok(());
    }
    if !valid_user_group(v) {
        return Err(Reject::Fatal(format!(
            "Invalid user/group name or numeric ID: {v}"
        )));
    }
    // config_parse_user_group_compat warns for the nobody *user* only (User=, SocketUser=).
    if v == "nobody" && ctx.key.ends_with("User") {
        ctx.warn("Special user nobody configured, this is not safe!");
    }
    *field = Some(v.to_string());
    Ok(())
}

fn user(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    user_group(&mut e.user, ctx, v)
}

fn group(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    user_group(&mut e.group, ctx, v)
}

/// Exposed for `SocketUser=`/`SocketGroup=`, which share the parser.
pub(crate) fn socket_user_group(field: &mut Option<String>, ctx: &mut Ctx, v: &str) -> ParseResult {
    user_group(field, ctx, v)
}

fn supplementary_groups(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.supplementary_groups.clear();
        return Ok(());
    }
    for word in words(v, list::BARE) {
        // config_parse_user_group_strv_compat: a bad word is fatal.
        let word = word.map_err(|()| Reject::Fatal(format!("Invalid syntax: {v}")))?;
        let g = ctx.expand(&word).map_err(|r| {
            Reject::Fatal(format!("Failed to resolve unit specifiers in {word}: {r}"))
        })?;
        if !valid_user_group(&g) {
            return Err(Reject::Fatal(format!(
                "Invalid user/group name or numeric ID: {g}"
            )));
        }
        e.supplementary_groups.push(g);
    }
    Ok(())
}

/// config_parse_working_directory: a bad path is fatal.
fn working_directory(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        *e.working_directory = None;
        return Ok(());
    }
    let (optional, rest) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    if rest == "~" {
        *e.working_directory = Some(WorkingDirectory {
            path: PathBuf::from("~"),
            optional,
            home: true,
        });
        return Ok(());
    }
    let expanded = ctx.expand(rest).map_err(|r| {
        Reject::Fatal(format!(
            "Failed to resolve unit specifiers in working directory path '{rest}': {r}"
        ))
    })?;
    let path = abs_path(&expanded, "WorkingDirectory", true)?;
    *e.working_directory = Some(WorkingDirectory {
        path: PathBuf::from(path),
        optional,
        home: false,
    });
    Ok(())
}

fn root_directory(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        *e.root_directory = None;
        return Ok(());
    }
    let expanded = ctx
        .expand(v)
        .map_err(|r| Reject::Fatal(format!("Failed to resolve unit specifiers in '{v}': {r}")))?;
    *e.root_directory = Some(PathBuf::from(abs_path(&expanded, "RootDirectory", true)?));
    Ok(())
}

fn umask(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    e.umask = mode_value(v)?;
    Ok(())
}

fn nice(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.nice = None;
        return Ok(());
    }
    let n = parse_int(v).map_err(|err| {
        warn(format!(
            "Failed to parse nice priority '{v}', ignoring: {err}"
        ))
    })?;
    if !(-20..=19).contains(&n) {
        return Err(warn(format!("Nice priority out of range, ignoring: {v}")));
    }
    e.nice = Some(n as i32);
    Ok(())
}

fn oom_score_adjust(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.oom_score_adjust = None;
        return Ok(());
    }
    let n = parse_int(v).map_err(|err| {
        warn(format!(
            "Failed to parse the OOM score adjust value '{v}', ignoring: {err}"
        ))
    })?;
    if !(-1000..=1000).contains(&n) {
        return Err(warn(format!(
            "OOM score adjust value out of range, ignoring: {v}"
        )));
    }
    e.oom_score_adjust = Some(n as i32);
    Ok(())
}

fn no_new_privileges(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    e.no_new_privileges = bool_value(v)?;
    Ok(())
}

/// config_parse_rlimit; the key names the resource.
fn limit(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    let Some(res) = resource_from_key(ctx.key) else {
        return Ok(());
    };
    match parse_rlimit(v, res) {
        Ok(l) => {
            if let (Some(s), Some(h)) = (l.soft, l.hard) {
                if s > h {
                    return Err(soft_above_hard(v));
                }
            }
            if l.soft.is_none() && l.hard.is_some() {
                return Err(soft_above_hard(v));
            }
            e.limits.retain(|(r, _)| *r != res);
            e.limits.push((res, l));
            Ok(())
        }
        Err(_) => {
            // Tell "10:5" (valid halves, wrong order) apart from garbage, like systemd.
            if let Some((s, h)) = v.split_once(':') {
                if let (Ok(s), Ok(h)) = (parse_rlimit(s, res), parse_rlimit(h, res)) {
                    let s = s.soft.unwrap_or(u64::MAX);
                    let h = h.soft.unwrap_or(u64::MAX);
                    if s > h {
                        return Err(soft_above_hard(v));
                    }
                }
            }
            Err(warn(format!(
                "Failed to parse resource value, ignoring: {v}"
            )))
        }
    }
}

fn soft_above_hard(v: &str) -> Reject {
    warn(format!(
        "Soft resource limit chosen higher than hard limit, ignoring: {v}"
    ))
}

// ---------------------------------------------------------------- kill

#[rustfmt::skip]
pub(crate) static KILL_TABLE: &[Entry<KillContext>] = &[
    Entry::new(T, "KillMode", XN, kill_mode, "control-group | mixed | process | none"),
    Entry::new(T, "KillSignal", XN, |k, _, v| { k.kill_signal = signal_value(v)?; Ok(()) }, "First signal of the stop sequence (SIGTERM)"),
    Entry::new(T, "RestartKillSignal", XN, |k, _, v| { k.restart_kill_signal = Some(signal_value(v)?); Ok(()) }, "Stop signal when restarting (default KillSignal=)"),
    Entry::new(T, "FinalKillSignal", XN, |k, _, v| { k.final_kill_signal = signal_value(v)?; Ok(()) }, "Signal after the stop timeout (SIGKILL)"),
    Entry::new(T, "SendSIGKILL", XN, |k, _, v| { k.send_sigkill = bool_value(v)?; Ok(()) }, "Send FinalKillSignal= after TimeoutStopSec="),
    Entry::new(T, "SendSIGHUP", XN, |k, _, v| { k.send_sighup = bool_value(v)?; Ok(()) }, "Send SIGHUP right after KillSignal="),
];

fn kill_mode(k: &mut KillContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    k.kill_mode = match v {
        // An empty assignment restores the default, silently (systemd 252).
        "" | "control-group" => KillMode::ControlGroup,
        "mixed" => KillMode::Mixed,
        "process" => KillMode::Process,
        "none" => {
            ctx.warn(
                "Unit uses KillMode=none. This is unsafe, as it disables systemd's process \
                 lifecycle management for the service. Please update the service to use a \
                 safer KillMode=, such as 'mixed' or 'control-group'. Support for KillMode=none \
                 is deprecated and will eventually be removed.",
            );
            KillMode::None
        }
        _ => {
            return Err(warn(format!(
                "Failed to parse kill mode specification, ignoring: {v}"
            )))
        }
    };
    Ok(())
}
