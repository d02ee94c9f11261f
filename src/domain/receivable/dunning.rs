//! The dunning worklist (催告): which actions the rules call due on a day, as a pure function of the
//! receivable's facts and the actions already taken (API.md `GET /v1/dunning/worklist?on=`).
//!
//! The rules are data ([`RULES`], in `dunning_rules.rs`), each with its id and source; their
//! intervals and thresholds are a [`DunningPolicy`] ([`DunningPolicy::SEED_A`] by default). The flow
//! is SEED-A's (receivables.md §4.1): 調定 → 納付書 → 文書催告 → 電話催告 → (訪問) → 最終催告 →
//! 支払督促, with the high-value call before the 納付書, the six-month legal-action rule, the
//! prior-year rotation and the limitation warning. Visits are planned by staff against the monthly
//! targets of SEED-A and are never called due by a rule.
//!
//! Nothing is called due for a receivable that is collected, written off or in court
//! (`in_legal`), while an installment plan is active, or while a 保険者間調整 is under way, except
//! the limitation warning, which only needs a balance.

use chrono::NaiveDate;

use super::action::TakenAction;
pub use super::dunning_facts::{Context, DueAction, DunningFacts, DunningPolicy};
pub use super::dunning_rules::{DunningRule, RULES};

/// The actions due on `on` under [`DunningPolicy::SEED_A`].
pub fn due_actions(facts: &DunningFacts, taken: &[TakenAction], on: NaiveDate) -> Vec<DueAction> {
    due_actions_with(&DunningPolicy::SEED_A, facts, taken, on)
}

/// The actions due on `on` under `policy`, in the order of [`RULES`]. Actions dated after `on`
/// are ignored, so a past day can be replayed.
pub fn due_actions_with(
    policy: &DunningPolicy,
    facts: &DunningFacts,
    taken: &[TakenAction],
    on: NaiveDate,
) -> Vec<DueAction> {
    let mut known: Vec<TakenAction> = taken.iter().copied().filter(|a| a.on <= on).collect();
    known.sort_by_key(|a| a.on);
    let ctx = Context {
        policy,
        facts,
        taken: known,
        on,
    };
    RULES
        .iter()
        .filter_map(|rule| {
            rule.check(&ctx).map(|(kind, reason)| DueAction {
                kind,
                rule_id: rule.id,
                reason,
            })
        })
        .collect()
}
