//! One household-month (R3, R4, R6, R7, R9, R10, R13; the 70-74 steps of R5 are in `elderly`).
//!
//! Order of steps (R6): 特定疾病 units (R10) → under-70 units and the 21,000 test (R3) → the
//! 75歳到達月 individual step of an under-70 person (R9) → 70-74 outpatient per person (R5 step 1)
//! → 75歳到達月 individual step of a 70-74 person (R9) → 70-74 household (R5 step 2) → whole
//! household (R4; R6 step 3 when 70-74 amounts take part). Each household-level benefit is shared
//! among the members in proportion to what each brought into the step (our reading: kogaku.md open
//! question 4), largest remainder to the yen, so the member amounts add up to the total.

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::eligibility::{self, AgeBracket};
use super::outcome::{Determination, ExcludedClaim, MemberBenefit, ReviewFlag, Scope};
use super::rules;
use super::run::{MemberCalc, Run, apportion};
use super::units::{self, Unit};
use super::{Age70to74Category, Setting, elderly};
use super::{Claim, ClaimKind, HistoryMonth, HouseholdMonth, KogakuError, Member};

/// Determines the benefit of one household for one service month.
pub fn determine(input: &HouseholdMonth<'_>) -> Result<Determination, KogakuError> {
    let month = input.service_month;
    let set = rules::rule_set_for(month)?;
    let mut calc = member_calcs(input.members, month)?;
    let mut units: Vec<Unit> = Vec::with_capacity(input.claims.len());
    let mut excluded_claims = Vec::new();
    for (index, claim) in input.claims.iter().enumerate() {
        let member = validate(index, claim, input.members, month)?;
        match eligibility::excluded(calc[member].end, month, claim.first_service_on) {
            Some(reason) => excluded_claims.push(ExcludedClaim { index, reason }),
            None => units::add(&mut units, member, claim),
        }
    }
    let has_elderly = calc.iter().any(|m| m.elderly && m.present);
    if has_elderly && input.categories.age70to74.is_none() {
        return Err(KogakuError::MissingCategory { month });
    }
    let mut run = Run {
        set,
        categories: input.categories,
        multiple: multiple_applies(month, input.history),
        multiple_used: false,
        steps: Vec::with_capacity(units.len() + 2 * calc.len() + 2),
        review: Vec::new(),
        members: input.members,
    };
    if set.confidence == rules::Confidence::Likely {
        run.flag(ReviewFlag::UnverifiedRuleTable);
    }
    units::specific_disease_steps(&mut run, &units, &mut calc)?;
    units::threshold_steps(&mut run, &units, &mut calc);
    under70_age75_month(&mut run, &mut calc)?;
    let mut household_paid = Yen::ZERO;
    let elderly_paid = match input.categories.age70to74 {
        Some(category) if calc.iter().any(|m| m.elderly) => elderly::steps(&mut run, &units, &mut calc, category)?,
        _ => Yen::ZERO,
    };
    // R4 when an under-70 unit passed R3; R6 step 3 also when none did, as long as the household
    // has under-70 members and its 70-74 members still bear something after their own steps.
    let under70_units = calc.iter().any(|m| !m.elderly && !m.u70_included.is_zero());
    let under70_members = calc.iter().any(|m| !m.elderly && m.present);
    let elderly_remaining = calc.iter().any(|m| m.elderly && !m.carry.is_zero());
    if under70_units || (under70_members && elderly_remaining) {
        household_paid = household(&mut run, &mut calc)?;
    }
    // R7: which months count. Household-level steps count; a month whose only household-level
    // benefit is the 70-74 one counts only when the household has no under-70 member (kogaku.md
    // leaves the mixed case open: the conservative reading does not count it).
    let has_under70 = calc.iter().any(|m| !m.elderly && m.present);
    let mut counts = !household_paid.is_zero();
    if !counts && !elderly_paid.is_zero() {
        if has_under70 {
            run.flag(ReviewFlag::MixedHouseholdMultipleCount);
        } else {
            counts = true;
        }
    }
    // R16: a month whose limit was applied at the window is a benefit month (R7) even when no
    // cash follows; only claims the month keeps count.
    let window_side = input
        .claims
        .iter()
        .enumerate()
        .any(|(i, c)| !c.window_benefit.is_zero() && !excluded_claims.iter().any(|e| e.index == i));
    counts |= window_side;
    if !counts && run.steps.iter().any(|s| s.rule == "R9" && !s.paid.is_zero()) {
        run.flag(ReviewFlag::Age75MonthMultipleCount);
    }
    // R7: whether 現役並み's outpatient-individual benefit (held until 2018-07) counted is not
    // confirmed; like every R5 step 1 benefit it does not count here, and the month is flagged.
    let active = matches!(
        input.categories.age70to74,
        Some(Age70to74Category::Active1 | Age70to74Category::Active2 | Age70to74Category::Active3)
    );
    let outpatient_paid = run
        .steps
        .iter()
        .any(|s| matches!(s.scope, Scope::MemberOutpatient { .. }) && !s.paid.is_zero());
    if !counts && active && outpatient_paid {
        run.flag(ReviewFlag::ActiveOutpatientMultipleCount);
    }
    let total_benefit = calc.iter().map(|m| m.benefit).sum();
    Ok(Determination {
        service_month: month,
        rule_set: set.id,
        total_benefit,
        members: input
            .members
            .iter()
            .zip(&calc)
            .map(|(m, c)| MemberBenefit {
                member_id: m.id.clone(),
                benefit: c.benefit,
            })
            .collect(),
        steps: run.steps,
        multiple_applied: run.multiple_used,
        counts_toward_multiple: counts,
        excluded_claims,
        review: run.review,
    })
}

/// Member states for the month (R9, R12, R13); refuses duplicate ids.
fn member_calcs(members: &[Member], month: YearMonth) -> Result<Vec<MemberCalc>, KogakuError> {
    let mut calc = Vec::with_capacity(members.len());
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.id == m.id) {
            return Err(KogakuError::DuplicateMember { id: m.id.to_string() });
        }
        let (bracket, end) = eligibility::member_month(m.birth_date, m.lost_on, month);
        calc.push(MemberCalc {
            elderly: matches!(bracket, AgeBracket::Age70to74 | AgeBracket::Turning75),
            half: bracket == AgeBracket::Turning75 || m.joined_on_insured_turning_75,
            present: eligibility::excluded(end, month, None).is_none(),
            end,
            ..MemberCalc::default()
        });
    }
    Ok(calc)
}

/// Checks one claim and returns its member's index.
fn validate(index: usize, claim: &Claim, members: &[Member], month: YearMonth) -> Result<usize, KogakuError> {
    let member = members
        .iter()
        .position(|m| m.id == claim.member_id)
        .ok_or(KogakuError::UnknownMember { index })?;
    if claim.copayment.is_negative() || claim.total_cost.is_negative() {
        return Err(KogakuError::NegativeAmount { index });
    }
    if claim.copayment > claim.total_cost {
        return Err(KogakuError::CopaymentExceedsCost { index });
    }
    let outpatient_only = matches!(claim.kind, ClaimKind::Pharmacy | ClaimKind::VisitingNursing);
    if outpatient_only && claim.setting != Setting::Outpatient {
        return Err(KogakuError::InvalidSetting { index });
    }
    if claim.kind == ClaimKind::Pharmacy && claim.prescribing_provider.is_none() {
        return Err(KogakuError::MissingPrescriber { index });
    }
    if claim.first_service_on.is_some_and(|d| !month.contains(d)) {
        return Err(KogakuError::ServiceDateOutsideMonth { index });
    }
    Ok(member)
}

/// R7: the 多数回 amount applies when the household has 3 or more counted benefit months among the
/// 11 service months before this one (M−11 … M−1). Months counted once each; later months ignored.
pub fn multiple_applies(month: YearMonth, history: &[HistoryMonth]) -> bool {
    let mut seen: u16 = 0;
    for h in history.iter().filter(|h| h.counts_toward_multiple) {
        let back = month.months_since(h.service_month);
        if (1..=11).contains(&back) {
            seen |= 1 << back;
        }
    }
    seen.count_ones() >= 3
}

/// R9 for an under-70 person (a former dependent joining this month): the half under-70 limit on
/// the person's own units first; what remains joins the household at the full limit.
fn under70_age75_month(run: &mut Run<'_>, calc: &mut [MemberCalc]) -> Result<(), KogakuError> {
    let row = *run.set.under70(run.categories.under70);
    for (m, member) in calc.iter_mut().zip(run.members) {
        if m.elderly || !m.half || m.u70_included.is_zero() {
            continue;
        }
        let (sum, cost) = (m.u70_included, m.u70_cost);
        let applied = run.limit(row.monthly, Some(row.multiple), cost, true, row.source)?;
        let scope = Scope::MemberAge75Month {
            member: member.id.clone(),
        };
        let (paid, remaining) = run.step("R9", scope, sum, cost, applied);
        m.benefit += paid;
        m.carry = remaining;
    }
    Ok(())
}

/// R4 / R6 step 3: whole household with the under-70 table. Its 1% base is the cost of the
/// under-70 units that passed R3 plus the cost of all 70-74 members' (ordinary) claims (R2.1).
/// In a mixed household it runs even when no under-70 unit passed: what the 70-74 members still
/// bear is then compared on its own with the household's under-70 limit (kogaku.md R6).
fn household(run: &mut Run<'_>, calc: &mut [MemberCalc]) -> Result<Yen, KogakuError> {
    let row = *run.set.under70(run.categories.under70);
    let mixed = calc.iter().any(|m| m.elderly && !m.cost.is_zero());
    let sum: Yen = calc.iter().map(|m| m.carry).sum();
    let cost: Yen = calc.iter().map(|m| if m.elderly { m.cost } else { m.u70_cost }).sum();
    let applied = run.limit(row.monthly, Some(row.multiple), cost, false, row.source)?;
    let rule = if mixed { "R6" } else { "R4" };
    let (paid, _) = run.step(rule, Scope::Household, sum, cost, applied);
    if paid.is_zero() && !sum.is_zero() && sum == applied.limit {
        run.flag(ReviewFlag::PossibleWindowBenefit);
    }
    apportion(calc, paid, |_| true);
    Ok(paid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    fn h(month: &str, counts: bool) -> HistoryMonth {
        HistoryMonth {
            service_month: ym(month),
            counts_toward_multiple: counts,
        }
    }

    /// R7: M−11 … M−1, 3 or more, counted months only, each month once.
    #[test]
    fn multiple_window() {
        let m = ym("2024-12");
        let cases: [(&[HistoryMonth], bool); 7] = [
            (&[h("2024-01", true), h("2024-05", true), h("2024-11", true)], true),
            (&[h("2023-12", true), h("2024-05", true), h("2024-11", true)], false), // M−12 is outside
            (&[h("2024-01", true), h("2024-05", true)], false),
            (&[h("2024-01", true), h("2024-05", false), h("2024-11", true)], false), // not counted
            (&[h("2024-05", true), h("2024-05", true), h("2024-11", true)], false),  // same month twice
            (&[h("2024-10", true), h("2024-11", true), h("2024-12", true)], false),  // M itself
            (&[h("2024-10", true), h("2024-11", true), h("2025-01", true)], false),  // later month
        ];
        for (history, want) in cases {
            assert_eq!(multiple_applies(m, history), want, "{history:?}");
        }
    }

    fn calc_with(carries: &[i64]) -> Vec<MemberCalc> {
        carries
            .iter()
            .map(|&c| MemberCalc {
                carry: Yen::new(c),
                ..MemberCalc::default()
            })
            .collect()
    }

    #[test]
    fn apportion_adds_up_by_largest_remainder() {
        let mut calc = calc_with(&[1, 1, 1]);
        apportion(&mut calc, Yen::new(2), |_| true);
        let got: Vec<i64> = calc.iter().map(|m| m.benefit.as_i64()).collect();
        assert_eq!(got, vec![1, 1, 0]);
        let mut calc = calc_with(&[600_000, 300_000, 57_600, 0]);
        apportion(&mut calc, Yen::new(846_170), |_| true);
        let got: Vec<i64> = calc.iter().map(|m| m.benefit.as_i64()).collect();
        assert_eq!(got.iter().sum::<i64>(), 846_170);
        assert_eq!(got[3], 0);
        assert!(calc.iter().all(|m| !m.carry.is_negative()));
    }
}
