//! `POST /v1/benefit-calculations/simulate` and `.../annual-outpatient/simulate`: the high-cost
//! benefit engine (高額療養費, kogaku R1-R16) without storing anything.

use actix_web::{HttpResponse, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::extract::Body;
use crate::domain::Violations;
use crate::domain::calendar::YearMonth;
use crate::domain::claim::{ClaimKind, Setting};
use crate::domain::household::{Age70to74Category, Under70Category};
use crate::domain::kogaku::{self, KogakuError, ProviderCode, SpecificDisease, StepRecord};
use crate::domain::money::{ABOVE_MAX, MAX_AMOUNT, Yen};
use crate::error::{ApiError, Problem, kogaku_error};
use crate::http::auth::Auth;
use crate::http::auth::scope::BenefitsRead;

/// The household's income categories for the month.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeCategoryInput {
    pub under70: Under70Category,
    /// May be null when no member is 70-74 in the month.
    #[serde(default)]
    pub age70to74: Option<Age70to74Category>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimMember {
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub id: String,
    pub birth_date: NaiveDate,
    /// 資格喪失日: claims from this day on are excluded (R13).
    #[serde(default)]
    pub lost_on: Option<NaiveDate>,
}

/// 特定疾病 of a claim under a 特定疾病療養受療証 (R10).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpecificDiseaseInput {
    Dialysis,
    Hemophilia,
    Hiv,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimClaim {
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub member_id: String,
    /// 医療機関コード: 10 digits.
    #[schema(pattern = r"^[0-9]{10}$")]
    pub provider_code: String,
    pub kind: ClaimKind,
    pub setting: Setting,
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{10}$")]
    pub prescribing_provider_code: Option<String>,
    /// 総医療費, whole yen, at most 99,999,999,999.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub total_cost: i64,
    /// 一部負担金, whole yen, at most 99,999,999,999.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub copayment: i64,
    #[serde(default)]
    pub first_service_on: Option<NaiveDate>,
    #[serde(default)]
    pub specific_disease: Option<SpecificDiseaseInput>,
    /// 高額療養費 already paid to the provider at the window (現物給付, R16), whole yen: the
    /// month then counts toward 多数回 whether or not cash follows.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub window_benefit: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitMonth {
    /// `YYYY-MM`
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: String,
    pub counts_toward_multiple: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimHistory {
    #[serde(default)]
    pub benefit_months: Vec<BenefitMonth>,
}

/// One household-month to compute.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// `YYYY-MM`, a month the benefit's rule tables cover (2015-01 to 2027-07).
    #[schema(pattern = r"^(20(1[5-9]|2[0-6])-(0[1-9]|1[0-2])|2027-0[1-7])$")]
    pub service_month: String,
    pub income_category: IncomeCategoryInput,
    pub members: Vec<SimMember>,
    pub claims: Vec<SimClaim>,
    /// Earlier benefit months of the household, for 多数回該当 (R7).
    #[serde(default)]
    pub history: Option<SimHistory>,
}

/// One member's share of the benefit.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBenefitView {
    pub member_id: String,
    pub benefit: i64,
}

/// Why a claim was left out: `lost_eligibility` (R13) or `reached_75`; mirrors the codes of the
/// engine's `ExclusionReason`.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    LostEligibility,
    #[serde(rename = "reached_75")]
    Reached75,
}

/// A reading a person should confirm before paying; mirrors the codes of the engine's
/// `ReviewFlag`.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFlag {
    SpecificDiseaseAggregation,
    MixedHouseholdMultipleCount,
    Age75MonthMultipleCount,
    ActiveOutpatientMultipleCount,
    UnverifiedRuleTable,
    PossibleWindowBenefit,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct ExcludedClaimView {
    /// Index of the claim in the request (or in the stored claim list).
    pub index: usize,
    /// `lost_eligibility` or `reached_75`.
    #[schema(value_type = ExclusionReason)]
    pub reason: String,
}

/// The determination of one household-month.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulateResponse {
    pub service_month: String,
    /// The limit tables used, named by the month they start.
    pub rule_set: String,
    pub total_benefit: i64,
    pub members: Vec<MemberBenefitView>,
    pub steps: Vec<StepRecord>,
    pub multiple_applied: bool,
    pub counts_toward_multiple: bool,
    pub excluded_claims: Vec<ExcludedClaimView>,
    /// Unconfirmed readings this month depended on; a person should look before paying.
    #[schema(value_type = Vec<ReviewFlag>)]
    pub review: Vec<String>,
}

/// The wire view of a determination's trace.
pub fn steps_view(d: &kogaku::Determination) -> Vec<StepRecord> {
    d.steps.iter().map(StepRecord::from).collect()
}

pub fn excluded_view(d: &kogaku::Determination) -> Vec<ExcludedClaimView> {
    d.excluded_claims
        .iter()
        .map(|e| ExcludedClaimView {
            index: e.index,
            reason: e.reason.code().to_string(),
        })
        .collect()
}

pub fn review_view(d: &kogaku::Determination) -> Vec<String> {
    d.review.iter().map(|r| r.code().to_string()).collect()
}

fn month(v: &mut Violations, field: &str, s: &str) -> Option<YearMonth> {
    v.check(field, YearMonth::parse(s))
}

impl SimulateRequest {
    fn into_engine(self) -> Result<kogaku::HouseholdMonthInputs, ApiError> {
        let mut v = Violations::new();
        let service_month = month(&mut v, "service_month", &self.service_month);
        let members: Vec<kogaku::Member> = self
            .members
            .into_iter()
            .map(|m| kogaku::Member {
                id: m.id.into(),
                birth_date: m.birth_date,
                lost_on: m.lost_on,
                joined_on_insured_turning_75: false,
            })
            .collect();
        let mut claims = Vec::with_capacity(self.claims.len());
        for (i, c) in self.claims.into_iter().enumerate() {
            if c.total_cost < 0 {
                v.push(format!("claims[{i}].total_cost"), "must not be negative");
            }
            if c.total_cost > MAX_AMOUNT {
                v.push(format!("claims[{i}].total_cost"), ABOVE_MAX);
            }
            if c.copayment < 0 {
                v.push(format!("claims[{i}].copayment"), "must not be negative");
            }
            if c.copayment > MAX_AMOUNT {
                v.push(format!("claims[{i}].copayment"), ABOVE_MAX);
            }
            if c.window_benefit.is_some_and(|w| !(0..=MAX_AMOUNT).contains(&w)) {
                v.push(format!("claims[{i}].window_benefit"), "must be 0 to 99,999,999,999");
            }
            let provider = v.check(
                &format!("claims[{i}].provider_code"),
                ProviderCode::parse(&c.provider_code),
            );
            let prescriber = match &c.prescribing_provider_code {
                Some(p) => v.check(
                    &format!("claims[{i}].prescribing_provider_code"),
                    ProviderCode::parse(p),
                ),
                None => None,
            };
            if let Some(provider) = provider {
                claims.push(kogaku::Claim {
                    member_id: c.member_id.into(),
                    provider,
                    kind: c.kind,
                    setting: c.setting,
                    prescribing_provider: prescriber,
                    prescribed_by_dentist: false,
                    total_cost: Yen::new(c.total_cost),
                    copayment: Yen::new(c.copayment),
                    first_service_on: c.first_service_on,
                    window_benefit: Yen::new(c.window_benefit.unwrap_or(0)),
                    specific_disease: c.specific_disease.map(|d| match d {
                        SpecificDiseaseInput::Dialysis => SpecificDisease::Dialysis,
                        SpecificDiseaseInput::Hemophilia => SpecificDisease::Hemophilia,
                        SpecificDiseaseInput::Hiv => SpecificDisease::Hiv,
                    }),
                });
            }
        }
        let mut history = Vec::new();
        for (i, h) in self.history.unwrap_or_default().benefit_months.into_iter().enumerate() {
            if let Some(m) = month(
                &mut v,
                &format!("history.benefit_months[{i}].service_month"),
                &h.service_month,
            ) {
                history.push(kogaku::HistoryMonth {
                    service_month: m,
                    counts_toward_multiple: h.counts_toward_multiple,
                });
            }
        }
        let categories = kogaku::IncomeCategories {
            under70: self.income_category.under70,
            age70to74: self.income_category.age70to74,
        };
        match service_month {
            Some(service_month) if v.is_empty() => Ok(kogaku::HouseholdMonthInputs {
                service_month,
                categories,
                members,
                claims,
                history,
            }),
            _ => Err(v.into()),
        }
    }
}

/// Compute the high-cost benefit (高額療養費) of one household-month, storing nothing.
#[utoipa::path(
    tag = "benefits",
    request_body = SimulateRequest,
    responses(
        (status = 200, description = "The determination with its trace", body = SimulateResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, or no rule table for the month (code no_rule_table)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[post("/benefit-calculations/simulate")]
pub async fn simulate_benefit(
    _auth: Auth<BenefitsRead>,
    body: Body<SimulateRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value.into_engine()?;
    let d = kogaku::determine(&input.view()).map_err(|e| kogaku_error(e, "claims"))?;
    Ok(HttpResponse::Ok().json(SimulateResponse {
        service_month: d.service_month.to_string(),
        rule_set: d.rule_set.to_string(),
        total_benefit: d.total_benefit.as_i64(),
        members: d
            .members
            .iter()
            .map(|m| MemberBenefitView {
                member_id: m.member_id.to_string(),
                benefit: m.benefit.as_i64(),
            })
            .collect(),
        steps: steps_view(&d),
        multiple_applied: d.multiple_applied,
        counts_toward_multiple: d.counts_toward_multiple,
        excluded_claims: excluded_view(&d),
        review: review_view(&d),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnualMonth {
    /// `YYYY-MM`, within the period.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: String,
    /// Outpatient 一部負担金 of the month, whole yen, at most 99,999,999,999.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub outpatient_copayment: i64,
    /// The monthly high-cost benefit attributable to that outpatient care, whole yen, not above
    /// `outpatient_copayment`.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub outpatient_monthly_benefit: i64,
}

/// 外来年間合算 (R8) for one 70-74 person: August to July, base date July 31.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AnnualSimulateRequest {
    /// `YYYY-08`, a period whose base date has an annual limit in the rule tables (2017-08 to
    /// 2026-08).
    #[schema(pattern = r"^20(1[7-9]|2[0-6])-08$")]
    pub period_start: String,
    /// The category on July 31 ending the period.
    pub category_on_base_date: Age70to74Category,
    pub months: Vec<AnnualMonth>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualSimulateResponse {
    /// Null when the category has no annual limit (現役並み): no benefit then.
    pub annual_limit: Option<i64>,
    pub annual_amount: i64,
    pub benefit: i64,
    pub rule_set: String,
    pub source: String,
}

/// Compute 外来年間合算 (annual outpatient benefit, R8) for one 70-74 person.
#[utoipa::path(
    tag = "benefits",
    request_body = AnnualSimulateRequest,
    responses(
        (status = 200, description = "The annual amount, limit and benefit", body = AnnualSimulateResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope benefits:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, or no rule table for the period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["benefits:read"]))
)]
#[post("/benefit-calculations/annual-outpatient/simulate")]
pub async fn simulate_annual_outpatient(
    _auth: Auth<BenefitsRead>,
    body: Body<AnnualSimulateRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.value;
    let mut v = Violations::new();
    let period_start = v.check("period_start", YearMonth::parse(&b.period_start));
    let mut months = Vec::with_capacity(b.months.len());
    for (i, m) in b.months.iter().enumerate() {
        let ym = v.check(
            &format!("months[{i}].service_month"),
            YearMonth::parse(&m.service_month),
        );
        if m.outpatient_copayment < 0 {
            v.push(format!("months[{i}].outpatient_copayment"), "must not be negative");
        }
        if m.outpatient_copayment > MAX_AMOUNT {
            v.push(format!("months[{i}].outpatient_copayment"), ABOVE_MAX);
        }
        if m.outpatient_monthly_benefit < 0 || m.outpatient_monthly_benefit > m.outpatient_copayment {
            v.push(
                format!("months[{i}].outpatient_monthly_benefit"),
                "must be 0 to outpatient_copayment",
            );
        }
        if let Some(ym) = ym {
            months.push((
                ym,
                Yen::new(m.outpatient_copayment),
                Yen::new(m.outpatient_monthly_benefit),
            ));
        }
    }
    let Some(period_start) = period_start.filter(|_| v.is_empty()) else {
        return Err(v.into());
    };
    let out = kogaku::simulate(period_start, b.category_on_base_date, &months).map_err(|e| match e {
        KogakuError::PeriodStartNotAugust { .. } => ApiError::validation("period_start", e.to_string()),
        other => kogaku_error(other, "months"),
    })?;
    Ok(HttpResponse::Ok().json(AnnualSimulateResponse {
        annual_limit: out.annual_limit.map(Yen::as_i64),
        annual_amount: out.annual_amount.as_i64(),
        benefit: out.benefit.as_i64(),
        rule_set: out.rule_set.to_string(),
        source: out.source.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `service_month` patterns of `SimulateRequest`, `CalculationRequest` and
    /// `BenefitRunRequest` state the months the rule tables cover, and the `period_start` pattern
    /// of `AnnualSimulateRequest` the periods with an annual limit. When a table is added or
    /// removed this fails until the patterns (and their descriptions) follow.
    #[test]
    fn the_month_patterns_follow_the_rule_tables() {
        for year in 1900..=9999 {
            for month in 1..=12 {
                let m = YearMonth::new(year, month).unwrap();
                let covered = (2015, 1) <= (year, month) && (year, month) <= (2027, 7);
                assert_eq!(kogaku::rule_set_for(m).is_ok(), covered, "{m}");
            }
            let start = YearMonth::new(year, 8).unwrap();
            let annual = !matches!(
                kogaku::simulate(start, Age70to74Category::General, &[]),
                Err(KogakuError::NoRuleTable { .. })
            );
            assert_eq!(annual, (2017..=2026).contains(&year), "{start}");
        }
    }
}
