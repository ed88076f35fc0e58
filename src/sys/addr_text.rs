//! Addresses and numbers as text, written straight into a `String` without the
//! formatter: instance names and `REMOTE_ADDR`/`REMOTE_PORT` are made for every
//! accepted connection, where `format!` and `to_string` (the formatting machinery
//! plus a growing buffer) were a tenth of the daemon's own CPU time.

use std::fmt::Write;
use std::net::IpAddr;

/// `n` in decimal, as `{n}` writes it.
pub fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // One copy of the ASCII digits (pushing them as chars re-encoded each one).
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// `ip` as `{ip}` writes it; IPv4 without the formatter.
pub fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                push_decimal(out, u64::from(octet));
            }
        }
        IpAddr::V6(v6) => {
            let _ = write!(out, "{v6}");
        }
    }
}

/// `ip` as `ip.to_string()` gives it, in a buffer of the right size.
pub fn ip_string(ip: IpAddr) -> String {
    let mut s = String::with_capacity(if ip.is_ipv4() { 15 } else { 39 });
    push_ip(&mut s, ip);
    s
}

/// `n.to_string()`, in a buffer of the right size.
pub fn decimal_string(n: u64) -> String {
    let mut s = String::with_capacity(20);
    push_decimal(&mut s, n);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_as_the_formatter() {
        for n in [0, 7, 10, 65535, u64::MAX] {
            assert_eq!(decimal_string(n), n.to_string());
        }
        for ip in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.20.3",
            "::1",
            "2001:db8::ff00:42:8329",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(ip_string(ip), ip.to_string());
        }
    }
}
