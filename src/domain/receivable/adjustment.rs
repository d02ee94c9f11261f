//! 保険者間調整 (insurer-to-insurer adjustment, receivables.md §3): the statuses of a request, who
//! may move it, and how a settlement splits what the new insurer paid.
//!
//! `requested` -> `submitted` -> `accepted` | `rejected`; `accepted` -> `settled`; `requested`,
//! `submitted` and `accepted` may be `cancelled`. An outsourced agent may propose every move but
//! `settled`: only the insurer can say money was received.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A request's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Requested,
    Submitted,
    Accepted,
    Rejected,
    Settled,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Self::Requested,
        Self::Submitted,
        Self::Accepted,
        Self::Rejected,
        Self::Settled,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Settled => "settled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl Status {
    /// Still being worked: it holds the dunning of its receivable, and a second request for the
    /// same receivable waits until it closes.
    pub const OPEN: [Status; 3] = [Self::Requested, Self::Submitted, Self::Accepted];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

/// One move of a request, kept in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub from: String,
    pub to: String,
    pub on: NaiveDate,
    pub amount: Option<i64>,
    pub note: Option<String>,
    /// Who moved it: the token's subject, with the agency in brackets for an agent.
    pub by: String,
}

/// A 保険者間調整 request: the new insurer pays the insured's 療養費 to us against a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    pub new_insurer_number: String,
    pub new_insurer_name: String,
    /// The debtor's consent (受領委任 form date).
    pub consent_on: NaiveDate,
    /// The outsourced agency that works it, if any.
    pub agency: Option<String>,
    pub status: Status,
    /// The refund's balance when requested.
    pub amount: i64,
    pub settled_amount: Option<i64>,
    /// Paid by the new insurer above the balance: owed to the insured.
    pub excess_owed: i64,
    pub submitted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub history: Vec<HistoryEntry>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl Request {
    /// The request after the move `entry` to `to` on `entry.on`; `check_move` said yes before.
    pub fn moved(&self, to: Status, entry: HistoryEntry) -> Request {
        let mut next = self.clone();
        next.status = to;
        match to {
            Status::Submitted => next.submitted_on = Some(entry.on),
            Status::Accepted | Status::Rejected => next.decided_on = Some(entry.on),
            Status::Cancelled => next.cancelled_on = Some(entry.on),
            Status::Settled => next.settled_on = Some(entry.on),
            Status::Requested => {}
        }
        next.history.push(entry);
        next
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a request cannot go from {from} to {to}")]
    NotAllowed { from: &'static str, to: &'static str },
    #[error("only the insurer can settle a request (an agent cannot mark money as received)")]
    AgentCannotSettle,
}

/// Whether `from` -> `to` is allowed for this caller.
pub fn check_move(from: Status, to: Status, by_agent: bool) -> Result<(), MoveError> {
    use Status::*;
    let allowed = matches!(
        (from, to),
        (Requested, Submitted)
            | (Submitted, Accepted)
            | (Submitted, Rejected)
            | (Accepted, Settled)
            | (Requested | Submitted | Accepted, Cancelled)
    );
    if !allowed {
        return Err(MoveError::NotAllowed {
            from: from.as_str(),
            to: to.as_str(),
        });
    }
    if to == Settled && by_agent {
        return Err(MoveError::AgentCannotSettle);
    }
    Ok(())
}

/// How what the new insurer paid is applied: to the balance, the rest owed to the insured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// Collected on the receivable (channel `insurer_adjustment`).
    pub applied: i64,
    /// Left on the debtor (差額).
    pub shortfall: i64,
    /// Above the balance: owed to the insured.
    pub excess: i64,
}

pub fn settle(paid: i64, balance: i64) -> Settlement {
    let applied = paid.clamp(0, balance.max(0));
    Settlement {
        applied,
        shortfall: balance - applied,
        excess: paid - applied,
    }
}

/// The last day the insured's own claim (療養費) at the new insurer is in time: two years from the
/// day after the care (receivables.md §3.2).
pub fn claim_lapses_on(care_on: NaiveDate) -> NaiveDate {
    care_on.checked_add_months(Months::new(24)).unwrap_or(care_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_who_may_make_them() {
        use Status::*;
        assert!(check_move(Requested, Submitted, true).is_ok());
        assert!(check_move(Submitted, Rejected, true).is_ok());
        assert_eq!(check_move(Accepted, Settled, true), Err(MoveError::AgentCannotSettle));
        assert!(check_move(Accepted, Settled, false).is_ok());
        assert!(check_move(Requested, Settled, false).is_err());
        assert!(check_move(Rejected, Cancelled, false).is_err());
        assert!(check_move(Settled, Cancelled, false).is_err());
    }

    #[test]
    fn settlements_split_shortfall_and_excess() {
        assert_eq!(
            settle(60_000, 70_000),
            Settlement {
                applied: 60_000,
                shortfall: 10_000,
                excess: 0
            }
        );
        assert_eq!(
            settle(80_000, 70_000),
            Settlement {
                applied: 70_000,
                shortfall: 0,
                excess: 10_000
            }
        );
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(claim_lapses_on(d), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    }
}
