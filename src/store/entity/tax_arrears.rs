use sea_orm::entity::prelude::*;

/// Unpaid NHI tax (国保税の滞納額) reported by the tax system, one row per household.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tax_arrears")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub household_id: String,
    pub insurer: String,
    pub amount: i64,
    pub as_of: Date,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
