//! The application path (支給申請) of seed 004 and the scheme settings per insurer:
//! - `benefit_schemes`: who is paid automatically once registered, whether NHI-tax arrears
//!   exclude a household, and the insurer's remitter (振込依頼人) for transfer files;
//! - `benefit_applications` with the determinations each covers and its review trail;
//! - payments made on an application: `payments.application_id`, and `registration_id` may now be
//!   empty (SQLite cannot drop a NOT NULL, so there the table is rebuilt with its indexes);
//! - reminder forms (`application_forms.reminder`) and the reason a determination lapsed (時効);
//! - what a claim says was paid at the window (`claims.window_benefit`, 現物給付, R16).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add_column(m: &SchemaManager<'_>, table: &str, col: &mut ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(Alias::new(table))
            .add_column(col.to_owned())
            .to_owned(),
    )
    .await
}

/// `payments.registration_id` becomes nullable. PostgreSQL alters the column; SQLite rebuilds the
/// table from its own stored definition (the documented 12-step way) and re-creates its indexes.
async fn registration_optional(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != DbBackend::Sqlite {
        db.execute_unprepared("ALTER TABLE payments ALTER COLUMN registration_id DROP NOT NULL")
            .await?;
        return Ok(());
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'payments' AND sql IS NOT NULL",
        ))
        .await?;
    let mut table = None;
    let mut indexes = Vec::new();
    for r in rows {
        let kind: String = r.try_get("", "type")?;
        let sql: String = r.try_get("", "sql")?;
        if kind == "table" {
            table = Some(sql);
        } else if kind == "index" {
            indexes.push(sql);
        }
    }
    let table = table.ok_or_else(|| DbErr::Migration("payments: no table definition".into()))?;
    let nullable = table.replace(
        "\"registration_id\" varchar NOT NULL",
        "\"registration_id\" varchar NULL",
    );
    if table.contains("\"registration_id\" varchar NULL") {
        // Already nullable (`down` leaves it so: rows paid on an application have none).
        return Ok(());
    }
    if nullable == table {
        return Err(DbErr::Migration(format!(
            "payments: registration_id column not found as expected in {table}"
        )));
    }
    // One script, so that every step runs on the same connection, in order, and all or nothing.
    let mut script = String::from("SAVEPOINT rebuild_payments;\n");
    script.push_str(&nullable.replacen("\"payments\"", "\"payments_rebuilt\"", 1));
    script.push_str(";\nINSERT INTO payments_rebuilt SELECT * FROM payments;\nDROP TABLE payments;\n");
    script.push_str("ALTER TABLE payments_rebuilt RENAME TO payments;\n");
    for sql in indexes {
        script.push_str(&sql);
        script.push_str(";\n");
    }
    script.push_str("RELEASE rebuild_payments;\n");
    db.execute_unprepared(&script).await?;
    Ok(())
}

/// Re-creates the unique index of forms on `cols` (one statement script: SQLite's migration
/// connection must see the drop before the create).
async fn forms_index(m: &SchemaManager<'_>, cols: &str) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&format!(
            "DROP INDEX ux_forms_determination; \
             CREATE UNIQUE INDEX ux_forms_determination ON application_forms ({cols})"
        ))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("benefit_schemes")
                .col(string("insurer").primary_key())
                .col(string("automatic_payment"))
                .col(boolean("exclude_tax_arrears"))
                .col(text_null("remitter"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("benefit_applications")
                .col(string("insurer"))
                .col(string("id"))
                .col(string("household_id"))
                .col(string("applicant_member_id"))
                .col(date("received_on"))
                .col(string("channel"))
                .col(string("bank_code"))
                .col(string("branch_code"))
                .col(string("account_type"))
                .col(string("account_number"))
                .col(string("holder_kana"))
                .col(boolean("offset_requested"))
                .col(boolean("register_for_automatic_payment"))
                .col(string("status"))
                .col(text("return_reasons"))
                .col(text_null("note"))
                .col(string_null("registration_id"))
                .col(string_null("registration_problem"))
                .col(string_null("paid_run_id"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("insurer").col("id"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_benefit_applications_household", &["insurer", "household_id"][..]),
            ("ix_benefit_applications_status", &["insurer", "status", "id"][..]),
            ("ix_benefit_applications_updated", &["insurer", "updated_at"][..]),
        ] {
            let mut ix = Index::create();
            ix.name(name).table("benefit_applications");
            for c in cols {
                ix.col(Alias::new(*c));
            }
            m.create_index(ix.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("application_determinations")
                .col(string("insurer"))
                .col(string("application_id"))
                .col(string("determination_id"))
                .col(string("household_id"))
                .col(string("service_month"))
                .col(boolean("live"))
                .primary_key(
                    Index::create()
                        .col("insurer")
                        .col("application_id")
                        .col("determination_id"),
                )
                .to_owned(),
        )
        .await?;
        // A determination is answered by at most one application that is not withdrawn.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_application_determinations_live \
                 ON application_determinations (insurer, determination_id) WHERE live",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("ix_application_determinations_month")
                .table("application_determinations")
                .col("insurer")
                .col("household_id")
                .col("service_month")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("application_events")
                .col(string("insurer"))
                .col(string("id"))
                .col(string("application_id"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(text("reasons"))
                .col(text_null("note"))
                .col(date("effective_on"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .primary_key(Index::create().col("insurer").col("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_application_events_application")
                .table("application_events")
                .col("insurer")
                .col("application_id")
                .to_owned(),
        )
        .await?;

        registration_optional(m).await?;
        add_column(
            m,
            "payments",
            ColumnDef::new(Alias::new("application_id")).string().null(),
        )
        .await?;
        add_column(
            m,
            "application_forms",
            ColumnDef::new(Alias::new("reminder"))
                .boolean()
                .not_null()
                .default(false),
        )
        .await?;
        // One form per determination, and one reminder.
        forms_index(m, "insurer, determination_id, reminder").await?;
        add_column(
            m,
            "benefit_determinations",
            ColumnDef::new(Alias::new("lapse_reason")).string().null(),
        )
        .await?;
        add_column(
            m,
            "benefit_determinations",
            ColumnDef::new(Alias::new("lapsed_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .await?;
        add_column(
            m,
            "claims",
            ColumnDef::new(Alias::new("window_benefit")).big_integer().null(),
        )
        .await
    }

    /// Leaves `payments.registration_id` nullable: payments made on an application have none.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DELETE FROM application_forms WHERE reminder")
            .await?;
        forms_index(m, "insurer, determination_id").await?;
        for (table, col) in [
            ("claims", "window_benefit"),
            ("benefit_determinations", "lapsed_at"),
            ("benefit_determinations", "lapse_reason"),
            ("application_forms", "reminder"),
            ("payments", "application_id"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            "application_events",
            "application_determinations",
            "benefit_applications",
            "benefit_schemes",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
