//! Seed 004's application figures of a fiscal year (申請件数・申請金額の状況).

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{CountAmount, FiscalYearQuery};
use super::{csv, csv_rate, wants_csv};
use crate::domain::application::{GroupPart, Side, Tally};
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::StatisticsRead;
use crate::service::statistics::applications as service;
use crate::state::AppState;

/// One group's part of a side.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFigures {
    pub count: i64,
    pub amount: i64,
    /// Share of the side's count, in percent (one decimal, half up); null when the side is empty.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub count_share: Option<Decimal>,
    /// Share of the side's amount, in percent (one decimal, half up).
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub amount_share: Option<Decimal>,
}

/// Forms sent or applications paid over the side's days.
#[derive(Debug, Serialize, ToSchema)]
pub struct SideFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: CountAmount,
    /// The total over eleven months, half up.
    pub monthly_average: CountAmount,
    /// Households whose benefit that month is not all from 70-74 members.
    pub under70: GroupFigures,
    /// Every member with a benefit that month in the 70-74 bracket.
    pub age70to74: GroupFigures,
}

/// Seed 004's application figures of a fiscal year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationStatistics {
    pub fiscal_year: i32,
    /// Forms (申請勧奨) issued from April to February, reminders included.
    pub forms_sent: SideFigures,
    /// Benefits paid on an application, by transfer date from May to March.
    pub applications_paid: SideFigures,
    /// Applications paid / forms sent by count, in percent (one decimal).
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub count_response_rate: Option<Decimal>,
    /// ... and by amount.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub amount_response_rate: Option<Decimal>,
    /// Returns for defects (不備返送) from May to March.
    pub returned_for_defect: i64,
    /// Returns / forms sent, in percent (one decimal).
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub returned_rate: Option<Decimal>,
}

fn ca(t: Tally) -> CountAmount {
    CountAmount {
        count: t.count,
        amount: t.amount,
    }
}

fn group(g: GroupPart) -> GroupFigures {
    GroupFigures {
        count: g.tally.count,
        amount: g.tally.amount,
        count_share: g.count_share,
        amount_share: g.amount_share,
    }
}

fn side(s: Side, from: NaiveDate, to: NaiveDate) -> SideFigures {
    SideFigures {
        from,
        to,
        total: ca(s.total),
        monthly_average: ca(s.monthly_average),
        under70: group(s.under70),
        age70to74: group(s.age70to74),
    }
}

/// Application figures of a fiscal year (seed 004's table).
#[utoipa::path(
    tag = "statistics",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "The figures (JSON, or CSV with Accept: text/csv or ?format=csv: one row per side and group)", content((ApplicationStatistics = "application/json"), (inline(crate::http::schema::Csv) = "text/csv"))),
        (status = 400, description = "Missing or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope statistics:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fiscal year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]))
)]
#[get("/statistics/applications")]
pub async fn application_statistics(
    auth: Auth<StatisticsRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FiscalYearQuery>,
) -> Result<HttpResponse, ApiError> {
    let f = service::application_figures(&state.db, auth.insurer(), q.fiscal_year).await?;
    let y = f.year;
    let s = ApplicationStatistics {
        fiscal_year: f.fiscal_year,
        forms_sent: side(y.forms_sent, f.forms_from, f.forms_to),
        applications_paid: side(y.applications_paid, f.applications_from, f.applications_to),
        count_response_rate: y.count_response_rate,
        amount_response_rate: y.amount_response_rate,
        returned_for_defect: y.returned,
        returned_rate: y.returned_rate,
    };
    if wants_csv(&req) {
        let header = [
            "fiscal_year",
            "side",
            "group",
            "count",
            "amount",
            "count_share",
            "amount_share",
            "monthly_average_count",
            "monthly_average_amount",
        ];
        let mut rows = Vec::new();
        for (name, sd) in [
            ("forms_sent", &s.forms_sent),
            ("applications_paid", &s.applications_paid),
        ] {
            rows.push(vec![
                s.fiscal_year.to_string(),
                name.into(),
                "total".into(),
                sd.total.count.to_string(),
                sd.total.amount.to_string(),
                String::new(),
                String::new(),
                sd.monthly_average.count.to_string(),
                sd.monthly_average.amount.to_string(),
            ]);
            for (g, gf) in [("under70", &sd.under70), ("age70to74", &sd.age70to74)] {
                rows.push(vec![
                    s.fiscal_year.to_string(),
                    name.into(),
                    g.into(),
                    gf.count.to_string(),
                    gf.amount.to_string(),
                    csv_rate(gf.count_share),
                    csv_rate(gf.amount_share),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        return Ok(csv(&req, &header, &rows));
    }
    Ok(HttpResponse::Ok().json(s))
}
