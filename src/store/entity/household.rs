use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "households")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub household_number: String,
    pub head_name: String,
    pub postal_code: String,
    pub prefecture: String,
    pub city: String,
    pub address_line: String,
    pub phone: Option<String>,
    /// JSON array of income category periods.
    pub income_categories: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
