//! The benefit engine over HTTP: the simulate endpoints.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn seed004_household() -> Value {
    json!({
        "service_month": "2016-06",
        "income_category": {"under70": "u", "age70to74": "general"},
        "members": [
            {"id": "husband", "birth_date": "1944-03-10"},
            {"id": "wife", "birth_date": "1945-05-05"}
        ],
        "claims": [
            {"member_id": "husband", "provider_code": "1310000001", "kind": "medical", "setting": "outpatient", "total_cost": 100000, "copayment": 10000},
            {"member_id": "husband", "provider_code": "1310000002", "kind": "medical", "setting": "outpatient", "total_cost": 60000, "copayment": 6000},
            {"member_id": "wife", "provider_code": "1310000003", "kind": "medical", "setting": "inpatient", "total_cost": 400000, "copayment": 40000}
        ]
    })
}

#[actix_web::test]
async fn simulate_reproduces_the_seed_examples() {
    let app = TestApp::spawn().await;
    let token = app.token("benefits:read");
    let under70 = json!({
        "service_month": "2016-06",
        "income_category": {"under70": "e", "age70to74": null},
        "members": [{"id": "m1", "birth_date": "1970-04-10"}],
        "claims": [{"member_id": "m1", "provider_code": "1310000001", "kind": "medical", "setting": "inpatient", "total_cost": 1000000, "copayment": 300000}]
    });
    let d = expect_status(
        app.post("/v1/benefit-calculations/simulate", &token, &under70).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["total_benefit"], 242_400);
    assert_eq!(d["rule_set"], "2015-01");
    assert_eq!(d["members"], json!([{"member_id": "m1", "benefit": 242_400}]));
    assert_eq!(d["counts_toward_multiple"], true);
    assert_eq!(d["multiple_applied"], false);
    let paying: Vec<&Value> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["paid"].as_i64() > Some(0))
        .collect();
    assert_eq!(paying.len(), 1);
    assert_eq!(paying[0]["rule"], "R4");
    assert_eq!(paying[0]["limit"], 57_600);
    assert!(paying[0]["source"].as_str().unwrap().contains("42"));

    let d = expect_status(
        app.post("/v1/benefit-calculations/simulate", &token, &seed004_household())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["total_benefit"], 11_600);
    let sum: i64 = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["benefit"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 11_600);
}

#[actix_web::test]
async fn simulate_applies_history_and_excludes_lost_eligibility() {
    let app = TestApp::spawn().await;
    let token = app.token("benefits:read");
    let mut body = json!({
        "service_month": "2024-06",
        "income_category": {"under70": "u"},
        "members": [{"id": "m1", "birth_date": "1980-01-01", "lost_on": "2024-06-20"}],
        "claims": [
            {"member_id": "m1", "provider_code": "1310000001", "kind": "medical", "setting": "inpatient", "total_cost": 1000000, "copayment": 300000, "first_service_on": "2024-06-02"},
            {"member_id": "m1", "provider_code": "1310000002", "kind": "medical", "setting": "outpatient", "total_cost": 100000, "copayment": 30000, "first_service_on": "2024-06-21"}
        ]
    });
    let d = expect_status(
        app.post("/v1/benefit-calculations/simulate", &token, &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        d["excluded_claims"],
        json!([{"index": 1, "reason": "lost_eligibility"}])
    );
    // 区分ウ: 80,100 + (1,000,000 - 267,000) x 1% = 87,430 -> 212,570.
    assert_eq!(d["total_benefit"], 212_570);
    assert_eq!(d["multiple_applied"], false);
    body["history"] = json!({"benefit_months": [
        {"service_month": "2023-09", "counts_toward_multiple": true},
        {"service_month": "2024-01", "counts_toward_multiple": true},
        {"service_month": "2024-03", "counts_toward_multiple": true}
    ]});
    let d = expect_status(
        app.post("/v1/benefit-calculations/simulate", &token, &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["multiple_applied"], true);
    assert_eq!(d["total_benefit"], 300_000 - 44_400);
}

#[actix_web::test]
async fn simulate_refuses_bad_input_and_months_without_tables() {
    let app = TestApp::spawn().await;
    let token = app.token("benefits:read");
    let mut body = seed004_household();
    body["service_month"] = json!("2014-12");
    let p = expect_problem(
        app.post("/v1/benefit-calculations/simulate", &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_rule_table",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("2014-12"));
    body["service_month"] = json!("2099-01");
    expect_problem(
        app.post("/v1/benefit-calculations/simulate", &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_rule_table",
    )
    .await;

    let cases = [
        ("/claims/0/copayment", json!(100_001), "claims[0].copayment"),
        ("/claims/0/copayment", json!(-5), "claims[0].copayment"),
        ("/claims/0/total_cost", json!(1.5), "claims[0].total_cost"),
        ("/claims/1/provider_code", json!("12"), "claims[1].provider_code"),
        ("/claims/2/member_id", json!("nobody"), "claims[2].member_id"),
        ("/service_month", json!("2016/06"), "service_month"),
        ("/income_category/under70", json!("x"), "income_category.under70"),
        (
            "/claims/0/kind",
            json!("pharmacy"),
            "claims[0].prescribing_provider_code",
        ),
    ];
    for (pointer, value, field) in cases {
        let mut b = seed004_household();
        *b.pointer_mut(pointer).unwrap() = value;
        let p = expect_problem(
            app.post("/v1/benefit-calculations/simulate", &token, &b).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{pointer}: {p}");
    }
    let mut b = seed004_household();
    b["income_category"]["age70to74"] = Value::Null;
    expect_problem(
        app.post("/v1/benefit-calculations/simulate", &token, &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing_category",
    )
    .await;
    expect_problem(
        app.post(
            "/v1/benefit-calculations/simulate",
            &app.token("claims:read"),
            &seed004_household(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
}

#[actix_web::test]
async fn annual_outpatient_simulate() {
    let app = TestApp::spawn().await;
    let token = app.token("benefits:read");
    let months: Vec<Value> = (0..12)
        .map(|i| {
            let (y, m) = if i < 5 { (2018, 8 + i) } else { (2019, i - 4) };
            json!({"service_month": format!("{y}-{m:02}"), "outpatient_copayment": 18000, "outpatient_monthly_benefit": 0})
        })
        .collect();
    let body = json!({"period_start": "2018-08", "category_on_base_date": "general", "months": months});
    let d = expect_status(
        app.post("/v1/benefit-calculations/annual-outpatient/simulate", &token, &body)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["annual_limit"], 144_000);
    assert_eq!(d["annual_amount"], 216_000);
    assert_eq!(d["benefit"], 72_000);

    let mut active = body.clone();
    active["category_on_base_date"] = json!("active1");
    let d = expect_status(
        app.post("/v1/benefit-calculations/annual-outpatient/simulate", &token, &active)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(d["annual_limit"].is_null());
    assert_eq!(d["benefit"], 0);

    let mut bad = body.clone();
    bad["period_start"] = json!("2018-09");
    let p = expect_problem(
        app.post("/v1/benefit-calculations/annual-outpatient/simulate", &token, &bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "period_start");
    let mut early = body.clone();
    early["period_start"] = json!("2016-08");
    early["months"] = json!([]);
    expect_problem(
        app.post("/v1/benefit-calculations/annual-outpatient/simulate", &token, &early)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_rule_table",
    )
    .await;
    let mut over = body.clone();
    over["months"][0]["outpatient_monthly_benefit"] = json!(20_000);
    expect_problem(
        app.post("/v1/benefit-calculations/annual-outpatient/simulate", &token, &over)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn amounts_no_claim_could_carry_are_refused_not_clamped() {
    let app = TestApp::spawn().await;
    let token = app.token("benefits:read");
    let huge = 9_223_372_036_854_775_807_i64;
    let body = json!({
        "service_month": "2024-06",
        "income_category": {"under70": "u", "age70to74": null},
        "members": [{"id": "m1", "birth_date": "1970-04-10"}],
        "claims": [
            {"member_id": "m1", "provider_code": "1310000001", "kind": "medical", "setting": "inpatient", "total_cost": huge, "copayment": huge},
            {"member_id": "m1", "provider_code": "1310000002", "kind": "medical", "setting": "inpatient", "total_cost": huge, "copayment": huge}
        ]
    });
    let p = expect_problem(
        app.post("/v1/benefit-calculations/simulate", &token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields = error_fields(&p);
    assert!(
        fields.contains(&"claims[0].total_cost") && fields.contains(&"claims[1].copayment"),
        "{p}"
    );
}
