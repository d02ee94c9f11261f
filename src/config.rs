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
//! | `RUST_LOG` | `info` |

use std::env;

/// The default database: a SQLite file beside the process, created when missing.
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
        })
    }
}
