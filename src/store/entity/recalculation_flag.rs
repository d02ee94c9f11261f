use sea_orm::entity::prelude::*;

/// A household-month whose claims changed since its benefit was last calculated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recalculation_flags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub household_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_month: String,
    pub flagged_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
