//! Automatic payment: registrations and their triggers, payment runs, transfer files, results,
//! notices, application forms and the scheme's statistics.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const MONTH: &str = "2025-09";

/// A household (区分ウ) with its head; gives (household id, head member id).
async fn household(app: &TestApp, number: &str, insured: &str) -> (String, String) {
    let h = app.household(number).await;
    let hid = h["id"].as_str().unwrap().to_string();
    let m = app.member(&hid, insured, "head").await;
    (hid, m["id"].as_str().unwrap().to_string())
}

fn inpatient(number: &str, member_id: &str, total: i64, copay: i64) -> Value {
    json!({
        "claim_number": number, "member_id": member_id, "service_month": MONTH,
        "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical", "setting": "inpatient",
        "total_cost": total, "copayment": copay
    })
}

fn registration(hid: &str, mid: &str, consent: bool) -> Value {
    json!({
        "household_id": hid, "applicant_member_id": mid, "applied_on": "2025-10-01",
        "bank_account": {"bank_code": "0001", "branch_code": "123", "account_type": "ordinary",
                         "account_number": "1234567", "holder_kana": "ヤマダ　タロウ"},
        "offset_consent": consent, "repayment_consent": true
    })
}

async fn register(app: &TestApp, hid: &str, mid: &str, consent: bool) -> Value {
    expect_status(
        app.post(
            "/v1/payment-registrations",
            &app.admin(),
            &registration(hid, mid, consent),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// Calculates and decides the household-month; gives the determination.
async fn decided(app: &TestApp, hid: &str) -> Value {
    let d = app
        .post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": MONTH}),
        )
        .await;
    let d: Value = d.json().await.unwrap();
    let id = d["id"].as_str().unwrap();
    expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{id}/decide"),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn run(app: &TestApp) -> Value {
    expect_status(
        app.post(
            "/v1/payment-runs",
            &app.admin(),
            &json!({"service_month": MONTH, "transfer_date": "2025-12-15"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

async fn run_payments(app: &TestApp, run_id: &str) -> Vec<Value> {
    let v = expect_status(
        app.get(&format!("/v1/payment-runs/{run_id}/payments"), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    v["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn registrations_validate_every_field_and_normalise_the_kana() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "P1", "201").await;
    let mut bad = registration(&hid, &mid, false);
    bad["bank_account"] = json!({"bank_code": "01", "branch_code": "12a", "account_type": "fixed",
                                 "account_number": "12345678", "holder_kana": "山田タロウ"});
    let p = expect_problem(
        app.post("/v1/payment-registrations", &app.admin(), &bad).await,
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
    for f in [
        "bank_account.bank_code",
        "bank_account.branch_code",
        "bank_account.account_type",
        "bank_account.account_number",
        "bank_account.holder_kana",
    ] {
        assert!(fields.contains(&f), "{f} missing in {p}");
    }
    let kana = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "bank_account.holder_kana")
        .unwrap();
    assert!(kana["message"].as_str().unwrap().contains('山'), "{kana}");

    // The applicant must be the household's head.
    let spouse = app.member(&hid, "202", "spouse").await;
    let p = expect_problem(
        app.post(
            "/v1/payment-registrations",
            &app.admin(),
            &registration(&hid, spouse["id"].as_str().unwrap(), false),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "applicant_member_id");

    // Full-width kana with small kana becomes half-width, full size.
    let mut body = registration(&hid, &mid, false);
    body["bank_account"]["holder_kana"] = json!("キョウコ　ヴァン（カ");
    let r = expect_status(
        app.post("/v1/payment-registrations", &app.admin(), &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["bank_account"]["holder_kana"], "ｷﾖｳｺ ｳﾞｱﾝ(ｶ");
    assert_eq!(r["status"], "active");
    assert_eq!(r["events"][0]["reason"], "applied");

    // One live registration per household.
    expect_problem(
        app.post(
            "/v1/payment-registrations",
            &app.admin(),
            &registration(&hid, &mid, false),
        )
        .await,
        StatusCode::CONFLICT,
        "registration_exists",
    )
    .await;
    // Another insurer sees nothing.
    let other = app.token_for(OTHER_INSURER, "admin");
    let id = r["id"].as_str().unwrap();
    expect_problem(
        app.get(&format!("/v1/payment-registrations/{id}"), &other).await,
        StatusCode::NOT_FOUND,
        "registration_not_found",
    )
    .await;
    expect_problem(
        app.post("/v1/payment-registrations", &other, &registration(&hid, &mid, false))
            .await,
        StatusCode::NOT_FOUND,
        "household_not_found",
    )
    .await;
    // A reader without payments scope is refused.
    expect_problem(
        app.get(&format!("/v1/payment-registrations/{id}"), &app.token("benefits:read"))
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
}

#[actix_web::test]
async fn member_and_arrears_changes_move_the_registration_by_themselves() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "P2", "211").await;
    let r = register(&app, &hid, &mid, false).await;
    let id = r["id"].as_str().unwrap();
    let get = || async {
        expect_status(
            app.get(&format!("/v1/payment-registrations/{id}"), &app.admin()).await,
            StatusCode::OK,
        )
        .await
    };

    // Arrears without offset consent pause it; their clearing resumes it.
    let arrears = |amount: i64| json!({"amount": amount, "as_of": "2025-11-01"});
    let tax = format!("/v1/households/{hid}/tax-arrears");
    expect_status(
        app.send(Method::PUT, &tax, &app.admin(), Some(&arrears(12_000))).await,
        StatusCode::OK,
    )
    .await;
    let r = get().await;
    assert_eq!(r["status"], "paused");
    assert_eq!(r["pause_reasons"], json!(["tax_arrears"]));
    expect_status(
        app.send(Method::PUT, &tax, &app.admin(), Some(&arrears(0))).await,
        StatusCode::OK,
    )
    .await;
    let r = get().await;
    assert_eq!(r["status"], "active");

    // The head's death cancels it, from the day of death.
    expect_status(
        app.patch(
            &format!("/v1/members/{mid}"),
            &app.admin(),
            &json!({"died_on": "2025-12-02", "lost_on": "2025-12-03", "loss_reason": "death"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = get().await;
    assert_eq!(r["status"], "cancelled");
    assert_eq!(r["end_reason"], "head_died");
    assert_eq!(r["ended_on"], "2025-12-02");
    let reasons: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["applied", "tax_arrears", "tax_arrears_cleared", "head_died"]);
    expect_problem(
        app.post(
            &format!("/v1/payment-registrations/{id}/end"),
            &app.admin(),
            &json!({"reason": "withdrawn", "ended_on": "2025-12-05"}),
        )
        .await,
        StatusCode::CONFLICT,
        "registration_cancelled",
    )
    .await;

    // A new head can apply again; the head stepping down cancels that one too.
    let (hid2, mid2) = household(&app, "P3", "212").await;
    let r2 = register(&app, &hid2, &mid2, true).await;
    expect_status(
        app.patch(
            &format!("/v1/members/{mid2}"),
            &app.admin(),
            &json!({"relationship": "spouse"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r2 = expect_status(
        app.get(
            &format!("/v1/payment-registrations/{}", r2["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r2["end_reason"], "head_changed");

    // With offset consent, arrears do not pause (they are netted instead); withdrawal ends it.
    let (hid3, mid3) = household(&app, "P4", "213").await;
    let r3 = register(&app, &hid3, &mid3, true).await;
    let id3 = r3["id"].as_str().unwrap();
    expect_status(
        app.send(
            Method::PUT,
            &format!("/v1/households/{hid3}/tax-arrears"),
            &app.admin(),
            Some(&arrears(5_000)),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r3 = expect_status(
        app.get(&format!("/v1/payment-registrations/{id3}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r3["status"], "active");
    let ended = expect_status(
        app.post(
            &format!("/v1/payment-registrations/{id3}/end"),
            &app.admin(),
            &json!({"reason": "withdrawn", "ended_on": "2025-12-05"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ended["status"], "cancelled");
    assert_eq!(ended["end_reason"], "withdrawn");
}

/// Checks the 全銀 file: every record 120 bytes + CRLF, the trailer's count and total.
fn check_transfer_file(bytes: &[u8], count: usize, total: i64) {
    assert_eq!(bytes.len() % 122, 0);
    let records: Vec<&[u8]> = bytes.chunks(122).collect();
    assert_eq!(records.len(), count + 3);
    for r in &records {
        assert_eq!(&r[120..], b"\r\n");
    }
    assert_eq!(records[0][0], b'1');
    assert_eq!(&records[0][1..3], b"21");
    assert!(records[1..=count].iter().all(|r| r[0] == b'2'));
    let trailer = records[count + 1];
    assert_eq!(trailer[0], b'8');
    assert_eq!(
        std::str::from_utf8(&trailer[1..7]).unwrap().parse::<usize>().unwrap(),
        count
    );
    assert_eq!(
        std::str::from_utf8(&trailer[7..19]).unwrap().parse::<i64>().unwrap(),
        total
    );
    let sum: i64 = records[1..=count]
        .iter()
        .map(|r| std::str::from_utf8(&r[80..90]).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(records[count + 2][0], b'9');
}

#[actix_web::test]
async fn a_month_is_paid_once_with_its_transfer_file_and_forms_for_the_unregistered() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "P5", "221").await;
    let (hid2, mid2) = household(&app, "P6", "222").await;
    app.import(&[
        inpatient("R-1", &mid, 1_000_000, 300_000),
        inpatient("R-2", &mid2, 500_000, 150_000),
    ])
    .await;
    let d = decided(&app, &hid).await;
    assert_eq!(d["total_benefit"], 212_570);
    let d2 = decided(&app, &hid2).await;
    register(&app, &hid, &mid, false).await;

    let r = run(&app).await;
    assert_eq!(r["status"], "completed");
    assert_eq!(r["payment_count"], 1);
    assert_eq!(r["total_amount"], 212_570);
    assert_eq!(r["application_form_count"], 1);
    assert_eq!(r["application_forms"].as_array().unwrap().len(), 1);
    assert_eq!(r["progress"], json!({"done": 2, "total": 2}));
    let run_id = r["id"].as_str().unwrap();
    let payments = run_payments(&app, run_id).await;
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["determination_id"], d["id"]);
    assert_eq!(payments[0]["net_amount"], 212_570);
    assert_eq!(payments[0]["account"]["account_number_masked"], "****567");
    let paid = expect_status(
        app.get(
            &format!("/v1/benefit-calculations/{}", d["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paid["status"], "paid");

    // The unregistered household gets a form, listed in the run, pre-filled.
    let forms = expect_status(
        app.get(&format!("/v1/payment-runs/{run_id}/application-forms"), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(forms["items"].as_array().unwrap().len(), 1);
    assert_eq!(forms["items"][0]["household_id"], hid2.as_str());
    assert_eq!(forms["items"][0]["reason"], "not_registered");
    let form = expect_status(
        app.get(
            &format!(
                "/v1/benefit-calculations/{}/application-form",
                d2["id"].as_str().unwrap()
            ),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(form["service_month"], MONTH);
    assert_eq!(form["benefit"], d2["total_benefit"]);
    assert_eq!(form["total_cost"], 500_000);
    assert_eq!(form["total_copayment"], 150_000);
    assert_eq!(form["patients"][0]["insured_number"], "東1-222-00");
    assert_eq!(form["patients"][0]["providers"][0]["copayment"], 150_000);
    assert!(form["previous_account"].is_null());
    assert_eq!(
        form["total_limit"].as_i64().unwrap(),
        150_000 - d2["total_benefit"].as_i64().unwrap()
    );

    // The transfer file.
    let res = app
        .get(&format!("/v1/payment-runs/{run_id}/transfer-file"), &app.admin())
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    let bytes = res.bytes().await.unwrap();
    check_transfer_file(&bytes, 1, 212_570);
    // The payee's name in half-width kana, Shift_JIS single bytes.
    let (name, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes[122 + 50..122 + 80]);
    assert_eq!(name.trim_end(), "ﾔﾏﾀﾞ ﾀﾛｳ");

    // The notice.
    let notice = expect_status(
        app.get(
            &format!("/v1/payments/{}/notice", payments[0]["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notice["amount_paid"], 212_570);
    assert_eq!(notice["addressee"]["household_number"], "P5");
    assert_eq!(notice["patients"][0]["benefit"], 212_570);
    assert_eq!(notice["limit_applied"]["limit"], 87_430);
    assert_eq!(notice["account"]["account_number_masked"], "****567");
    assert!(notice["offset"].is_null());

    // Again: nothing new is paid, no second form.
    let again = run(&app).await;
    assert_eq!(again["payment_count"], 0);
    assert_eq!(again["application_form_count"], 0);
    assert!(again["application_forms"].as_array().unwrap().is_empty());
    expect_problem(
        app.get(
            &format!("/v1/payment-runs/{}/transfer-file", again["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::CONFLICT,
        "no_transfers",
    )
    .await;

    // The scheme's statistics count it.
    let s = expect_status(
        app.get(
            "/v1/statistics/benefits?fiscal_year=2025",
            &app.token("statistics:read"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["paid_automatically"], json!({"count": 1, "amount": 212_570}));
    assert_eq!(s["forms_mailed"]["count"], 1);
    assert_eq!(s["paid_by_application"]["count"], 0, "a form mailed is not yet paid");
    assert_eq!(s["postage_saved"], 72);
    assert_eq!(s["automatic_rate"], 50.0);
    let csv = app
        .client
        .get(app.url("/v1/statistics/benefits?fiscal_year=2025"))
        .bearer_auth(app.token("statistics:read"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let at = |k: &str| row[header.iter().position(|h| *h == k).unwrap()];
    assert_eq!(at("paid_automatically_amount"), "212570");
    assert_eq!(at("automatic_rate"), "50.00");
}

#[actix_web::test]
async fn offsets_need_consent_and_are_their_own_record() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "P7", "231").await;
    let (hid2, mid2) = household(&app, "P8", "232").await;
    app.import(&[
        inpatient("R-1", &mid, 1_000_000, 300_000),
        inpatient("R-2", &mid2, 1_000_000, 300_000),
    ])
    .await;
    decided(&app, &hid).await;
    decided(&app, &hid2).await;
    register(&app, &hid, &mid, true).await;
    register(&app, &hid2, &mid2, false).await;
    for h in [&hid, &hid2] {
        expect_status(
            app.send(
                Method::PUT,
                &format!("/v1/households/{h}/tax-arrears"),
                &app.admin(),
                Some(&json!({"amount": 30_000, "as_of": "2025-11-30"})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let r = run(&app).await;
    // With consent: 30,000 to the tax, the rest to the bank. Without: paused, so a form.
    assert_eq!(r["payment_count"], 1);
    assert_eq!(r["offset_total"], 30_000);
    assert_eq!(r["application_form_count"], 1);
    assert_eq!(r["application_forms"].as_array().unwrap().len(), 1);
    let p = &run_payments(&app, r["id"].as_str().unwrap()).await[0];
    assert_eq!(
        (
            p["gross_amount"].as_i64(),
            p["offset_amount"].as_i64(),
            p["net_amount"].as_i64()
        ),
        (Some(212_570), Some(30_000), Some(182_570))
    );
    let notice = expect_status(
        app.get(
            &format!("/v1/payments/{}/notice", p["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notice["offset"]["amount"], 30_000);
    assert_eq!(notice["offset"]["arrears_before"], 30_000);
    assert_eq!(notice["net_amount"], 182_570);
    // The arrears are what is left after the offset.
    let h = expect_status(
        app.get(&format!("/v1/households/{hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(h["tax_arrears"]["amount"], 0);
    let forms = expect_status(
        app.get(
            &format!("/v1/payment-runs/{}/application-forms", r["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(forms["items"][0]["reason"], "registration_paused");
    let run_id = r["id"].as_str().unwrap();
    let bytes = app
        .get(&format!("/v1/payment-runs/{run_id}/transfer-file"), &app.admin())
        .await
        .bytes()
        .await
        .unwrap();
    check_transfer_file(&bytes, 1, 182_570);
}

#[actix_web::test]
async fn a_failed_transfer_pauses_the_registration_until_the_account_changes() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "P9", "241").await;
    app.import(&[inpatient("R-1", &mid, 1_000_000, 300_000)]).await;
    let d = decided(&app, &hid).await;
    let reg = register(&app, &hid, &mid, false).await;
    let reg_id = reg["id"].as_str().unwrap();
    let r = run(&app).await;
    let run_id = r["id"].as_str().unwrap();
    let p = run_payments(&app, run_id).await[0].clone();

    expect_problem(
        app.post(
            &format!("/v1/payment-runs/{run_id}/results"),
            &app.admin(),
            &json!({"failures": [{"payment_id": "nope", "reason": "account_closed"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let out = expect_status(
        app.post(
            &format!("/v1/payment-runs/{run_id}/results"),
            &app.admin(),
            &json!({"failures": [{"payment_id": p["id"], "reason": "account_closed"}]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(out["failed"], 1);
    assert_eq!(out["paused_registrations"], json!([reg_id]));
    let p2 = expect_status(
        app.get(&format!("/v1/payments/{}", p["id"].as_str().unwrap()), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p2["status"], "failed");
    assert_eq!(p2["failure_reason"], "account_closed");
    let reg = expect_status(
        app.get(&format!("/v1/payment-registrations/{reg_id}"), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(reg["status"], "paused");
    assert_eq!(reg["pause_reasons"], json!(["transfer_failed"]));
    let det = expect_status(
        app.get(
            &format!("/v1/benefit-calculations/{}", d["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(det["status"], "decided", "waits for a later run");

    // A new account resumes it; the next run pays the determination again, to the new account.
    let res = app
        .client
        .patch(app.url(&format!("/v1/payment-registrations/{reg_id}")))
        .bearer_auth(app.admin())
        .header("if-match", format!("\"{}\"", reg["version"]))
        .json(&json!({"bank_account": {"bank_code": "0005", "branch_code": "001", "account_type": "ordinary", "account_number": "7654321", "holder_kana": "ﾔﾏﾀﾞ ﾀﾛｳ"}}))
        .send()
        .await
        .unwrap();
    let reg = expect_status(res, StatusCode::OK).await;
    assert_eq!(reg["status"], "active");
    let r2 = run(&app).await;
    assert_eq!(r2["payment_count"], 1);
    let p3 = &run_payments(&app, r2["id"].as_str().unwrap()).await[0];
    assert_eq!(p3["account"]["bank_code"], "0005");
    assert_eq!(p3["determination_id"], d["id"]);
}

#[actix_web::test]
async fn concurrent_runs_pay_each_determination_once() {
    let app = TestApp::spawn().await;
    let mut n = 0;
    for i in 0..6 {
        let (hid, mid) = household(&app, &format!("C{i}"), &format!("30{i}")).await;
        app.import(&[inpatient(&format!("R-{i}"), &mid, 1_000_000, 300_000)])
            .await;
        decided(&app, &hid).await;
        register(&app, &hid, &mid, false).await;
        n += 1;
    }
    let body = json!({"service_month": MONTH, "transfer_date": "2025-12-15"});
    let token = app.admin();
    let (a, b) = futures_util::future::join(
        app.post("/v1/payment-runs", &token, &body),
        app.post("/v1/payment-runs", &token, &body),
    )
    .await;
    // Either the second start met the first still running (409), or it came after it and found
    // nothing left to pay.
    let mut runs = Vec::new();
    for res in [a, b] {
        if res.status() == StatusCode::CONFLICT {
            expect_problem(res, StatusCode::CONFLICT, "run_in_progress").await;
        } else {
            runs.push(expect_status(res, StatusCode::CREATED).await);
        }
    }
    assert!(!runs.is_empty());
    assert_eq!(
        runs.iter().map(|r| r["payment_count"].as_i64().unwrap()).sum::<i64>(),
        n
    );
    let mut dets: Vec<String> = Vec::new();
    for r in &runs {
        for p in run_payments(&app, r["id"].as_str().unwrap()).await {
            dets.push(p["determination_id"].as_str().unwrap().to_string());
        }
    }
    let total = dets.len();
    dets.sort();
    dets.dedup();
    assert_eq!((dets.len(), total), (6, 6), "each determination paid exactly once");
}

#[actix_web::test]
async fn a_correction_after_payment_pays_the_difference_or_assesses_a_refund() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "PA", "251").await;
    app.import(&[inpatient("R-1", &mid, 1_000_000, 300_000)]).await;
    decided(&app, &hid).await;
    register(&app, &hid, &mid, false).await;
    assert_eq!(run(&app).await["total_amount"], 212_570);

    // A corrected claim raises the copayment: the paid determination is superseded, and the run
    // pays only the difference.
    let report = app.import(&[inpatient("R-1", &mid, 1_000_000, 320_000)]).await;
    assert_eq!(report["updated"], 1);
    let current = expect_status(
        app.get(
            &format!("/v1/benefit-calculations?household_id={hid}&status=calculated"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let d2 = &current["items"][0];
    assert_eq!(d2["total_benefit"], 232_570);
    assert_eq!(d2["difference"], 20_000);
    expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{}/decide", d2["id"].as_str().unwrap()),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = run(&app).await;
    assert_eq!(
        (r["payment_count"].as_i64(), r["total_amount"].as_i64()),
        (Some(1), Some(20_000))
    );
    let p = &run_payments(&app, r["id"].as_str().unwrap()).await[0];
    assert_eq!(p["kind"], "supplementary");

    // A correction that lowers it: a refund receivable of the difference, no payment.
    app.import(&[inpatient("R-1", &mid, 1_000_000, 250_000)]).await;
    let current = expect_status(
        app.get(
            &format!("/v1/benefit-calculations?household_id={hid}&status=calculated"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let d3 = &current["items"][0];
    assert_eq!(d3["total_benefit"], 162_570);
    expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{}/decide", d3["id"].as_str().unwrap()),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = run(&app).await;
    assert_eq!(r["payment_count"], 0);
    assert_eq!(r["refunds"], 1);
    let s = expect_status(
        app.get("/v1/statistics/benefits?fiscal_year=2025", &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["refunds"], json!({"count": 1, "amount": 70_000}));
    // Again: nothing more.
    let r = run(&app).await;
    assert_eq!((r["payment_count"].as_i64(), r["refunds"].as_i64()), (Some(0), Some(0)));
}

#[actix_web::test]
async fn payment_runs_refuse_bad_input_and_other_tenants() {
    let app = TestApp::spawn().await;
    expect_problem(
        app.post(
            "/v1/payment-runs",
            &app.admin(),
            &json!({"service_month": "2025-13", "transfer_date": "2025-12-15"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let p = expect_problem(
        app.post(
            "/v1/payment-runs",
            &app.admin(),
            &json!({"service_month": MONTH, "transfer_date": "2025-12-13"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "transfer_date");
    let r = run(&app).await;
    let other = app.token_for(OTHER_INSURER, "admin");
    expect_problem(
        app.get(&format!("/v1/payment-runs/{}", r["id"].as_str().unwrap()), &other)
            .await,
        StatusCode::NOT_FOUND,
        "payment_run_not_found",
    )
    .await;
    expect_problem(
        app.post(
            "/v1/payment-runs",
            &app.token("payments:read"),
            &json!({"service_month": MONTH, "transfer_date": "2025-12-15"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    expect_problem(
        app.get("/v1/statistics/benefits?fiscal_year=1800", &app.admin()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[actix_web::test]
async fn a_payment_run_left_running_is_taken_up_again_at_start() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        let (hid, mid) = household(&app, &format!("RS{i}"), &format!("36{i}")).await;
        app.import(&[inpatient(&format!("RS-{i}"), &mid, 1_000_000, 300_000)])
            .await;
        decided(&app, &hid).await;
        register(&app, &hid, &mid, false).await;
    }
    // A run that a stopped process left behind before its first page.
    let actor = hokensha::store::Actor {
        insurer: INSURER.into(),
        sub: "test".into(),
        request_id: "r".into(),
    };
    let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap();
    let left = hokensha::store::payments::create_run(&app.db, &actor, MONTH, day, 3)
        .await
        .unwrap();
    let clock = hokensha::clock::Clock::system();
    assert_eq!(
        hokensha::service::payments::resume_runs(&app.db, &clock).await.unwrap(),
        1
    );
    let mut done = Value::Null;
    for _ in 0..100 {
        done = expect_status(
            app.get(&format!("/v1/payment-runs/{}", left.id), &app.admin()).await,
            StatusCode::OK,
        )
        .await;
        if done["status"] != "running" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["status"], "completed");
    assert_eq!(done["payment_count"], 3);
    assert_eq!(done["progress"], json!({"done": 3, "total": 3}));
    assert_eq!(
        hokensha::service::payments::resume_runs(&app.db, &clock).await.unwrap(),
        0,
        "a completed run is not taken up again"
    );
}

#[actix_web::test]
async fn payments_and_benefit_runs_are_listed_by_household_month_and_status() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let mut households = Vec::new();
    for i in 0..2 {
        let (hid, mid) = household(&app, &format!("L{i}"), &format!("37{i}")).await;
        app.import(&[inpatient(&format!("L-{i}"), &mid, 1_000_000, 300_000)])
            .await;
        decided(&app, &hid).await;
        register(&app, &hid, &mid, false).await;
        households.push(hid);
    }
    run(&app).await;
    let all = expect_status(app.get("/v1/payments", &admin).await, StatusCode::OK).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let one = expect_status(
        app.get(&format!("/v1/payments?household_id={}", households[0]), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0]["household_id"], households[0].as_str());
    assert_eq!(app.count(&format!("/v1/payments?service_month={MONTH}")).await, 2);
    assert_eq!(app.count("/v1/payments?service_month=2025-01").await, 0);
    expect_problem(
        app.get("/v1/payments?service_month=2025-13", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // A benefit run is found by month and status, e.g. when its start answer was lost.
    let started = expect_status(
        app.post("/v1/benefit-runs", &admin, &json!({"service_month": MONTH}))
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let id = started["id"].as_str().unwrap();
    for _ in 0..100 {
        let r = expect_status(app.get(&format!("/v1/benefit-runs/{id}"), &admin).await, StatusCode::OK).await;
        if r["status"] != "running" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let listed = expect_status(
        app.get(
            &format!("/v1/benefit-runs?service_month={MONTH}&status=completed"),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], id);
    assert_eq!(app.count("/v1/benefit-runs?status=running").await, 0);
    assert_eq!(app.count("/v1/benefit-runs?service_month=2025-01").await, 0);
}

#[actix_web::test]
async fn a_second_run_of_a_month_while_one_runs_is_409_and_runs_are_listed() {
    let app = TestApp::spawn().await;
    let (hid, mid) = household(&app, "L1", "401").await;
    app.import(&[inpatient("R-L1", &mid, 1_000_000, 300_000)]).await;
    decided(&app, &hid).await;
    register(&app, &hid, &mid, false).await;
    // A run of the month that another request has started and not yet finished.
    let actor = hokensha::store::Actor {
        insurer: INSURER.into(),
        sub: "test".into(),
        request_id: "r".into(),
    };
    let transfer = chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap();
    let running = hokensha::store::payments::create_run(&app.db, &actor, MONTH, transfer, 1)
        .await
        .unwrap();
    let body = json!({"service_month": MONTH, "transfer_date": "2025-12-15"});
    let token = app.admin();
    expect_problem(
        app.post("/v1/payment-runs", &token, &body).await,
        StatusCode::CONFLICT,
        "run_in_progress",
    )
    .await;
    // Another month is not held up.
    let other = json!({"service_month": "2025-10", "transfer_date": "2025-12-15"});
    let done = expect_status(app.post("/v1/payment-runs", &token, &other).await, StatusCode::CREATED).await;
    assert_eq!(done["status"], "completed");

    let list = |q: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let v: Value = expect_status(app.get(&format!("/v1/payment-runs{q}"), &token).await, StatusCode::OK).await;
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let mut both = vec![running.id.clone(), done["id"].as_str().unwrap().to_string()];
    both.sort();
    assert_eq!(list("").await, both);
    assert_eq!(list("?status=running").await, vec![running.id.clone()]);
    assert_eq!(
        list("?service_month=2025-10").await,
        vec![done["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(list("?updated_since=2999-01-01T00:00:00Z").await, Vec::<String>::new());
    assert!(list("?limit=1").await.len() == 1);
    // Lists show no forms; the summary counts them.
    let v: Value = expect_status(app.get("/v1/payment-runs", &token).await, StatusCode::OK).await;
    assert!(v["items"][0].get("application_forms").is_none());
    assert!(v["items"][0]["application_form_count"].is_number());
    // Another insurer sees none of them.
    let other_token = app.token_for(OTHER_INSURER, "payments:read");
    let v: Value = expect_status(app.get("/v1/payment-runs", &other_token).await, StatusCode::OK).await;
    assert_eq!(v["items"], json!([]));
    expect_problem(
        app.get("/v1/payment-runs?service_month=2025-13", &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
