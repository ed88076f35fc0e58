//! Human-readable dump of a parsed unit (`activator verify --dump`), in the shape of
//! systemd's `unit_dump()`/`socket_dump()`/`service_dump()` (what
//! `SYSTEMD_LOG_LEVEL=debug systemd-analyze verify` prints): `\t\tKey: value` lines, list
//! settings repeated once per value, commands as `-> ExecStart:` blocks.
//!
//! The text is stable (tests and users diff it) and shows effective values: defaults that
//! depend on other settings (`Type=`, `Service=`, trigger limits…) are resolved. JSON output
//! is serde on the model instead.

use std::fmt::Write;

use super::exec::render_exec_argv;
use super::model::{
    BindIpv6Only, CollectMode, ExecCommand, ExecContext, ExitStatusSet, InstallSection,
    KillContext, KillMode, NotifyAccess, ResourceLimit, ServiceUnit, SocketUnit, StdInput,
    StdOutput, Timestamping, Unit, UnitSection, UnitSource,
};
use super::values::signal_name;

/// The dump text of one unit.
pub fn dump_unit(unit: &Unit) -> String {
    let mut d = Dump(String::new());
    match unit {
        Unit::Socket(s) => dump_socket(&mut d, s),
        Unit::Service(s) => dump_service(&mut d, s),
    }
    d.0
}

struct Dump(String);

impl Dump {
    fn kv(&mut self, key: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.0, "\t\t{key}: {value}");
    }

    fn flag(&mut self, key: &str, value: bool) {
        self.kv(key, yes_no(value));
    }

    fn opt<V: std::fmt::Display>(&mut self, key: &str, value: Option<V>) {
        if let Some(v) = value {
            self.kv(key, v);
        }
    }

    fn each<V: std::fmt::Display>(&mut self, key: &str, values: impl IntoIterator<Item = V>) {
        for v in values {
            self.kv(key, v);
        }
    }

    fn commands(&mut self, key: &str, cmds: &[ExecCommand]) {
        if cmds.is_empty() {
            return;
        }
        let _ = writeln!(self.0, "\t\t-> {key}:");
        for c in cmds {
            let _ = writeln!(self.0, "\t\t\tCommand Line: {}", render_exec_argv(c));
            if c.argv.first() != Some(&c.path) {
                let _ = writeln!(self.0, "\t\t\tPath: {}", c.path);
            }
            let flags: Vec<&str> = [
                (c.ignore_failure, "ignore-failure"),
                (c.no_env_expand, "no-env-expand"),
                (c.full_privileges, "full-privileges"),
                (c.no_setuid, "no-setuid"),
                (c.via_shell, "via-shell"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
            if !flags.is_empty() {
                let _ = writeln!(self.0, "\t\t\tFlags: {}", flags.join(" "));
            }
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn header(d: &mut Dump, name: &str, load: &str, source: &UnitSource, u: &UnitSection) {
    let _ = writeln!(d.0, "\t-> Unit {name}:");
    // unit_description(): the name stands in for a missing Description=.
    d.kv("Description", u.description.as_deref().unwrap_or(name));
    d.kv("Unit Load State", load);
    d.opt(
        "Fragment Path",
        source.fragment.as_ref().map(|p| p.display()),
    );
    if source.line > 0 {
        d.kv("Fragment Line", source.line);
    }
    d.each("DropIn Path", source.dropins.iter().map(|p| p.display()));
    d.each("Documentation", &u.documentation);
    d.each("Requires", &u.deps.requires);
    d.each("Wants", &u.deps.wants);
    d.each("BindsTo", &u.deps.binds_to);
    d.each("PartOf", &u.deps.part_of);
    d.each("Conflicts", &u.deps.conflicts);
    d.each("Before", &u.deps.before);
    d.each("After", &u.deps.after);
    d.flag("DefaultDependencies", u.default_dependencies);
    d.kv(
        "Garbage Collection Mode",
        match u.collect_mode {
            CollectMode::Inactive => "inactive",
            CollectMode::InactiveOrFailed => "inactive-or-failed",
        },
    );
    d.kv("StartLimitIntervalSec", u.start_limit.interval);
    d.kv("StartLimitBurst", u.start_limit.burst);
}

fn install(d: &mut Dump, i: &InstallSection) {
    d.each("WantedBy", &i.wanted_by);
    d.each("RequiredBy", &i.required_by);
    d.each("Alias", &i.alias);
    d.each("Also", &i.also);
}

fn dump_socket(d: &mut Dump, s: &SocketUnit) {
    header(d, &s.name, s.load_state.as_str(), &s.source, &s.unit);
    install(d, &s.install);
    let o = &s.options;
    d.flag("Accept", s.accept);
    d.kv("Service", s.service_name());
    d.opt("Builtin", s.builtin.map(|b| b.name()));
    d.kv(
        "BindIPv6Only",
        match o.bind_ipv6_only {
            BindIpv6Only::Default => "default",
            BindIpv6Only::Both => "both",
            BindIpv6Only::Ipv6Only => "ipv6-only",
        },
    );
    d.kv("Backlog", o.backlog);
    d.kv("SocketMode", format_args!("{:04o}", o.socket_mode));
    d.kv("DirectoryMode", format_args!("{:04o}", o.directory_mode));
    d.opt("SocketUser", o.socket_user.as_deref());
    d.opt("SocketGroup", o.socket_group.as_deref());
    d.flag("KeepAlive", o.keep_alive);
    d.flag("NoDelay", o.no_delay);
    d.flag("FreeBind", o.free_bind);
    d.flag("Transparent", o.transparent);
    d.flag("Broadcast", o.broadcast);
    d.flag("PassCredentials", o.pass_credentials);
    d.flag("PassSecurity", o.pass_security);
    d.flag("PassPacketInfo", o.pass_packet_info);
    d.flag("ReusePort", o.reuse_port);
    d.kv(
        "TCPCongestion",
        o.tcp_congestion.as_deref().unwrap_or("n/a"),
    );
    d.flag("RemoveOnStop", o.remove_on_stop);
    d.flag("Writable", o.writable);
    d.kv("FileDescriptorName", s.fd_name());
    d.flag("FlushPending", s.flush_pending);
    d.kv("MaxConnections", s.max_connections);
    d.kv("MaxConnectionsPerSource", s.max_connections_per_source);
    d.opt("BindToDevice", o.bind_to_device.as_deref());
    d.opt("KeepAliveTimeSec", o.keep_alive_time);
    d.opt("KeepAliveIntervalSec", o.keep_alive_interval);
    d.opt("KeepAliveProbes", o.keep_alive_probes);
    d.opt("DeferAcceptSec", o.defer_accept);
    d.opt("Priority", o.priority);
    d.opt("ReceiveBuffer", o.receive_buffer);
    d.opt("SendBuffer", o.send_buffer);
    d.opt("IPTOS", o.ip_tos);
    d.opt("IPTTL", o.ip_ttl);
    d.opt("Mark", o.mark);
    d.opt("PipeSize", o.pipe_size);
    d.kv(
        "Timestamping",
        match o.timestamping {
            Timestamping::Off => "off",
            Timestamping::Microseconds => "us",
            Timestamping::Nanoseconds => "ns",
        },
    );
    for l in &s.listen {
        d.kv(l.directive(), l);
    }
    d.each("Symlinks", o.symlinks.iter().map(|p| p.display()));
    let t = s.trigger_limit();
    d.kv("TriggerLimitIntervalSec", t.interval);
    d.kv("TriggerLimitBurst", t.burst);
    let p = s.poll_limit();
    d.kv("PollLimitIntervalSec", p.interval);
    d.kv("PollLimitBurst", p.burst);
    d.kv("TimeoutSec", s.timeout);
    exec_context(d, &s.exec);
    kill_context(d, &s.kill);
    d.commands("ExecStartPre", &s.exec_start_pre);
    d.commands("ExecStartPost", &s.exec_start_post);
    d.commands("ExecStopPre", &s.exec_stop_pre);
    d.commands("ExecStopPost", &s.exec_stop_post);
}

fn dump_service(d: &mut Dump, s: &ServiceUnit) {
    header(d, &s.name, s.load_state.as_str(), &s.source, &s.unit);
    install(d, &s.install);
    d.flag("RemainAfterExit", s.remain_after_exit);
    d.kv("Type", s.effective_type().as_str());
    d.kv("Restart", s.restart.as_str());
    d.kv(
        "NotifyAccess",
        match s.effective_notify_access() {
            NotifyAccess::None => "none",
            NotifyAccess::Main => "main",
            NotifyAccess::Exec => "exec",
            NotifyAccess::All => "all",
        },
    );
    d.kv("RestartSec", s.restart_sec);
    d.kv("TimeoutStartSec", s.effective_timeout_start());
    d.kv("TimeoutStopSec", s.timeout_stop);
    d.kv("WatchdogSec", s.watchdog);
    d.opt("PIDFile", s.pid_file.as_ref().map(|p| p.display()));
    d.each("Sockets", &s.sockets);
    d.flag("NonBlocking", s.non_blocking);
    d.kv("FileDescriptorStoreMax", s.file_descriptor_store_max);
    exit_set(d, "SuccessExitStatus", &s.success_exit_status);
    exit_set(
        d,
        "RestartPreventExitStatus",
        &s.restart_prevent_exit_status,
    );
    exit_set(d, "RestartForceExitStatus", &s.restart_force_exit_status);
    exec_context(d, &s.exec);
    kill_context(d, &s.kill);
    d.commands("ExecCondition", &s.exec_condition);
    d.commands("ExecStartPre", &s.exec_start_pre);
    d.commands("ExecStart", &s.exec_start);
    d.commands("ExecStartPost", &s.exec_start_post);
    d.commands("ExecReload", &s.exec_reload);
    d.commands("ExecStop", &s.exec_stop);
    d.commands("ExecStopPost", &s.exec_stop_post);
}

fn exit_set(d: &mut Dump, key: &str, set: &ExitStatusSet) {
    if set.statuses.is_empty() && set.signals.is_empty() {
        return;
    }
    let mut words: Vec<String> = set.statuses.iter().map(|s| s.to_string()).collect();
    words.extend(set.signals.iter().map(|&s| sig(s)));
    d.kv(key, words.join(" "));
}

/// `SIGTERM` (systemd's signal_to_string), or the number for unnamed signals.
fn sig(n: i32) -> String {
    match signal_name(n) {
        Some(name) if name.starts_with("SIG") => name.to_string(),
        Some(name) => format!("SIG{name}"),
        None => n.to_string(),
    }
}

/// RLIM_INFINITY prints as the raw number, as systemd's exec_context_dump() does.
fn limit_value(v: Option<u64>) -> u64 {
    v.unwrap_or(u64::MAX)
}

fn exec_context(d: &mut Dump, e: &ExecContext) {
    d.kv("UMask", format_args!("{:04o}", e.umask));
    match &*e.working_directory {
        Some(w) => d.kv(
            "WorkingDirectory",
            format_args!(
                "{}{}",
                if w.optional { "-" } else { "" },
                if w.home {
                    "~".into()
                } else {
                    w.path.display().to_string()
                }
            ),
        ),
        None => d.kv("WorkingDirectory", "/"),
    }
    d.kv(
        "RootDirectory",
        e.root_directory
            .as_ref()
            .map_or("/".into(), |p| p.display().to_string()),
    );
    d.flag("NoNewPrivileges", e.no_new_privileges);
    d.opt("Nice", e.nice);
    d.opt("OOMScoreAdjust", e.oom_score_adjust);
    d.each(
        "Environment",
        e.environment.iter().map(|(k, v)| format!("{k}={v}")),
    );
    d.each(
        "EnvironmentFile",
        e.environment_files
            .iter()
            .map(|f| format!("{}{}", if f.optional { "-" } else { "" }, f.path.display())),
    );
    if !e.pass_environment.is_empty() {
        d.kv("PassEnvironment", e.pass_environment.join(" "));
    }
    if !e.unset_environment.is_empty() {
        d.kv("UnsetEnvironment", e.unset_environment.join(" "));
    }
    for (res, ResourceLimit { soft, hard }) in &e.limits {
        let name = format!("Limit{}", format!("{res:?}").to_uppercase());
        d.kv(&name, limit_value(*hard));
        d.kv(&format!("{name}Soft"), limit_value(*soft));
    }
    d.kv("StandardInput", std_input(&e.standard_input));
    let stdout = match (&e.standard_output, &e.standard_input) {
        (StdOutput::Default, StdInput::Socket | StdInput::Tty | StdInput::Fd(_)) => {
            "inherit".to_string()
        }
        (StdOutput::Default, _) => "journal".to_string(),
        (o, _) => std_output(o),
    };
    d.kv("StandardOutput", stdout);
    let stderr = match &e.standard_error {
        StdOutput::Default => "inherit".to_string(),
        o => std_output(o),
    };
    d.kv("StandardError", stderr);
    d.opt("User", e.user.as_deref());
    d.opt("Group", e.group.as_deref());
    if !e.supplementary_groups.is_empty() {
        d.kv("SupplementaryGroups", e.supplementary_groups.join(" "));
    }
}

fn std_input(i: &StdInput) -> String {
    match i {
        StdInput::Null => "null".into(),
        StdInput::Tty => "tty".into(),
        StdInput::Socket => "socket".into(),
        StdInput::Data(_) => "data".into(),
        StdInput::File(p) => format!("file:{}", p.display()),
        StdInput::Fd(n) => format!("fd:{n}"),
    }
}

fn std_output(o: &StdOutput) -> String {
    match o {
        StdOutput::Default | StdOutput::Inherit => "inherit".into(),
        StdOutput::Null => "null".into(),
        StdOutput::Tty => "tty".into(),
        StdOutput::Journal => "journal".into(),
        StdOutput::Kmsg => "kmsg".into(),
        StdOutput::JournalConsole => "journal+console".into(),
        StdOutput::Socket => "socket".into(),
        StdOutput::File(p) => format!("file:{}", p.display()),
        StdOutput::Append(p) => format!("append:{}", p.display()),
        StdOutput::Truncate(p) => format!("truncate:{}", p.display()),
        StdOutput::Fd(n) => format!("fd:{n}"),
    }
}

fn kill_context(d: &mut Dump, k: &KillContext) {
    d.kv(
        "KillMode",
        match k.kill_mode {
            KillMode::ControlGroup => "control-group",
            KillMode::Mixed => "mixed",
            KillMode::Process => "process",
            KillMode::None => "none",
        },
    );
    d.kv("KillSignal", sig(k.kill_signal));
    d.kv(
        "RestartKillSignal",
        sig(k.restart_kill_signal.unwrap_or(k.kill_signal)),
    );
    d.kv("FinalKillSignal", sig(k.final_kill_signal));
    d.flag("SendSIGKILL", k.send_sigkill);
    d.flag("SendSIGHUP", k.send_sighup);
}
