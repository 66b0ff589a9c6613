//! Time, passed in.
//!
//! The rules never read the system clock: every check that depends on "now" (certificate validity, `wsu:Timestamp`,
//! SAML `Conditions`, JWT `exp`) takes a [`DateTime`] the caller got from a [`Clock`]. That is how `sluis verify --at`
//! and fixture replay reproduce a verdict exactly, and `clippy.toml` forbids `SystemTime::now` elsewhere.
//!
//! [`DateTime`] is a UTC instant with millisecond precision, parsed from the `xs:dateTime` lexical form that
//! WS-Security (`wsu:Created`), SAML (`IssueInstant`, `NotOnOrAfter`) and RFC 3339 share. A value without a time zone
//! is refused: XML Schema calls it "local" time, which a gateway cannot interpret safely (SAML Core §1.3.3 requires UTC).

use std::fmt;

/// A UTC instant, milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    unix_millis: i64,
}

/// Why a date-time string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidDateTime;

impl fmt::Display for InvalidDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid date-time (expected xs:dateTime / RFC 3339 with a time zone)")
    }
}

impl std::error::Error for InvalidDateTime {}

impl DateTime {
    /// The instant `secs` seconds after the Unix epoch.
    pub const fn from_unix_seconds(secs: i64) -> Self {
        DateTime { unix_millis: secs.saturating_mul(1000) }
    }

    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        DateTime { unix_millis: millis }
    }

    /// Seconds since the Unix epoch (rounded towards negative infinity).
    pub const fn unix_seconds(self) -> i64 {
        self.unix_millis.div_euclid(1000)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    /// This instant moved by `secs` seconds (saturating).
    pub const fn plus_seconds(self, secs: i64) -> Self {
        DateTime { unix_millis: self.unix_millis.saturating_add(secs.saturating_mul(1000)) }
    }

    /// This instant moved back by `secs` seconds (saturating).
    pub const fn minus_seconds(self, secs: i64) -> Self {
        DateTime { unix_millis: self.unix_millis.saturating_sub(secs.saturating_mul(1000)) }
    }

    /// Parses the `xs:dateTime` lexical form with a mandatory time zone (`Z` or `±hh:mm`), e.g.
    /// `2026-11-25T12:00:00Z` or `2026-11-25T13:00:00.123+01:00`. Fractional seconds beyond milliseconds are
    /// truncated. Leading/trailing XML whitespace is tolerated (schema whitespace facet `collapse`).
    pub fn parse(s: &str) -> Result<Self, InvalidDateTime> {
        parse_xs_datetime(s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))).ok_or(InvalidDateTime)
    }

    /// Formats as RFC 3339 in UTC, with milliseconds only when they are not zero.
    pub fn to_rfc3339(self) -> String {
        let secs = self.unix_seconds();
        let millis = self.unix_millis.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (sod / 3600, (sod % 3600) / 60, sod % 60);
        if millis == 0 {
            format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
        } else {
            format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{millis:03}Z")
        }
    }

    /// Converts to the time type `rustls-pki-types` uses for certificate validity (negative instants clamp to 0).
    pub fn to_pki_time(self) -> rustls_pki_types::UnixTime {
        rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(self.unix_seconds()).unwrap_or(0),
        ))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A source of "now". Rules take a [`DateTime`]; only the edges (server, CLI) own a clock.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime;
}

/// The operating system's clock: the one place allowed to read it.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the single sanctioned read of the system clock
    fn now(&self) -> DateTime {
        let now = std::time::SystemTime::now();
        let millis = match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_millis()).map(|m| -m).unwrap_or(i64::MIN),
        };
        DateTime::from_unix_millis(millis)
    }
}

/// A clock stopped at one instant (`--at`, tests, fixture replay).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime);

impl Clock for FixedClock {
    fn now(&self) -> DateTime {
        self.0
    }
}

fn parse_xs_datetime(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    // Year: at least four digits, no sign (years before 1 AD are never valid in a security token).
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if !(4..=9).contains(&i) || (i > 4 && b[0] == b'0') {
        return None;
    }
    let year: i64 = s.get(..i)?.parse().ok()?;
    let rest = b.get(i..)?;
    // -MM-DDThh:mm:ss
    if rest.len() < 15 {
        return None;
    }
    let (month, day) = (two(rest, 1)?, two(rest, 4)?);
    let (hour, minute, second) = (two(rest, 7)?, two(rest, 10)?, two(rest, 13)?);
    let seps = [(0, b'-'), (3, b'-'), (6, b'T'), (9, b':'), (12, b':')];
    if seps.iter().any(|&(at, c)| rest.get(at) != Some(&c)) {
        return None;
    }
    let mut j = 15;
    let mut millis = 0i64;
    if rest.get(j) == Some(&b'.') {
        j += 1;
        let start = j;
        while j < rest.len() && rest[j].is_ascii_digit() {
            if j - start < 3 {
                millis = millis * 10 + i64::from(rest[j] - b'0');
            }
            j += 1;
        }
        if j == start {
            return None;
        }
        for _ in (j - start)..3 {
            millis *= 10;
        }
    }
    let offset_secs: i64 = match rest.get(j..)? {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), tz @ ..] if tz.len() == 5 && tz[2] == b':' => {
            let (oh, om) = (two(tz, 0)?, two(tz, 3)?);
            if oh > 14 || om > 59 || (oh == 14 && om != 0) {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // 24:00:00 is allowed by XML Schema 1.0 as the end of the day; refuse it (no token needs it).
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(DateTime::from_unix_millis(secs.checked_mul(1000)?.checked_add(millis)?))
}

fn two(b: &[u8], at: usize) -> Option<i64> {
    match (b.get(at), b.get(at + 1)) {
        (Some(h), Some(l)) if h.is_ascii_digit() && l.is_ascii_digit() => {
            Some(i64::from(h - b'0') * 10 + i64::from(l - b'0'))
        }
        _ => None,
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        let t = DateTime::parse("2026-11-25T12:00:00Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_795_608_000);
        assert_eq!(DateTime::parse("2026-11-25T13:00:00+01:00").unwrap(), t);
        assert_eq!(DateTime::parse(" 2026-11-25T11:30:00-00:30\n").unwrap(), t);
        assert_eq!(DateTime::parse("2026-11-25T12:00:00.5Z").unwrap().unix_millis(), t.unix_millis() + 500);
        assert_eq!(
            DateTime::parse("2026-11-25T12:00:00.123456Z").unwrap().unix_millis(),
            t.unix_millis() + 123
        );
        assert_eq!(DateTime::parse("1970-01-01T00:00:00Z").unwrap().unix_millis(), 0);
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "2026-11-25T12:00:00",
            "2026-11-25 12:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T12:00:00.Z",
            "26-11-25T12:00:00Z",
            "02026-11-25T12:00:00Z",
            "2026-11-25T12:00:00+1:00",
            "2026-11-25T12:00:00+15:00",
            "-2026-11-25T12:00:00Z",
            "",
            "2026-1１-25T12:00:00Z",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(DateTime::parse("2024-02-29T00:00:00Z").is_ok());
        assert!(DateTime::parse("2023-02-29T00:00:00Z").is_err());
    }

    #[test]
    fn round_trips_through_rfc3339() {
        for s in [
            "2026-11-25T12:00:00Z",
            "1999-12-31T23:59:59.999Z",
            "2000-02-29T00:00:00Z",
            "1969-07-20T20:17:40Z",
        ] {
            assert_eq!(DateTime::parse(s).unwrap().to_rfc3339(), s);
        }
    }

    proptest::proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            proptest::prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn agrees_with_time_crate(secs in 0i64..4_000_000_000) {
            let t = DateTime::from_unix_seconds(secs);
            let s = t.to_rfc3339();
            let other = time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).unwrap();
            proptest::prop_assert_eq!(other.unix_timestamp(), secs);
            proptest::prop_assert_eq!(DateTime::parse(&s).unwrap(), t);
        }
    }
}
