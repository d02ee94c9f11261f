//! What the automatic payment scheme (seed 004) did for the service months of a fiscal year.

use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;

use super::fiscal_year;
use crate::domain::payment::POSTAGE_PER_FORM;
use crate::error::ApiError;
use crate::store::payments::{self as store, SchemeTotals};

/// The scheme's year.
#[derive(Debug, Clone)]
pub struct SchemeYear {
    pub fiscal_year: i32,
    pub from_month: String,
    pub to_month: String,
    pub totals: SchemeTotals,
    /// Forms that did not have to be mailed: one per automatic payment.
    pub forms_not_mailed: i64,
    pub postage_per_form: i64,
    pub postage_saved: i64,
    /// Automatic payments among all benefits paid or offered, in percent.
    pub automatic_rate: Option<Decimal>,
}

pub async fn scheme_year(db: &DatabaseConnection, insurer: &str, fy: i32) -> Result<SchemeYear, ApiError> {
    fiscal_year(fy)?;
    let (from, to) = (format!("{fy:04}-04"), format!("{:04}-03", fy + 1));
    let t = store::scheme_totals(db, insurer, &from, &to).await?;
    let offered = t.automatic_payments + t.forms;
    Ok(SchemeYear {
        fiscal_year: fy,
        from_month: from,
        to_month: to,
        forms_not_mailed: t.automatic_payments,
        postage_per_form: POSTAGE_PER_FORM,
        postage_saved: t.automatic_payments * POSTAGE_PER_FORM,
        automatic_rate: super::rate(t.automatic_payments, offered),
        totals: t,
    })
}
