//! `/v1/households/{id}/members` and `/v1/members/{id}`: insured members (被保険者).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Body, check_version, if_match, nullable};
use super::idempotency::{Answer, idempotent, with_etag};
use crate::domain::Violations;
use crate::domain::household::parse_text;
use crate::domain::member::{InsuredNumber, LossReason, MemberDates, Relationship, Sex, parse_kana_name};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::{HouseholdsRead, HouseholdsWrite};
use crate::state::AppState;
use crate::store::entity::member;
use crate::store::households::{self as household_store, Updated};
use crate::store::members::{self as store, MemberData};

/// A new member of a household.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// 記号・番号・枝番, unique per insurer.
    pub insured_number: InsuredNumber,
    /// 氏名
    pub name: String,
    /// 氏名カナ, full-width katakana.
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub insured_number: Option<InsuredNumber>,
    pub name: Option<String>,
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

pub(crate) fn member_view(m: member::Model) -> Member {
    Member {
        insured_number: store::insured_number(&m),
        id: m.id,
        household_id: m.household_id,
        name: m.name,
        name_kana: m.name_kana,
        birth_date: m.birth_date,
        sex: m.sex,
        relationship: m.relationship,
        acquired_on: m.acquired_on,
        lost_on: m.lost_on,
        loss_reason: m.loss_reason,
        died_on: m.died_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound(ErrorCode::MemberNotFound)
}

/// Checks a member's data, naming every bad field.
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

fn conflict(e: sea_orm::DbErr) -> ApiError {
    if crate::store::is_unique_violation(&e) {
        ApiError::Conflict {
            code: ErrorCode::InsuredNumberTaken,
            detail: "another member has this insured_number".into(),
        }
    } else {
        e.into()
    }
}

/// 409 when the household already has another head (世帯主).
async fn ensure_one_head(
    state: &AppState,
    insurer: &str,
    household_id: &str,
    member_id: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(head) = store::head_of(&state.db, insurer, household_id).await?
        && Some(head.id.as_str()) != member_id
    {
        return Err(ApiError::Conflict {
            code: ErrorCode::HouseholdHasHead,
            detail: format!("member {} is already the head of this household", head.id),
        });
    }
    Ok(())
}

/// Add a member to a household.
#[utoipa::path(
    tag = "households",
    request_body = NewMember,
    params(
        ("id" = String, Path, description = "Household id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h"),
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
    let household = household_store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or(ApiError::NotFound(ErrorCode::HouseholdNotFound))?;
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
        if data.relationship == Relationship::Head {
            ensure_one_head(&state, auth.insurer(), &household.id, None).await?;
        }
        let row = store::create(&state.db, &auth.actor(), &household.id, &data)
            .await
            .map_err(conflict)?;
        let version = row.version;
        Ok(Answer::created(member_view(row), version))
    })
    .await
}

/// Read a member.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Member id")),
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
    let row = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    let version = row.version;
    Ok(with_etag(&member_view(row), version))
}

/// Change a member (e.g. record the loss of eligibility). Send `If-Match` with the version read.
#[utoipa::path(
    tag = "households",
    request_body = MemberPatch,
    params(
        ("id" = String, Path, description = "Member id"),
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
    let current = store::get(&state.db, auth.insurer(), &id)
        .await?
        .ok_or_else(not_found)?;
    check_version(if_match(&req)?, current.version)?;
    let p = body.value;
    let mut d = MemberData::of(&current)?;
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
    let data = check(d, state.clock.today())?;
    if data.relationship == Relationship::Head {
        ensure_one_head(&state, auth.insurer(), &current.household_id, Some(&current.id)).await?;
    }
    match store::update(&state.db, &auth.actor(), &current, &data, state.clock.today())
        .await
        .map_err(conflict)?
    {
        Updated::Done(row) => {
            let version = row.version;
            Ok(with_etag(&member_view(row), version))
        }
        Updated::Stale { current } => Err(ApiError::PreconditionFailed { current }),
    }
}
