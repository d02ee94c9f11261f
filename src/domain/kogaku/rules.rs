//! Limit tables (高額療養費算定基準額) as effective-dated data, keyed by service month (R1, R5, R10,
//! R14). Each row names its legal source. A month outside every rule set is an error, never a
//! guess: nothing is held before 2015-01 (R1: earlier start dates not researched) nor from 2027-08
//! (R14: the 13-band tables do not fit the wire's categories and are Likely-to-Unconfirmed).

use rust_decimal::Decimal;

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::{Age70to74Category, KogakuError, Under70Category};

/// 合算対象基準額 (R3): an under-70 unit counts only if its copayment is at least this
/// (健康保険法施行令41条1項1号 "二万千円以上"). Halved under R9 (10,500).
pub const UNIT_THRESHOLD: i64 = 21_000;
pub const UNIT_THRESHOLD_SOURCE: &str = "健康保険法施行令41条1項1号";

/// A monthly limit: `base + round_half_up((max(cost, over) − over) × 1%)` when `over` is set
/// (R2), the fixed `base` otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub base: i64,
    pub over: Option<i64>,
}

impl Limit {
    pub const fn fixed(base: i64) -> Self {
        Self { base, over: None }
    }

    pub const fn one_percent(base: i64, over: i64) -> Self {
        Self { base, over: Some(over) }
    }

    /// The limit for a cost base (R2): a total below the threshold counts as the threshold (the
    /// floor), and the 1% term is rounded half up to the yen (施行令42条: 五十銭以上切上げ).
    pub fn amount(self, cost_base: Yen) -> Yen {
        match self.over {
            None => Yen::new(self.base),
            Some(over) => {
                let excess = cost_base.saturating_sub(Yen::new(over));
                Yen::new(self.base) + Yen::round_half_up(excess.amount() * Decimal::new(1, 2))
            }
        }
    }

    /// Half of the limit, base and threshold alike (R9: 40,050 + (総医療費 − 133,500) × 1%).
    /// Every amount in the tables is even (tested); an odd one is refused rather than rounded.
    pub fn half(self) -> Result<Self, KogakuError> {
        let base = half_of(self.base)?;
        let over = match self.over {
            Some(o) => Some(half_of(o)?),
            None => None,
        };
        Ok(Self { base, over })
    }
}

/// Exact half of a table amount (R9).
pub fn half_of(amount: i64) -> Result<i64, KogakuError> {
    if amount % 2 == 0 {
        Ok(amount / 2)
    } else {
        Err(KogakuError::OddHalf)
    }
}

/// How sure kogaku.md is of a rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    Confirmed,
    /// Resting on secondary sources (R14); determinations carry a review flag.
    Likely,
}

/// Under-70 row (R1), also the whole-household limit of a mixed household (R6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Under70Row {
    pub category: Under70Category,
    pub monthly: Limit,
    /// 多数回 amount (R7), fixed.
    pub multiple: i64,
    pub source: &'static str,
}

/// Annual outpatient limit of a 70-74 row (外来年間合算, R8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnualOutpatient {
    /// The category gets no annual outpatient benefit (現役並み).
    NotApplicable,
    Limit(i64),
    /// kogaku.md states no amount (低所得I from 2026-08): refused, not guessed.
    Unconfirmed,
}

/// 70-74 row (R5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Age70to74Row {
    pub category: Age70to74Category,
    /// 外来・個人単位 limit; `None` = no outpatient step (現役並み from 2018-08).
    pub outpatient: Option<i64>,
    /// 外来＋入院・世帯単位 limit.
    pub household: Limit,
    /// 多数回 amount for the household limit; `None` = none (低所得, or already equal).
    pub multiple: Option<i64>,
    pub annual_outpatient: AnnualOutpatient,
    pub source: &'static str,
}

/// 特定疾病 limits per unit (R10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecificDiseaseRow {
    pub limit: i64,
    /// Dialysis, under 70, 上位所得 (区分ア・イ).
    pub dialysis_upper_income_under70: i64,
    pub source: &'static str,
}

/// All tables in force for a range of service months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleSet {
    /// The first month, `YYYY-MM`; also the id reported as `rule_set`.
    pub id: &'static str,
    /// First and last service month (inclusive) as (year, month).
    pub from: (i32, u32),
    pub until: (i32, u32),
    pub confidence: Confidence,
    /// Indexed in [`Under70Category::ALL`] order.
    pub under70: [Under70Row; 5],
    /// Indexed in [`Age70to74Category::ALL`] order.
    pub age70to74: [Age70to74Row; 6],
    pub specific_disease: SpecificDiseaseRow,
    /// 外来年間合算 exists for periods whose base date falls in this rule set (since 2017-08, R8).
    pub annual_outpatient_in_force: bool,
}

impl RuleSet {
    pub fn contains(&self, month: YearMonth) -> bool {
        let m = (month.year(), month.month());
        self.from <= m && m <= self.until
    }

    pub fn under70(&self, category: Under70Category) -> &Under70Row {
        &self.under70[category as usize]
    }

    pub fn age70to74(&self, category: Age70to74Category) -> &Age70to74Row {
        &self.age70to74[category as usize]
    }
}

/// The rule set for a service month (R1, R5, R14).
pub fn rule_set_for(month: YearMonth) -> Result<&'static RuleSet, KogakuError> {
    RULE_SETS
        .iter()
        .find(|set| set.contains(month))
        .ok_or(KogakuError::NoRuleTable { month })
}

use Age70to74Category as C7;
use Under70Category as C;

const fn u70(category: C, monthly: Limit, multiple: i64, source: &'static str) -> Under70Row {
    Under70Row {
        category,
        monthly,
        multiple,
        source,
    }
}

const fn o70(
    category: C7,
    outpatient: Option<i64>,
    household: Limit,
    multiple: Option<i64>,
    annual_outpatient: AnnualOutpatient,
    source: &'static str,
) -> Age70to74Row {
    Age70to74Row {
        category,
        outpatient,
        household,
        multiple,
        annual_outpatient,
        source,
    }
}

use AnnualOutpatient::{Limit as Annual, NotApplicable as NoAnnual};

const U70_2015: &str = "健康保険法施行令42条1項 (2015-01); 国民健康保険法施行令 同額";
const U70_2026: &str = "健康保険法施行令42条1項 (2026-08, 令和8年政令第240号; secondary, Likely)";
const O70_2015: &str = "健康保険法施行令42条3項・5項 (〜2017-07)";
const O70_2017: &str = "健康保険法施行令42条3項・5項, 41条の2 (2017-08)";
const O70_2018: &str = "健康保険法施行令42条3項・5項, 41条の2 (2018-08)";
const O70_2026: &str = "健康保険法施行令42条3項・5項, 41条の2 (2026-08, 令和8年政令第240号; secondary, Likely)";

const UNDER70_2015: [Under70Row; 5] = [
    u70(C::A, Limit::one_percent(252_600, 842_000), 140_100, U70_2015),
    u70(C::I, Limit::one_percent(167_400, 558_000), 93_000, U70_2015),
    u70(C::U, Limit::one_percent(80_100, 267_000), 44_400, U70_2015),
    u70(C::E, Limit::fixed(57_600), 44_400, U70_2015),
    u70(C::O, Limit::fixed(35_400), 24_600, U70_2015),
];

/// Before 2018-08 the three 現役並み values share the single 現役並み row.
const ACTIVE_2015: Limit = Limit::one_percent(80_100, 267_000);

/// 特定疾病 (R10): not among the 2026-08 changes kogaku.md lists, so kept for every period.
const SPECIFIC: SpecificDiseaseRow = SpecificDiseaseRow {
    limit: 10_000,
    dialysis_upper_income_under70: 20_000,
    source: "健康保険法施行令42条9項 (特定疾病)",
};

/// The rule sets held, oldest first, contiguous.
pub const RULE_SETS: [RuleSet; 4] = [
    RuleSet {
        id: "2015-01",
        from: (2015, 1),
        until: (2017, 7),
        confidence: Confidence::Confirmed,
        under70: UNDER70_2015,
        age70to74: [
            o70(C7::Active3, Some(44_400), ACTIVE_2015, Some(44_400), NoAnnual, O70_2015),
            o70(C7::Active2, Some(44_400), ACTIVE_2015, Some(44_400), NoAnnual, O70_2015),
            o70(C7::Active1, Some(44_400), ACTIVE_2015, Some(44_400), NoAnnual, O70_2015),
            o70(
                C7::General,
                Some(12_000),
                Limit::fixed(44_400),
                None,
                NoAnnual,
                O70_2015,
            ),
            o70(C7::Low2, Some(8_000), Limit::fixed(24_600), None, NoAnnual, O70_2015),
            o70(C7::Low1, Some(8_000), Limit::fixed(15_000), None, NoAnnual, O70_2015),
        ],
        specific_disease: SPECIFIC,
        annual_outpatient_in_force: false,
    },
    RuleSet {
        id: "2017-08",
        from: (2017, 8),
        until: (2018, 7),
        confidence: Confidence::Confirmed,
        under70: UNDER70_2015,
        age70to74: [
            o70(C7::Active3, Some(57_600), ACTIVE_2015, Some(44_400), NoAnnual, O70_2017),
            o70(C7::Active2, Some(57_600), ACTIVE_2015, Some(44_400), NoAnnual, O70_2017),
            o70(C7::Active1, Some(57_600), ACTIVE_2015, Some(44_400), NoAnnual, O70_2017),
            o70(
                C7::General,
                Some(14_000),
                Limit::fixed(57_600),
                Some(44_400),
                Annual(144_000),
                O70_2017,
            ),
            o70(
                C7::Low2,
                Some(8_000),
                Limit::fixed(24_600),
                None,
                Annual(144_000),
                O70_2017,
            ),
            o70(
                C7::Low1,
                Some(8_000),
                Limit::fixed(15_000),
                None,
                Annual(144_000),
                O70_2017,
            ),
        ],
        specific_disease: SPECIFIC,
        annual_outpatient_in_force: true,
    },
    RuleSet {
        id: "2018-08",
        from: (2018, 8),
        until: (2026, 7),
        confidence: Confidence::Confirmed,
        under70: UNDER70_2015,
        age70to74: [
            o70(
                C7::Active3,
                None,
                Limit::one_percent(252_600, 842_000),
                Some(140_100),
                NoAnnual,
                O70_2018,
            ),
            o70(
                C7::Active2,
                None,
                Limit::one_percent(167_400, 558_000),
                Some(93_000),
                NoAnnual,
                O70_2018,
            ),
            o70(
                C7::Active1,
                None,
                Limit::one_percent(80_100, 267_000),
                Some(44_400),
                NoAnnual,
                O70_2018,
            ),
            o70(
                C7::General,
                Some(18_000),
                Limit::fixed(57_600),
                Some(44_400),
                Annual(144_000),
                O70_2018,
            ),
            o70(
                C7::Low2,
                Some(8_000),
                Limit::fixed(24_600),
                None,
                Annual(144_000),
                O70_2018,
            ),
            o70(
                C7::Low1,
                Some(8_000),
                Limit::fixed(15_000),
                None,
                Annual(144_000),
                O70_2018,
            ),
        ],
        specific_disease: SPECIFIC,
        annual_outpatient_in_force: true,
    },
    RuleSet {
        id: "2026-08",
        from: (2026, 8),
        until: (2027, 7),
        confidence: Confidence::Likely,
        under70: [
            u70(C::A, Limit::one_percent(270_300, 901_000), 140_100, U70_2026),
            u70(C::I, Limit::one_percent(179_100, 597_000), 93_000, U70_2026),
            u70(C::U, Limit::one_percent(85_800, 286_000), 44_400, U70_2026),
            u70(C::E, Limit::fixed(61_500), 44_400, U70_2026),
            u70(C::O, Limit::fixed(36_900), 24_600, U70_2026),
        ],
        age70to74: [
            o70(
                C7::Active3,
                None,
                Limit::one_percent(270_300, 901_000),
                Some(140_100),
                NoAnnual,
                O70_2026,
            ),
            o70(
                C7::Active2,
                None,
                Limit::one_percent(179_100, 597_000),
                Some(93_000),
                NoAnnual,
                O70_2026,
            ),
            o70(
                C7::Active1,
                None,
                Limit::one_percent(85_800, 286_000),
                Some(44_400),
                NoAnnual,
                O70_2026,
            ),
            o70(
                C7::General,
                Some(22_000),
                Limit::fixed(61_500),
                Some(44_400),
                Annual(216_000),
                O70_2026,
            ),
            o70(
                C7::Low2,
                Some(11_000),
                Limit::fixed(25_700),
                Some(24_600),
                Annual(96_000),
                O70_2026,
            ),
            o70(
                C7::Low1,
                Some(8_000),
                Limit::fixed(15_700),
                None,
                AnnualOutpatient::Unconfirmed,
                O70_2026,
            ),
        ],
        specific_disease: SPECIFIC,
        annual_outpatient_in_force: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    /// R1, R5, R14: a month just before and at each boundary, and months with no table.
    #[test]
    fn each_period_and_its_boundaries() {
        let cases = [
            ("2014-12", None),
            ("2015-01", Some("2015-01")),
            ("2017-07", Some("2015-01")),
            ("2017-08", Some("2017-08")),
            ("2018-07", Some("2017-08")),
            ("2018-08", Some("2018-08")),
            ("2025-08", Some("2018-08")),
            ("2026-07", Some("2018-08")),
            ("2026-08", Some("2026-08")),
            ("2027-07", Some("2026-08")),
            ("2027-08", None),
        ];
        for (month, want) in cases {
            let got = rule_set_for(ym(month)).map(|s| s.id);
            match want {
                Some(id) => assert_eq!(got, Ok(id), "{month}"),
                None => assert_eq!(got, Err(KogakuError::NoRuleTable { month: ym(month) }), "{month}"),
            }
        }
    }

    #[test]
    fn rule_sets_are_contiguous_and_rows_indexed_by_category() {
        for pair in RULE_SETS.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let next = YearMonth::new(a.until.0, a.until.1).unwrap().succ();
            assert_eq!((next.year(), next.month()), b.from, "{} -> {}", a.id, b.id);
        }
        for set in &RULE_SETS {
            assert_eq!(set.id, format!("{:04}-{:02}", set.from.0, set.from.1));
            for c in Under70Category::ALL {
                assert_eq!(set.under70(c).category, c);
            }
            for c in Age70to74Category::ALL {
                assert_eq!(set.age70to74(c).category, c);
            }
        }
    }

    /// R9 halves every amount; all of them must halve to whole yen.
    #[test]
    fn every_amount_halves_exactly() {
        for set in &RULE_SETS {
            for row in &set.under70 {
                assert!(
                    row.monthly.half().is_ok() && half_of(row.multiple).is_ok(),
                    "{}",
                    set.id
                );
            }
            for row in &set.age70to74 {
                assert!(row.household.half().is_ok(), "{}", set.id);
                assert!(row.outpatient.map_or(Ok(0), half_of).is_ok(), "{}", set.id);
                assert!(row.multiple.map_or(Ok(0), half_of).is_ok(), "{}", set.id);
            }
            assert!(half_of(set.specific_disease.limit).is_ok());
            assert!(half_of(set.specific_disease.dialysis_upper_income_under70).is_ok());
        }
        assert_eq!(half_of(21_001), Err(KogakuError::OddHalf));
        assert_eq!(
            Limit::one_percent(80_100, 267_000).half(),
            Ok(Limit::one_percent(40_050, 133_500))
        );
    }

    /// R2: floor at the threshold, half-up rounding of the 1% term.
    #[test]
    fn one_percent_term_floor_and_rounding() {
        let u = Limit::one_percent(80_100, 267_000);
        let cases = [
            (0, 80_100),                 // floor: below the threshold counts as the threshold
            (266_990, 80_100),           // still below
            (267_000, 80_100),           // exactly the threshold
            (267_040, 80_100),           // 0.4 -> 0
            (267_050, 80_101),           // 0.5 -> 1 (half up)
            (267_140, 80_101),           // 1.4 -> 1
            (267_150, 80_102),           // 1.5 -> 2
            (1_234_550, 80_100 + 9_676), // kogaku.md R2 hand check: 9,675.50 -> 9,676
            (1_000_000, 87_430),         // R16 / MHLW example
            (700_000, 84_430),           // 大和市 6995
        ];
        for (cost, want) in cases {
            assert_eq!(u.amount(Yen::new(cost)), Yen::new(want), "cost {cost}");
        }
        assert_eq!(Limit::fixed(57_600).amount(Yen::new(5_000_000)), Yen::new(57_600));
        // R14: MHLW's published 2026-08 example.
        let u26 = rule_set_for(ym("2026-08")).unwrap().under70(Under70Category::U).monthly;
        assert_eq!(u26.amount(Yen::new(1_000_000)), Yen::new(92_940));
    }

    /// R1 and R5 tables as kogaku.md states them, spot-checked per period.
    #[test]
    fn table_amounts() {
        let at = |m: &str| rule_set_for(ym(m)).unwrap();
        let cost = Yen::new(1_000_000);
        assert_eq!(at("2016-05").under70(C::A).monthly.amount(cost), Yen::new(254_180));
        assert_eq!(at("2016-05").under70(C::I).monthly.amount(cost), Yen::new(171_820));
        assert_eq!(at("2016-05").under70(C::O).multiple, 24_600);
        assert_eq!(at("2017-07").age70to74(C7::General).outpatient, Some(12_000));
        assert_eq!(at("2017-08").age70to74(C7::General).outpatient, Some(14_000));
        assert_eq!(at("2017-08").age70to74(C7::Active1).outpatient, Some(57_600));
        assert_eq!(at("2018-07").age70to74(C7::Active3).outpatient, Some(57_600));
        assert_eq!(at("2018-08").age70to74(C7::Active3).outpatient, None);
        assert_eq!(at("2018-08").age70to74(C7::General).outpatient, Some(18_000));
        assert_eq!(at("2026-08").age70to74(C7::General).outpatient, Some(22_000));
        assert_eq!(at("2026-08").age70to74(C7::Low2).multiple, Some(24_600));
        assert_eq!(at("2026-08").age70to74(C7::Low1).household, Limit::fixed(15_700));
        assert_eq!(at("2026-08").confidence, Confidence::Likely);
    }
}
