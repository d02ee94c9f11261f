//! The wire types of the statistics.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::card_recovery::InsuredCategory;
use crate::domain::receivable::activity::Activity;
use crate::domain::receivable::activity::YearRow;
use crate::domain::receivable::fiscal::FiscalClass;
use crate::domain::receivable::{ReceivableKind, RefundReason};

/// Which fiscal year (年度: April to March, named by the year it starts in).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FiscalYearQuery {
    #[param(minimum = 1990, maximum = 2200)]
    pub fiscal_year: i32,
    /// `csv` answers CSV, as `Accept: text/csv` does; `json` answers JSON whatever `Accept` says.
    #[param(value_type = Option<OutputFormat>)]
    pub format: Option<OutputFormat>,
    /// With CSV: prefix a UTF-8 byte order mark, so that spreadsheet programs read Japanese right.
    pub bom: Option<bool>,
}

/// The answer's content type, where a report answers both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    Json,
    Csv,
}

/// A count with its amount in yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountAmount {
    pub count: i64,
    pub amount: i64,
}

/// What the automatic payment scheme did for the service months of a fiscal year.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitStatistics {
    pub fiscal_year: i32,
    /// First and last service month counted (`YYYY-MM`).
    pub from_month: String,
    pub to_month: String,
    /// Current (not superseded) determinations, and their benefit.
    pub determinations: CountAmount,
    /// Of those, the ones with a benefit above zero.
    pub determinations_with_benefit: i64,
    /// Paid to a registered account without an application (offsets included).
    pub paid_automatically: CountAmount,
    /// What went to unpaid NHI tax (充当), automatic payments and payments on application.
    pub offset_total: i64,
    /// Transfers the bank returned.
    pub failed_transfers: i64,
    /// Paid on an application (支給申請) that answered a form.
    pub paid_by_application: CountAmount,
    /// Pre-filled application forms mailed to households not paid automatically (reminders
    /// included).
    pub forms_mailed: CountAmount,
    /// Refunds assessed because a paid benefit was lowered.
    pub refunds: CountAmount,
    /// Forms that did not have to be mailed: one per automatic payment.
    pub forms_not_mailed: i64,
    /// Postage of one form (seed 004: 72 yen).
    pub postage_per_form: i64,
    /// `forms_not_mailed` x `postage_per_form`.
    pub postage_saved: i64,
    /// Automatic payments as a share of all benefits paid or offered, in percent (two decimals,
    /// half up); null when there were none.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub automatic_rate: Option<rust_decimal::Decimal>,
}

/// Last year's figures beside a rate, as the seed prints them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviousYear {
    pub assessed: i64,
    pub collected: i64,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub rate: Option<rust_decimal::Decimal>,
}

/// One row of the recovery table.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryRow {
    #[schema(value_type = ReceivableKind)]
    pub kind: String,
    /// `current` (assessed in the year) or `prior` (balance carried in on April 1).
    #[schema(value_type = FiscalClass)]
    pub period: String,
    /// 調定額: assessed in the year (current) or carried in (prior), net of in-year reductions.
    pub assessed: i64,
    /// 回収額 within the year.
    pub collected: i64,
    /// collected / assessed in percent, two decimals, half up.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub rate: Option<rust_decimal::Decimal>,
    pub previous: PreviousYear,
}

/// The recovery table of a fiscal year.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recovery {
    pub fiscal_year: i32,
    pub rows: Vec<RecoveryRow>,
}

/// Which year's totals to rebuild.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RebuildBody {
    #[schema(minimum = 1990, maximum = 2200)]
    pub fiscal_year: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    #[param(minimum = 1990, maximum = 2200)]
    pub fiscal_year: i32,
    /// Default `overpayment_refund`.
    #[param(value_type = Option<ReceivableKind>)]
    pub kind: Option<String>,
    /// `csv` answers CSV, as `Accept: text/csv` does; `json` answers JSON whatever `Accept` says.
    #[param(value_type = Option<OutputFormat>)]
    pub format: Option<OutputFormat>,
    /// With CSV: prefix a UTF-8 byte order mark, so that spreadsheet programs read Japanese right.
    pub bom: Option<bool>,
}

/// One reason's row (current-year receivables, as the seed's 内訳).
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// `ineligible_visit`, `work_injury`, `disability_pension_adjustment`,
    /// `old_age_pension_adjustment`, `other` (or null for kinds without reasons).
    #[schema(value_type = Option<RefundReason>)]
    pub reason: Option<String>,
    pub assessed_count: i64,
    pub collected_count: i64,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub count_rate: Option<rust_decimal::Decimal>,
    pub assessed: i64,
    pub collected: i64,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub rate: Option<rust_decimal::Decimal>,
    pub previous: PreviousYear,
}

/// The breakdown of a kind's current-year receivables.
#[derive(Debug, Serialize, ToSchema)]
pub struct Breakdown {
    pub fiscal_year: i32,
    #[schema(value_type = ReceivableKind)]
    pub kind: String,
    pub rows: Vec<BreakdownRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[param(minimum = 1990, maximum = 2200)]
    pub fiscal_year: i32,
    /// Count only receivables of this kind (and actions on them); default: every kind.
    #[param(value_type = Option<ReceivableKind>)]
    pub kind: Option<String>,
    /// `csv` answers CSV, as `Accept: text/csv` does; `json` answers JSON whatever `Accept` says.
    #[param(value_type = Option<OutputFormat>)]
    pub format: Option<OutputFormat>,
    /// With CSV: prefix a UTF-8 byte order mark, so that spreadsheet programs read Japanese right.
    pub bom: Option<bool>,
}

/// One month of a row: the target (null: none set) and what was done.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub plan: Option<i64>,
    pub actual: i64,
}

/// A row of the activity report over April..March.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityRow {
    /// `occurrences` (発生件数: receivables assessed), `phone` (電話催告), `visit` (訪問催告),
    /// `final_notice` (最終催告), `legal_action` (法的手続: payment orders filed).
    #[schema(value_type = Activity)]
    pub activity: String,
    /// The sum of the months' targets; null when no month has one.
    pub plan_total: Option<i64>,
    pub actual_total: i64,
    pub months: Vec<MonthFigures>,
}

/// Month by month plan and actual (SEED-A 返納金債権納付催告等実施計画及び実績).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityReport {
    pub fiscal_year: i32,
    /// The receivable kind counted, or null for every kind.
    #[schema(value_type = Option<ReceivableKind>)]
    pub kind: Option<String>,
    pub rows: Vec<ActivityRow>,
}

/// One month of 保険者間調整 (回収分), plan and actual.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentMonthFigures {
    /// `YYYY-MM`, or `total` in the totals line.
    pub month: String,
    /// Target count (null: none set).
    pub plan_count: Option<i64>,
    /// Requests settled: the new insurer paid.
    pub actual_count: i64,
    /// Target amount in yen (null: none set).
    pub plan_amount: Option<i64>,
    /// Applied to the receivables (回収額): paid by the new insurer less what is owed on to the
    /// insured.
    pub actual_amount: i64,
    /// Requests the new insurer accepted (支給決定) in the month.
    pub accepted_count: i64,
    /// Paid above the balance in the month, owed to the insured.
    pub excess_owed: i64,
}

/// 保険者間調整実施計画及び実績（回収分）: month by month and in total.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentReport {
    pub fiscal_year: i32,
    pub months: Vec<AdjustmentMonthFigures>,
    pub total: AdjustmentMonthFigures,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CardRecoveryQuery {
    /// The fiscal year of the monthly figures, and the default period of losses.
    #[param(minimum = 1990, maximum = 2200)]
    pub fiscal_year: i32,
    /// Losses of eligibility from this day (default: April 1 of the year).
    pub lost_from: Option<NaiveDate>,
    /// Losses up to this day (default: March 31 of the year).
    pub lost_to: Option<NaiveDate>,
    /// The day the figures are taken (default: today): returns after it do not count.
    pub as_of: Option<NaiveDate>,
    /// `csv` answers CSV, as `Accept: text/csv` does; `json` answers JSON whatever `Accept` says.
    #[param(value_type = Option<OutputFormat>)]
    pub format: Option<OutputFormat>,
    /// With CSV: prefix a UTF-8 byte order mark, so that spreadsheet programs read Japanese right.
    pub bom: Option<bool>,
}

/// The recovery rate of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardRecoveryRate {
    /// `general` (一般) or `voluntary_continuation` (任意継続).
    pub category: InsuredCategory,
    /// Cases whose holder lost eligibility in the period.
    pub cases: i64,
    /// Returned by `as_of`.
    pub returned: i64,
    /// 回収不能届 received by `as_of` (and not returned).
    pub unrecoverable: i64,
    /// Validity over unreturned.
    pub expired: i64,
    pub open: i64,
    /// returned / cases in percent, two decimals, half up; null without cases.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub rate: Option<rust_decimal::Decimal>,
    /// The same a year earlier: losses of the period a year back, as they stood a year before
    /// `as_of`.
    pub previous: CardRecoveryPrevious,
}

/// Last year's rate beside this year's.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardRecoveryPrevious {
    pub cases: i64,
    pub returned: i64,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub rate: Option<rust_decimal::Decimal>,
}

/// What recovery work was done in one month for one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardRecoveryMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub category: InsuredCategory,
    /// 催告状発行: first and second notices sent.
    pub notices: i64,
    /// 電話催告: employers called.
    pub employer_contacts: i64,
}

/// 被保険者証回収: the rate for losses in a period, and the notices and calls of each month.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardRecoveryReport {
    pub fiscal_year: i32,
    pub lost_from: NaiveDate,
    pub lost_to: NaiveDate,
    pub as_of: NaiveDate,
    pub rates: Vec<CardRecoveryRate>,
    /// April..March, each category.
    pub months: Vec<CardRecoveryMonth>,
}

pub(super) fn month_figures(row: &YearRow) -> Vec<MonthFigures> {
    row.months
        .iter()
        .map(|m| MonthFigures {
            month: m.month.to_string(),
            plan: m.plan,
            actual: m.actual,
        })
        .collect()
}
