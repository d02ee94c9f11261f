//! Recovery statistics rebuilt from ledger entries through the API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

async fn receivable(app: &TestApp, kind: &str, amount: i64, assessed_on: &str, collections: &[(i64, &str)]) -> String {
    let b = json!({
        "kind": kind,
        "reason": if kind == "overpayment_refund" { json!("ineligible_visit") } else { Value::Null },
        "debtor": {"kind": "person", "name": "山田 太郎"},
        "assessed_on": assessed_on, "amount": amount, "due_on": assessed_on
    });
    let r = expect_status(app.post("/v1/receivables", &app.admin(), &b).await, StatusCode::CREATED).await;
    let id = r["id"].as_str().unwrap().to_string();
    for (amount, on) in collections {
        expect_status(
            app.post(
                &format!("/v1/receivables/{id}/collections"),
                &app.admin(),
                &json!({"amount": amount, "received_on": on, "channel": "bank_transfer"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    id
}

fn row<'a>(v: &'a Value, kind: &str, period: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["period"] == period)
        .unwrap_or_else(|| panic!("no {kind}/{period} row in {v}"))
}

#[actix_web::test]
async fn the_seed_fy2017_recovery_table_is_rebuilt_from_the_ledger() {
    let app = TestApp::spawn().await;
    // 返納金: current 49,826,384 / 37,902,197; prior: 47,122,720 carried in, 13,116,401 collected.
    receivable(
        &app,
        "overpayment_refund",
        49_826_384,
        "2017-06-01",
        &[(37_902_197, "2018-02-01")],
    )
    .await;
    receivable(
        &app,
        "overpayment_refund",
        50_000_000,
        "2016-06-01",
        &[(2_877_280, "2017-01-10"), (13_116_401, "2017-10-01")],
    )
    .await;
    // 損害賠償金 current 85,191,603 / 81,430,652.
    receivable(&app, "damages", 85_191_603, "2017-05-01", &[(81_430_652, "2018-03-31")]).await;
    // Collected on 2018-04-02: counts in FY2018, not FY2017.
    receivable(&app, "provider_refund", 30_087, "2017-07-01", &[(30_087, "2018-04-02")]).await;

    let token = app.token("statistics:read");
    let v = expect_status(
        app.get("/v1/statistics/recovery?fiscal_year=2017", &token).await,
        StatusCode::OK,
    )
    .await;
    let r = row(&v, "overpayment_refund", "current");
    assert_eq!(
        (r["assessed"].as_i64(), r["collected"].as_i64(), r["rate"].as_f64()),
        (Some(49_826_384), Some(37_902_197), Some(76.07))
    );
    let r = row(&v, "overpayment_refund", "prior");
    assert_eq!(
        (r["assessed"].as_i64(), r["collected"].as_i64(), r["rate"].as_f64()),
        (Some(47_122_720), Some(13_116_401), Some(27.83))
    );
    assert_eq!(row(&v, "damages", "current")["rate"].as_f64(), Some(95.59));
    let p = row(&v, "provider_refund", "current");
    assert_eq!((p["collected"].as_i64(), p["rate"].as_f64()), (Some(0), Some(0.0)));
    let next = expect_status(
        app.get("/v1/statistics/recovery?fiscal_year=2018", &token).await,
        StatusCode::OK,
    )
    .await;
    let p = row(&next, "provider_refund", "prior");
    assert_eq!(
        (p["assessed"].as_i64(), p["collected"].as_i64(), p["rate"].as_f64()),
        (Some(30_087), Some(30_087), Some(100.0))
    );
    // Last year's figures beside the rate.
    assert_eq!(
        row(&next, "overpayment_refund", "prior")["previous"]["rate"].as_f64(),
        Some(27.83)
    );

    // CSV parses and matches the JSON.
    let csv = app
        .client
        .get(app.url("/v1/statistics/recovery?fiscal_year=2017"))
        .bearer_auth(&token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), v["rows"].as_array().unwrap().len() + 1);
    let at = |line: &Vec<&str>, col: &str| line[lines[0].iter().position(|h| *h == col).unwrap()].to_string();
    for line in &lines[1..] {
        let r = row(&v, &at(line, "kind"), &at(line, "period"));
        assert_eq!(at(line, "assessed"), r["assessed"].to_string());
        assert_eq!(at(line, "collected"), r["collected"].to_string());
        assert_eq!(at(line, "rate").parse::<f64>().unwrap(), r["rate"].as_f64().unwrap());
    }

    let b = expect_status(
        app.get(
            "/v1/statistics/recovery/breakdown?fiscal_year=2017&kind=overpayment_refund",
            &token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = &b["rows"][0];
    assert_eq!(r["reason"], "ineligible_visit");
    assert_eq!(
        (
            r["assessed_count"].as_i64(),
            r["collected_count"].as_i64(),
            r["count_rate"].as_f64()
        ),
        (Some(1), Some(1), Some(100.0))
    );
    assert_eq!(r["rate"].as_f64(), Some(76.07));
    expect_problem(
        app.get(
            "/v1/statistics/recovery?fiscal_year=2017",
            &app.token("receivables:read"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
}
