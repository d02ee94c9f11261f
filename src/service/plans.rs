//! Yearly plans (the monthly targets statistics compare against) and the counterparty registry
//! of 保険者間調整.

use sea_orm::DatabaseConnection;

use super::adjustments::Caller;
use crate::domain::calendar::FiscalYear;
use crate::domain::page::{Page, PageRequest};
use crate::domain::plan::{self as rules, Counterparty, MonthPlan, Plan};
use crate::error::{ApiError, ErrorCode};
use crate::store::plans as store;

/// Creates or replaces a counterparty; only the insurer keeps the registry.
pub async fn put_counterparty(
    db: &DatabaseConnection,
    caller: &Caller,
    number: &str,
    name: &str,
    participates: bool,
    note: Option<String>,
) -> Result<Counterparty, ApiError> {
    if caller.agency.is_some() {
        return Err(ApiError::Forbidden("adjustments:write (insurer side)".into()));
    }
    Ok(store::put_counterparty(db, &caller.actor, number, name, participates, note).await?)
}

pub async fn counterparties(
    db: &DatabaseConnection,
    insurer: &str,
    page: &PageRequest,
) -> Result<Page<Counterparty>, ApiError> {
    Ok(store::counterparties(db, insurer, page).await?)
}

/// Checks and stores a year's plan whole.
pub async fn put_plan(
    db: &DatabaseConnection,
    actor: &crate::domain::ids::Actor,
    fy: FiscalYear,
    months: Vec<MonthPlan>,
) -> Result<Plan, ApiError> {
    let months = rules::check_months(fy, months)?;
    Ok(store::put_plan(db, actor, fy.start_year(), &months).await?)
}

pub async fn plan(db: &DatabaseConnection, insurer: &str, fiscal_year: i32) -> Result<Plan, ApiError> {
    store::plan(db, insurer, fiscal_year)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::PlanNotFound))
}

/// The months planned for a year; none when there is no plan.
pub async fn months(db: &DatabaseConnection, insurer: &str, fiscal_year: i32) -> Result<Vec<MonthPlan>, ApiError> {
    Ok(store::plan(db, insurer, fiscal_year)
        .await?
        .map(|p| p.months)
        .unwrap_or_default())
}
