use rust_decimal::Decimal;
use std::str::FromStr;

use super::support::*;
use crate::domain::money::Yen;
use crate::domain::receivable::civil::civil_interest;
use crate::domain::receivable::kind::ReceivableKind as K;
use crate::domain::receivable::late_charge::{
    ChargeBasis, LateChargeError, NoChargeReason as No, PrincipalEvent as P, earliest_demand_deadline, late_charge,
    late_charge_for,
};
use crate::domain::receivable::ledger::{CollectionChannel, LedgerEntry};
use crate::domain::receivable::rates::{LateChargeTable, TableError, legal_rate_on, special_rates};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn assessed(amount: i64) -> P {
    P::Assessed {
        on: d("2000-01-01"),
        amount: yen(amount),
    }
}
fn paid(on: &str, amount: i64) -> P {
    P::Paid {
        on: d(on),
        amount: yen(amount),
    }
}
fn demanded(on: &str, deadline: &str) -> P {
    P::Demanded {
        on: d(on),
        deadline: d(deadline),
        by_public_notice: false,
    }
}

#[test]
fn special_rates_by_year_match_the_section_5_table() {
    let table = LateChargeTable::kenpo_181();
    // (year, "14.6%" becomes, "7.3%" becomes) — receivables.md §5.1 and S23 for 2015-2018, 2020.
    let cases = [
        (2015, "9.1", "2.8"),
        (2016, "9.1", "2.8"),
        (2017, "9.0", "2.7"),
        (2018, "8.9", "2.6"),
        (2019, "8.9", "2.6"),
        (2020, "8.9", "2.6"),
        (2021, "8.8", "2.5"),
        (2022, "8.7", "2.4"),
        (2023, "8.7", "2.4"),
        (2024, "8.7", "2.4"),
        (2025, "8.7", "2.4"),
        (2026, "9.1", "2.8"),
    ];
    for (year, full, reduced) in cases {
        let rates = table.rates_for(year).unwrap();
        assert_eq!((rates.full, rates.reduced), (dec(full), dec(reduced)), "{year}");
        assert!(!rates.source.is_empty());
    }
    assert!(!table.rates_for(2026).unwrap().confirmed, "Q4");
    assert_eq!(table.rates_for(2014), None);
    assert_eq!(table.rates_for(2027), None);
    // At or above 7.3% the statutory rates stand; the reduced rate is capped at 7.3%.
    assert_eq!(special_rates(dec("7.3")), (dec("14.6"), dec("7.3")));
    assert_eq!(special_rates(dec("6.5")), (dec("13.8"), dec("7.3")));
    assert_eq!(LateChargeTable::new(vec![]), Err(TableError::Empty));
    let mut rows = table.rows().to_vec();
    rows.remove(3);
    assert_eq!(LateChargeTable::new(rows), Err(TableError::NotConsecutive(2017)));
}

/// receivables.md §5.1 worked example (法58条 徴収金): 123,456 yen, 納期限 2025-11-30, 督促 deadline
/// missed, paid 2026-02-15. Base 123,000.
/// 2025-12-01..12-31: 123,000 × 8.7% × 31/365 = 908.85 → 908
/// 2026-01-01..02-14: 123,000 × 9.1% × 45/365 = 1,379.96 → 1,379
/// 2,287 (exact 2,288.81) → 2,200 yen.
#[test]
fn worked_example_of_section_5() {
    let events = [
        assessed(123_456),
        demanded("2025-12-05", "2025-12-15"),
        paid("2026-02-15", 123_456),
    ];
    let charge = late_charge(
        K::BenefitRefund,
        &events,
        d("2025-11-30"),
        d("2026-03-01"),
        &LateChargeTable::kenpo_181(),
    )
    .unwrap();
    assert_eq!(charge.amount, yen(2_200));
    assert_eq!(charge.not_charged, None);
    let got: Vec<_> = charge
        .segments
        .iter()
        .map(|s| (s.from, s.to, s.days, s.base, s.rate, s.amount))
        .collect();
    assert_eq!(
        got,
        [
            (d("2025-12-01"), d("2025-12-31"), 31, yen(123_000), dec("8.7"), yen(908)),
            (
                d("2026-01-01"),
                d("2026-02-14"),
                45,
                yen(123_000),
                dec("9.1"),
                yen(1_379)
            ),
        ]
    );
    let exact: Decimal = charge.segments.iter().map(|s| s.exact).sum();
    assert_eq!(exact.round_dp(2), dec("2288.81"));
}

/// Hand-computed, partial payment (181条2項), leap year on a 365-day basis (Q5):
/// 500,000 yen, 納期限 2024-03-31, 督促 2024-04-10 (deadline 2024-04-22) missed;
/// 200,000 paid 2024-06-01, 300,000 paid 2024-09-15. Rate 2024: 8.7%.
/// 2024-04-01..05-31 (61 days) × 500,000: 500,000 × 8.7% × 61/365 = 7,269.86 → 7,269
/// 2024-06-01..09-14 (106 days) × 300,000: 300,000 × 8.7% × 106/365 = 7,579.73 → 7,579
/// 14,848 → 14,800 yen.
#[test]
fn partial_payment_lowers_the_base_from_its_day() {
    let events = [
        assessed(500_000),
        demanded("2024-04-10", "2024-04-22"),
        paid("2024-06-01", 200_000),
        paid("2024-09-15", 300_000),
    ];
    let charge = late_charge(
        K::EmployerLevy,
        &events,
        d("2024-03-31"),
        d("2025-01-01"),
        &LateChargeTable::kenpo_181(),
    )
    .unwrap();
    let got: Vec<_> = charge.segments.iter().map(|s| (s.days, s.base, s.amount)).collect();
    assert_eq!(got, [(61, yen(500_000), yen(7_269)), (106, yen(300_000), yen(7_579))]);
    assert_eq!(charge.amount, yen(14_800));
}

/// Hand-computed premium case (the two-rate structure; cf. the Shinagawa example of S27, counted
/// here to the day before payment as 181条 says): 100,000 yen, 納期限 2021-04-30, paid 2021-10-31.
/// 2021-05-01..07-31 (the 3 months, 92 days) at 2.5%: 630.13 → 630
/// 2021-08-01..10-30 (91 days) at 8.8%: 2,193.97 → 2,193
/// 2,823 → 2,800 yen.
#[test]
fn premium_basis_has_a_reduced_first_three_months() {
    let events = [
        assessed(100_000),
        demanded("2021-05-20", "2021-05-31"),
        paid("2021-10-31", 100_000),
    ];
    let table = LateChargeTable::kenpo_181();
    let charge = late_charge_for(ChargeBasis::Premium, &events, d("2021-04-30"), d("2021-12-31"), &table).unwrap();
    let got: Vec<_> = charge
        .segments
        .iter()
        .map(|s| (s.from, s.to, s.days, s.rate, s.reduced_period, s.amount))
        .collect();
    assert_eq!(
        got,
        [
            (d("2021-05-01"), d("2021-07-31"), 92, dec("2.5"), true, yen(630)),
            (d("2021-08-01"), d("2021-10-30"), 91, dec("8.8"), false, yen(2_193)),
        ]
    );
    assert_eq!(charge.amount, yen(2_800));
    // The same receivable as a non-premium 徴収金: one rate throughout (§5.1).
    let other = late_charge_for(
        ChargeBasis::OtherCollection,
        &events,
        d("2021-04-30"),
        d("2021-12-31"),
        &table,
    )
    .unwrap();
    assert!(other.segments.iter().all(|s| s.rate == dec("8.8") && !s.reduced_period));
}

#[test]
fn when_nothing_is_charged() {
    let table = LateChargeTable::kenpo_181();
    let due = d("2025-04-30");
    let on = d("2025-12-01");
    // (kind, events, as_of, reason)
    let cases: Vec<(K, Vec<P>, &str, No)> = vec![
        (
            K::OverpaymentRefund,
            vec![assessed(500_000), demanded("2025-05-10", "2025-05-20")],
            "2025-12-01",
            No::NotApplicable,
        ),
        (
            K::Damages,
            vec![assessed(500_000), demanded("2025-05-10", "2025-05-20")],
            "2025-12-01",
            No::NotApplicable,
        ),
        (
            K::LateCharge,
            vec![assessed(500_000), demanded("2025-05-10", "2025-05-20")],
            "2025-12-01",
            No::NotApplicable,
        ),
        (
            K::BenefitRefund,
            vec![assessed(999), demanded("2025-05-10", "2025-05-20")],
            "2025-12-01",
            No::PrincipalUnderThreshold,
        ),
        (K::BenefitRefund, vec![assessed(500_000)], "2025-12-01", No::NoDemand),
        (
            K::BenefitRefund,
            vec![assessed(500_000), demanded("2025-12-05", "2025-12-15")],
            "2025-12-01",
            No::NoDemand,
        ),
        (
            K::BenefitRefund,
            vec![
                assessed(500_000),
                P::Demanded {
                    on: d("2025-05-10"),
                    deadline: d("2025-05-20"),
                    by_public_notice: true,
                },
            ],
            "2025-12-01",
            No::DemandByPublicNotice,
        ),
        (
            K::BenefitRefund,
            vec![
                assessed(500_000),
                demanded("2025-05-10", "2025-05-20"),
                paid("2025-05-20", 500_000),
            ],
            "2025-12-01",
            No::SettledByDemandDeadline,
        ),
        (
            K::BenefitRefund,
            vec![assessed(500_000), demanded("2025-05-10", "2025-05-20")],
            "2025-05-15",
            No::SettledByDemandDeadline,
        ),
        // 1,500 yen: base 1,000 × 8.7% × 30/365 = 7.15 → under 100 yen.
        (
            K::BenefitRefund,
            vec![assessed(1_500), demanded("2025-05-10", "2025-05-20")],
            "2025-05-31",
            No::UnderHundredYen,
        ),
    ];
    for (kind, events, as_of, reason) in cases {
        let charge = late_charge(kind, &events, due, d(as_of), &table).unwrap();
        assert_eq!(
            (charge.amount, charge.not_charged),
            (Yen::ZERO, Some(reason)),
            "{kind} {events:?} {as_of}"
        );
    }
    // The day a partial payment brings the base under 1,000 yen, accrual stops.
    let events = [
        assessed(10_000),
        demanded("2025-05-10", "2025-05-20"),
        paid("2025-07-01", 9_500),
    ];
    let charge = late_charge(K::BenefitRefund, &events, due, on, &table).unwrap();
    assert_eq!(charge.segments.last().unwrap().to, d("2025-06-30"));
}

#[test]
fn write_off_stops_accrual_and_unknown_years_are_refused() {
    let table = LateChargeTable::kenpo_181();
    let events = [
        assessed(200_000),
        demanded("2025-05-10", "2025-05-20"),
        P::WrittenOff { on: d("2025-07-01") },
    ];
    let charge = late_charge(K::EmployerJoint, &events, d("2025-04-30"), d("2026-12-31"), &table).unwrap();
    assert_eq!(charge.segments.last().unwrap().to, d("2025-06-30"));
    let events = [assessed(200_000), demanded("2026-05-10", "2026-05-20")];
    let err = late_charge(K::EmployerJoint, &events, d("2026-04-30"), d("2027-02-01"), &table).unwrap_err();
    assert_eq!(err, LateChargeError::NoRateForYear(2027));
}

#[test]
fn demand_deadline_and_ledger_events() {
    assert_eq!(earliest_demand_deadline(d("2025-12-05")), d("2025-12-15"));
    let entries = [
        LedgerEntry::Assessment {
            on: d("2025-04-01"),
            amount: yen(10_000),
        },
        LedgerEntry::Collection {
            on: d("2025-05-01"),
            amount: yen(4_000),
            channel: CollectionChannel::Cash,
        },
    ];
    assert_eq!(
        P::from_ledger(&entries),
        [
            P::Assessed {
                on: d("2025-04-01"),
                amount: yen(10_000)
            },
            paid("2025-05-01", 4_000)
        ]
    );
}

/// Civil interest, opt-in (§5.3): 返納金 300,000, in delay from 2025-05-01, 100,000 paid
/// 2025-06-01, the rest 2025-07-01. Legal rate 3%.
/// 05-01..05-31 (31 days) × 300,000 × 3% / 365 = 764.38; 06-01..06-30 (30 days) × 200,000 = 493.15;
/// 1,257.53 → 1,257 yen.
#[test]
fn civil_interest_at_the_legal_rate() {
    let events = [
        assessed(300_000),
        paid("2025-06-01", 100_000),
        paid("2025-07-01", 200_000),
    ];
    let interest = civil_interest(&events, d("2025-05-01"), d("2025-12-31")).unwrap();
    assert_eq!(interest.rate, dec("3.0"));
    assert_eq!(interest.amount, yen(1_257));
    assert_eq!(interest.segments.iter().map(|s| s.days).collect::<Vec<_>>(), [31, 30]);
    // Delay begun before 2020-04-01 keeps 5% for the whole claim (民法419条1項):
    // 100,000 × 5% × 61/365 = 835.61 → 835.
    let old = civil_interest(&[assessed(100_000)], d("2020-03-01"), d("2020-05-01")).unwrap();
    assert_eq!((old.rate, old.amount), (dec("5.0"), yen(835)));
    assert_eq!(legal_rate_on(d("2029-04-01")), None);
    assert_eq!(
        civil_interest(&[assessed(100)], d("2029-04-01"), d("2029-05-01")),
        Err(LateChargeError::NoLegalRate(d("2029-04-01")))
    );
}
