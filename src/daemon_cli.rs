//! `activatord`'s command line, as clap definitions: the binary parses it, and
//! `ctl::contrib` generates the shell completions and man page from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A systemd-compatible socket activator and inetd super-server.
///
/// Holds the listening sockets of `.socket` units (and inetd.conf entries) and
/// starts the configured server when traffic arrives: one process per connection
/// (Accept=yes / nowait) with the connection on stdio or as fd 3, or one process
/// for the socket with LISTEN_FDS (Accept=no / wait). Runs in the foreground.
#[derive(Parser, Debug)]
#[command(
    name = "activatord",
    version,
    args_conflicts_with_subcommands = true,
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    /// Directory of unit files; repeatable; replaces systemd's search path.
    #[arg(long = "unit-path", value_name = "DIR")]
    pub unit_paths: Vec<PathBuf>,
    /// inetd.conf file or directory of files; repeatable.
    #[arg(long = "inetd-conf", value_name = "FILE")]
    pub inetd_confs: Vec<PathBuf>,
    /// inetd.conf dialect.
    #[arg(long = "inetd-dialect", value_enum, default_value = "openbsd")]
    pub inetd_dialect: DialectArg,
    /// services(5) database used to resolve inetd.conf service names.
    #[arg(
        long = "services",
        value_name = "FILE",
        default_value = "/etc/services"
    )]
    pub services: PathBuf,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// inetd's -R: spawns per minute allowed for inetd.conf entries without their
    /// own `.N` (0 = no limit) [default: the dialect's, e.g. 256 for openbsd].
    #[arg(short = 'R', long = "rate", value_name = "N")]
    pub inetd_rate: Option<u32>,
    /// Start only the units enabled in TARGET.wants/ (e.g. sockets.target).
    #[arg(long = "wanted-by", value_name = "TARGET")]
    pub wanted_by: Option<String>,
    /// Log level: error, warn, info, debug, trace.
    #[arg(long = "log-level", default_value = "info")]
    pub log_level: String,
    /// Log to syslog (facility daemon) through PATH [default: /dev/log] instead of
    /// stderr or the journal.
    #[arg(
        long = "syslog",
        value_name = "PATH",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "/dev/log"
    )]
    pub syslog: Option<PathBuf>,
    /// Directory for the notify and control sockets [default: /run/activator as root,
    /// $XDG_RUNTIME_DIR/activator otherwise].
    #[arg(long = "runtime-dir", value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// Private D-Bus control socket [default: RUNTIME_DIR/private].
    #[arg(long = "control-socket", value_name = "PATH")]
    pub control_socket: Option<PathBuf>,
    /// Also serve org.activator1 on a message bus: auto (system bus when root and
    /// its socket exists), system, session or none.
    #[arg(long = "bus", value_name = "BUS", default_value = "auto")]
    pub bus: String,
    /// Container init: do PID 1's duties (reaping, signal forwarding) even when not
    /// PID 1; with `-- CMD ARGS...` run CMD as the main program and exit with its
    /// status.
    #[arg(long)]
    pub init: bool,
    /// Internal: state fd handed over by a re-exec.
    #[arg(long, hide = true, value_name = "FD")]
    pub deserialize: Option<i32>,
    /// Units to start (default: every socket unit found).
    #[arg(value_name = "UNIT")]
    pub units: Vec<String>,
    /// Main program and its arguments (after `--`), run like a container's
    /// entrypoint under an init.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check unit files (and inetd.conf) like `systemd-analyze verify`.
    Verify {
        #[command(flatten)]
        config: ConfigArgs,
        /// Print the effective configuration of every loaded unit.
        #[arg(long)]
        dump: bool,
        /// With --dump: JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Unit names or unit file paths.
        #[arg(value_name = "UNIT|FILE")]
        units: Vec<String>,
    },
    /// Convert inetd.conf entries into .socket/.service unit files.
    Convert {
        #[command(flatten)]
        config: ConfigArgs,
        /// Directory to write the unit files into.
        #[arg(long, value_name = "DIR")]
        output: PathBuf,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum DialectArg {
    Openbsd,
    Freebsd,
    Inetutils,
    Busybox,
}

/// The clap command (for completions and the man page).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
