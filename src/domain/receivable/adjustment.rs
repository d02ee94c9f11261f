//! 保険者間調整 (insurer-to-insurer adjustment, receivables.md §3): the statuses of a request, who
//! may move it, and how a settlement splits what the new insurer paid.
//!
//! `requested` -> `submitted` -> `accepted` | `rejected`; `accepted` -> `settled`; `requested`,
//! `submitted` and `accepted` may be `cancelled`. An outsourced agent may propose every move but
//! `settled`: only the insurer can say money was received.

use chrono::{Months, NaiveDate};

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
