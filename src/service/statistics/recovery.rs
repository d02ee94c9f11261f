//! Recovery rates (回収率) by kind, current and prior year (現年度・過年度), and the breakdown of a
//! kind's current-year receivables by reason, each with last year's figures beside it. Read from
//! the totals every ledger write keeps; a year asked for the first time is built first.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;

use super::{fiscal_year, rate};
use crate::domain::receivable::ReceivableKind;
use crate::domain::receivable::fiscal::FiscalClass;
use crate::error::ApiError;
use crate::store::recovery;

/// Figures of one row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sums {
    pub count: i64,
    pub collected_count: i64,
    pub assessed: i64,
    pub collected: i64,
}

impl Sums {
    /// collected / assessed, in percent.
    pub fn rate(&self) -> Option<Decimal> {
        rate(self.collected, self.assessed)
    }

    /// collected / assessed receivables, by count, in percent.
    pub fn count_rate(&self) -> Option<Decimal> {
        rate(self.collected_count, self.count)
    }
}

/// One row: this year's sums and last year's.
#[derive(Debug, Clone)]
pub struct Row<K> {
    pub key: K,
    pub now: Sums,
    pub previous: Sums,
}

/// A year's sums by (kind, reason, period).
type YearSums = BTreeMap<(String, Option<String>, String), Sums>;

/// The sums of `fy` and of the year before.
async fn year_sums(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    today: NaiveDate,
) -> Result<(YearSums, YearSums), ApiError> {
    fiscal_year(fy)?;
    let years = [fy - 1, fy];
    recovery::ensure_built(db, insurer, &years, today).await?;
    let (mut now, mut before) = (YearSums::new(), YearSums::new());
    for t in recovery::totals(db, insurer, &years).await? {
        let into = if t.fiscal_year == fy { &mut now } else { &mut before };
        into.insert(
            (t.kind, t.reason, t.period),
            Sums {
                count: t.count,
                collected_count: t.collected_count,
                assessed: t.assessed,
                collected: t.collected,
            },
        );
    }
    Ok((now, before))
}

fn by_kind_period(sums: &YearSums) -> BTreeMap<(String, String), Sums> {
    let mut out: BTreeMap<(String, String), Sums> = BTreeMap::new();
    for ((kind, _, period), s) in sums {
        let t = out.entry((kind.clone(), period.clone())).or_default();
        t.count += s.count;
        t.collected_count += s.collected_count;
        t.assessed += s.assessed;
        t.collected += s.collected;
    }
    out
}

/// The recovery table of `fy`: a row per (kind, period), kinds in order, `current` before
/// `prior`.
pub async fn table(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    today: NaiveDate,
) -> Result<Vec<Row<(String, String)>>, ApiError> {
    let (now, before) = year_sums(db, insurer, fy, today).await?;
    let (now, before) = (by_kind_period(&now), by_kind_period(&before));
    let mut keys: Vec<(String, String)> = now.keys().chain(before.keys()).cloned().collect();
    keys.sort_by(|a, b| (a.0.as_str(), a.1 != "current").cmp(&(b.0.as_str(), b.1 != "current")));
    keys.dedup();
    Ok(keys
        .into_iter()
        .map(|k| Row {
            now: now.get(&k).copied().unwrap_or_default(),
            previous: before.get(&k).copied().unwrap_or_default(),
            key: k,
        })
        .collect())
}

/// Throws the year's totals away, builds them again from the ledger, and reads the table.
pub async fn rebuild(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    today: NaiveDate,
) -> Result<Vec<Row<(String, String)>>, ApiError> {
    fiscal_year(fy)?;
    recovery::rebuild(db, insurer, fy).await?;
    table(db, insurer, fy, today).await
}

/// The current-year receivables of `kind` by reason (none for kinds without reasons).
pub async fn breakdown(
    db: &DatabaseConnection,
    insurer: &str,
    fy: i32,
    kind: ReceivableKind,
    today: NaiveDate,
) -> Result<Vec<Row<Option<String>>>, ApiError> {
    let (now, before) = year_sums(db, insurer, fy, today).await?;
    let pick = |m: &YearSums| {
        m.iter()
            .filter(|((k, _, p), _)| k == kind.as_str() && p == FiscalClass::Current.as_str())
            .map(|((_, r, _), s)| (r.clone(), *s))
            .collect::<BTreeMap<Option<String>, Sums>>()
    };
    let (now, before) = (pick(&now), pick(&before));
    let mut reasons: Vec<Option<String>> = now.keys().chain(before.keys()).cloned().collect();
    reasons.sort();
    reasons.dedup();
    Ok(reasons
        .into_iter()
        .map(|r| Row {
            now: now.get(&r).copied().unwrap_or_default(),
            previous: before.get(&r).copied().unwrap_or_default(),
            key: r,
        })
        .collect())
}
