//! Time spans (systemd.time(7) "Parsing Time Spans"): `Usec`, systemd's microsecond
//! unit, printed as `format_timespan()` and parsed as `parse_time()` of
//! src/basic/time-util.c. Apart from the other value grammars because time has its
//! own unit table and man page; `Limit*=` (`rlimit`) reads CPU and RT time with it.

use serde::Serialize;
use std::fmt;
use std::time::Duration;

use super::{leading_digits, skip_ws, ValueError};

/// Microseconds, systemd's internal time unit. `Usec::INFINITY` is `u64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Usec(pub u64);

impl Usec {
    pub const INFINITY: Usec = Usec(u64::MAX);

    pub const fn from_secs(s: u64) -> Usec {
        Usec(s * 1_000_000)
    }

    pub const fn from_millis(ms: u64) -> Usec {
        Usec(ms * 1_000)
    }

    pub fn is_infinity(self) -> bool {
        self.0 == u64::MAX
    }

    /// As a `Duration`; None for infinity.
    pub fn to_duration(self) -> Option<Duration> {
        if self.is_infinity() {
            None
        } else {
            Some(Duration::from_micros(self.0))
        }
    }
}

impl fmt::Display for Usec {
    /// systemd's `format_timespan` style: `1min 30s`, `100ms`, `infinity`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_infinity() {
            return f.write_str("infinity");
        }
        if self.0 == 0 {
            return f.write_str("0");
        }
        const UNITS: [(&str, u64); 9] = [
            ("y", 31_557_600_000_000),
            ("month", 2_629_800_000_000),
            ("w", 604_800_000_000),
            ("d", 86_400_000_000),
            ("h", 3_600_000_000),
            ("min", 60_000_000),
            ("s", 1_000_000),
            ("ms", 1_000),
            ("us", 1),
        ];
        let mut rest = self.0;
        let mut first = true;
        for (name, size) in UNITS {
            if rest >= size {
                let n = rest / size;
                rest %= size;
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{n}{name}")?;
                first = false;
            }
        }
        Ok(())
    }
}

// systemd's time-util.h units, shared with activatorctl's time formatting (ctl::time).
pub const USEC_PER_MSEC: u64 = 1_000;
pub const USEC_PER_SEC: u64 = 1_000_000;
pub const USEC_PER_MINUTE: u64 = 60 * USEC_PER_SEC;
pub const USEC_PER_HOUR: u64 = 60 * USEC_PER_MINUTE;
pub const USEC_PER_DAY: u64 = 24 * USEC_PER_HOUR;
pub const USEC_PER_WEEK: u64 = 7 * USEC_PER_DAY;
/// systemd.time(7): a month is 30.44 days, a year 365.25 days.
pub const USEC_PER_MONTH: u64 = 2_629_800 * USEC_PER_SEC;
pub const USEC_PER_YEAR: u64 = 31_557_600 * USEC_PER_SEC;

/// Unit suffixes in the order `extract_multiplier()` (src/basic/time-util.c) tries
/// them: the first prefix match wins, so longer spellings come first.
const TIME_UNITS: &[(&str, u64)] = &[
    ("seconds", USEC_PER_SEC),
    ("second", USEC_PER_SEC),
    ("sec", USEC_PER_SEC),
    ("s", USEC_PER_SEC),
    ("minutes", USEC_PER_MINUTE),
    ("minute", USEC_PER_MINUTE),
    ("min", USEC_PER_MINUTE),
    ("months", USEC_PER_MONTH),
    ("month", USEC_PER_MONTH),
    ("M", USEC_PER_MONTH),
    ("msec", 1_000),
    ("ms", 1_000),
    ("m", USEC_PER_MINUTE),
    ("hours", USEC_PER_HOUR),
    ("hour", USEC_PER_HOUR),
    ("hr", USEC_PER_HOUR),
    ("h", USEC_PER_HOUR),
    ("days", USEC_PER_DAY),
    ("day", USEC_PER_DAY),
    ("d", USEC_PER_DAY),
    ("weeks", USEC_PER_WEEK),
    ("week", USEC_PER_WEEK),
    ("w", USEC_PER_WEEK),
    ("years", USEC_PER_YEAR),
    ("year", USEC_PER_YEAR),
    ("y", USEC_PER_YEAR),
    ("usec", 1),
    ("us", 1),
    ("\u{3bc}s", 1), // GREEK SMALL LETTER MU
    ("\u{b5}s", 1),  // MICRO SIGN
];

/// A time span in seconds unless a unit is given (systemd.time(7) "Parsing Time Spans"):
/// `5min 20s`, `5min20` (= 320s), `1.5h`, `infinity`.
pub fn parse_timespan(s: &str) -> Result<Usec, ValueError> {
    parse_timespan_default_unit(s, USEC_PER_SEC)
}

/// `parse_time()` of src/basic/time-util.c (v252) with the unit a bare number has
/// (`unit_usec` microseconds, e.g. 1 for `…USec=` settings). Transcribed step by step:
/// `-1` is ERANGE, `1e3` is EINVAL, `.5` is half a unit, `1s5` is 6s.
pub fn parse_timespan_default_unit(s: &str, unit_usec: u64) -> Result<Usec, ValueError> {
    let unit_usec = unit_usec.max(1);
    let mut p = skip_ws(s.as_bytes());
    if let Some(rest) = p.strip_prefix(b"infinity") {
        return if skip_ws(rest).is_empty() {
            Ok(Usec::INFINITY)
        } else {
            Err(ValueError::Invalid)
        };
    }
    let mut usec: u64 = 0;
    let mut something = false;
    loop {
        p = skip_ws(p);
        if p.is_empty() {
            return if something {
                Ok(Usec(usec))
            } else {
                Err(ValueError::Invalid)
            };
        }
        if p[0] == b'-' {
            // "Don't allow "-0"".
            return Err(ValueError::OutOfRange);
        }
        // strtoll(): optional '+', then digits.
        let signed = usize::from(p[0] == b'+');
        let (value, ndigits) = leading_digits(&p[signed..]);
        let l = value?;
        // `e` in systemd: end of the integer (start of input when nothing converted).
        let e_off = if ndigits == 0 { 0 } else { signed + ndigits };
        let has_frac = p.get(e_off) == Some(&b'.');
        let after_num = if has_frac {
            let frac = &p[e_off + 1..];
            e_off + 1 + frac.iter().take_while(|c| c.is_ascii_digit()).count()
        } else if ndigits == 0 {
            return Err(ValueError::Invalid);
        } else {
            e_off
        };
        let rest = &p[after_num..];
        let unit_start = skip_ws(rest);
        let mut multiplier = unit_usec;
        let mut after_unit = unit_start;
        for (suffix, mul) in TIME_UNITS {
            if let Some(r) = unit_start.strip_prefix(suffix.as_bytes()) {
                multiplier = *mul;
                after_unit = r;
                break;
            }
        }
        // "Don't allow '12.34.56', but accept '12.34 .56' or '12.34s.56'".
        if after_unit.len() == rest.len() && !after_unit.is_empty() {
            return Err(ValueError::Invalid);
        }
        if l >= u64::MAX / multiplier {
            return Err(ValueError::OutOfRange);
        }
        let k = l * multiplier;
        if k >= u64::MAX - usec {
            return Err(ValueError::OutOfRange);
        }
        usec += k;
        something = true;
        if has_frac {
            let frac = &p[e_off + 1..after_num];
            let mut m = multiplier / 10;
            for &d in frac {
                let k = u64::from(d - b'0') * m;
                if k >= u64::MAX - usec {
                    return Err(ValueError::OutOfRange);
                }
                usec += k;
                m /= 10;
            }
            // "Don't allow "0.-0", "3.+1", "3. 1", "3.sec" or "3.hoge"".
            if frac.is_empty() {
                return Err(ValueError::Invalid);
            }
        }
        p = after_unit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Result<u64, ValueError> {
        parse_timespan(s).map(|u| u.0)
    }

    #[test]
    fn timespans_systemd_time_7() {
        assert_eq!(ts("5min 20s"), Ok(320_000_000));
        assert_eq!(ts("5min20"), Ok(320_000_000));
        assert_eq!(ts("1s5"), Ok(6_000_000));
        assert_eq!(ts("1.5h"), Ok(5_400_000_000));
        assert_eq!(ts("0.5"), Ok(500_000));
        assert_eq!(ts(".5"), Ok(500_000));
        assert_eq!(ts("+5"), Ok(5_000_000));
        assert_eq!(ts("5 20"), Ok(25_000_000));
        assert_eq!(ts("1.5 .2"), Ok(1_700_000));
        assert_eq!(ts("3 min"), Ok(180_000_000));
        assert_eq!(ts(" 5s "), Ok(5_000_000));
        assert_eq!(ts("2 weeks"), Ok(1_209_600_000_000));
        assert_eq!(ts("1M"), Ok(2_629_800_000_000));
        assert_eq!(ts("1y"), Ok(31_557_600_000_000));
        assert_eq!(ts("1µs"), Ok(1));
        assert_eq!(ts("1μs"), Ok(1));
        assert_eq!(ts("2ms"), Ok(2000));
        assert_eq!(ts("1hr 1m"), Ok(3_660_000_000));
        assert_eq!(ts("007"), Ok(7_000_000));
        assert_eq!(ts("infinity"), Ok(u64::MAX));
        assert_eq!(ts(" infinity "), Ok(u64::MAX));
        assert_eq!(ts("-1"), Err(ValueError::OutOfRange));
        assert_eq!(ts("1e3"), Err(ValueError::Invalid));
        assert_eq!(ts("5."), Err(ValueError::Invalid));
        assert_eq!(ts("1.5.2"), Err(ValueError::Invalid));
        assert_eq!(ts("5sx"), Err(ValueError::Invalid));
        assert_eq!(ts("infinityx"), Err(ValueError::Invalid));
        assert_eq!(ts(""), Err(ValueError::Invalid));
        assert_eq!(ts("0x10"), Err(ValueError::Invalid));
        assert_eq!(ts("18446744073709551615"), Err(ValueError::OutOfRange));
        assert_eq!(ts("99999999999999999999999"), Err(ValueError::OutOfRange));
        assert_eq!(parse_timespan_default_unit("5", 1), Ok(Usec(5)));
        assert_eq!(parse_timespan_default_unit("5ms", 1), Ok(Usec(5000)));
    }
}
