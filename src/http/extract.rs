//! Request extraction with problem+json failures: a strict JSON body (`Body<T>`), the
//! `If-Match` and `Idempotency-Key` headers, and paging parameters.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};

use crate::config::DEFAULT_MAX_JSON_BYTES;
use crate::domain::page::{PageRequest, decode_cursor};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::state::AppState;

/// A JSON body, read within the configured size limit and deserialized strictly: unknown fields
/// and wrong types are 422 naming the field, malformed JSON is 400, another media type is 415.
/// The field constraints declared on the type with `validator` (lengths, ranges, patterns) are
/// checked next, every failing field named in one 422. Rules that need the domain or the store
/// (cross-field dates, lookups) are the handler's and the service's.
/// `digest` is the SHA-256 of the raw body (for `Idempotency-Key`).
pub struct Body<T> {
    pub value: T,
    pub digest: String,
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(DEFAULT_MAX_JSON_BYTES, |s| s.config.max_json_bytes);
        let content_type_ok = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut buf = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: ErrorCode::PayloadError,
                    detail: e.to_string(),
                })?;
                if buf.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
            let value = parse_json::<T>(&buf)?;
            if has_control_characters(&buf) {
                return Err(control_characters_in(&buf));
            }
            value.validate().map_err(invalid)?;
            Ok(Body {
                value,
                digest: hex::encode(Sha256::digest(&buf)),
            })
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The 422 of failed field constraints: one entry per failing field (`a.b`, `a[2].b`), in field
/// order, with the constraint's message.
pub fn invalid(e: ValidationErrors) -> ApiError {
    let mut out = Vec::new();
    flatten("", &e, &mut out);
    out.sort_by(|a: &FieldError, b| a.field.cmp(&b.field));
    ApiError::Validation(out)
}

fn flatten(prefix: &str, e: &ValidationErrors, out: &mut Vec<FieldError>) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    for (name, kind) in e.errors() {
        match kind {
            // A check of fields together (`schema`) names its field in the error's code.
            ValidationErrorsKind::Field(errors) if name == "__all__" => out.extend(errors.iter().map(|x| FieldError {
                field: join(&x.code),
                message: x.message.as_deref().map_or_else(|| x.code.to_string(), str::to_string),
            })),
            ValidationErrorsKind::Field(errors) => out.extend(errors.iter().map(|x| FieldError {
                field: join(name),
                message: x.message.as_deref().map_or_else(|| x.code.to_string(), str::to_string),
            })),
            ValidationErrorsKind::Struct(inner) => flatten(&join(name), inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{}[{i}]", join(name)), inner, out);
                }
            }
        }
    }
}

/// Deserializes one JSON document strictly, naming the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        json_error(&path, &inner)
    })?;
    de.end().map_err(|e| ApiError::MalformedJson(bare_message(&e)))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = bare_message(e);
    match e.classify() {
        Category::Data => {
            let base = if path == "." { String::new() } else { path.to_string() };
            // "unknown field `x`" and "missing field `x`" name the field one level down.
            let named = ["unknown field `", "missing field `"].iter().find_map(|p| {
                message
                    .strip_prefix(p)
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_string)
            });
            let field = match named {
                Some(name) if base.is_empty() => name,
                Some(name) if base == name || base.ends_with(&format!(".{name}")) => base,
                Some(name) => format!("{base}.{name}"),
                None if base.is_empty() => "body".to_string(),
                None => base,
            };
            ApiError::validation(field, message)
        }
        _ => ApiError::MalformedJson(message),
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The version an `If-Match` header demands: `None` when absent or `*`. A value that is no
/// version this server sent can never match, so it answers 412.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim();
    if s == "*" {
        return Ok(None);
    }
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    Ok(Some(s.parse::<i32>().unwrap_or(-1)))
}

/// The strong ETag of a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(s) if (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(s.to_string())),
        _ => Err(ApiError::BadRequest {
            code: ErrorCode::InvalidIdempotencyKey,
            detail: "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
        }),
    }
}

/// Reads `?limit=` (1..500, default 50) and `?cursor=`.
pub fn page_request(limit: Option<u64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "must be 1 to 500"));
    }
    let after = match cursor {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| ApiError::validation("cursor", "is not a cursor this server made"))?)
        }
        None => None,
    };
    Ok(PageRequest { after, limit })
}

/// A resource id from the path: a string that cannot be an id names no resource, so it is the
/// resource's 404 (`code`), as an unknown id is.
pub fn path_id<T: crate::domain::ids::Id>(s: &str, code: ErrorCode) -> Result<T, ApiError> {
    T::parse(s).ok_or(ApiError::NotFound(code))
}

/// Whether `c` is a control character no field of ours takes: C0 controls but tab, line feed and
/// carriage return, and DEL. (PostgreSQL cannot store U+0000 in text at all.)
pub fn is_forbidden_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// Whether a JSON document holds a forbidden control character in a string, escaped (`\u0000`)
/// or raw (DEL). A cheap scan of the bytes, so that bulk paths can afford it on every line.
pub fn has_control_characters(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0x7f => return true,
            b'\\' => {
                // `\b` (backspace) and `\f` (form feed) are the two controls with short escapes.
                if matches!(json.get(i + 1), Some(b'b' | b'f')) {
                    return true;
                }
                if json.get(i + 1) == Some(&b'u')
                    && let Some(hex) = json.get(i + 2..i + 6)
                    && let Ok(hex) = std::str::from_utf8(hex)
                    && let Ok(code) = u32::from_str_radix(hex, 16)
                    && char::from_u32(code).is_some_and(is_forbidden_control)
                {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// The 422 naming the first field whose string holds a forbidden control character.
fn control_characters_in(json: &[u8]) -> ApiError {
    fn find(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) => s.chars().any(is_forbidden_control).then(|| path.to_string()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| find(x, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                find(x, &p)
            }),
            _ => None,
        }
    }
    let field = serde_json::from_slice::<serde_json::Value>(json)
        .ok()
        .and_then(|v| find(&v, ""))
        .unwrap_or_default();
    ApiError::validation(field, "must not contain control characters")
}

/// Refuses a query string that holds a forbidden control character (422 naming the parameter):
/// filters go to the database, which must never see one.
pub async fn reject_control_characters_in_query(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let query = req.query_string();
    if !query.is_empty() {
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if value.chars().chain(name.chars()).any(is_forbidden_control) {
                return Err(ApiError::validation(name.into_owned(), "must not contain control characters").into());
            }
        }
    }
    next.call(req).await
}

/// `validator` check: some text besides spaces.
pub fn not_blank(s: &str) -> Result<(), validator::ValidationError> {
    if s.trim().is_empty() {
        return Err(validator::ValidationError::new("blank"));
    }
    Ok(())
}

/// `validator` check: a name of 1 to 200 characters, spaces not counting as one.
pub fn name_of_200(s: &str) -> Result<(), validator::ValidationError> {
    not_blank(s)?;
    if s.chars().count() > 200 {
        return Err(validator::ValidationError::new("length"));
    }
    Ok(())
}

/// `validator` check: an insurer number (保険者番号), 6 or 8 digits.
pub fn insurer_number(s: &str) -> Result<(), validator::ValidationError> {
    crate::domain::ids::InsurerNumber::parse(s)
        .map(|_| ())
        .ok_or_else(|| validator::ValidationError::new("insurer_number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Validate)]
    struct Line {
        #[validate(range(min = 1, message = "above zero"))]
        amount: i64,
    }

    #[derive(Debug, Validate)]
    #[validate(schema(function = "ordered", skip_on_field_errors = false))]
    struct Form {
        #[validate(custom(function = "not_blank", message = "must not be empty"))]
        name: String,
        #[validate(nested)]
        lines: Vec<Line>,
        from: i32,
        to: i32,
    }

    fn ordered(f: &Form) -> Result<(), validator::ValidationError> {
        if f.to < f.from {
            return Err(validator::ValidationError::new("to").with_message("before from".into()));
        }
        Ok(())
    }

    #[test]
    fn control_characters_are_found_escaped_or_raw_and_only_in_strings() {
        for bad in [
            &br#"{"a":"x\u0000y"}"#[..],
            br#"{"a":["ok","\u001F"]}"#,
            br#"{"a":"\u007f"}"#,
            b"{\"a\":\"\x7f\"}",
            br#"{"a":"form\ffeed"}"#,
            br#"{"a":"back\bspace"}"#,
        ] {
            assert!(has_control_characters(bad), "{}", String::from_utf8_lossy(bad));
        }
        for good in [
            &br#"{"a":"tab\tand\nlines\r\u0009"}"#[..],
            br#"{"a":"a backslash then u0000: \\u0000"}"#,
            br#"{"a":"a backslash then b and f: \\b \\f"}"#,
            br#"{"a":"\u00e9\u3042"}"#,
            br#"{"a":1}"#,
        ] {
            assert!(!has_control_characters(good), "{}", String::from_utf8_lossy(good));
        }
        let ApiError::Validation(errors) =
            control_characters_in(br#"{"debtor":{"name":"A\u0000"},"items":[{"x":"ok"},{"x":"\u0001"}]}"#)
        else {
            panic!("not a validation problem");
        };
        assert_eq!(errors[0].field, "debtor.name");
    }

    #[test]
    fn every_failed_constraint_is_one_field_error_in_field_order() {
        let form = Form {
            name: "  ".into(),
            lines: vec![Line { amount: 5 }, Line { amount: 0 }],
            from: 2,
            to: 1,
        };
        let ApiError::Validation(errors) = invalid(form.validate().unwrap_err()) else {
            panic!("not a validation problem");
        };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("lines[1].amount", "above zero"),
                ("name", "must not be empty"),
                ("to", "before from"),
            ]
        );
        assert!(
            Form {
                name: "x".into(),
                lines: vec![],
                from: 1,
                to: 1
            }
            .validate()
            .is_ok()
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        amount: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn field(e: ApiError) -> String {
        match e {
            ApiError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn names_the_failing_field() {
        let e = parse_json::<Outer>(br#"{"name":"x","items":[{"amount":1.5}]}"#).unwrap_err();
        assert_eq!(field(e), "items[0].amount");
        let e = parse_json::<Outer>(br#"{"name":"x","items":[],"nmae":1}"#).unwrap_err();
        assert_eq!(field(e), "nmae");
        let e = parse_json::<Outer>(br#"{"name":"x","items":[{"amount":1,"extra":2}]}"#).unwrap_err();
        assert_eq!(field(e), "items[0].extra");
        let e = parse_json::<Outer>(br#"{"items":[]}"#).unwrap_err();
        assert_eq!(field(e), "name");
    }

    #[test]
    fn malformed_json_is_not_validation() {
        assert!(matches!(
            parse_json::<Outer>(b"{\"name\":"),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(parse_json::<Outer>(b""), Err(ApiError::MalformedJson(_))));
        assert!(matches!(
            parse_json::<Outer>(br#"{"name":"x","items":[]} trailing"#),
            Err(ApiError::MalformedJson(_))
        ));
    }

    #[test]
    fn page_limits() {
        assert_eq!(page_request(None, None).unwrap().limit, 50);
        assert!(page_request(Some(0), None).is_err());
        assert!(page_request(Some(501), None).is_err());
        assert!(page_request(Some(10), Some("garbage")).is_err());
    }
}
