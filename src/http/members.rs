//! `/v1/households/{id}/members` and `/v1/members/{id}`: insured members (被保険者).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{Body, if_match, nullable};
use super::idempotency::{Answer, idempotent, with_etag};
use super::paging::ListPage;
use crate::domain::Violations;
use crate::domain::household::parse_text;
use crate::domain::ids::{HouseholdId, MemberId};
use crate::domain::member::{
    self as rules, InsuredNumber, LossReason, MemberData, MemberDates, Relationship, Sex, parse_kana_name,
};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{HouseholdsRead, HouseholdsWrite};
use crate::http::extract::path_id;
use crate::service::households as service;
use crate::state::AppState;

/// 記号・番号・枝番, unique per insurer; mirrors the server's `member::InsuredNumber` with the
/// checks of its `validate`.
#[derive(ToSchema)]
#[schema(as = InsuredNumber)]
#[serde(deny_unknown_fields)]
pub struct InsuredNumberSchema {
    /// 記号: 1 to 20 characters, no spaces, control characters or `|`.
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = r"^[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000|]{1,20}$"
    )]
    pub symbol: String,
    /// 番号: 1 to 10 ASCII digits.
    #[schema(min_length = 1, max_length = 10, pattern = r"^[0-9]{1,10}$")]
    pub number: String,
    /// 枝番: exactly 2 ASCII digits.
    #[schema(min_length = 2, max_length = 2, pattern = r"^[0-9]{2}$")]
    pub branch: String,
}

/// A new member of a household.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// 記号・番号・枝番, unique per insurer.
    #[schema(value_type = InsuredNumberSchema)]
    pub insured_number: InsuredNumber,
    /// 氏名: 1 to 100 characters once outer spaces are trimmed, no control characters.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,98}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// 氏名カナ, full-width katakana (and spaces between), 1 to 100 characters once trimmed.
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\u30A1-\u30FE](?:[\u30A1-\u30FE \u3000]{0,98}[\u30A1-\u30FE])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// 続柄; a household has at most one `head`.
    pub relationship: Relationship,
    /// 資格取得日
    pub acquired_on: NaiveDate,
    /// 資格喪失日: the first day without eligibility; not before `acquired_on`.
    #[serde(default)]
    pub lost_on: Option<NaiveDate>,
    #[serde(default)]
    pub loss_reason: Option<LossReason>,
    #[serde(default)]
    pub died_on: Option<NaiveDate>,
}

/// Changes to a member; absent fields stay, `null` clears `lost_on`, `loss_reason`, `died_on`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    #[schema(value_type = Option<InsuredNumberSchema>)]
    pub insured_number: Option<InsuredNumber>,
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]{0,98}[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        pattern = r"^[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\u30A1-\u30FE](?:[\u30A1-\u30FE \u3000]{0,98}[\u30A1-\u30FE])?[\t\n\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name_kana: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub relationship: Option<Relationship>,
    pub acquired_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub lost_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LossReason>)]
    pub loss_reason: Option<Option<LossReason>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub died_on: Option<Option<NaiveDate>>,
}

/// An insured member.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub id: String,
    pub household_id: String,
    #[schema(value_type = InsuredNumberSchema)]
    pub insured_number: InsuredNumber,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    #[schema(value_type = Sex)]
    pub sex: String,
    #[schema(value_type = Relationship)]
    pub relationship: String,
    pub acquired_on: NaiveDate,
    pub lost_on: Option<NaiveDate>,
    #[schema(value_type = Option<LossReason>)]
    pub loss_reason: Option<String>,
    pub died_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn member_view(m: rules::Member) -> Member {
    let d = m.data;
    Member {
        id: m.id,
        household_id: m.household_id,
        insured_number: d.insured_number,
        name: d.name,
        name_kana: d.name_kana,
        birth_date: d.birth_date,
        sex: d.sex.as_str().to_string(),
        relationship: d.relationship.as_str().to_string(),
        acquired_on: d.acquired_on,
        lost_on: d.lost_on,
        loss_reason: d.loss_reason.map(|r| r.as_str().to_string()),
        died_on: d.died_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn check(data: MemberData, today: NaiveDate) -> Result<MemberData, ApiError> {
    let mut v = Violations::new();
    if let Err(e) = data.insured_number.validate() {
        v.absorb("insured_number", e);
    }
    let name = v.check("name", parse_text(&data.name, 100));
    let name_kana = v.check("name_kana", parse_kana_name(&data.name_kana));
    let dates = MemberDates {
        birth_date: data.birth_date,
        acquired_on: data.acquired_on,
        lost_on: data.lost_on,
        died_on: data.died_on,
    };
    if let Err(e) = dates.validate(today) {
        v.absorb("", e);
    }
    if data.loss_reason.is_some() && data.lost_on.is_none() {
        v.push("loss_reason", "needs lost_on");
    }
    let (Some(name), Some(name_kana)) = (name, name_kana) else {
        return Err(v.into());
    };
    v.finish(MemberData {
        name,
        name_kana,
        ..data
    })
    .map_err(Into::into)
}

/// Add a member to a household.
#[utoipa::path(
    tag = "households",
    request_body = NewMember,
    params(
        ("id" = String, Path, description = "Household id", format = Uuid),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"),
    ),
    responses(
        (status = 201, description = "Created", body = Member),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "insured_number taken, a second head, or Idempotency-Key reused", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:write"]))
)]
#[post("/households/{id}/members")]
pub async fn create_member(
    auth: Auth<HouseholdsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<NewMember>,
) -> Result<HttpResponse, ApiError> {
    let household_id = path_id::<HouseholdId>(&id, ErrorCode::HouseholdNotFound)?;
    service::household(&state.db, auth.insurer(), &household_id).await?;
    let b = body.value;
    let data = check(
        MemberData {
            insured_number: b.insured_number,
            name: b.name,
            name_kana: b.name_kana,
            birth_date: b.birth_date,
            sex: b.sex,
            relationship: b.relationship,
            acquired_on: b.acquired_on,
            lost_on: b.lost_on,
            loss_reason: b.loss_reason,
            died_on: b.died_on,
        },
        state.clock.today(),
    )?;
    idempotent(&state, &req, auth.insurer(), &body.digest, || async {
        let m = service::add_member(&state.db, &auth.actor(), &household_id, &data).await?;
        let version = m.version;
        Ok(Answer::created(member_view(m), version))
    })
    .await
}

/// Which member to look up: by the printed insured number, or by its three parts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// `記号-番号-枝番`, e.g. `東1-1234-00`.
    #[param(
        pattern = r"^[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000|]{1,20}-[0-9]{1,10}-[0-9]{2}$"
    )]
    pub insured_number: Option<String>,
    /// 記号 (with `number` and `branch`).
    #[param(
        min_length = 1,
        max_length = 20,
        pattern = r"^[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000|]{1,20}$"
    )]
    pub symbol: Option<String>,
    /// 番号.
    #[param(min_length = 1, max_length = 10, pattern = r"^[0-9]{1,10}$")]
    pub number: Option<String>,
    /// 枝番.
    #[param(min_length = 2, max_length = 2, pattern = r"^[0-9]{2}$")]
    pub branch: Option<String>,
}

/// Look a member up by insured number (記号・番号・枝番): a list as every list is, holding that
/// member or none.
#[utoipa::path(
    tag = "households",
    params(MemberQuery),
    responses(
        (status = 200, description = "The member with that insured number, or none", body = ListPage<Member>),
        (status = 400, description = "Unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No insured number, or not one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:read"]))
)]
#[get("/members")]
pub async fn find_members(
    auth: Auth<HouseholdsRead>,
    state: web::Data<AppState>,
    q: web::Query<MemberQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let n = match (q.insured_number, q.symbol, q.number, q.branch) {
        (Some(printed), None, None, None) => InsuredNumber::parse_printed(&printed)
            .ok_or_else(|| ApiError::validation("insured_number", "must be 記号-番号-枝番 (e.g. 東1-1234-00)"))?,
        (None, Some(symbol), Some(number), Some(branch)) => {
            let n = InsuredNumber { symbol, number, branch };
            if let Err(v) = n.validate() {
                let mut e = crate::domain::Violations::new();
                e.absorb("", v);
                return Err(e.into());
            }
            n
        }
        _ => {
            return Err(ApiError::validation(
                "insured_number",
                "give insured_number, or symbol, number and branch together",
            ));
        }
    };
    let items = service::members_by_insured_number(&state.db, auth.insurer(), &n)
        .await?
        .into_iter()
        .map(member_view)
        .collect();
    Ok(HttpResponse::Ok().json(ListPage::<Member> {
        items,
        next_cursor: None,
    }))
}

/// Read a member.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Member id", format = Uuid)),
    responses(
        (status = 200, description = "The member; ETag carries its version", body = Member),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:read missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member for this insurer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:read"]))
)]
#[get("/members/{id}")]
pub async fn get_member(
    auth: Auth<HouseholdsRead>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = service::member(
        &state.db,
        auth.insurer(),
        &path_id::<MemberId>(&id, ErrorCode::MemberNotFound)?,
    )
    .await?;
    let version = m.version;
    Ok(with_etag(&member_view(m), version))
}

/// Change a member (e.g. record the loss of eligibility). Send `If-Match` with the version read.
#[utoipa::path(
    tag = "households",
    request_body = MemberPatch,
    params(
        ("id" = String, Path, description = "Member id", format = Uuid),
        ("If-Match" = Option<String>, Header, description = "The ETag read; 412 when it is stale"),
    ),
    responses(
        (status = 200, description = "The changed member", body = Member),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope households:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member for this insurer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "insured_number taken, or a second head", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["households:write"]))
)]
#[patch("/members/{id}")]
pub async fn update_member(
    auth: Auth<HouseholdsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Body<MemberPatch>,
) -> Result<HttpResponse, ApiError> {
    let p = body.value;
    let today = state.clock.today();
    let change = |mut d: MemberData| {
        if let Some(x) = p.insured_number {
            d.insured_number = x;
        }
        if let Some(x) = p.name {
            d.name = x;
        }
        if let Some(x) = p.name_kana {
            d.name_kana = x;
        }
        if let Some(x) = p.birth_date {
            d.birth_date = x;
        }
        if let Some(x) = p.sex {
            d.sex = x;
        }
        if let Some(x) = p.relationship {
            d.relationship = x;
        }
        if let Some(x) = p.acquired_on {
            d.acquired_on = x;
        }
        if let Some(x) = p.lost_on {
            d.lost_on = x;
        }
        if let Some(x) = p.loss_reason {
            d.loss_reason = x;
        }
        if let Some(x) = p.died_on {
            d.died_on = x;
        }
        check(d, today)
    };
    let m = service::update_member(
        &state.db,
        &auth.actor(),
        today,
        &path_id::<MemberId>(&id, ErrorCode::MemberNotFound)?,
        if_match(&req)?,
        change,
    )
    .await?;
    let version = m.version;
    Ok(with_etag(&member_view(m), version))
}
