//! Payment-run benchmark: fills a database with N households (a head each), N decided
//! determinations of one month, active registrations for 90% of the households (a tenth of them
//! with offset consent and reported tax arrears), then times a payment run and the rendering of
//! its 全銀 transfer file, printing the process's resident memory.
//!
//! `cargo run --release --example payment_run_bench -- DATABASE_URL [DETERMINATIONS=100000]`
//!
//! A database the benchmark filled before is reused: its payments, forms, offsets, refunds and
//! runs are deleted and the determinations set back to `decided`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)]

use std::time::Instant;

use chrono::NaiveDate;
use hokensha::config::RemitterSettings;
use hokensha::service::payments as job;
use hokensha::store::entity::{
    benefit_determination as det, household, member, payment_registration as reg, tax_arrears,
};
use hokensha::store::{self, Actor};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, TransactionTrait};

const INSURER: &str = "132001";
const MONTH: &str = "2026-05";
const CHUNK: usize = 40;

fn rss(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        .map_or("?".into(), |kb| format!("{} MB", kb.parse::<u64>().unwrap_or(0) / 1024))
}

fn id(kind: u32, i: usize) -> String {
    format!("00000000-0000-7000-{kind:04}-{i:012}")
}

async fn insert<E, A>(db: &sea_orm::DatabaseConnection, rows: Vec<A>)
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send + Clone,
{
    for chunk in rows.chunks(CHUNK) {
        E::insert_many(chunk.to_vec()).exec_without_returning(db).await.unwrap();
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().expect("DATABASE_URL");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let db = store::connect(&url, None).await.unwrap();
    store::migrate(&db).await.unwrap();
    let now = store::now();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let started = Instant::now();
    let filled = household::Entity::find().one(&db).await.unwrap().is_some();
    if filled {
        for table in [
            "payments",
            "payment_offsets",
            "application_forms",
            "receivable_entries",
            "receivables",
            "payment_runs",
            "audit_events",
        ] {
            db.execute_unprepared(&format!("DELETE FROM {table}")).await.unwrap();
        }
        db.execute_unprepared("UPDATE benefit_determinations SET status = 'decided'")
            .await
            .unwrap();
        db.execute_unprepared("UPDATE tax_arrears SET amount = 20000")
            .await
            .unwrap();
    } else {
        for part in (0..n).collect::<Vec<_>>().chunks(10_000) {
            let txn = db.begin().await.unwrap();
            let hs: Vec<household::ActiveModel> = part
                .iter()
                .map(|&i| {
                    household::Model {
                        id: id(8000, i),
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
            for chunk in hs.chunks(CHUNK) {
                household::Entity::insert_many(chunk.to_vec())
                    .exec_without_returning(&txn)
                    .await
                    .unwrap();
            }
            txn.commit().await.unwrap();
        }
        let ms: Vec<member::ActiveModel> = (0..n)
            .map(|i| {
                member::Model {
                    id: id(9000, i),
                    insurer: INSURER.into(),
                    household_id: id(8000, i),
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
                    lost_on: None,
                    loss_reason: None,
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
        let ds: Vec<det::ActiveModel> = (0..n)
            .map(|i| {
                det::Model {
                    id: id(0xa000, i),
                    insurer: INSURER.into(),
                    household_id: id(8000, i),
                    service_month: MONTH.into(),
                    status: "decided".into(),
                    rule_set: "2018-08".into(),
                    total_benefit: 50_000 + (i as i64 * 7919) % 200_000,
                    multiple_applied: false,
                    counts_toward_multiple: true,
                    members: "[]".into(),
                    steps: "[]".into(),
                    excluded_claims: "[]".into(),
                    review: "[]".into(),
                    fingerprint: String::new(),
                    supersedes_id: None,
                    superseded_by_id: None,
                    difference: None,
                    lapses_on: day(2028, 6, 1),
                    version: 2,
                    created_at: now,
                    updated_at: Some(now),
                    decided_at: Some(now),
                    superseded_at: None,
                    lapse_reason: None,
                    lapsed_at: None,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, ds).await;
        let rs: Vec<reg::ActiveModel> = (0..n)
            .filter(|i| i % 10 != 0)
            .map(|i| {
                reg::Model {
                    id: id(0xb000, i),
                    insurer: INSURER.into(),
                    household_id: id(8000, i),
                    applicant_member_id: id(9000, i),
                    applied_on: day(2026, 4, 1),
                    bank_code: "0001".into(),
                    branch_code: format!("{:03}", i % 1000),
                    account_type: "ordinary".into(),
                    account_number: format!("{:07}", i % 10_000_000),
                    holder_kana: "ｼｹﾝ ﾀﾛｳ".into(),
                    offset_consent: i % 10 == 1,
                    repayment_consent: true,
                    status: "active".into(),
                    pause_reasons: "[]".into(),
                    ended_on: None,
                    end_reason: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, rs).await;
        let ts: Vec<tax_arrears::ActiveModel> = (0..n)
            .filter(|i| i % 10 == 1)
            .map(|i| {
                tax_arrears::Model {
                    household_id: id(8000, i),
                    insurer: INSURER.into(),
                    amount: 20_000,
                    as_of: day(2026, 8, 31),
                    updated_at: now,
                }
                .into_active_model()
                .reset_all()
            })
            .collect();
        insert(&db, ts).await;
    }
    store::refresh_statistics(&db).await.unwrap();
    eprintln!(
        "setup: {n} decided determinations in {:.1?}; RSS {}",
        started.elapsed(),
        rss("VmRSS")
    );

    let actor = Actor {
        insurer: INSURER.into(),
        sub: "bench".into(),
        request_id: "bench".into(),
    };
    let t = Instant::now();
    let run = job::start(&db, &hokensha::clock::Clock::system(), &actor, MONTH, day(2026, 9, 15))
        .await
        .unwrap();
    let run_secs = t.elapsed().as_secs_f64();
    let remitter = RemitterSettings {
        remitter_code: "1320010001".into(),
        remitter_name_kana: "ﾁﾖﾀﾞｸ ｺｸﾎ".into(),
        bank_code: "0001".into(),
        bank_name_kana: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name_kana: "ﾎﾝﾃﾝ".into(),
        account_type: "ordinary".into(),
        account_number: "0000001".into(),
    }
    .remitter()
    .unwrap();
    let t2 = Instant::now();
    let file = job::transfer_file(&db, &run, &remitter).await.unwrap();
    let file_secs = t2.elapsed().as_secs_f64();
    println!(
        "payment run: {} determinations in {run_secs:.1} s ({} payments, {} forms, offsets {} yen, status {}); transfer file {} records, {} bytes in {file_secs:.1} s; total {:.1} s; RSS {} (peak {})",
        run.done,
        run.payment_count,
        run.application_forms,
        run.offset_total,
        run.status.as_str(),
        file.len() / 122 - 3,
        file.len(),
        run_secs + file_secs,
        rss("VmRSS"),
        rss("VmHWM")
    );
}
