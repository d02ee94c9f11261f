//! The household and member life through HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

#[actix_web::test]
async fn household_life_create_read_page_patch() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let res = app.post("/v1/households", &admin, &household_body("H-001")).await;
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let h = expect_status(res, StatusCode::CREATED).await;
    let id = h["id"].as_str().unwrap();
    assert_eq!(h["address"]["postal_code"], "100-0001");
    assert_eq!(h["version"], 1);
    assert_eq!(h["members"], json!([]));

    let got = expect_status(app.get(&format!("/v1/households/{id}"), &admin).await, StatusCode::OK).await;
    assert_eq!(got, h);

    for n in ["H-002", "H-003"] {
        app.household(n).await;
    }
    let p1 = expect_status(app.get("/v1/households?limit=2", &admin).await, StatusCode::OK).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2 = expect_status(
        app.get(&format!("/v1/households?limit=2&cursor={cursor}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert!(p2["next_cursor"].is_null());
    assert_eq!(p2["items"][0]["household_number"], "H-003");
    let by_number = expect_status(
        app.get("/v1/households?household_number=H-002", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_number["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_number["items"][0]["household_number"], "H-002");

    // PATCH with the current version, then with the stale one.
    let path = format!("/v1/households/{id}");
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"head_name": "山田 一郎", "phone": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let patched = expect_status(res, StatusCode::OK).await;
    assert_eq!(patched["head_name"], "山田 一郎");
    assert!(patched["phone"].is_null());
    assert_eq!(patched["household_number"], "H-001");
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"head_name": "山田 次郎"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, StatusCode::PRECONDITION_FAILED, "version_mismatch").await;
    let unchanged = expect_status(app.get(&path, &admin).await, StatusCode::OK).await;
    assert_eq!(unchanged["head_name"], "山田 一郎");
    assert_eq!(unchanged["version"], 2);

    // Tax arrears show on the household.
    let t = app
        .send(
            Method::PUT,
            &format!("{path}/tax-arrears"),
            &admin,
            Some(&json!({"amount": 45600, "as_of": "2025-10-01"})),
        )
        .await;
    let t = expect_status(t, StatusCode::OK).await;
    assert_eq!(t["amount"], 45600);
    let with_tax = expect_status(app.get(&path, &admin).await, StatusCode::OK).await;
    assert_eq!(with_tax["tax_arrears"]["amount"], 45600);
    let t = app
        .send(
            Method::PUT,
            &format!("{path}/tax-arrears"),
            &admin,
            Some(&json!({"amount": 0, "as_of": "2025-11-01"})),
        )
        .await;
    expect_status(t, StatusCode::OK).await;
    let cleared = expect_status(app.get(&path, &admin).await, StatusCode::OK).await;
    assert_eq!(cleared["tax_arrears"]["amount"], 0);
    assert_eq!(cleared["tax_arrears"]["as_of"], "2025-11-01");
}

#[actix_web::test]
async fn idempotent_replay_and_key_reuse() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let send = |key: &'static str, number: &'static str| {
        app.client
            .post(app.url("/v1/households"))
            .bearer_auth(&admin)
            .header("idempotency-key", key)
            .json(&household_body(number))
            .send()
    };
    let first = send("key-1", "H-100").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers().get("location").unwrap().to_str().unwrap().to_owned();
    let first = first.text().await.unwrap();
    let id = serde_json::from_str::<Value>(&first).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(location, format!("/v1/households/{id}"));
    let read = expect_status(app.get(&location, &admin).await, StatusCode::OK).await;
    assert_eq!(read["household_number"], "H-100");
    let again = send("key-1", "H-100").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.headers().get("location").unwrap().to_str().unwrap(), location);
    assert_eq!(again.text().await.unwrap(), first);
    expect_problem(
        send("key-1", "H-101").await.unwrap(),
        StatusCode::CONFLICT,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(app.count("/v1/households").await, 1);
    // Without a key the duplicate number is a conflict, not a second household.
    expect_problem(
        app.post("/v1/households", &admin, &household_body("H-100")).await,
        StatusCode::CONFLICT,
        "household_number_taken",
    )
    .await;
    // A failed request does not burn its key.
    let bad = app
        .client
        .post(app.url("/v1/households"))
        .bearer_auth(&admin)
        .header("idempotency-key", "key-2")
        .json(&household_body("H-100"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::CONFLICT);
    let retry = send("key-2", "H-102").await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(app.count("/v1/households").await, 2);
}

#[actix_web::test]
async fn members_join_households_and_keep_their_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let h = app.household("H-200").await;
    let hid = h["id"].as_str().unwrap();
    let head = app.member(hid, "1001", "head").await;
    assert_eq!(head["name_kana"], "ヤマダ\u{3000}ハナコ");
    assert_eq!(head["household_id"], hid);
    let child = app.member(hid, "1002", "child").await;

    // One head per household; one insured number per insurer.
    let second_head = app
        .post(
            &format!("/v1/households/{hid}/members"),
            &admin,
            &member_body("1003", "head"),
        )
        .await;
    expect_problem(second_head, StatusCode::CONFLICT, "household_has_head").await;
    let dup = app
        .post(
            &format!("/v1/households/{hid}/members"),
            &admin,
            &member_body("1001", "child"),
        )
        .await;
    expect_problem(dup, StatusCode::CONFLICT, "insured_number_taken").await;

    let household = expect_status(app.get(&format!("/v1/households/{hid}"), &admin).await, StatusCode::OK).await;
    assert_eq!(household["members"].as_array().unwrap().len(), 2);

    // Loss of eligibility: not before acquisition.
    let cid = child["id"].as_str().unwrap();
    let bad = app
        .patch(&format!("/v1/members/{cid}"), &admin, &json!({"lost_on": "2020-03-31"}))
        .await;
    let p = expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "lost_on");
    let ok = app
        .patch(
            &format!("/v1/members/{cid}"),
            &admin,
            &json!({"lost_on": "2025-06-15", "loss_reason": "other_insurance"}),
        )
        .await;
    let m = expect_status(ok, StatusCode::OK).await;
    assert_eq!(m["lost_on"], "2025-06-15");
    assert_eq!(m["version"], 2);
    let cleared = app
        .patch(
            &format!("/v1/members/{cid}"),
            &admin,
            &json!({"lost_on": null, "loss_reason": null}),
        )
        .await;
    let m = expect_status(cleared, StatusCode::OK).await;
    assert!(m["lost_on"].is_null());
    // Making the child the head while a head exists is a conflict.
    let res = app
        .patch(&format!("/v1/members/{cid}"), &admin, &json!({"relationship": "head"}))
        .await;
    expect_problem(res, StatusCode::CONFLICT, "household_has_head").await;
    // Members of unknown households are 404.
    let res = app
        .post(
            "/v1/households/00000000-0000-7000-8000-000000000000/members",
            &admin,
            &member_body("1009", "child"),
        )
        .await;
    expect_problem(res, StatusCode::NOT_FOUND, "household_not_found").await;
    let got = expect_status(app.get(&format!("/v1/members/{cid}"), &admin).await, StatusCode::OK).await;
    assert_eq!(got["version"], 3);
}

#[actix_web::test]
async fn members_and_claims_are_found_by_the_insurers_own_keys() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let h = app.household("K-1").await;
    let m = app.member(h["id"].as_str().unwrap(), "4321", "head").await;
    let mid = m["id"].as_str().unwrap();
    for path in [
        "/v1/members?insured_number=%E6%9D%B11-4321-00",
        "/v1/members?symbol=%E6%9D%B11&number=4321&branch=00",
    ] {
        let found = expect_status(app.get(path, &admin).await, StatusCode::OK).await;
        assert_eq!(found["items"][0]["id"], mid, "{path}");
        assert_eq!(found["next_cursor"], Value::Null);
    }
    let none = expect_status(
        app.get("/v1/members?insured_number=%E6%9D%B11-9999-00", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    let other = app.token_for(OTHER_INSURER, "admin");
    let hidden = expect_status(
        app.get("/v1/members?insured_number=%E6%9D%B11-4321-00", &other).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hidden["items"], json!([]), "another insurer's member is not found");
    for bad in [
        "/v1/members",
        "/v1/members?insured_number=4321",
        "/v1/members?symbol=x&number=1",
    ] {
        expect_problem(
            app.get(bad, &admin).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    expect_status(
        app.post("/v1/claims", &admin, &claim_body("CN-77", mid, 10_000, 3_000))
            .await,
        StatusCode::CREATED,
    )
    .await;
    expect_status(
        app.post("/v1/claims", &admin, &claim_body("CN-78", mid, 10_000, 3_000))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let by_number = expect_status(app.get("/v1/claims?claim_number=CN-77", &admin).await, StatusCode::OK).await;
    assert_eq!(by_number["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_number["items"][0]["claim_number"], "CN-77");
}

#[actix_web::test]
async fn polled_lists_answer_what_changed_since() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let a = app.household("U-1").await;
    let b = app.household("U-2").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let a_member = app.member(a_id, "601", "head").await;
    app.post(
        "/v1/claims",
        &admin,
        &claim_body("U-C1", a_member["id"].as_str().unwrap(), 10_000, 3_000),
    )
    .await;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let since = since.replace('+', "%2B");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |path: String| {
        let app = &app;
        let admin = admin.clone();
        async move { expect_status(app.get(&path, &admin).await, StatusCode::OK).await }
    };
    assert!(ids(list(format!("/v1/households?updated_since={since}")).await).is_empty());
    // A member added to B changes B as its answer carries members.
    app.member(b_id, "602", "head").await;
    assert_eq!(
        ids(list(format!("/v1/households?updated_since={since}")).await),
        vec![b_id.to_string()]
    );
    assert!(ids(list(format!("/v1/claims?updated_since={since}")).await).is_empty());
    assert_eq!(
        ids(list("/v1/claims?updated_since=2000-01-01T00:00:00Z".into()).await).len(),
        1
    );
}
