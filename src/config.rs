//! Settings from the environment, each with a safe default so that `cargo run` serves with no
//! configuration at all.
//!
//! | variable | default |
//! |---|---|
//! | `DATABASE_URL` | `sqlite://hokensha.db?mode=rwc` (a file in the working directory, created if missing) |
//! | `HOKENSHA_LISTEN` | `127.0.0.1:8080` |
//! | `HOKENSHA_JWT_SECRET` | unset: a random secret per process, and one admin token logged at start |
//! | `HOKENSHA_MAX_JSON_BYTES` | `262144` (256 KiB) for JSON bodies; NDJSON imports stream without limit |
//! | `HOKENSHA_LOG_FORMAT` | `text`; `json` for one JSON object per log line |
//! | `HOKENSHA_REMITTERS` | unset: no transfer files. JSON object keyed by insurer number, each `{remitter_code, remitter_name_kana, bank_code, bank_name_kana, branch_code, branch_name_kana, account_type, account_number}`: the insurer as the remitting bank's customer (振込依頼人), for the 全銀 総合振込 header |
//! | `RUST_LOG` | `info` |

use std::collections::BTreeMap;
use std::env;

/// The default database: a SQLite file beside the process, created when missing.
/// Days an event stays in the feed unless configured.
pub const DEFAULT_EVENT_RETENTION_DAYS: u32 = 30;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://hokensha.db?mode=rwc";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_JSON_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    /// `None`: the server makes a random secret for the process.
    pub jwt_secret: Option<String>,
    pub max_json_bytes: usize,
    pub log_json: bool,
    /// The remitter of each insurer's transfer files, by insurer number.
    pub remitters: BTreeMap<String, RemitterSettings>,
    /// How long events stay in the feed (`HOKENSHA_EVENT_RETENTION_DAYS`, default 30).
    pub event_retention_days: u32,
    /// Webhook receivers that may resolve to loopback or private addresses
    /// (`HOKENSHA_WEBHOOK_ALLOW_HOSTS`, comma-separated host names or addresses).
    pub webhook_allow_hosts: Vec<String>,
    /// The first retry delay of a failed delivery, doubling with jitter
    /// (`HOKENSHA_WEBHOOK_RETRY_BASE_SECONDS`, default 30).
    pub webhook_retry_base_seconds: u64,
}

pub use crate::domain::zengin::RemitterSettings;

/// Reads `HOKENSHA_REMITTERS`, refusing a remitter the bank file could not carry.
fn remitters_from(json: Option<String>) -> Result<BTreeMap<String, RemitterSettings>, ConfigError> {
    let Some(json) = json.filter(|s| !s.trim().is_empty()) else {
        return Ok(BTreeMap::new());
    };
    let map: BTreeMap<String, RemitterSettings> =
        serde_json::from_str(&json).map_err(|e| ConfigError(format!("HOKENSHA_REMITTERS: {e}")))?;
    for (insurer, r) in &map {
        r.remitter()
            .map_err(|e| ConfigError(format!("HOKENSHA_REMITTERS[{insurer}]: {e}")))?;
    }
    Ok(map)
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let jwt_secret = env::var("HOKENSHA_JWT_SECRET").ok().filter(|s| !s.is_empty());
        if let Some(s) = &jwt_secret
            && s.len() < 32
        {
            return Err(ConfigError("HOKENSHA_JWT_SECRET must be at least 32 bytes".into()));
        }
        let max_json_bytes = match env::var("HOKENSHA_MAX_JSON_BYTES") {
            Ok(v) => v
                .parse()
                .map_err(|_| ConfigError("HOKENSHA_MAX_JSON_BYTES must be a number of bytes".into()))?,
            Err(_) => DEFAULT_MAX_JSON_BYTES,
        };
        Ok(Self {
            database_url: env::var("DATABASE_URL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            listen: env::var("HOKENSHA_LISTEN")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
            jwt_secret,
            max_json_bytes,
            log_json: env::var("HOKENSHA_LOG_FORMAT").is_ok_and(|v| v == "json"),
            remitters: remitters_from(env::var("HOKENSHA_REMITTERS").ok())?,
            event_retention_days: match env::var("HOKENSHA_EVENT_RETENTION_DAYS") {
                Ok(v) => v
                    .parse()
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| ConfigError("HOKENSHA_EVENT_RETENTION_DAYS must be 1 to 3650 days".into()))?,
                Err(_) => DEFAULT_EVENT_RETENTION_DAYS,
            },
            webhook_allow_hosts: env::var("HOKENSHA_WEBHOOK_ALLOW_HOSTS")
                .unwrap_or_default()
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            webhook_retry_base_seconds: match env::var("HOKENSHA_WEBHOOK_RETRY_BASE_SECONDS") {
                Ok(v) => v
                    .parse()
                    .ok()
                    .filter(|s| *s <= 3_600)
                    .ok_or_else(|| ConfigError("HOKENSHA_WEBHOOK_RETRY_BASE_SECONDS must be 0 to 3600".into()))?,
                Err(_) => 30,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remitters_are_read_and_checked() {
        assert!(remitters_from(None).unwrap().is_empty());
        let good = r#"{"132001": {"remitter_code": "1234567890", "remitter_name_kana": "ｺｸﾎｹﾝ",
            "bank_code": "0001", "bank_name_kana": "ﾐｽﾞﾎ", "branch_code": "001",
            "branch_name_kana": "ﾎﾝﾃﾝ", "account_type": "ordinary", "account_number": "1234567"}}"#;
        let map = remitters_from(Some(good.into())).unwrap();
        assert!(map["132001"].remitter().is_ok());
        let bad = good.replace("0001", "01");
        let e = remitters_from(Some(bad)).unwrap_err();
        assert!(e.0.contains("bank_code"), "{}", e.0);
        assert!(remitters_from(Some("{".into())).is_err());
    }
}
