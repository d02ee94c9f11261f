//! What the in-process benchmarks share: fixed ids, chunked bulk inserts, and the real app served
//! on a loopback port with an admin token.

use std::net::TcpListener;

use hokensha::app;
use hokensha::config::Config;
use hokensha::http::auth::AuthKeys;
use hokensha::state::AppState;
use sea_orm::{ActiveModelTrait, EntityTrait, TransactionTrait};

pub const INSURER: &str = "132001";
const CHUNK: usize = 40;

/// A fixed UUID-shaped id: `kind` tells the table, `i` the row.
pub fn id(kind: u32, i: usize) -> String {
    format!("00000000-0000-7000-{kind:04x}-{i:012}")
}

/// Inserts `rows` 40 a statement, 20,000 a transaction.
pub async fn insert<E, A>(db: &sea_orm::DatabaseConnection, rows: Vec<A>)
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send + Clone,
{
    for part in rows.chunks(20_000) {
        let txn = db.begin().await.unwrap();
        for chunk in part.chunks(CHUNK) {
            E::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
    }
}

/// Serves the app over `db` on a loopback port; gives back its base URL and an admin token of
/// [`INSURER`].
pub fn serve(db: &sea_orm::DatabaseConnection, url: &str) -> (String, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let secret = "bench-secret-bench-secret-bench-secret-00";
    let config = Config {
        database_url: url.to_string(),
        listen: format!("127.0.0.1:{port}"),
        jwt_secret: Some(secret.into()),
        max_json_bytes: 1 << 20,
        log_json: false,
        remitters: Default::default(),
        event_retention_days: hokensha::config::DEFAULT_EVENT_RETENTION_DAYS,
        webhook_allow_hosts: vec!["127.0.0.1".into()],
        webhook_retry_base_seconds: 0,
    };
    let keys = AuthKeys::from_secret(secret.as_bytes());
    let token = keys
        .mint("bench", INSURER, "admin", None, chrono::Utc::now().timestamp(), 3600)
        .unwrap();
    let server = app::server(listener, AppState::new(db.clone(), config), keys).unwrap();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}"), token)
}
