//! `POST /v1/claims/import`: NDJSON bulk import of claims. The body is streamed: it is split into
//! lines as it arrives and written in batches, each in one transaction, so memory stays flat
//! whatever the file's size. A bad line is reported with its number and never stops the good
//! ones; importing the same file again changes nothing (claims are matched by `claim_number`).
//! When the connection or the database fails midway, the batches already written stay written
//! and sending the same file again completes the rest.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::claims::ClaimInput;
use super::extract::{has_control_characters, parse_json};
use crate::domain::claim::{ImportLine, LineError};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::auth::Auth;
use crate::http::auth::scope::ClaimsWrite;
use crate::service::claims::ClaimsImport;
use crate::state::AppState;

/// Lines written per transaction.
pub const BATCH_LINES: usize = 1000;
/// The longest line accepted; a longer one is reported and skipped.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Non-blank lines read.
    pub received: u64,
    pub created: u64,
    /// Known `claim_number`s whose content changed; their household-months are flagged for
    /// recalculation.
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Stored benefit determinations replaced because their claims changed.
    pub recalculated: u64,
    /// One entry per rejected line.
    pub errors: Vec<ImportError>,
}

/// Why one line was not stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportError {
    /// 1-based line number in the body.
    pub line: u64,
    pub claim_number: Option<String>,
    pub problem: String,
}

impl From<LineError> for ImportError {
    fn from(e: LineError) -> Self {
        Self {
            line: e.line,
            claim_number: e.claim_number,
            problem: e.problem,
        }
    }
}

/// One line as the splitter hands it over.
enum Line<'a> {
    Text(&'a [u8]),
    TooLong,
}

/// Splits a byte stream into lines (`\n` or `\r\n`) without holding more than one line.
struct LineSplitter {
    buf: Vec<u8>,
    line_no: u64,
    overflow: bool,
}

impl LineSplitter {
    fn new() -> Self {
        Self {
            buf: Vec::new(),
            line_no: 0,
            overflow: false,
        }
    }

    fn feed(&mut self, mut chunk: &[u8], out: &mut impl FnMut(u64, Line<'_>)) {
        while let Some(pos) = chunk.iter().position(|b| *b == b'\n') {
            self.line_no += 1;
            if self.overflow || self.buf.len() + pos > MAX_LINE_BYTES {
                out(self.line_no, Line::TooLong);
            } else if self.buf.is_empty() {
                out(self.line_no, Line::Text(&chunk[..pos]));
            } else {
                self.buf.extend_from_slice(&chunk[..pos]);
                out(self.line_no, Line::Text(&self.buf));
            }
            self.buf.clear();
            self.overflow = false;
            chunk = &chunk[pos + 1..];
        }
        if !self.overflow {
            if self.buf.len() + chunk.len() > MAX_LINE_BYTES {
                self.overflow = true;
                self.buf.clear();
            } else {
                self.buf.extend_from_slice(chunk);
            }
        }
    }

    fn finish(&mut self, out: &mut impl FnMut(u64, Line<'_>)) {
        if self.overflow {
            self.line_no += 1;
            out(self.line_no, Line::TooLong);
        } else if !self.buf.is_empty() {
            self.line_no += 1;
            let buf = std::mem::take(&mut self.buf);
            out(self.line_no, Line::Text(&buf));
        }
    }
}

#[derive(Deserialize)]
struct NumberOnly {
    claim_number: Option<String>,
}

/// Reads one line into the batch or the report.
fn take_line(line_no: u64, line: Line<'_>, batch: &mut Vec<ImportLine>, report: &mut ImportReport) {
    let text = match line {
        Line::TooLong => {
            report.received += 1;
            report.errors.push(ImportError {
                line: line_no,
                claim_number: None,
                problem: format!("line longer than {MAX_LINE_BYTES} bytes"),
            });
            return;
        }
        Line::Text(t) => t.strip_suffix(b"\r").unwrap_or(t),
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    report.received += 1;
    let checked = parse_json::<ClaimInput>(text).map_err(|e| e.to_string()).and_then(|c| {
        if has_control_characters(text) {
            return Err("validation failed: a string holds a control character".to_string());
        }
        c.check().map_err(|v| format!("validation failed: {v}"))
    });
    match checked {
        Ok((member, fields)) => batch.push(ImportLine {
            line: line_no,
            member,
            fields,
        }),
        Err(problem) => {
            let claim_number = serde_json::from_slice::<NumberOnly>(text)
                .ok()
                .and_then(|n| n.claim_number);
            report.errors.push(ImportError {
                line: line_no,
                claim_number,
                problem,
            });
        }
    }
}

fn is_ndjson(req: &HttpRequest) -> bool {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" | "application/x-jsonlines"
    )
}

/// Import claims from NDJSON, one claim object (as for `POST /v1/claims`) a line.
#[utoipa::path(
    tag = "claims",
    request_body(content = inline(crate::http::schema::Binary), content_type = "application/x-ndjson", description = "One ClaimInput JSON object a line (UTF-8), streamed: no size limit"),
    responses(
        (status = 200, description = "What was stored and what was rejected, line by line", body = ImportReport),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope claims:write missing", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/x-ndjson", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["claims:write"]))
)]
#[post("/claims/import")]
pub async fn import_claims(
    auth: Auth<ClaimsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !is_ndjson(&req) {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/x-ndjson",
        });
    }
    let mut report = ImportReport::default();
    let mut batch = Vec::with_capacity(BATCH_LINES);
    let mut import = ClaimsImport::new(&state.db, auth.actor());
    let mut splitter = LineSplitter::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: ErrorCode::PayloadError,
            detail: e.to_string(),
        })?;
        splitter.feed(&chunk, &mut |n, line| take_line(n, line, &mut batch, &mut report));
        if batch.len() >= BATCH_LINES {
            import.write(std::mem::take(&mut batch)).await?;
        }
    }
    splitter.finish(&mut |n, line| take_line(n, line, &mut batch, &mut report));
    import.write(batch).await?;
    let done = import.finish().await?;
    report.created = done.created;
    report.updated = done.updated;
    report.unchanged = done.unchanged;
    report.recalculated = done.recalculated;
    report.errors.extend(done.errors.into_iter().map(ImportError::from));
    report.errors.sort_by_key(|e| e.line);
    report.rejected = report.errors.len() as u64;
    tracing::info!(
        received = report.received,
        created = report.created,
        updated = report.updated,
        rejected = report.rejected,
        "claims imported"
    );
    Ok(HttpResponse::Ok().json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<(u64, Option<String>)> {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        let mut push = |n: u64, l: Line<'_>| {
            out.push((
                n,
                match l {
                    Line::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                    Line::TooLong => None,
                },
            ))
        };
        for c in chunks {
            s.feed(c, &mut push);
        }
        s.finish(&mut push);
        out
    }

    #[test]
    fn lines_across_chunks() {
        let got = split(&[b"ab", b"c\nde", b"f\n\ng"]);
        assert_eq!(
            got,
            vec![
                (1, Some("abc".into())),
                (2, Some("def".into())),
                (3, Some(String::new())),
                (4, Some("g".into()))
            ]
        );
    }

    #[test]
    fn overlong_lines_are_reported_once_and_skipped() {
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        let got = split(&[
            b"ok\n",
            &long[..MAX_LINE_BYTES / 2],
            &long[MAX_LINE_BYTES / 2..],
            b"\nnext\n",
        ]);
        assert_eq!(got, vec![(1, Some("ok".into())), (2, None), (3, Some("next".into()))]);
    }
}
