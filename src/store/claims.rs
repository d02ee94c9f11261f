//! Claims (レセプト): single writes, reads, voids, and the household-month recalculation flags
//! that a changed claim raises.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::entity::claim::{self, Column, Entity};
use super::entity::recalculation_flag;
use super::members::MemberHome;
use super::{Actor, Page, PageRequest, audit, new_id, now};
pub use crate::domain::claim::ClaimFields;
use crate::domain::claim::{Claim, ClaimKind, ClaimStatus, Setting};

/// Claim status: counted, or voided (kept for audit, excluded from calculations).
// The statuses as stored: the domain's spelling.
pub const ACTIVE: &str = ClaimStatus::Active.as_str();
pub const VOIDED: &str = ClaimStatus::Voided.as_str();

/// A claim row's estimated size as a bound statement's values (for [`super::byte_chunks`]).
pub fn row_bytes(c: &claim::Model) -> usize {
    c.id.len()
        + c.insurer.len()
        + c.claim_number.len()
        + c.member_id.len()
        + c.household_id.len()
        + c.provider_code.len()
        + c.provider_name.len()
        + c.prescribing_provider_code.as_ref().map_or(0, String::len)
        + 200
}

impl ClaimFields {
    /// A new row for these fields.
    pub fn to_model(&self, insurer: &str, home: &MemberHome) -> claim::Model {
        let at = now();
        claim::Model {
            id: new_id(),
            insurer: insurer.to_string(),
            claim_number: self.claim_number.clone(),
            member_id: home.member_id.clone(),
            household_id: home.household_id.clone(),
            service_month: self.service_month.clone(),
            provider_code: self.provider_code.clone(),
            provider_name: self.provider_name.clone(),
            kind: self.kind.as_str().to_string(),
            setting: self.setting.as_str().to_string(),
            prescribing_provider_code: self.prescribing_provider_code.clone(),
            total_cost: self.total_cost,
            copayment: self.copayment,
            first_service_on: self.first_service_on,
            service_days: self.service_days,
            window_benefit: self.window_benefit,
            status: ACTIVE.to_string(),
            voided_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    /// Whether a stored claim already says exactly this.
    pub fn same_as(&self, home: &MemberHome, m: &claim::Model) -> bool {
        m.member_id == home.member_id
            && m.household_id == home.household_id
            && m.service_month == self.service_month
            && m.provider_code == self.provider_code
            && m.provider_name == self.provider_name
            && m.kind == self.kind.as_str()
            && m.setting == self.setting.as_str()
            && m.prescribing_provider_code == self.prescribing_provider_code
            && m.total_cost == self.total_cost
            && m.copayment == self.copayment
            && m.first_service_on == self.first_service_on
            && m.service_days == self.service_days
            && m.window_benefit == self.window_benefit
    }

    /// `m` corrected to these fields, one version on.
    pub fn corrected(&self, home: &MemberHome, m: &claim::Model) -> claim::Model {
        claim::Model {
            version: m.version + 1,
            updated_at: now(),
            ..self.to_model(&m.insurer, home).with_identity_of(m)
        }
    }
}

trait Identity {
    fn with_identity_of(self, m: &claim::Model) -> Self;
}

impl Identity for claim::Model {
    fn with_identity_of(self, m: &claim::Model) -> Self {
        claim::Model {
            id: m.id.clone(),
            created_at: m.created_at,
            status: m.status.clone(),
            voided_at: m.voided_at,
            ..self
        }
    }
}

/// Flags household-months whose stored claims changed (a correction or a void) since their benefit
/// may have been calculated; a benefit run clears the flags of the households it calculates. New
/// claims need no flag: a run takes every household with claims in the month.
pub async fn flag_household_months(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_months: impl IntoIterator<Item = (String, String)>,
) -> Result<(), DbErr> {
    let at = now();
    let rows: Vec<recalculation_flag::ActiveModel> = household_months
        .into_iter()
        .map(|(household_id, service_month)| recalculation_flag::ActiveModel {
            insurer: Set(insurer.to_string()),
            household_id: Set(household_id),
            service_month: Set(service_month),
            flagged_at: Set(at),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    recalculation_flag::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                recalculation_flag::Column::Insurer,
                recalculation_flag::Column::HouseholdId,
                recalculation_flag::Column::ServiceMonth,
            ])
            .update_column(recalculation_flag::Column::FlaggedAt)
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Stores one new claim.
pub async fn create(
    conn: &impl TransactionTrait,
    actor: &Actor,
    home: &MemberHome,
    fields: &ClaimFields,
) -> Result<Claim, DbErr> {
    let model = fields.to_model(&actor.insurer, home);
    let txn = conn.begin().await?;
    Entity::insert(super::all_set(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    flag_household_months(
        &txn,
        &actor.insurer,
        [(model.household_id.clone(), model.service_month.clone())],
    )
    .await?;
    audit::record(&txn, actor, "claim.created", "claim", &model.id).await?;
    txn.commit().await?;
    claim_of(model)
}

/// The one place a stored row becomes a claim.
pub fn claim_of(m: claim::Model) -> Result<Claim, DbErr> {
    let corrupt = |what: &str| DbErr::Custom(format!("claim {}: unknown {what}", m.id));
    Ok(Claim {
        fields: ClaimFields {
            kind: ClaimKind::parse(&m.kind).ok_or_else(|| corrupt("kind"))?,
            setting: Setting::parse(&m.setting).ok_or_else(|| corrupt("setting"))?,
            claim_number: m.claim_number,
            service_month: m.service_month,
            provider_code: m.provider_code,
            provider_name: m.provider_name,
            prescribing_provider_code: m.prescribing_provider_code,
            total_cost: m.total_cost,
            copayment: m.copayment,
            first_service_on: m.first_service_on,
            service_days: m.service_days,
            window_benefit: m.window_benefit,
        },
        status: ClaimStatus::parse(&m.status).ok_or_else(|| corrupt("status"))?,
        id: m.id,
        member_id: m.member_id,
        household_id: m.household_id,
        voided_at: m.voided_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Claim>, DbErr> {
    row(conn, insurer, id).await?.map(claim_of).transpose()
}

async fn row(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<claim::Model>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await
}

/// Filters of the claim list.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub member_id: Option<String>,
    pub household_id: Option<String>,
    pub service_month: Option<String>,
    /// The claim the integrator numbered so (unique per insurer).
    pub claim_number: Option<String>,
    /// Written at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &ClaimFilter,
    page: &PageRequest,
) -> Result<Page<Claim>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(m) = &filter.member_id {
        q = q.filter(Column::MemberId.eq(m.as_str()));
    }
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(s) = &filter.service_month {
        q = q.filter(Column::ServiceMonth.eq(s.as_str()));
    }
    if let Some(n) = &filter.claim_number {
        q = q.filter(Column::ClaimNumber.eq(n.as_str()));
    }
    if let Some(t) = filter.updated_since {
        q = q.filter(Column::UpdatedAt.gte(t));
    }
    if let Some(after) = &page.after {
        q = q.filter(Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(claim_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Which of `ids` are claims of the tenant.
pub async fn existing(
    conn: &impl ConnectionTrait,
    insurer: &str,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(300) {
        let found: Vec<String> = Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// The active claims of a household-month, in id order.
pub async fn active_of_household_month(
    conn: &impl ConnectionTrait,
    insurer: &str,
    household_id: &str,
    month: &str,
) -> Result<Vec<Claim>, DbErr> {
    Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::HouseholdId.eq(household_id))
        .filter(Column::ServiceMonth.eq(month))
        .filter(Column::Status.eq(ACTIVE))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(claim_of)
        .collect()
}

/// Voids a claim (取消): it stays for audit and drops out of calculations. Voiding a voided claim
/// changes nothing. `None` when the claim is unknown to the tenant.
/// Runs inside the caller's transaction.
pub async fn void(txn: &impl ConnectionTrait, actor: &Actor, id: &str) -> Result<Option<Claim>, DbErr> {
    let Some(current) = row(txn, &actor.insurer, id).await? else {
        return Ok(None);
    };
    if current.status == VOIDED {
        return claim_of(current).map(Some);
    }
    let at = now();
    let next = claim::Model {
        status: VOIDED.to_string(),
        voided_at: Some(at),
        version: current.version + 1,
        updated_at: at,
        ..current.clone()
    };
    Entity::update(super::all_set(next.clone())).exec(txn).await?;
    flag_household_months(
        txn,
        &actor.insurer,
        [(next.household_id.clone(), next.service_month.clone())],
    )
    .await?;
    audit::record(txn, actor, "claim.voided", "claim", id).await?;
    claim_of(next).map(Some)
}
