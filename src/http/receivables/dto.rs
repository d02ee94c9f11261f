//! The wire types of receivables, and the view of a receivable with what its records derive.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::domain::receivable::installment::InstallmentStatus;
use crate::domain::receivable::kind::check_reason;
use crate::domain::receivable::ledger::{CollectionChannel, WriteOffReason};
use crate::domain::receivable::{
    ActionKind, ActionOutcome, DebtorKind, LimitationEventKind, ReceivableKind, ReceivableStatus, RefundReason,
};
use utoipa::{IntoParams, ToSchema};

use crate::domain::calendar::FiscalYear;
use crate::domain::receivable::Ledger;
use crate::domain::receivable::fiscal::{fiscal_class, fiscal_year_of_assessment};
use crate::domain::receivable::late_charge::{LateCharge, NoChargeReason};
use crate::domain::receivable::limitation::in_warning_window;
use crate::domain::receivable::payment_order::{declaration_objection_deadline, final_on, payment_order_deadlines};
use crate::domain::receivable::record::{self as record, LegalAction, Plan};
use crate::service::receivables::cases::Full;
use crate::service::receivables::records::{Records, plan_position_of};
use crate::service::receivables::worklist;

/// Who owes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Debtor {
    /// `person`, `employer`, `provider`, `third_party`, `insurer`.
    #[validate(custom(
        function = "debtor_kind",
        message = "must be one of person, employer, provider, third_party, insurer"
    ))]
    #[schema(value_type = DebtorKind)]
    pub kind: String,
    /// 1 to 200 characters, not all spaces.
    #[validate(custom(
        function = "crate::http::extract::name_of_200",
        message = "must be 1 to 200 characters"
    ))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub name: String,
    /// The insured person, when the debtor is one of ours.
    #[schema(format = Uuid)]
    pub member_id: Option<String>,
    /// A known phone number (the high-value rule calls before sending the slip).
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub phone: Option<String>,
    /// A known (new) workplace: prior-year notices go there (就業先送付).
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub workplace: Option<String>,
}

/// A new receivable (調定).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
// Two checks of fields together, each with its own field; the lint reads their shared option as
// a repeated attribute.
#[allow(clippy::duplicated_attributes)]
#[validate(schema(function = "reason_fits_kind", skip_on_field_errors = false))]
#[validate(schema(function = "due_after_assessment", skip_on_field_errors = false))]
pub struct NewReceivable {
    /// `benefit_refund`, `employer_joint`, `provider_refund`, `employer_levy`, `late_charge`,
    /// `damages`, `overpayment_refund`, `high_cost_loan`, `childbirth_loan`.
    #[validate(custom(function = "receivable_kind"))]
    #[schema(value_type = ReceivableKind)]
    pub kind: String,
    /// For `overpayment_refund` only: `ineligible_visit`, `work_injury`,
    /// `disability_pension_adjustment`, `old_age_pension_adjustment`, `other`.
    #[validate(custom(function = "refund_reason"))]
    #[schema(value_type = Option<RefundReason>)]
    pub reason: Option<String>,
    #[validate(nested)]
    pub debtor: Debtor,
    /// 調定日.
    pub assessed_on: NaiveDate,
    /// 調定額, whole yen above zero.
    #[validate(range(min = 1, message = "must be a whole number of yen above zero"))]
    #[schema(minimum = 1)]
    pub amount: i64,
    /// 納期限.
    pub due_on: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub source_claim_ids: Vec<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

fn with_message(code: &'static str, e: impl std::fmt::Display) -> ValidationError {
    ValidationError::new(code).with_message(e.to_string().into())
}

fn receivable_kind(s: &str) -> Result<(), ValidationError> {
    ReceivableKind::parse(s)
        .map(|_| ())
        .map_err(|e| with_message("kind", e))
}

fn refund_reason(s: &str) -> Result<(), ValidationError> {
    RefundReason::parse(s)
        .map(|_| ())
        .map_err(|e| with_message("reason", e))
}

fn debtor_kind(s: &str) -> Result<(), ValidationError> {
    DebtorKind::parse(s)
        .map(|_| ())
        .map_err(|_| ValidationError::new("debtor_kind"))
}

/// A reason fits its kind (§1: `overpayment_refund` needs one, the other kinds take none). A
/// fault of fields together names its field in the error's code.
fn reason_fits_kind(b: &NewReceivable) -> Result<(), ValidationError> {
    let Ok(kind) = ReceivableKind::parse(&b.kind) else {
        return Ok(());
    };
    match b.reason.as_deref().map(RefundReason::parse) {
        Some(Err(_)) => Ok(()),
        reason => check_reason(kind, reason.and_then(Result::ok)).map_err(|e| with_message("reason", e)),
    }
}

/// A receivable is not due before it is assessed.
fn due_after_assessment(b: &NewReceivable) -> Result<(), ValidationError> {
    if b.due_on < b.assessed_on {
        return Err(with_message("due_on", "must not be before assessed_on"));
    }
    Ok(())
}

/// The kind of a ledger entry: `assessment` (調定), `reduction` (調定減), `collection` (収納) or
/// `write_off` (不納欠損); mirrors the server's list of the kinds the ledger records
/// (`record::ASSESSMENT`, `REDUCTION`, `COLLECTION`, `WRITE_OFF`).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Assessment,
    Reduction,
    Collection,
    WriteOff,
}

/// One ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entry {
    /// `assessment`, `reduction`, `collection`, `write_off`.
    #[schema(value_type = EntryKind)]
    pub kind: String,
    pub amount: i64,
    pub on: NaiveDate,
    /// A collection's channel.
    #[schema(value_type = Option<CollectionChannel>)]
    pub channel: Option<String>,
    /// A write-off's reason.
    #[schema(value_type = Option<WriteOffReason>)]
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// One collection (収納).
#[derive(Debug, Serialize, ToSchema)]
pub struct Collection {
    pub amount: i64,
    pub received_on: NaiveDate,
    #[schema(value_type = CollectionChannel)]
    pub channel: String,
}

/// One action taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct Action {
    pub id: String,
    #[schema(value_type = ActionKind)]
    pub kind: String,
    pub on: NaiveDate,
    #[schema(value_type = Option<ActionOutcome>)]
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
    #[schema(value_type = Option<LimitationEventKind>)]
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
    #[schema(value_type = InstallmentStatus)]
    pub status: String,
    pub paid: i64,
    pub missed: u32,
    pub arrears: i64,
    pub next_due_on: Option<NaiveDate>,
}

/// How a payment order ended: `objection` (督促異議), `final`, `withdrawn`, `lapsed`, `settled`.
/// Mirrors the server's list of the outcomes a legal event records.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalOutcome {
    Objection,
    Final,
    Withdrawn,
    Lapsed,
    Settled,
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
    #[schema(value_type = Option<LegalOutcome>)]
    pub outcome: Option<String>,
    pub outcome_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

fn legal_view(x: &LegalAction) -> LegalActionView {
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

fn plan_view(p: &Plan, ledger: &Ledger, on: NaiveDate) -> InstallmentPlanView {
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

/// Where a receivable's fiscal year stands against today's: `current` (現年度), `prior` (過年度),
/// or `future` when assessed in a fiscal year still to come. Mirrors the server's `FiscalClass`
/// and the `future` the view answers when there is none.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceivableFiscalClass {
    Current,
    Prior,
    Future,
}

/// A receivable with what its ledger derives.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receivable {
    pub id: String,
    #[schema(value_type = ReceivableKind)]
    pub kind: String,
    #[schema(value_type = Option<RefundReason>)]
    pub reason: Option<String>,
    pub debtor: Debtor,
    pub assessed_on: NaiveDate,
    /// The amount first assessed.
    pub amount: i64,
    pub due_on: NaiveDate,
    /// 年度 of the assessment (April-March, named by its first year).
    pub fiscal_year: i32,
    /// `current` (現年度) when assessed in the present fiscal year, `prior` (過年度) when in an
    /// earlier one, `future` when in a later one.
    #[schema(value_type = ReceivableFiscalClass)]
    pub fiscal_class: String,
    /// 収入未済額.
    pub balance: i64,
    /// `open`, `partially_collected`, `collected`, `in_legal`, `written_off`.
    #[schema(value_type = ReceivableStatus)]
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

fn limitation_of(r: &record::Receivable, l: &Records, today: NaiveDate) -> Limitation {
    let clock = l.limitation(r);
    Limitation {
        completes_on: clock.completes_on,
        period_years: clock.period.years,
        warning: clock.completes_on.is_some_and(|c| in_warning_window(c, today)),
        moved_by: clock.moved_by.map(|m| m.kind.as_str().to_string()),
        moved_on: clock.moved_by.map(|m| m.on),
    }
}

/// The wire view of a receivable; with its records (single-receivable answers), also its totals,
/// limitation clock, actions, collections, entries, plans and payment orders.
pub(super) fn view(r: record::Receivable, l: Option<Records>, today: NaiveDate) -> Receivable {
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
    let limitation = l.as_ref().map(|l| limitation_of(&r, l, today));
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
                        kind: a.kind.as_str().to_string(),
                        on: a.on,
                        outcome: a.outcome.map(|o| o.as_str().to_string()),
                        note: a.note,
                        recorded_at: a.recorded_at,
                    })
                    .collect(),
            ),
            Some(
                l.entries
                    .iter()
                    .filter(|e| e.kind == record::COLLECTION)
                    .map(|e| Collection {
                        amount: e.amount,
                        received_on: e.on,
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
                        on: e.on,
                        channel: e.channel,
                        reason: e.reason,
                        note: e.note,
                        recorded_at: e.recorded_at,
                    })
                    .collect(),
            ),
        ),
        None => (None, None, None),
    };
    Receivable {
        fiscal_year: fy.start_year(),
        fiscal_class: class.map_or("future", |c| c.as_str()).to_string(),
        balance: r.balance,
        status: r.status.as_str().to_string(),
        totals,
        limitation,
        source_claim_ids: r.source_claim_ids,
        debtor: Debtor {
            kind: r.debtor.kind.as_str().to_string(),
            name: r.debtor.name,
            member_id: r.debtor.member_id,
            phone: r.debtor.phone,
            workplace: r.debtor.workplace,
        },
        id: r.id,
        kind: r.kind.as_str().to_string(),
        reason: r.reason.map(|x| x.as_str().to_string()),
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
    }
}

/// The view of a receivable with its records.
pub(super) fn full_view(f: Full, today: NaiveDate) -> Receivable {
    view(f.receivable, Some(f.records), today)
}

/// 201 with the receivable as a write left it, and its version.
pub(super) fn created(f: Full, today: NaiveDate) -> crate::http::idempotency::Answer<Receivable> {
    let version = f.receivable.version;
    crate::http::idempotency::Answer::created(full_view(f, today), version)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceivableQuery {
    #[param(value_type = Option<ReceivableKind>)]
    pub kind: Option<String>,
    /// `open`, `partially_collected`, `collected`, `in_legal`, `written_off`.
    #[param(value_type = Option<ReceivableStatus>)]
    pub status: Option<String>,
    /// Assessed in this fiscal year (April-March, named by its first year; 1900 to 9998).
    #[param(minimum = 1900, maximum = 9998)]
    pub fiscal_year: Option<i32>,
    /// Receivables of this household.
    #[param(format = Uuid)]
    pub household_id: Option<String>,
    /// Receivables whose debtor is this insured person.
    #[param(format = Uuid)]
    pub member_id: Option<String>,
    /// The debtor's name contains this text (as written: no case or kana folding).
    #[param(min_length = 1, max_length = 200)]
    pub debtor_name: Option<String>,
    /// Assessed (調定日) on or after this day.
    pub assessed_from: Option<NaiveDate>,
    /// Assessed on or before this day.
    pub assessed_to: Option<NaiveDate>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// An action taken.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// `payment_slip`, `notice`, `second_notice`, `final_notice`, `phone`, `visit`,
    /// `workplace_notice`, `statutory_demand`, `payment_order_filed`, `acknowledgment`,
    /// `adjustment_offered`.
    #[schema(value_type = ActionKind)]
    pub kind: String,
    pub on: NaiveDate,
    /// `reached`, `no_answer`, `undelivered`, `promised`, `refused`.
    #[schema(value_type = Option<ActionOutcome>)]
    pub outcome: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

/// A collection received.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    #[validate(range(min = 1, message = "must be a whole number of yen above zero"))]
    #[schema(minimum = 1)]
    pub amount: i64,
    pub received_on: NaiveDate,
    /// `payment_slip`, `bank_transfer`, `cash`, `insurer_adjustment`, `offset`, `other`.
    #[schema(value_type = CollectionChannel)]
    pub channel: String,
}

/// A write-off (不納欠損).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewWriteOff {
    pub on: NaiveDate,
    /// `limitation`, `discharged`, `waived`, `uncollectible`, `other`.
    #[schema(value_type = WriteOffReason)]
    pub reason: String,
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

/// Why no late charge is due; mirrors the server's `NoChargeReason` as the late-charge view
/// names it.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotChargedReason {
    NotApplicable,
    NoDemand,
    DemandByPublicNotice,
    SettledByDemandDeadline,
    PrincipalUnderThreshold,
    NotOverdue,
    UnderHundredYen,
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
    #[schema(value_type = Option<NotChargedReason>)]
    pub not_charged: Option<String>,
}

pub(super) fn late_charge_view(receivable_id: String, as_of: NaiveDate, charge: LateCharge) -> LateChargeView {
    LateChargeView {
        receivable_id,
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
            match n {
                NoChargeReason::NotApplicable => "not_applicable",
                NoChargeReason::NoDemand => "no_demand",
                NoChargeReason::DemandByPublicNotice => "demand_by_public_notice",
                NoChargeReason::SettledByDemandDeadline => "settled_by_demand_deadline",
                NoChargeReason::PrincipalUnderThreshold => "principal_under_threshold",
                NoChargeReason::NotOverdue => "not_overdue",
                NoChargeReason::UnderHundredYen => "under_hundred_yen",
            }
            .to_string()
        }),
    }
}

/// Which month to examine.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DetectionRequest {
    /// `YYYY-MM`
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// The day (default: today).
    pub on: Option<NaiveDate>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The id of a dunning rule; mirrors the server's list of rules (`dunning_rules::RULES`).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DunningRuleId {
    HighValueCall,
    PaymentSlip,
    FirstWrittenDunning,
    SecondNotice,
    PhoneFollowUp,
    FinalNotice,
    AdjustmentLeaflet,
    LegalAction,
    PriorYearRotation,
    LimitationWarning,
}

/// One action the rules call due.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItem {
    pub receivable_id: String,
    #[schema(value_type = ReceivableKind)]
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
    #[schema(value_type = ActionKind)]
    pub action: String,
    /// The rule that made it due (`high_value_call`, `payment_slip`, `first_written_dunning`,
    /// `second_notice`, `phone_follow_up`, `final_notice`, `adjustment_leaflet`, `legal_action`,
    /// `prior_year_rotation`, `limitation_warning`).
    #[schema(value_type = DunningRuleId)]
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

pub(super) fn work_item(x: worklist::DueItem) -> WorkItem {
    let r = x.receivable;
    WorkItem {
        receivable_id: r.id,
        kind: r.kind.as_str().to_string(),
        debtor_name: r.debtor.name,
        debtor_phone: r.debtor.phone,
        debtor_workplace: r.debtor.workplace,
        balance: r.balance,
        assessed_on: r.assessed_on,
        due_on: r.due_on,
        action: x.due.kind.as_str().to_string(),
        rule: x.due.rule_id.to_string(),
        reason: x.due.reason,
    }
}

/// A pledge to pay in instalments (納付誓約).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewInstallmentPlan {
    pub pledged_on: NaiveDate,
    /// Monthly instalments (1 to 120) dividing the balance; the last takes the remainder.
    #[validate(range(min = 1, max = 120, message = "must be 1 to 120"))]
    #[schema(minimum = 1, maximum = 120)]
    pub instalments: i32,
    pub first_due_on: NaiveDate,
}

/// A payment order filed.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewLegalAction {
    pub filed_on: NaiveDate,
    /// The summary court (簡易裁判所).
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub court: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub note: Option<String>,
}

/// A step of a payment order: `served`, `declaration_served`, or an outcome (`objection`,
/// `final`, `withdrawn`, `lapsed`, `settled`). Mirrors the server's list of the kinds a legal
/// event is read as.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalEventKind {
    Served,
    DeclarationServed,
    Objection,
    Final,
    Withdrawn,
    Lapsed,
    Settled,
}

/// What happened to a payment order.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LegalEvent {
    /// `served` (the 支払督促 reached the debtor), `declaration_served` (the 仮執行宣言付支払督促
    /// did), `objection` (督促異議: the case becomes a lawsuit), `final` (confirmed: limitation 10
    /// years), `withdrawn`, `lapsed` (no 仮執行宣言 applied for in time), `settled`.
    #[schema(value_type = LegalEventKind)]
    pub kind: String,
    pub on: NaiveDate,
}
