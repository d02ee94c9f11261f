//! The wire types of payments: runs, payments, forms and the documents, with their mapping from
//! the domain records.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::disbursement::{self as rules};
pub use crate::domain::disbursement::{PaymentKind, PaymentStatus};
use crate::domain::household::Household;
use crate::domain::payment::{AccountFields, TransferFailure, mask_account};
use crate::domain::run::RunStatus;
use crate::domain::zengin::AccountType;
use crate::http::households::Address;
use crate::service::payments::documents::{self, HouseholdMonth};
use crate::service::payments::records::RunRecord;
use crate::service::payments::results::Outcome;

/// `running`, `completed`, `failed`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentRunStatus {
    Running,
    Completed,
    Failed,
}

/// Progress of a run: determinations looked at, of those decided when it started.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunProgress {
    pub done: i32,
    pub total: i32,
}

/// A payment run of one service month.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRun {
    pub id: String,
    pub service_month: String,
    /// 振込指定日.
    pub transfer_date: NaiveDate,
    pub status: PaymentRunStatus,
    pub progress: RunProgress,
    /// Payments made by this run.
    pub payment_count: i32,
    /// Their benefit, offsets included (yen).
    pub total_amount: i64,
    /// What of it went to unpaid NHI tax (充当).
    pub offset_total: i64,
    /// The pre-filled forms this run issued to households not registered (or paused, or
    /// cancelled) instead of a payment (also paged at `GET /v1/payment-runs/{id}/application-forms`).
    pub application_forms: Vec<ApplicationFormRecord>,
    /// How many forms.
    pub application_form_count: i32,
    /// Refund receivables assessed because a paid benefit was lowered.
    pub refunds: i32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A run's status and progress as the wire has them.
pub(super) struct RunView {
    pub status: PaymentRunStatus,
    pub progress: RunProgress,
}

pub(super) fn run_state(run: &crate::domain::disbursement::PaymentRun) -> RunView {
    RunView {
        status: match run.status {
            RunStatus::Running => PaymentRunStatus::Running,
            RunStatus::Completed => PaymentRunStatus::Completed,
            RunStatus::Failed => PaymentRunStatus::Failed,
        },
        progress: RunProgress {
            done: run.done,
            total: run.total,
        },
    }
}

pub(super) fn run_view(r: RunRecord) -> PaymentRun {
    let (run, forms) = (r.run, r.forms);
    let RunView { status, progress } = run_state(&run);
    PaymentRun {
        status,
        progress,
        id: run.id,
        service_month: run.service_month,
        transfer_date: run.transfer_date,
        payment_count: run.payment_count,
        total_amount: run.total_amount,
        offset_total: run.offset_total,
        application_forms: forms.into_iter().map(form_view).collect(),
        application_form_count: run.application_forms,
        refunds: run.refunds,
        error: run.error,
        created_at: run.created_at,
        finished_at: run.finished_at,
    }
}

/// An account as notices show it: the number masked but its last three digits.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaskedAccount {
    /// 金融機関コード, 4 digits.
    #[schema(pattern = r"^[0-9]{4}$")]
    pub bank_code: String,
    /// 支店コード, 3 digits.
    #[schema(pattern = r"^[0-9]{3}$")]
    pub branch_code: String,
    #[schema(value_type = AccountType)]
    pub account_type: String,
    pub account_number_masked: String,
    pub holder_kana: String,
}

/// One payment of a determination.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    /// The registration it was paid under (automatic payment); null when paid on an application.
    pub registration_id: Option<String>,
    /// The application (支給申請) it was paid on; null when paid automatically.
    pub application_id: Option<String>,
    pub service_month: String,
    pub kind: PaymentKind,
    /// The benefit this payment settles.
    pub gross_amount: i64,
    /// Applied to unpaid NHI tax (充当).
    pub offset_amount: i64,
    /// Transferred to the account.
    pub net_amount: i64,
    pub account: MaskedAccount,
    pub transfer_date: NaiveDate,
    pub status: PaymentStatus,
    pub failure_reason: Option<TransferFailure>,
    pub failed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

fn masked(a: &AccountFields) -> MaskedAccount {
    MaskedAccount {
        bank_code: a.bank_code.clone(),
        branch_code: a.branch_code.clone(),
        account_type: a.account_type.clone(),
        account_number_masked: mask_account(&a.account_number),
        holder_kana: a.holder_kana.clone(),
    }
}

pub(super) fn payment_view(p: rules::Payment) -> Payment {
    Payment {
        account: masked(&p.account),
        kind: p.kind,
        status: p.status,
        failure_reason: p.failure_reason,
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
        created_at: p.created_at,
    }
}

/// Why a household gets an application form instead of a payment: `not_registered`,
/// `registration_paused`, `registration_cancelled`, `not_covered_by_scheme` (registered, but the
/// insurer's scheme does not pay this month automatically). Mirrors the server's list of the
/// reasons a payment run gives.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormReason {
    NotRegistered,
    RegistrationPaused,
    RegistrationCancelled,
    NotCoveredByScheme,
}

/// A pre-filled application form issued by a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationFormRecord {
    pub id: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    pub service_month: String,
    /// The benefit the form offers (yen).
    pub amount: i64,
    /// `not_registered`, `registration_paused`, `registration_cancelled`, `not_covered_by_scheme`.
    #[schema(value_type = FormReason)]
    pub reason: String,
    /// A reminder (再勧奨) of a form still unanswered as its right nears lapse (R15).
    pub reminder: bool,
    pub created_at: DateTime<Utc>,
}

pub(super) fn form_view(f: rules::IssuedForm) -> ApplicationFormRecord {
    ApplicationFormRecord {
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

/// Which month to pay, and when the bank transfers.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PaymentRunRequest {
    /// `YYYY-MM`
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: String,
    /// 振込指定日: a weekday (public holidays are the insurer's to avoid).
    pub transfer_date: NaiveDate,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// One transfer the bank returned.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferFailureBody {
    #[schema(format = Uuid)]
    pub payment_id: String,
    pub reason: TransferFailure,
    /// Defaults to the run's transfer date.
    pub failed_on: Option<NaiveDate>,
}

/// The bank's results of a run's transfers: only the failures are reported.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransferResults {
    pub failures: Vec<TransferFailureBody>,
}

/// What recording the results changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferResultsOutcome {
    /// Payments newly marked failed.
    pub failed: usize,
    /// Payments that were already failed.
    pub unchanged: usize,
    /// Registrations paused by a failed transfer.
    pub paused_registrations: Vec<String>,
}

impl From<Outcome> for TransferResultsOutcome {
    fn from(o: Outcome) -> Self {
        Self {
            failed: o.failed,
            unchanged: o.unchanged,
            paused_registrations: o.paused_registrations,
        }
    }
}

/// A household as documents address it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Addressee {
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    pub address: Address,
}

fn addressee(h: &Household) -> Addressee {
    let d = &h.data;
    Addressee {
        household_id: h.id.clone(),
        household_number: d.household_number.clone(),
        head_name: d.head_name.clone(),
        address: Address {
            postal_code: d.postal_code.clone(),
            prefecture: d.prefecture.clone(),
            city: d.city.clone(),
            line: d.address_line.clone(),
        },
    }
}

/// What a patient paid one provider in the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderAmount {
    pub provider_code: String,
    pub provider_name: String,
    /// 総医療費.
    pub total_cost: i64,
    /// 一部負担金 paid.
    pub copayment: i64,
}

/// One patient of the household-month.
#[derive(Debug, Serialize, ToSchema)]
pub struct Patient {
    pub member_id: String,
    /// 記号・番号・枝番, e.g. `B-1234-00`.
    pub insured_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub providers: Vec<ProviderAmount>,
    /// This patient's part of the benefit.
    pub benefit: i64,
}

/// Which limit a calculation step applied; mirrors the codes of the server's `LimitKind` as a
/// step records them.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    UnitThreshold,
    Monthly,
    Multiple,
    Outpatient,
    SpecificDisease,
}

/// The limit the calculation ended on.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitApplied {
    /// 自己負担限度額 (yen).
    pub limit: i64,
    pub rule: String,
    #[schema(value_type = LimitKind)]
    pub limit_kind: String,
    pub source: String,
}

fn patient_view(p: rules::Patient) -> Patient {
    Patient {
        member_id: p.member_id,
        insured_number: p.insured_number,
        name: p.name,
        birth_date: p.birth_date,
        providers: p
            .providers
            .into_iter()
            .map(|x| ProviderAmount {
                provider_code: x.provider_code,
                provider_name: x.provider_name,
                total_cost: x.total_cost,
                copayment: x.copayment,
            })
            .collect(),
        benefit: p.benefit,
    }
}

fn limit_view(l: documents::LimitApplied) -> LimitApplied {
    LimitApplied {
        limit: l.limit,
        rule: l.rule,
        limit_kind: l.limit_kind,
        source: l.source,
    }
}

fn patients(m: &mut HouseholdMonth) -> Vec<Patient> {
    std::mem::take(&mut m.patients).into_iter().map(patient_view).collect()
}

/// What an offset (充当) rests on: `consent`, the only basis a payment run records (the server's
/// list).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OffsetBasis {
    Consent,
}

/// The offset of a payment, as the notice shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OffsetView {
    pub amount: i64,
    /// `consent`.
    #[schema(value_type = OffsetBasis)]
    pub basis: String,
    pub arrears_as_of: NaiveDate,
    pub arrears_before: i64,
}

/// 支給決定通知書: what was decided and paid, to whom, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentNotice {
    pub payment_id: String,
    pub determination_id: String,
    pub addressee: Addressee,
    pub service_month: String,
    /// The determination's benefit.
    pub total_benefit: i64,
    /// What this payment settles (the difference, for a supplementary payment).
    pub amount_paid: i64,
    pub kind: PaymentKind,
    pub patients: Vec<Patient>,
    pub total_cost: i64,
    pub total_copayment: i64,
    pub limit_applied: Option<LimitApplied>,
    pub offset: Option<OffsetView>,
    pub net_amount: i64,
    pub account: MaskedAccount,
    pub transfer_date: NaiveDate,
    pub status: PaymentStatus,
}

pub(super) fn notice_view(n: documents::Notice) -> PaymentNotice {
    let (p, d, mut m) = (n.payment, n.determination, n.month);
    PaymentNotice {
        payment_id: p.id,
        determination_id: d.id,
        addressee: addressee(&m.household),
        service_month: d.service_month,
        total_benefit: d.total_benefit,
        amount_paid: p.gross_amount,
        kind: p.kind,
        patients: patients(&mut m),
        total_cost: m.total_cost,
        total_copayment: m.total_copayment,
        limit_applied: m.limit.map(limit_view),
        offset: n.offset.map(|o| OffsetView {
            amount: o.amount,
            basis: o.basis,
            arrears_as_of: o.arrears_as_of,
            arrears_before: o.arrears_before,
        }),
        net_amount: p.net_amount,
        account: masked(&p.account),
        transfer_date: p.transfer_date,
        status: p.status,
    }
}

/// The pre-filled application (turnaround) form: what seed 004 lists for the 申請書.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationForm {
    pub determination_id: String,
    /// The form record, when a run issued it.
    pub form_id: Option<String>,
    /// Why the household gets a form (`not_registered`, `registration_paused`,
    /// `registration_cancelled`), when a run issued it.
    #[schema(value_type = Option<FormReason>)]
    pub reason: Option<String>,
    pub addressee: Addressee,
    /// 療養年月.
    pub service_month: String,
    pub patients: Vec<Patient>,
    /// 支給金額.
    pub benefit: i64,
    /// 費用額合計.
    pub total_cost: i64,
    /// 一部負担金合計.
    pub total_copayment: i64,
    /// 総自己負担限度額.
    pub total_limit: Option<i64>,
    /// The account of the household's latest registration, if any (masked).
    pub previous_account: Option<MaskedAccount>,
}

pub(super) fn form_document_view(f: documents::Form) -> ApplicationForm {
    let (d, mut m) = (f.determination, f.month);
    ApplicationForm {
        form_id: f.issued.as_ref().map(|x| x.id.clone()),
        reason: f.issued.map(|x| x.reason),
        addressee: addressee(&m.household),
        service_month: d.service_month,
        patients: patients(&mut m),
        benefit: d.total_benefit,
        total_cost: m.total_cost,
        total_copayment: m.total_copayment,
        total_limit: m.limit.map(|l| l.limit),
        previous_account: f.previous.map(|r| masked(&r.account)),
        determination_id: d.id,
    }
}
