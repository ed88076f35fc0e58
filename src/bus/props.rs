//! The property tables: which D-Bus property of which interface shows which
//! field of a `UnitStatus`, in both directions.
//!
//! One table serves three users: the server's `PropertiesChanged` diffs (every
//! property whose value differs between two snapshots, counters included —
//! systemd marks `NAccepted`/`NConnections` EmitsChangedSignal=false, we emit
//! them), `activatorctl show` (which prints what `GetAll` returns) and the
//! client's reconstruction of a `UnitStatus` from `GetAll` replies. Names and
//! signatures are systemd's (org.freedesktop.systemd1.Unit/.Socket/.Service,
//! systemd.md §6.3–6.5); `NPaused` and `Builtin` are activator extensions.

use std::collections::HashMap;

use zbus::{OwnedVariant, Variant};

use super::names::{SERVICE_IFACE, SOCKET_IFACE, UNIT_IFACE};
use crate::engine::control::{ServiceStatus, SocketStatus, UnitStatus};

/// One property: its name and current value.
pub type Prop = (&'static str, Variant<'static>);

fn s(v: &str) -> Variant<'static> {
    Variant::from(v.to_string())
}

fn strv(v: &[String]) -> Variant<'static> {
    Variant::from(v.to_vec())
}

/// `ExecStart a(sasbttttuii)`: path, argv, ignore-failure, start/exit timestamps
/// (realtime, monotonic), pid, code, status — systemd's exec-command record.
pub type ExecRecord = (String, Vec<String>, bool, u64, u64, u64, u64, u32, i32, i32);

/// org.activator1.Unit properties (systemd.md §6.3).
pub fn unit_props(u: &UnitStatus) -> Vec<Prop> {
    vec![
        ("Id", s(&u.id)),
        ("Names", strv(std::slice::from_ref(&u.id))),
        ("Following", s("")),
        ("Description", s(&u.description)),
        ("LoadState", s(&u.load_state)),
        ("ActiveState", s(&u.active_state)),
        ("SubState", s(&u.sub_state)),
        ("FragmentPath", s(&u.fragment_path)),
        ("SourcePath", s("")),
        ("DropInPaths", strv(&u.drop_in_paths)),
        ("UnitFileState", s(&u.unit_file_state)),
        ("Triggers", strv(&u.triggers)),
        ("TriggeredBy", strv(&u.triggered_by)),
        (
            "StateChangeTimestamp",
            Variant::from(u.state_change_timestamp),
        ),
        (
            "InactiveExitTimestamp",
            Variant::from(u.inactive_exit_timestamp),
        ),
        (
            "ActiveEnterTimestamp",
            Variant::from(u.active_enter_timestamp),
        ),
        (
            "ActiveExitTimestamp",
            Variant::from(u.active_exit_timestamp),
        ),
        (
            "InactiveEnterTimestamp",
            Variant::from(u.inactive_enter_timestamp),
        ),
        ("ConditionResult", Variant::from(u.condition_result)),
        ("AssertResult", Variant::from(u.assert_result)),
        ("ConditionTimestamp", Variant::from(u.condition_timestamp)),
        ("AssertTimestamp", Variant::from(u.assert_timestamp)),
        ("Conditions", Variant::from(u.conditions.clone())),
        ("Asserts", Variant::from(u.asserts.clone())),
        ("CanStart", Variant::from(u.load_state == "loaded")),
        ("CanStop", Variant::from(u.load_state == "loaded")),
        ("CanReload", Variant::from(false)),
    ]
}

/// org.activator1.Socket properties (systemd.md §6.4).
pub fn socket_props(u: &UnitStatus, k: &SocketStatus) -> Vec<Prop> {
    vec![
        ("Listen", Variant::from(k.listen.clone())),
        ("Accept", Variant::from(k.accept)),
        ("NAccepted", Variant::from(k.n_accepted)),
        ("NConnections", Variant::from(k.n_connections)),
        ("NRefused", Variant::from(k.n_refused)),
        ("FileDescriptorName", s(&k.file_descriptor_name)),
        ("MaxConnections", Variant::from(k.max_connections)),
        (
            "MaxConnectionsPerSource",
            Variant::from(k.max_connections_per_source),
        ),
        (
            "TriggerLimitIntervalUSec",
            Variant::from(k.trigger_limit_interval_usec),
        ),
        ("TriggerLimitBurst", Variant::from(k.trigger_limit_burst)),
        ("Result", s(&u.result)),
        ("NPaused", Variant::from(k.n_paused)),
        ("Builtin", s(&k.builtin)),
    ]
}

/// org.activator1.Service properties (systemd.md §6.5).
pub fn service_props(u: &UnitStatus, v: &ServiceStatus) -> Vec<Prop> {
    vec![
        ("Type", s(&v.service_type)),
        ("Restart", s(&v.restart)),
        ("MainPID", Variant::from(v.main_pid)),
        ("StatusText", s(&v.status_text)),
        ("Result", s(&u.result)),
        ("NRestarts", Variant::from(v.n_restarts)),
        ("ExecMainCode", Variant::from(v.exec_main_code)),
        ("ExecMainStatus", Variant::from(v.exec_main_status)),
        ("ExecMainPID", Variant::from(v.exec_main_pid)),
        (
            "ExecMainStartTimestamp",
            Variant::from(v.exec_main_start_timestamp),
        ),
        (
            "ExecMainExitTimestamp",
            Variant::from(v.exec_main_exit_timestamp),
        ),
        ("ExecStart", Variant::from(exec_records(v))),
    ]
}

/// The `ExecStart` value: one record when the service has a command.
pub fn exec_records(v: &ServiceStatus) -> Vec<ExecRecord> {
    match v.exec_start.first() {
        Some(path) => vec![(
            path.clone(),
            v.exec_start.clone(),
            false,
            v.exec_main_start_timestamp,
            0,
            v.exec_main_exit_timestamp,
            0,
            v.exec_main_pid,
            v.exec_main_code,
            v.exec_main_status,
        )],
        None => Vec::new(),
    }
}

/// Every (interface, properties) pair the object of this unit serves.
pub fn all_props(u: &UnitStatus) -> Vec<(&'static str, Vec<Prop>)> {
    let mut out = vec![(UNIT_IFACE, unit_props(u))];
    if let Some(k) = &u.socket {
        out.push((SOCKET_IFACE, socket_props(u, k)));
    }
    if let Some(v) = &u.service {
        out.push((SERVICE_IFACE, service_props(u, v)));
    }
    out
}

/// The properties that differ between two snapshots, per interface (interfaces
/// without a change are left out). `old = None` means "all of them".
pub fn changed_props(old: Option<&UnitStatus>, new: &UnitStatus) -> Vec<(&'static str, Vec<Prop>)> {
    let before: HashMap<&str, Vec<Prop>> =
        old.map(all_props).unwrap_or_default().into_iter().collect();
    let mut out = Vec::new();
    for (iface, props) in all_props(new) {
        let old_props = before.get(iface);
        let changed: Vec<Prop> = props
            .into_iter()
            .filter(|(name, value)| {
                old_props
                    .and_then(|o| o.iter().find(|(n, _)| n == name))
                    .is_none_or(|(_, v)| v != value)
            })
            .collect();
        if !changed.is_empty() {
            out.push((iface, changed));
        }
    }
    out
}

/// A `GetAll` reply, as the client receives it.
pub type PropMap = HashMap<String, OwnedVariant>;

fn get_str(m: &PropMap, k: &str) -> String {
    m.get(k)
        .and_then(|v| <&str>::try_from(v).ok())
        .map(str::to_string)
        .unwrap_or_default()
}

fn get_u32(m: &PropMap, k: &str) -> u32 {
    m.get(k).and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

fn get_i32(m: &PropMap, k: &str) -> i32 {
    m.get(k).and_then(|v| i32::try_from(v).ok()).unwrap_or(0)
}

fn get_u64(m: &PropMap, k: &str) -> u64 {
    m.get(k).and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

fn get_bool(m: &PropMap, k: &str) -> bool {
    m.get(k)
        .and_then(|v| bool::try_from(v).ok())
        .unwrap_or(false)
}

fn get_owned<T>(m: &PropMap, k: &str) -> Option<T>
where
    T: TryFrom<OwnedVariant>,
{
    m.get(k)
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| T::try_from(v).ok())
}

fn get_strv(m: &PropMap, k: &str) -> Vec<String> {
    get_owned::<Vec<String>>(m, k).unwrap_or_default()
}

/// Rebuild a `UnitStatus` from the `GetAll` replies of its interfaces.
pub fn status_from_props(
    unit: &PropMap,
    socket: Option<&PropMap>,
    service: Option<&PropMap>,
) -> UnitStatus {
    let result = socket
        .or(service)
        .map(|m| get_str(m, "Result"))
        .unwrap_or_default();
    UnitStatus {
        id: get_str(unit, "Id"),
        description: get_str(unit, "Description"),
        load_state: get_str(unit, "LoadState"),
        active_state: get_str(unit, "ActiveState"),
        sub_state: get_str(unit, "SubState"),
        result,
        fragment_path: get_str(unit, "FragmentPath"),
        drop_in_paths: get_strv(unit, "DropInPaths"),
        unit_file_state: get_str(unit, "UnitFileState"),
        triggers: get_strv(unit, "Triggers"),
        triggered_by: get_strv(unit, "TriggeredBy"),
        state_change_timestamp: get_u64(unit, "StateChangeTimestamp"),
        active_enter_timestamp: get_u64(unit, "ActiveEnterTimestamp"),
        active_exit_timestamp: get_u64(unit, "ActiveExitTimestamp"),
        inactive_enter_timestamp: get_u64(unit, "InactiveEnterTimestamp"),
        inactive_exit_timestamp: get_u64(unit, "InactiveExitTimestamp"),
        condition_result: get_bool(unit, "ConditionResult"),
        assert_result: get_bool(unit, "AssertResult"),
        condition_timestamp: get_u64(unit, "ConditionTimestamp"),
        assert_timestamp: get_u64(unit, "AssertTimestamp"),
        conditions: get_owned(unit, "Conditions").unwrap_or_default(),
        asserts: get_owned(unit, "Asserts").unwrap_or_default(),
        socket: socket.map(|m| SocketStatus {
            listen: get_owned::<Vec<(String, String)>>(m, "Listen").unwrap_or_default(),
            accept: get_bool(m, "Accept"),
            n_accepted: get_u32(m, "NAccepted"),
            n_connections: get_u32(m, "NConnections"),
            n_refused: get_u32(m, "NRefused"),
            file_descriptor_name: get_str(m, "FileDescriptorName"),
            max_connections: get_u32(m, "MaxConnections"),
            max_connections_per_source: get_u32(m, "MaxConnectionsPerSource"),
            trigger_limit_interval_usec: get_u64(m, "TriggerLimitIntervalUSec"),
            trigger_limit_burst: get_u32(m, "TriggerLimitBurst"),
            n_paused: get_u32(m, "NPaused"),
            builtin: get_str(m, "Builtin"),
        }),
        service: service.map(|m| ServiceStatus {
            service_type: get_str(m, "Type"),
            restart: get_str(m, "Restart"),
            main_pid: get_u32(m, "MainPID"),
            status_text: get_str(m, "StatusText"),
            n_restarts: get_u32(m, "NRestarts"),
            exec_main_code: get_i32(m, "ExecMainCode"),
            exec_main_status: get_i32(m, "ExecMainStatus"),
            exec_main_pid: get_u32(m, "ExecMainPID"),
            exec_main_start_timestamp: get_u64(m, "ExecMainStartTimestamp"),
            exec_main_exit_timestamp: get_u64(m, "ExecMainExitTimestamp"),
            exec_start: get_owned::<Vec<ExecRecord>>(m, "ExecStart")
                .and_then(|v| v.into_iter().next())
                .map(|r| r.1)
                .unwrap_or_default(),
        }),
    }
}

/// A property table as a `GetAll`-style map (tests, and the server's own use).
pub fn to_map(props: Vec<Prop>) -> PropMap {
    props
        .into_iter()
        .filter_map(|(k, v)| OwnedVariant::try_from(v).ok().map(|v| (k.to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_socket() -> UnitStatus {
        UnitStatus {
            id: "echo.socket".into(),
            description: "Echo".into(),
            load_state: "loaded".into(),
            active_state: "active".into(),
            sub_state: "listening".into(),
            result: "success".into(),
            fragment_path: "/etc/systemd/system/echo.socket".into(),
            drop_in_paths: vec!["/etc/systemd/system/echo.socket.d/x.conf".into()],
            unit_file_state: "enabled".into(),
            triggers: vec!["echo@.service".into()],
            active_enter_timestamp: 1_700_000_000_000_000,
            socket: Some(SocketStatus {
                listen: vec![("Stream".into(), "[::]:7".into())],
                accept: true,
                n_accepted: 3,
                n_connections: 1,
                n_refused: 2,
                max_connections: 64,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn props_round_trip_through_getall_maps() {
        let u = sample_socket();
        let all = all_props(&u);
        let unit = to_map(all[0].1.clone());
        let sock = to_map(all[1].1.clone());
        assert_eq!(status_from_props(&unit, Some(&sock), None), u);

        let svc = UnitStatus {
            id: "a.service".into(),
            result: "exit-code".into(),
            service: Some(ServiceStatus {
                service_type: "simple".into(),
                main_pid: 42,
                exec_start: vec!["/bin/a".into(), "-x".into()],
                exec_main_code: 1,
                exec_main_status: 3,
                ..Default::default()
            }),
            ..Default::default()
        };
        let all = all_props(&svc);
        let back = status_from_props(
            &to_map(all[0].1.clone()),
            None,
            Some(&to_map(all[1].1.clone())),
        );
        assert_eq!(back, svc);
    }

    #[test]
    fn diff_reports_only_changed_properties_counters_included() {
        let old = sample_socket();
        let mut new = old.clone();
        if let Some(k) = new.socket.as_mut() {
            k.n_accepted += 1;
        }
        let ch = changed_props(Some(&old), &new);
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].0, SOCKET_IFACE);
        assert_eq!(ch[0].1.len(), 1);
        assert_eq!(ch[0].1[0].0, "NAccepted");
        assert!(changed_props(Some(&old), &old).is_empty());
        new.active_state = "failed".into();
        let ch = changed_props(Some(&old), &new);
        assert_eq!(
            ch.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![UNIT_IFACE, SOCKET_IFACE]
        );
    }
}
