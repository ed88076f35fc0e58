//! Local time for the daytime builtin: `localtime_r`, which needs libc and so
//! lives here. BSD inetd's daytime answers with `ctime()`, i.e. local time.

/// Broken-down time, as `struct tm` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Full year (2026).
    pub year: i32,
    /// 0 = January.
    pub month0: u32,
    /// Day of the month, 1..=31.
    pub mday: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// 0 = Sunday.
    pub wday: u32,
}

/// `localtime_r(secs)` (seconds since the Unix epoch); UTC if that fails.
pub fn local_time(secs: i64) -> LocalTime {
    let t = secs as libc::time_t;
    // SAFETY: tm is plain old data; localtime_r writes it and returns NULL on error.
    let (ok, tm) = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let r = libc::localtime_r(&t, &mut tm);
        (!r.is_null(), tm)
    };
    if !ok {
        return utc_time(secs);
    }
    LocalTime {
        year: tm.tm_year + 1900,
        month0: tm.tm_mon as u32,
        mday: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        min: tm.tm_min as u32,
        sec: tm.tm_sec as u32,
        wday: tm.tm_wday as u32,
    }
}

/// Broken-down UTC time, computed without libc (civil-from-days, H. Hinnant).
pub fn utc_time(secs: i64) -> LocalTime {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    LocalTime {
        year: y as i32,
        month0: (m - 1) as u32,
        mday: d as u32,
        hour: (rem / 3600) as u32,
        min: (rem % 3600 / 60) as u32,
        sec: (rem % 60) as u32,
        // 1970-01-01 was a Thursday.
        wday: (days + 4).rem_euclid(7) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_known_dates() {
        let t = utc_time(0);
        assert_eq!((t.year, t.month0, t.mday, t.wday), (1970, 0, 1, 4));
        // 2026-11-26 07:01:30 UTC, a Thursday.
        let t = utc_time(1_795_676_490);
        assert_eq!(
            (t.year, t.month0, t.mday, t.hour, t.min, t.sec, t.wday),
            (2026, 10, 26, 7, 1, 30, 4)
        );
        // 2000-02-29 (leap day), a Tuesday.
        let t = utc_time(951_782_400);
        assert_eq!((t.year, t.month0, t.mday, t.wday), (2000, 1, 29, 2));
    }
}
