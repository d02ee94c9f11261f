//! Recovery of eligibility certificates after loss of eligibility (資格確認書の回収,
//! receivables.md §13, with the historic card schedule of §4.2 kept for it).
//!
//! - A case opens when a member loses eligibility while holding a certificate still valid on the
//!   loss date (an expired one need not be returned).
//! - First written notice 2 weeks after the loss is processed; a second within 2 weeks of the
//!   first; when the second is undelivered or unanswered, a call to the employer (事業主) 2 weeks
//!   later. Outcomes: `returned`, `unrecoverable_notice` (回収不能届), or `expired` once the
//!   certificate's validity ends unreturned (nothing is left to recover).

use chrono::NaiveDate;
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
    if c.returned_on.is_some_and(|d| d <= on) {
        CaseStatus::Returned
    } else if c.unrecoverable_on.is_some_and(|d| d <= on) {
        CaseStatus::Unrecoverable
    } else if on > c.valid_until {
        CaseStatus::Expired
    } else {
        CaseStatus::Open
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
