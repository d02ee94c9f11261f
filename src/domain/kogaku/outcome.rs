//! What a household-month determination answers: the benefit, who gets which part, and the ordered
//! trace of steps behind it.

use std::fmt;

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::{MemberId, ProviderCode, Setting};

/// The result of [`super::determine`] for one household and one service month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Determination {
    pub service_month: YearMonth,
    /// Id of the rule set (limit tables) used, e.g. `"2018-08"` ([`super::rules::RuleSet::id`]).
    pub rule_set: &'static str,
    pub total_benefit: Yen,
    /// Every input member in input order; the amounts add up to `total_benefit`.
    pub members: Vec<MemberBenefit>,
    /// The trace, in the order the steps were applied.
    pub steps: Vec<Step>,
    /// A 多数回 (R7) amount was used as a limit in some step.
    pub multiple_applied: bool,
    /// This month counts toward 多数回 for later months (R7): a household-level step paid.
    pub counts_toward_multiple: bool,
    pub excluded_claims: Vec<ExcludedClaim>,
    /// Points kogaku.md leaves open that touched this month; a person should look before paying.
    pub review: Vec<ReviewFlag>,
}

/// One member's part of the benefit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberBenefit {
    pub member_id: MemberId,
    pub benefit: Yen,
}

/// A claim left out of the computation, by its index in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcludedClaim {
    pub index: usize,
    pub reason: ExclusionReason,
}

/// Why a claim was left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExclusionReason {
    /// Care on or after the date of loss of eligibility (資格喪失後受診, R13).
    LostEligibility,
    /// Care on or after the 75th birthday: 後期高齢者医療 covers it (R12, R13).
    Reached75,
}

impl ExclusionReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::LostEligibility => "lost_eligibility",
            Self::Reached75 => "reached_75",
        }
    }
}

/// One step of the trace: what was summed (`scope`, `copayments`), the cost base of any 1% term,
/// the limit applied and the rule and legal source behind it, what was paid and what remains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Rule id of kogaku.md, e.g. `"R3"`, `"R5"`.
    pub rule: &'static str,
    pub scope: Scope,
    /// Sum of the copayments entering the step (for household steps: the amounts still remaining
    /// from earlier steps plus the copayments that enter here).
    pub copayments: Yen,
    /// 総医療費 on which a 1% term is computed (R2); shown for every step.
    pub cost_base: Yen,
    pub limit: Yen,
    pub limit_kind: LimitKind,
    /// The limit is half the table amount (75歳到達月, R9).
    pub halved: bool,
    /// Legal source of the table row the limit comes from.
    pub source: &'static str,
    pub paid: Yen,
    /// What remains borne after the step: `min(copayments, limit)`; for an R3 unit, the copayment
    /// that goes on to aggregation (zero when the unit is left out).
    pub remaining: Yen,
}

/// What a step's limit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// The 21,000-yen (10,500 under R9) 合算対象基準額 a unit must reach (R3). Pays nothing.
    UnitThreshold,
    /// The monthly 自己負担限度額 (R1, R5 household, R9 individual), with its 1% term if any.
    Monthly,
    /// The 多数回 amount (R7).
    Multiple,
    /// The 70-74 outpatient individual limit (外来特例, R5 step 1).
    Outpatient,
    /// The 特定疾病 limit per unit (R10).
    SpecificDisease,
}

impl LimitKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnitThreshold => "unit_threshold",
            Self::Monthly => "monthly",
            Self::Multiple => "multiple",
            Self::Outpatient => "outpatient",
            Self::SpecificDisease => "specific_disease",
        }
    }
}

/// What a step summed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One claim unit (R3; R10 for 特定疾病 units). `department` is `medical`, `dental`,
    /// `visiting_nursing`, or `pharmacy` (a 特定疾病 pharmacy unit only).
    Unit {
        member: MemberId,
        provider: ProviderCode,
        department: &'static str,
        setting: Setting,
    },
    /// One 70-74 member's outpatient copayments (外来・個人単位, R5 step 1).
    MemberOutpatient { member: MemberId },
    /// One member's individual step in the 75歳到達月 (R9).
    MemberAge75Month { member: MemberId },
    /// All 70-74 members (外来＋入院・世帯単位, R5 step 2).
    Age70to74Household,
    /// The whole household (世帯合算, R4; R6 step 3 in a mixed household).
    Household,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unit {
                member,
                provider,
                department,
                setting,
            } => {
                let setting = match setting {
                    Setting::Inpatient => "inpatient",
                    Setting::Outpatient => "outpatient",
                };
                write!(f, "member {member} {provider} {department} {setting}")
            }
            Self::MemberOutpatient { member } => write!(f, "member {member} outpatient"),
            Self::MemberAge75Month { member } => write!(f, "member {member} 75th-birthday month"),
            Self::Age70to74Household => f.write_str("household 70-74"),
            Self::Household => f.write_str("household"),
        }
    }
}

/// A point where kogaku.md is unconfirmed and this month depended on the reading we chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReviewFlag {
    /// 特定疾病 claims were computed as their own units and kept out of the ordinary aggregation
    /// (R10, open question 3).
    SpecificDiseaseAggregation,
    /// In a mixed household only the 70-74 household step paid; we do not count the month toward
    /// 多数回 (R7, open question 2).
    MixedHouseholdMultipleCount,
    /// Only a 75歳到達月 individual step paid; we do not count the month toward 多数回 (R7, R9).
    Age75MonthMultipleCount,
    /// Only a 現役並み outpatient-individual step paid (tables until 2018-07); we do not count the
    /// month toward 多数回 (R7: not confirmed either way).
    ActiveOutpatientMultipleCount,
    /// The rule set is Likely, not verified against the primary text (R14: 2026-08 tables).
    UnverifiedRuleTable,
    /// A household-level step's copayments equal its limit exactly: probably capped at the window
    /// (現物給付), which would make this a 多数回 month although no cash is due (R16).
    PossibleWindowBenefit,
}

impl ReviewFlag {
    pub fn code(self) -> &'static str {
        match self {
            Self::SpecificDiseaseAggregation => "specific_disease_aggregation",
            Self::MixedHouseholdMultipleCount => "mixed_household_multiple_count",
            Self::Age75MonthMultipleCount => "age75_month_multiple_count",
            Self::ActiveOutpatientMultipleCount => "active_outpatient_multiple_count",
            Self::UnverifiedRuleTable => "unverified_rule_table",
            Self::PossibleWindowBenefit => "possible_window_benefit",
        }
    }
}

/// A step as the wire and the store carry it (whole yen as integers, codes as strings).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StepRecord {
    /// Rule id of the rule reference, e.g. `R3`, `R4`, `R5`.
    pub rule: String,
    /// What was summed, e.g. `member m1 outpatient`, `household`.
    pub scope: String,
    /// The copayments entering the step.
    pub copayments: i64,
    /// 総医療費 on which the 1% term is computed.
    pub cost_base: i64,
    pub limit: i64,
    /// `unit_threshold`, `monthly`, `multiple`, `outpatient`, `specific_disease`.
    pub limit_kind: String,
    /// Halved for the 75th-birthday month (R9).
    pub halved: bool,
    /// The legal source of the limit.
    pub source: String,
    pub paid: i64,
    pub remaining: i64,
}

impl From<&Step> for StepRecord {
    fn from(s: &Step) -> Self {
        Self {
            rule: s.rule.to_string(),
            scope: s.scope.to_string(),
            copayments: s.copayments.as_i64(),
            cost_base: s.cost_base.as_i64(),
            limit: s.limit.as_i64(),
            limit_kind: s.limit_kind.code().to_string(),
            halved: s.halved,
            source: s.source.to_string(),
            paid: s.paid.as_i64(),
            remaining: s.remaining.as_i64(),
        }
    }
}

/// The limit a decision notice (支給決定通知書) shows as 自己負担限度額: the last step over the
/// whole household, which is the limit the calculation ended on; for a calculation without one,
/// its last step.
pub fn limit_on_notice(steps: &[StepRecord]) -> Option<&StepRecord> {
    steps
        .iter()
        .rev()
        .find(|s| s.scope.starts_with("household"))
        .or(steps.last())
}

#[cfg(test)]
mod notice_tests {
    use super::*;

    fn step(scope: &str, limit: i64) -> StepRecord {
        StepRecord {
            rule: "R3".into(),
            scope: scope.into(),
            copayments: 0,
            cost_base: 0,
            limit,
            limit_kind: "monthly".into(),
            halved: false,
            source: String::new(),
            paid: 0,
            remaining: 0,
        }
    }

    #[test]
    fn the_notice_shows_the_last_household_limit_or_else_the_last_step() {
        let steps = [
            step("member m1 outpatient", 18_000),
            step("household 70-74", 57_600),
            step("household", 80_100),
            step("member m2 outpatient", 18_000),
        ];
        assert_eq!(limit_on_notice(&steps).map(|s| s.limit), Some(80_100));
        assert_eq!(limit_on_notice(&steps[..1]).map(|s| s.limit), Some(18_000));
        assert_eq!(limit_on_notice(&[]), None);
    }
}
