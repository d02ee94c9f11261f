//! What the dunning rules (催告) look at: the policy's intervals and thresholds, one receivable's
//! facts, the actions already taken, and what a rule calls due. The rules (`dunning_rules`) and
//! their evaluation (`dunning`) both read these.

use chrono::NaiveDate;

use super::action::{ActionKind, ActionOutcome, TakenAction};
use super::kind::{DebtorKind, ReceivableKind, RefundReason};
use super::ledger::ReceivableStatus;
use crate::domain::money::Yen;

/// Intervals and thresholds of the dunning rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DunningPolicy {
    /// Receivables of at least this many yen get a call before the 納付書 (SEED-A 2(1): 10万円以上).
    pub high_value_threshold: i64,
    /// The 納付書 waits at most this many days after 調定 for that call (decision).
    pub slip_hold_days: u32,
    /// First written dunning this many days after the due date (decision).
    pub first_notice_after_due_days: u32,
    /// Second notice this many days after the first (SEED-A 1(1), card recovery: 2 weeks).
    pub second_notice_after_days: u32,
    /// Follow-up call this many days after the second notice (decision).
    pub phone_after_second_notice_days: u32,
    /// Final notice this many days after the second (decision).
    pub final_notice_after_days: u32,
    /// Legal action once the final notice has gone unanswered this many days (decision).
    pub legal_after_final_notice_days: u32,
    /// Legal action at the latest this many months after 調定 (SEED-A 2(3): 6か月以内).
    pub legal_deadline_months: u32,
    /// Prior-year receivables are split into this many groups, one dunned a month (SEED-A 2(4)).
    pub prior_year_groups: u32,
    /// Limitation warning this many days ahead (receivables.md §6).
    pub limitation_warning_days: i64,
    /// A promise to pay (納付約束) holds off legal action this many days (decision).
    pub promise_hold_days: u32,
}

impl DunningPolicy {
    /// SEED-A's plan with the documented choices where it gives no interval.
    pub const SEED_A: Self = Self {
        high_value_threshold: 100_000,
        slip_hold_days: 7,
        first_notice_after_due_days: 14,
        second_notice_after_days: 14,
        phone_after_second_notice_days: 7,
        final_notice_after_days: 30,
        legal_after_final_notice_days: 14,
        legal_deadline_months: 6,
        prior_year_groups: 3,
        limitation_warning_days: 90,
        promise_hold_days: 30,
    };
}

impl Default for DunningPolicy {
    fn default() -> Self {
        Self::SEED_A
    }
}

/// What the rules need to know about one receivable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DunningFacts {
    pub kind: ReceivableKind,
    pub reason: Option<RefundReason>,
    pub debtor: DebtorKind,
    /// 調定日.
    pub assessed_on: NaiveDate,
    /// 納期限.
    pub due_on: NaiveDate,
    /// The amount assessed (for the high-value rule).
    pub assessed_amount: Yen,
    pub balance: Yen,
    /// Applied collections so far (any collection counts as a response).
    pub collected: Yen,
    pub status: ReceivableStatus,
    pub phone_known: bool,
    /// Re-employment found: prior-year notices go to the workplace (就業先送付).
    pub workplace_known: bool,
    pub installment_active: bool,
    /// 保険者間調整 consented and not yet settled.
    pub adjustment_pending: bool,
    /// A stable number of the receivable (e.g. from its id) that picks its prior-year group.
    pub rotation_key: u64,
    /// From [`super::limitation::limitation`]; `None` while suspended by proceedings.
    pub limitation_completes_on: Option<NaiveDate>,
}

/// One action the rules call due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueAction {
    pub kind: ActionKind,
    pub rule_id: &'static str,
    pub reason: String,
}

/// Everything a rule looks at.
pub struct Context<'a> {
    pub policy: &'a DunningPolicy,
    pub facts: &'a DunningFacts,
    /// Actions taken on or before `on`, in date order.
    pub taken: Vec<TakenAction>,
    pub on: NaiveDate,
}

impl Context<'_> {
    /// The last time an action of `kind` was taken.
    pub fn last(&self, kind: ActionKind) -> Option<NaiveDate> {
        self.taken.iter().rev().find(|a| a.kind == kind).map(|a| a.on)
    }

    /// The first time any of `kinds` was taken.
    pub fn first_of(&self, kinds: &[ActionKind]) -> Option<NaiveDate> {
        self.taken.iter().find(|a| kinds.contains(&a.kind)).map(|a| a.on)
    }

    /// Whether an action of `kind` was taken.
    pub fn has_taken(&self, kind: ActionKind) -> bool {
        self.last(kind).is_some()
    }

    /// Open or partially collected, with a balance: dunning may go on.
    pub fn outstanding(&self) -> bool {
        self.facts.balance > Yen::ZERO
            && matches!(
                self.facts.status,
                ReceivableStatus::Open | ReceivableStatus::PartiallyCollected
            )
    }

    /// Outstanding and not paused by an installment plan or a 保険者間調整.
    pub fn collectable(&self) -> bool {
        self.outstanding() && !self.facts.installment_active && !self.facts.adjustment_pending
    }

    /// The new-receivable sequence is over once the final notice went out or legal action began.
    pub fn sequence_complete(&self) -> bool {
        self.has_taken(ActionKind::FinalNotice) || self.has_taken(ActionKind::PaymentOrderFiled)
    }

    /// The debtor has answered the dunning (SEED-A 2(3) "応じない者" are the others): anything
    /// collected, an acknowledgment, or a promise to pay within the hold period. A refusal is not
    /// an answer.
    pub fn responded(&self) -> bool {
        let recent_promise = self.taken.iter().any(|a| {
            a.outcome == Some(ActionOutcome::Promised)
                && super::period::days_between(a.on, self.on) <= i64::from(self.policy.promise_hold_days)
        });
        self.facts.collected > Yen::ZERO || self.has_taken(ActionKind::Acknowledgment) || recent_promise
    }
}
