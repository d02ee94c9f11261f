use rust_decimal::Decimal;
use std::str::FromStr;

use crate::domain::money::Yen;

use super::support::*;
use crate::domain::calendar::FiscalYear;
use crate::domain::receivable::fiscal::{
    FiscalClass, RecoveryFigures, RecoveryTotals, TotalsDelta, contribution_change, fiscal_class,
    fiscal_year_of_assessment, recovery_figures, recovery_rate, round_rate_half_up,
};
use crate::domain::receivable::ledger::{CollectionChannel, Ledger, LedgerEntry as E, WriteOffReason};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

#[test]
fn fiscal_year_boundary_is_april_first() {
    // (assessed on, its fiscal year, class for FY2017, class for FY2018)
    let cases = [
        ("2018-03-31", 2017, Some(FiscalClass::Current), Some(FiscalClass::Prior)),
        ("2018-04-01", 2018, None, Some(FiscalClass::Current)),
        ("2017-04-01", 2017, Some(FiscalClass::Current), Some(FiscalClass::Prior)),
        ("2017-03-31", 2016, Some(FiscalClass::Prior), Some(FiscalClass::Prior)),
    ];
    for (on, own, in_2017, in_2018) in cases {
        assert_eq!(fiscal_year_of_assessment(d(on)).start_year(), own, "{on}");
        assert_eq!(fiscal_class(d(on), fy(2017)), in_2017, "{on}");
        assert_eq!(fiscal_class(d(on), fy(2018)), in_2018, "{on}");
    }
}

#[test]
fn seed_a_fy2017_recovery_rates() {
    // SEED-A 【平成29年度 債権回収率】 and 【返納金の内訳（現年度）】: (collected, assessed, rate).
    let cases = [
        (37_902_197, 49_826_384, "76.07"), // 返納金 現年度
        (13_116_401, 47_122_720, "27.83"), // 返納金 過年度
        (81_430_652, 85_191_603, "95.59"), // 損害賠償金 現年度
        (2_051_292, 14_248_201, "14.40"),  // 損害賠償金 過年度
        (30_087, 30_087, "100"),           // 診療報酬返還金 現年度
        (0, 3_506_916, "0"),               // 診療報酬返還金 過年度
        (12_455_509, 18_612_504, "66.92"), // 無資格受診
        (3_037_516, 4_304_297, "70.57"),   // 業務上傷病
        (18_270_163, 21_602_169, "84.58"), // 障害年金調整
        (1_515_657, 1_984_487, "76.38"),   // 老齢年金調整
        (2_623_352, 3_322_927, "78.95"),   // その他
    ];
    for (collected, assessed, rate) in cases {
        assert_eq!(
            recovery_rate(yen(collected), yen(assessed)),
            Some(dec(rate)),
            "{collected}/{assessed}"
        );
    }
    assert_eq!(recovery_rate(yen(5), yen(0)), None);
}

#[test]
fn seed_a_breakdown_counts_and_totals() {
    // 件数: (調定, 回収, rate) per breakdown line; the five amount lines sum to the 現年度 total.
    let mut totals = RecoveryTotals::default();
    let lines = [
        (1_080, 873, "80.83", 18_612_504, 12_455_509),
        (41, 38, "92.68", 4_304_297, 3_037_516),
        (78, 63, "80.77", 21_602_169, 18_270_163),
        (30, 26, "86.67", 1_984_487, 1_515_657),
        (90, 82, "91.11", 3_322_927, 2_623_352),
    ];
    for (count, collected_count, rate, assessed, collected) in lines {
        let line = RecoveryTotals {
            count,
            collected_count,
            assessed: yen(assessed),
            collected: yen(collected),
        };
        assert_eq!(line.count_rate(), Some(dec(rate)));
        totals.assessed += line.assessed;
        totals.collected += line.collected;
    }
    assert_eq!((totals.assessed, totals.collected), (yen(49_826_384), yen(37_902_197)));
    assert_eq!(totals.rate(), Some(dec("76.07")));
}

#[test]
fn rounding_is_half_up_to_two_places() {
    for (raw, rounded) in [
        ("27.835", "27.84"),
        ("27.8349", "27.83"),
        ("76.065", "76.07"),
        ("0.004", "0.00"),
    ] {
        assert_eq!(round_rate_half_up(dec(raw)), dec(rounded), "{raw}");
    }
}

#[test]
fn figures_for_current_and_prior_years() {
    let ledger = Ledger::new(vec![
        E::Assessment {
            on: d("2017-10-02"),
            amount: yen(100_000),
        },
        E::Collection {
            on: d("2018-01-15"),
            amount: yen(30_000),
            channel: CollectionChannel::PaymentSlip,
        },
        E::Reduction {
            on: d("2018-02-01"),
            amount: yen(10_000),
        },
        E::Collection {
            on: d("2018-05-15"),
            amount: yen(20_000),
            channel: CollectionChannel::BankTransfer,
        },
        E::Reduction {
            on: d("2018-06-01"),
            amount: yen(5_000),
        },
        E::Collection {
            on: d("2019-04-20"),
            amount: yen(1_000),
            channel: CollectionChannel::Cash,
        },
        E::WriteOff {
            on: d("2019-06-01"),
            reason: WriteOffReason::Uncollectible,
        },
    ])
    .unwrap();
    // FY2017: assessed 100,000 - reduced 10,000 = 90,000; collected 30,000.
    let current = recovery_figures(&ledger, fy(2017)).unwrap();
    assert_eq!(
        current,
        RecoveryFigures {
            class: FiscalClass::Current,
            assessed: yen(90_000),
            collected: yen(30_000)
        }
    );
    // FY2018: carried in 60,000 - reduced 5,000 = 55,000; collected 20,000.
    let prior = recovery_figures(&ledger, fy(2018)).unwrap();
    assert_eq!(
        prior,
        RecoveryFigures {
            class: FiscalClass::Prior,
            assessed: yen(55_000),
            collected: yen(20_000)
        }
    );
    // FY2019: carried in 35,000; collected 1,000; the write-off of 34,000 is not a collection.
    let later = recovery_figures(&ledger, fy(2019)).unwrap();
    assert_eq!((later.assessed, later.collected), (yen(35_000), yen(1_000)));
    // FY2020: nothing carried in; FY2016: not yet assessed.
    assert_eq!(recovery_figures(&ledger, fy(2020)), None);
    assert_eq!(recovery_figures(&ledger, fy(2016)), None);
}

#[test]
fn summed_movements_give_the_ledgers_figures() {
    use crate::domain::receivable::fiscal::{YearMovements, figures_of};
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let fy = crate::domain::calendar::FiscalYear::new(2017).unwrap();
    // SEED-A 返納金 過年度: 47,122,720 carried in, 13,116,401 collected in the year.
    let prior = YearMovements {
        assessed_on: d(2016, 6, 1),
        carried: Yen::new(47_122_720),
        assessed_in: Yen::ZERO,
        reduced_in: Yen::ZERO,
        collected_in: Yen::new(13_116_401),
    };
    let f = figures_of(&prior, fy).unwrap();
    assert_eq!(
        (f.class, f.assessed, f.collected),
        (FiscalClass::Prior, Yen::new(47_122_720), Yen::new(13_116_401))
    );
    // Nothing carried in: not in the year's prior rows. Assessed after the year: in no row.
    assert!(
        figures_of(
            &YearMovements {
                carried: Yen::ZERO,
                ..prior
            },
            fy
        )
        .is_none()
    );
    assert!(
        figures_of(
            &YearMovements {
                assessed_on: d(2018, 4, 1),
                ..prior
            },
            fy
        )
        .is_none()
    );
    // Current: in-year reductions lower the base.
    let current = YearMovements {
        assessed_on: d(2017, 6, 1),
        carried: Yen::ZERO,
        assessed_in: Yen::new(100_000),
        reduced_in: Yen::new(10_000),
        collected_in: Yen::new(45_000),
    };
    let f = figures_of(&current, fy).unwrap();
    assert_eq!((f.class, f.assessed), (FiscalClass::Current, Yen::new(90_000)));
}

#[test]
fn a_collection_changes_its_year_and_what_later_years_carry_in() {
    let assessed = Ledger::new(vec![E::Assessment {
        on: d("2017-10-02"),
        amount: yen(100_000),
    }])
    .unwrap();
    // New: current in FY2017, carried into FY2018 and later; nothing before.
    assert_eq!(contribution_change(None, &assessed, fy(2016)), None);
    assert_eq!(
        contribution_change(None, &assessed, fy(2017)),
        Some((
            FiscalClass::Current,
            TotalsDelta {
                count: 1,
                collected_count: 0,
                assessed: yen(100_000),
                collected: yen(0)
            }
        ))
    );
    assert_eq!(
        contribution_change(None, &assessed, fy(2019)).map(|c| c.0),
        Some(FiscalClass::Prior)
    );
    // Paid in full in May 2018: FY2017 is untouched, FY2018 gains a collection, FY2019 loses
    // the receivable (nothing carried in any more).
    let paid = assessed
        .clone()
        .with(E::Collection {
            on: d("2018-05-15"),
            amount: yen(100_000),
            channel: CollectionChannel::BankTransfer,
        })
        .unwrap();
    assert_eq!(contribution_change(Some(&assessed), &paid, fy(2017)), None);
    assert_eq!(
        contribution_change(Some(&assessed), &paid, fy(2018)),
        Some((
            FiscalClass::Prior,
            TotalsDelta {
                count: 0,
                collected_count: 1,
                assessed: yen(0),
                collected: yen(100_000)
            }
        ))
    );
    assert_eq!(
        contribution_change(Some(&assessed), &paid, fy(2019)),
        Some((
            FiscalClass::Prior,
            TotalsDelta {
                count: -1,
                collected_count: 0,
                assessed: yen(-100_000),
                collected: yen(0)
            }
        ))
    );
}
