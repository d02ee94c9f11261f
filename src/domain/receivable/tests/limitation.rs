use super::support::*;
use crate::domain::receivable::action::ActionKind;
use crate::domain::receivable::kind::ReceivableKind as K;
use crate::domain::receivable::limitation::{
    Ignored, LimitationEvent, LimitationEventKind as Ev, LimitationStart, in_warning_window, limitation,
    limitation_period, warning_from,
};
use crate::domain::receivable::period::{end_of_days, end_of_months, end_of_years};

fn start(kind: K, on: &str) -> LimitationStart {
    LimitationStart {
        kind,
        arose_on: d(on),
        exercisable_on: d(on),
    }
}
fn ev(kind: Ev, on: &str) -> LimitationEvent {
    LimitationEvent { kind, on: d(on) }
}

#[test]
fn periods_by_kind() {
    // (kind, arose on, years) — receivables.md §6.1.
    let cases = [
        (K::BenefitRefund, "2025-04-01", 2),
        (K::EmployerJoint, "2025-04-01", 2),
        (K::EmployerLevy, "2025-04-01", 2),
        (K::LateCharge, "2025-04-01", 2),
        (K::ProviderRefund, "2025-04-01", 2),
        (K::Damages, "2025-04-01", 3),
        (K::OverpaymentRefund, "2020-04-01", 5),
        (K::OverpaymentRefund, "2020-03-31", 10),
        (K::HighCostLoan, "2021-01-01", 5),
        (K::ChildbirthLoan, "2019-01-01", 10),
    ];
    for (kind, arose, years) in cases {
        assert_eq!(limitation_period(kind, d(arose)).years, years, "{kind} {arose}");
    }
    assert!(!limitation_period(K::ProviderRefund, d("2025-04-01")).confirmed, "Q7");
}

#[test]
fn completion_renewal_and_suspension() {
    // (start, events, completes on, the event that last moved it)
    let cases: Vec<(
        LimitationStart,
        Vec<LimitationEvent>,
        Option<&str>,
        Option<LimitationEvent>,
    )> = vec![
        // 2 years from the day after 2025-04-01.
        (start(K::BenefitRefund, "2025-04-01"), vec![], Some("2027-04-01"), None),
        // Renewal by acknowledgment (民法152条): 2 years from the day after it.
        (
            start(K::BenefitRefund, "2025-04-01"),
            vec![ev(Ev::Acknowledgment, "2026-10-15")],
            Some("2028-10-15"),
            Some(ev(Ev::Acknowledgment, "2026-10-15")),
        ),
        // Renewal by partial payment of a civil 返納金: 5 years from the day after the payment.
        (
            start(K::OverpaymentRefund, "2021-06-10"),
            vec![ev(Ev::PartialPayment, "2025-02-03")],
            Some("2030-02-03"),
            Some(ev(Ev::PartialPayment, "2025-02-03")),
        ),
        // An installment pledge renews too (§9).
        (
            start(K::OverpaymentRefund, "2021-06-10"),
            vec![
                ev(Ev::PartialPayment, "2022-01-10"),
                ev(Ev::InstallmentPledge, "2023-03-01"),
            ],
            Some("2028-03-01"),
            Some(ev(Ev::InstallmentPledge, "2023-03-01")),
        ),
        // 督促 renews a statutory 徴収金 (健康保険法193条2項)...
        (
            start(K::BenefitRefund, "2025-04-01"),
            vec![ev(Ev::StatutoryDemand, "2025-06-10")],
            Some("2027-06-10"),
            Some(ev(Ev::StatutoryDemand, "2025-06-10")),
        ),
        // ...but on a civil claim it is a 催告: 6 months' suspension only, and early on it moves nothing.
        (
            start(K::OverpaymentRefund, "2021-06-10"),
            vec![ev(Ev::StatutoryDemand, "2022-06-10")],
            Some("2026-06-10"),
            None,
        ),
        // 催告 near completion: held until 6 months after it; a second one within them is void.
        (
            start(K::OverpaymentRefund, "2021-06-10"),
            vec![ev(Ev::Demand, "2026-05-01"), ev(Ev::Demand, "2026-08-01")],
            Some("2026-11-01"),
            Some(ev(Ev::Demand, "2026-05-01")),
        ),
        // Leap day: exercisable 2024-02-28, counted from 02-29, no 2026-02-29: ends 02-28 (民法143条).
        (start(K::EmployerLevy, "2024-02-28"), vec![], Some("2026-02-28"), None),
        // Damages: 3 years.
        (start(K::Damages, "2023-07-07"), vec![], Some("2026-07-07"), None),
        // Events after completion change nothing.
        (
            start(K::BenefitRefund, "2022-04-01"),
            vec![ev(Ev::Acknowledgment, "2024-04-02")],
            Some("2024-04-01"),
            None,
        ),
    ];
    for (start, events, completes, moved_by) in cases {
        let clock = limitation(start, &events);
        assert_eq!(clock.completes_on, completes.map(d), "{start:?} {events:?}");
        assert_eq!(clock.moved_by, moved_by, "{start:?} {events:?}");
    }
}

#[test]
fn payment_orders_suspend_then_renew_for_ten_years_or_hold_six_months() {
    let s = start(K::OverpaymentRefund, "2021-06-10");
    let filed = ev(Ev::PaymentOrderFiled, "2026-03-01");
    let pending = limitation(s, &[filed]);
    assert_eq!((pending.completes_on, pending.proceedings_pending), (None, true));
    assert!(!pending.is_completed(d("2030-01-01")));
    assert_eq!(pending.moved_by, Some(filed));
    // Confirmed (unopposed 仮執行宣言付支払督促): 10 years (民法169条), even after the old end date.
    let confirmed = limitation(s, &[filed, ev(Ev::JudgmentFinal, "2026-07-20")]);
    assert_eq!(confirmed.completes_on, Some(d("2036-07-20")));
    assert_eq!(confirmed.period.years, 10);
    let renewed = limitation(
        s,
        &[
            filed,
            ev(Ev::JudgmentFinal, "2026-07-20"),
            ev(Ev::Acknowledgment, "2030-01-10"),
        ],
    );
    assert_eq!(renewed.completes_on, Some(d("2040-01-10")));
    // Lapsed without confirmation: completes 6 months after the end (民法147条1項).
    let lapsed = limitation(s, &[filed, ev(Ev::ProceedingsEnded, "2026-08-15")]);
    assert_eq!(
        (lapsed.completes_on, lapsed.suspended_until),
        (Some(d("2027-02-15")), Some(d("2027-02-15")))
    );
    // A confirmation with nothing pending is ignored.
    let stray = limitation(s, &[ev(Ev::JudgmentFinal, "2022-01-01")]);
    assert_eq!(
        stray.ignored,
        [(ev(Ev::JudgmentFinal, "2022-01-01"), Ignored::NoProceedings)]
    );
    assert_eq!(stray.completes_on, Some(d("2026-06-10")));
}

#[test]
fn ignored_events_say_why() {
    let clock = limitation(
        start(K::OverpaymentRefund, "2021-06-10"),
        &[
            ev(Ev::Demand, "2026-08-01"),
            ev(Ev::Demand, "2026-05-01"),
            ev(Ev::Acknowledgment, "2027-01-01"),
        ],
    );
    assert_eq!(
        clock.ignored,
        [
            (ev(Ev::Demand, "2026-08-01"), Ignored::RepeatedDemand),
            (ev(Ev::Acknowledgment, "2027-01-01"), Ignored::AfterCompletion)
        ]
    );
    assert!(clock.is_completed(d("2026-11-02")));
    assert!(!clock.is_completed(d("2026-11-01")));
}

#[test]
fn ninety_day_warning() {
    let completes = d("2027-04-01");
    for (on, due) in [
        ("2026-12-31", false),
        ("2027-01-01", true),
        ("2027-04-01", true),
        ("2027-04-02", false),
    ] {
        assert_eq!(in_warning_window(completes, d(on)), due, "{on}");
    }
    assert_eq!(warning_from(completes), d("2027-01-01"));
    let clock = limitation(start(K::BenefitRefund, "2025-04-01"), &[]);
    assert!(clock.warning_due(d("2027-02-01")));
}

#[test]
fn what_actions_mean_for_the_clock() {
    let cases = [
        (ActionKind::PaymentSlip, Some(Ev::PaymentNotice)),
        (ActionKind::Notice, Some(Ev::Demand)),
        (ActionKind::SecondNotice, Some(Ev::Demand)),
        (ActionKind::FinalNotice, Some(Ev::Demand)),
        (ActionKind::WorkplaceNotice, Some(Ev::Demand)),
        (ActionKind::StatutoryDemand, Some(Ev::StatutoryDemand)),
        (ActionKind::PaymentOrderFiled, Some(Ev::PaymentOrderFiled)),
        (ActionKind::Acknowledgment, Some(Ev::Acknowledgment)),
        (ActionKind::Phone, None),
        (ActionKind::Visit, None),
        (ActionKind::AdjustmentOffered, None),
    ];
    assert_eq!(cases.len(), ActionKind::ALL.len());
    for (action, event) in cases {
        assert_eq!(Ev::from_action(action), event, "{action}");
    }
}

#[test]
fn civil_code_period_arithmetic() {
    // (first day counted, months, last day) — 民法143条.
    let cases = [
        ("2025-12-01", 3, "2026-02-28"),
        ("2025-01-31", 3, "2025-04-30"),
        ("2025-05-02", 6, "2025-11-01"),
        ("2024-02-29", 24, "2026-02-28"),
        ("2024-03-01", 12, "2025-02-28"),
        ("2023-03-01", 12, "2024-02-29"),
    ];
    for (first, months, last) in cases {
        assert_eq!(end_of_months(d(first), months), d(last), "{first} + {months}");
    }
    assert_eq!(end_of_years(d("2021-06-11"), 5), d("2026-06-10"));
    assert_eq!(end_of_days(d("2026-03-03"), 14), d("2026-03-16"));
    assert_eq!(end_of_days(d("2026-03-03"), 1), d("2026-03-03"));
}

#[test]
fn a_receivables_records_become_the_events_of_its_clock() {
    use crate::domain::receivable::ledger::{CollectionChannel, Ledger, LedgerEntry as E};
    use crate::domain::receivable::limitation::{LimitationEvent as Ev, LimitationEventKind as EK, events_of};
    let ledger = Ledger::new(vec![
        E::Assessment {
            on: d("2025-04-01"),
            amount: yen(100_000),
        },
        E::Collection {
            on: d("2025-06-10"),
            amount: yen(10_000),
            channel: CollectionChannel::PaymentSlip,
        },
    ])
    .unwrap();
    let events = events_of(
        [
            (ActionKind::Phone, d("2025-05-01")),
            (ActionKind::Notice, d("2025-05-02")),
            (ActionKind::PaymentOrderFiled, d("2025-07-01")),
        ],
        &ledger,
        [d("2025-06-20")],
        [
            (Some("final"), Some(d("2025-09-01"))),
            (Some("lapsed"), Some(d("2025-10-01"))),
            (Some("objection"), Some(d("2025-08-01"))),
            (Some("final"), None),
            (None, None),
        ],
    );
    let ev = |kind, on: &str| Ev { kind, on: d(on) };
    // A call is no 催告; an objection moves nothing by itself; an outcome without a date is skipped.
    assert_eq!(
        events,
        vec![
            ev(EK::Demand, "2025-05-02"),
            ev(EK::PaymentOrderFiled, "2025-07-01"),
            ev(EK::PartialPayment, "2025-06-10"),
            ev(EK::InstallmentPledge, "2025-06-20"),
            ev(EK::JudgmentFinal, "2025-09-01"),
            ev(EK::ProceedingsEnded, "2025-10-01"),
        ]
    );
}
