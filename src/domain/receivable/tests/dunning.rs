use chrono::NaiveDate;

use super::support::*;
use crate::domain::calendar::FiscalYear;
use crate::domain::receivable::action::{ActionKind as A, ActionOutcome, TakenAction};
use crate::domain::receivable::dunning::{DunningFacts, DunningPolicy, RULES, due_actions, due_actions_with};
use crate::domain::receivable::kind::{DebtorKind, ReceivableKind as K, RefundReason};
use crate::domain::receivable::ledger::ReceivableStatus as S;

/// A 150,000-yen 資格喪失後受診 返納金 assessed 2025-05-01, due 2025-05-31, phone known.
fn facts() -> DunningFacts {
    DunningFacts {
        kind: K::OverpaymentRefund,
        reason: Some(RefundReason::IneligibleVisit),
        debtor: DebtorKind::Person,
        assessed_on: d("2025-05-01"),
        due_on: d("2025-05-31"),
        assessed_amount: yen(150_000),
        balance: yen(150_000),
        collected: yen(0),
        status: S::Open,
        phone_known: true,
        workplace_known: false,
        installment_active: false,
        adjustment_pending: false,
        rotation_key: 0,
        limitation_completes_on: Some(d("2030-05-01")),
    }
}

fn act(kind: A, on: &str) -> TakenAction {
    TakenAction {
        kind,
        on: d(on),
        outcome: None,
    }
}

fn run(f: &DunningFacts, taken: &[TakenAction], on: &str) -> Vec<(A, &'static str)> {
    let due = due_actions(f, taken, d(on));
    assert!(due.iter().all(|a| !a.reason.is_empty()));
    due.into_iter().map(|a| (a.kind, a.rule_id)).collect()
}

/// The history of the base receivable up to and including `upto` actions.
fn history(upto: usize) -> Vec<TakenAction> {
    let all = [
        act(A::Phone, "2025-05-02"),
        act(A::PaymentSlip, "2025-05-02"),
        act(A::Notice, "2025-06-14"),
        act(A::AdjustmentOffered, "2025-06-14"),
        act(A::SecondNotice, "2025-06-28"),
        act(A::AdjustmentOffered, "2025-06-28"),
        act(A::Phone, "2025-07-05"),
        act(A::FinalNotice, "2025-07-28"),
        act(A::AdjustmentOffered, "2025-07-28"),
    ];
    all[..upto].to_vec()
}

#[test]
fn new_receivable_sequence_day_by_day() {
    let f = facts();
    let low = DunningFacts {
        assessed_amount: yen(50_000),
        balance: yen(50_000),
        ..facts()
    };
    let no_phone = DunningFacts {
        phone_known: false,
        ..facts()
    };
    let statutory = DunningFacts {
        kind: K::BenefitRefund,
        reason: None,
        ..facts()
    };
    // (facts, actions taken, day, due)
    let cases: Vec<(&DunningFacts, Vec<TakenAction>, &str, Vec<(A, &str)>)> = vec![
        // High value, phone known: call first; the slip waits (at most 7 days).
        (&f, history(0), "2025-05-01", vec![(A::Phone, "high_value_call")]),
        (&f, history(0), "2025-05-07", vec![(A::Phone, "high_value_call")]),
        (
            &f,
            history(0),
            "2025-05-08",
            vec![(A::Phone, "high_value_call"), (A::PaymentSlip, "payment_slip")],
        ),
        (&f, history(1), "2025-05-02", vec![(A::PaymentSlip, "payment_slip")]),
        // Under 100,000 yen, or no phone number: the slip at once.
        (&low, history(0), "2025-05-01", vec![(A::PaymentSlip, "payment_slip")]),
        (
            &no_phone,
            history(0),
            "2025-05-01",
            vec![(A::PaymentSlip, "payment_slip")],
        ),
        // Written dunning 14 days after the due date, with the 保険者間調整 leaflet.
        (&f, history(2), "2025-06-13", vec![]),
        (
            &f,
            history(2),
            "2025-06-14",
            vec![
                (A::Notice, "first_written_dunning"),
                (A::AdjustmentOffered, "adjustment_leaflet"),
            ],
        ),
        // A statutory 徴収金 gets a 督促 instead, and no leaflet.
        (
            &statutory,
            history(2),
            "2025-06-14",
            vec![(A::StatutoryDemand, "first_written_dunning")],
        ),
        // Second notice 14 days after the first.
        (&f, history(4), "2025-06-27", vec![]),
        (
            &f,
            history(4),
            "2025-06-28",
            vec![
                (A::SecondNotice, "second_notice"),
                (A::AdjustmentOffered, "adjustment_leaflet"),
            ],
        ),
        // Follow-up call 7 days after the second notice.
        (&f, history(6), "2025-07-04", vec![]),
        (&f, history(6), "2025-07-05", vec![(A::Phone, "phone_follow_up")]),
        (&no_phone, history(6), "2025-07-05", vec![]),
        // Final notice 30 days after the second.
        (&f, history(7), "2025-07-27", vec![]),
        (
            &f,
            history(7),
            "2025-07-28",
            vec![
                (A::FinalNotice, "final_notice"),
                (A::AdjustmentOffered, "adjustment_leaflet"),
            ],
        ),
        // Legal action 14 days after an unanswered final notice.
        (&f, history(9), "2025-08-10", vec![]),
        (
            &f,
            history(9),
            "2025-08-11",
            vec![(A::PaymentOrderFiled, "legal_action")],
        ),
        (
            &f,
            [history(9), vec![act(A::PaymentOrderFiled, "2025-08-20")]].concat(),
            "2025-08-21",
            vec![],
        ),
    ];
    for (facts, taken, on, expected) in cases {
        assert_eq!(
            run(facts, &taken, on),
            expected,
            "{on} after {} actions ({})",
            taken.len(),
            facts.kind
        );
    }
}

#[test]
fn legal_action_six_months_after_assessment_unless_the_debtor_responded() {
    let f = facts();
    let taken = history(7); // no final notice yet
    let deadline_day = vec![
        (A::FinalNotice, "final_notice"),
        (A::AdjustmentOffered, "adjustment_leaflet"),
        (A::PaymentOrderFiled, "legal_action"),
    ];
    assert_eq!(run(&f, &taken, "2025-10-31")[..2], deadline_day[..2]);
    assert_eq!(run(&f, &taken, "2025-11-01"), deadline_day);
    let reason = &due_actions(&f, &taken, d("2025-11-01"))[2].reason;
    assert!(reason.contains("6 months"), "{reason}");
    // Something collected: an answer, so no legal action.
    let paying = DunningFacts {
        collected: yen(10_000),
        balance: yen(140_000),
        status: S::PartiallyCollected,
        ..facts()
    };
    assert_eq!(run(&paying, &taken, "2025-11-01"), deadline_day[..2]);
    // A promise holds legal action 30 days; a refusal does not.
    let promise = TakenAction {
        kind: A::Phone,
        on: d("2025-10-20"),
        outcome: Some(ActionOutcome::Promised),
    };
    let refusal = TakenAction {
        kind: A::Phone,
        on: d("2025-10-20"),
        outcome: Some(ActionOutcome::Refused),
    };
    let with = |extra: TakenAction| [taken.clone(), vec![extra]].concat();
    assert_eq!(run(&f, &with(promise), "2025-11-01"), deadline_day[..2]);
    assert_eq!(run(&f, &with(promise), "2025-11-20"), deadline_day);
    assert_eq!(run(&f, &with(refusal), "2025-11-01"), deadline_day);
    // An acknowledgment is an answer too.
    assert_eq!(
        run(&f, &with(act(A::Acknowledgment, "2025-09-01")), "2025-11-01"),
        deadline_day[..2]
    );
    // Never against another insurer.
    let insurer = DunningFacts {
        debtor: DebtorKind::Insurer,
        ..facts()
    };
    assert_eq!(run(&insurer, &taken, "2025-11-01"), [(A::FinalNotice, "final_notice")]);
}

#[test]
fn nothing_while_collected_in_court_on_installments_or_in_adjustment() {
    let taken = history(7);
    let paused = [
        DunningFacts {
            status: S::InLegal,
            ..facts()
        },
        DunningFacts {
            status: S::Collected,
            balance: yen(0),
            collected: yen(150_000),
            ..facts()
        },
        DunningFacts {
            status: S::WrittenOff,
            balance: yen(0),
            ..facts()
        },
        DunningFacts {
            installment_active: true,
            ..facts()
        },
        DunningFacts {
            adjustment_pending: true,
            ..facts()
        },
    ];
    for f in paused {
        assert_eq!(run(&f, &taken, "2025-11-01"), [], "{f:?}");
    }
}

/// A prior-year 返納金 (work injury: no leaflet) whose sequence ended with the final notice; the
/// debtor pays a little, so no legal action.
fn prior_year(rotation_key: u64) -> DunningFacts {
    DunningFacts {
        reason: Some(RefundReason::WorkInjury),
        assessed_on: d("2024-05-01"),
        due_on: d("2024-05-31"),
        collected: yen(5_000),
        balance: yen(145_000),
        status: S::PartiallyCollected,
        rotation_key,
        ..facts()
    }
}

fn prior_history() -> Vec<TakenAction> {
    vec![
        act(A::PaymentSlip, "2024-05-01"),
        act(A::Notice, "2024-06-14"),
        act(A::SecondNotice, "2024-06-28"),
        act(A::Phone, "2024-07-05"),
        act(A::FinalNotice, "2024-07-28"),
    ]
}

#[test]
fn prior_year_rotation_three_groups_four_notices_a_year() {
    let taken = prior_history();
    let fy2025 = FiscalYear::new(2025).unwrap();
    // (group key, the months of FY2025 in which its notice is due)
    let cases = [(0, [4, 7, 10, 1]), (1, [5, 8, 11, 2]), (2, [6, 9, 12, 3])];
    for (key, months) in cases {
        let f = prior_year(key);
        let due_months: Vec<u32> = fy2025
            .months()
            .filter(|m| !run(&f, &taken, &format!("{m}-10")).is_empty())
            .map(|m| m.month())
            .collect();
        assert_eq!(due_months, months, "group key {key}");
    }
    let f = prior_year(0);
    assert_eq!(run(&f, &taken, "2025-04-10"), [(A::Notice, "prior_year_rotation")]);
    // Once this month's letter went out, nothing more this month.
    let sent = [taken.clone(), vec![act(A::Notice, "2025-04-03")]].concat();
    assert_eq!(run(&f, &sent, "2025-04-10"), []);
    assert_eq!(run(&f, &sent, "2025-07-01"), [(A::Notice, "prior_year_rotation")]);
    // Re-employment known: to the workplace (persons only).
    let employed = DunningFacts {
        workplace_known: true,
        ..prior_year(0)
    };
    assert_eq!(
        run(&employed, &taken, "2025-04-10"),
        [(A::WorkplaceNotice, "prior_year_rotation")]
    );
    let employer = DunningFacts {
        workplace_known: true,
        debtor: DebtorKind::Employer,
        ..prior_year(0)
    };
    assert_eq!(
        run(&employer, &taken, "2025-04-10"),
        [(A::Notice, "prior_year_rotation")]
    );
    // Still in its own fiscal year (FY2024 until 2025-03-31): no rotation yet.
    assert_eq!(run(&f, &taken, "2025-01-10"), []);
    // An ineligible-visit refund gets the leaflet with the rotation notice too.
    let visit = DunningFacts {
        reason: Some(RefundReason::IneligibleVisit),
        ..prior_year(0)
    };
    assert_eq!(
        run(&visit, &taken, "2025-04-10"),
        [
            (A::AdjustmentOffered, "adjustment_leaflet"),
            (A::Notice, "prior_year_rotation")
        ]
    );
}

#[test]
fn limitation_warning_ninety_days_ahead() {
    // On installments: nothing else is due, the warning still is.
    let f = DunningFacts {
        installment_active: true,
        limitation_completes_on: Some(d("2025-09-30")),
        ..facts()
    };
    let taken = history(2);
    assert_eq!(run(&f, &taken, "2025-07-01"), []);
    assert_eq!(
        run(&f, &taken, "2025-07-02"),
        [(A::Acknowledgment, "limitation_warning")]
    );
    assert_eq!(
        run(&f, &taken, "2025-09-30"),
        [(A::Acknowledgment, "limitation_warning")]
    );
    assert_eq!(run(&f, &taken, "2025-10-01"), []);
    let acknowledged = [taken.clone(), vec![act(A::Acknowledgment, "2025-07-05")]].concat();
    assert_eq!(run(&f, &acknowledged, "2025-07-10"), []);
    let settled = DunningFacts {
        status: S::Collected,
        balance: yen(0),
        ..f
    };
    assert_eq!(run(&settled, &taken, "2025-08-01"), []);
    let in_court = DunningFacts {
        limitation_completes_on: None,
        status: S::InLegal,
        ..f
    };
    assert_eq!(run(&in_court, &taken, "2025-08-01"), []);
}

#[test]
fn rules_are_data_with_ids_and_sources() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 10);
    assert!(
        RULES
            .iter()
            .all(|r| !r.source.is_empty() && !r.summary.is_empty() && !r.action.is_empty())
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
    // Future actions are ignored: a past day can be replayed.
    let later = [act(A::Phone, "2025-05-02"), act(A::PaymentSlip, "2025-05-02")];
    assert_eq!(run(&facts(), &later, "2025-05-01"), [(A::Phone, "high_value_call")]);
    // A policy with other intervals.
    let quick = DunningPolicy {
        first_notice_after_due_days: 1,
        ..DunningPolicy::SEED_A
    };
    let due = due_actions_with(
        &quick,
        &facts(),
        &history(2),
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    );
    assert_eq!(due.first().map(|a| a.kind), Some(A::Notice));
    assert_eq!(DunningPolicy::default(), DunningPolicy::SEED_A);
}
