//! One error model for the whole HTTP layer, rendered as RFC 9457 problem+json with a stable
//! snake_case `code`. Every failure goes through here, including actix's own (see `api::extract`
//! and `app::fallback`). A 5xx answer says nothing of internals; the log has the cause.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violations;
use crate::domain::kogaku::KogakuError;

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

/// Declares [`ErrorCode`]: one line per problem code, with its HTTP status and title.
macro_rules! error_codes {
    ($($name:ident => $code:literal, $status:literal, $title:literal;)*) => {
        /// Every problem code the API answers with: the stable snake_case `code` of a problem
        /// document, its HTTP status and its title. The one table; no code is written elsewhere.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($name,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            /// The wire code, e.g. `household_not_found`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $code,)*
                }
            }

            /// The HTTP status a problem with this code answers with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$name => $status,)*
                }
            }

            /// The problem's title: the same for every problem of the code (RFC 9457 §3.1.3).
            pub fn title(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $title,)*
                }
            }
        }
    };
}

error_codes! {
    MalformedJson => "malformed_json", 400, "Malformed JSON";
    InvalidQuery => "invalid_query", 400, "Query string cannot be read";
    InvalidPath => "invalid_path", 400, "Path cannot be read";
    PayloadError => "payload_error", 400, "Request body cannot be read";
    InvalidIdempotencyKey => "invalid_idempotency_key", 400, "Idempotency-Key cannot be used";
    Unauthorized => "unauthorized", 401, "Unauthorized";
    InsufficientScope => "insufficient_scope", 403, "Forbidden";
    RouteNotFound => "route_not_found", 404, "Route not found";
    HouseholdNotFound => "household_not_found", 404, "Household not found";
    MemberNotFound => "member_not_found", 404, "Member not found";
    WebhookSubscriptionNotFound => "webhook_subscription_not_found", 404, "Webhook subscription not found";
    ClaimNotFound => "claim_not_found", 404, "Claim not found";
    DeterminationNotFound => "determination_not_found", 404, "Determination not found";
    BenefitRunNotFound => "benefit_run_not_found", 404, "Benefit run not found";
    RegistrationNotFound => "registration_not_found", 404, "Registration not found";
    PaymentRunNotFound => "payment_run_not_found", 404, "Payment run not found";
    PaymentNotFound => "payment_not_found", 404, "Payment not found";
    ReceivableNotFound => "receivable_not_found", 404, "Receivable not found";
    LegalActionNotFound => "legal_action_not_found", 404, "Legal action not found";
    AdjustmentRequestNotFound => "adjustment_request_not_found", 404, "Adjustment request not found";
    CardRecoveryNotFound => "card_recovery_not_found", 404, "Certificate recovery case not found";
    PlanNotFound => "plan_not_found", 404, "Plan not found";
    ApplicationNotFound => "application_not_found", 404, "Application not found";
    MethodNotAllowed => "method_not_allowed", 405, "Method not allowed";
    Conflict => "conflict", 409, "A unique value is already taken";
    IdempotencyKeyReused => "idempotency_key_reused", 409, "Idempotency-Key used with another request";
    IdempotencyKeyInProgress => "idempotency_key_in_progress", 409, "Idempotency-Key request still running";
    HouseholdNumberTaken => "household_number_taken", 409, "Household number taken";
    HouseholdHasHead => "household_has_head", 409, "Household already has a head";
    InsuredNumberTaken => "insured_number_taken", 409, "Insured number taken";
    ClaimNumberTaken => "claim_number_taken", 409, "Claim number taken";
    DeterminationChanged => "determination_changed", 409, "Determination changed meanwhile";
    DeterminationNotCalculated => "determination_not_calculated", 409, "Determination not in calculated state";
    DeterminationSuperseded => "determination_superseded", 409, "Determination superseded";
    RunInProgress => "run_in_progress", 409, "Run in progress";
    CursorExpired => "cursor_expired", 410, "Cursor past retention";
    WebhookSubscriptionChanged => "webhook_subscription_changed", 409, "Webhook subscription changed meanwhile";
    RegistrationExists => "registration_exists", 409, "Registration exists";
    ApplicationChanged => "application_changed", 409, "Application changed meanwhile";
    DeterminationAlreadyApplied => "determination_already_applied", 409, "Determination already applied for";
    SchemeChanged => "scheme_changed", 409, "Scheme settings changed meanwhile";
    RegistrationCancelled => "registration_cancelled", 409, "Registration cancelled";
    RegistrationChanged => "registration_changed", 409, "Registration changed meanwhile";
    PaymentRunNotCompleted => "payment_run_not_completed", 409, "Payment run not completed";
    NoTransfers => "no_transfers", 409, "No transfers";
    RemitterNotConfigured => "remitter_not_configured", 409, "Remitter not configured";
    ReceivableChanged => "receivable_changed", 409, "Receivable changed meanwhile";
    ReceivableClosed => "receivable_closed", 409, "Receivable closed";
    InstallmentPlanActive => "installment_plan_active", 409, "Installment plan active";
    LegalActionConcluded => "legal_action_concluded", 409, "Legal action concluded";
    AdjustmentRequestOpen => "adjustment_request_open", 409, "Adjustment request open";
    AdjustmentRequestChanged => "adjustment_request_changed", 409, "Adjustment request changed meanwhile";
    TransitionNotAllowed => "transition_not_allowed", 409, "Transition not allowed";
    CardRecoveryExists => "card_recovery_exists", 409, "Certificate recovery case exists";
    CardRecoveryChanged => "card_recovery_changed", 409, "Certificate recovery case changed meanwhile";
    CardRecoveryClosed => "card_recovery_closed", 409, "Certificate recovery case closed";
    VersionMismatch => "version_mismatch", 412, "Precondition failed";
    PayloadTooLarge => "payload_too_large", 413, "Payload too large";
    UnsupportedMediaType => "unsupported_media_type", 415, "Unsupported media type";
    ValidationFailed => "validation_failed", 422, "Validation failed";
    CollectionExceedsBalance => "collection_exceeds_balance", 422, "Collection exceeds balance";
    CounterpartyNotParticipating => "counterparty_not_participating", 422, "Counterparty not participating";
    LedgerRefused => "ledger_refused", 422, "Ledger refused the entry";
    NoLateChargeRate => "no_late_charge_rate", 422, "No late charge rate";
    TransferFileInvalid => "transfer_file_invalid", 422, "Transfer file invalid";
    MissingIncomeCategory => "missing_income_category", 422, "No income category for the month";
    NoRuleTable => "no_rule_table", 422, "No rule table for the month";
    MissingCategory => "missing_category", 422, "Income category missing";
    UnknownCategory => "unknown_category", 422, "Unknown income category";
    InvalidProviderCode => "invalid_provider_code", 422, "Invalid provider code";
    DuplicateMember => "duplicate_member", 422, "Duplicate member";
    UnknownMember => "unknown_member", 422, "Unknown member";
    NegativeAmount => "negative_amount", 422, "Negative amount";
    CopaymentExceedsCost => "copayment_exceeds_cost", 422, "Copayment exceeds cost";
    MissingPrescriber => "missing_prescriber", 422, "Prescriber missing";
    InvalidSetting => "invalid_setting", 422, "Invalid setting";
    ServiceDateOutsideMonth => "service_date_outside_month", 422, "Service date outside the month";
    PeriodStartNotAugust => "period_start_not_august", 422, "Period does not start in August";
    MonthOutsidePeriod => "month_outside_period", 422, "Month outside the period";
    DuplicateMonth => "duplicate_month", 422, "Duplicate month";
    InvalidAnnualMonth => "invalid_annual_month", 422, "Invalid month in the annual period";
    AnnualLimitUnconfirmed => "annual_limit_unconfirmed", 422, "Annual limit unconfirmed";
    OddHalf => "odd_half", 422, "Internal server error";
    InternalError => "internal_error", 500, "Internal server error";
    NotReady => "not_ready", 503, "Service unavailable";
}

/// "household not found": the title of a not-found code as a sentence's words.
fn not_found_detail(code: ErrorCode) -> String {
    let title = code.title();
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl From<&KogakuError> for ErrorCode {
    fn from(e: &KogakuError) -> Self {
        match e {
            KogakuError::NoRuleTable { .. } => Self::NoRuleTable,
            KogakuError::MissingCategory { .. } => Self::MissingCategory,
            KogakuError::UnknownCategory => Self::UnknownCategory,
            KogakuError::InvalidProviderCode => Self::InvalidProviderCode,
            KogakuError::DuplicateMember { .. } => Self::DuplicateMember,
            KogakuError::UnknownMember { .. } => Self::UnknownMember,
            KogakuError::NegativeAmount { .. } => Self::NegativeAmount,
            KogakuError::CopaymentExceedsCost { .. } => Self::CopaymentExceedsCost,
            KogakuError::MissingPrescriber { .. } => Self::MissingPrescriber,
            KogakuError::InvalidSetting { .. } => Self::InvalidSetting,
            KogakuError::ServiceDateOutsideMonth { .. } => Self::ServiceDateOutsideMonth,
            KogakuError::PeriodStartNotAugust { .. } => Self::PeriodStartNotAugust,
            KogakuError::MonthOutsidePeriod { .. } => Self::MonthOutsidePeriod,
            KogakuError::DuplicateMonth { .. } => Self::DuplicateMonth,
            KogakuError::InvalidAnnualMonth { .. } => Self::InvalidAnnualMonth,
            KogakuError::AnnualLimitUnconfirmed { .. } => Self::AnnualLimitUnconfirmed,
            KogakuError::OddHalf => Self::OddHalf,
        }
    }
}

/// Every failure an endpoint can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON (or NDJSON line framing failed).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400: a query string or header that cannot be read.
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    /// 401: missing, malformed, badly signed or expired token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the token lacks the scope the operation needs.
    #[error("this operation needs the scope `{0}`")]
    Forbidden(String),
    /// 404: unknown resource, or another tenant's.
    #[error("{}", not_found_detail(*.0))]
    NotFound(ErrorCode),
    /// 405: the path exists with other methods.
    #[error("method not allowed; allowed: {}", allow.join(", "))]
    MethodNotAllowed { allow: Vec<String> },
    /// 409: a state conflict (duplicate number, idempotency key reused with another body, ...).
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// 410: a cursor into what retention has deleted.
    #[error("{detail}")]
    Gone { code: ErrorCode, detail: String },
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
    Unprocessable { code: ErrorCode, detail: String },
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

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MalformedJson(_) => ErrorCode::MalformedJson,
            Self::BadRequest { code, .. } => *code,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::InsufficientScope,
            Self::NotFound(code) => *code,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::Conflict { code, .. } => *code,
            Self::Gone { code, .. } => *code,
            Self::PreconditionFailed { .. } => ErrorCode::VersionMismatch,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType { .. } => ErrorCode::UnsupportedMediaType,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::Unprocessable { code, .. } => *code,
            Self::Unavailable => ErrorCode::NotReady,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn problem(&self) -> Problem {
        let code = self.code();
        Problem {
            problem_type: format!("urn:hokensha:problem:{}", code.as_str()),
            title: code.title().to_string(),
            status: self.status_code().as_u16(),
            detail: match self {
                Self::Internal(_) => "an unexpected error occurred; it has been logged".to_string(),
                other => other.to_string(),
            },
            code: code.as_str().to_string(),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
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
                code: ErrorCode::Conflict,
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

/// Maps an engine refusal to 422: claim-level problems name their field.
pub fn kogaku_error(e: KogakuError, claims_field: &str) -> ApiError {
    let field = |index: usize, name: &str| format!("{claims_field}[{index}].{name}");
    match &e {
        KogakuError::UnknownMember { index } => ApiError::validation(field(*index, "member_id"), e.to_string()),
        KogakuError::NegativeAmount { index } => ApiError::validation(field(*index, "copayment"), e.to_string()),
        KogakuError::CopaymentExceedsCost { index } => ApiError::validation(field(*index, "copayment"), e.to_string()),
        KogakuError::MissingPrescriber { index } => {
            ApiError::validation(field(*index, "prescribing_provider_code"), e.to_string())
        }
        KogakuError::InvalidSetting { index } => ApiError::validation(field(*index, "setting"), e.to_string()),
        KogakuError::ServiceDateOutsideMonth { index } => {
            ApiError::validation(field(*index, "first_service_on"), e.to_string())
        }
        _ => ApiError::Unprocessable {
            code: ErrorCode::from(&e),
            detail: e.to_string(),
        },
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
    fn the_table_has_one_line_per_code_and_a_problem_status_for_each() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            assert!((400..600).contains(&c.status()), "{}", c.as_str());
            assert!(StatusCode::from_u16(c.status()).is_ok());
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        // Each kind of failure answers with its status from the table.
        let nf = ApiError::NotFound(ErrorCode::HouseholdNotFound);
        assert_eq!(nf.status_code(), StatusCode::NOT_FOUND);
        assert_eq!(nf.problem().title, "Household not found");
        assert_eq!(nf.problem().detail, "household not found");
        assert_eq!(ApiError::Unavailable.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            ApiError::PreconditionFailed { current: 2 }.problem().code,
            "version_mismatch"
        );
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
