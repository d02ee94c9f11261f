use super::support::*;
use crate::domain::money::Yen;
use crate::domain::receivable::installment::{
    DefaultRule, InstallmentError, InstallmentStatus as St, PlanPayment, plan_position, schedule,
};

#[test]
fn schedules_split_evenly_and_the_last_takes_the_remainder() {
    // (total, count, first due, amounts, due dates)
    let cases: Vec<(i64, u32, &str, Vec<i64>, Vec<&str>)> = vec![
        (
            100_000,
            3,
            "2025-01-31",
            vec![33_333, 33_333, 33_334],
            vec!["2025-01-31", "2025-02-28", "2025-03-31"],
        ),
        (
            90_000,
            3,
            "2025-05-25",
            vec![30_000, 30_000, 30_000],
            vec!["2025-05-25", "2025-06-25", "2025-07-25"],
        ),
        (1_000, 1, "2025-05-25", vec![1_000], vec!["2025-05-25"]),
        (
            10,
            4,
            "2024-11-30",
            vec![2, 2, 2, 4],
            vec!["2024-11-30", "2024-12-30", "2025-01-30", "2025-02-28"],
        ),
    ];
    for (total, count, first, amounts, dates) in cases {
        let plan = schedule(yen(total), count, d(first)).unwrap();
        assert_eq!(plan.iter().map(|i| i.amount.as_i64()).collect::<Vec<_>>(), amounts);
        assert_eq!(
            plan.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            dates.iter().map(|s| d(s)).collect::<Vec<_>>()
        );
        assert_eq!(plan.iter().map(|i| i.amount).sum::<Yen>(), yen(total));
        assert_eq!(plan.last().unwrap().number, count);
    }
    assert_eq!(
        schedule(yen(0), 3, d("2025-01-01")),
        Err(InstallmentError::NonPositiveTotal)
    );
    assert_eq!(
        schedule(yen(100), 0, d("2025-01-01")),
        Err(InstallmentError::NoInstalments)
    );
    assert_eq!(
        schedule(yen(2), 3, d("2025-01-01")),
        Err(InstallmentError::TooManyInstalments { count: 3 })
    );
}

#[test]
fn default_after_two_missed_instalments() {
    // 30,000 in 3: 05-25, 06-25, 07-25; 10,000 paid 05-20.
    let plan = schedule(yen(30_000), 3, d("2025-05-25")).unwrap();
    let first = PlanPayment {
        on: d("2025-05-20"),
        amount: yen(10_000),
    };
    let rule = DefaultRule::SEED;
    // (payments, on, status, missed, arrears)
    let cases: Vec<(Vec<PlanPayment>, &str, St, u32, i64)> = vec![
        (vec![], "2025-05-25", St::Active, 0, 0),
        (vec![], "2025-05-26", St::Active, 1, 10_000),
        (vec![first], "2025-06-25", St::Active, 0, 0),
        (vec![first], "2025-06-26", St::Active, 1, 10_000),
        (vec![first], "2025-07-26", St::Defaulted, 2, 20_000),
        (
            vec![
                first,
                PlanPayment {
                    on: d("2025-07-30"),
                    amount: yen(20_000),
                },
            ],
            "2025-07-31",
            St::Completed,
            0,
            0,
        ),
        // Brought up to date: active again (the status is computed).
        (
            vec![
                first,
                PlanPayment {
                    on: d("2025-07-30"),
                    amount: yen(10_000),
                },
            ],
            "2025-07-31",
            St::Active,
            1,
            10_000,
        ),
    ];
    for (payments, on, status, missed, arrears) in cases {
        let p = plan_position(&plan, &payments, d(on), None, rule);
        assert_eq!(
            (p.status, p.missed, p.arrears),
            (status, missed, yen(arrears)),
            "{on} {payments:?}"
        );
    }
    let p = plan_position(&plan, &[first], d("2025-06-01"), None, rule);
    assert_eq!(p.next.map(|i| i.number), Some(2));
    assert_eq!(
        plan_position(&plan, &[], d("2025-08-01"), Some(d("2025-07-01")), rule).status,
        St::Cancelled
    );
    let strict = DefaultRule { missed_instalments: 1 };
    assert_eq!(
        plan_position(&plan, &[], d("2025-05-26"), None, strict).status,
        St::Defaulted
    );
}

#[test]
fn collections_from_the_pledge_on_pay_the_plan() {
    use crate::domain::receivable::installment::{PlanPayment, plan_payments};
    use crate::domain::receivable::ledger::{CollectionChannel, Ledger, LedgerEntry as E};
    let collect = |on: &str, amount: i64| E::Collection {
        on: d(on),
        amount: yen(amount),
        channel: CollectionChannel::BankTransfer,
    };
    let ledger = Ledger::new(vec![
        E::Assessment {
            on: d("2026-01-05"),
            amount: yen(120_000),
        },
        collect("2026-02-01", 10_000),
        collect("2026-03-01", 20_000),
        E::Reduction {
            on: d("2026-03-10"),
            amount: yen(5_000),
        },
        collect("2026-04-01", 20_000),
    ])
    .unwrap();
    assert_eq!(
        plan_payments(&ledger, d("2026-03-01")),
        vec![
            PlanPayment {
                on: d("2026-03-01"),
                amount: yen(20_000)
            },
            PlanPayment {
                on: d("2026-04-01"),
                amount: yen(20_000)
            }
        ]
    );
    assert!(plan_payments(&ledger, d("2026-04-02")).is_empty());
}
