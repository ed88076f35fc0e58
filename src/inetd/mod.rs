//! inetd.conf and services(5) front-end: entries become the same typed `SocketUnit`/
//! `ServiceUnit` values unit files give, so the engine never knows where a unit came
//! from. The pipeline is `lexer` (comments, continuation, quoting per `dialect`) →
//! `entry` (fields, syntax only) → `mapping` (names resolved through `services`,
//! users and hosts; one diagnostic per bad entry, the rest still load). `convert`
//! writes the result as unit files (via `unit::render`).

pub mod convert;
pub mod dialect;
pub mod entry;
mod groups;
pub mod lexer;
mod listen;
pub mod mapping;
mod naming;
mod rules;
pub mod services;

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::unit::model::{ServiceUnit, SocketUnit};

pub use convert::{convert, ConvertError};
pub use dialect::Dialect;
use entry::{Hosts, Line};

/// Options of the inetd front-end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InetdOptions {
    pub dialect: Dialect,
    /// services(5) database for name → port (`--services`).
    pub services_file: PathBuf,
}

impl Default for InetdOptions {
    fn default() -> Self {
        InetdOptions {
            dialect: Dialect::OpenBsd,
            services_file: PathBuf::from("/etc/services"),
        }
    }
}

/// Units generated from inetd.conf files. Every service unit is triggered by one of
/// the sockets (builtin sockets have none).
#[derive(Debug, Clone, Default)]
pub struct InetdUnits {
    pub sockets: Vec<SocketUnit>,
    pub services: Vec<ServiceUnit>,
    pub diagnostics: Diagnostics,
}

/// Load inetd.conf files. A directory stands for all regular files in it, sorted by
/// name (GNU inetutils' `/etc/inetd.d` convention). Never fails: unreadable files and
/// bad entries are diagnostics.
pub fn load_inetd(paths: &[PathBuf], opts: &InetdOptions) -> InetdUnits {
    let mut mapper = mapping::Mapper::new(opts);
    let mut diags = Diagnostics::new();
    for file in expand_paths(paths, &mut diags) {
        let mut file_diags = match std::fs::read(&file) {
            Ok(bytes) => load_text(&mut mapper, &file, &bytes),
            Err(err) => vec![Diagnostic::error_at(
                &file,
                0,
                format!("Failed to read inetd configuration: {err}"),
            )],
        };
        // Lexer, entry and mapping messages of one file in line order (stable sort).
        file_diags.sort_by_key(|d| d.line);
        diags.append(&mut file_diags);
    }
    InetdUnits {
        sockets: mapper.sockets,
        services: mapper.services_out,
        diagnostics: diags,
    }
}

/// Load one inetd.conf text already in memory, as if read from `file` (diagnostics
/// name it). For callers that hold the text themselves, such as the fuzz targets.
pub fn load_inetd_text(file: &Path, bytes: &[u8], opts: &InetdOptions) -> InetdUnits {
    let mut mapper = mapping::Mapper::new(opts);
    let mut diagnostics = load_text(&mut mapper, file, bytes);
    diagnostics.sort_by_key(|d| d.line);
    InetdUnits {
        sockets: mapper.sockets,
        services: mapper.services_out,
        diagnostics,
    }
}

/// Parse one file's text into `mapper`; returns the file's diagnostics.
fn load_text(mapper: &mut mapping::Mapper, file: &Path, bytes: &[u8]) -> Diagnostics {
    let dialect = mapper.dialect();
    let (raw, mut diags) = lexer::lex(bytes, file, dialect);
    mapper.reserve(raw.len());
    // `*:` is implicit at the top of every file (inetd.md §1.4).
    let mut default_hosts = Hosts::Any;
    for r in raw {
        let (line, mut d) = entry::parse_entry(r, file, dialect);
        diags.append(&mut d);
        match line {
            Some(Line::DefaultHost(h)) => default_hosts = h,
            Some(Line::Entry(e)) => mapper.add_entry(file, &e, &default_hosts),
            None => {}
        }
    }
    diags.append(&mut mapper.diagnostics);
    diags
}

/// Files named by `paths`: files as given, directories as their sorted regular files.
fn expand_paths(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut files: Vec<PathBuf> = rd
                        .filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.is_file())
                        .collect();
                    files.sort();
                    out.extend(files);
                }
                Err(err) => diags.push(Diagnostic::error_at(
                    p,
                    0,
                    format!("Failed to read directory: {err}"),
                )),
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}
