//! One error model for the whole HTTP layer, rendered as RFC 9457 problem+json with a stable
//! snake_case `code`. Every failure goes through here, including actix's own (see `api::extract`
//! and `app::fallback`). A 5xx answer says nothing of internals; the log has the cause.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violations;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `claims[0].copayment`.
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:hokensha:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case code, e.g. `validation_failed`, `household_not_found`.
    pub code: String,
    /// Present for validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// Every failure an endpoint can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON (or NDJSON line framing failed).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400: a query string or header that cannot be read.
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// 401: missing, malformed, badly signed or expired token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the token lacks the scope the operation needs.
    #[error("this operation needs the scope `{0}`")]
    Forbidden(String),
    /// 404: unknown resource, or another tenant's.
    #[error("{what} not found")]
    NotFound { code: &'static str, what: &'static str },
    /// 405: the path exists with other methods.
    #[error("method not allowed; allowed: {}", allow.join(", "))]
    MethodNotAllowed { allow: Vec<String> },
    /// 409: a state conflict (duplicate number, idempotency key reused with another body, ...).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 412: `If-Match` names a version that is no longer current.
    #[error("the resource has changed: current version is {current}")]
    PreconditionFailed { current: i32 },
    /// 413: the body is larger than allowed.
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not of the media type the operation takes.
    #[error("expected content type {expected}")]
    UnsupportedMediaType { expected: &'static str },
    /// 422: field-level validation failures.
    #[error("validation failed: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// 422: a request that is well-formed but cannot be processed (e.g. no rule table).
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 503: the database does not answer.
    #[error("service not ready")]
    Unavailable,
    /// 500: a bug or an infrastructure failure; the message is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::BadRequest { code, .. } => code,
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "insufficient_scope",
            Self::NotFound { code, .. } => code,
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Conflict { code, .. } => code,
            Self::PreconditionFailed { .. } => "version_mismatch",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::Unprocessable { code, .. } => code,
            Self::Unavailable => "not_ready",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "Malformed JSON",
            Self::BadRequest { .. } => "Bad request",
            Self::Unauthorized(_) => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::NotFound { .. } => "Not found",
            Self::MethodNotAllowed { .. } => "Method not allowed",
            Self::Conflict { .. } => "Conflict",
            Self::PreconditionFailed { .. } => "Precondition failed",
            Self::PayloadTooLarge { .. } => "Payload too large",
            Self::UnsupportedMediaType { .. } => "Unsupported media type",
            Self::Validation(_) => "Validation failed",
            Self::Unprocessable { .. } => "Unprocessable request",
            Self::Unavailable => "Service unavailable",
            Self::Internal(_) => "Internal server error",
        }
    }

    pub fn problem(&self) -> Problem {
        let code = self.code();
        Problem {
            problem_type: format!("urn:hokensha:problem:{code}"),
            title: self.title().to_string(),
            status: self.status_code().as_u16(),
            detail: match self {
                Self::Internal(_) => "an unexpected error occurred; it has been logged".to_string(),
                other => other.to_string(),
            },
            code: code.to_string(),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(cause = %cause, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            Self::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"hokensha\""));
            }
            Self::Forbidden(scope) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
                ));
            }
            Self::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        res.body(body)
    }
}

impl From<Violations> for ApiError {
    fn from(v: Violations) -> Self {
        Self::Validation(
            v.into_vec()
                .into_iter()
                .map(|v| FieldError {
                    field: v.field,
                    message: v.message,
                })
                .collect(),
        )
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) = e.sql_err() {
            return Self::Conflict {
                code: "conflict",
                detail: format!("a unique value is already taken ({msg})"),
            };
        }
        Self::Internal(e.to_string())
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn problems_carry_code_and_status() {
        let e = ApiError::validation("claims[0].copayment", "must not be above total_cost");
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.errors.unwrap()[0].field, "claims[0].copayment");
        let internal = ApiError::Internal("password=hunter2".into()).problem();
        assert!(!internal.detail.contains("hunter2"));
    }

    #[test]
    fn responses_are_problem_json() {
        let res = ApiError::Unauthorized("missing bearer token".into()).error_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        assert!(res.headers().get(header::WWW_AUTHENTICATE).is_some());
        let body = res.into_body().try_into_bytes().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "unauthorized");
        assert_eq!(v["type"], "urn:hokensha:problem:unauthorized");
    }
}
