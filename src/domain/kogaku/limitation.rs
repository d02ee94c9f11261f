//! Limitation period of the claim right (時効, R15): 2 years (健康保険法193条, 国民健康保険法110条).
//!
//! 起算日 (昭和48年11月7日 保発99号・庁保険発21号): the 1st day of the month after the service month;
//! if the copayment was paid on or after that day, the day after it was paid. The period counts
//! 起算日 as its first day and ends the day before the corresponding day two years later, or on the
//! last day of that month when there is no corresponding day (民法143条; kogaku.md: "our counting;
//! civil-law end-of-period convention not re-verified"). Interruption (時効中断 by a notice) is not
//! modelled: the caller passes the later start itself.

use chrono::NaiveDate;

use crate::domain::calendar::YearMonth;

use super::eligibility::period_end;

/// 起算日 of the limitation period for a service month (R15).
pub fn limitation_starts_on(service_month: YearMonth, copayment_paid_on: Option<NaiveDate>) -> NaiveDate {
    let next_month = service_month.succ().first_day();
    match copayment_paid_on {
        Some(paid) if paid >= next_month => paid.succ_opt().unwrap_or(NaiveDate::MAX),
        _ => next_month,
    }
}

/// The last day on which the benefit of `service_month` can still be claimed (R15); the right
/// lapses at the end of this day.
pub fn lapses_after(service_month: YearMonth, copayment_paid_on: Option<NaiveDate>) -> NaiveDate {
    period_end(limitation_starts_on(service_month, copayment_paid_on), 24).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    /// R15, kogaku.md example: 2024-05 paid in May -> 起算日 2024-06-01 -> lapses after 2026-05-31.
    #[test]
    fn limitation_dates() {
        let cases = [
            ("2024-05", None, "2024-06-01", "2026-05-31"),
            ("2024-05", Some("2024-05-20"), "2024-06-01", "2026-05-31"),
            ("2024-05", Some("2024-06-01"), "2024-06-02", "2026-06-01"),
            ("2024-05", Some("2024-07-15"), "2024-07-16", "2026-07-15"),
            ("2023-12", None, "2024-01-01", "2025-12-31"),
            ("2024-01", Some("2024-02-28"), "2024-02-29", "2026-02-28"),
        ];
        for (month, paid, start, end) in cases {
            let paid = paid.map(d);
            assert_eq!(limitation_starts_on(ym(month), paid), d(start), "{month} {paid:?}");
            assert_eq!(lapses_after(ym(month), paid), d(end), "{month} {paid:?}");
        }
    }
}
