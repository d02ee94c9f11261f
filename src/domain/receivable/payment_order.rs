//! 支払督促 (payment order at the summary court) deadlines (receivables.md §7; 民事訴訟法382条-402条).
//!
//! - The debtor may object (督促異議) within 2 weeks of being served (§7 step 3); the period runs
//!   from the day after service (民法140条 via 民訴法95条1項): served 2026-03-02 → last day 2026-03-16.
//! - Unopposed, the creditor may apply for the 仮執行宣言 from the day after that, and must do so
//!   within 30 days, or the order lapses (§7 step 4, 民訴法392条): "service + 2 weeks + 30 days".
//! - The 仮執行宣言付支払督促 may again be opposed within 2 weeks of its service; unopposed it becomes
//!   final (§7 step 6), which renews the limitation for 10 years (§6.1).
//!
//! Decision: the roll-forward of a period ending on a Saturday, Sunday, national holiday or
//! 12-29..01-03 (民訴法95条3項) is not applied. The section gives plain dates; applying for the
//! 仮執行宣言 by the unextended date is always in time, and an objection the court accepts on an
//! extended day only moves the case to a lawsuit.

use chrono::NaiveDate;

use super::period::{day_after, end_of_days};

/// 督促異議: two weeks (民訴法391条1項, 393条).
pub const OBJECTION_DAYS: u32 = 14;
/// 仮執行宣言の申立て: thirty days (民訴法392条).
pub const APPLICATION_DAYS: u32 = 30;

/// The deadlines that follow from the service of a 支払督促.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentOrderDeadlines {
    pub served_on: NaiveDate,
    /// Last day for the debtor's 督促異議.
    pub objection_deadline: NaiveDate,
    /// First day the 仮執行宣言 may be applied for.
    pub may_apply_from: NaiveDate,
    /// Last day to apply for the 仮執行宣言; the order lapses after it.
    pub application_deadline: NaiveDate,
}

/// Outcomes that end a payment order without confirming the claim (取下げ, 失効).
pub const ENDING_OUTCOMES: [&str; 2] = ["withdrawn", "lapsed"];

/// Whether legal action (支払督促) is pending, which keeps a receivable `in_legal` until it is
/// collected or written off: a recorded order without an ending outcome (`orders` holds each
/// order's outcome); with no order on record, a `payment_order_filed` action alone counts as one
/// filed and pending.
pub fn legal_action_pending<'a>(mut orders: impl Iterator<Item = Option<&'a str>>, filed_action: bool) -> bool {
    match orders.next() {
        None => filed_action,
        Some(first) => std::iter::once(first)
            .chain(orders)
            .any(|o| !o.is_some_and(|o| ENDING_OUTCOMES.contains(&o))),
    }
}

/// The deadlines of a 支払督促 served on `served_on`.
pub fn payment_order_deadlines(served_on: NaiveDate) -> PaymentOrderDeadlines {
    let objection_deadline = end_of_days(day_after(served_on), OBJECTION_DAYS);
    let may_apply_from = day_after(objection_deadline);
    PaymentOrderDeadlines {
        served_on,
        objection_deadline,
        may_apply_from,
        application_deadline: end_of_days(may_apply_from, APPLICATION_DAYS),
    }
}

/// Last day to object to a 仮執行宣言付支払督促 served on `served_on` (two weeks).
pub fn declaration_objection_deadline(served_on: NaiveDate) -> NaiveDate {
    end_of_days(day_after(served_on), OBJECTION_DAYS)
}

/// The day an unopposed 仮執行宣言付支払督促 served on `served_on` becomes final.
pub fn final_on(served_on: NaiveDate) -> NaiveDate {
    day_after(declaration_objection_deadline(served_on))
}
