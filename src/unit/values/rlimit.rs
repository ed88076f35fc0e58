//! Resource limits (systemd.exec(5) "Process Properties", `Limit*=`): the directive
//! names and `rlimit_parse()` of src/basic/rlimit-util.c, which reads each resource
//! in its own unit (seconds, microseconds, IEC sizes, nice levels or plain counts) and
//! so builds on the time-span and number grammars of this module.

use super::USEC_PER_SEC;
use super::{
    parse_int, parse_size_iec, parse_timespan, parse_timespan_default_unit, parse_unsigned,
    ValueError,
};
use crate::unit::model::{Resource, ResourceLimit};

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
}
