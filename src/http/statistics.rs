//! `/v1/statistics/*`: figures computed from the stored records at query time. Every endpoint
//! answers JSON, or CSV when asked with `Accept: text/csv`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::Body;
use crate::domain::calendar::{FiscalYear, YearMonth};
use crate::domain::card_recovery::{InsuredCategory, RecoveryTally, status_from};
use crate::domain::payment::POSTAGE_PER_FORM;
use crate::domain::plan::MonthPlan;
use crate::domain::receivable::activity::{Activity, YearRow, year_row};
use crate::domain::receivable::fiscal::FiscalClass;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{Admin, StatisticsRead};
use crate::state::AppState;
use crate::store::card_recoveries as card_store;
use crate::store::payments as store;
use crate::store::recovery;
use crate::store::{DayCount, adjustments as adj_store, receivables as rec_store};
use chrono::NaiveDate;

/// Whether the client asked for CSV.
pub(crate) fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with("text/csv")))
}

/// A CSV answer: a header line and rows, CRLF line ends (RFC 4180).
pub(crate) fn csv(header: &[&str], rows: &[Vec<String>]) -> HttpResponse {
    let escape = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = header.join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(out)
}

/// A rate as a CSV cell: `76.07`, or empty when there is none.
fn csv_rate(r: Option<rust_decimal::Decimal>) -> String {
    r.map(|x| x.to_string()).unwrap_or_default()
}

/// Which fiscal year (年度: April to March, named by the year it starts in).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FiscalYearQuery {
    pub fiscal_year: i32,
}

fn fiscal_months(fy: i32) -> Result<(String, String), ApiError> {
    if !(1990..=2200).contains(&fy) {
        return Err(ApiError::validation(
            "fiscal_year",
            "must be a year between 1990 and 2200",
        ));
    }
    Ok((format!("{fy:04}-04"), format!("{:04}-03", fy + 1)))
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
    /// Of the automatic payments, what went to unpaid NHI tax (充当).
    pub offset_total: i64,
    /// Transfers the bank returned.
    pub failed_transfers: i64,
    /// Pre-filled application forms issued to households not paid automatically.
    pub paid_by_application: CountAmount,
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

/// Statistics of the automatic payment scheme for a fiscal year of service months.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The figures (JSON, or CSV with Accept: text/csv)", body = BenefitStatistics),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/benefits")]
pub async fn benefit_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FiscalYearQuery>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = fiscal_months(q.fiscal_year)?;
    let t = store::scheme_totals(&state.db, auth.insurer(), &from, &to).await?;
    let offered = t.automatic_payments + t.forms;
    let s = BenefitStatistics {
        fiscal_year: q.fiscal_year,
        from_month: from,
        to_month: to,
        determinations: CountAmount {
            count: t.determinations,
            amount: t.benefit_total,
        },
        determinations_with_benefit: t.determinations_with_benefit,
        paid_automatically: CountAmount {
            count: t.automatic_payments,
            amount: t.automatic_amount,
        },
        offset_total: t.offset_total,
        failed_transfers: t.failed_payments,
        paid_by_application: CountAmount {
            count: t.forms,
            amount: t.form_amount,
        },
        refunds: CountAmount {
            count: t.refunds,
            amount: t.refund_amount,
        },
        forms_not_mailed: t.automatic_payments,
        postage_per_form: POSTAGE_PER_FORM,
        postage_saved: t.automatic_payments * POSTAGE_PER_FORM,
        automatic_rate: crate::domain::money::percent(t.automatic_payments.into(), offered.into()),
    };
    if wants_csv(&req) {
        let header = [
            "fiscal_year",
            "from_month",
            "to_month",
            "determinations",
            "benefit_total",
            "determinations_with_benefit",
            "paid_automatically_count",
            "paid_automatically_amount",
            "offset_total",
            "failed_transfers",
            "paid_by_application_count",
            "paid_by_application_amount",
            "refunds_count",
            "refunds_amount",
            "forms_not_mailed",
            "postage_per_form",
            "postage_saved",
            "automatic_rate",
        ];
        let row = vec![
            s.fiscal_year.to_string(),
            s.from_month.clone(),
            s.to_month.clone(),
            s.determinations.count.to_string(),
            s.determinations.amount.to_string(),
            s.determinations_with_benefit.to_string(),
            s.paid_automatically.count.to_string(),
            s.paid_automatically.amount.to_string(),
            s.offset_total.to_string(),
            s.failed_transfers.to_string(),
            s.paid_by_application.count.to_string(),
            s.paid_by_application.amount.to_string(),
            s.refunds.count.to_string(),
            s.refunds.amount.to_string(),
            s.forms_not_mailed.to_string(),
            s.postage_per_form.to_string(),
            s.postage_saved.to_string(),
            csv_rate(s.automatic_rate),
        ];
        return Ok(csv(&header, &[row]));
    }
    Ok(HttpResponse::Ok().json(s))
}

/// Figures of one row.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    count: i64,
    collected_count: i64,
    assessed: i64,
    collected: i64,
}

fn rate(collected: i64, assessed: i64) -> Option<rust_decimal::Decimal> {
    crate::domain::money::percent(collected.into(), assessed.into())
}

/// A year's sums by (kind, reason, period).
type YearSums = BTreeMap<(String, Option<String>, String), Sums>;

/// The sums of `fy` and of the year before, from the recovery totals (built from the ledger the
/// first time a year is asked for, kept by every ledger write since).
async fn year_sums(state: &AppState, insurer: &str, fy: i32) -> Result<(YearSums, YearSums), ApiError> {
    fiscal_months(fy)?;
    let years = [fy - 1, fy];
    recovery::ensure_built(&state.db, insurer, &years, state.clock.today()).await?;
    let (mut now, mut before) = (YearSums::new(), YearSums::new());
    for t in recovery::totals(&state.db, insurer, &years).await? {
        let into = if t.fiscal_year == fy { &mut now } else { &mut before };
        into.insert(
            (t.kind, t.reason, t.period),
            Sums {
                count: t.count,
                collected_count: t.collected_count,
                assessed: t.assessed,
                collected: t.collected,
            },
        );
    }
    Ok((now, before))
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
    pub kind: String,
    /// `current` (assessed in the year) or `prior` (balance carried in on April 1).
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

fn by_kind_period(sums: &YearSums) -> BTreeMap<(String, String), Sums> {
    let mut out: BTreeMap<(String, String), Sums> = BTreeMap::new();
    for ((kind, _, period), s) in sums {
        let t = out.entry((kind.clone(), period.clone())).or_default();
        t.count += s.count;
        t.collected_count += s.collected_count;
        t.assessed += s.assessed;
        t.collected += s.collected;
    }
    out
}

/// The recovery table of `fy` from the totals.
async fn recovery_table(state: &AppState, insurer: &str, fy: i32) -> Result<Recovery, ApiError> {
    let (now, before) = year_sums(state, insurer, fy).await?;
    let (now, before) = (by_kind_period(&now), by_kind_period(&before));
    let mut keys: Vec<(String, String)> = now.keys().chain(before.keys()).cloned().collect();
    keys.sort_by(|a, b| (a.0.as_str(), a.1 != "current").cmp(&(b.0.as_str(), b.1 != "current")));
    keys.dedup();
    let rows: Vec<RecoveryRow> = keys
        .into_iter()
        .map(|k| {
            let s = now.get(&k).copied().unwrap_or_default();
            let p = before.get(&k).copied().unwrap_or_default();
            RecoveryRow {
                kind: k.0,
                period: k.1,
                assessed: s.assessed,
                collected: s.collected,
                rate: rate(s.collected, s.assessed),
                previous: PreviousYear {
                    assessed: p.assessed,
                    collected: p.collected,
                    rate: rate(p.collected, p.assessed),
                },
            }
        })
        .collect();
    Ok(Recovery { fiscal_year: fy, rows })
}

/// The recovery table as JSON, or CSV when asked.
fn recovery_answer(req: &HttpRequest, table: Recovery) -> HttpResponse {
    if !wants_csv(req) {
        return HttpResponse::Ok().json(table);
    }
    let header = [
        "fiscal_year",
        "kind",
        "period",
        "assessed",
        "collected",
        "rate",
        "previous_assessed",
        "previous_collected",
        "previous_rate",
    ];
    let body: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            vec![
                table.fiscal_year.to_string(),
                r.kind.clone(),
                r.period.clone(),
                r.assessed.to_string(),
                r.collected.to_string(),
                csv_rate(r.rate),
                r.previous.assessed.to_string(),
                r.previous.collected.to_string(),
                csv_rate(r.previous.rate),
            ]
        })
        .collect();
    csv(&header, &body)
}

/// Recovery rates by kind, current and prior year (現年度・過年度), with last year's figures
/// beside them. Read from totals that every ledger write keeps; a year asked for the first time
/// is built from the ledger first.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The table (JSON, or CSV with Accept: text/csv)", body = Recovery),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/recovery")]
pub async fn recovery_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FiscalYearQuery>,
) -> Result<HttpResponse, ApiError> {
    let table = recovery_table(&state, auth.insurer(), q.fiscal_year).await?;
    Ok(recovery_answer(&req, table))
}

/// Which year's totals to rebuild.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebuildBody {
    pub fiscal_year: i32,
}

/// Throw a year's recovery totals away and build them again from the ledger (for operators who
/// suspect drift, e.g. after a restore); the answer is the rebuilt table.
#[utoipa::path(
    tag = "statistics",
    request_body = RebuildBody,
    responses(
        (status = 200, description = "The rebuilt table (JSON, or CSV with Accept: text/csv)", body = Recovery),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope admin missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["admin"]))
)]
#[post("/statistics/recovery/rebuild")]
pub async fn rebuild_recovery(
    auth: Auth<Admin>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<RebuildBody>,
) -> Result<HttpResponse, ApiError> {
    let fy = body.value.fiscal_year;
    fiscal_months(fy)?;
    recovery::rebuild(&state.db, auth.insurer(), fy).await?;
    let table = recovery_table(&state, auth.insurer(), fy).await?;
    Ok(recovery_answer(&req, table))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    pub fiscal_year: i32,
    /// Default `overpayment_refund`.
    pub kind: Option<String>,
}

/// One reason's row (current-year receivables, as the seed's 内訳).
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// `ineligible_visit`, `work_injury`, `disability_pension_adjustment`,
    /// `old_age_pension_adjustment`, `other` (or null for kinds without reasons).
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
    pub kind: String,
    pub rows: Vec<BreakdownRow>,
}

/// Recovery of a kind's current-year receivables by reason, counts and amounts.
#[utoipa::path(
    tag = "statistics",
    params(BreakdownQuery),
    responses(
        (status = 200, description = "The breakdown (JSON, or CSV with Accept: text/csv)", body = Breakdown),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range or unknown kind", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/recovery/breakdown")]
pub async fn recovery_breakdown(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<BreakdownQuery>,
) -> Result<HttpResponse, ApiError> {
    fiscal_months(q.fiscal_year)?;
    let kind = q.kind.clone().unwrap_or_else(|| "overpayment_refund".into());
    crate::domain::receivable::ReceivableKind::parse(&kind).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    let (now, before) = year_sums(&state, auth.insurer(), q.fiscal_year).await?;
    let pick = |m: &YearSums| {
        m.iter()
            .filter(|((k, _, p), _)| *k == kind && p == FiscalClass::Current.as_str())
            .map(|((_, r, _), s)| (r.clone(), *s))
            .collect::<BTreeMap<Option<String>, Sums>>()
    };
    let (now, before) = (pick(&now), pick(&before));
    let mut reasons: Vec<Option<String>> = now.keys().chain(before.keys()).cloned().collect();
    reasons.sort();
    reasons.dedup();
    let rows: Vec<BreakdownRow> = reasons
        .into_iter()
        .map(|r| {
            let s = now.get(&r).copied().unwrap_or_default();
            let p = before.get(&r).copied().unwrap_or_default();
            BreakdownRow {
                reason: r,
                assessed_count: s.count,
                collected_count: s.collected_count,
                count_rate: rate(s.collected_count, s.count),
                assessed: s.assessed,
                collected: s.collected,
                rate: rate(s.collected, s.assessed),
                previous: PreviousYear {
                    assessed: p.assessed,
                    collected: p.collected,
                    rate: rate(p.collected, p.assessed),
                },
            }
        })
        .collect();
    if wants_csv(&req) {
        let header = [
            "fiscal_year",
            "kind",
            "reason",
            "assessed_count",
            "collected_count",
            "count_rate",
            "assessed",
            "collected",
            "rate",
        ];
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    q.fiscal_year.to_string(),
                    kind.clone(),
                    r.reason.clone().unwrap_or_default(),
                    r.assessed_count.to_string(),
                    r.collected_count.to_string(),
                    csv_rate(r.count_rate),
                    r.assessed.to_string(),
                    r.collected.to_string(),
                    csv_rate(r.rate),
                ]
            })
            .collect();
        return Ok(csv(&header, &body));
    }
    Ok(HttpResponse::Ok().json(Breakdown {
        fiscal_year: q.fiscal_year,
        kind,
        rows,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    pub fiscal_year: i32,
    /// Count only receivables of this kind (and actions on them); default: every kind.
    pub kind: Option<String>,
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
    pub kind: Option<String>,
    pub rows: Vec<ActivityRow>,
}

/// Which target of a plan month.
type Target = fn(&MonthPlan) -> Option<i64>;

/// A plan's target for one field, by month.
fn targets(plan: &[MonthPlan], pick: Target) -> BTreeMap<YearMonth, i64> {
    plan.iter()
        .filter_map(|m| Some((YearMonth::parse(&m.month).ok()?, pick(m)?)))
        .collect()
}

/// Counts by month, for the rows of `kind` ('' for rows of no kind).
fn counts(rows: &[DayCount], kind: &str) -> BTreeMap<YearMonth, i64> {
    by_month(rows.iter().filter(|r| r.kind == kind).map(|r| (r.day, r.n)))
}

/// Figures by day added up by month.
fn by_month(days: impl Iterator<Item = (NaiveDate, i64)>) -> BTreeMap<YearMonth, i64> {
    let mut out = BTreeMap::new();
    for (day, n) in days {
        *out.entry(YearMonth::of(day)).or_default() += n;
    }
    out
}

fn month_figures(row: &YearRow) -> Vec<MonthFigures> {
    row.months
        .iter()
        .map(|m| MonthFigures {
            month: m.month.to_string(),
            plan: m.plan,
            actual: m.actual,
        })
        .collect()
}

fn fiscal_year(fy: i32) -> Result<FiscalYear, ApiError> {
    fiscal_months(fy)?;
    FiscalYear::new(fy).map_err(|e| ApiError::validation("fiscal_year", e.to_string()))
}

fn cell(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Month by month (April..March) plan and actual of the collection work: receivables assessed,
/// calls, visits, final notices and payment orders filed, against the year's plan
/// (`PUT /v1/plans/{fiscal_year}`). Counted from the records at query time.
#[utoipa::path(
    tag = "statistics",
    params(ActivityQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv: one line per activity and month, and a `total` line per activity)", body = ActivityReport),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range or unknown kind", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/activity")]
pub async fn activity_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let fy = fiscal_year(q.fiscal_year)?;
    if let Some(k) = &q.kind {
        crate::domain::receivable::ReceivableKind::parse(k).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    }
    let span = (fy.first_day(), fy.last_day());
    let kinds: Vec<&str> = Activity::ALL
        .iter()
        .filter_map(|a| a.action())
        .map(|k| k.as_str())
        .collect();
    let actions = rec_store::actions_by_day(&state.db, auth.insurer(), span, &kinds, q.kind.as_deref()).await?;
    let assessed = rec_store::assessed_by_day(&state.db, auth.insurer(), span, q.kind.as_deref()).await?;
    let plan = crate::service::plans::months(&state.db, auth.insurer(), q.fiscal_year).await?;
    let rows: Vec<ActivityRow> = Activity::ALL
        .iter()
        .map(|a| {
            let (actual, pick): (BTreeMap<YearMonth, i64>, Target) = match a {
                Activity::Occurrences => (counts(&assessed, ""), |m| m.occurrences),
                Activity::Phone => (counts(&actions, "phone"), |m| m.phone),
                Activity::Visit => (counts(&actions, "visit"), |m| m.visit),
                Activity::FinalNotice => (counts(&actions, "final_notice"), |m| m.final_notice),
                Activity::LegalAction => (counts(&actions, "payment_order_filed"), |m| m.legal_action),
            };
            let row = year_row(fy, &targets(&plan, pick), &actual);
            ActivityRow {
                activity: a.as_str().to_string(),
                plan_total: row.plan_total,
                actual_total: row.actual_total,
                months: month_figures(&row),
            }
        })
        .collect();
    let report = ActivityReport {
        fiscal_year: q.fiscal_year,
        kind: q.kind.clone(),
        rows,
    };
    if wants_csv(&req) {
        let header = ["fiscal_year", "kind", "activity", "month", "plan", "actual"];
        let mut body = Vec::new();
        for r in &report.rows {
            let line = |month: &str, plan: Option<i64>, actual: i64| {
                vec![
                    report.fiscal_year.to_string(),
                    report.kind.clone().unwrap_or_default(),
                    r.activity.clone(),
                    month.to_string(),
                    cell(plan),
                    actual.to_string(),
                ]
            };
            for m in &r.months {
                body.push(line(&m.month, m.plan, m.actual));
            }
            body.push(line("total", r.plan_total, r.actual_total));
        }
        return Ok(csv(&header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
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

/// Month by month (April..March) plan and actual of insurer-to-insurer adjustment: requests
/// settled and the amount they recovered, against the year's plan, with the requests accepted.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv: one line per month and a `total` line)", body = AdjustmentReport),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/adjustments")]
pub async fn adjustment_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FiscalYearQuery>,
) -> Result<HttpResponse, ApiError> {
    let fy = fiscal_year(q.fiscal_year)?;
    let span = (fy.first_day(), fy.last_day());
    let settled = adj_store::settled_by_day(&state.db, auth.insurer(), span).await?;
    let accepted = adj_store::accepted_by_day(&state.db, auth.insurer(), span).await?;
    let plan = crate::service::plans::months(&state.db, auth.insurer(), q.fiscal_year).await?;
    let settled_by = |f: fn(&adj_store::AdjustmentDay) -> i64| by_month(settled.iter().map(|d| (d.day, f(d))));
    let count = year_row(fy, &targets(&plan, |m| m.adjustment_count), &settled_by(|d| d.settled));
    let amount = year_row(
        fy,
        &targets(&plan, |m| m.adjustment_amount),
        &settled_by(|d| d.collected),
    );
    let accepted = year_row(fy, &BTreeMap::new(), &counts(&accepted, ""));
    let excess = year_row(fy, &BTreeMap::new(), &settled_by(|d| d.excess));
    let months = (0..count.months.len())
        .map(|i| AdjustmentMonthFigures {
            month: count.months[i].month.to_string(),
            plan_count: count.months[i].plan,
            actual_count: count.months[i].actual,
            plan_amount: amount.months[i].plan,
            actual_amount: amount.months[i].actual,
            accepted_count: accepted.months[i].actual,
            excess_owed: excess.months[i].actual,
        })
        .collect();
    let report = AdjustmentReport {
        fiscal_year: q.fiscal_year,
        months,
        total: AdjustmentMonthFigures {
            month: "total".into(),
            plan_count: count.plan_total,
            actual_count: count.actual_total,
            plan_amount: amount.plan_total,
            actual_amount: amount.actual_total,
            accepted_count: accepted.actual_total,
            excess_owed: excess.actual_total,
        },
    };
    if wants_csv(&req) {
        let header = [
            "fiscal_year",
            "month",
            "plan_count",
            "actual_count",
            "plan_amount",
            "actual_amount",
            "accepted_count",
            "excess_owed",
        ];
        let body: Vec<Vec<String>> = report
            .months
            .iter()
            .chain(std::iter::once(&report.total))
            .map(|m| {
                vec![
                    report.fiscal_year.to_string(),
                    m.month.clone(),
                    cell(m.plan_count),
                    m.actual_count.to_string(),
                    cell(m.plan_amount),
                    m.actual_amount.to_string(),
                    m.accepted_count.to_string(),
                    m.excess_owed.to_string(),
                ]
            })
            .collect();
        return Ok(csv(&header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CardRecoveryQuery {
    /// The fiscal year of the monthly figures, and the default period of losses.
    pub fiscal_year: i32,
    /// Losses of eligibility from this day (default: April 1 of the year).
    pub lost_from: Option<NaiveDate>,
    /// Losses up to this day (default: March 31 of the year).
    pub lost_to: Option<NaiveDate>,
    /// The day the figures are taken (default: today): returns after it do not count.
    pub as_of: Option<NaiveDate>,
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

/// Per category, how the cases of holders who lost eligibility in `lost` stood on `as_of`.
async fn card_tallies(
    state: &AppState,
    insurer: &str,
    lost: (NaiveDate, NaiveDate),
    as_of: NaiveDate,
) -> Result<BTreeMap<InsuredCategory, RecoveryTally>, ApiError> {
    let mut tallies: BTreeMap<InsuredCategory, RecoveryTally> = InsuredCategory::ALL
        .iter()
        .map(|c| (*c, RecoveryTally::default()))
        .collect();
    for g in card_store::lost_between(&state.db, insurer, lost, as_of).await? {
        let category = InsuredCategory::parse(&g.category)
            .ok_or_else(|| ApiError::Internal(format!("stored category {}", g.category)))?;
        tallies
            .entry(category)
            .or_default()
            .add(status_from(g.returned == 1, g.unrecoverable == 1, g.expired == 1), g.n);
    }
    Ok(tallies)
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

/// Certificate recovery (被保険者証・資格確認書の回収): the share of certificates returned among
/// those whose holder lost eligibility in a period, by category, as on a given day; and month by
/// month the notices sent and employers called.
#[utoipa::path(
    tag = "statistics",
    params(CardRecoveryQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv: a line per category with month `lost` and the rate, then a line per category and month with the notices and calls)", body = CardRecoveryReport),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range, or the period ends before it starts", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/card-recovery")]
pub async fn card_recovery_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<CardRecoveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let fy = fiscal_year(q.fiscal_year)?;
    let lost_from = q.lost_from.unwrap_or(fy.first_day());
    let lost_to = q.lost_to.unwrap_or(fy.last_day());
    if lost_to < lost_from {
        return Err(ApiError::validation("lost_to", "must not be before lost_from"));
    }
    let as_of = q.as_of.unwrap_or_else(|| state.clock.today());
    let tallies = card_tallies(&state, auth.insurer(), (lost_from, lost_to), as_of).await?;
    let year_back = |d: NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
    let before = card_tallies(
        &state,
        auth.insurer(),
        (year_back(lost_from), year_back(lost_to)),
        year_back(as_of),
    )
    .await?;
    let span = (fy.first_day(), fy.last_day());
    let mut notices = card_store::steps_by_day(&state.db, auth.insurer(), "first_notice_on", span).await?;
    notices.extend(card_store::steps_by_day(&state.db, auth.insurer(), "second_notice_on", span).await?);
    let calls = card_store::steps_by_day(&state.db, auth.insurer(), "employer_contacted_on", span).await?;
    let sum =
        |rows: &[DayCount], category: InsuredCategory| year_row(fy, &BTreeMap::new(), &counts(rows, category.as_str()));
    let mut months = Vec::new();
    for category in InsuredCategory::ALL {
        let (n, c) = (sum(&notices, category), sum(&calls, category));
        for (a, b) in n.months.iter().zip(&c.months) {
            months.push(CardRecoveryMonth {
                month: a.month.to_string(),
                category,
                notices: a.actual,
                employer_contacts: b.actual,
            });
        }
    }
    let report = CardRecoveryReport {
        fiscal_year: q.fiscal_year,
        lost_from,
        lost_to,
        as_of,
        rates: tallies
            .into_iter()
            .map(|(category, t)| {
                let p = before.get(&category).copied().unwrap_or_default();
                CardRecoveryRate {
                    category,
                    cases: t.cases,
                    returned: t.returned,
                    unrecoverable: t.unrecoverable,
                    expired: t.expired,
                    open: t.open,
                    rate: t.rate(),
                    previous: CardRecoveryPrevious {
                        cases: p.cases,
                        returned: p.returned,
                        rate: p.rate(),
                    },
                }
            })
            .collect(),
        months,
    };
    if wants_csv(&req) {
        let header = [
            "fiscal_year",
            "category",
            "month",
            "cases",
            "returned",
            "unrecoverable",
            "expired",
            "open",
            "rate",
            "previous_rate",
            "notices",
            "employer_contacts",
        ];
        let fy = report.fiscal_year.to_string();
        let mut body: Vec<Vec<String>> = report
            .rates
            .iter()
            .map(|r| {
                vec![
                    fy.clone(),
                    r.category.as_str().into(),
                    "lost".into(),
                    r.cases.to_string(),
                    r.returned.to_string(),
                    r.unrecoverable.to_string(),
                    r.expired.to_string(),
                    r.open.to_string(),
                    csv_rate(r.rate),
                    csv_rate(r.previous.rate),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        body.extend(report.months.iter().map(|m| {
            let mut line = vec![fy.clone(), m.category.as_str().into(), m.month.clone()];
            line.extend(std::iter::repeat_n(String::new(), 7));
            line.extend([m.notices.to_string(), m.employer_contacts.to_string()]);
            line
        }));
        return Ok(csv(&header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
}
