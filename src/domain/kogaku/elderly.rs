//! 70-74 members (R5), with the 75歳到達月 individual step (R9) between the two R5 steps.
//!
//! 1. Outpatient per person (外来・個人単位, R5 step 1), for categories that have an outpatient
//!    limit: all outpatient copayments of the person (every provider, pharmacy, dental, visiting
//!    nursing) against the outpatient limit. Never pooled between persons; no 21,000 test; 多数回
//!    never lowers it.
//! 2. For a person in the 75歳到達月: the remaining outpatient amount plus inpatient copayments
//!    against half the household-type limit (R9), individually.
//! 3. Household (外来＋入院・世帯単位, R5 step 2): everything still remaining of all 70-74 members
//!    against the household limit (多数回 amount under R7 when the row has one); the 1% base, for
//!    現役並み, is the total cost of all 70-74 members' claims.
//!
//! Under R9 the outpatient limit is halved too (一般 9,000): kogaku.md rates this Likely (the
//! tables it read were truncated); we follow it.

use crate::domain::money::Yen;

use super::outcome::{LimitKind, ReviewFlag, Scope};
use super::rules::half_of;
use super::run::{Applied, MemberCalc, Run, apportion};
use super::units::Unit;
use super::{Age70to74Category, KogakuError};

/// Runs the 70-74 steps; returns what the household step (R5 step 2) paid.
pub(super) fn steps(
    run: &mut Run<'_>,
    units: &[Unit],
    calc: &mut [MemberCalc],
    category: Age70to74Category,
) -> Result<Yen, KogakuError> {
    let row = *run.set.age70to74(category);
    if !units.iter().any(|u| u.specific.is_none() && calc[u.member].elderly) {
        return Ok(Yen::ZERO);
    }
    for (m, member) in calc.iter_mut().zip(run.members) {
        if !m.elderly || (m.outpatient.is_zero() && m.inpatient.is_zero() && m.cost.is_zero()) {
            continue;
        }
        let mut remaining_outpatient = m.outpatient;
        if let Some(limit) = row.outpatient.filter(|_| !m.outpatient.is_zero()) {
            let limit = Yen::new(if m.half { half_of(limit)? } else { limit });
            let applied = Applied {
                limit,
                kind: LimitKind::Outpatient,
                halved: m.half,
                source: row.source,
            };
            let scope = Scope::MemberOutpatient {
                member: member.id.clone(),
            };
            let (paid, remaining) = run.step("R5", scope, m.outpatient, m.outpatient_cost, applied);
            m.benefit += paid;
            remaining_outpatient = remaining;
        }
        let (sum, cost) = (remaining_outpatient + m.inpatient, m.cost);
        if m.half {
            let applied = run.limit(row.household, row.multiple, cost, true, row.source)?;
            let scope = Scope::MemberAge75Month {
                member: member.id.clone(),
            };
            let (paid, remaining) = run.step("R9", scope, sum, cost, applied);
            m.benefit += paid;
            m.carry = remaining;
        } else {
            m.carry = sum;
        }
    }
    let sum: Yen = calc.iter().filter(|m| m.elderly).map(|m| m.carry).sum();
    let cost: Yen = calc.iter().filter(|m| m.elderly).map(|m| m.cost).sum();
    let applied = run.limit(row.household, row.multiple, cost, false, row.source)?;
    let (paid, _) = run.step("R5", Scope::Age70to74Household, sum, cost, applied);
    if paid.is_zero() && !sum.is_zero() && sum == applied.limit {
        run.flag(ReviewFlag::PossibleWindowBenefit);
    }
    apportion(calc, paid, |m| m.elderly);
    Ok(paid)
}
