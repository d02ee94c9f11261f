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
    // SEED-A 【平成29年度 債権回収率】, with the 28年度 rates in brackets:
    //   返納金 current 49,826,384 / 37,902,197 = 76.07 (64.98); prior 47,122,720 / 13,116,401 =
    //   27.83 (29.61); 損害賠償金 current 85,191,603 / 81,430,652 = 95.59 (85.14); prior 14,248,201 /
    //   2,051,292 = 14.40 (24.65); 診療報酬返還金 current 30,087 / 30,087 = 100 (100); prior
    //   3,506,916 / 0 = 0.00 (0.00).
    // 返納金: FY2017's own, and two older ones whose balances on 2017-04-01 add up to 47,122,720,
    // collected in FY2016 at the 28年度 rates (FY2016 current 32,490,000 / 50,000,000 = 64.98;
    // prior 12,456,494 / 42,069,214 = 29.61).
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
        &[(32_490_000, "2017-01-10"), (13_116_401, "2017-10-01")],
    )
    .await;
    receivable(
        &app,
        "overpayment_refund",
        42_069_214,
        "2015-06-01",
        &[(12_456_494, "2016-09-01")],
    )
    .await;
    // 損害賠償金: FY2017's own; FY2016 current 8,514,000 / 10,000,000 = 85.14; FY2016 prior
    // 4,175,027 / 16,937,228 = 24.65; carried into FY2017: 1,486,000 + 12,762,201 = 14,248,201.
    receivable(&app, "damages", 85_191_603, "2017-05-01", &[(81_430_652, "2018-03-31")]).await;
    receivable(&app, "damages", 10_000_000, "2016-05-01", &[(8_514_000, "2016-12-01")]).await;
    receivable(
        &app,
        "damages",
        16_937_228,
        "2015-05-01",
        &[(4_175_027, "2016-08-01"), (2_051_292, "2017-08-01")],
    )
    .await;
    // 診療報酬返還金: FY2017's own, collected in full; FY2016's, collected in full; an older one
    // never collected.
    receivable(&app, "provider_refund", 30_087, "2017-07-01", &[(30_087, "2018-03-30")]).await;
    receivable(&app, "provider_refund", 1_000, "2016-07-01", &[(1_000, "2016-07-20")]).await;
    receivable(&app, "provider_refund", 3_506_916, "2015-07-01", &[]).await;
    // Collected on 2018-04-02: counts in FY2018, not FY2017.
    receivable(&app, "benefit_refund", 30_087, "2017-07-01", &[(30_087, "2018-04-02")]).await;

    let token = app.token("statistics:read");
    let v = expect_status(
        app.get("/v1/statistics/recovery?fiscal_year=2017", &token).await,
        StatusCode::OK,
    )
    .await;
    let seed = [
        ("overpayment_refund", "current", 49_826_384, 37_902_197, 76.07, 64.98),
        ("overpayment_refund", "prior", 47_122_720, 13_116_401, 27.83, 29.61),
        ("damages", "current", 85_191_603, 81_430_652, 95.59, 85.14),
        ("damages", "prior", 14_248_201, 2_051_292, 14.40, 24.65),
        ("provider_refund", "current", 30_087, 30_087, 100.0, 100.0),
        ("provider_refund", "prior", 3_506_916, 0, 0.0, 0.0),
    ];
    for (kind, period, assessed, collected, rate, previous) in seed {
        let r = row(&v, kind, period);
        assert_eq!(
            (
                r["assessed"].as_i64(),
                r["collected"].as_i64(),
                r["rate"].as_f64(),
                r["previous"]["rate"].as_f64()
            ),
            (Some(assessed), Some(collected), Some(rate), Some(previous)),
            "{kind} {period}"
        );
    }
    let b = row(&v, "benefit_refund", "current");
    assert_eq!((b["collected"].as_i64(), b["rate"].as_f64()), (Some(0), Some(0.0)));
    let next = expect_status(
        app.get("/v1/statistics/recovery?fiscal_year=2018", &token).await,
        StatusCode::OK,
    )
    .await;
    let b = row(&next, "benefit_refund", "prior");
    assert_eq!(
        (b["assessed"].as_i64(), b["collected"].as_i64(), b["rate"].as_f64()),
        (Some(30_087), Some(30_087), Some(100.0))
    );
    // Last year's figures beside the rate.
    assert_eq!(
        row(&next, "overpayment_refund", "prior")["previous"]["rate"].as_f64(),
        Some(27.83)
    );

    // CSV parses and matches the JSON.
    let csv = app.get_csv("/v1/statistics/recovery?fiscal_year=2017", &token).await;
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), v["rows"].as_array().unwrap().len() + 1);
    let at = |line: &Vec<&str>, col: &str| line[lines[0].iter().position(|h| *h == col).unwrap()].to_string();
    for line in &lines[1..] {
        let r = row(&v, &at(line, "kind"), &at(line, "period"));
        assert_eq!(at(line, "assessed"), r["assessed"].to_string());
        assert_eq!(at(line, "collected"), r["collected"].to_string());
        assert_eq!(at(line, "rate").parse::<f64>().unwrap(), r["rate"].as_f64().unwrap());
    }
    // `?format=csv` gives the same CSV without an Accept header; `&bom=true` prefixes a BOM;
    // `?format=json` wins over `Accept: text/csv`.
    let by_query = app
        .get("/v1/statistics/recovery?fiscal_year=2017&format=csv", &token)
        .await;
    assert!(
        by_query.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(by_query.text().await.unwrap(), csv);
    let with_bom = app
        .get("/v1/statistics/recovery?fiscal_year=2017&format=csv&bom=true", &token)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&with_bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&with_bom[3..], csv.as_bytes());
    let json = app
        .client
        .get(app.url("/v1/statistics/recovery?fiscal_year=2017&format=json"))
        .bearer_auth(&token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(expect_status(json, StatusCode::OK).await, v);

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
/// which `c` are collected in full on the same day for `collected` in all (the rest stays open),
/// eight requests at a time.
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
                        &json!({"amount": paid, "received_on": on, "channel": "payment_slip"}),
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
        .get_csv("/v1/statistics/recovery/breakdown?fiscal_year=2017", &token)
        .await;
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
    app.lose_eligibility(sid, "2025-09-10").await;
    let claim = |n: &str, total: i64| {
        json!({
            "claim_number": n, "member_id": sid, "service_month": "2025-09",
            "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "outpatient",
            "total_cost": total, "copayment": total * 3 / 10, "first_service_on": "2025-09-20"
        })
    };
    app.import(&[claim("KT-1", 100_000), claim("KT-2", 50_000)]).await;
    assert_eq!(app.detect("2025-09").await["created"], 1);
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
    assert_eq!(app.detect("2025-09").await["reduced"], 1);

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

    // Concurrent writers on built years: each counted once.
    reason_lot(&app, "work_injury", (40, 25), (4_000_000, 1_500_000), "2018-06-01").await;
    let (t2018, b2018) = table(2018).await;
    assert_eq!(row(&t2018, "overpayment_refund", "current")["assessed"], 4_000_000);
    let injury = b2018["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reason"] == "work_injury")
        .unwrap();
    assert_eq!(
        (
            injury["assessed_count"].as_i64(),
            injury["collected_count"].as_i64(),
            injury["collected"].as_i64()
        ),
        (Some(40), Some(25), Some(1_500_000))
    );

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

/// The seed's FY2017 plan rows (SEED-A 返納金債権納付催告等実施計画及び実績), final notices without
/// a target.
fn seed_plan_2017() -> Value {
    let occ = [100; 12];
    let phone = [110, 110, 110, 130, 130, 130, 110, 110, 110, 130, 130, 130];
    let visit = [20; 12];
    let legal = [4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 5];
    let months: Vec<Value> = (0..12)
        .map(|i| {
            let (y, m) = if i < 9 { (2017, i + 4) } else { (2018, i - 8) };
            json!({"month": format!("{y}-{m:02}"), "occurrences": occ[i], "phone": phone[i], "visit": visit[i],
                   "final_notice": null, "legal_action": legal[i]})
        })
        .collect();
    json!({ "months": months })
}

async fn act(app: &TestApp, id: &str, kind: &str, on: &str) {
    expect_status(
        app.post(
            &format!("/v1/receivables/{id}/actions"),
            &app.admin(),
            &json!({"kind": kind, "on": on}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

fn activity<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["activity"] == name)
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

#[actix_web::test]
async fn activity_is_counted_month_by_month_against_the_plan() {
    let app = TestApp::spawn().await;
    expect_status(
        app.send(
            reqwest::Method::PUT,
            "/v1/plans/2017",
            &app.admin(),
            Some(&seed_plan_2017()),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // April 2017: three refunds assessed; May: one damages claim.
    let mut refunds = Vec::new();
    for day in ["2017-04-03", "2017-04-10", "2017-04-28"] {
        refunds.push(receivable(&app, "overpayment_refund", 10_000, day, &[]).await);
    }
    let damages = receivable(&app, "damages", 500_000, "2017-05-08", &[]).await;
    // Calls: two in April on one receivable (each counts), one in May on the damages claim.
    act(&app, &refunds[0], "phone", "2017-04-20").await;
    act(&app, &refunds[0], "phone", "2017-04-25").await;
    act(&app, &damages, "phone", "2017-05-20").await;
    act(&app, &refunds[1], "visit", "2017-06-01").await;
    act(&app, &refunds[1], "final_notice", "2017-07-03").await;
    // A letter is not a row of the report.
    act(&app, &refunds[2], "notice", "2017-07-03").await;
    // A payment order in March 2018 counts in FY2017; a call on 2018-04-02 in FY2018.
    act(&app, &refunds[1], "payment_order_filed", "2018-03-30").await;
    act(&app, &refunds[2], "phone", "2018-04-02").await;

    let token = app.token("statistics:read");
    let v = expect_status(
        app.get("/v1/statistics/activity?fiscal_year=2017", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["kind"], Value::Null);
    let months: Vec<&str> = activity(&v, "phone")["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months.len(), 12);
    assert_eq!((months[0], months[11]), ("2017-04", "2018-03"));
    let at = |name: &str, i: usize| {
        let m = &activity(&v, name)["months"][i];
        (m["plan"].as_i64(), m["actual"].as_i64().unwrap())
    };
    assert_eq!(at("occurrences", 0), (Some(100), 3));
    assert_eq!(at("occurrences", 1), (Some(100), 1));
    assert_eq!(at("phone", 0), (Some(110), 2));
    assert_eq!(at("phone", 1), (Some(110), 1));
    assert_eq!(at("visit", 2), (Some(20), 1));
    assert_eq!(at("final_notice", 3), (None, 1));
    assert_eq!(at("legal_action", 11), (Some(5), 1));
    // The seed's plan totals: 1,200 / 1,440 / 240 / none / 50.
    let totals: Vec<(Option<i64>, i64)> = ["occurrences", "phone", "visit", "final_notice", "legal_action"]
        .iter()
        .map(|a| {
            let r = activity(&v, a);
            (r["plan_total"].as_i64(), r["actual_total"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        totals,
        vec![
            (Some(1_200), 4),
            (Some(1_440), 3),
            (Some(240), 1),
            (None, 1),
            (Some(50), 1)
        ]
    );

    // Of refunds only: the damages claim and its call drop out.
    let only = expect_status(
        app.get(
            "/v1/statistics/activity?fiscal_year=2017&kind=overpayment_refund",
            &token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(only["kind"], "overpayment_refund");
    assert_eq!(activity(&only, "occurrences")["actual_total"], 3);
    assert_eq!(activity(&only, "phone")["actual_total"], 2);
    // FY2018: the April call, no plan.
    let next = expect_status(
        app.get("/v1/statistics/activity?fiscal_year=2018", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            activity(&next, "phone")["actual_total"].as_i64(),
            activity(&next, "phone")["plan_total"].as_i64()
        ),
        (Some(1), None)
    );

    // CSV: one line per activity and month plus a total line each, matching the JSON.
    let csv = app.get_csv("/v1/statistics/activity?fiscal_year=2017", &token).await;
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 1 + 5 * 13);
    let col = |name: &str| lines[0].iter().position(|h| *h == name).unwrap();
    for line in &lines[1..] {
        let r = activity(&v, line[col("activity")]);
        let (plan, actual) = if line[col("month")] == "total" {
            (r["plan_total"].clone(), r["actual_total"].clone())
        } else {
            let m = r["months"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["month"] == line[col("month")])
                .unwrap();
            (m["plan"].clone(), m["actual"].clone())
        };
        assert_eq!(line[col("actual")], actual.to_string());
        assert_eq!(
            line[col("plan")],
            if plan.is_null() {
                String::new()
            } else {
                plan.to_string()
            }
        );
    }
    expect_problem(
        app.get("/v1/statistics/activity?fiscal_year=2017&kind=parking", &token)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn adjustments_recovered_month_by_month_reproduce_the_seed() {
    use futures_util::StreamExt;
    let app = TestApp::spawn().await;
    // SEED-A 保険者間調整実施計画及び実績（回収分）, FY2018 April..September.
    let plan: Vec<Value> = (4..=9)
        .map(|m| json!({"month": format!("2018-{m:02}"), "adjustment_count": 20, "adjustment_amount": 1_500_000}))
        .collect();
    expect_status(
        app.send(
            reqwest::Method::PUT,
            "/v1/plans/2018",
            &app.admin(),
            Some(&json!({"months": plan})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actual = [
        (10, 912_742),
        (18, 1_050_354),
        (12, 1_023_361),
        (10, 147_874),
        (21, 2_069_265),
        (10, 821_050),
    ];
    let mut jobs = Vec::new();
    for (i, (n, amount)) in actual.iter().enumerate() {
        let month = format!("2018-{:02}", i + 4);
        for k in 0..*n {
            let x = amount / n + if k == n - 1 { amount % n } else { 0 };
            // The first request of each month is paid 5,000 yen above the balance: owed to the insured.
            let paid = if k == 0 { x + 5_000 } else { x };
            jobs.push((month.clone(), x, paid));
        }
    }
    let app_ref = &app;
    futures_util::stream::iter(jobs.into_iter().map(|(month, x, paid)| async move {
        let app = app_ref;
        let rid = receivable(app, "overpayment_refund", x, &format!("{month}-01"), &[]).await;
        let q = expect_status(
            app.post(
                "/v1/adjustment-requests",
                &app.admin(),
                &json!({"receivable_id": rid, "new_insurer": {"number": "06130012", "name": "千代田区国民健康保険"},
                        "consent_on": format!("{month}-02")}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let id = q["id"].as_str().unwrap();
        for (to, day) in [("submitted", "03"), ("accepted", "10"), ("settled", "20")] {
            let mut b = json!({"to": to, "on": format!("{month}-{day}")});
            if to == "settled" {
                b["amount"] = json!(paid);
            }
            expect_status(
                app.post(&format!("/v1/adjustment-requests/{id}/transitions"), &app.admin(), &b)
                    .await,
                StatusCode::OK,
            )
            .await;
        }
    }))
    .buffer_unordered(8)
    .collect::<Vec<()>>()
    .await;

    let token = app.token("statistics:read");
    let v = expect_status(
        app.get("/v1/statistics/adjustments?fiscal_year=2018", &token).await,
        StatusCode::OK,
    )
    .await;
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    for (i, (n, amount)) in actual.iter().enumerate() {
        let m = &months[i];
        assert_eq!(
            (
                m["plan_count"].as_i64(),
                m["actual_count"].as_i64(),
                m["plan_amount"].as_i64(),
                m["actual_amount"].as_i64(),
                m["accepted_count"].as_i64(),
                m["excess_owed"].as_i64()
            ),
            (
                Some(20),
                Some(*n),
                Some(1_500_000),
                Some(*amount),
                Some(*n),
                Some(5_000)
            ),
            "{}",
            m["month"]
        );
    }
    assert_eq!(months[6]["plan_count"], Value::Null);
    let t = &v["total"];
    assert_eq!(
        (
            t["plan_count"].as_i64(),
            t["actual_count"].as_i64(),
            t["plan_amount"].as_i64(),
            t["actual_amount"].as_i64()
        ),
        (Some(120), Some(81), Some(9_000_000), Some(6_024_646))
    );
    // CSV: twelve months and the total, matching the JSON.
    let csv = app.get_csv("/v1/statistics/adjustments?fiscal_year=2018", &token).await;
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 14);
    let col = |name: &str| lines[0].iter().position(|h| *h == name).unwrap();
    assert_eq!(lines[13][col("month")], "total");
    assert_eq!(lines[13][col("actual_amount")], "6024646");
    for (i, line) in lines[1..13].iter().enumerate() {
        assert_eq!(line[col("month")], months[i]["month"].as_str().unwrap());
        assert_eq!(line[col("actual_count")], months[i]["actual_count"].to_string());
        assert_eq!(line[col("actual_amount")], months[i]["actual_amount"].to_string());
    }
}

/// A member of a household of their own who lost eligibility on `lost_on`, with a recovery case
/// and the given steps; gives back the case.
async fn card_case(app: &TestApp, n: &str, category: &str, lost_on: &str, steps: &[(&str, &str)]) -> Value {
    let h = app.household(&format!("CRS{n}")).await;
    let m = app.member(h["id"].as_str().unwrap(), n, "head").await;
    let mid = m["id"].as_str().unwrap();
    app.lose_eligibility(mid, lost_on).await;
    let c = expect_status(
        app.post(
            "/v1/card-recoveries",
            &app.admin(),
            &json!({"member_id": mid, "valid_until": "2027-07-31", "processed_on": lost_on, "category": category}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["category"], category);
    let id = c["id"].as_str().unwrap();
    for (kind, on) in steps {
        expect_status(
            app.post(
                &format!("/v1/card-recoveries/{id}/events"),
                &app.admin(),
                &json!({"kind": kind, "on": on}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    c
}

#[actix_web::test]
async fn card_recovery_rates_count_returns_by_the_day_the_figures_are_taken() {
    let app = TestApp::spawn().await;
    card_case(
        &app,
        "701",
        "general",
        "2025-05-10",
        &[("first_notice", "2025-05-24"), ("returned", "2025-06-01")],
    )
    .await;
    // Returned after the figures are taken: still open on that day.
    card_case(
        &app,
        "702",
        "general",
        "2025-06-10",
        &[
            ("first_notice", "2025-06-24"),
            ("second_notice", "2025-07-08"),
            ("returned", "2026-03-10"),
        ],
    )
    .await;
    card_case(
        &app,
        "703",
        "general",
        "2025-07-01",
        &[
            ("first_notice", "2025-07-15"),
            ("second_notice", "2025-07-29"),
            ("employer_contacted", "2025-08-12"),
            ("unrecoverable_notice", "2025-08-20"),
        ],
    )
    .await;
    card_case(
        &app,
        "704",
        "voluntary_continuation",
        "2025-08-01",
        &[("first_notice", "2025-08-15"), ("returned", "2025-09-01")],
    )
    .await;
    // Lost after the period: not counted in the rate.
    card_case(&app, "705", "general", "2026-02-10", &[("returned", "2026-02-20")]).await;

    let token = app.token("statistics:read");
    let path = "/v1/statistics/card-recovery?fiscal_year=2025&lost_from=2025-04-01&lost_to=2026-01-31&as_of=2026-02-28";
    let v = expect_status(app.get(path, &token).await, StatusCode::OK).await;
    let rate = |v: &Value, category: &str| {
        let r = v["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["category"] == category)
            .unwrap()
            .clone();
        (
            r["cases"].as_i64().unwrap(),
            r["returned"].as_i64().unwrap(),
            r["unrecoverable"].as_i64().unwrap(),
            r["open"].as_i64().unwrap(),
            r["rate"].as_f64(),
        )
    };
    assert_eq!(rate(&v, "general"), (3, 1, 1, 1, Some(33.33)));
    // A year earlier (losses of FY2024 up to January, as on 2025-02-28): none.
    assert_eq!(v["rates"][0]["previous"]["cases"], 0);
    let later = expect_status(
        app.get(
            "/v1/statistics/card-recovery?fiscal_year=2026&lost_from=2026-04-01&lost_to=2027-01-31&as_of=2027-02-28",
            &token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let general = later["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "general")
        .unwrap();
    assert_eq!(
        (
            general["previous"]["cases"].as_i64(),
            general["previous"]["rate"].as_f64()
        ),
        (Some(3), Some(33.33))
    );
    assert_eq!(rate(&v, "voluntary_continuation"), (1, 1, 0, 0, Some(100.0)));
    // Taken today, the late return counts; the whole fiscal year takes in the February loss.
    let today = expect_status(
        app.get("/v1/statistics/card-recovery?fiscal_year=2025", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rate(&today, "general"), (4, 3, 1, 0, Some(75.0)));
    // The months: notices (first and second) and employer calls.
    let month = |category: &str, m: &str| {
        let r = v["months"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["category"] == category && r["month"] == m)
            .unwrap_or_else(|| panic!("no {category} {m}"));
        (r["notices"].as_i64().unwrap(), r["employer_contacts"].as_i64().unwrap())
    };
    assert_eq!(v["months"].as_array().unwrap().len(), 24);
    assert_eq!(month("general", "2025-05"), (1, 0));
    assert_eq!(month("general", "2025-07"), (3, 0));
    assert_eq!(month("general", "2025-08"), (0, 1));
    assert_eq!(month("voluntary_continuation", "2025-08"), (1, 0));
    assert_eq!(month("general", "2026-03"), (0, 0));

    // CSV matches the JSON.
    let csv = app.get_csv(path, &token).await;
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 1 + 2 + 24);
    let col = |name: &str| lines[0].iter().position(|h| *h == name).unwrap();
    let general = lines
        .iter()
        .find(|l| l[col("category")] == "general" && l[col("month")] == "lost")
        .unwrap();
    assert_eq!((general[col("cases")], general[col("rate")]), ("3", "33.33"));
    let july = lines
        .iter()
        .find(|l| l[col("category")] == "general" && l[col("month")] == "2025-07")
        .unwrap();
    assert_eq!(july[col("notices")], "3");

    expect_problem(
        app.get(
            "/v1/statistics/card-recovery?fiscal_year=2025&lost_from=2025-05-01&lost_to=2025-04-01",
            &token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn the_start_builds_every_year_up_to_the_current_one_once() {
    let app = TestApp::spawn().await;
    receivable(&app, "damages", 80_000, "2023-05-01", &[(10_000, "2024-06-01")]).await;
    let current = {
        use chrono::Datelike;
        let today = chrono::Utc::now().date_naive();
        if today.month() >= 4 {
            today.year()
        } else {
            today.year() - 1
        }
    };
    let built = hokensha::service::statistics::build_recovery_years(&app.db, hokensha::clock::Clock::system().today())
        .await
        .unwrap();
    assert_eq!(built, vec![INSURER.to_string()]);
    let years = hokensha::store::recovery::built_years(&app.db, INSURER).await.unwrap();
    assert_eq!(years, (2023..=current).collect::<Vec<_>>());
    // Built already: nothing to do.
    assert!(
        hokensha::service::statistics::build_recovery_years(&app.db, hokensha::clock::Clock::system().today())
            .await
            .unwrap()
            .is_empty()
    );
    // The built totals are what the ledger says.
    let v = expect_status(
        app.get(
            "/v1/statistics/recovery?fiscal_year=2024",
            &app.token("statistics:read"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = row(&v, "damages", "prior");
    assert_eq!(
        (r["assessed"].as_i64(), r["collected"].as_i64(), r["rate"].as_f64()),
        (Some(80_000), Some(10_000), Some(12.5))
    );
    assert_eq!(r["previous"]["assessed"], 0);
    assert_eq!(row(&v, "damages", "current")["previous"]["assessed"], 80_000);
}

/// Found by schema fuzzing: a receivable dated in the last years a date can name (its fiscal
/// year past 9998) made every later first read of a year's recovery table a 500.
#[actix_web::test]
async fn receivables_dated_at_the_ends_of_the_calendar_do_not_break_the_tables() {
    let app = TestApp::spawn().await;
    for (on, due) in [("9999-05-01", "9999-06-01"), ("1800-05-01", "1800-06-01")] {
        let b = json!({"kind": "damages", "debtor": {"kind": "person", "name": "x"},
                       "assessed_on": on, "amount": 5, "due_on": due});
        expect_status(app.post("/v1/receivables", &app.admin(), &b).await, StatusCode::CREATED).await;
    }
    let token = app.token("statistics:read");
    for y in [2025, 2144, 2200] {
        let v = expect_status(
            app.get(&format!("/v1/statistics/recovery?fiscal_year={y}"), &token)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["fiscal_year"], y);
    }
}
