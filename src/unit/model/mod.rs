//! The typed configuration: what a `.socket` or `.service` means once parsed.
//!
//! This is the one model of the project. Unit files (`unit::loader`) and inetd.conf
//! (`inetd`) both produce these types; the engine only ever sees them and never
//! knows which file a unit came from. Defaults are systemd's (systemd.socket(5),
//! systemd.service(5), systemd.exec(5), systemd.kill(5)).
//!
//! `socket` and `service` hold each unit type; this file holds what both share:
//! the `[Unit]`/`[Install]` sections, Exec commands and the exec and kill contexts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::sparse::Sparse;
use super::values::Usec;

/// `$unit` reads and writes the fields of its `settings` group as its own (the
/// group is `Sparse`: shared until written).
macro_rules! derefs_to_settings {
    ($unit:ty => $settings:ty) => {
        impl std::ops::Deref for $unit {
            type Target = $settings;
            fn deref(&self) -> &$settings {
                &self.settings
            }
        }

        impl std::ops::DerefMut for $unit {
            fn deref_mut(&mut self) -> &mut $settings {
                &mut self.settings
            }
        }
    };
}

mod condition;
mod service;
mod socket;

pub use condition::*;
pub use service::*;
pub use socket::*;

crate::shared_default!(
    UnitSettings,
    ServiceSettings,
    SocketSettings,
    UnitDeps,
    InstallSection,
    SocketOptions,
    ExecContext,
    KillContext,
    ExitStatusSet,
    Vec<ExecCommand>,
    Vec<String>,
    Vec<PathBuf>,
    Vec<EnvironmentFile>,
    Vec<(Resource, ResourceLimit)>,
    Option<PathBuf>,
    Option<WorkingDirectory>,
);

/// Where a unit's definition came from, for diagnostics and `activatorctl cat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSource {
    /// Main fragment path (`/etc/systemd/system/foo.socket`), or the inetd.conf file.
    pub fragment: Option<std::sync::Arc<Path>>,
    /// Line in `fragment` this unit was generated from (inetd.conf entries); 0 otherwise.
    pub line: u32,
    /// Drop-in files applied, in the order they were applied.
    pub dropins: Sparse<Vec<PathBuf>>,
}

/// Load state as systemd reports it (`LoadState` property).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadState {
    #[default]
    Loaded,
    NotFound,
    BadSetting,
    Error,
    Masked,
}

impl LoadState {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadState::Loaded => "loaded",
            LoadState::NotFound => "not-found",
            LoadState::BadSetting => "bad-setting",
            LoadState::Error => "error",
            LoadState::Masked => "masked",
        }
    }
}

/// A rate limit: at most `burst` events per `interval`. `burst == 0` or
/// `interval == 0` disables it (systemd's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub interval: Usec,
    pub burst: u32,
}

impl RateLimit {
    pub fn is_enabled(&self) -> bool {
        self.burst > 0 && self.interval.0 > 0
    }
}

/// Services activator runs inside the daemon (inetd's `internal`; RFC 862–868).
/// In unit files they are selected with the activator extension
/// `X-Activator-Builtin=` in `[Socket]` (systemd ignores `X-` keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builtin {
    Echo,
    Discard,
    Chargen,
    Daytime,
    Time,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Echo => "echo",
            Builtin::Discard => "discard",
            Builtin::Chargen => "chargen",
            Builtin::Daytime => "daytime",
            Builtin::Time => "time",
        }
    }

    pub fn from_name(s: &str) -> Option<Builtin> {
        Some(match s {
            "echo" => Builtin::Echo,
            "discard" => Builtin::Discard,
            "chargen" => Builtin::Chargen,
            "daytime" => Builtin::Daytime,
            "time" => Builtin::Time,
            _ => return None,
        })
    }
}

/// The `[Unit]` section settings activator uses. `Description=` is kept on its
/// own (shared text: an inetd entry's socket and service carry the same one);
/// the rest, which nearly every unit leaves at its defaults, is a `Sparse`
/// group the section derefs to, so `unit.collect_mode` reads as before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSection {
    pub description: Option<Arc<str>>,
    #[serde(flatten)]
    pub settings: Sparse<UnitSettings>,
}

derefs_to_settings!(UnitSection => UnitSettings);

/// The `[Unit]` settings other than `Description=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSettings {
    pub documentation: Vec<String>,
    pub default_dependencies: bool,
    /// `StartLimitIntervalSec=`/`StartLimitBurst=`, default 10s/5.
    pub start_limit: RateLimit,
    pub collect_mode: CollectMode,
    /// Ordering and requirement dependencies, kept for `show` and for ordering starts.
    #[serde(flatten)]
    pub deps: Sparse<UnitDeps>,
    /// `Condition*=`: all must hold (of the `|` ones, one), else the start is skipped.
    pub conditions: Vec<Condition>,
    /// `Assert*=`: the same, but a failure fails the start request.
    pub asserts: Vec<Condition>,
}

impl Default for UnitSettings {
    fn default() -> Self {
        UnitSettings {
            documentation: Vec::new(),
            default_dependencies: true,
            start_limit: RateLimit {
                interval: Usec::from_secs(10),
                burst: 5,
            },
            collect_mode: CollectMode::Inactive,
            deps: Sparse::default(),
            conditions: Vec::new(),
            asserts: Vec::new(),
        }
    }
}

/// Dependencies of the `[Unit]` section (systemd.unit(5) "Requires=" …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitDeps {
    pub requires: Vec<String>,
    pub wants: Vec<String>,
    pub binds_to: Vec<String>,
    pub part_of: Vec<String>,
    pub after: Vec<String>,
    pub before: Vec<String>,
    pub conflicts: Vec<String>,
}

/// `CollectMode=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollectMode {
    #[default]
    Inactive,
    InactiveOrFailed,
}

/// The `[Install]` section (used by `--wanted-by` and shown by `show`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstallSection {
    pub wanted_by: Vec<String>,
    pub required_by: Vec<String>,
    pub alias: Vec<String>,
    pub also: Vec<String>,
}

/// One command of an `Exec*=` line (systemd.service(5) "Command lines").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ExecCommand {
    /// Executable: absolute, or a bare name searched in systemd's fixed PATH at spawn time.
    pub path: String,
    /// Full argv including argv[0] (which `@` may have overridden). `$VAR`/`${VAR}`
    /// are still unexpanded; they are expanded at spawn time unless `no_env_expand`.
    pub argv: Vec<String>,
    /// `-`: a failure exit is recorded but treated as success.
    pub ignore_failure: bool,
    /// `:`: no environment variable substitution.
    pub no_env_expand: bool,
    /// `+`: run with full privileges (no User=/Group=).
    pub full_privileges: bool,
    /// `!`: skip only the credential change.
    pub no_setuid: bool,
    /// `|` (v258+): run via `/bin/sh -c`.
    pub via_shell: bool,
}

/// `StandardInput=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdInput {
    #[default]
    Null,
    Tty,
    Socket,
    File(PathBuf),
    Data(Vec<u8>),
    Fd(String),
}

/// `StandardOutput=`/`StandardError=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdOutput {
    /// Not set in the unit: systemd's default applies (stdout: `inherit` when stdin is a
    /// socket/tty, else journal; stderr: `inherit`).
    #[default]
    Default,
    Inherit,
    Null,
    Tty,
    Journal,
    Kmsg,
    JournalConsole,
    Socket,
    File(PathBuf),
    Append(PathBuf),
    Truncate(PathBuf),
    Fd(String),
}

/// A resource limit (`LimitNOFILE=soft:hard`); `None` means infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResourceLimit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// Resource kinds of `Limit*=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Resource {
    Cpu,
    Fsize,
    Data,
    Stack,
    Core,
    Rss,
    Nofile,
    As,
    Nproc,
    Memlock,
    Locks,
    Sigpending,
    Msgqueue,
    Nice,
    Rtprio,
    Rttime,
}

/// `WorkingDirectory=` (`-` prefix: ignore when missing; `~`: the user's home).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkingDirectory {
    pub path: PathBuf,
    pub optional: bool,
    pub home: bool,
}

/// An `EnvironmentFile=` entry (`-` prefix: optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentFile {
    pub path: PathBuf,
    pub optional: bool,
}

/// The systemd.exec(5) settings activator honours, shared by services and the
/// socket's own Exec commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecContext {
    pub user: Option<String>,
    pub group: Option<String>,
    pub supplementary_groups: Sparse<Vec<String>>,
    /// inetd's initgroups rule (inetd.md §1.10): for entries without an explicit group,
    /// non-root users get `initgroups(user, pw_gid)`. systemd units never set this.
    pub init_groups: bool,
    pub working_directory: Sparse<Option<WorkingDirectory>>,
    pub root_directory: Sparse<Option<PathBuf>>,
    /// `Environment=` assignments in order (later wins at spawn time).
    pub environment: Vec<(String, String)>,
    pub environment_files: Sparse<Vec<EnvironmentFile>>,
    pub pass_environment: Sparse<Vec<String>>,
    pub unset_environment: Sparse<Vec<String>>,
    /// `UMask=`, default 0022.
    pub umask: u32,
    pub limits: Sparse<Vec<(Resource, ResourceLimit)>>,
    pub nice: Option<i32>,
    pub oom_score_adjust: Option<i32>,
    pub no_new_privileges: bool,
    pub standard_input: StdInput,
    pub standard_output: StdOutput,
    pub standard_error: StdOutput,
}

impl Default for ExecContext {
    fn default() -> Self {
        ExecContext {
            user: None,
            group: None,
            supplementary_groups: Sparse::default(),
            init_groups: false,
            working_directory: Sparse::default(),
            root_directory: Sparse::default(),
            environment: Vec::new(),
            environment_files: Sparse::default(),
            pass_environment: Sparse::default(),
            unset_environment: Sparse::default(),
            umask: 0o022,
            limits: Sparse::default(),
            nice: None,
            oom_score_adjust: None,
            no_new_privileges: false,
            standard_input: StdInput::Null,
            standard_output: StdOutput::Default,
            standard_error: StdOutput::Default,
        }
    }
}

/// `KillMode=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KillMode {
    #[default]
    ControlGroup,
    Mixed,
    Process,
    None,
}

/// systemd.kill(5) settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KillContext {
    pub kill_mode: KillMode,
    pub kill_signal: i32,
    pub restart_kill_signal: Option<i32>,
    pub final_kill_signal: i32,
    pub send_sigkill: bool,
    pub send_sighup: bool,
}

impl Default for KillContext {
    fn default() -> Self {
        KillContext {
            kill_mode: KillMode::ControlGroup,
            kill_signal: libc::SIGTERM,
            restart_kill_signal: None,
            final_kill_signal: libc::SIGKILL,
            send_sigkill: true,
            send_sighup: false,
        }
    }
}

/// Either kind of unit, as the loader returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
// Transient (the table builder's result, one at a time), so the size
// difference between the variants costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
pub enum Unit {
    Socket(SocketUnit),
    Service(ServiceUnit),
}

impl Unit {
    pub fn name(&self) -> &str {
        match self {
            Unit::Socket(s) => &s.name,
            Unit::Service(s) => &s.name,
        }
    }

    pub fn load_state(&self) -> LoadState {
        match self {
            Unit::Socket(s) => s.load_state,
            Unit::Service(s) => s.load_state,
        }
    }
}
