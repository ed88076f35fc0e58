//! Value grammars of the unit language (systemd.syntax(7), systemd.time(7)):
//! booleans, time spans, IEC sizes, modes, signals, exit-status lists, rlimits.
//!
//! Each parser takes the already-trimmed, specifier-expanded value and returns a typed
//! value or a `ValueError` whose text is the errno-style reason systemd prints after
//! "Failed to parse … value, ignoring: …".
//!
//! This file holds the error type, the scalars (booleans, numbers, modes, IEC sizes,
//! `IPTOS=`) and the scanners the other grammars share (`WHITESPACE`, digit runs,
//! `safe_atou*()` of src/basic/parse-util.c). Time spans (`timespan`), signals and
//! exit statuses (`signal`) and resource limits (`rlimit`) each follow their own
//! systemd source file and man page, so they live apart; all is re-exported here.

mod rlimit;
mod signal;
mod timespan;

pub use rlimit::{parse_rlimit, resource_from_key};
pub use signal::{parse_exit_status_list, parse_signal, signal_name, EXIT_STATUS_NAMES};
pub use timespan::{
    parse_timespan, parse_timespan_default_unit, Usec, USEC_PER_DAY, USEC_PER_HOUR,
    USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MSEC, USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR,
};

/// Why a value did not parse. Displayed as the reason systemd gives
/// (`Invalid argument`, `Numerical result out of range`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("Invalid argument")]
    Invalid,
    #[error("Numerical result out of range")]
    OutOfRange,
    #[error("{0}")]
    Other(String),
}

/// systemd's `WHITESPACE` (src/basic/string-util.h), the blanks of unit files: the
/// lexer strips it around keys and values, and the value parsers skip it. A `match`,
/// not a slice search: it is checked for nearly every byte of every file.
pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// `s` without its leading `WHITESPACE`.
pub(crate) fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| is_ws(c)).count();
    &s[n..]
}

/// `parse_boolean()` (src/basic/parse-util.c); systemd.syntax(7): "1, yes, true, on"
/// and "0, no, false, off", plus `y`/`t`/`n`/`f`, case-insensitive.
pub fn parse_bool(s: &str) -> Result<bool, ValueError> {
    const TRUE: [&str; 6] = ["1", "yes", "y", "true", "t", "on"];
    const FALSE: [&str; 6] = ["0", "no", "n", "false", "f", "off"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Ok(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Ok(false)
    } else {
        Err(ValueError::Invalid)
    }
}

/// Leading decimal digits of `s` as u64 (like `strtoull`, without sign handling).
/// Returns (value or overflow, digits consumed).
fn leading_digits(s: &[u8]) -> (Result<u64, ValueError>, usize) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut v: u64 = 0;
    let mut overflow = false;
    for &c in &s[..n] {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    if overflow {
        (Err(ValueError::OutOfRange), n)
    } else {
        (Ok(v), n)
    }
}

/// `parse_size(t, 1024, …)` (src/basic/parse-util.c): IEC sizes with `K M G T P E`
/// (base 1024) and optional `B`, decimals and sums of decreasing units (`1G 512M`).
pub fn parse_size_iec(s: &str) -> Result<u64, ValueError> {
    const TABLE: [(&str, u64); 8] = [
        ("E", 1 << 60),
        ("P", 1 << 50),
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
        ("B", 1),
        ("", 1),
    ];
    let mut p = s.as_bytes();
    let mut r: u64 = 0;
    let mut start = 0;
    loop {
        p = skip_ws(p);
        let signed = usize::from(matches!(p.first(), Some(b'+' | b'-')));
        let (value, ndigits) = leading_digits(&p[signed..]);
        if ndigits == 0 {
            return Err(ValueError::Invalid);
        }
        if p[0] == b'-' {
            return Err(ValueError::OutOfRange);
        }
        let l = value?;
        let mut e = &p[signed + ndigits..];
        let mut frac = 0f64;
        if let Some(rest) = e.strip_prefix(b".") {
            e = rest;
            let n = e.iter().take_while(|c| c.is_ascii_digit()).count();
            if n > 0 {
                let (v, _) = leading_digits(&e[..n]);
                frac = v? as f64;
                for _ in 0..n {
                    frac /= 10.0;
                }
                e = &e[n..];
            }
        }
        e = skip_ws(e);
        let Some(i) = (start..TABLE.len()).find(|&i| e.starts_with(TABLE[i].0.as_bytes())) else {
            return Err(ValueError::Invalid);
        };
        let factor = TABLE[i].1;
        if l + u64::from(frac > 0.0) > u64::MAX / factor {
            return Err(ValueError::OutOfRange);
        }
        let tmp = l * factor + (frac * factor as f64) as u64;
        r = r.checked_add(tmp).ok_or(ValueError::OutOfRange)?;
        p = &e[TABLE[i].0.len()..];
        start = i + 1;
        if p.is_empty() {
            return Ok(r);
        }
    }
}

/// `strtoull(s, &end, base)` followed by systemd's `safe_atou*()` checks: leading
/// whitespace skipped, base 0 accepts `0x` hex and `0` octal, nothing may follow,
/// a negative non-zero number is ERANGE.
fn safe_atou_base(s: &str, base: u32, refuse_sign: bool) -> Result<u64, ValueError> {
    let b = skip_ws(s.as_bytes());
    let (neg, digits) = match b.first() {
        Some(b'+') | Some(b'-') if refuse_sign => return Err(ValueError::Invalid),
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let (radix, body) = match base {
        0 if (digits.starts_with(b"0x") || digits.starts_with(b"0X"))
            && digits.get(2).is_some_and(|c| c.is_ascii_hexdigit()) =>
        {
            (16, &digits[2..])
        }
        0 if digits.starts_with(b"0") => (8, digits),
        0 => (10, digits),
        r => (r, digits),
    };
    if body.is_empty() {
        return Err(ValueError::Invalid);
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for &c in body {
        let d = (c as char).to_digit(radix).ok_or(ValueError::Invalid)?;
        match v
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    if overflow {
        return Err(ValueError::OutOfRange);
    }
    if neg && v != 0 {
        return Err(ValueError::OutOfRange);
    }
    Ok(v)
}

/// An octal file mode up to 07777 (`parse_mode()`, src/basic/parse-util.c).
pub fn parse_mode(s: &str) -> Result<u32, ValueError> {
    let v = safe_atou_base(s, 8, true)?;
    if v > 0o7777 {
        return Err(ValueError::OutOfRange);
    }
    Ok(v as u32)
}

/// An unsigned 64-bit number (`safe_atou64()`: base 0, so `0x10` and `010` work).
pub fn parse_unsigned(s: &str) -> Result<u64, ValueError> {
    safe_atou_base(s, 0, false)
}

/// An unsigned 32-bit number (`safe_atou32()`).
pub fn parse_u32(s: &str) -> Result<u32, ValueError> {
    u32::try_from(parse_unsigned(s)?).map_err(|_| ValueError::OutOfRange)
}

/// A signed 64-bit number (`safe_atoi64()`, base 0).
pub fn parse_int(s: &str) -> Result<i64, ValueError> {
    let t = std::str::from_utf8(skip_ws(s.as_bytes())).unwrap_or("");
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body.starts_with(['+', '-']) {
        return Err(ValueError::Invalid);
    }
    let mag = safe_atou_base(body, 0, true)?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            return Err(ValueError::OutOfRange);
        }
        Ok((mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).map_err(|_| ValueError::OutOfRange)
    }
}

/// `IPTOS=` (systemd.socket(5)): `low-delay`, `throughput`, `reliability`, `low-cost`
/// or a number 0–255.
pub fn parse_ip_tos(s: &str) -> Result<i32, ValueError> {
    match s {
        "low-delay" => Ok(0x10),
        "throughput" => Ok(0x08),
        "reliability" => Ok(0x04),
        "low-cost" => Ok(0x02),
        _ => {
            let v = parse_unsigned(s)?;
            if v > 0xff {
                return Err(ValueError::OutOfRange);
            }
            Ok(v as i32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["1", "yes", "Y", "TRUE", "t", "On"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["0", "no", "N", "false", "F", "OFF"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), Err(ValueError::Invalid));
        assert_eq!(parse_bool(""), Err(ValueError::Invalid));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size_iec("1M"), Ok(1_048_576));
        assert_eq!(parse_size_iec("4K"), Ok(4096));
        assert_eq!(parse_size_iec("123"), Ok(123));
        assert_eq!(parse_size_iec("1.5K"), Ok(1536));
        assert_eq!(parse_size_iec("1G 512M"), Ok(1_610_612_736));
        assert_eq!(parse_size_iec("2E"), Ok(2 << 60));
        assert_eq!(parse_size_iec("16E"), Err(ValueError::OutOfRange));
        assert_eq!(parse_size_iec("-1"), Err(ValueError::OutOfRange));
        assert_eq!(parse_size_iec("1X"), Err(ValueError::Invalid));
        assert_eq!(parse_size_iec("512M 1G"), Err(ValueError::Invalid));
        assert_eq!(parse_size_iec(""), Err(ValueError::Invalid));
    }

    #[test]
    fn numbers_and_modes() {
        assert_eq!(parse_mode("0666"), Ok(0o666));
        assert_eq!(parse_mode("660"), Ok(0o660));
        assert_eq!(parse_mode("8"), Err(ValueError::Invalid));
        assert_eq!(parse_mode("17777"), Err(ValueError::OutOfRange));
        assert_eq!(parse_mode("-1"), Err(ValueError::Invalid));
        assert_eq!(parse_unsigned("42"), Ok(42));
        assert_eq!(parse_unsigned("0x10"), Ok(16));
        assert_eq!(parse_unsigned("010"), Ok(8));
        assert_eq!(parse_unsigned("-5"), Err(ValueError::OutOfRange));
        assert_eq!(parse_unsigned("5x"), Err(ValueError::Invalid));
        assert_eq!(parse_unsigned(""), Err(ValueError::Invalid));
        assert_eq!(parse_u32("4294967296"), Err(ValueError::OutOfRange));
        assert_eq!(parse_int("-17"), Ok(-17));
        assert_eq!(parse_int("+3"), Ok(3));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808"),
            Err(ValueError::OutOfRange)
        );
        assert_eq!(parse_int("--1"), Err(ValueError::Invalid));
    }

    #[test]
    fn ip_tos() {
        assert_eq!(parse_ip_tos("low-delay"), Ok(0x10));
        assert_eq!(parse_ip_tos("8"), Ok(8));
        assert_eq!(parse_ip_tos("256"), Err(ValueError::OutOfRange));
        assert_eq!(parse_ip_tos("fast"), Err(ValueError::Invalid));
    }
}
