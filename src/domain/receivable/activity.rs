//! The monthly plan-against-actual report of SEED-A (返納金債権納付催告等実施計画及び実績, and
//! 保険者間調整実施計画及び実績（回収分）): which records count as which row, and how a year of
//! months is laid out and totalled.
//!
//! - `occurrences` (発生件数): receivables assessed (調定) in the month;
//! - `phone` (電話催告), `visit` (訪問催告), `final_notice` (最終催告): actions of that kind taken in
//!   the month, each action counted (a receivable called twice counts twice);
//! - `legal_action` (法的手続): payment orders (支払督促) filed in the month; SEED-A notes that its
//!   法的手続 are 支払督促 applications;
//! - adjustments (保険者間調整, 回収分): requests settled in the month, and the amount applied to
//!   the receivables (what the new insurer paid less what is owed on to the insured).
//!
//! A plan month without a target (SEED-A's "－") is `None`; a row's plan total is `None` when no
//! month has a target, otherwise the sum of the targets given.

use std::collections::BTreeMap;

use super::action::ActionKind;
use super::wire::wire_enum;
use crate::domain::calendar::{FiscalYear, YearMonth};

wire_enum! {
    /// A row of the activity report.
    pub enum Activity ("activity") {
        /// 発生件数.
        Occurrences = "occurrences",
        /// 電話催告.
        Phone = "phone",
        /// 訪問催告.
        Visit = "visit",
        /// 最終催告.
        FinalNotice = "final_notice",
        /// 法的手続 (支払督促).
        LegalAction = "legal_action",
    }
}

impl Activity {
    /// The action whose records count in this row; `None` for occurrences, which count
    /// assessments.
    pub fn action(self) -> Option<ActionKind> {
        match self {
            Self::Occurrences => None,
            Self::Phone => Some(ActionKind::Phone),
            Self::Visit => Some(ActionKind::Visit),
            Self::FinalNotice => Some(ActionKind::FinalNotice),
            Self::LegalAction => Some(ActionKind::PaymentOrderFiled),
        }
    }

    /// The row an action counts in, if any.
    pub fn of_action(kind: ActionKind) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.action() == Some(kind))
    }
}

/// One month of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthFigure {
    pub month: YearMonth,
    pub plan: Option<i64>,
    pub actual: i64,
}

/// A row over the twelve months of a fiscal year, April to March, with its totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearRow {
    pub months: Vec<MonthFigure>,
    pub plan_total: Option<i64>,
    pub actual_total: i64,
}

/// Lays out `fy`'s months with the plan and actual figures given by month; months missing from
/// either map have no target and nothing done. Figures outside the year are ignored.
pub fn year_row(fy: FiscalYear, plan: &BTreeMap<YearMonth, i64>, actual: &BTreeMap<YearMonth, i64>) -> YearRow {
    let months: Vec<MonthFigure> = fy
        .months()
        .map(|month| MonthFigure {
            month,
            plan: plan.get(&month).copied(),
            actual: actual.get(&month).copied().unwrap_or(0),
        })
        .collect();
    let plan_total = months
        .iter()
        .filter_map(|m| m.plan)
        .fold(None, |sum: Option<i64>, p| Some(sum.unwrap_or(0) + p));
    let actual_total = months.iter().map(|m| m.actual).sum();
    YearRow {
        months,
        plan_total,
        actual_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn seed_fy2017_legal_action_row() {
        // SEED-A 法的手続: plan 4 4 4 4 4 5 4 4 4 4 4 5 = 50, actual 5 5 8 0 10 12 4 5 6 5 0 5 = 65.
        let fy = FiscalYear::new(2017).unwrap();
        let plans = [4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 5];
        let actuals = [5, 5, 8, 0, 10, 12, 4, 5, 6, 5, 0, 5];
        let plan: BTreeMap<YearMonth, i64> = fy.months().zip(plans).collect();
        let actual: BTreeMap<YearMonth, i64> = fy.months().zip(actuals).filter(|(_, n)| *n > 0).collect();
        let row = year_row(fy, &plan, &actual);
        assert_eq!((row.plan_total, row.actual_total), (Some(50), 65));
        assert_eq!(row.months.len(), 12);
        assert_eq!(row.months[0].month, ym("2017-04"));
        assert_eq!(row.months[11].month, ym("2018-03"));
        assert_eq!(
            row.months[3],
            MonthFigure {
                month: ym("2017-07"),
                plan: Some(4),
                actual: 0
            }
        );
    }

    #[test]
    fn a_row_without_targets_has_no_plan_total_and_months_outside_the_year_are_ignored() {
        let fy = FiscalYear::new(2017).unwrap();
        let actual: BTreeMap<YearMonth, i64> = [(ym("2017-04"), 10), (ym("2018-04"), 99)].into();
        let row = year_row(fy, &BTreeMap::new(), &actual);
        assert_eq!((row.plan_total, row.actual_total), (None, 10));
        assert!(row.months.iter().all(|m| m.plan.is_none()));
        // A single target of zero is a target.
        let row = year_row(fy, &[(ym("2017-05"), 0)].into(), &actual);
        assert_eq!(row.plan_total, Some(0));
    }

    #[test]
    fn each_row_counts_one_action_kind_and_legal_action_is_the_payment_order() {
        assert_eq!(Activity::LegalAction.action(), Some(ActionKind::PaymentOrderFiled));
        assert_eq!(Activity::of_action(ActionKind::Phone), Some(Activity::Phone));
        assert_eq!(Activity::of_action(ActionKind::Notice), None);
        assert_eq!(Activity::Occurrences.action(), None);
    }
}
