//! Receivables: assessment, fiscal attribution, actions, collections, write-off, late charge and
//! the limitation clock.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const KINDS: [&str; 9] = [
    "benefit_refund",
    "employer_joint",
    "provider_refund",
    "employer_levy",
    "late_charge",
    "damages",
    "overpayment_refund",
    "high_cost_loan",
    "childbirth_loan",
];

fn body(kind: &str, amount: i64, assessed_on: &str, due_on: &str) -> Value {
    json!({
        "kind": kind,
        "reason": if kind == "overpayment_refund" { json!("ineligible_visit") } else { Value::Null },
        "debtor": {"kind": "person", "name": "山田 太郎", "phone": "090-1234-5678"},
        "assessed_on": assessed_on, "amount": amount, "due_on": due_on
    })
}

async fn create(app: &TestApp, b: &Value) -> Value {
    expect_status(app.post("/v1/receivables", &app.admin(), b).await, StatusCode::CREATED).await
}

async fn post(app: &TestApp, path: &str, b: &Value, status: StatusCode) -> Value {
    expect_status(app.post(path, &app.admin(), b).await, status).await
}

#[actix_web::test]
async fn every_kind_gets_its_fiscal_year_from_the_assessment_date() {
    let app = TestApp::spawn().await;
    for kind in KINDS {
        let march = create(&app, &body(kind, 50_000, "2018-03-31", "2018-04-30")).await;
        let april = create(&app, &body(kind, 50_000, "2018-04-01", "2018-04-30")).await;
        assert_eq!(
            (march["fiscal_year"].as_i64(), april["fiscal_year"].as_i64()),
            (Some(2017), Some(2018)),
            "{kind}"
        );
        assert_eq!(march["status"], "open");
        assert_eq!(march["balance"], 50_000);
        assert_eq!(march["fiscal_class"], "prior");
    }
    let listed = expect_status(
        app.get("/v1/receivables?fiscal_year=2017&limit=100", &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 9);
    let refunds = expect_status(
        app.get("/v1/receivables?kind=overpayment_refund", &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refunds["items"].as_array().unwrap().len(), 2);
    assert_eq!(refunds["items"][0]["reason"], "ineligible_visit");

    // Bad input: a reason on a kind that takes none, none where one is needed, amount, dates.
    let mut bad = body("damages", 0, "2018-04-01", "2018-03-01");
    bad["reason"] = json!("work_injury");
    bad["kind"] = json!("fine");
    let p = expect_problem(
        app.post("/v1/receivables", &app.admin(), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["kind", "amount", "due_on"] {
        assert!(fields.contains(&f), "{f}: {p}");
    }
    let mut no_reason = body("overpayment_refund", 1_000, "2018-04-01", "2018-04-30");
    no_reason["reason"] = Value::Null;
    expect_problem(
        app.post("/v1/receivables", &app.admin(), &no_reason).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn collections_renew_the_limitation_and_never_go_below_zero() {
    let app = TestApp::spawn().await;
    let r = create(&app, &body("overpayment_refund", 100_000, "2024-05-10", "2024-06-10")).await;
    let id = r["id"].as_str().unwrap();
    let before = expect_status(
        app.get(&format!("/v1/receivables/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let first = before["limitation"]["completes_on"].as_str().unwrap().to_string();

    let r = post(
        &app,
        &format!("/v1/receivables/{id}/collections"),
        &json!({"amount": 30_000, "received_on": "2025-01-20", "channel": "bank_transfer"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["balance"], 70_000);
    assert_eq!(r["status"], "partially_collected");
    assert_eq!(r["totals"]["collected"], 30_000);
    assert_eq!(r["limitation"]["moved_by"], "partial_payment");
    assert_eq!(r["limitation"]["moved_on"], "2025-01-20");
    let renewed = r["limitation"]["completes_on"].as_str().unwrap();
    assert!(renewed > first.as_str(), "{renewed} after {first}");

    expect_problem(
        app.post(
            &format!("/v1/receivables/{id}/collections"),
            &app.admin(),
            &json!({"amount": 70_001, "received_on": "2025-02-20", "channel": "cash"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "collection_exceeds_balance",
    )
    .await;
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/collections"),
        &json!({"amount": 70_000, "received_on": "2025-02-20", "channel": "insurer_adjustment"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (r["balance"].as_i64(), r["status"].as_str()),
        (Some(0), Some("collected"))
    );
    assert_eq!(r["collections"].as_array().unwrap().len(), 2);
    assert_eq!(r["collections"][1]["channel"], "insurer_adjustment");
}

#[actix_web::test]
async fn write_off_actions_and_other_tenants() {
    let app = TestApp::spawn().await;
    let r = create(&app, &body("damages", 80_000, "2020-04-01", "2020-04-30")).await;
    let id = r["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/actions"),
        &json!({"kind": "phone", "on": "2020-05-10", "outcome": "no_answer"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["actions"][0]["kind"], "phone");
    // A civil claim takes no statutory demand (督促).
    expect_problem(
        app.post(
            &format!("/v1/receivables/{id}/actions"),
            &app.admin(),
            &json!({"kind": "statutory_demand", "on": "2020-05-11"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/actions"),
        &json!({"kind": "payment_order_filed", "on": "2020-09-01"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["status"], "in_legal");

    // Another insurer can neither act nor collect.
    let other = app.token_for(OTHER_INSURER, "admin");
    for (path, b) in [
        ("actions", json!({"kind": "phone", "on": "2020-05-10"})),
        (
            "collections",
            json!({"amount": 1, "received_on": "2020-05-10", "channel": "cash"}),
        ),
        ("write-off", json!({"on": "2020-05-10", "reason": "waived"})),
    ] {
        expect_problem(
            app.post(&format!("/v1/receivables/{id}/{path}"), &other, &b).await,
            StatusCode::NOT_FOUND,
            "receivable_not_found",
        )
        .await;
    }
    expect_problem(
        app.get(&format!("/v1/receivables/{id}"), &other).await,
        StatusCode::NOT_FOUND,
        "receivable_not_found",
    )
    .await;

    let r = post(
        &app,
        &format!("/v1/receivables/{id}/write-off"),
        &json!({"on": "2026-06-01", "reason": "uncollectible"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["status"], "written_off");
    assert_eq!(r["totals"]["written_off"], 80_000);
    assert_eq!(r["balance"], 0);
    expect_problem(
        app.post(
            &format!("/v1/receivables/{id}/collections"),
            &app.admin(),
            &json!({"amount": 1, "received_on": "2026-06-02", "channel": "cash"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "collection_exceeds_balance",
    )
    .await;
    expect_problem(
        app.post(
            &format!("/v1/receivables/{id}/actions"),
            &app.admin(),
            &json!({"kind": "phone", "on": "2026-06-02"}),
        )
        .await,
        StatusCode::CONFLICT,
        "receivable_closed",
    )
    .await;
}

#[actix_web::test]
async fn late_charges_follow_the_worked_example_and_thresholds() {
    let app = TestApp::spawn().await;
    // receivables.md 5.1: 123,456 yen (法58条), due 2025-11-30, 督促 deadline missed, paid
    // 2026-02-15 -> 2,200 yen.
    let r = create(&app, &body("benefit_refund", 123_456, "2025-11-01", "2025-11-30")).await;
    let id = r["id"].as_str().unwrap();
    let none = expect_status(
        app.get(
            &format!("/v1/receivables/{id}/late-charge?as_of=2026-02-15"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (none["amount"].as_i64(), none["not_charged"].as_str()),
        (Some(0), Some("no_demand"))
    );
    post(
        &app,
        &format!("/v1/receivables/{id}/actions"),
        &json!({"kind": "statutory_demand", "on": "2025-12-05"}),
        StatusCode::CREATED,
    )
    .await;
    post(
        &app,
        &format!("/v1/receivables/{id}/collections"),
        &json!({"amount": 123_456, "received_on": "2026-02-15", "channel": "payment_slip"}),
        StatusCode::CREATED,
    )
    .await;
    let c = expect_status(
        app.get(
            &format!("/v1/receivables/{id}/late-charge?as_of=2026-02-15"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["amount"], 2_200, "{c}");
    assert_eq!(c["segments"][0]["base"], 123_000);
    assert_eq!(c["segments"][0]["days"], 31);
    assert_eq!(c["segments"][1]["days"], 45);

    // Under 1,000 yen: nothing. A civil claim: none (civil interest is off by default).
    let small = create(&app, &body("benefit_refund", 999, "2025-11-01", "2025-11-30")).await;
    let s = expect_status(
        app.get(
            &format!(
                "/v1/receivables/{}/late-charge?as_of=2026-02-15",
                small["id"].as_str().unwrap()
            ),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["not_charged"], "principal_under_threshold");
    let civil = create(&app, &body("overpayment_refund", 123_456, "2025-11-01", "2025-11-30")).await;
    let c = expect_status(
        app.get(
            &format!(
                "/v1/receivables/{}/late-charge?as_of=2026-02-15",
                civil["id"].as_str().unwrap()
            ),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (c["amount"].as_i64(), c["not_charged"].as_str()),
        (Some(0), Some("not_applicable"))
    );
}

fn visit(number: &str, member_id: &str, day: &str, total: i64, copay: i64) -> Value {
    json!({
        "claim_number": number, "member_id": member_id, "service_month": "2025-09",
        "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "outpatient",
        "total_cost": total, "copayment": copay, "first_service_on": day
    })
}

#[actix_web::test]
async fn care_after_loss_of_eligibility_becomes_one_refund_per_member_and_month() {
    let app = TestApp::spawn().await;
    let h = app.household("IV1").await;
    let hid = h["id"].as_str().unwrap();
    let head = app.member(hid, "401", "head").await;
    let spouse = app.member(hid, "402", "spouse").await;
    let sid = spouse["id"].as_str().unwrap();
    app.lose_eligibility(sid, "2025-09-10").await;
    let report = app
        .import(&[
            visit("IV-1", sid, "2025-09-15", 100_000, 30_000),
            visit("IV-2", sid, "2025-09-20", 50_000, 15_000),
            visit("IV-3", sid, "2025-09-05", 40_000, 12_000),
            visit("IV-4", head["id"].as_str().unwrap(), "2025-09-15", 80_000, 24_000),
        ])
        .await;
    assert_eq!(report["created"], 4);
    let d = app.detect("2025-09").await;
    assert_eq!((d["created"].as_i64(), d["claims"].as_i64()), (Some(1), Some(2)), "{d}");
    let id = d["receivable_ids"][0].as_str().unwrap().to_string();
    let r = expect_status(
        app.get(&format!("/v1/receivables/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["kind"], "overpayment_refund");
    assert_eq!(r["reason"], "ineligible_visit");
    assert_eq!(r["amount"], 105_000);
    assert_eq!(r["debtor"]["member_id"], head["id"]);
    assert_eq!(r["source_claim_ids"].as_array().unwrap().len(), 2);

    // Again: nothing new.
    let d = app.detect("2025-09").await;
    assert_eq!((d["created"].as_i64(), d["unchanged"].as_i64()), (Some(0), Some(1)));
    // A voided claim reduces it (調定減).
    let claims = expect_status(
        app.get("/v1/claims?service_month=2025-09&limit=10", &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let iv2 = claims["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim_number"] == "IV-2")
        .unwrap();
    let res = app
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/claims/{}", iv2["id"].as_str().unwrap()),
            &app.admin(),
            None,
        )
        .await;
    assert!(res.status().is_success());
    let d = app.detect("2025-09").await;
    assert_eq!(d["reduced"], 1, "{d}");
    let r = expect_status(
        app.get(&format!("/v1/receivables/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["balance"], 70_000);
    assert_eq!(r["totals"]["reduced"], 35_000);
    let d = app.detect("2025-09").await;
    assert_eq!(
        (d["created"].as_i64(), d["reduced"].as_i64(), d["unchanged"].as_i64()),
        (Some(0), Some(0), Some(1))
    );
}

async fn worklist(app: &TestApp, on: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/dunning/worklist?on={on}&limit=500&cursor={c}"),
            None => format!("/v1/dunning/worklist?on={on}&limit=500"),
        };
        let v = expect_status(app.get(&path, &app.token("receivables:read")).await, StatusCode::OK).await;
        items.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
}

fn rules_for<'a>(items: &'a [Value], id: &str) -> Vec<(&'a str, &'a str)> {
    items
        .iter()
        .filter(|i| i["receivable_id"] == id)
        .map(|i| (i["rule"].as_str().unwrap(), i["action"].as_str().unwrap()))
        .collect()
}

#[actix_web::test]
async fn the_worklist_reproduces_the_call_the_legal_deadline_and_the_rotation() {
    let app = TestApp::spawn().await;
    // 100,000 yen or more with a known phone: a call before the slip; below it, the slip at once.
    let big = create(&app, &body("overpayment_refund", 150_000, "2026-04-01", "2026-04-30")).await;
    let mut small_body = body("overpayment_refund", 50_000, "2026-04-01", "2026-04-30");
    small_body["debtor"]["phone"] = Value::Null;
    let small = create(&app, &small_body).await;
    let items = worklist(&app, "2026-04-02").await;
    let big_rules = rules_for(&items, big["id"].as_str().unwrap());
    assert!(big_rules.contains(&("high_value_call", "phone")), "{big_rules:?}");
    assert!(
        !big_rules.iter().any(|r| r.0 == "payment_slip"),
        "the slip waits for the call: {big_rules:?}"
    );
    let small_rules = rules_for(&items, small["id"].as_str().unwrap());
    assert!(
        small_rules.contains(&("payment_slip", "payment_slip")),
        "{small_rules:?}"
    );
    assert!(!small_rules.iter().any(|r| r.0 == "high_value_call"));

    // No response within 6 months of assessment: legal action (支払督促).
    let silent = create(&app, &body("damages", 80_000, "2025-10-01", "2025-10-31")).await;
    let sid = silent["id"].as_str().unwrap();
    post(
        &app,
        &format!("/v1/receivables/{sid}/actions"),
        &json!({"kind": "payment_slip", "on": "2025-10-01"}),
        StatusCode::CREATED,
    )
    .await;
    assert!(
        !rules_for(&worklist(&app, "2026-03-31").await, sid)
            .iter()
            .any(|r| r.0 == "legal_action")
    );
    assert!(rules_for(&worklist(&app, "2026-04-01").await, sid).contains(&("legal_action", "payment_order_filed")));
    // A partial payment is a response: no legal action.
    post(
        &app,
        &format!("/v1/receivables/{sid}/collections"),
        &json!({"amount": 10_000, "received_on": "2026-04-01", "channel": "cash"}),
        StatusCode::CREATED,
    )
    .await;
    assert!(
        !rules_for(&worklist(&app, "2026-04-02").await, sid)
            .iter()
            .any(|r| r.0 == "legal_action")
    );

    // Prior-year receivables whose sequence is over: three groups, one dunned a month, each
    // exactly once in April-June; to the workplace when known.
    let mut prior = Vec::new();
    for i in 0..6 {
        let mut b = body("overpayment_refund", 30_000, "2024-06-01", "2024-06-30");
        if i == 0 {
            b["debtor"]["workplace"] = json!("株式会社 千代田商事");
        }
        let r = create(&app, &b).await;
        let id = r["id"].as_str().unwrap().to_string();
        post(
            &app,
            &format!("/v1/receivables/{id}/actions"),
            &json!({"kind": "final_notice", "on": "2024-09-01"}),
            StatusCode::CREATED,
        )
        .await;
        post(
            &app,
            &format!("/v1/receivables/{id}/actions"),
            &json!({"kind": "payment_order_filed", "on": "2024-10-01"}),
            StatusCode::CREATED,
        )
        .await;
        prior.push(id);
    }
    // Those in legal are not dunned by letter; the same receivables without a payment order are.
    let mut rotating = Vec::new();
    for i in 0..6 {
        let mut b = body("overpayment_refund", 30_000, "2024-06-01", "2024-06-30");
        if i == 0 {
            b["debtor"]["workplace"] = json!("株式会社 千代田商事");
        }
        let r = create(&app, &b).await;
        let id = r["id"].as_str().unwrap().to_string();
        post(
            &app,
            &format!("/v1/receivables/{id}/actions"),
            &json!({"kind": "final_notice", "on": "2024-09-01"}),
            StatusCode::CREATED,
        )
        .await;
        rotating.push(id);
    }
    let mut seen = std::collections::HashMap::new();
    for day in ["2026-04-10", "2026-05-10", "2026-06-10"] {
        let items = worklist(&app, day).await;
        for id in &rotating {
            for (rule, action) in rules_for(&items, id) {
                if rule == "prior_year_rotation" {
                    *seen.entry(id.clone()).or_insert(0) += 1;
                    let expected = if id == &rotating[0] {
                        "workplace_notice"
                    } else {
                        "notice"
                    };
                    assert_eq!(action, expected);
                }
            }
        }
        for id in &prior {
            assert!(
                rules_for(&items, id).iter().all(|r| r.0 != "prior_year_rotation"),
                "in legal: not dunned"
            );
        }
    }
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.values().all(|&n| n == 1), "{seen:?}");
}

#[actix_web::test]
async fn installment_plans_hold_the_dunning_and_default_after_two_missed() {
    let app = TestApp::spawn().await;
    let r = create(&app, &body("overpayment_refund", 120_000, "2025-01-10", "2025-01-31")).await;
    let id = r["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/installment-plans"),
        &json!({"pledged_on": "2025-02-01", "instalments": 6, "first_due_on": "2025-02-28"}),
        StatusCode::CREATED,
    )
    .await;
    let plan = &r["installment_plans"][0];
    assert_eq!(plan["schedule"].as_array().unwrap().len(), 6);
    assert!(
        plan["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["amount"] == 20_000)
    );
    assert_eq!(r["limitation"]["moved_by"], "installment_pledge");
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/collections"),
        &json!({"amount": 20_000, "received_on": "2025-02-27", "channel": "bank_transfer"}),
        StatusCode::CREATED,
    )
    .await;
    let plan = &r["installment_plans"][0];
    // Every later instalment is past due today: defaulted.
    assert_eq!(
        (plan["status"].as_str(), plan["paid"].as_i64(), plan["missed"].as_i64()),
        (Some("defaulted"), Some(20_000), Some(5))
    );
    assert_eq!(plan["arrears"], 100_000);

    // A plan being kept holds the dunning that would otherwise be due.
    let r = create(&app, &body("overpayment_refund", 60_000, "2026-10-01", "2026-10-31")).await;
    let id2 = r["id"].as_str().unwrap();
    post(
        &app,
        &format!("/v1/receivables/{id2}/actions"),
        &json!({"kind": "payment_slip", "on": "2026-10-01"}),
        StatusCode::CREATED,
    )
    .await;
    let before = rules_for(&worklist(&app, "2026-11-20").await, id2)
        .iter()
        .map(|r| r.0.to_string())
        .collect::<Vec<_>>();
    assert!(before.iter().any(|r| r == "first_written_dunning"), "{before:?}");
    post(
        &app,
        &format!("/v1/receivables/{id2}/installment-plans"),
        &json!({"pledged_on": "2026-11-15", "instalments": 3, "first_due_on": "2027-12-31"}),
        StatusCode::CREATED,
    )
    .await;
    assert!(rules_for(&worklist(&app, "2026-11-20").await, id2).is_empty());
    expect_problem(
        app.post(
            &format!("/v1/receivables/{id2}/installment-plans"),
            &app.admin(),
            &json!({"pledged_on": "2026-11-16", "instalments": 2, "first_due_on": "2027-12-31"}),
        )
        .await,
        StatusCode::CONFLICT,
        "installment_plan_active",
    )
    .await;
}

#[actix_web::test]
async fn a_payment_order_puts_the_receivable_in_legal_with_its_deadlines() {
    let app = TestApp::spawn().await;
    let r = create(&app, &body("overpayment_refund", 90_000, "2025-10-01", "2025-10-31")).await;
    let id = r["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/legal-actions"),
        &json!({"filed_on": "2026-02-20", "court": "宮崎簡易裁判所"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["status"], "in_legal");
    assert!(
        r["limitation"]["completes_on"].is_null(),
        "suspended while pending: {}",
        r["limitation"]
    );
    let lid = r["legal_actions"][0]["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/legal-actions/{lid}/events"),
        &json!({"kind": "served", "on": "2026-03-02"}),
        StatusCode::OK,
    )
    .await;
    let l = &r["legal_actions"][0];
    assert_eq!(l["objection_deadline"], "2026-03-16");
    assert_eq!(l["may_apply_from"], "2026-03-17");
    assert_eq!(l["application_deadline"], "2026-04-15");
    let r = post(
        &app,
        &format!("/v1/receivables/{id}/legal-actions/{lid}/events"),
        &json!({"kind": "withdrawn", "on": "2026-03-10"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["status"], "open");
    expect_problem(
        app.post(
            &format!("/v1/receivables/{id}/legal-actions/{lid}/events"),
            &app.admin(),
            &json!({"kind": "final", "on": "2026-04-10"}),
        )
        .await,
        StatusCode::CONFLICT,
        "legal_action_concluded",
    )
    .await;
}

#[actix_web::test]
async fn certificates_still_valid_at_the_loss_are_recovered_on_schedule() {
    let app = TestApp::spawn().await;
    let h = app.household("CR1").await;
    let m = app.member(h["id"].as_str().unwrap(), "501", "head").await;
    let mid = m["id"].as_str().unwrap();
    // Not lost yet: nothing to recover.
    expect_problem(
        app.post(
            "/v1/card-recoveries",
            &app.admin(),
            &json!({"member_id": mid, "valid_until": "2027-07-31"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    app.lose_eligibility(mid, "2026-10-01").await;
    // Expired before the loss: nothing to recover.
    expect_problem(
        app.post(
            "/v1/card-recoveries",
            &app.admin(),
            &json!({"member_id": mid, "valid_until": "2026-09-30"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let c = post(
        &app,
        "/v1/card-recoveries",
        &json!({"member_id": mid, "valid_until": "2027-07-31", "processed_on": "2026-10-05"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["status"], "open");
    assert_eq!(
        (c["next_step"].as_str(), c["next_step_due"].as_str()),
        (Some("first_notice"), Some("2026-10-19"))
    );
    let id = c["id"].as_str().unwrap();
    expect_problem(
        app.post(
            "/v1/card-recoveries",
            &app.admin(),
            &json!({"member_id": mid, "valid_until": "2027-07-31"}),
        )
        .await,
        StatusCode::CONFLICT,
        "card_recovery_exists",
    )
    .await;
    let c = post(
        &app,
        &format!("/v1/card-recoveries/{id}/events"),
        &json!({"kind": "first_notice", "on": "2026-10-19"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (c["next_step"].as_str(), c["next_step_due"].as_str()),
        (Some("second_notice"), Some("2026-11-02"))
    );
    let c = post(
        &app,
        &format!("/v1/card-recoveries/{id}/events"),
        &json!({"kind": "second_notice", "on": "2026-11-02"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (c["next_step"].as_str(), c["next_step_due"].as_str()),
        (Some("employer_contacted"), Some("2026-11-16"))
    );
    let c = post(
        &app,
        &format!("/v1/card-recoveries/{id}/events"),
        &json!({"kind": "returned", "on": "2026-11-10"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["status"], "returned");
    assert!(c["next_step"].is_null());
    expect_problem(
        app.post(
            &format!("/v1/card-recoveries/{id}/events"),
            &app.admin(),
            &json!({"kind": "first_notice", "on": "2026-11-11"}),
        )
        .await,
        StatusCode::CONFLICT,
        "card_recovery_closed",
    )
    .await;
    let other = app.token_for(OTHER_INSURER, "admin");
    expect_problem(
        app.post(
            &format!("/v1/card-recoveries/{id}/events"),
            &other,
            &json!({"kind": "returned", "on": "2026-11-11"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "card_recovery_not_found",
    )
    .await;
}

#[actix_web::test]
async fn the_worklist_warns_ninety_days_before_the_limitation_completes() {
    let app = TestApp::spawn().await;
    let r = create(&app, &body("overpayment_refund", 40_000, "2021-12-01", "2021-12-31")).await;
    let id = r["id"].as_str().unwrap();
    let full = expect_status(
        app.get(&format!("/v1/receivables/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    let completes =
        NaiveDate::parse_from_str(full["limitation"]["completes_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let warn_from = completes - chrono::Duration::days(90);
    let day_before = (warn_from - chrono::Duration::days(1)).to_string();
    assert!(
        !rules_for(&worklist(&app, &day_before).await, id)
            .iter()
            .any(|r| r.0 == "limitation_warning")
    );
    assert!(
        rules_for(&worklist(&app, &warn_from.to_string()).await, id)
            .contains(&("limitation_warning", "acknowledgment"))
    );
}

#[actix_web::test]
async fn a_retried_collection_or_action_is_recorded_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let r = create(&app, &body("damages", 10_000, "2025-04-01", "2025-04-30")).await;
    let id = r["id"].as_str().unwrap();
    let send = |path: String, key: &'static str, b: Value| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&admin)
            .header("idempotency-key", key)
            .json(&b)
            .send()
    };
    let collection = json!({"amount": 3_000, "received_on": "2025-05-10", "channel": "bank_transfer"});
    let first = send(format!("/v1/receivables/{id}/collections"), "col-1", collection.clone())
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = first.text().await.unwrap();
    let again = send(format!("/v1/receivables/{id}/collections"), "col-1", collection)
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.text().await.unwrap(), first);
    let action = json!({"kind": "phone", "on": "2025-05-12", "outcome": "promised"});
    for _ in 0..2 {
        let res = send(format!("/v1/receivables/{id}/actions"), "act-1", action.clone())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let now = expect_status(app.get(&format!("/v1/receivables/{id}"), &admin).await, StatusCode::OK).await;
    assert_eq!(now["balance"], 7_000, "collected once");
    assert_eq!(now["collections"].as_array().unwrap().len(), 1);
    assert_eq!(now["actions"].as_array().unwrap().len(), 1, "the call recorded once");
    // The same key with another request is refused.
    let other = json!({"amount": 1_000, "received_on": "2025-05-10", "channel": "bank_transfer"});
    expect_problem(
        send(format!("/v1/receivables/{id}/collections"), "col-1", other)
            .await
            .unwrap(),
        StatusCode::CONFLICT,
        "idempotency_key_reused",
    )
    .await;
}

#[actix_web::test]
async fn the_sources_of_a_receivable_are_this_insurers_claims() {
    let app = TestApp::spawn().await;
    let h = app.household("SC1").await;
    let m = app.member(h["id"].as_str().unwrap(), "451", "head").await;
    let mid = m["id"].as_str().unwrap();
    app.import(&[visit("SC-1", mid, "2025-09-15", 10_000, 3_000)]).await;
    let claims = expect_status(app.get("/v1/claims", &app.admin()).await, StatusCode::OK).await;
    let ours = claims["items"][0]["id"].as_str().unwrap().to_string();
    let mut b = body("damages", 10_000, "2025-10-01", "2025-10-31");
    b["source_claim_ids"] = json!([ours, "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506", "not-an-id"]);
    let p = expect_problem(
        app.post("/v1/receivables", &app.admin(), &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields = error_fields(&p);
    assert_eq!(fields, ["source_claim_ids[1]", "source_claim_ids[2]"]);
    // Another insurer cannot name this insurer's claim.
    let other = app.token_for(OTHER_INSURER, "admin");
    b["source_claim_ids"] = json!([ours]);
    let p = expect_problem(
        app.post("/v1/receivables", &other, &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "source_claim_ids[0]");
    let r = expect_status(app.post("/v1/receivables", &app.admin(), &b).await, StatusCode::CREATED).await;
    assert_eq!(r["source_claim_ids"], json!([ours]));
}

/// The ids a receivable list answers for `query`.
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let v = expect_status(
        app.get(&format!("/v1/receivables{query}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn receivables_are_found_by_household_member_debtor_dates_and_change() {
    let app = TestApp::spawn().await;
    let h = app.household("F-1").await;
    let hid = h["id"].as_str().unwrap().to_string();
    let m = app.member(&hid, "501", "head").await;
    let mid = m["id"].as_str().unwrap().to_string();

    let mut ours = body("overpayment_refund", 10_000, "2025-05-10", "2025-06-10");
    ours["debtor"] = json!({"kind": "person", "name": "佐藤 100%_花子", "member_id": mid});
    let ours = create(&app, &ours).await;
    let ours_id = ours["id"].as_str().unwrap().to_string();
    let employer = create(&app, &body("employer_levy", 20_000, "2025-09-01", "2025-10-01")).await;
    let employer_id = employer["id"].as_str().unwrap().to_string();

    assert_eq!(listed(&app, &format!("?member_id={mid}")).await, vec![ours_id.clone()]);
    assert_eq!(listed(&app, "?debtor_name=100%25_").await, vec![ours_id.clone()]);
    // `%` and `_` are taken literally, not as patterns.
    assert_eq!(listed(&app, "?debtor_name=%25").await, vec![ours_id.clone()]);
    assert_eq!(listed(&app, "?debtor_name=_%E5%A4%AA").await, Vec::<String>::new());
    assert_eq!(
        listed(&app, "?debtor_name=%E5%A4%AA%E9%83%8E").await,
        vec![employer_id.clone()]
    );
    assert_eq!(
        listed(&app, "?assessed_from=2025-06-01&assessed_to=2025-09-01").await,
        vec![employer_id.clone()]
    );
    assert_eq!(listed(&app, "?assessed_to=2025-05-10").await, vec![ours_id.clone()]);
    // With a fiscal year, the days in both.
    assert_eq!(
        listed(&app, "?fiscal_year=2025&assessed_from=2025-08-01").await,
        vec![employer_id.clone()]
    );
    assert_eq!(
        listed(&app, &format!("?household_id={hid}")).await,
        Vec::<String>::new()
    );

    // A collection changes the receivable: it is what changed since before it.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    post(
        &app,
        &format!("/v1/receivables/{employer_id}/collections"),
        &json!({"amount": 5_000, "received_on": "2025-09-20", "channel": "bank_transfer"}),
        StatusCode::CREATED,
    )
    .await;
    let q = format!("?updated_since={}", since.replace('+', "%2B"));
    assert_eq!(listed(&app, &q).await, vec![employer_id.clone()]);
    let mut both = vec![ours_id, employer_id];
    both.sort();
    assert_eq!(listed(&app, "?updated_since=2000-01-01T00:00:00Z").await, both);
    expect_problem(
        app.get("/v1/receivables?updated_since=yesterday", &app.admin()).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}
