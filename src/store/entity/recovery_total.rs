use sea_orm::entity::prelude::*;

/// The summed contributions of a year's receivables of one kind, reason and period to the
/// recovery table, kept by every ledger write and rebuilt from the ledger on demand.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiscal_year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// '' for kinds without reasons.
    #[sea_orm(primary_key, auto_increment = false)]
    pub reason: String,
    /// `current` or `prior`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    pub receivable_count: i64,
    pub collected_count: i64,
    pub assessed: i64,
    pub collected: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
