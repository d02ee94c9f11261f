//! The insurer's scheme settings (支給方式の設定): one row per insurer, absent until an
//! administrator stores one.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::OnConflict};

use super::entity::benefit_scheme::{self as scheme, Column, Entity};
use super::{Actor, all_set, audit, now};
use crate::domain::application::{AutomaticPayment, BenefitScheme};
use crate::domain::zengin::RemitterSettings;

/// The stored settings, or `None` when the insurer never stored any.
pub async fn get(conn: &impl ConnectionTrait, insurer: &str) -> Result<Option<BenefitScheme>, DbErr> {
    let Some(row) = Entity::find_by_id(insurer.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let automatic_payment = AutomaticPayment::parse(&row.automatic_payment)
        .map_err(|e| DbErr::Custom(format!("benefit scheme {insurer}: {e:?}")))?;
    let remitter = row
        .remitter
        .as_deref()
        .map(serde_json::from_str::<RemitterSettings>)
        .transpose()
        .map_err(|e| DbErr::Custom(format!("benefit scheme {insurer}: stored remitter: {e}")))?;
    Ok(Some(BenefitScheme {
        automatic_payment,
        exclude_tax_arrears: row.exclude_tax_arrears,
        remitter,
        version: row.version,
        updated_at: Some(row.updated_at),
    }))
}

/// Stores the settings if the stored version is still `expected` (0: none stored yet). `Ok(None)`
/// when another writer came first. Audited as `benefit_scheme.put`.
pub async fn put(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    s: &BenefitScheme,
    expected: i32,
) -> Result<Option<BenefitScheme>, DbErr> {
    let next = BenefitScheme {
        version: expected + 1,
        updated_at: Some(now()),
        ..s.clone()
    };
    let row = scheme::Model {
        insurer: actor.insurer.clone(),
        automatic_payment: next.automatic_payment.as_str().to_string(),
        exclude_tax_arrears: next.exclude_tax_arrears,
        remitter: next
            .remitter
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| DbErr::Custom(e.to_string()))?,
        version: next.version,
        updated_at: next.updated_at.unwrap_or_else(now),
    };
    let written = if expected == 0 {
        let res = Entity::insert(all_set::<scheme::ActiveModel>(row))
            .on_conflict(OnConflict::column(Column::Insurer).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await?;
        res == 1
    } else {
        let res = Entity::update_many()
            .set(all_set::<scheme::ActiveModel>(row))
            .filter(Column::Insurer.eq(actor.insurer.as_str()))
            .filter(Column::Version.eq(expected))
            .exec(conn)
            .await?;
        res.rows_affected == 1
    };
    if !written {
        return Ok(None);
    }
    audit::record(conn, actor, "benefit_scheme.put", "benefit_scheme", &actor.insurer).await?;
    Ok(Some(next))
}
