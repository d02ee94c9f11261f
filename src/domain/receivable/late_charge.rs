//! 延滞金 under 健康保険法181条 (receivables.md §5.1).
//!
//! - Arises only after a 督促 (法180条) whose deadline passed unpaid; paid in full by that
//!   deadline, or 督促 by public notice (公示送達), means none (181条1項ただし書・4項).
//! - Period: from the day after the original 納期限 to the day before full payment (or write-off).
//!   `as_of` is the day of (hypothetical) full payment: days are counted up to the day before it.
//! - None when the 徴収金 is under 1,000 yen. Base truncated to 1,000 yen (181条3項); a partial
//!   payment lowers the base from the day it is made (181条2項).
//! - Rates by calendar year from the [`LateChargeTable`] (附則9条); a year the table does not hold is
//!   an error, never a guess. For premiums ([`ChargeBasis::Premium`]) the first 3 months after the
//!   due date (納期限の翌日から3月を経過する日まで, 民法143条) run at the reduced rate; every
//!   receivable kind here is a non-premium 徴収金, for which §5.1 says there is no reduced period.
//! - Result truncated to 100 yen; under 100 yen nothing is charged (181条4項・5項).
//!
//! Q5 (day basis, intermediate rounding) — conservative reading, i.e. never more than the other
//! reading would charge, within what the sources attest:
//! - 365 days a year, leap years included: the basis of §5.1's worked example and of every stored
//!   source (S27 and S27c say so for leap years); no source reads 366;
//! - each segment is truncated to whole yen before the segments are summed; this never yields more
//!   than summing exact amounts (in the §5.1 example both give 2,200 yen).
//!   Segments are cut at every calendar-year boundary, base change and rate change.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::kind::ReceivableKind;
use super::ledger::LedgerEntry;
use super::period::{day_after, days_between, end_of_months};
use super::rates::LateChargeTable;
use crate::domain::money::Yen;

/// A day-count basis of 365 days a year (Q5, see the module comment).
pub const DAYS_PER_YEAR: i64 = 365;
/// 181条1項ただし書: no 延滞金 on a 徴収金 under this amount; also the base truncation unit.
pub const BASE_UNIT: i64 = 1_000;
/// 181条4項・5項: the result is truncated to this unit; less than it is not collected.
pub const RESULT_UNIT: i64 = 100;

/// What a 181条 late charge is computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargeBasis {
    /// 保険料: the first 3 months after the due date run at the reduced rate.
    Premium,
    /// Any other 徴収金 (法58条, 109条2項): one rate throughout.
    OtherCollection,
}

/// An event in the life of the principal that the late charge depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalEvent {
    /// 調定 (the principal; repeated assessments add up).
    Assessed { on: NaiveDate, amount: Yen },
    /// 調定減: a correction of the amount owed, applied to the whole period (decision: the debt
    /// was never that large, so no late charge accrues on the reduced part).
    Reduced { on: NaiveDate, amount: Yen },
    /// 収納: lowers the base from its date (181条2項).
    Paid { on: NaiveDate, amount: Yen },
    /// 不納欠損: accrual stops the day before.
    WrittenOff { on: NaiveDate },
    /// 督促 (法180条) with the deadline named in the 督促状.
    Demanded {
        on: NaiveDate,
        deadline: NaiveDate,
        by_public_notice: bool,
    },
}

impl PrincipalEvent {
    /// The principal events of a ledger (the 督促 comes from the actions and is added by the caller).
    pub fn from_ledger(entries: &[LedgerEntry]) -> Vec<PrincipalEvent> {
        entries
            .iter()
            .map(|e| match *e {
                LedgerEntry::Assessment { on, amount } => PrincipalEvent::Assessed { on, amount },
                LedgerEntry::Reduction { on, amount } => PrincipalEvent::Reduced { on, amount },
                LedgerEntry::Collection { on, amount, .. } => PrincipalEvent::Paid { on, amount },
                LedgerEntry::WriteOff { on, .. } => PrincipalEvent::WrittenOff { on },
            })
            .collect()
    }
}

/// One stretch of days with one base and one rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LateChargeSegment {
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub days: i64,
    /// The base, truncated to 1,000 yen.
    pub base: Yen,
    /// Percent per year.
    pub rate: Decimal,
    /// Whether the reduced (first 3 months, premiums) rate applied.
    pub reduced_period: bool,
    /// base × rate × days / 365, unrounded.
    pub exact: Decimal,
    /// `exact` truncated to the yen.
    pub amount: Yen,
}

/// Why no late charge is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoChargeReason {
    /// A civil kind or the 延滞金 itself: 181条 does not apply.
    NotApplicable,
    /// No 督促 has been issued (on or before `as_of`).
    NoDemand,
    /// 督促 by public notice (181条1項ただし書).
    DemandByPublicNotice,
    /// Paid in full (or to be paid on `as_of`) by the 督促状's deadline.
    SettledByDemandDeadline,
    /// The 徴収金 is under 1,000 yen.
    PrincipalUnderThreshold,
    /// Not a single day of delay.
    NotOverdue,
    /// Computed but under 100 yen.
    UnderHundredYen,
}

/// The late charge and how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateCharge {
    /// A multiple of 100 yen, or zero.
    pub amount: Yen,
    pub segments: Vec<LateChargeSegment>,
    pub not_charged: Option<NoChargeReason>,
}

impl LateCharge {
    fn none(reason: NoChargeReason) -> Self {
        Self {
            amount: Yen::ZERO,
            segments: Vec::new(),
            not_charged: Some(reason),
        }
    }
}

/// A computation the rate table cannot support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LateChargeError {
    #[error("no late-charge rate is held for {0}")]
    NoRateForYear(i32),
    #[error("no legal interest rate is held for {0}")]
    NoLegalRate(NaiveDate),
}

/// The 延滞金 on a receivable of `kind` if paid in full on `as_of` (receivables.md §5.1). Civil
/// kinds and `late_charge` itself get none (`NotApplicable`): civil interest is a separate,
/// opt-in computation ([`super::civil::civil_interest`]).
pub fn late_charge(
    kind: ReceivableKind,
    principal_events: &[PrincipalEvent],
    due_on: NaiveDate,
    as_of: NaiveDate,
    table: &LateChargeTable,
) -> Result<LateCharge, LateChargeError> {
    if !kind.accrues_late_charge() {
        return Ok(LateCharge::none(NoChargeReason::NotApplicable));
    }
    late_charge_for(ChargeBasis::OtherCollection, principal_events, due_on, as_of, table)
}

/// The 181条 computation for an explicit [`ChargeBasis`] (premiums for callers outside this module).
pub fn late_charge_for(
    basis: ChargeBasis,
    principal_events: &[PrincipalEvent],
    due_on: NaiveDate,
    as_of: NaiveDate,
    table: &LateChargeTable,
) -> Result<LateCharge, LateChargeError> {
    let principal = Timeline::of(principal_events);
    if principal.principal < Yen::new(BASE_UNIT) {
        return Ok(LateCharge::none(NoChargeReason::PrincipalUnderThreshold));
    }
    let demand = principal_events
        .iter()
        .filter_map(|e| match *e {
            PrincipalEvent::Demanded {
                on,
                deadline,
                by_public_notice,
            } if on <= as_of => Some((on, deadline, by_public_notice)),
            _ => None,
        })
        .min_by_key(|d| d.0);
    let Some((_, deadline, by_public_notice)) = demand else {
        return Ok(LateCharge::none(NoChargeReason::NoDemand));
    };
    if by_public_notice {
        return Ok(LateCharge::none(NoChargeReason::DemandByPublicNotice));
    }
    let settled = principal.settled_on().map_or(as_of, |d| d.min(as_of));
    if settled <= deadline {
        return Ok(LateCharge::none(NoChargeReason::SettledByDemandDeadline));
    }
    let start = day_after(due_on);
    let end = principal.written_off_on.map_or(settled, |w| w.min(settled));
    if end <= start {
        return Ok(LateCharge::none(NoChargeReason::NotOverdue));
    }
    let reduced_last = match basis {
        ChargeBasis::Premium => Some(end_of_months(start, 3)),
        ChargeBasis::OtherCollection => None,
    };
    let mut cuts = principal.cuts(start, end);
    if let Some(last) = reduced_last {
        cuts.push(day_after(last));
    }
    let mut segments = Vec::new();
    for (from, until) in intervals(start, end, cuts) {
        let base = Yen::truncate_to(principal.outstanding_on(from).amount(), BASE_UNIT);
        if base.is_zero() {
            continue;
        }
        let rates = table
            .rates_for(from.year())
            .ok_or(LateChargeError::NoRateForYear(from.year()))?;
        let reduced_period = reduced_last.is_some_and(|last| from <= last);
        let rate = if reduced_period { rates.reduced } else { rates.full };
        let days = days_between(from, until);
        let exact = accrued(base, rate, days);
        let to = until.pred_opt().unwrap_or(from);
        segments.push(LateChargeSegment {
            from,
            to,
            days,
            base,
            rate,
            reduced_period,
            exact,
            amount: Yen::truncate_to(exact, 1),
        });
    }
    let total: Yen = segments.iter().map(|s| s.amount).sum();
    let amount = Yen::truncate_to(total.amount(), RESULT_UNIT);
    let not_charged = amount.is_zero().then_some(NoChargeReason::UnderHundredYen);
    Ok(LateCharge {
        amount,
        segments,
        not_charged,
    })
}

/// The earliest deadline a 督促状 issued on `issued_on` may name: "督促状を発する日から起算して10日以上を
/// 経過した日" (健康保険法180条3項, receivables.md §1 notes): counted from the issue day, so D + 10.
pub fn earliest_demand_deadline(issued_on: NaiveDate) -> NaiveDate {
    super::period::add_days(issued_on, 10)
}

/// base × rate% × days / 365, unrounded.
pub(super) fn accrued(base: Yen, rate_percent: Decimal, days: i64) -> Decimal {
    base.amount() * rate_percent * Decimal::from(days) / Decimal::from(DAYS_PER_YEAR * 100)
}

/// The half-open intervals `[a, b)` of `start..end` cut at `cuts` (those outside are ignored).
pub(super) fn intervals(start: NaiveDate, end: NaiveDate, mut cuts: Vec<NaiveDate>) -> Vec<(NaiveDate, NaiveDate)> {
    cuts.retain(|c| *c > start && *c < end);
    cuts.push(end);
    cuts.sort_unstable();
    cuts.dedup();
    let mut from = start;
    cuts.into_iter()
        .map(|until| {
            let interval = (from, until);
            from = until;
            interval
        })
        .collect()
}

/// The principal over time, from the events.
pub(super) struct Timeline {
    pub(super) principal: Yen,
    payments: Vec<(NaiveDate, Yen)>,
    pub(super) written_off_on: Option<NaiveDate>,
}

impl Timeline {
    pub(super) fn of(events: &[PrincipalEvent]) -> Self {
        let (mut assessed, mut reduced) = (Yen::ZERO, Yen::ZERO);
        let mut payments = Vec::new();
        let mut written_off_on: Option<NaiveDate> = None;
        for event in events {
            match *event {
                PrincipalEvent::Assessed { amount, .. } => assessed += amount,
                PrincipalEvent::Reduced { amount, .. } => reduced += amount,
                PrincipalEvent::Paid { on, amount } => payments.push((on, amount)),
                PrincipalEvent::WrittenOff { on } => written_off_on = Some(written_off_on.map_or(on, |w| w.min(on))),
                PrincipalEvent::Demanded { .. } => {}
            }
        }
        payments.sort_by_key(|p| p.0);
        Self {
            principal: assessed.saturating_sub(reduced),
            payments,
            written_off_on,
        }
    }

    /// Principal less payments made on or before `day`.
    pub(super) fn outstanding_on(&self, day: NaiveDate) -> Yen {
        let paid: Yen = self.payments.iter().take_while(|p| p.0 <= day).map(|p| p.1).sum();
        self.principal.saturating_sub(paid)
    }

    /// The day the payments reach the principal.
    pub(super) fn settled_on(&self) -> Option<NaiveDate> {
        let mut paid = Yen::ZERO;
        self.payments.iter().find_map(|&(on, amount)| {
            paid += amount;
            (paid >= self.principal).then_some(on)
        })
    }

    /// Where segments must be cut inside `start..end`: payment days and January 1sts.
    pub(super) fn cuts(&self, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
        let years = (start.year() + 1)..=end.year();
        let new_years = years.filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1));
        self.payments
            .iter()
            .map(|p| p.0)
            .chain(new_years)
            .filter(|d| *d > start && *d < end)
            .collect()
    }
}
