//! Calendar dates as briefs and datasets write them: `2014`, `2014-03` or `2014-03-24`.
//!
//! Hand-written because all we need is parsing, ordering and two display forms;
//! a date-time library would bring time zones into a build that must not depend on
//! the clock or the machine.

use std::fmt;

/// A date with the precision it was written with; ordering is chronological
/// (a bare year sorts before its months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    /// 1–12, or 0 when only the year is known.
    pub month: u8,
    /// 1–31, or 0 when only the year or month is known.
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parse ISO 8601 `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; an error says what is wrong.
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let bad = || format!("`{s}` is not a date; write it as YYYY-MM-DD (or YYYY-MM, or YYYY)");
        if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let num = |p: &str, len: usize| -> Result<u32, String> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<u32>().map_err(|_| bad())
        };
        let year = num(parts[0], 4)? as i32;
        let month = match parts.get(1) {
            Some(m) => num(m, 2)? as u8,
            None => 0,
        };
        let day = match parts.get(2) {
            Some(d) => num(d, 2)? as u8,
            None => 0,
        };
        if parts.len() > 1 && !(1..=12).contains(&month) {
            return Err(format!("`{s}`: month {month} does not exist"));
        }
        if parts.len() > 2 && (day == 0 || day > days_in_month(year, month)) {
            return Err(format!("`{s}`: day {day} does not exist in that month"));
        }
        Ok(Date { year, month, day })
    }

    /// A date as blogs write it: `YYYY-MM-DD`, or followed by a time and a zone
    /// as Hugo and Jekyll write them (`2019-03-01T10:00:00Z`, `2019-03-01
    /// 10:00:00 +0000`). The time is dropped, the day kept as written: pages
    /// show days.
    pub fn parse_timestamp(s: &str) -> Result<Date, String> {
        let t = s.trim();
        match (t.get(..10), t.get(10..)) {
            (Some(day), Some(rest)) if is_time(rest) => Date::parse(day),
            _ => Date::parse(t),
        }
    }

    pub fn is_full(&self) -> bool {
        self.day != 0
    }

    /// ISO form, as written.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (0, _) => format!("{:04}", self.year),
            (m, 0) => format!("{:04}-{:02}", self.year, m),
            (m, d) => format!("{:04}-{:02}-{:02}", self.year, m, d),
        }
    }

    /// Reader's form: `1 May 2024`, `May 2024`, `2024`.
    pub fn human(&self) -> String {
        match (self.month, self.day) {
            (0, _) => format!("{}", self.year),
            (m, 0) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            (m, d) => format!("{} {} {}", d, MONTHS[m as usize - 1], self.year),
        }
    }

    /// Today's date in UTC, for `tumen new` (never for the build output, which must
    /// not depend on when it runs).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        civil_from_days((secs / 86_400) as i64)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 to a date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    Date {
        year: (if m <= 2 { y + 1 } else { y }) as i32,
        month: m,
        day: d,
    }
}

/// Whether `s` is a time after a date: `T` or a space, `HH:MM`, then anything
/// of seconds, fractions and a zone (`:SS.fff`, `Z`, ` +0000`, `+02:00`).
fn is_time(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('T').or_else(|| s.strip_prefix(' ')) else {
        return false;
    };
    let b = rest.as_bytes();
    let clock = b.len() >= 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    clock
        && rest[5..]
            .bytes()
            .all(|c| c.is_ascii_digit() || b":.+-Z ".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_of_other_tools_keep_their_day() {
        for s in [
            "2019-03-01T10:00:00Z",
            "2019-03-01T10:00:00+02:00",
            "2019-03-01 10:00:00 +0000",
            "2019-03-01T10:00",
            "2019-03-01 10:00:00.123 -0500",
        ] {
            assert_eq!(
                Date::parse_timestamp(s).map(|d| d.iso()),
                Ok("2019-03-01".into()),
                "{s}"
            );
        }
        for s in [
            "2019-03-01Tnoon",
            "2019-03-01 10",
            "2019-03-01x10:00",
            "2019-02-30T10:00Z",
        ] {
            assert!(Date::parse_timestamp(s).is_err(), "{s}");
        }
        assert!(
            Date::parse("2019-03-01T10:00:00Z").is_err(),
            "dataset cells stay days"
        );
    }

    #[test]
    fn parses_three_precisions() {
        assert_eq!(Date::parse("2014").unwrap().iso(), "2014");
        assert_eq!(Date::parse("2014-03").unwrap().human(), "March 2014");
        assert_eq!(Date::parse("2014-03-24").unwrap().human(), "24 March 2014");
        assert!(Date::parse("2014-02-30").is_err());
        assert!(Date::parse("2014-13").is_err());
        assert!(Date::parse("24.03.2014").is_err());
        assert!(Date::parse("2023-2-1").is_err());
    }

    #[test]
    fn orders_chronologically() {
        let a = Date::parse("2014").unwrap();
        let b = Date::parse("2014-03").unwrap();
        let c = Date::parse("2014-03-24").unwrap();
        assert!(a < b && b < c);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0).iso(), "1970-01-01");
        assert_eq!(civil_from_days(19_723).iso(), "2024-01-01");
        assert_eq!(civil_from_days(11_016).iso(), "2000-02-29");
    }
}
