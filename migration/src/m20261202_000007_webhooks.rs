//! Webhook subscriptions and their deliveries (Standard Webhooks style): a delivery is a row, so
//! that what is pending survives a restart and the log shows every attempt's outcome.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhook_subscriptions")
                .col(string("insurer"))
                .col(string("id"))
                .col(string("url"))
                .col(text("event_types"))
                .col(string("secret"))
                .col(boolean("active"))
                .col(big_integer("last_sequence"))
                .col(string_null("disabled_reason"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("insurer").col("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(string("insurer"))
                .col(string("id"))
                .col(string("subscription_id"))
                .col(string("event_id"))
                .col(big_integer("sequence"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(integer_null("last_status_code"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("insurer").col("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_webhook_deliveries_order")
                .table("webhook_deliveries")
                .col("insurer")
                .col("subscription_id")
                .col("sequence")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("webhook_deliveries").to_owned())
            .await?;
        m.drop_table(Table::drop().table("webhook_subscriptions").to_owned())
            .await
    }
}
