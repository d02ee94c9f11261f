use sea_orm::entity::prelude::*;

/// A pre-filled (turnaround) application form to mail to a household that is not paid
/// automatically, one per determination.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_forms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub run_id: String,
    pub determination_id: String,
    pub household_id: String,
    pub service_month: String,
    pub amount: i64,
    /// `not_registered`, `registration_paused`, `registration_cancelled`.
    pub reason: String,
    pub created_at: DateTimeUtc,
    /// A reminder (再勧奨) of an unanswered form before its right lapses.
    pub reminder: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
