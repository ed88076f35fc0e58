//! Command lines of `Exec*=` settings, `Environment=` words and their spawn-time
//! `$VAR` expansion (systemd.service(5) "Command lines", systemd.syntax(7) quoting).
//!
//! The word splitter is a transcription of systemd's `extract_first_word()`
//! (src/basic/extract-word.c, v252) with `EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE` and the
//! `EXTRACT_UNESCAPE_RELAX` retry of `extract_first_word_and_warn()`; the command
//! parser follows `config_parse_exec()` (src/core/load-fragment.c); the renderer is
//! `quote_command_line(…, SHELL_ESCAPE_EMPTY)` (src/basic/escape.c) as used by the unit
//! dump; the expansion is `replace_env_argv()` (src/basic/env-util.c). Worked examples
//! from `systemd-analyze verify` (252) are the unit tests.

use std::borrow::Cow;

use super::model::ExecCommand;
use super::values::ValueError;

/// The commands of one `Exec*=` line and the warnings systemd prints for it
/// (`Ignoring unknown escape sequences: "e\ f"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedExec {
    pub commands: Vec<ExecCommand>,
    pub warnings: Vec<String>,
}

/// systemd's `WHITESPACE`.
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

#[derive(Clone, Copy)]
struct Flags {
    unquote: bool,
    cunescape: bool,
    unescape_relax: bool,
    relax: bool,
}

const EXEC_FLAGS: Flags = Flags {
    unquote: true,
    cunescape: true,
    unescape_relax: false,
    relax: false,
};

fn unhex(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// `cunescape_one(p, SIZE_MAX, …, accept_nul = false)`: the escape after a backslash.
/// Returns (bytes to append, input bytes consumed) or None for an invalid sequence.
fn cunescape_one(p: &[u8]) -> Option<(Vec<u8>, usize)> {
    let simple = |b: u8| Some((vec![b], 1));
    match *p.first()? {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' => simple(b'\\'),
        b'"' => simple(b'"'),
        b'\'' => simple(b'\''),
        // "This is an extension of the XDG syntax files".
        b's' => simple(b' '),
        b'x' => {
            let a = unhex(*p.get(1)?)?;
            let b = unhex(*p.get(2)?)?;
            let v = (a << 4) | b;
            if v == 0 {
                return None;
            }
            Some((vec![v as u8], 3))
        }
        b'u' | b'U' => {
            let n = if p[0] == b'u' { 4 } else { 8 };
            let mut c: u32 = 0;
            for i in 0..n {
                c = (c << 4) | unhex(*p.get(1 + i)?)?;
            }
            if c == 0 {
                return None;
            }
            // \U checks unichar_is_valid(); \u does not (surrogates become U+FFFD here).
            let ch = match char::from_u32(c) {
                Some(ch) => ch,
                None if n == 4 => char::REPLACEMENT_CHARACTER,
                None => return None,
            };
            let mut buf = [0u8; 4];
            Some((ch.encode_utf8(&mut buf).as_bytes().to_vec(), 1 + n))
        }
        b'0'..=b'7' => {
            let oct = |c: u8| (b'0'..=b'7').contains(&c).then(|| u32::from(c - b'0'));
            let a = oct(p[0])?;
            let b = oct(*p.get(1)?)?;
            let c = oct(*p.get(2)?)?;
            let m = (a << 6) | (b << 3) | c;
            if m == 0 || m > 255 {
                return None;
            }
            Some((vec![m as u8], 3))
        }
        _ => None,
    }
}

/// One step of `extract_first_word()` with whitespace separators (coalesced).
/// `Ok(None)` = no more words; `Err(())` = -EINVAL (bad escape or unbalanced quote).
fn extract_word(p: &mut &[u8], flags: Flags) -> Result<Option<Vec<u8>>, ()> {
    let mut s = *p;
    while let [c, rest @ ..] = s {
        if is_ws(*c) {
            s = rest;
        } else {
            break;
        }
    }
    if s.is_empty() {
        *p = s;
        return Ok(None);
    }
    // Sized for the plain run the word starts with: most words are nothing else.
    let plain = s
        .iter()
        .take_while(|&&c| !is_ws(c) && !matches!(c, b'\\' | b'"' | b'\''))
        .count();
    // The loop below would copy that run byte by byte (outside quotes, with no
    // escape in it): take it at once and go on from its end.
    let mut out = s[..plain].to_vec();
    let mut quote: u8 = 0;
    let mut i = plain;
    loop {
        let Some(&c) = s.get(i) else {
            // End of input.
            if quote != 0 && !flags.relax {
                return Err(());
            }
            *p = &s[i..];
            return Ok(Some(out));
        };
        if c == b'\\' {
            let Some(&n) = s.get(i + 1) else {
                // Trailing backslash.
                if flags.unescape_relax && (quote == 0 || flags.relax) {
                    out.push(b'\\');
                    *p = &s[i + 1..];
                    return Ok(Some(out));
                }
                if flags.relax {
                    *p = &s[i + 1..];
                    return Ok(Some(out));
                }
                return Err(());
            };
            if flags.cunescape {
                if let Some((bytes, used)) = cunescape_one(&s[i + 1..]) {
                    out.extend_from_slice(&bytes);
                    i += 1 + used;
                } else if flags.unescape_relax {
                    out.push(b'\\');
                    out.push(n);
                    i += 2;
                } else {
                    return Err(());
                }
            } else {
                out.push(n);
                i += 2;
            }
            continue;
        }
        if quote != 0 {
            if c == quote {
                quote = 0;
                if !flags.unquote {
                    out.push(c);
                }
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        if (c == b'\'' || c == b'"') && flags.unquote {
            quote = c;
            i += 1;
            continue;
        }
        if is_ws(c) {
            // Skip additional coalesced separators.
            let mut j = i;
            while s.get(j).is_some_and(|&c| is_ws(c)) {
                j += 1;
            }
            *p = &s[j..];
            return Ok(Some(out));
        }
        out.push(c);
        i += 1;
    }
}

fn bytes_to_string(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Why `extract_first_word_and_warn()` failed.
enum WordError {
    Unbalanced,
}

/// `extract_first_word_and_warn()`: retries with `EXTRACT_UNESCAPE_RELAX` and warns
/// "Ignoring unknown escape sequences: "…"" when that helped.
fn extract_and_warn(
    p: &mut &[u8],
    warnings: &mut Vec<String>,
) -> Result<Option<String>, WordError> {
    let save = *p;
    if let Ok(w) = extract_word(p, EXEC_FLAGS) {
        return Ok(w.map(bytes_to_string));
    }
    *p = save;
    let relaxed = Flags {
        unescape_relax: true,
        ..EXEC_FLAGS
    };
    match extract_word(p, relaxed) {
        Ok(w) => {
            let w = w.map(bytes_to_string);
            if let Some(word) = &w {
                warnings.push(format!("Ignoring unknown escape sequences: \"{word}\""));
            }
            Ok(w)
        }
        Err(()) => Err(WordError::Unbalanced),
    }
}

/// Split a value into words with systemd's quoting and C escapes
/// (`EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE`, relaxed on unknown escapes with a warning).
/// Unbalanced quotes are an error.
pub fn split_words(value: &str) -> Result<(Vec<String>, Vec<String>), ValueError> {
    let mut p = value.as_bytes();
    let mut words = Vec::new();
    let mut warnings = Vec::new();
    loop {
        match extract_and_warn(&mut p, &mut warnings) {
            Ok(Some(w)) => words.push(w),
            Ok(None) => return Ok((words, warnings)),
            Err(WordError::Unbalanced) => {
                return Err(ValueError::Other(format!(
                    "Unbalanced quoting, ignoring: \"{value}\""
                )))
            }
        }
    }
}

/// `string_is_safe()`: no control characters, quotes, backslashes or DEL.
fn string_is_safe(s: &str) -> bool {
    !s.chars()
        .any(|c| (c as u32) < 0x20 || matches!(c, '"' | '\'' | '\\' | '\x7f'))
}

/// `filename_is_valid()`: a single path component.
fn filename_is_valid(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains('/') && s.len() <= 255
}

/// `path_simplify()`: drop duplicate slashes, `.` components and a trailing slash.
fn path_simplify(p: &str) -> String {
    let absolute = p.starts_with('/');
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Parse an `Exec*=` value into commands (systemd.service(5) "Command lines"):
/// prefixes `-@:+!|` in any order (only one of `+`, `!`, `!!`), quoting and escapes
/// as `split_words`, `;` as command separator, `\;` as a literal `;` argument.
///
/// `Err` means the unit has a fatal error (systemd: "Unit configuration has fatal
/// error"): unbalanced quotes or an invalid executable. With the `-` prefix those are
/// warnings instead and the command is dropped. An empty value yields no commands
/// (the caller resets the list).
pub fn parse_exec_line(value: &str) -> Result<ParsedExec, ValueError> {
    parse_exec_line_expand(value, &|w: &str| Ok(Cow::Borrowed(w)))
}

/// How `parse_exec_line_expand` expands a word: borrowed when it stays as it is.
pub type ExpandWord<'f> = &'f dyn for<'w> Fn(&'w str) -> Result<Cow<'w, str>, ValueError>;

/// `parse_exec_line` with specifier expansion applied per word after unquoting, the
/// order systemd uses (`unit_path_printf()` on the executable, `unit_full_printf()`
/// on each argument).
pub fn parse_exec_line_expand(
    value: &str,
    expand: ExpandWord<'_>,
) -> Result<ParsedExec, ValueError> {
    let mut out = ParsedExec::default();
    let mut p = value.as_bytes();
    loop {
        // `rvalue` in systemd's messages is what is left of the line at this command
        // (made into text only for a message).
        let rest = p;
        let rvalue = || String::from_utf8_lossy(rest);
        let firstword = match extract_and_warn(&mut p, &mut out.warnings) {
            Ok(Some(w)) => w,
            Ok(None) => return Ok(out),
            Err(WordError::Unbalanced) => {
                // config_parse_exec(): a bad first word ends parsing without failing.
                out.warnings
                    .push(format!("Unbalanced quoting, ignoring: \"{}\"", rvalue()));
                return Ok(out);
            }
        };
        // A lone ";" is a separator, never an executable.
        if firstword == ";" {
            continue;
        }

        let mut cmd = ExecCommand::default();
        let mut separate_argv0 = false;
        let mut privilege_prefix = false;
        let mut f = firstword.as_str();
        loop {
            match f.as_bytes().first() {
                Some(b'-') if !cmd.ignore_failure => cmd.ignore_failure = true,
                Some(b'@') if !separate_argv0 => separate_argv0 = true,
                Some(b':') if !cmd.no_env_expand => cmd.no_env_expand = true,
                Some(b'+') if !privilege_prefix => {
                    cmd.full_privileges = true;
                    privilege_prefix = true;
                }
                Some(b'!') if !privilege_prefix => {
                    cmd.no_setuid = true;
                    privilege_prefix = true;
                }
                // "!!": ambient-capability fallback (252); on every kernel with ambient
                // capabilities it means plain credentials, and v258 ignores it.
                Some(b'!') if cmd.no_setuid && !cmd.full_privileges => cmd.no_setuid = false,
                // "|" (v258+): run via /bin/sh -c.
                Some(b'|') if !cmd.via_shell => cmd.via_shell = true,
                _ => break,
            }
            f = &f[1..];
        }
        let ignore = cmd.ignore_failure;
        let ign = if ignore { ", ignoring" } else { "" };
        // Fatal unless the '-' prefix turns it into a warning that drops the command.
        let fail = |out: &mut ParsedExec, msg: String| -> Result<ParsedExec, ValueError> {
            if ignore {
                out.warnings.push(msg);
                Ok(std::mem::take(out))
            } else {
                Err(ValueError::Other(msg))
            }
        };

        let path = match expand(f) {
            Ok(p) => p,
            Err(e) => {
                return fail(
                    &mut out,
                    format!("Failed to resolve unit specifiers in '{f}'{ign}: {e}"),
                )
            }
        };
        if path.is_empty() {
            return fail(
                &mut out,
                format!("Empty path in command line{ign}: '{}'", rvalue()),
            );
        }
        if !string_is_safe(&path) {
            return fail(
                &mut out,
                format!("Executable name contains special characters{ign}: {path}"),
            );
        }
        if path.ends_with('/') {
            return fail(
                &mut out,
                format!("Executable path specifies a directory{ign}: {path}"),
            );
        }
        if !path.starts_with('/') && !filename_is_valid(&path) {
            return fail(
                &mut out,
                format!("Neither a valid executable name nor an absolute path{ign}: {path}"),
            );
        }
        cmd.path = path_simplify(&path);
        if !separate_argv0 {
            cmd.argv.push(path.into_owned());
        }

        let mut semicolon = false;
        loop {
            if p.is_empty() {
                break;
            }
            let sep_after = |i: usize| p.get(i).is_none_or(|&c| is_ws(c));
            // An unquoted ";" word separates commands.
            if p[0] == b';' && sep_after(1) {
                p = skip_ws(&p[1..]);
                semicolon = true;
                break;
            }
            // Exactly "\;" is a literal ";" argument.
            if p.starts_with(b"\\;") && sep_after(2) {
                p = skip_ws(&p[2..]);
                cmd.argv.push(";".to_string());
                continue;
            }
            let word = match extract_and_warn(&mut p, &mut out.warnings) {
                Ok(Some(w)) => w,
                Ok(None) => break,
                Err(WordError::Unbalanced) => {
                    return fail(
                        &mut out,
                        format!("Unbalanced quoting, ignoring: \"{}\"", rvalue()),
                    )
                }
            };
            // Most words have nothing to expand and are kept as they are.
            let expanded = match expand(&word) {
                Ok(Cow::Owned(w)) => Some(w),
                Ok(Cow::Borrowed(_)) => None,
                Err(e) => {
                    return fail(
                        &mut out,
                        format!("Failed to resolve unit specifiers in {word}{ign}: {e}"),
                    )
                }
            };
            cmd.argv.push(expanded.unwrap_or(word));
        }

        if cmd.argv.first().is_none_or(|a| a.is_empty()) {
            return fail(
                &mut out,
                format!(
                    "Empty executable name or zeroeth argument{ign}: {}",
                    rvalue()
                ),
            );
        }
        out.commands.push(cmd);
        if !semicolon {
            return Ok(out);
        }
    }
}

fn skip_ws(mut s: &[u8]) -> &[u8] {
    while let [c, rest @ ..] = s {
        if is_ws(*c) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// `env_name_is_valid()`: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn env_name_is_valid(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `env_value_is_valid()`: no control characters other than tab and newline.
fn env_value_is_valid(s: &str) -> bool {
    !s.chars()
        .any(|c| (c.is_control() && c != '\t' && c != '\n') || c == '\x7f')
}

/// Parse an `Environment=` value: several `VAR=VALUE` words, quoted as in
/// systemd.exec(5) (`Environment="A=x y" B=z`). Invalid assignments are skipped;
/// a syntax error (unbalanced quotes, unknown escapes) is `Err`, and systemd then
/// ignores the whole line ("Invalid syntax, ignoring: …").
pub fn parse_environment(value: &str) -> Result<Vec<(String, String)>, ValueError> {
    parse_environment_expand(value, &|w: &str| Ok(w.to_string())).map(|(v, _)| v)
}

/// Environment assignments in order, plus warnings about skipped words.
pub type EnvironmentWords = (Vec<(String, String)>, Vec<String>);

/// `config_parse_environ()`: like `parse_environment`, with specifier expansion per
/// word and the warnings systemd prints for skipped words.
pub fn parse_environment_expand(
    value: &str,
    expand: &dyn Fn(&str) -> Result<String, ValueError>,
) -> Result<EnvironmentWords, ValueError> {
    let mut p = value.as_bytes();
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    loop {
        let word = match extract_word(&mut p, EXEC_FLAGS) {
            Ok(Some(w)) => bytes_to_string(w),
            Ok(None) => return Ok((vars, warnings)),
            Err(()) => {
                return Err(ValueError::Other(format!(
                    "Invalid syntax, ignoring: {value}"
                )))
            }
        };
        let resolved = match expand(&word) {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {e}"
                ));
                continue;
            }
        };
        let valid = resolved
            .split_once('=')
            .filter(|(n, v)| env_name_is_valid(n) && env_value_is_valid(v));
        let Some((name, val)) = valid else {
            warnings.push(format!(
                "Invalid environment assignment, ignoring: {resolved}"
            ));
            continue;
        };
        // strv_env_replace: a later assignment of the same name replaces the earlier.
        vars.retain(|(n, _)| n != name);
        vars.push((name.to_string(), val.to_string()));
    }
}

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
pub fn shell_maybe_quote(s: &str) -> String {
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

/// `replace_env()` with flags 0: `$$` → `$`, `${NAME}` → value (unknown: empty);
/// `$NAME` inside a word and `${A:-b}` stay literal.
fn replace_env(word: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    let mut lit_start = 0;
    while i < b.len() {
        if b[i] == b'$' {
            match b.get(i + 1) {
                Some(b'$') => {
                    out.push_str(&word[lit_start..=i]);
                    i += 2;
                    lit_start = i;
                    continue;
                }
                Some(b'{') => {
                    let name_start = i + 2;
                    let mut j = name_start;
                    while j < b.len() && b[j] != b'}' && b[j] != b':' {
                        j += 1;
                    }
                    if j < b.len() && b[j] == b'}' {
                        out.push_str(&word[lit_start..i]);
                        if let Some(v) = env(&word[name_start..j]) {
                            out.push_str(&v);
                        }
                        i = j + 1;
                        lit_start = i;
                        continue;
                    }
                    // ':' (unsupported extended syntax) or unterminated: literal; the
                    // state machine resumes scanning after the ':'.
                    i = if j < b.len() { j + 1 } else { j };
                    continue;
                }
                _ => {}
            }
        }
        i += 1;
    }
    out.push_str(&word[lit_start..]);
    out
}

/// Split a variable's value the way `$VAR` words are split
/// (`strv_split_full(…, WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE)`).
fn split_relaxed(value: &str) -> Vec<String> {
    let flags = Flags {
        unquote: true,
        cunescape: false,
        unescape_relax: false,
        relax: true,
    };
    let mut p = value.as_bytes();
    let mut out = Vec::new();
    while let Ok(Some(w)) = extract_word(&mut p, flags) {
        out.push(bytes_to_string(w));
    }
    out
}

/// Spawn-time expansion of a command's argv (systemd.service(5) "Command lines";
/// `replace_env_argv()`): a word that is exactly `$NAME` becomes the variable's value
/// split at whitespace (zero or more words); `${NAME}` anywhere is replaced by the
/// value as-is; `$$` is `$`; unknown variables are empty.
pub fn expand_env_argv(argv: &[String], env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    for word in argv {
        let b = word.as_bytes();
        if b.first() == Some(&b'$') && !matches!(b.get(1), Some(b'{') | Some(b'$')) {
            if let Some(v) = env(&word[1..]) {
                out.extend(split_relaxed(&v));
            }
            continue;
        }
        out.push(replace_env(word, env));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(value: &str) -> (Vec<String>, Vec<String>) {
        let p = parse_exec_line(value).unwrap();
        (
            p.commands.iter().map(render_exec_argv).collect(),
            p.warnings,
        )
    }

    /// systemd.md §9: `systemd-analyze verify` (252) dumps of these ExecStart= lines.
    /// Specifiers (`%%`, `%n`, `%i`, `%I`) are expanded per word by the caller; here with
    /// the values of `q.service`.
    #[test]
    fn systemd_252_dump_examples() {
        fn spec(w: &str) -> Result<Cow<'_, str>, ValueError> {
            Ok(w.replace("%%", "\u{0}")
                .replace("%n", "q.service")
                .replace("%i", "")
                .replace("%I", "")
                .replace('\u{0}', "%")
                .into())
        }
        let p = parse_exec_line_expand(
            r#"-/bin/echo "a b" 'c d' e\ f "x\"y" \x41 $FOO ${FOO} $$ %% %n %i %I"#,
            &spec,
        )
        .unwrap();
        assert_eq!(p.commands.len(), 1);
        let c = &p.commands[0];
        assert!(c.ignore_failure);
        assert_eq!(c.path, "/bin/echo");
        assert_eq!(
            render_exec_argv(c),
            r#"/bin/echo "a b" "c d" "e\\ f" "x\"y" A "\$FOO" "\${FOO}" "\$\$" % q.service "" """#
        );
        assert_eq!(
            p.warnings,
            vec![r#"Ignoring unknown escape sequences: "e\ f""#]
        );

        let p = parse_exec_line("@/bin/true argv0name --flag=1 ;").unwrap();
        assert_eq!(p.commands.len(), 1);
        assert_eq!(p.commands[0].path, "/bin/true");
        assert_eq!(render_exec_argv(&p.commands[0]), "argv0name --flag=1");

        let (r, w) = rendered("/bin/echo a\"b c\"d 'x\\ty' \\; é");
        assert_eq!(r, vec![r#"/bin/echo "ab cd" "x\ty" ";" é"#]);
        assert!(w.is_empty());
    }

    #[test]
    fn more_252_dump_examples() {
        let (r, w) = rendered(
            "/bin/echo a\\;b \"\" '\\x00' x\\ \\u00e9 'it''s' *? [a] (b) <c> | & ! ` ~ # = 7;",
        );
        assert_eq!(
            r,
            vec![
                r#"/bin/echo "a\\;b" "" "\\x00" "x\\ é" its "*?" "[a]" "(b)" "<c>" "|" "&" "!" "\`" ~ # = "7;""#
            ]
        );
        assert_eq!(
            w,
            vec![
                r#"Ignoring unknown escape sequences: "a\;b""#,
                r#"Ignoring unknown escape sequences: "\x00""#,
                r#"Ignoring unknown escape sequences: "x\ é""#,
            ]
        );
        let p = parse_exec_line("/usr//bin/./true ; ; ;").unwrap();
        assert_eq!(p.commands.len(), 1);
        assert_eq!(p.commands[0].path, "/usr/bin/true");
        assert_eq!(render_exec_argv(&p.commands[0]), "/usr//bin/./true");
    }

    #[test]
    fn semicolons_split_commands() {
        let p = parse_exec_line("/bin/a 1 ; /bin/b 2;x ; ; b 3 ;").unwrap();
        let argvs: Vec<_> = p.commands.iter().map(|c| c.argv.clone()).collect();
        assert_eq!(
            argvs,
            vec![vec!["/bin/a", "1"], vec!["/bin/b", "2;x"], vec!["b", "3"]]
        );
        assert_eq!(p.commands[2].path, "b");
    }

    #[test]
    fn prefixes() {
        let p = parse_exec_line(":+-/bin/true").unwrap();
        let c = &p.commands[0];
        assert!(c.no_env_expand && c.full_privileges && c.ignore_failure);
        let c = &parse_exec_line("!/bin/true").unwrap().commands[0];
        assert!(c.no_setuid && !c.full_privileges);
        let c = &parse_exec_line("!!/bin/true").unwrap().commands[0];
        assert!(!c.no_setuid && !c.full_privileges);
        let c = &parse_exec_line("|/bin/true").unwrap().commands[0];
        assert!(c.via_shell);
        // Only one of + and !: the second is part of the path, which is then invalid.
        assert!(parse_exec_line("+!/bin/true").is_err());
        assert!(parse_exec_line("!+/bin/true").is_err());
        // "--": the second '-' starts the path, which is invalid; '-' makes it a warning.
        let p = parse_exec_line("--/bin/true").unwrap();
        assert!(p.commands.is_empty());
        assert_eq!(p.warnings.len(), 1);
        let p = parse_exec_line("@-/bin/sh mysh -c x").unwrap();
        assert_eq!(p.commands[0].argv, vec!["mysh", "-c", "x"]);
        assert!(p.commands[0].ignore_failure);
    }

    #[test]
    fn invalid_commands() {
        let e = |v: &str| parse_exec_line(v).unwrap_err().to_string();
        assert_eq!(
            e("relative/bin x"),
            "Neither a valid executable name nor an absolute path: relative/bin"
        );
        assert_eq!(e("/bin/"), "Executable path specifies a directory: /bin/");
        assert_eq!(e("@"), "Empty path in command line: '@'");
        assert_eq!(
            e("@/bin/true"),
            "Empty executable name or zeroeth argument: @/bin/true"
        );
        assert_eq!(
            e("/bin/echo \"foo"),
            "Unbalanced quoting, ignoring: \"/bin/echo \"foo\""
        );
        // With '-', the same problems are warnings and the command is dropped.
        let p = parse_exec_line("-relative/bin x").unwrap();
        assert!(p.commands.is_empty());
        assert_eq!(
            p.warnings,
            vec!["Neither a valid executable name nor an absolute path, ignoring: relative/bin"]
        );
        let p = parse_exec_line("/bin/a ; -/bin/echo 'x").unwrap();
        assert_eq!(p.commands.len(), 1);
        // Bad first word: not fatal in systemd, nothing parsed.
        let p = parse_exec_line("\"/bin/echo").unwrap();
        assert!(p.commands.is_empty());
        assert_eq!(p.warnings.len(), 1);
        assert!(parse_exec_line("").unwrap().commands.is_empty());
    }

    #[test]
    fn escapes() {
        let (w, warn) =
            split_words(r#"\x41\102\u00e9\U0001F600 \a\b\f\n\r\t\v\\\"\'\s 'x\ty' "q\"" tail\"#)
                .unwrap();
        assert_eq!(
            w,
            vec![
                "ABé😀",
                "\x07\x08\x0c\n\r\t\x0b\\\"' ",
                "x\ty",
                "q\"",
                "tail\\"
            ]
        );
        assert_eq!(warn, vec![r#"Ignoring unknown escape sequences: "tail\""#]);
        let (w, _) = split_words(r#"\x00 \000 \xZZ \400 \U00110000"#).unwrap();
        assert_eq!(w, vec!["\\x00", "\\000", "\\xZZ", "\\400", "\\U00110000"]);
        assert!(split_words("'unbalanced").is_err());
        assert!(split_words("\"x\\").is_err());
        assert_eq!(split_words("  ").unwrap().0, Vec::<String>::new());
    }

    #[test]
    fn environment_lines() {
        let v = parse_environment(r#"A=1 "B=x y" C='z' A=2 bad 1X=3 D="#).unwrap();
        assert_eq!(
            v,
            vec![
                ("B".into(), "x y".into()),
                ("C".into(), "z".into()),
                ("A".into(), "2".into()),
                ("D".into(), String::new())
            ]
        );
        let (_, w) = parse_environment_expand("bad", &|w: &str| Ok(w.to_string())).unwrap();
        assert_eq!(w, vec!["Invalid environment assignment, ignoring: bad"]);
        assert!(parse_environment("A=\"x").is_err());
        assert!(parse_environment(r"A=\q").is_err());
    }

    #[test]
    fn env_expansion() {
        let env = |k: &str| match k {
            "FOO" => Some("a 'b c' d".to_string()),
            "E" => Some(String::new()),
            "X" => Some("x".to_string()),
            _ => None,
        };
        let argv: Vec<String> = [
            "/bin/echo",
            "$FOO",
            "${FOO}",
            "pre${X}post",
            "$$",
            "a$$b",
            "$NOPE",
            "${NOPE}",
            "$E",
            "x$X",
            "${X:-d}",
            "${X",
            "$X-y",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            expand_env_argv(&argv, &env),
            vec![
                "/bin/echo",
                "a",
                "b c",
                "d",
                "a 'b c' d",
                "prexpost",
                "$",
                "a$b",
                "",
                "x$X",
                "${X:-d}",
                "${X"
            ]
        );
    }

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
