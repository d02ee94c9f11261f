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

/// Creates `n` receivables of a reason assessed on `on` whose amounts add up to `assessed`, of
/// which `c` are collected in full for `collected` in all (the rest stays open), concurrently.
async fn reason_lot(app: &TestApp, reason: &str, (n, c): (i64, i64), (assessed, collected): (i64, i64), on: &str) {
    use futures_util::StreamExt;
    let share = |total: i64, parts: i64, i: i64| total / parts + if i == parts - 1 { total % parts } else { 0 };
    let jobs = (0..n).map(|i| {
        let (amount, paid) = if i < c {
            let x = share(collected, c, i);
            (x, Some(x))
        } else {
            (share(assessed - collected, n - c, i - c), None)
        };
        async move {
            let b = json!({
                "kind": "overpayment_refund", "reason": reason,
                "debtor": {"kind": "person", "name": "山田 太郎"},
                "assessed_on": on, "amount": amount, "due_on": on
            });
            let r = expect_status(app.post("/v1/receivables", &app.admin(), &b).await, StatusCode::CREATED).await;
            if let Some(paid) = paid {
                let id = r["id"].as_str().unwrap();
                expect_status(
                    app.post(
                        &format!("/v1/receivables/{id}/collections"),
                        &app.admin(),
                        &json!({"amount": paid, "received_on": "2018-01-15", "channel": "payment_slip"}),
                    )
                    .await,
                    StatusCode::CREATED,
                )
                .await;
            }
        }
    });
    futures_util::stream::iter(jobs)
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
}

#[actix_web::test]
async fn the_seed_fy2017_refund_breakdown_is_rebuilt_from_the_ledger() {
    let app = TestApp::spawn().await;
    // SEED-A 【返納金の内訳（現年度）】: count assessed / collected, amount assessed / collected.
    let seed = [
        (
            "ineligible_visit",
            (1_080, 873),
            (18_612_504, 12_455_509),
            (80.83, 66.92),
        ),
        ("work_injury", (41, 38), (4_304_297, 3_037_516), (92.68, 70.57)),
        (
            "disability_pension_adjustment",
            (78, 63),
            (21_602_169, 18_270_163),
            (80.77, 84.58),
        ),
        (
            "old_age_pension_adjustment",
            (30, 26),
            (1_984_487, 1_515_657),
            (86.67, 76.38),
        ),
        ("other", (90, 82), (3_322_927, 2_623_352), (91.11, 78.95)),
    ];
    for (reason, counts, amounts, _) in seed {
        reason_lot(&app, reason, counts, amounts, "2017-09-01").await;
    }
    let token = app.token("statistics:read");
    let b = expect_status(
        app.get("/v1/statistics/recovery/breakdown?fiscal_year=2017", &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(b["kind"], "overpayment_refund");
    for (reason, (n, c), (assessed, collected), (count_rate, rate)) in seed {
        let r = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reason"] == reason)
            .unwrap_or_else(|| panic!("no {reason} in {b}"));
        assert_eq!(
            (
                r["assessed_count"].as_i64(),
                r["collected_count"].as_i64(),
                r["assessed"].as_i64(),
                r["collected"].as_i64()
            ),
            (Some(n), Some(c), Some(assessed), Some(collected)),
            "{reason}"
        );
        assert_eq!(
            (r["count_rate"].as_f64(), r["rate"].as_f64()),
            (Some(count_rate), Some(rate)),
            "{reason}"
        );
    }
    // The five lines add up to the current-year row of the recovery table: 76.07.
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
    // CSV of the breakdown parses and matches the JSON.
    let csv = app
        .client
        .get(app.url("/v1/statistics/recovery/breakdown?fiscal_year=2017"))
        .bearer_auth(&token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 6, "{csv}");
    let col = |name: &str| lines[0].iter().position(|h| *h == name).unwrap();
    for line in &lines[1..] {
        let r = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reason"] == line[col("reason")])
            .unwrap();
        assert_eq!(line[col("assessed_count")], r["assessed_count"].to_string());
        assert_eq!(line[col("collected")], r["collected"].to_string());
        assert_eq!(
            line[col("count_rate")].parse::<f64>().unwrap(),
            r["count_rate"].as_f64().unwrap()
        );
        assert_eq!(line[col("rate")].parse::<f64>().unwrap(), r["rate"].as_f64().unwrap());
    }
}

async fn collect(app: &TestApp, id: &str, amount: i64, on: &str) {
    expect_status(
        app.post(
            &format!("/v1/receivables/{id}/collections"),
            &app.admin(),
            &json!({"amount": amount, "received_on": on, "channel": "cash"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

#[actix_web::test]
async fn kept_totals_equal_totals_rebuilt_from_the_ledger() {
    let app = TestApp::spawn().await;
    let token = app.token("statistics:read");
    let table = |fy: i32| {
        let (app, token) = (&app, &token);
        async move {
            let r = expect_status(
                app.get(&format!("/v1/statistics/recovery?fiscal_year={fy}"), token)
                    .await,
                StatusCode::OK,
            )
            .await;
            let b = expect_status(
                app.get(&format!("/v1/statistics/recovery/breakdown?fiscal_year={fy}"), token)
                    .await,
                StatusCode::OK,
            )
            .await;
            (r, b)
        }
    };
    let r1 = receivable(&app, "overpayment_refund", 100_000, "2016-05-10", &[]).await;
    // FY2017 and FY2018 asked for: built (with FY2016) from the ledger as it stands.
    table(2017).await;
    table(2018).await;
    // Later writes are kept: a back-dated receivable, collections in earlier years, a write-off.
    let r2 = receivable(&app, "damages", 50_000, "2015-06-01", &[]).await;
    collect(&app, &r1, 30_000, "2017-06-01").await;
    receivable(&app, "provider_refund", 20_000, "2018-05-01", &[(20_000, "2018-06-01")]).await;
    expect_status(
        app.post(
            &format!("/v1/receivables/{r2}/write-off"),
            &app.admin(),
            &json!({"on": "2018-07-01", "reason": "uncollectible"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // Detection assesses today and reduces when a claim is voided: both kept in this year's totals.
    let today = chrono::Utc::now().date_naive();
    let this_year = {
        use chrono::Datelike;
        if today.month() >= 4 {
            today.year()
        } else {
            today.year() - 1
        }
    };
    table(this_year).await;
    let h = app.household("KT1").await;
    let hid = h["id"].as_str().unwrap();
    app.member(hid, "501", "head").await;
    let spouse = app.member(hid, "502", "spouse").await;
    let sid = spouse["id"].as_str().unwrap();
    expect_status(
        app.patch(
            &format!("/v1/members/{sid}"),
            &app.admin(),
            &json!({"lost_on": "2025-09-10", "loss_reason": "other_insurance"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let claim = |n: &str, total: i64| {
        json!({
            "claim_number": n, "member_id": sid, "service_month": "2025-09",
            "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "outpatient",
            "total_cost": total, "copayment": total * 3 / 10, "first_service_on": "2025-09-20"
        })
    };
    app.import(&[claim("KT-1", 100_000), claim("KT-2", 50_000)]).await;
    let detect = || async {
        expect_status(
            app.post(
                "/v1/receivables/detect-ineligible-visits",
                &app.admin(),
                &json!({"service_month": "2025-09"}),
            )
            .await,
            StatusCode::OK,
        )
        .await
    };
    assert_eq!(detect().await["created"], 1);
    let claims = expect_status(
        app.get("/v1/claims?service_month=2025-09&limit=10", &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let kt2 = claims["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim_number"] == "KT-2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/claims/{kt2}"),
            &app.admin(),
            None,
        )
        .await;
    assert!(res.status().is_success());
    assert_eq!(detect().await["reduced"], 1);

    // What the writes kept, figure by figure.
    let (t2018, _) = table(2018).await;
    let prior = row(&t2018, "overpayment_refund", "prior");
    assert_eq!(
        (prior["assessed"].as_i64(), prior["collected"].as_i64()),
        (Some(70_000), Some(0))
    );
    let damages = row(&t2018, "damages", "prior");
    assert_eq!(
        (damages["assessed"].as_i64(), damages["collected"].as_i64()),
        (Some(50_000), Some(0))
    );
    assert_eq!(row(&t2018, "provider_refund", "current")["rate"].as_f64(), Some(100.0));
    let (t2017, _) = table(2017).await;
    assert_eq!(row(&t2017, "overpayment_refund", "prior")["collected"], 30_000);
    let (now, _) = table(this_year).await;
    let refund = row(&now, "overpayment_refund", "current");
    // 105,000 assessed (the insurer's 70% of 150,000), 35,000 reduced by the void.
    assert_eq!(refund["assessed"], 70_000, "{now}");

    // Rebuilt from the ledger: the same tables.
    for fy in [2016, 2017, 2018, this_year] {
        let (kept, kept_breakdown) = table(fy).await;
        let rebuilt = expect_status(
            app.post(
                "/v1/statistics/recovery/rebuild",
                &app.admin(),
                &json!({"fiscal_year": fy}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(kept, rebuilt, "FY{fy}");
        let (again, again_breakdown) = table(fy).await;
        assert_eq!((&kept, &kept_breakdown), (&again, &again_breakdown), "FY{fy}");
    }
    expect_problem(
        app.post("/v1/statistics/recovery/rebuild", &token, &json!({"fiscal_year": 2017}))
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    expect_problem(
        app.post(
            "/v1/statistics/recovery/rebuild",
            &app.admin(),
            &json!({"fiscal_year": 3000}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
