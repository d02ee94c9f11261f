//! Reading receivables' ledger entries (調定, 調定減, 収納, 不納欠損) as the domain's entries,
//! for one receivable or for a range of them. Both the receivables and the recovery totals read
//! through here.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::receivable::{Column, Entity};
use super::entity::receivable_entry as entry;
use crate::domain::money::Yen;
use crate::domain::receivable::LedgerEntry;
use crate::domain::receivable::ledger::{CollectionChannel, WriteOffReason};

pub use crate::domain::receivable::record::{ASSESSMENT, COLLECTION, REDUCTION, WRITE_OFF};

/// What the ledger needs of a stored entry (bulk reads select only these columns).
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct EntryFacts {
    pub id: String,
    pub receivable_id: String,
    pub kind: String,
    pub amount: i64,
    pub entry_on: NaiveDate,
    pub channel: Option<String>,
    pub reason: Option<String>,
}

/// The domain's entry for a stored one.
pub fn entry_of(e: &EntryFacts) -> Result<LedgerEntry, DbErr> {
    let corrupt = |what: &str| DbErr::Custom(format!("receivable entry {}: {what}", e.id));
    let amount = Yen::new(e.amount);
    Ok(match e.kind.as_str() {
        ASSESSMENT => LedgerEntry::Assessment { on: e.entry_on, amount },
        REDUCTION => LedgerEntry::Reduction { on: e.entry_on, amount },
        COLLECTION => LedgerEntry::Collection {
            on: e.entry_on,
            amount,
            channel: CollectionChannel::parse(e.channel.as_deref().unwrap_or_default())
                .map_err(|_| corrupt("channel"))?,
        },
        WRITE_OFF => LedgerEntry::WriteOff {
            on: e.entry_on,
            reason: WriteOffReason::parse(e.reason.as_deref().unwrap_or_default()).map_err(|_| corrupt("reason"))?,
        },
        _ => return Err(corrupt("kind")),
    })
}

/// A page of the tenant's receivables in id order after `after`: (id, kind, reason).
pub async fn kinds_page(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<(String, String, Option<String>)>, DbErr> {
    let mut q = Entity::find()
        .select_only()
        .columns([Column::Id, Column::Kind, Column::Reason])
        .filter(Column::Insurer.eq(insurer));
    if let Some(a) = after {
        q = q.filter(Column::Id.gt(a));
    }
    q.order_by_asc(Column::Id).limit(limit).into_tuple().all(conn).await
}

/// What the ledger needs of the entries of the receivables with ids in (`after`, `through`],
/// grouped by receivable, each receivable's in the order they were recorded.
pub async fn entry_facts_in_range(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    through: &str,
) -> Result<std::collections::HashMap<String, Vec<EntryFacts>>, DbErr> {
    let mut q = entry::Entity::find()
        .select_only()
        .columns([
            entry::Column::Id,
            entry::Column::ReceivableId,
            entry::Column::Kind,
            entry::Column::Amount,
            entry::Column::EntryOn,
            entry::Column::Channel,
            entry::Column::Reason,
        ])
        .filter(entry::Column::Insurer.eq(insurer))
        .filter(entry::Column::ReceivableId.lte(through));
    if let Some(a) = after {
        q = q.filter(entry::Column::ReceivableId.gt(a));
    }
    let mut rows: Vec<EntryFacts> = q.into_model().all(conn).await?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out: std::collections::HashMap<String, Vec<EntryFacts>> = std::collections::HashMap::new();
    for e in rows {
        out.entry(e.receivable_id.clone()).or_default().push(e);
    }
    Ok(out)
}

/// The assessment date of the tenant's first receivable.
pub async fn first_assessed_on(conn: &impl ConnectionTrait, insurer: &str) -> Result<Option<NaiveDate>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::AssessedOn)
        .filter(Column::Insurer.eq(insurer))
        .order_by_asc(Column::AssessedOn)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await
}
