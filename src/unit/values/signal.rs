//! Signals and exit statuses: systemd's name tables of src/basic/signal-util.c
//! (`KillSignal=`, systemd.kill(5)) and src/basic/exit-status.c, and the exit-status
//! lists that mix both (`SuccessExitStatus=`, systemd.service(5)). Apart from the
//! scalar grammars because they are name tables more than number syntax.

use super::{parse_int, parse_unsigned, safe_atou_base, ValueError};
use crate::unit::model::ExitStatusSet;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
