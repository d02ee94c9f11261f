//! 保険者間調整 requests (receivables.md §3): opening one for a refund, moving it, and settling
//! it, which posts what the new insurer paid as an `insurer_adjustment` collection in the same
//! transaction as the move. An agent (a token with an `agency`) sees and moves only its
//! agency's requests and never settles.

use chrono::{Duration, NaiveDate};
use sea_orm::DatabaseConnection;

use crate::domain::calendar::YearMonth;
use crate::domain::ids::Actor;
use crate::domain::ids::AdjustmentRequestId;
use crate::domain::money::Yen;
use crate::domain::page::{Page, PageRequest};
use crate::domain::receivable::adjustment::{self as rules, HistoryEntry, MoveError, Request, Status};
use crate::domain::receivable::ledger::{CollectionChannel, status_of};
use crate::domain::receivable::record::NewEntry;
use crate::domain::receivable::{LedgerEntry, ReceivableKind, ReceivableStatus};
use crate::error::{ApiError, ErrorCode};
use crate::store::adjustments::Collection;
use crate::store::{adjustments as store, claims as claim_store, new_id, now, plans, receivables as rec_store};

/// Who asks: the insurer's staff, or an outsourced agency working on its behalf.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// The agency of an agent's token.
    pub agency: Option<String>,
}

impl Caller {
    fn insurer(&self) -> &str {
        &self.actor.insurer
    }

    /// How the history names the caller.
    fn by(&self) -> String {
        match &self.agency {
            Some(a) => format!("{} ({a})", self.actor.sub),
            None => self.actor.sub.clone(),
        }
    }
}

/// A claim behind the refund, with the day the insured's own claim at the new insurer lapses.
#[derive(Debug, Clone)]
pub struct ClaimSummary {
    pub claim_id: String,
    pub service_month: String,
    pub provider_name: String,
    pub first_service_on: Option<NaiveDate>,
    pub total_cost: i64,
    pub copayment: i64,
    pub claim_lapses_on: NaiveDate,
}

/// A request as it is shown: with its debtor, the claims behind the refund and the warnings of
/// claims that lapse (or lapsed) while the request is open.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: Request,
    pub debtor_name: String,
    pub debtor_phone: Option<String>,
    pub claims: Vec<ClaimSummary>,
    pub warnings: Vec<String>,
}

/// A new request, its fields checked by the caller.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub receivable_id: String,
    pub new_insurer_number: String,
    pub new_insurer_name: String,
    pub consent_on: NaiveDate,
    pub agency: Option<String>,
}

/// A move asked for.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: Status,
    pub on: NaiveDate,
    pub amount: Option<i64>,
    pub note: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::AdjustmentRequestNotFound)
}

async fn view(db: &DatabaseConnection, today: NaiveDate, r: Request) -> Result<RequestView, ApiError> {
    let receivable = rec_store::get(db, &r.insurer, &r.receivable_id)
        .await?
        .ok_or_else(|| ApiError::Internal("request without receivable".into()))?;
    let ids = receivable.source_claim_ids;
    let mut claims = Vec::new();
    let mut warnings = Vec::new();
    for id in ids {
        let Some(c) = claim_store::get(db, &r.insurer, &id).await? else {
            continue;
        };
        let f = c.fields;
        let care_on = f
            .first_service_on
            .or_else(|| YearMonth::parse(&f.service_month).ok().map(YearMonth::last_day))
            .unwrap_or(today);
        let lapses = rules::claim_lapses_on(care_on);
        let open = r.status.is_open();
        if open && lapses < today {
            warnings.push(format!(
                "claim {} ({}): the insured's claim at the new insurer lapsed on {lapses}",
                f.claim_number, f.service_month
            ));
        } else if open && lapses <= today + Duration::days(90) {
            warnings.push(format!(
                "claim {} ({}): the insured's claim at the new insurer lapses on {lapses}",
                f.claim_number, f.service_month
            ));
        }
        claims.push(ClaimSummary {
            claim_id: c.id,
            service_month: f.service_month,
            provider_name: f.provider_name,
            first_service_on: f.first_service_on,
            total_cost: f.total_cost,
            copayment: f.copayment,
            claim_lapses_on: lapses,
        });
    }
    Ok(RequestView {
        request: r,
        debtor_name: receivable.debtor.name,
        debtor_phone: receivable.debtor.phone,
        claims,
        warnings,
    })
}

/// Opens a request for a refund receivable with the debtor's consent: only the insurer does,
/// only for a refund with a balance, with a counterparty that takes part, one open at a time.
pub async fn open(
    db: &DatabaseConnection,
    today: NaiveDate,
    caller: &Caller,
    new: NewRequest,
) -> Result<RequestView, ApiError> {
    if caller.agency.is_some() {
        return Err(ApiError::Forbidden("adjustments:write (insurer side)".into()));
    }
    let r = rec_store::get(db, caller.insurer(), &new.receivable_id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::ReceivableNotFound))?;
    if r.kind != ReceivableKind::OverpaymentRefund {
        return Err(ApiError::validation(
            "receivable_id",
            "only refund receivables (overpayment_refund) are adjusted between insurers",
        ));
    }
    if let Some(c) = plans::counterparty(db, caller.insurer(), &new.new_insurer_number).await?
        && !c.participates
    {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::CounterpartyNotParticipating,
            detail: format!("{} ({}) does not take part in adjustment", c.name, c.number),
        });
    }
    if r.balance <= 0 || r.is_closed() {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: "nothing is left to adjust".into(),
        });
    }
    if store::open_for(db, caller.insurer(), &r.id).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::AdjustmentRequestOpen,
            detail: "the receivable has a request still open".into(),
        });
    }
    let request = Request {
        id: new_id(),
        insurer: caller.insurer().to_string(),
        receivable_id: r.id.clone(),
        new_insurer_number: new.new_insurer_number,
        new_insurer_name: new.new_insurer_name,
        consent_on: new.consent_on,
        agency: new.agency.filter(|a| !a.is_empty()),
        status: Status::Requested,
        amount: r.balance,
        settled_amount: None,
        excess_owed: 0,
        submitted_on: None,
        decided_on: None,
        settled_on: None,
        cancelled_on: None,
        history: Vec::new(),
        version: 1,
        created_at: now(),
    };
    let created = store::create(db, &caller.actor, request).await?;
    view(db, today, created).await
}

/// The tenant's requests in id order; an agent sees only its agency's.
pub async fn list(
    db: &DatabaseConnection,
    today: NaiveDate,
    caller: &Caller,
    agency: Option<&str>,
    status: Option<Status>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<RequestView>, ApiError> {
    let agency = caller.agency.as_deref().or(agency);
    let rows = store::list(db, caller.insurer(), agency, status, updated_since, page).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for r in rows.items {
        items.push(view(db, today, r).await?);
    }
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
    })
}

pub async fn get(
    db: &DatabaseConnection,
    today: NaiveDate,
    caller: &Caller,
    id: &AdjustmentRequestId,
) -> Result<RequestView, ApiError> {
    let id = id.as_str();
    let r = store::get(db, caller.insurer(), caller.agency.as_deref(), id)
        .await?
        .ok_or_else(not_found)?;
    view(db, today, r).await
}

/// Moves a request. Settling needs what the new insurer paid: up to the balance it is collected
/// on the receivable, above it it is owed to the insured.
pub async fn move_request(
    db: &DatabaseConnection,
    today: NaiveDate,
    caller: &Caller,
    id: &AdjustmentRequestId,
    m: Move,
) -> Result<RequestView, ApiError> {
    let id = id.as_str();
    let current = store::get(db, caller.insurer(), caller.agency.as_deref(), id)
        .await?
        .ok_or_else(not_found)?;
    rules::check_move(current.status, m.to, caller.agency.is_some()).map_err(|e| match e {
        MoveError::AgentCannotSettle => ApiError::Forbidden("adjustments:write (insurer side) to settle".into()),
        MoveError::NotAllowed { .. } => ApiError::Conflict {
            code: ErrorCode::TransitionNotAllowed,
            detail: e.to_string(),
        },
    })?;
    if m.on < current.consent_on {
        return Err(ApiError::validation("on", "must not be before the consent"));
    }
    let mut next = current.moved(
        m.to,
        HistoryEntry {
            from: current.status.as_str().into(),
            to: m.to.as_str().into(),
            on: m.on,
            amount: m.amount,
            note: m.note,
            by: caller.by(),
        },
    );
    let collection = if m.to == Status::Settled {
        let paid = m
            .amount
            .filter(|a| *a > 0)
            .ok_or_else(|| ApiError::validation("amount", "what the new insurer paid, above zero"))?;
        settlement(db, caller, &current, &mut next, paid, m.on).await?
    } else {
        None
    };
    let moved = store::apply(db, &caller.actor, &current, next, collection)
        .await?
        .ok_or(ApiError::Conflict {
            code: ErrorCode::AdjustmentRequestChanged,
            detail: "the request or its receivable changed meanwhile; read it again".into(),
        })?;
    view(db, today, moved).await
}

/// Splits what the new insurer paid and builds the collection it posts, if any.
async fn settlement(
    db: &DatabaseConnection,
    caller: &Caller,
    current: &Request,
    next: &mut Request,
    paid: i64,
    on: NaiveDate,
) -> Result<Option<Collection>, ApiError> {
    let r = rec_store::get(db, caller.insurer(), &current.receivable_id)
        .await?
        .ok_or_else(|| ApiError::Internal("request without receivable".into()))?;
    let entries = rec_store::entries(db, caller.insurer(), &r.id).await?;
    let ledger = rec_store::ledger_of(&r.id, &entries)?;
    let split = rules::settle(paid, ledger.position().balance.as_i64());
    next.settled_amount = Some(paid);
    next.excess_owed = split.excess;
    if split.applied <= 0 {
        return Ok(None);
    }
    let after = ledger
        .clone()
        .with(LedgerEntry::Collection {
            on,
            amount: Yen::new(split.applied),
            channel: CollectionChannel::InsurerAdjustment,
        })
        .map_err(|e| ApiError::Unprocessable {
            code: ErrorCode::LedgerRefused,
            detail: e.to_string(),
        })?;
    let status = status_of(
        after.position(),
        after.is_written_off(),
        r.status == ReceivableStatus::InLegal,
    );
    let e = NewEntry {
        kind: rec_store::COLLECTION,
        amount: split.applied,
        on,
        channel: Some(CollectionChannel::InsurerAdjustment.as_str()),
        reason: None,
        note: Some(format!("保険者間調整 {}", current.id)),
    };
    Ok(Some((r, e, (ledger, after), status)))
}
