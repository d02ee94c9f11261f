//! `/v1/households`: households (世帯), their members and reported tax arrears (国保税の滞納額).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, check_version, if_match, nullable, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::members::{Member, member_view};
use super::paging::ListPage;
use crate::domain::Violations;
use crate::domain::household::{self as rules, IncomeCategoryPeriod};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{HouseholdsRead, HouseholdsWrite};
use crate::state::AppState;
use crate::store::entity::{household, tax_arrears};
use crate::store::households::{self as store, HouseholdData, Updated};
use crate::store::members as member_store;

/// A postal address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// 郵便番号, `123-4567` (or 7 digits).
    pub postal_code: String,
    /// 都道府県
    pub prefecture: String,
    /// 市区町村
    pub city: String,
    /// The rest of the address.
    pub line: String,
}

/// A new household.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    /// 世帯番号, unique per insurer.
    pub household_number: String,
    /// 世帯主氏名
    pub head_name: String,
    pub address: Address,
    #[serde(default)]
    pub phone: Option<String>,
    /// 所得区分 by period; periods must not overlap.
    #[serde(default)]
    pub income_categories: Vec<IncomeCategoryPeriod>,
}

/// Changes to a household; absent fields stay as they are, `phone: null` clears the phone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdPatch {
    pub household_number: Option<String>,
    pub head_name: Option<String>,
    pub address: Option<Address>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub income_categories: Option<Vec<IncomeCategoryPeriod>>,
}

/// Unpaid NHI tax as the tax system reports it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxArrearsReport {
    /// Whole yen, not negative.
    pub amount: i64,
    pub as_of: NaiveDate,
}

/// Unpaid NHI tax (国保税の滞納額) of a household, used for offsets (充当).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxArrears {
    pub household_id: String,
    pub amount: i64,
    pub as_of: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

/// A household with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Household {
    pub id: String,
    pub household_number: String,
    pub head_name: String,
    pub address: Address,
    pub phone: Option<String>,
    pub income_categories: Vec<IncomeCategoryPeriod>,
    pub tax_arrears: Option<TaxArrears>,
    pub members: Vec<Member>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// Only the household with this number.
    pub household_number: Option<String>,
    /// 1..500, default 50.
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

fn tax_view(t: tax_arrears::Model) -> TaxArrears {
    TaxArrears {
        household_id: t.household_id,
        amount: t.amount,
        as_of: t.as_of,
        updated_at: t.updated_at,
    }
}

/// Checks a household's data, naming every bad field.
fn check(data: HouseholdData) -> Result<HouseholdData, ApiError> {
    let mut v = Violations::new();
    let household_number = v.check(
        "household_number",
        rules::parse_household_number(&data.household_number),
    );
    let head_name = v.check("head_name", rules::parse_text(&data.head_name, 100));
    let postal_code = v.check("address.postal_code", rules::parse_postal_code(&data.postal_code));
    let prefecture = v.check("address.prefecture", rules::parse_text(&data.prefecture, 10));
    let city = v.check("address.city", rules::parse_text(&data.city, 100));
    let address_line = v.check("address.line", rules::parse_text(&data.address_line, 200));
    let phone = match &data.phone {
        Some(p) => v.check("phone", rules::parse_phone(p)).map(Some),
        None => Some(None),
    };
    if let Err(e) = rules::validate_periods(&data.income_categories) {
        v.absorb("", e);
    }
    let (
        Some(household_number),
        Some(head_name),
        Some(postal_code),
        Some(prefecture),
        Some(city),
        Some(address_line),
        Some(phone),
    ) = (
        household_number,
        head_name,
        postal_code,
        prefecture,
        city,
        address_line,
        phone,
    )
    else {
        return Err(v.into());
    };
    v.finish(HouseholdData {
        household_number,
        head_name,
        postal_code,
        prefecture,
        city,
        address_line,
        phone,
        income_categories: data.income_categories,
    })
    .map_err(Into::into)
}

fn taken(e: sea_orm::DbErr) -> ApiError {
    if crate::store::is_unique_violation(&e) {
        ApiError::Conflict {
            code: ErrorCode::HouseholdNumberTaken,
            detail: "another household has this household_number".into(),
        }
    } else {
        e.into()
    }
}

pub(crate) fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::HouseholdNotFound)
}

/// Builds the wire view of households with their members and tax arrears.
async fn views(state: &AppState, insurer: &str, rows: Vec<household::Model>) -> Result<Vec<Household>, ApiError> {
    let ids: Vec<&str> = rows.iter().map(|h| h.id.as_str()).collect();
    let mut members: HashMap<String, Vec<Member>> = HashMap::new();
    for m in member_store::of_households(&state.db, insurer, &ids).await? {
        members.entry(m.household_id.clone()).or_default().push(member_view(m));
    }
    let mut taxes: HashMap<String, TaxArrears> = store::tax_arrears_of(&state.db, insurer, &ids)
        .await?
        .into_iter()
        .map(|t| (t.household_id.clone(), tax_view(t)))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let mine = members.remove(&h.id).unwrap_or_default();
        let tax = taxes.remove(&h.id);
        let data = HouseholdData::of(&h)?;
        out.push(Household {
            id: h.id,
            household_number: data.household_number,
            head_name: data.head_name,
            address: Address {
                postal_code: data.postal_code,
                prefecture: data.prefecture,
                city: data.city,
                line: data.address_line,
            },
            phone: data.phone,
            income_categories: data.income_categories,
            tax_arrears: tax,
            members: mine,
            version: h.version,
            created_at: h.created_at,
            updated_at: h.updated_at,
        });
    }
    Ok(out)
}

async fn view(state: &AppState, insurer: &str, row: household::Model) -> Result<Household, ApiError> {
    views(state, insurer, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("household view".into()))
}

/// Register a household (世帯).
#[utoipa::path(
    tag = "households",
    request_body = NewHousehold,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    responses(
        (status = 201, description = "Created", body = Household),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "household_number taken, or Idempotency-Key reused", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:write"]))
)]
#[post("/households")]
pub async fn create_household(
    auth: Auth<HouseholdsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<NewHousehold>,
) -> Result<HttpResponse, ApiError> {
    let b = body.value;
    let data = check(HouseholdData {
        household_number: b.household_number,
        head_name: b.head_name,
        postal_code: b.address.postal_code,
        prefecture: b.address.prefecture,
        city: b.address.city,
        address_line: b.address.line,
        phone: b.phone,
        income_categories: b.income_categories,
    })?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let row = store::create(&state.db, &auth.actor(), &data).await.map_err(taken)?;
        let version = row.version;
        Ok(Answer::created(view(&state, auth.insurer(), row).await?, version))
    })
    .await
}

/// List households, optionally by household number.
#[utoipa::path(
    tag = "households",
    params(HouseholdQuery),
    responses(
        (status = 200, description = "A page of households", body = ListPage<Household>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:read"]))
)]
#[get("/households")]
pub async fn list_households(
    auth: Auth<HouseholdsRead>,
    state: web::Data<AppState>,
    q: web::Query<HouseholdQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let rows = store::list(&state.db, auth.insurer(), q.household_number.as_deref(), &page).await?;
    let next_cursor = rows.next_cursor.clone();
    let items = views(&state, auth.insurer(), rows.items).await?;
    Ok(HttpResponse::Ok().json(ListPage { items, next_cursor }))
}

/// Read a household with its members.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id")),
    responses(
        (status = 200, description = "The household; ETag carries its version", body = Household),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:read"]))
)]
#[get("/households/{id}")]
pub async fn get_household(
    auth: Auth<HouseholdsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let version = row.version;
    Ok(with_etag(&view(&state, auth.insurer(), row).await?, version))
}

/// Change a household. Send `If-Match` with the version read to avoid lost updates.
#[utoipa::path(
    tag = "households",
    request_body = HouseholdPatch,
    params(
        ("id" = String, Path, description = "Household id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read; 412 when it is stale"),
    ),
    responses(
        (status = 200, description = "The changed household", body = Household),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "household_number taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:write"]))
)]
#[patch("/households/{id}")]
pub async fn update_household(
    auth: Auth<HouseholdsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<HouseholdPatch>,
) -> Result<HttpResponse, ApiError> {
    let current = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    check_version(if_match(&req)?, current.version)?;
    let p = body.value;
    let mut data = HouseholdData::of(&current)?;
    if let Some(n) = p.household_number {
        data.household_number = n;
    }
    if let Some(n) = p.head_name {
        data.head_name = n;
    }
    if let Some(a) = p.address {
        data.postal_code = a.postal_code;
        data.prefecture = a.prefecture;
        data.city = a.city;
        data.address_line = a.line;
    }
    if let Some(phone) = p.phone {
        data.phone = phone;
    }
    if let Some(c) = p.income_categories {
        data.income_categories = c;
    }
    let data = check(data)?;
    match store::update(&state.db, &auth.actor(), &current, &data)
        .await
        .map_err(taken)?
    {
        Updated::Done(row) => {
            let version = row.version;
            Ok(with_etag(&view(&state, auth.insurer(), row).await?, version))
        }
        Updated::Stale { current } => Err(ApiError::PreconditionFailed { current }),
    }
}

/// Report a household's unpaid NHI tax (国保税の滞納額), replacing the last report.
#[utoipa::path(
    tag = "households",
    request_body = TaxArrearsReport,
    params(("id" = String, Path, description = "Household id")),
    responses(
        (status = 200, description = "The arrears as stored", body = TaxArrears),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:write"]))
)]
#[put("/households/{id}/tax-arrears")]
pub async fn put_tax_arrears(
    auth: Auth<HouseholdsWrite>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<TaxArrearsReport>,
) -> Result<HttpResponse, ApiError> {
    let b = body.value;
    if b.amount < 0 {
        return Err(ApiError::validation("amount", "must not be negative"));
    }
    store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let row = store::put_tax_arrears(&state.db, &auth.actor(), &id, b.amount, b.as_of).await?;
    Ok(HttpResponse::Ok().json(tax_view(row)))
}
