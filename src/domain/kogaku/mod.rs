//! 高額療養費 (high-cost medical expense benefit): a pure rules engine.
//!
//! Rule ids R1..R16 refer to `shared/domain/kogaku.md`. Every computation is for one household and
//! one service month (診療月) and is a function of its explicit inputs only: no clock, no I/O.
//!
//! - [`engine::determine`] computes one household-month (R1-R7, R9, R10, R12, R13);
//! - [`annual::simulate`] computes 外来年間合算 for one 70-74 person (R8);
//! - [`limitation::lapses_after`] gives the last day a claim for a service month is in time (R15);
//! - [`rules`] holds the effective-dated limit tables as data (R1, R5, R10, R14).
//!
//! Amounts outside the 一部負担金 (meals, extra bed charges, uncovered care: R11) are not inputs at
//! all: `total_cost` is 総医療費 without them and `copayment` is the 一部負担金 only.
//!
//! # Readings chosen where kogaku.md is silent or unconfirmed
//!
//! Each is repeated where it is implemented. "Conservative" means: pay no more than a confirmed
//! rule gives, and flag the month ([`ReviewFlag`]) rather than guess.
//!
//! - Tables: none before 2015-01 (the 70-74 table "until 2017-07" is used from 2015-01 only) and
//!   none from 2027-08; the 2026-08 set is Likely and flags every month it decides. The 2026-08
//!   annual cap (年間上限) is not implemented (R14 says not to). 特定疾病 limits are unchanged in
//!   2026-08 (R14 lists no change).
//! - R3: a pharmacy claim joins the prescriber's *medical* outpatient unit unless
//!   [`Claim::prescribed_by_dentist`]; visiting nursing is its own unit and, for 70-74, outpatient.
//!   Pharmacy and visiting-nursing claims marked inpatient are refused.
//! - R6: the whole-household step runs only when an under-70 unit passed the 21,000 test.
//! - R7: only household-level steps (R4, R5 step 2, R6 step 3) make a month count; R5 step 1, R9
//!   individual and R10 benefits never do. A month whose only household-level benefit is the 70-74
//!   one counts only if the household has no under-70 member that month (else flagged). One
//!   history flag governs both household limits.
//! - R9: the 70-74 outpatient limit is halved too (Likely); the half 多数回 amount applies under R7;
//!   an under-70 former dependent is marked by [`Member::joined_on_insured_turning_75`].
//! - R10: 特定疾病 claims (marked per claim) are capped per unit and kept out of the ordinary
//!   aggregation (flagged).
//! - R13: a claim without `first_service_on` is excluded only when the whole month lies on or after
//!   the end of coverage; the 75th birthday ends coverage like `lost_on` (reason `reached_75`).
//! - Per-member amounts: each household-level benefit is shared in proportion to what each member
//!   brought into the step, floors then largest remainder (open question 4).
//! - R8: the limit is the one in force in the July ending the period; 現役並み on the base date has
//!   no annual limit (benefit 0); 低所得I from the 2026-08 period is refused (no amount stated).

pub mod annual;
mod elderly;
pub mod eligibility;
pub mod engine;
mod error;
pub mod limitation;
mod outcome;
pub mod rules;
mod run;
mod units;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod rule_cases;
#[cfg(test)]
mod worked_examples;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

pub use annual::{AnnualOutcome, simulate};
pub use eligibility::{AgeBracket, age_bracket};
pub use engine::determine;
pub use error::KogakuError;
pub use limitation::{lapses_after, limitation_starts_on};
pub use outcome::{
    Determination, ExcludedClaim, ExclusionReason, LimitKind, MemberBenefit, ReviewFlag, Scope, Step, StepRecord,
    limit_on_notice,
};
pub use rules::{RuleSet, rule_set_for};

pub use crate::domain::household::{Age70to74Category, Under70Category};

/// The household's categories in force for the service month. `age70to74` may be `None` only when
/// no member is 70-74 in that month ([`KogakuError::MissingCategory`] otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncomeCategories {
    pub under70: Under70Category,
    pub age70to74: Option<Age70to74Category>,
}

/// A member's id as the caller knows it. Cheap to clone (shared string), so results can name
/// members without copying text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberId(Arc<str>);

impl MemberId {
    pub fn new(id: &str) -> Self {
        Self(Arc::from(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MemberId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for MemberId {
    fn from(id: String) -> Self {
        Self(Arc::from(id))
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A provider code (医療機関コード / 薬局コード / 訪問看護ステーションコード): exactly 10 ASCII digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderCode([u8; 10]);

impl ProviderCode {
    /// Reads exactly 10 ASCII digits.
    pub fn parse(s: &str) -> Result<Self, KogakuError> {
        let bytes: [u8; 10] = s.as_bytes().try_into().map_err(|_| KogakuError::InvalidProviderCode)?;
        if bytes.iter().all(u8::is_ascii_digit) {
            Ok(Self(bytes))
        } else {
            Err(KogakuError::InvalidProviderCode)
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for ProviderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub use crate::domain::claim::{ClaimKind, Setting};

/// 特定疾病 (長期高額疾病) of R10, carried by a claim for care under a 特定疾病療養受療証.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecificDisease {
    /// 人工腎臓を実施している慢性腎不全 (dialysis): 20,000 for under-70 区分ア・イ
    Dialysis,
    /// 先天性血液凝固第VIII/IX因子障害 (hemophilia)
    Hemophilia,
    /// 血液製剤に起因するHIV感染症 (抗ウイルス剤を投与している後天性免疫不全症候群)
    Hiv,
}

/// A household member as the engine needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub birth_date: NaiveDate,
    /// Date of loss of eligibility (資格喪失日: the first day without it), R13.
    pub lost_on: Option<NaiveDate>,
    /// R9 for a person who is not the one turning 75: a former dependent (被扶養者) of an insured
    /// who turned 75 this month, who joined this insurer during the month. Halves this person's
    /// limits for the month (21,000 becomes 10,500 under 70). The person turning 75 is detected
    /// from `birth_date` and needs no flag.
    pub joined_on_insured_turning_75: bool,
}

impl Member {
    pub fn new(id: impl Into<MemberId>, birth_date: NaiveDate) -> Self {
        Self {
            id: id.into(),
            birth_date,
            lost_on: None,
            joined_on_insured_turning_75: false,
        }
    }

    pub fn lost_on(mut self, date: NaiveDate) -> Self {
        self.lost_on = Some(date);
        self
    }
}

/// One claim (レセプト) of the service month. Its index in the input slice is how results refer
/// to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub member_id: MemberId,
    pub provider: ProviderCode,
    pub kind: ClaimKind,
    pub setting: Setting,
    /// Required for [`ClaimKind::Pharmacy`], ignored otherwise.
    pub prescribing_provider: Option<ProviderCode>,
    /// For pharmacy: the prescription came from a dentist (歯科の処方せん), so the claim joins the
    /// prescriber's dental outpatient unit. When false (the default, and the only value the wire
    /// carries today) it joins the medical one (R3; our reading, Likely).
    pub prescribed_by_dentist: bool,
    /// 総医療費 in yen (points x 10), without meals or uncovered charges (R2.4, R11).
    pub total_cost: Yen,
    /// 一部負担金 the patient bore (after any window-side cap, R16).
    pub copayment: Yen,
    pub first_service_on: Option<NaiveDate>,
    /// Care under a 特定疾病療養受療証 (R10).
    pub specific_disease: Option<SpecificDisease>,
    /// 高額療養費 already paid to the provider at the window (現物給付, R16): not paid again, but
    /// it makes the month a benefit month for 多数回 (R7).
    pub window_benefit: Yen,
}

impl Claim {
    /// A claim with the optional fields empty.
    pub fn new(
        member_id: impl Into<MemberId>,
        provider: ProviderCode,
        kind: ClaimKind,
        setting: Setting,
        total_cost: Yen,
        copayment: Yen,
    ) -> Self {
        Self {
            member_id: member_id.into(),
            provider,
            kind,
            setting,
            prescribing_provider: None,
            prescribed_by_dentist: false,
            total_cost,
            copayment,
            first_service_on: None,
            specific_disease: None,
            window_benefit: Yen::ZERO,
        }
    }

    pub fn prescribed_by(mut self, prescriber: ProviderCode) -> Self {
        self.prescribing_provider = Some(prescriber);
        self
    }

    pub fn first_service_on(mut self, date: NaiveDate) -> Self {
        self.first_service_on = Some(date);
        self
    }

    pub fn specific_disease(mut self, disease: SpecificDisease) -> Self {
        self.specific_disease = Some(disease);
        self
    }
}

/// An earlier benefit month of the household (R7), as the store or the caller knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryMonth {
    pub service_month: YearMonth,
    pub counts_toward_multiple: bool,
}

/// Everything one household-month determination depends on.
#[derive(Clone, Copy, Debug)]
pub struct HouseholdMonth<'a> {
    pub service_month: YearMonth,
    pub categories: IncomeCategories,
    pub members: &'a [Member],
    pub claims: &'a [Claim],
    pub history: &'a [HistoryMonth],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_are_ten_digits() {
        assert_eq!(
            ProviderCode::parse("1310000001").map(|p| p.to_string()),
            Ok("1310000001".to_string())
        );
        for bad in ["131000000", "13100000011", "131000000a", "１３１０００００01", ""] {
            assert_eq!(ProviderCode::parse(bad), Err(KogakuError::InvalidProviderCode), "{bad}");
        }
    }

    #[test]
    fn wire_codes_round_trip() {
        for c in Under70Category::ALL {
            assert_eq!(Under70Category::parse(c.code()), Some(c));
        }
        for c in Age70to74Category::ALL {
            assert_eq!(Age70to74Category::parse(c.code()), Some(c));
        }
        assert_eq!(Under70Category::parse("x"), None);
        assert_eq!(ExclusionReason::LostEligibility.code(), "lost_eligibility");
        assert_eq!(
            KogakuError::MissingCategory {
                month: YearMonth::new(2024, 5).unwrap()
            }
            .code(),
            "missing_category"
        );
    }
}

/// [`HouseholdMonth`] with owned parts, for callers that build the inputs.
#[derive(Clone, Debug)]
pub struct HouseholdMonthInputs {
    pub service_month: YearMonth,
    pub categories: IncomeCategories,
    pub members: Vec<Member>,
    pub claims: Vec<Claim>,
    pub history: Vec<HistoryMonth>,
}

impl HouseholdMonthInputs {
    /// The borrowed view [`determine`] takes.
    pub fn view(&self) -> HouseholdMonth<'_> {
        HouseholdMonth {
            service_month: self.service_month,
            categories: self.categories,
            members: &self.members,
            claims: &self.claims,
            history: &self.history,
        }
    }
}
