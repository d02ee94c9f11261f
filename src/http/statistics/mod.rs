//! `/v1/statistics/*`: figures computed from the stored records at query time. Every endpoint
//! answers JSON, or CSV when asked with `Accept: text/csv`.
//!
//! One file per report; `dto` holds the wire types. Every report also answers CSV (`Accept:
//! text/csv`), RFC 4180 with CRLF line ends.

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::header;
use rust_decimal::Decimal;

mod activity;
mod adjustments;
mod applications;
mod benefits;
mod cards;
pub mod dto;
mod recovery;

pub use activity::*;
pub use adjustments::*;
pub use applications::*;
pub use benefits::*;
pub use cards::*;
pub use dto::*;
pub use recovery::*;

/// `?format=` and `?bom=` of any report, read apart from the report's own parameters.
#[derive(Debug, Default, serde::Deserialize)]
struct Output {
    format: Option<OutputFormat>,
    bom: Option<bool>,
}

fn output(req: &HttpRequest) -> Output {
    actix_web::web::Query::<Output>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// Whether the client asked for CSV: `?format=csv`, or `Accept: text/csv` without `?format=json`.
fn wants_csv(req: &HttpRequest) -> bool {
    match output(req).format {
        Some(OutputFormat::Csv) => true,
        Some(OutputFormat::Json) => false,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with("text/csv"))),
    }
}

/// A CSV answer: a header line and rows, CRLF line ends (RFC 4180); a UTF-8 BOM first with
/// `?bom=true`.
fn csv(req: &HttpRequest, header: &[&str], rows: &[Vec<String>]) -> HttpResponse {
    let escape = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = if output(req).bom == Some(true) {
        String::from('\u{feff}')
    } else {
        String::new()
    };
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(out)
}

/// A rate as a CSV cell: `76.07`, or empty when there is none.
fn csv_rate(r: Option<Decimal>) -> String {
    r.map(|x| x.to_string()).unwrap_or_default()
}

/// A count as a CSV cell, empty when there is none.
fn cell(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}
