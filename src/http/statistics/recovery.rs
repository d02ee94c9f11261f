//! Recovery rates by kind and period, their rebuild, and the breakdown by reason.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{
    Breakdown, BreakdownQuery, BreakdownRow, FiscalYearQuery, PreviousYear, RebuildBody, Recovery, RecoveryRow,
};
use super::{csv, csv_rate, wants_csv};
use crate::domain::receivable::ReceivableKind;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{Admin, StatisticsRead};
use crate::http::extract::Body;
use crate::service::statistics::recovery::{self as service, Row, Sums};
use crate::state::AppState;

fn previous(p: &Sums) -> PreviousYear {
    PreviousYear {
        assessed: p.assessed,
        collected: p.collected,
        rate: p.rate(),
    }
}

fn recovery(fiscal_year: i32, rows: Vec<Row<(String, String)>>) -> Recovery {
    Recovery {
        fiscal_year,
        rows: rows
            .into_iter()
            .map(|r| RecoveryRow {
                kind: r.key.0,
                period: r.key.1,
                assessed: r.now.assessed,
                collected: r.now.collected,
                rate: r.now.rate(),
                previous: previous(&r.previous),
            })
            .collect(),
    }
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
    csv(req, &header, &body)
}

/// Recovery rates by kind, current and prior year (現年度・過年度), with last year's figures
/// beside them. Read from totals that every ledger write keeps; a year asked for the first time
/// is built from the ledger first.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The table (JSON, or CSV with Accept: text/csv or ?format=csv)", content((Recovery = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let rows = service::table(&state.db, auth.insurer(), q.fiscal_year, state.clock.today()).await?;
    Ok(recovery_answer(&req, recovery(q.fiscal_year, rows)))
}

/// Throw a year's recovery totals away and build them again from the ledger (for operators who
/// suspect drift, e.g. after a restore); the answer is the rebuilt table.
#[utoipa::path(
    tag = "statistics",
    request_body = RebuildBody,
    responses(
        (status = 200, description = "The rebuilt table (JSON, or CSV with Accept: text/csv or ?format=csv)", content((Recovery = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let rows = service::rebuild(&state.db, auth.insurer(), fy, state.clock.today()).await?;
    Ok(recovery_answer(&req, recovery(fy, rows)))
}

/// Recovery of a kind's current-year receivables by reason, counts and amounts.
#[utoipa::path(
    tag = "statistics",
    params(BreakdownQuery),
    responses(
        (status = 200, description = "The breakdown (JSON, or CSV with Accept: text/csv or ?format=csv)", content((Breakdown = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    crate::service::statistics::fiscal_year(q.fiscal_year)?;
    let kind = q.kind.clone().unwrap_or_else(|| "overpayment_refund".into());
    let k = ReceivableKind::parse(&kind).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    let rows: Vec<BreakdownRow> = service::breakdown(&state.db, auth.insurer(), q.fiscal_year, k, state.clock.today())
        .await?
        .into_iter()
        .map(|r| BreakdownRow {
            reason: r.key,
            assessed_count: r.now.count,
            collected_count: r.now.collected_count,
            count_rate: r.now.count_rate(),
            assessed: r.now.assessed,
            collected: r.now.collected,
            rate: r.now.rate(),
            previous: previous(&r.previous),
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
        return Ok(csv(&req, &header, &body));
    }
    Ok(HttpResponse::Ok().json(Breakdown {
        fiscal_year: q.fiscal_year,
        kind,
        rows,
    }))
}
