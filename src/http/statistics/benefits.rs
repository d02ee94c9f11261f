//! The automatic payment scheme of a fiscal year.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{BenefitStatistics, CountAmount, FiscalYearQuery};
use super::{csv, csv_rate, wants_csv};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::StatisticsRead;
use crate::service::statistics::benefits as service;
use crate::state::AppState;

/// Statistics of the automatic payment scheme for a fiscal year of service months.
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The figures (JSON, or CSV with Accept: text/csv or ?format=csv)", content((BenefitStatistics = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
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
    let y = service::scheme_year(&state.db, auth.insurer(), q.fiscal_year).await?;
    let t = y.totals;
    let s = BenefitStatistics {
        fiscal_year: y.fiscal_year,
        from_month: y.from_month,
        to_month: y.to_month,
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
            count: t.application_payments,
            amount: t.application_amount,
        },
        forms_mailed: CountAmount {
            count: t.forms,
            amount: t.form_amount,
        },
        refunds: CountAmount {
            count: t.refunds,
            amount: t.refund_amount,
        },
        forms_not_mailed: y.forms_not_mailed,
        postage_per_form: y.postage_per_form,
        postage_saved: y.postage_saved,
        automatic_rate: y.automatic_rate,
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
            "forms_mailed_count",
            "forms_mailed_amount",
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
            s.forms_mailed.count.to_string(),
            s.forms_mailed.amount.to_string(),
            s.refunds.count.to_string(),
            s.refunds.amount.to_string(),
            s.forms_not_mailed.to_string(),
            s.postage_per_form.to_string(),
            s.postage_saved.to_string(),
            csv_rate(s.automatic_rate),
        ];
        return Ok(csv(&req, &header, &[row]));
    }
    Ok(HttpResponse::Ok().json(s))
}
