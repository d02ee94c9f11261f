//! The dunning worklist (催告): the actions the rules call due on a day, each with its rule,
//! read receivable by receivable in id order. The facts every rule looks at are assembled here,
//! once: the ledger, the actions taken, a plan being kept (分割納付), and an open 保険者間調整
//! request, either of which holds the dunning.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::records::{Records, ledger_of};
use crate::domain::receivable::record::Receivable;
use crate::domain::receivable::{DueAction, DunningFacts, due_actions};
use crate::error::ApiError;
use crate::store::receivables as store;
use crate::store::{PageRequest, adjustments as adjustment_store, encode_cursor};

/// Receivables read at a time while building the worklist.
const CHUNK: u64 = 1000;

/// One receivable's due action.
pub struct DueItem {
    pub receivable: Receivable,
    pub due: DueAction,
}

/// A page of the day's worklist.
pub struct WorklistPage {
    pub on: NaiveDate,
    pub items: Vec<DueItem>,
    /// Continue after this cursor for the rest of the day's items.
    pub next_cursor: Option<String>,
}

/// The day's due actions, paged by receivable: a page holds the items of whole receivables, at
/// most `page.limit`.
pub async fn worklist(
    db: &DatabaseConnection,
    insurer: &str,
    on: NaiveDate,
    page: &PageRequest,
) -> Result<WorklistPage, ApiError> {
    let mut items = Vec::new();
    let mut after = page.after.clone();
    let mut exhausted = false;
    while (items.len() as u64) < page.limit {
        // About two items a receivable: read what the rest of the page likely needs, so that little
        // is read only to be cut off.
        let chunk = ((page.limit - items.len() as u64) / 2).clamp(20, CHUNK);
        let rows = store::open_page(db, insurer, after.as_deref(), chunk).await?;
        let Some(last) = rows.last().map(|r| r.id.clone()) else {
            exhausted = true;
            break;
        };
        let (mut entries, mut actions) = store::ledgers_in_range(db, insurer, after.as_deref(), &last).await?;
        let mut plans = store::plans_in_range(db, insurer, after.as_deref(), &last).await?;
        let mut legal = store::legal_in_range(db, insurer, after.as_deref(), &last).await?;
        let adjusting = adjustment_store::open_in_range(db, insurer, after.as_deref(), &last).await?;
        let full = rows.len() as u64 == chunk;
        for r in rows {
            let es = entries.remove(&r.id).unwrap_or_default();
            let records = Records {
                ledger: ledger_of(&r.id, &es)?,
                entries: es,
                actions: actions.remove(&r.id).unwrap_or_default(),
                plans: plans.remove(&r.id).unwrap_or_default(),
                legal: legal.remove(&r.id).unwrap_or_default(),
            };
            let facts = facts_of(&r, &records, &adjusting, on);
            let taken: Vec<_> = records.actions.iter().map(|a| a.taken()).collect();
            for due in due_actions(&facts, &taken, on) {
                items.push(DueItem {
                    receivable: r.clone(),
                    due,
                });
            }
            after = Some(r.id);
            if items.len() as u64 >= page.limit {
                break;
            }
        }
        if !full && (items.len() as u64) < page.limit {
            exhausted = true;
            break;
        }
    }
    Ok(WorklistPage {
        on,
        items,
        next_cursor: if exhausted {
            None
        } else {
            after.as_deref().map(encode_cursor)
        },
    })
}

/// What the dunning rules look at for `r` on `on`.
fn facts_of(r: &Receivable, records: &Records, adjusting: &HashSet<String>, on: NaiveDate) -> DunningFacts {
    let p = records.ledger.position();
    DunningFacts {
        kind: r.kind,
        reason: r.reason,
        debtor: r.debtor.kind,
        assessed_on: r.assessed_on,
        due_on: r.due_on,
        assessed_amount: p.assessed,
        balance: p.balance,
        collected: p.collected,
        status: r.status,
        phone_known: r.debtor.phone.as_deref().is_some_and(|x| !x.trim().is_empty()),
        workplace_known: r.debtor.workplace.as_deref().is_some_and(|x| !x.trim().is_empty()),
        installment_active: records.installment_active(on),
        adjustment_pending: adjusting.contains(&r.id),
        rotation_key: rotation_key(&r.id),
        limitation_completes_on: records.limitation(r).completes_on,
    }
}

/// A stable number of a receivable that picks its prior-year group (the id's last 12 hex digits).
fn rotation_key(id: &str) -> u64 {
    let hex: String = id.chars().filter(char::is_ascii_hexdigit).collect();
    u64::from_str_radix(&hex[hex.len().saturating_sub(12)..], 16).unwrap_or(0)
}
