use sea_orm::entity::prelude::*;

/// An installment plan (分割納付) pledged for a receivable (納付誓約).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "installment_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub insurer: String,
    pub receivable_id: String,
    /// 納付誓約 date: renews the limitation (承認).
    pub pledged_on: Date,
    pub instalments: i32,
    pub first_due_on: Date,
    /// The balance the plan divides.
    pub total: i64,
    pub cancelled_on: Option<Date>,
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
