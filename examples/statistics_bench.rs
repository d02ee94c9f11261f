//! Statistics benchmark, through the real HTTP app served in this process, over a ledger of
//! ENTRIES entries (a third of that many receivables over FY2022..FY2026, each assessed and
//! collected twice or written off, the second movement in a later fiscal year), two actions per
//! receivable, 20,000 settled adjustment requests, 50,000 certificate recovery cases and a plan per
//! year.
//!
//! `cargo run --release --example statistics_bench -- DATABASE_URL [ENTRIES=1000000]`
//!
//! Times the build of the recovery totals from the ledger (on a first request, and as the server
//! does at start); per endpoint, the first call and the median and slowest of 20 calls after it; a
//! rebuild; and what keeping the totals adds to a collection. A database the benchmark filled before is reused (totals cleared).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)]

mod support;

use support::{INSURER, id, insert};

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hokensha::store::entity::{
    adjustment_request, card_recovery, plan, receivable, receivable_action, receivable_entry,
};
use hokensha::store::{self};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait};
use serde_json::json;

const REASONS: [&str; 5] = [
    "ineligible_visit",
    "work_injury",
    "disability_pension_adjustment",
    "old_age_pension_adjustment",
    "other",
];
const ACTIONS: [&str; 6] = [
    "notice",
    "phone",
    "visit",
    "final_notice",
    "payment_order_filed",
    "phone",
];

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d + chrono::Duration::days(n)
}

async fn fill(db: &sea_orm::DatabaseConnection, entries: usize) {
    let now = store::now();
    let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let count = entries / 3;
    let assessed_on = |i: usize| {
        let fy = 2022 + (i % 5) as i32;
        add_days(NaiveDate::from_ymd_opt(fy, 4, 1).unwrap(), (i as i64 * 37) % 360).min(last)
    };
    let amount = |i: usize| 30_000 + (i as i64 * 131) % 200_000;
    let kind = |i: usize| match i % 10 {
        0..=6 => ("overpayment_refund", Some(REASONS[i % 5])),
        7 | 8 => ("damages", None),
        _ => ("provider_refund", None),
    };
    let mut rs = Vec::with_capacity(count);
    let mut es = Vec::with_capacity(count * 3);
    let mut acts = Vec::with_capacity(count * 2);
    for i in 0..count {
        let on = assessed_on(i);
        let a = amount(i);
        let (k, reason) = kind(i);
        let first = add_days(on, 60).min(last);
        let second = add_days(on, 400).min(last);
        let written_off = i % 10 == 3;
        let balance = if written_off { 0 } else { a - 2 * (a / 4) };
        rs.push(
            receivable::Model {
                id: id(0xc000, i),
                insurer: INSURER.into(),
                kind: k.into(),
                reason: reason.map(Into::into),
                debtor_kind: "person".into(),
                debtor_name: "試験 太郎".into(),
                debtor_member_id: None,
                debtor_phone: None,
                debtor_workplace: None,
                household_id: None,
                service_month: None,
                determination_id: None,
                assessed_on: on,
                amount: a,
                due_on: add_days(on, 20),
                source_claim_ids: "[]".into(),
                source_key: None,
                note: None,
                balance,
                status: if written_off {
                    "written_off"
                } else {
                    "partially_collected"
                }
                .into(),
                version: 3,
                created_at: now,
                updated_at: Some(now),
            }
            .into_active_model()
            .reset_all(),
        );
        let entry = |n: u32, kind: &str, amount: i64, on: NaiveDate| {
            receivable_entry::Model {
                id: id(0xd000 + n, i),
                insurer: INSURER.into(),
                receivable_id: id(0xc000, i),
                kind: kind.into(),
                amount,
                entry_on: on,
                channel: (kind == "collection").then(|| "payment_slip".into()),
                reason: (kind == "write_off").then(|| "uncollectible".into()),
                note: None,
                actor: "bench".into(),
                created_at: now,
            }
            .into_active_model()
            .reset_all()
        };
        es.push(entry(0, "assessment", a, on));
        es.push(entry(1, "collection", a / 4, first));
        es.push(if written_off {
            entry(2, "write_off", a - a / 4, second)
        } else {
            entry(2, "collection", a / 4, second)
        });
        for n in 0..2 {
            acts.push(
                receivable_action::Model {
                    id: id(0xe000 + n, i),
                    insurer: INSURER.into(),
                    receivable_id: id(0xc000, i),
                    kind: ACTIONS[(i + n as usize * 3) % ACTIONS.len()].into(),
                    receivable_kind: k.into(),
                    action_on: add_days(on, 20 + 25 * n as i64).min(last),
                    outcome: None,
                    note: None,
                    actor: "bench".into(),
                    created_at: now,
                }
                .into_active_model()
                .reset_all(),
            );
        }
    }
    insert(db, rs).await;
    insert(db, es).await;
    insert(db, acts).await;
    let adjustments = (0..20_000)
        .map(|j| {
            let i = j * (count / 20_000).max(1);
            let settled_on = add_days(assessed_on(i), 90).min(last);
            adjustment_request::Model {
                id: id(0xf000, j),
                insurer: INSURER.into(),
                receivable_id: id(0xc000, i),
                new_insurer_number: "06130012".into(),
                new_insurer_name: "千代田区国民健康保険".into(),
                consent_on: add_days(assessed_on(i), 10),
                agency: None,
                status: "settled".into(),
                amount: amount(i),
                settled_amount: Some(amount(i) / 4),
                excess_owed: 0,
                submitted_on: Some(add_days(assessed_on(i), 20)),
                decided_on: Some(add_days(assessed_on(i), 50)),
                settled_on: Some(settled_on),
                cancelled_on: None,
                history: "[]".into(),
                version: 4,
                created_at: now,
                updated_at: Some(now),
            }
            .into_active_model()
            .reset_all()
        })
        .collect();
    insert(db, adjustments).await;
    let cases = (0..50_000)
        .map(|j| {
            let lost_on = add_days(NaiveDate::from_ymd_opt(2022, 4, 1).unwrap(), (j as i64 * 11) % 1_700).min(last);
            let first = add_days(lost_on, 14);
            card_recovery::Model {
                id: id(0xb000, j),
                insurer: INSURER.into(),
                member_id: id(0x9000, j),
                household_id: id(0x8000, j),
                lost_on,
                valid_until: add_days(lost_on, 300),
                processed_on: lost_on,
                first_notice_on: Some(first),
                second_notice_on: (j % 3 == 0).then(|| add_days(first, 14)),
                employer_contacted_on: (j % 9 == 0).then(|| add_days(first, 28)),
                returned_on: (j % 20 != 0).then(|| add_days(first, 5)),
                unrecoverable_on: None,
                note: None,
                category: if j % 4 == 0 {
                    "voluntary_continuation"
                } else {
                    "general"
                }
                .into(),
                version: 1,
                created_at: now,
                updated_at: Some(now),
            }
            .into_active_model()
            .reset_all()
        })
        .collect();
    insert(db, cases).await;
    let plans = (2022..=2026)
        .map(|fy| {
            let months: Vec<_> = (0..12)
                .map(|m| {
                    let (y, mo) = if m < 9 { (fy, m + 4) } else { (fy + 1, m - 8) };
                    json!({"month": format!("{y}-{mo:02}"), "occurrences": 100, "phone": 110, "visit": 20,
                           "final_notice": null, "legal_action": 4, "adjustment_count": 20, "adjustment_amount": 1_500_000})
                })
                .collect();
            plan::Model {
                id: id(0xa100, fy as usize),
                insurer: INSURER.into(),
                fiscal_year: fy,
                months: serde_json::to_string(&months).unwrap(),
                version: 1,
                updated_at: now,
            }
            .into_active_model()
            .reset_all()
        })
        .collect();
    insert(db, plans).await;
    store::refresh_statistics_of(
        db,
        "receivables, receivable_entries, receivable_actions, adjustment_requests, card_recoveries",
    )
    .await
    .unwrap();
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], *v.last().unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[actix_web::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().expect("DATABASE_URL");
    let entries: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let db = store::connect(&url, None).await.unwrap();
    store::migrate(&db).await.unwrap();
    let started = Instant::now();
    let have = receivable_entry::Entity::find().count(&db).await.unwrap() as usize;
    if have < entries / 3 * 3 {
        for table in [
            "receivable_entries",
            "receivable_actions",
            "installment_plans",
            "legal_actions",
            "adjustment_requests",
            "card_recoveries",
            "plans",
            "receivables",
            "audit_events",
        ] {
            db.execute_unprepared(&format!("DELETE FROM {table}")).await.unwrap();
        }
        fill(&db, entries).await;
    }
    for table in ["recovery_totals", "recovery_years"] {
        db.execute_unprepared(&format!("DELETE FROM {table}")).await.unwrap();
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // As autovacuum leaves tables after a load (PostgreSQL 13+ vacuums on inserts too): the
        // visibility map set, so that counts are index-only scans.
        db.execute_unprepared(
            "VACUUM ANALYZE receivables, receivable_entries, receivable_actions, adjustment_requests, card_recoveries",
        )
        .await
        .unwrap();
    }
    eprintln!(
        "setup: {} ledger entries in {:.1?}",
        receivable_entry::Entity::find().count(&db).await.unwrap(),
        started.elapsed()
    );

    let (base, token) = support::serve(&db, &url);
    hokensha::service::webhooks::install_tls();
    let client = reqwest::Client::new();
    let get = |path: String, csv: bool| {
        let (client, token, base) = (&client, &token, &base);
        async move {
            let t = Instant::now();
            let mut r = client.get(format!("{base}{path}")).bearer_auth(token);
            if csv {
                r = r.header("accept", "text/csv");
            }
            let res = r.send().await.unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
            let body = res.bytes().await.unwrap();
            (t.elapsed(), body.len())
        }
    };

    let clear = || async {
        for table in ["recovery_totals", "recovery_years"] {
            db.execute_unprepared(&format!("DELETE FROM {table}")).await.unwrap();
        }
    };
    let (t, _) = get("/v1/statistics/recovery?fiscal_year=2025".into(), false).await;
    println!(
        "first request with no totals built (builds FY2022..FY2026 from the ledger): {}",
        ms(t)
    );
    clear().await;
    let t = Instant::now();
    hokensha::service::statistics::build_recovery_years(&db, hokensha::clock::Clock::system().today())
        .await
        .unwrap();
    println!("build at start (every year up to the current one): {}", ms(t.elapsed()));

    let endpoints = [
        ("/v1/statistics/recovery?fiscal_year=2025", false),
        ("/v1/statistics/recovery?fiscal_year=2025", true),
        ("/v1/statistics/recovery/breakdown?fiscal_year=2025", false),
        ("/v1/statistics/recovery?fiscal_year=2023", false),
        ("/v1/statistics/activity?fiscal_year=2025", false),
        (
            "/v1/statistics/activity?fiscal_year=2025&kind=overpayment_refund",
            false,
        ),
        ("/v1/statistics/activity?fiscal_year=2025", true),
        ("/v1/statistics/adjustments?fiscal_year=2025", false),
        ("/v1/statistics/card-recovery?fiscal_year=2025", false),
        ("/v1/statistics/benefits?fiscal_year=2025", false),
    ];
    println!("| endpoint | first call | median of 20 | slowest of 20 |");
    println!("|---|---|---|---|");
    for (path, csv) in endpoints {
        let (first, _) = get(path.to_string(), csv).await;
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(get(path.to_string(), csv).await.0);
        }
        let (mid, max) = median(times);
        let label = if csv { format!("{path} (CSV)") } else { path.to_string() };
        println!("| {label} | {} | {} | {} |", ms(first), ms(mid), ms(max));
    }

    let t = Instant::now();
    let res = client
        .post(format!("{base}/v1/statistics/recovery/rebuild"))
        .bearer_auth(&token)
        .json(&json!({"fiscal_year": 2025}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    println!("rebuild of FY2025 from the ledger: {}", ms(t.elapsed()));

    // What keeping the totals costs a write: collections on FY2026 receivables (built years
    // 2022..2026 after this), then the same on years nobody asked for (no totals to keep).
    let fy2026: Vec<usize> = (0..entries / 3)
        .filter(|i| i % 5 == 4 && i % 10 != 3)
        .take(400)
        .collect();
    for (label, build) in [("with FY2022..2026 kept", true), ("with no year kept", false)] {
        if build {
            for fy in 2022..=2026 {
                get(format!("/v1/statistics/recovery?fiscal_year={fy}"), false).await;
            }
        } else {
            clear().await;
        }
        let half = if build { &fy2026[..200] } else { &fy2026[200..] };
        let mut times = Vec::new();
        for i in half {
            let t = Instant::now();
            let res = client
                .post(format!("{base}/v1/receivables/{}/collections", id(0xc000, *i)))
                .bearer_auth(&token)
                .json(&json!({"amount": 1_000, "received_on": "2026-11-30", "channel": "cash"}))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
            times.push(t.elapsed());
        }
        let (mid, max) = median(times);
        println!("collection, {label}: median {}, slowest {}", ms(mid), ms(max));
    }
}
