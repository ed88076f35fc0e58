//! The word splitter every `Exec*=` and `Environment=` value goes through: a
//! transcription of systemd's `extract_first_word()` (src/basic/extract-word.c, v252)
//! with `EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE`, the C escapes of `cunescape_one()`
//! (src/basic/escape.c) and the `EXTRACT_UNESCAPE_RELAX` retry of
//! `extract_first_word_and_warn()`. It is its own file because three callers share it
//! with different flags: the command parser, `Environment=` and the `$VAR` split.

use std::borrow::Cow;

use crate::unit::values::{is_ws, skip_ws, ValueError};

/// The `ExtractFlags` these callers use.
#[derive(Clone, Copy)]
pub struct Flags {
    pub(super) unquote: bool,
    pub(super) cunescape: bool,
    pub(super) unescape_relax: bool,
    pub(super) relax: bool,
    /// `EXTRACT_RETAIN_ESCAPE`: a backslash is an ordinary character.
    pub(super) retain_escape: bool,
}

/// No flags: quotes are text, a backslash takes the next character as it is.
const NONE: Flags = Flags {
    unquote: false,
    cunescape: false,
    unescape_relax: false,
    relax: false,
    retain_escape: false,
};

pub(super) const EXEC_FLAGS: Flags = Flags {
    unquote: true,
    cunescape: true,
    ..NONE
};

impl Flags {
    /// Text that `extract_first_word()` with these flags reads back as the one word
    /// `w`: the word itself when nothing in it is special. Under
    /// `EXTRACT_RETAIN_ESCAPE` without `EXTRACT_UNQUOTE` nothing can be escaped, and
    /// the word is written as it is (unit names never need it); without
    /// `EXTRACT_UNQUOTE` an empty word cannot be written either.
    pub fn quote(self, w: &str) -> Cow<'_, str> {
        let special = |c: char| {
            matches!(c, ' ' | '\t' | '\n' | '\r')
                || (self.unquote && matches!(c, '"' | '\''))
                || (!self.retain_escape && c == '\\')
        };
        // A value ending in a backslash would continue the line in a unit file.
        let continues = self.retain_escape && self.unquote && w.ends_with('\\');
        if !w.is_empty() && !w.contains(special) && !continues {
            return Cow::Borrowed(w);
        }
        let mut out = String::with_capacity(w.len() + 2);
        if self.cunescape {
            // C escapes inside double quotes (cunescape_one() reads them back).
            out.push('"');
            for c in w.chars() {
                match c {
                    '"' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if c.is_ascii_control() => {
                        out.push_str(&format!("\\x{:02x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        } else if !self.retain_escape && !w.is_empty() {
            // A backslash takes the next character as it is.
            for c in w.chars() {
                if special(c) {
                    out.push('\\');
                }
                out.push(c);
            }
        } else if self.unquote {
            // Quoted runs, one after the other in the same word: `"` inside '…',
            // `'` inside "…", anything else in whichever is open.
            let mut open: Option<char> = None;
            for c in w.chars() {
                let need = match c {
                    '"' => '\'',
                    '\'' => '"',
                    _ => open.unwrap_or('"'),
                };
                if open != Some(need) {
                    out.extend(open);
                    out.push(need);
                    open = Some(need);
                }
                out.push(c);
            }
            match open {
                Some(q) => out.push(q),
                None => out.push_str("\"\""),
            }
        } else {
            return Cow::Borrowed(w);
        }
        Cow::Owned(out)
    }

    /// A list value whose words these flags read back as `words`.
    pub fn join<S: AsRef<str>>(self, words: &[S]) -> String {
        let mut out = String::new();
        for w in words {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.quote(w.as_ref()));
        }
        out
    }
}

/// How each list directive splits its value: the flags its parser in systemd 252
/// passes to `extract_first_word()` (src/core/load-fragment.c, src/shared/install.c),
/// checked with `systemd-analyze verify` and `systemctl --root enable`.
pub mod list {
    use super::{Flags, NONE};

    /// `EXTRACT_RETAIN_ESCAPE`: quotes and backslashes are text
    /// (config_parse_unit_deps: `After=`, `Wants=`…).
    pub const DEPENDENCIES: Flags = Flags {
        retain_escape: true,
        ..NONE
    };
    /// `EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE` (config_parse_strv,
    /// config_parse_unit_strv_printf: `Documentation=`, `WantedBy=`, `Alias=`…).
    pub const STRV: Flags = Flags {
        unquote: true,
        retain_escape: true,
        ..NONE
    };
    /// `EXTRACT_UNQUOTE` (config_parse_unit_path_strv_printf: `Symlinks=`;
    /// config_parse_pass_environ).
    pub const UNQUOTE: Flags = Flags {
        unquote: true,
        ..NONE
    };
    /// `EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE` (config_parse_unset_environ).
    pub const UNQUOTE_CUNESCAPE: Flags = super::EXEC_FLAGS;
    /// No flags (config_parse_service_sockets, config_parse_user_group_strv_compat,
    /// config_parse_also).
    pub const BARE: Flags = NONE;
    /// `EXTRACT_UNQUOTE|EXTRACT_RELAX`: the kernel command line as
    /// ConditionKernelCommandLine= reads it.
    pub const KERNEL_CMDLINE: Flags = Flags {
        unquote: true,
        relax: true,
        ..NONE
    };
}

/// The words of a list value, one `extract_first_word()` call each; `Err` for an
/// unbalanced quote or a bad escape, after which the caller stops (systemd keeps
/// the words before it).
pub fn list_words(value: &str, flags: Flags) -> impl Iterator<Item = Result<Cow<'_, str>, ()>> {
    let mut p = value.as_bytes();
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        match extract_word(&mut p, flags) {
            Ok(w) => w.map(|w| Ok(word_text(w))),
            Err(()) => {
                failed = true;
                Some(Err(()))
            }
        }
    })
}

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
/// A word without quotes or escapes is borrowed from the input.
pub(super) fn extract_word<'a>(
    p: &mut &'a [u8],
    flags: Flags,
) -> Result<Option<Cow<'a, [u8]>>, ()> {
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
    // The plain run the word starts with (most words are nothing else).
    let plain = s
        .iter()
        .take_while(|&&c| !is_ws(c) && !matches!(c, b'\\' | b'"' | b'\''))
        .count();
    if s.get(plain).is_none_or(|&c| is_ws(c)) {
        *p = skip_ws(&s[plain..]);
        return Ok(Some(Cow::Borrowed(&s[..plain])));
    }
    // The loop below would copy that run byte by byte (outside quotes, with no
    // escape in it): take it at once and go on from its end. Unquoting and
    // unescaping only shorten, so the input the word spans bounds its length.
    let mut out = Vec::with_capacity(plain + word_span(&s[plain..]));
    out.extend_from_slice(&s[..plain]);
    let mut quote: u8 = 0;
    let mut i = plain;
    loop {
        let Some(&c) = s.get(i) else {
            // End of input.
            if quote != 0 && !flags.relax {
                return Err(());
            }
            *p = &s[i..];
            return Ok(Some(Cow::Owned(out)));
        };
        if c == b'\\' && !flags.retain_escape {
            let Some(&n) = s.get(i + 1) else {
                // Trailing backslash.
                if flags.unescape_relax && (quote == 0 || flags.relax) {
                    out.push(b'\\');
                    *p = &s[i + 1..];
                    return Ok(Some(Cow::Owned(out)));
                }
                if flags.relax {
                    *p = &s[i + 1..];
                    return Ok(Some(Cow::Owned(out)));
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
            *p = skip_ws(&s[i..]);
            return Ok(Some(Cow::Owned(out)));
        }
        out.push(c);
        i += 1;
    }
}

/// The input bytes of the word at the start of `s`: up to whitespace outside quotes,
/// a backslash taking the byte after it along.
fn word_span(s: &[u8]) -> usize {
    let mut quote = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        match c {
            b'\\' => i += 1,
            b'\'' | b'"' if quote == 0 => quote = c,
            c if c == quote => quote = 0,
            c if quote == 0 && is_ws(c) => break,
            _ => {}
        }
        i += 1;
    }
    i.min(s.len())
}

pub(super) fn bytes_to_string(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// A word as text. Borrowed words are cut from a `str` at ASCII bytes and stay
/// borrowed; built ones may hold escaped bytes that are not UTF-8.
pub(super) fn word_text(w: Cow<'_, [u8]>) -> Cow<'_, str> {
    match w {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(b),
        },
        Cow::Owned(v) => Cow::Owned(bytes_to_string(v)),
    }
}

/// Why `extract_first_word_and_warn()` failed.
pub(super) enum WordError {
    Unbalanced,
}

/// `extract_first_word_and_warn()`: retries with `EXTRACT_UNESCAPE_RELAX` and warns
/// "Ignoring unknown escape sequences: "…"" when that helped.
pub(super) fn extract_and_warn<'a>(
    p: &mut &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Option<Cow<'a, str>>, WordError> {
    let save = *p;
    if let Ok(w) = extract_word(p, EXEC_FLAGS) {
        return Ok(w.map(word_text));
    }
    *p = save;
    let relaxed = Flags {
        unescape_relax: true,
        ..EXEC_FLAGS
    };
    match extract_word(p, relaxed) {
        Ok(w) => {
            let w = w.map(word_text);
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
            Ok(Some(w)) => words.push(w.into_owned()),
            Ok(None) => return Ok((words, warnings)),
            Err(WordError::Unbalanced) => {
                return Err(ValueError::Other(format!(
                    "Unbalanced quoting, ignoring: \"{value}\""
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_quoting_reads_back_under_each_grammar() {
        let samples = [
            "plain",
            "a b",
            "tab\tx",
            "x\\y",
            "q\"r",
            "s't",
            "both\"'",
            "",
            "trail\\",
            "%i",
            "m'i\"x e\\ d",
        ];
        let grammars = [
            ("DEPENDENCIES", list::DEPENDENCIES),
            ("STRV", list::STRV),
            ("UNQUOTE", list::UNQUOTE),
            ("UNQUOTE_CUNESCAPE", list::UNQUOTE_CUNESCAPE),
            ("BARE", list::BARE),
        ];
        for (name, flags) in grammars {
            // What each grammar cannot hold: blanks without quotes or escapes; an
            // empty word without quotes.
            let ws = |w: &str| w.contains([' ', '\t']);
            let representable: Vec<&str> = samples
                .iter()
                .copied()
                .filter(|w| match name {
                    "DEPENDENCIES" => !w.is_empty() && !ws(w),
                    "BARE" => !w.is_empty(),
                    _ => true,
                })
                .collect();
            let text = flags.join(&representable);
            let back: Vec<String> = list_words(&text, flags)
                .map(|w| w.expect("valid").into_owned())
                .collect();
            assert_eq!(back, representable, "{name}: {text}");
        }
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
    fn plain_words_are_borrowed() {
        let mut p: &[u8] = b"  /bin/echo\t 'a b'\\x41  tail";
        let w = extract_word(&mut p, EXEC_FLAGS).unwrap().unwrap();
        assert!(matches!(w, Cow::Borrowed(b"/bin/echo")));
        let w = extract_word(&mut p, EXEC_FLAGS).unwrap().unwrap();
        assert_eq!(&*w, b"a bA");
        assert!(matches!(w, Cow::Owned(_)));
        assert_eq!(p, b"tail");
    }
}
