//! 保険者間調整実施計画及び実績（回収分）: requests settled and what they recovered, month by month
//! against the year's plan, with the requests accepted and the excess owed to the insured.

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;

use super::{by_month, counts, fiscal_year, targets};
use crate::domain::receivable::activity::{YearRow, year_row};
use crate::error::ApiError;
use crate::store::adjustments::{self as store, AdjustmentDay};

/// The year's rows.
#[derive(Debug, Clone)]
pub struct AdjustmentYear {
    /// Requests settled (plan: `adjustment_count`).
    pub count: YearRow,
    /// Recovered (plan: `adjustment_amount`).
    pub amount: YearRow,
    pub accepted: YearRow,
    pub excess: YearRow,
}

pub async fn report(db: &DatabaseConnection, insurer: &str, fy: i32) -> Result<AdjustmentYear, ApiError> {
    let year = fiscal_year(fy)?;
    let span = (year.first_day(), year.last_day());
    let settled = store::settled_by_day(db, insurer, span).await?;
    let accepted = store::accepted_by_day(db, insurer, span).await?;
    let plan = crate::service::plans::months(db, insurer, fy).await?;
    let settled_by = |f: fn(&AdjustmentDay) -> i64| by_month(settled.iter().map(|d| (d.day, f(d))));
    Ok(AdjustmentYear {
        count: year_row(
            year,
            &targets(&plan, |m| m.adjustment_count),
            &settled_by(|d| d.settled),
        ),
        amount: year_row(
            year,
            &targets(&plan, |m| m.adjustment_amount),
            &settled_by(|d| d.collected),
        ),
        accepted: year_row(year, &BTreeMap::new(), &counts(&accepted, "")),
        excess: year_row(year, &BTreeMap::new(), &settled_by(|d| d.excess)),
    })
}
