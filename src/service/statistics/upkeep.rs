//! Statistics use cases that run by themselves: keeping the recovery totals of each fiscal year
//! built (see [`crate::store::recovery`]).

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr};

use crate::clock::Clock;
use crate::domain::calendar::FiscalYear;
use crate::store::receivables as store;

/// Builds, for every tenant holding receivables, the recovery totals of each fiscal year up to the
/// current one that is not built yet (see [`crate::store::recovery`]); gives back the tenants it
/// built for.
pub async fn build_recovery_years(db: &DatabaseConnection, today: NaiveDate) -> Result<Vec<String>, DbErr> {
    let current = FiscalYear::of(today).start_year();
    let mut built = Vec::new();
    for insurer in store::insurers(db).await? {
        if !crate::store::recovery::built_years(db, &insurer)
            .await?
            .contains(&current)
        {
            crate::store::recovery::ensure_built(db, &insurer, &[current], today).await?;
            built.push(insurer);
        }
    }
    Ok(built)
}

/// [`build_recovery_years`] at start and every hour after, so that statistics requests find the
/// totals of a new fiscal year ready.
pub async fn keep_recovery_years(db: DatabaseConnection, clock: Clock) {
    loop {
        match build_recovery_years(&db, clock.today()).await {
            Ok(built) if !built.is_empty() => tracing::info!(?built, "recovery totals built"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "building recovery totals failed; retried in an hour"),
        }
        actix_web::rt::time::sleep(std::time::Duration::from_secs(3_600)).await;
    }
}
