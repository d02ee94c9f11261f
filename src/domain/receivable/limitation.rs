//! The limitation clock (消滅時効, receivables.md §6): when a receivable's limitation completes, given
//! its start and the events that renew (更新) or suspend (完成猶予) it.
//!
//! Periods (§6.1), with the conservative choice (the earlier completion) where the notes are unsure:
//! - statutory 徴収金 (`benefit_refund`, `employer_joint`, `employer_levy`, `late_charge`): 2 years,
//!   健康保険法193条1項 [Medium for 法58条 徴収金];
//! - `provider_refund`: unconfirmed (Q7); 2 years assumed, the shortest plausible period;
//! - `damages`: 3 years (民法724条1号); the 5 years for injury to life or body (724条の2) are not
//!   assumed, so warnings come early;
//! - `overpayment_refund` and the loans: 5 years (民法166条1項1号) when the claim arose on or after
//!   2020-04-01, else 10 years (旧167条1項, 改正法附則10条); the insurer is taken to know of the claim
//!   as soon as it can exercise it, so the 10-year objective period never ends first.
//!
//! The period is counted from the day after `exercisable_on` (民法140条) and after a renewal from
//! the day after the renewing event. Events (§6.2):
//! - 承認 (acknowledgment, part payment, installment pledge): renewal (民法152条);
//! - statutory kinds: 納入の告知 and 督促 renew (健康保険法193条2項). Decision: the new period runs
//!   from the day after the notice itself, not from the 督促状's deadline (the earlier reading);
//! - 催告 (written dunning; on a civil kind also a payment slip or a "督促"): 6 months' suspension
//!   (民法150条); a further 催告 within 6 months of an effective one has no effect (150条2項);
//!   phone calls and visits are not counted (no written proof; decision);
//! - 支払督促 filed: suspended while pending (民法147条1項2号); confirmed (確定, e.g. an unopposed
//!   仮執行宣言付支払督促): renewal with a 10-year period from then on (147条2項, 169条); ended
//!   without confirmation (取下げ, 失効): suspended until 6 months after the end (147条1項);
//! - events after completion change nothing and are listed as ignored (a later acknowledgment may
//!   bar the debtor from invoking limitation, but that is a legal judgment, not a date).

use chrono::NaiveDate;

use super::action::ActionKind;
use super::kind::{LegalCharacter, ReceivableKind};
use super::ledger::{Ledger, LedgerEntry};
use super::payment_order::ENDING_OUTCOMES;
use super::period::{day_after, days_between, end_of_months, end_of_years};
use super::wire::wire_enum;

/// How many days ahead of completion a warning is due.
pub const WARNING_DAYS: i64 = 90;
/// 民法150条, 147条1項: six months.
const SUSPENSION_MONTHS: u32 = 6;
/// 民法169条: a right confirmed by a judgment or its equivalent.
const CONFIRMED_YEARS: u32 = 10;

/// A limitation period and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitationPeriod {
    pub years: u32,
    pub source: &'static str,
    /// `false` where receivables.md rates the application Medium or unconfirmed.
    pub confirmed: bool,
}

/// The period for `kind`; `arose_on` decides old or new 民法 for civil claims (§6.1).
pub fn limitation_period(kind: ReceivableKind, arose_on: NaiveDate) -> LimitationPeriod {
    use ReceivableKind as K;
    let reform = NaiveDate::from_ymd_opt(2020, 4, 1).unwrap_or(NaiveDate::MIN);
    let period = |years, source, confirmed| LimitationPeriod {
        years,
        source,
        confirmed,
    };
    match kind {
        K::BenefitRefund | K::EmployerJoint | K::EmployerLevy | K::LateCharge => {
            period(2, "健康保険法193条1項 (§6.1; Medium for 法58条 徴収金)", false)
        }
        K::ProviderRefund => period(2, "unconfirmed (Q7); 健康保険法193条1項 assumed", false),
        K::Damages => period(3, "民法724条1号 (724条の2 not assumed)", false),
        K::OverpaymentRefund | K::HighCostLoan | K::ChildbirthLoan => {
            let confirmed = kind == K::OverpaymentRefund;
            if arose_on >= reform {
                period(5, "民法166条1項1号", confirmed)
            } else {
                period(10, "旧民法167条1項 (改正法附則10条)", confirmed)
            }
        }
    }
}

wire_enum! {
    /// What happened that may move the clock (§6.2).
    pub enum LimitationEventKind ("limitation event") {
        /// 納入の告知 (payment slip / assessment notice).
        PaymentNotice = "payment_notice",
        /// 督促 (健康保険法180条).
        StatutoryDemand = "statutory_demand",
        /// 催告: written dunning.
        Demand = "demand",
        /// 承認: written acknowledgment, request for time.
        Acknowledgment = "acknowledgment",
        /// 一部弁済 (also 承認).
        PartialPayment = "partial_payment",
        /// 分納誓約書 (also 承認).
        InstallmentPledge = "installment_pledge",
        /// 支払督促 filed.
        PaymentOrderFiled = "payment_order_filed",
        /// The claim confirmed: unopposed 仮執行宣言付支払督促, final judgment, settlement.
        JudgmentFinal = "judgment_final",
        /// Proceedings ended without confirming the claim (取下げ, 失効).
        ProceedingsEnded = "proceedings_ended",
    }
}

impl LimitationEventKind {
    /// The limitation effect of a dunning action, if it has one (see the module comment).
    pub fn from_action(action: ActionKind) -> Option<Self> {
        match action {
            ActionKind::PaymentSlip => Some(Self::PaymentNotice),
            ActionKind::StatutoryDemand => Some(Self::StatutoryDemand),
            ActionKind::Notice | ActionKind::SecondNotice | ActionKind::FinalNotice | ActionKind::WorkplaceNotice => {
                Some(Self::Demand)
            }
            ActionKind::Acknowledgment => Some(Self::Acknowledgment),
            ActionKind::PaymentOrderFiled => Some(Self::PaymentOrderFiled),
            ActionKind::Phone | ActionKind::Visit | ActionKind::AdjustmentOffered => None,
        }
    }
}

/// One dated event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitationEvent {
    pub kind: LimitationEventKind,
    pub on: NaiveDate,
}

/// What a receivable's records say to its clock, gathered into events: the actions that have a
/// limitation effect ([`LimitationEventKind::from_action`]), every collection as a partial payment
/// (承認, 民法152条), each installment pledge, and each payment order that ended: confirmed
/// (`final`) or ended without confirming the claim (`withdrawn`, `lapsed`).
pub fn events_of<'a>(
    actions: impl IntoIterator<Item = (ActionKind, NaiveDate)>,
    ledger: &Ledger,
    pledges: impl IntoIterator<Item = NaiveDate>,
    order_outcomes: impl IntoIterator<Item = (Option<&'a str>, Option<NaiveDate>)>,
) -> Vec<LimitationEvent> {
    let mut events: Vec<LimitationEvent> = actions
        .into_iter()
        .filter_map(|(a, on)| {
            Some(LimitationEvent {
                kind: LimitationEventKind::from_action(a)?,
                on,
            })
        })
        .collect();
    events.extend(ledger.entries().iter().filter_map(|e| match *e {
        LedgerEntry::Collection { on, .. } => Some(LimitationEvent {
            kind: LimitationEventKind::PartialPayment,
            on,
        }),
        _ => None,
    }));
    events.extend(pledges.into_iter().map(|on| LimitationEvent {
        kind: LimitationEventKind::InstallmentPledge,
        on,
    }));
    events.extend(order_outcomes.into_iter().filter_map(|(outcome, on)| {
        let kind = match outcome {
            Some("final") => LimitationEventKind::JudgmentFinal,
            Some(o) if ENDING_OUTCOMES.contains(&o) => LimitationEventKind::ProceedingsEnded,
            _ => return None,
        };
        Some(LimitationEvent { kind, on: on? })
    }));
    events
}

/// Where the clock starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitationStart {
    pub kind: ReceivableKind,
    /// When the claim arose (old or new 民法).
    pub arose_on: NaiveDate,
    /// When the insurer could first exercise it (起算点; the period runs from the day after).
    pub exercisable_on: NaiveDate,
}

/// Why an event did not move the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ignored {
    /// It came after the limitation had completed.
    AfterCompletion,
    /// A 催告 within 6 months of an effective 催告 (民法150条2項).
    RepeatedDemand,
    /// Nothing was pending to confirm or end.
    NoProceedings,
}

/// The clock after all events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitationClock {
    /// The period now running (10 years once the claim was confirmed).
    pub period: LimitationPeriod,
    /// The last day before the claim is time-barred; `None` while court proceedings are pending.
    pub completes_on: Option<NaiveDate>,
    /// The end of the running period, ignoring suspension.
    pub period_ends_on: NaiveDate,
    /// A suspension (完成猶予) that ends later than the period, if any.
    pub suspended_until: Option<NaiveDate>,
    pub proceedings_pending: bool,
    /// The event that last changed `completes_on`.
    pub moved_by: Option<LimitationEvent>,
    pub ignored: Vec<(LimitationEvent, Ignored)>,
}

impl LimitationClock {
    /// Whether the claim is time-barred on `on`.
    pub fn is_completed(&self, on: NaiveDate) -> bool {
        self.completes_on.is_some_and(|c| on > c)
    }

    /// Whether completion is at most [`WARNING_DAYS`] ahead of `on` (and not yet passed).
    pub fn warning_due(&self, on: NaiveDate) -> bool {
        self.completes_on.is_some_and(|c| in_warning_window(c, on))
    }
}

/// The 90-day warning predicate: `on` is within [`WARNING_DAYS`] days before `completes_on`.
pub fn in_warning_window(completes_on: NaiveDate, on: NaiveDate) -> bool {
    (0..=WARNING_DAYS).contains(&days_between(on, completes_on))
}

/// Computes the clock from its start and the events (in any order; same-day events keep theirs).
pub fn limitation(start: LimitationStart, events: &[LimitationEvent]) -> LimitationClock {
    let mut period = limitation_period(start.kind, start.arose_on);
    let statutory = start.kind.character() == LegalCharacter::Statutory;
    let mut ends = end_of_years(day_after(start.exercisable_on), period.years);
    let mut hold: Option<NaiveDate> = None;
    let mut demand_effect_until: Option<NaiveDate> = None;
    let mut pending = false;
    let mut moved_by = None;
    let mut ignored = Vec::new();
    let completes = |ends: NaiveDate, hold: Option<NaiveDate>, pending: bool| {
        (!pending).then(|| hold.map_or(ends, |h| h.max(ends)))
    };
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| e.on);
    for event in sorted {
        let before = completes(ends, hold, pending);
        if before.is_some_and(|c| event.on > c) {
            ignored.push((event, Ignored::AfterCompletion));
            continue;
        }
        let six_months_later = end_of_months(day_after(event.on), SUSPENSION_MONTHS);
        use LimitationEventKind as E;
        let renews = match event.kind {
            E::Acknowledgment | E::PartialPayment | E::InstallmentPledge => true,
            E::PaymentNotice | E::StatutoryDemand => statutory,
            _ => false,
        };
        if renews {
            ends = end_of_years(day_after(event.on), period.years);
        } else {
            match event.kind {
                E::PaymentNotice | E::StatutoryDemand | E::Demand => {
                    if demand_effect_until.is_some_and(|until| event.on <= until) {
                        ignored.push((event, Ignored::RepeatedDemand));
                        continue;
                    }
                    demand_effect_until = Some(six_months_later);
                    hold = Some(hold.map_or(six_months_later, |h| h.max(six_months_later)));
                }
                E::PaymentOrderFiled => pending = true,
                E::JudgmentFinal | E::ProceedingsEnded if !pending => {
                    ignored.push((event, Ignored::NoProceedings));
                    continue;
                }
                E::JudgmentFinal => {
                    pending = false;
                    period = LimitationPeriod {
                        years: CONFIRMED_YEARS,
                        source: "民法169条1項",
                        confirmed: true,
                    };
                    ends = end_of_years(day_after(event.on), period.years);
                }
                E::ProceedingsEnded => {
                    pending = false;
                    hold = Some(hold.map_or(six_months_later, |h| h.max(six_months_later)));
                }
                E::Acknowledgment | E::PartialPayment | E::InstallmentPledge => {}
            }
        }
        if completes(ends, hold, pending) != before {
            moved_by = Some(event);
        }
    }
    let completes_on = completes(ends, hold, pending);
    LimitationClock {
        period,
        completes_on,
        period_ends_on: ends,
        suspended_until: hold.filter(|h| *h > ends),
        proceedings_pending: pending,
        moved_by,
        ignored,
    }
}

/// The first day on which a warning for `completes_on` is due.
pub fn warning_from(completes_on: NaiveDate) -> NaiveDate {
    completes_on
        .checked_sub_days(chrono::Days::new(WARNING_DAYS.unsigned_abs()))
        .unwrap_or(NaiveDate::MIN)
}
