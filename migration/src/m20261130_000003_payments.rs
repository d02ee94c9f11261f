//! Automatic payment of the high-cost benefit (高額療養費の自動償還): one-time registrations with
//! their transitions, payment runs, payments (at most one live payment per determination,
//! enforced by a partial unique index), offsets against unpaid NHI tax (充当), turnaround
//! application forms, and receivables (債権) with their ledger and collection actions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn index(m: &SchemaManager<'_>, name: &str, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("payment_registrations")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("household_id"))
                .col(string("applicant_member_id"))
                .col(date("applied_on"))
                .col(string("bank_code"))
                .col(string("branch_code"))
                .col(string("account_type"))
                .col(string("account_number"))
                .col(string("holder_kana"))
                .col(boolean("offset_consent"))
                .col(boolean("repayment_consent"))
                .col(string("status"))
                .col(text("pause_reasons"))
                .col(date_null("ended_on"))
                .col(string_null("end_reason"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_registrations_household ON payment_registrations \
                 (insurer, household_id) WHERE status <> 'cancelled'",
            )
            .await?;
        index(
            m,
            "ix_registrations_tenant_id",
            "payment_registrations",
            &["insurer", "id"],
        )
        .await?;
        index(
            m,
            "ix_registrations_applicant",
            "payment_registrations",
            &["insurer", "applicant_member_id"],
        )
        .await?;
        index(
            m,
            "ix_registrations_household",
            "payment_registrations",
            &["insurer", "household_id"],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("registration_events")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("registration_id"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(string("reason"))
                .col(date("effective_on"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_registration_events",
            "registration_events",
            &["registration_id", "id"],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("payment_runs")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("service_month"))
                .col(date("transfer_date"))
                .col(string("status"))
                .col(integer("done"))
                .col(integer("total"))
                .col(integer("payment_count"))
                .col(big_integer("total_amount"))
                .col(big_integer("offset_total"))
                .col(integer("application_forms"))
                .col(integer("refunds"))
                .col(string_null("cursor"))
                .col(string("actor"))
                .col(string_null("error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_payment_runs_month",
            "payment_runs",
            &["insurer", "service_month"],
        )
        .await?;
        index(m, "ix_payment_runs_status", "payment_runs", &["status"]).await?;

        m.create_table(
            Table::create()
                .table("payments")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("run_id"))
                .col(string("determination_id"))
                .col(string("household_id"))
                .col(string("registration_id"))
                .col(string("service_month"))
                .col(string("kind"))
                .col(big_integer("gross_amount"))
                .col(big_integer("offset_amount"))
                .col(big_integer("net_amount"))
                .col(string("bank_code"))
                .col(string("branch_code"))
                .col(string("account_type"))
                .col(string("account_number"))
                .col(string("holder_kana"))
                .col(boolean("first_transfer"))
                .col(date("transfer_date"))
                .col(string("status"))
                .col(string_null("failure_reason"))
                .col(date_null("failed_on"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // Never twice: one live (not failed) payment per determination, whatever races.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_payments_determination ON payments (determination_id) \
                 WHERE status <> 'failed'",
            )
            .await?;
        index(m, "ix_payments_run", "payments", &["insurer", "run_id", "id"]).await?;
        index(
            m,
            "ix_payments_household_month",
            "payments",
            &["insurer", "household_id", "service_month"],
        )
        .await?;
        index(m, "ix_payments_registration", "payments", &["registration_id"]).await?;

        m.create_table(
            Table::create()
                .table("payment_offsets")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("payment_id").unique_key())
                .col(string("household_id"))
                .col(big_integer("amount"))
                .col(string("basis"))
                .col(date("arrears_as_of"))
                .col(big_integer("arrears_before"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("application_forms")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("run_id"))
                .col(string("determination_id"))
                .col(string("household_id"))
                .col(string("service_month"))
                .col(big_integer("amount"))
                .col(string("reason"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // One form per determination.
        m.create_index(
            Index::create()
                .name("ux_forms_determination")
                .table(Alias::new("application_forms"))
                .col(Alias::new("insurer"))
                .col(Alias::new("determination_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        index(m, "ix_forms_run", "application_forms", &["insurer", "run_id", "id"]).await?;
        index(m, "ix_forms_month", "application_forms", &["insurer", "service_month"]).await?;

        // Determinations of a month in a status, paged in id order (payment runs).
        index(
            m,
            "ix_determinations_month_status_id",
            "benefit_determinations",
            &["insurer", "service_month", "status", "id"],
        )
        .await?;

        // Receivables (債権) and their ledger: every movement is an entry; balances are derived.
        m.create_table(
            Table::create()
                .table("receivables")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("kind"))
                .col(string_null("reason"))
                .col(string("debtor_kind"))
                .col(string("debtor_name"))
                .col(string_null("debtor_member_id"))
                .col(string_null("debtor_phone"))
                .col(string_null("debtor_workplace"))
                .col(string_null("household_id"))
                .col(string_null("service_month"))
                .col(string_null("determination_id"))
                .col(date("assessed_on"))
                .col(big_integer("amount"))
                .col(date("due_on"))
                .col(text("source_claim_ids"))
                .col(string_null("source_key"))
                .col(string_null("note"))
                // Kept equal to what the ledger derives, in the transaction of each entry.
                .col(big_integer("balance"))
                .col(string("status"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_receivables_source ON receivables (insurer, source_key) \
                 WHERE source_key IS NOT NULL",
            )
            .await?;
        index(m, "ix_receivables_tenant_id", "receivables", &["insurer", "id"]).await?;
        index(
            m,
            "ix_receivables_household_month",
            "receivables",
            &["insurer", "household_id", "service_month"],
        )
        .await?;
        index(m, "ix_receivables_assessed", "receivables", &["insurer", "assessed_on"]).await?;

        m.create_table(
            Table::create()
                .table("receivable_entries")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("receivable_id"))
                .col(string("kind"))
                .col(big_integer("amount"))
                .col(date("entry_on"))
                .col(string_null("channel"))
                .col(string_null("reason"))
                .col(string_null("note"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_receivable_entries",
            "receivable_entries",
            &["insurer", "receivable_id", "id"],
        )
        .await?;
        index(
            m,
            "ix_receivable_entries_on",
            "receivable_entries",
            &["insurer", "entry_on"],
        )
        .await?;
        index(m, "ix_receivables_status", "receivables", &["insurer", "status", "id"]).await?;

        m.create_table(
            Table::create()
                .table("receivable_actions")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("receivable_id"))
                .col(string("kind"))
                .col(date("action_on"))
                .col(string_null("outcome"))
                .col(string_null("note"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_receivable_actions",
            "receivable_actions",
            &["insurer", "receivable_id", "action_on"],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("installment_plans")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("receivable_id"))
                .col(date("pledged_on"))
                .col(integer("instalments"))
                .col(date("first_due_on"))
                .col(big_integer("total"))
                .col(date_null("cancelled_on"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_installment_plans",
            "installment_plans",
            &["insurer", "receivable_id", "id"],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("legal_actions")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("receivable_id"))
                .col(date("filed_on"))
                .col(string_null("court"))
                .col(date_null("served_on"))
                .col(date_null("declaration_served_on"))
                .col(string_null("outcome"))
                .col(date_null("outcome_on"))
                .col(string_null("note"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_legal_actions",
            "legal_actions",
            &["insurer", "receivable_id", "id"],
        )
        .await?;
        // Recovery of eligibility certificates still valid at the loss of eligibility.
        m.create_table(
            Table::create()
                .table("card_recoveries")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("member_id"))
                .col(string("household_id"))
                .col(date("lost_on"))
                .col(date("valid_until"))
                .col(date("processed_on"))
                .col(date_null("first_notice_on"))
                .col(date_null("second_notice_on"))
                .col(date_null("employer_contacted_on"))
                .col(date_null("returned_on"))
                .col(date_null("unrecoverable_on"))
                .col(string_null("note"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_card_recoveries_member_loss")
                .table(Alias::new("card_recoveries"))
                .col(Alias::new("insurer"))
                .col(Alias::new("member_id"))
                .col(Alias::new("lost_on"))
                .unique()
                .to_owned(),
        )
        .await?;
        index(m, "ix_card_recoveries_lost", "card_recoveries", &["insurer", "lost_on"]).await?;
        // 保険者間調整 requests, worked by the insurer or an outsourced agency.
        m.create_table(
            Table::create()
                .table("adjustment_requests")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("receivable_id"))
                .col(string("new_insurer_number"))
                .col(string("new_insurer_name"))
                .col(date("consent_on"))
                .col(string_null("agency"))
                .col(string("status"))
                .col(big_integer("amount"))
                .col(big_integer_null("settled_amount"))
                .col(big_integer("excess_owed"))
                .col(date_null("submitted_on"))
                .col(date_null("decided_on"))
                .col(date_null("settled_on"))
                .col(date_null("cancelled_on"))
                .col(text("history"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(m, "ix_adjustments_tenant", "adjustment_requests", &["insurer", "id"]).await?;
        index(
            m,
            "ix_adjustments_agency",
            "adjustment_requests",
            &["insurer", "agency", "id"],
        )
        .await?;
        index(
            m,
            "ix_adjustments_receivable",
            "adjustment_requests",
            &["insurer", "receivable_id"],
        )
        .await?;
        // Insurers that do or do not take part in adjustment, as data.
        m.create_table(
            Table::create()
                .table("counterparties")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(string("number"))
                .col(string("name"))
                .col(boolean("participates"))
                .col(string_null("note"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_counterparties_number")
                .table(Alias::new("counterparties"))
                .col(Alias::new("insurer"))
                .col(Alias::new("number"))
                .unique()
                .to_owned(),
        )
        .await?;
        // Monthly targets of a fiscal year (JSON), one row per insurer and year.
        m.create_table(
            Table::create()
                .table("plans")
                .col(string("id").primary_key())
                .col(string("insurer"))
                .col(integer("fiscal_year"))
                .col(text("months"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plans_year")
                .table(Alias::new("plans"))
                .col(Alias::new("insurer"))
                .col(Alias::new("fiscal_year"))
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_determinations_month_status_id")
                .table("benefit_determinations")
                .to_owned(),
        )
        .await?;
        for t in [
            "plans",
            "counterparties",
            "adjustment_requests",
            "card_recoveries",
            "legal_actions",
            "installment_plans",
            "receivable_actions",
            "receivable_entries",
            "receivables",
            "application_forms",
            "payment_offsets",
            "payments",
            "payment_runs",
            "registration_events",
            "payment_registrations",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
