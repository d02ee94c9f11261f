//! Recovery totals (回収率の集計): per insurer, fiscal year, kind, reason and period, the summed
//! contributions of every receivable to the recovery table (domain::receivable::fiscal).
//!
//! - A year's totals are **built** from the ledger (each receivable's entries read page by page,
//!   its contribution to every year being built worked out by the domain) and marked in
//!   `recovery_years`: on the first request for a year, and at start and every hour for every
//!   year up to the current one (`service::statistics::keep_recovery_years`), so that requests
//!   find them ready.
//! - From then on every ledger write adds, in its own transaction, the change it makes to each
//!   built year ([`record`]): a back-dated entry changes what later years carried in, so all built
//!   years are asked. The statistics then read a handful of rows, whatever the ledger's size.
//! - [`rebuild`] throws a year's totals away and builds them again from the ledger; the tests check
//!   that kept and rebuilt totals agree.
//!
//! Consistency with concurrent writers: the rows changed by a write are upserted with increments,
//! in key order (no deadlocks between writers). A build on PostgreSQL takes a SHARE ROW EXCLUSIVE
//! lock on `receivable_entries`, so it waits for writers in flight and holds new ones until it
//! commits; writers read the built years only after inserting their entry, so each write is
//! counted exactly once, by the build or by the write. On SQLite a build's first statement is a
//! write, which takes the database's one write lock for the length of the build.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait, Value,
};

use super::entity::receivable as rec;
use super::entity::{recovery_total as total, recovery_year as year};
use super::{now, statement};
use crate::domain::calendar::FiscalYear;
use crate::domain::money::Yen;
use crate::domain::receivable::fiscal::{TotalsDelta, contribution_change};
use crate::domain::receivable::{Ledger, LedgerEntry};

/// A change of one receivable's ledger: `before` is `None` for a new receivable.
#[derive(Debug, Clone)]
pub struct LedgerChange {
    pub kind: String,
    pub reason: Option<String>,
    pub before: Option<Ledger>,
    pub after: Ledger,
}

impl LedgerChange {
    /// A new receivable with its assessment entry.
    pub fn assessed(r: &rec::Model) -> Result<Self, DbErr> {
        let after = Ledger::new(vec![LedgerEntry::Assessment {
            on: r.assessed_on,
            amount: Yen::new(r.amount),
        }])
        .map_err(|e| DbErr::Custom(format!("receivable {}: {e}", r.id)))?;
        Ok(Self {
            kind: r.kind.clone(),
            reason: r.reason.clone(),
            before: None,
            after,
        })
    }

    /// An entry appended to an existing receivable.
    pub fn appended(r: &crate::domain::receivable::record::Receivable, before: Ledger, after: Ledger) -> Self {
        Self {
            kind: r.kind.as_str().to_string(),
            reason: r.reason.map(|x| x.as_str().to_string()),
            before: Some(before),
            after,
        }
    }
}

/// Row key: (fiscal year, kind, reason or '', period).
type Key = (i32, String, String, &'static str);

/// The fiscal years of the tenant whose totals are built.
pub async fn built_years(conn: &impl ConnectionTrait, insurer: &str) -> Result<Vec<i32>, DbErr> {
    Ok(year::Entity::find()
        .filter(year::Column::Insurer.eq(insurer))
        .order_by_asc(year::Column::FiscalYear)
        .all(conn)
        .await?
        .into_iter()
        .map(|y| y.fiscal_year)
        .collect())
}

/// Adds what `changes` do to every built year. Call it in the transaction that wrote the entries,
/// after writing them.
pub async fn record(conn: &impl ConnectionTrait, insurer: &str, changes: &[LedgerChange]) -> Result<(), DbErr> {
    if changes.is_empty() {
        return Ok(());
    }
    let years = built_years(conn, insurer).await?;
    if years.is_empty() {
        return Ok(());
    }
    let mut sums: BTreeMap<Key, TotalsDelta> = BTreeMap::new();
    for y in years {
        let fy = fiscal_year(y)?;
        for c in changes {
            if let Some((class, delta)) = contribution_change(c.before.as_ref(), &c.after, fy) {
                sums.entry((y, c.kind.clone(), c.reason.clone().unwrap_or_default(), class.as_str()))
                    .or_default()
                    .add(delta);
            }
        }
    }
    sums.retain(|_, d| !d.is_zero());
    add(conn, insurer, &sums).await
}

fn fiscal_year(y: i32) -> Result<FiscalYear, DbErr> {
    FiscalYear::new(y).map_err(|e| DbErr::Custom(format!("fiscal year {y}: {e}")))
}

/// Upserts `sums` as increments, in key order.
async fn add(conn: &impl ConnectionTrait, insurer: &str, sums: &BTreeMap<Key, TotalsDelta>) -> Result<(), DbErr> {
    let rows: Vec<(&Key, &TotalsDelta)> = sums.iter().collect();
    for chunk in rows.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO recovery_totals (insurer, fiscal_year, kind, reason, period, receivable_count, \
             collected_count, assessed, collected) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for (i, ((y, kind, reason, period), d)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
            values.extend([
                insurer.into(),
                (*y).into(),
                kind.as_str().into(),
                reason.as_str().into(),
                (*period).into(),
                d.count.into(),
                d.collected_count.into(),
                d.assessed.as_i64().into(),
                d.collected.as_i64().into(),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (insurer, fiscal_year, kind, reason, period) DO UPDATE SET \
             receivable_count = recovery_totals.receivable_count + excluded.receivable_count, \
             collected_count = recovery_totals.collected_count + excluded.collected_count, \
             assessed = recovery_totals.assessed + excluded.assessed, \
             collected = recovery_totals.collected + excluded.collected",
        );
        conn.execute_raw(statement(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// Makes sure the totals of `wanted` are built. Building reads the whole ledger once, whatever
/// the number of years, so a build takes in, besides `wanted`, every year from the tenant's first
/// assessment to the fiscal year of `today` that is not built yet: later requests find them ready.
pub async fn ensure_built<C>(db: &C, insurer: &str, wanted: &[i32], today: NaiveDate) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let built = built_years(db, insurer).await?;
    if wanted.iter().all(|y| built.contains(y)) {
        return Ok(());
    }
    let current = FiscalYear::of(today).start_year();
    let first = super::ledger::first_assessed_on(db, insurer)
        .await?
        .map_or(current, |d| FiscalYear::of(d).start_year());
    let mut years: Vec<i32> = (first.min(current)..=current).chain(wanted.iter().copied()).collect();
    years.sort_unstable();
    years.dedup();
    // A receivable dated outside every fiscal year the statistics can be asked about (1900 to
    // 9998) adds no year to build.
    years.retain(|y| !built.contains(y) && FiscalYear::new(*y).is_ok());
    build(db, insurer, &years, false).await
}

/// Throws away a year's totals and builds them again from the ledger.
pub async fn rebuild(db: &impl TransactionTrait, insurer: &str, y: i32) -> Result<(), DbErr> {
    build(db, insurer, &[y], true).await
}

/// Receivables per page of a build.
const BUILD_PAGE: u64 = 2_000;

async fn build(db: &impl TransactionTrait, insurer: &str, years: &[i32], replace: bool) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE receivable_entries IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    if replace {
        year::Entity::delete_many()
            .filter(year::Column::Insurer.eq(insurer))
            .filter(year::Column::FiscalYear.is_in(years.iter().copied()))
            .exec(&txn)
            .await?;
        total::Entity::delete_many()
            .filter(total::Column::Insurer.eq(insurer))
            .filter(total::Column::FiscalYear.is_in(years.iter().copied()))
            .exec(&txn)
            .await?;
    }
    // Mark the years; one another request marked meanwhile is left to it.
    let mut ours = Vec::new();
    for y in years {
        let marked = txn
            .execute_raw(statement(
                backend,
                "INSERT INTO recovery_years (insurer, fiscal_year, built_at) VALUES (?, ?, ?) \
                 ON CONFLICT (insurer, fiscal_year) DO NOTHING",
                vec![insurer.into(), (*y).into(), now().into()],
            ))
            .await?;
        if marked.rows_affected() > 0 {
            ours.push(fiscal_year(*y)?);
        }
    }
    if ours.is_empty() {
        return txn.commit().await;
    }
    let mut sums: BTreeMap<Key, TotalsDelta> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let page = super::ledger::kinds_page(&txn, insurer, after.as_deref(), BUILD_PAGE).await?;
        let Some((last, _, _)) = page.last() else { break };
        let mut entries = super::ledger::entry_facts_in_range(&txn, insurer, after.as_deref(), last).await?;
        for (id, kind, reason) in &page {
            let Some(rows) = entries.remove(id) else { continue };
            let ledger = Ledger::new(
                rows.iter()
                    .map(super::ledger::entry_of)
                    .collect::<Result<Vec<_>, _>>()?,
            )
            .map_err(|e| DbErr::Custom(format!("stored ledger of {id}: {e}")))?;
            for fy in &ours {
                if let Some((class, delta)) = contribution_change(None, &ledger, *fy) {
                    sums.entry((
                        fy.start_year(),
                        kind.clone(),
                        reason.clone().unwrap_or_default(),
                        class.as_str(),
                    ))
                    .or_default()
                    .add(delta);
                }
            }
        }
        after = Some(last.clone());
    }
    add(&txn, insurer, &sums).await?;
    txn.commit().await
}

/// One row of a year's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsRow {
    pub fiscal_year: i32,
    pub kind: String,
    pub reason: Option<String>,
    /// `current` or `prior`.
    pub period: String,
    pub count: i64,
    pub collected_count: i64,
    pub assessed: i64,
    pub collected: i64,
}

/// The totals of `years` (built or not: build them first), without rows that nothing counts in.
pub async fn totals(conn: &impl ConnectionTrait, insurer: &str, years: &[i32]) -> Result<Vec<TotalsRow>, DbErr> {
    Ok(total::Entity::find()
        .filter(total::Column::Insurer.eq(insurer))
        .filter(total::Column::FiscalYear.is_in(years.iter().copied()))
        .order_by_asc(total::Column::FiscalYear)
        .order_by_asc(total::Column::Kind)
        .order_by_asc(total::Column::Reason)
        .order_by_asc(total::Column::Period)
        .all(conn)
        .await?
        .into_iter()
        .filter(|t| t.receivable_count != 0 || t.assessed != 0 || t.collected != 0)
        .map(|t| TotalsRow {
            fiscal_year: t.fiscal_year,
            kind: t.kind,
            reason: (!t.reason.is_empty()).then_some(t.reason),
            period: t.period,
            count: t.receivable_count,
            collected_count: t.collected_count,
            assessed: t.assessed,
            collected: t.collected,
        })
        .collect())
}
