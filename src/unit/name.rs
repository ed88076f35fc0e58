//! Unit names: validity, template/instance structure, `systemd-escape` string and path
//! escaping, and D-Bus object-path label escaping.
//!
//! Rules are systemd's src/basic/unit-name.c (`unit_name_is_valid()`,
//! `unit_name_escape()`, `unit_name_path_escape()`, `unit_name_unescape()`) and
//! src/basic/bus-label.c (`bus_label_escape()`), v252; see systemd.unit(5)
//! "String Escaping for Inclusion in Unit Names" and systemd-escape(1).

use std::fmt;

/// `UNIT_NAME_MAX`: names are at most 255 bytes.
pub const UNIT_NAME_MAX: usize = 256;

/// Unit type suffixes systemd knows (`unit_type_from_string()`).
pub const UNIT_TYPES: &[&str] = &[
    "service",
    "mount",
    "swap",
    "socket",
    "target",
    "device",
    "automount",
    "timer",
    "path",
    "slice",
    "scope",
];

/// A parsed unit name: `prefix[@instance].suffix`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitName {
    /// Part before the first `@` (or before the suffix for plain names).
    pub prefix: String,
    /// None for plain names, `Some("")` for templates (`foo@.service`), else the instance.
    pub instance: Option<String>,
    /// The type suffix including the dot, as systemd's `unit_name_build()` takes it:
    /// `.service`.
    pub suffix: String,
}

impl UnitName {
    /// The template this name instantiates (`foo@bar.service` → `foo@.service`); for
    /// templates the name itself, for plain names `prefix@suffix`.
    pub fn template_name(&self) -> String {
        format!("{}@{}", self.prefix, self.suffix)
    }

    /// `foo@.service`.
    pub fn is_template(&self) -> bool {
        self.instance.as_deref() == Some("")
    }

    /// `foo@bar.service`.
    pub fn is_instance(&self) -> bool {
        self.instance.as_deref().is_some_and(|i| !i.is_empty())
    }

    /// The type without the dot (`service`).
    pub fn unit_type(&self) -> &str {
        self.suffix.trim_start_matches('.')
    }

    /// The same template instantiated with `instance` (`unit_name_replace_instance()`).
    pub fn with_instance(&self, instance: &str) -> String {
        format!("{}@{}{}", self.prefix, instance, self.suffix)
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.instance {
            Some(i) => write!(f, "{}@{}{}", self.prefix, i, self.suffix),
            None => write!(f, "{}{}", self.prefix, self.suffix),
        }
    }
}

/// Characters allowed in unit names besides `@` (`VALID_CHARS`).
fn valid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '\\')
}

/// Parse and validate a unit name (`unit_name_is_valid(n, UNIT_NAME_ANY)`): at most
/// 255 bytes, a known type suffix, characters `[A-Za-z0-9:_.\-\\@]`, a non-empty
/// prefix; the first `@` starts the instance (further `@` belong to the instance).
pub fn parse_unit_name(s: &str) -> Option<UnitName> {
    split_unit_name(s).map(|n| UnitName {
        prefix: n.prefix.to_string(),
        instance: n.instance.map(str::to_string),
        suffix: n.suffix.to_string(),
    })
}

/// The parts of a valid unit name, borrowed from it: `parse_unit_name` for callers
/// that only look (dependency checks run for every `Requires=` word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitNameParts<'a> {
    pub prefix: &'a str,
    pub instance: Option<&'a str>,
    pub suffix: &'a str,
}

impl UnitNameParts<'_> {
    /// `foo@.service`.
    pub fn is_template(&self) -> bool {
        self.instance == Some("")
    }
}

/// `parse_unit_name` without copying the parts.
pub fn split_unit_name(s: &str) -> Option<UnitNameParts<'_>> {
    if s.is_empty() || s.len() >= UNIT_NAME_MAX {
        return None;
    }
    let dot = s.rfind('.')?;
    if dot == 0 || !UNIT_TYPES.contains(&&s[dot + 1..]) {
        return None;
    }
    let stem = &s[..dot];
    if !stem.chars().all(|c| c == '@' || valid_char(c)) {
        return None;
    }
    let (prefix, instance) = match stem.split_once('@') {
        Some((p, i)) => (p, Some(i)),
        None => (stem, None),
    };
    if prefix.is_empty() {
        return None;
    }
    Some(UnitNameParts {
        prefix,
        instance,
        suffix: &s[dot..],
    })
}

fn push_hex_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\x");
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// `unit_name_escape()` / `systemd-escape STRING`: `/` becomes `-`; every byte not in
/// `[A-Za-z0-9:_.]` (and a leading `.`) becomes `\xHH` (lowercase hex).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, &b) in s.as_bytes().iter().enumerate() {
        match b {
            b'.' if i == 0 => push_hex_escape(&mut out, b),
            b'/' => out.push('-'),
            b if b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.') => {
                out.push(char::from(b))
            }
            b => push_hex_escape(&mut out, b),
        }
    }
    out
}

/// `path_simplify()`: drop repeated slashes, `.` components and trailing slashes.
fn path_simplify(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = parts.join("/");
    if p.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `unit_name_path_escape()` / `systemd-escape --path PATH`: simplify the path, strip
/// leading and trailing slashes and escape; the root directory (or an empty path) is
/// `-`. (systemd refuses paths with `..`; this escapes them anyway, `\x2e\x2e` style.)
pub fn escape_path(p: &str) -> String {
    let simplified = path_simplify(p);
    let trimmed = simplified.trim_matches('/');
    if trimmed.is_empty() {
        return "-".to_string();
    }
    escape(trimmed)
}

/// `unit_name_unescape()`, returning None on a malformed `\x` escape or when the result
/// is not UTF-8.
pub fn try_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' => out.push(b'/'),
            b'\\' => {
                if b.get(i + 1) != Some(&b'x') {
                    return None;
                }
                let hi = (*b.get(i + 2)? as char).to_digit(16)?;
                let lo = (*b.get(i + 3)? as char).to_digit(16)?;
                out.push(((hi << 4) | lo) as u8);
                i += 3;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `systemd-escape --unescape`: `-` → `/`, `\xHH` → byte. Malformed escapes are kept
/// literally (systemd would refuse the string).
pub fn unescape(s: &str) -> String {
    if let Some(u) = try_unescape(s) {
        return u;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&c| (c as char).to_digit(16));
        match b[i] {
            b'-' => out.push(b'/'),
            b'\\' if b.get(i + 1) == Some(&b'x') => {
                if let (Some(hi), Some(lo)) = (hex(i + 2), hex(i + 3)) {
                    out.push(((hi << 4) | lo) as u8);
                    i += 3;
                } else {
                    out.push(b'\\');
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `unit_name_path_unescape()` (`systemd-escape --unescape --path`, `%f`): `-` is `/`,
/// otherwise `/` + unescaped text, which must not start or end with `/` and must be a
/// normalized path.
pub fn unit_name_path_unescape(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if s == "-" {
        return Some("/".to_string());
    }
    let w = try_unescape(s)?;
    if w.starts_with('/') || w.ends_with('/') {
        return None;
    }
    let p = format!("/{w}");
    let normalized = !p[1..]
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..");
    normalized.then_some(p)
}

/// `bus_label_escape()` (src/basic/bus-label.c): every byte that is not an ASCII
/// letter (or a digit, except as the first byte) becomes `_` plus two lowercase hex
/// digits; the empty string is `_`. `foo.socket` → `foo_2esocket`.
pub fn bus_label_escape(s: &str) -> String {
    if s.is_empty() {
        return "_".to_string();
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(s.len() * 3);
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()) {
            out.push(char::from(b));
        } else {
            out.push('_');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `bus_label_unescape()`: `_XX` → byte; a `_` not followed by two hex digits is kept;
/// `_` alone is the empty string.
pub fn bus_label_unescape(s: &str) -> String {
    if s == "_" {
        return String::new();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&c| (c as char).to_digit(16));
        if b[i] == b'_' {
            if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                out.push(((hi << 4) | lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = parse_unit_name("foo.socket").unwrap();
        assert_eq!(
            (n.prefix.as_str(), n.instance.as_deref(), n.suffix.as_str()),
            ("foo", None, ".socket")
        );
        assert!(!n.is_template() && !n.is_instance());
        let t = parse_unit_name("echo@.service").unwrap();
        assert!(t.is_template());
        assert_eq!(t.template_name(), "echo@.service");
        assert_eq!(t.with_instance("1"), "echo@1.service");
        let i = parse_unit_name("echo@0-127.0.0.1:7777-127.0.0.1:5555.service").unwrap();
        assert!(i.is_instance());
        assert_eq!(
            i.instance.as_deref(),
            Some("0-127.0.0.1:7777-127.0.0.1:5555")
        );
        assert_eq!(i.template_name(), "echo@.service");
        assert_eq!(
            i.to_string(),
            "echo@0-127.0.0.1:7777-127.0.0.1:5555.service"
        );
        assert_eq!(i.unit_type(), "service");
        let multi = parse_unit_name("a@b@c.service").unwrap();
        assert_eq!(multi.instance.as_deref(), Some("b@c"));
        assert!(parse_unit_name(r"a-b\x2dc.mount").is_some());

        for bad in [
            "",
            "foo",
            ".service",
            "foo.bogus",
            "@x.service",
            "a b.service",
            "a/b.service",
            "é.service",
            "foo.service.",
            "foo.Service",
        ] {
            assert!(parse_unit_name(bad).is_none(), "{bad:?}");
        }
        let long = format!("{}.service", "a".repeat(247));
        assert_eq!(long.len(), 255);
        assert!(parse_unit_name(&long).is_some());
        assert!(parse_unit_name(&format!("a{long}")).is_none());
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("/run/foo.sock"), "-run-foo.sock");
        assert_eq!(escape("a b-c\\d"), r"a\x20b\x2dc\x5cd");
        assert_eq!(escape(".hidden.x"), r"\x2ehidden.x");
        assert_eq!(escape("é"), r"\xc3\xa9");
        assert_eq!(escape(""), "");
        assert_eq!(escape_path("/run/foo.sock"), "run-foo.sock");
        assert_eq!(escape_path("//run//./foo/"), "run-foo");
        assert_eq!(escape_path("/"), "-");
        assert_eq!(escape_path(""), "-");
        assert_eq!(unescape(r"a\x20b\x2dc-d"), "a b-c/d");
        assert_eq!(unescape(r"bad\q"), r"bad\q");
        assert_eq!(try_unescape(r"bad\x2"), None);
        assert_eq!(
            unit_name_path_unescape("run-foo.sock").as_deref(),
            Some("/run/foo.sock")
        );
        assert_eq!(unit_name_path_unescape("-").as_deref(), Some("/"));
        assert_eq!(unit_name_path_unescape("-a"), None);
        assert_eq!(unit_name_path_unescape(""), None);
        for s in ["x y/z", "/a/b", "-.-", "ü:_."] {
            assert_eq!(unescape(&escape(s)), s);
        }
    }

    #[test]
    fn bus_labels() {
        assert_eq!(bus_label_escape("foo.socket"), "foo_2esocket");
        assert_eq!(bus_label_escape("1x.service"), "_31x_2eservice");
        assert_eq!(
            bus_label_escape("echo@0-127.0.0.1:7777-127.0.0.1:5555.service"),
            "echo_400_2d127_2e0_2e0_2e1_3a7777_2d127_2e0_2e0_2e1_3a5555_2eservice"
        );
        assert_eq!(bus_label_escape("a_b"), "a_5fb");
        assert_eq!(bus_label_escape(""), "_");
        assert_eq!(bus_label_unescape("foo_2esocket"), "foo.socket");
        assert_eq!(bus_label_unescape("_"), "");
        assert_eq!(bus_label_unescape("a_zz"), "a_zz");
        for s in ["x.service", "9", "a b/c@d", "_"] {
            assert_eq!(bus_label_unescape(&bus_label_escape(s)), s);
        }
    }
}
