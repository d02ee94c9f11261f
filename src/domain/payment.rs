//! Automatic payment of the high-cost benefit after a one-time application (自動償還):
//! receivables.md sections 10 and 11. The registration's lifecycle (`active` / `paused` /
//! `cancelled`), what moves it, how a decided benefit is settled against what was already paid,
//! and the offset (充当) against unpaid NHI tax.
//!
//! Decisions where the sources leave room:
//! - **Pause** (停止) resumes by itself when its cause clears (section 10.5, Bihoro): new NHI tax
//!   arrears pause a registration *without* offset consent (with consent the arrears are netted
//!   instead, section 11); a failed transfer pauses until the account is changed.
//! - **Cancellation** (解除) needs a new application: the head changed, the head (who is the
//!   account holder here) died, the head left NHI, or the household withdrew.
//! - A benefit lowered after it was paid becomes a refund receivable (返納金, 民法703条) of the
//!   difference; one raised becomes a supplementary payment (追加支給) of the difference.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::member::wire_names;

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Active,
    /// 停止: resumes by itself when its causes clear.
    Paused,
    /// 解除: a new application is needed.
    Cancelled,
}

/// What holds a registration `paused` (it resumes when none is left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseCause {
    /// 国保税の滞納 reported without offset consent.
    TaxArrears,
    /// The bank returned a transfer (account closed, name mismatch).
    TransferFailed,
}

/// Why a registration was cancelled (解除): each needs a new application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// 世帯主の変更 (including moving out and 世帯分離).
    HeadChanged,
    /// The head, who holds the account, died.
    HeadDied,
    /// The household (its head) left NHI, e.g. for 後期高齢者医療 at 75.
    LeftNhi,
    /// The applicant asked to stop.
    Withdrawn,
    /// False or improper application found.
    Improper,
    /// Anything else, noted on the transition.
    Other,
}

/// Why a transfer came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferFailure {
    AccountClosed,
    NameMismatch,
    AccountNotFound,
    Other,
}

wire_names!(RegistrationStatus { Active => "active", Paused => "paused", Cancelled => "cancelled" });
wire_names!(PauseCause { TaxArrears => "tax_arrears", TransferFailed => "transfer_failed" });
wire_names!(EndReason {
    HeadChanged => "head_changed",
    HeadDied => "head_died",
    LeftNhi => "left_nhi",
    Withdrawn => "withdrawn",
    Improper => "improper",
    Other => "other",
});
wire_names!(TransferFailure {
    AccountClosed => "account_closed",
    NameMismatch => "name_mismatch",
    AccountNotFound => "account_not_found",
    Other => "other",
});

/// The status a registration that is not cancelled has with these pause causes.
pub fn status_with(causes: &[PauseCause]) -> RegistrationStatus {
    if causes.is_empty() {
        RegistrationStatus::Active
    } else {
        RegistrationStatus::Paused
    }
}

/// Adds a cause (once) and returns the causes in a stable order.
pub fn with_cause(causes: &[PauseCause], cause: PauseCause) -> Vec<PauseCause> {
    let mut out: Vec<PauseCause> = causes.to_vec();
    if !out.contains(&cause) {
        out.push(cause);
    }
    out.sort_by_key(|c| c.as_str());
    out
}

/// Removes a cause.
pub fn without_cause(causes: &[PauseCause], cause: PauseCause) -> Vec<PauseCause> {
    causes.iter().copied().filter(|c| *c != cause).collect()
}

/// The pause cause (if any) that a household's reported tax arrears put on its registration.
pub fn arrears_cause(arrears: i64, offset_consent: bool) -> Option<PauseCause> {
    (arrears > 0 && !offset_consent).then_some(PauseCause::TaxArrears)
}

/// The facts of a member that the registration's triggers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberFacts {
    pub is_head: bool,
    pub died_on: Option<NaiveDate>,
    pub lost_on: Option<NaiveDate>,
}

/// Whether a change of the registration's applicant (the head and account holder) cancels it, and
/// from which day. Death first (it also ends eligibility), then loss of eligibility, then a new
/// relationship.
pub fn applicant_change(before: MemberFacts, after: MemberFacts) -> Option<(EndReason, Option<NaiveDate>)> {
    if after.died_on.is_some() && after.died_on != before.died_on {
        return Some((EndReason::HeadDied, after.died_on));
    }
    if after.lost_on.is_some() && after.lost_on != before.lost_on {
        return Some((EndReason::LeftNhi, after.lost_on));
    }
    if before.is_head && !after.is_head {
        return Some((EndReason::HeadChanged, None));
    }
    None
}

/// What a payment run does with one decided determination, given what the household-month has
/// already been paid (net of refunds assessed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Pay `amount`; `supplementary` when part of the month was paid before.
    Pay { amount: i64, supplementary: bool },
    /// The month was overpaid by `amount`: assess a refund.
    Refund { amount: i64 },
    /// Paid exactly: nothing moves.
    Settled,
    /// Nothing was ever due: leave the determination as it is.
    NothingDue,
}

/// Settles a determination of `total` against `settled` (paid minus refunds assessed so far).
pub fn settle(total: i64, settled: i64) -> Settlement {
    let due = total - settled;
    if due > 0 {
        Settlement::Pay {
            amount: due,
            supplementary: settled > 0,
        }
    } else if due < 0 {
        Settlement::Refund { amount: -due }
    } else if total == 0 && settled == 0 {
        Settlement::NothingDue
    } else {
        Settlement::Settled
    }
}

/// The split of a payment between unpaid NHI tax (充当, only with consent) and the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub offset: i64,
    pub net: i64,
}

/// Splits `amount` against `arrears` when the household consented: as much as the arrears, never
/// more than the amount.
pub fn split(amount: i64, arrears: i64, consent: bool) -> Split {
    let offset = if consent { arrears.clamp(0, amount.max(0)) } else { 0 };
    Split {
        offset,
        net: amount - offset,
    }
}

/// The due date (納期限) of a refund assessed on `assessed_on`: the end of the following month.
pub fn refund_due_on(assessed_on: NaiveDate) -> NaiveDate {
    let next = assessed_on
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(2)))
        .and_then(|d| d.pred_opt());
    next.unwrap_or(assessed_on)
}

/// An account number as a notice shows it: all but the last three digits masked.
pub fn mask_account(number: &str) -> String {
    let n = number.chars().count();
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '*' } else { c })
        .collect()
}

/// Postage of one mailed application form (seed 004: 72 yen a form).
pub const POSTAGE_PER_FORM: i64 = 72;

/// A bank account as stored with a registration (normalised by `zengin::BankAccount::parse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFields {
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub holder_kana: String,
}

/// A household's registration for automatic payment (自動償還の申出).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: String,
    pub household_id: String,
    pub applicant_member_id: String,
    pub applied_on: NaiveDate,
    pub account: AccountFields,
    pub offset_consent: bool,
    pub repayment_consent: bool,
    pub status: RegistrationStatus,
    pub pause_reasons: Vec<PauseCause>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Registration {
    /// The registration with `cause` added (`add`) or removed, its status following (a cancelled
    /// one stays cancelled).
    pub fn with_pause(&self, cause: PauseCause, add: bool) -> Registration {
        let after = if add {
            with_cause(&self.pause_reasons, cause)
        } else {
            without_cause(&self.pause_reasons, cause)
        };
        let status = if self.status == RegistrationStatus::Cancelled {
            RegistrationStatus::Cancelled
        } else {
            status_with(&after)
        };
        Registration {
            pause_reasons: after,
            status,
            ..self.clone()
        }
    }

    /// The registration cancelled for `reason` from `on`.
    pub fn cancelled(&self, reason: EndReason, on: NaiveDate) -> Registration {
        Registration {
            status: RegistrationStatus::Cancelled,
            ended_on: Some(on),
            end_reason: Some(reason),
            ..self.clone()
        }
    }
}

/// A recorded transition of a registration, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationEvent {
    pub from_status: Option<RegistrationStatus>,
    pub to_status: RegistrationStatus,
    pub reason: String,
    pub effective_on: NaiveDate,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn pause_causes_decide_the_status() {
        assert_eq!(status_with(&[]), RegistrationStatus::Active);
        let one = with_cause(&[], PauseCause::TransferFailed);
        let two = with_cause(&one, PauseCause::TaxArrears);
        assert_eq!(with_cause(&two, PauseCause::TaxArrears), two, "a cause is held once");
        assert_eq!(status_with(&two), RegistrationStatus::Paused);
        let left = without_cause(&two, PauseCause::TaxArrears);
        assert_eq!(
            status_with(&left),
            RegistrationStatus::Paused,
            "the other cause still holds"
        );
        assert_eq!(
            status_with(&without_cause(&left, PauseCause::TransferFailed)),
            RegistrationStatus::Active
        );
    }

    #[test]
    fn arrears_pause_only_without_consent() {
        assert_eq!(arrears_cause(10_000, false), Some(PauseCause::TaxArrears));
        assert_eq!(arrears_cause(10_000, true), None);
        assert_eq!(arrears_cause(0, false), None);
    }

    #[test]
    fn applicant_changes_that_cancel() {
        let head = MemberFacts {
            is_head: true,
            died_on: None,
            lost_on: None,
        };
        assert_eq!(applicant_change(head, head), None);
        let died = MemberFacts {
            died_on: Some(d(2026, 5, 3)),
            lost_on: Some(d(2026, 5, 4)),
            ..head
        };
        assert_eq!(
            applicant_change(head, died),
            Some((EndReason::HeadDied, Some(d(2026, 5, 3))))
        );
        let left = MemberFacts {
            lost_on: Some(d(2026, 6, 1)),
            ..head
        };
        assert_eq!(
            applicant_change(head, left),
            Some((EndReason::LeftNhi, Some(d(2026, 6, 1))))
        );
        let not_head = MemberFacts { is_head: false, ..head };
        assert_eq!(applicant_change(head, not_head), Some((EndReason::HeadChanged, None)));
        // Unchanged facts already recorded are not a new trigger.
        assert_eq!(applicant_change(left, left), None);
    }

    #[test]
    fn settlement_against_what_was_paid() {
        assert_eq!(
            settle(80_000, 0),
            Settlement::Pay {
                amount: 80_000,
                supplementary: false
            }
        );
        assert_eq!(
            settle(90_000, 80_000),
            Settlement::Pay {
                amount: 10_000,
                supplementary: true
            }
        );
        assert_eq!(settle(70_000, 80_000), Settlement::Refund { amount: 10_000 });
        assert_eq!(settle(0, 80_000), Settlement::Refund { amount: 80_000 });
        assert_eq!(settle(80_000, 80_000), Settlement::Settled);
        assert_eq!(settle(0, 0), Settlement::NothingDue);
    }

    #[test]
    fn offsets_need_consent_and_never_exceed_the_amount() {
        assert_eq!(
            split(50_000, 20_000, true),
            Split {
                offset: 20_000,
                net: 30_000
            }
        );
        assert_eq!(split(50_000, 70_000, true), Split { offset: 50_000, net: 0 });
        assert_eq!(split(50_000, 70_000, false), Split { offset: 0, net: 50_000 });
        assert_eq!(split(50_000, 0, true), Split { offset: 0, net: 50_000 });
    }

    #[test]
    fn refunds_fall_due_at_the_end_of_the_next_month() {
        assert_eq!(refund_due_on(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(refund_due_on(d(2026, 12, 1)), d(2027, 1, 31));
        assert_eq!(refund_due_on(d(2028, 1, 15)), d(2028, 2, 29));
    }

    #[test]
    fn account_numbers_are_masked_but_the_last_three_digits() {
        assert_eq!(mask_account("1234567"), "****567");
        assert_eq!(mask_account("12"), "12");
    }
}
