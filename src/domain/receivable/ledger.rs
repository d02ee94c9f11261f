//! The ledger of one receivable: immutable entries (調定, 調定減, 収納, 不納欠損) from which the
//! balance and the status are derived, never stored (receivables.md §8 "treat 不納欠損 and 調定減
//! as separate movements").
//!
//! Validation, in entry order (dates must not go backwards):
//! - the first entry is an assessment (調定); later assessments (増額調定) add to it;
//! - every amount is positive;
//! - a reduction (調定減) may not exceed the balance: what was collected or written off cannot be
//!   un-assessed;
//! - a write-off (不納欠損) takes the whole remaining balance, which must be positive;
//! - nothing may follow a write-off.
//!
//! Decision (the brief left it open): a collection above the balance is **accepted** and split.
//! The part up to the balance is applied (`collected`); the rest is `overpaid` (過誤納金), owed back
//! to the payer; when it comes through 保険者間調整 it belongs to the insured (§3.2 step 5). Money
//! that has arrived is a fact the ledger must be able to record; refusing it would only move the
//! same problem to the caller. The balance therefore never goes below zero.

use chrono::NaiveDate;

use super::wire::wire_enum;
use crate::domain::money::Yen;

wire_enum! {
    /// How a collection (収納) arrived.
    pub enum CollectionChannel ("collection channel") {
        /// Paid with the 納付書 at a bank, post office or convenience store.
        PaymentSlip = "payment_slip",
        /// Bank transfer into the insurer's account.
        BankTransfer = "bank_transfer",
        /// Cash at the counter or on a visit.
        Cash = "cash",
        /// Paid by the current insurer under 保険者間調整 (receivables.md §3).
        InsurerAdjustment = "insurer_adjustment",
        /// Set off against a benefit owed to the debtor (充当/相殺, with consent).
        Offset = "offset",
        /// Any other channel.
        Other = "other",
    }
}

wire_enum! {
    /// Why a receivable was written off (不納欠損). The 協会's own triggers are unconfirmed (Q8);
    /// these are the municipal ones of §6.3.
    pub enum WriteOffReason ("write-off reason") {
        /// 時効完成 (with 援用 where the law needs it).
        Limitation = "limitation",
        /// 破産免責 or other discharge.
        Discharged = "discharged",
        /// 債権放棄 / 免除 by resolution or ordinance.
        Waived = "waived",
        /// Enforcement exhausted, debtor untraceable, no estate.
        Uncollectible = "uncollectible",
        Other = "other",
    }
}

wire_enum! {
    /// The status of a receivable (API.md "Receivables"), derived by [`status_of`].
    pub enum ReceivableStatus ("receivable status") {
        Open = "open",
        PartiallyCollected = "partially_collected",
        Collected = "collected",
        InLegal = "in_legal",
        WrittenOff = "written_off",
    }
}

/// One immutable ledger entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerEntry {
    /// 調定: fixes (or, when repeated, increases) the amount owed.
    Assessment { on: NaiveDate, amount: Yen },
    /// 調定減: lowers the amount owed (correction, partial cancellation).
    Reduction { on: NaiveDate, amount: Yen },
    /// 収納: money received from the debtor or on their behalf.
    Collection {
        on: NaiveDate,
        amount: Yen,
        channel: CollectionChannel,
    },
    /// 不納欠損: the remaining balance is written off.
    WriteOff { on: NaiveDate, reason: WriteOffReason },
}

impl LedgerEntry {
    /// The date of the entry.
    pub fn on(&self) -> NaiveDate {
        match *self {
            Self::Assessment { on, .. }
            | Self::Reduction { on, .. }
            | Self::Collection { on, .. }
            | Self::WriteOff { on, .. } => on,
        }
    }
}

/// Why an entry cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a ledger starts with an assessment")]
    NoAssessmentFirst,
    #[error("entry {index}: amounts must be positive")]
    NonPositiveAmount { index: usize },
    #[error("entry {index}: dated before the entry it follows")]
    OutOfOrder { index: usize },
    #[error("entry {index}: a reduction of {amount} exceeds the balance of {balance}")]
    ReductionExceedsBalance { index: usize, amount: Yen, balance: Yen },
    #[error("entry {index}: nothing to write off")]
    NothingToWriteOff { index: usize },
    #[error("entry {index}: nothing can be recorded after a write-off")]
    AfterWriteOff { index: usize },
}

/// What an entry did to the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Movement {
    pub on: NaiveDate,
    pub kind: MovementKind,
    /// The amount that moved the balance (for a collection: the part applied).
    pub amount: Yen,
    /// For a collection: the part above the balance (過誤納金); zero otherwise.
    pub excess: Yen,
}

/// The kind of a [`Movement`], one per kind of entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MovementKind {
    Assessment,
    Reduction,
    Collection(CollectionChannel),
    WriteOff(WriteOffReason),
}

/// Totals of a ledger. Always `balance = assessed - reduced - collected - written_off >= 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// 調定額 (all assessments).
    pub assessed: Yen,
    /// 調定減.
    pub reduced: Yen,
    /// 収納額 applied to the receivable.
    pub collected: Yen,
    /// 不納欠損額.
    pub written_off: Yen,
    /// 過誤納金: received above the balance, owed back.
    pub overpaid: Yen,
    /// 収入未済額.
    pub balance: Yen,
}

/// A validated ledger. Built only by [`Ledger::new`] / [`Ledger::with`], so it always holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    movements: Vec<Movement>,
    position: Position,
}

impl Ledger {
    /// Validates `entries` in order.
    pub fn new(entries: Vec<LedgerEntry>) -> Result<Self, LedgerError> {
        let mut ledger = Self {
            entries: Vec::with_capacity(entries.len()),
            movements: Vec::with_capacity(entries.len()),
            position: Position::default(),
        };
        if !matches!(entries.first(), Some(LedgerEntry::Assessment { .. })) {
            return Err(LedgerError::NoAssessmentFirst);
        }
        for entry in entries {
            ledger.push(entry)?;
        }
        Ok(ledger)
    }

    /// This ledger with one more entry, or why it cannot take it.
    pub fn with(mut self, entry: LedgerEntry) -> Result<Self, LedgerError> {
        self.push(entry)?;
        Ok(self)
    }

    fn push(&mut self, entry: LedgerEntry) -> Result<(), LedgerError> {
        let index = self.entries.len();
        if let Some(last) = self.entries.last() {
            if matches!(last, LedgerEntry::WriteOff { .. }) {
                return Err(LedgerError::AfterWriteOff { index });
            }
            if entry.on() < last.on() {
                return Err(LedgerError::OutOfOrder { index });
            }
        }
        let p = &mut self.position;
        let positive = |amount: Yen| {
            if amount > Yen::ZERO {
                Ok(amount)
            } else {
                Err(LedgerError::NonPositiveAmount { index })
            }
        };
        let movement = match entry {
            LedgerEntry::Assessment { on, amount } => {
                let amount = positive(amount)?;
                p.assessed += amount;
                p.balance += amount;
                Movement {
                    on,
                    kind: MovementKind::Assessment,
                    amount,
                    excess: Yen::ZERO,
                }
            }
            LedgerEntry::Reduction { on, amount } => {
                let amount = positive(amount)?;
                if amount > p.balance {
                    return Err(LedgerError::ReductionExceedsBalance {
                        index,
                        amount,
                        balance: p.balance,
                    });
                }
                p.reduced += amount;
                p.balance = p.balance - amount;
                Movement {
                    on,
                    kind: MovementKind::Reduction,
                    amount,
                    excess: Yen::ZERO,
                }
            }
            LedgerEntry::Collection { on, amount, channel } => {
                let amount = positive(amount)?;
                let applied = amount.min(p.balance);
                let excess = amount - applied;
                p.collected += applied;
                p.overpaid += excess;
                p.balance = p.balance - applied;
                Movement {
                    on,
                    kind: MovementKind::Collection(channel),
                    amount: applied,
                    excess,
                }
            }
            LedgerEntry::WriteOff { on, reason } => {
                if p.balance.is_zero() {
                    return Err(LedgerError::NothingToWriteOff { index });
                }
                let amount = p.balance;
                p.written_off += amount;
                p.balance = Yen::ZERO;
                Movement {
                    on,
                    kind: MovementKind::WriteOff(reason),
                    amount,
                    excess: Yen::ZERO,
                }
            }
        };
        self.entries.push(entry);
        self.movements.push(movement);
        Ok(())
    }

    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// What each entry did, in entry order.
    pub fn movements(&self) -> &[Movement] {
        &self.movements
    }

    /// Totals after every entry.
    pub fn position(&self) -> Position {
        self.position
    }

    /// The date of the first assessment (調定日).
    pub fn assessed_on(&self) -> NaiveDate {
        self.entries.first().map_or(NaiveDate::MIN, LedgerEntry::on)
    }

    /// Totals at the end of `day` (entries dated on or before it).
    pub fn position_at(&self, day: NaiveDate) -> Position {
        let mut p = Position::default();
        for m in self.movements.iter().take_while(|m| m.on <= day) {
            match m.kind {
                MovementKind::Assessment => {
                    p.assessed += m.amount;
                    p.balance += m.amount;
                }
                MovementKind::Reduction => {
                    p.reduced += m.amount;
                    p.balance = p.balance - m.amount;
                }
                MovementKind::Collection(_) => {
                    p.collected += m.amount;
                    p.overpaid += m.excess;
                    p.balance = p.balance - m.amount;
                }
                MovementKind::WriteOff(_) => {
                    p.written_off += m.amount;
                    p.balance = p.balance - m.amount;
                }
            }
        }
        p
    }

    /// The sum of the movements of kind `select` dated in `from..=to`.
    pub fn moved_between(&self, from: NaiveDate, to: NaiveDate, select: fn(MovementKind) -> bool) -> Yen {
        self.movements
            .iter()
            .filter(|m| m.on >= from && m.on <= to && select(m.kind))
            .map(|m| m.amount)
            .sum()
    }

    /// Whether a write-off has been recorded.
    pub fn is_written_off(&self) -> bool {
        matches!(self.entries.last(), Some(LedgerEntry::WriteOff { .. }))
    }

    /// The status now (see [`status_of`]).
    pub fn status(&self, payment_order_pending: bool) -> ReceivableStatus {
        status_of(self.position, self.is_written_off(), payment_order_pending)
    }
}

/// The status from the totals, in this order of precedence:
/// `written_off` (a write-off was recorded) > `collected` (balance zero, whether by collection or
/// by reduction to zero) > `in_legal` (a 支払督促 or lawsuit is pending) > `partially_collected`
/// (something was applied) > `open`.
pub fn status_of(position: Position, written_off: bool, payment_order_pending: bool) -> ReceivableStatus {
    if written_off {
        ReceivableStatus::WrittenOff
    } else if position.balance.is_zero() {
        ReceivableStatus::Collected
    } else if payment_order_pending {
        ReceivableStatus::InLegal
    } else if position.collected > Yen::ZERO {
        ReceivableStatus::PartiallyCollected
    } else {
        ReceivableStatus::Open
    }
}

/// The derived view of a ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Derived {
    pub position: Position,
    pub status: ReceivableStatus,
}

/// Balance and status from the entries and whether a payment order (支払督促) is pending: the one
/// pure function the server calls after loading a receivable's entries.
pub fn derive(entries: &[LedgerEntry], payment_order_pending: bool) -> Result<Derived, LedgerError> {
    let ledger = Ledger::new(entries.to_vec())?;
    Ok(Derived {
        position: ledger.position(),
        status: ledger.status(payment_order_pending),
    })
}
