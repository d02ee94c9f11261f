//! Month by month plan and actual of the collection work (SEED-A 返納金債権納付催告等実施計画及び
//! 実績): receivables assessed, calls, visits, final notices and payment orders filed.

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;

use super::{Target, counts, fiscal_year, targets};
use crate::domain::calendar::YearMonth;
use crate::domain::receivable::ReceivableKind;
use crate::domain::receivable::activity::{Activity, YearRow, year_row};
use crate::error::ApiError;
use crate::store::receivables as store;

/// The rows of a year, one per activity, in the seed's order.
pub async fn report(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    kind: Option<ReceivableKind>,
) -> Result<Vec<(Activity, YearRow)>, ApiError> {
    let year = fiscal_year(fy)?;
    let span = (year.first_day(), year.last_day());
    let kinds: Vec<&str> = Activity::ALL
        .iter()
        .filter_map(|a| a.action())
        .map(|k| k.as_str())
        .collect();
    let kind = kind.map(ReceivableKind::as_str);
    let actions = store::actions_by_day(db, insurer, span, &kinds, kind).await?;
    let assessed = store::assessed_by_day(db, insurer, span, kind).await?;
    let plan = crate::service::plans::months(db, insurer, fy).await?;
    Ok(Activity::ALL
        .iter()
        .map(|a| {
            let (actual, pick): (BTreeMap<YearMonth, i64>, Target) = match a {
                Activity::Occurrences => (counts(&assessed, ""), |m| m.occurrences),
                Activity::Phone => (counts(&actions, "phone"), |m| m.phone),
                Activity::Visit => (counts(&actions, "visit"), |m| m.visit),
                Activity::FinalNotice => (counts(&actions, "final_notice"), |m| m.final_notice),
                Activity::LegalAction => (counts(&actions, "payment_order_filed"), |m| m.legal_action),
            };
            (*a, year_row(year, &targets(&plan, pick), &actual))
        })
        .collect())
}
