//! Property tests: the invariants of the ledger, the late charge, installments and the clock.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::support::*;
use crate::domain::calendar::FiscalYear;
use crate::domain::money::Yen;
use crate::domain::receivable::fiscal::{TotalsDelta, contribution_change, recovery_figures, recovery_rate};
use crate::domain::receivable::installment::schedule;
use crate::domain::receivable::kind::ReceivableKind as K;
use crate::domain::receivable::late_charge::{ChargeBasis, PrincipalEvent as P, late_charge, late_charge_for};
use crate::domain::receivable::ledger::{
    CollectionChannel, Ledger, LedgerEntry as E, MovementKind, Position, ReceivableStatus as S, WriteOffReason,
};
use crate::domain::receivable::limitation::{LimitationEvent, LimitationEventKind, LimitationStart, limitation};
use crate::domain::receivable::period::add_days;
use crate::domain::receivable::rates::LateChargeTable;

fn base_day() -> NaiveDate {
    d("2015-01-01")
}

/// (operation, days after the previous entry, amount)
fn ops() -> impl Strategy<Value = Vec<(u8, u32, i64)>> {
    prop::collection::vec((0u8..5, 0u32..40, 1i64..300_000), 0..25)
}

fn entry(op: u8, on: NaiveDate, amount: i64) -> E {
    let amount = yen(amount);
    match op {
        0 => E::Assessment { on, amount },
        1 => E::Reduction { on, amount },
        2 | 3 => E::Collection {
            on,
            amount,
            channel: CollectionChannel::BankTransfer,
        },
        _ => E::WriteOff {
            on,
            reason: WriteOffReason::Uncollectible,
        },
    }
}

fn check_position(p: Position) -> Result<(), TestCaseError> {
    prop_assert!(p.balance >= Yen::ZERO);
    prop_assert!(p.overpaid >= Yen::ZERO);
    prop_assert_eq!(p.balance, p.assessed - p.reduced - p.collected - p.written_off);
    Ok(())
}

proptest! {
    /// Whatever is appended, what the ledger accepts keeps the balance non-negative and equal to
    /// assessed - reductions - collections - write-offs; the status agrees with the balance.
    #[test]
    fn ledger_balance_invariants(first in 1i64..1_000_000, steps in ops(), pending: bool) {
        let mut on = base_day();
        let mut ledger = Ledger::new(vec![E::Assessment { on, amount: yen(first) }]).unwrap();
        for (op, gap, amount) in steps {
            on = add_days(on, gap);
            if let Ok(next) = ledger.clone().with(entry(op, on, amount)) {
                ledger = next;
            }
            check_position(ledger.position())?;
        }
        let p = ledger.position();
        prop_assert_eq!(ledger.position_at(on), p);
        let status = ledger.status(pending);
        prop_assert_eq!(p.balance.is_zero(), matches!(status, S::Collected | S::WrittenOff));
        let received: Yen = ledger
            .movements()
            .iter()
            .filter(|m| matches!(m.kind, MovementKind::Collection(_)))
            .map(|m| m.amount + m.excess)
            .sum();
        prop_assert_eq!(received, p.collected + p.overpaid);
    }

    /// The changes a ledger's entries make to every year's totals, added up one entry at a time
    /// (the way the store keeps them), equal the finished ledger's figures for each year.
    #[test]
    fn contribution_changes_add_up_to_the_figures(first in 1i64..1_000_000, steps in prop::collection::vec((0u8..5, 0u32..200, 1i64..300_000), 0..25)) {
        let years: Vec<FiscalYear> = (2013..=2020).map(|y| FiscalYear::new(y).unwrap()).collect();
        let mut on = base_day();
        let mut ledger = Ledger::new(vec![E::Assessment { on, amount: yen(first) }]).unwrap();
        let mut sums: Vec<TotalsDelta> = years.iter().map(|y| contribution_change(None, &ledger, *y).map(|c| c.1).unwrap_or_default()).collect();
        for (op, gap, amount) in steps {
            on = add_days(on, gap);
            if let Ok(next) = ledger.clone().with(entry(op, on, amount)) {
                for (i, y) in years.iter().enumerate() {
                    if let Some((_, change)) = contribution_change(Some(&ledger), &next, *y) {
                        sums[i].add(change);
                    }
                }
                ledger = next;
            }
        }
        for (i, y) in years.iter().enumerate() {
            let whole = recovery_figures(&ledger, *y).map(TotalsDelta::of).unwrap_or_default();
            prop_assert_eq!(sums[i], whole, "year {}", y.start_year());
        }
    }

    /// Arbitrary entry lists are either refused or satisfy the same invariants.
    #[test]
    fn arbitrary_ledgers_are_refused_or_sound(steps in ops()) {
        let mut on = base_day();
        let entries: Vec<E> = steps.into_iter().map(|(op, gap, amount)| { on = add_days(on, gap); entry(op, on, amount) }).collect();
        if let Ok(ledger) = Ledger::new(entries) {
            check_position(ledger.position())?;
        }
    }

    /// The late charge is a multiple of 100 yen, zero under the 1,000-yen threshold, and never
    /// more than the whole principal at the statutory 14.6% over the whole period.
    #[test]
    fn late_charge_is_in_hundreds_and_zero_under_the_threshold(
        principal in 0i64..5_000_000,
        due_gap in 0u32..3_800,
        demand_gap in 1u32..60,
        payments in prop::collection::vec((0u32..400, 1i64..2_000_000), 0..4),
        as_of_gap in 0u32..600,
        premium: bool,
    ) {
        let due = add_days(base_day(), due_gap);
        let demand_on = add_days(due, demand_gap);
        let mut events = vec![
            P::Assessed { on: due, amount: yen(principal) },
            P::Demanded { on: demand_on, deadline: add_days(demand_on, 10), by_public_notice: false },
        ];
        events.extend(payments.iter().map(|&(gap, amount)| P::Paid { on: add_days(due, gap), amount: yen(amount) }));
        let as_of = add_days(due, as_of_gap);
        let basis = if premium { ChargeBasis::Premium } else { ChargeBasis::OtherCollection };
        let table = LateChargeTable::kenpo_181();
        let charge = late_charge_for(basis, &events, due, as_of, &table).unwrap();
        prop_assert!(charge.amount >= Yen::ZERO);
        prop_assert!((charge.amount.amount() % Decimal::from(100)).is_zero());
        if principal < 1_000 {
            prop_assert_eq!(charge.amount, Yen::ZERO);
        }
        let days = i64::from(as_of_gap);
        let ceiling = Decimal::from(principal) * Decimal::new(146, 1) * Decimal::from(days) / Decimal::from(36_500);
        prop_assert!(charge.amount.amount() <= ceiling);
        for s in &charge.segments {
            prop_assert!(s.days > 0 && (s.base.amount() % Decimal::from(1_000)).is_zero() && s.base > Yen::ZERO);
        }
        // Civil kinds never carry a 181条 charge.
        let civil = late_charge(K::OverpaymentRefund, &events, due, as_of, &table).unwrap();
        prop_assert_eq!(civil.amount, Yen::ZERO);
    }

    /// Instalments add up to the total, each at least one yen, the last the largest.
    #[test]
    fn schedules_add_up(total in 1i64..10_000_000, count in 1u32..61, first_gap in 0u32..3_000) {
        if let Ok(plan) = schedule(yen(total), count, add_days(base_day(), first_gap)) {
            prop_assert_eq!(plan.iter().map(|i| i.amount).sum::<Yen>(), yen(total));
            let last = plan.last().map(|i| i.amount).unwrap_or(Yen::ZERO);
            prop_assert!(plan.iter().all(|i| i.amount >= yen(1) && i.amount <= last));
            prop_assert!(plan.windows(2).all(|w| w[0].due_on < w[1].due_on));
        } else {
            prop_assert!(i64::from(count) > total);
        }
    }

    /// A recovery rate lies in 0..=100 with at most two decimals when collected <= assessed.
    #[test]
    fn rates_are_percentages(assessed in 1i64..1_000_000_000, share in 0u32..=1_000) {
        let collected = assessed * i64::from(share) / 1_000;
        let rate = recovery_rate(yen(collected), yen(assessed)).unwrap();
        prop_assert!(rate >= Decimal::ZERO && rate <= Decimal::ONE_HUNDRED);
        prop_assert!(rate.scale() <= 2 || rate == rate.round_dp(2));
    }

    /// Events never bring completion earlier than the bare period.
    #[test]
    fn events_never_shorten_the_clock(
        kind_index in 0usize..9,
        start_gap in 0u32..3_000,
        events in prop::collection::vec((0usize..6, 0u32..4_000), 0..6),
    ) {
        let kind = K::ALL[kind_index];
        let exercisable = add_days(base_day(), start_gap);
        let start = LimitationStart { kind, arose_on: exercisable, exercisable_on: exercisable };
        let kinds = [
            LimitationEventKind::Acknowledgment,
            LimitationEventKind::PartialPayment,
            LimitationEventKind::Demand,
            LimitationEventKind::StatutoryDemand,
            LimitationEventKind::PaymentNotice,
            LimitationEventKind::InstallmentPledge,
        ];
        let events: Vec<LimitationEvent> =
            events.into_iter().map(|(k, gap)| LimitationEvent { kind: kinds[k], on: add_days(exercisable, gap) }).collect();
        let bare = limitation(start, &[]).completes_on.unwrap();
        let clock = limitation(start, &events);
        prop_assert!(clock.completes_on.unwrap() >= bare);
        prop_assert_eq!(clock.moved_by.is_some(), clock.completes_on != Some(bare));
    }
}
