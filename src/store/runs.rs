//! What every long run stores (benefit runs, payment runs, and any later run): its status,
//! progress, cursor and error, written after each page so that a restart resumes where it stopped.
//! One implementation per run table; the statuses are the domain's [`RunStatus`].

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{benefit_run, payment_run};
use super::{all_set, now};
use crate::domain::benefit::BenefitRun;
use crate::domain::disbursement::PaymentRun;
use crate::domain::run::RunStatus;

/// A stored run record.
// Runs are driven on the server's local executor (`actix_web::rt::spawn`), so the futures of
// these methods need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait RunRecord: Clone + 'static {
    /// `benefit_run`, `payment_run`: the run's name in logs and in the audit trail.
    const KIND: &'static str;

    fn id(&self) -> &str;
    fn insurer(&self) -> &str;
    /// The subject of the token that started it.
    fn actor(&self) -> &str;
    fn done(&self) -> i32;
    /// Marks the run ended: `completed` (its total is then what it did) or `failed` with why.
    fn end(&mut self, outcome: Result<(), String>);
    /// Writes the record (its end time too, once it is not running).
    async fn save(&self, conn: &impl ConnectionTrait) -> Result<(), DbErr>;
    /// Every run of this table left running by a stopped process, of every tenant.
    async fn unfinished(conn: &impl ConnectionTrait) -> Result<Vec<Self>, DbErr>;
}

macro_rules! run_record {
    ($record:ty, $entity:ty, $active:ty, $column:ty, $of:path, $row:path, $kind:literal) => {
        impl RunRecord for $record {
            const KIND: &'static str = $kind;

            fn id(&self) -> &str {
                &self.id
            }

            fn insurer(&self) -> &str {
                &self.insurer
            }

            fn actor(&self) -> &str {
                &self.actor
            }

            fn done(&self) -> i32 {
                self.done
            }

            fn end(&mut self, outcome: Result<(), String>) {
                match outcome {
                    Ok(()) => {
                        self.status = RunStatus::Completed;
                        self.total = self.done;
                    }
                    Err(e) => {
                        self.status = RunStatus::Failed;
                        self.error = Some(e);
                    }
                }
            }

            async fn save(&self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
                let at = now();
                let mut row = $row(self, at);
                if self.status != RunStatus::Running {
                    row.finished_at = Some(at);
                }
                <$entity>::update(all_set::<$active>(row)).exec(conn).await?;
                Ok(())
            }

            async fn unfinished(conn: &impl ConnectionTrait) -> Result<Vec<Self>, DbErr> {
                <$entity>::find()
                    .filter(<$column>::Status.eq(RunStatus::Running.as_str()))
                    .order_by_asc(<$column>::Id)
                    .all(conn)
                    .await?
                    .into_iter()
                    .map($of)
                    .collect()
            }
        }
    };
}

run_record!(
    BenefitRun,
    benefit_run::Entity,
    benefit_run::ActiveModel,
    benefit_run::Column,
    super::benefits::run_of,
    super::benefits::run_row,
    "benefit_run"
);
run_record!(
    PaymentRun,
    payment_run::Entity,
    payment_run::ActiveModel,
    payment_run::Column,
    super::payments::run_of,
    super::payments::run_row,
    "payment_run"
);
