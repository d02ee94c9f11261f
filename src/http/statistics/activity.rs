//! Month by month plan and actual of the collection work.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{ActivityQuery, ActivityReport, ActivityRow, month_figures};
use super::{cell, csv, wants_csv};
use crate::domain::receivable::ReceivableKind;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::StatisticsRead;
use crate::service::statistics::activity as service;
use crate::state::AppState;

/// Month by month (April..March) plan and actual of the collection work: receivables assessed,
/// calls, visits, final notices and payment orders filed, against the year's plan
/// (`PUT /v1/plans/{fiscal_year}`). Counted from the records at query time.
#[utoipa::path(
    tag = "statistics",
    params(ActivityQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv or ?format=csv: one line per activity and month, and a `total` line per activity)", content((ActivityReport = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let kind = match &q.kind {
        Some(k) => Some(ReceivableKind::parse(k).map_err(|e| ApiError::validation("kind", e.to_string()))?),
        None => None,
    };
    crate::service::statistics::fiscal_year(q.fiscal_year)?;
    let rows: Vec<ActivityRow> = service::report(&state.db, auth.insurer(), q.fiscal_year, kind)
        .await?
        .into_iter()
        .map(|(a, row)| ActivityRow {
            activity: a.as_str().to_string(),
            plan_total: row.plan_total,
            actual_total: row.actual_total,
            months: month_figures(&row),
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
        return Ok(csv(&req, &header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
}
