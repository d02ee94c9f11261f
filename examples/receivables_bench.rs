//! Receivables benchmark, through the real HTTP app served in this process:
//! - detection of care after loss of eligibility over a month of CLAIMS claims (one member per
//!   household, 1% of them lost eligibility before the month);
//! - the dunning worklist of a day over RECEIVABLES open receivables, every page followed.
//!
//! `cargo run --release --example receivables_bench -- DATABASE_URL [CLAIMS=1000000] [RECEIVABLES=100000]`
//!
//! A database the benchmark filled before is reused (receivables cleared, claims kept).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)]

#[path = "support/pages.rs"]
mod pages;
mod support;

use support::{INSURER, id, insert};

use std::time::Instant;

use chrono::NaiveDate;
use hokensha::store::entity::{claim, household, member, receivable, receivable_action, receivable_entry};
use hokensha::store::{self};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};

const MONTH: &str = "2024-10";

fn rss(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        .map_or("?".into(), |kb| format!("{} MB", kb.parse::<u64>().unwrap_or(0) / 1024))
}

#[actix_web::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().expect("DATABASE_URL");
    let claims: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let receivables: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let households = claims * 6 / 10;
    let db = store::connect(&url, None).await.unwrap();
    store::migrate(&db).await.unwrap();
    let now = store::now();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let started = Instant::now();
    for table in [
        "receivable_entries",
        "receivable_actions",
        "installment_plans",
        "legal_actions",
        "receivables",
        "audit_events",
    ] {
        db.execute_unprepared(&format!("DELETE FROM {table}")).await.unwrap();
    }
    if household::Entity::find().one(&db).await.unwrap().is_none() {
        let hs = (0..households)
            .map(|i| {
                household::Model {
                    id: id(0x8000, i),
                    insurer: INSURER.into(),
                    household_number: format!("H{i:08}"),
                    head_name: "試験 太郎".into(),
                    postal_code: "100-0001".into(),
                    prefecture: "東京都".into(),
                    city: "千代田区".into(),
                    address_line: "1-1".into(),
                    phone: None,
                    income_categories: "[]".into(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, hs).await;
        let ms = (0..households)
            .map(|i| {
                member::Model {
                    id: id(0x9000, i),
                    insurer: INSURER.into(),
                    household_id: id(0x8000, i),
                    insured_symbol: "B".into(),
                    insured_number: i.to_string(),
                    insured_branch: "00".into(),
                    insured_key: format!("B|{i}|00"),
                    name: "試験 太郎".into(),
                    name_kana: "シケン　タロウ".into(),
                    birth_date: day(1975, 5, 1),
                    sex: "male".into(),
                    relationship: "head".into(),
                    acquired_on: day(2020, 4, 1),
                    // 1% lost eligibility before the month.
                    lost_on: i.is_multiple_of(100).then(|| day(2024, 9, 1)),
                    loss_reason: i.is_multiple_of(100).then(|| "other_insurance".into()),
                    died_on: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, ms).await;
        let cs = (0..claims)
            .map(|c| {
                let h = c % households;
                let total = 20_000 + (c as i64 * 7919) % 900_000;
                claim::Model {
                    id: id(0xa000, c),
                    insurer: INSURER.into(),
                    claim_number: format!("R{c:09}"),
                    member_id: id(0x9000, h),
                    household_id: id(0x8000, h),
                    service_month: MONTH.into(),
                    provider_code: format!("13{:08}", c % 5000),
                    provider_name: "試験病院".into(),
                    kind: "medical".into(),
                    setting: "outpatient".into(),
                    prescribing_provider_code: None,
                    total_cost: total,
                    copayment: total * 3 / 10,
                    first_service_on: Some(day(2024, 10, 1 + (c % 28) as u32)),
                    service_days: None,
                    window_benefit: None,
                    status: "active".into(),
                    voided_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, cs).await;
    }
    let rs = (0..receivables)
        .map(|i| {
            receivable::Model {
                id: id(0xc000, i),
                insurer: INSURER.into(),
                kind: "overpayment_refund".into(),
                reason: Some("ineligible_visit".into()),
                debtor_kind: "person".into(),
                debtor_name: "試験 太郎".into(),
                debtor_member_id: None,
                debtor_phone: i.is_multiple_of(2).then(|| "090-0000-0000".into()),
                debtor_workplace: i.is_multiple_of(5).then(|| "株式会社 試験".into()),
                household_id: None,
                service_month: None,
                determination_id: None,
                assessed_on: day(2024 + (i % 3) as i32, 1 + (i % 12) as u32, 10),
                amount: 30_000 + (i as i64 * 131) % 200_000,
                due_on: day(2024 + (i % 3) as i32, 1 + (i % 12) as u32, 28),
                source_claim_ids: "[]".into(),
                source_key: None,
                note: None,
                balance: 30_000 + (i as i64 * 131) % 200_000,
                status: "open".into(),
                version: 1,
                created_at: now,
                updated_at: Some(now),
            }
            .into_active_model()
            .reset_all()
        })
        .collect::<Vec<_>>();
    let es = (0..receivables)
        .map(|i| {
            receivable_entry::Model {
                id: id(0xd000, i),
                insurer: INSURER.into(),
                receivable_id: id(0xc000, i),
                kind: "assessment".into(),
                amount: 30_000 + (i as i64 * 131) % 200_000,
                entry_on: day(2024 + (i % 3) as i32, 1 + (i % 12) as u32, 10),
                channel: None,
                reason: None,
                note: None,
                actor: "bench".into(),
                created_at: now,
            }
            .into_active_model()
            .reset_all()
        })
        .collect::<Vec<_>>();
    let acts = (0..receivables)
        .map(|i| {
            receivable_action::Model {
                id: id(0xe000, i),
                insurer: INSURER.into(),
                receivable_id: id(0xc000, i),
                kind: "payment_slip".into(),
                receivable_kind: "overpayment_refund".into(),
                action_on: day(2024 + (i % 3) as i32, 1 + (i % 12) as u32, 10),
                outcome: None,
                note: None,
                actor: "bench".into(),
                created_at: now,
            }
            .into_active_model()
            .reset_all()
        })
        .collect::<Vec<_>>();
    insert(&db, rs).await;
    insert(&db, es).await;
    insert(&db, acts).await;
    store::refresh_statistics_of(
        &db,
        "members, claims, receivables, receivable_entries, receivable_actions",
    )
    .await
    .unwrap();
    eprintln!(
        "setup: {households} households, {claims} claims, {receivables} receivables in {:.1?}",
        started.elapsed()
    );

    let (base, token) = support::serve(&db, &url);
    hokensha::service::webhooks::install_tls();
    let client = reqwest::Client::new();

    let t = Instant::now();
    let report: Value = client
        .post(format!("{base}/v1/receivables/detect-ineligible-visits"))
        .bearer_auth(&token)
        .json(&json!({"service_month": MONTH}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "detection over {claims} claims: {:.1} s ({} claims after loss, {} receivables created)",
        t.elapsed().as_secs_f64(),
        report["claims"],
        report["created"]
    );

    let t = Instant::now();
    let (items, pages) = pages::walk(
        &client,
        &format!("{base}/v1/dunning/worklist?on=2026-11-20&limit=500"),
        &token,
        "cursor",
    )
    .await;
    println!(
        "worklist over {} open receivables: {:.1} s ({items} items in {pages} pages); RSS {} (peak {})",
        receivables + report["created"].as_u64().unwrap_or(0) as usize,
        t.elapsed().as_secs_f64(),
        rss("VmRSS"),
        rss("VmHWM")
    );
}
