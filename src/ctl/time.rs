//! Timestamps and time spans the way systemctl prints them.
//!
//! `format_timestamp()` follows systemd's `FORMAT_TIMESTAMP` style
//! (`Tue 2024-01-02 10:00:00 UTC`), always in UTC (activatorctl does not read
//! the time-zone database); `format_relative()` is systemd's
//! `format_timestamp_relative()` (src/basic/time-util.c) and `format_timespan()`
//! its `format_timespan(…, USEC_PER_MSEC)`.

use crate::unit::values::{
    USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MSEC, USEC_PER_SEC,
    USEC_PER_WEEK, USEC_PER_YEAR,
};

/// Now, in µs since the epoch.
pub fn now_usec() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's civil_from_days.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `Tue 2024-01-02 10:00:00 UTC`.
pub fn format_timestamp(usec: u64) -> String {
    let secs = (usec / USEC_PER_SEC) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let wd = WEEKDAYS[days.rem_euclid(7) as usize];
    format!(
        "{wd} {y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `5min ago`, `1h 2min ago`, `2 days ago`, … (or `… left` for the future).
pub fn format_relative(usec: u64, now: u64) -> String {
    let (d, s) = if now >= usec {
        (now - usec, "ago")
    } else {
        (usec - now, "left")
    };
    if d >= USEC_PER_YEAR {
        let (y, mo) = (d / USEC_PER_YEAR, (d % USEC_PER_YEAR) / USEC_PER_MONTH);
        format!(
            "{y} {} {mo} {} {s}",
            plural(y, "year", "years"),
            plural(mo, "month", "months")
        )
    } else if d >= USEC_PER_MONTH {
        let (mo, dd) = (d / USEC_PER_MONTH, (d % USEC_PER_MONTH) / USEC_PER_DAY);
        format!(
            "{mo} {} {dd} {} {s}",
            plural(mo, "month", "months"),
            plural(dd, "day", "days")
        )
    } else if d >= USEC_PER_WEEK {
        let (w, dd) = (d / USEC_PER_WEEK, (d % USEC_PER_WEEK) / USEC_PER_DAY);
        format!(
            "{w} {} {dd} {} {s}",
            plural(w, "week", "weeks"),
            plural(dd, "day", "days")
        )
    } else if d >= 2 * USEC_PER_DAY {
        format!("{} days {s}", d / USEC_PER_DAY)
    } else if d >= 25 * USEC_PER_HOUR {
        format!("1 day {}h {s}", (d - USEC_PER_DAY) / USEC_PER_HOUR)
    } else if d >= 6 * USEC_PER_HOUR {
        format!("{}h {s}", d / USEC_PER_HOUR)
    } else if d >= USEC_PER_HOUR {
        format!(
            "{}h {}min {s}",
            d / USEC_PER_HOUR,
            (d % USEC_PER_HOUR) / USEC_PER_MINUTE
        )
    } else if d >= 5 * USEC_PER_MINUTE {
        format!("{}min {s}", d / USEC_PER_MINUTE)
    } else if d >= USEC_PER_MINUTE {
        format!(
            "{}min {}s {s}",
            d / USEC_PER_MINUTE,
            (d % USEC_PER_MINUTE) / USEC_PER_SEC
        )
    } else if d >= USEC_PER_SEC {
        format!("{}s {s}", d / USEC_PER_SEC)
    } else if d >= USEC_PER_MSEC {
        format!("{}ms {s}", d / USEC_PER_MSEC)
    } else if d > 0 {
        format!("{d}us {s}")
    } else {
        "now".to_string()
    }
}

/// `format_timespan(t, USEC_PER_MSEC)`: `3ms`, `2.005s`, `1min 5.120s`, `1h 2min`.
pub fn format_timespan(usec: u64) -> String {
    let mut t = (usec / USEC_PER_MSEC) * USEC_PER_MSEC;
    if t == 0 {
        return "0".to_string();
    }
    const UNITS: [(&str, u64); 7] = [
        ("y", USEC_PER_YEAR),
        ("month", USEC_PER_MONTH),
        ("w", USEC_PER_WEEK),
        ("d", USEC_PER_DAY),
        ("h", USEC_PER_HOUR),
        ("min", USEC_PER_MINUTE),
        ("s", USEC_PER_SEC),
    ];
    let mut parts: Vec<String> = Vec::new();
    for (name, len) in UNITS {
        if t < len {
            continue;
        }
        let n = t / len;
        t %= len;
        if name == "s" && t > 0 {
            // Seconds carry the millisecond fraction: "2.005s".
            let frac = format!("{:03}", t / USEC_PER_MSEC);
            parts.push(format!("{n}.{}s", frac.trim_end_matches('0')));
            t = 0;
        } else {
            parts.push(format!("{n}{name}"));
        }
    }
    if t > 0 {
        parts.push(format!("{}ms", t / USEC_PER_MSEC));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_like_systemd() {
        assert_eq!(
            format_timestamp(1_704_189_600_000_000),
            "Tue 2024-01-02 10:00:00 UTC"
        );
        assert_eq!(format_timestamp(0), "Thu 1970-01-01 00:00:00 UTC");
        let t = 1_704_189_600_000_000;
        assert_eq!(format_relative(t, t + 5 * USEC_PER_MINUTE), "5min ago");
        assert_eq!(format_relative(t, t + 90 * USEC_PER_SEC), "1min 30s ago");
        assert_eq!(format_relative(t, t + 62 * USEC_PER_MINUTE), "1h 2min ago");
        assert_eq!(format_relative(t, t + 3 * USEC_PER_DAY), "3 days ago");
        assert_eq!(format_relative(t, t + 1500), "1ms ago");
        assert_eq!(format_relative(t, t), "now");
        assert_eq!(format_timespan(3_000), "3ms");
        assert_eq!(format_timespan(2_005_000), "2.005s");
        assert_eq!(format_timespan(65_120_000), "1min 5.12s");
        assert_eq!(format_timespan(62 * USEC_PER_MINUTE), "1h 2min");
    }
}
