//! `Idempotency-Key` on POSTs that create or move something: the same key with the same request
//! replays the first answer; with another request it is a 409.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::extract;
use crate::error::{ApiError, ErrorCode};
use crate::service::idempotency::{self as keys, Reservation};

/// A created (or otherwise answered) resource with its version.
pub struct Answer<T> {
    pub status: StatusCode,
    pub body: T,
    pub version: Option<i32>,
}

impl<T> Answer<T> {
    pub fn created(body: T, version: i32) -> Self {
        Self {
            status: StatusCode::CREATED,
            body,
            version: Some(version),
        }
    }

    /// 200 with the resource's version (`ETag`).
    pub fn with_version(body: T, version: i32) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            version: Some(version),
        }
    }

    /// 200 without a version.
    pub fn ok(body: T) -> Self {
        Self::new(StatusCode::OK, body)
    }

    pub fn new(status: StatusCode, body: T) -> Self {
        Self {
            status,
            body,
            version: None,
        }
    }
}

fn respond(req: &HttpRequest, status: StatusCode, body: String, version: Option<i32>) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("application/json");
    if let Some(v) = version {
        res.insert_header(extract::etag(v));
    }
    if let Some(location) = location(req, status, &body) {
        res.insert_header((actix_web::http::header::LOCATION, location));
    }
    res.body(body)
}

/// `Location` of a 201 or 202: the read path of the created resource (`openapi::READ_AFTER_CREATE`).
fn location(req: &HttpRequest, status: StatusCode, body: &str) -> Option<String> {
    if status != StatusCode::CREATED && status != StatusCode::ACCEPTED {
        return None;
    }
    let pattern = req.match_pattern()?;
    let id = serde_json::from_str::<serde_json::Value>(body).ok()?["id"]
        .as_str()?
        .to_owned();
    crate::openapi::location_of(&pattern, &id)
}

fn version_of(body: &str) -> Option<i32> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("version").and_then(|v| v.as_i64()))
        .and_then(|v| i32::try_from(v).ok())
}

/// Runs a creating POST under its `Idempotency-Key`, if any: the same key with the same method,
/// path and body within 24 hours replays the first answer; the same key with another request is
/// 409; a key whose first request is still running is 409 too. Without a key it simply runs.
pub async fn idempotent<T, F, Fut>(
    state: &crate::state::AppState,
    req: &HttpRequest,
    insurer: &str,
    body_digest: &str,
    run: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Answer<T>, ApiError>>,
{
    let Some(key) = extract::idempotency_key(req)? else {
        let a = run().await?;
        let body = serde_json::to_string(&a.body).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(respond(req, a.status, body, a.version));
    };
    let fingerprint = hex::encode(Sha256::digest(format!(
        "{} {}\n{}",
        req.method(),
        req.path(),
        body_digest
    )));
    match keys::reserve(&state.db, insurer, &key, &fingerprint).await? {
        Reservation::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let version = version_of(&body);
            let mut res = respond(req, status, body, version);
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(res)
        }
        Reservation::Mismatch => Err(ApiError::Conflict {
            code: ErrorCode::IdempotencyKeyReused,
            detail: "this Idempotency-Key was used with another request".into(),
        }),
        Reservation::InProgress => Err(ApiError::Conflict {
            code: ErrorCode::IdempotencyKeyInProgress,
            detail: "the first request with this Idempotency-Key has not finished".into(),
        }),
        Reservation::Fresh => match run().await {
            Ok(a) => {
                let body = serde_json::to_string(&a.body).map_err(|e| ApiError::Internal(e.to_string()))?;
                keys::complete(&state.db, insurer, &key, a.status.as_u16(), &body).await?;
                Ok(respond(req, a.status, body, a.version))
            }
            Err(e) => {
                keys::release(&state.db, insurer, &key).await?;
                Err(e)
            }
        },
    }
}

/// A JSON answer with the resource's `ETag`.
pub fn with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header(extract::etag(version)).json(body)
}
