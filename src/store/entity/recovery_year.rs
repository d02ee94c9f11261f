use sea_orm::entity::prelude::*;

/// A fiscal year whose recovery totals are built (and so kept by every ledger write).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_years")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiscal_year: i32,
    pub built_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
