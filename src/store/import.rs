//! Bulk claim import: one batch of checked lines written in one transaction. New claims go in
//! with one multi-row insert, changed ones are updated, identical ones are counted and left
//! alone; every changed household-month is flagged for recalculation and every write audited.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};

use super::claims::{VOIDED, flag_household_months};
use super::entity::claim::{self, Column, Entity};
use super::events::Facts;
use super::members::{MemberHome, MemberRef, resolve};
use super::{Actor, audit};
pub use crate::domain::claim::{ImportLine, LineError};

/// What one batch did.
#[derive(Debug, Clone, Default)]
pub struct BatchOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: Vec<LineError>,
    /// Household-months (household id, service month) whose stored claims changed.
    pub changed: Vec<(String, String)>,
}

/// Rows per insert statement: below SQLite's and PostgreSQL's bind-parameter limits.
const ROWS_PER_INSERT: usize = 1000;

/// Members already resolved during one import (a member's claims often come together: medical,
/// pharmacy, several providers). Bounded, so memory stays flat whatever the file's size; it lives
/// for one request only, and members never change household, so it cannot go stale.
#[derive(Debug, Default)]
pub struct MemberCache(HashMap<MemberRef, MemberHome>);

impl MemberCache {
    /// At most this many members are remembered (about 15 MB).
    pub const CAPACITY: usize = 100_000;
}

/// Writes one batch in one transaction. A line whose member is unknown, or whose claim was
/// voided, is reported and skipped; the others are stored.
pub async fn write_batch(
    conn: &impl TransactionTrait,
    actor: &Actor,
    lines: Vec<ImportLine>,
    mut cache: MemberCache,
) -> Result<(BatchOutcome, MemberCache), DbErr> {
    let txn = conn.begin().await?;
    let outcome = write_in(&txn, actor, lines, &mut cache).await?;
    txn.commit().await?;
    Ok((outcome, cache))
}

async fn write_in(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    lines: Vec<ImportLine>,
    cache: &mut MemberCache,
) -> Result<BatchOutcome, DbErr> {
    let insurer = actor.insurer.as_str();
    let mut out = BatchOutcome::default();
    let unknown: Vec<&MemberRef> = lines
        .iter()
        .map(|l| &l.member)
        .filter(|r| !cache.0.contains_key(*r))
        .collect();
    let mut homes = resolve(conn, insurer, &unknown).await?;
    for (r, h) in &homes {
        if cache.0.len() >= MemberCache::CAPACITY {
            break;
        }
        cache.0.insert(r.clone(), h.clone());
    }
    for l in &lines {
        if let Some(h) = cache.0.get(&l.member) {
            homes.entry(l.member.clone()).or_insert_with(|| h.clone());
        }
    }
    let numbers: Vec<&str> = lines.iter().map(|l| l.fields.claim_number.as_str()).collect();
    let mut existing: HashMap<String, claim::Model> = HashMap::with_capacity(lines.len());
    for chunk in numbers.chunks(ROWS_PER_INSERT) {
        let rows = Entity::find()
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::ClaimNumber.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        existing.extend(rows.into_iter().map(|r| (r.claim_number.clone(), r)));
    }

    // Rows to insert, keyed by claim number so that a number repeated within the batch is one row.
    let mut inserts: Vec<claim::Model> = Vec::new();
    let mut insert_at: HashMap<String, usize> = HashMap::new();
    let mut updates: Vec<claim::Model> = Vec::new();
    let mut flags: HashSet<(String, String)> = HashSet::new();
    let mut audits = Vec::new();

    for l in lines {
        let Some(home) = homes.get(&l.member) else {
            out.errors.push(LineError {
                line: l.line,
                claim_number: Some(l.fields.claim_number),
                problem: match l.member {
                    MemberRef::Id(_) => "member_id: no such member".into(),
                    MemberRef::InsuredKey(_) => "insured_number: no such member".into(),
                },
            });
            continue;
        };
        if let Some(&i) = insert_at.get(&l.fields.claim_number) {
            if l.fields.same_as(home, &inserts[i]) {
                out.unchanged += 1;
            } else {
                let replaced = l.fields.to_model(insurer, home);
                inserts[i] = claim::Model {
                    id: inserts[i].id.clone(),
                    ..replaced
                };
                flags.insert((home.household_id.clone(), l.fields.service_month.clone()));
                out.updated += 1;
            }
            continue;
        }
        match existing.get_mut(&l.fields.claim_number) {
            Some(current) if current.status == VOIDED => out.errors.push(LineError {
                line: l.line,
                claim_number: Some(l.fields.claim_number),
                problem: "claim_number: this claim was voided and cannot be changed".into(),
            }),
            Some(current) if l.fields.same_as(home, current) => out.unchanged += 1,
            Some(current) => {
                flags.insert((current.household_id.clone(), current.service_month.clone()));
                flags.insert((home.household_id.clone(), l.fields.service_month.clone()));
                let next = l.fields.corrected(home, current);
                audits.push(audit::active(actor, "claim.updated", "claim", &next.id));
                *current = next.clone();
                updates.push(next);
                out.updated += 1;
            }
            None => {
                let model = l.fields.to_model(insurer, home);
                audits.push(audit::active(actor, "claim.created", "claim", &model.id));
                insert_at.insert(l.fields.claim_number.clone(), inserts.len());
                inserts.push(model);
                out.created += 1;
            }
        }
    }

    for chunk in super::byte_chunks(
        conn.get_database_backend(),
        &inserts,
        ROWS_PER_INSERT,
        super::claims::row_bytes,
    ) {
        Entity::insert_many(chunk.iter().cloned().map(super::all_set::<claim::ActiveModel>))
            .exec_without_returning(conn)
            .await?;
    }
    // A claim updated twice in one batch is written once, with its last state.
    let mut seen = HashSet::new();
    for m in updates.into_iter().rev() {
        if seen.insert(m.id.clone()) {
            Entity::update(super::all_set(m)).exec(conn).await?;
        }
    }
    out.changed = flags.iter().cloned().collect();
    flag_household_months(conn, insurer, flags).await?;
    // Each audited claim's household as the batch leaves it (a claim may have been written twice),
    // so that its event is written without reading the claim back.
    let households: HashMap<&str, &str> = inserts
        .iter()
        .chain(existing.values())
        .map(|c| (c.id.as_str(), c.household_id.as_str()))
        .collect();
    let audits = audits
        .into_iter()
        .map(|a| match households.get(a.resource_id()) {
            Some(h) => a.knowing(Facts::household(h)),
            None => a,
        })
        .collect();
    audit::record_many(conn, audits).await?;
    Ok(out)
}
