//! `activatorctl show`: `Name=value` lines like systemctl's `print_property()`
//! (booleans as yes/no, string lists space-separated, timestamps formatted and
//! empty when unset, `Listen=ADDRESS (Type)` once per entry, exec records as
//! `{ path=… ; argv[]=… ; … }`). Type-specific properties come first, then the
//! `.Unit` ones, like systemctl's output.

use zbus::Variant;

use super::style::sigchld_code_name;
use super::time::format_timestamp;
use crate::bus::props::{service_props, socket_props, unit_props, Prop};
use crate::engine::control::UnitStatus;

fn value_lines(name: &str, v: &Variant<'_>, u: &UnitStatus) -> Vec<String> {
    match v {
        Variant::Str(s) => vec![s.as_str().to_string()],
        Variant::Bool(b) => vec![if *b { "yes" } else { "no" }.to_string()],
        Variant::U32(n) => vec![n.to_string()],
        Variant::I32(n) => vec![n.to_string()],
        Variant::U64(t) if name.ends_with("Timestamp") => {
            vec![if *t == 0 { String::new() } else { format_timestamp(*t) }]
        }
        Variant::U64(n) => vec![n.to_string()],
        _ if name == "Listen" => u
            .socket
            .as_ref()
            .map(|k| k.listen.iter().map(|(t, a)| format!("{a} ({t})")).collect())
            .unwrap_or_default(),
        _ if name == "ExecStart" => u
            .service
            .as_ref()
            .filter(|v| !v.exec_start.is_empty())
            .map(|v| {
                let ts = |t: u64| if t == 0 { "n/a".to_string() } else { format_timestamp(t) };
                vec![format!(
                    "{{ path={} ; argv[]={} ; ignore_errors=no ; start_time=[{}] ; stop_time=[{}] ; pid={} ; code={} ; status={} }}",
                    v.exec_start[0],
                    v.exec_start.join(" "),
                    ts(v.exec_main_start_timestamp),
                    ts(v.exec_main_exit_timestamp),
                    v.exec_main_pid,
                    if v.exec_main_code == 0 { "(null)" } else { sigchld_code_name(v.exec_main_code) },
                    v.exec_main_status
                )]
            })
            .unwrap_or_default(),
        Variant::Array(_) => {
            let strs: Vec<String> = Variant::try_from(v)
                .ok()
                .and_then(|v| Vec::<String>::try_from(v).ok())
                .unwrap_or_default();
            vec![strs.join(" ")]
        }
        other => vec![format!("{other:?}")],
    }
}

/// Every property of a unit in systemctl's order.
pub fn unit_show_props(u: &UnitStatus) -> Vec<Prop> {
    let mut props = Vec::new();
    if let Some(k) = &u.socket {
        props.extend(socket_props(u, k));
    }
    if let Some(v) = &u.service {
        props.extend(service_props(u, v));
    }
    props.extend(unit_props(u));
    props
}

/// The `show` text for one unit; `only` filters by property name.
pub fn format_show(u: &UnitStatus, only: &[String], value_only: bool) -> String {
    format_props(&unit_show_props(u), only, value_only, u)
}

/// `Name=value` lines of a property list.
pub fn format_props(props: &[Prop], only: &[String], value_only: bool, u: &UnitStatus) -> String {
    let mut out = String::new();
    for (name, v) in props {
        if !only.is_empty() && !only.iter().any(|p| p == name) {
            continue;
        }
        let lines = value_lines(name, v, u);
        // systemctl prints `Name=` for empty lists too (unless --value).
        let lines = if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        };
        for l in lines {
            if value_only {
                out.push_str(&format!("{l}\n"));
            } else {
                out.push_str(&format!("{name}={l}\n"));
            }
        }
    }
    out
}
