//! Unit objects at `/org/activator1/unit/<label>`: `org.activator1.Unit` plus
//! `.Socket` or `.Service`, with systemd's property names and methods
//! (systemd.md §6.3–6.5).
//!
//! The objects are thin: they hold only the unit name and read a fresh status
//! through the shared cache on every property access. They are registered on a
//! p2p connection when it first names the unit (GetUnit, ListUnits, …) or sends
//! Hello() (busctl, gdbus; hello.rs) — each p2p connection has its own object
//! server, and most `activatorctl` calls look at one unit, so registering all
//! of them for every connection would be waste. The bus connection serves all.

use std::sync::Arc;

use zbus::message::Header;
use zbus::{interface, Connection, ObjectServer, OwnedObjectPath};

use super::access::require_privileged;
use super::error::MethodError;
use super::manager::{check_kill, job};
use super::names::unit_path;
use super::props::{exec_records, ExecRecord};
use super::shared::Shared;
use crate::engine::control::{
    ConditionRecord, ControlRequest, ServiceStatus, SocketStatus, UnitStatus,
};

/// Serve the unit's objects on this connection (no-op if already there).
pub(crate) async fn register_unit(server: &ObjectServer, shared: &Arc<Shared>, name: &str) {
    let path = unit_path(name);
    let unit = UnitObject {
        name: name.to_string(),
        shared: shared.clone(),
    };
    // `at` hands the object back when the path already serves this interface.
    if let Ok(Some(_)) | Err(_) = server.at(path.as_str(), unit).await {
        return;
    }
    let (name, shared) = (name.to_string(), shared.clone());
    if name.ends_with(".socket") {
        let _ = server
            .at(path.as_str(), SocketObject { name, shared })
            .await;
    } else if name.ends_with(".service") {
        let _ = server
            .at(path.as_str(), ServiceObject { name, shared })
            .await;
    }
}

/// Drop the unit's objects from this connection.
pub(crate) async fn unregister_unit(server: &ObjectServer, name: &str) {
    let path = unit_path(name);
    let _ = server.remove::<UnitObject, _>(path.as_str()).await;
    let _ = server.remove::<SocketObject, _>(path.as_str()).await;
    let _ = server.remove::<ServiceObject, _>(path.as_str()).await;
}

pub(crate) struct UnitObject {
    name: String,
    shared: Arc<Shared>,
}

impl UnitObject {
    async fn st(&self) -> Result<Arc<UnitStatus>, MethodError> {
        self.shared.unit(&self.name).await
    }

    async fn run(
        &self,
        conn: &Connection,
        hdr: &Header<'_>,
        what: &str,
        req: ControlRequest,
    ) -> Result<OwnedObjectPath, MethodError> {
        require_privileged(&self.shared, conn, hdr, what).await?;
        job(&self.shared, req).await
    }
}

#[interface(name = "org.activator1.Unit")]
impl UnitObject {
    async fn start(
        &self,
        _mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        let name = self.name.clone();
        self.run(conn, &hdr, "Start", ControlRequest::Start { name })
            .await
    }

    async fn stop(
        &self,
        _mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        let name = self.name.clone();
        self.run(conn, &hdr, "Stop", ControlRequest::Stop { name })
            .await
    }

    async fn restart(
        &self,
        _mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        let name = self.name.clone();
        self.run(conn, &hdr, "Restart", ControlRequest::Restart { name })
            .await
    }

    async fn reload(
        &self,
        _mode: String,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<OwnedObjectPath, MethodError> {
        let name = self.name.clone();
        self.run(conn, &hdr, "Reload", ControlRequest::Reload { name })
            .await
    }

    async fn kill(
        &self,
        whom: String,
        signal: i32,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        let whom = check_kill(&whom, signal)?;
        require_privileged(&self.shared, conn, &hdr, "Kill").await?;
        let name = self.name.clone();
        self.shared
            .call(ControlRequest::Kill { name, whom, signal })
            .await?;
        Ok(())
    }

    async fn reset_failed(
        &self,
        #[zbus(connection)] conn: &Connection,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MethodError> {
        require_privileged(&self.shared, conn, &hdr, "ResetFailed").await?;
        let name = Some(self.name.clone());
        self.shared
            .call(ControlRequest::ResetFailed { name })
            .await?;
        Ok(())
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn id(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.id.clone())
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn names(&self) -> Result<Vec<String>, MethodError> {
        Ok(vec![self.st().await?.id.clone()])
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn following(&self) -> Result<String, MethodError> {
        Ok(String::new())
    }

    #[zbus(property)]
    async fn description(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.description.clone())
    }

    #[zbus(property)]
    async fn load_state(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.load_state.clone())
    }

    #[zbus(property)]
    async fn active_state(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.active_state.clone())
    }

    #[zbus(property)]
    async fn sub_state(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.sub_state.clone())
    }

    #[zbus(property)]
    async fn fragment_path(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.fragment_path.clone())
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn source_path(&self) -> Result<String, MethodError> {
        Ok(String::new())
    }

    #[zbus(property)]
    async fn drop_in_paths(&self) -> Result<Vec<String>, MethodError> {
        Ok(self.st().await?.drop_in_paths.clone())
    }

    #[zbus(property)]
    async fn unit_file_state(&self) -> Result<String, MethodError> {
        Ok(self.st().await?.unit_file_state.clone())
    }

    #[zbus(property)]
    async fn triggers(&self) -> Result<Vec<String>, MethodError> {
        Ok(self.st().await?.triggers.clone())
    }

    #[zbus(property)]
    async fn triggered_by(&self) -> Result<Vec<String>, MethodError> {
        Ok(self.st().await?.triggered_by.clone())
    }

    #[zbus(property)]
    async fn state_change_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.state_change_timestamp)
    }

    #[zbus(property)]
    async fn inactive_exit_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.inactive_exit_timestamp)
    }

    #[zbus(property)]
    async fn active_enter_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.active_enter_timestamp)
    }

    #[zbus(property)]
    async fn active_exit_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.active_exit_timestamp)
    }

    #[zbus(property)]
    async fn inactive_enter_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.inactive_enter_timestamp)
    }

    #[zbus(property)]
    async fn condition_result(&self) -> Result<bool, MethodError> {
        Ok(self.st().await?.condition_result)
    }

    #[zbus(property)]
    async fn assert_result(&self) -> Result<bool, MethodError> {
        Ok(self.st().await?.assert_result)
    }

    #[zbus(property)]
    async fn condition_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.condition_timestamp)
    }

    #[zbus(property)]
    async fn assert_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.st().await?.assert_timestamp)
    }

    /// `a(sbbsi)`: type, trigger, negate, parameter, state (1 held, -1 not, 0 unchecked).
    #[zbus(property)]
    async fn conditions(&self) -> Result<Vec<ConditionRecord>, MethodError> {
        Ok(self.st().await?.conditions.clone())
    }

    #[zbus(property)]
    async fn asserts(&self) -> Result<Vec<ConditionRecord>, MethodError> {
        Ok(self.st().await?.asserts.clone())
    }

    #[zbus(property)]
    async fn can_start(&self) -> Result<bool, MethodError> {
        Ok(self.st().await?.load_state == "loaded")
    }

    #[zbus(property)]
    async fn can_stop(&self) -> Result<bool, MethodError> {
        Ok(self.st().await?.load_state == "loaded")
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn can_reload(&self) -> Result<bool, MethodError> {
        Ok(false)
    }
}

pub(crate) struct SocketObject {
    name: String,
    shared: Arc<Shared>,
}

impl SocketObject {
    async fn k(&self) -> Result<(Arc<UnitStatus>, SocketStatus), MethodError> {
        let st = self.shared.unit(&self.name).await?;
        let k = st.socket.clone().unwrap_or_default();
        Ok((st, k))
    }
}

#[interface(name = "org.activator1.Socket")]
impl SocketObject {
    /// `Listen a(ss)`: (type, address), e.g. ("Stream", "[::]:7").
    #[zbus(property)]
    async fn listen(&self) -> Result<Vec<(String, String)>, MethodError> {
        Ok(self.k().await?.1.listen)
    }

    #[zbus(property)]
    async fn accept(&self) -> Result<bool, MethodError> {
        Ok(self.k().await?.1.accept)
    }

    #[zbus(property, name = "NAccepted")]
    async fn n_accepted(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.n_accepted)
    }

    #[zbus(property, name = "NConnections")]
    async fn n_connections(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.n_connections)
    }

    #[zbus(property, name = "NRefused")]
    async fn n_refused(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.n_refused)
    }

    #[zbus(property)]
    async fn file_descriptor_name(&self) -> Result<String, MethodError> {
        Ok(self.k().await?.1.file_descriptor_name)
    }

    #[zbus(property)]
    async fn max_connections(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.max_connections)
    }

    #[zbus(property)]
    async fn max_connections_per_source(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.max_connections_per_source)
    }

    #[zbus(property, name = "TriggerLimitIntervalUSec")]
    async fn trigger_limit_interval_usec(&self) -> Result<u64, MethodError> {
        Ok(self.k().await?.1.trigger_limit_interval_usec)
    }

    #[zbus(property)]
    async fn trigger_limit_burst(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.trigger_limit_burst)
    }

    #[zbus(property)]
    async fn result(&self) -> Result<String, MethodError> {
        Ok(self.k().await?.0.result.clone())
    }

    /// Activator extension: how often a rate limit paused this socket.
    #[zbus(property, name = "NPaused")]
    async fn n_paused(&self) -> Result<u32, MethodError> {
        Ok(self.k().await?.1.n_paused)
    }

    /// Activator extension: the builtin service answering on this socket.
    #[zbus(property)]
    async fn builtin(&self) -> Result<String, MethodError> {
        Ok(self.k().await?.1.builtin)
    }
}

pub(crate) struct ServiceObject {
    name: String,
    shared: Arc<Shared>,
}

impl ServiceObject {
    async fn v(&self) -> Result<(Arc<UnitStatus>, ServiceStatus), MethodError> {
        let st = self.shared.unit(&self.name).await?;
        let v = st.service.clone().unwrap_or_default();
        Ok((st, v))
    }
}

#[interface(name = "org.activator1.Service")]
impl ServiceObject {
    #[zbus(property(emits_changed_signal = "const"), name = "Type")]
    async fn service_type(&self) -> Result<String, MethodError> {
        Ok(self.v().await?.1.service_type)
    }

    #[zbus(property(emits_changed_signal = "const"))]
    async fn restart(&self) -> Result<String, MethodError> {
        Ok(self.v().await?.1.restart)
    }

    #[zbus(property, name = "MainPID")]
    async fn main_pid(&self) -> Result<u32, MethodError> {
        Ok(self.v().await?.1.main_pid)
    }

    #[zbus(property)]
    async fn status_text(&self) -> Result<String, MethodError> {
        Ok(self.v().await?.1.status_text)
    }

    #[zbus(property)]
    async fn result(&self) -> Result<String, MethodError> {
        Ok(self.v().await?.0.result.clone())
    }

    #[zbus(property, name = "NRestarts")]
    async fn n_restarts(&self) -> Result<u32, MethodError> {
        Ok(self.v().await?.1.n_restarts)
    }

    #[zbus(property)]
    async fn exec_main_code(&self) -> Result<i32, MethodError> {
        Ok(self.v().await?.1.exec_main_code)
    }

    #[zbus(property)]
    async fn exec_main_status(&self) -> Result<i32, MethodError> {
        Ok(self.v().await?.1.exec_main_status)
    }

    #[zbus(property, name = "ExecMainPID")]
    async fn exec_main_pid(&self) -> Result<u32, MethodError> {
        Ok(self.v().await?.1.exec_main_pid)
    }

    #[zbus(property)]
    async fn exec_main_start_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.v().await?.1.exec_main_start_timestamp)
    }

    #[zbus(property)]
    async fn exec_main_exit_timestamp(&self) -> Result<u64, MethodError> {
        Ok(self.v().await?.1.exec_main_exit_timestamp)
    }

    /// `ExecStart a(sasbttttuii)`.
    #[zbus(property)]
    async fn exec_start(&self) -> Result<Vec<ExecRecord>, MethodError> {
        Ok(exec_records(&self.v().await?.1))
    }
}
