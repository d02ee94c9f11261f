//! Installment plans (分割納付) and payment pledges (納付誓約), receivables.md §9.
//!
//! - Schedule: the total split into equal monthly whole-yen instalments, the last absorbing the
//!   remainder; due on the first due date's day of the month (clamped to shorter months).
//! - Payments are applied to instalments oldest first; an instalment is missed when its due date
//!   has passed and the payments so far do not cover it and all before it.
//! - Default: [`DefaultRule::SEED`], 2 missed instalments. No standard terms were found (§9, Low,
//!   Q10); one late instalment is tolerated, a second means the pledge is not being kept, and the
//!   rule is data the insurer can change.
//! - The status is computed, not remembered: a plan brought up to date is active again; the
//!   caller records the transition when it first sees `defaulted` (dunning resumes then).
//! - The signed pledge and every instalment paid are 承認 that renew the limitation (§9, 民法152条):
//!   see [`super::limitation::LimitationEventKind::InstallmentPledge`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ledger::{Ledger, LedgerEntry};
use super::period::add_months_clamped;
use super::wire::wire_enum;
use crate::domain::money::Yen;

wire_enum! {
    /// Status of an installment plan (§9 design).
    pub enum InstallmentStatus ("installment status") {
        Active = "active",
        Defaulted = "defaulted",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

/// One scheduled instalment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instalment {
    /// 1-based.
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: Yen,
}

/// A schedule that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallmentError {
    #[error("the total must be positive")]
    NonPositiveTotal,
    #[error("a plan needs at least one instalment")]
    NoInstalments,
    #[error("{count} instalments would be less than one yen each")]
    TooManyInstalments { count: u32 },
}

/// `count` monthly instalments of `total` from `first_due_on`; the last absorbs the remainder.
pub fn schedule(total: Yen, count: u32, first_due_on: NaiveDate) -> Result<Vec<Instalment>, InstallmentError> {
    if total <= Yen::ZERO {
        return Err(InstallmentError::NonPositiveTotal);
    }
    if count == 0 {
        return Err(InstallmentError::NoInstalments);
    }
    let each = Yen::truncate_to(total.amount() / Decimal::from(count), 1);
    if each.is_zero() {
        return Err(InstallmentError::TooManyInstalments { count });
    }
    let before_last = Yen::from_whole(each.amount() * Decimal::from(count - 1)).unwrap_or(Yen::ZERO);
    Ok((1..=count)
        .map(|number| Instalment {
            number,
            due_on: add_months_clamped(first_due_on, number - 1),
            amount: if number == count { total - before_last } else { each },
        })
        .collect())
}

/// When a plan counts as defaulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultRule {
    /// Missed instalments that make a default.
    pub missed_instalments: u32,
}

impl DefaultRule {
    /// The default of this draft: two missed instalments (decision, Q10).
    pub const SEED: Self = Self { missed_instalments: 2 };
}

/// A payment towards the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanPayment {
    pub on: NaiveDate,
    pub amount: Yen,
}

/// The payments towards a plan pledged on `pledged_on`: every collection on the receivable from
/// that day on, whatever its channel.
pub fn plan_payments(ledger: &Ledger, pledged_on: NaiveDate) -> Vec<PlanPayment> {
    ledger
        .entries()
        .iter()
        .filter_map(|e| match *e {
            LedgerEntry::Collection { on, amount, .. } if on >= pledged_on => Some(PlanPayment { on, amount }),
            _ => None,
        })
        .collect()
}

/// Where a plan stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanPosition {
    pub status: InstallmentStatus,
    /// Paid on or before the day.
    pub paid: Yen,
    /// Instalments past due and not covered.
    pub missed: u32,
    /// Past-due amount not covered.
    pub arrears: Yen,
    /// The first instalment not yet covered.
    pub next: Option<Instalment>,
}

/// The plan's position on `on` (payments dated later are ignored).
pub fn plan_position(
    schedule: &[Instalment],
    payments: &[PlanPayment],
    on: NaiveDate,
    cancelled_on: Option<NaiveDate>,
    rule: DefaultRule,
) -> PlanPosition {
    let paid: Yen = payments.iter().filter(|p| p.on <= on).map(|p| p.amount).sum();
    let total: Yen = schedule.iter().map(|i| i.amount).sum();
    let (mut cumulative, mut missed, mut arrears, mut next) = (Yen::ZERO, 0u32, Yen::ZERO, None);
    for instalment in schedule {
        cumulative += instalment.amount;
        if paid >= cumulative {
            continue;
        }
        if next.is_none() {
            next = Some(*instalment);
        }
        if instalment.due_on < on {
            missed += 1;
            arrears = cumulative - paid;
        }
    }
    let status = if cancelled_on.is_some_and(|c| c <= on) {
        InstallmentStatus::Cancelled
    } else if paid >= total {
        InstallmentStatus::Completed
    } else if missed >= rule.missed_instalments.max(1) {
        InstallmentStatus::Defaulted
    } else {
        InstallmentStatus::Active
    };
    PlanPosition {
        status,
        paid,
        missed,
        arrears,
        next,
    }
}
