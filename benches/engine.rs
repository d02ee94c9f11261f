//! Throughput of the pure high-cost benefit engine on a realistic mix: households of 1-4 members
//! (under 70, some 70-74), 1-8 claims each (medical, dental, pharmacy joined to its prescriber,
//! inpatient and outpatient), some with earlier benefit months. `cargo bench --bench engine`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hokensha::domain::calendar::YearMonth;
use hokensha::domain::claim::{ClaimKind, Setting};
use hokensha::domain::household::{Age70to74Category, Under70Category};
use hokensha::domain::kogaku::{self, HouseholdMonthInputs, ProviderCode};
use hokensha::domain::money::Yen;

/// A small deterministic generator (no dependency, same mix every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn households(count: usize) -> Vec<HouseholdMonthInputs> {
    let month = YearMonth::parse("2024-10").unwrap();
    let mut r = Lcg(42);
    let providers: Vec<ProviderCode> = (0..50)
        .map(|i| ProviderCode::parse(&format!("13{i:08}")).unwrap())
        .collect();
    (0..count)
        .map(|_| {
            let n_members = 1 + r.next(4) as usize;
            let members: Vec<kogaku::Member> = (0..n_members)
                .map(|i| {
                    let year = if r.next(5) == 0 { 1952 } else { 1960 + r.next(50) as i32 };
                    kogaku::Member::new(
                        format!("m{i}").as_str(),
                        NaiveDate::from_ymd_opt(year, 1 + r.next(12) as u32, 1).unwrap(),
                    )
                })
                .collect();
            let n_claims = 1 + r.next(8) as usize;
            let claims = (0..n_claims)
                .map(|_| {
                    let member = format!("m{}", r.next(n_members as u64));
                    let provider = providers[r.next(50) as usize];
                    let total = 5_000 + r.next(800_000) as i64;
                    let (kind, setting) = match r.next(10) {
                        0 => (ClaimKind::Dental, Setting::Outpatient),
                        1 | 2 => (ClaimKind::Pharmacy, Setting::Outpatient),
                        3 => (ClaimKind::Medical, Setting::Inpatient),
                        _ => (ClaimKind::Medical, Setting::Outpatient),
                    };
                    let claim = kogaku::Claim::new(
                        member.as_str(),
                        provider,
                        kind,
                        setting,
                        Yen::new(total),
                        Yen::new(total * 3 / 10),
                    );
                    if kind == ClaimKind::Pharmacy {
                        claim.prescribed_by(providers[r.next(50) as usize])
                    } else {
                        claim
                    }
                })
                .collect();
            let history = (1..=11)
                .filter(|_| r.next(6) == 0)
                .map(|back| kogaku::HistoryMonth {
                    service_month: (0..back).fold(month, |m, _| m.pred()),
                    counts_toward_multiple: true,
                })
                .collect();
            HouseholdMonthInputs {
                service_month: month,
                categories: kogaku::IncomeCategories {
                    under70: Under70Category::ALL[r.next(5) as usize],
                    age70to74: Some(Age70to74Category::ALL[r.next(6) as usize]),
                },
                members,
                claims,
                history,
            }
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let batch = households(10_000);
    let mut group = c.benchmark_group("kogaku");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("determine 10,000 household-months", |b| {
        b.iter(|| {
            let mut total = 0i64;
            for h in &batch {
                if let Ok(d) = kogaku::determine(&h.view()) {
                    total += d.total_benefit.as_i64();
                }
            }
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
