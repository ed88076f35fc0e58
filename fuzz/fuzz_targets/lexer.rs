//! Fuzz the unit-file lexer: any byte string must lex without panicking, and every
//! assignment it returns must be well-formed (trimmed key without '=', a line number
//! within the input).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (assignments, _diags) = activator::unit::lexer::lex(
        data,
        Path::new("fuzz.socket"),
        &["Unit", "Socket", "Install"],
    );
    let max_line = data.len() as u32 + 1;
    for a in &assignments {
        assert!(!a.key().is_empty());
        assert!(!a.key().contains('='));
        // systemd strips only its WHITESPACE set (" \t\n\r"), not e.g. '\v'.
        let ws = [' ', '\t', '\n', '\r'];
        assert_eq!(a.key().trim_matches(ws), a.key());
        assert_eq!(a.value().trim_matches(ws), a.value());
        assert!(a.line >= 1 && a.line <= max_line);
        // The other value parsers must not panic on lexer output either.
        let _ = activator::unit::values::parse_timespan(a.value());
        let _ = activator::unit::values::parse_size_iec(a.value());
        let _ = activator::unit::address::parse_socket_address(a.value());
        let _ = activator::unit::exec::parse_exec_line(a.value());
        let _ = activator::unit::exec::parse_environment(a.value());
    }
});
