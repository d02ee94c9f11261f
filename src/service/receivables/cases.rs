//! What is done to a receivable: assess it (調定), record an action (催告 and the rest), a
//! collection (収納) or a write-off (不納欠損), pledge an installment plan (分割納付), file a payment
//! order (支払督促) and record its progress. Each answer is the receivable as it now stands, with
//! its records.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::records::{self, Records, in_legal, plan_position_of};
use crate::domain::ids::Actor;
use crate::domain::ids::{ClaimId, Id, LegalActionId, ReceivableId};
use crate::domain::money::Yen;
use crate::domain::page::{Page, PageRequest};
use crate::domain::receivable::installment::{self, InstallmentStatus};
use crate::domain::receivable::late_charge::{LateCharge, PrincipalEvent, earliest_demand_deadline};
use crate::domain::receivable::ledger::{CollectionChannel, WriteOffReason, status_of};
use crate::domain::receivable::record::{Debtor, LegalAction, NewEntry, Plan, Receivable};
use crate::domain::receivable::{
    ActionKind, ActionOutcome, LateChargeTable, LedgerEntry, ReceivableKind, ReceivableStatus, RefundReason,
    late_charge,
};
use crate::error::{ApiError, ErrorCode};
pub use crate::store::receivables::Filter;
use crate::store::receivables::{self as store, NewAction};
use crate::store::{members, new_id, now};

/// A receivable with its records (the single-receivable answers).
#[derive(Debug, Clone)]
pub struct Full {
    pub receivable: Receivable,
    pub records: Records,
}

/// A receivable to assess, its fields parsed.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub kind: ReceivableKind,
    pub reason: Option<RefundReason>,
    pub debtor: Debtor,
    pub assessed_on: NaiveDate,
    pub amount: i64,
    pub due_on: NaiveDate,
    pub source_claim_ids: Vec<String>,
    pub note: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::ReceivableNotFound)
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ReceivableChanged,
        detail: "the receivable changed while it was being written; read it again".into(),
    }
}

fn closed(r: &Receivable) -> Result<(), ApiError> {
    if r.is_closed() {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: format!("the receivable is {}", r.status.as_str()),
        });
    }
    Ok(())
}

async fn receivable(db: &DatabaseConnection, insurer: &str, id: &str) -> Result<Receivable, ApiError> {
    store::get(db, insurer, id).await?.ok_or_else(not_found)
}

async fn full(db: &DatabaseConnection, insurer: &str, r: Receivable) -> Result<Full, ApiError> {
    let records = records::load(db, insurer, &r).await?;
    Ok(Full { receivable: r, records })
}

/// The receivable read again after a write.
async fn reread(db: &DatabaseConnection, insurer: &str, id: &str) -> Result<Full, ApiError> {
    let r = receivable(db, insurer, id).await?;
    full(db, insurer, r).await
}

/// The debtor's member exists, when one is named (422 otherwise).
pub async fn check_debtor(db: &DatabaseConnection, insurer: &str, member_id: Option<&str>) -> Result<bool, ApiError> {
    match member_id {
        Some(m) => Ok(members::get(db, insurer, m).await?.is_some()),
        None => Ok(true),
    }
}

/// The positions in `ids` that name no claim of the tenant (a string that cannot be an id
/// included): a receivable's sources are the insurer's own claims.
pub async fn unknown_claims(db: &DatabaseConnection, insurer: &str, ids: &[String]) -> Result<Vec<usize>, ApiError> {
    let wanted: Vec<&str> = ids
        .iter()
        .filter(|id| ClaimId::parse(id).is_some())
        .map(String::as_str)
        .collect();
    let found = crate::store::claims::existing(db, insurer, &wanted).await?;
    Ok(ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains(id.as_str()))
        .map(|(i, _)| i)
        .collect())
}

/// Assesses a receivable (調定): its assessment entry, audit row and recovery totals in one
/// transaction.
pub async fn assess(db: &DatabaseConnection, actor: &Actor, a: Assessment) -> Result<Full, ApiError> {
    let r = Receivable {
        id: new_id(),
        kind: a.kind,
        reason: a.reason,
        debtor: a.debtor,
        household_id: None,
        service_month: None,
        determination_id: None,
        assessed_on: a.assessed_on,
        amount: a.amount,
        due_on: a.due_on,
        source_claim_ids: a.source_claim_ids,
        source_key: None,
        note: a.note,
        balance: a.amount,
        status: ReceivableStatus::Open,
        version: 1,
        created_at: now(),
    };
    let r = store::create(db, actor, r).await?;
    full(db, &actor.insurer, r).await
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Receivable>, ApiError> {
    Ok(store::list(db, insurer, filter, page).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &ReceivableId) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, insurer, id).await?;
    full(db, insurer, r).await
}

/// An action to record, its codes parsed.
#[derive(Debug, Clone)]
pub struct Taken {
    pub kind: ActionKind,
    pub on: NaiveDate,
    pub outcome: Option<ActionOutcome>,
    pub note: Option<String>,
}

/// Records an action; a statutory demand (督促) is for statutory kinds only, and a payment order
/// filed puts the receivable `in_legal`.
pub async fn record_action(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ReceivableId,
    t: Taken,
) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    if t.on < r.assessed_on {
        return Err(ApiError::validation("on", "must not be before the assessment"));
    }
    if t.kind == ActionKind::StatutoryDemand && !r.kind.is_statutory() {
        return Err(ApiError::validation(
            "kind",
            "a statutory demand (督促) is for statutory kinds only; civil claims are dunned by notice",
        ));
    }
    closed(&r)?;
    let l = records::load(db, &actor.insurer, &r).await?;
    let legal = l.in_legal() || t.kind == ActionKind::PaymentOrderFiled;
    let status = status_of(l.ledger.position(), l.ledger.is_written_off(), legal);
    let a = NewAction {
        kind: t.kind,
        on: t.on,
        outcome: t.outcome,
        note: t.note,
    };
    store::add_action(db, actor, &r, a, status).await?;
    reread(db, &actor.insurer, &r.id).await
}

/// Appends `new` to the ledger (refused by the ledger's rules with 422) and writes what it derives.
async fn append(
    db: &DatabaseConnection,
    actor: &Actor,
    r: Receivable,
    l: Records,
    new: LedgerEntry,
    e: NewEntry,
) -> Result<Full, ApiError> {
    let ledger = l.ledger.clone().with(new).map_err(|e| ApiError::Unprocessable {
        code: ErrorCode::LedgerRefused,
        detail: e.to_string(),
    })?;
    let status = status_of(ledger.position(), ledger.is_written_off(), l.in_legal());
    let row = store::append_entry(db, actor, &r, e, (l.ledger, ledger), status)
        .await?
        .ok_or_else(changed_meanwhile)?;
    full(db, &actor.insurer, row).await
}

/// Records a collection (収納) up to the balance.
pub async fn collect(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ReceivableId,
    amount: i64,
    received_on: NaiveDate,
    channel: CollectionChannel,
) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    let l = records::load(db, &actor.insurer, &r).await?;
    let balance = l.ledger.position().balance.as_i64();
    if amount > balance {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::CollectionExceedsBalance,
            detail: format!("{amount} yen is more than the balance of {balance} yen"),
        });
    }
    let e = NewEntry {
        kind: store::COLLECTION,
        amount,
        on: received_on,
        channel: Some(channel.as_str()),
        reason: None,
        note: None,
    };
    let new = LedgerEntry::Collection {
        on: received_on,
        amount: Yen::new(amount),
        channel,
    };
    append(db, actor, r, l, new, e).await
}

/// Writes off the balance (不納欠損).
pub async fn write_off(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ReceivableId,
    on: NaiveDate,
    reason: WriteOffReason,
) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    let l = records::load(db, &actor.insurer, &r).await?;
    let e = NewEntry {
        kind: store::WRITE_OFF,
        amount: l.ledger.position().balance.as_i64(),
        on,
        channel: None,
        reason: Some(reason.as_str()),
        note: None,
    };
    append(db, actor, r, l, LedgerEntry::WriteOff { on, reason }, e).await
}

/// The 延滞金 if the receivable were paid in full on `as_of`.
pub async fn late_charge_on(
    db: &DatabaseConnection,
    insurer: &str,
    id: &ReceivableId,
    as_of: NaiveDate,
) -> Result<LateCharge, ApiError> {
    let id = id.as_str();
    let r = receivable(db, insurer, id).await?;
    let l = records::load(db, insurer, &r).await?;
    let mut events = PrincipalEvent::from_ledger(l.ledger.entries());
    for a in l.actions.iter().filter(|a| a.kind == ActionKind::StatutoryDemand) {
        events.push(PrincipalEvent::Demanded {
            on: a.on,
            deadline: earliest_demand_deadline(a.on),
            by_public_notice: false,
        });
    }
    late_charge(r.kind, &events, r.due_on, as_of, &LateChargeTable::kenpo_181()).map_err(|e| ApiError::Unprocessable {
        code: ErrorCode::NoLateChargeRate,
        detail: e.to_string(),
    })
}

/// A plan to pledge.
#[derive(Debug, Clone)]
pub struct Pledge {
    pub pledged_on: NaiveDate,
    pub instalments: i32,
    pub first_due_on: NaiveDate,
}

/// Pledges an installment plan (分割納付) of the balance; one plan is kept at a time.
pub async fn pledge(
    db: &DatabaseConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &ReceivableId,
    p: Pledge,
) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    if p.pledged_on < r.assessed_on {
        return Err(ApiError::validation("pledged_on", "must not be before the assessment"));
    }
    if p.first_due_on < p.pledged_on {
        return Err(ApiError::validation("first_due_on", "must not be before pledged_on"));
    }
    let l = records::load(db, &actor.insurer, &r).await?;
    let balance = l.ledger.position().balance.as_i64();
    if balance <= 0 || r.status == ReceivableStatus::WrittenOff {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: "nothing is left to divide".into(),
        });
    }
    if l.plans.iter().any(|x| {
        plan_position_of(x, &l.ledger, today)
            .1
            .is_some_and(|x| x.status == InstallmentStatus::Active)
    }) {
        return Err(ApiError::Conflict {
            code: ErrorCode::InstallmentPlanActive,
            detail: "a plan is still active".into(),
        });
    }
    installment::schedule(Yen::new(balance), p.instalments as u32, p.first_due_on)
        .map_err(|e| ApiError::validation("instalments", e.to_string()))?;
    let plan = Plan {
        id: new_id(),
        pledged_on: p.pledged_on,
        instalments: p.instalments,
        first_due_on: p.first_due_on,
        total: balance,
        cancelled_on: None,
    };
    store::add_plan(db, actor, &r.id, &plan).await?;
    reread(db, &actor.insurer, &r.id).await
}

/// Files a payment order (支払督促).
pub async fn file_legal_action(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ReceivableId,
    filed_on: NaiveDate,
    court: Option<String>,
    note: Option<String>,
) -> Result<Full, ApiError> {
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    if filed_on < r.assessed_on {
        return Err(ApiError::validation("filed_on", "must not be before the assessment"));
    }
    closed(&r)?;
    let x = LegalAction {
        id: new_id(),
        filed_on,
        court,
        served_on: None,
        declaration_served_on: None,
        outcome: None,
        outcome_on: None,
        note,
        version: 1,
    };
    store::file_legal_action(db, actor, &r, &x).await?;
    reread(db, &actor.insurer, &r.id).await
}

/// Records a payment order's progress: served, 仮執行宣言 served, or its outcome. A concluded
/// order (anything but an objection) takes no more events.
pub async fn record_legal_event(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &ReceivableId,
    legal_id: &LegalActionId,
    kind: &str,
    on: NaiveDate,
) -> Result<Full, ApiError> {
    let legal_id = legal_id.as_str();
    let id = id.as_str();
    let r = receivable(db, &actor.insurer, id).await?;
    let l = records::load(db, &actor.insurer, &r).await?;
    let current = l
        .legal
        .iter()
        .find(|x| x.id == legal_id)
        .cloned()
        .ok_or(ApiError::NotFound(ErrorCode::LegalActionNotFound))?;
    if on < current.filed_on {
        return Err(ApiError::validation("on", "must not be before the filing"));
    }
    if current.outcome.as_deref().is_some_and(|o| o != "objection") {
        return Err(ApiError::Conflict {
            code: ErrorCode::LegalActionConcluded,
            detail: format!("the payment order is {}", current.outcome.clone().unwrap_or_default()),
        });
    }
    let mut next = current.clone();
    match kind {
        "served" => next.served_on = Some(on),
        "declaration_served" => next.declaration_served_on = Some(on),
        "objection" | "final" | "withdrawn" | "lapsed" | "settled" => {
            next.outcome = Some(kind.to_string());
            next.outcome_on = Some(on);
        }
        _ => {
            return Err(ApiError::validation(
                "kind",
                "must be one of served, declaration_served, objection, final, withdrawn, lapsed, settled",
            ));
        }
    }
    let legal_after: Vec<LegalAction> = l
        .legal
        .iter()
        .map(|x| if x.id == next.id { next.clone() } else { x.clone() })
        .collect();
    let status = status_of(
        l.ledger.position(),
        l.ledger.is_written_off(),
        in_legal(&l.actions, &legal_after),
    );
    if !store::update_legal_action(db, actor, &current, &next, &r, status).await? {
        return Err(changed_meanwhile());
    }
    reread(db, &actor.insurer, &r.id).await
}
