//! The `[Service]` directive table (systemd.service(5)): type, commands, restart policy,
//! timeouts, notification and the fd-passing settings socket activation relies on.
//!
//! Texts of rejected values are those of systemd 252's `load-fragment.c`, checked with
//! `systemd-analyze verify`.

use std::path::PathBuf;

use super::common_table::{exec_lines, list, words};
use super::model::{ExitStatusSet, NotifyAccess, RestartPolicy, ServiceType, ServiceUnit};
use super::table::{
    bool_value, not_implemented, sec_fix_0, sec_value, u32_value, warn, Ctx, Entry, Expand,
    Ignored, ParseResult, Sec,
};
use super::values::{parse_exit_status_list, parse_timespan, Usec};

use Expand::{No as XN, Quoted as XQ};
use Sec::Type as S;

type E = Entry<ServiceUnit>;

#[rustfmt::skip]
pub(crate) static SERVICE_TABLE: &[E] = &[
    E::new(S, "Type", XN, service_type, "simple | exec | forking | oneshot | notify | notify-reload | dbus | idle"),
    E::new(S, "ExecStart", XN, |s, c, v| exec_lines(&mut s.exec_start, c, v), "Main command (several only for Type=oneshot)"),
    E::new(S, "ExecStartPre", XN, |s, c, v| exec_lines(&mut s.exec_start_pre, c, v), "Commands run before ExecStart="),
    E::new(S, "ExecStartPost", XN, |s, c, v| exec_lines(&mut s.exec_start_post, c, v), "Commands run after the service is up"),
    E::new(S, "ExecCondition", XN, |s, c, v| exec_lines(&mut s.exec_condition, c, v), "Commands deciding whether to start (exit 1-254 = skip)"),
    E::new(S, "ExecReload", XN, |s, c, v| exec_lines(&mut s.exec_reload, c, v), "Commands run on reload"),
    E::new(S, "ExecStop", XN, |s, c, v| exec_lines(&mut s.exec_stop, c, v), "Commands run to stop the service"),
    E::new(S, "ExecStopPost", XN, |s, c, v| exec_lines(&mut s.exec_stop_post, c, v), "Commands run after the service stopped"),
    E::new(S, "RemainAfterExit", XN, |s, _, v| { s.remain_after_exit = bool_value(v)?; Ok(()) }, "Stay active after the processes exit"),
    E::new(S, "Restart", XN, restart, "no | on-success | on-failure | on-abnormal | on-watchdog | on-abort | always"),
    E::new(S, "RestartSec", XN, |s, _, v| { s.restart_sec = sec_value(v)?; Ok(()) }, "Delay before restarting (default 100ms)"),
    E::new(S, "RestartPreventExitStatus", XN, |s, c, v| exit_statuses(&mut s.restart_prevent_exit_status, c, v), "Exit codes/signals that prevent a restart"),
    E::new(S, "RestartForceExitStatus", XN, |s, c, v| exit_statuses(&mut s.restart_force_exit_status, c, v), "Exit codes/signals that force a restart"),
    E::new(S, "SuccessExitStatus", XN, |s, c, v| exit_statuses(&mut s.success_exit_status, c, v), "Extra exit codes/signals counted as success"),
    E::new(S, "TimeoutStartSec", XN, timeout_start, "Start timeout (default 90s; oneshot: infinity; 0 = none)"),
    E::new(S, "TimeoutStopSec", XN, |s, _, v| { s.timeout_stop = sec_fix_0(v, "time value")?; Ok(()) }, "Stop timeout before FinalKillSignal= (default 90s)"),
    E::new(S, "TimeoutSec", XN, timeout_both, "Sets TimeoutStartSec= and TimeoutStopSec="),
    E::new(S, "WatchdogSec", XN, |s, _, v| { s.watchdog = sec_value(v)?; Ok(()) }, "sd_notify WATCHDOG=1 interval (0 = off)"),
    E::new(S, "NotifyAccess", XN, notify_access, "none | main | exec | all"),
    E::new(S, "PIDFile", XQ, pid_file, "Main PID file of Type=forking services (relative: under /run)"),
    E::new(S, "Sockets", XN, sockets, "Extra socket units whose fds are passed"),
    E::new(S, "NonBlocking", XN, |s, _, v| { s.non_blocking = bool_value(v)?; Ok(()) }, "O_NONBLOCK on passed socket fds"),
    E::new(S, "FileDescriptorStoreMax", XN, |s, _, v| { s.file_descriptor_store_max = u32_value(v)?; Ok(()) }, "Fds the service may keep with FDSTORE=1"),
    E::new(S, "StartLimitInterval", XN, |s, _, v| { s.unit.start_limit.interval = sec_value(v)?; Ok(()) }, "Old place of [Unit] StartLimitIntervalSec="),
    E::new(S, "StartLimitBurst", XN, |s, _, v| { s.unit.start_limit.burst = u32_value(v)?; Ok(()) }, "Old place of [Unit] StartLimitBurst="),
    E {
        section: S,
        key: "BusName",
        parse: |_, c, v| {
            c.state.bus_name = !v.is_empty();
            c.warn(not_implemented(c.key));
            Ok(())
        },
        support: super::table::Support::Ignored,
        summary: "D-Bus name of Type=dbus services (only its validation effect is honoured)",
        expand: XN,
    },
    E {
        section: S,
        key: "RuntimeMaxSec",
        parse: |_, c, v| {
            c.state.runtime_max = matches!(parse_timespan(v), Ok(t) if !t.is_infinity());
            c.warn(not_implemented(c.key));
            Ok(())
        },
        support: super::table::Support::Ignored,
        summary: "Maximum run time (accepted, ignored)",
        expand: XN,
    },
];

pub(crate) static SERVICE_IGNORED: &[Ignored] = &[Ignored {
    section: S,
    keys: "GuessMainPID ExitType RestartMode RestartSteps RestartMaxDelaySec \
             TimeoutAbortSec TimeoutStartFailureMode TimeoutStopFailureMode \
             RuntimeRandomizedExtraSec OOMPolicy FileDescriptorStorePreserve OpenFile \
             USBFunctionDescriptors USBFunctionStrings ReloadSignal RootDirectoryStartOnly \
             PermissionsStartOnly SysVStartPriority StartLimitAction FailureAction \
             RebootArgument",
    summary: "systemd.service(5) option activator does not implement (accepted, ignored)",
}];

fn service_type(s: &mut ServiceUnit, _: &mut Ctx, v: &str) -> ParseResult {
    s.service_type = Some(match v {
        "simple" => ServiceType::Simple,
        "exec" => ServiceType::Exec,
        "forking" => ServiceType::Forking,
        "oneshot" => ServiceType::Oneshot,
        "notify" => ServiceType::Notify,
        "notify-reload" => ServiceType::NotifyReload,
        "dbus" => ServiceType::Dbus,
        "idle" => ServiceType::Idle,
        _ => return Err(warn(format!("Failed to parse service type, ignoring: {v}"))),
    });
    Ok(())
}

fn restart(s: &mut ServiceUnit, _: &mut Ctx, v: &str) -> ParseResult {
    s.restart = match v {
        "no" => RestartPolicy::No,
        "on-success" => RestartPolicy::OnSuccess,
        "on-failure" => RestartPolicy::OnFailure,
        "on-abnormal" => RestartPolicy::OnAbnormal,
        "on-watchdog" => RestartPolicy::OnWatchdog,
        "on-abort" => RestartPolicy::OnAbort,
        "always" => RestartPolicy::Always,
        _ => {
            return Err(warn(format!(
                "Failed to parse service restart specifier, ignoring: {v}"
            )))
        }
    };
    Ok(())
}

/// config_parse_set_status: words are codes, exit-status names or signals; a bad word is
/// reported and the others still count; empty resets.
fn exit_statuses(set: &mut ExitStatusSet, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        *set = ExitStatusSet::default();
        return Ok(());
    }
    for word in v.split_whitespace() {
        if parse_exit_status_list(word, set).is_err() {
            ctx.warn(format!("Failed to parse value, ignoring: {word}"));
        }
    }
    Ok(())
}

/// config_parse_service_timeout: `0` means no timeout.
fn timeout_start(s: &mut ServiceUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    s.timeout_start = Some(timeout(ctx.key, v)?);
    Ok(())
}

fn timeout_both(s: &mut ServiceUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    let t = timeout(ctx.key, v)?;
    s.timeout_start = Some(t);
    s.timeout_stop = t;
    Ok(())
}

fn timeout(key: &str, v: &str) -> Result<Usec, super::table::Reject> {
    match parse_timespan(v) {
        Ok(t) if t.0 == 0 => Ok(Usec::INFINITY),
        Ok(t) => Ok(t),
        Err(_) => Err(warn(format!(
            "Failed to parse {key}= parameter, ignoring: {v}"
        ))),
    }
}

fn notify_access(s: &mut ServiceUnit, _: &mut Ctx, v: &str) -> ParseResult {
    s.notify_access = Some(match v {
        "none" => NotifyAccess::None,
        "main" => NotifyAccess::Main,
        "exec" => NotifyAccess::Exec,
        "all" => NotifyAccess::All,
        _ => {
            return Err(warn(format!(
                "Failed to parse notify access specifier, ignoring: {v}"
            )))
        }
    });
    Ok(())
}

/// config_parse_pid_file: a relative path is taken below /run.
fn pid_file(s: &mut ServiceUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        *s.pid_file = None;
        return Ok(());
    }
    let full = if v.starts_with('/') {
        v.to_string()
    } else {
        format!("/run/{v}")
    };
    let p = super::table::abs_path(&full, "PIDFile", false)
        .map_err(|_| warn(format!("PIDFile= path is not normalized, ignoring: {v}")))?;
    *s.pid_file = Some(PathBuf::from(p));
    Ok(())
}

/// config_parse_service_sockets: socket unit names; cannot be reset.
fn sockets(s: &mut ServiceUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    for word in words(v, list::BARE) {
        let Ok(word) = word else {
            ctx.warn(format!("Trailing garbage in sockets, ignoring: {v}"));
            break;
        };
        let name = match ctx.expand(&word) {
            Ok(n) => n,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                continue;
            }
        };
        if !name.ends_with(".socket") {
            ctx.warn(format!("Unit must be of type socket, ignoring: {name}"));
        } else if !ctx.valid_dependency(&name) {
            // systemd adds two dependencies (Wants= and After=) and reports each failure.
            for _ in 0..2 {
                ctx.warn(format!(
                    "Failed to add dependency on {name}, ignoring: Invalid argument"
                ));
            }
        } else if !s.sockets.contains(&name) {
            s.sockets.push(name);
        }
    }
    Ok(())
}
