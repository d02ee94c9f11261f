//! Benefit-run benchmark: fills a fresh database with N households (one or two members each) and
//! M claims of one month, then times a full benefit run and a second (unchanged) run, printing
//! the process's resident memory before and after.
//!
//! `cargo run --release --example benefit_run_bench -- DATABASE_URL [HOUSEHOLDS=600000] [CLAIMS=1000000]`
//!
//! A database the benchmark filled before is reused (its determinations, runs and audit rows are
//! deleted first), so repeated measurements skip the fill.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)]

use std::time::Instant;

use chrono::NaiveDate;
use hokensha::service::benefits as jobs;
use hokensha::store::entity::{claim, household, member};
use hokensha::store::{self, Actor, benefits};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, TransactionTrait};

const INSURER: &str = "132001";
const CHUNK: usize = 1000;

fn rss(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        .map_or("?".into(), |kb| format!("{} MB", kb.parse::<u64>().unwrap_or(0) / 1024))
}

fn hid(i: usize) -> String {
    format!("00000000-0000-7000-8000-{i:012}")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().expect("DATABASE_URL");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(600_000);
    let m: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let db = store::connect(&url, None).await.unwrap();
    store::migrate(&db).await.unwrap();
    let now = store::now();
    let started = Instant::now();
    let categories = r#"[{"valid_from":"2024-08-01","valid_to":null,"under70":"u","age70to74":"general"}]"#;
    let members_of = |i: usize| if i.is_multiple_of(3) { 2 } else { 1 };
    // A database filled by an earlier call is reused: its results are cleared, its data kept.
    let filled = household::Entity::find().one(&db).await.unwrap().is_some();
    if filled {
        use sea_orm::ConnectionTrait;
        for table in ["benefit_determinations", "benefit_runs", "audit_events"] {
            let sql = match db.get_database_backend() {
                sea_orm::DbBackend::Postgres => format!("TRUNCATE {table}"),
                _ => format!("DELETE FROM {table}"),
            };
            db.execute_unprepared(&sql).await.unwrap();
        }
    }
    let (n_fill, m_fill) = if filled { (0, 0) } else { (n, m) };
    for chunk in (0..n_fill).collect::<Vec<_>>().chunks(CHUNK) {
        let txn = db.begin().await.unwrap();
        let hs = chunk.iter().map(|&i| {
            household::Model {
                id: hid(i),
                insurer: INSURER.into(),
                household_number: format!("H{i:08}"),
                head_name: "試験 太郎".into(),
                postal_code: "100-0001".into(),
                prefecture: "東京都".into(),
                city: "千代田区".into(),
                address_line: "1-1".into(),
                phone: None,
                income_categories: categories.into(),
                version: 1,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
            .reset_all()
        });
        household::Entity::insert_many(hs)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        let ms = chunk.iter().flat_map(|&i| {
            (0..members_of(i)).map(move |k| {
                member::Model {
                    id: format!("00000000-0000-7000-9000-{:012}", i * 2 + k),
                    insurer: INSURER.into(),
                    household_id: hid(i),
                    insured_symbol: "B".into(),
                    insured_number: format!("{}", i * 2 + k),
                    insured_branch: "00".into(),
                    insured_key: format!("B|{}|00", i * 2 + k),
                    name: "試験 花子".into(),
                    name_kana: "シケン　ハナコ".into(),
                    birth_date: NaiveDate::from_ymd_opt(if k == 0 { 1975 } else { 1953 }, 5, 1).unwrap(),
                    sex: "female".into(),
                    relationship: if k == 0 { "head".into() } else { "spouse".into() },
                    acquired_on: NaiveDate::from_ymd_opt(2020, 4, 1).unwrap(),
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
        });
        member::Entity::insert_many(ms)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    for chunk in (0..m_fill).collect::<Vec<_>>().chunks(CHUNK) {
        let txn = db.begin().await.unwrap();
        let cs = chunk.iter().map(|&c| {
            let h = c % n;
            let k = if members_of(h) == 2 { c % 2 } else { 0 };
            let total = 20_000 + (c as i64 * 7919) % 900_000;
            claim::Model {
                id: format!("00000000-0000-7000-a000-{c:012}"),
                insurer: INSURER.into(),
                claim_number: format!("R{c:09}"),
                member_id: format!("00000000-0000-7000-9000-{:012}", h * 2 + k),
                household_id: hid(h),
                service_month: "2024-10".into(),
                provider_code: format!("13{:08}", c % 5000),
                provider_name: "試験病院".into(),
                kind: "medical".into(),
                setting: if c.is_multiple_of(7) {
                    "inpatient".into()
                } else {
                    "outpatient".into()
                },
                prescribing_provider_code: None,
                total_cost: total,
                copayment: total * 3 / 10,
                first_service_on: None,
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
        });
        claim::Entity::insert_many(cs)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    // What an import of this size would have done at its end.
    store::refresh_statistics(&db).await.unwrap();
    eprintln!(
        "setup: {n} households, {m} claims in {:.1?}; RSS {}",
        started.elapsed(),
        rss("VmRSS")
    );

    let actor = Actor {
        insurer: INSURER.into(),
        sub: "bench".into(),
        request_id: "bench".into(),
    };
    for round in ["first run", "second run (nothing changed)"] {
        let total = benefits::count_households_with_claims(&db, INSURER, "2024-10")
            .await
            .unwrap();
        let run = benefits::create_run(&db, &actor, "2024-10", total).await.unwrap();
        let t = Instant::now();
        hokensha::service::runs::drive(db.clone(), jobs::BenefitRunner::new(&run), run.clone()).await;
        let secs = t.elapsed().as_secs_f64();
        let done = benefits::get_run(&db, INSURER, &run.id).await.unwrap().unwrap();
        println!(
            "{round}: {} households in {secs:.1} s = {:.0} households/s (calculated {}, unchanged {}, failed {}, status {}); RSS {} (peak {})",
            done.done,
            f64::from(done.done) / secs,
            done.calculated,
            done.unchanged,
            done.failed,
            done.status.as_str(),
            rss("VmRSS"),
            rss("VmHWM")
        );
    }
}
