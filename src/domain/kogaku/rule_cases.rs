//! Table-driven cases per rule (R2-R13) through the whole engine: edges of the 21,000 test, the
//! age boundaries, 多数回, 特定疾病, exclusions and refusals.

use super::Age70to74Category::*;
use super::Under70Category::*;
use super::fixtures::{Household, d, p, yen, ym};
use super::{
    Age70to74Category, Claim, ClaimKind, ExcludedClaim, ExclusionReason, KogakuError, LimitKind, Member, ReviewFlag,
    Setting, SpecificDisease, Under70Category,
};

fn under70(category: Under70Category) -> Household {
    Household::new("2024-05", category, None)
        .member("a", "1980-01-10")
        .member("b", "1982-02-20")
}

/// Two 70-74 members (72 and 70) whatever the month.
fn age70to74(category: Age70to74Category, month: &str) -> Household {
    let year = ym(month).year();
    Household::new(month, E, Some(category))
        .member("x", &format!("{}-06-15", year - 72))
        .member("y", &format!("{}-07-16", year - 71))
}

/// R3: 21,000 counts, 20,999 does not; an excluded unit is dropped whole (区分エ, 57,600).
#[test]
fn r3_threshold_edges() {
    for (copay, benefit) in [(20_999, 0), (21_000, 50_000 + 21_000 - 57_600)] {
        let got = under70(E)
            .inpatient("a", 1, 166_670, 50_000)
            .outpatient("b", 2, 70_000, copay)
            .run();
        assert_eq!(got.total_benefit.as_i64(), benefit, "{copay}");
    }
}

/// R3: pharmacy joins its prescriber's outpatient unit (before the test); medical/dental and
/// inpatient/outpatient at one hospital are separate units; a visiting-nursing station is its own.
#[test]
fn r3_units() {
    let base = || under70(E).inpatient("a", 1, 500_000, 60_000);
    let cases = [
        (
            "pharmacy joins prescriber",
            base()
                .outpatient("b", 2, 50_000, 15_000)
                .pharmacy("b", 9, 2, 20_000, 6_000),
            23_400,
        ),
        (
            "other prescriber",
            base()
                .outpatient("b", 2, 50_000, 15_000)
                .pharmacy("b", 9, 3, 20_000, 6_000),
            2_400,
        ),
        (
            "inpatient vs outpatient",
            base()
                .inpatient("b", 2, 60_000, 18_000)
                .outpatient("b", 2, 60_000, 18_000),
            2_400,
        ),
        (
            "medical vs dental",
            base().outpatient("b", 2, 60_000, 18_000).claim(
                "b",
                2,
                ClaimKind::Dental,
                Setting::Outpatient,
                60_000,
                18_000,
            ),
            2_400,
        ),
        (
            "visiting nursing own unit",
            base().outpatient("b", 2, 60_000, 18_000).claim(
                "b",
                2,
                ClaimKind::VisitingNursing,
                Setting::Outpatient,
                60_000,
                18_000,
            ),
            2_400,
        ),
        (
            "same member same unit",
            base()
                .outpatient("b", 2, 40_000, 12_000)
                .outpatient("b", 2, 30_000, 9_000),
            23_400,
        ),
    ];
    for (name, household, benefit) in cases {
        assert_eq!(household.run().total_benefit.as_i64(), benefit, "{name}");
    }
}

/// R3 with R9: an under-70 former dependent joining in the month of the insured's 75th birthday has
/// the threshold 10,500 and half limits individually, then the full household limit (区分エ).
#[test]
fn r3_r9_half_threshold_for_former_dependent() {
    let mut dependent = Member::new("dep", d("1960-03-03"));
    dependent.joined_on_insured_turning_75 = true;
    for (copay, steps) in [(10_499, vec![]), (10_500, vec![("R9", 28_800, 0), ("R4", 57_600, 0)])] {
        let got = Household::new("2024-05", E, None)
            .with_member(dependent.clone())
            .outpatient("dep", 1, 40_000, copay)
            .run();
        assert_eq!(got.paying_steps(), steps, "{copay}");
    }
    let got = Household::new("2024-05", E, None)
        .with_member(dependent)
        .inpatient("dep", 1, 300_000, 90_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R9", 28_800, 61_200), ("R4", 57_600, 0)]);
}

/// R2: the 1% term through the engine, half up: 9,675.50 → 9,676 (kogaku.md hand check).
#[test]
fn r2_rounding_through_the_engine() {
    for (cost, limit) in [
        (1_234_550, 89_776),
        (1_234_540, 89_775),
        (267_050, 80_101),
        (200_000, 80_100),
    ] {
        let got = under70(U).inpatient("a", 1, cost, cost / 2).run();
        assert_eq!(got.steps.last().unwrap().limit.as_i64(), limit, "{cost}");
    }
}

/// R5: outpatient limits are per person, never pooled; pharmacy and dental count as outpatient;
/// from 2018-08 現役並み has no outpatient step; before, 44,400 (to 2017-07) and 57,600.
#[test]
fn r5_outpatient_and_household() {
    let pooled = age70to74(General, "2024-05")
        .outpatient("x", 1, 50_000, 10_000)
        .outpatient("y", 2, 50_000, 10_000)
        .run();
    assert_eq!(pooled.total_benefit.as_i64(), 0);
    let mixed_kinds = age70to74(General, "2024-05")
        .outpatient("x", 1, 50_000, 10_000)
        .pharmacy("x", 9, 1, 25_000, 5_000)
        .claim("x", 3, ClaimKind::Dental, Setting::Outpatient, 25_000, 5_000)
        .run();
    assert_eq!(
        mixed_kinds.paying_steps(),
        vec![("R5", 18_000, 2_000), ("R5", 57_600, 0)]
    );
    let active = |month| {
        age70to74(Active1, month)
            .outpatient("x", 1, 333_340, 100_000)
            .run()
            .paying_steps()
    };
    assert_eq!(active("2018-08"), vec![("R5", 80_763, 19_237)]);
    assert_eq!(active("2018-07"), vec![("R5", 57_600, 42_400), ("R5", 80_763, 0)]);
    assert_eq!(active("2017-07"), vec![("R5", 44_400, 55_600), ("R5", 80_763, 0)]);
    let flagged = age70to74(Active1, "2017-07").outpatient("x", 1, 333_340, 100_000).run();
    assert!(!flagged.counts_toward_multiple);
    assert_eq!(flagged.review, vec![ReviewFlag::ActiveOutpatientMultipleCount]);
    let general = |month| {
        age70to74(General, month)
            .outpatient("x", 1, 100_000, 20_000)
            .run()
            .paying_steps()
    };
    assert_eq!(general("2017-07")[0], ("R5", 12_000, 8_000));
    assert_eq!(general("2017-08")[0], ("R5", 14_000, 6_000));
    assert_eq!(general("2018-08")[0], ("R5", 18_000, 2_000));
    assert_eq!(general("2026-08")[0], ("R5", 22_000, 0));
    let low = age70to74(Low1, "2024-05")
        .outpatient("x", 1, 100_000, 10_000)
        .inpatient("y", 2, 200_000, 20_000)
        .run();
    assert_eq!(low.paying_steps(), vec![("R5", 8_000, 2_000), ("R5", 15_000, 13_000)]);
}

/// R6: with no under-70 unit passing R3, step 3 still compares what the father bears after his own
/// steps (57,600) with the household's under-70 limit (81,430 on his 400,000): nothing more is paid.
/// A mixed household's month whose only household-level benefit is the 70-74 one is not counted
/// toward 多数回 and is flagged (R7).
#[test]
fn r6_mixed_household_without_under70_units() {
    let got = Household::new("2024-05", U, Some(General))
        .member("son", "1980-01-01")
        .member("father", "1950-01-01")
        .outpatient("son", 1, 50_000, 15_000)
        .inpatient("father", 2, 400_000, 80_000)
        .run();
    assert_eq!(got.paying_steps(), vec![("R5", 57_600, 22_400), ("R6", 81_430, 0)]);
    assert!(!got.counts_toward_multiple);
    assert_eq!(got.review, vec![ReviewFlag::MixedHouseholdMultipleCount]);
}

/// R6 step 3 pays when the household's under-70 limit is below what its 70-74 members still bear,
/// even with no under-70 claim: 区分ウ with a 現役並みII father, 2024-05, his inpatient 1,000,000
/// with 300,000 paid (hand-worked):
/// - step 2 (70-74 household, 現役並みII): 167,400 + (1,000,000 − 558,000) × 1% = 171,820; pays
///   300,000 − 171,820 = 128,180;
/// - step 3 (whole household, 区分ウ, 1% base his 1,000,000): 80,100 + (1,000,000 − 267,000) × 1%
///   = 87,430; pays 171,820 − 87,430 = 84,390;
/// - total 212,570 = 300,000 − 87,430 (kogaku.md R6 cross-check).
#[test]
fn r6_step3_without_under70_claims() {
    let got = Household::new("2024-05", U, Some(Active2))
        .member("son", "1990-01-01")
        .member("father", "1952-01-01")
        .inpatient("father", 2, 1_000_000, 300_000)
        .run();
    assert_eq!(
        got.paying_steps(),
        vec![("R5", 171_820, 128_180), ("R6", 87_430, 84_390)]
    );
    assert_eq!(got.total_benefit, yen(212_570));
    assert!(got.counts_toward_multiple);
    // Without an under-70 member the household step is the 70-74 one alone.
    let alone = Household::new("2024-05", U, Some(Active2))
        .member("father", "1952-01-01")
        .inpatient("father", 1, 1_000_000, 300_000)
        .run();
    assert_eq!(alone.paying_steps(), vec![("R5", 171_820, 128_180)]);
}

/// R7: with 3 counted months among the 11 before, the 多数回 amount replaces the limit (no 1%);
/// never for the outpatient limit, and not for 低所得 rows that have none.
#[test]
fn r7_multiple() {
    let three = ["2023-06", "2023-09", "2024-04"];
    let got = under70(U)
        .inpatient("a", 1, 1_000_000, 300_000)
        .benefit_months(&three)
        .run();
    assert_eq!(got.paying_steps(), vec![("R4", 44_400, 255_600)]);
    assert!(got.multiple_applied && got.counts_toward_multiple);
    let two = under70(U)
        .inpatient("a", 1, 1_000_000, 300_000)
        .benefit_months(&three[1..])
        .run();
    assert_eq!(two.paying_steps(), vec![("R4", 87_430, 212_570)]);
    assert!(!two.multiple_applied);
    let elderly = age70to74(General, "2024-05")
        .outpatient("x", 1, 200_000, 40_000)
        .inpatient("y", 2, 300_000, 60_000)
        .benefit_months(&three)
        .run();
    assert_eq!(
        elderly.paying_steps(),
        vec![("R5", 18_000, 22_000), ("R5", 44_400, 33_600)]
    );
    assert_eq!(elderly.steps[1].limit_kind, LimitKind::Multiple);
    let low = age70to74(Low2, "2024-05")
        .inpatient("y", 2, 300_000, 60_000)
        .benefit_months(&three)
        .run();
    assert_eq!(low.paying_steps(), vec![("R5", 24_600, 35_400)]);
    assert!(!low.multiple_applied);
}

/// R10: 特定疾病 units are capped at 10,000 (dialysis, under 70, 区分ア・イ: 20,000; 75歳到達月:
/// 5,000), the pharmacy separately, and kept out of the ordinary aggregation (flagged).
#[test]
fn r10_specific_disease() {
    let dialysis = |household: Household, member: &str, copay: i64| {
        let claim = Claim::new(
            member,
            p(1),
            ClaimKind::Medical,
            Setting::Outpatient,
            yen(400_000),
            yen(copay),
        );
        household.with_claim(claim.specific_disease(SpecificDisease::Dialysis))
    };
    let got = dialysis(under70(A), "a", 25_000).run();
    assert_eq!(got.paying_steps(), vec![("R10", 20_000, 5_000)]);
    assert_eq!(got.review, vec![ReviewFlag::SpecificDiseaseAggregation]);
    assert!(!got.counts_toward_multiple);
    assert_eq!(
        dialysis(under70(U), "a", 25_000).run().paying_steps(),
        vec![("R10", 10_000, 15_000)]
    );
    let elderly = dialysis(age70to74(Active3, "2024-05"), "x", 25_000).run();
    assert_eq!(elderly.paying_steps(), vec![("R10", 10_000, 15_000)]);
    let turning75 = Household::new("2024-05", E, Some(General)).member("z", "1949-05-20");
    let half = dialysis(turning75, "z", 10_000).run();
    assert_eq!(half.paying_steps(), vec![("R10", 5_000, 5_000)]);
    // the pharmacy is capped on its own: prescriber 10,000 + pharmacy 10,000 pays nothing
    let pharmacy = Claim::new(
        "a",
        p(9),
        ClaimKind::Pharmacy,
        Setting::Outpatient,
        yen(100_000),
        yen(10_000),
    )
    .prescribed_by(p(1))
    .specific_disease(SpecificDisease::Hemophilia);
    let both = dialysis(under70(U), "a", 10_000).with_claim(pharmacy).run();
    assert_eq!(both.paying_steps(), vec![("R10", 10_000, 0), ("R10", 10_000, 0)]);
}

/// R11: only the 一部負担金 enters; meals and extra bed charges are not inputs at all, so seed 004's
/// 242,400 stays 242,400 whatever the patient paid for meals.
#[test]
fn r11_only_copayments_enter() {
    let got = under70(E).inpatient("a", 1, 1_000_000, 300_000).run();
    assert_eq!(got.total_benefit.as_i64(), 242_400);
}

/// R12: 70th birthday on the 1st → 70-74 rules from that month (no 21,000 test, outpatient step);
/// on the 2nd → under-70 rules that month. 75th birthday on the 1st → 後期 all month (excluded).
#[test]
fn r12_age_boundaries_through_the_engine() {
    let month = |birth: &str| {
        Household::new("2018-08", E, Some(General))
            .member("a", birth)
            .outpatient("a", 1, 100_000, 20_000)
            .run()
    };
    assert_eq!(
        month("1948-08-01").paying_steps(),
        vec![("R5", 18_000, 2_000), ("R5", 57_600, 0)]
    );
    assert_eq!(month("1948-08-02").total_benefit.as_i64(), 0);
    assert_eq!(month("1948-08-02").steps[0].rule, "R3");
    let missing = Household::new("2018-08", E, None).member("a", "1948-08-01").try_run();
    assert_eq!(missing, Err(KogakuError::MissingCategory { month: ym("2018-08") }));
    assert!(
        Household::new("2018-08", E, None)
            .member("a", "1948-08-02")
            .try_run()
            .is_ok()
    );
    let late = month("1943-08-01");
    assert_eq!(
        late.excluded_claims,
        vec![ExcludedClaim {
            index: 0,
            reason: ExclusionReason::Reached75
        }]
    );
    assert_eq!(late.total_benefit.as_i64(), 0);
}

/// R13: care on or after the date of loss is excluded and listed; so is an undated claim of a month
/// wholly after it. Care before it counts.
#[test]
fn r13_lost_eligibility() {
    let lost = Member::new("b", d("1982-02-20")).lost_on(d("2024-05-15"));
    let claim = |on: &str| {
        Claim::new(
            "b",
            p(2),
            ClaimKind::Medical,
            Setting::Inpatient,
            yen(200_000),
            yen(60_000),
        )
        .first_service_on(d(on))
    };
    let got = Household::new("2024-05", E, None)
        .member("a", "1980-01-10")
        .with_member(lost.clone())
        .with_claim(claim("2024-05-14"))
        .with_claim(claim("2024-05-15"))
        .run();
    assert_eq!(
        got.excluded_claims,
        vec![ExcludedClaim {
            index: 1,
            reason: ExclusionReason::LostEligibility
        }]
    );
    assert_eq!(got.excluded_claims[0].reason.code(), "lost_eligibility");
    assert_eq!(got.total_benefit.as_i64(), 60_000 - 57_600);
    let june = Household::new("2024-06", E, None)
        .with_member(lost)
        .inpatient("b", 2, 200_000, 60_000)
        .run();
    assert_eq!(june.excluded_claims.len(), 1);
    assert_eq!(june.total_benefit.as_i64(), 0);
}

/// Refusals: no table, impossible claims, unknown or duplicate members.
#[test]
fn refusals() {
    let ok = || under70(E).inpatient("a", 1, 100_000, 30_000);
    assert_eq!(
        Household::new("2014-12", E, None).try_run(),
        Err(KogakuError::NoRuleTable { month: ym("2014-12") })
    );
    assert_eq!(
        Household::new("2027-08", E, None).try_run(),
        Err(KogakuError::NoRuleTable { month: ym("2027-08") })
    );
    let cases: [(Household, KogakuError); 7] = [
        (
            ok().inpatient("a", 1, 100, 101),
            KogakuError::CopaymentExceedsCost { index: 1 },
        ),
        (
            ok().inpatient("a", 1, 100, -1),
            KogakuError::NegativeAmount { index: 1 },
        ),
        (
            ok().inpatient("zz", 1, 100, 30),
            KogakuError::UnknownMember { index: 1 },
        ),
        (
            ok().member("a", "1990-01-01"),
            KogakuError::DuplicateMember { id: "a".into() },
        ),
        (
            ok().claim("a", 9, ClaimKind::Pharmacy, Setting::Outpatient, 100, 30),
            KogakuError::MissingPrescriber { index: 1 },
        ),
        (
            ok().claim("a", 9, ClaimKind::VisitingNursing, Setting::Inpatient, 100, 30),
            KogakuError::InvalidSetting { index: 1 },
        ),
        (
            ok().with_claim(
                Claim::new("a", p(1), ClaimKind::Medical, Setting::Inpatient, yen(100), yen(30))
                    .first_service_on(d("2024-06-01")),
            ),
            KogakuError::ServiceDateOutsideMonth { index: 1 },
        ),
    ];
    for (household, want) in cases {
        let code = want.code();
        assert_eq!(household.try_run(), Err(want), "{code}");
    }
}
