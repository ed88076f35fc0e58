//! activatorctl's command line (clap). Also the source of the shell
//! completions and the man page in contrib/ (see `command()`).

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Exit codes, as systemctl's.
const EXIT_STATUS: &str = "\
Exit status (as systemctl):
  0  success; status: every unit is active; is-active/is-failed: one matches
  1  failure, e.g. no daemon reachable; is-failed: no unit has failed
  3  status/is-active: a unit is not active
  4  status: no such unit; control commands: access denied
  5  control commands: no such unit";

/// Control and inspect a running activatord, with systemctl's commands,
/// output and exit codes.
///
/// By default activatorctl talks to the daemon's private socket
/// (/run/activator/private as root, $XDG_RUNTIME_DIR/activator/private
/// otherwise); --bus or --address pick another way.
#[derive(Parser, Debug)]
#[command(
    name = "activatorctl",
    version,
    args_override_self = true,
    after_long_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Without a command: list-units.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Talk to activatord over this bus instead of the private socket.
    #[arg(long, value_enum, global = true, conflicts_with = "address")]
    pub bus: Option<BusArg>,
    /// D-Bus address to connect to (e.g. unix:path=/run/activator/private).
    #[arg(long, value_name = "ADDRESS", global = true)]
    pub address: Option<String>,
    /// Path of the daemon's private socket.
    #[arg(long = "control-socket", value_name = "PATH", global = true)]
    pub control_socket: Option<PathBuf>,
    /// Accepted for systemctl compatibility; output is never paged.
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Leave out table headers, legends and footers.
    #[arg(long, global = true)]
    pub no_legend: bool,
    /// Output format for scripts.
    #[arg(short = 'o', long, value_enum, global = true, value_name = "FORMAT")]
    pub output: Option<OutputArg>,
    /// Also show loaded but inactive units.
    #[arg(short = 'a', long, global = true)]
    pub all: bool,
    /// Print less (is-active, is-failed: nothing at all).
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusArg {
    System,
    Session,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputArg {
    /// Human-readable text (default).
    Short,
    /// One JSON document.
    Json,
    /// Indented JSON.
    JsonPretty,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Show the runtime status of units, or of the daemon without a unit.
    Status {
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// List the listening addresses of socket units.
    ListSockets {
        /// Also show the socket type column.
        #[arg(long)]
        show_types: bool,
        #[arg(value_name = "PATTERN")]
        patterns: Vec<String>,
    },
    /// List loaded units.
    ListUnits {
        #[arg(value_name = "PATTERN")]
        patterns: Vec<String>,
    },
    /// Show properties of units (or of the manager without a unit).
    Show {
        /// Only these properties (repeatable, or comma-separated).
        #[arg(
            short = 'p',
            long = "property",
            value_name = "NAME",
            value_delimiter = ','
        )]
        properties: Vec<String>,
        /// Print only the values.
        #[arg(long)]
        value: bool,
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Print the files of units.
    Cat {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Start units.
    Start {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Stop units.
    Stop {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Restart units.
    Restart {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Reload units.
    Reload {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Send a signal to the processes of units.
    Kill {
        /// Signal name or number (default SIGTERM).
        #[arg(short = 's', long, value_name = "SIGNAL", default_value = "SIGTERM")]
        signal: String,
        /// Which processes: main, control or all.
        #[arg(
            long = "kill-whom",
            alias = "kill-who",
            value_name = "WHOM",
            default_value = "all"
        )]
        kill_whom: String,
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Reset the failed state of units (all failed units without arguments).
    ResetFailed {
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Reload the daemon's configuration.
    DaemonReload,
    /// Re-execute the daemon, keeping its sockets.
    DaemonReexec,
    /// Check whether units are active (exit 0 if any is).
    IsActive {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
    /// Check whether units have failed (exit 0 if any has).
    IsFailed {
        #[arg(value_name = "UNIT", required = true)]
        units: Vec<String>,
    },
}

/// The clap command, for completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}
