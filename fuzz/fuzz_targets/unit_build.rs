//! Fuzz the whole unit-file path: lex any text as a `.socket` or `.service` (plain,
//! template instance), run every directive parser and the load-time checks. Nothing
//! may panic, every diagnostic must carry a line of the input, and the renderer used
//! by `activatord convert` must be a fixed point after one step: a loaded unit's text,
//! when it loads again, renders to the same text. (The renderer writes what inetd
//! entries can set, not every directive, so the text of an arbitrary unit may lack
//! something it needs to load; `inetd_convert` checks that converted units do load.)
//!
//! Known false positive: a value that ends in blanks only after specifier expansion
//! (`PIDFile=%i %I` in a plain unit is `/run/ `) cannot be written back — the lexer
//! strips trailing blanks — so the second render differs.
#![no_main]

use std::path::Path;

use activator::unit::lexer::lex;
use activator::unit::model::{ExecCommand, LoadState, Unit, UnitSource};
use activator::unit::render::{render_service, render_socket};
use activator::unit::specifier::{HostInfo, SpecifierContext};
use activator::unit::table::{build_unit, known_sections, UnitKind};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = [
    "f.socket",
    "f.service",
    "a-b@x\\x2dy.service",
    "f@0-127.0.0.1:7-127.0.0.1:9.service",
];

fn build(name: &str, text: &[u8], host: &HostInfo) -> (Unit, Vec<u32>) {
    let kind = UnitKind::from_name(name).expect("fixed names have a kind");
    let path = Path::new("/etc/systemd/system/fuzz.unit");
    let (assignments, mut diags) = lex(text, path, known_sections(kind));
    let spec = SpecifierContext {
        unit_name: name,
        fragment: Some(path),
        host,
    };
    let (unit, more) = build_unit(name, &assignments, &spec, UnitSource::default());
    diags.extend(more);
    // The lexer ends lines at LF, CR and NUL (systemd's read_line()).
    let max_line = text
        .iter()
        .filter(|&&b| matches!(b, b'\n' | b'\r' | 0))
        .count() as u32
        + 1;
    let lines = diags.iter().map(|d| d.line).collect::<Vec<_>>();
    for l in &lines {
        assert!(*l <= max_line, "diagnostic line {l} beyond the input");
    }
    (unit, lines)
}

fn render(u: &Unit) -> String {
    match u {
        Unit::Socket(s) => render_socket(s),
        Unit::Service(s) => render_service(s),
    }
}

/// A command whose executable itself starts with an `Exec*=` prefix character
/// cannot be written back: systemd strips prefixes after unquoting, so `"!!!x"`
/// reads as `!x` (systemd-analyze verify agrees). Such units are not compared.
fn unwritable_command(u: &Unit) -> bool {
    let lists: Vec<&Vec<ExecCommand>> = match u {
        Unit::Service(s) => vec![
            &s.exec_start,
            &s.exec_start_pre,
            &s.exec_start_post,
            &s.exec_condition,
            &s.exec_reload,
            &s.exec_stop,
            &s.exec_stop_post,
        ],
        Unit::Socket(s) => vec![
            &s.exec_start_pre,
            &s.exec_start_post,
            &s.exec_stop_pre,
            &s.exec_stop_post,
        ],
    };
    lists
        .iter()
        .flat_map(|l| l.iter())
        .any(|c| c.path.starts_with(['-', '@', ':', '+', '!', '|']))
}

fn load_state(u: &Unit) -> LoadState {
    match u {
        Unit::Socket(s) => s.load_state,
        Unit::Service(s) => s.load_state,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(sel) % NAMES.len()];
    let host = HostInfo::example();
    let (unit, _) = build(name, text, &host);
    let first = render(&unit);
    if load_state(&unit) != LoadState::Loaded || unwritable_command(&unit) {
        return;
    }
    let (again, _) = build(name, first.as_bytes(), &host);
    if load_state(&again) == LoadState::Loaded {
        assert_eq!(render(&again), first, "render is not a fixed point");
    }
});
