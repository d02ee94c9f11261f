//! `/v1/households`: households (世帯), their members and reported tax arrears (国保税の滞納額).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, if_match, nullable, page_request};
use super::idempotency::{Answer, idempotent, with_etag};
use super::members::{Member, member_view};
use super::paging::ListPage;
use crate::domain::Violations;
use crate::domain::household::{self as rules, HouseholdData, IncomeCategoryPeriod};
use crate::domain::ids::HouseholdId;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{HouseholdsRead, HouseholdsWrite};
use crate::http::extract::path_id;
use crate::service::households::{self as service, HouseholdRecord};
use crate::state::AppState;

/// A postal address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// 郵便番号, `123-4567` (or 7 digits).
    #[schema(pattern = r"^[0-9]{3}-?[0-9]{4}$")]
    pub postal_code: String,
    /// 都道府県: 1 to 10 characters once outer spaces are trimmed, no control characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,8}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub prefecture: String,
    /// 市区町村: 1 to 100 characters once outer spaces are trimmed, no control characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,98}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub city: String,
    /// The rest of the address: 1 to 200 characters once outer spaces are trimmed, no control
    /// characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,198}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub line: String,
}

/// A new household.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    /// 世帯番号, unique per insurer: 1 to 20 ASCII letters, digits or hyphens.
    #[schema(min_length = 1, max_length = 20, pattern = r"^[A-Za-z0-9-]{1,20}$")]
    pub household_number: String,
    /// 世帯主氏名: 1 to 100 characters once outer spaces are trimmed, no control characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,98}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub head_name: String,
    pub address: Address,
    /// ASCII digits with optional hyphens, 10 or 11 digits, beginning and ending with a digit.
    #[serde(default)]
    #[schema(pattern = r"^[0-9](?:-*[0-9]){9,10}$")]
    pub phone: Option<String>,
    /// 所得区分 by period; periods must not overlap.
    #[serde(default)]
    pub income_categories: Vec<IncomeCategoryPeriod>,
}

/// Changes to a household; absent fields stay as they are, `phone: null` clears the phone.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HouseholdPatch {
    #[schema(min_length = 1, max_length = 20, pattern = r"^[A-Za-z0-9-]{1,20}$")]
    pub household_number: Option<String>,
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,98}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub head_name: Option<String>,
    pub address: Option<Address>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9](?:-*[0-9]){9,10}$")]
    pub phone: Option<Option<String>>,
    pub income_categories: Option<Vec<IncomeCategoryPeriod>>,
}

/// Unpaid NHI tax as the tax system reports it.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TaxArrearsReport {
    /// Whole yen, not negative.
    #[validate(range(min = 0, message = "must not be negative"))]
    #[schema(minimum = 0)]
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
    #[param(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub household_number: Option<String>,
    /// Only what was written at or after this instant (RFC 3339), for polling.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// 1..500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

fn tax_view(t: rules::TaxArrears) -> TaxArrears {
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

/// The wire view of a household with its members and tax arrears.
fn view(r: HouseholdRecord) -> Household {
    let h = r.household;
    let data = h.data;
    Household {
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
        tax_arrears: r.tax_arrears.map(tax_view),
        members: r.members.into_iter().map(member_view).collect(),
        version: h.version,
        created_at: h.created_at,
        updated_at: h.updated_at,
    }
}

/// Register a household (世帯).
#[utoipa::path(
    tag = "households",
    request_body = NewHousehold,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
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
        let r = service::create(&state.db, &auth.actor(), &data).await?;
        let version = r.household.version;
        Ok(Answer::created(view(r), version))
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
    let page = service::list(
        &state.db,
        auth.insurer(),
        q.household_number.as_deref(),
        q.updated_since,
        &page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ListPage::from(page.map(view))))
}

/// Read a household with its members.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id", format = Uuid)),
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
    let r = service::get(
        &state.db,
        auth.insurer(),
        &path_id::<HouseholdId>(&id, ErrorCode::HouseholdNotFound)?,
    )
    .await?;
    let version = r.household.version;
    Ok(with_etag(&view(r), version))
}

/// Change a household. Send `If-Match` with the version read to avoid lost updates.
#[utoipa::path(
    tag = "households",
    request_body = HouseholdPatch,
    params(
        ("id" = String, Path, description = "Household id", format = Uuid),
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
    let p = body.value;
    let change = |mut data: HouseholdData| {
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
        check(data)
    };
    let r = service::update(
        &state.db,
        &auth.actor(),
        &path_id::<HouseholdId>(&id, ErrorCode::HouseholdNotFound)?,
        if_match(&req)?,
        change,
    )
    .await?;
    let version = r.household.version;
    Ok(with_etag(&view(r), version))
}

/// Report a household's unpaid NHI tax (国保税の滞納額), replacing the last report.
#[utoipa::path(
    tag = "households",
    request_body = TaxArrearsReport,
    params(("id" = String, Path, description = "Household id", format = Uuid)),
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
    let t = service::report_tax_arrears(
        &state.db,
        &auth.actor(),
        &path_id::<HouseholdId>(&id, ErrorCode::HouseholdNotFound)?,
        b.amount,
        b.as_of,
    )
    .await?;
    Ok(HttpResponse::Ok().json(tax_view(t)))
}
