//! Statistics (統計) read from the ledger, the runs and the cases by fiscal year (年度: April to
//! March, named by the year it starts in): nothing is counted twice or typed in. Each report is
//! computed here; the wire only formats it (JSON or CSV).
//!
//! `upkeep` keeps the recovery totals of each fiscal year built; `recovery` reads them;
//! `activity`, `adjustments` and `cards` count the work month by month against the year's plan;
//! `benefits` sums what the automatic payment scheme did.

pub mod activity;
pub mod adjustments;
pub mod applications;
pub mod benefits;
pub mod cards;
pub mod recovery;
mod upkeep;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use upkeep::*;

use crate::domain::calendar::{FiscalYear, YearMonth};
use crate::domain::plan::MonthPlan;
use crate::error::ApiError;
use crate::store::DayCount;

/// A fiscal year the statistics answer for (1990..=2200).
pub fn fiscal_year(fy: i32) -> Result<FiscalYear, ApiError> {
    if !(1990..=2200).contains(&fy) {
        return Err(ApiError::validation(
            "fiscal_year",
            "must be a year between 1990 and 2200",
        ));
    }
    FiscalYear::new(fy).map_err(|e| ApiError::validation("fiscal_year", e.to_string()))
}

/// `part / whole` in percent, the project's one rounding of rates (two decimals, half up).
fn rate(part: i64, whole: i64) -> Option<Decimal> {
    crate::domain::money::percent(part.into(), whole.into())
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
