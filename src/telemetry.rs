//! Logging, request ids and metrics. Every request gets an id (`X-Request-Id` when the caller
//! sends a sane one, else a new UUID), echoed in the answer and carried by every log line of the
//! request through its span. Logs never carry personal data: only ids, routes and figures.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use crate::http::auth::RequestId;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Upper bounds of the latency histogram, in microseconds, with their Prometheus labels.
const BUCKETS: [(u64, &str); 10] = [
    (1_000, "0.001"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
    (5_000_000, "5"),
];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_micros: u64,
}

/// Request counts and latency histograms by method and route pattern.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, micros: u64) {
        let Ok(mut routes) = self.routes.lock() else { return };
        let s = routes.entry((method.to_string(), route.to_string())).or_default();
        *s.by_status.entry(status).or_default() += 1;
        for (i, (le, _)) in BUCKETS.iter().enumerate() {
            if micros <= *le {
                s.buckets[i] += 1;
            }
        }
        s.count += 1;
        s.sum_micros += micros;
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let Ok(routes) = self.routes.lock() else {
            return String::new();
        };
        let mut out = String::from(
            "# HELP hokensha_http_requests_total Requests served, by method, route and status.\n# TYPE hokensha_http_requests_total counter\n",
        );
        for ((method, route), s) in routes.iter() {
            for (status, n) in &s.by_status {
                out.push_str(&format!(
                    "hokensha_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"
                ));
            }
        }
        out.push_str("# HELP hokensha_http_request_duration_seconds Request latency, by method and route.\n# TYPE hokensha_http_request_duration_seconds histogram\n");
        for ((method, route), s) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (i, (_, le)) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "hokensha_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "hokensha_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "hokensha_http_request_duration_seconds_sum{{{labels}}} {}.{:06}\n",
                s.sum_micros / 1_000_000,
                s.sum_micros % 1_000_000
            ));
            out.push_str(&format!(
                "hokensha_http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        out
    }
}

fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let ok = (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| v.to_string())
}

/// The middleware: request id, span, access log line and metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let metrics = req.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut res = result?;
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let status = res.status().as_u16();
    if let Some(m) = metrics {
        m.observe(&method, &route, status, micros);
    }
    span.in_scope(|| tracing::info!(status, route = %route, micros, "served"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// Installs the log subscriber: `RUST_LOG` filters (default `info`), JSON lines when asked.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_histograms() {
        let m = Metrics::default();
        m.observe("GET", "/v1/households/{id}", 200, 1_500);
        m.observe("GET", "/v1/households/{id}", 404, 20_000);
        let text = m.render();
        assert!(
            text.contains(
                "hokensha_http_requests_total{method=\"GET\",route=\"/v1/households/{id}\",status=\"200\"} 1"
            )
        );
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.025\"} 2"));
        assert!(text.contains("_sum{method=\"GET\",route=\"/v1/households/{id}\"} 0.021500"));
    }
}
