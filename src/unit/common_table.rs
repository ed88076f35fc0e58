//! The tables every unit type shares: `[Unit]`, `[Install]`, systemd.exec(5) and
//! systemd.kill(5) settings, and the long list of directives activator accepts without
//! implementing them (sandboxing, cgroups, conditions).
//!
//! systemd includes these in each type's gperf table through the
//! `EXEC_CONTEXT_CONFIG_ITEMS`/`KILL_CONTEXT_CONFIG_ITEMS` macros; here they are tables of
//! their own over the sub-structs (`UnitSection`, `ExecContext`…) the unit types embed.

use std::borrow::Cow;
use std::path::PathBuf;

use super::exec::{env_name_is_valid, parse_exec_line_expand, split_words, ExpandWord};
use super::model::{
    CollectMode, EnvironmentFile, ExecCommand, ExecContext, InstallSection, KillContext, KillMode,
    StdInput, StdOutput, UnitSection, WorkingDirectory,
};
use super::table::{
    abs_path, bool_value, expand_word, mode_value, sec_value, signal_value, u32_value,
    valid_fd_name, valid_user_group, warn, Ctx, Entry, Expand, Ignored, ParseResult, Reject, Sec,
};
use super::values::{parse_int, parse_rlimit, resource_from_key, ValueError};

use Expand::{Fatal as XF, No as XN, Quoted as XQ};
use Sec::{Install as I, Type as T, Unit as U};

// ---------------------------------------------------------------- [Unit]

#[rustfmt::skip]
pub(crate) static UNIT_TABLE: &[Entry<UnitSection>] = &[
    Entry::new(U, "Description", XQ, description, "Human-readable name shown by status"),
    Entry::new(U, "Documentation", XN, documentation, "Documentation URLs (http, https, file, info, man)"),
    Entry::new(U, "DefaultDependencies", XN, default_dependencies, "Implicit sysinit/sockets/shutdown.target dependencies"),
    Entry::new(U, "StartLimitIntervalSec", XN, start_limit_interval, "Start rate-limit window (default 10s)"),
    Entry::new(U, "StartLimitInterval", XN, start_limit_interval, "Old name of StartLimitIntervalSec="),
    Entry::new(U, "StartLimitBurst", XN, start_limit_burst, "Starts allowed per window (default 5)"),
    Entry::new(U, "CollectMode", XN, collect_mode, "inactive | inactive-or-failed garbage collection"),
    Entry::new(U, "Requires", XN, |u, c, v| deps(&mut u.deps.requires, c, v), "Start together; stop when it stops"),
    Entry::new(U, "Wants", XN, |u, c, v| deps(&mut u.deps.wants, c, v), "Start together (weak)"),
    Entry::new(U, "BindsTo", XN, |u, c, v| deps(&mut u.deps.binds_to, c, v), "Like Requires=, also stop when it goes inactive"),
    Entry::new(U, "BindTo", XN, |u, c, v| deps(&mut u.deps.binds_to, c, v), "Old name of BindsTo="),
    Entry::new(U, "RequiresOverridable", XN, requires_overridable, "Obsolete; treated as Requires="),
    Entry::new(U, "PartOf", XN, |u, c, v| deps(&mut u.deps.part_of, c, v), "Stop/restart with the listed units"),
    Entry::new(U, "After", XN, |u, c, v| deps(&mut u.deps.after, c, v), "Start after the listed units"),
    Entry::new(U, "Before", XN, |u, c, v| deps(&mut u.deps.before, c, v), "Start before the listed units"),
    Entry::new(U, "Conflicts", XN, |u, c, v| deps(&mut u.deps.conflicts, c, v), "Never run together with the listed units"),
    Entry {
        section: U,
        key: "SuccessAction",
        parse: success_action,
        support: super::table::Support::Ignored,
        summary: "Action when the unit succeeds (only its effect on validation is honoured)",
        expand: XN,
    },
];

fn description(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.description = (!v.is_empty()).then(|| v.into());
    Ok(())
}

/// config_parse_documentation: a list of URLs; unknown schemes are dropped with a warning.
fn documentation(u: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        u.documentation.clear();
        return Ok(());
    }
    for word in words(v)? {
        let url = match ctx.expand(&word) {
            Ok(x) => x,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                continue;
            }
        };
        let valid = ["http://", "https://", "file:/", "info:", "man:"]
            .iter()
            .any(|p| url.starts_with(p) && url.len() > p.len())
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            u.documentation.push(url);
        } else {
            ctx.warn(format!("Invalid URL, ignoring: {url}"));
        }
    }
    Ok(())
}

fn default_dependencies(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.default_dependencies = bool_value(v)?;
    Ok(())
}

fn start_limit_interval(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.start_limit.interval = sec_value(v)?;
    Ok(())
}

fn start_limit_burst(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.start_limit.burst = u32_value(v)?;
    Ok(())
}

fn collect_mode(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.collect_mode = match v {
        "inactive" => CollectMode::Inactive,
        "inactive-or-failed" => CollectMode::InactiveOrFailed,
        _ => {
            return Err(warn(format!(
                "Failed to parse garbage collection mode, ignoring: {v}"
            )))
        }
    };
    Ok(())
}

/// config_parse_unit_deps: words, each specifier-expanded and checked to be a unit name.
/// Dependencies cannot be reset; an empty value adds nothing.
pub(crate) fn deps(list: &mut Vec<String>, ctx: &mut Ctx, v: &str) -> ParseResult {
    for word in words(v)? {
        let has_specifiers = word.contains('%');
        let name = match ctx.expand_cow(&word) {
            Ok(Cow::Owned(x)) => x,
            Ok(Cow::Borrowed(_)) => word,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                continue;
            }
        };
        // In a template, a name built from %i is only known once instantiated.
        if ctx.valid_dependency(&name) || (ctx.template && has_specifiers) {
            if !list.contains(&name) {
                list.push(name);
            }
        } else {
            ctx.warn(format!(
                "Failed to add dependency on {name}, ignoring: Invalid argument"
            ));
        }
    }
    Ok(())
}

fn requires_overridable(u: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    ctx.warn(
        "Unit dependency type RequiresOverridable= is obsolete, replacing by Requires=, \
         please update your unit file",
    );
    deps(&mut u.deps.requires, ctx, v)
}

fn success_action(_: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    ctx.state.success_action = !v.is_empty() && v != "none";
    ctx.warn(super::table::not_implemented(ctx.key));
    Ok(())
}

// ---------------------------------------------------------------- [Install]

#[rustfmt::skip]
pub(crate) static INSTALL_TABLE: &[Entry<InstallSection>] = &[
    Entry::new(I, "WantedBy", XN, |i, c, v| install_list(&mut i.wanted_by, c, v), "Add Wants= from these units on enable"),
    Entry::new(I, "RequiredBy", XN, |i, c, v| install_list(&mut i.required_by, c, v), "Add Requires= from these units on enable"),
    Entry::new(I, "Alias", XN, |i, c, v| install_list(&mut i.alias, c, v), "Extra names created on enable"),
    Entry::new(I, "Also", XN, |i, c, v| install_list(&mut i.also, c, v), "Units enabled together with this one"),
];

/// [Install] lists are only interpreted on enable (specifiers included); keep the words.
fn install_list(list: &mut Vec<String>, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        list.clear();
        return Ok(());
    }
    list.extend(words(v)?);
    Ok(())
}

// ---------------------------------------------------------------- exec

#[rustfmt::skip]
pub(crate) static EXEC_TABLE: &[Entry<ExecContext>] = &[
    Entry::new(T, "User", XF, user, "Run processes as this user"),
    Entry::new(T, "Group", XF, group, "Run processes with this primary group"),
    Entry::new(T, "SupplementaryGroups", XN, supplementary_groups, "Extra groups"),
    Entry::new(T, "WorkingDirectory", XN, working_directory, "cwd; '-' prefix: may be missing; '~': home"),
    Entry::new(T, "RootDirectory", XN, root_directory, "chroot() before exec"),
    Entry::new(T, "Environment", XN, environment, "VAR=value assignments (quoted words)"),
    Entry::new(T, "EnvironmentFile", XQ, environment_file, "Read VAR=value lines from a file ('-': optional)"),
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
    for word in words(v)? {
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

/// config_parse_environ: quoted `VAR=value` words; words before a syntax error are kept.
fn environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.environment.clear();
        return Ok(());
    }
    let (list, syntax_error) = match split_words(v) {
        Ok((list, _)) => (list, false),
        Err(_) => (words_before_syntax_error(v), true),
    };
    for word in list {
        let word = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        match word.split_once('=') {
            Some((name, value)) if env_name_is_valid(name) => {
                // Later assignments of the same name replace earlier ones (strv_env_replace).
                e.environment.retain(|(n, _)| n != name);
                e.environment.push((name.to_string(), value.to_string()));
            }
            _ => ctx.warn(format!("Invalid environment assignment, ignoring: {word}")),
        }
    }
    if syntax_error {
        return Err(warn(format!("Invalid syntax, ignoring: {v}")));
    }
    Ok(())
}

/// The words systemd extracted before hitting a quoting error: it applies them one by
/// one, so `Environment=A=1 "B=2` still sets A. They are the words of the longest
/// prefix, cut at whitespace, that splits cleanly.
fn words_before_syntax_error(v: &str) -> Vec<String> {
    v.char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .rev()
        .find_map(|i| split_words(&v[..i]).ok())
        .map(|(w, _)| w)
        .unwrap_or_default()
}

fn environment_file(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.environment_files.clear();
        return Ok(());
    }
    let (optional, rest) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    // Globs are expanded when the file is read, so only the absolute check applies here.
    if !rest.starts_with('/') {
        return Err(warn(format!(
            "EnvironmentFile= path is not absolute, ignoring: {rest}"
        )));
    }
    e.environment_files.push(EnvironmentFile {
        path: PathBuf::from(rest),
        optional,
    });
    Ok(())
}

fn pass_environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.pass_environment.clear();
        return Ok(());
    }
    for word in words(v)? {
        let name = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        if !env_name_is_valid(&name) {
            ctx.warn(format!(
                "Invalid environment name for PassEnvironment, ignoring: {name}"
            ));
        } else if !e.pass_environment.contains(&name) {
            e.pass_environment.push(name);
        }
    }
    Ok(())
}

fn unset_environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.unset_environment.clear();
        return Ok(());
    }
    for word in words(v)? {
        let item = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        let name = item.split_once('=').map_or(item.as_str(), |(n, _)| n);
        if !env_name_is_valid(name) {
            ctx.warn(format!(
                "Invalid environment name or assignment UnsetEnvironment, ignoring: {item}"
            ));
        } else if !e.unset_environment.contains(&item) {
            e.unset_environment.push(item);
        }
    }
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

/// config_parse_exec_input.
fn standard_input(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    e.standard_input = if let Some(name) = v.strip_prefix("fd:") {
        fd_name(ctx, v, name)?;
        StdInput::Fd(if name.is_empty() {
            "stdin".into()
        } else {
            name.into()
        })
    } else if let Some(path) = v.strip_prefix("file:") {
        StdInput::File(stdio_path(ctx, "StandardInput", path)?)
    } else {
        match v {
            "null" => StdInput::Null,
            "tty" | "tty-force" | "tty-fail" => StdInput::Tty,
            "socket" => StdInput::Socket,
            "data" => StdInput::Data(Vec::new()),
            _ => {
                return Err(warn(format!(
                    "Failed to parse input specifier, ignoring: {v}"
                )))
            }
        }
    };
    Ok(())
}

/// config_parse_exec_output.
fn standard_output(field: &mut StdOutput, ctx: &mut Ctx, v: &str) -> ParseResult {
    let key = ctx.key.to_string();
    *field = if let Some(name) = v.strip_prefix("fd:") {
        fd_name(ctx, v, name)?;
        StdOutput::Fd(if name.is_empty() {
            "stdout".into()
        } else {
            name.into()
        })
    } else if let Some(p) = v.strip_prefix("file:") {
        StdOutput::File(stdio_path(ctx, &key, p)?)
    } else if let Some(p) = v.strip_prefix("append:") {
        StdOutput::Append(stdio_path(ctx, &key, p)?)
    } else if let Some(p) = v.strip_prefix("truncate:") {
        StdOutput::Truncate(stdio_path(ctx, &key, p)?)
    } else {
        match v {
            "inherit" => StdOutput::Inherit,
            "null" => StdOutput::Null,
            "tty" => StdOutput::Tty,
            "journal" => StdOutput::Journal,
            "kmsg" => StdOutput::Kmsg,
            "journal+console" | "kmsg+console" => StdOutput::JournalConsole,
            "socket" => StdOutput::Socket,
            "syslog" | "syslog+console" => {
                ctx.warn(format!(
                    "Standard output type {v} is obsolete, automatically updating to journal. \
                     Please update your unit file, and consider removing the setting altogether."
                ));
                if v == "syslog" {
                    StdOutput::Journal
                } else {
                    StdOutput::JournalConsole
                }
            }
            _ => {
                return Err(warn(format!(
                    "Failed to parse output specifier, ignoring: {v}"
                )))
            }
        }
    };
    Ok(())
}

fn fd_name(ctx: &mut Ctx, v: &str, name: &str) -> ParseResult {
    let _ = ctx;
    if valid_fd_name(name) {
        Ok(())
    } else {
        Err(warn(format!(
            "Invalid file descriptor name, ignoring: {}",
            &v[3..]
        )))
    }
}

/// `file:`/`append:`/`truncate:` paths: expanded, must be absolute (systemd warns
/// without "ignoring" but does not use the value).
fn stdio_path(ctx: &mut Ctx, key: &str, p: &str) -> Result<PathBuf, Reject> {
    let p = ctx.expand(p).map_err(|r| {
        warn(format!(
            "Failed to resolve unit specifiers in {p}, ignoring: {r}"
        ))
    })?;
    if !p.starts_with('/') {
        return Err(warn(format!("{key}= path is not absolute: {p}")));
    }
    Ok(PathBuf::from(p))
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

// ---------------------------------------------------------------- Exec*= lines

/// config_parse_exec: append the command(s) of one `Exec*=` line; empty resets. The
/// grammar, per-word specifier expansion and the fatal-unless-`-` rule live in
/// `exec::parse_exec_line_expand`; an `Err` from it is fatal for the unit.
pub(crate) fn exec_lines(list: &mut Vec<ExecCommand>, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        list.clear();
        return Ok(());
    }
    let (spec, template) = (ctx.spec, ctx.template);
    let expand: ExpandWord = &|w| {
        expand_word(w, spec, template)
            .map_err(|e| ValueError::Other(super::table::specifier_reason(&e)))
    };
    match parse_exec_line_expand(v, expand) {
        Ok(parsed) => {
            for w in parsed.warnings {
                ctx.warn(w);
            }
            list.extend(parsed.commands);
            Ok(())
        }
        Err(ValueError::Other(msg)) => Err(Reject::Fatal(msg)),
        Err(e) => Err(Reject::Fatal(format!(
            "Invalid command line, ignoring: {e}"
        ))),
    }
}

/// Split a list value into words (extract_first_word with UNQUOTE).
pub(crate) fn words(v: &str) -> Result<Vec<String>, Reject> {
    split_words(v)
        .map(|(w, _)| w)
        .map_err(|_| warn(format!("Invalid syntax, ignoring: {v}")))
}

// ---------------------------------------------------------------- accepted, not implemented

pub(crate) static COMMON_IGNORED: &[Ignored] = &[
    Ignored {
        section: U,
        keys: "RequisiteOverridable OnFailureIsolate PropagateReloadTo PropagateReloadFrom",
        summary: "Obsolete dependency/job setting (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "ExecSearchPath ReadOnlyDirectories ReadWriteDirectories InaccessibleDirectories \
             DefaultMemoryMin DefaultMemoryLow",
        summary: "systemd.exec(5)/resource-control(5) setting (accepted, ignored)",
    },
    Ignored {
        section: U,
        keys: "Requisite Upholds OnFailure OnSuccess PropagatesReloadTo ReloadPropagatedFrom \
             PropagatesStopTo StopPropagatedFrom JoinsNamespaceOf RequiresMountsFor \
             OnFailureJobMode OnSuccessJobMode IgnoreOnIsolate StopWhenUnneeded \
             RefuseManualStart RefuseManualStop AllowIsolate JobTimeoutSec \
             JobRunningTimeoutSec JobTimeoutAction JobTimeoutRebootArgument StartLimitAction \
             FailureAction FailureActionExitStatus SuccessActionExitStatus RebootArgument \
             SourcePath",
        summary: "Manager job/dependency feature (accepted, ignored)",
    },
    Ignored {
        section: U,
        keys: "ConditionArchitecture ConditionFirmware ConditionVirtualization ConditionHost \
             ConditionKernelCommandLine ConditionKernelVersion ConditionCredential \
             ConditionEnvironment ConditionSecurity ConditionCapability ConditionACPower \
             ConditionNeedsUpdate ConditionFirstBoot ConditionPathExists \
             ConditionPathExistsGlob ConditionPathIsDirectory ConditionPathIsSymbolicLink \
             ConditionPathIsMountPoint ConditionPathIsReadWrite ConditionPathIsEncrypted \
             ConditionDirectoryNotEmpty ConditionFileNotEmpty ConditionFileIsExecutable \
             ConditionUser ConditionGroup ConditionControlGroupController ConditionMemory \
             ConditionCPUs ConditionCPUFeature ConditionOSRelease ConditionMemoryPressure \
             ConditionCPUPressure ConditionIOPressure AssertArchitecture AssertFirmware \
             AssertVirtualization AssertHost AssertKernelCommandLine AssertKernelVersion \
             AssertCredential AssertEnvironment AssertSecurity AssertCapability AssertACPower \
             AssertNeedsUpdate AssertFirstBoot AssertPathExists AssertPathExistsGlob \
             AssertPathIsDirectory AssertPathIsSymbolicLink AssertPathIsMountPoint \
             AssertPathIsReadWrite AssertPathIsEncrypted AssertDirectoryNotEmpty \
             AssertFileNotEmpty AssertFileIsExecutable AssertUser AssertGroup \
             AssertControlGroupController AssertMemory AssertCPUs AssertCPUFeature \
             AssertOSRelease AssertMemoryPressure AssertCPUPressure AssertIOPressure",
        summary: "Start condition/assertion (not checked: the unit always starts)",
    },
    Ignored {
        section: I,
        keys: "DefaultInstance UpheldBy",
        summary: "Install-time setting (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "CapabilityBoundingSet AmbientCapabilities SecureBits ProtectSystem ProtectHome \
             PrivateTmp PrivateDevices PrivateNetwork PrivateUsers PrivateMounts PrivateIPC \
             ProtectKernelTunables ProtectKernelModules ProtectKernelLogs \
             ProtectControlGroups ProtectClock ProtectHostname ProtectProc ProcSubset \
             RestrictNamespaces RestrictRealtime RestrictSUIDSGID RestrictAddressFamilies \
             RestrictFileSystems RestrictNetworkInterfaces LockPersonality \
             MemoryDenyWriteExecute SystemCallFilter SystemCallArchitectures \
             SystemCallErrorNumber SystemCallLog ReadWritePaths ReadOnlyPaths \
             InaccessiblePaths ExecPaths NoExecPaths BindPaths BindReadOnlyPaths \
             TemporaryFileSystem MountFlags MountAPIVFS RootImage RootImageOptions RootHash \
             RootHashSignature RootVerity MountImages ExtensionImages ExtensionDirectories \
             NetworkNamespacePath IPCNamespacePath RemoveIPC KeyringMode Personality \
             SELinuxContext AppArmorProfile SmackProcessLabel DynamicUser PAMName \
             RuntimeDirectory RuntimeDirectoryMode RuntimeDirectoryPreserve StateDirectory \
             StateDirectoryMode CacheDirectory CacheDirectoryMode LogsDirectory \
             LogsDirectoryMode ConfigurationDirectory ConfigurationDirectoryMode \
             TimeoutCleanSec LoadCredential LoadCredentialEncrypted SetCredential \
             SetCredentialEncrypted ImportCredential StandardInputText StandardInputData \
             TTYPath TTYReset TTYVHangup TTYVTDisallocate TTYRows TTYColumns SyslogIdentifier \
             SyslogFacility SyslogLevel SyslogLevelPrefix LogLevelMax LogExtraFields \
             LogRateLimitIntervalSec LogRateLimitBurst LogFilterPatterns LogNamespace \
             CPUSchedulingPolicy CPUSchedulingPriority CPUSchedulingResetOnFork CPUAffinity \
             NUMAPolicy NUMAMask IOSchedulingClass IOSchedulingPriority IgnoreSIGPIPE \
             UtmpIdentifier UtmpMode TimerSlackNSec CoredumpFilter WatchdogSignal",
        summary: "systemd.exec(5) sandboxing/logging/scheduling (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "Slice Delegate CPUAccounting CPUWeight StartupCPUWeight CPUShares \
             StartupCPUShares CPUQuota CPUQuotaPeriodSec AllowedCPUs StartupAllowedCPUs \
             AllowedMemoryNodes StartupAllowedMemoryNodes MemoryAccounting MemoryMin \
             MemoryLow MemoryHigh MemoryMax MemorySwapMax MemoryLimit TasksAccounting \
             TasksMax IOAccounting IOWeight StartupIOWeight IODeviceWeight IOReadBandwidthMax \
             IOWriteBandwidthMax IOReadIOPSMax IOWriteIOPSMax IODeviceLatencyTargetSec \
             BlockIOAccounting BlockIOWeight StartupBlockIOWeight BlockIODeviceWeight \
             BlockIOReadBandwidth BlockIOWriteBandwidth IPAccounting IPAddressAllow \
             IPAddressDeny IPIngressFilterPath IPEgressFilterPath DeviceAllow DevicePolicy \
             DisableControllers ManagedOOMSwap ManagedOOMMemoryPressure \
             ManagedOOMMemoryPressureLimit ManagedOOMPreference SocketBindAllow \
             SocketBindDeny BPFProgram MemoryPressureWatch MemoryPressureThresholdSec",
        summary: "systemd.resource-control(5) cgroup setting (accepted, ignored)",
    },
];

/// What systemd 252 itself says about obsolete directives it still accepts; printed
/// before activator's own "not implemented" note so `verify` output matches systemd's.
pub(crate) fn compat_warning(key: &str) -> Option<String> {
    let replacement = match key {
        "RequisiteOverridable" => {
            return Some(
                "Unit dependency type RequisiteOverridable= is obsolete, replacing by \
                 Requisite=, please update your unit file"
                    .into(),
            )
        }
        "SysVStartPriority" => {
            return Some(format!(
                "Support for option {key}= has been removed and it is ignored"
            ))
        }
        "MemoryLimit" => "MemoryMax=",
        "CPUShares" | "StartupCPUShares" => "CPUWeight=",
        "BlockIODeviceWeight" | "BlockIOReadBandwidth" | "BlockIOWriteBandwidth" => "IO*= settings",
        _ => return None,
    };
    Some(format!(
        "Unit uses {key}=; please use {replacement} instead. Support for {key}= will be \
         removed soon."
    ))
}
