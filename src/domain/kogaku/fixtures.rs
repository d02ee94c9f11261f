//! Test fixtures that read like the domain: a household-month built member by member and claim by
//! claim.

use chrono::NaiveDate;

use crate::domain::calendar::YearMonth;
use crate::domain::money::Yen;

use super::{
    Age70to74Category, Claim, ClaimKind, Determination, HistoryMonth, HouseholdMonth, IncomeCategories, KogakuError,
    Member, ProviderCode, Setting, Under70Category, determine,
};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn ym(s: &str) -> YearMonth {
    YearMonth::parse(s).unwrap()
}

/// Provider `n` as a 10-digit code.
pub fn p(n: u32) -> ProviderCode {
    ProviderCode::parse(&format!("13{n:08}")).unwrap()
}

pub fn yen(n: i64) -> Yen {
    Yen::new(n)
}

#[derive(Clone, Debug)]
pub struct Household {
    pub month: YearMonth,
    pub categories: IncomeCategories,
    pub members: Vec<Member>,
    pub claims: Vec<Claim>,
    pub history: Vec<HistoryMonth>,
}

impl Household {
    pub fn new(month: &str, under70: Under70Category, age70to74: Option<Age70to74Category>) -> Self {
        Self {
            month: ym(month),
            categories: IncomeCategories { under70, age70to74 },
            members: Vec::new(),
            claims: Vec::new(),
            history: Vec::new(),
        }
    }

    pub fn member(mut self, id: &str, birth: &str) -> Self {
        self.members.push(Member::new(id, d(birth)));
        self
    }

    pub fn with_member(mut self, member: Member) -> Self {
        self.members.push(member);
        self
    }

    /// A claim at provider `provider` (see [`p`]): `cost` = 総医療費, `copay` = 一部負担金.
    pub fn claim(self, member: &str, provider: u32, kind: ClaimKind, setting: Setting, cost: i64, copay: i64) -> Self {
        self.with_claim(Claim::new(member, p(provider), kind, setting, yen(cost), yen(copay)))
    }

    pub fn inpatient(self, member: &str, provider: u32, cost: i64, copay: i64) -> Self {
        self.claim(member, provider, ClaimKind::Medical, Setting::Inpatient, cost, copay)
    }

    pub fn outpatient(self, member: &str, provider: u32, cost: i64, copay: i64) -> Self {
        self.claim(member, provider, ClaimKind::Medical, Setting::Outpatient, cost, copay)
    }

    /// A pharmacy claim (provider `pharmacy`) on a prescription of provider `prescriber`.
    pub fn pharmacy(self, member: &str, pharmacy: u32, prescriber: u32, cost: i64, copay: i64) -> Self {
        let claim = Claim::new(
            member,
            p(pharmacy),
            ClaimKind::Pharmacy,
            Setting::Outpatient,
            yen(cost),
            yen(copay),
        );
        self.with_claim(claim.prescribed_by(p(prescriber)))
    }

    /// An inpatient claim whose limit was applied at the window: `window` paid to the provider
    /// (現物給付, R16).
    pub fn inpatient_capped(self, member: &str, provider: u32, cost: i64, copay: i64, window: i64) -> Self {
        let mut claim = Claim::new(
            member,
            p(provider),
            ClaimKind::Medical,
            Setting::Inpatient,
            yen(cost),
            yen(copay),
        );
        claim.window_benefit = yen(window);
        self.with_claim(claim)
    }

    pub fn with_claim(mut self, claim: Claim) -> Self {
        self.claims.push(claim);
        self
    }

    /// Earlier benefit months that count toward 多数回.
    pub fn benefit_months(mut self, months: &[&str]) -> Self {
        for m in months {
            self.history.push(HistoryMonth {
                service_month: ym(m),
                counts_toward_multiple: true,
            });
        }
        self
    }

    pub fn try_run(&self) -> Result<Determination, KogakuError> {
        determine(&HouseholdMonth {
            service_month: self.month,
            categories: self.categories,
            members: &self.members,
            claims: &self.claims,
            history: &self.history,
        })
    }

    /// Runs and checks the invariants every determination keeps.
    pub fn run(&self) -> Determination {
        let got = self.try_run().unwrap();
        let members: Yen = got.members.iter().map(|m| m.benefit).sum();
        assert_eq!(members, got.total_benefit, "member amounts add up");
        let paid: Yen = got.steps.iter().map(|s| s.paid).sum();
        assert_eq!(paid, got.total_benefit, "steps add up");
        got
    }
}

impl Determination {
    /// (rule, paid) of each step that is not an R3 unit test, for compact assertions.
    pub fn paying_steps(&self) -> Vec<(&'static str, i64, i64)> {
        self.steps
            .iter()
            .filter(|s| s.rule != "R3")
            .map(|s| (s.rule, s.limit.as_i64(), s.paid.as_i64()))
            .collect()
    }

    pub fn benefit_of(&self, id: &str) -> i64 {
        self.members
            .iter()
            .find(|m| m.member_id.as_str() == id)
            .map_or(0, |m| m.benefit.as_i64())
    }
}
