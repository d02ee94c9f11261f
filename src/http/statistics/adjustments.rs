//! 保険者間調整 month by month, plan and actual.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{AdjustmentMonthFigures, AdjustmentReport, FiscalYearQuery};
use super::{cell, csv, wants_csv};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::StatisticsRead;
use crate::service::statistics::adjustments as service;
use crate::state::AppState;

/// Month by month (April..March) plan and actual of insurer-to-insurer adjustment: requests
/// settled and the amount they recovered, against the year's plan, with the requests accepted.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv or ?format=csv: one line per month and a `total` line)", content((AdjustmentReport = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let y = service::report(&state.db, auth.insurer(), q.fiscal_year).await?;
    let (count, amount, accepted, excess) = (y.count, y.amount, y.accepted, y.excess);
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
        return Ok(csv(&req, &header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
}
