//! A stored receivable (債権) with everything its rules look at: the ledger rebuilt from its
//! entries, the actions taken (催告 and the rest), installment plans (分割納付) and payment orders
//! (支払督促). One place loads them and derives what the rules say of them.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::domain::money::Yen;
use crate::domain::receivable::installment::{
    self, DefaultRule, InstallmentStatus, Instalment, PlanPosition, plan_position,
};
use crate::domain::receivable::limitation::events_of as limitation_events;
use crate::domain::receivable::payment_order::legal_action_pending;
use crate::domain::receivable::record::{Action, Entry, LegalAction, Plan, Receivable};
use crate::domain::receivable::{ActionKind, Ledger, LimitationClock, LimitationStart, limitation};
use crate::error::ApiError;
use crate::store::receivables as store;

/// The ledger, actions, plans and payment orders of a stored receivable.
#[derive(Debug, Clone)]
pub struct Records {
    pub entries: Vec<Entry>,
    pub ledger: Ledger,
    pub actions: Vec<Action>,
    pub plans: Vec<Plan>,
    pub legal: Vec<LegalAction>,
}

/// The ledger rebuilt from stored entries.
pub fn ledger_of(receivable_id: &str, entries: &[Entry]) -> Result<Ledger, ApiError> {
    Ok(store::ledger_of(receivable_id, entries)?)
}

/// Loads the records of `r`.
pub async fn load(conn: &impl ConnectionTrait, insurer: &str, r: &Receivable) -> Result<Records, ApiError> {
    let entries = store::entries(conn, insurer, &r.id).await?;
    let ledger = ledger_of(&r.id, &entries)?;
    let actions = store::actions(conn, insurer, &r.id).await?;
    let plans = store::plans(conn, insurer, &r.id).await?;
    let legal = store::legal_actions(conn, insurer, &r.id).await?;
    Ok(Records {
        entries,
        ledger,
        actions,
        plans,
        legal,
    })
}

impl Records {
    /// Whether legal action is pending ([`legal_action_pending`]).
    pub fn in_legal(&self) -> bool {
        in_legal(&self.actions, &self.legal)
    }

    /// Whether a plan is being kept on `on` (it holds the dunning).
    pub fn installment_active(&self, on: NaiveDate) -> bool {
        self.plans.iter().any(|p| {
            plan_position_of(p, &self.ledger, on)
                .1
                .is_some_and(|x| x.status == InstallmentStatus::Active)
        })
    }

    /// The limitation clock (時効) of `r` as its records move it.
    pub fn limitation(&self, r: &Receivable) -> LimitationClock {
        let events = limitation_events(
            self.actions.iter().map(|a| (a.kind, a.on)),
            &self.ledger,
            self.plans.iter().map(|p| p.pledged_on),
            self.legal.iter().map(|x| (x.outcome.as_deref(), x.outcome_on)),
        );
        limitation(
            LimitationStart {
                kind: r.kind,
                arose_on: r.assessed_on,
                exercisable_on: r.assessed_on,
            },
            &events,
        )
    }
}

/// Whether legal action is pending ([`legal_action_pending`]).
pub fn in_legal(actions: &[Action], legal: &[LegalAction]) -> bool {
    legal_action_pending(
        legal.iter().map(|l| l.outcome.as_deref()),
        actions.iter().any(|a| a.kind == ActionKind::PaymentOrderFiled),
    )
}

/// The schedule and position of a plan on `on`, paid by the collections since the pledge.
pub fn plan_position_of(p: &Plan, ledger: &Ledger, on: NaiveDate) -> (Vec<Instalment>, Option<PlanPosition>) {
    let count = u32::try_from(p.instalments).unwrap_or(0);
    let Ok(schedule) = installment::schedule(Yen::new(p.total), count, p.first_due_on) else {
        return (Vec::new(), None);
    };
    let payments = installment::plan_payments(ledger, p.pledged_on);
    let position = plan_position(&schedule, &payments, on, p.cancelled_on, DefaultRule::SEED);
    (schedule, Some(position))
}
