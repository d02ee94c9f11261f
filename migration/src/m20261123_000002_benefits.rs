//! Stored high-cost benefit determinations (高額療養費の支給決定) and monthly benefit runs.
//! One current (not superseded) determination per household-month, enforced by a partial
//! unique index on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("benefit_determinations")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("household_id"))
                .col(string("service_month"))
                .col(string("status"))
                .col(string("rule_set"))
                .col(big_integer("total_benefit"))
                .col(boolean("multiple_applied"))
                .col(boolean("counts_toward_multiple"))
                .col(text("members"))
                .col(text("steps"))
                .col(text("excluded_claims"))
                .col(text("review"))
                .col(string("fingerprint"))
                .col(string_null("supersedes_id"))
                .col(string_null("superseded_by_id"))
                .col(big_integer_null("difference"))
                .col(date("lapses_on"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(timestamp_with_time_zone_null("superseded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_determinations_household_month")
                .table("benefit_determinations")
                .col("insurer")
                .col("household_id")
                .col("service_month")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_determinations_month_status")
                .table("benefit_determinations")
                .col("insurer")
                .col("service_month")
                .col("status")
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_determinations_current ON benefit_determinations \
                 (insurer, household_id, service_month) WHERE status <> 'superseded'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table("benefit_runs")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("service_month"))
                .col(string("status"))
                .col(integer("done"))
                .col(integer("total"))
                .col(integer("calculated"))
                .col(integer("unchanged"))
                .col(integer("failed"))
                .col(text("failures"))
                .col(string_null("cursor"))
                .col(string("actor"))
                .col(string_null("error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_benefit_runs_status")
                .table("benefit_runs")
                .col("status")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("benefit_runs").to_owned()).await?;
        m.drop_table(Table::drop().table("benefit_determinations").to_owned())
            .await?;
        Ok(())
    }
}
