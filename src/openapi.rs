//! The root of the OpenAPI document: info, security scheme, shared schemas and tags. Paths and
//! their schemas are collected from the handlers by utoipa-actix-web when `app` registers them.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hokensha",
        description = "Back office of a Japanese public health insurer (国民健康保険 / 協会けんぽ): households and members, monthly claims (レセプト), the high-cost medical expense benefit (高額療養費), receivables (債権) and insurer-to-insurer adjustment (保険者間調整).\n\nAuth: `Authorization: Bearer <JWT>` (HS256). The `insurer` claim is the tenant; `scope` lists the scopes (each operation names the one it needs; `admin` grants all).\n\nErrors: `application/problem+json` (RFC 9457) with a stable `code`.\n\nLists: `?limit=` (1..500, default 50) and `?cursor=`; answers are `{items, next_cursor}`. Creating POSTs accept `Idempotency-Key`. Resources carry `version`, sent as `ETag`; a PATCH with a stale `If-Match` is 412.",
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "households", description = "Households (世帯), members (被保険者) and tax arrears"),
        (name = "claims", description = "Monthly claims (レセプト)"),
        (name = "benefits", description = "High-cost medical expense benefit (高額療養費)"),
        (name = "payments", description = "Automatic payment after a one-time registration (自動償還): registrations, payment runs, 全銀 transfer files, notices and application forms"),
        (name = "receivables", description = "Receivables (債権): ledger, actions, collections, write-off, late charges and limitation"),
        (name = "adjustments", description = "保険者間調整: requests to the new insurer, worked by the insurer or an outsourced agency"),
        (name = "statistics", description = "Figures computed from the records at query time; JSON, or CSV with Accept: text/csv"),
        (name = "operations", description = "Health, readiness, metrics and audit"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some("HS256 JWT with claims sub, insurer, scope, exp, iat and optional agency".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// The document's root before paths are added.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
