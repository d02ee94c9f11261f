//! Claims (レセプト): one at a time, and the NDJSON bulk import written batch by batch. A change
//! to a stored claim flags its household-month, and the benefit of that month is recalculated.

use std::collections::BTreeSet;

use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use crate::domain::claim::{Claim, ClaimFields, ImportLine, LineError, MemberRef};
use crate::domain::ids::Actor;
use crate::domain::ids::ClaimId;
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ErrorCode};
use crate::store::claims as store;
pub use crate::store::claims::ClaimFilter;
use crate::store::import::{BatchOutcome, MemberCache, write_batch};
use crate::store::{members, refresh_statistics};

/// Stores a new claim of the member it names.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    member: &MemberRef,
    fields: &ClaimFields,
) -> Result<Claim, ApiError> {
    let homes = members::resolve(db, &actor.insurer, &[member]).await?;
    let home = homes.get(member).ok_or_else(|| match member {
        MemberRef::Id(_) => ApiError::validation("member_id", "no such member"),
        MemberRef::InsuredKey(_) => ApiError::validation("insured_number", "no such member"),
    })?;
    store::create(db, actor, home, fields).await.map_err(|e| {
        if crate::store::is_unique_violation(&e) {
            ApiError::Conflict {
                code: ErrorCode::ClaimNumberTaken,
                detail: "a claim with this claim_number exists".into(),
            }
        } else {
            e.into()
        }
    })
}

pub async fn list(
    db: &DatabaseConnection,
    insurer: &str,
    filter: &ClaimFilter,
    page: &PageRequest,
) -> Result<Page<Claim>, ApiError> {
    Ok(store::list(db, insurer, filter, page).await?)
}

pub async fn get(db: &DatabaseConnection, insurer: &str, id: &ClaimId) -> Result<Claim, ApiError> {
    let id = id.as_str();
    store::get(db, insurer, id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::ClaimNotFound))
}

/// Voids a claim (取消) and recalculates its household-month's benefit. The void commits first;
/// should the recalculation fail, the month stays flagged and the next benefit run takes it.
pub async fn void(db: &DatabaseConnection, actor: &Actor, id: &ClaimId) -> Result<Claim, ApiError> {
    let id = id.as_str();
    let txn = db.begin().await?;
    let claim = store::void(&txn, actor, id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::ClaimNotFound))?;
    txn.commit().await?;
    let changed = BTreeSet::from([(claim.household_id.clone(), claim.fields.service_month.clone())]);
    super::benefits::recalculate_changed(db, actor, &changed).await?;
    Ok(claim)
}

/// Batches between refreshes of the planner's statistics during a large import.
const STATISTICS_EVERY: u64 = 50;

/// What a bulk import did.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Stored benefit determinations replaced because their claims changed.
    pub recalculated: u64,
    /// Lines the store refused (an unknown member, say), in no particular order.
    pub errors: Vec<LineError>,
}

/// The batch being written while the next one is read: at most one, so batches land in order.
type InFlight = actix_web::rt::task::JoinHandle<Result<(BatchOutcome, MemberCache), DbErr>>;

/// A bulk import in progress: each batch is written in one transaction in the background while
/// the caller reads the next, so that a batch already written stays written whatever happens
/// after it, and sending the same file again completes the rest (claims match by number).
pub struct ClaimsImport {
    db: DatabaseConnection,
    actor: Actor,
    inflight: Option<InFlight>,
    batches: u64,
    outcome: ImportOutcome,
    changed: BTreeSet<(String, String)>,
}

impl ClaimsImport {
    pub fn new(db: &DatabaseConnection, actor: Actor) -> Self {
        Self {
            db: db.clone(),
            actor,
            inflight: None,
            batches: 0,
            outcome: ImportOutcome::default(),
            changed: BTreeSet::new(),
        }
    }

    /// Waits for the batch in flight and gives back the member cache it used.
    async fn settle(&mut self) -> Result<MemberCache, ApiError> {
        let Some(handle) = self.inflight.take() else {
            return Ok(MemberCache::default());
        };
        let (done, cache) = handle
            .await
            .map_err(|e| ApiError::Internal(format!("import batch: {e}")))??;
        self.changed.extend(done.changed);
        self.outcome.created += done.created;
        self.outcome.updated += done.updated;
        self.outcome.unchanged += done.unchanged;
        self.outcome.errors.extend(done.errors);
        Ok(cache)
    }

    /// Waits for the batch in flight, then starts writing `lines`.
    pub async fn write(&mut self, lines: Vec<ImportLine>) -> Result<(), ApiError> {
        let cache = self.settle().await?;
        if lines.is_empty() {
            return Ok(());
        }
        let (db, actor) = (self.db.clone(), self.actor.clone());
        self.inflight = Some(actix_web::rt::spawn(async move {
            write_batch(&db, &actor, lines, cache).await
        }));
        self.batches += 1;
        if self.batches.is_multiple_of(STATISTICS_EVERY) {
            refresh_statistics(&self.db).await?;
        }
        Ok(())
    }

    /// Waits for the last batch and recalculates the household-months whose claims changed.
    pub async fn finish(mut self) -> Result<ImportOutcome, ApiError> {
        self.settle().await?;
        if self.batches >= 10 {
            refresh_statistics(&self.db).await?;
        }
        self.outcome.recalculated =
            super::benefits::recalculate_changed(&self.db, &self.actor, &self.changed).await? as u64;
        Ok(self.outcome)
    }
}
