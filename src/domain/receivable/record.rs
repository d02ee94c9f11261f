//! Stored receivables (債権) and what is recorded against them: ledger entries, actions taken
//! (催告 and the rest), installment plans (分割納付) and payment orders (支払督促). The rules in the
//! sibling modules read these; the store keeps them.

use chrono::{DateTime, NaiveDate, Utc};

use super::ledger::ReceivableStatus;
use super::{ActionKind, ActionOutcome, DebtorKind, ReceivableKind, RefundReason};

/// Who owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debtor {
    pub kind: DebtorKind,
    pub name: String,
    pub member_id: Option<String>,
    pub phone: Option<String>,
    pub workplace: Option<String>,
}

/// A receivable as stored: what was assessed (調定), and the balance and status its ledger derives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receivable {
    pub id: String,
    pub kind: ReceivableKind,
    pub reason: Option<RefundReason>,
    pub debtor: Debtor,
    pub household_id: Option<String>,
    pub service_month: Option<String>,
    pub determination_id: Option<String>,
    pub assessed_on: NaiveDate,
    /// The amount first assessed.
    pub amount: i64,
    pub due_on: NaiveDate,
    pub source_claim_ids: Vec<String>,
    /// What made it (for receivables the system assesses by itself), so that it is made once.
    pub source_key: Option<String>,
    pub note: Option<String>,
    /// 収入未済額, as the ledger derives it.
    pub balance: i64,
    pub status: ReceivableStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl Receivable {
    /// Collected or written off: nothing more is recorded against it.
    pub fn is_closed(&self) -> bool {
        matches!(self.status, ReceivableStatus::Collected | ReceivableStatus::WrittenOff)
    }
}

/// The kinds of recorded entries.
pub const ASSESSMENT: &str = "assessment";
pub const REDUCTION: &str = "reduction";
pub const COLLECTION: &str = "collection";
pub const WRITE_OFF: &str = "write_off";

/// A ledger entry as recorded: `assessment` (調定), `reduction` (調定減), `collection` (収納) or
/// `write_off` (不納欠損).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub kind: String,
    pub amount: i64,
    pub on: NaiveDate,
    pub channel: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// An entry to record; the store stamps it with its id, actor and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: &'static str,
    pub amount: i64,
    pub on: NaiveDate,
    pub channel: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub note: Option<String>,
}

/// An action taken on a receivable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: String,
    pub kind: ActionKind,
    pub on: NaiveDate,
    pub outcome: Option<ActionOutcome>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// An installment plan (分割納付誓約) of a receivable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub pledged_on: NaiveDate,
    pub instalments: i32,
    pub first_due_on: NaiveDate,
    pub total: i64,
    pub cancelled_on: Option<NaiveDate>,
}

/// A payment order (支払督促) and how far it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalAction {
    pub id: String,
    pub filed_on: NaiveDate,
    pub court: Option<String>,
    pub served_on: Option<NaiveDate>,
    pub declaration_served_on: Option<NaiveDate>,
    /// `objection`, `final`, `withdrawn`, `lapsed` or `settled`.
    pub outcome: Option<String>,
    pub outcome_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

impl Action {
    /// The action as the dunning rules see it.
    pub fn taken(&self) -> super::TakenAction {
        super::TakenAction {
            kind: self.kind,
            on: self.on,
            outcome: self.outcome,
        }
    }
}
