//! The one way a long run goes (benefit runs, payment runs, and any later run): its record is
//! created `running`, pages are worked from its cursor, each page writing its progress with its
//! own work, planner statistics are refreshed at the start and as the written tables grow (after
//! pages 1, 2, 4, 8, ...), a page that fails is retried as the run allows, and the run ends
//! `completed` or `failed` with why. A process that stops leaves the run `running`; [`resume`]
//! takes every such run up again at start. Where the same work must not run twice at once the
//! kind's start answers 409 (`run_in_progress`) while one runs.

use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};

use crate::domain::ids::Actor;
pub use crate::store::runs::RunRecord;

/// A kind of run: how a page is worked.
#[allow(async_fn_in_trait)]
pub trait Run {
    type Record: RunRecord;

    /// Tables the first refresh of planner statistics covers.
    const READS: &'static str;
    /// Tables that grow as the run writes, refreshed as pages go by.
    const WRITES: &'static str;
    /// Attempts of one page before the run fails (a page can lose a race to a concurrent writer).
    const ATTEMPTS: u32 = 1;
    /// Whether the end is recorded in the audit trail (`<kind>.completed`).
    const AUDIT_END: bool = false;

    /// Works the next page(s) after the record's cursor and writes them with the record's
    /// progress; the record as written, or `None` when nothing is left.
    async fn page(&mut self, db: &DatabaseConnection, record: &Self::Record) -> Result<Option<Self::Record>, String>;
}

/// Who the run acts as: the subject that started it, in a request of its own.
pub fn actor_of<R: RunRecord>(r: &R) -> Actor {
    Actor {
        insurer: r.insurer().to_string(),
        sub: r.actor().to_string(),
        request_id: format!("{}-{}", R::KIND.replace('_', "-"), r.id()),
    }
}

async fn refresh<R: RunRecord>(db: &DatabaseConnection, r: &R, tables: &str) {
    if let Err(e) = crate::store::refresh_statistics_of(db, tables).await {
        tracing::warn!(run = %r.id(), error = %e, "cannot refresh planner statistics");
    }
}

/// Drives a run (new or resumed) to its end and gives back its record as it ended.
pub async fn drive<K: Run>(db: DatabaseConnection, mut kind: K, mut record: K::Record) -> K::Record {
    refresh(&db, &record, K::READS).await;
    let (mut pages, mut next_refresh) = (0u32, 1u32);
    let outcome = loop {
        let mut attempt = 0;
        let page = loop {
            attempt += 1;
            match kind.page(&db, &record).await {
                Err(e) if attempt < K::ATTEMPTS => {
                    // Lost a race (unique violation, changed row, busy database): the page is read
                    // again and skips what the other writer settled.
                    tracing::info!(run = %record.id(), attempt, error = %e, "run page retried");
                    actix_web::rt::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                }
                other => break other,
            }
        };
        match page {
            Ok(Some(next)) => record = next,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
        pages += 1;
        if pages >= next_refresh {
            next_refresh *= 2;
            refresh(&db, &record, K::WRITES).await;
        }
    };
    match &outcome {
        Ok(()) => tracing::info!(run = %record.id(), done = record.done(), kind = K::Record::KIND, "run completed"),
        Err(e) => tracing::error!(run = %record.id(), error = %e, kind = K::Record::KIND, "run failed"),
    }
    let completed = outcome.is_ok();
    record.end(outcome);
    if let Err(e) = record.save(&db).await {
        tracing::error!(run = %record.id(), error = %e, "cannot record the end of the run");
    }
    if completed && K::AUDIT_END {
        let action = format!("{}.completed", K::Record::KIND);
        if let Err(e) =
            crate::store::audit::record(&db, &actor_of(&record), &action, K::Record::KIND, record.id()).await
        {
            tracing::error!(run = %record.id(), error = %e, "cannot audit the end of the run");
        }
    }
    record
}

/// Takes up again, in the background, every run of this kind a stopped process left running.
/// Called once at start.
pub async fn resume<K: Run + 'static>(db: &DatabaseConnection, kind: impl Fn(&K::Record) -> K) -> Result<usize, DbErr> {
    let runs = K::Record::unfinished(db).await?;
    let n = runs.len();
    for r in runs {
        tracing::info!(run = %r.id(), done = r.done(), kind = K::Record::KIND, "resuming run");
        let k = kind(&r);
        actix_web::rt::spawn(drive(db.clone(), k, r));
    }
    Ok(n)
}
