//! The working state of one household-month's calculation, shared by the engine's steps
//! (`engine`, `units`, `elderly`): each member's amounts, the limits applied, and the sharing of a
//! household-level benefit among the members who brought amounts into the step.

use rust_decimal::Decimal;

use crate::domain::money::Yen;

use super::outcome::{LimitKind, ReviewFlag, Scope, Step};
use super::rules::{Limit, RuleSet, half_of};
use super::{IncomeCategories, KogakuError, Member};

/// Per-member working state.
#[derive(Clone, Debug, Default)]
pub(super) struct MemberCalc {
    /// 70-74 rules apply this month (R12), including the 75歳到達月.
    pub elderly: bool,
    /// R9 halving applies to this person this month.
    pub half: bool,
    /// Covered on the first day of the month (counts as a member of the month).
    pub present: bool,
    pub end: Option<(chrono::NaiveDate, super::ExclusionReason)>,
    /// Ordinary (non-特定疾病) claims of a 70-74 member, and their cost.
    pub outpatient: Yen,
    pub outpatient_cost: Yen,
    pub inpatient: Yen,
    pub cost: Yen,
    /// Under 70: copayments and costs of the units that passed the R3 test.
    pub u70_included: Yen,
    pub u70_cost: Yen,
    /// What this member brings into the next household-level step.
    pub carry: Yen,
    pub benefit: Yen,
    pub share: Yen,
    pub remainder: Decimal,
}

/// Shared state of one determination.
pub(super) struct Run<'a> {
    pub set: &'static RuleSet,
    pub categories: IncomeCategories,
    /// R7: 3 or more counted months in the 11 before.
    pub multiple: bool,
    pub multiple_used: bool,
    pub steps: Vec<Step>,
    pub review: Vec<ReviewFlag>,
    pub members: &'a [Member],
}

/// A limit as applied by a step: amount, kind, whether halved (R9), and its legal source.
#[derive(Clone, Copy, Debug)]
pub(super) struct Applied {
    pub limit: Yen,
    pub kind: LimitKind,
    pub halved: bool,
    pub source: &'static str,
}

impl Run<'_> {
    /// Records a step limiting `copayments` to `applied` and returns (paid, remaining).
    pub fn step(
        &mut self,
        rule: &'static str,
        scope: Scope,
        copayments: Yen,
        cost_base: Yen,
        applied: Applied,
    ) -> (Yen, Yen) {
        let Applied {
            limit,
            kind: limit_kind,
            halved,
            source,
        } = applied;
        let paid = copayments.saturating_sub(limit);
        let remaining = copayments.min(limit);
        self.multiple_used |= limit_kind == LimitKind::Multiple;
        let step = Step {
            rule,
            scope,
            copayments,
            cost_base,
            limit,
            limit_kind,
            halved,
            source,
            paid,
            remaining,
        };
        self.steps.push(step);
        (paid, remaining)
    }

    pub fn flag(&mut self, flag: ReviewFlag) {
        if !self.review.contains(&flag) {
            self.review.push(flag);
        }
    }

    /// The monthly limit for `cost` or, under R7, the 多数回 amount when the row has one; halved
    /// under R9.
    pub fn limit(
        &self,
        monthly: Limit,
        multiple: Option<i64>,
        cost: Yen,
        halved: bool,
        source: &'static str,
    ) -> Result<Applied, KogakuError> {
        let (limit, kind) = match multiple.filter(|_| self.multiple) {
            Some(m) => (Yen::new(if halved { half_of(m)? } else { m }), LimitKind::Multiple),
            None => {
                let monthly = if halved { monthly.half()? } else { monthly };
                (monthly.amount(cost), LimitKind::Monthly)
            }
        };
        Ok(Applied {
            limit,
            kind,
            halved,
            source,
        })
    }
}

/// Shares `paid` among the members whose `carry` entered the step and who pass `filter`, in
/// proportion to their carry: floors first, then one yen each by largest remainder (ties: input
/// order). Each member's carry is reduced by its share and the share added to its benefit.
pub(super) fn apportion(calc: &mut [MemberCalc], paid: Yen, filter: impl Fn(&MemberCalc) -> bool) {
    if paid.is_zero() {
        return;
    }
    let mut contributors = calc.iter().filter(|m| filter(m) && !m.carry.is_zero());
    let (first, more) = (contributors.next(), contributors.next());
    if first.is_some() && more.is_none() {
        // One contributor takes the whole step benefit (paid ≤ its carry).
        if let Some(m) = calc.iter_mut().find(|m| filter(m) && !m.carry.is_zero()) {
            m.carry = m.carry.saturating_sub(paid);
            m.benefit += paid;
        }
        return;
    }
    let total: Yen = calc.iter().filter(|m| filter(m)).map(|m| m.carry).sum();
    if total.is_zero() {
        return;
    }
    let mut given = Yen::ZERO;
    for m in calc.iter_mut() {
        if filter(m) && !m.carry.is_zero() {
            let exact = paid.amount() * m.carry.amount() / total.amount();
            m.share = floor_share(exact);
            m.remainder = exact - m.share.amount();
            given += m.share;
        } else {
            m.share = Yen::ZERO;
            m.remainder = Decimal::NEGATIVE_ONE;
        }
    }
    for _ in 0..paid.saturating_sub(given).as_i64() {
        let mut best: Option<usize> = None;
        for (i, m) in calc.iter().enumerate() {
            if m.remainder >= Decimal::ZERO && best.is_none_or(|b| m.remainder > calc[b].remainder) {
                best = Some(i);
            }
        }
        if let Some(b) = best {
            calc[b].share += Yen::new(1);
            calc[b].remainder = Decimal::NEGATIVE_ONE;
        }
    }
    for m in calc.iter_mut() {
        m.carry = m.carry.saturating_sub(m.share);
        m.benefit += m.share;
        m.share = Yen::ZERO;
    }
}

/// Rounds a proportional share down to the yen (切り捨て) before the largest-remainder pass of
/// [`apportion`] (our reading of kogaku.md open question 4). Shares are never negative.
fn floor_share(exact: Decimal) -> Yen {
    Yen::from_whole(exact.trunc()).unwrap_or(Yen::ZERO)
}
