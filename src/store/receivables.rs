//! Receivables (債権), their immutable ledger entries and their collection actions. The stored
//! `balance` and `status` are what the ledger derives, written in the transaction of each entry;
//! nothing sets them by hand.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::entity::receivable::{self as rec, Column, Entity};
use super::entity::{installment_plan as plan, legal_action as legal};
use super::entity::{receivable_action as action, receivable_entry as entry};
pub use super::ledger::{ASSESSMENT, COLLECTION, EntryFacts, REDUCTION, WRITE_OFF, entry_of};
use super::recovery::{self, LedgerChange};
use super::{Actor, Page, PageRequest, all_set, audit, new_id, now};
use crate::domain::receivable::ledger::ReceivableStatus;
use crate::domain::receivable::record::{Action, Debtor, Entry, LegalAction, NewEntry, Plan, Receivable};
use crate::domain::receivable::{
    ActionKind, ActionOutcome, DebtorKind, Ledger, LedgerEntry, ReceivableKind, RefundReason,
};

fn corrupt(id: &str, e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("receivable {id}: {e}"))
}

/// The one place a stored row becomes a receivable.
pub fn receivable_of(m: rec::Model) -> Result<Receivable, DbErr> {
    let id = m.id.clone();
    Ok(Receivable {
        kind: ReceivableKind::parse(&m.kind).map_err(|e| corrupt(&id, e))?,
        reason: m
            .reason
            .as_deref()
            .map(RefundReason::parse)
            .transpose()
            .map_err(|e| corrupt(&id, e))?,
        debtor: Debtor {
            kind: DebtorKind::parse(&m.debtor_kind).map_err(|e| corrupt(&id, e))?,
            name: m.debtor_name,
            member_id: m.debtor_member_id,
            phone: m.debtor_phone,
            workplace: m.debtor_workplace,
        },
        status: ReceivableStatus::parse(&m.status).map_err(|e| corrupt(&id, e))?,
        source_claim_ids: serde_json::from_str(&m.source_claim_ids).unwrap_or_default(),
        id: m.id,
        household_id: m.household_id,
        service_month: m.service_month,
        determination_id: m.determination_id,
        assessed_on: m.assessed_on,
        amount: m.amount,
        due_on: m.due_on,
        source_key: m.source_key,
        note: m.note,
        balance: m.balance,
        version: m.version,
        created_at: m.created_at,
    })
}

/// ... and the one place a receivable becomes a row.
pub(super) fn row_of(insurer: &str, r: &Receivable) -> rec::Model {
    rec::Model {
        id: r.id.clone(),
        insurer: insurer.to_string(),
        kind: r.kind.as_str().to_string(),
        reason: r.reason.map(|x| x.as_str().to_string()),
        debtor_kind: r.debtor.kind.as_str().to_string(),
        debtor_name: r.debtor.name.clone(),
        debtor_member_id: r.debtor.member_id.clone(),
        debtor_phone: r.debtor.phone.clone(),
        debtor_workplace: r.debtor.workplace.clone(),
        household_id: r.household_id.clone(),
        service_month: r.service_month.clone(),
        determination_id: r.determination_id.clone(),
        assessed_on: r.assessed_on,
        amount: r.amount,
        due_on: r.due_on,
        source_claim_ids: serde_json::to_string(&r.source_claim_ids).unwrap_or_else(|_| "[]".into()),
        source_key: r.source_key.clone(),
        note: r.note.clone(),
        balance: r.balance,
        status: r.status.as_str().to_string(),
        version: r.version,
        created_at: r.created_at,
        updated_at: Some(now()),
    }
}

fn entry_record(e: entry::Model) -> Entry {
    Entry {
        id: e.id,
        kind: e.kind,
        amount: e.amount,
        on: e.entry_on,
        channel: e.channel,
        reason: e.reason,
        note: e.note,
        recorded_at: e.created_at,
    }
}

fn action_record(a: action::Model) -> Result<Action, DbErr> {
    Ok(Action {
        kind: ActionKind::parse(&a.kind).map_err(|e| corrupt(&a.receivable_id, e))?,
        outcome: a
            .outcome
            .as_deref()
            .map(ActionOutcome::parse)
            .transpose()
            .map_err(|e| corrupt(&a.receivable_id, e))?,
        id: a.id,
        on: a.action_on,
        note: a.note,
        recorded_at: a.created_at,
    })
}

fn plan_record(p: plan::Model) -> Plan {
    Plan {
        id: p.id,
        pledged_on: p.pledged_on,
        instalments: p.instalments,
        first_due_on: p.first_due_on,
        total: p.total,
        cancelled_on: p.cancelled_on,
    }
}

fn legal_record(x: legal::Model) -> LegalAction {
    LegalAction {
        id: x.id,
        filed_on: x.filed_on,
        court: x.court,
        served_on: x.served_on,
        declaration_served_on: x.declaration_served_on,
        outcome: x.outcome,
        outcome_on: x.outcome_on,
        note: x.note,
        version: x.version,
    }
}

fn legal_row(
    insurer: &str,
    receivable_id: &str,
    x: &LegalAction,
    created_at: chrono::DateTime<chrono::Utc>,
) -> legal::Model {
    legal::Model {
        id: x.id.clone(),
        insurer: insurer.to_string(),
        receivable_id: receivable_id.to_string(),
        filed_on: x.filed_on,
        court: x.court.clone(),
        served_on: x.served_on,
        declaration_served_on: x.declaration_served_on,
        outcome: x.outcome.clone(),
        outcome_on: x.outcome_on,
        note: x.note.clone(),
        version: x.version,
        created_at,
    }
}

/// The row of an entry to record.
pub(super) fn entry_row(actor: &Actor, receivable_id: &str, e: &NewEntry) -> entry::Model {
    entry::Model {
        kind: e.kind.to_string(),
        channel: e.channel.map(str::to_string),
        reason: e.reason.map(str::to_string),
        note: e.note.clone(),
        ..assessment(actor, receivable_id, e.amount, e.on)
    }
}

/// The assessment entry that opens a receivable.
pub fn assessment(actor: &Actor, receivable_id: &str, amount: i64, on: NaiveDate) -> entry::Model {
    entry::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        receivable_id: receivable_id.to_string(),
        kind: ASSESSMENT.into(),
        amount,
        entry_on: on,
        channel: None,
        reason: None,
        note: None,
        actor: actor.sub.clone(),
        created_at: now(),
    }
}

/// Stores a receivable with its assessment entry, an audit row and its change to the recovery
/// totals, in one transaction.
pub async fn create(conn: &impl TransactionTrait, actor: &Actor, r: Receivable) -> Result<Receivable, DbErr> {
    let txn = conn.begin().await?;
    let change = insert(&txn, actor, &r).await?;
    recovery::record(&txn, &actor.insurer, &[change]).await?;
    txn.commit().await?;
    Ok(r)
}

/// [`create`] without the recovery totals, for bulk paths: the caller passes the change it
/// returns to [`recovery::record`] in the same transaction.
pub async fn insert(conn: &impl ConnectionTrait, actor: &Actor, r: &Receivable) -> Result<LedgerChange, DbErr> {
    let model = row_of(&actor.insurer, r);
    Entity::insert(all_set::<rec::ActiveModel>(model.clone()))
        .exec_without_returning(conn)
        .await?;
    entry::Entity::insert(all_set::<entry::ActiveModel>(assessment(
        actor,
        &model.id,
        model.amount,
        model.assessed_on,
    )))
    .exec_without_returning(conn)
    .await?;
    audit::record(conn, actor, "receivable.assessed", "receivable", &model.id).await?;
    LedgerChange::assessed(&model)
}

pub async fn get(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Receivable>, DbErr> {
    Entity::find_by_id(id.to_string())
        .filter(Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(receivable_of)
        .transpose()
}

/// Filters of the receivable list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<ReceivableKind>,
    pub status: Option<ReceivableStatus>,
    /// Assessed within `from..=to`.
    pub assessed: Option<(NaiveDate, NaiveDate)>,
    pub household_id: Option<String>,
    /// The debtor is this insured person.
    pub member_id: Option<String>,
    /// The debtor's name contains this text (as written: no case folding, no kana folding).
    pub debtor_name: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// A LIKE pattern that matches `text` anywhere, with `%`, `_` and `\` taken literally.
pub(crate) fn containing(text: &str) -> sea_orm::sea_query::LikeExpr {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    sea_orm::sea_query::LikeExpr::new(p).escape('\\')
}

pub async fn list(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Receivable>, DbErr> {
    let mut q = Entity::find().filter(Column::Insurer.eq(insurer));
    if let Some(k) = &filter.kind {
        q = q.filter(Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(Column::Status.eq(s.as_str()));
    }
    if let Some((from, to)) = filter.assessed {
        q = q.filter(Column::AssessedOn.between(from, to));
    }
    if let Some(h) = &filter.household_id {
        q = q.filter(Column::HouseholdId.eq(h.as_str()));
    }
    if let Some(m) = &filter.member_id {
        q = q.filter(Column::DebtorMemberId.eq(m.as_str()));
    }
    if let Some(name) = &filter.debtor_name {
        q = q.filter(Expr::col(Column::DebtorName).like(containing(name)));
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
        items: page.items.into_iter().map(receivable_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// The ledger entries of a receivable, in the order they were recorded.
pub async fn entries(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<Entry>, DbErr> {
    Ok(entry::Entity::find()
        .filter(entry::Column::Insurer.eq(insurer))
        .filter(entry::Column::ReceivableId.eq(id))
        .order_by_asc(entry::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(entry_record)
        .collect())
}

/// The actions taken on a receivable, oldest first.
pub async fn actions(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<Action>, DbErr> {
    action::Entity::find()
        .filter(action::Column::Insurer.eq(insurer))
        .filter(action::Column::ReceivableId.eq(id))
        .order_by_asc(action::Column::ActionOn)
        .order_by_asc(action::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(action_record)
        .collect()
}

/// The ledger of a receivable rebuilt from its stored entries (in the order they were recorded).
pub fn ledger_of(receivable_id: &str, entries: &[Entry]) -> Result<Ledger, DbErr> {
    Ledger::new(
        entries
            .iter()
            .map(|e| ledger_entry(receivable_id, e))
            .collect::<Result<Vec<_>, _>>()?,
    )
    .map_err(|e| DbErr::Custom(format!("stored ledger of {receivable_id}: {e}")))
}

/// A stored entry as the domain's ledger entry.
fn ledger_entry(receivable_id: &str, e: &Entry) -> Result<LedgerEntry, DbErr> {
    entry_of(&EntryFacts {
        id: e.id.clone(),
        receivable_id: receivable_id.to_string(),
        kind: e.kind.clone(),
        amount: e.amount,
        entry_on: e.on,
        channel: e.channel.clone(),
        reason: e.reason.clone(),
    })
}

/// Appends an entry and writes the balance and status the ledger now derives (`after`, which is
/// `before` with the entry), and the change to the recovery totals, if the receivable is still at
/// `current.version` (`Ok(None)` otherwise).
pub async fn append_entry(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &Receivable,
    e: NewEntry,
    (before, after): (Ledger, Ledger),
    status: ReceivableStatus,
) -> Result<Option<Receivable>, DbErr> {
    let txn = conn.begin().await?;
    let Some((row, change)) = write_entry(&txn, actor, current, e, (before, after), status).await? else {
        return Ok(None);
    };
    recovery::record(&txn, &actor.insurer, &[change]).await?;
    txn.commit().await?;
    Ok(Some(row))
}

/// [`append_entry`] without the recovery totals, for bulk paths (see [`insert`]).
pub async fn write_entry(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    current: &Receivable,
    e: NewEntry,
    (before, after): (Ledger, Ledger),
    status: ReceivableStatus,
) -> Result<Option<(Receivable, LedgerChange)>, DbErr> {
    let balance = after.position().balance.as_i64();
    let res = Entity::update_many()
        .col_expr(Column::Balance, Expr::value(balance))
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(Some(now())))
        .filter(Column::Id.eq(current.id.as_str()))
        .filter(Column::Insurer.eq(actor.insurer.as_str()))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    let action = format!("receivable.{}", e.kind);
    entry::Entity::insert(all_set::<entry::ActiveModel>(entry_row(actor, &current.id, &e)))
        .exec_without_returning(conn)
        .await?;
    audit::record(conn, actor, &action, "receivable", &current.id).await?;
    let change = LedgerChange::appended(current, before, after);
    Ok(Some((
        Receivable {
            balance,
            status,
            version: current.version + 1,
            ..current.clone()
        },
        change,
    )))
}

/// An action to record.
pub struct NewAction {
    pub kind: ActionKind,
    pub on: NaiveDate,
    pub outcome: Option<ActionOutcome>,
    pub note: Option<String>,
}

/// Records an action (and the status it implies, e.g. `in_legal` once a payment order is filed).
pub async fn add_action(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &Receivable,
    a: NewAction,
    status: ReceivableStatus,
) -> Result<(), DbErr> {
    let txn = conn.begin().await?;
    let row = action::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        receivable_id: current.id.clone(),
        kind: a.kind.as_str().to_string(),
        receivable_kind: current.kind.as_str().to_string(),
        action_on: a.on,
        outcome: a.outcome.map(|o| o.as_str().to_string()),
        note: a.note,
        actor: actor.sub.clone(),
        created_at: now(),
    };
    action::Entity::insert(all_set::<action::ActiveModel>(row))
        .exec_without_returning(&txn)
        .await?;
    if status != current.status {
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(Some(now())))
            .filter(Column::Id.eq(current.id.as_str()))
            .filter(Column::Insurer.eq(actor.insurer.as_str()))
            .exec(&txn)
            .await?;
    }
    audit::record(&txn, actor, "receivable.action_recorded", "receivable", &current.id).await?;
    txn.commit().await
}

/// Members of the tenant who lost eligibility on or before `by`: id -> (household id, lost_on).
pub async fn members_lost_by(
    conn: &impl ConnectionTrait,
    insurer: &str,
    by: NaiveDate,
) -> Result<std::collections::HashMap<String, (String, NaiveDate)>, DbErr> {
    use super::entity::member;
    let rows: Vec<(String, String, Option<NaiveDate>)> = member::Entity::find()
        .select_only()
        .columns([member::Column::Id, member::Column::HouseholdId, member::Column::LostOn])
        .filter(member::Column::Insurer.eq(insurer))
        .filter(member::Column::LostOn.lte(by))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, h, lost)| Some((id, (h, lost?))))
        .collect())
}

/// Claims (active and voided) of `month` whose member lost eligibility on or before `by`.
pub async fn claims_of_lost_members(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    by: NaiveDate,
) -> Result<Vec<crate::domain::claim::Claim>, DbErr> {
    use super::entity::{claim, member};
    let mut lost = sea_orm::sea_query::Query::select();
    lost.column(member::Column::Id)
        .from(member::Entity)
        .and_where(member::Column::Insurer.eq(insurer))
        .and_where(member::Column::LostOn.lte(by));
    claim::Entity::find()
        .filter(claim::Column::Insurer.eq(insurer))
        .filter(claim::Column::ServiceMonth.eq(month))
        .filter(claim::Column::MemberId.in_subquery(lost))
        .order_by_asc(claim::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(super::claims::claim_of)
        .collect()
}

/// The receivables made from these source keys, by key.
pub async fn by_sources(
    conn: &impl ConnectionTrait,
    insurer: &str,
    keys: &[String],
) -> Result<std::collections::HashMap<String, Receivable>, DbErr> {
    let mut out = std::collections::HashMap::new();
    for chunk in keys.chunks(200) {
        let rows = Entity::find()
            .filter(Column::Insurer.eq(insurer))
            .filter(Column::SourceKey.is_in(chunk.iter().map(String::as_str)))
            .all(conn)
            .await?;
        for r in rows {
            if let Some(k) = r.source_key.clone() {
                out.insert(k, receivable_of(r)?);
            }
        }
    }
    Ok(out)
}

/// The heads (世帯主) of these households: household id -> (member id, name).
pub async fn heads_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    households: &[String],
) -> Result<std::collections::HashMap<String, (String, String)>, DbErr> {
    use super::entity::member;
    let mut out = std::collections::HashMap::new();
    for chunk in households.chunks(300) {
        let rows: Vec<(String, String, String)> = member::Entity::find()
            .select_only()
            .columns([member::Column::HouseholdId, member::Column::Id, member::Column::Name])
            .filter(member::Column::Insurer.eq(insurer))
            .filter(member::Column::Relationship.eq("head"))
            .filter(member::Column::HouseholdId.is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        for (h, id, name) in rows {
            out.insert(h, (id, name));
        }
    }
    Ok(out)
}

/// The member benefits (JSON `[{member_id, benefit}]`) of the paid determinations of `month` of
/// these households, by household.
pub async fn paid_benefits(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    households: &[String],
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    use super::entity::benefit_determination as det;
    let mut out = std::collections::HashMap::new();
    for chunk in households.chunks(300) {
        let rows: Vec<(String, String)> = det::Entity::find()
            .select_only()
            .columns([det::Column::HouseholdId, det::Column::Members])
            .filter(det::Column::Insurer.eq(insurer))
            .filter(det::Column::ServiceMonth.eq(month))
            .filter(det::Column::Status.eq(super::benefits::PAID))
            .filter(det::Column::HouseholdId.is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Receivables still to collect (not collected, not written off) after `after`, in id order.
pub async fn open_page(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Receivable>, DbErr> {
    let mut q = Entity::find()
        .filter(Column::Insurer.eq(insurer))
        .filter(Column::Status.is_not_in([
            ReceivableStatus::Collected.as_str(),
            ReceivableStatus::WrittenOff.as_str(),
        ]));
    if let Some(a) = after {
        q = q.filter(Column::Id.gt(a));
    }
    q.order_by_asc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(receivable_of)
        .collect()
}

/// Ledger entries and actions of the receivables with ids in (`after`, `through`], grouped by
/// receivable: two statements for a whole page.
pub async fn ledgers_in_range(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    through: &str,
) -> Result<
    (
        std::collections::HashMap<String, Vec<Entry>>,
        std::collections::HashMap<String, Vec<Action>>,
    ),
    DbErr,
> {
    let mut eq = entry::Entity::find()
        .filter(entry::Column::Insurer.eq(insurer))
        .filter(entry::Column::ReceivableId.lte(through));
    let mut aq = action::Entity::find()
        .filter(action::Column::Insurer.eq(insurer))
        .filter(action::Column::ReceivableId.lte(through));
    if let Some(a) = after {
        eq = eq.filter(entry::Column::ReceivableId.gt(a));
        aq = aq.filter(action::Column::ReceivableId.gt(a));
    }
    let entries = by_receivable(eq.all(conn).await?);
    let mut actions: std::collections::HashMap<String, Vec<Action>> = std::collections::HashMap::new();
    let mut rows = aq.all(conn).await?;
    rows.sort_by(|a, b| (a.action_on, &a.id).cmp(&(b.action_on, &b.id)));
    for a in rows {
        let receivable_id = a.receivable_id.clone();
        actions.entry(receivable_id).or_default().push(action_record(a)?);
    }
    Ok((entries, actions))
}

/// Ledger entries grouped by receivable, each receivable's in the order they were recorded.
fn by_receivable(mut rows: Vec<entry::Model>) -> std::collections::HashMap<String, Vec<Entry>> {
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut entries: std::collections::HashMap<String, Vec<Entry>> = std::collections::HashMap::new();
    for e in rows {
        entries
            .entry(e.receivable_id.clone())
            .or_default()
            .push(entry_record(e));
    }
    entries
}

/// The tenants that hold receivables.
pub async fn insurers(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Insurer)
        .distinct()
        .into_tuple()
        .all(conn)
        .await
}

/// The installment plans of a receivable, oldest first.
pub async fn plans(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<Plan>, DbErr> {
    Ok(plan::Entity::find()
        .filter(plan::Column::Insurer.eq(insurer))
        .filter(plan::Column::ReceivableId.eq(id))
        .order_by_asc(plan::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(plan_record)
        .collect())
}

/// The installment plans of the receivables with ids in (`after`, `through`], by receivable.
pub async fn plans_in_range(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    through: &str,
) -> Result<std::collections::HashMap<String, Vec<Plan>>, DbErr> {
    let mut q = plan::Entity::find()
        .filter(plan::Column::Insurer.eq(insurer))
        .filter(plan::Column::ReceivableId.lte(through));
    if let Some(a) = after {
        q = q.filter(plan::Column::ReceivableId.gt(a));
    }
    let mut out: std::collections::HashMap<String, Vec<Plan>> = std::collections::HashMap::new();
    let mut rows = q.all(conn).await?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    for p in rows {
        out.entry(p.receivable_id.clone()).or_default().push(plan_record(p));
    }
    Ok(out)
}

/// Stores a plan with its audit row.
pub async fn add_plan(conn: &impl TransactionTrait, actor: &Actor, receivable_id: &str, p: &Plan) -> Result<(), DbErr> {
    let row = plan::Model {
        id: p.id.clone(),
        insurer: actor.insurer.clone(),
        receivable_id: receivable_id.to_string(),
        pledged_on: p.pledged_on,
        instalments: p.instalments,
        first_due_on: p.first_due_on,
        total: p.total,
        cancelled_on: p.cancelled_on,
        actor: actor.sub.clone(),
        created_at: now(),
    };
    let txn = conn.begin().await?;
    let id = receivable_id.to_string();
    plan::Entity::insert(all_set::<plan::ActiveModel>(row))
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, actor, "receivable.installment_pledged", "receivable", &id).await?;
    txn.commit().await
}

/// The payment orders of a receivable, oldest first.
pub async fn legal_actions(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Vec<LegalAction>, DbErr> {
    Ok(legal::Entity::find()
        .filter(legal::Column::Insurer.eq(insurer))
        .filter(legal::Column::ReceivableId.eq(id))
        .order_by_asc(legal::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(legal_record)
        .collect())
}

/// Files a payment order: the record, its `payment_order_filed` action and the `in_legal` status,
/// in one transaction.
pub async fn file_legal_action(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &Receivable,
    l: &LegalAction,
) -> Result<(), DbErr> {
    let txn = conn.begin().await?;
    let a = NewAction {
        kind: ActionKind::PaymentOrderFiled,
        on: l.filed_on,
        outcome: None,
        note: l.court.clone(),
    };
    legal::Entity::insert(all_set::<legal::ActiveModel>(legal_row(
        &actor.insurer,
        &current.id,
        l,
        now(),
    )))
    .exec_without_returning(&txn)
    .await?;
    add_action(&txn, actor, current, a, ReceivableStatus::InLegal).await?;
    txn.commit().await
}

/// Writes a payment order's progress (and the receivable's status) if it is still at its version.
pub async fn update_legal_action(
    conn: &impl TransactionTrait,
    actor: &Actor,
    current: &LegalAction,
    next: &LegalAction,
    receivable: &Receivable,
    status: ReceivableStatus,
) -> Result<bool, DbErr> {
    let txn = conn.begin().await?;
    let res = legal::Entity::update_many()
        .col_expr(legal::Column::ServedOn, Expr::value(next.served_on))
        .col_expr(
            legal::Column::DeclarationServedOn,
            Expr::value(next.declaration_served_on),
        )
        .col_expr(legal::Column::Outcome, Expr::value(next.outcome.clone()))
        .col_expr(legal::Column::OutcomeOn, Expr::value(next.outcome_on))
        .col_expr(legal::Column::Version, Expr::value(current.version + 1))
        .filter(legal::Column::Id.eq(current.id.as_str()))
        .filter(legal::Column::Insurer.eq(actor.insurer.as_str()))
        .filter(legal::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(false);
    }
    if status != receivable.status {
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(Some(now())))
            .filter(Column::Id.eq(receivable.id.as_str()))
            .filter(Column::Insurer.eq(actor.insurer.as_str()))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        "receivable.legal_action_updated",
        "receivable",
        &receivable.id,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// The payment orders of the receivables with ids in (`after`, `through`], by receivable.
pub async fn legal_in_range(
    conn: &impl ConnectionTrait,
    insurer: &str,
    after: Option<&str>,
    through: &str,
) -> Result<std::collections::HashMap<String, Vec<LegalAction>>, DbErr> {
    let mut q = legal::Entity::find()
        .filter(legal::Column::Insurer.eq(insurer))
        .filter(legal::Column::ReceivableId.lte(through));
    if let Some(a) = after {
        q = q.filter(legal::Column::ReceivableId.gt(a));
    }
    let mut out: std::collections::HashMap<String, Vec<LegalAction>> = std::collections::HashMap::new();
    let mut rows = q.all(conn).await?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    for x in rows {
        out.entry(x.receivable_id.clone()).or_default().push(legal_record(x));
    }
    Ok(out)
}

/// Actions of `kinds` taken in `from..=to`, counted by kind and day; of receivables of
/// `receivable_kind` only, when given.
pub async fn actions_by_day(
    conn: &impl ConnectionTrait,
    insurer: &str,
    (from, to): (NaiveDate, NaiveDate),
    kinds: &[&str],
    receivable_kind: Option<&str>,
) -> Result<Vec<super::DayCount>, DbErr> {
    use sea_orm::FromQueryResult;
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut values: Vec<sea_orm::Value> = vec![insurer.into()];
    values.extend(kinds.iter().map(|k| (*k).into()));
    values.extend([from.into(), to.into()]);
    let filter = match receivable_kind {
        Some(k) => {
            values.push(k.into());
            "AND a.receivable_kind = ?"
        }
        None => "",
    };
    let sql = format!(
        "SELECT a.action_on AS day, a.kind AS kind, CAST(COUNT(*) AS BIGINT) AS n FROM receivable_actions a \
         WHERE a.insurer = ? AND a.kind IN ({marks}) AND a.action_on >= ? AND a.action_on <= ? {filter} \
         GROUP BY a.action_on, a.kind"
    );
    super::DayCount::find_by_statement(super::statement(backend, &sql, values))
        .all(conn)
        .await
}

/// Receivables assessed in `from..=to`, counted by day (`kind` is ''); of `receivable_kind` only,
/// when given.
pub async fn assessed_by_day(
    conn: &impl ConnectionTrait,
    insurer: &str,
    (from, to): (NaiveDate, NaiveDate),
    receivable_kind: Option<&str>,
) -> Result<Vec<super::DayCount>, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![insurer.into()];
    let filter = match receivable_kind {
        Some(k) => {
            values.push(k.into());
            "AND kind = ?"
        }
        None => "",
    };
    values.extend([from.into(), to.into()]);
    let sql = format!(
        "SELECT assessed_on AS day, '' AS kind, CAST(COUNT(*) AS BIGINT) AS n FROM receivables \
         WHERE insurer = ? {filter} AND assessed_on >= ? AND assessed_on <= ? GROUP BY assessed_on"
    );
    super::DayCount::find_by_statement(super::statement(backend, &sql, values))
        .all(conn)
        .await
}
