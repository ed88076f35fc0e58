//! Splits inetd.conf text into entries: one `RawEntry` (first line number + fields)
//! per logical line, applying the dialect's comment, continuation and quoting rules
//! (inetd.md §1.3). Knows nothing about what the fields mean.

use std::borrow::Cow;
use std::path::Path;

use super::dialect::Dialect;
use crate::diag::{Diagnostic, Diagnostics};

/// One logical inetd.conf line split into fields. Fields borrow from the file's
/// text; only unquoted words and lines with invalid UTF-8 own theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry<'a> {
    /// 1-based line of the first physical line.
    pub line: u32,
    pub fields: Vec<Cow<'a, str>>,
}

/// What one physical line does to the entry list.
enum LineStep<'t> {
    /// Blank-only line: neither ends nor adds to an entry.
    Skip,
    /// Empty line or comment: ends continuation.
    Close,
    /// Words of a new entry (`continues` false) or of the open one.
    Words {
        continues: bool,
        words: Vec<Cow<'t, str>>,
        warn: Option<String>,
    },
}

/// Lex a whole file. Never fails: odd bytes and unterminated quotes are warnings.
pub fn lex<'a>(bytes: &'a [u8], file: &Path, dialect: Dialect) -> (Vec<RawEntry<'a>>, Diagnostics) {
    let mut entries: Vec<RawEntry<'a>> = Vec::new();
    let mut diags = Diagnostics::new();
    // Whether the last entry may still take continuation lines.
    let mut open = false;
    for (idx, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let mut raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some(nul) = raw.iter().position(|&b| b == 0) {
            // The C inetds read a line as a string: it ends at the first NUL.
            diags.push(Diagnostic::warning_at(
                file,
                lineno,
                "Line contains a NUL byte; the rest of the line is ignored.",
            ));
            raw = &raw[..nul];
        }
        let step = match std::str::from_utf8(raw) {
            Ok(text) => line_step(text, dialect, open),
            Err(_) => {
                diags.push(Diagnostic::warning_at(
                    file,
                    lineno,
                    "Line is not valid UTF-8; invalid bytes replaced with U+FFFD.",
                ));
                // The replaced text lives only here, so its words must own theirs.
                match line_step(&String::from_utf8_lossy(raw), dialect, open) {
                    LineStep::Words {
                        continues,
                        words,
                        warn,
                    } => LineStep::Words {
                        continues,
                        words: words
                            .into_iter()
                            .map(|w| Cow::Owned(w.into_owned()))
                            .collect(),
                        warn,
                    },
                    LineStep::Skip => LineStep::Skip,
                    LineStep::Close => LineStep::Close,
                }
            }
        };
        match step {
            LineStep::Skip => {}
            LineStep::Close => open = false,
            LineStep::Words {
                continues,
                words,
                warn,
            } => {
                if let Some(w) = warn {
                    diags.push(Diagnostic::warning_at(file, lineno, w));
                }
                if continues {
                    if let Some(last) = entries.last_mut() {
                        last.fields.extend(words);
                    }
                } else {
                    entries.push(RawEntry {
                        line: lineno,
                        fields: words,
                    });
                    open = true;
                }
            }
        }
    }
    (entries, diags)
}

/// Classify one physical line (without its newline); `open` says whether the last
/// entry may still take continuation lines.
fn line_step(text: &str, dialect: Dialect, open: bool) -> LineStep<'_> {
    let mut text = text;
    if dialect.hash_comments_anywhere() {
        // busybox: `#` anywhere starts a comment, even inside an argument.
        if let Some(pos) = text.find('#') {
            text = &text[..pos];
        }
    }
    if text.is_empty() {
        return LineStep::Close;
    }
    if text.trim().is_empty() {
        // OpenBSD's skip() swallows blank-only lines while looking for more fields,
        // so they neither end nor add to an entry.
        return LineStep::Skip;
    }
    let starts_blank = text.starts_with([' ', '\t']);
    if text.starts_with('#') {
        return LineStep::Close;
    }
    let continues = starts_blank && open && dialect.continuation_lines();
    if !continues && text.trim_start().starts_with('#') {
        // Extension: a comment after leading blanks (xinetd accepts these too).
        return LineStep::Close;
    }
    let (words, warn) = split_words(text, dialect);
    LineStep::Words {
        continues,
        words,
        warn,
    }
}

/// Split one physical line into words per the dialect's quoting rules. Returns a
/// warning text for an unterminated quote (the rest of the line becomes the word).
pub fn split_words(text: &str, dialect: Dialect) -> (Vec<Cow<'_, str>>, Option<String>) {
    if !dialect.quoting() {
        return (split_plain(text), None);
    }
    if dialect.backslash_escapes() {
        split_shell_like(text)
    } else {
        split_freebsd(text)
    }
}

/// Words separated by runs of blanks and tabs, borrowed from `text` (a line of
/// inetd.conf has 6 fields and the server's arguments: the vector is sized for a
/// usual line).
fn split_plain(text: &str) -> Vec<Cow<'_, str>> {
    let mut words = Vec::with_capacity(8);
    // Bytes, not chars: both separators are ASCII, which never occurs inside a
    // multi-byte UTF-8 sequence, so every cut falls on a char boundary.
    let bytes = text.as_bytes();
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && blank(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !blank(bytes[i]) {
            i += 1;
        }
        if start < i {
            words.push(Cow::Borrowed(&text[start..i]));
        }
    }
    words
}

/// FreeBSD `skip()`: a word starting with `"` or `'` runs to the matching quote;
/// quotes elsewhere are ordinary characters.
fn split_freebsd(text: &str) -> (Vec<Cow<'_, str>>, Option<String>) {
    let mut words = Vec::new();
    let mut warn = None;
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let Some(first) = rest.chars().next() else {
            break;
        };
        if first == '"' || first == '\'' {
            let body = &rest[1..];
            match body.find(first) {
                Some(end) => {
                    words.push(Cow::Borrowed(&body[..end]));
                    rest = &body[end + 1..];
                }
                None => {
                    warn = Some(format!(
                        "Unterminated {first} quote; taking the rest of the line."
                    ));
                    words.push(Cow::Borrowed(body));
                    rest = "";
                }
            }
        } else {
            let end = rest.find([' ', '\t']).unwrap_or(rest.len());
            words.push(Cow::Borrowed(&rest[..end]));
            rest = &rest[end..];
        }
    }
    (words, warn)
}

/// inetutils' argcv: shell-like words; quotes anywhere in a word, `\` escapes outside
/// single quotes.
fn split_shell_like(text: &str) -> (Vec<Cow<'_, str>>, Option<String>) {
    if !text.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\')) {
        // Nothing to unquote (most lines): the words as they stand.
        return (split_plain(text), None);
    }
    let mut words = Vec::new();
    let mut warn = None;
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t') => {
                if in_word {
                    words.push(Cow::Owned(std::mem::take(&mut cur)));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                in_word = true;
                match chars.next() {
                    Some(n) => cur.push(n),
                    None => cur.push('\\'),
                }
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        warn = Some(format!(
            "Unterminated {q} quote; taking the rest of the line."
        ));
    }
    if in_word {
        words.push(Cow::Owned(cur));
    }
    (words, warn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str, d: Dialect) -> Vec<Vec<Cow<'_, str>>> {
        lex(text.as_bytes(), Path::new("t"), d)
            .0
            .into_iter()
            .map(|e| e.fields)
            .collect()
    }

    #[test]
    fn continuation_openbsd_not_inetutils() {
        let t = "17003 stream tcp4 nowait nobody /bin/sh sh -c\n \"echo hi\"\n";
        assert_eq!(
            fields(t, Dialect::OpenBsd),
            vec![vec![
                "17003", "stream", "tcp4", "nowait", "nobody", "/bin/sh", "sh", "-c", "\"echo",
                "hi\""
            ]]
        );
        assert_eq!(fields(t, Dialect::Inetutils).len(), 2);
    }

    #[test]
    fn nul_ends_the_line_as_in_the_c_inetds() {
        // OpenBSD/inetutils/busybox read lines into C strings: text after a NUL is gone.
        let t = "17301 stream tcp nowait nobody /bin/x\0junk \"\n17302 stream tcp nowait nobody /bin/y y\n";
        let (entries, diags) = lex(t.as_bytes(), Path::new("t"), Dialect::OpenBsd);
        let fields: Vec<_> = entries.iter().map(|e| e.fields.join(" ")).collect();
        assert_eq!(
            fields,
            [
                "17301 stream tcp nowait nobody /bin/x",
                "17302 stream tcp nowait nobody /bin/y y"
            ]
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 1);
        assert!(diags[0].message.contains("NUL"), "{}", diags[0].message);
    }

    #[test]
    fn comments() {
        let t = "echo stream tcp nowait root internal # x\n#c\n   # indented\n";
        assert_eq!(
            fields(t, Dialect::Busybox),
            vec![vec!["echo", "stream", "tcp", "nowait", "root", "internal"]]
        );
        assert_eq!(fields(t, Dialect::Inetutils)[0].len(), 8);
        assert_eq!(fields(t, Dialect::Inetutils).len(), 1);
    }

    #[test]
    fn quoting() {
        assert_eq!(
            split_words("sh -c \"echo quoted ok\" 'a b'", Dialect::Inetutils).0,
            vec!["sh", "-c", "echo quoted ok", "a b"]
        );
        assert_eq!(
            split_words("sh -c \"echo quoted ok\" 'a b'", Dialect::FreeBsd).0,
            vec!["sh", "-c", "echo quoted ok", "a b"]
        );
        assert_eq!(split_words("a\\ b", Dialect::Inetutils).0, vec!["a b"]);
        let (w, warn) = split_words("sh \"open", Dialect::FreeBsd);
        assert_eq!(w, vec!["sh", "open"]);
        assert!(warn.is_some());
        assert_eq!(
            split_words("\"a b\"", Dialect::OpenBsd).0,
            vec!["\"a", "b\""]
        );
    }

    #[test]
    fn plain_split_cuts_only_at_blanks_and_tabs() {
        // The byte scanner must agree with splitting on ' ' and '\t' (other
        // whitespace, NBSP and multi-byte text stay inside words).
        for t in [
            "",
            " \t ",
            "a",
            "\ta  b\t\tc ",
            "caf\u{e9} na\u{ef}ve\u{a0}x \u{3000}y\rz",
            "  /usr/sbin/tcpd  in.ftpd -l ",
        ] {
            let want: Vec<&str> = t.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            assert_eq!(split_plain(t), want, "{t:?}");
        }
    }

    #[test]
    fn blank_line_ends_continuation() {
        let t = "a b c d e f\n\n g h\n";
        assert_eq!(fields(t, Dialect::OpenBsd).len(), 2);
        let t = "a b c d e f\n   \n g h\n";
        assert_eq!(
            fields(t, Dialect::OpenBsd),
            vec![vec!["a", "b", "c", "d", "e", "f", "g", "h"]]
        );
    }
}
