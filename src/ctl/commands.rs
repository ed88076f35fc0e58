//! Each activatorctl command: fetch through the client, print through the
//! formatters, and exit like systemctl (status: 0 running, 3 not running, 4
//! unknown unit; is-active: 0/3; is-failed: 0/1; job commands: the exit code
//! `translate_bus_error_to_exit_status()` gives the error).

use std::io::IsTerminal;

use super::cli::{BusArg, Cli, Command, GlobalArgs, OutputArg};
use super::client::{CallError, Client, Target};
use super::status::{format_manager_status, format_unit_status, StatusContext};
use super::tables::{format_list_sockets, format_list_units, socket_rows, unit_rows, TableOptions};
use super::time::now_usec;
use crate::engine::control::{ManagerStatus, UnitStatus};

/// LSB exit codes of `status` (systemctl-show.c).
const EXIT_PROGRAM_NOT_RUNNING: i32 = 3;
const EXIT_PROGRAM_OR_SERVICES_STATUS_UNKNOWN: i32 = 4;

/// The unit types systemd knows; a name without one gets `.service`
/// (systemd's `unit_name_mangle()`).
const UNIT_SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".target",
    ".device",
    ".mount",
    ".automount",
    ".swap",
    ".timer",
    ".path",
    ".slice",
    ".scope",
];

pub fn mangle(name: &str) -> String {
    let is_glob = name.contains(['*', '?', '[']);
    if is_glob || UNIT_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        name.to_string()
    } else {
        format!("{name}.service")
    }
}

/// Shell-style glob (`*`, `?`) as systemctl's pattern arguments use (fnmatch).
pub fn glob_match(pat: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|i| go(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && go(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

fn matches_any(patterns: &[String], name: &str) -> bool {
    patterns.is_empty()
        || patterns
            .iter()
            .any(|p| glob_match(p, name) || glob_match(&mangle(p), name))
}

fn target(g: &GlobalArgs) -> Target {
    if let Some(a) = &g.address {
        return Target::Address(a.clone());
    }
    match g.bus {
        Some(BusArg::System) => Target::System,
        Some(BusArg::Session) => Target::Session,
        None => Target::Private(
            g.control_socket
                .clone()
                .unwrap_or_else(crate::bus::default_control_socket),
        ),
    }
}

/// Colour only on a terminal, and not when NO_COLOR or TERM=dumb says no.
fn use_color() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
        && std::env::var("SYSTEMD_COLORS")
            .map(|v| v != "0" && v != "false")
            .unwrap_or(true)
}

fn print_json<T: serde::Serialize>(v: &T, pretty: bool) {
    let text = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    match text {
        Ok(t) => println!("{t}"),
        Err(e) => eprintln!("Failed to format JSON: {e}"),
    }
}

pub fn run(cli: Cli) -> i32 {
    let g = cli.global.clone();
    let command = cli.command.unwrap_or(Command::ListUnits {
        patterns: Vec::new(),
    });
    let client = match Client::connect(&target(&g)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let ctx = Ctx {
        client,
        json: match g.output {
            Some(OutputArg::Json) => Some(false),
            Some(OutputArg::JsonPretty) => Some(true),
            _ => None,
        },
        color: use_color(),
        g,
    };
    match command {
        Command::Status { units } => ctx.status(&units),
        Command::ListSockets {
            show_types,
            patterns,
        } => ctx.list_sockets(&patterns, show_types),
        Command::ListUnits { patterns } => ctx.list_units(&patterns),
        Command::Show {
            properties,
            value,
            units,
        } => ctx.show(&properties, value, &units),
        Command::Cat { units } => ctx.cat(&units),
        Command::Start { units } => ctx.job("StartUnit", "start", &units),
        Command::Stop { units } => ctx.job("StopUnit", "stop", &units),
        Command::Restart { units } => ctx.job("RestartUnit", "restart", &units),
        Command::Reload { units } => ctx.job("ReloadUnit", "reload", &units),
        Command::Kill {
            signal,
            kill_whom,
            units,
        } => ctx.kill(&signal, &kill_whom, &units),
        Command::ResetFailed { units } => ctx.reset_failed(&units),
        Command::DaemonReload => ctx.simple("Reload", "reload daemon"),
        Command::DaemonReexec => ctx.simple("Reexecute", "reexecute daemon"),
        Command::IsActive { units } => ctx.is_state(&units, &["active", "reloading"], 3),
        Command::IsFailed { units } => ctx.is_state(&units, &["failed"], 1),
    }
}

struct Ctx {
    client: Client,
    g: GlobalArgs,
    /// Some(pretty) for `-o json`/`json-pretty`.
    json: Option<bool>,
    color: bool,
}

impl Ctx {
    fn status_context(&self, units: &[UnitStatus]) -> StatusContext {
        let mut ctx = StatusContext {
            now: now_usec(),
            color: self.color,
            ..Default::default()
        };
        let related: Vec<&String> = units
            .iter()
            .flat_map(|u| u.triggers.iter().chain(&u.triggered_by))
            .collect();
        if related.len() > 4 {
            if let Ok(all) = self.client.list_units() {
                ctx.unit_states = all.into_iter().map(|r| (r.0, r.3)).collect();
            }
        } else {
            for n in related {
                if let Ok(st) = self.client.unit_status(n) {
                    ctx.unit_states.insert(n.clone(), st.active_state);
                }
            }
        }
        for u in units {
            if let Some(v) = &u.service {
                if v.main_pid > 0 {
                    if let Ok(c) = std::fs::read_to_string(format!("/proc/{}/comm", v.main_pid)) {
                        ctx.comms.insert(v.main_pid, c.trim_end().to_string());
                    }
                }
            }
        }
        ctx
    }

    fn manager_status(&self) -> Result<ManagerStatus, CallError> {
        let m = self.client.manager_props()?;
        let s = |k: &str| {
            m.get(k)
                .and_then(|v| <&str>::try_from(v).ok())
                .unwrap_or_default()
                .to_string()
        };
        let u = |k: &str| m.get(k).and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
        Ok(ManagerStatus {
            version: s("Version"),
            state: s("SystemState"),
            n_units: u("NNames"),
            n_failed_units: u("NFailedUnits"),
            n_sockets_listening: u("NListeningSockets"),
            n_jobs: u("NJobs"),
            pid: u("DaemonPID"),
            startup_timestamp: m
                .get("UserspaceTimestamp")
                .and_then(|v| u64::try_from(v).ok())
                .unwrap_or(0),
        })
    }

    fn status(&self, names: &[String]) -> i32 {
        if names.is_empty() {
            return match self.manager_status() {
                Ok(m) => {
                    if let Some(pretty) = self.json {
                        print_json(&m, pretty);
                    } else {
                        let host = nix::unistd::gethostname()
                            .map(|h| h.to_string_lossy().into_owned())
                            .unwrap_or_else(|_| "localhost".into());
                        print!(
                            "{}",
                            format_manager_status(&m, &host, &self.status_context(&[]))
                        );
                    }
                    0
                }
                Err(e) => {
                    eprintln!("Failed to get daemon status: {e}");
                    1
                }
            };
        }
        let mut ret = 0;
        let mut found = Vec::new();
        for n in names {
            let name = mangle(n);
            match self.client.unit_status(&name) {
                Ok(u) => {
                    let code = if u.active_state == "active" || u.active_state == "reloading" {
                        0
                    } else if u.load_state == "not-found" && u.active_state == "inactive" {
                        EXIT_PROGRAM_OR_SERVICES_STATUS_UNKNOWN
                    } else {
                        EXIT_PROGRAM_NOT_RUNNING
                    };
                    if ret == 0 {
                        ret = code;
                    }
                    found.push(u);
                }
                Err(e) if e.is_no_such_unit() => {
                    eprintln!("Unit {name} could not be found.");
                    if ret == 0 {
                        ret = EXIT_PROGRAM_OR_SERVICES_STATUS_UNKNOWN;
                    }
                }
                Err(e) => {
                    eprintln!("Failed to get properties: {e}");
                    return 1;
                }
            }
        }
        if let Some(pretty) = self.json {
            print_json(&found, pretty);
            return ret;
        }
        let ctx = self.status_context(&found);
        let texts: Vec<String> = found.iter().map(|u| format_unit_status(u, &ctx)).collect();
        print!("{}", texts.join("\n"));
        ret
    }

    /// Full statuses of the units (matching patterns) that `--all` shows.
    fn statuses(
        &self,
        patterns: &[String],
        suffix: Option<&str>,
    ) -> Result<Vec<UnitStatus>, CallError> {
        let mut out = Vec::new();
        for u in self.client.list_unit_statuses()? {
            if suffix.is_some_and(|s| !u.id.ends_with(s)) || !matches_any(patterns, &u.id) {
                continue;
            }
            if !super::tables::shown(&u, self.g.all) {
                continue;
            }
            match self.client.unit_status(&u.id) {
                Ok(full) => out.push(full),
                Err(e) if e.is_no_such_unit() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn table_options(&self) -> TableOptions {
        TableOptions {
            all: self.g.all,
            legend: !self.g.no_legend,
            color: self.color,
        }
    }

    fn list_sockets(&self, patterns: &[String], show_types: bool) -> i32 {
        match self.statuses(patterns, Some(".socket")) {
            Ok(units) => {
                if let Some(pretty) = self.json {
                    print_json(&socket_rows(&units, self.g.all), pretty);
                } else {
                    print!(
                        "{}",
                        format_list_sockets(&units, self.table_options(), show_types)
                    );
                }
                0
            }
            Err(e) => {
                eprintln!("Failed to list sockets: {e}");
                1
            }
        }
    }

    fn list_units(&self, patterns: &[String]) -> i32 {
        match self.client.list_unit_statuses() {
            Ok(units) => {
                let units: Vec<UnitStatus> = units
                    .into_iter()
                    .filter(|u| matches_any(patterns, &u.id))
                    .collect();
                if let Some(pretty) = self.json {
                    print_json(&unit_rows(&units, self.g.all), pretty);
                } else {
                    print!("{}", format_list_units(&units, self.table_options()));
                }
                0
            }
            Err(e) => {
                eprintln!("Failed to list units: {e}");
                1
            }
        }
    }

    fn show(&self, props: &[String], value: bool, names: &[String]) -> i32 {
        if names.is_empty() {
            return match self.client.manager_props() {
                Ok(m) => {
                    let mut keys: Vec<&String> = m.keys().collect();
                    keys.sort();
                    for k in keys {
                        if !props.is_empty() && !props.contains(k) {
                            continue;
                        }
                        let v = &m[k];
                        let text = <&str>::try_from(v)
                            .map(str::to_string)
                            .or_else(|_| u32::try_from(v).map(|n| n.to_string()))
                            .or_else(|_| u64::try_from(v).map(|n| n.to_string()))
                            .unwrap_or_default();
                        if value {
                            println!("{text}");
                        } else {
                            println!("{k}={text}");
                        }
                    }
                    0
                }
                Err(e) => {
                    eprintln!("Failed to get properties: {e}");
                    1
                }
            };
        }
        let mut texts = Vec::new();
        for n in names {
            let name = mangle(n);
            let u = match self.client.unit_status(&name) {
                Ok(u) => u,
                // systemctl shows a not-found unit's few properties and exits 0.
                Err(e) if e.is_no_such_unit() => UnitStatus {
                    id: name.clone(),
                    load_state: "not-found".into(),
                    active_state: "inactive".into(),
                    sub_state: "dead".into(),
                    ..Default::default()
                },
                Err(e) => {
                    eprintln!("Failed to get properties: {e}");
                    return 1;
                }
            };
            if let Some(pretty) = self.json {
                print_json(&u, pretty);
            } else {
                texts.push(super::show::format_show(&u, props, value));
            }
        }
        print!("{}", texts.join("\n"));
        0
    }

    fn cat(&self, names: &[String]) -> i32 {
        let mut ret = 0;
        for (i, n) in names.iter().enumerate() {
            let name = mangle(n);
            match self
                .client
                .manager::<_, String>("CatUnit", &(name.as_str(),))
            {
                Ok(text) => {
                    if i > 0 {
                        println!();
                    }
                    print!("{text}");
                    if !text.ends_with('\n') && !text.is_empty() {
                        println!();
                    }
                }
                Err(e) if e.is_no_such_unit() => {
                    eprintln!("No files found for {name}.");
                    ret = 1;
                }
                Err(e) => {
                    eprintln!("Failed to cat {name}: {e}");
                    ret = 1;
                }
            }
        }
        ret
    }

    fn job(&self, method: &str, verb: &str, names: &[String]) -> i32 {
        let mut ret = 0;
        for n in names {
            let name = mangle(n);
            let r: Result<zbus::OwnedObjectPath, CallError> =
                self.client.manager(method, &(name.as_str(), "replace"));
            if let Err(e) = r {
                eprintln!("Failed to {verb} {name}: {e}");
                if ret == 0 {
                    ret = e.exit_code();
                }
            }
        }
        ret
    }

    fn kill(&self, signal: &str, whom: &str, names: &[String]) -> i32 {
        let sig = match crate::unit::values::parse_signal(signal) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("Failed to parse signal string {signal}.");
                return 1;
            }
        };
        let mut ret = 0;
        for n in names {
            let name = mangle(n);
            if let Err(e) = self
                .client
                .manager::<_, ()>("KillUnit", &(name.as_str(), whom, sig))
            {
                eprintln!("Failed to kill unit {name}: {e}");
                if ret == 0 {
                    ret = e.exit_code();
                }
            }
        }
        ret
    }

    fn reset_failed(&self, names: &[String]) -> i32 {
        if names.is_empty() {
            return self.simple("ResetFailed", "reset failed state");
        }
        let mut ret = 0;
        for n in names {
            let name = mangle(n);
            if let Err(e) = self
                .client
                .manager::<_, ()>("ResetFailedUnit", &(name.as_str(),))
            {
                eprintln!("Failed to reset failed state of unit {name}: {e}");
                if ret == 0 {
                    ret = e.exit_code();
                }
            }
        }
        ret
    }

    fn simple(&self, method: &str, what: &str) -> i32 {
        match self.client.manager::<_, ()>(method, &()) {
            Ok(()) => 0,
            // Reexecute: the daemon may exec before the reply leaves.
            Err(e) if method == "Reexecute" && e.name.is_empty() => 0,
            Err(e) => {
                eprintln!("Failed to {what}: {e}");
                e.exit_code()
            }
        }
    }

    /// is-active / is-failed: print each state, exit 0 if any matches.
    fn is_state(&self, names: &[String], wanted: &[&str], otherwise: i32) -> i32 {
        let mut any = false;
        for n in names {
            let name = mangle(n);
            let state = match self.client.unit_status(&name) {
                Ok(u) => u.active_state,
                Err(_) => "inactive".to_string(),
            };
            any |= wanted.contains(&state.as_str());
            if !self.g.quiet {
                println!("{state}");
            }
        }
        if any {
            0
        } else {
            otherwise
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_patterns_like_systemctl() {
        assert_eq!(mangle("web"), "web.service");
        assert_eq!(mangle("web.socket"), "web.socket");
        assert_eq!(mangle("echo@1.service"), "echo@1.service");
        assert_eq!(mangle("web*"), "web*");
        assert!(glob_match("web*", "web.socket"));
        assert!(glob_match("*.socket", "a.socket"));
        assert!(!glob_match("*.socket", "a.service"));
        assert!(glob_match("w?b.socket", "web.socket"));
        assert!(matches_any(&[], "x"));
        assert!(matches_any(&["web".to_string()], "web.service"));
    }
}
