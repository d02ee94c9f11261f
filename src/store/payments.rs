//! Payment runs, payments, offsets (充当), application forms and refund receivables. A page of a
//! run reads what it needs with a handful of statements selecting by the page's range of
//! determination ids, never by long id lists.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use super::benefits::{DECIDED, DeterminationHead, LAPSED, PAID};
use super::entity::application_determination as link;
use super::entity::benefit_determination as det;
use super::entity::{
    application_form as form, member, payment, payment_offset as offset, payment_registration as reg,
    payment_run as run, receivable, receivable_entry as entry, tax_arrears,
};
use super::events::Facts;
use super::{Actor, Page, PageRequest, all_set, audit, byte_chunks, new_id, now};
use crate::domain::benefit::StoredMemberBenefit;
use crate::domain::disbursement::{IssuedForm, Offset, Payment, PaymentKind, PaymentRun, PaymentStatus};
use crate::domain::payment::{AccountFields, Registration, TransferFailure};
use crate::domain::receivable::record::{NewEntry, Receivable};
use crate::domain::run::RunStatus;

/// The one place a stored run becomes a payment run.
pub fn run_of(r: run::Model) -> Result<PaymentRun, DbErr> {
    Ok(PaymentRun {
        status: RunStatus::parse(&r.status)
            .ok_or_else(|| DbErr::Custom(format!("payment run {}: unknown status", r.id)))?,
        id: r.id,
        insurer: r.insurer,
        actor: r.actor,
        cursor: r.cursor,
        service_month: r.service_month,
        transfer_date: r.transfer_date,
        done: r.done,
        total: r.total,
        payment_count: r.payment_count,
        total_amount: r.total_amount,
        offset_total: r.offset_total,
        application_forms: r.application_forms,
        refunds: r.refunds,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}

/// ... and the one place a payment run becomes a row, as of `updated_at`.
pub(super) fn run_row(r: &PaymentRun, updated_at: chrono::DateTime<chrono::Utc>) -> run::Model {
    run::Model {
        id: r.id.clone(),
        insurer: r.insurer.clone(),
        service_month: r.service_month.clone(),
        transfer_date: r.transfer_date,
        status: r.status.as_str().to_string(),
        done: r.done,
        total: r.total,
        payment_count: r.payment_count,
        total_amount: r.total_amount,
        offset_total: r.offset_total,
        application_forms: r.application_forms,
        refunds: r.refunds,
        cursor: r.cursor.clone(),
        actor: r.actor.clone(),
        error: r.error.clone(),
        created_at: r.created_at,
        updated_at,
        finished_at: r.finished_at,
    }
}

/// The row of a payment.
fn payment_row(insurer: &str, p: &Payment) -> payment::Model {
    payment::Model {
        id: p.id.clone(),
        insurer: insurer.to_string(),
        run_id: p.run_id.clone(),
        determination_id: p.determination_id.clone(),
        household_id: p.household_id.clone(),
        registration_id: p.registration_id.clone(),
        service_month: p.service_month.clone(),
        kind: p.kind.as_str().to_string(),
        gross_amount: p.gross_amount,
        offset_amount: p.offset_amount,
        net_amount: p.net_amount,
        bank_code: p.account.bank_code.clone(),
        branch_code: p.account.branch_code.clone(),
        account_type: p.account.account_type.clone(),
        account_number: p.account.account_number.clone(),
        holder_kana: p.account.holder_kana.clone(),
        first_transfer: p.first_transfer,
        transfer_date: p.transfer_date,
        status: p.status.as_str().to_string(),
        failure_reason: p.failure_reason.map(|f| f.as_str().to_string()),
        failed_on: p.failed_on,
        version: p.version,
        created_at: p.created_at,
        updated_at: Some(now()),
        application_id: p.application_id.clone(),
    }
}

/// The one place a stored payment becomes a payment.
pub fn payment_of(p: payment::Model) -> Result<Payment, DbErr> {
    let bad = |what: &str| DbErr::Custom(format!("payment {}: unknown {what}", p.id));
    Ok(Payment {
        kind: PaymentKind::parse(&p.kind).ok_or_else(|| bad("kind"))?,
        status: PaymentStatus::parse(&p.status).ok_or_else(|| bad("status"))?,
        failure_reason: p.failure_reason.as_deref().and_then(TransferFailure::parse),
        account: AccountFields {
            bank_code: p.bank_code,
            branch_code: p.branch_code,
            account_type: p.account_type,
            account_number: p.account_number,
            holder_kana: p.holder_kana,
        },
        first_transfer: p.first_transfer,
        id: p.id,
        run_id: p.run_id,
        determination_id: p.determination_id,
        household_id: p.household_id,
        registration_id: p.registration_id,
        application_id: p.application_id,
        service_month: p.service_month,
        gross_amount: p.gross_amount,
        offset_amount: p.offset_amount,
        net_amount: p.net_amount,
        transfer_date: p.transfer_date,
        failed_on: p.failed_on,
        version: p.version,
        created_at: p.created_at,
    })
}

fn issued_form_of(f: form::Model) -> IssuedForm {
    IssuedForm {
        id: f.id,
        run_id: f.run_id,
        determination_id: f.determination_id,
        household_id: f.household_id,
        service_month: f.service_month,
        amount: f.amount,
        reason: f.reason,
        reminder: f.reminder,
        created_at: f.created_at,
    }
}

// A payment's statuses as stored: the domain's spelling.
pub const SCHEDULED: &str = PaymentStatus::Scheduled.as_str();
pub const PAYMENT_FAILED: &str = PaymentStatus::Failed.as_str();

/// Starts a run record.
pub async fn create_run(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    month: &str,
    transfer_date: NaiveDate,
    total: i64,
) -> Result<PaymentRun, DbErr> {
    let at = now();
    let model = run::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        service_month: month.to_string(),
        transfer_date,
        status: RunStatus::Running.as_str().to_string(),
        done: 0,
        total: i32::try_from(total).unwrap_or(i32::MAX),
        payment_count: 0,
        total_amount: 0,
        offset_total: 0,
        application_forms: 0,
        refunds: 0,
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
    audit::record(conn, actor, "payment_run.started", "payment_run", &model.id).await?;
    run_of(model)
}

/// The tenant's payment runs, oldest first, by service month, status and last change when given.
pub async fn list_runs(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: Option<&str>,
    status: Option<RunStatus>,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    page: &PageRequest,
) -> Result<Page<PaymentRun>, DbErr> {
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

/// The running run of a month, if any.
pub async fn running_run(conn: &impl ConnectionTrait, insurer: &str, month: &str) -> Result<Option<PaymentRun>, DbErr> {
    run::Entity::find()
        .filter(run::Column::Insurer.eq(insurer))
        .filter(run::Column::ServiceMonth.eq(month))
        .filter(run::Column::Status.eq(RunStatus::Running.as_str()))
        .one(conn)
        .await?
        .map(run_of)
        .transpose()
}

pub async fn get_run(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<PaymentRun>, DbErr> {
    run::Entity::find_by_id(id.to_string())
        .filter(run::Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(run_of)
        .transpose()
}

/// How many decided determinations of `month` wait for a run.
pub async fn count_decided(conn: &impl ConnectionTrait, insurer: &str, month: &str) -> Result<i64, DbErr> {
    let n: Option<i64> = det::Entity::find()
        .select_only()
        .column_as(Expr::col(det::Column::Id).count(), "n")
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::ServiceMonth.eq(month))
        .filter(det::Column::Status.eq(DECIDED))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.unwrap_or(0))
}

/// A page of a run: decided determinations of the month after `after`, in id order.
pub async fn decided_page(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<DeterminationHead>, DbErr> {
    let mut q = super::benefits::heads()
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::ServiceMonth.eq(month))
        .filter(det::Column::Status.eq(DECIDED));
    if let Some(a) = after {
        q = q.filter(det::Column::Id.gt(a));
    }
    q.order_by_asc(det::Column::Id)
        .limit(limit)
        .into_model()
        .all(conn)
        .await
}

/// The range of a page: decided determinations of the month with ids in (`after`, `through`].
#[derive(Debug, Clone, Copy)]
pub struct PageRange<'a> {
    pub insurer: &'a str,
    pub month: &'a str,
    pub after: Option<&'a str>,
    pub through: &'a str,
}

impl PageRange<'_> {
    /// `SELECT household_id` of the page's determinations, for `IN (subquery)` conditions.
    fn households(&self) -> SelectStatement {
        let mut q = Query::select();
        q.column(det::Column::HouseholdId)
            .from(det::Entity)
            .and_where(det::Column::Insurer.eq(self.insurer))
            .and_where(det::Column::ServiceMonth.eq(self.month))
            .and_where(det::Column::Status.eq(DECIDED))
            .and_where(det::Column::Id.lte(self.through));
        if let Some(a) = self.after {
            q.and_where(det::Column::Id.gt(a));
        }
        q
    }
}

/// What a page needs besides its determinations, keyed by household id.
#[derive(Debug, Default)]
pub struct PageContext {
    /// Registrations of the page's households (all statuses, oldest first).
    pub registrations: HashMap<String, Vec<Registration>>,
    /// Reported NHI tax arrears and the date of the report.
    pub arrears: HashMap<String, (i64, NaiveDate)>,
    /// What each household-month of the page has been settled so far: live payments' gross
    /// amounts plus failed payments' offsets, minus refunds assessed.
    pub settled: HashMap<String, i64>,
    /// Registrations that have been paid to before (any month).
    pub paid_registrations: std::collections::HashSet<String>,
    /// Determinations of the page that already have an application form, and whether one of
    /// their forms was a reminder.
    pub with_form: HashMap<String, bool>,
    /// Determinations of the page that a live application answers (the application pays them).
    pub applied: std::collections::HashSet<String>,
    /// Each determination's members with a benefit: (birth date, benefit). Read only when asked.
    pub members: HashMap<String, Vec<(NaiveDate, i64)>>,
    /// The head (世帯主) of each household: member id and name, the debtor of a refund.
    pub heads: HashMap<String, (String, String)>,
}

#[derive(Debug, FromQueryResult)]
struct Settled {
    household_id: String,
    registration_id: Option<String>,
    service_month: String,
    status: String,
    gross_amount: i64,
    offset_amount: i64,
}

/// Which households a context read covers.
#[derive(Debug, Clone, Copy)]
enum Which<'a> {
    /// Those of a page's determinations.
    Page(PageRange<'a>),
    /// These ids.
    Ids(&'a [String]),
}

impl Which<'_> {
    fn on(&self, col: impl ColumnTrait) -> SimpleExpr {
        match self {
            Self::Page(range) => col.in_subquery(range.households()),
            Self::Ids(ids) => col.is_in(ids.iter().map(String::as_str)),
        }
    }
}

/// What each household-month of `households` has been settled so far: live payments' gross
/// amounts plus failed payments' offsets, minus refunds assessed; and the registrations that
/// have been paid to before (any month). `month`: only that month's amounts.
async fn settled_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    households: Which<'_>,
    month: Option<&str>,
) -> Result<(HashMap<(String, String), i64>, std::collections::HashSet<String>), DbErr> {
    let mut settled: HashMap<(String, String), i64> = HashMap::new();
    let mut paid_registrations = std::collections::HashSet::new();
    let q = payment::Entity::find()
        .select_only()
        .columns([
            payment::Column::HouseholdId,
            payment::Column::RegistrationId,
            payment::Column::ServiceMonth,
            payment::Column::Status,
            payment::Column::GrossAmount,
            payment::Column::OffsetAmount,
        ])
        .filter(payment::Column::Insurer.eq(insurer))
        .filter(households.on(payment::Column::HouseholdId));
    // Registrations paid before are wanted from every month, so the month is filtered below.
    let paid: Vec<Settled> = q.into_model().all(conn).await?;
    for p in paid {
        if p.status != PAYMENT_FAILED
            && let Some(r) = &p.registration_id
        {
            paid_registrations.insert(r.clone());
        }
        if month.is_some_and(|m| m != p.service_month) {
            continue;
        }
        let amount = if p.status == PAYMENT_FAILED {
            p.offset_amount
        } else {
            p.gross_amount
        };
        *settled.entry((p.household_id, p.service_month)).or_default() += amount;
    }
    let mut refunds = receivable::Entity::find()
        .select_only()
        .column(receivable::Column::HouseholdId)
        .column(receivable::Column::ServiceMonth)
        .column(receivable::Column::Amount)
        .filter(receivable::Column::Insurer.eq(insurer))
        .filter(receivable::Column::DeterminationId.is_not_null())
        .filter(households.on(receivable::Column::HouseholdId));
    if let Some(m) = month {
        refunds = refunds.filter(receivable::Column::ServiceMonth.eq(m));
    }
    let refunds: Vec<(Option<String>, Option<String>, i64)> = refunds.into_tuple().all(conn).await?;
    for (h, m, amount) in refunds {
        if let (Some(h), Some(m)) = (h, m) {
            *settled.entry((h, m)).or_default() -= amount;
        }
    }
    Ok((settled, paid_registrations))
}

/// Reads the context of a page in a few statements.
/// `with_members`: read each determination's members with their birth dates (for a scheme that
/// pays by age).
pub async fn page_context(
    conn: &impl ConnectionTrait,
    range: PageRange<'_>,
    with_members: bool,
) -> Result<PageContext, DbErr> {
    let mut ctx = PageContext::default();
    let regs = reg::Entity::find()
        .filter(reg::Column::Insurer.eq(range.insurer))
        .filter(reg::Column::HouseholdId.in_subquery(range.households()))
        .all(conn)
        .await?;
    let mut regs = regs;
    regs.sort_by(|a, b| a.id.cmp(&b.id));
    for r in regs {
        ctx.registrations
            .entry(r.household_id.clone())
            .or_default()
            .push(super::registrations::registration_of(r)?);
    }
    for a in tax_arrears::Entity::find()
        .filter(tax_arrears::Column::Insurer.eq(range.insurer))
        .filter(tax_arrears::Column::HouseholdId.in_subquery(range.households()))
        .all(conn)
        .await?
    {
        ctx.arrears.insert(a.household_id, (a.amount, a.as_of));
    }
    let (settled, paid_registrations) = settled_of(conn, range.insurer, Which::Page(range), Some(range.month)).await?;
    ctx.settled = settled.into_iter().map(|((h, _), v)| (h, v)).collect();
    ctx.paid_registrations = paid_registrations;
    let mut dets = Query::select();
    dets.column(det::Column::Id)
        .from(det::Entity)
        .and_where(det::Column::Insurer.eq(range.insurer))
        .and_where(det::Column::ServiceMonth.eq(range.month))
        .and_where(det::Column::Status.eq(DECIDED))
        .and_where(det::Column::Id.lte(range.through));
    if let Some(a) = range.after {
        dets.and_where(det::Column::Id.gt(a));
    }
    let forms: Vec<(String, bool)> = form::Entity::find()
        .select_only()
        .columns([form::Column::DeterminationId, form::Column::Reminder])
        .filter(form::Column::Insurer.eq(range.insurer))
        .filter(form::Column::DeterminationId.in_subquery(dets.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    for (d, reminder) in forms {
        *ctx.with_form.entry(d).or_default() |= reminder;
    }
    let applied: Vec<String> = link::Entity::find()
        .select_only()
        .column(link::Column::DeterminationId)
        .filter(link::Column::Insurer.eq(range.insurer))
        .filter(link::Column::Live.eq(true))
        .filter(link::Column::DeterminationId.in_subquery(dets.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    ctx.applied.extend(applied);
    if with_members {
        let births: HashMap<String, NaiveDate> = member::Entity::find()
            .select_only()
            .columns([member::Column::Id, member::Column::BirthDate])
            .filter(member::Column::Insurer.eq(range.insurer))
            .filter(member::Column::HouseholdId.in_subquery(range.households()))
            .into_tuple::<(String, NaiveDate)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let rows: Vec<(String, String)> = det::Entity::find()
            .select_only()
            .columns([det::Column::Id, det::Column::Members])
            .filter(det::Column::Insurer.eq(range.insurer))
            .filter(det::Column::Id.in_subquery(dets))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, json) in rows {
            let members: Vec<StoredMemberBenefit> = serde_json::from_str(&json)
                .map_err(|e| DbErr::Custom(format!("determination {id}: stored members: {e}")))?;
            let list = members
                .iter()
                .filter(|m| m.benefit > 0)
                .filter_map(|m| births.get(&m.member_id).map(|b| (*b, m.benefit)))
                .collect();
            ctx.members.insert(id, list);
        }
    }
    let heads: Vec<(String, String, String)> = member::Entity::find()
        .select_only()
        .columns([member::Column::HouseholdId, member::Column::Id, member::Column::Name])
        .filter(member::Column::Insurer.eq(range.insurer))
        .filter(member::Column::Relationship.eq("head"))
        .filter(member::Column::HouseholdId.in_subquery(range.households()))
        .into_tuple()
        .all(conn)
        .await?;
    for (h, id, name) in heads {
        ctx.heads.insert(h, (id, name));
    }
    Ok(ctx)
}

/// What the application part of a run reads for a page of approved applications.
#[derive(Debug, Default)]
pub struct ApplicationContext {
    /// The current (not superseded) determination of each household-month of the households.
    pub current: HashMap<(String, String), DeterminationHead>,
    /// What each household-month has been settled so far (as [`PageContext::settled`]).
    pub settled: HashMap<(String, String), i64>,
    /// Reported NHI tax arrears and the date of the report.
    pub arrears: HashMap<String, (i64, NaiveDate)>,
}

/// Reads the context of a page of approved applications of `households`.
pub async fn application_context(
    conn: &impl ConnectionTrait,
    insurer: &str,
    households: &[String],
) -> Result<ApplicationContext, DbErr> {
    let mut ctx = ApplicationContext::default();
    let rows: Vec<DeterminationHead> = super::benefits::heads()
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::HouseholdId.is_in(households.iter().map(String::as_str)))
        .filter(det::Column::Status.ne(super::benefits::SUPERSEDED))
        .into_model()
        .all(conn)
        .await?;
    for d in rows {
        ctx.current.insert((d.household_id.clone(), d.service_month.clone()), d);
    }
    (ctx.settled, _) = settled_of(conn, insurer, Which::Ids(households), None).await?;
    for a in tax_arrears::Entity::find()
        .filter(tax_arrears::Column::Insurer.eq(insurer))
        .filter(tax_arrears::Column::HouseholdId.is_in(households.iter().map(String::as_str)))
        .all(conn)
        .await?
    {
        ctx.arrears.insert(a.household_id, (a.amount, a.as_of));
    }
    Ok(ctx)
}

/// What a page writes.
#[derive(Debug, Default)]
pub struct PageWrites {
    pub payments: Vec<Payment>,
    pub offsets: Vec<Offset>,
    pub forms: Vec<IssuedForm>,
    /// Refunds assessed (返納金), each with its assessment entry.
    pub refunds: Vec<(Receivable, NewEntry)>,
    /// Determinations settled by this page (paid, refunded or already right): marked `paid`.
    pub settled: Vec<String>,
    /// Determinations whose right lapsed unclaimed (R15), with why: marked `lapsed`.
    pub lapsed: Vec<(String, &'static str)>,
}

/// Writes a page. Fails on a unique violation when another run paid one of its determinations
/// first; the caller retries the page, which then skips them.
/// `month`: the run's service month when every determination of the page is of it.
pub async fn write_page(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    month: Option<&str>,
    w: &PageWrites,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut audits = Vec::new();
    let text = |s: &str| s.len();
    let payment_bytes = |p: &Payment| {
        text(&p.id)
            + text(&p.run_id)
            + text(&p.determination_id)
            + text(&p.household_id)
            + p.registration_id.as_deref().map_or(0, text)
            + p.application_id.as_deref().map_or(0, text)
            + text(&p.account.holder_kana)
            + 200
    };
    let insurer = actor.insurer.as_str();
    for chunk in byte_chunks(backend, &w.payments, 500, payment_bytes) {
        payment::Entity::insert_many(
            chunk
                .iter()
                .map(|p| all_set::<payment::ActiveModel>(payment_row(insurer, p))),
        )
        .exec_without_returning(conn)
        .await?;
    }
    for p in &w.payments {
        audits
            .push(audit::active(actor, "payment.created", "payment", &p.id).knowing(Facts::household(&p.household_id)));
    }
    for chunk in byte_chunks(backend, &w.offsets, 500, |o| {
        text(&o.id) + text(&o.payment_id) + text(&o.household_id) + 120
    }) {
        offset::Entity::insert_many(chunk.iter().map(|o| {
            all_set::<offset::ActiveModel>(offset::Model {
                id: o.id.clone(),
                insurer: insurer.to_string(),
                payment_id: o.payment_id.clone(),
                household_id: o.household_id.clone(),
                amount: o.amount,
                basis: o.basis.clone(),
                arrears_as_of: o.arrears_as_of,
                arrears_before: o.arrears_before,
                created_at: now(),
            })
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for o in &w.offsets {
        // The arrears reported are reduced by what was applied to them, so the next payment does
        // not offset the same tax twice.
        tax_arrears::Entity::update_many()
            .col_expr(
                tax_arrears::Column::Amount,
                Expr::col(tax_arrears::Column::Amount).sub(o.amount),
            )
            .col_expr(tax_arrears::Column::UpdatedAt, Expr::value(now()))
            .filter(tax_arrears::Column::Insurer.eq(insurer))
            .filter(tax_arrears::Column::HouseholdId.eq(o.household_id.as_str()))
            .exec(conn)
            .await?;
    }
    for chunk in byte_chunks(backend, &w.forms, 500, |f| {
        text(&f.id) + text(&f.run_id) + text(&f.determination_id) + text(&f.household_id) + 120
    }) {
        form::Entity::insert_many(chunk.iter().map(|f| {
            all_set::<form::ActiveModel>(form::Model {
                id: f.id.clone(),
                insurer: insurer.to_string(),
                run_id: f.run_id.clone(),
                determination_id: f.determination_id.clone(),
                household_id: f.household_id.clone(),
                service_month: f.service_month.clone(),
                amount: f.amount,
                reason: f.reason.clone(),
                created_at: f.created_at,
                reminder: f.reminder,
            })
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for f in &w.forms {
        audits.push(audit::active(
            actor,
            "application_form.created",
            "application_form",
            &f.id,
        ));
    }
    let mut changes = Vec::with_capacity(w.refunds.len());
    for (r, e) in &w.refunds {
        let row = super::receivables::row_of(insurer, r);
        receivable::Entity::insert(all_set::<receivable::ActiveModel>(row.clone()))
            .exec_without_returning(conn)
            .await?;
        entry::Entity::insert(all_set::<entry::ActiveModel>(super::receivables::entry_row(
            actor, &r.id, e,
        )))
        .exec_without_returning(conn)
        .await?;
        audits.push(
            audit::active(actor, "receivable.assessed", "receivable", &r.id).knowing(Facts {
                household_id: row.household_id.clone(),
                agency: None,
                status: Some(row.status.clone()),
            }),
        );
        changes.push(super::recovery::LedgerChange::assessed(&row)?);
    }
    super::recovery::record(conn, &actor.insurer, &changes).await?;
    let ids: Vec<&str> = w.settled.iter().map(String::as_str).collect();
    for chunk in byte_chunks(backend, &ids, 300, |id| id.len() + 4) {
        let mut q = det::Entity::update_many()
            .col_expr(det::Column::Status, Expr::value(PAID))
            .col_expr(det::Column::Version, Expr::col(det::Column::Version).add(1))
            .col_expr(det::Column::UpdatedAt, Expr::value(Some(now())))
            .filter(det::Column::Insurer.eq(actor.insurer.as_str()))
            .filter(det::Column::Status.eq(DECIDED))
            .filter(det::Column::Id.is_in(chunk.iter().copied()));
        if let Some(m) = month {
            q = q.filter(det::Column::ServiceMonth.eq(m));
        }
        let res = q.exec(conn).await?;
        if res.rows_affected != chunk.len() as u64 {
            // Another run (or a recalculation) changed one of them since the page was read.
            return Err(DbErr::RecordNotUpdated);
        }
    }
    for (id, reason) in &w.lapsed {
        let res = det::Entity::update_many()
            .col_expr(det::Column::Status, Expr::value(LAPSED))
            .col_expr(det::Column::LapseReason, Expr::value(Some(reason.to_string())))
            .col_expr(det::Column::LapsedAt, Expr::value(Some(now())))
            .col_expr(det::Column::Version, Expr::col(det::Column::Version).add(1))
            .col_expr(det::Column::UpdatedAt, Expr::value(Some(now())))
            .filter(det::Column::Insurer.eq(actor.insurer.as_str()))
            .filter(det::Column::Status.eq(DECIDED))
            .filter(det::Column::Id.eq(id.as_str()))
            .exec(conn)
            .await?;
        if res.rows_affected != 1 {
            return Err(DbErr::RecordNotUpdated);
        }
        audits.push(audit::active(
            actor,
            "benefit_determination.lapsed",
            "benefit_determination",
            id,
        ));
    }
    for id in &w.settled {
        audits.push(audit::active(
            actor,
            "benefit_determination.paid",
            "benefit_determination",
            id,
        ));
    }
    audit::record_many(conn, audits).await
}

/// Which payments to list; every filter given applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentFilter<'a> {
    pub run_id: Option<&'a str>,
    pub household_id: Option<&'a str>,
    pub service_month: Option<&'a str>,
    /// Written at or after this instant.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// A page of the tenant's payments in id order (a run's: its transfer-file order).
pub async fn payments(
    conn: &impl ConnectionTrait,
    insurer: &str,
    filter: PaymentFilter<'_>,
    page: &PageRequest,
) -> Result<Page<Payment>, DbErr> {
    let mut q = payment::Entity::find().filter(payment::Column::Insurer.eq(insurer));
    if let Some(r) = filter.run_id {
        q = q.filter(payment::Column::RunId.eq(r));
    }
    if let Some(h) = filter.household_id {
        q = q.filter(payment::Column::HouseholdId.eq(h));
    }
    if let Some(m) = filter.service_month {
        q = q.filter(payment::Column::ServiceMonth.eq(m));
    }
    if let Some(t) = filter.updated_since {
        q = q.filter(payment::Column::UpdatedAt.gte(t));
    }
    if let Some(after) = &page.after {
        q = q.filter(payment::Column::Id.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(payment::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    let page = Page::from_rows(rows, page.limit, |r| &r.id);
    Ok(Page {
        items: page.items.into_iter().map(payment_of).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Every payment of a run, in id order (the transfer file's order), read in pages.
pub async fn run_payments_after(
    conn: &impl ConnectionTrait,
    insurer: &str,
    run_id: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Payment>, DbErr> {
    let mut q = payment::Entity::find()
        .filter(payment::Column::Insurer.eq(insurer))
        .filter(payment::Column::RunId.eq(run_id));
    if let Some(a) = after {
        q = q.filter(payment::Column::Id.gt(a));
    }
    q.order_by_asc(payment::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(payment_of)
        .collect()
}

pub async fn get_payment(conn: &impl ConnectionTrait, insurer: &str, id: &str) -> Result<Option<Payment>, DbErr> {
    payment::Entity::find_by_id(id.to_string())
        .filter(payment::Column::Insurer.eq(insurer))
        .one(conn)
        .await?
        .map(payment_of)
        .transpose()
}

pub async fn offset_of(conn: &impl ConnectionTrait, insurer: &str, payment_id: &str) -> Result<Option<Offset>, DbErr> {
    Ok(offset::Entity::find()
        .filter(offset::Column::Insurer.eq(insurer))
        .filter(offset::Column::PaymentId.eq(payment_id))
        .one(conn)
        .await?
        .map(|o| Offset {
            id: o.id,
            payment_id: o.payment_id,
            household_id: o.household_id,
            amount: o.amount,
            basis: o.basis,
            arrears_as_of: o.arrears_as_of,
            arrears_before: o.arrears_before,
        }))
}

/// Application forms of a run, in id order.
pub async fn run_forms(
    conn: &impl ConnectionTrait,
    insurer: &str,
    run_id: &str,
    page: &PageRequest,
) -> Result<Page<IssuedForm>, DbErr> {
    let mut q = form::Entity::find()
        .filter(form::Column::Insurer.eq(insurer))
        .filter(form::Column::RunId.eq(run_id));
    if let Some(after) = &page.after {
        q = q.filter(form::Column::Id.gt(after.as_str()));
    }
    let rows = q.order_by_asc(form::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page.limit, |r| &r.id).map(issued_form_of))
}

/// Marks a payment failed (the bank returned it): the determination goes back to `decided` so a
/// later run settles it again (by payment once the account is fixed, else by form). `Ok(false)`
/// when the payment had already failed.
pub async fn fail_payment(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    p: &Payment,
    reason: &str,
    on: NaiveDate,
) -> Result<bool, DbErr> {
    let res = payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(PAYMENT_FAILED))
        .col_expr(payment::Column::FailureReason, Expr::value(reason))
        .col_expr(payment::Column::FailedOn, Expr::value(on))
        .col_expr(payment::Column::Version, Expr::col(payment::Column::Version).add(1))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Some(now())))
        .filter(payment::Column::Id.eq(p.id.as_str()))
        .filter(payment::Column::Insurer.eq(actor.insurer.as_str()))
        .filter(payment::Column::Status.eq(SCHEDULED))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(false);
    }
    det::Entity::update_many()
        .col_expr(det::Column::Status, Expr::value(DECIDED))
        .col_expr(det::Column::Version, Expr::col(det::Column::Version).add(1))
        .col_expr(det::Column::UpdatedAt, Expr::value(Some(now())))
        .filter(det::Column::Id.eq(p.determination_id.as_str()))
        .filter(det::Column::Insurer.eq(actor.insurer.as_str()))
        .filter(det::Column::Status.eq(PAID))
        .exec(conn)
        .await?;
    audit::record(conn, actor, "payment.failed", "payment", &p.id).await?;
    Ok(true)
}

/// The application form of a determination, if one was issued.
pub async fn form_of(
    conn: &impl ConnectionTrait,
    insurer: &str,
    determination_id: &str,
) -> Result<Option<IssuedForm>, DbErr> {
    Ok(form::Entity::find()
        .filter(form::Column::Insurer.eq(insurer))
        .filter(form::Column::DeterminationId.eq(determination_id))
        .one(conn)
        .await?
        .map(issued_form_of))
}

/// `SUM(col)` as a 64-bit integer on both databases (PostgreSQL sums bigints as numeric).
fn sum_i64(col: impl sea_orm::sea_query::IntoColumnRef) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(col).sum().cast_as("BIGINT")
}

pub use crate::domain::disbursement::SchemeTotals;

/// Payments by status and whether made on an application: (status, on application, count, gross,
/// offset).
type PaymentGroup = (String, bool, i64, Option<i64>, Option<i64>);

/// Counts and sums what the scheme did for the service months `from..=to`.
pub async fn scheme_totals(
    conn: &impl ConnectionTrait,
    insurer: &str,
    from: &str,
    to: &str,
) -> Result<SchemeTotals, DbErr> {
    let mut t = SchemeTotals::default();
    let row: Option<(i64, Option<i64>)> = det::Entity::find()
        .select_only()
        .column_as(Expr::col(det::Column::Id).count(), "n")
        .column_as(sum_i64(det::Column::TotalBenefit), "s")
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::ServiceMonth.between(from, to))
        .filter(det::Column::Status.ne(super::benefits::SUPERSEDED))
        .into_tuple()
        .one(conn)
        .await?;
    if let Some((n, s)) = row {
        t.determinations = n;
        t.benefit_total = s.unwrap_or(0);
    }
    t.determinations_with_benefit = det::Entity::find()
        .select_only()
        .column_as(Expr::col(det::Column::Id).count(), "n")
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::ServiceMonth.between(from, to))
        .filter(det::Column::Status.ne(super::benefits::SUPERSEDED))
        .filter(det::Column::TotalBenefit.gt(0))
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .unwrap_or(0);
    let on_application = Expr::col(payment::Column::ApplicationId).is_not_null();
    let rows: Vec<PaymentGroup> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Status)
        .column_as(on_application.clone(), "a")
        .column_as(Expr::col(payment::Column::Id).count(), "n")
        .column_as(sum_i64(payment::Column::GrossAmount), "g")
        .column_as(sum_i64(payment::Column::OffsetAmount), "o")
        .filter(payment::Column::Insurer.eq(insurer))
        .filter(payment::Column::ServiceMonth.between(from, to))
        .group_by(payment::Column::Status)
        .group_by(on_application)
        .into_tuple()
        .all(conn)
        .await?;
    for (status, applied, n, g, o) in rows {
        if status == PAYMENT_FAILED {
            t.failed_payments += n;
            continue;
        }
        t.offset_total += o.unwrap_or(0);
        if applied {
            t.application_payments += n;
            t.application_amount += g.unwrap_or(0);
        } else {
            t.automatic_payments += n;
            t.automatic_amount += g.unwrap_or(0);
        }
    }
    let row: Option<(i64, Option<i64>)> = form::Entity::find()
        .select_only()
        .column_as(Expr::col(form::Column::Id).count(), "n")
        .column_as(sum_i64(form::Column::Amount), "s")
        .filter(form::Column::Insurer.eq(insurer))
        .filter(form::Column::ServiceMonth.between(from, to))
        .into_tuple()
        .one(conn)
        .await?;
    if let Some((n, s)) = row {
        t.forms = n;
        t.form_amount = s.unwrap_or(0);
    }
    let row: Option<(i64, Option<i64>)> = receivable::Entity::find()
        .select_only()
        .column_as(Expr::col(receivable::Column::Id).count(), "n")
        .column_as(sum_i64(receivable::Column::Amount), "s")
        .filter(receivable::Column::Insurer.eq(insurer))
        .filter(receivable::Column::ServiceMonth.between(from, to))
        .filter(receivable::Column::DeterminationId.is_not_null())
        .into_tuple()
        .one(conn)
        .await?;
    if let Some((n, s)) = row {
        t.refunds = n;
        t.refund_amount = s.unwrap_or(0);
    }
    Ok(t)
}

/// A benefit counted in the application figures: its household-month, the amount, and each
/// member with a benefit that month (birth date, benefit).
#[derive(Debug, Clone)]
pub struct CountedBenefit {
    pub service_month: String,
    pub amount: i64,
    pub members: Vec<(NaiveDate, i64)>,
}

/// Joins each (determination id, household id, service month, amount) with its determination's
/// members and their birth dates.
async fn with_members(
    conn: &impl ConnectionTrait,
    insurer: &str,
    rows: Vec<(String, String, String, i64)>,
) -> Result<Vec<CountedBenefit>, DbErr> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.0.as_str()).collect();
        let households: Vec<&str> = chunk.iter().map(|r| r.1.as_str()).collect();
        let members: HashMap<String, String> = det::Entity::find()
            .select_only()
            .columns([det::Column::Id, det::Column::Members])
            .filter(det::Column::Insurer.eq(insurer))
            .filter(det::Column::Id.is_in(ids))
            .into_tuple::<(String, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let births: HashMap<String, NaiveDate> = member::Entity::find()
            .select_only()
            .columns([member::Column::Id, member::Column::BirthDate])
            .filter(member::Column::Insurer.eq(insurer))
            .filter(member::Column::HouseholdId.is_in(households))
            .into_tuple::<(String, NaiveDate)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        for (id, _, month, amount) in chunk {
            let list: Vec<StoredMemberBenefit> = match members.get(id) {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| DbErr::Custom(format!("determination {id}: stored members: {e}")))?,
                None => Vec::new(),
            };
            out.push(CountedBenefit {
                service_month: month.clone(),
                amount: *amount,
                members: list
                    .iter()
                    .filter(|m| m.benefit > 0)
                    .filter_map(|m| births.get(&m.member_id).map(|b| (*b, m.benefit)))
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// The forms issued in `[from, to)` (instants) with their amounts.
pub async fn forms_issued(
    conn: &impl ConnectionTrait,
    insurer: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<CountedBenefit>, DbErr> {
    let rows = form::Entity::find()
        .select_only()
        .columns([
            form::Column::DeterminationId,
            form::Column::HouseholdId,
            form::Column::ServiceMonth,
            form::Column::Amount,
        ])
        .filter(form::Column::Insurer.eq(insurer))
        .filter(form::Column::CreatedAt.gte(from))
        .filter(form::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(conn)
        .await?;
    with_members(conn, insurer, rows).await
}

/// The payments made on an application (not failed) with a transfer date in `from..=to`.
pub async fn paid_on_application(
    conn: &impl ConnectionTrait,
    insurer: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CountedBenefit>, DbErr> {
    let rows = payment::Entity::find()
        .select_only()
        .columns([
            payment::Column::DeterminationId,
            payment::Column::HouseholdId,
            payment::Column::ServiceMonth,
            payment::Column::GrossAmount,
        ])
        .filter(payment::Column::Insurer.eq(insurer))
        .filter(payment::Column::ApplicationId.is_not_null())
        .filter(payment::Column::Status.ne(PAYMENT_FAILED))
        .filter(payment::Column::TransferDate.between(from, to))
        .into_tuple()
        .all(conn)
        .await?;
    with_members(conn, insurer, rows).await
}

/// A page of the run's sweep of other months: decided determinations of any month but `month`
/// whose right ends on or before `horizon` (lapsed, or near enough to be reminded), after
/// `after`, in id order.
pub async fn sweep_page(
    conn: &impl ConnectionTrait,
    insurer: &str,
    month: &str,
    horizon: NaiveDate,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<DeterminationHead>, DbErr> {
    let mut q = super::benefits::heads()
        .filter(det::Column::Insurer.eq(insurer))
        .filter(det::Column::Status.eq(DECIDED))
        .filter(det::Column::ServiceMonth.ne(month))
        .filter(det::Column::LapsesOn.lte(horizon));
    if let Some(a) = after {
        q = q.filter(det::Column::Id.gt(a));
    }
    q.order_by_asc(det::Column::Id)
        .limit(limit)
        .into_model()
        .all(conn)
        .await
}

/// What the sweep needs of a page: forms (with whether one was a reminder), the determinations a
/// live application answers, and the households' registrations.
pub async fn sweep_context(
    conn: &impl ConnectionTrait,
    insurer: &str,
    dets: &[DeterminationHead],
) -> Result<PageContext, DbErr> {
    let mut ctx = PageContext::default();
    let ids: Vec<&str> = dets.iter().map(|d| d.id.as_str()).collect();
    let mut households: Vec<&str> = dets.iter().map(|d| d.household_id.as_str()).collect();
    households.sort_unstable();
    households.dedup();
    for chunk in ids.chunks(500) {
        let forms: Vec<(String, bool)> = form::Entity::find()
            .select_only()
            .columns([form::Column::DeterminationId, form::Column::Reminder])
            .filter(form::Column::Insurer.eq(insurer))
            .filter(form::Column::DeterminationId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (d, reminder) in forms {
            *ctx.with_form.entry(d).or_default() |= reminder;
        }
        let applied: Vec<String> = link::Entity::find()
            .select_only()
            .column(link::Column::DeterminationId)
            .filter(link::Column::Insurer.eq(insurer))
            .filter(link::Column::Live.eq(true))
            .filter(link::Column::DeterminationId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        ctx.applied.extend(applied);
    }
    for chunk in households.chunks(500) {
        let regs = reg::Entity::find()
            .filter(reg::Column::Insurer.eq(insurer))
            .filter(reg::Column::HouseholdId.is_in(chunk.iter().copied()))
            .order_by_asc(reg::Column::Id)
            .all(conn)
            .await?;
        for r in regs {
            ctx.registrations
                .entry(r.household_id.clone())
                .or_default()
                .push(super::registrations::registration_of(r)?);
        }
    }
    Ok(ctx)
}
