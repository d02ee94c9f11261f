//! The `hokensha` command: `serve` (the default), `migrate`, `token`, `openapi`.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rand::Rng;

use hokensha::app;
use hokensha::clock::Clock;
use hokensha::config::Config;
use hokensha::http::auth::{self, AuthKeys};
use hokensha::state::AppState;
use hokensha::{service, store, telemetry};

#[derive(Parser)]
#[command(
    name = "hokensha",
    version,
    about = "Back office of a Japanese public health insurer"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print a token signed with HOKENSHA_JWT_SECRET.
    Token {
        /// The insurer number (保険者番号), 6 or 8 digits: the tenant.
        #[arg(long)]
        insurer: String,
        /// Space-separated scopes, e.g. "households:write claims:write" or "admin".
        #[arg(long, default_value = "admin")]
        scope: String,
        /// An outsourced agency's id.
        #[arg(long)]
        agency: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
        /// The token's subject (who acts).
        #[arg(long, default_value = "cli")]
        sub: String,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

async fn serve(config: Config) -> Result<(), String> {
    let db = store::connect(&config.database_url, None)
        .await
        .map_err(|e| format!("database: {e}"))?;
    store::migrate(&db).await.map_err(|e| format!("migrations: {e}"))?;
    let clock = Clock::system();
    let resumed = service::benefits::resume_runs(&db)
        .await
        .map_err(|e| format!("resuming runs: {e}"))?;
    if resumed > 0 {
        tracing::info!(resumed, "resumed unfinished benefit runs");
    }
    let resumed = service::payments::resume_runs(&db, &clock)
        .await
        .map_err(|e| format!("resuming payment runs: {e}"))?;
    if resumed > 0 {
        tracing::info!(resumed, "resumed unfinished payment runs");
    }
    actix_web::rt::spawn(service::statistics::keep_recovery_years(db.clone(), clock.clone()));
    actix_web::rt::spawn(service::events::keep_retention(
        db.clone(),
        clock.clone(),
        config.event_retention_days,
    ));
    actix_web::rt::spawn(service::webhooks::keep_delivering(
        db.clone(),
        service::webhooks::Settings {
            allow_hosts: config.webhook_allow_hosts.clone(),
            retry_base_seconds: config.webhook_retry_base_seconds,
        },
        hokensha::http::events::payload,
    ));
    let secret = match &config.jwt_secret {
        Some(s) => s.clone(),
        None => {
            let s = random_secret();
            let keys = AuthKeys::from_secret(s.as_bytes());
            let now = chrono::Utc::now().timestamp();
            let token = keys
                .mint("local-admin", "999999", auth::ADMIN, None, now, 86_400)
                .map_err(|e| e.to_string())?;
            tracing::warn!("HOKENSHA_JWT_SECRET is not set: using a random secret for this process");
            tracing::info!("admin token for insurer 999999, valid 24 h: {token}");
            s
        }
    };
    let listener = TcpListener::bind(&config.listen).map_err(|e| format!("bind {}: {e}", config.listen))?;
    tracing::info!(listen = %config.listen, "serving; docs at /docs/");
    let keys = AuthKeys::from_secret(secret.as_bytes());
    let state = AppState { db, config, clock };
    app::server(listener, state, keys)
        .map_err(|e| e.to_string())?
        .await
        .map_err(|e| e.to_string())
}

fn token(config: &Config, insurer: &str, scope: &str, agency: Option<&str>, ttl: i64, sub: &str) -> Result<(), String> {
    let secret = config
        .jwt_secret
        .as_ref()
        .ok_or("set HOKENSHA_JWT_SECRET (at least 32 bytes) to mint tokens the server accepts")?;
    if !auth::is_insurer_number(insurer) {
        return Err("--insurer must be a 6- or 8-digit insurer number".into());
    }
    if let Some(bad) = scope.split_whitespace().find(|s| !auth::SCOPES.contains(s)) {
        return Err(format!("unknown scope {bad}; known: {}", auth::SCOPES.join(" ")));
    }
    let now = chrono::Utc::now().timestamp();
    let t = AuthKeys::from_secret(secret.as_bytes())
        .mint(sub, insurer, scope, agency, now, ttl)
        .map_err(|e| e.to_string())?;
    println!("{t}");
    Ok(())
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init_logging(config.log_json);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            async {
                let db = store::connect(&config.database_url, None)
                    .await
                    .map_err(|e| e.to_string())?;
                store::migrate(&db).await.map_err(|e| e.to_string())
            }
            .await
        }
        Command::Token {
            insurer,
            scope,
            agency,
            ttl,
            sub,
        } => token(&config, &insurer, &scope, agency.as_deref(), ttl, &sub),
        Command::Openapi => {
            print!("{}", app::openapi_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hokensha: {e}");
            ExitCode::FAILURE
        }
    }
}
