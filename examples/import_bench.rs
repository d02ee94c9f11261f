//! Import benchmark client: creates households and members through the API, writes N synthetic
//! claims (about 200 bytes a line) to an NDJSON file and streams it to `POST /v1/claims/import`,
//! reporting claims per second; then reads the event feed the import left, reporting events per
//! second. Driven by `scripts/bench-import.sh`, which also watches the
//! server's memory.
//!
//! `cargo run --release --example import_bench -- URL TOKEN CLAIMS MEMBERS`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)]

use std::io::{BufWriter, Write};
use std::time::Instant;

use futures_util::StreamExt;
use serde_json::{Value, json};

#[path = "support/pages.rs"]
mod pages;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:18080".into());
    let token = args.get(2).cloned().expect("token");
    let claims: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let members: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(4_000);
    hokensha::service::webhooks::install_tls();
    let client = reqwest::Client::new();

    let started = Instant::now();
    let households = members.div_ceil(2);
    futures_util::stream::iter(0..households)
        .map(|h| {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            async move {
                let body = json!({
                    "household_number": format!("B{h:07}"),
                    "head_name": "試験 太郎",
                    "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "line": "1-1"},
                    "income_categories": [{"valid_from": "2025-08-01", "under70": "u", "age70to74": null}]
                });
                let res = client
                    .post(format!("{url}/v1/households"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let hh: Value = res.json().await.unwrap();
                let id = hh["id"].as_str().expect("household id").to_string();
                for (k, rel) in [(0, "head"), (1, "spouse")] {
                    let m = h * 2 + k;
                    if m >= members {
                        break;
                    }
                    let body = json!({
                        "insured_number": {"symbol": "B", "number": format!("{m}"), "branch": "00"},
                        "name": "試験 花子", "name_kana": "シケン ハナコ", "birth_date": "1980-01-01",
                        "sex": "female", "relationship": rel, "acquired_on": "2020-04-01"
                    });
                    let res = client
                        .post(format!("{url}/v1/households/{id}/members"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap());
                }
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    eprintln!(
        "setup: {households} households, {members} members in {:.1?}",
        started.elapsed()
    );

    let path = std::env::temp_dir().join(format!("hokensha-bench-{claims}.ndjson"));
    let mut bytes = 0u64;
    {
        let mut w = BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..claims {
            let m = i % members;
            let kind = if i % 5 == 4 { "pharmacy" } else { "medical" };
            let presc = if kind == "pharmacy" {
                ",\"prescribing_provider_code\":\"1312345678\""
            } else {
                ""
            };
            let total = 10_000 + (i * 7919) % 900_000;
            let line = format!(
                "{{\"claim_number\":\"R{i:09}\",\"insured_number\":{{\"symbol\":\"B\",\"number\":\"{m}\",\"branch\":\"00\"}},\"service_month\":\"2025-{:02}\",\"provider\":{{\"code\":\"13{:08}\",\"name\":\"試験病院\"}},\"kind\":\"{kind}\",\"setting\":\"outpatient\"{presc},\"total_cost\":{total},\"copayment\":{}}}\n",
                1 + i % 12,
                i % 5000,
                total * 3 / 10
            );
            bytes += line.len() as u64;
            w.write_all(line.as_bytes()).unwrap();
        }
    }
    eprintln!(
        "generated {claims} claims, {} bytes ({} bytes a line)",
        bytes,
        bytes / claims.max(1)
    );

    for round in ["first import", "same file again"] {
        let file = tokio::fs::File::open(&path).await.unwrap();
        let started = Instant::now();
        let res = client
            .post(format!("{url}/v1/claims/import"))
            .bearer_auth(&token)
            .header("content-type", "application/x-ndjson")
            .body(reqwest::Body::from(file))
            .send()
            .await
            .unwrap();
        let report: Value = res.json().await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{round}: {claims} claims in {secs:.2} s = {:.0} claims/s (created {}, updated {}, unchanged {}, rejected {})",
            claims as f64 / secs,
            report["created"],
            report["updated"],
            report["unchanged"],
            report["rejected"]
        );
    }
    let _ = std::fs::remove_file(&path);

    // The event feed the import left, read to its end 500 at a time (the first read numbers
    // them all), then read again once numbered.
    for round in ["feed, first read", "feed, read again"] {
        let started = Instant::now();
        let (events, _) = pages::walk(&client, &format!("{url}/v1/events?limit=500"), &token, "after").await;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{round}: {events} events in {secs:.2} s = {:.0} events/s",
            events as f64 / secs
        );
    }
}
