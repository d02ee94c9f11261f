//! `/v1/claims`: monthly claims (レセプト), one at a time; bulk import lives in `import.rs`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::Violations;
use crate::domain::calendar::YearMonth;
pub use crate::domain::claim::ClaimStatus;
use crate::domain::claim::{self as rules, ClaimFields, MemberRef};
use crate::domain::claim::{ClaimFacts, ClaimKind, Setting, parse_claim_number, parse_provider_code};
use crate::domain::household::parse_text;
use crate::domain::ids::ClaimId;
use crate::domain::member::InsuredNumber;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{ClaimsRead, ClaimsWrite};
use crate::http::extract::path_id;
use crate::service::claims::{self as service, ClaimFilter};
use crate::state::AppState;

/// The provider (医療機関・薬局) of a claim.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// 医療機関コード: 10 digits.
    #[schema(pattern = r"^[0-9]{10}$")]
    pub code: String,
    /// 1 to 200 characters once outer spaces are trimmed, no control characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,198}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
}

/// A claim as a vendor sends it (one JSON object, or one NDJSON line of an import). The member is
/// named by `member_id` or by `insured_number`, exactly one of them.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// レセプト番号, unique per insurer: 1 to 64 visible ASCII characters.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]{1,64}$")]
    pub claim_number: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub member_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<crate::http::members::InsuredNumberSchema>)]
    pub insured_number: Option<InsuredNumber>,
    /// 診療月, `YYYY-MM`.
    #[schema(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: String,
    pub provider: Provider,
    pub kind: ClaimKind,
    pub setting: Setting,
    /// Required for `pharmacy` (調剤): the prescribing provider's 10-digit code.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{10}$")]
    pub prescribing_provider_code: Option<String>,
    /// 総医療費 (points x 10) in whole yen, without meals, extra beds or uncovered costs; at most
    /// 99,999,999,999.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub total_cost: i64,
    /// 一部負担金 in whole yen; not above `total_cost`.
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub copayment: i64,
    #[serde(default)]
    pub first_service_on: Option<NaiveDate>,
    /// Days of care, 1 to the days of `service_month`.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 31)]
    pub service_days: Option<i32>,
    /// 高額療養費 the insurer already paid the provider at the window (現物給付, as the レセプト
    /// carries it), whole yen, not above `total_cost` minus `copayment`. The month then counts
    /// toward 多数回 (R7) whether or not cash follows (R16).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 99_999_999_999i64)]
    pub window_benefit: Option<i64>,
}

impl ClaimInput {
    /// Checks the claim on its own (the member is resolved by the store).
    pub fn check(self) -> Result<(MemberRef, ClaimFields), Violations> {
        let mut v = Violations::new();
        let claim_number = v.check("claim_number", parse_claim_number(&self.claim_number));
        let member = match (self.member_id, self.insured_number) {
            (Some(id), None) => Some(MemberRef::Id(id)),
            (None, Some(n)) => match n.validate() {
                Ok(()) => Some(MemberRef::InsuredKey(n.key())),
                Err(e) => {
                    v.absorb("insured_number", e);
                    None
                }
            },
            (Some(_), Some(_)) => {
                v.push("member_id", "give member_id or insured_number, not both");
                None
            }
            (None, None) => {
                v.push("member_id", "member_id or insured_number is required");
                None
            }
        };
        let provider_code = v.check("provider.code", parse_provider_code(&self.provider.code));
        let provider_name = v.check("provider.name", parse_text(&self.provider.name, 200));
        let facts = ClaimFacts {
            service_month: &self.service_month,
            kind: self.kind,
            setting: self.setting,
            prescribing_provider_code: self.prescribing_provider_code.as_deref(),
            total_cost: self.total_cost,
            copayment: self.copayment,
            first_service_on: self.first_service_on,
            service_days: self.service_days,
            window_benefit: self.window_benefit,
        };
        let checked = match facts.check() {
            Ok(c) => Some(c),
            Err(e) => {
                v.absorb("", e);
                None
            }
        };
        match (claim_number, member, provider_code, provider_name, checked) {
            (Some(claim_number), Some(member), Some(provider_code), Some(provider_name), Some(c)) if v.is_empty() => {
                Ok((
                    member,
                    ClaimFields {
                        claim_number,
                        service_month: c.service_month.to_string(),
                        provider_code,
                        provider_name,
                        kind: self.kind,
                        setting: self.setting,
                        prescribing_provider_code: self.prescribing_provider_code,
                        total_cost: c.total_cost.as_i64(),
                        copayment: c.copayment.as_i64(),
                        first_service_on: self.first_service_on,
                        service_days: self.service_days,
                        window_benefit: self.window_benefit,
                    },
                ))
            }
            _ => Err(v),
        }
    }
}

/// A stored claim.
#[derive(Debug, Serialize, ToSchema)]
pub struct Claim {
    pub id: String,
    pub claim_number: String,
    pub member_id: String,
    pub household_id: String,
    pub service_month: String,
    pub provider: Provider,
    pub kind: ClaimKind,
    pub setting: Setting,
    pub prescribing_provider_code: Option<String>,
    pub total_cost: i64,
    pub copayment: i64,
    pub first_service_on: Option<NaiveDate>,
    pub service_days: Option<i32>,
    /// 高額療養費 paid at the window (現物給付, R16).
    pub window_benefit: Option<i64>,
    pub status: ClaimStatus,
    pub voided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn claim_view(c: rules::Claim) -> Claim {
    let f = c.fields;
    Claim {
        id: c.id,
        claim_number: f.claim_number,
        member_id: c.member_id,
        household_id: c.household_id,
        service_month: f.service_month,
        provider: Provider {
            code: f.provider_code,
            name: f.provider_name,
        },
        kind: f.kind,
        setting: f.setting,
        prescribing_provider_code: f.prescribing_provider_code,
        total_cost: f.total_cost,
        copayment: f.copayment,
        first_service_on: f.first_service_on,
        service_days: f.service_days,
        window_benefit: f.window_benefit,
        status: c.status,
        voided_at: c.voided_at,
        version: c.version,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub member_id: Option<String>,
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_id: Option<String>,
    /// `YYYY-MM`
    #[param(pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub service_month: Option<String>,
    /// The claim with this number (unique per insurer).
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub claim_number: Option<String>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Submit one claim.
#[utoipa::path(
    tag = "claims",
    request_body = ClaimInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Created", body = Claim),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope claims:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "claim_number taken, or Idempotency-Key reused", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (including an unknown member)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["claims:write"]))
)]
#[post("/claims")]
pub async fn create_claim(
    auth: Auth<ClaimsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<ClaimInput>,
) -> Result<HttpResponse, ApiError> {
    let (member, fields) = body.value.check()?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let claim = service::create(&state.db, &auth.actor(), &member, &fields).await?;
        let version = claim.version;
        Ok(Answer::created(claim_view(claim), version))
    })
    .await
}

/// List claims by member, household and service month.
#[utoipa::path(
    tag = "claims",
    params(ClaimQuery),
    responses(
        (status = 200, description = "A page of claims", body = ListPage<Claim>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope claims:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad month, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["claims:read"]))
)]
#[get("/claims")]
pub async fn list_claims(
    auth: Auth<ClaimsRead>,
    state: web::Data<AppState>,
    q: web::Query<ClaimQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    if let Some(m) = &q.service_month {
        YearMonth::parse(m).map_err(|e| ApiError::validation("service_month", e.to_string()))?;
    }
    let q = q.into_inner();
    let filter = ClaimFilter {
        member_id: q.member_id,
        household_id: q.household_id,
        service_month: q.service_month,
        claim_number: q.claim_number,
        updated_since: q.updated_since,
    };
    let page: ListPage<Claim> = service::list(&state.db, auth.insurer(), &filter, &page)
        .await?
        .map(claim_view)
        .into();
    Ok(HttpResponse::Ok().json(page))
}

/// Read a claim.
#[utoipa::path(
    tag = "claims",
    params(("id" = String, Path, description = "Claim id", format = Uuid)),
    responses(
        (status = 200, description = "The claim", body = Claim),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope claims:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["claims:read"]))
)]
#[get("/claims/{id}")]
pub async fn get_claim(
    auth: Auth<ClaimsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let claim = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<ClaimId>(&id, ErrorCode::ClaimNotFound)?,
    )
    .await?;
    let version = claim.version;
    Ok(with_etag(&claim_view(claim), version))
}

/// Void a claim: it is kept for audit and excluded from calculations; a stored benefit
/// determination of its household-month is recalculated (the old one superseded). Voiding again
/// changes nothing.
#[utoipa::path(
    tag = "claims",
    params(("id" = String, Path, description = "Claim id", format = Uuid)),
    responses(
        (status = 200, description = "The voided claim", body = Claim),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope claims:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["claims:write"]))
)]
#[delete("/claims/{id}")]
pub async fn void_claim(
    auth: Auth<ClaimsWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let claim = service::void(
        &state.db,
        &auth.actor(),
        &path_id::<ClaimId>(&id, ErrorCode::ClaimNotFound)?,
    )
    .await?;
    let version = claim.version;
    Ok(with_etag(&claim_view(claim), version))
}
