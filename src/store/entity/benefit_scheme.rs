use sea_orm::entity::prelude::*;

/// An insurer's scheme settings (one row per insurer, absent until first stored).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_schemes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insurer: String,
    pub automatic_payment: String,
    pub exclude_tax_arrears: bool,
    /// The remitter's fields as JSON, or none.
    pub remitter: Option<String>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
