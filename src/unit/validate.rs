//! Load-time checks of a whole unit, after all its assignments were applied: systemd's
//! `socket_verify()` and `service_verify()` (252). A failed check makes the unit
//! `bad-setting`; like systemd only the first failure is reported.
//!
//! Whether the service a socket triggers exists is not checked here: that needs the
//! other units and is the loader's job (systemd.md §2.6 rule 7).

use super::model::{RestartPolicy, ServiceType, ServiceUnit, SocketUnit};
use super::table::BuildState;

/// systemd.md §2.6 rules 1–6: `Err` carries systemd's message.
pub(crate) fn validate_socket(s: &SocketUnit, state: &BuildState) -> Result<(), &'static str> {
    if s.listen.is_empty() {
        return Err(
            "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.",
        );
    }
    if s.accept && !s.listen.iter().all(|l| l.is_accepting()) {
        return Err(
            "Unit configured for accepting sockets, but sockets are non-accepting. Refusing.",
        );
    }
    if s.accept && s.max_connections == 0 {
        return Err("MaxConnection= setting too small. Refusing.");
    }
    if s.accept && s.service.is_some() {
        return Err(
            "Explicit service configuration for accepting socket units not supported. Refusing.",
        );
    }
    if s.accept && state.defer_trigger {
        // v258+ socket_verify(); systemd 252 does not know DeferTrigger=.
        return Err(
            "Socket unit is configured to be accepting with DeferTrigger= enabled. Refusing.",
        );
    }
    if !s.options.symlinks.is_empty()
        && s.listen.iter().filter(|l| l.fs_path().is_some()).count() != 1
    {
        return Err(
            "Unit has symlinks set but none or more than one node in the file system. Refusing.",
        );
    }
    Ok(())
}

/// service_verify() (systemd.md §1.3), with Type= resolved as service_fix_up() does.
pub(crate) fn validate_service(s: &ServiceUnit, state: &BuildState) -> Result<(), &'static str> {
    let ty = s.effective_type();
    let has_start = !s.exec_start.is_empty();
    if !has_start && s.exec_stop.is_empty() && !state.success_action {
        return Err("Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.");
    }
    if ty != ServiceType::Oneshot && !has_start {
        return Err(
            "Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
        );
    }
    if !s.remain_after_exit && !has_start && !state.success_action {
        return Err("Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.");
    }
    if ty != ServiceType::Oneshot && s.exec_start.len() > 1 {
        return Err(
            "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
        );
    }
    if ty == ServiceType::Oneshot
        && matches!(s.restart, RestartPolicy::Always | RestartPolicy::OnSuccess)
    {
        return Err("Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.");
    }
    if ty == ServiceType::Dbus && !state.bus_name {
        return Err(
            "Service is of type D-Bus but no D-Bus service name has been specified. Refusing.",
        );
    }
    Ok(())
}

/// Non-fatal remarks service_verify() makes about valid units.
pub(crate) fn service_warnings(s: &ServiceUnit, state: &BuildState) -> Vec<&'static str> {
    let mut out = Vec::new();
    if state.runtime_max && s.effective_type() == ServiceType::Oneshot {
        out.push("RuntimeMaxSec= has no effect in combination with Type=oneshot. Ignoring.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::model::{ExecCommand, Listen, SocketAddress};

    fn cmd() -> ExecCommand {
        ExecCommand {
            path: "/bin/true".into(),
            argv: vec!["/bin/true".into()],
            ..ExecCommand::default()
        }
    }

    #[test]
    fn socket_rules_in_systemd_order() {
        let st = BuildState::default();
        let mut s = SocketUnit::new("a.socket");
        assert!(validate_socket(&s, &st)
            .unwrap_err()
            .starts_with("Unit has no Listen"));
        s.listen
            .push(Listen::Datagram(SocketAddress::Unix("/run/a".into())));
        s.accept = true;
        s.max_connections = 0;
        assert!(validate_socket(&s, &st)
            .unwrap_err()
            .contains("non-accepting"));
        s.listen = vec![Listen::Stream(SocketAddress::Unix("/run/a".into()))];
        assert!(validate_socket(&s, &st)
            .unwrap_err()
            .starts_with("MaxConnection="));
        s.max_connections = 1;
        s.service = Some("b.service".into());
        assert!(validate_socket(&s, &st)
            .unwrap_err()
            .starts_with("Explicit service"));
        s.service = None;
        s.options.symlinks.push("/run/link".into());
        assert_eq!(validate_socket(&s, &st), Ok(()));
        s.accept = false;
        s.listen.push(Listen::Fifo("/run/f".into()));
        assert!(validate_socket(&s, &st).unwrap_err().contains("symlinks"));
    }

    #[test]
    fn service_rules() {
        let st = BuildState::default();
        let mut s = ServiceUnit::new("a.service");
        assert!(validate_service(&s, &st)
            .unwrap_err()
            .contains("no ExecStart=, ExecStop="));
        s.exec_stop.push(cmd());
        assert!(validate_service(&s, &st)
            .unwrap_err()
            .contains("RemainAfterExit=yes"));
        s.remain_after_exit = true;
        assert_eq!(validate_service(&s, &st), Ok(()));
        s.service_type = Some(ServiceType::Simple);
        assert!(validate_service(&s, &st)
            .unwrap_err()
            .contains("no ExecStart= setting"));
        s.exec_start = vec![cmd(), cmd()];
        assert!(validate_service(&s, &st)
            .unwrap_err()
            .contains("more than one"));
        s.service_type = Some(ServiceType::Oneshot);
        assert_eq!(validate_service(&s, &st), Ok(()));
        s.restart = RestartPolicy::OnSuccess;
        assert!(validate_service(&s, &st).unwrap_err().contains("Restart="));
    }
}
