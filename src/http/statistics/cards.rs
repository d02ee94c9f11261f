//! Certificate recovery: the rate by category and the month's notices and calls.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{CardRecoveryMonth, CardRecoveryPrevious, CardRecoveryQuery, CardRecoveryRate, CardRecoveryReport};
use super::{csv, csv_rate, wants_csv};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::StatisticsRead;
use crate::service::statistics::cards as service;
use crate::state::AppState;

/// Certificate recovery (被保険者証・資格確認書の回収): the share of certificates returned among
/// those whose holder lost eligibility in a period, by category, as on a given day; and month by
/// month the notices sent and employers called.
#[utoipa::path(
    tag = "statistics",
    params(CardRecoveryQuery),
    responses(
        (status = 200, description = "The report (JSON, or CSV with Accept: text/csv or ?format=csv: a line per category with month `lost` and the rate, then a line per category and month with the notices and calls)", content((CardRecoveryReport = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let as_of = q.as_of.unwrap_or_else(|| state.clock.today());
    let y = service::report(&state.db, auth.insurer(), q.fiscal_year, q.lost_from, q.lost_to, as_of).await?;
    let report = CardRecoveryReport {
        fiscal_year: q.fiscal_year,
        lost_from: y.period.lost_from,
        lost_to: y.period.lost_to,
        as_of: y.period.as_of,
        rates: y
            .tallies
            .into_iter()
            .map(|(category, t, p)| CardRecoveryRate {
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
            })
            .collect(),
        months: y
            .months
            .into_iter()
            .map(|m| CardRecoveryMonth {
                month: m.month,
                category: m.category,
                notices: m.notices,
                employer_contacts: m.employer_contacts,
            })
            .collect(),
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
        return Ok(csv(&req, &header, &body));
    }
    Ok(HttpResponse::Ok().json(report))
}
