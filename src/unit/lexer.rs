//! The unit-file lexer: turns the bytes of a unit file or drop-in into `Key=Value`
//! assignments tagged with section, file and line, and never fails.
//!
//! It follows systemd.syntax(7) and systemd's `config_parse()`/`parse_line()`
//! (src/shared/conf-parser.c, v252) line by line, including the odd corners: physical
//! lines end at `\n`, `\r`, `\r\n`, `\n\r` or NUL (`read_line()` in src/basic/fileio.c);
//! comment lines (`#`/`;` after blanks) are dropped even inside a continuation; a line
//! ending in an odd number of backslashes continues on the next one with that backslash
//! replaced by a space; the reported line of a continued logical line is its *last*
//! physical line (what `systemd-analyze verify` prints). Interpretation of keys and
//! values is left to the directive tables; this module only knows sections.

use std::path::Path;
use std::sync::Arc;

use super::exec::string_is_safe;
use super::values::is_ws;
use crate::diag::{Diagnostic, Diagnostics};

/// systemd's `LONG_LINE_MAX` (src/basic/fileio.h): the longest logical line accepted.
pub const LONG_LINE_MAX: usize = 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// One `Key=Value` assignment with where it came from.
///
/// Key and value are ranges of one text buffer shared by every assignment of the file
/// (one allocation per file, not two per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Section name without brackets (`Socket`), shared by the section's assignments.
    pub section: Arc<str>,
    text: Arc<str>,
    key: (u32, u32),
    value: (u32, u32),
    pub file: Arc<Path>,
    /// 1-based line number; for a continued line, the last physical line (systemd's).
    pub line: u32,
}

impl Assignment {
    /// An assignment of its own (not lexed from a file).
    pub fn new(section: Arc<str>, key: &str, value: &str, file: Arc<Path>, line: u32) -> Self {
        let k = len32(key);
        Assignment {
            section,
            text: Arc::from(format!("{key}{value}")),
            key: (0, k),
            value: (k, k + len32(value)),
            file,
            line,
        }
    }

    /// Key, case-sensitive, trimmed (systemd.syntax(7)).
    pub fn key(&self) -> &str {
        &self.text[self.key.0 as usize..self.key.1 as usize]
    }

    /// Value, trimmed; may be empty (an empty assignment resets list settings).
    pub fn value(&self) -> &str {
        &self.text[self.value.0 as usize..self.value.1 as usize]
    }
}

/// Lines are at most `LONG_LINE_MAX` and a file's text buffer is at most its length;
/// anything beyond `u32` could not have been read.
fn len32(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

/// Split a unit file into assignments of known sections.
///
/// `known_sections` lists the section names the unit type has (`["Unit", "Socket",
/// "Install"]`); an empty slice accepts every section. Unknown sections warn
/// "Unknown section 'X'. Ignoring." at their header and their keys are dropped;
/// sections starting with `X-` are dropped silently (systemd.syntax(7)).
pub fn lex(bytes: &[u8], file: &Path, known_sections: &[&str]) -> (Vec<Assignment>, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    LexBuffers::default().lex_into(
        bytes,
        &Arc::from(file),
        known_sections,
        &mut out,
        &mut diags,
    );
    (out, diags)
}

/// What lexing keeps from one file to the next: a load lexes thousands of files, and
/// with these neither the working buffers nor the section names are allocated again
/// for each (every `[Socket]` of the load shares one `Arc`).
#[derive(Debug, Default)]
pub struct LexBuffers {
    /// Every key and value of the file being lexed, back to back.
    text: String,
    pending: Vec<Pending>,
    /// Section names seen so far (at most `SECTION_NAMES_KEPT`).
    sections: Vec<Arc<str>>,
}

/// A unit type has three or four sections; with every section accepted (an empty
/// `known_sections`) any name may come, and only the first few are kept.
const SECTION_NAMES_KEPT: usize = 8;

impl LexBuffers {
    /// `lex`, appending to `out` and `diags`; the assignments share `file`.
    pub fn lex_into(
        &mut self,
        bytes: &[u8],
        file: &Arc<Path>,
        known_sections: &[&str],
        out: &mut Vec<Assignment>,
        diags: &mut Diagnostics,
    ) {
        self.text.clear();
        // Keys and values never add up to more than the file: the text does not grow
        // while lexing.
        self.text.reserve(bytes.len());
        self.pending.clear();
        let mut lx = Lexer {
            file,
            known: known_sections,
            text: &mut self.text,
            pending: &mut self.pending,
            section_names: &mut self.sections,
            diags,
            section: None,
            section_ignored: false,
        };
        lx.run(bytes);
        if self.pending.is_empty() {
            return;
        }
        let text: Arc<str> = Arc::from(self.text.as_str());
        out.extend(self.pending.drain(..).map(|p| Assignment {
            section: p.section,
            text: Arc::clone(&text),
            key: p.key,
            value: p.value,
            file: Arc::clone(file),
            line: p.line,
        }));
    }
}

/// An assignment whose key and value are already in `Lexer::text`.
#[derive(Debug)]
struct Pending {
    section: Arc<str>,
    key: (u32, u32),
    value: (u32, u32),
    line: u32,
}

struct Lexer<'a> {
    file: &'a Path,
    known: &'a [&'a str],
    text: &'a mut String,
    pending: &'a mut Vec<Pending>,
    section_names: &'a mut Vec<Arc<str>>,
    diags: &'a mut Diagnostics,
    /// Current section; None before the first header or inside an ignored one.
    section: Option<Arc<str>>,
    section_ignored: bool,
}

/// Splits input into physical lines the way `read_line()` does: a line ends at a run of
/// end-of-line markers containing each of `\n` and `\r` at most once, and a NUL ends the
/// run (src/basic/fileio.c `read_line_full()`).
struct PhysicalLines<'a> {
    rest: &'a [u8],
    /// Length of the whole input.
    len: usize,
}

impl<'a> Iterator for PhysicalLines<'a> {
    /// The line and where it starts in the input.
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        if self.rest.is_empty() {
            return None;
        }
        let start = self.len - self.rest.len();
        let end = self
            .rest
            .iter()
            .position(|&c| matches!(c, b'\n' | b'\r' | b'\0'))
            .unwrap_or(self.rest.len());
        let line = &self.rest[..end];
        let mut i = end;
        let (mut seen_nl, mut seen_cr) = (false, false);
        while i < self.rest.len() {
            match self.rest[i] {
                b'\0' => {
                    i += 1;
                    break;
                }
                b'\n' if !seen_nl => seen_nl = true,
                b'\r' if !seen_cr => seen_cr = true,
                _ => break,
            }
            i += 1;
        }
        self.rest = &self.rest[i..];
        Some((start, line))
    }
}

/// Where `s` starts and ends without the whitespace around it.
fn strip_bounds(s: &[u8]) -> (usize, usize) {
    let start = s.iter().position(|&c| !is_ws(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|&c| !is_ws(c)).map_or(start, |i| i + 1);
    (start, end)
}

/// True when the line ends in an unescaped backslash (odd trailing run), i.e. continues.
fn ends_in_continuation(s: &[u8]) -> bool {
    s.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

impl Lexer<'_> {
    fn warn(&mut self, line: u32, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning_at(self.file.to_path_buf(), line, msg));
    }

    fn error(&mut self, line: u32, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::error_at(self.file.to_path_buf(), line, msg));
    }

    fn run(&mut self, bytes: &[u8]) {
        // Most files are UTF-8 throughout: checked once here, a line is then just a
        // slice of this text; only the lines of other files are checked one by one.
        let text = std::str::from_utf8(bytes).ok();
        let mut line_no: u32 = 0;
        // Accumulated continuation (systemd's `continuation`), and whether the current
        // logical line already overflowed LONG_LINE_MAX (then it is skipped to its end).
        let mut continuation: Option<Vec<u8>> = None;
        let mut overflow = false;
        let mut bom_seen = false;

        let lines = PhysicalLines {
            rest: bytes,
            len: bytes.len(),
        };
        for (mut at, phys) in lines {
            line_no = line_no.saturating_add(1);

            if phys.len() > LONG_LINE_MAX {
                // systemd: "Line too long" and the whole file fails; we skip the line.
                self.warn(line_no, "Line too long, ignoring.");
                continuation = None;
                overflow = false;
                continue;
            }

            // Comment lines are skipped even in the middle of a continuation.
            let lead = phys.iter().position(|&c| !is_ws(c));
            if let Some(i) = lead {
                if matches!(phys[i], b'#' | b';') {
                    continue;
                }
            }

            let mut l = phys;
            if !bom_seen {
                if let Some(rest) = l.strip_prefix(UTF8_BOM) {
                    l = rest;
                    at += UTF8_BOM.len();
                    bom_seen = true;
                }
            }

            let continues = ends_in_continuation(l);

            if overflow {
                if !continues {
                    overflow = false;
                }
                continue;
            }

            let pending_len = continuation.as_ref().map_or(0, Vec::len);
            if pending_len + l.len() > LONG_LINE_MAX {
                self.warn(line_no, "Continuation line too long, ignoring.");
                continuation = None;
                overflow = continues;
                continue;
            }

            if continues {
                let buf = continuation.get_or_insert_with(Vec::new);
                buf.extend_from_slice(l);
                if let Some(last) = buf.last_mut() {
                    // systemd.syntax(7): the backslash is replaced by a space.
                    *last = b' ';
                }
                continue;
            }

            match continuation.take() {
                Some(mut buf) => {
                    buf.extend_from_slice(l);
                    self.parse_line(line_no, &buf, None);
                }
                None => {
                    let checked = text.and_then(|t| t.get(at..at + l.len()));
                    self.parse_line(line_no, l, checked);
                }
            }
        }

        // A continuation running into end of file is still parsed (config_parse()).
        if let Some(buf) = continuation.take() {
            if !overflow {
                self.parse_line(line_no, &buf, None);
            }
        }
    }

    /// conf-parser.c `parse_line()`. `checked`: `raw` as text, when the file is
    /// known to be UTF-8.
    fn parse_line(&mut self, line: u32, raw: &[u8], checked: Option<&str>) {
        let (start, end) = strip_bounds(raw);
        if start == end {
            return;
        }
        let bytes = &raw[start..end];
        let text = match checked.and_then(|t| t.get(start..end)) {
            Some(s) => Ok(s),
            None => std::str::from_utf8(bytes),
        };
        let l = match text {
            Ok(s) => s,
            Err(_) => {
                // systemd 252 fails the whole file here; the contract asks for a warning.
                let shown = String::from_utf8_lossy(bytes).into_owned();
                self.warn(
                    line,
                    format!("String is not UTF-8 clean, ignoring assignment: {shown}"),
                );
                return;
            }
        };

        if l.starts_with('[') {
            self.section_header(line, l);
            return;
        }

        let Some(section) = self.section.clone() else {
            if !self.section_ignored {
                self.warn(line, "Assignment outside of section. Ignoring.");
            }
            return;
        };

        let Some(eq) = l.bytes().position(|c| c == b'=') else {
            self.warn(line, "Missing '=', ignoring line.");
            return;
        };
        if eq == 0 {
            self.warn(line, "Missing key name before '=', ignoring line.");
            return;
        }
        let key = strip_str(&l[..eq]);
        let value = strip_str(&l[eq + 1..]);
        let mut push = |s: &str| {
            let start = len32(self.text);
            self.text.push_str(s);
            (start, len32(self.text))
        };
        let key = push(key);
        let value = push(value);
        self.pending.push(Pending {
            section,
            key,
            value,
            line,
        });
    }

    fn section_header(&mut self, line: u32, l: &str) {
        let Some(name) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
            // Fatal in systemd ("Bad message"): the unit does not load.
            self.error(line, format!("Invalid section header '{l}'"));
            self.section = None;
            self.section_ignored = true;
            return;
        };
        if !string_is_safe(name) {
            self.error(line, format!("Bad characters in section header '{l}'"));
            self.section = None;
            self.section_ignored = true;
            return;
        }
        if !self.known.is_empty() && !self.known.contains(&name) {
            if !name.starts_with("X-") {
                self.warn(line, format!("Unknown section '{name}'. Ignoring."));
            }
            self.section = None;
            self.section_ignored = true;
        } else {
            self.section = Some(self.section_name(name));
            self.section_ignored = false;
        }
    }

    /// The shared `Arc` of a section name.
    fn section_name(&mut self, name: &str) -> Arc<str> {
        if let Some(s) = self.section_names.iter().find(|s| ***s == *name) {
            return Arc::clone(s);
        }
        let s: Arc<str> = Arc::from(name);
        if self.section_names.len() < SECTION_NAMES_KEPT {
            self.section_names.push(Arc::clone(&s));
        }
        s
    }
}

fn strip_str(s: &str) -> &str {
    // Whitespace is ASCII: the bounds are always character boundaries.
    let (start, end) = strip_bounds(s.as_bytes());
    s.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOCKET: &[&str] = &["Unit", "Socket", "Install"];

    type Lexed = (Vec<(String, String, String, u32)>, Vec<String>);

    fn run(s: &[u8]) -> Lexed {
        let (a, d) = lex(s, Path::new("x.socket"), SOCKET);
        (
            a.into_iter()
                .map(|a| {
                    (
                        a.section.to_string(),
                        a.key().to_string(),
                        a.value().to_string(),
                        a.line,
                    )
                })
                .collect(),
            d.iter().map(|d| d.to_string()).collect(),
        )
    }

    fn kv(a: &[(String, String, String, u32)]) -> Vec<(&str, &str, u32)> {
        a.iter()
            .map(|(_, k, v, l)| (k.as_str(), v.as_str(), *l))
            .collect()
    }

    #[test]
    fn sections_and_warnings_match_systemd_252() {
        // Same input as checked with `systemd-analyze verify` (252).
        let (a, d) =
            run(b"Foo=1\n[Socket]\nListenStream=80\nnoeq\n=5\n[Bogus]\nA=1\n[X-Foo]\nB=2\n");
        assert_eq!(kv(&a), vec![("ListenStream", "80", 3)]);
        assert_eq!(
            d,
            vec![
                "x.socket:1: Assignment outside of section. Ignoring.",
                "x.socket:4: Missing '=', ignoring line.",
                "x.socket:5: Missing key name before '=', ignoring line.",
                "x.socket:6: Unknown section 'Bogus'. Ignoring.",
            ]
        );
    }

    #[test]
    fn repeated_sections_merge_and_keys_case_sensitive() {
        let (a, d) = run(b"[Socket]\nA=1\n[Unit]\nB=2\n[Socket]\nlistenstream=3\n");
        assert!(d.is_empty());
        let s: Vec<_> = a.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
        assert_eq!(
            s,
            vec![("Socket", "A"), ("Unit", "B"), ("Socket", "listenstream")]
        );
    }

    #[test]
    fn continuation_comments_and_last_line_number() {
        let (a, d) = run(b"[Socket]\nListenStream=80\nBacklog=5 \\\n# comment\n ; other\n  6\n");
        assert!(d.is_empty());
        assert_eq!(kv(&a)[1], ("Backlog", "5    6", 6));
    }

    #[test]
    fn continuation_swallows_header_and_runs_into_eof() {
        let (a, _) = run(b"[Unit]\nDescription=a\\\n[Socket]\nListenStream=80\n");
        assert_eq!(
            kv(&a),
            vec![("Description", "a [Socket]", 3), ("ListenStream", "80", 4)]
        );
        assert_eq!(a[1].0, "Unit");
        let (a, _) = run(b"[Unit]\nDescription=a\\");
        assert_eq!(kv(&a), vec![("Description", "a", 2)]);
    }

    #[test]
    fn escaped_backslash_is_not_continuation() {
        let (a, d) = run(b"[Unit]\nDescription=a\\\\\nAccept=x\n");
        assert!(d.is_empty());
        assert_eq!(
            kv(&a),
            vec![("Description", "a\\\\", 2), ("Accept", "x", 3)]
        );
    }

    #[test]
    fn line_endings_nul_cr_and_bom() {
        // Checked with systemd-analyze 252: NUL and CR end lines, CRLF is one break.
        let (a, d) = run(
            b"\xef\xbb\xbf[Socket]\nListenStream=80\nBacklog=5\0Accept=maybe\rDescription=a\\\r\nb\n",
        );
        assert!(d.is_empty());
        assert_eq!(
            kv(&a),
            vec![
                ("ListenStream", "80", 2),
                ("Backlog", "5", 3),
                ("Accept", "maybe", 4),
                ("Description", "a b", 6)
            ]
        );
    }

    #[test]
    fn whitespace_trimmed_no_inline_comments_empty_value() {
        let (a, _) = run(b"[Socket]\n  Backlog =   7\t\nDescription=foo # bar\nListenStream=\n");
        assert_eq!(
            kv(&a),
            vec![
                ("Backlog", "7", 2),
                ("Description", "foo # bar", 3),
                ("ListenStream", "", 4)
            ]
        );
    }

    #[test]
    fn invalid_utf8_line_skipped() {
        let (a, d) = run(b"[Socket]\nBacklog=\xff\xfe\nAccept=yes\n");
        assert_eq!(kv(&a), vec![("Accept", "yes", 3)]);
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .starts_with("x.socket:2: String is not UTF-8 clean, ignoring assignment: Backlog="));
    }

    /// Non-ASCII text lexes the same whether the file is UTF-8 throughout (checked
    /// once) or has a bad line elsewhere (checked line by line).
    #[test]
    fn non_ascii_values_with_and_without_a_bad_line() {
        let good = "[Unit]\nDescription= café — über\t\n[Socket]\nListenStream=80\n";
        let (a, d) = run(good.as_bytes());
        assert!(d.is_empty());
        let want = vec![("Description", "café — über", 2), ("ListenStream", "80", 4)];
        assert_eq!(kv(&a), want);
        let mut bad = good.as_bytes().to_vec();
        bad.extend_from_slice(b"Backlog=\xff\n");
        let (a, d) = run(&bad);
        assert_eq!(kv(&a), want);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn bad_section_headers_are_errors() {
        let (a, d) = lex(
            b"[Socket\nA=1\n[So\"cket]\nB=2\n[Socket]\nC=3\n",
            Path::new("x.socket"),
            SOCKET,
        );
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].key(), "C");
        assert!(d.iter().all(|d| d.is_error()));
        assert_eq!(d[0].message, "Invalid section header '[Socket'");
        assert_eq!(
            d[1].message,
            "Bad characters in section header '[So\"cket]'"
        );
    }

    #[test]
    fn too_long_lines_skipped() {
        let mut s = b"[Socket]\nDescription=".to_vec();
        s.extend(std::iter::repeat_n(b'a', LONG_LINE_MAX + 1));
        s.extend_from_slice(b"\nA=1\n");
        let (a, d) = run(&s);
        assert_eq!(kv(&a), vec![("A", "1", 3)]);
        assert_eq!(d, vec!["x.socket:2: Line too long, ignoring."]);

        // Overlong continuation: skipped up to its end.
        let mut s = b"[Socket]\nDescription=".to_vec();
        for _ in 0..3 {
            s.extend(std::iter::repeat_n(b'a', LONG_LINE_MAX / 2));
            s.extend_from_slice(b"\\\n");
        }
        s.extend_from_slice(b"end\nA=1\n");
        let (a, d) = run(&s);
        assert_eq!(kv(&a), vec![("A", "1", 6)]);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("Continuation line too long"));
    }

    #[test]
    fn empty_known_sections_accepts_all() {
        let (a, d) = lex(b"[Anything]\nK=V\n", Path::new("f"), &[]);
        assert!(d.is_empty());
        assert_eq!(&*a[0].section, "Anything");
    }
}
