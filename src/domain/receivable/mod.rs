//! Receivables (債権): kinds, ledger, fiscal attribution, late charges, limitation, dunning,
//! payment orders and installments. Pure rules: no I/O, no clock, no database; "today" is always a
//! parameter. Section numbers (§) refer to `shared/domain/receivables.md`, SEED-A to
//! `shared/seeds/000_f8bfe09d999e82e4.txt` (協会けんぽ宮崎支部 FY2018 債権管理・債権回収 plan).
//!
//! - [`kind`]: the nine kinds of API.md, their legal basis and character (§1);
//! - [`ledger`]: 調定 / 調定減 / 収納 / 不納欠損 entries, balance and status (§8);
//! - [`fiscal`]: 年度 attribution, 現年度/過年度, recovery rates and each receivable's contribution
//!   to them (§8);
//! - [`activity`]: the monthly plan-and-actual report of SEED-A (§4.1, §3.2);
//! - [`late_charge`](mod@late_charge), [`rates`], [`civil`]: 健康保険法181条 延滞金 and civil interest (§5);
//! - [`limitation`](mod@limitation): the 時効 clock with renewal and suspension (§6);
//! - [`action`], [`dunning`]: the worklist rules (§4, SEED-A);
//! - [`payment_order`]: 支払督促 deadlines (§7);
//! - [`installment`]: 分割納付 schedules and default (§9);
//! - [`period`]: 民法 period arithmetic shared by the above.
//!
//! Where the notes are silent or an open question applies, each module states the reading it takes
//! in its header; "conservative" means the reading that charges the debtor no more, and lets no
//! deadline pass later, than the alternative. In short:
//!
//! - ledger: a collection above the balance is accepted; the excess is `overpaid` (過誤納金), the
//!   balance never goes below zero; a balance reduced to zero without collection is `collected`;
//! - fiscal: reductions in the year lower both current and prior bases; write-offs lower neither;
//!   the prior base is the balance carried in on April 1 (Q15);
//! - 延滞金: every kind here is a non-premium 徴収金 (one rate, no reduced 3 months; the premium
//!   basis exists for callers); `provider_refund` accrues it (法180条1項 covers 法58条); Q5: 365-day
//!   year, each segment truncated to the yen before summing; 調定減 applies retroactively; the 2026
//!   rate is held but marked unconfirmed (Q4); years outside the table are refused;
//! - civil interest: opt-in only (Q6); rate fixed at the start of delay; truncated to the yen;
//! - limitation: `provider_refund` 2 years (Q7), damages 3 years; a 督促 renews from its own date;
//!   phone calls and visits are no 催告; a 催告 within 6 months of another is void;
//! - dunning intervals without a source: slip held 7 days for the call, first letter 14 days
//!   after the due date, follow-up call 7 days and final notice 30 days after the second, legal
//!   action 14 days after the final notice, a promise to pay holds legal action 30 days;
//! - payment orders: no holiday roll-forward (民訴法95条3項) of the dates;
//! - installments: default after 2 missed instalments (Q10), status computed, not sticky.

pub mod action;
pub mod activity;
pub mod adjustment;
pub mod civil;
pub mod dunning;
mod dunning_facts;
mod dunning_rules;
pub mod fiscal;
pub mod ineligible;
pub mod installment;
pub mod kind;
pub mod late_charge;
pub mod ledger;
pub mod limitation;
pub mod payment_order;
pub mod period;
pub mod rates;
pub mod record;
pub mod wire;

pub use action::{ActionKind, ActionOutcome, TakenAction};
pub use dunning::{DueAction, DunningFacts, DunningPolicy, due_actions, due_actions_with};
pub use kind::{DebtorKind, LegalCharacter, ReceivableKind, RefundReason};
pub use late_charge::{LateCharge, LateChargeSegment, PrincipalEvent, late_charge};
pub use ledger::{Ledger, LedgerEntry, LedgerError, Position, ReceivableStatus, derive};
pub use limitation::{LimitationClock, LimitationEvent, LimitationEventKind, LimitationStart, limitation};
pub use rates::LateChargeTable;

#[cfg(test)]
mod tests;
