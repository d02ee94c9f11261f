//! Insured members (被保険者) of a household.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, TransactionSession, TransactionTrait,
};

use super::entity::member::{self, Column, Entity};
use super::households::Updated;
use super::{Actor, audit, new_id, now};
pub use crate::domain::claim::MemberRef;
use crate::domain::member::{InsuredNumber, LossReason, Relationship, Sex};

use crate::domain::member::Member;
pub use crate::domain::member::MemberData;

/// The one place a stored row becomes a member.
pub fn member_of(m: member::Model) -> Result<Member, DbErr> {
    let bad = |what: &str| DbErr::Custom(format!("member {}: unknown {what}", m.id));
    let data = MemberData {
        sex: Sex::parse(&m.sex).ok_or_else(|| bad("sex"))?,
        relationship: Relationship::parse(&m.relationship).ok_or_else(|| bad("relationship"))?,
        loss_reason: match &m.loss_reason {
            Some(r) => Some(LossReason::parse(r).ok_or_else(|| bad("loss_reason"))?),
            None => None,
        },
        insured_number: InsuredNumber {
            symbol: m.insured_symbol,
            number: m.insured_number,
            branch: m.insured_branch,
        },
        name: m.name,
        name_kana: m.name_kana,
        birth_date: m.birth_date,
        acquired_on: m.acquired_on,
        lost_on: m.lost_on,
        died_on: m.died_on,
    };
    Ok(Member {
        data,
        id: m.id,
        household_id: m.household_id,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

trait Apply {
    fn apply(&self, m: member::Model) -> member::Model;
}

impl Apply for MemberData {
    fn apply(&self, m: member::Model) -> member::Model {
        member::Model {
            insured_symbol: self.insured_number.symbol.clone(),
            insured_number: self.insured_number.number.clone(),
            insured_branch: self.insured_number.branch.clone(),
            insured_key: self.insured_number.key(),
            name: self.name.clone(),
            name_kana: self.name_kana.clone(),
            birth_date: self.birth_date,
            sex: self.sex.as_str().to_string(),
            relationship: self.relationship.as_str().to_string(),
            acquired_on: self.acquired_on,
            lost_on: self.lost_on,
            loss_reason: self.loss_reason.map(|r| r.as_str().to_string()),
            died_on: self.died_on,
            ..m
        }
    }
}

/// The row of a member: `(version, created_at, updated_at)` last.
fn row_for(
    actor: &Actor,
    id: String,
    household_id: &str,
    data: &MemberData,
    (version, created_at, updated_at): (i32, DateTime<Utc>, DateTime<Utc>),
) -> member::Model {
    let blank = member::Model {
        id,
        insurer: actor.insurer.clone(),
        household_id: household_id.to_string(),
        insured_symbol: String::new(),
        insured_number: String::new(),
        insured_branch: String::new(),
        insured_key: String::new(),
        name: String::new(),
        name_kana: String::new(),
        birth_date: data.birth_date,
        sex: String::new(),
        relationship: String::new(),
        acquired_on: data.acquired_on,
        lost_on: None,
        loss_reason: None,
        died_on: None,
        version,
        created_at,
        updated_at,
    };
    data.apply(blank)
}

pub async fn create(
    conn: &impl TransactionTrait,
    actor: &Actor,
    household_id: &str,
    data: &MemberData,
) -> Result<Member, DbErr> {
    let at = now();
    let model = row_for(actor, new_id(), household_id, data, (1, at, at));
    let txn = conn.begin().await?;
    Entity::insert(super::all_set(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "member.created", "member", &model.id).await?;
    txn.commit().await?;
    member_of(model)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Member>, DbErr> {
    row(conn, insurer, id).await?.map(member_of).transpose()
}

async fn row(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<member::Model>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await
}

/// The member with this insured number, if the tenant has one.
pub async fn by_insured_number(
    conn: &impl ConnectionTrait,
    insurer: &str,
    n: &InsuredNumber,
) -> Result<Option<Member>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::InsuredKey.eq(n.key()))
        .one(conn)
        .await?
        .map(member_of)
        .transpose()
}

/// The members of the given households, in creation order.
pub async fn of_households(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_ids: &[&str],
) -> Result<Vec<Member>, DbErr> {
    if household_ids.is_empty() {
        return Ok(Vec::new());
    }
    of_households_where(conn, insurer, Column::HouseholdId.is_in(household_ids.iter().copied()))
        .await?
        .into_iter()
        .map(member_of)
        .collect()
}

/// The members whose household matches `households` (a condition on the household id), in
/// creation order.
pub async fn of_households_where(
    conn: &impl ConnectionTrait,
    insurer: &str,
    households: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<member::Model>, DbErr> {
    // Sorted here, not in SQL: an ORDER BY id tempts the planner into walking the tenant's whole
    // (insurer, id) index instead of looking the households up.
    let mut rows = Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(households)
        .all(conn)
        .await?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

/// Whether another member of the household is its head (世帯主).
pub async fn head_of(conn: &impl ConnectionTrait, insurer: &str, household_id: &str) -> Result<Option<Member>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .filter(Column::Relationship.eq(Relationship::Head.as_str()))
        .one(conn)
        .await?
        .map(member_of)
        .transpose()
}

/// Replaces the data of `current`, provided nobody changed it since it was read. Runs in the
/// caller's transaction, which also runs what the change sets off.
pub async fn update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: &Member,
    data: &MemberData,
) -> Result<Updated<Member>, DbErr> {
    let next = row_for(
        actor,
        current.id.clone(),
        &current.household_id,
        data,
        (current.version + 1, current.created_at, now()),
    );
    let res = Entity::update_many()
        .set(super::all_set(next.clone()))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if res.rows_affected == 0 {
        let stored = row(txn, &actor.insurer, &current.id).await?;
        return Ok(Updated::Stale {
            current: stored.map_or(0, |m| m.version),
        });
    }
    audit::record(txn, actor, "member.updated", "member", &current.id).await?;
    member_of(next).map(Updated::Done)
}

/// A resolved member: its id and household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberHome {
    pub member_id: String,
    pub household_id: String,
}

/// Resolves many references with at most two queries.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    insurer: &str,
    refs: &[&MemberRef],
) -> Result<HashMap<MemberRef, MemberHome>, DbErr> {
    let mut ids = Vec::new();
    let mut keys = Vec::new();
    for r in refs {
        match r {
            MemberRef::Id(id) => ids.push(id.as_str()),
            MemberRef::InsuredKey(k) => keys.push(k.as_str()),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    keys.sort_unstable();
    keys.dedup();
    let mut out = HashMap::with_capacity(refs.len());
    for (col, values, by_id) in [(Column::Id, ids, true), (Column::InsuredKey, keys, false)] {
        for chunk in values.chunks(500) {
            let rows: Vec<(String, String, String)> = Entity::find()
                .select_only()
                .column(Column::Id)
                .column(Column::HouseholdId)
                .column(Column::InsuredKey)
                .filter(Column::Insurer.eq(insurer))
                .filter(col.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            for (id, household_id, key) in rows {
                let r = if by_id {
                    MemberRef::Id(id.clone())
                } else {
                    MemberRef::InsuredKey(key)
                };
                out.insert(
                    r,
                    MemberHome {
                        member_id: id,
                        household_id,
                    },
                );
            }
        }
    }
    Ok(out)
}
