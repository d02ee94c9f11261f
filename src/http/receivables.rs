//! `/v1/receivables`: receivables (債権) of the nine kinds, each with an immutable ledger
//! (assessment 調定, reduction 調定減, collection 収納, write-off 不納欠損) from which balance and
//! status derive, collection actions (催告 and the rest), the late charge (延滞金) and the
//! limitation clock (時効).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::calendar::FiscalYear;
use crate::domain::money::Yen;
use crate::domain::receivable::fiscal::{fiscal_class, fiscal_year_of_assessment};
use crate::domain::receivable::installment;
use crate::domain::receivable::late_charge::{PrincipalEvent, earliest_demand_deadline};
use crate::domain::receivable::ledger::{CollectionChannel, WriteOffReason, status_of};
use crate::domain::receivable::limitation::in_warning_window;
use crate::domain::receivable::payment_order::{declaration_objection_deadline, final_on, payment_order_deadlines};
use crate::domain::receivable::{
    ActionKind, ActionOutcome, DebtorKind, LateChargeTable, Ledger, LedgerEntry, ReceivableKind, RefundReason,
    late_charge,
};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ReceivablesRead, ReceivablesWrite};
use crate::service::receivables::records::{self, Records, in_legal, kind_of, plan_position_of};
use crate::service::receivables::worklist;
use crate::state::AppState;
use crate::store::entity::{
    installment_plan as plan, legal_action as legal, receivable as rec, receivable_action as action,
    receivable_entry as entry,
};
use crate::store::receivables::{self as store, Filter};
use crate::store::{members as member_store, new_id, now};

/// Who owes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Debtor {
    /// `person`, `employer`, `provider`, `third_party`, `insurer`.
    pub kind: String,
    pub name: String,
    /// The insured person, when the debtor is one of ours.
    pub member_id: Option<String>,
    /// A known phone number (the high-value rule calls before sending the slip).
    pub phone: Option<String>,
    /// A known (new) workplace: prior-year notices go there (就業先送付).
    pub workplace: Option<String>,
}

/// A new receivable (調定).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReceivable {
    /// `benefit_refund`, `employer_joint`, `provider_refund`, `employer_levy`, `late_charge`,
    /// `damages`, `overpayment_refund`, `high_cost_loan`, `childbirth_loan`.
    pub kind: String,
    /// For `overpayment_refund` only: `ineligible_visit`, `work_injury`,
    /// `disability_pension_adjustment`, `old_age_pension_adjustment`, `other`.
    pub reason: Option<String>,
    pub debtor: Debtor,
    /// 調定日.
    pub assessed_on: NaiveDate,
    /// 調定額, whole yen above zero.
    pub amount: i64,
    /// 納期限.
    pub due_on: NaiveDate,
    #[serde(default)]
    pub source_claim_ids: Vec<String>,
    pub note: Option<String>,
}

/// One ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entry {
    /// `assessment`, `reduction`, `collection`, `write_off`.
    pub kind: String,
    pub amount: i64,
    pub on: NaiveDate,
    /// A collection's channel.
    pub channel: Option<String>,
    /// A write-off's reason.
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// One collection (収納).
#[derive(Debug, Serialize, ToSchema)]
pub struct Collection {
    pub amount: i64,
    pub received_on: NaiveDate,
    pub channel: String,
}

/// One action taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct Action {
    pub id: String,
    pub kind: String,
    pub on: NaiveDate,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// When the claim becomes time-barred.
#[derive(Debug, Serialize, ToSchema)]
pub struct Limitation {
    /// The last day the claim is in time; null while court proceedings are pending.
    pub completes_on: Option<NaiveDate>,
    /// Years of the period now running.
    pub period_years: u32,
    /// Within 90 days of completion.
    pub warning: bool,
    /// The event that last renewed or suspended the clock (`partial_payment`, `acknowledgment`, ...).
    pub moved_by: Option<String>,
    pub moved_on: Option<NaiveDate>,
}

/// What the ledger adds up to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    /// 調定額 (all assessments).
    pub assessed: i64,
    /// 調定減.
    pub reduced: i64,
    /// 収納額.
    pub collected: i64,
    /// 不納欠損額.
    pub written_off: i64,
    /// Received above the balance (過誤納金), owed back.
    pub overpaid: i64,
}

/// One instalment.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstalmentView {
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: i64,
}

/// An installment plan (分割納付) and where it stands today.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentPlanView {
    pub id: String,
    /// 納付誓約: renews the limitation.
    pub pledged_on: NaiveDate,
    pub instalments: i32,
    pub first_due_on: NaiveDate,
    pub total: i64,
    pub schedule: Vec<InstalmentView>,
    /// `active`, `defaulted` (two instalments missed), `completed`, `cancelled`.
    pub status: String,
    pub paid: i64,
    pub missed: u32,
    pub arrears: i64,
    pub next_due_on: Option<NaiveDate>,
}

/// A payment order (支払督促) and its deadlines (receivables.md §7).
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalActionView {
    pub id: String,
    pub filed_on: NaiveDate,
    pub court: Option<String>,
    pub served_on: Option<NaiveDate>,
    /// Last day of the debtor's objection (督促異議), two weeks from service.
    pub objection_deadline: Option<NaiveDate>,
    /// From this day the 仮執行宣言 may be applied for ...
    pub may_apply_from: Option<NaiveDate>,
    /// ... and until this day, or the order lapses.
    pub application_deadline: Option<NaiveDate>,
    pub declaration_served_on: Option<NaiveDate>,
    /// Last day to object to the 仮執行宣言付支払督促.
    pub declaration_objection_deadline: Option<NaiveDate>,
    /// The day it becomes final if unopposed.
    pub final_on: Option<NaiveDate>,
    /// `objection`, `final`, `withdrawn`, `lapsed`, `settled`.
    pub outcome: Option<String>,
    pub outcome_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

fn legal_view(x: &legal::Model) -> LegalActionView {
    let d = x.served_on.map(payment_order_deadlines);
    LegalActionView {
        id: x.id.clone(),
        filed_on: x.filed_on,
        court: x.court.clone(),
        served_on: x.served_on,
        objection_deadline: d.map(|d| d.objection_deadline),
        may_apply_from: d.map(|d| d.may_apply_from),
        application_deadline: d.map(|d| d.application_deadline),
        declaration_served_on: x.declaration_served_on,
        declaration_objection_deadline: x.declaration_served_on.map(declaration_objection_deadline),
        final_on: x.declaration_served_on.map(final_on),
        outcome: x.outcome.clone(),
        outcome_on: x.outcome_on,
        note: x.note.clone(),
        version: x.version,
    }
}

fn plan_view(p: &plan::Model, ledger: &Ledger, on: NaiveDate) -> InstallmentPlanView {
    let (schedule, position) = plan_position_of(p, ledger, on);
    InstallmentPlanView {
        id: p.id.clone(),
        pledged_on: p.pledged_on,
        instalments: p.instalments,
        first_due_on: p.first_due_on,
        total: p.total,
        schedule: schedule
            .iter()
            .map(|i| InstalmentView {
                number: i.number,
                due_on: i.due_on,
                amount: i.amount.as_i64(),
            })
            .collect(),
        status: position.map_or("cancelled", |x| x.status.as_str()).to_string(),
        paid: position.map_or(0, |x| x.paid.as_i64()),
        missed: position.map_or(0, |x| x.missed),
        arrears: position.map_or(0, |x| x.arrears.as_i64()),
        next_due_on: position.and_then(|x| x.next).map(|i| i.due_on),
    }
}

/// A receivable with what its ledger derives.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receivable {
    pub id: String,
    pub kind: String,
    pub reason: Option<String>,
    pub debtor: Debtor,
    pub assessed_on: NaiveDate,
    /// The amount first assessed.
    pub amount: i64,
    pub due_on: NaiveDate,
    /// 年度 of the assessment (April-March, named by its first year).
    pub fiscal_year: i32,
    /// `current` (現年度) when assessed in the present fiscal year, else `prior` (過年度).
    pub fiscal_class: String,
    /// 収入未済額.
    pub balance: i64,
    /// `open`, `partially_collected`, `collected`, `in_legal`, `written_off`.
    pub status: String,
    /// The ledger's totals (single-receivable answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<Totals>,
    /// The limitation clock (single-receivable answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limitation: Option<Limitation>,
    pub source_claim_ids: Vec<String>,
    pub household_id: Option<String>,
    pub service_month: Option<String>,
    pub determination_id: Option<String>,
    pub note: Option<String>,
    /// In the single-receivable answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<Collection>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<Entry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_plans: Option<Vec<InstallmentPlanView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_actions: Option<Vec<LegalActionView>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::ReceivableNotFound)
}

fn limitation_of(kind: ReceivableKind, r: &rec::Model, l: &Records, today: NaiveDate) -> Limitation {
    let clock = l.limitation(kind, r);
    Limitation {
        completes_on: clock.completes_on,
        period_years: clock.period.years,
        warning: clock.completes_on.is_some_and(|c| in_warning_window(c, today)),
        moved_by: clock.moved_by.map(|m| m.kind.as_str().to_string()),
        moved_on: clock.moved_by.map(|m| m.on),
    }
}

fn view(r: rec::Model, l: Option<Records>, today: NaiveDate) -> Result<Receivable, ApiError> {
    let kind = kind_of(&r)?;
    let fy = fiscal_year_of_assessment(r.assessed_on);
    let class = fiscal_class(r.assessed_on, FiscalYear::of(today));
    let totals = l.as_ref().map(|l| {
        let p = l.ledger.position();
        Totals {
            assessed: p.assessed.as_i64(),
            reduced: p.reduced.as_i64(),
            collected: p.collected.as_i64(),
            written_off: p.written_off.as_i64(),
            overpaid: p.overpaid.as_i64(),
        }
    });
    let limitation = l.as_ref().map(|l| limitation_of(kind, &r, l, today));
    let installment_plans = l
        .as_ref()
        .map(|l| l.plans.iter().map(|p| plan_view(p, &l.ledger, today)).collect());
    let legal_actions = l.as_ref().map(|l| l.legal.iter().map(legal_view).collect());
    let (actions, collections, entries) = match l {
        Some(l) => (
            Some(
                l.actions
                    .into_iter()
                    .map(|a| Action {
                        id: a.id,
                        kind: a.kind,
                        on: a.action_on,
                        outcome: a.outcome,
                        note: a.note,
                        recorded_at: a.created_at,
                    })
                    .collect(),
            ),
            Some(
                l.entries
                    .iter()
                    .filter(|e| e.kind == store::COLLECTION)
                    .map(|e| Collection {
                        amount: e.amount,
                        received_on: e.entry_on,
                        channel: e.channel.clone().unwrap_or_default(),
                    })
                    .collect(),
            ),
            Some(
                l.entries
                    .into_iter()
                    .map(|e| Entry {
                        kind: e.kind,
                        amount: e.amount,
                        on: e.entry_on,
                        channel: e.channel,
                        reason: e.reason,
                        note: e.note,
                        recorded_at: e.created_at,
                    })
                    .collect(),
            ),
        ),
        None => (None, None, None),
    };
    Ok(Receivable {
        fiscal_year: fy.start_year(),
        fiscal_class: class.map_or("future", |c| c.as_str()).to_string(),
        balance: r.balance,
        status: r.status,
        totals,
        limitation,
        source_claim_ids: serde_json::from_str(&r.source_claim_ids).unwrap_or_default(),
        debtor: Debtor {
            kind: r.debtor_kind,
            name: r.debtor_name,
            member_id: r.debtor_member_id,
            phone: r.debtor_phone,
            workplace: r.debtor_workplace,
        },
        id: r.id,
        kind: r.kind,
        reason: r.reason,
        assessed_on: r.assessed_on,
        amount: r.amount,
        due_on: r.due_on,
        household_id: r.household_id,
        service_month: r.service_month,
        determination_id: r.determination_id,
        note: r.note,
        actions,
        collections,
        entries,
        installment_plans,
        legal_actions,
        version: r.version,
        created_at: r.created_at,
    })
}

async fn full_view(state: &AppState, r: rec::Model) -> Result<Receivable, ApiError> {
    let l = records::load(&state.db, &r).await?;
    view(r, Some(l), state.clock.today())
}

/// 201 with the receivable as it now stands, read again after a write.
async fn created(state: &AppState, insurer: &str, id: &str) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, insurer, id).await?.ok_or_else(not_found)?;
    let version = r.version;
    let body = full_view(state, r).await?;
    Ok(HttpResponse::Created()
        .insert_header(super::extract::etag(version))
        .json(body))
}

/// Assess a receivable (調定).
#[utoipa::path(
    tag = "receivables",
    request_body = NewReceivable,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    responses(
        (status = 201, description = "Assessed", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, reason or debtor kind; amount not above zero; due before assessment; unknown member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables")]
pub async fn create_receivable(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewReceivable>,
) -> Result<HttpResponse, ApiError> {
    let b = &body.value;
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };
    let kind = ReceivableKind::parse(&b.kind)
        .map_err(|e| err("kind", e.to_string()))
        .ok();
    let reason = match &b.reason {
        Some(r) => RefundReason::parse(r)
            .map(Some)
            .map_err(|e| err("reason", e.to_string()))
            .unwrap_or(None),
        None => None,
    };
    if let Some(k) = kind
        && let Err(e) = crate::domain::receivable::kind::check_reason(k, reason)
    {
        err("reason", e.to_string());
    }
    if DebtorKind::parse(&b.debtor.kind).is_err() {
        err(
            "debtor.kind",
            "must be one of person, employer, provider, third_party, insurer".into(),
        );
    }
    if b.debtor.name.trim().is_empty() || b.debtor.name.chars().count() > 200 {
        err("debtor.name", "must be 1 to 200 characters".into());
    }
    if b.amount <= 0 {
        err("amount", "must be a whole number of yen above zero".into());
    }
    if b.due_on < b.assessed_on {
        err("due_on", "must not be before assessed_on".into());
    }
    if let Some(m) = &b.debtor.member_id
        && member_store::get(&state.db, auth.insurer(), m).await?.is_none()
    {
        err("debtor.member_id", "no such member".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let model = rec::Model {
            id: new_id(),
            insurer: auth.insurer().to_string(),
            kind: b.kind.clone(),
            reason: b.reason.clone(),
            debtor_kind: b.debtor.kind.clone(),
            debtor_name: b.debtor.name.trim().to_string(),
            debtor_member_id: b.debtor.member_id.clone(),
            debtor_phone: b.debtor.phone.clone(),
            debtor_workplace: b.debtor.workplace.clone(),
            household_id: None,
            service_month: None,
            determination_id: None,
            assessed_on: b.assessed_on,
            amount: b.amount,
            due_on: b.due_on,
            source_claim_ids: serde_json::to_string(&b.source_claim_ids).unwrap_or_else(|_| "[]".into()),
            source_key: None,
            note: b.note.clone(),
            balance: b.amount,
            status: "open".into(),
            version: 1,
            created_at: now(),
        };
        let row = store::create(&state.db, &auth.actor(), model).await?;
        let version = row.version;
        Ok(Answer::created(full_view(&state, row).await?, version))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceivableQuery {
    pub kind: Option<String>,
    /// `open`, `partially_collected`, `collected`, `in_legal`, `written_off`.
    pub status: Option<String>,
    /// Assessed in this fiscal year (April-March).
    pub fiscal_year: Option<i32>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// List receivables.
#[utoipa::path(
    tag = "receivables",
    params(ReceivableQuery),
    responses(
        (status = 200, description = "A page of receivables", body = ListPage<Receivable>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind or status, bad fiscal year, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables")]
pub async fn list_receivables(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    q: web::Query<ReceivableQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    if let Some(k) = &q.kind {
        ReceivableKind::parse(k).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    }
    if let Some(s) = &q.status {
        crate::domain::receivable::ReceivableStatus::parse(s)
            .map_err(|e| ApiError::validation("status", e.to_string()))?;
    }
    let assessed = match q.fiscal_year {
        Some(y) => {
            let fy = FiscalYear::new(y).map_err(|e| ApiError::validation("fiscal_year", e.to_string()))?;
            Some((fy.first_day(), fy.last_day()))
        }
        None => None,
    };
    let filter = Filter {
        kind: q.kind.clone(),
        status: q.status.clone(),
        assessed,
    };
    let rows = store::list(&state.db, auth.insurer(), &filter, &page).await?;
    let next_cursor = rows.next_cursor.clone();
    let mut items = Vec::with_capacity(rows.items.len());
    for r in rows.items {
        items.push(view(r, None, state.clock.today())?);
    }
    Ok(HttpResponse::Ok().json(ListPage { items, next_cursor }))
}

/// Read a receivable with its ledger, actions and collections.
#[utoipa::path(
    tag = "receivables",
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 200, description = "The receivable", body = Receivable),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables/{id}")]
pub async fn get_receivable(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let version = r.version;
    Ok(with_etag(&full_view(&state, r).await?, version))
}

/// An action taken.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// `payment_slip`, `notice`, `second_notice`, `final_notice`, `phone`, `visit`,
    /// `workplace_notice`, `statutory_demand`, `payment_order_filed`, `acknowledgment`,
    /// `adjustment_offered`.
    pub kind: String,
    pub on: NaiveDate,
    /// `reached`, `no_answer`, `undelivered`, `promised`, `refused`.
    pub outcome: Option<String>,
    pub note: Option<String>,
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ReceivableChanged,
        detail: "the receivable changed while it was being written; read it again".into(),
    }
}

/// Record an action (催告, call, visit, 督促, 支払督促 filed, 承認, ...). A 督促 is for statutory
/// kinds only; a filed payment order puts the receivable `in_legal`.
#[utoipa::path(
    tag = "receivables",
    request_body = NewAction,
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 201, description = "Recorded; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Collected or written off: nothing to act on", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind or outcome, a date before the assessment, a 督促 on a civil claim", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/actions")]
pub async fn record_action(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<NewAction>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    let kind = ActionKind::parse(&b.kind).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    if let Some(o) = &b.outcome {
        ActionOutcome::parse(o).map_err(|e| ApiError::validation("outcome", e.to_string()))?;
    }
    if b.on < r.assessed_on {
        return Err(ApiError::validation("on", "must not be before the assessment"));
    }
    if kind == ActionKind::StatutoryDemand && !kind_of(&r)?.is_statutory() {
        return Err(ApiError::validation(
            "kind",
            "a statutory demand (督促) is for statutory kinds only; civil claims are dunned by notice",
        ));
    }
    if r.status == "collected" || r.status == "written_off" {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: format!("the receivable is {}", r.status),
        });
    }
    let l = records::load(&state.db, &r).await?;
    let legal = l.in_legal() || kind == ActionKind::PaymentOrderFiled;
    let status = status_of(l.ledger.position(), l.ledger.is_written_off(), legal);
    let a = action::Model {
        id: new_id(),
        insurer: auth.insurer().to_string(),
        receivable_id: r.id.clone(),
        kind: kind.as_str().to_string(),
        receivable_kind: r.kind.clone(),
        action_on: b.on,
        outcome: b.outcome.clone(),
        note: b.note.clone(),
        actor: auth.actor().sub,
        created_at: now(),
    };
    store::add_action(&state.db, &auth.actor(), &r, a, status.as_str()).await?;
    created(&state, auth.insurer(), &r.id).await
}

/// A collection received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    pub amount: i64,
    pub received_on: NaiveDate,
    /// `payment_slip`, `bank_transfer`, `cash`, `insurer_adjustment`, `offset`, `other`.
    pub channel: String,
}

/// Appends a ledger entry after checking it with the domain ledger; the answer is the receivable.
async fn append(
    state: &AppState,
    auth_actor: &crate::store::Actor,
    r: rec::Model,
    l: Records,
    new: LedgerEntry,
    e: entry::Model,
) -> Result<HttpResponse, ApiError> {
    let ledger = l.ledger.clone().with(new).map_err(|e| ApiError::Unprocessable {
        code: ErrorCode::LedgerRefused,
        detail: e.to_string(),
    })?;
    let status = status_of(ledger.position(), ledger.is_written_off(), l.in_legal());
    let row = store::append_entry(&state.db, auth_actor, &r, e, (l.ledger, ledger), status.as_str())
        .await?
        .ok_or_else(changed_meanwhile)?;
    let version = row.version;
    let body = full_view(state, row).await?;
    Ok(HttpResponse::Created()
        .insert_header(super::extract::etag(version))
        .json(body))
}

/// Record a collection (収納), partial or full, by any channel (`insurer_adjustment` included).
/// Never more than the balance.
#[utoipa::path(
    tag = "receivables",
    request_body = NewCollection,
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 201, description = "Recorded; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Amount not above zero or above the balance, unknown channel, dated before the last entry, written off", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/collections")]
pub async fn record_collection(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<NewCollection>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    let channel = CollectionChannel::parse(&b.channel).map_err(|e| ApiError::validation("channel", e.to_string()))?;
    if b.amount <= 0 {
        return Err(ApiError::validation(
            "amount",
            "must be a whole number of yen above zero",
        ));
    }
    let l = records::load(&state.db, &r).await?;
    let balance = l.ledger.position().balance.as_i64();
    if b.amount > balance {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::CollectionExceedsBalance,
            detail: format!("{} yen is more than the balance of {balance} yen", b.amount),
        });
    }
    let actor = auth.actor();
    let e = entry::Model {
        channel: Some(channel.as_str().to_string()),
        kind: store::COLLECTION.into(),
        ..store::assessment(&actor, &r.id, b.amount, b.received_on)
    };
    let new = LedgerEntry::Collection {
        on: b.received_on,
        amount: Yen::new(b.amount),
        channel,
    };
    append(&state, &actor, r, l, new, e).await
}

/// A write-off (不納欠損).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWriteOff {
    pub on: NaiveDate,
    /// `limitation`, `discharged`, `waived`, `uncollectible`, `other`.
    pub reason: String,
}

/// Write off the remaining balance (不納欠損).
#[utoipa::path(
    tag = "receivables",
    request_body = NewWriteOff,
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 201, description = "Written off; the receivable as it now stands", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reason, nothing left to write off, dated before the last entry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/write-off")]
pub async fn write_off(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<NewWriteOff>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    let reason = WriteOffReason::parse(&b.reason).map_err(|e| ApiError::validation("reason", e.to_string()))?;
    let l = records::load(&state.db, &r).await?;
    let actor = auth.actor();
    let amount = l.ledger.position().balance.as_i64();
    let e = entry::Model {
        reason: Some(reason.as_str().to_string()),
        kind: store::WRITE_OFF.into(),
        ..store::assessment(&actor, &r.id, amount, b.on)
    };
    append(&state, &actor, r, l, LedgerEntry::WriteOff { on: b.on, reason }, e).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The day of full payment the charge is computed for (default: today).
    pub as_of: Option<NaiveDate>,
}

/// One stretch of the computation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeSegment {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    /// The base, truncated to 1,000 yen.
    pub base: i64,
    /// Percent per year.
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64)]
    pub rate: Decimal,
    /// The segment's charge, truncated to the yen.
    pub amount: i64,
}

/// The late charge (延滞金, 健康保険法181条) of a receivable if paid in full on `as_of`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LateChargeView {
    pub receivable_id: String,
    pub as_of: NaiveDate,
    /// A multiple of 100 yen, or 0.
    pub amount: i64,
    pub segments: Vec<ChargeSegment>,
    /// Why nothing is charged: `not_applicable` (civil kinds; civil interest is off by default),
    /// `no_demand`, `demand_by_public_notice`, `settled_by_demand_deadline`,
    /// `principal_under_threshold`, `not_overdue`, `under_hundred_yen`.
    pub not_charged: Option<String>,
}

/// Compute the late charge (延滞金) as of a day: base truncated to 1,000 yen, result to 100 yen,
/// nothing under the thresholds, the special rates by calendar year.
#[utoipa::path(
    tag = "receivables",
    params(("id" = String, Path, description = "Receivable id"), AsOfQuery),
    responses(
        (status = 200, description = "The charge and how it was reached", body = LateChargeView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No rate is held for a year of the period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/receivables/{id}/late-charge")]
pub async fn get_late_charge(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let as_of = q.as_of.unwrap_or_else(|| state.clock.today());
    let l = records::load(&state.db, &r).await?;
    let mut events = PrincipalEvent::from_ledger(l.ledger.entries());
    for a in l
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::StatutoryDemand.as_str())
    {
        events.push(PrincipalEvent::Demanded {
            on: a.action_on,
            deadline: earliest_demand_deadline(a.action_on),
            by_public_notice: false,
        });
    }
    let charge = late_charge(kind_of(&r)?, &events, r.due_on, as_of, &LateChargeTable::kenpo_181()).map_err(|e| {
        ApiError::Unprocessable {
            code: ErrorCode::NoLateChargeRate,
            detail: e.to_string(),
        }
    })?;
    Ok(HttpResponse::Ok().json(LateChargeView {
        receivable_id: r.id,
        as_of,
        amount: charge.amount.as_i64(),
        segments: charge
            .segments
            .iter()
            .map(|s| ChargeSegment {
                from: s.from,
                to: s.to,
                days: s.days,
                base: s.base.as_i64(),
                rate: s.rate,
                amount: s.amount.as_i64(),
            })
            .collect(),
        not_charged: charge.not_charged.map(|n| {
            use crate::domain::receivable::late_charge::NoChargeReason as N;
            match n {
                N::NotApplicable => "not_applicable",
                N::NoDemand => "no_demand",
                N::DemandByPublicNotice => "demand_by_public_notice",
                N::SettledByDemandDeadline => "settled_by_demand_deadline",
                N::PrincipalUnderThreshold => "principal_under_threshold",
                N::NotOverdue => "not_overdue",
                N::UnderHundredYen => "under_hundred_yen",
            }
            .to_string()
        }),
    }))
}

/// Which month to examine.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetectionRequest {
    /// `YYYY-MM`
    pub service_month: String,
}

/// Detect care after loss of eligibility (資格喪失後受診) in a month's claims: one
/// `overpayment_refund` / `ineligible_visit` receivable per member and month for the insurer's
/// share (`total_cost - copayment`, plus a high-cost benefit already paid for those claims), the
/// household head as debtor. Running it again creates nothing new; a voided or corrected claim
/// reduces (調定減) or raises the receivable.
#[utoipa::path(
    tag = "receivables",
    request_body = DetectionRequest,
    responses(
        (status = 200, description = "What was assessed, raised, reduced or left", body = crate::service::detection::DetectionReport),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/detect-ineligible-visits")]
pub async fn detect_ineligible_visits(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    body: Body<DetectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = crate::domain::calendar::YearMonth::parse(&body.value.service_month)
        .map_err(|e| ApiError::validation("service_month", e.to_string()))?;
    let report =
        crate::service::detection::detect_ineligible_visits(&state.db, &auth.actor(), m, state.clock.today()).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// The day (default: today).
    pub on: Option<NaiveDate>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// One action the rules call due.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItem {
    pub receivable_id: String,
    pub kind: String,
    pub debtor_name: String,
    pub debtor_phone: Option<String>,
    /// Where a written notice goes when re-employment is known (就業先送付).
    pub debtor_workplace: Option<String>,
    pub balance: i64,
    pub assessed_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The action due: `phone`, `payment_slip`, `notice`, `statutory_demand`, `second_notice`,
    /// `final_notice`, `adjustment_offered`, `payment_order_filed`, `workplace_notice`,
    /// `acknowledgment`.
    pub action: String,
    /// The rule that made it due (`high_value_call`, `payment_slip`, `first_written_dunning`,
    /// `second_notice`, `phone_follow_up`, `final_notice`, `adjustment_leaflet`, `legal_action`,
    /// `prior_year_rotation`, `limitation_warning`).
    pub rule: String,
    /// Why, in words.
    pub reason: String,
}

/// The day's worklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct Worklist {
    pub on: NaiveDate,
    pub items: Vec<WorkItem>,
    /// Continue after this cursor for the rest of the day's items.
    pub next_cursor: Option<String>,
}

/// The actions the dunning rules call due on a day, each with its rule: the call before the slip
/// for 100,000 yen or more with a known phone, written dunning after the due date, the second and
/// final notices, legal action (支払督促) within 6 months of assessment for debtors who have not
/// responded, prior-year receivables in 3 groups one group a month (to the workplace when known),
/// and limitation 90 days ahead. Paged by receivable: a page holds the items of whole receivables.
#[utoipa::path(
    tag = "receivables",
    params(WorklistQuery),
    responses(
        (status = 200, description = "The items due", body = Worklist),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad date, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:read"]))
)]
#[get("/dunning/worklist")]
pub async fn dunning_worklist(
    auth: Auth<ReceivablesRead>,
    state: web::Data<AppState>,
    q: web::Query<WorklistQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let on = q.on.unwrap_or_else(|| state.clock.today());
    let w = worklist::worklist(&state.db, auth.insurer(), on, &page).await?;
    Ok(HttpResponse::Ok().json(Worklist {
        on: w.on,
        items: w.items.into_iter().map(work_item).collect(),
        next_cursor: w.next_cursor,
    }))
}

fn work_item(x: worklist::DueItem) -> WorkItem {
    let r = x.receivable;
    WorkItem {
        receivable_id: r.id,
        kind: r.kind,
        debtor_name: r.debtor_name,
        debtor_phone: r.debtor_phone,
        debtor_workplace: r.debtor_workplace,
        balance: r.balance,
        assessed_on: r.assessed_on,
        due_on: r.due_on,
        action: x.due.kind.as_str().to_string(),
        rule: x.due.rule_id.to_string(),
        reason: x.due.reason,
    }
}

/// A pledge to pay in instalments (納付誓約).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstallmentPlan {
    pub pledged_on: NaiveDate,
    /// Monthly instalments (1 to 120) dividing the balance; the last takes the remainder.
    pub instalments: i32,
    pub first_due_on: NaiveDate,
}

/// Agree an installment plan over the balance (分割納付). The pledge renews the limitation; while
/// the plan is kept the worklist leaves the receivable alone; two missed instalments default it.
#[utoipa::path(
    tag = "receivables",
    request_body = NewInstallmentPlan,
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 201, description = "The receivable with its plans", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to divide, or a plan is still active", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Instalments out of range, dates out of order", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/installment-plans")]
pub async fn create_installment_plan(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<NewInstallmentPlan>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    if !(1..=120).contains(&b.instalments) {
        return Err(ApiError::validation("instalments", "must be 1 to 120"));
    }
    if b.pledged_on < r.assessed_on {
        return Err(ApiError::validation("pledged_on", "must not be before the assessment"));
    }
    if b.first_due_on < b.pledged_on {
        return Err(ApiError::validation("first_due_on", "must not be before pledged_on"));
    }
    let l = records::load(&state.db, &r).await?;
    let balance = l.ledger.position().balance.as_i64();
    if balance <= 0 || r.status == "written_off" {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: "nothing is left to divide".into(),
        });
    }
    let today = state.clock.today();
    if l.plans.iter().any(|p| {
        plan_position_of(p, &l.ledger, today)
            .1
            .is_some_and(|x| x.status == installment::InstallmentStatus::Active)
    }) {
        return Err(ApiError::Conflict {
            code: ErrorCode::InstallmentPlanActive,
            detail: "a plan is still active".into(),
        });
    }
    installment::schedule(Yen::new(balance), b.instalments as u32, b.first_due_on)
        .map_err(|e| ApiError::validation("instalments", e.to_string()))?;
    let actor = auth.actor();
    let p = plan::Model {
        id: new_id(),
        insurer: actor.insurer.clone(),
        receivable_id: r.id.clone(),
        pledged_on: b.pledged_on,
        instalments: b.instalments,
        first_due_on: b.first_due_on,
        total: balance,
        cancelled_on: None,
        actor: actor.sub.clone(),
        created_at: now(),
    };
    store::add_plan(&state.db, &actor, p).await?;
    created(&state, auth.insurer(), &r.id).await
}

/// A payment order filed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLegalAction {
    pub filed_on: NaiveDate,
    /// The summary court (簡易裁判所).
    pub court: Option<String>,
    pub note: Option<String>,
}

/// File a payment order (支払督促): the receivable becomes `in_legal` and the limitation is
/// suspended while it is pending.
#[utoipa::path(
    tag = "receivables",
    request_body = NewLegalAction,
    params(("id" = String, Path, description = "Receivable id")),
    responses(
        (status = 201, description = "The receivable with its legal actions", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Collected or written off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Filed before the assessment", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/legal-actions")]
pub async fn file_legal_action(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<NewLegalAction>,
) -> Result<HttpResponse, ApiError> {
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let b = &body.value;
    if b.filed_on < r.assessed_on {
        return Err(ApiError::validation("filed_on", "must not be before the assessment"));
    }
    if r.status == "collected" || r.status == "written_off" {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReceivableClosed,
            detail: format!("the receivable is {}", r.status),
        });
    }
    let x = legal::Model {
        id: new_id(),
        insurer: auth.insurer().to_string(),
        receivable_id: r.id.clone(),
        filed_on: b.filed_on,
        court: b.court.clone(),
        served_on: None,
        declaration_served_on: None,
        outcome: None,
        outcome_on: None,
        note: b.note.clone(),
        version: 1,
        created_at: now(),
    };
    store::file_legal_action(&state.db, &auth.actor(), &r, x).await?;
    created(&state, auth.insurer(), &r.id).await
}

/// What happened to a payment order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalEvent {
    /// `served` (the 支払督促 reached the debtor), `declaration_served` (the 仮執行宣言付支払督促
    /// did), `objection` (督促異議: the case becomes a lawsuit), `final` (confirmed: limitation 10
    /// years), `withdrawn`, `lapsed` (no 仮執行宣言 applied for in time), `settled`.
    pub kind: String,
    pub on: NaiveDate,
}

/// Record the progress of a payment order.
#[utoipa::path(
    tag = "receivables",
    request_body = LegalEvent,
    params(
        ("id" = String, Path, description = "Receivable id"),
        ("legal_id" = String, Path, description = "Legal action id"),
    ),
    responses(
        (status = 200, description = "The receivable with its legal actions", body = Receivable),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope receivables:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receivable or legal action for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already concluded, or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, a date before the filing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["receivables:write"]))
)]
#[post("/receivables/{id}/legal-actions/{legal_id}/events")]
pub async fn record_legal_event(
    auth: Auth<ReceivablesWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<LegalEvent>,
) -> Result<HttpResponse, ApiError> {
    let (id, legal_id) = path.into_inner();
    let r = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let l = records::load(&state.db, &r).await?;
    let current = l
        .legal
        .iter()
        .find(|x| x.id == legal_id)
        .cloned()
        .ok_or(ApiError::NotFound(ErrorCode::LegalActionNotFound))?;
    let b = &body.value;
    if b.on < current.filed_on {
        return Err(ApiError::validation("on", "must not be before the filing"));
    }
    if current.outcome.as_deref().is_some_and(|o| o != "objection") {
        return Err(ApiError::Conflict {
            code: ErrorCode::LegalActionConcluded,
            detail: format!("the payment order is {}", current.outcome.clone().unwrap_or_default()),
        });
    }
    let mut next = current.clone();
    match b.kind.as_str() {
        "served" => next.served_on = Some(b.on),
        "declaration_served" => next.declaration_served_on = Some(b.on),
        "objection" | "final" | "withdrawn" | "lapsed" | "settled" => {
            next.outcome = Some(b.kind.clone());
            next.outcome_on = Some(b.on);
        }
        _ => {
            return Err(ApiError::validation(
                "kind",
                "must be one of served, declaration_served, objection, final, withdrawn, lapsed, settled",
            ));
        }
    }
    let legal_after: Vec<legal::Model> = l
        .legal
        .iter()
        .map(|x| if x.id == next.id { next.clone() } else { x.clone() })
        .collect();
    let status = status_of(
        l.ledger.position(),
        l.ledger.is_written_off(),
        in_legal(&l.actions, &legal_after),
    );
    if !store::update_legal_action(&state.db, &auth.actor(), &current, next, &r, status.as_str()).await? {
        return Err(changed_meanwhile());
    }
    let r = store::get(&state.db, auth.insurer(), &r.id)
        .await?
        .ok_or_else(not_found)?;
    let version = r.version;
    Ok(with_etag(&full_view(&state, r).await?, version))
}
