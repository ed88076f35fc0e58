//! Command lines of `Exec*=` settings, `Environment=` words and their spawn-time
//! `$VAR` expansion (systemd.service(5) "Command lines", systemd.syntax(7) quoting).
//!
//! This file is the command parser, after `config_parse_exec()`
//! (src/core/load-fragment.c): prefixes, `;` separators, the checks on the
//! executable. The rest is one file each: `words` splits a value into words
//! (systemd's `extract_first_word()`), `env` reads `Environment=` words and expands
//! `$VAR` in an argv at spawn time (`replace_env_argv()`), `render` quotes an argv
//! for the unit dump (`quote_command_line()`). Worked examples from
//! `systemd-analyze verify` (252) are the unit tests.

mod env;
mod render;
mod words;

use std::borrow::Cow;

use super::model::ExecCommand;
use super::values::ValueError;
use super::values::{is_ws, skip_ws};
use words::{extract_and_warn, WordError};

pub use env::{env_name_is_valid, expand_env_argv, parse_environment};
pub use render::render_exec_argv;
pub use words::{list, list_words, split_words, Flags};

/// The commands of one `Exec*=` line and the warnings systemd prints for it
/// (`Ignoring unknown escape sequences: "e\ f"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedExec {
    pub commands: Vec<ExecCommand>,
    pub warnings: Vec<String>,
}

/// `string_is_safe()` (src/basic/string-util.c): no control characters, quotes,
/// backslashes or DEL.
pub(crate) fn string_is_safe(s: &str) -> bool {
    !s.chars()
        .any(|c| (c as u32) < 0x20 || matches!(c, '"' | '\'' | '\\' | '\x7f'))
}

/// `filename_is_valid()`: a single path component.
pub(crate) fn filename_is_valid(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains('/') && s.len() <= 255
}

/// `path_simplify()`: drop duplicate slashes, `.` components and a trailing slash.
pub(crate) fn path_simplify(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut out = String::with_capacity(p.len());
    for c in p.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if absolute || !out.is_empty() {
            out.push('/');
        }
        out.push_str(c);
    }
    if out.is_empty() {
        out.push_str(if absolute { "/" } else { "." });
    }
    out
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
    parse_exec_line_into(value, expand, &mut out.commands, &mut out.warnings)?;
    Ok(out)
}

/// `parse_exec_line_expand` appending to the caller's lists, so that a unit's command
/// list is not built twice. On `Err`, `commands` may hold some of the line's commands.
pub(crate) fn parse_exec_line_into(
    value: &str,
    expand: ExpandWord<'_>,
    commands: &mut Vec<ExecCommand>,
    warnings: &mut Vec<String>,
) -> Result<(), ValueError> {
    let mut p = value.as_bytes();
    loop {
        // `rvalue` in systemd's messages is what is left of the line at this command
        // (made into text only for a message).
        let rest = p;
        let rvalue = || String::from_utf8_lossy(rest);
        let firstword = match extract_and_warn(&mut p, warnings) {
            Ok(Some(w)) => w,
            Ok(None) => return Ok(()),
            Err(WordError::Unbalanced) => {
                // config_parse_exec(): a bad first word ends parsing without failing.
                warnings.push(format!("Unbalanced quoting, ignoring: \"{}\"", rvalue()));
                return Ok(());
            }
        };
        // A lone ";" is a separator, never an executable.
        if firstword == ";" {
            continue;
        }

        let mut cmd = ExecCommand::default();
        let mut separate_argv0 = false;
        let mut privilege_prefix = false;
        let mut f: &str = &firstword;
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
        let fail = |warnings: &mut Vec<String>, msg: String| -> Result<(), ValueError> {
            if ignore {
                warnings.push(msg);
                Ok(())
            } else {
                Err(ValueError::Other(msg))
            }
        };

        let path = match expand(f) {
            Ok(p) => p,
            Err(e) => {
                return fail(
                    warnings,
                    format!("Failed to resolve unit specifiers in '{f}'{ign}: {e}"),
                )
            }
        };
        if path.is_empty() {
            return fail(
                warnings,
                format!("Empty path in command line{ign}: '{}'", rvalue()),
            );
        }
        if !string_is_safe(&path) {
            return fail(
                warnings,
                format!("Executable name contains special characters{ign}: {path}"),
            );
        }
        if path.ends_with('/') {
            return fail(
                warnings,
                format!("Executable path specifies a directory{ign}: {path}"),
            );
        }
        if !path.starts_with('/') && !filename_is_valid(&path) {
            return fail(
                warnings,
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
            let word = match extract_and_warn(&mut p, warnings) {
                Ok(Some(w)) => w,
                Ok(None) => break,
                Err(WordError::Unbalanced) => {
                    return fail(
                        warnings,
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
                        warnings,
                        format!("Failed to resolve unit specifiers in {word}{ign}: {e}"),
                    )
                }
            };
            cmd.argv.push(expanded.unwrap_or_else(|| word.into_owned()));
        }

        // `!n || !n[0]`: no argv[0] at all; an empty one ("") is accepted (checked
        // with systemd-analyze verify 252, and so in every version since).
        if cmd.argv.is_empty() {
            return fail(
                warnings,
                format!(
                    "Empty executable name or zeroeth argument{ign}: {}",
                    rvalue()
                ),
            );
        }
        commands.push(cmd);
        if !semicolon {
            return Ok(());
        }
    }
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
        // An empty argv[0] is one: systemd-analyze verify accepts `@/bin/true ""`.
        let p = parse_exec_line("@/bin/true \"\"").unwrap();
        assert_eq!(p.commands[0].argv, [""]);
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
}
