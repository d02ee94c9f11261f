use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub household_id: String,
    pub insured_symbol: String,
    pub insured_number: String,
    pub insured_branch: String,
    /// `symbol|number|branch`, unique per insurer.
    pub insured_key: String,
    pub name: String,
    pub name_kana: String,
    pub birth_date: Date,
    pub sex: String,
    pub relationship: String,
    pub acquired_on: Date,
    pub lost_on: Option<Date>,
    pub loss_reason: Option<String>,
    pub died_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
