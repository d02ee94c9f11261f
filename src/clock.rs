//! The business clock (業務日付): "today" is the calendar date in Japan, Asia/Tokyo, which keeps
//! UTC+9 all year (no daylight saving time since 1951). Every default date (a worklist day, an
//! assessment date, a late charge's `as_of`, a certificate's processing date) comes from here,
//! never from `Utc::now().date_naive()`, which is yesterday in Japan between 00:00 and 09:00.
//!
//! The clock is part of the application state, so tests can fix the business date: a fixed clock
//! starts at a chosen instant and then runs with real time (timestamps keep their order).

use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, Utc};

/// Japan Standard Time, UTC+09:00.
pub fn jst() -> FixedOffset {
    // Nine hours is within the ±24 h a FixedOffset takes, so the fallback is never used.
    FixedOffset::east_opt(9 * 3600).unwrap_or(Utc.fix())
}

/// The calendar date in Japan at `instant`.
pub fn business_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&jst()).date_naive()
}

/// The clock every use case reads "now" and "today" from.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time: zero for the real clock.
    shift: Arc<Duration>,
}

impl Clock {
    /// The real clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            shift: Arc::new(start - Utc::now()),
        }
    }

    /// A clock whose business date is `day` (it starts at noon in Japan, so a test has twelve
    /// hours before the date moves).
    pub fn on_business_day(day: NaiveDate) -> Self {
        let noon = day
            .and_hms_opt(12, 0, 0)
            .and_then(|t| t.and_local_timezone(jst()).single())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        Self::starting_at(noon)
    }

    /// Now, truncated to microseconds so that both databases give back what was stored.
    pub fn now(&self) -> DateTime<Utc> {
        let n = Utc::now() + *self.shift;
        DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
    }

    /// The business date: today in Asia/Tokyo.
    pub fn today(&self) -> NaiveDate {
        business_date(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn today_is_the_date_in_japan() {
        // 23:30 UTC on 1 December is 08:30 on 2 December in Tokyo.
        assert_eq!(
            business_date(at("2026-12-01T23:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
        // 14:59 UTC is 23:59 in Tokyo, still the same day; 15:00 UTC is the next.
        assert_eq!(
            business_date(at("2026-12-01T14:59:59Z")),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(
            business_date(at("2026-12-01T15:00:00Z")),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
    }

    #[test]
    fn a_fixed_clock_keeps_its_day_and_runs_on() {
        let day = NaiveDate::from_ymd_opt(2018, 3, 31).unwrap();
        let clock = Clock::on_business_day(day);
        assert_eq!(clock.today(), day);
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
        assert_eq!(Clock::system().today(), business_date(Utc::now()));
    }
}
