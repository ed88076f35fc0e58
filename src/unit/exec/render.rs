//! The argv as the unit dump prints it: `quote_command_line(…, SHELL_ESCAPE_EMPTY)`
//! with `shell_maybe_quote()` and `cescape_char()` (src/basic/escape.c). The inverse
//! direction of the parser, used only for output (`unit::dump`, the verify oracle).

use crate::unit::model::ExecCommand;
use crate::unit::values::is_ws;

/// `SHELL_NEED_ESCAPE` and `SHELL_NEED_QUOTES` of src/basic/escape.h.
const SHELL_NEED_ESCAPE: &[u8] = b"\"\\`$";
const SHELL_NEED_QUOTES: &[u8] = b"\"\\`$*?['()<>|&;!";

/// `cescape_char()`.
fn cescape_char(c: u8, out: &mut String) {
    match c {
        0x07 => out.push_str("\\a"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x0b => out.push_str("\\v"),
        b'\\' => out.push_str("\\\\"),
        b'"' => out.push_str("\\\""),
        b'\'' => out.push_str("\\'"),
        c if !(b' '..127).contains(&c) => {
            out.push('\\');
            out.push(char::from(b'0' + (c >> 6)));
            out.push(char::from(b'0' + ((c >> 3) & 7)));
            out.push(char::from(b'0' + (c & 7)));
        }
        c => out.push(char::from(c)),
    }
}

fn char_is_cc(c: char) -> bool {
    (c as u32) < 0x20 || c == '\x7f'
}

/// `shell_maybe_quote(s, SHELL_ESCAPE_EMPTY)`.
fn shell_maybe_quote(s: &str) -> String {
    if s.is_empty() {
        return "\"\"".to_string();
    }
    let needs = s.chars().any(|c| {
        char_is_cc(c)
            || (c.is_ascii() && (is_ws(c as u8) || SHELL_NEED_QUOTES.contains(&(c as u8))))
    });
    if !needs {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    out.push('"');
    for c in s.chars() {
        if char_is_cc(c) {
            cescape_char(c as u8, &mut out);
        } else {
            if c.is_ascii() && SHELL_NEED_ESCAPE.contains(&(c as u8)) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// The argv as systemd 252's unit dump prints it after "Command Line: "
/// (`quote_command_line(argv, SHELL_ESCAPE_EMPTY)`): `/bin/echo "a b" "\$FOO"`.
pub fn render_exec_argv(cmd: &ExecCommand) -> String {
    cmd.argv
        .iter()
        .map(|a| shell_maybe_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            shell_maybe_quote("plain-word_1.2/x=y~#"),
            "plain-word_1.2/x=y~#"
        );
        assert_eq!(shell_maybe_quote(""), "\"\"");
        assert_eq!(shell_maybe_quote("a\nb"), "\"a\\nb\"");
        assert_eq!(shell_maybe_quote("\x01"), "\"\\001\"");
        assert_eq!(shell_maybe_quote("é"), "é");
        assert_eq!(shell_maybe_quote("a'b"), "\"a'b\"");
    }
}
