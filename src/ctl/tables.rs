//! `list-units` and `list-sockets` tables, as pure functions of unit
//! snapshots, shaped like systemctl 252's (src/systemctl/systemctl-list-units.c):
//! columns padded to their widest cell and separated by one space, the last
//! column unpadded, a legend/footer that `--no-legend` drops.

use serde::Serialize;

use super::style::{paint, RED};
use crate::engine::control::UnitStatus;

/// Options shared by the table commands.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// `--all`: also loaded but inactive units.
    pub all: bool,
    pub legend: bool,
    pub color: bool,
}

/// systemctl's `output_show_unit()` filter: inactive units only with `--all`.
pub fn shown(u: &UnitStatus, all: bool) -> bool {
    all || u.active_state != "inactive"
}

/// Lay out rows: every column but the last padded to its widest cell.
fn render_rows(rows: &[Vec<String>], widths_from: &[Vec<String>]) -> Vec<String> {
    let ncol = rows.first().map(|r| r.len()).unwrap_or(0);
    let mut widths = vec![0usize; ncol];
    for r in widths_from {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    line.push_str(&" ".repeat(widths[i] - c.chars().count() + 1));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// One `list-units` row, also the `-o json` record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitListRow {
    pub unit: String,
    pub load: String,
    pub active: String,
    pub sub: String,
    pub description: String,
}

pub fn unit_rows(units: &[UnitStatus], all: bool) -> Vec<UnitListRow> {
    let mut v: Vec<UnitListRow> = units
        .iter()
        .filter(|u| shown(u, all))
        .map(|u| UnitListRow {
            unit: u.id.clone(),
            load: u.load_state.clone(),
            active: u.active_state.clone(),
            sub: u.sub_state.clone(),
            description: u.description.clone(),
        })
        .collect();
    v.sort_by(|a, b| a.unit.cmp(&b.unit));
    v
}

/// `list-units`: `  UNIT LOAD ACTIVE SUB DESCRIPTION`, a `●` in the first
/// column of failed or not-loaded units, then the legend and the count.
pub fn format_list_units(units: &[UnitStatus], opts: TableOptions) -> String {
    let rows = unit_rows(units, opts.all);
    let mut table = Vec::new();
    if opts.legend {
        table.push(vec![
            " ".into(),
            "UNIT".into(),
            "LOAD".into(),
            "ACTIVE".into(),
            "SUB".into(),
            "DESCRIPTION".into(),
        ]);
    }
    for r in &rows {
        let bad = r.active == "failed" || r.load != "loaded";
        table.push(vec![
            // The glyph column is one wide even when empty (systemctl's layout).
            if bad { "●".into() } else { " ".into() },
            r.unit.clone(),
            r.load.clone(),
            r.active.clone(),
            r.sub.clone(),
            r.description.clone(),
        ]);
    }
    let mut out = String::new();
    for line in render_rows(&table, &table) {
        // The glyph is painted after layout so colour codes don't skew widths.
        match line.strip_prefix('●') {
            Some(rest) => out.push_str(&format!("{}{rest}", paint("●", RED, opts.color))),
            None => out.push_str(&line),
        }
        out.push('\n');
    }
    if opts.legend {
        out.push_str("\nLOAD   = Reflects whether the unit definition was properly loaded.\n");
        out.push_str(
            "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n",
        );
        out.push_str("SUB    = The low-level unit activation state, values depend on unit type.\n");
        out.push_str(&format!("{} loaded units listed.", rows.len()));
        if !opts.all {
            out.push_str(" Pass --all to see loaded but inactive units, too.");
        }
        out.push('\n');
    }
    out
}

/// One `list-sockets` row, also the `-o json` record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SocketListRow {
    pub listen: String,
    #[serde(rename = "type")]
    pub socket_type: String,
    pub unit: String,
    pub activates: Vec<String>,
}

/// systemctl's `socket_info_compare()`: non-path addresses before absolute
/// paths, paths in path order, others in string order, then by type.
fn socket_order(a: &SocketListRow, b: &SocketListRow) -> std::cmp::Ordering {
    let (pa, pb) = (a.listen.starts_with('/'), b.listen.starts_with('/'));
    pa.cmp(&pb)
        .then_with(|| {
            if pa {
                std::path::Path::new(&a.listen).cmp(std::path::Path::new(&b.listen))
            } else {
                a.listen.cmp(&b.listen)
            }
        })
        .then_with(|| a.socket_type.cmp(&b.socket_type))
}

pub fn socket_rows(units: &[UnitStatus], all: bool) -> Vec<SocketListRow> {
    let mut rows = Vec::new();
    for u in units
        .iter()
        .filter(|u| u.id.ends_with(".socket") && shown(u, all))
    {
        let Some(k) = &u.socket else { continue };
        for (ty, addr) in &k.listen {
            rows.push(SocketListRow {
                listen: addr.clone(),
                socket_type: ty.clone(),
                unit: u.id.clone(),
                activates: u.triggers.clone(),
            });
        }
    }
    rows.sort_by(socket_order);
    rows
}

/// `list-sockets`: `LISTEN UNIT ACTIVATES` (with `--show-types`, `TYPE` after
/// LISTEN), `-` for a socket that triggers nothing, then
/// `N sockets listed.` and the `--all` hint.
pub fn format_list_sockets(units: &[UnitStatus], opts: TableOptions, show_types: bool) -> String {
    let rows = socket_rows(units, opts.all);
    let mut table = Vec::new();
    let header: Vec<String> = if show_types {
        vec![
            "LISTEN".into(),
            "TYPE".into(),
            "UNIT".into(),
            "ACTIVATES".into(),
        ]
    } else {
        vec!["LISTEN".into(), "UNIT".into(), "ACTIVATES".into()]
    };
    if opts.legend {
        table.push(header);
    }
    for r in &rows {
        let act = if r.activates.is_empty() {
            "-".to_string()
        } else {
            r.activates.join(", ")
        };
        let mut row = vec![r.listen.clone()];
        if show_types {
            row.push(r.socket_type.clone());
        }
        row.push(r.unit.clone());
        row.push(act);
        table.push(row);
    }
    let mut out = String::new();
    for line in render_rows(&table, &table) {
        out.push_str(&line);
        out.push('\n');
    }
    if opts.legend {
        out.push_str(&format!("\n{} sockets listed.\n", rows.len()));
        if !opts.all {
            out.push_str("Pass --all to see loaded but inactive sockets, too.\n");
        }
    }
    out
}
