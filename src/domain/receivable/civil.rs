//! Civil late-payment damages (遅延損害金) at the legal rate, for civil receivables
//! (receivables.md §5.3). Off by default: nothing calls this unless a case switches it on (e.g. when
//! filing a 支払督促, Q6); [`super::late_charge::late_charge`] never adds it.
//!
//! - Rate: the 法定利率 in force on the first day of delay, fixed for the whole claim (民法419条1項,
//!   404条; 5% before 2020-04-01, 3% since).
//! - When delay starts is the caller's: a good-faith recipient from the demand (民法412条3項), a
//!   bad-faith one from receipt (民法704条). `starts_on` is the first day that bears interest.
//! - Decisions (no source in the notes): 365-day basis as for 延滞金; a payment lowers the base
//!   from its own day and `as_of`, the day of full payment, bears none (the same convention as
//!   181条); no thresholds; the total is truncated to the yen (通貨の単位及び貨幣の発行等に関する
//!   法律3条: fractions of a yen in a payment are dropped).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::late_charge::{LateChargeError, PrincipalEvent, Timeline, accrued, intervals};
use super::rates::legal_rate_on;
use crate::domain::money::Yen;

/// One stretch with one base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterestSegment {
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub days: i64,
    pub base: Yen,
    /// base × rate × days / 365, unrounded.
    pub exact: Decimal,
}

/// Civil interest due if the principal is paid in full on `as_of`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CivilInterest {
    /// Percent per year.
    pub rate: Decimal,
    pub rate_source: &'static str,
    /// The sum of the segments, truncated to the yen.
    pub amount: Yen,
    pub segments: Vec<InterestSegment>,
}

/// 遅延損害金 from `starts_on` until the day before `as_of` (or full payment, or write-off).
pub fn civil_interest(
    principal_events: &[PrincipalEvent],
    starts_on: NaiveDate,
    as_of: NaiveDate,
) -> Result<CivilInterest, LateChargeError> {
    let (rate, rate_source) = legal_rate_on(starts_on).ok_or(LateChargeError::NoLegalRate(starts_on))?;
    let principal = Timeline::of(principal_events);
    let settled = principal.settled_on().map_or(as_of, |d| d.min(as_of));
    let end = principal.written_off_on.map_or(settled, |w| w.min(settled));
    let mut segments = Vec::new();
    if end > starts_on {
        let cuts = principal.cuts(starts_on, end);
        for (from, until) in intervals(starts_on, end, cuts) {
            let base = principal.outstanding_on(from);
            if base.is_zero() {
                continue;
            }
            let days = (until - from).num_days();
            segments.push(InterestSegment {
                from,
                to: until.pred_opt().unwrap_or(from),
                days,
                base,
                exact: accrued(base, rate, days),
            });
        }
    }
    let exact: Decimal = segments.iter().map(|s| s.exact).sum();
    Ok(CivilInterest {
        rate,
        rate_source,
        amount: Yen::truncate_to(exact, 1),
        segments,
    })
}
