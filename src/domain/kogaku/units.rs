//! Claim units (R3): member × provider × month × medical-or-dental × inpatient-or-outpatient.
//! A pharmacy claim joins the outpatient unit of its prescriber; a visiting-nursing station is its
//! own unit. 特定疾病 care (R10) forms units of its own, the pharmacy separately capped. Also the
//! unit-level steps: the 21,000 test (R3) and the 特定疾病 cap (R10).

use crate::domain::money::Yen;

use super::outcome::{LimitKind, ReviewFlag, Scope, Step};
use super::rules::{UNIT_THRESHOLD, UNIT_THRESHOLD_SOURCE, half_of};
use super::run::{Applied, MemberCalc, Run};
use super::{Claim, ClaimKind, KogakuError, ProviderCode, Setting, SpecificDisease, Under70Category};

/// The department of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Department {
    Medical,
    Dental,
    VisitingNursing,
    /// Only for 特定疾病 units: the pharmacy is capped on its own (R10).
    Pharmacy,
}

impl Department {
    pub(super) fn code(self) -> &'static str {
        match self {
            Self::Medical => "medical",
            Self::Dental => "dental",
            Self::VisitingNursing => "visiting_nursing",
            Self::Pharmacy => "pharmacy",
        }
    }
}

/// One unit with its summed amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Unit {
    /// Index of the member in the input.
    pub member: usize,
    pub provider: ProviderCode,
    pub department: Department,
    pub setting: Setting,
    pub specific: Option<SpecificDisease>,
    pub copayment: Yen,
    pub cost: Yen,
}

/// The unit key of a claim (R3, R10).
fn key(member: usize, claim: &Claim) -> (usize, ProviderCode, Department, Setting, Option<SpecificDisease>) {
    let specific = claim.specific_disease;
    match claim.kind {
        ClaimKind::Medical => (member, claim.provider, Department::Medical, claim.setting, specific),
        ClaimKind::Dental => (member, claim.provider, Department::Dental, claim.setting, specific),
        ClaimKind::VisitingNursing => (
            member,
            claim.provider,
            Department::VisitingNursing,
            Setting::Outpatient,
            specific,
        ),
        // R10: the pharmacy of 特定疾病 care is capped on its own, so it keeps its own code.
        ClaimKind::Pharmacy if specific.is_some() => (
            member,
            claim.provider,
            Department::Pharmacy,
            Setting::Outpatient,
            specific,
        ),
        ClaimKind::Pharmacy => {
            // Validated before: a pharmacy claim has a prescriber.
            let prescriber = claim.prescribing_provider.unwrap_or(claim.provider);
            let department = if claim.prescribed_by_dentist {
                Department::Dental
            } else {
                Department::Medical
            };
            (member, prescriber, department, Setting::Outpatient, None)
        }
    }
}

/// Adds a (validated, not excluded) claim of member `member` to its unit.
pub(super) fn add(units: &mut Vec<Unit>, member: usize, claim: &Claim) {
    let (member, provider, department, setting, specific) = key(member, claim);
    let found = units.iter_mut().find(|u| {
        u.member == member
            && u.provider == provider
            && u.department == department
            && u.setting == setting
            && u.specific == specific
    });
    match found {
        Some(unit) => {
            unit.copayment += claim.copayment;
            unit.cost += claim.total_cost;
        }
        None => units.push(Unit {
            member,
            provider,
            department,
            setting,
            specific,
            copayment: claim.copayment,
            cost: claim.total_cost,
        }),
    }
}

/// R10: each 特定疾病 unit is capped at 10,000 (dialysis under 70 in 区分ア・イ: 20,000; halved in
/// the 75歳到達月). These units stay out of the ordinary aggregation (the conservative reading of
/// kogaku.md's open question 3) and the month is flagged for review.
pub(super) fn specific_disease_steps(
    run: &mut Run<'_>,
    units: &[Unit],
    calc: &mut [MemberCalc],
) -> Result<(), KogakuError> {
    for u in units.iter().filter(|u| u.specific.is_some()) {
        let row = run.set.specific_disease;
        let m = &calc[u.member];
        let upper = matches!(run.categories.under70, Under70Category::A | Under70Category::I);
        let amount = if u.specific == Some(SpecificDisease::Dialysis) && !m.elderly && upper {
            row.dialysis_upper_income_under70
        } else {
            row.limit
        };
        let halved = m.half;
        let limit = Yen::new(if halved { half_of(amount)? } else { amount });
        let applied = Applied {
            limit,
            kind: LimitKind::SpecificDisease,
            halved,
            source: row.source,
        };
        let scope = unit_scope(run, u);
        let (paid, _) = run.step("R10", scope, u.copayment, u.cost, applied);
        calc[u.member].benefit += paid;
        run.flag(ReviewFlag::SpecificDiseaseAggregation);
    }
    Ok(())
}

fn unit_scope(run: &Run<'_>, u: &Unit) -> Scope {
    Scope::Unit {
        member: run.members[u.member].id.clone(),
        provider: u.provider,
        department: u.department.code(),
        setting: u.setting,
    }
}

/// R3: an under-70 unit joins the aggregation only if its copayment is 21,000 or more (10,500
/// under R9); a unit below is dropped whole, copayment and cost alike (R2.1). 70-74 members' units
/// all count (R5) and are summed per person here.
pub(super) fn threshold_steps(run: &mut Run<'_>, units: &[Unit], calc: &mut [MemberCalc]) {
    for u in units.iter().filter(|u| u.specific.is_none()) {
        let m = &mut calc[u.member];
        if m.elderly {
            m.cost += u.cost;
            match u.setting {
                Setting::Outpatient => {
                    m.outpatient += u.copayment;
                    m.outpatient_cost += u.cost;
                }
                Setting::Inpatient => m.inpatient += u.copayment,
            }
            continue;
        }
        let half = m.half;
        let threshold = Yen::new(if half { UNIT_THRESHOLD / 2 } else { UNIT_THRESHOLD });
        let included = u.copayment >= threshold;
        if included {
            m.u70_included += u.copayment;
            m.u70_cost += u.cost;
        }
        let scope = unit_scope(run, u);
        let remaining = if included { u.copayment } else { Yen::ZERO };
        let step = Step {
            rule: "R3",
            scope,
            copayments: u.copayment,
            cost_base: u.cost,
            limit: threshold,
            limit_kind: LimitKind::UnitThreshold,
            halved: half,
            source: UNIT_THRESHOLD_SOURCE,
            paid: Yen::ZERO,
            remaining,
        };
        run.steps.push(step);
    }
    for m in calc.iter_mut().filter(|m| !m.elderly) {
        m.carry = m.u70_included;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ProviderCode {
        ProviderCode::parse(s).unwrap()
    }

    fn claim(kind: ClaimKind, setting: Setting, provider: &str, copay: i64) -> Claim {
        Claim::new(
            "m",
            p(provider),
            kind,
            setting,
            Yen::new(copay * 10 / 3),
            Yen::new(copay),
        )
    }

    /// R3: medical vs dental and inpatient vs outpatient are separate units; pharmacy joins the
    /// prescriber's outpatient unit (dental when a dentist prescribed); visiting nursing is its own.
    #[test]
    fn grouping() {
        use ClaimKind::*;
        use Setting::*;
        let hospital = "1310000001";
        let pharmacy = "1340000009";
        let station = "1360000003";
        let mut dental_rx = claim(Pharmacy, Outpatient, pharmacy, 1_000).prescribed_by(p(hospital));
        dental_rx.prescribed_by_dentist = true;
        let claims = [
            claim(Medical, Outpatient, hospital, 12_000),
            claim(Pharmacy, Outpatient, pharmacy, 9_000).prescribed_by(p(hospital)),
            claim(Medical, Inpatient, hospital, 90_000),
            claim(Dental, Outpatient, hospital, 5_000),
            dental_rx,
            claim(VisitingNursing, Outpatient, station, 3_000),
            claim(Medical, Outpatient, hospital, 1_000).specific_disease(SpecificDisease::Dialysis),
            claim(Pharmacy, Outpatient, pharmacy, 500)
                .prescribed_by(p(hospital))
                .specific_disease(SpecificDisease::Dialysis),
        ];
        let mut units = Vec::new();
        for c in &claims {
            add(&mut units, 0, c);
        }
        let summary: Vec<(&str, Department, Setting, i64, bool)> = units
            .iter()
            .map(|u| {
                (
                    u.provider.as_str(),
                    u.department,
                    u.setting,
                    u.copayment.as_i64(),
                    u.specific.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (hospital, Department::Medical, Outpatient, 21_000, false),
                (hospital, Department::Medical, Inpatient, 90_000, false),
                (hospital, Department::Dental, Outpatient, 6_000, false),
                (station, Department::VisitingNursing, Outpatient, 3_000, false),
                (hospital, Department::Medical, Outpatient, 1_000, true),
                (pharmacy, Department::Pharmacy, Outpatient, 500, true),
            ]
        );
        // another member's claim at the same hospital is another unit
        add(&mut units, 1, &claims[0]);
        assert_eq!(units.len(), 7);
    }
}
