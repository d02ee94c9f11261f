//! Seed 004's form path: the scheme settings, applications (支給申請) and their review, their
//! payment by the next run (once), the registration an approval makes, and lapse (時効, R15).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const MONTH: &str = "2025-09";

/// A household (区分ウ) with its head and a decided benefit of `MONTH` (inpatient 1,000,000 with
/// 300,000 borne: 212,570 due); gives (household id, head id, determination id).
async fn decided_household(app: &TestApp, number: &str, insured: &str) -> (String, String, String) {
    let h = app.household(number).await;
    let hid = h["id"].as_str().unwrap().to_string();
    let head = app.member(&hid, insured, "head").await;
    let mid = head["id"].as_str().unwrap().to_string();
    expect_status(
        app.post(
            "/v1/claims",
            &app.admin(),
            &json!({"claim_number": format!("C{number}"), "member_id": mid, "service_month": MONTH,
                    "provider": {"code": "1312345678", "name": "千代田病院"}, "kind": "medical",
                    "setting": "inpatient", "total_cost": 1_000_000, "copayment": 300_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let d = expect_status(
        app.post(
            "/v1/benefit-calculations",
            &app.admin(),
            &json!({"household_id": hid, "service_month": MONTH}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let did = d["id"].as_str().unwrap().to_string();
    expect_status(
        app.post(
            &format!("/v1/benefit-calculations/{did}/decide"),
            &app.admin(),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    (hid, mid, did)
}

fn application(hid: &str, mid: &str, dets: &[&str], received_on: &str) -> Value {
    json!({
        "household_id": hid, "determination_ids": dets, "applicant_member_id": mid,
        "received_on": received_on, "channel": "mail",
        "bank_account": {"bank_code": "0005", "branch_code": "201", "account_type": "ordinary",
                         "account_number": "7654321", "holder_kana": "ヤマダ　タロウ"},
        "offset_requested": false
    })
}

/// Registers the household for automatic payment, applied for on `applied_on`.
async fn register(app: &TestApp, hid: &str, mid: &str, applied_on: &str) -> Value {
    expect_status(
        app.post(
            "/v1/payment-registrations",
            &app.admin(),
            &json!({"household_id": hid, "applicant_member_id": mid, "applied_on": applied_on,
                    "bank_account": {"bank_code": "0001", "branch_code": "123", "account_type": "ordinary",
                                     "account_number": "1234567", "holder_kana": "ヤマダ タロウ"},
                    "offset_consent": false}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

async fn pay_run(app: &TestApp) -> Value {
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

async fn payments_of(app: &TestApp, hid: &str) -> Vec<Value> {
    let v = expect_status(
        app.get(&format!("/v1/payments?household_id={hid}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    v["items"].as_array().unwrap().clone()
}

async fn move_to(app: &TestApp, id: &str, body: Value) -> reqwest::Response {
    app.post(
        &format!("/v1/benefit-applications/{id}/transitions"),
        &app.admin(),
        &body,
    )
    .await
}

async fn moved(app: &TestApp, id: &str, to: &str) -> Value {
    expect_status(
        move_to(app, id, json!({"to": to, "on": "2025-12-03"})).await,
        StatusCode::OK,
    )
    .await
}

async fn event_types(app: &TestApp) -> Vec<String> {
    let v = expect_status(
        app.get("/v1/events?limit=500", &app.token("events:read")).await,
        StatusCode::OK,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn scheme_settings_default_then_stored_with_their_version_and_a_checked_remitter() {
    let app = TestApp::spawn().await;
    let s = expect_status(
        app.get("/v1/settings/benefit-scheme", &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["automatic_payment"], "all");
    assert_eq!(s["exclude_tax_arrears"], true);
    assert_eq!(s["version"], 0);
    assert_eq!(
        s["remitter"]["remitter_code"], "1320010001",
        "the start-up remitter: {s}"
    );

    let mut body = json!({"automatic_payment": "age70to74", "exclude_tax_arrears": false,
                          "remitter": remitter()});
    body["remitter"]["remitter_code"] = json!("ABC");
    body["remitter"]["bank_code"] = json!("1");
    let p = expect_problem(
        app.send(Method::PUT, "/v1/settings/benefit-scheme", &app.admin(), Some(&body))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields = error_fields(&p);
    assert!(
        fields.contains(&"remitter.remitter_code") && fields.contains(&"remitter.bank_code"),
        "{p}"
    );

    body["remitter"] = json!(remitter());
    body["remitter"]["remitter_name_kana"] = json!("ｶﾜｺﾞｴｼ");
    let s = expect_status(
        app.send(Method::PUT, "/v1/settings/benefit-scheme", &app.admin(), Some(&body))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (s["automatic_payment"].as_str(), s["version"].as_i64()),
        (Some("age70to74"), Some(1))
    );
    assert_eq!(s["remitter"]["remitter_name_kana"], "ｶﾜｺﾞｴｼ");
    // A stale version is refused; the stored one stays.
    let res = app
        .client
        .put(app.url("/v1/settings/benefit-scheme"))
        .bearer_auth(app.admin())
        .header("If-Match", "\"0\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let unknown = json!({"automatic_payment": "some", "exclude_tax_arrears": true});
    expect_problem(
        app.send(Method::PUT, "/v1/settings/benefit-scheme", &app.admin(), Some(&unknown))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // Administrators only; another insurer has its own (default) settings.
    expect_problem(
        app.get("/v1/settings/benefit-scheme", &app.token("payments:write"))
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let other = expect_status(
        app.get("/v1/settings/benefit-scheme", &app.token_for(OTHER_INSURER, "admin"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (other["automatic_payment"].as_str(), other["version"].as_i64()),
        (Some("all"), Some(0))
    );
    // The change is in the audit trail.
    let audit = expect_status(app.get("/v1/audit?limit=500", &app.admin()).await, StatusCode::OK).await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "benefit_scheme.put"),
        "{audit}"
    );
}

/// A household mailed a form applies; the review returns it once, approves it the second time;
/// approval registers the household; the next run pays the application once, to its account.
#[actix_web::test]
async fn an_approved_application_is_paid_once_by_the_next_run_and_registers_the_household() {
    let app = TestApp::spawn_on("2025-12-02").await;
    let (hid, mid, did) = decided_household(&app, "A1", "301").await;
    let run = pay_run(&app).await;
    assert_eq!(run["application_form_count"], 1, "{run}");
    assert!(
        payments_of(&app, &hid).await.is_empty(),
        "a form month is not paid automatically"
    );

    // Checked before it is stored.
    let mut bad = application(&hid, &mid, &[&did, &did], "2025-12-01");
    bad["channel"] = json!("fax");
    expect_problem(
        app.post("/v1/benefit-applications", &app.admin(), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    bad["channel"] = json!("mail");
    let p = expect_problem(
        app.post("/v1/benefit-applications", &app.admin(), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&p), ["determination_ids[1]"]);

    let a = expect_status(
        app.post(
            "/v1/benefit-applications",
            &app.admin(),
            &application(&hid, &mid, &[&did], "2025-12-01"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["status"], "received");
    assert_eq!(
        a["register_for_automatic_payment"], true,
        "the default scheme covers everyone"
    );
    assert_eq!(a["determinations"][0]["service_month"], MONTH);
    assert_eq!(a["bank_account"]["holder_kana"], "ﾔﾏﾀﾞ ﾀﾛｳ");
    // One live application per determination.
    expect_problem(
        app.post(
            "/v1/benefit-applications",
            &app.admin(),
            &application(&hid, &mid, &[&did], "2025-12-02"),
        )
        .await,
        StatusCode::CONFLICT,
        "determination_already_applied",
    )
    .await;

    // Review: no approval before both checks; a return needs its reasons.
    expect_problem(
        move_to(&app, &id, json!({"to": "approved", "on": "2025-12-03"})).await,
        StatusCode::CONFLICT,
        "transition_not_allowed",
    )
    .await;
    moved(&app, &id, "first_check").await;
    expect_problem(
        move_to(&app, &id, json!({"to": "returned", "on": "2025-12-03"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let r = expect_status(
        move_to(
            &app,
            &id,
            json!({"to": "returned", "on": "2025-12-03", "reasons": ["receipt_missing"], "note": "領収書の写しなし"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["status"], "returned");
    assert_eq!(r["return_reasons"], json!(["receipt_missing"]));
    // A run meanwhile pays nothing: the application answers the month.
    pay_run(&app).await;
    assert!(payments_of(&app, &hid).await.is_empty());

    for to in ["resubmitted", "first_check", "second_check", "approved"] {
        moved(&app, &id, to).await;
    }
    let a = expect_status(
        app.get(&format!("/v1/benefit-applications/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a["status"], "approved");
    let path: Vec<&str> = a["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        [
            "received",
            "first_check",
            "returned",
            "received",
            "first_check",
            "second_check",
            "approved"
        ]
    );
    let reg_id = a["registration_id"]
        .as_str()
        .expect("approval registered the household");
    let reg = expect_status(
        app.get(&format!("/v1/payment-registrations/{reg_id}"), &app.admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (reg["status"].as_str(), reg["applied_on"].as_str()),
        (Some("active"), Some("2025-12-01"))
    );

    // The next run pays it to the application's account, once.
    let run = pay_run(&app).await;
    assert_eq!(run["payment_count"], 1, "{run}");
    let paid = payments_of(&app, &hid).await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["application_id"], json!(id));
    assert_eq!(paid[0]["registration_id"], Value::Null);
    assert_eq!(paid[0]["gross_amount"], 212_570);
    assert_eq!(paid[0]["account"]["bank_code"], "0005");
    let a = expect_status(
        app.get(&format!("/v1/benefit-applications/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (a["status"].as_str(), a["paid_run_id"].as_str()),
        (Some("paid"), run["id"].as_str())
    );
    let d = expect_status(
        app.get(&format!("/v1/benefit-calculations/{did}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["status"], "paid");
    pay_run(&app).await;
    assert_eq!(payments_of(&app, &hid).await.len(), 1, "never twice");
    expect_problem(
        move_to(&app, &id, json!({"to": "withdrawn", "on": "2025-12-20"})).await,
        StatusCode::CONFLICT,
        "transition_not_allowed",
    )
    .await;

    let s = expect_status(
        app.get(
            "/v1/statistics/benefits?fiscal_year=2025",
            &app.token("statistics:read"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["paid_by_application"], json!({"count": 1, "amount": 212_570}));
    assert_eq!(s["forms_mailed"]["count"], 1);
    assert_eq!(s["paid_automatically"]["count"], 0);
    // Seed 004's table: the form sent in December, the application paid in December, one return.
    let f = expect_status(
        app.get(
            "/v1/statistics/applications?fiscal_year=2025",
            &app.token("statistics:read"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(f["forms_sent"]["total"], json!({"count": 1, "amount": 212_570}));
    assert_eq!(f["forms_sent"]["under70"]["count_share"], 100.0);
    assert_eq!(f["applications_paid"]["total"], json!({"count": 1, "amount": 212_570}));
    assert_eq!(
        f["applications_paid"]["monthly_average"],
        json!({"count": 0, "amount": 19_325})
    );
    assert_eq!(f["applications_paid"]["age70to74"]["count"], 0);
    assert_eq!(f["count_response_rate"], 100.0);
    assert_eq!(
        (f["returned_for_defect"].as_i64(), f["returned_rate"].as_f64()),
        (Some(1), Some(100.0))
    );
    assert_eq!(f["applications_paid"]["from"], "2025-05-01");
    assert_eq!(f["forms_sent"]["to"], "2026-02-28");

    let types = event_types(&app).await;
    let wanted = [
        "application.received",
        "application.returned",
        // Approval registers the household in its own transaction, then moves.
        "registration.activated",
        "application.approved",
        "payment.made",
        "application.paid",
    ];
    let mut at = 0;
    for w in wanted {
        let i = types[at..]
            .iter()
            .position(|t| t == w)
            .unwrap_or_else(|| panic!("{w} missing after {:?} in {types:?}", &types[..at]));
        at += i + 1;
    }
    let list = expect_status(
        app.get(
            &format!("/v1/benefit-applications?household_id={hid}&status=paid"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let other = app.token_for(OTHER_INSURER, "admin");
    expect_problem(
        app.get(&format!("/v1/benefit-applications/{id}"), &other).await,
        StatusCode::NOT_FOUND,
        "application_not_found",
    )
    .await;
}

/// Under seed 004's proposal a household without a 70-74 member is not registered by its
/// approval, and a registered household's month whose benefit is not all 70-74 goes by form.
#[actix_web::test]
async fn the_proposal_keeps_under_70_households_on_the_form_path() {
    let app = TestApp::spawn().await;
    expect_status(
        app.send(
            Method::PUT,
            "/v1/settings/benefit-scheme",
            &app.admin(),
            Some(&json!({"automatic_payment": "age70to74", "exclude_tax_arrears": true})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (hid, mid, did) = decided_household(&app, "A2", "311").await;
    let a = expect_status(
        app.post(
            "/v1/benefit-applications",
            &app.admin(),
            &application(&hid, &mid, &[&did], "2025-12-01"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["register_for_automatic_payment"], false, "the head is 40");
    let id = a["id"].as_str().unwrap();
    expect_status(
        app.post("/v1/benefit-applications", &app.admin(), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for to in ["first_check", "second_check", "approved"] {
        moved(&app, id, to).await;
    }
    let a = expect_status(
        app.get(&format!("/v1/benefit-applications/{id}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a["registration_id"], Value::Null);
    pay_run(&app).await;
    assert_eq!(
        payments_of(&app, &hid).await.len(),
        1,
        "paid on the application all the same"
    );

    // A registered under-70 household gets a form: the scheme pays 70-74 months only.
    let (hid2, mid2, _) = decided_household(&app, "A3", "321").await;
    register(&app, &hid2, &mid2, "2025-10-01").await;
    let run = pay_run(&app).await;
    assert!(payments_of(&app, &hid2).await.is_empty());
    let forms = expect_status(
        app.get(
            &format!("/v1/payment-runs/{}", run["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let reasons: Vec<&str> = forms["application_forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["household_id"] == json!(hid2))
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["not_covered_by_scheme"]);
}

/// R15: 2025-09's right lapses after 2027-09-30. A run after that lapses a month nobody claimed
/// (never paid), and an application received after it is refused.
#[actix_web::test]
async fn a_right_unclaimed_past_its_limitation_lapses_and_is_never_paid() {
    let app = TestApp::spawn_on("2027-10-05").await;
    let (hid, mid, did) = decided_household(&app, "L1", "401").await;
    let d = expect_status(
        app.get(&format!("/v1/benefit-calculations/{did}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["lapses_on"], "2027-09-30");
    let p = expect_problem(
        app.post(
            "/v1/benefit-applications",
            &app.admin(),
            &application(&hid, &mid, &[&did], "2027-10-01"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("R15"), "{p}");

    // A household registered before the end has its standing claim and is paid.
    let (hid2, mid2, did2) = decided_household(&app, "L2", "402").await;
    register(&app, &hid2, &mid2, "2027-09-30").await;
    let run = pay_run(&app).await;
    assert_eq!(
        (run["payment_count"].as_i64(), run["application_form_count"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(payments_of(&app, &hid).await.is_empty());
    let d = expect_status(
        app.get(&format!("/v1/benefit-calculations/{did}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (d["status"].as_str(), d["lapse_reason"].as_str()),
        (Some("lapsed"), Some("not_claimed"))
    );
    let d2 = expect_status(
        app.get(&format!("/v1/benefit-calculations/{did2}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d2["status"], "paid");
    let lapsed = expect_status(
        app.get(
            &format!("/v1/benefit-calculations?status=lapsed&service_month={MONTH}"),
            &app.admin(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(lapsed["items"].as_array().unwrap().len(), 1, "listed for review");
    assert!(event_types(&app).await.iter().any(|t| t == "benefit.lapsed"));
    // Lapsed is final: a later run does not pay it.
    pay_run(&app).await;
    assert!(payments_of(&app, &hid).await.is_empty());
}

/// The run of any month reminds an unanswered form of another month once, in the last three
/// months before its right lapses (2025-09: from 2027-07-01 to 2027-09-30).
#[actix_web::test]
async fn a_run_of_another_month_reminds_an_unanswered_form_once() {
    let app = TestApp::spawn_on("2027-07-05").await;
    let (_hid, _mid, did) = decided_household(&app, "R1", "501").await;
    let first = pay_run(&app).await;
    let forms = first["application_forms"].as_array().unwrap();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0]["reminder"], false);
    let other = |month: &str| {
        let app = &app;
        let month = month.to_string();
        async move {
            expect_status(
                app.post(
                    "/v1/payment-runs",
                    &app.admin(),
                    &json!({"service_month": month, "transfer_date": "2027-07-15"}),
                )
                .await,
                StatusCode::CREATED,
            )
            .await
        }
    };
    let june = other("2027-06").await;
    let reminders: Vec<&Value> = june["application_forms"].as_array().unwrap().iter().collect();
    assert_eq!(reminders.len(), 1, "{june}");
    assert_eq!(reminders[0]["determination_id"], json!(did));
    assert_eq!(reminders[0]["reminder"], true);
    assert_eq!(reminders[0]["service_month"], MONTH);
    let may = other("2027-05").await;
    assert_eq!(may["application_form_count"], 0, "reminded once only");
    let d = expect_status(
        app.get(&format!("/v1/benefit-calculations/{did}"), &app.admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["status"], "decided", "still open until 2027-09-30");
}
