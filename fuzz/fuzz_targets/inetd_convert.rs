//! Fuzz the inetd front-end and `activatord convert`: any inetd.conf text, in any
//! dialect, maps without panicking, every diagnostic carries a line of the input, and
//! every generated unit converts faithfully: its rendered unit file loads through the
//! unit-file path and renders to the same text again.
#![no_main]

use std::path::{Path, PathBuf};

use activator::inetd::{load_inetd_text, Dialect, InetdOptions};
use activator::unit::lexer::lex;
use activator::unit::model::{LoadState, Unit, UnitSource};
use activator::unit::render::{render_service, render_socket};
use activator::unit::specifier::{HostInfo, SpecifierContext};
use activator::unit::table::{build_unit, known_sections, UnitKind};
use libfuzzer_sys::fuzz_target;

const DIALECTS: [Dialect; 4] = [
    Dialect::OpenBsd,
    Dialect::FreeBsd,
    Dialect::Inetutils,
    Dialect::Busybox,
];

/// Load `text` as the unit file `name`, then render it.
fn reload(name: &str, text: &str, host: &HostInfo) -> (LoadState, String) {
    let kind = UnitKind::from_name(name).expect("generated names have a kind");
    let path = Path::new("/etc/systemd/system/converted");
    let (assignments, _) = lex(text.as_bytes(), path, known_sections(kind));
    let spec = SpecifierContext {
        unit_name: name,
        fragment: Some(path),
        host,
    };
    match build_unit(name, &assignments, &spec, UnitSource::default()).0 {
        Unit::Socket(s) => (s.load_state, render_socket(&s)),
        Unit::Service(s) => (s.load_state, render_service(&s)),
    }
}

/// The rendered text without convert's "# Generated from FILE:LINE" header, which a
/// unit loaded from a unit file has no line for.
fn body(text: &str) -> &str {
    match text.strip_prefix("# Generated from ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, b)| b),
        None => text,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let opts = InetdOptions {
        dialect: DIALECTS[usize::from(sel) % DIALECTS.len()],
        services_file: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/inetd/services"
        )),
    };
    let units = load_inetd_text(Path::new("/etc/inetd.conf"), text, &opts);
    let max_line = text.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    for d in &units.diagnostics {
        assert!(
            d.line <= max_line,
            "diagnostic line {} beyond the input",
            d.line
        );
    }
    let host = HostInfo::example();
    let rendered = units
        .sockets
        .iter()
        .map(|s| (&*s.name, s.load_state, render_socket(s)))
        .chain(
            units
                .services
                .iter()
                .map(|s| (&*s.name, s.load_state, render_service(s))),
        );
    for (name, state, first) in rendered {
        if state != LoadState::Loaded {
            continue;
        }
        let (again, second) = reload(name, &first, &host);
        assert_eq!(again, LoadState::Loaded, "{name} no longer loads:\n{first}");
        assert_eq!(second, body(&first), "{name} does not convert faithfully");
    }
});
