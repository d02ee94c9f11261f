//! `/v1/settings/benefit-scheme` (admin): the insurer's scheme settings (支給方式の設定), read and
//! replaced whole. Changes are recorded in the audit trail.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::extract::{Body, if_match};
use super::idempotency::with_etag;
use crate::domain::application::{AutomaticPayment, BenefitScheme};
use crate::domain::zengin::RemitterSettings;
use crate::error::{ApiError, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::Admin;
use crate::service::schemes::{self as service, SchemeInput};
use crate::state::AppState;

/// The settings as replaced by `PUT`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SchemeBody {
    /// `none`, `age70to74` (a month is paid automatically when its benefit comes only from 70-74
    /// members' copayments: seed 004's proposal) or `all`.
    #[schema(value_type = AutomaticPayment)]
    pub automatic_payment: String,
    /// Whether unpaid NHI tax without offset consent keeps a registered household from automatic
    /// payment (its registration pauses). When false such a household is paid in full.
    pub exclude_tax_arrears: bool,
    /// The insurer as the remitting bank's customer (振込依頼人) for transfer files; null: the
    /// start-up default (`HOKENSHA_REMITTERS`), if any.
    #[serde(default)]
    pub remitter: Option<RemitterSettings>,
}

/// The settings in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct Scheme {
    pub automatic_payment: AutomaticPayment,
    pub exclude_tax_arrears: bool,
    /// The remitter in force (stored, else the start-up default); null when there is none.
    pub remitter: Option<RemitterSettings>,
    /// 0 until settings are stored (the defaults are in force).
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

fn view(s: BenefitScheme) -> Scheme {
    Scheme {
        automatic_payment: s.automatic_payment,
        exclude_tax_arrears: s.exclude_tax_arrears,
        remitter: s.remitter,
        version: s.version,
        updated_at: s.updated_at,
    }
}

/// Read the scheme settings.
#[utoipa::path(
    tag = "payments",
    responses(
        (status = 200, description = "The settings in force (the defaults until stored: `all`, arrears excluding, the start-up remitter)", body = Scheme),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope admin missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["admin"]))
)]
#[get("/settings/benefit-scheme")]
pub async fn get_scheme(auth: Auth<Admin>, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = service::current(&state.db, auth.insurer(), state.config.remitters.get(auth.insurer())).await?;
    let version = s.version;
    Ok(with_etag(&view(s), version))
}

/// Replace the scheme settings.
#[utoipa::path(
    tag = "payments",
    request_body = SchemeBody,
    params(("If-Match" = Option<String>, Header, description = "The version read (ETag); 0 for the defaults")),
    responses(
        (status = 200, description = "The settings now in force", body = Scheme),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope admin missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by another writer meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown automatic_payment, or a remitter the bank file cannot carry (each field named)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["admin"]))
)]
#[put("/settings/benefit-scheme")]
pub async fn put_scheme(
    auth: Auth<Admin>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<SchemeBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.value;
    let automatic_payment = AutomaticPayment::parse(&b.automatic_payment)
        .map_err(|_| ApiError::validation("automatic_payment", "must be one of none, age70to74, all"))?;
    let s = service::put(
        &state.db,
        &auth.actor(),
        state.config.remitters.get(auth.insurer()),
        if_match(&req)?,
        SchemeInput {
            automatic_payment,
            exclude_tax_arrears: b.exclude_tax_arrears,
            remitter: b.remitter,
        },
    )
    .await?;
    let version = s.version;
    Ok(with_etag(&view(s), version))
}
