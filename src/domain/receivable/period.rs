//! Periods counted the way 民法 counts them (民法140条-143条, which 健康保険法 and 民事訴訟法95条1項
//! follow): the first day counted is given by the caller (an event on day D starts a period on D+1,
//! 初日不算入, unless the period starts at midnight); a period of months or years ends on the day
//! before the day of the last month that corresponds to its first day, or on the last day of that
//! month when it has no such day (民法143条2項).

use chrono::{Datelike, Days, NaiveDate};

/// The day after `day`: where a period that runs "from" an event is first counted (民法140条).
pub fn day_after(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `months` calendar months first counted on `first_day`
/// (民法143条). E.g. 3 months from 2025-12-01 end on 2026-02-28; from 2025-01-31, on 2025-04-30;
/// 2 years (24 months) from 2024-02-29, on 2026-02-28.
pub fn end_of_months(first_day: NaiveDate, months: u32) -> NaiveDate {
    let index = i64::from(first_day.year()) * 12 + i64::from(first_day.month0()) + i64::from(months);
    let (Ok(year), Ok(month0)) = (i32::try_from(index.div_euclid(12)), u32::try_from(index.rem_euclid(12))) else {
        return NaiveDate::MAX;
    };
    match NaiveDate::from_ymd_opt(year, month0 + 1, first_day.day()) {
        Some(corresponding) => corresponding.pred_opt().unwrap_or(NaiveDate::MIN),
        None => last_day_of_month(year, month0 + 1),
    }
}

/// The last day of a period of `years` years first counted on `first_day` (民法143条).
pub fn end_of_years(first_day: NaiveDate, years: u32) -> NaiveDate {
    end_of_months(first_day, years.saturating_mul(12))
}

/// The last day of a period of `days` days first counted on `first_day` (民法140条): 14 days from
/// 2026-03-02 end on 2026-03-15.
pub fn end_of_days(first_day: NaiveDate, days: u32) -> NaiveDate {
    match days.checked_sub(1) {
        Some(extra) => add_days(first_day, extra),
        None => first_day.pred_opt().unwrap_or(NaiveDate::MIN),
    }
}

/// `day` plus `n` calendar days, saturating at the calendar's end.
pub fn add_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(n))).unwrap_or(NaiveDate::MAX)
}

/// `day` plus `n` calendar months, the day of month clamped to the month's end (a date on a
/// schedule, not the end of a period).
pub fn add_months_clamped(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(chrono::Months::new(n)).unwrap_or(NaiveDate::MAX)
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}
