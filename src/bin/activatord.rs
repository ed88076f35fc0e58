//! `activatord`: the socket-activation daemon, plus `verify` and `convert`.
//! Thin: parse flags into library options and call the library.

use std::path::PathBuf;
use std::process::ExitCode;

use activator::daemon::{self, DaemonOptions};
use activator::inetd::{Dialect, InetdOptions};
use activator::verify::{run_verify, VerifyOptions};
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
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args, Debug, Clone)]
struct ConfigArgs {
    /// Directory of unit files; repeatable; replaces systemd's search path.
    #[arg(long = "unit-path", value_name = "DIR")]
    unit_paths: Vec<PathBuf>,
    /// inetd.conf file or directory of files; repeatable.
    #[arg(long = "inetd-conf", value_name = "FILE")]
    inetd_confs: Vec<PathBuf>,
    /// inetd.conf dialect.
    #[arg(long = "inetd-dialect", value_enum, default_value = "openbsd")]
    inetd_dialect: DialectArg,
    /// services(5) database used to resolve inetd.conf service names.
    #[arg(
        long = "services",
        value_name = "FILE",
        default_value = "/etc/services"
    )]
    services: PathBuf,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// inetd's -R: spawns per minute allowed for inetd.conf entries without their
    /// own `.N` (0 = no limit) [default: the dialect's, e.g. 256 for openbsd].
    #[arg(short = 'R', long = "rate", value_name = "N")]
    inetd_rate: Option<u32>,
    /// Start only the units enabled in TARGET.wants/ (e.g. sockets.target).
    #[arg(long = "wanted-by", value_name = "TARGET")]
    wanted_by: Option<String>,
    /// Log level: error, warn, info, debug, trace.
    #[arg(long = "log-level", default_value = "info")]
    log_level: String,
    /// Directory for the notify and control sockets [default: /run/activator as root,
    /// $XDG_RUNTIME_DIR/activator otherwise].
    #[arg(long = "runtime-dir", value_name = "DIR")]
    runtime_dir: Option<PathBuf>,
    /// Private D-Bus control socket [default: RUNTIME_DIR/private].
    #[arg(long = "control-socket", value_name = "PATH")]
    control_socket: Option<PathBuf>,
    /// Also serve org.activator1 on a message bus: auto (system bus when root and
    /// reachable), system, session or none.
    #[arg(long = "bus", value_name = "BUS", default_value = "auto")]
    bus: String,
    /// Container init: do PID 1's duties (reaping, signal forwarding) even when not
    /// PID 1; with `-- CMD ARGS...` run CMD as the main program and exit with its
    /// status.
    #[arg(long)]
    init: bool,
    /// Internal: state fd handed over by a re-exec.
    #[arg(long, hide = true, value_name = "FD")]
    deserialize: Option<i32>,
    /// Units to start (default: every socket unit found).
    #[arg(value_name = "UNIT")]
    units: Vec<String>,
    /// Main program and its arguments (after `--`), run like a container's
    /// entrypoint under an init.
    #[arg(last = true, value_name = "CMD")]
    command: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
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
enum DialectArg {
    Openbsd,
    Freebsd,
    Inetutils,
    Busybox,
}

fn inetd_options(c: &ConfigArgs) -> InetdOptions {
    InetdOptions {
        dialect: match c.inetd_dialect {
            DialectArg::Openbsd => Dialect::OpenBsd,
            DialectArg::Freebsd => Dialect::FreeBsd,
            DialectArg::Inetutils => Dialect::Inetutils,
            DialectArg::Busybox => Dialect::Busybox,
        },
        services_file: c.services.clone(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Verify {
            config,
            dump,
            json,
            units,
        }) => {
            let opts = VerifyOptions {
                unit_paths: config.unit_paths.clone(),
                inetd_confs: config.inetd_confs.clone(),
                inetd: inetd_options(&config),
                units,
                dump,
                json,
            };
            let code = run_verify(&opts, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(code.clamp(0, 255) as u8)
        }
        Some(Command::Convert { config, output }) => {
            if config.inetd_confs.is_empty() {
                eprintln!("activatord convert: --inetd-conf FILE is required");
                return ExitCode::from(2);
            }
            match activator::inetd::convert(&config.inetd_confs, &inetd_options(&config), &output) {
                Ok(diags) => {
                    for d in &diags {
                        eprintln!("{d}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("activatord convert: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => {
            let run = cli.run;
            let level =
                activator::logging::parse_level(&run.log_level).unwrap_or(log::LevelFilter::Info);
            activator::logging::init(level);
            // Absolute paths before anything changes directory (--init works from /)
            // and because systemd's search paths, %Y and FragmentPath are absolute.
            let cwd = std::env::current_dir().unwrap_or_default();
            let abs = |p: &PathBuf| cwd.join(p);
            let mut inetd = inetd_options(&run.config);
            inetd.services_file = abs(&inetd.services_file);
            let opts = DaemonOptions {
                unit_paths: run.config.unit_paths.iter().map(abs).collect(),
                inetd_confs: run.config.inetd_confs.iter().map(abs).collect(),
                inetd,
                wanted_by: run.wanted_by,
                units: run
                    .units
                    .iter()
                    .map(|u| {
                        if u.contains('/') {
                            abs(&PathBuf::from(u)).display().to_string()
                        } else {
                            u.clone()
                        }
                    })
                    .collect(),
                deserialize_fd: run.deserialize,
                runtime_dir: run.runtime_dir.as_ref().map(abs),
                init: run.init,
                inetd_rate: run.inetd_rate,
                main_command: run.command,
                bus: activator::bus::BusOptions {
                    control_socket: run.control_socket.as_ref().map(abs),
                    bus: match run.bus.parse() {
                        Ok(b) => b,
                        Err(e) => {
                            eprintln!("activatord: {e}");
                            return ExitCode::from(2);
                        }
                    },
                },
            };
            match daemon::run(&opts) {
                Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
                Err(e) => {
                    eprintln!("activatord: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
