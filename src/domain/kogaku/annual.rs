//! 外来年間合算 (annual outpatient benefit for 70-74, R8; 健康保険法施行令41条の2, since 2017-08).
//!
//! Per person, period 1 August – 31 July, base date 31 July. A person who is 一般 or 低所得 on the
//! base date gets the part of the annual outpatient amount above the annual limit (144,000; from
//! the period starting 2026-08: 一般 216,000, 低所得II 96,000, R14 Likely). The annual amount is
//! the outpatient copayments of the months given minus the monthly benefits attributable to that
//! outpatient care; the caller passes only months in which the person was 70-74 and 一般/低所得
//! (the engine cannot tell) and the attributable monthly benefit (its apportionment between
//! outpatient and inpatient is kogaku.md's open question 4).

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::rules::{AnnualOutpatient, rule_set_for};
use super::{Age70to74Category, KogakuError};

/// Result of [`simulate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnnualOutcome {
    /// `None` when the category on the base date has no annual outpatient limit (現役並み): no
    /// benefit then.
    pub annual_limit: Option<Yen>,
    pub annual_amount: Yen,
    pub benefit: Yen,
    /// Rule set in force on the base date.
    pub rule_set: &'static str,
    pub source: &'static str,
}

/// 外来年間合算 for one person (R8). `months`: (service month, outpatient copayment, outpatient
/// monthly benefit), each month of the period at most once. The limit is the one in force on
/// the base date (31 July ending the period); a period whose base date has no table, or lies
/// before 外来年間合算 began (2017-08), is refused.
pub fn simulate(
    period_start: YearMonth,
    category_on_base_date: Age70to74Category,
    months: &[(YearMonth, Yen, Yen)],
) -> Result<AnnualOutcome, KogakuError> {
    if period_start.month() != 8 {
        return Err(KogakuError::PeriodStartNotAugust { period_start });
    }
    let base_month = (0..11).fold(period_start, |m, _| m.succ());
    let set = rule_set_for(base_month)?;
    if !set.annual_outpatient_in_force {
        return Err(KogakuError::NoRuleTable { month: period_start });
    }
    let mut seen: u16 = 0;
    let mut annual_amount = Yen::ZERO;
    for &(month, copayment, monthly_benefit) in months {
        let offset = month.months_since(period_start);
        if !(0..12).contains(&offset) {
            return Err(KogakuError::MonthOutsidePeriod { month });
        }
        if seen & (1 << offset) != 0 {
            return Err(KogakuError::DuplicateMonth { month });
        }
        seen |= 1 << offset;
        if copayment.is_negative() || monthly_benefit.is_negative() || monthly_benefit > copayment {
            return Err(KogakuError::InvalidAnnualMonth { month });
        }
        annual_amount += copayment - monthly_benefit;
    }
    let row = set.age70to74(category_on_base_date);
    let annual_limit = match row.annual_outpatient {
        AnnualOutpatient::NotApplicable => None,
        AnnualOutpatient::Limit(limit) => Some(Yen::new(limit)),
        AnnualOutpatient::Unconfirmed => {
            return Err(KogakuError::AnnualLimitUnconfirmed {
                period_start,
                category: category_on_base_date,
            });
        }
    };
    let benefit = annual_limit.map_or(Yen::ZERO, |limit| annual_amount.saturating_sub(limit));
    Ok(AnnualOutcome {
        annual_limit,
        annual_amount,
        benefit,
        rule_set: set.id,
        source: row.source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Age70to74Category::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    /// A year of 一般 outpatient care at the monthly cap: 12 × 18,000 = 216,000 borne.
    fn capped_year(start: &str, monthly: i64) -> Vec<(YearMonth, Yen, Yen)> {
        std::iter::successors(Some(ym(start)), |m| Some(m.succ()))
            .take(12)
            .map(|m| (m, Yen::new(monthly + 2_000), Yen::new(2_000)))
            .collect()
    }

    /// R8: 144,000 until the period starting 2025-08; 216,000 / 96,000 from 2026-08 (R14).
    #[test]
    fn annual_limits_by_period() {
        let cases = [
            ("2017-08", General, 14_000, Some(144_000), 168_000, 24_000),
            ("2018-08", General, 18_000, Some(144_000), 216_000, 72_000),
            ("2025-08", Low2, 8_000, Some(144_000), 96_000, 0),
            ("2025-08", Active1, 18_000, None, 216_000, 0),
            ("2026-08", General, 22_000, Some(216_000), 264_000, 48_000),
            ("2026-08", Low2, 11_000, Some(96_000), 132_000, 36_000),
        ];
        for (start, category, monthly, limit, amount, benefit) in cases {
            let got = simulate(ym(start), category, &capped_year(start, monthly)).unwrap();
            assert_eq!(got.annual_limit, limit.map(Yen::new), "{start}");
            assert_eq!(got.annual_amount, Yen::new(amount), "{start}");
            assert_eq!(got.benefit, Yen::new(benefit), "{start}");
        }
    }

    #[test]
    fn annual_refusals() {
        let ok = [(ym("2018-08"), Yen::new(10_000), Yen::ZERO)];
        assert_eq!(
            simulate(ym("2018-09"), General, &ok),
            Err(KogakuError::PeriodStartNotAugust {
                period_start: ym("2018-09")
            })
        );
        // before 外来年間合算 (base date 2017-07-31) and past the tables held (base 2028-07-31)
        assert_eq!(
            simulate(ym("2016-08"), General, &[]),
            Err(KogakuError::NoRuleTable { month: ym("2016-08") })
        );
        assert_eq!(
            simulate(ym("2027-08"), General, &[]),
            Err(KogakuError::NoRuleTable { month: ym("2028-07") })
        );
        assert_eq!(
            simulate(ym("2026-08"), Low1, &[]),
            Err(KogakuError::AnnualLimitUnconfirmed {
                period_start: ym("2026-08"),
                category: Low1
            })
        );
        let outside = [(ym("2019-08"), Yen::new(1), Yen::ZERO)];
        assert_eq!(
            simulate(ym("2018-08"), General, &outside),
            Err(KogakuError::MonthOutsidePeriod { month: ym("2019-08") })
        );
        let twice = [ok[0], ok[0]];
        assert_eq!(
            simulate(ym("2018-08"), General, &twice),
            Err(KogakuError::DuplicateMonth { month: ym("2018-08") })
        );
        let too_much = [(ym("2018-08"), Yen::new(1), Yen::new(2))];
        assert_eq!(
            simulate(ym("2018-08"), General, &too_much),
            Err(KogakuError::InvalidAnnualMonth { month: ym("2018-08") })
        );
        // exactly at the limit pays nothing; one yen above pays one yen
        let at = [(ym("2018-08"), Yen::new(144_000), Yen::ZERO)];
        assert_eq!(simulate(ym("2018-08"), General, &at).unwrap().benefit, Yen::ZERO);
        let above = [(ym("2018-08"), Yen::new(144_001), Yen::ZERO)];
        assert_eq!(simulate(ym("2018-08"), General, &above).unwrap().benefit, Yen::new(1));
    }
}
