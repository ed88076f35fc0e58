//! Value grammars of the unit language (systemd.syntax(7), systemd.time(7)):
//! booleans, time spans, IEC sizes, modes, signals, exit-status lists, rlimits.
//!
//! Each parser takes the already-trimmed, specifier-expanded value and returns a typed
//! value or a `ValueError` whose text is the errno-style reason systemd prints after
//! "Failed to parse … value, ignoring: …".

use serde::Serialize;
use std::fmt;
use std::time::Duration;

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

use super::model::{ExitStatusSet, Resource, ResourceLimit};

/// systemd's `WHITESPACE` (src/basic/string-util.h).
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(s: &[u8]) -> &[u8] {
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

const USEC_PER_SEC: u64 = 1_000_000;
const USEC_PER_MINUTE: u64 = 60 * USEC_PER_SEC;
const USEC_PER_HOUR: u64 = 60 * USEC_PER_MINUTE;
const USEC_PER_DAY: u64 = 24 * USEC_PER_HOUR;
const USEC_PER_WEEK: u64 = 7 * USEC_PER_DAY;
/// systemd.time(7): a month is 30.44 days, a year 365.25 days.
const USEC_PER_MONTH: u64 = 2_629_800 * USEC_PER_SEC;
const USEC_PER_YEAR: u64 = 31_557_600 * USEC_PER_SEC;

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

/// Signal names of systemd's `signal_to_string()` table (src/basic/signal-util.c).
const SIGNALS: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// Highest valid signal number (`_NSIG - 1` on Linux).
const SIGNAL_MAX: i32 = 64;

/// The real-time signal range, as glibc reports it.
fn rt_range() -> (i32, i32) {
    (libc::SIGRTMIN(), libc::SIGRTMAX())
}

/// A signal by number, by name with or without `SIG` (`SIGTERM`, `TERM`), or
/// `RTMIN+n`/`RTMAX-n` (`signal_from_string()`, src/basic/signal-util.c;
/// systemd.kill(5) KillSignal=).
pub fn parse_signal(s: &str) -> Result<i32, ValueError> {
    if let Ok(n) = parse_int(s) {
        return if (1..=SIGNAL_MAX as i64).contains(&n) {
            Ok(n as i32)
        } else {
            Err(ValueError::OutOfRange)
        };
    }
    let p = s.strip_prefix("SIG").unwrap_or(s);
    if let Some((_, n)) = SIGNALS.iter().find(|(name, _)| *name == p) {
        return Ok(*n);
    }
    let (min, max) = rt_range();
    if let Some(rest) = p.strip_prefix("RTMIN") {
        if rest.is_empty() {
            return Ok(min);
        }
        if let Some(off) = rest.strip_prefix('+') {
            let k = safe_atou_base(off, 10, true)?;
            return match i32::try_from(k) {
                Ok(k) if k <= max - min => Ok(min + k),
                _ => Err(ValueError::OutOfRange),
            };
        }
    }
    if let Some(rest) = p.strip_prefix("RTMAX") {
        if rest.is_empty() {
            return Ok(max);
        }
        if let Some(off) = rest.strip_prefix('-') {
            let k = safe_atou_base(off, 10, true)?;
            return match i32::try_from(k) {
                Ok(k) if k <= max - min => Ok(max - k),
                _ => Err(ValueError::OutOfRange),
            };
        }
    }
    Err(ValueError::Invalid)
}

/// The `SIGxxx` name of a classic signal (`SIGTERM`); None for real-time signals and
/// invalid numbers.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    const FULL: &[&str] = &[
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    SIGNALS.iter().position(|(_, n)| *n == sig).map(|i| FULL[i])
}

/// systemd's exit-status name table (src/basic/exit-status.c, v252; same list as
/// `systemd-analyze exit-status`).
pub const EXIT_STATUS_NAMES: &[(&str, u8)] = &[
    ("SUCCESS", 0),
    ("FAILURE", 1),
    ("INVALIDARGUMENT", 2),
    ("NOTIMPLEMENTED", 3),
    ("NOPERMISSION", 4),
    ("NOTINSTALLED", 5),
    ("NOTCONFIGURED", 6),
    ("NOTRUNNING", 7),
    ("USAGE", 64),
    ("DATAERR", 65),
    ("NOINPUT", 66),
    ("NOUSER", 67),
    ("NOHOST", 68),
    ("UNAVAILABLE", 69),
    ("SOFTWARE", 70),
    ("OSERR", 71),
    ("OSFILE", 72),
    ("CANTCREAT", 73),
    ("IOERR", 74),
    ("TEMPFAIL", 75),
    ("PROTOCOL", 76),
    ("NOPERM", 77),
    ("CONFIG", 78),
    ("CHDIR", 200),
    ("NICE", 201),
    ("FDS", 202),
    ("EXEC", 203),
    ("MEMORY", 204),
    ("LIMITS", 205),
    ("OOM_ADJUST", 206),
    ("SIGNAL_MASK", 207),
    ("STDIN", 208),
    ("STDOUT", 209),
    ("CHROOT", 210),
    ("IOPRIO", 211),
    ("TIMERSLACK", 212),
    ("SECUREBITS", 213),
    ("SETSCHEDULER", 214),
    ("CPUAFFINITY", 215),
    ("GROUP", 216),
    ("USER", 217),
    ("CAPABILITIES", 218),
    ("CGROUP", 219),
    ("SETSID", 220),
    ("CONFIRM", 221),
    ("STDERR", 222),
    ("PAM", 224),
    ("NETWORK", 225),
    ("NAMESPACE", 226),
    ("NO_NEW_PRIVILEGES", 227),
    ("SECCOMP", 228),
    ("SELINUX_CONTEXT", 229),
    ("PERSONALITY", 230),
    ("APPARMOR", 231),
    ("ADDRESS_FAMILIES", 232),
    ("RUNTIME_DIRECTORY", 233),
    ("CHOWN", 235),
    ("SMACK_PROCESS_LABEL", 236),
    ("KEYRING", 237),
    ("STATE_DIRECTORY", 238),
    ("CACHE_DIRECTORY", 239),
    ("LOGS_DIRECTORY", 240),
    ("CONFIGURATION_DIRECTORY", 241),
    ("NUMA_POLICY", 242),
    ("CREDENTIALS", 243),
    ("BPF", 244),
    ("EXCEPTION", 255),
];

/// `exit_status_from_string()`: a table name or a number 0–255.
fn exit_status_from_string(s: &str) -> Option<u8> {
    if let Some((_, n)) = EXIT_STATUS_NAMES.iter().find(|(name, _)| *name == s) {
        return Some(*n);
    }
    parse_unsigned(s).ok().and_then(|v| u8::try_from(v).ok())
}

/// Add the words of an exit-status list (`SuccessExitStatus=`, systemd.service(5);
/// `config_parse_set_status()`) to `set`: numbers 0–255 and exit-status names go to
/// `statuses`, signal names to `signals`. An empty string resets the set. Words that
/// are neither are skipped; the first one is returned as `ValueError::Other(word)`
/// after the valid words were added (systemd: "Failed to parse value, ignoring: WORD").
pub fn parse_exit_status_list(s: &str, set: &mut ExitStatusSet) -> Result<(), ValueError> {
    if s.trim().is_empty() {
        *set = ExitStatusSet::default();
        return Ok(());
    }
    let mut first_bad = None;
    for word in s.split_ascii_whitespace() {
        if let Some(st) = exit_status_from_string(word) {
            if let Err(i) = set.statuses.binary_search(&st) {
                set.statuses.insert(i, st);
            }
        } else if let Ok(sig) = parse_signal(word) {
            if let Err(i) = set.signals.binary_search(&sig) {
                set.signals.insert(i, sig);
            }
        } else if first_bad.is_none() {
            first_bad = Some(word.to_string());
        }
    }
    match first_bad {
        Some(w) => Err(ValueError::Other(w)),
        None => Ok(()),
    }
}

/// `rlim_t` value parsers of src/basic/rlimit-util.c; None = infinity.
fn rlimit_parse_one(resource: Resource, s: &str) -> Result<Option<u64>, ValueError> {
    use Resource::*;
    if s == "infinity" {
        return Ok(None);
    }
    match resource {
        // rlimit_parse_sec: seconds, rounded up.
        Cpu => {
            let t = parse_timespan(s)?;
            if t.is_infinity() {
                return Ok(None);
            }
            Ok(Some(t.0.div_ceil(USEC_PER_SEC)))
        }
        // rlimit_parse_usec.
        Rttime => {
            let t = parse_timespan_default_unit(s, 1)?;
            Ok(if t.is_infinity() { None } else { Some(t.0) })
        }
        Fsize | Data | Stack | Core | Rss | As | Memlock | Msgqueue => {
            let v = parse_size_iec(s)?;
            Ok(if v == u64::MAX { None } else { Some(v) })
        }
        // rlimit_parse_nice: "+n"/"-n" are nice levels, bare numbers raw (0..40).
        Nice => {
            let raw = if let Some(n) = s.strip_prefix('+') {
                let n = parse_int(n)?;
                if !(0..20).contains(&n) {
                    return Err(ValueError::OutOfRange);
                }
                20 - n
            } else if let Some(n) = s.strip_prefix('-') {
                let n = parse_int(n)?;
                if !(0..=20).contains(&n) {
                    return Err(ValueError::OutOfRange);
                }
                20 + n
            } else {
                let n = parse_int(s)?;
                if !(0..=40).contains(&n) {
                    return Err(ValueError::OutOfRange);
                }
                n
            };
            Ok(Some(raw as u64))
        }
        Nofile | Nproc | Locks | Sigpending | Rtprio => {
            let v = parse_unsigned(s)?;
            if v == u64::MAX {
                return Err(ValueError::OutOfRange);
            }
            Ok(Some(v))
        }
    }
}

/// A `Limit*=` value: `N`, `soft:hard` or `infinity` (systemd.exec(5) "Process
/// Properties"; `rlimit_parse()`), with size or time units where the resource has them.
pub fn parse_rlimit(s: &str, resource: Resource) -> Result<ResourceLimit, ValueError> {
    let mut parts = s.splitn(3, ':');
    let soft_s = parts.next().unwrap_or("");
    if soft_s.is_empty() && s.is_empty() {
        return Err(ValueError::Invalid);
    }
    let soft = rlimit_parse_one(resource, soft_s)?;
    let hard = match parts.next() {
        None => soft,
        Some(h) => {
            if parts.next().is_some() {
                return Err(ValueError::Invalid);
            }
            let hard = rlimit_parse_one(resource, h)?;
            // soft > hard is EILSEQ in systemd.
            let too_big = match (soft, hard) {
                (None, Some(_)) => true,
                (Some(a), Some(b)) => a > b,
                _ => false,
            };
            if too_big {
                return Err(ValueError::Other(
                    "Invalid or incomplete multibyte or wide character".into(),
                ));
            }
            hard
        }
    };
    Ok(ResourceLimit { soft, hard })
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

/// The resource of a `Limit*=` directive name (systemd.exec(5)).
pub fn resource_from_key(key: &str) -> Option<Resource> {
    use Resource::*;
    Some(match key {
        "LimitCPU" => Cpu,
        "LimitFSIZE" => Fsize,
        "LimitDATA" => Data,
        "LimitSTACK" => Stack,
        "LimitCORE" => Core,
        "LimitRSS" => Rss,
        "LimitNOFILE" => Nofile,
        "LimitAS" => As,
        "LimitNPROC" => Nproc,
        "LimitMEMLOCK" => Memlock,
        "LimitLOCKS" => Locks,
        "LimitSIGPENDING" => Sigpending,
        "LimitMSGQUEUE" => Msgqueue,
        "LimitNICE" => Nice,
        "LimitRTPRIO" => Rtprio,
        "LimitRTTIME" => Rttime,
        _ => return None,
    })
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
    fn signals() {
        assert_eq!(parse_signal("SIGTERM"), Ok(libc::SIGTERM));
        assert_eq!(parse_signal("TERM"), Ok(libc::SIGTERM));
        assert_eq!(parse_signal("9"), Ok(9));
        assert_eq!(parse_signal("0"), Err(ValueError::OutOfRange));
        assert_eq!(parse_signal("65"), Err(ValueError::OutOfRange));
        assert_eq!(parse_signal("sigterm"), Err(ValueError::Invalid));
        assert_eq!(parse_signal("RTMIN"), Ok(libc::SIGRTMIN()));
        assert_eq!(parse_signal("SIGRTMIN+2"), Ok(libc::SIGRTMIN() + 2));
        assert_eq!(parse_signal("RTMAX-1"), Ok(libc::SIGRTMAX() - 1));
        assert_eq!(signal_name(libc::SIGHUP), Some("SIGHUP"));
        assert_eq!(signal_name(libc::SIGSYS), Some("SIGSYS"));
        assert_eq!(signal_name(0), None);
        for (name, n) in SIGNALS {
            assert_eq!(parse_signal(name), Ok(*n));
            assert_eq!(signal_name(*n).map(|s| &s[3..]), Some(*name));
        }
    }

    #[test]
    fn exit_status_lists() {
        let mut set = ExitStatusSet::default();
        parse_exit_status_list("75 TEMPFAIL 250 SIGKILL USAGE SUCCESS HUP", &mut set).unwrap();
        assert_eq!(set.statuses, vec![0, 64, 75, 250]);
        assert_eq!(set.signals, vec![libc::SIGHUP, libc::SIGKILL]);
        assert_eq!(
            parse_exit_status_list("NOTRUNNING bogus 256", &mut set),
            Err(ValueError::Other("bogus".into()))
        );
        assert!(set.statuses.contains(&7));
        parse_exit_status_list("", &mut set).unwrap();
        assert_eq!(set, ExitStatusSet::default());
    }

    #[test]
    fn rlimits() {
        use Resource::*;
        let rl = |soft, hard| ResourceLimit { soft, hard };
        assert_eq!(parse_rlimit("1024", Nofile), Ok(rl(Some(1024), Some(1024))));
        assert_eq!(
            parse_rlimit("1024:4096", Nofile),
            Ok(rl(Some(1024), Some(4096)))
        );
        assert_eq!(parse_rlimit("infinity", Nofile), Ok(rl(None, None)));
        assert_eq!(parse_rlimit("1:infinity", Nofile), Ok(rl(Some(1), None)));
        assert!(parse_rlimit("4096:1024", Nofile).is_err());
        assert!(parse_rlimit("1:2:3", Nofile).is_err());
        assert!(parse_rlimit("", Nofile).is_err());
        assert_eq!(
            parse_rlimit("8M", Stack),
            Ok(rl(Some(8 << 20), Some(8 << 20)))
        );
        assert_eq!(parse_rlimit("1min", Cpu), Ok(rl(Some(60), Some(60))));
        assert_eq!(parse_rlimit("1500ms", Cpu), Ok(rl(Some(2), Some(2))));
        assert_eq!(parse_rlimit("5", Rttime), Ok(rl(Some(5), Some(5))));
        assert_eq!(parse_rlimit("-5", Nice), Ok(rl(Some(25), Some(25))));
        assert_eq!(parse_rlimit("+19", Nice), Ok(rl(Some(1), Some(1))));
        assert!(parse_rlimit("41", Nice).is_err());
        assert_eq!(resource_from_key("LimitNOFILE"), Some(Nofile));
        assert_eq!(resource_from_key("LimitFOO"), None);
    }

    #[test]
    fn ip_tos() {
        assert_eq!(parse_ip_tos("low-delay"), Ok(0x10));
        assert_eq!(parse_ip_tos("8"), Ok(8));
        assert_eq!(parse_ip_tos("256"), Err(ValueError::OutOfRange));
        assert_eq!(parse_ip_tos("fast"), Err(ValueError::Invalid));
    }
}
