//! Households, members, tax arrears, claims, recalculation flags, idempotency keys and audit.
//! Every table holding tenant data carries `insurer` (the insurer number) and is indexed by it.
//! Amounts are BIGINT whole yen.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("households")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("household_number"))
                .col(string("head_name"))
                .col(string("postal_code"))
                .col(string("prefecture"))
                .col(string("city"))
                .col(string("address_line"))
                .col(string_null("phone"))
                .col(text("income_categories"))
                .col(integer("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_households_number")
                .table("households")
                .col("insurer")
                .col("household_number")
                .unique()
                .to_owned(),
        )
        .await?;

        // Lookups of many households by id within a tenant use (insurer, id) rather than letting
        // the planner walk a tenant-wide index.
        m.create_index(
            Index::create()
                .name("ix_households_tenant_id")
                .table("households")
                .col("insurer")
                .col("id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("members")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("household_id"))
                .col(string("insured_symbol"))
                .col(string("insured_number"))
                .col(string("insured_branch"))
                .col(string("insured_key"))
                .col(string("name"))
                .col(string("name_kana"))
                .col(date("birth_date"))
                .col(string("sex"))
                .col(string("relationship"))
                .col(date("acquired_on"))
                .col(date_null("lost_on"))
                .col(string_null("loss_reason"))
                .col(date_null("died_on"))
                .col(integer("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_members_household")
                        .from("members", "household_id")
                        .to("households", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_members_insured_key")
                .table("members")
                .col("insurer")
                .col("insured_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_members_tenant_id")
                .table("members")
                .col("insurer")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_members_household")
                .table("members")
                .col("insurer")
                .col("household_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tax_arrears")
                .col(string("household_id").primary_key())
                .col(string("insurer"))
                .col(big_integer("amount"))
                .col(date("as_of"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_tax_arrears_household")
                        .from("tax_arrears", "household_id")
                        .to("households", "id"),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("claims")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("claim_number"))
                .col(string("member_id"))
                .col(string("household_id"))
                .col(string("service_month"))
                .col(string("provider_code"))
                .col(string("provider_name"))
                .col(string("kind"))
                .col(string("setting"))
                .col(string_null("prescribing_provider_code"))
                .col(big_integer("total_cost"))
                .col(big_integer("copayment"))
                .col(date_null("first_service_on"))
                .col(integer_null("service_days"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("voided_at"))
                .col(integer("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_claims_member")
                        .from("claims", "member_id")
                        .to("members", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_claims_number")
                .table("claims")
                .col("insurer")
                .col("claim_number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_claims_household_month")
                .table("claims")
                .col("insurer")
                .col("household_id")
                .col("service_month")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_claims_member")
                .table("claims")
                .col("insurer")
                .col("member_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_claims_month")
                .table("claims")
                .col("insurer")
                .col("service_month")
                .col("household_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("recalculation_flags")
                .col(string("insurer"))
                .col(string("household_id"))
                .col(string("service_month"))
                .col(ts("flagged_at"))
                .primary_key(Index::create().col("insurer").col("household_id").col("service_month"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("idempotency_keys")
                .col(string("insurer"))
                .col(string("key"))
                .col(string("fingerprint"))
                .col(integer("status"))
                .col(text("body"))
                .col(ts("created_at"))
                .primary_key(Index::create().col("insurer").col("key"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("resource_type"))
                .col(string("resource_id"))
                .col(string("request_id"))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_resource")
                .table("audit_events")
                .col("insurer")
                .col("resource_id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_events",
            "idempotency_keys",
            "recalculation_flags",
            "claims",
            "tax_arrears",
            "members",
            "households",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
