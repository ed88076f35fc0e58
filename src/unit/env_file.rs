//! `KEY=VALUE` files as systemd reads them: `EnvironmentFile=` (systemd.exec(5)),
//! os-release(5) and machine-info(5). One state machine, after `parse_env_file()`
//! in src/basic/env-file.c (v252):
//!
//! - `#` or `;` first on a line starts a comment, which ends at the line's end even
//!   after a backslash (v254+; 252 continued it — systemd#27975);
//! - the key is everything up to `=`, without surrounding blanks; a line without `=`
//!   is skipped;
//! - after `=`: leading blanks are skipped; `'…'` keeps everything verbatim, newlines
//!   included; `"…"` unescapes only `\"`, `\\`, `` \` ``, `\$` and drops a
//!   backslash-newline, keeping any other backslash; quoted and unquoted parts
//!   concatenate, blanks between them are dropped;
//! - unquoted text keeps quotes and inner blanks, loses trailing blanks; a
//!   backslash keeps the next character (a backslash-newline continues the line);
//! - an unterminated quote runs to the end of the file.
//!
//! Checked with `systemd-analyze condition ConditionOSRelease=…` and
//! `SYSTEMD_OS_RELEASE` (tests/unit_tables.rs), which reads os-release with the same
//! parser.

/// Characters that end a line (`NEWLINE`).
fn is_newline(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// `WHITESPACE`: blanks and newlines.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `SHELL_NEED_ESCAPE`: what a backslash unescapes inside double quotes.
fn needs_escape(c: char) -> bool {
    matches!(c, '"' | '\\' | '`' | '$')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    SingleQuote,
    DoubleQuote,
    DoubleQuoteEscape,
    Comment,
    CommentEscape,
}

/// One assignment being read: the key, the value, and where a run of trailing
/// blanks starts in each (they are cut when the assignment ends).
#[derive(Default)]
struct Pending {
    key: String,
    key_blank: Option<usize>,
    value: String,
    value_blank: Option<usize>,
}

impl Pending {
    fn push_key(&mut self, c: char) {
        if !is_space(c) {
            self.key_blank = None;
        } else if self.key_blank.is_none() {
            self.key_blank = Some(self.key.len());
        }
        self.key.push(c);
    }

    fn push_value(&mut self, c: char) {
        if !is_space(c) {
            self.value_blank = None;
        } else if self.value_blank.is_none() {
            self.value_blank = Some(self.value.len());
        }
        self.value.push(c);
    }

    /// The finished pair; trailing blanks of an unquoted value go when `unquoted`.
    fn finish(&mut self, unquoted: bool) -> (String, String) {
        let mut p = std::mem::take(self);
        if let Some(at) = p.key_blank {
            p.key.truncate(at);
        }
        if let (true, Some(at)) = (unquoted, p.value_blank) {
            p.value.truncate(at);
        }
        (p.key, p.value)
    }
}

/// Every `KEY=VALUE` pair of `text` in file order (later ones win for the caller).
/// Keys are not checked: `EnvironmentFile=` drops invalid names, os-release readers
/// look keys up.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut state = State::PreKey;
    let mut cur = Pending::default();
    for c in text.chars() {
        state = match state {
            State::PreKey if c == '#' || c == ';' => State::Comment,
            State::PreKey if is_space(c) => State::PreKey,
            State::PreKey => {
                cur.push_key(c);
                State::Key
            }
            State::Key if is_newline(c) => {
                cur = Pending::default();
                State::PreKey
            }
            State::Key if c == '=' => {
                cur.value_blank = None;
                State::PreValue
            }
            State::Key => {
                cur.push_key(c);
                State::Key
            }
            State::PreValue if is_newline(c) => {
                out.push(cur.finish(false));
                State::PreKey
            }
            State::PreValue if c == '\'' => State::SingleQuote,
            State::PreValue if c == '"' => State::DoubleQuote,
            State::PreValue if c == '\\' => State::ValueEscape,
            State::PreValue if is_space(c) => State::PreValue,
            State::PreValue => {
                cur.push_value(c);
                State::Value
            }
            State::Value if is_newline(c) => {
                out.push(cur.finish(true));
                State::PreKey
            }
            State::Value if c == '\\' => {
                cur.value_blank = None;
                State::ValueEscape
            }
            State::Value => {
                cur.push_value(c);
                State::Value
            }
            State::ValueEscape => {
                // An escaped newline is eaten; anything else is kept as it is.
                if !is_newline(c) {
                    cur.value.push(c);
                }
                State::Value
            }
            State::SingleQuote if c == '\'' => State::PreValue,
            State::SingleQuote => {
                cur.value.push(c);
                State::SingleQuote
            }
            State::DoubleQuote if c == '"' => State::PreValue,
            State::DoubleQuote if c == '\\' => State::DoubleQuoteEscape,
            State::DoubleQuote => {
                cur.value.push(c);
                State::DoubleQuote
            }
            State::DoubleQuoteEscape => {
                if needs_escape(c) {
                    cur.value.push(c);
                } else if c != '\n' {
                    cur.value.push('\\');
                    cur.value.push(c);
                }
                State::DoubleQuote
            }
            State::Comment if c == '\\' => State::CommentEscape,
            State::Comment if is_newline(c) => State::PreKey,
            State::Comment => State::Comment,
            // "now treated as a non comment line since v254".
            State::CommentEscape if is_newline(c) => State::PreKey,
            State::CommentEscape => State::Comment,
        };
    }
    match state {
        State::PreValue | State::SingleQuote | State::DoubleQuote | State::DoubleQuoteEscape => {
            out.push(cur.finish(false))
        }
        State::Value | State::ValueEscape => out.push(cur.finish(state == State::Value)),
        State::PreKey | State::Key | State::Comment | State::CommentEscape => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_env_file(text)
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn systemd_exec_examples() {
        // systemd.exec(5) EnvironmentFile=: comments, blanks, continuation, quotes.
        let text =
            "# c\n; c\n  A = 1  \nB=\"two words\"\nC='x y'\nD=a\\\nb\nbad line\nE=x\"y\" z \n";
        assert_eq!(
            pairs(text),
            [
                p("A", "1"),
                p("B", "two words"),
                p("C", "x y"),
                p("D", "ab"),
                p("E", "x\"y\" z")
            ]
        );
    }

    #[test]
    fn quotes_span_lines_and_concatenate() {
        assert_eq!(pairs("A='l1\nl2'\n"), [p("A", "l1\nl2")]);
        assert_eq!(pairs("A=\"l1\\\nl2\"\n"), [p("A", "l1l2")]);
        assert_eq!(pairs("A=\"x\" 'y' z\n"), [p("A", "xyz")]);
        assert_eq!(pairs("A=\"x \"\n"), [p("A", "x ")]);
        // Inside double quotes only "\`$ and backslash are unescaped.
        assert_eq!(pairs(r#"A="\"\\\`\$\n\q""#), [p("A", "\"\\`$\\n\\q")]);
        // Single quotes keep backslashes.
        assert_eq!(pairs(r"A='\n\'"), [p("A", r"\n\")]);
    }

    #[test]
    fn edges() {
        assert_eq!(pairs("A=\nB"), [p("A", "")]);
        assert_eq!(pairs("A=\"open"), [p("A", "open")]);
        // v254+: a backslash does not continue a comment (252 hid A here).
        assert_eq!(pairs("# comment \\\nA=1\nB=2"), [p("A", "1"), p("B", "2")]);
        assert_eq!(pairs("# \\x\nA=1"), [p("A", "1")]);
        assert_eq!(
            pairs("A=1\r\nB=\\ 2 \\ \r\n"),
            [p("A", "1"), p("B", " 2  ")]
        );
        assert_eq!(pairs("export X=1\n"), [p("export X", "1")]);
        assert_eq!(pairs("A=1\\"), [p("A", "1")]);
    }
}
