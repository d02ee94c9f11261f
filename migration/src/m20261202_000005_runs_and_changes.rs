//! Two changes for integrators who poll.
//!
//! At most one running run per insurer and service month, for benefit runs and payment runs: a
//! second start while one runs is refused by the database as well as by the check before it, so
//! that two concurrent starts cannot both begin. Partial unique indexes, which SQLite and
//! PostgreSQL both have.
//!
//! `updated_at` on the records that change after they are made and had only `created_at`
//! (determinations, payments, receivables, adjustment requests, certificate recovery cases), so
//! that their lists answer `?updated_since=`. Existing rows start from their `created_at`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHANGING: [&str; 5] = [
    "benefit_determinations",
    "payments",
    "receivables",
    "adjustment_requests",
    "card_recoveries",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for table in ["benefit_runs", "payment_runs"] {
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX ux_{table}_running ON {table} (insurer, service_month) WHERE status = 'running'"
            ))
            .await?;
        }
        for table in CHANGING {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(
                        ColumnDef::new(Alias::new("updated_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
            db.execute_unprepared(&format!("UPDATE {table} SET updated_at = created_at"))
                .await?;
            m.create_index(
                Index::create()
                    .name(format!("ix_{table}_updated"))
                    .table(Alias::new(table))
                    .col(Alias::new("insurer"))
                    .col(Alias::new("updated_at"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for table in CHANGING {
            m.drop_index(
                Index::drop()
                    .name(format!("ix_{table}_updated"))
                    .table(Alias::new(table))
                    .to_owned(),
            )
            .await?;
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new("updated_at"))
                    .to_owned(),
            )
            .await?;
        }
        for table in ["benefit_runs", "payment_runs"] {
            db.execute_unprepared(&format!("DROP INDEX ux_{table}_running")).await?;
        }
        Ok(())
    }
}
