//! Refunds for care after loss of eligibility (資格喪失後受診, receivables.md §2): which claims are
//! the insurer's to take back, for how much, and how a stored receivable follows the claims when
//! they change.
//!
//! Decisions:
//! - a claim is after the loss when `lost_on` (the first day without eligibility) is on or before
//!   its first service day; a claim without a first service day counts only when the whole month
//!   is after the loss (`lost_on` on or before the 1st);
//! - the amount is the insurer's share, `total_cost - copayment`, of the member's active claims of
//!   the month, plus the member's part of a high-cost benefit already paid for the month when every
//!   active claim of the member in that month is after the loss (the benefit cannot be split by
//!   claim otherwise, and none of it is then taken back);
//! - one receivable per member and month; detecting again assesses the increase or reduces
//!   (調定減) the decrease, never below what is still open.

use chrono::NaiveDate;

/// Whether a claim falls after the loss of eligibility.
pub fn after_loss(lost_on: NaiveDate, first_service_on: Option<NaiveDate>, month_first_day: NaiveDate) -> bool {
    match first_service_on {
        Some(d) => lost_on <= d,
        None => lost_on <= month_first_day,
    }
}

/// The insurer's share of a claim (保険者負担分).
pub fn insurer_share(total_cost: i64, copayment: i64) -> i64 {
    (total_cost - copayment).max(0)
}

/// What a stored receivable needs so that its net assessment equals `computed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    /// Assess this much more.
    Assess(i64),
    /// Reduce (調定減) by this much (never more than the open balance).
    Reduce(i64),
    Unchanged,
}

/// `net`: assessed minus reduced so far; `balance`: what is still open.
pub fn adjust(net: i64, balance: i64, computed: i64) -> Adjustment {
    if computed > net {
        Adjustment::Assess(computed - net)
    } else if computed < net && balance > 0 {
        Adjustment::Reduce((net - computed).min(balance))
    } else {
        Adjustment::Unchanged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn claims_on_or_after_the_loss_day_are_the_insurers_to_take_back() {
        let first = d(2025, 9, 1);
        assert!(
            after_loss(d(2025, 9, 10), Some(d(2025, 9, 10)), first),
            "the loss day itself"
        );
        assert!(
            !after_loss(d(2025, 9, 10), Some(d(2025, 9, 9)), first),
            "the day before"
        );
        assert!(after_loss(d(2025, 8, 1), None, first), "a month wholly after");
        assert!(
            !after_loss(d(2025, 9, 10), None, first),
            "no first day and a loss within the month"
        );
    }

    #[test]
    fn shares_and_adjustments() {
        assert_eq!(insurer_share(100_000, 30_000), 70_000);
        assert_eq!(insurer_share(1_000, 2_000), 0);
        assert_eq!(adjust(70_000, 70_000, 90_000), Adjustment::Assess(20_000));
        assert_eq!(adjust(70_000, 70_000, 50_000), Adjustment::Reduce(20_000));
        assert_eq!(
            adjust(70_000, 10_000, 50_000),
            Adjustment::Reduce(10_000),
            "never below the open balance"
        );
        assert_eq!(adjust(70_000, 0, 50_000), Adjustment::Unchanged);
        assert_eq!(adjust(70_000, 70_000, 70_000), Adjustment::Unchanged);
    }
}
