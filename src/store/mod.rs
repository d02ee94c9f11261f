//! The store: SeaORM entities and the queries each resource needs. The only module that knows
//! tables. Every query takes the tenant (insurer number) and filters by it; functions take
//! `&impl ConnectionTrait` so the same query runs on the pool or inside a transaction.

pub mod adjustments;
pub mod applications;
pub mod audit;
pub mod benefits;
pub mod card_recoveries;
pub mod claims;
pub mod entity;
pub mod events;
pub mod households;
pub mod idempotency;
pub mod import;
pub mod ledger;
pub mod members;
pub mod payments;
pub mod plans;
pub mod receivables;
pub mod recovery;
pub mod registrations;
pub mod runs;
pub mod schemes;
pub mod webhooks;

use std::time::Duration;

use chrono::{DateTime, Utc};
use migration::MigratorTrait;
use sea_orm::{ActiveModelTrait, ConnectOptions, Database, DatabaseConnection, DbErr, IntoActiveModel, SqlErr};

pub use crate::domain::ids::Actor;
pub use crate::domain::page::{Page, PageRequest, decode_cursor, encode_cursor};

/// A new, time-ordered id (UUID v7), so that ordering by id is ordering by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, truncated to microseconds so both databases give back what was stored.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}

/// A model as an active model with every column marked for writing (a plain conversion marks
/// them unchanged, and an update would then write nothing).
pub(crate) fn all_set<A: ActiveModelTrait>(m: impl IntoActiveModel<A>) -> A {
    m.into_active_model().reset_all()
}

/// Bound bytes one bulk statement carries at most. The PostgreSQL client does not set
/// `TCP_NODELAY`: a message larger than what the socket takes in one write (16 KiB, the initial
/// TCP send buffer) goes out in two writes, and Nagle's algorithm holds the second until the
/// server's delayed ACK, some 40 ms later. Several statements under that size cost far less than
/// one above it (a loopback round trip is a fraction of a millisecond).
pub const STATEMENT_BYTES: usize = 14 * 1024;

/// Splits `items` into runs of at most `max_rows` rows (within SQLite's and PostgreSQL's parameter
/// limits) whose estimated size (`size` of each, in bytes) stays, on PostgreSQL, under
/// [`STATEMENT_BYTES`]. SQLite runs in the process, so only the row count bounds it there.
pub fn byte_chunks<T>(
    backend: sea_orm::DbBackend,
    items: &[T],
    max_rows: usize,
    size: impl Fn(&T) -> usize,
) -> Vec<&[T]> {
    let limit = match backend {
        sea_orm::DbBackend::Postgres => STATEMENT_BYTES,
        _ => usize::MAX,
    };
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0usize, 0usize);
    for (i, item) in items.iter().enumerate() {
        let b = size(item);
        if i > start && (bytes.saturating_add(b) > limit || i - start >= max_rows) {
            out.push(&items[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(b);
    }
    if start < items.len() {
        out.push(&items[start..]);
    }
    out
}

/// A raw statement written with `?` placeholders, numbered `$1, $2, ...` for PostgreSQL.
pub(crate) fn statement(backend: sea_orm::DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// A count by day (and, for some queries, by a kind); callers fold days into months.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct DayCount {
    pub day: chrono::NaiveDate,
    pub kind: String,
    pub n: i64,
}

/// Whether a write failed on a unique index.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Connects to `url` (SQLite or PostgreSQL). SQLite gets WAL, `synchronous=NORMAL`, foreign
/// keys and a busy timeout; `search_path` (PostgreSQL only) selects a schema, which the tests use
/// to give each test its own.
pub async fn connect(url: &str, search_path: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .max_connections(if url.starts_with("sqlite") { 4 } else { 10 })
        .connect_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 16 MiB of page cache per connection instead of 2 MiB: bulk paths touch index
                // pages all over the tables.
                .pragma("cache_size", "-16384")
        })
        // A plan cached while a table was empty (a seq scan) must not outlive the table's growth:
        // bulk paths look rows up by long IN lists.
        .map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    if let Some(path) = search_path {
        opts.set_schema_search_path(path.to_string());
    }
    Database::connect(opts).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// Refreshes the planner's statistics of the tables bulk paths grow (imports, benefit runs).
/// Without it, PostgreSQL keeps plans made while a table was small (an index on the tenant alone,
/// which matches every row) and lookups degrade to scans as the table grows.
pub async fn refresh_statistics(conn: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
    refresh_statistics_of(
        conn,
        "households, members, claims, audit_events, benefit_determinations",
    )
    .await
}

/// [`refresh_statistics`] of the named tables only (a comma-separated list of our table names).
pub async fn refresh_statistics_of(conn: &impl sea_orm::ConnectionTrait, tables: &str) -> Result<(), DbErr> {
    match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => conn.execute_unprepared(&format!("ANALYZE {tables}")).await?,
        // SQLite plans from the shape of its queries; statistics gathered mid-load made import
        // lookups slower, not faster, so it is left alone.
        _ => return Ok(()),
    };
    Ok(())
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let id = new_id();
        assert_eq!(decode_cursor(&encode_cursor(&id)).as_deref(), Some(id.as_str()));
        assert!(decode_cursor("!!!").is_none());
        assert!(decode_cursor(&encode_cursor("not-a-uuid")).is_none());
    }

    #[test]
    fn byte_chunks_stay_under_the_statement_size() {
        const PG: sea_orm::DbBackend = sea_orm::DbBackend::Postgres;
        // Three items fit a statement, a fourth would not.
        let items: Vec<usize> = vec![STATEMENT_BYTES / 4 + 1; 25];
        let chunks = byte_chunks(PG, &items, 1000, |&b| b);
        assert!(chunks.iter().all(|c| c.iter().sum::<usize>() <= STATEMENT_BYTES));
        assert_eq!(chunks.iter().map(|c| c.len()).collect::<Vec<_>>()[..2], [3, 3]);
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 25);
        assert_eq!(
            byte_chunks(PG, &items, 2, |&b| b).len(),
            13,
            "at most max_rows a statement"
        );
        // One item above the limit still goes, alone.
        let big = [STATEMENT_BYTES * 2, 1];
        assert_eq!(byte_chunks(PG, &big, 10, |&b| b).len(), 2);
        assert!(byte_chunks(PG, &[] as &[usize], 10, |&b| b).is_empty());
        // SQLite: rows only.
        let sqlite = byte_chunks(sea_orm::DbBackend::Sqlite, &items, 10, |&b| b);
        assert_eq!(sqlite.iter().map(|c| c.len()).collect::<Vec<_>>(), [10, 10, 5]);
    }

    #[test]
    fn pages_know_when_more_follow() {
        let ids: Vec<String> = (0..3).map(|_| new_id()).collect();
        let p = Page::from_rows(ids.clone(), 2, |s| s.as_str());
        assert_eq!(p.items.len(), 2);
        assert_eq!(decode_cursor(p.next_cursor.as_deref().unwrap()).unwrap(), ids[1]);
        let last = Page::from_rows(ids, 3, |s| s.as_str());
        assert!(last.next_cursor.is_none());
    }
}
