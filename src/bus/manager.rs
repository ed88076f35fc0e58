//! `org.activator1.Manager` at `/org/activator1`: systemd's Manager methods
//! (systemd.md §6.2) with their names and signatures, answered by the event loop.

use std::sync::Arc;

use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{interface, Connection, ObjectServer, OwnedObjectPath};

use super::access::require_privileged;
use super::error::{MethodError, INVALID_ARGS};
use super::names::{job_path, unit_path};
use super::shared::{unexpected, Shared};
use super::unit::register_unit;
use crate::engine::control::{ControlReply, ControlRequest, ManagerStatus, UnitStatus};

/// One `ListUnits` row: (id, description, load, active, sub, following, unit
/// path, job id, job type, job path) — systemd's `a(ssssssouso)`.
pub type UnitRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

/// The manager object of one connection.
pub(crate) struct Manager {
    pub shared: Arc<Shared>,
    /// The p2p connection this object serves (None: the bus connection).
    pub conn_id: Option<u64>,
}

fn path(p: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(p.to_string())
        .unwrap_or_else(|_| OwnedObjectPath::from(zbus::ObjectPath::from_static_str_unchecked("/")))
}

fn row(u: &UnitStatus) -> UnitRow {
    (
        u.id.clone(),
        u.description.clone(),
        u.load_state.clone(),
        u.active_state.clone(),
        u.sub_state.clone(),
        String::new(),
        path(&unit_path(&u.id)),
        0,
        String::new(),
        path("/"),
    )
}

/// systemd's job modes (systemctl --job-mode=); we run jobs at once, so they
/// only need to be valid.
const JOB_MODES: &[&str] = &[
    "replace",
    "fail",
    "isolate",
    "ignore-dependencies",
    "ignore-requirements",
    "flush",
    "replace-irreversibly",
    "triggering",
    "restart-dependencies",
    "lenient",
];

fn check_mode(mode: &str) -> Result<(), MethodError> {
    if JOB_MODES.contains(&mode) {
        Ok(())
    } else {
        Err(MethodError::new(
            INVALID_ARGS,
            format!("Job mode {mode} invalid."),
        ))
    }
}

/// Run a job-like request and answer with its job path.
pub(crate) async fn job(
    shared: &Shared,
    req: ControlRequest,
) -> Result<OwnedObjectPath, MethodError> {
    match shared.call(req).await? {
        ControlReply::Job { id, .. } => Ok(path(&job_path(id))),
        _ => Ok(path("/")),
    }
}

/// Validate KillUnit's arguments like systemd's `bus_unit_method_kill()`.
pub(crate) fn check_kill(whom: &str, signal: i32) -> Result<String, MethodError> {
    let whom = if whom.is_empty() { "all" } else { whom };
    if !["main", "control", "all"].contains(&whom) {
        return Err(MethodError::new(
            INVALID_ARGS,
            format!("Invalid who argument: {whom}"),
        ));
    }
    if !(1..=64).contains(&signal) {
        return Err(MethodError::new(
            INVALID_ARGS,
            "Signal number out of range.",
        ));
    }
    Ok(whom.to_string())
}

impl Manager {
    async fn status(&self) -> Result<ManagerStatus, MethodError> {
        match self.shared.call(ControlRequest::Manager).await? {
            ControlReply::Manager(m) => Ok(m),
            other => Err(unexpected(&other)),
        }
    }

    async fn privileged(
        &self,
        conn: &Connection,
        hdr: &Header<'_>,
        what: &str,
    ) -> Result<(), MethodError> {
        require_privileged(&self.shared, conn, hdr, what).await
    }

    /// Look the unit up and make sure this connection serves its object.
    async fn unit_object(
        &self,
        server: &ObjectServer,
        name: &str,
    ) -> Result<OwnedObjectPath, MethodError> {
        let st = self.shared.unit(name).await?;
        register_unit(server, &self.shared, &st.id).await;
        Ok(path(&unit_path(&st.id)))
    }
}

#[interface(name = "org.activator1.Manager")]
impl Manager {
    /// GetUnit(s name) → o; fails with NoSuchUnit if the unit is not loaded.
    async fn get_unit(
        &self,
        name: String,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<OwnedObjectPath, MethodError> {
        self.unit_object(server, &name).await
    }

    /// LoadUnit(s name) → o; units are loaded at daemon start and reload, so
    /// this is GetUnit.
    async fn load_unit(
        &self,
        name: String,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<OwnedObjectPath, MethodError> {
        self.unit_object(server, &name).await
    }

    /// ListUnits() → a(ssssssouso).
    async fn list_units(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<Vec<UnitRow>, MethodError> {
        let units = self.shared.list_units().await?;
        for u in &units {
            register_unit(server, &self.shared, &u.id).await;
        }
        Ok(units.iter().map(row).collect())
    }

    /// ListUnitsByNames(as names) → a(ssssssouso); unknown names are left out.
    async fn list_units_by_names(
        &self,
        names: Vec<String>,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<Vec<UnitRow>, MethodError> {
        let mut out = Vec::new();
        for n in names {
            if let Ok(st) = self.shared.unit(&n).await {
                register_unit(server, &self.shared, &st.id).await;
                out.push(row(&st));
            }
        }
        Ok(out)
    }

    async fn start_unit(
        &self,
        name: String,
        mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        check_mode(&mode)?;
        self.privileged(conn, &hdr, "StartUnit").await?;
        job(&self.shared, ControlRequest::Start { name }).await
    }

    async fn stop_unit(
        &self,
        name: String,
        mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        check_mode(&mode)?;
        self.privileged(conn, &hdr, "StopUnit").await?;
        job(&self.shared, ControlRequest::Stop { name }).await
    }

    async fn restart_unit(
        &self,
        name: String,
        mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        check_mode(&mode)?;
        self.privileged(conn, &hdr, "RestartUnit").await?;
        job(&self.shared, ControlRequest::Restart { name }).await
    }

    async fn reload_unit(
        &self,
        name: String,
        mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        check_mode(&mode)?;
        self.privileged(conn, &hdr, "ReloadUnit").await?;
        job(&self.shared, ControlRequest::Reload { name }).await
    }

    /// KillUnit(s name, s whom, i signal).
    async fn kill_unit(
        &self,
        name: String,
        whom: String,
        signal: i32,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        let whom = check_kill(&whom, signal)?;
        self.privileged(conn, &hdr, "KillUnit").await?;
        self.shared
            .call(ControlRequest::Kill { name, whom, signal })
            .await?;
        Ok(())
    }

    async fn reset_failed_unit(
        &self,
        name: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        self.privileged(conn, &hdr, "ResetFailedUnit").await?;
        self.shared
            .call(ControlRequest::ResetFailed { name: Some(name) })
            .await?;
        Ok(())
    }

    async fn reset_failed(
        &self,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        self.privileged(conn, &hdr, "ResetFailed").await?;
        self.shared
            .call(ControlRequest::ResetFailed { name: None })
            .await?;
        Ok(())
    }

    /// Reload() = daemon-reload.
    async fn reload(
        &self,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        self.privileged(conn, &hdr, "Reload").await?;
        self.shared.call(ControlRequest::DaemonReload).await?;
        self.shared.forget_all();
        Ok(())
    }

    /// Reexecute() = daemon-reexec; the connection drops when the daemon execs.
    async fn reexecute(
        &self,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        self.privileged(conn, &hdr, "Reexecute").await?;
        self.shared.call(ControlRequest::DaemonReexec).await?;
        Ok(())
    }

    /// Subscribe(): signals go to this client from now on.
    async fn subscribe(&self, #[zbus(header)] hdr: Header<'_>) -> Result<(), MethodError> {
        let sender = hdr.sender().map(|s| s.to_string());
        self.shared.set_subscribed(self.conn_id, sender, true);
        Ok(())
    }

    async fn unsubscribe(&self, #[zbus(header)] hdr: Header<'_>) -> Result<(), MethodError> {
        let sender = hdr.sender().map(|s| s.to_string());
        self.shared.set_subscribed(self.conn_id, sender, false);
        Ok(())
    }

    /// Text of the unit's fragment and drop-ins (activator extension, for
    /// `activatorctl cat`; systemctl reads the files itself).
    async fn cat_unit(&self, name: String) -> Result<String, MethodError> {
        match self.shared.call(ControlRequest::Cat { name }).await? {
            ControlReply::Text(t) => Ok(t),
            other => Err(unexpected(&other)),
        }
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn version(&self) -> Result<String, MethodError> {
        Ok(self.status().await?.version)
    }

    /// systemd's SystemState: `degraded` when a unit failed.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn system_state(&self) -> Result<String, MethodError> {
        let m = self.status().await?;
        Ok(if m.state == "running" && m.n_failed_units > 0 {
            "degraded".to_string()
        } else {
            m.state
        })
    }

    #[zbus(property(emits_changed_signal = "false"), name = "NNames")]
    async fn n_names(&self) -> Result<u32, MethodError> {
        Ok(self.status().await?.n_units)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "NFailedUnits")]
    async fn n_failed_units(&self) -> Result<u32, MethodError> {
        Ok(self.status().await?.n_failed_units)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "NJobs")]
    async fn n_jobs(&self) -> Result<u32, MethodError> {
        Ok(self.status().await?.n_jobs)
    }

    /// Activator extension: sockets currently listening.
    #[zbus(property(emits_changed_signal = "false"), name = "NListeningSockets")]
    async fn n_listening_sockets(&self) -> Result<u32, MethodError> {
        Ok(self.status().await?.n_sockets_listening)
    }

    /// Activator extension: the daemon's pid.
    #[zbus(property(emits_changed_signal = "const"), name = "DaemonPID")]
    async fn daemon_pid(&self) -> Result<u32, MethodError> {
        Ok(self.status().await?.pid)
    }

    /// When the daemon started (µs realtime), like systemd's UserspaceTimestamp.
    #[zbus(property(emits_changed_signal = "const"))]
    async fn userspace_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.status().await?.startup_timestamp)
    }

    #[zbus(signal)]
    pub async fn unit_new(
        e: &SignalEmitter<'_>,
        id: &str,
        unit: zbus::ObjectPath<'_>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn unit_removed(
        e: &SignalEmitter<'_>,
        id: &str,
        unit: zbus::ObjectPath<'_>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn job_new(
        e: &SignalEmitter<'_>,
        id: u32,
        job: zbus::ObjectPath<'_>,
        unit: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn job_removed(
        e: &SignalEmitter<'_>,
        id: u32,
        job: zbus::ObjectPath<'_>,
        unit: &str,
        result: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn reloading(e: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}
