//! `activatord`: the socket-activation daemon, plus `verify` and `convert`.
//! Thin: parse flags into library options and call the library.

use std::path::PathBuf;
use std::process::ExitCode;

use activator::daemon::{self, DaemonOptions};
use activator::daemon_cli::{Cli, Command, ConfigArgs, DialectArg};
use activator::inetd::{Dialect, InetdOptions};
use activator::verify::{run_verify, VerifyOptions};
use clap::Parser;

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
            match &run.syslog {
                Some(path) => activator::logging::init_syslog(level, path),
                None => activator::logging::init(level),
            }
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
