use sea_orm::entity::prelude::*;

/// An offset (充当) of part of a payment against the household's unpaid NHI tax, with consent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_offsets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub payment_id: String,
    pub household_id: String,
    pub amount: i64,
    /// `consent` (the registration's signed consent).
    pub basis: String,
    /// The date of the arrears report it was netted against.
    pub arrears_as_of: Date,
    pub arrears_before: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
