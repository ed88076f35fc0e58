//! The daemon's configuration step: from command-line options to the units the
//! engine runs (unit files, inetd.conf, `--wanted-by`), with every diagnostic logged
//! and no bad unit stopping the others.

use std::path::PathBuf;
use std::sync::Arc;

use crate::engine::control::{self, ControlHandle, Notification};
use crate::engine::{Engine, EngineConfig, EngineError};
use crate::inetd::{load_inetd, InetdOptions};
use crate::unit::loader::{load_all, load_named, LoaderOptions, UnitSet};
use crate::unit::{LoadState, SocketUnit};

/// What `activatord` was asked to run.
#[derive(Debug, Clone, Default)]
pub struct DaemonOptions {
    /// `--unit-path`; empty means systemd's search path unless only inetd.conf
    /// files were given. Paths should be absolute, as systemd's are (`%Y`,
    /// FragmentPath, and reloads after `--init` has changed to `/` depend on it);
    /// the binary makes them so before anything runs.
    pub unit_paths: Vec<PathBuf>,
    pub inetd_confs: Vec<PathBuf>,
    pub inetd: InetdOptions,
    /// `--wanted-by TARGET`: start only what is enabled in `TARGET.wants/`.
    pub wanted_by: Option<String>,
    /// Units named on the command line.
    pub units: Vec<String>,
    /// Re-exec: fd holding the previous image's state.
    pub deserialize_fd: Option<i32>,
    /// Where the notify and control sockets live (`--runtime-dir`).
    pub runtime_dir: Option<PathBuf>,
    /// Control plane: private socket and message bus.
    pub bus: crate::bus::BusOptions,
    /// `-R N`: inetd's default spawn limit per minute for entries without `.N`
    /// (0 = none), instead of the dialect's default.
    pub inetd_rate: Option<u32>,
    /// `--init`: container-init duties even when not PID 1.
    pub init: bool,
    /// `-- CMD ARGS...`: the main program (init mode).
    pub main_command: Vec<String>,
}

/// `--runtime-dir`, or `/run/activator` for root and `$XDG_RUNTIME_DIR/activator`
/// otherwise (the places systemd uses for its own runtime files).
pub fn runtime_dir(opts: &DaemonOptions) -> PathBuf {
    match &opts.runtime_dir {
        Some(d) => d.clone(),
        None => default_runtime_dir(),
    }
}

/// The runtime directory without `--runtime-dir`; `activatorctl` finds the
/// control socket through the same rule.
pub fn default_runtime_dir() -> PathBuf {
    let uid = nix::unistd::geteuid();
    if uid.is_root() {
        return PathBuf::from("/run/activator");
    }
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(|d| PathBuf::from(d).join("activator"))
        .unwrap_or_else(|| std::env::temp_dir().join(format!("activator-{uid}")))
}

/// Loaded units and what to start.
pub fn load_configuration(opts: &DaemonOptions) -> EngineConfig {
    let only_inetd =
        opts.unit_paths.is_empty() && opts.units.is_empty() && !opts.inetd_confs.is_empty();
    let loader = LoaderOptions {
        unit_paths: opts.unit_paths.clone(),
    };
    let mut units = if only_inetd {
        UnitSet::default()
    } else if opts.units.is_empty() || opts.wanted_by.is_some() {
        let mut all = load_all(&loader);
        if !opts.units.is_empty() {
            all.merge(load_named(&loader, &opts.units));
        }
        all
    } else {
        load_named(&loader, &opts.units)
    };
    if !opts.inetd_confs.is_empty() {
        let mut inetd = load_inetd(&opts.inetd_confs, &opts.inetd);
        if let Some(rate) = opts.inetd_rate {
            apply_default_rate(&mut inetd.sockets, opts.inetd.dialect, rate);
        }
        units.add_units(inetd.sockets, inetd.services, inetd.diagnostics);
    }
    for d in &units.diagnostics {
        if d.is_error() {
            log::error!("{d}");
        } else {
            log::warn!("{d}");
        }
    }
    // Loaded, or says why not (a name no unit has is left out here silently).
    let startable = |name: &str, unit: Option<&Arc<SocketUnit>>| match unit {
        Some(s) if s.load_state == LoadState::Loaded => true,
        Some(_) => {
            log::error!("{name}: unit has a bad setting, not starting it.");
            false
        }
        None => false,
    };
    // Every socket unit: its load state is read in the same pass, not looked up by
    // name again (hundreds of sockets from an inetd.conf).
    let mut checked = 0;
    let mut start_sockets: Vec<String> = match &opts.wanted_by {
        Some(target) => units
            .wanted_by(target)
            .into_iter()
            .filter(|n| n.ends_with(".socket"))
            .collect(),
        None if opts.units.is_empty() || only_inetd => {
            let all: Vec<String> = units
                .sockets
                .iter()
                .filter(|(name, s)| startable(name, Some(s)))
                .map(|(name, _)| name.clone())
                .collect();
            checked = all.len();
            all
        }
        None => Vec::new(),
    };
    for u in &opts.units {
        let name = u.rsplit('/').next().unwrap_or(u).to_string();
        if name.ends_with(".socket") && !start_sockets.contains(&name) {
            start_sockets.push(name);
        }
    }
    // Names from a target or the command line are checked here.
    let named = start_sockets.split_off(checked);
    start_sockets.extend(
        named
            .into_iter()
            .filter(|n| startable(n, units.sockets.get(n))),
    );
    for (socket, service) in units.missing_service.clone() {
        if start_sockets.contains(&socket) {
            log::error!("{socket}: service {service} not loaded, socket cannot be started.");
            start_sockets.retain(|n| n != &socket);
        }
    }
    let start_services = match &opts.wanted_by {
        Some(target) => units
            .wanted_by(target)
            .into_iter()
            .filter(|n| n.ends_with(".service") && !n.contains("@."))
            .collect(),
        None => opts
            .units
            .iter()
            .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
            .filter(|n| n.ends_with(".service") && !n.contains("@."))
            .collect(),
    };
    EngineConfig {
        units,
        start_sockets,
        start_services,
        restore: None,
        main_command: None,
        notify_socket: None,
    }
}

/// Load, start and run until stopped; returns the exit code.
pub fn run(opts: &DaemonOptions) -> Result<i32, EngineError> {
    let t0 = std::time::Instant::now();
    // First: it edits the environment (NOTIFY_SOCKET…), so before any thread exists.
    let supervisor = crate::supervisor::Supervisor::from_env();
    crate::sys::signals::block_signals();
    init_duties(opts);
    let mut config = load_configuration(opts);
    if !opts.main_command.is_empty() {
        config.main_command = Some(opts.main_command.clone());
    }
    config.notify_socket = Some(runtime_dir(opts).join("notify"));
    if let Some(fd) = opts.deserialize_fd {
        config.restore = crate::engine::read_saved_state(fd);
        if config.restore.is_none() {
            log::warn!("Could not read the state of the previous image (fd {fd}).");
        }
    }
    let n = config.start_sockets.len();
    let t_loaded = t0.elapsed();
    let mut engine = Engine::new(config)?;
    let t_bound = t0.elapsed();
    let reload_opts = opts.clone();
    engine.set_loader(Box::new(move || load_configuration(&reload_opts)));
    let (handle, inbox) = control::channel().map_err(|e| EngineError::Signals(e.to_string()))?;
    let (notifier, notifications) = control::notification_channel(&handle);
    engine.attach_control(inbox, notifier)?;
    start_control_plane(&mut engine, handle, notifications, opts);
    log::info!(
        "Started: {} of {} socket units listening (configuration {} ms, sockets {} ms, control {} ms).",
        engine.listening_count(),
        n,
        t_loaded.as_millis(),
        (t_bound - t_loaded).as_millis(),
        (t0.elapsed() - t_bound).as_millis()
    );
    if let Some(s) = &supervisor {
        s.ready(&engine.status_line());
    }
    engine.set_supervisor(supervisor);
    Ok(engine.run())
}

/// Bind the control socket and start the D-Bus control plane: at once when a
/// message bus is to be joined, else on the first client of the private socket
/// (an idle daemon then has no control thread). The daemon runs without a
/// control plane if it cannot start.
fn start_control_plane(
    engine: &mut Engine,
    handle: ControlHandle,
    notifications: std::sync::mpsc::Receiver<Notification>,
    opts: &DaemonOptions,
) {
    let mut bus = opts.bus.clone();
    if bus.control_socket.is_none() {
        bus.control_socket = Some(runtime_dir(opts).join("private"));
    }
    let socket = match crate::bus::ControlSocket::bind(&bus) {
        Ok(s) => s,
        Err(e) => {
            log::error!("Control plane not available: {e}");
            return;
        }
    };
    let path = socket.path().display().to_string();
    let want_bus = crate::bus::bus_wanted(bus.bus);
    let start = move |socket| match crate::bus::start_on(socket, handle, notifications, want_bus) {
        Ok(server) => Some(server),
        Err(e) => {
            log::error!("Control plane not available: {e}");
            None
        }
    };
    if want_bus.is_some() {
        if let Some(server) = start(socket) {
            log::info!(
                "Control socket: {path}{}",
                server
                    .bus()
                    .map(|b| format!(", also on the {b} bus as org.activator1"))
                    .unwrap_or_default()
            );
            engine.keep_control_plane(Box::new(server));
        }
        return;
    }
    let wake = match socket.watch_fd() {
        Ok(fd) => fd,
        Err(e) => {
            log::error!("Control plane not available: {e}");
            return;
        }
    };
    let deferred = crate::engine::control::DeferredControl {
        wake,
        start: Box::new(move || {
            start(socket).map(|server| Box::new(server) as Box<dyn std::any::Any>)
        }),
    };
    match engine.defer_control_plane(deferred) {
        Ok(()) => log::info!("Control socket: {path}"),
        Err(e) => log::error!("Control plane not available: {e}"),
    }
}

/// Container-init duties (tini, catatonit): as PID 1 or with `--init`, work from
/// `/`; when not PID 1, become the subreaper so orphans of our services are
/// reparented to us and reaped (PR_SET_CHILD_SUBREAPER). Signals are already
/// blocked and read from a signalfd; children are reaped until none is left on
/// every SIGCHLD.
fn init_duties(opts: &DaemonOptions) {
    let pid1 = std::process::id() == 1;
    if pid1 || opts.init {
        if let Err(e) = std::env::set_current_dir("/") {
            log::warn!("cannot chdir to /: {e}");
        }
    }
    if !pid1 {
        if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
            log::debug!("PR_SET_CHILD_SUBREAPER failed: {e}");
        }
    }
}

/// inetd's `-R N`: entries that carry the dialect's default spawn limit (no `.N`
/// of their own) get `N` per minute instead; 0 disables the limit.
fn apply_default_rate(
    sockets: &mut [crate::unit::SocketUnit],
    dialect: crate::inetd::Dialect,
    rate: u32,
) {
    let default = dialect.default_rate_limit().unwrap_or(0);
    for s in sockets {
        if let Some(tl) = &mut s.trigger_limit {
            if tl.burst == default {
                tl.burst = rate;
            }
        }
    }
}
