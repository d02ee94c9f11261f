//! Recovery statistics kept as totals that each ledger write maintains (one row per insurer,
//! fiscal year, kind, reason and period), the years whose totals are built, indexes for the
//! month-by-month activity and adjustment figures, and the insured category of a certificate
//! recovery case (一般 / 任意継続, as the seed reports them apart).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn index(m: &SchemaManager<'_>, name: &str, table: &str, cols: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Sums of every receivable's contribution to a year's recovery table. `reason` is ''
        // for kinds without reasons, so that the key is unique on both databases.
        m.create_table(
            Table::create()
                .table("recovery_totals")
                .col(string("insurer"))
                .col(integer("fiscal_year"))
                .col(string("kind"))
                .col(string("reason"))
                .col(string("period"))
                .col(big_integer("receivable_count"))
                .col(big_integer("collected_count"))
                .col(big_integer("assessed"))
                .col(big_integer("collected"))
                .primary_key(
                    Index::create()
                        .col(Alias::new("insurer"))
                        .col(Alias::new("fiscal_year"))
                        .col(Alias::new("kind"))
                        .col(Alias::new("reason"))
                        .col(Alias::new("period")),
                )
                .to_owned(),
        )
        .await?;
        // The years whose totals are built; only those are maintained by ledger writes.
        m.create_table(
            Table::create()
                .table("recovery_years")
                .col(string("insurer"))
                .col(integer("fiscal_year"))
                .col(timestamp_with_time_zone("built_at"))
                .primary_key(
                    Index::create()
                        .col(Alias::new("insurer"))
                        .col(Alias::new("fiscal_year")),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("card_recoveries"))
                .add_column(string("category").default("general"))
                .to_owned(),
        )
        .await?;
        // Month-by-month activity: actions by kind and day (with the receivable's kind, which
        // never changes, so that activity of one kind needs no join), receivables by kind and
        // assessment.
        m.alter_table(
            Table::alter()
                .table(Alias::new("receivable_actions"))
                .add_column(string("receivable_kind").default(""))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE receivable_actions SET receivable_kind = (SELECT r.kind FROM receivables r \
                 WHERE r.id = receivable_actions.receivable_id)",
            )
            .await?;
        index(
            m,
            "ix_receivable_actions_kind_on",
            "receivable_actions",
            &["insurer", "kind", "action_on", "receivable_kind"],
            false,
        )
        .await?;
        // The benefit statistics' refunds by service month.
        index(
            m,
            "ix_receivables_month",
            "receivables",
            &["insurer", "service_month"],
            false,
        )
        .await?;
        // Certificate recovery: cases by loss date with what the rate needs; steps by date.
        index(
            m,
            "ix_card_recoveries_rate",
            "card_recoveries",
            &[
                "insurer",
                "lost_on",
                "category",
                "returned_on",
                "unrecoverable_on",
                "valid_until",
            ],
            false,
        )
        .await?;
        for step in ["first_notice_on", "second_notice_on", "employer_contacted_on"] {
            index(
                m,
                &format!("ix_card_recoveries_{step}"),
                "card_recoveries",
                &["insurer", step, "category"],
                false,
            )
            .await?;
        }
        index(
            m,
            "ix_receivables_kind_assessed",
            "receivables",
            &["insurer", "kind", "assessed_on"],
            false,
        )
        .await?;
        index(
            m,
            "ix_adjustments_settled",
            "adjustment_requests",
            &["insurer", "settled_on"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for step in ["first_notice_on", "second_notice_on", "employer_contacted_on"] {
            m.drop_index(
                Index::drop()
                    .name(format!("ix_card_recoveries_{step}"))
                    .table(Alias::new("card_recoveries"))
                    .to_owned(),
            )
            .await?;
        }
        for (name, table) in [
            ("ix_card_recoveries_rate", "card_recoveries"),
            ("ix_receivables_month", "receivables"),
            ("ix_adjustments_settled", "adjustment_requests"),
            ("ix_receivables_kind_assessed", "receivables"),
            ("ix_receivable_actions_kind_on", "receivable_actions"),
        ] {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        for (table, column) in [
            ("card_recoveries", "category"),
            ("receivable_actions", "receivable_kind"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        }
        for t in ["recovery_years", "recovery_totals"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
