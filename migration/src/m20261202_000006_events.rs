//! The outbox of events for integrators (イベント): one row per change an integrator may care
//! about, written in the transaction of the change. `sequence` is given later, in commit order,
//! by the one sequencer of the insurer (`event_sequences` holds its last number and how far
//! retention has purged), so that a feed read by sequence never skips an event that committed
//! late.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("events")
                .col(string("insurer"))
                .col(string("id"))
                .col(big_integer_null("sequence"))
                .col(string("event_type"))
                .col(string("resource_kind"))
                .col(string("resource_id"))
                .col(string_null("household_id"))
                .col(string_null("agency"))
                .col(timestamp_with_time_zone("occurred_at"))
                .primary_key(Index::create().col("insurer").col("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_events_sequence")
                .table("events")
                .col("insurer")
                .col("sequence")
                .unique()
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("CREATE INDEX ix_events_unsequenced ON events (insurer, id) WHERE sequence IS NULL")
            .await?;
        m.create_table(
            Table::create()
                .table("event_sequences")
                .col(string("insurer").primary_key())
                .col(big_integer("last"))
                .col(big_integer("purged_through"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("event_sequences").to_owned()).await?;
        m.drop_table(Table::drop().table("events").to_owned()).await
    }
}
