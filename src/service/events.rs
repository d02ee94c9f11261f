//! The event feed (イベント): what changed, in the insurer's order, by cursor. Reading numbers
//! what has committed since the last read (the sequencer), then pages by number; with `wait`, an
//! empty page waits for new events. Retention deletes old events in the background.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::domain::event::{Event, EventType};
use crate::error::{ApiError, ErrorCode};
use crate::store::events::{self as store, EventFilter};

/// Longest a read may wait for new events.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// How often a waiting read looks again.
const POLL: Duration = Duration::from_millis(200);

/// One read of the feed.
#[derive(Debug, Clone)]
pub struct FeedQuery {
    /// The cursor of the last page read (`None`: from the oldest kept event).
    pub after: Option<i64>,
    /// Only these types (all when empty).
    pub types: Vec<EventType>,
    pub limit: u64,
    /// How long an empty page may wait for new events (at most [`MAX_WAIT`]).
    pub wait: Duration,
}

/// A page of events and where the next read starts.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub items: Vec<Event>,
    /// Pass as `after` next time: after the last event read, or after every event numbered so far
    /// when the page is not full (events of other types, or of other agencies, are passed over).
    pub next_cursor: i64,
}

/// The events after `q.after` that the caller may see: an agency's token sees only the events of
/// its own adjustment requests. A cursor into what retention deleted is 410.
pub async fn feed(
    db: &DatabaseConnection,
    insurer: &str,
    agency: Option<&str>,
    q: FeedQuery,
) -> Result<FeedPage, ApiError> {
    let filter = EventFilter {
        types: q.types,
        agency: agency.map(str::to_owned),
    };
    let deadline = tokio::time::Instant::now() + q.wait.min(MAX_WAIT);
    loop {
        let last = store::sequence(db, insurer).await?;
        let purged = store::purged_through(db, insurer).await?;
        let start = match q.after {
            Some(a) if a < purged => {
                return Err(ApiError::Gone {
                    code: ErrorCode::CursorExpired,
                    detail: format!(
                        "events up to {purged} are past retention; read again without a cursor to start from the oldest kept event"
                    ),
                });
            }
            Some(a) => a,
            None => purged,
        };
        let items = store::after(db, insurer, start, last, &filter, q.limit).await?;
        if !items.is_empty() || tokio::time::Instant::now() >= deadline {
            let full = u64::try_from(items.len()).is_ok_and(|n| n >= q.limit);
            let next_cursor = match items.last() {
                Some(e) if full => e.sequence,
                _ => last.max(start),
            };
            return Ok(FeedPage { items, next_cursor });
        }
        tokio::time::sleep(POLL.min(deadline.saturating_duration_since(tokio::time::Instant::now()))).await;
    }
}

/// Retention: deletes every insurer's events that occurred more than `days` before `now`.
/// Gives how many insurers had events deleted.
pub async fn purge(db: &DatabaseConnection, now: DateTime<Utc>, days: u32) -> Result<usize, ApiError> {
    let before = now - chrono::Duration::days(i64::from(days));
    let mut purged = 0;
    for insurer in store::insurers(db).await? {
        if store::purge(db, &insurer, before).await?.is_some() {
            purged += 1;
        }
    }
    Ok(purged)
}

/// [`purge`] at start and every hour after.
pub async fn keep_retention(db: DatabaseConnection, clock: crate::clock::Clock, days: u32) {
    loop {
        match purge(&db, clock.now(), days).await {
            Ok(n) if n > 0 => tracing::info!(insurers = n, days, "events past retention deleted"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deleting events past retention failed; retried in an hour"),
        }
        tokio::time::sleep(Duration::from_secs(3_600)).await;
    }
}
