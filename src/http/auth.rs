//! Authentication and authorization: HS256 JWTs whose `insurer` claim is the tenant, with
//! space-separated scopes and an optional outsourced `agency`. Handlers demand a scope by taking
//! an `Auth<S>` argument; the extractor answers 401 or 403 before the handler runs.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, http::header, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::domain::ids::InsurerNumber;
use crate::error::ApiError;

/// The claims of a hokensha token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The insurer number (保険者番号), 6 or 8 digits: the tenant.
    pub insurer: String,
    /// Space-separated scopes.
    pub scope: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// An outsourced agency's id (委託先).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// Who is calling, once the token has been checked.
#[derive(Debug, Clone)]
pub struct Principal {
    pub sub: String,
    pub insurer: String,
    pub scopes: Vec<String>,
    pub agency: Option<String>,
}

impl Principal {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope || s == ADMIN)
    }
}

/// The scope that grants everything.
pub const ADMIN: &str = "admin";

/// Every scope the server knows.
pub const SCOPES: &[&str] = &[
    "households:read",
    "households:write",
    "claims:read",
    "claims:write",
    "benefits:read",
    "benefits:write",
    "payments:read",
    "payments:write",
    "receivables:read",
    "receivables:write",
    "adjustments:read",
    "adjustments:write",
    "statistics:read",
    ADMIN,
];

/// Signing and verification keys built from the configured secret.
#[derive(Clone)]
pub struct AuthKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl AuthKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Signs a token for `insurer` with `scope`, valid for `ttl_seconds` from `now` (unix seconds).
    pub fn mint(
        &self,
        sub: &str,
        insurer: &str,
        scope: &str,
        agency: Option<&str>,
        now: i64,
        ttl_seconds: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: sub.to_string(),
            insurer: insurer.to_string(),
            scope: scope.to_string(),
            exp: now + ttl_seconds,
            iat: Some(now),
            agency: agency.map(str::to_string),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature (HS256 only: `alg: none` and every other algorithm fail), expiry, a
    /// not-before time (`nbf`, when given) and the tenant claim.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 0;
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            ApiError::Unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".to_string(),
                ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".to_string(),
                ErrorKind::InvalidSignature => "the token signature is not valid".to_string(),
                ErrorKind::InvalidAlgorithm => "the token must be signed with HS256".to_string(),
                _ => format!("the token is not valid: {e}"),
            })
        })?;
        let c = data.claims;
        let Some(insurer) = InsurerNumber::parse(&c.insurer) else {
            return Err(ApiError::Unauthorized(
                "the token's insurer claim must be a 6- or 8-digit insurer number".into(),
            ));
        };
        Ok(Principal {
            sub: c.sub,
            insurer: insurer.into_string(),
            scopes: c.scope.split_whitespace().map(str::to_string).collect(),
            agency: c.agency.filter(|a| !a.is_empty()),
        })
    }
}

/// 保険者番号: 6 digits (国保) or 8 digits (被用者保険); see [`InsurerNumber`].
pub fn is_insurer_number(s: &str) -> bool {
    InsurerNumber::parse(s).is_some()
}

/// The id of the request being served (`X-Request-Id`), set by the telemetry middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A scope an operation demands.
pub trait Scope {
    const NAME: &'static str;
}

macro_rules! scopes {
    ($($t:ident => $s:literal),+ $(,)?) => {
        $(
            #[doc = concat!("The `", $s, "` scope.")]
            pub struct $t;
            impl Scope for $t {
                const NAME: &'static str = $s;
            }
        )+
    };
}

/// Marker types, one per scope.
pub mod scope {
    use super::Scope;
    scopes! {
        HouseholdsRead => "households:read",
        HouseholdsWrite => "households:write",
        ClaimsRead => "claims:read",
        ClaimsWrite => "claims:write",
        BenefitsRead => "benefits:read",
        BenefitsWrite => "benefits:write",
        PaymentsRead => "payments:read",
        PaymentsWrite => "payments:write",
        ReceivablesRead => "receivables:read",
        ReceivablesWrite => "receivables:write",
        AdjustmentsRead => "adjustments:read",
        AdjustmentsWrite => "adjustments:write",
        StatisticsRead => "statistics:read",
        EventsRead => "events:read",
        WebhooksWrite => "webhooks:write",
        Admin => "admin",
    }
}

/// An authenticated caller holding scope `S` (or `admin`).
pub struct Auth<S: Scope> {
    pub principal: Principal,
    pub request_id: String,
    _scope: PhantomData<S>,
}

impl<S: Scope> Auth<S> {
    /// The tenant every query is scoped to.
    pub fn insurer(&self) -> &str {
        &self.principal.insurer
    }

    /// Who did it and in which request, for the audit trail.
    pub fn actor(&self) -> crate::domain::ids::Actor {
        crate::domain::ids::Actor {
            insurer: self.principal.insurer.clone(),
            sub: self.principal.sub.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// The actor with the agency of an agent's token.
    pub fn caller(&self) -> crate::service::adjustments::Caller {
        crate::service::adjustments::Caller {
            actor: self.actor(),
            agency: self.principal.agency.clone(),
        }
    }
}

fn authenticate(req: &HttpRequest, scope: &str) -> Result<Principal, ApiError> {
    let keys = req
        .app_data::<web::Data<AuthKeys>>()
        .ok_or_else(|| ApiError::Internal("auth keys not configured".into()))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not readable".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("expected `Authorization: Bearer <token>`".into()))?;
    let principal = keys.verify(token)?;
    if !principal.has_scope(scope) {
        return Err(ApiError::Forbidden(scope.to_string()));
    }
    // An outsourced agency works adjustment requests and nothing else, whatever its scopes say;
    // it reads the events of its own requests (the feed filters them).
    if principal.agency.is_some() && !scope.starts_with("adjustments:") && scope != "events:read" {
        return Err(ApiError::Forbidden(format!("{scope} (not open to an agency's token)")));
    }
    Ok(principal)
}

impl<S: Scope> FromRequest for Auth<S> {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        ready(authenticate(req, S::NAME).map(|principal| Auth {
            principal,
            request_id,
            _scope: PhantomData,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn minted_tokens_verify() {
        let keys = AuthKeys::from_secret(SECRET);
        let t = keys
            .mint(
                "vendor",
                "132001",
                "households:read claims:write",
                None,
                1_900_000_000,
                60,
            )
            .unwrap();
        let now = chrono::Utc::now().timestamp();
        let fresh = keys
            .mint("vendor", "132001", "households:read", Some("a1"), now, 60)
            .unwrap();
        let p = keys.verify(&fresh).unwrap();
        assert_eq!(p.insurer, "132001");
        assert_eq!(p.agency.as_deref(), Some("a1"));
        assert!(p.has_scope("households:read"));
        assert!(!p.has_scope("households:write"));
        assert!(keys.verify(&t).is_ok());
    }

    #[test]
    fn bad_tokens_are_refused() {
        let keys = AuthKeys::from_secret(SECRET);
        let now = chrono::Utc::now().timestamp();
        let expired = keys.mint("v", "132001", "admin", None, now - 7200, 60).unwrap();
        assert!(matches!(keys.verify(&expired), Err(ApiError::Unauthorized(_))));
        let other = AuthKeys::from_secret(b"another-secret-another-secret-xx");
        let forged = other.mint("v", "132001", "admin", None, now, 60).unwrap();
        assert!(matches!(keys.verify(&forged), Err(ApiError::Unauthorized(_))));
        let bad_tenant = keys.mint("v", "13200", "admin", None, now, 60).unwrap();
        assert!(matches!(keys.verify(&bad_tenant), Err(ApiError::Unauthorized(_))));
        assert!(keys.verify("not.a.token").is_err());
    }

    #[test]
    fn insurer_numbers() {
        assert!(is_insurer_number("132001"));
        assert!(is_insurer_number("01130012"));
        assert!(!is_insurer_number("1320011"));
        assert!(!is_insurer_number("13200a"));
    }
}
