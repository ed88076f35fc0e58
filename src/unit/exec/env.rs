//! Environment variables in command lines: the `VAR=VALUE` words of `Environment=`
//! (`config_parse_environ()`, src/core/load-fragment.c, with `env_name_is_valid()` and
//! `env_value_is_valid()` of src/basic/env-util.c) and the spawn-time `$VAR`/`${VAR}`
//! expansion of an argv (`replace_env_argv()` and `replace_env()`,
//! src/basic/env-util.c). Both are about variables, not the command syntax, and only
//! borrow the word splitter.

use super::words::{extract_word, list, word_text, Flags, EXEC_FLAGS};
use crate::unit::values::ValueError;

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
type EnvironmentWords = (Vec<(String, String)>, Vec<String>);

/// `config_parse_environ()`: like `parse_environment`, with specifier expansion per
/// word and the warnings systemd prints for skipped words.
fn parse_environment_expand(
    value: &str,
    expand: &dyn Fn(&str) -> Result<String, ValueError>,
) -> Result<EnvironmentWords, ValueError> {
    let mut p = value.as_bytes();
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    loop {
        let word = match extract_word(&mut p, EXEC_FLAGS) {
            Ok(Some(w)) => word_text(w),
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
        relax: true,
        ..list::UNQUOTE
    };
    let mut p = value.as_bytes();
    let mut out = Vec::new();
    while let Ok(Some(w)) = extract_word(&mut p, flags) {
        out.push(word_text(w).into_owned());
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
}
