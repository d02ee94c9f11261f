use sea_orm::entity::prelude::*;

/// A recovery case of an eligibility certificate (資格確認書) still valid at the loss of eligibility.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_recoveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub member_id: String,
    pub household_id: String,
    pub lost_on: Date,
    pub valid_until: Date,
    /// When the loss was processed (the schedule runs from it).
    pub processed_on: Date,
    pub first_notice_on: Option<Date>,
    pub second_notice_on: Option<Date>,
    pub employer_contacted_on: Option<Date>,
    pub returned_on: Option<Date>,
    pub unrecoverable_on: Option<Date>,
    pub note: Option<String>,
    /// `general` (一般) or `voluntary_continuation` (任意継続).
    pub category: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The last write (set on insert and on every change; nullable only because the column was
    /// added to a table that had rows).
    pub updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
