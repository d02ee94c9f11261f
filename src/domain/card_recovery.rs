//! Recovery of eligibility certificates after loss of eligibility (資格確認書の回収,
//! receivables.md §13, with the historic card schedule of §4.2 kept for it).
//!
//! - A case opens when a member loses eligibility while holding a certificate still valid on the
//!   loss date (an expired one need not be returned).
//! - First written notice 2 weeks after the loss is processed; a second within 2 weeks of the
//!   first; when the second is undelivered or unanswered, a call to the employer (事業主) 2 weeks
//!   later. Outcomes: `returned`, `unrecoverable_notice` (回収不能届), or `expired` once the
//!   certificate's validity ends unreturned (nothing is left to recover).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::member::wire_names;
use super::receivable::period::add_days;

/// Days from processing to the first notice, and between the later steps (SEED-A: 2 weeks).
pub const STEP_DAYS: u32 = 14;

/// What happened in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseEvent {
    FirstNotice,
    SecondNotice,
    EmployerContacted,
    Returned,
    UnrecoverableNotice,
}

wire_names!(CaseEvent {
    FirstNotice => "first_notice",
    SecondNotice => "second_notice",
    EmployerContacted => "employer_contacted",
    Returned => "returned",
    UnrecoverableNotice => "unrecoverable_notice",
});

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Returned,
    Unrecoverable,
    Expired,
}

wire_names!(CaseStatus {
    Open => "open",
    Returned => "returned",
    Unrecoverable => "unrecoverable",
    Expired => "expired",
});

/// The holder's category, reported apart in SEED-A: 一般 (ordinary insured, and every NHI member)
/// and 任継 (任意継続被保険者, voluntary continuation after leaving employment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsuredCategory {
    General,
    VoluntaryContinuation,
}

wire_names!(InsuredCategory {
    General => "general",
    VoluntaryContinuation => "voluntary_continuation",
});

impl InsuredCategory {
    pub const ALL: [InsuredCategory; 2] = [Self::General, Self::VoluntaryContinuation];
}

/// Whether losing eligibility on `lost_on` with a certificate valid until `valid_until` opens a case.
pub fn opens(lost_on: NaiveDate, valid_until: NaiveDate) -> bool {
    valid_until >= lost_on
}

/// The dated steps of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    pub processed_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub first_notice_on: Option<NaiveDate>,
    pub second_notice_on: Option<NaiveDate>,
    pub employer_contacted_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub unrecoverable_on: Option<NaiveDate>,
}

/// The status on `on`.
pub fn status(c: &Case, on: NaiveDate) -> CaseStatus {
    status_from(
        c.returned_on.is_some_and(|d| d <= on),
        c.unrecoverable_on.is_some_and(|d| d <= on),
        on > c.valid_until,
    )
}

/// The status from what had happened by a day: returned (by then), a 回収不能届 (by then), the
/// certificate's validity over, in that order of precedence.
pub fn status_from(returned: bool, unrecoverable: bool, expired: bool) -> CaseStatus {
    if returned {
        CaseStatus::Returned
    } else if unrecoverable {
        CaseStatus::Unrecoverable
    } else if expired {
        CaseStatus::Expired
    } else {
        CaseStatus::Open
    }
}

/// 被保険者証回収率: of the cases whose holder lost eligibility in a period, how they stood on the
/// day the figures were taken (SEED-A: losses of April 2017 to January 2018, taken on 2018-02-28).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoveryTally {
    pub cases: i64,
    pub returned: i64,
    pub unrecoverable: i64,
    pub expired: i64,
    pub open: i64,
}

impl RecoveryTally {
    /// Counts `n` cases of `status`.
    pub fn add(&mut self, status: CaseStatus, n: i64) {
        self.cases += n;
        match status {
            CaseStatus::Returned => self.returned += n,
            CaseStatus::Unrecoverable => self.unrecoverable += n,
            CaseStatus::Expired => self.expired += n,
            CaseStatus::Open => self.open += n,
        }
    }

    /// Returned / cases in percent (two decimals, half up); `None` without cases.
    pub fn rate(&self) -> Option<rust_decimal::Decimal> {
        crate::domain::money::percent(self.returned.into(), self.cases.into())
    }
}

/// The next step of an open case and the day it is due.
pub fn next_step(c: &Case, on: NaiveDate) -> Option<(CaseEvent, NaiveDate)> {
    if status(c, on) != CaseStatus::Open {
        return None;
    }
    Some(match (c.first_notice_on, c.second_notice_on, c.employer_contacted_on) {
        (None, _, _) => (CaseEvent::FirstNotice, add_days(c.processed_on, STEP_DAYS)),
        (Some(first), None, _) => (CaseEvent::SecondNotice, add_days(first, STEP_DAYS)),
        (Some(_), Some(second), None) => (CaseEvent::EmployerContacted, add_days(second, STEP_DAYS)),
        (Some(_), Some(_), Some(_)) => return None,
    })
}

/// A stored case of one member's loss of eligibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRecovery {
    pub id: String,
    pub member_id: String,
    pub household_id: String,
    pub lost_on: NaiveDate,
    pub category: InsuredCategory,
    pub case: Case,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// Why an event cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EventRefused {
    #[error("the case is closed")]
    Closed,
    #[error("must not be before the loss of eligibility")]
    BeforeLoss,
    #[error("a second notice follows the first")]
    SecondBeforeFirst,
}

impl CardRecovery {
    /// The case once `event` happened on `on`.
    pub fn with_event(&self, event: CaseEvent, on: NaiveDate) -> Result<CardRecovery, EventRefused> {
        let c = &self.case;
        if c.returned_on.is_some() || c.unrecoverable_on.is_some() {
            return Err(EventRefused::Closed);
        }
        if on < self.lost_on {
            return Err(EventRefused::BeforeLoss);
        }
        let mut next = self.clone();
        let n = &mut next.case;
        match event {
            CaseEvent::FirstNotice => n.first_notice_on = Some(on),
            CaseEvent::SecondNotice if c.first_notice_on.is_none_or(|f| on < f) => {
                return Err(EventRefused::SecondBeforeFirst);
            }
            CaseEvent::SecondNotice => n.second_notice_on = Some(on),
            CaseEvent::EmployerContacted => n.employer_contacted_on = Some(on),
            CaseEvent::Returned => n.returned_on = Some(on),
            CaseEvent::UnrecoverableNotice => n.unrecoverable_on = Some(on),
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case() -> Case {
        Case {
            processed_on: d(2026, 1, 5),
            valid_until: d(2026, 7, 31),
            first_notice_on: None,
            second_notice_on: None,
            employer_contacted_on: None,
            returned_on: None,
            unrecoverable_on: None,
        }
    }

    #[test]
    fn the_rate_counts_returns_by_the_day_the_figures_are_taken() {
        // SEED-A 一般, Miyazaki: 98.7% (here with two decimals: 987 of 1,000 -> 98.70).
        let mut t = RecoveryTally::default();
        t.add(status_from(true, false, false), 987);
        t.add(status_from(false, true, false), 5);
        t.add(status_from(false, false, true), 3);
        t.add(status_from(false, false, false), 5);
        assert_eq!(
            (t.cases, t.returned, t.unrecoverable, t.expired, t.open),
            (1_000, 987, 5, 3, 5)
        );
        assert_eq!(t.rate(), Some(rust_decimal::Decimal::new(9870, 2)));
        assert_eq!(RecoveryTally::default().rate(), None);
        // A return outranks a later 回収不能届 and the end of validity.
        assert_eq!(status_from(true, true, true), CaseStatus::Returned);
        let mut c = case();
        c.returned_on = Some(d(2026, 3, 1));
        assert_eq!(status(&c, d(2026, 2, 28)), CaseStatus::Open);
        assert_eq!(status(&c, d(2026, 3, 1)), CaseStatus::Returned);
    }

    #[test]
    fn only_a_certificate_valid_on_the_loss_date_is_recovered() {
        assert!(opens(d(2026, 1, 1), d(2026, 7, 31)));
        assert!(opens(d(2026, 7, 31), d(2026, 7, 31)));
        assert!(!opens(d(2026, 8, 1), d(2026, 7, 31)));
    }

    #[test]
    fn notices_follow_the_two_week_schedule() {
        let mut c = case();
        assert_eq!(
            next_step(&c, d(2026, 1, 6)),
            Some((CaseEvent::FirstNotice, d(2026, 1, 19)))
        );
        c.first_notice_on = Some(d(2026, 1, 19));
        assert_eq!(
            next_step(&c, d(2026, 1, 20)),
            Some((CaseEvent::SecondNotice, d(2026, 2, 2)))
        );
        c.second_notice_on = Some(d(2026, 2, 2));
        assert_eq!(
            next_step(&c, d(2026, 2, 3)),
            Some((CaseEvent::EmployerContacted, d(2026, 2, 16)))
        );
        c.employer_contacted_on = Some(d(2026, 2, 16));
        assert_eq!(next_step(&c, d(2026, 2, 17)), None);
        c.returned_on = Some(d(2026, 2, 20));
        assert_eq!(status(&c, d(2026, 2, 20)), CaseStatus::Returned);
        assert_eq!(status(&case(), d(2026, 8, 1)), CaseStatus::Expired);
        assert_eq!(next_step(&case(), d(2026, 8, 1)), None);
    }
}
