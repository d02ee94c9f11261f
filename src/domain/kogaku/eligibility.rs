//! Who is what in the service month: age boundaries (R12), the 75歳到達月 halving (R9) and the end
//! of eligibility (R13).

use chrono::{Datelike, Months, NaiveDate};

use crate::domain::calendar::YearMonth;

use super::ExclusionReason;

/// A member's age bracket for a service month (R12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeBracket {
    /// Under-70 rules, including the month in which the person reaches 70 (unless born on the
    /// 1st): 施行令41条1項 "七十歳に達する日の属する月以前の療養".
    Under70,
    /// 70-74 rules: from the month after the month containing the day before the 70th birthday.
    Age70to74,
    /// The month of the 75th birthday, birthday not on the 1st: 70-74 rules with half limits for
    /// the care before the birthday (R9).
    Turning75,
    /// 後期高齢者医療 for the whole month (75th birthday on the 1st of this month, or earlier).
    LateElderly,
}

/// The `years`-th birthday. A person born on 29 February reaches the age at the end of 28
/// February in a non-leap year (年齢計算ニ関スル法律, 民法143条), so the "birthday" is 1 March.
fn birthday(birth: NaiveDate, years: i32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(years)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day()).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// End of a period of `months` months counted from `start` as its first day (民法143条): the day
/// before the corresponding day, or the last day of the month when there is no corresponding day.
pub(super) fn period_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    let same_day = start.checked_add_months(Months::new(months))?;
    if same_day.day() == start.day() {
        same_day.pred_opt()
    } else {
        // No corresponding day (e.g. 29 February in a non-leap year): chrono clamped to the last day
        // of the month, which is the end of the period.
        Some(same_day)
    }
}

/// The first day of 後期高齢者医療: the 75th birthday (R12; the age is reached the day before, and
/// 後期 starts on the birthday itself). Born on 29 February: 1 March in a non-leap year.
pub fn late_elderly_from(birth: NaiveDate) -> Option<NaiveDate> {
    birthday(birth, 75)
}

/// The first service month of the 70-74 rules (R12): the month after the month containing the day
/// before the 70th birthday, i.e. the birthday month when the birthday is the 1st, otherwise the
/// month after it.
pub fn age70to74_from(birth: NaiveDate) -> Option<YearMonth> {
    let seventieth = birthday(birth, 70)?;
    let month = YearMonth::of(seventieth);
    Some(if seventieth.day() == 1 { month } else { month.succ() })
}

/// Age bracket of a person in a service month (R12, R9).
pub fn age_bracket(birth: NaiveDate, month: YearMonth) -> AgeBracket {
    bracket(birth, late_elderly_from(birth), month)
}

fn bracket(birth: NaiveDate, late: Option<NaiveDate>, month: YearMonth) -> AgeBracket {
    if let Some(late) = late {
        if late <= month.first_day() {
            return AgeBracket::LateElderly;
        }
        if month.contains(late) {
            return AgeBracket::Turning75;
        }
    }
    match age70to74_from(birth) {
        Some(from) if month >= from => AgeBracket::Age70to74,
        _ => AgeBracket::Under70,
    }
}

/// A member's bracket for the month and the day this insurer's coverage ends (first day not
/// covered) with its reason: the earlier of `lost_on` (R13) and the 75th birthday (R12).
pub(super) fn member_month(
    birth: NaiveDate,
    lost_on: Option<NaiveDate>,
    month: YearMonth,
) -> (AgeBracket, Option<(NaiveDate, ExclusionReason)>) {
    let late = late_elderly_from(birth);
    let bracket = bracket(birth, late, month);
    let late = late.map(|d| (d, ExclusionReason::Reached75));
    let lost = lost_on.map(|d| (d, ExclusionReason::LostEligibility));
    let end = match (lost, late) {
        (Some(l), Some(r)) => Some(if l.0 <= r.0 { l } else { r }),
        (l, r) => l.or(r),
    };
    (bracket, end)
}

/// Whether a claim is for care after coverage ended (R13). A claim with `first_service_on` on or
/// after the end is excluded; without that date it is excluded only when the whole month lies on
/// or after the end (its first day is not covered). A month partly covered and a claim without a
/// date is kept: the claim's own month says no more, and the insurer is billed only for its own
/// days (a 75-year-old's claims after the birthday go to 後期高齢者医療).
pub(super) fn excluded(
    end: Option<(NaiveDate, ExclusionReason)>,
    month: YearMonth,
    first_service_on: Option<NaiveDate>,
) -> Option<ExclusionReason> {
    let (end, reason) = end?;
    let day = first_service_on.unwrap_or(month.first_day());
    (day >= end).then_some(reason)
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

    fn coverage_end(birth: NaiveDate, lost_on: Option<NaiveDate>) -> Option<(NaiveDate, ExclusionReason)> {
        member_month(birth, lost_on, ym("2024-05")).1
    }

    /// R12: 70th birthday on the 1st vs later in the month; R9: 75th birthday month.
    #[test]
    fn age_boundaries() {
        use AgeBracket::*;
        let cases = [
            // born on the 1st: 70-74 from the birthday month
            ("1948-08-01", "2018-07", Under70),
            ("1948-08-01", "2018-08", Age70to74),
            // born on the 2nd: the birthday month is still under 70
            ("1948-08-02", "2018-08", Under70),
            ("1948-08-02", "2018-09", Age70to74),
            ("1948-08-31", "2018-08", Under70),
            ("1948-08-31", "2018-09", Age70to74),
            // 75: birthday on the 1st -> 後期 the whole month; otherwise the halving month
            ("1943-08-01", "2018-07", Age70to74),
            ("1943-08-01", "2018-08", LateElderly),
            ("1943-08-02", "2018-08", Turning75),
            ("1943-08-02", "2018-09", LateElderly),
            // 29 February
            ("1948-02-29", "2018-02", Under70),
            ("1948-02-29", "2018-03", Age70to74),
            ("1944-02-29", "2019-02", Age70to74),
            ("1944-02-29", "2019-03", LateElderly),
            ("1944-02-29", "2020-02", LateElderly),
        ];
        for (birth, month, want) in cases {
            assert_eq!(age_bracket(d(birth), ym(month)), want, "{birth} in {month}");
        }
        assert_eq!(late_elderly_from(d("1944-02-29")), Some(d("2019-03-01")));
        assert_eq!(late_elderly_from(d("1943-08-15")), Some(d("2018-08-15")));
    }

    /// R13: on/after the date of loss, or a month wholly after it, is excluded.
    #[test]
    fn coverage_end_and_exclusion() {
        use ExclusionReason::*;
        let birth = d("1980-01-10");
        let end = coverage_end(birth, Some(d("2024-05-15")));
        assert_eq!(end, Some((d("2024-05-15"), LostEligibility)));
        let may = ym("2024-05");
        assert_eq!(excluded(end, may, Some(d("2024-05-14"))), None);
        assert_eq!(excluded(end, may, Some(d("2024-05-15"))), Some(LostEligibility));
        assert_eq!(excluded(end, may, None), None);
        assert_eq!(excluded(end, ym("2024-06"), None), Some(LostEligibility));
        let first = coverage_end(birth, Some(d("2024-05-01")));
        assert_eq!(excluded(first, may, None), Some(LostEligibility));
        // the 75th birthday ends coverage too, unless eligibility was lost earlier
        let old = d("1949-05-20");
        assert_eq!(coverage_end(old, None), Some((d("2024-05-20"), Reached75)));
        assert_eq!(
            coverage_end(old, Some(d("2024-06-01"))),
            Some((d("2024-05-20"), Reached75))
        );
        assert_eq!(
            coverage_end(old, Some(d("2024-05-20"))),
            Some((d("2024-05-20"), LostEligibility))
        );
        assert_eq!(excluded(coverage_end(old, None), may, Some(d("2024-05-19"))), None);
        assert_eq!(
            excluded(coverage_end(old, None), may, Some(d("2024-05-20"))),
            Some(Reached75)
        );
    }

    #[test]
    fn period_end_follows_civil_code() {
        assert_eq!(period_end(d("2024-06-01"), 24), Some(d("2026-05-31")));
        assert_eq!(period_end(d("2024-02-29"), 24), Some(d("2026-02-28")));
        assert_eq!(period_end(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(period_end(d("2024-03-15"), 12), Some(d("2025-03-14")));
    }
}
