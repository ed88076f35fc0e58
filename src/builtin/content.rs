//! The bytes the builtins send, as BSD inetd (usr.sbin/inetd/inetd.c) sends them.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::sys::time::{local_time, LocalTime};

/// Characters per chargen line (inetd.c `LINESIZ`), before the CRLF.
pub const CHARGEN_LINE: usize = 72;
/// The ring: every printable ASCII character, 0x20 (space) .. 0x7E (inetd.c
/// `initring()`: `isprint(i)` for i in 0..128).
pub const RING_LEN: usize = 95;
/// One full period of the stream: line k starts at ring[k % 95], so after 95
/// lines it repeats. 95 * 74 bytes.
pub const CHARGEN_PERIOD: usize = RING_LEN * (CHARGEN_LINE + 2);

/// Seconds between 1900-01-01 and 1970-01-01 (RFC 868).
pub const RFC868_OFFSET: u64 = 2_208_988_800;

/// Line `k` (0-based) of the chargen stream, with its CRLF (RFC 864).
pub fn chargen_line(k: usize) -> [u8; CHARGEN_LINE + 2] {
    let mut line = [0u8; CHARGEN_LINE + 2];
    for (j, b) in line.iter_mut().take(CHARGEN_LINE).enumerate() {
        *b = 0x20 + ((k + j) % RING_LEN) as u8;
    }
    line[CHARGEN_LINE] = b'\r';
    line[CHARGEN_LINE + 1] = b'\n';
    line
}

/// The whole chargen period (7030 bytes); the TCP stream repeats it forever,
/// restarting at line 0 for every connection.
pub fn chargen_period() -> &'static [u8] {
    static PERIOD: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PERIOD.get_or_init(|| (0..RING_LEN).flat_map(chargen_line).collect())
}

fn unix_secs(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// `ctime()` without its newline: `Thu Nov 26 07:01:30 2026` (day of month padded
/// with a space: `Nov  6`).
pub fn format_ctime(t: &LocalTime) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        DAYS[(t.wday % 7) as usize],
        MONTHS[(t.month0 % 12) as usize],
        t.mday,
        t.hour,
        t.min,
        t.sec,
        t.year
    )
}

/// The daytime reply (RFC 867): BSD's `"%.24s\r\n"` of `ctime(now)`, local time.
pub fn daytime_bytes(now: SystemTime) -> Vec<u8> {
    daytime_bytes_for(&local_time(unix_secs(now)))
}

/// The daytime reply for a given broken-down time.
pub fn daytime_bytes_for(t: &LocalTime) -> Vec<u8> {
    let mut s: Vec<u8> = format_ctime(t).into_bytes();
    s.truncate(24);
    s.extend_from_slice(b"\r\n");
    s
}

/// The time reply (RFC 868): seconds since 1900 as a big-endian u32, wrapping
/// in 2036 like every implementation (inetd.c `machtime()`).
pub fn time_bytes(now: SystemTime) -> [u8; 4] {
    let secs = unix_secs(now);
    ((secs as u64).wrapping_add(RFC868_OFFSET) as u32).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::time::utc_time;
    use std::time::Duration;

    #[test]
    fn first_chargen_lines() {
        let l0 = chargen_line(0);
        assert_eq!(
            &l0[..],
            &b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"[..]
        );
        let l1 = chargen_line(1);
        assert_eq!(l1[0], b'!');
        assert_eq!(l1[71], b'h');
        // Line 30 wraps from '~' back to ' '.
        let l30 = chargen_line(30);
        assert_eq!(l30[0], b'>');
        assert_eq!(l30[64], b'~');
        assert_eq!(l30[65], b' ');
        assert_eq!(chargen_period().len(), 7030);
        assert_eq!(&chargen_period()[7030 - 74..], &chargen_line(94)[..]);
    }

    #[test]
    fn ctime_format() {
        let t = utc_time(1_795_676_490);
        assert_eq!(
            daytime_bytes_for(&t),
            b"Thu Nov 26 07:01:30 2026\r\n".to_vec()
        );
        let t = utc_time(1_794_000_000); // 2026-11-06 21:20:00 UTC, a Friday
        assert_eq!(format_ctime(&t), "Fri Nov  6 21:20:00 2026");
    }

    #[test]
    fn rfc868_time() {
        assert_eq!(time_bytes(UNIX_EPOCH), 2_208_988_800u32.to_be_bytes());
        // Wraps on 2036-02-07 06:28:16 UTC.
        let wrap = UNIX_EPOCH + Duration::from_secs((1u64 << 32) - RFC868_OFFSET);
        assert_eq!(time_bytes(wrap), [0, 0, 0, 0]);
        assert_eq!(time_bytes(wrap + Duration::from_secs(1)), [0, 0, 0, 1]);
    }
}
