use super::support::*;
use crate::domain::money::Yen;
use crate::domain::receivable::ledger::{
    CollectionChannel as Ch, Ledger, LedgerEntry as E, LedgerError, MovementKind, ReceivableStatus as S,
    WriteOffReason, derive,
};

fn assess(on: &str, amount: i64) -> E {
    E::Assessment {
        on: d(on),
        amount: yen(amount),
    }
}
fn reduce(on: &str, amount: i64) -> E {
    E::Reduction {
        on: d(on),
        amount: yen(amount),
    }
}
fn collect(on: &str, amount: i64) -> E {
    E::Collection {
        on: d(on),
        amount: yen(amount),
        channel: Ch::PaymentSlip,
    }
}
fn write_off(on: &str) -> E {
    E::WriteOff {
        on: d(on),
        reason: WriteOffReason::Limitation,
    }
}

#[test]
fn balance_and_status_from_entries() {
    // (entries, payment order pending, balance, status)
    let cases: Vec<(Vec<E>, bool, i64, S)> = vec![
        (vec![assess("2025-04-10", 50_000)], false, 50_000, S::Open),
        (vec![assess("2025-04-10", 50_000)], true, 50_000, S::InLegal),
        (
            vec![assess("2025-04-10", 50_000), collect("2025-05-01", 20_000)],
            false,
            30_000,
            S::PartiallyCollected,
        ),
        (
            vec![assess("2025-04-10", 50_000), collect("2025-05-01", 20_000)],
            true,
            30_000,
            S::InLegal,
        ),
        (
            vec![assess("2025-04-10", 50_000), collect("2025-05-01", 50_000)],
            true,
            0,
            S::Collected,
        ),
        (
            vec![assess("2025-04-10", 50_000), reduce("2025-04-20", 50_000)],
            false,
            0,
            S::Collected,
        ),
        (
            vec![assess("2025-04-10", 50_000), reduce("2025-04-20", 10_000)],
            false,
            40_000,
            S::Open,
        ),
        (
            vec![assess("2025-04-10", 50_000), assess("2025-06-01", 5_000)],
            false,
            55_000,
            S::Open,
        ),
        (
            vec![
                assess("2020-04-10", 50_000),
                collect("2020-05-01", 1_000),
                write_off("2026-01-10"),
            ],
            false,
            0,
            S::WrittenOff,
        ),
        (
            vec![assess("2020-04-10", 50_000), write_off("2026-01-10")],
            true,
            0,
            S::WrittenOff,
        ),
    ];
    for (entries, pending, balance, status) in cases {
        let derived = derive(&entries, pending).unwrap();
        assert_eq!(derived.position.balance, yen(balance), "{entries:?}");
        assert_eq!(derived.status, status, "{entries:?}");
    }
}

#[test]
fn invalid_ledgers_are_refused() {
    let cases: Vec<(Vec<E>, LedgerError)> = vec![
        (vec![], LedgerError::NoAssessmentFirst),
        (vec![collect("2025-05-01", 100)], LedgerError::NoAssessmentFirst),
        (
            vec![assess("2025-04-10", 0)],
            LedgerError::NonPositiveAmount { index: 0 },
        ),
        (
            vec![assess("2025-04-10", 100), collect("2025-05-01", -5)],
            LedgerError::NonPositiveAmount { index: 1 },
        ),
        (
            vec![assess("2025-04-10", 100), collect("2025-04-09", 50)],
            LedgerError::OutOfOrder { index: 1 },
        ),
        (
            // 30,000 collected: only 20,000 is left to reduce.
            vec![
                assess("2025-04-10", 50_000),
                collect("2025-05-01", 30_000),
                reduce("2025-05-02", 20_001),
            ],
            LedgerError::ReductionExceedsBalance {
                index: 2,
                amount: yen(20_001),
                balance: yen(20_000),
            },
        ),
        (
            vec![
                assess("2025-04-10", 100),
                collect("2025-05-01", 100),
                write_off("2025-06-01"),
            ],
            LedgerError::NothingToWriteOff { index: 2 },
        ),
        (
            vec![
                assess("2025-04-10", 100),
                write_off("2025-06-01"),
                collect("2025-07-01", 100),
            ],
            LedgerError::AfterWriteOff { index: 2 },
        ),
        (
            vec![
                assess("2025-04-10", 100),
                write_off("2025-06-01"),
                assess("2025-07-01", 100),
            ],
            LedgerError::AfterWriteOff { index: 2 },
        ),
    ];
    for (entries, error) in cases {
        assert_eq!(Ledger::new(entries.clone()), Err(error), "{entries:?}");
    }
}

#[test]
fn a_collection_above_the_balance_is_split_into_applied_and_overpaid() {
    // 保険者間調整: the new insurer's 療養費 (62,000) exceeds the 返納金 (60,000); the excess is the insured's.
    let ledger = Ledger::new(vec![
        assess("2025-04-10", 60_000),
        E::Collection {
            on: d("2025-09-01"),
            amount: yen(62_000),
            channel: Ch::InsurerAdjustment,
        },
    ])
    .unwrap();
    let p = ledger.position();
    assert_eq!(
        (p.collected, p.overpaid, p.balance),
        (yen(60_000), yen(2_000), Yen::ZERO)
    );
    assert_eq!(ledger.status(false), S::Collected);
    let m = ledger.movements()[1];
    assert_eq!(
        (m.kind, m.amount, m.excess),
        (MovementKind::Collection(Ch::InsurerAdjustment), yen(60_000), yen(2_000))
    );
    // Paying again once settled: all of it is overpaid.
    let again = ledger.with(collect("2025-09-05", 500)).unwrap();
    assert_eq!(
        (again.position().collected, again.position().overpaid),
        (yen(60_000), yen(2_500))
    );
}

#[test]
fn position_at_a_day_counts_entries_up_to_its_end() {
    let ledger = Ledger::new(vec![
        assess("2017-06-01", 100_000),
        collect("2018-03-31", 30_000),
        collect("2018-04-01", 20_000),
        reduce("2018-05-01", 10_000),
    ])
    .unwrap();
    assert_eq!(ledger.position_at(d("2017-05-31")).balance, Yen::ZERO);
    assert_eq!(ledger.position_at(d("2018-03-31")).balance, yen(70_000));
    assert_eq!(ledger.position_at(d("2018-04-01")).balance, yen(50_000));
    assert_eq!(ledger.position_at(d("2099-01-01")), ledger.position());
    assert_eq!(ledger.assessed_on(), d("2017-06-01"));
}
