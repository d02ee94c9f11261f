//! Stored benefit determinations (高額療養費の支給決定) and benefit runs. Loading is batched:
//! one page of households costs a handful of queries whatever its size.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

use super::entity::benefit_determination::{self as det, Column, Entity};
use super::entity::benefit_run::{self as run};
use super::entity::{claim, household, member};
use super::events::Facts;
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::benefit::{BenefitRun, Determination, DeterminationStatus, RunStatus};
use crate::domain::claim::Claim;
use crate::domain::member::Member;

// The statuses as stored: the domain's spelling.
pub const CALCULATED: &str = DeterminationStatus::Calculated.as_str();
pub const DECIDED: &str = DeterminationStatus::Decided.as_str();
pub const PAID: &str = DeterminationStatus::Paid.as_str();
pub const SUPERSEDED: &str = DeterminationStatus::Superseded.as_str();
pub const LAPSED: &str = DeterminationStatus::Lapsed.as_str();

/// Everything stored that one household-month's calculation reads.
#[derive(Debug, Clone)]
pub struct HouseholdMonthData {
    pub household: HouseholdHead,
    pub members: Vec<Member>,
    /// Active claims of the month, in id order.
    pub claims: Vec<Claim>,
    /// Current determinations of the household in the 11 months before.
    pub earlier: Vec<DeterminationHead>,
    /// The current determination of the month, if any.
    pub current: Option<DeterminationHead>,
}

/// The columns of a household that a calculation reads.
#[derive(Debug, Clone, FromQueryResult)]
pub struct HouseholdHead {
    pub id: String,
    /// JSON, as stored.
    pub income_categories: String,
}

/// The columns of a determination that a calculation reads (not its trace, which can be long).
#[derive(Debug, Clone, FromQueryResult)]
pub struct DeterminationHead {
    pub id: String,
    pub household_id: String,
    pub service_month: String,
    pub status: String,
    pub total_benefit: i64,
    pub counts_toward_multiple: bool,
    pub fingerprint: String,
    pub version: i32,
    /// The last day its right can be claimed (R15).
    pub lapses_on: NaiveDate,
}

/// A query of determinations that reads their heads ([`DeterminationHead`]).
pub(super) fn heads() -> sea_orm::Select<Entity> {
    Entity::find().select_only().columns([
        Column::Id,
        Column::HouseholdId,
        Column::ServiceMonth,
        Column::Status,
        Column::TotalBenefit,
        Column::CountsTowardMultiple,
        Column::Fingerprint,
        Column::Version,
        Column::LapsesOn,
    ])
}

/// Which households a load reads.
#[derive(Debug, Clone, Copy)]
pub enum Households<'a> {
    /// These ids.
    Ids(&'a [String]),
    /// A page of a run: `ids` are every household with claims whose id lies after `after` and up
    /// to `through`, in order. The statements select by that range (two parameters, whatever the
    /// page size) and the rows of other households in it are dropped here.
    Range {
        after: Option<&'a str>,
        through: &'a str,
        ids: &'a [String],
    },
}

impl Households<'_> {
    fn ids(&self) -> &[String] {
        match self {
            Self::Ids(ids) | Self::Range { ids, .. } => ids,
        }
    }

    /// The condition on a household-id column.
    fn on(&self, col: impl ColumnTrait) -> sea_orm::sea_query::SimpleExpr {
        match *self {
            Self::Ids(ids) => col.is_in(ids.iter().map(String::as_str)),
            Self::Range { after, through, .. } => match after {
                Some(a) => col.gt(a).and(col.lte(through)),
                None => col.lte(through),
            },
        }
    }
}

/// Loads the data of the given households for `month` (`YYYY-MM`), `from_month` being 11 months
/// earlier. Households unknown to the tenant are left out.
pub async fn load(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    from_month: &str,
    which: Households<'_>,
) -> Result<Vec<HouseholdMonthData>, DbErr> {
    let wanted: std::collections::HashSet<&str> = which.ids().iter().map(String::as_str).collect();
    let mut households: Vec<HouseholdHead> = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .column(household::Column::IncomeCategories)
        .filter(household::Column::Insurer.eq(insurer))
        .filter(which.on(household::Column::Id))
        .into_model()
        .all(conn)
        .await?;
    households.retain(|h| wanted.contains(h.id.as_str()));
    households.sort_by(|a, b| a.id.cmp(&b.id));
    let mut members: HashMap<String, Vec<Member>> = HashMap::new();
    for m in super::members::of_households_where(conn, insurer, which.on(member::Column::HouseholdId)).await? {
        members
            .entry(m.household_id.clone())
            .or_default()
            .push(super::members::member_of(m)?);
    }
    let mut claims: HashMap<String, Vec<Claim>> = HashMap::new();
    let rows = claim::Entity::find()
        .filter(claim::Column::Insurer.eq(insurer))
        .filter(which.on(claim::Column::HouseholdId))
        .filter(claim::Column::ServiceMonth.eq(month))
        .filter(claim::Column::Status.eq(super::claims::ACTIVE))
        .order_by_asc(claim::Column::Id)
        .all(conn)
        .await?;
    for c in rows {
        claims
            .entry(c.household_id.clone())
            .or_default()
            .push(super::claims::claim_of(c)?);
    }
    // By household only, the months filtered here: a month condition (or order) in SQL tempts the
    // planner to walk every determination of the window (an index by month) instead of these
    // households'.
    let mut dets: HashMap<String, Vec<DeterminationHead>> = HashMap::new();
    let rows: Vec<DeterminationHead> = heads()
        .filter(Column::Insurer.eq(insurer))
        .filter(which.on(Column::HouseholdId))
        .into_model()
        .all(conn)
        .await?;
    // Ordered here too: an ORDER BY in SQL would let the planner pick the month index for its order
    // and read every determination of the tenant.
    let mut rows = rows;
    rows.sort_by(|a, b| a.service_month.cmp(&b.service_month));
    for d in rows {
        if d.status != SUPERSEDED && d.service_month.as_str() >= from_month && d.service_month.as_str() <= month {
            dets.entry(d.household_id.clone()).or_default().push(d);
        }
    }
    Ok(households
        .into_iter()
        .map(|h| {
            let (current, earlier): (Vec<_>, Vec<_>) = dets
                .remove(&h.id)
                .unwrap_or_default()
                .into_iter()
                .partition(|d| d.service_month == month);
            HouseholdMonthData {
                members: members.remove(&h.id).unwrap_or_default(),
                claims: claims.remove(&h.id).unwrap_or_default(),
                earlier,
                current: current.into_iter().next(),
                household: h,
            }
        })
        .collect())
}

/// A determination to store, replacing `replaces` when set.
#[derive(Debug, Clone)]
pub struct NewDetermination {
    pub model: det::Model,
    pub replaces: Option<DeterminationHead>,
}

/// Builds the row of a new determination (id, version and times filled in).
#[allow(clippy::too_many_arguments)]
pub fn new_row(
    insurer: &str,
    household_id: &str,
    service_month: &str,
    rule_set: &str,
    total_benefit: i64,
    multiple_applied: bool,
    counts_toward_multiple: bool,
    json: [String; 4],
    fingerprint: String,
    lapses_on: NaiveDate,
    replaces: Option<&DeterminationHead>,
) -> det::Model {
    let [members, steps, excluded_claims, review] = json;
    det::Model {
        id: new_id(),
        insurer: insurer.to_string(),
        household_id: household_id.to_string(),
        service_month: service_month.to_string(),
        status: CALCULATED.to_string(),
        rule_set: rule_set.to_string(),
        total_benefit,
        multiple_applied,
        counts_toward_multiple,
        members,
        steps,
        excluded_claims,
        review,
        fingerprint,
        supersedes_id: replaces.map(|r| r.id.clone()),
        superseded_by_id: None,
        difference: replaces.map(|r| total_benefit - r.total_benefit),
        lapses_on,
        version: 1,
        created_at: now(),
        updated_at: Some(now()),
        decided_at: None,
        superseded_at: None,
        lapse_reason: None,
        lapsed_at: None,
    }
}

/// Stores new determinations, superseding the ones they replace, with their audit rows. Run it
/// inside a transaction: the partial unique index keeps one current determination per
/// household-month even when two writers race.
///
/// `audit_new`: whether a first determination of a household-month gets its own audit row. A
/// benefit run passes `false`: what it creates is attributed to the run (its `benefit_run.*`
/// events and its actor), while every supersession, a change of an existing determination, is
/// still audited one by one.
pub async fn save(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    items: &[NewDetermination],
    audit_new: bool,
) -> Result<(), DbErr> {
    if items.is_empty() {
        return Ok(());
    }
    let at = now();
    let mut audits = Vec::with_capacity(items.len() * 2);
    for item in items {
        if let Some(old) = &item.replaces {
            let res = Entity::update_many()
                .col_expr(Column::Status, Expr::value(SUPERSEDED))
                .col_expr(Column::SupersededById, Expr::value(item.model.id.clone()))
                .col_expr(Column::SupersededAt, Expr::value(at))
                .col_expr(Column::Version, Expr::col(Column::Version).add(1))
                .col_expr(Column::UpdatedAt, Expr::value(Some(now())))
                .filter(Column::Id.eq(old.id.as_str()))
                .filter(Column::Insurer.eq(actor.insurer.as_str()))
                .filter(Column::Version.eq(old.version))
                .exec(conn)
                .await?;
            if res.rows_affected == 0 {
                return Err(DbErr::RecordNotUpdated);
            }
            audits.push(
                audit::active(
                    actor,
                    "benefit_determination.superseded",
                    "benefit_determination",
                    &old.id,
                )
                .knowing(Facts::household(&old.household_id)),
            );
        }
        if audit_new || item.replaces.is_some() {
            audits.push(
                audit::active(
                    actor,
                    "benefit_determination.calculated",
                    "benefit_determination",
                    &item.model.id,
                )
                .knowing(Facts::household(&item.model.household_id)),
            );
        }
    }
    let size = |i: &NewDetermination| {
        let m = &i.model;
        m.members.len() + m.steps.len() + m.excluded_claims.len() + m.review.len() + m.fingerprint.len() + 300
    };
    for chunk in super::byte_chunks(conn.get_database_backend(), items, 1000, size) {
        Entity::insert_many(chunk.iter().map(|i| all_set::<det::ActiveModel>(i.model.clone())))
            .exec_without_returning(conn)
            .await?;
    }
    audit::record_many(conn, audits).await
}

/// Which of the given households have a current determination for `month`.
pub async fn with_current(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    household_ids: &[&str],
) -> Result<Vec<String>, DbErr> {
    let mut out = Vec::new();
    for chunk in household_ids.chunks(500) {
        let rows: Vec<String> = Entity::find()
            .select_only()
            .column(Column::HouseholdId)
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::ServiceMonth.eq(month))
            .filter(Column::Status.ne(SUPERSEDED))
            .filter(Column::HouseholdId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

fn parse_json<T: serde::de::DeserializeOwned>(id: &str, s: &str, what: &str) -> Result<T, DbErr> {
    serde_json::from_str(s).map_err(|e| DbErr::Custom(format!("determination {id}: stored {what}: {e}")))
}

/// The one place a stored row becomes a determination.
pub fn determination_of(m: det::Model) -> Result<Determination, DbErr> {
    Ok(Determination {
        status: DeterminationStatus::parse(&m.status)
            .ok_or_else(|| DbErr::Custom(format!("determination {}: unknown status", m.id)))?,
        members: parse_json(&m.id, &m.members, "members")?,
        steps: parse_json(&m.id, &m.steps, "steps")?,
        excluded_claims: parse_json(&m.id, &m.excluded_claims, "excluded_claims")?,
        review: parse_json(&m.id, &m.review, "review")?,
        id: m.id,
        household_id: m.household_id,
        service_month: m.service_month,
        rule_set: m.rule_set,
        total_benefit: m.total_benefit,
        multiple_applied: m.multiple_applied,
        counts_toward_multiple: m.counts_toward_multiple,
        supersedes: m.supersedes_id,
        superseded_by: m.superseded_by_id,
        difference: m.difference,
        lapses_on: m.lapses_on,
        lapse_reason: m.lapse_reason,
        version: m.version,
        created_at: m.created_at,
        decided_at: m.decided_at,
    })
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Determination>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(determination_of)
        .transpose()
}

/// Filters of the determination list.
#[derive(Debug, Clone, Default)]
pub struct DeterminationFilter {
    pub household_id: Option<String>,
    pub service_month: Option<String>,
    pub status: Option<DeterminationStatus>,
    /// Written at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &DeterminationFilter,
    page: &PageRequest,
) -> Result<Page<Determination>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(m) = &filter.service_month {
        q = q.filter(Column::ServiceMonth.eq(m.as_str()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(Column::Status.eq(s.as_str()));
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
        items: page.items.into_iter().map(determination_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Marks a `calculated` determination `decided` (支給決定). `Ok(None)` when its status was not
/// `calculated` any more when written.
pub async fn decide(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    current: &Determination,
) -> Result<Option<Determination>, DbErr> {
    let decided_at = now();
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(DECIDED))
        .col_expr(Column::DecidedAt, Expr::value(decided_at))
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .col_expr(Column::UpdatedAt, Expr::value(Some(now())))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .filter(Column::Status.eq(CALCULATED))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    let next = Determination {
        status: DeterminationStatus::Decided,
        decided_at: Some(decided_at),
        version: current.version + 1,
        ..current.clone()
    };
    audit::record(
        conn,
        actor,
        "benefit_determination.decided",
        "benefit_determination",
        &current.id,
    )
    .await?;
    Ok(Some(next))
}

/// Households with claims (active or voided) in `month`, after `after`, in id order.
pub async fn households_with_claims(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let mut q = claim::Entity::find()
        .select_only()
        .column(claim::Column::HouseholdId)
        .distinct()
        .filter(claim::Column::Insurer.eq(insurer))
        .filter(claim::Column::ServiceMonth.eq(month));
    if let Some(a) = after {
        q = q.filter(claim::Column::HouseholdId.gt(a));
    }
    q.order_by_asc(claim::Column::HouseholdId)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// How many households have claims in `month`.
pub async fn count_households_with_claims(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
) -> Result<i64, DbErr> {
    let n: Option<i64> = claim::Entity::find()
        .select_only()
        .column_as(Expr::col(claim::Column::HouseholdId).count_distinct(), "n")
        .filter(claim::Column::Insurer.eq(insurer))
        .filter(claim::Column::ServiceMonth.eq(month))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.unwrap_or(0))
}

/// Starts a run record.
pub async fn create_run(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    month: &str,
    total: i64,
) -> Result<BenefitRun, DbErr> {
    let at = now();
    let model = run::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        service_month: month.to_string(),
        status: RunStatus::Running.as_str().to_string(),
        done: 0,
        total: i32::try_from(total).unwrap_or(i32::MAX),
        calculated: 0,
        unchanged: 0,
        failed: 0,
        failures: "[]".to_string(),
        cursor: None,
        actor: actor.sub.clone(),
        error: None,
        created_at: at,
        updated_at: at,
        finished_at: None,
    };
    run::Entity::insert(all_set::<run::ActiveModel>(model.clone()))
        .exec_without_returning(conn)
        .await?;
    audit::record(conn, actor, "benefit_run.started", "benefit_run", &model.id).await?;
    run_of(model)
}

/// The one place a stored run becomes a benefit run.
pub fn run_of(r: run::Model) -> Result<BenefitRun, DbErr> {
    Ok(BenefitRun {
        status: RunStatus::parse(&r.status)
            .ok_or_else(|| DbErr::Custom(format!("benefit run {}: unknown status", r.id)))?,
        failures: serde_json::from_str(&r.failures).unwrap_or_default(),
        id: r.id,
        insurer: r.insurer,
        actor: r.actor,
        cursor: r.cursor,
        service_month: r.service_month,
        done: r.done,
        total: r.total,
        calculated: r.calculated,
        unchanged: r.unchanged,
        failed: r.failed,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}

/// ... and the one place a benefit run becomes a row, as of `updated_at`.
pub(super) fn run_row(r: &BenefitRun, updated_at: chrono::DateTime<chrono::Utc>) -> run::Model {
    run::Model {
        id: r.id.clone(),
        insurer: r.insurer.clone(),
        service_month: r.service_month.clone(),
        status: r.status.as_str().to_string(),
        done: r.done,
        total: r.total,
        calculated: r.calculated,
        unchanged: r.unchanged,
        failed: r.failed,
        failures: serde_json::to_string(&r.failures).unwrap_or_else(|_| "[]".into()),
        cursor: r.cursor.clone(),
        actor: r.actor.clone(),
        error: r.error.clone(),
        created_at: r.created_at,
        updated_at,
        finished_at: r.finished_at,
    }
}

/// Runs of the tenant in id order (oldest first), by service month and status when given.
pub async fn list_runs(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: Option<&str>,
    status: Option<RunStatus>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<BenefitRun>, DbErr> {
    let mut q = run::Entity::find().filter(run::Column::Insurer.eq(insurer));
    if let Some(m) = month {
        q = q.filter(run::Column::ServiceMonth.eq(m));
    }
    if let Some(s) = status {
        q = q.filter(run::Column::Status.eq(s.as_str()));
    }
    if let Some(t) = updated_since {
        q = q.filter(run::Column::UpdatedAt.gte(t));
    }
    if let Some(after) = &page.after {
        q = q.filter(run::Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(run::Column::Id).limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(run_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get_run(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<BenefitRun>, DbErr> {
    run::Entity::find_by_id(id.to_string())
        .filter(run::Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(run_of)
        .transpose()
}

/// The running run of a month, if any.
pub async fn running_run(conn: &impl ConnectionTrait, insurer: &str, month: &str) -> Result<Option<BenefitRun>, DbErr> {
    run::Entity::find()
        .filter(run::Column::Insurer.eq(insurer))
        .filter(run::Column::ServiceMonth.eq(month))
        .filter(run::Column::Status.eq(RunStatus::Running.as_str()))
        .one(conn)
        .await?
        .map(run_of)
        .transpose()
}

/// Lets a transaction of recomputable work commit without waiting for the WAL flush
/// (PostgreSQL `synchronous_commit = off` for this transaction only; commits still land in
/// order, so a crash loses at most the last fraction of a second of such work, never half of it).
/// SQLite in WAL mode with `synchronous=NORMAL` already behaves so.
pub async fn relax_commit(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL synchronous_commit = off").await?;
    }
    Ok(())
}

/// Clears the recalculation flags of `month` for the households a run has just calculated: those
/// of `which` except the ones that failed.
pub async fn clear_flags(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    which: Households<'_>,
    failed: &[&str],
) -> Result<(), DbErr> {
    use super::entity::recalculation_flag as flag;
    let mut q = flag::Entity::delete_many()
        .filter(flag::Column::Insurer.eq(insurer))
        .filter(flag::Column::ServiceMonth.eq(month))
        .filter(which.on(flag::Column::HouseholdId));
    if !failed.is_empty() {
        q = q.filter(flag::Column::HouseholdId.is_not_in(failed.iter().copied()));
    }
    q.exec(conn).await?;
    Ok(())
}
