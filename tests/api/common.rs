//! The test harness: each test spawns the real server on a loopback port over a fresh database:
//! a SQLite file of its own, or (with `HOKENSHA_TEST_DATABASE_URL`) a PostgreSQL schema of its
//! own, dropped afterwards.

use std::net::TcpListener;
use std::path::PathBuf;

use hokensha::app;
use hokensha::clock::Clock;
use hokensha::config::{Config, DEFAULT_MAX_JSON_BYTES};
use hokensha::http::auth::AuthKeys;
use hokensha::state::AppState;
use hokensha::store;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub const INSURER: &str = "132001";
pub const OTHER_INSURER: &str = "01130012";
const SECRET: &str = "test-secret-test-secret-test-secret-0123";

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { url, schema } => {
                let (url, schema) = (url.clone(), schema.clone());
                // A runtime of its own: Drop cannot await on the test's.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(db) = store::connect(&url, None).await {
                            use sea_orm::ConnectionTrait;
                            let _ = db
                                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                                .await;
                            let _ = db.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    keys: AuthKeys,
    /// The app's own database, for tests that act as the process itself (e.g. a restart).
    pub db: sea_orm::DatabaseConnection,
    _cleanup: Cleanup,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(DEFAULT_MAX_JSON_BYTES).await
    }

    pub async fn spawn_with(max_json_bytes: usize) -> Self {
        Self::spawn_full(max_json_bytes, Clock::system()).await
    }

    /// The app on a clock whose business date (Asia/Tokyo) is `day`.
    pub async fn spawn_on(day: &str) -> Self {
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
        Self::spawn_full(DEFAULT_MAX_JSON_BYTES, Clock::on_business_day(day)).await
    }

    /// The app on `clock`.
    pub async fn spawn_at(clock: Clock) -> Self {
        Self::spawn_full(DEFAULT_MAX_JSON_BYTES, clock).await
    }

    async fn spawn_full(max_json_bytes: usize, clock: Clock) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (url, search_path, cleanup) = match std::env::var("HOKENSHA_TEST_DATABASE_URL") {
            Ok(pg) if !pg.is_empty() => {
                let schema = format!("t_{id}");
                let admin = store::connect(&pg, None).await.expect("connect to PostgreSQL");
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create schema");
                admin.close().await.expect("close");
                (pg.clone(), Some(schema.clone()), Cleanup::Postgres { url: pg, schema })
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("hokensha-test-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
                (url, None, Cleanup::Sqlite(dir))
            }
        };
        let db = store::connect(&url, search_path.as_deref()).await.expect("connect");
        store::migrate(&db).await.expect("migrate");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let config = Config {
            database_url: url,
            listen: format!("127.0.0.1:{port}"),
            jwt_secret: Some(SECRET.into()),
            max_json_bytes,
            log_json: false,
            remitters: [(INSURER.to_string(), remitter())].into_iter().collect(),
            event_retention_days: hokensha::config::DEFAULT_EVENT_RETENTION_DAYS,
            webhook_allow_hosts: vec!["127.0.0.1".into()],
            webhook_retry_base_seconds: 0,
        };
        let keys = AuthKeys::from_secret(SECRET.as_bytes());
        let state = AppState {
            db: db.clone(),
            config,
            clock,
        };
        let server = app::server(listener, state, keys.clone()).expect("server");
        actix_web::rt::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: {
                hokensha::service::webhooks::install_tls();
                reqwest::Client::new()
            },
            keys,
            db,
            _cleanup: cleanup,
        }
    }

    /// A token of the test insurer with `scope`.
    pub fn token(&self, scope: &str) -> String {
        self.token_for(INSURER, scope)
    }

    pub fn token_for(&self, insurer: &str, scope: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.keys
            .mint("test-vendor", insurer, scope, None, now, 600)
            .expect("mint")
    }

    /// A token of an outsourced agency of the test insurer.
    pub fn agent_token(&self, agency: &str, scope: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.keys
            .mint("agent", INSURER, scope, Some(agency), now, 600)
            .expect("mint")
    }

    pub fn admin(&self) -> String {
        self.token("admin")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends `body` as JSON with `token`.
    pub async fn send(&self, method: Method, path: &str, token: &str, body: Option<&Value>) -> Response {
        let mut rb = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        rb.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(Method::PATCH, path, token, Some(body)).await
    }

    /// Sends raw bytes with a content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a household and gives back its JSON.
    pub async fn household(&self, number: &str) -> Value {
        let res = self
            .post("/v1/households", &self.admin(), &household_body(number))
            .await;
        expect_status(res, StatusCode::CREATED).await
    }

    /// Adds a member and gives back its JSON.
    pub async fn member(&self, household_id: &str, number: &str, relationship: &str) -> Value {
        let res = self
            .post(
                &format!("/v1/households/{household_id}/members"),
                &self.admin(),
                &member_body(number, relationship),
            )
            .await;
        expect_status(res, StatusCode::CREATED).await
    }

    /// GETs `path` as CSV (`Accept: text/csv`) and gives back the body.
    pub async fn get_csv(&self, path: &str, token: &str) -> String {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    }

    /// Records that a member lost eligibility on `on` (joined another insurance).
    pub async fn lose_eligibility(&self, member_id: &str, on: &str) {
        let res = self
            .patch(
                &format!("/v1/members/{member_id}"),
                &self.admin(),
                &json!({"lost_on": on, "loss_reason": "other_insurance"}),
            )
            .await;
        expect_status(res, StatusCode::OK).await;
    }

    /// Runs the detection of care after loss of eligibility for `month` and gives back the report.
    pub async fn detect(&self, month: &str) -> Value {
        let res = self
            .post(
                "/v1/receivables/detect-ineligible-visits",
                &self.admin(),
                &json!({ "service_month": month }),
            )
            .await;
        expect_status(res, StatusCode::OK).await
    }

    /// Imports NDJSON lines and gives back the report.
    pub async fn import(&self, lines: &[Value]) -> Value {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let res = self
            .raw(
                Method::POST,
                "/v1/claims/import",
                &self.admin(),
                "application/x-ndjson",
                body,
            )
            .await;
        expect_status(res, StatusCode::OK).await
    }

    /// Number of items a list path gives (following cursors).
    pub async fn count(&self, path: &str) -> usize {
        let mut n = 0;
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let p = match &cursor {
                Some(c) => format!("{path}{sep}limit=500&cursor={c}"),
                None => format!("{path}{sep}limit=500"),
            };
            let v = expect_status(self.get(&p, &self.admin()).await, StatusCode::OK).await;
            n += v["items"].as_array().map_or(0, Vec::len);
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return n,
            }
        }
    }
}

/// The test insurer's remitter (振込依頼人) for transfer files.
pub fn remitter() -> hokensha::config::RemitterSettings {
    hokensha::config::RemitterSettings {
        remitter_code: "1320010001".into(),
        remitter_name_kana: "ﾁﾖﾀﾞｸ ｺｸﾎ".into(),
        bank_code: "0001".into(),
        bank_name_kana: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name_kana: "ﾎﾝﾃﾝ".into(),
        account_type: "ordinary".into(),
        account_number: "0000001".into(),
    }
}

pub fn household_body(number: &str) -> Value {
    json!({
        "household_number": number,
        "head_name": "山田 太郎",
        "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "line": "千代田1-1"},
        "phone": "03-1234-5678",
        "income_categories": [{"valid_from": "2025-08-01", "under70": "u", "age70to74": null}]
    })
}

pub fn member_body(number: &str, relationship: &str) -> Value {
    json!({
        "insured_number": {"symbol": "東1", "number": number, "branch": "00"},
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "birth_date": "1985-04-02",
        "sex": "female",
        "relationship": relationship,
        "acquired_on": "2020-04-01"
    })
}

pub fn claim_body(number: &str, member_id: &str, total: i64, copay: i64) -> Value {
    json!({
        "claim_number": number,
        "member_id": member_id,
        "service_month": "2025-09",
        "provider": {"code": "1312345678", "name": "千代田病院"},
        "kind": "medical",
        "setting": "outpatient",
        "total_cost": total,
        "copayment": copay,
        "first_service_on": "2025-09-03",
        "service_days": 2
    })
}

/// Asserts the status (printing the body when it differs) and gives back the JSON body.
pub async fn expect_status(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// Asserts a problem+json answer with `status` and `code`, and gives back the problem.
pub async fn expect_problem(res: Response, status: StatusCode, code: &str) -> Value {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let v = expect_status(res, status).await;
    assert_eq!(ct, "application/problem+json", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status.as_u16(), "{v}");
    v
}

/// The `field` of each error of a validation problem, in order.
pub fn error_fields(p: &Value) -> Vec<&str> {
    p["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}
