//! Invariants of every determination (STYLE 10), over random households of 1-4 members and 1-8
//! claims in every table period.
//!
//! "Does not grow when a copayment shrinks" holds as long as each claim's copayment is at least
//! about 1% of its cost: dropping a unit below 21,000 also takes its cost out of the 1% base
//! (R2.1), so a unit whose copayment were smaller than 1% of its cost would lower the limit by more
//! than it removes. That is the statute's shape, not a defect; real copayments (10-30%, or a
//! window cap above 1%) never come near it, and the generator keeps copayments at 2% or more.

use proptest::prelude::*;

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::fixtures::{p, ym};
use super::{
    Age70to74Category, Claim, ClaimKind, HistoryMonth, HouseholdMonth, IncomeCategories, Member, Setting,
    SpecificDisease, Under70Category, determine,
};

const MONTHS: [&str; 6] = ["2015-03", "2017-07", "2017-11", "2019-06", "2026-07", "2026-10"];
const AGES: [i32; 8] = [5, 40, 69, 70, 71, 73, 74, 75];

#[derive(Clone, Debug)]
struct Case {
    month: YearMonth,
    categories: IncomeCategories,
    members: Vec<Member>,
    claims: Vec<Claim>,
    history: Vec<HistoryMonth>,
}

impl Case {
    fn run(&self) -> super::Determination {
        let input = HouseholdMonth {
            service_month: self.month,
            categories: self.categories,
            members: &self.members,
            claims: &self.claims,
            history: &self.history,
        };
        determine(&input).unwrap()
    }
}

fn member(month: YearMonth, i: usize) -> impl Strategy<Value = Member> {
    (
        0..AGES.len(),
        1..=12u32,
        1..=28u32,
        proptest::option::weighted(0.2, 1..=28u32),
        proptest::bool::weighted(0.1),
    )
        .prop_map(move |(age, m, day, lost, joined)| {
            let birth = chrono::NaiveDate::from_ymd_opt(month.year() - AGES[age], m, day).unwrap();
            let mut member = Member::new(format!("m{i}").as_str(), birth);
            member.lost_on = lost.map(|d| chrono::NaiveDate::from_ymd_opt(month.year(), month.month(), d).unwrap());
            member.joined_on_insured_turning_75 = joined;
            member
        })
}

fn claim(month: YearMonth, members: usize) -> impl Strategy<Value = Claim> {
    (
        (0..members, 1..=4u32, 0..4usize, any::<bool>(), 1..=4u32),
        (
            0..=200_000i64,
            2..=100i64,
            proptest::option::weighted(0.3, 1..=28u32),
            proptest::bool::weighted(0.05),
        ),
    )
        .prop_map(
            move |((who, provider, kind, inpatient, prescriber), (points, pct, day, specific))| {
                let kind = [
                    ClaimKind::Medical,
                    ClaimKind::Dental,
                    ClaimKind::Pharmacy,
                    ClaimKind::VisitingNursing,
                ][kind];
                let outpatient_only = matches!(kind, ClaimKind::Pharmacy | ClaimKind::VisitingNursing);
                let setting = if inpatient && !outpatient_only {
                    Setting::Inpatient
                } else {
                    Setting::Outpatient
                };
                let cost = points * 10;
                let copay = cost * pct / 100;
                let mut c = Claim::new(
                    format!("m{who}").as_str(),
                    p(provider),
                    kind,
                    setting,
                    Yen::new(cost),
                    Yen::new(copay),
                );
                if kind == ClaimKind::Pharmacy {
                    c = c.prescribed_by(p(prescriber));
                }
                c.first_service_on =
                    day.map(|d| chrono::NaiveDate::from_ymd_opt(month.year(), month.month(), d).unwrap());
                c.specific_disease = specific.then_some(SpecificDisease::Dialysis);
                c
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (0..MONTHS.len(), 0..5usize, 0..6usize, 1..=4usize)
        .prop_flat_map(|(month, u70, o70, n)| {
            let month = ym(MONTHS[month]);
            let categories = IncomeCategories {
                under70: Under70Category::ALL[u70],
                age70to74: Some(Age70to74Category::ALL[o70]),
            };
            let members: Vec<_> = (0..n).map(|i| member(month, i)).collect();
            let history = proptest::collection::vec((1..=13i32, any::<bool>()), 0..6).prop_map(move |h| {
                h.into_iter()
                    .map(|(back, counts)| HistoryMonth {
                        service_month: (0..back).fold(month, |m, _| m.pred()),
                        counts_toward_multiple: counts,
                    })
                    .collect::<Vec<_>>()
            });
            (
                Just(month),
                Just(categories),
                members,
                proptest::collection::vec(claim(month, n), 1..=8),
                history,
            )
        })
        .prop_map(|(month, categories, members, claims, history)| Case {
            month,
            categories,
            members,
            claims,
            history,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// Never negative, never above the copayments that entered, and the member amounts add up.
    #[test]
    fn bounded_and_adds_up(case in case()) {
        let got = case.run();
        let excluded: Vec<usize> = got.excluded_claims.iter().map(|e| e.index).collect();
        let entered: Yen = case
            .claims
            .iter()
            .enumerate()
            .filter(|(i, _)| !excluded.contains(i))
            .map(|(_, c)| c.copayment)
            .sum();
        prop_assert!(!got.total_benefit.is_negative());
        prop_assert!(got.total_benefit <= entered);
        prop_assert!(got.members.iter().all(|m| !m.benefit.is_negative()));
        prop_assert_eq!(got.members.iter().map(|m| m.benefit).sum::<Yen>(), got.total_benefit);
        prop_assert_eq!(got.steps.iter().map(|s| s.paid).sum::<Yen>(), got.total_benefit);
        prop_assert_eq!(got.members.len(), case.members.len());
    }

    /// Shrinking one copayment never raises the benefit.
    #[test]
    fn does_not_grow_when_a_copayment_shrinks(case in case(), which in any::<prop::sample::Index>(), keep in 0..=100i64) {
        let before = case.run().total_benefit;
        let mut smaller = case.clone();
        let i = which.index(smaller.claims.len());
        let copay = smaller.claims[i].copayment.as_i64();
        smaller.claims[i].copayment = Yen::new(copay * keep / 100);
        let after = smaller.run().total_benefit;
        prop_assert!(after <= before, "{} -> {}", before, after);
    }
}
