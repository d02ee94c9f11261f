use super::support::*;
use crate::domain::receivable::payment_order::{
    PaymentOrderDeadlines, declaration_objection_deadline, final_on, legal_action_pending, payment_order_deadlines,
};

#[test]
fn deadlines_from_service() {
    // (served on, objection deadline, may apply from, application deadline) — §7: service + 2 weeks,
    // then 30 days.
    let cases = [
        ("2026-03-02", "2026-03-16", "2026-03-17", "2026-04-15"),
        ("2025-12-20", "2026-01-03", "2026-01-04", "2026-02-02"),
        ("2024-02-14", "2024-02-28", "2024-02-29", "2024-03-29"),
    ];
    for (served, objection, from, by) in cases {
        assert_eq!(
            payment_order_deadlines(d(served)),
            PaymentOrderDeadlines {
                served_on: d(served),
                objection_deadline: d(objection),
                may_apply_from: d(from),
                application_deadline: d(by),
            },
            "{served}"
        );
    }
    assert_eq!(declaration_objection_deadline(d("2026-04-20")), d("2026-05-04"));
    assert_eq!(final_on(d("2026-04-20")), d("2026-05-05"));
}

#[test]
fn legal_action_is_pending_until_every_order_is_withdrawn_or_lapsed() {
    // No order on record: a filed action counts as one pending.
    assert!(legal_action_pending(std::iter::empty(), true));
    assert!(!legal_action_pending(std::iter::empty(), false));
    // Orders on record decide, whatever the actions say.
    assert!(legal_action_pending([None].into_iter(), false));
    assert!(legal_action_pending([Some("objection")].into_iter(), true));
    assert!(legal_action_pending([Some("final")].into_iter(), true));
    assert!(!legal_action_pending([Some("withdrawn")].into_iter(), true));
    assert!(!legal_action_pending(
        [Some("lapsed"), Some("withdrawn")].into_iter(),
        true
    ));
    assert!(legal_action_pending([Some("lapsed"), None].into_iter(), false));
}
