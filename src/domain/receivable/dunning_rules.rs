//! The dunning rules as a table: id, action, source, and the test that calls the action due.
//! Intervals come from the [`DunningPolicy`]; "decision" marks a choice where SEED-A and
//! receivables.md give none.

use chrono::{Datelike, NaiveDate};

use super::action::ActionKind;
use super::dunning_facts::{Context, DunningPolicy};
use super::kind::{DebtorKind, ReceivableKind, RefundReason};
use super::ledger::ReceivableStatus;
use super::period::{add_days, add_months_clamped, days_between};
use crate::domain::calendar::{FiscalYear, YearMonth};
use crate::domain::money::Yen;

/// One rule of the worklist.
pub struct DunningRule {
    /// Stable id, reported with every due action.
    pub id: &'static str,
    /// The action(s) it calls due.
    pub action: &'static str,
    pub source: &'static str,
    pub summary: &'static str,
    when: fn(&Context<'_>) -> Option<(ActionKind, String)>,
}

impl DunningRule {
    /// The action this rule calls due in `ctx`, with the reason, if any.
    pub fn check(&self, ctx: &Context<'_>) -> Option<(ActionKind, String)> {
        (self.when)(ctx)
    }
}

/// Every rule, in the order the worklist lists them.
pub const RULES: &[DunningRule] = &[
    DunningRule {
        id: "high_value_call",
        action: "phone",
        source: "SEED-A 2(1); receivables.md §4.1",
        summary: "assessed >= 100,000 yen and a phone number known: call before the payment slip",
        when: high_value_call,
    },
    DunningRule {
        id: "payment_slip",
        action: "payment_slip",
        source: "receivables.md §2.3 (全件調定及び納付書の速やかな送付), §4.1; hold: decision",
        summary: "send the slip on assessment; a high-value slip waits up to 7 days for the call",
        when: payment_slip,
    },
    DunningRule {
        id: "first_written_dunning",
        action: "statutory_demand (statutory kinds) | notice",
        source: "receivables.md §4.1 (文書催告), 健康保険法180条 (督促); 14 days: decision",
        summary: "unpaid 14 days after the due date: 督促 for a statutory kind, a notice otherwise",
        when: first_written_dunning,
    },
    DunningRule {
        id: "second_notice",
        action: "second_notice",
        source: "SEED-A 1(1) (2nd notice within 2 weeks of the 1st), adopted for receivables",
        summary: "14 days after the first written dunning",
        when: second_notice,
    },
    DunningRule {
        id: "phone_follow_up",
        action: "phone",
        source: "receivables.md §4.1 (文書催告 → 電話催告); 7 days: decision",
        summary: "7 days after the second notice, when a phone number is known and no call since",
        when: phone_follow_up,
    },
    DunningRule {
        id: "final_notice",
        action: "final_notice",
        source: "receivables.md §4.1 (最終催告); 30 days: decision",
        summary: "30 days after the second notice",
        when: final_notice,
    },
    DunningRule {
        id: "adjustment_leaflet",
        action: "adjustment_offered",
        source: "SEED-A 2(2); receivables.md §3.3",
        summary: "with every written dunning of an ineligible-visit refund, the 保険者間調整 leaflet",
        when: adjustment_leaflet,
    },
    DunningRule {
        id: "legal_action",
        action: "payment_order_filed",
        source: "SEED-A 2(3); receivables.md §2.3, §4.1; 14 days after the final notice: decision",
        summary: "no response: file a 支払督促 14 days after the final notice, at the latest 6 months after assessment",
        when: legal_action,
    },
    DunningRule {
        id: "prior_year_rotation",
        action: "notice | workplace_notice",
        source: "SEED-A 2(4); receivables.md §4.1",
        summary: "prior-year receivables in 3 groups, one group a month (4 notices a year), to the workplace when known",
        when: prior_year_rotation,
    },
    DunningRule {
        id: "limitation_warning",
        action: "acknowledgment",
        source: "receivables.md §6.1-6.2 (承認 renews, 民法152条)",
        summary: "limitation completes within 90 days: obtain an acknowledgment or file a payment order",
        when: limitation_warning,
    },
];

fn after(day: NaiveDate, days: u32) -> NaiveDate {
    add_days(day, days)
}

fn is_high_value(c: &Context<'_>) -> bool {
    c.facts.phone_known && c.facts.assessed_amount >= Yen::new(c.policy.high_value_threshold)
}

fn high_value_call(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    if !c.collectable()
        || c.on < f.assessed_on
        || c.has_taken(ActionKind::PaymentSlip)
        || c.has_taken(ActionKind::Phone)
    {
        return None;
    }
    is_high_value(c).then(|| {
        let why = format!(
            "assessed {} yen (at least {}) and a phone number is known: explain and negotiate before the payment slip",
            f.assessed_amount, c.policy.high_value_threshold
        );
        (ActionKind::Phone, why)
    })
}

fn payment_slip(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    if !c.collectable() || c.on < f.assessed_on || c.has_taken(ActionKind::PaymentSlip) {
        return None;
    }
    let held =
        is_high_value(c) && !c.has_taken(ActionKind::Phone) && c.on < after(f.assessed_on, c.policy.slip_hold_days);
    (!held).then(|| {
        (
            ActionKind::PaymentSlip,
            format!("assessed on {}: send the payment slip", f.assessed_on),
        )
    })
}

const FIRST_LETTERS: &[ActionKind] = &[ActionKind::Notice, ActionKind::StatutoryDemand];

fn first_written_dunning(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    let from = after(f.due_on, c.policy.first_notice_after_due_days);
    if !c.collectable()
        || !c.has_taken(ActionKind::PaymentSlip)
        || c.first_of(FIRST_LETTERS).is_some()
        || c.sequence_complete()
        || c.on < from
    {
        return None;
    }
    Some(if f.kind.is_statutory() {
        let why = format!(
            "unpaid since the due date {}: 督促 (健康保険法180条), deadline at least 10 days on",
            f.due_on
        );
        (ActionKind::StatutoryDemand, why)
    } else {
        (
            ActionKind::Notice,
            format!("unpaid since the due date {}: written dunning", f.due_on),
        )
    })
}

fn second_notice(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let first = c.first_of(FIRST_LETTERS)?;
    let due = c.collectable()
        && !c.sequence_complete()
        && !c.has_taken(ActionKind::SecondNotice)
        && c.on >= after(first, c.policy.second_notice_after_days);
    due.then(|| {
        (
            ActionKind::SecondNotice,
            format!("first written dunning of {first} unanswered"),
        )
    })
}

fn phone_follow_up(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let second = c.last(ActionKind::SecondNotice)?;
    let called_since = c.last(ActionKind::Phone).is_some_and(|d| d >= second);
    let due = c.collectable()
        && c.facts.phone_known
        && !c.sequence_complete()
        && !called_since
        && c.on >= after(second, c.policy.phone_after_second_notice_days);
    due.then(|| (ActionKind::Phone, format!("second notice of {second} unanswered: call")))
}

fn final_notice(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let second = c.last(ActionKind::SecondNotice)?;
    let due = c.collectable() && !c.sequence_complete() && c.on >= after(second, c.policy.final_notice_after_days);
    due.then(|| {
        (
            ActionKind::FinalNotice,
            format!("second notice of {second} unanswered: final notice"),
        )
    })
}

fn adjustment_leaflet(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    let eligible = f.kind == ReceivableKind::OverpaymentRefund
        && f.reason == Some(RefundReason::IneligibleVisit)
        && f.debtor == DebtorKind::Person;
    if !eligible || !c.collectable() {
        return None;
    }
    let letter_due = [first_written_dunning, second_notice, final_notice, prior_year_rotation]
        .iter()
        .any(|rule| rule(c).is_some());
    let last_letter = c.taken.iter().rev().find(|a| a.kind.is_written_dunning()).map(|a| a.on);
    // Covered when offered after the last letter (a same-day offer belongs to that letter), or,
    // before any letter, offered today.
    let offered_since = match (c.last(ActionKind::AdjustmentOffered), last_letter) {
        (Some(offer), Some(letter)) => offer > letter,
        (Some(offer), None) => offer == c.on,
        (None, _) => false,
    };
    (letter_due && !offered_since).then(|| {
        (
            ActionKind::AdjustmentOffered,
            "written dunning due: enclose the 保険者間調整 leaflet".to_owned(),
        )
    })
}

fn legal_action(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    if !c.collectable()
        || f.debtor == DebtorKind::Insurer
        || c.has_taken(ActionKind::PaymentOrderFiled)
        || c.responded()
    {
        return None;
    }
    let deadline = add_months_clamped(f.assessed_on, c.policy.legal_deadline_months);
    if c.on >= deadline {
        let why = format!(
            "no response within {} months of assessment ({})",
            c.policy.legal_deadline_months, f.assessed_on
        );
        return Some((ActionKind::PaymentOrderFiled, why));
    }
    let final_sent = c.last(ActionKind::FinalNotice)?;
    (c.on >= after(final_sent, c.policy.legal_after_final_notice_days)).then(|| {
        let why = format!("final notice of {final_sent} unanswered: file a payment order by {deadline}");
        (ActionKind::PaymentOrderFiled, why)
    })
}

/// The prior-year group (0-based) whose month `on` is: April is group 0's, May group 1's, ...
pub fn rotation_group_of_month(on: NaiveDate, policy: &DunningPolicy) -> u32 {
    let fiscal_month = (on.month() + 8) % 12;
    fiscal_month % policy.prior_year_groups.max(1)
}

fn prior_year_rotation(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    let prior = FiscalYear::of(f.assessed_on) < FiscalYear::of(c.on);
    if !prior || !c.collectable() || !c.sequence_complete() {
        return None;
    }
    let groups = c.policy.prior_year_groups.max(1);
    let group = u32::try_from(f.rotation_key % u64::from(groups)).unwrap_or(0);
    if rotation_group_of_month(c.on, c.policy) != group {
        return None;
    }
    let month = YearMonth::of(c.on);
    if c.taken
        .iter()
        .any(|a| a.kind.is_written_dunning() && month.contains(a.on))
    {
        return None;
    }
    let to_workplace = f.workplace_known && f.debtor == DebtorKind::Person;
    let kind = if to_workplace {
        ActionKind::WorkplaceNotice
    } else {
        ActionKind::Notice
    };
    Some((
        kind,
        format!(
            "prior-year receivable, group {} of {groups}: this month's notice",
            group + 1
        ),
    ))
}

fn limitation_warning(c: &Context<'_>) -> Option<(ActionKind, String)> {
    let f = c.facts;
    let completes = f.limitation_completes_on?;
    let live = f.balance > Yen::ZERO && !matches!(f.status, ReceivableStatus::Collected | ReceivableStatus::WrittenOff);
    let left = days_between(c.on, completes);
    if !live || !(0..=c.policy.limitation_warning_days).contains(&left) {
        return None;
    }
    let window = chrono::Days::new(c.policy.limitation_warning_days.unsigned_abs());
    let window_start = completes.checked_sub_days(window).unwrap_or(NaiveDate::MIN);
    if c.last(ActionKind::Acknowledgment).is_some_and(|d| d >= window_start) {
        return None;
    }
    let why =
        format!("limitation completes on {completes} ({left} days): obtain an acknowledgment or file a payment order");
    Some((ActionKind::Acknowledgment, why))
}
