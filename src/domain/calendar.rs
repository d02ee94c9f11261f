//! Calendar types of the domain: `YearMonth` (診療月, a service month), `FiscalYear` (年度,
//! April to March) and age rules. Pure: nothing here reads the clock.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A calendar month `YYYY-MM`, e.g. the service month (診療月) of a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Why a month or fiscal year could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("expected a month as YYYY-MM")]
    BadMonth,
    #[error("month out of range")]
    OutOfRange,
}

impl YearMonth {
    /// Builds a month; years 1900..=9999 only.
    pub fn new(year: i32, month: u32) -> Result<Self, CalendarError> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(CalendarError::OutOfRange);
        }
        Ok(Self { year, month })
    }

    /// Reads exactly `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, CalendarError> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
            return Err(CalendarError::BadMonth);
        }
        let year: i32 = s[0..4].parse().map_err(|_| CalendarError::BadMonth)?;
        let month: u32 = s[5..7].parse().map_err(|_| CalendarError::BadMonth)?;
        Self::new(year, month)
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The 1st of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.succ().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    /// Number of days in the month.
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// Whether `date` lies in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::of(date) == self
    }

    /// The next month.
    pub fn succ(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn pred(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Signed number of months from `other` to `self`.
    pub fn months_since(self, other: Self) -> i32 {
        (self.year - other.year) * 12 + self.month as i32 - other.month as i32
    }

    /// The fiscal year (年度) the month belongs to.
    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear::of(self.first_day())
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A fiscal year (年度): April 1 of `start_year` to March 31 of the next year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn new(start_year: i32) -> Result<Self, CalendarError> {
        if (1900..=9998).contains(&start_year) {
            Ok(Self(start_year))
        } else {
            Err(CalendarError::OutOfRange)
        }
    }

    /// The fiscal year a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    pub fn start_year(self) -> i32 {
        self.0
    }

    /// April 1.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// March 31 of the next calendar year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    /// April .. March of this fiscal year.
    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        let start = YearMonth { year: self.0, month: 4 };
        std::iter::successors(Some(start), |m| Some(m.succ())).take(12)
    }
}

/// Age in whole years on `on` for a person born on `birth` (the day before the birthday is when
/// the age is reached in law, 年齢計算ニ関スル法律; rules that need that say so themselves).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_and_prints_months() {
        let m = YearMonth::parse("2024-02").unwrap();
        assert_eq!(m.to_string(), "2024-02");
        assert_eq!(m.days(), 29);
        assert_eq!(m.last_day(), d("2024-02-29"));
        assert_eq!(YearMonth::parse("2024-12").unwrap().succ().to_string(), "2025-01");
        assert_eq!(YearMonth::parse("2025-01").unwrap().pred().to_string(), "2024-12");
        for bad in [
            "2024-13",
            "2024-00",
            "2024-1",
            "202402",
            "2024/02",
            "abcd-ef",
            "2024-02-01",
            "+024-02",
        ] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fiscal_year_starts_in_april() {
        assert_eq!(FiscalYear::of(d("2018-03-31")).start_year(), 2017);
        assert_eq!(FiscalYear::of(d("2018-04-01")).start_year(), 2018);
        let months: Vec<String> = FiscalYear::new(2017).unwrap().months().map(|m| m.to_string()).collect();
        assert_eq!(months.first().unwrap(), "2017-04");
        assert_eq!(months.last().unwrap(), "2018-03");
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(d("1955-07-10"), d("2025-07-09")), 69);
        assert_eq!(age_on(d("1955-07-10"), d("2025-07-10")), 70);
        assert_eq!(age_on(d("2000-02-29"), d("2001-02-28")), 0);
        assert_eq!(age_on(d("2000-02-29"), d("2001-03-01")), 1);
    }
}
